//! The SQL of customer files: inserting a customer, its contacts and owner changes, finding a
//! duplicate; the lists, the file, the purchase history from group-buy sales, the owners, the
//! settings, and what the pool job and the sales link read and write.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::kernel::db::{DbError, Exec, Tx, TxConn, ts};
use crate::{on_exec, on_tx};

mod lists;
mod pool;

pub use lists::{
    CallbackLine, ContactRow, CustomerRow, ListFilter, OwnerRow, PurchaseRow, StaffLine, contacts,
    get, latest_callbacks, list, owned_counts, owners, pick_for_balance, purchases,
    staff_by_username, staff_roles,
};
pub use pool::{Held, held, link_buyer, mark_warned, unlinked_buyers};

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

// ---------------------------------------------------------------------------------------------
// Owners, details, contacts.

/// How many active customers one person holds.
pub async fn count_owned(exec: impl Into<Exec<'_>>, staff_id: i64) -> Result<i64, DbError> {
    Ok(on_exec!(exec.into(), |x| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from customers where state = 'active' and owner_staff_id = $1",
        )
        .bind(staff_id)
        .fetch_one(x)
        .await?
    }))
}

/// Moves a customer from owner `from` (none = the pool) to `to` (none = back to the pool) if it
/// still has owner `from` and is active; the rows changed (0: someone else moved it first).
pub async fn move_owner(
    tx: &mut Tx,
    id: i64,
    from: Option<i64>,
    to: Option<i64>,
    at: DateTime<Utc>,
) -> Result<u64, DbError> {
    let since = to.map(|_| ts(at));
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customers set owner_staff_id = $1, owned_since = $2, pool_warned_on = null \
             where id = $3 and state = 'active' and owner_staff_id is not distinct from $4",
        )
        .bind(to)
        .bind(since)
        .bind(id)
        .bind(from)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// The details of a customer as edited.
pub struct Details<'a> {
    pub name: &'a str,
    pub name_key: &'a str,
    pub credit_code: Option<&'a str>,
    pub kind: &'a str,
    pub grade: &'a str,
    pub address: &'a str,
    pub credit_note: &'a str,
    pub notes: &'a str,
}

pub async fn update_details(tx: &mut Tx, id: i64, d: &Details<'_>) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customers set name = $1, name_key = $2, credit_code = $3, kind = $4, grade = $5, \
             address = $6, credit_note = $7, notes = $8 where id = $9",
        )
        .bind(d.name)
        .bind(d.name_key)
        .bind(d.credit_code)
        .bind(d.kind)
        .bind(d.grade)
        .bind(d.address)
        .bind(d.credit_note)
        .bind(d.notes)
        .bind(id)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// How many contacts a customer has.
pub async fn count_contacts(tx: &mut Tx, customer_id: i64) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from customer_contacts where customer_id = $1",
        )
        .bind(customer_id)
        .fetch_one(x)
        .await?
    }))
}

// ---------------------------------------------------------------------------------------------
// Settings.

/// The pool rules and the callback cadence per grade (one row).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Settings {
    pub cadence_a_days: i64,
    pub cadence_b_days: i64,
    pub cadence_c_days: i64,
    pub first_contact_days: i64,
    pub warn_days: i64,
    pub claim_cap: i64,
}

impl Settings {
    /// The callback cadence of a grade, in days.
    pub fn cadence(&self, grade: &str) -> i64 {
        match grade {
            "A" => self.cadence_a_days,
            "B" => self.cadence_b_days,
            _ => self.cadence_c_days,
        }
    }
}

const SETTINGS_COLUMNS: &str = "cast(cadence_a_days as bigint) as cadence_a_days, \
     cast(cadence_b_days as bigint) as cadence_b_days, cast(cadence_c_days as bigint) as cadence_c_days, \
     cast(first_contact_days as bigint) as first_contact_days, cast(warn_days as bigint) as warn_days, \
     cast(claim_cap as bigint) as claim_cap from customer_settings where id = 1";

pub async fn settings(exec: impl Into<Exec<'_>>) -> Result<Settings, DbError> {
    let sql = format!("select {SETTINGS_COLUMNS}");
    Ok(on_exec!(exec.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(x)
            .await?
    }))
}

pub async fn save_settings(
    tx: &mut Tx,
    s: &Settings,
    by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |x| {
        sqlx::query(
            "update customer_settings set cadence_a_days = $1, cadence_b_days = $2, \
             cadence_c_days = $3, first_contact_days = $4, warn_days = $5, claim_cap = $6, \
             updated_by = $7, updated_at = $8 where id = 1",
        )
        .bind(s.cadence_a_days)
        .bind(s.cadence_b_days)
        .bind(s.cadence_c_days)
        .bind(s.first_contact_days)
        .bind(s.warn_days)
        .bind(s.claim_cap)
        .bind(by)
        .bind(ts(at))
        .execute(x)
        .await?;
    });
    Ok(())
}

/// Holds one person's claims in line until the transaction ends (PostgreSQL; SQLite has one
/// writer already), so two claims at once cannot both pass the cap.
pub async fn lock_claimer(tx: &mut Tx, staff_id: i64) -> Result<(), DbError> {
    if let TxConn::Pg(c) = tx.conn() {
        sqlx::query("select id from staff where id = $1 for update")
            .bind(staff_id)
            .execute(c)
            .await?;
    }
    Ok(())
}

/// Another customer (not `except`) with this name key or credit code, if any.
pub async fn find_other(
    exec: impl Into<Exec<'_>>,
    name_key: &str,
    credit_code: Option<&str>,
    except: i64,
) -> Result<Option<Duplicate>, DbError> {
    let row: Option<(i64, Option<String>, i64)> = on_exec!(exec.into(), |x| {
        sqlx::query_as(
            "select c.id, s.display_name, cast(case when c.credit_code = $2 then 0 else 1 end as bigint) as rank \
             from customers c left join staff s on s.id = c.owner_staff_id \
             where (c.name_key = $1 or ($2 is not null and c.credit_code = $2)) and c.id <> $3 \
             order by rank limit 1",
        )
        .bind(name_key)
        .bind(credit_code)
        .bind(except)
        .fetch_optional(x)
        .await?
    });
    Ok(row.map(|(id, owner_name, rank)| Duplicate {
        id,
        owner_name,
        field: if rank == 0 { "credit_code" } else { "name" },
    }))
}
