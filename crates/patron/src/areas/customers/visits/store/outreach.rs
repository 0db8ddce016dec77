//! The daily outreach plan and its summary (外联计划与总结), and the week's roll-up.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// One planned visit of a day, with its summary once written.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = visits::OutreachRow)]
pub struct OutreachRow {
    pub id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub on_date: NaiveDate,
    pub customer_id: Option<i64>,
    pub organisation: String,
    pub contact: String,
    pub purpose: String,
    pub summarised: bool,
    pub contact_made: bool,
    pub result: String,
    pub intent: String,
    pub sign_by: Option<NaiveDate>,
    pub why_not: String,
}

const SELECT: &str = "select o.id, o.staff_id, s.display_name as staff_name, o.on_date, o.customer_id, \
     o.organisation, o.contact, o.purpose, o.summarised, o.contact_made, o.result, o.intent, \
     o.sign_by, o.why_not from customer_outreach o join staff s on s.id = o.staff_id";

/// One person's plan of one day (or everyone's when `staff_id` is none), in the order written.
pub async fn day(
    db: &Db,
    staff_id: Option<i64>,
    on: NaiveDate,
) -> Result<Vec<OutreachRow>, DbError> {
    let sql = format!(
        "{SELECT} where o.on_date = $1 and ($2 = 0 or o.staff_id = $2) order by o.staff_id, o.id"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(on)
            .bind(staff_id.unwrap_or(0))
            .fetch_all(p)
            .await?
    }))
}

/// Every row of the days `from..=to`, by person and day.
pub async fn between(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<OutreachRow>, DbError> {
    let sql = format!(
        "{SELECT} where o.on_date >= $1 and o.on_date <= $2 order by s.display_name, o.staff_id, o.on_date, o.id limit 20000"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(from)
            .bind(to)
            .fetch_all(p)
            .await?
    }))
}

/// A planned visit as inserted.
pub struct NewPlan<'a> {
    pub staff_id: i64,
    pub store_id: i64,
    pub on_date: NaiveDate,
    pub customer_id: Option<i64>,
    pub organisation: &'a str,
    pub contact: &'a str,
    pub purpose: &'a str,
    pub at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, p: &NewPlan<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_outreach (staff_id, store_id, on_date, customer_id, organisation, \
             contact, purpose, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(p.staff_id)
        .bind(p.store_id)
        .bind(p.on_date)
        .bind(p.customer_id)
        .bind(p.organisation)
        .bind(p.contact)
        .bind(p.purpose)
        .bind(ts(p.at))
        .fetch_one(x)
        .await?
    }))
}

/// The name of an active customer (for a plan row linked to one).
pub async fn customer_name(tx: &mut Tx, id: i64) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar("select name from customers where id = $1 and state = 'active'")
            .bind(id)
            .fetch_optional(x)
            .await?
    }))
}

/// The day's summary of one row.
pub struct Summary<'a> {
    pub contact_made: bool,
    pub result: &'a str,
    pub intent: &'a str,
    pub sign_by: Option<NaiveDate>,
    pub why_not: &'a str,
    pub at: DateTime<Utc>,
}

/// Writes the summary of one of `staff_id`'s rows; false when the row is not theirs.
pub async fn summarise(
    tx: &mut Tx,
    id: i64,
    staff_id: i64,
    s: &Summary<'_>,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customer_outreach set summarised = true, contact_made = $1, result = $2, \
             intent = $3, sign_by = $4, why_not = $5, summarised_at = $6 \
             where id = $7 and staff_id = $8",
        )
        .bind(s.contact_made)
        .bind(s.result)
        .bind(s.intent)
        .bind(s.sign_by)
        .bind(s.why_not)
        .bind(ts(s.at))
        .bind(id)
        .bind(staff_id)
        .execute(x)
        .await?
        .rows_affected()
    }) == 1)
}
