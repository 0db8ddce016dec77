//! The SQL of customer files: inserting a customer, its contacts and owner changes, finding a
//! duplicate.

use chrono::{DateTime, Utc};

use crate::kernel::db::{DbError, Exec, Tx, ts};
use crate::{on_exec, on_tx};

/// A customer as inserted.
pub struct NewCustomer<'a> {
    pub name: &'a str,
    pub name_key: &'a str,
    pub credit_code: Option<&'a str>,
    pub kind: &'a str,
    pub grade: &'a str,
    pub address: &'a str,
    pub credit_note: &'a str,
    pub notes: &'a str,
    pub store_id: i64,
    pub owner_staff_id: Option<i64>,
    pub created_by: Option<i64>,
    pub at: DateTime<Utc>,
}

pub async fn insert_customer(tx: &mut Tx, c: &NewCustomer<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customers (name, name_key, credit_code, kind, grade, address, credit_note, \
             notes, store_id, owner_staff_id, owned_since, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11) returning id",
        )
        .bind(c.name)
        .bind(c.name_key)
        .bind(c.credit_code)
        .bind(c.kind)
        .bind(c.grade)
        .bind(c.address)
        .bind(c.credit_note)
        .bind(c.notes)
        .bind(c.store_id)
        .bind(c.owner_staff_id)
        .bind(ts(c.at))
        .bind(c.created_by)
        .fetch_one(x)
        .await?
    }))
}

/// A contact as inserted (the phone already encrypted and masked).
pub struct NewContact<'a> {
    pub customer_id: i64,
    pub name: &'a str,
    pub title: &'a str,
    pub phone_enc: Option<&'a str>,
    pub phone_masked: &'a str,
    pub phone_hash: Option<&'a str>,
    pub is_primary: bool,
    pub created_by: Option<i64>,
    pub at: DateTime<Utc>,
}

pub async fn insert_contact(tx: &mut Tx, c: &NewContact<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_contacts (customer_id, name, title, phone_enc, phone_masked, \
             phone_hash, is_primary, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
        )
        .bind(c.customer_id)
        .bind(c.name)
        .bind(c.title)
        .bind(c.phone_enc)
        .bind(c.phone_masked)
        .bind(c.phone_hash)
        .bind(i64::from(c.is_primary))
        .bind(c.created_by)
        .bind(ts(c.at))
        .fetch_one(x)
        .await?
    }))
}

/// One change of owner, as appended to `customer_owners`.
pub struct OwnerChange<'a> {
    pub customer_id: i64,
    pub from_staff_id: Option<i64>,
    pub to_staff_id: Option<i64>,
    /// `recorded`, `claimed`, `reassigned`, `balanced`, `returned`, `archived`, `restored`.
    pub reason: &'a str,
    pub note: &'a str,
    pub by_staff_id: Option<i64>,
    pub at: DateTime<Utc>,
}

pub async fn insert_owner_change(tx: &mut Tx, c: &OwnerChange<'_>) -> Result<(), DbError> {
    on_tx!(tx, |x| {
        sqlx::query(
            "insert into customer_owners (customer_id, from_staff_id, to_staff_id, reason, note, \
             by_staff_id, at) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.customer_id)
        .bind(c.from_staff_id)
        .bind(c.to_staff_id)
        .bind(c.reason)
        .bind(c.note)
        .bind(c.by_staff_id)
        .bind(ts(c.at))
        .execute(x)
        .await?;
    });
    Ok(())
}

/// A customer already on file under the same name key or credit code.
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub id: i64,
    /// The owner's display name; none when the customer is in the pool.
    pub owner_name: Option<String>,
    /// Which field matched: `credit_code` or `name`.
    pub field: &'static str,
}

/// The customer with this name key or credit code, if any (credit code first).
pub async fn find_duplicate(
    exec: impl Into<Exec<'_>>,
    name_key: &str,
    credit_code: Option<&str>,
) -> Result<Option<Duplicate>, DbError> {
    let row: Option<(i64, Option<String>, i64)> = on_exec!(exec.into(), |x| {
        sqlx::query_as(
            "select c.id, s.display_name, cast(case when c.credit_code = $2 then 0 else 1 end as bigint) as rank \
             from customers c left join staff s on s.id = c.owner_staff_id \
             where c.name_key = $1 or ($2 is not null and c.credit_code = $2) \
             order by rank limit 1",
        )
        .bind(name_key)
        .bind(credit_code)
        .fetch_optional(x)
        .await?
    });
    Ok(row.map(|(id, owner_name, rank)| Duplicate {
        id,
        owner_name,
        field: if rank == 0 { "credit_code" } else { "name" },
    }))
}
