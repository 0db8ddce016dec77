//! Reading customer files: the lists, one file with its contacts, owners, purchases from
//! group-buy sales and latest callbacks; the staff who may own customers and their loads.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Exec};
use crate::{on_db, on_exec};

const CUSTOMER_COLUMNS: &str = "c.id, c.name, c.name_key, c.credit_code, c.kind, c.grade, \
     c.address, c.credit_note, c.notes, c.store_id, c.owner_staff_id, \
     coalesce(s.username, '') as owner, coalesce(s.display_name, '') as owner_name, \
     c.owned_since, c.state, c.last_contact_at, c.pool_warned_on, \
     coalesce((select k.name from customer_contacts k where k.customer_id = c.id \
        order by k.is_primary desc, k.id limit 1), '') as contact_name, \
     coalesce((select k.phone_masked from customer_contacts k where k.customer_id = c.id \
        order by k.is_primary desc, k.id limit 1), '') as contact_phone, \
     c.created_at \
     from customers c left join staff s on s.id = c.owner_staff_id";

/// A customer as the lists and the file show it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: i64,
    pub name: String,
    #[serde(skip)]
    pub name_key: String,
    pub credit_code: Option<String>,
    pub kind: String,
    pub grade: String,
    pub address: String,
    pub credit_note: String,
    pub notes: String,
    #[serde(skip)]
    pub store_id: i64,
    #[serde(skip)]
    pub owner_staff_id: Option<i64>,
    /// The owner's user name; empty when the customer is in the shared pool.
    pub owner: String,
    pub owner_name: String,
    pub owned_since: Option<DateTime<Utc>>,
    pub state: String,
    pub last_contact_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub pool_warned_on: Option<NaiveDate>,
    /// The first contact's name and masked phone.
    pub contact_name: String,
    pub contact_phone: String,
    pub created_at: DateTime<Utc>,
}

/// What a list is filtered by (empty = any).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub kind: String,
    pub grade: String,
    /// Only this owner's customers.
    pub owner_id: Option<i64>,
    /// Only the shared pool.
    pub pool: bool,
    /// Part of the folded name.
    pub name_key: String,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(db: &Db, f: &ListFilter) -> Result<Vec<CustomerRow>, DbError> {
    let sql = format!(
        "select {CUSTOMER_COLUMNS} where c.state = 'active' \
         and ($1 = '' or c.kind = $1) and ($2 = '' or c.grade = $2) \
         and ($3 < 0 or c.owner_staff_id = $3) and ($4 = 0 or c.owner_staff_id is null) \
         and ($5 = '' or c.name_key like $6) \
         order by c.grade, c.name_key, c.id limit $7 offset $8"
    );
    let like = format!("%{}%", f.name_key.replace(['%', '_'], ""));
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&f.kind)
            .bind(&f.grade)
            .bind(f.owner_id.unwrap_or(-1))
            .bind(i64::from(f.pool))
            .bind(&f.name_key)
            .bind(like)
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(p)
            .await?
    }))
}

pub async fn get(exec: impl Into<Exec<'_>>, id: i64) -> Result<Option<CustomerRow>, DbError> {
    let sql = format!("select {CUSTOMER_COLUMNS} where c.id = $1");
    Ok(on_exec!(exec.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(x)
            .await?
    }))
}

/// A contact of a customer (the phone masked; the sealed phone is never sent out).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub title: String,
    #[serde(skip)]
    pub phone_enc: Option<String>,
    pub phone_masked: String,
    pub is_primary: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn contacts(db: &Db, customer_id: i64) -> Result<Vec<ContactRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, name, title, phone_enc, phone_masked, cast(is_primary as bigint) as is_primary, \
             created_at from customer_contacts where customer_id = $1 order by is_primary desc, id",
        )
        .bind(customer_id)
        .fetch_all(p)
        .await?
    }))
}

/// One change of owner as the file shows it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OwnerRow {
    pub from_name: String,
    pub to_name: String,
    pub reason: String,
    pub note: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

pub async fn owners(db: &Db, customer_id: i64) -> Result<Vec<OwnerRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select coalesce(f.display_name, '') as from_name, coalesce(t.display_name, '') as to_name, \
             o.reason, o.note, coalesce(b.display_name, '') as by_name, o.at \
             from customer_owners o left join staff f on f.id = o.from_staff_id \
             left join staff t on t.id = o.to_staff_id left join staff b on b.id = o.by_staff_id \
             where o.customer_id = $1 order by o.id desc",
        )
        .bind(customer_id)
        .fetch_all(p)
        .await?
    }))
}

/// One group-buy sale to the customer's organisation; the seller keeps the credit.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PurchaseRow {
    pub sale_no: String,
    pub biz_date: NaiveDate,
    pub amount_fen: i64,
    pub count: i64,
    pub state: String,
    /// The seller's user name and name (who made the sale, whoever owns the customer now).
    pub seller: String,
    pub seller_name: String,
}

/// The group-buy sales whose buyer's organisation folds to `name_key`, newest first.
pub async fn purchases(db: &Db, name_key: &str) -> Result<Vec<PurchaseRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.sale_no, s.biz_date, cast(s.amount_fen as bigint) as amount_fen, \
             cast(s.count as bigint) as count, s.state, coalesce(st.username, '') as seller, \
             coalesce(st.display_name, '') as seller_name \
             from gb_sales s join gb_buyers b on b.id = s.buyer_id \
             left join staff st on st.id = s.created_by \
             where b.org_key = $1 order by s.biz_date desc, s.id desc limit 200",
        )
        .bind(name_key)
        .fetch_all(p)
        .await?
    }))
}

/// A callback as the file shows it (read-only here; logged by the callbacks topic).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CallbackLine {
    pub at: DateTime<Utc>,
    pub way: String,
    pub summary: String,
    pub outcome: String,
    pub caller_name: String,
}

pub async fn latest_callbacks(
    db: &Db,
    customer_id: i64,
    limit: i64,
) -> Result<Vec<CallbackLine>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select b.at, b.way, b.summary, b.outcome, coalesce(s.display_name, '') as caller_name \
             from customer_callbacks b left join staff s on s.id = b.caller_staff_id \
             where b.customer_id = $1 order by b.at desc, b.id desc limit $2",
        )
        .bind(customer_id)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

// ---------------------------------------------------------------------------------------------
// Staff who may own customers.

/// A staff member as an owner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffLine {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
}

/// Every active staff member with each of their roles (one line per role).
pub async fn staff_roles(db: &Db) -> Result<Vec<StaffLine>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.id, s.username, s.display_name, r.role from staff s \
             join staff_roles r on r.staff_id = s.id where not s.disabled \
             order by s.username, r.role",
        )
        .fetch_all(p)
        .await?
    }))
}

/// Active customers per owner: (owner id, count).
pub async fn owned_counts(db: &Db) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select owner_staff_id, cast(count(*) as bigint) from customers \
             where state = 'active' and owner_staff_id is not null group by owner_staff_id",
        )
        .fetch_all(p)
        .await?
    }))
}

/// The first `n` customers of an owner to hand to another (the longest without contact first).
pub async fn pick_for_balance(db: &Db, owner_id: i64, n: i64) -> Result<Vec<i64>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select id from customers where state = 'active' and owner_staff_id = $1 \
             order by case when last_contact_at is null then 0 else 1 end, last_contact_at, id limit $2",
        )
        .bind(owner_id)
        .bind(n)
        .fetch_all(p)
        .await?
    }))
}

/// The active staff member with this user name: (id, user name, name).
pub async fn staff_by_username(
    db: &Db,
    username: &str,
) -> Result<Option<(i64, String, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, username, display_name from staff where username = $1 and not disabled",
        )
        .bind(username.trim())
        .fetch_optional(p)
        .await?
    }))
}
