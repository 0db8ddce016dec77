//! The points exchanges (`gift_exchanges`) and the member facts an exchange needs.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// The exchange's document number prefix (兑换): `DH{store}{yyyymmdd}-{nnn}`.
pub const EXCHANGE_PREFIX: &str = "DH";

/// An exchange as lists and the slip show it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct ExchangeRow {
    pub id: i64,
    pub doc_no: String,
    pub member_id: i64,
    pub member_name: String,
    pub card_no: Option<String>,
    pub store_id: i64,
    pub gift_code: String,
    pub gift_name_zh: String,
    pub gift_name_en: String,
    pub qty: i64,
    pub points: i64,
    pub channel: String,
    pub staff_id: Option<i64>,
    pub business_date: NaiveDate,
    pub at: DateTime<Utc>,
}

impl ExchangeRow {
    pub fn no(&self) -> &str {
        &self.doc_no
    }
}

const EXCHANGE: &str = "select e.id, e.doc_no, e.member_id, m.name as member_name, c.card_no, e.store_id, \
     g.code as gift_code, g.name_zh as gift_name_zh, g.name_en as gift_name_en, e.qty, e.points, \
     e.channel, e.staff_id, e.business_date, e.at from gift_exchanges e \
     join members m on m.id = e.member_id join gifts g on g.id = e.gift_id \
     left join cards c on c.member_id = e.member_id and c.state in ('issued', 'active', 'frozen')";

pub async fn get(db: &Db, id: i64) -> Result<Option<ExchangeRow>, DbError> {
    let sql = format!("{EXCHANGE} where e.id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// Recent exchanges at a store (store_id) or of a member (member_id); 0 means any.
pub async fn list(db: &Db, store_id: i64, member_id: i64) -> Result<Vec<ExchangeRow>, DbError> {
    let sql = format!(
        "{EXCHANGE} where ($1 = 0 or e.store_id = $1) and ($2 = 0 or e.member_id = $2) \
         order by e.id desc limit 200"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(member_id)
            .fetch_all(p)
            .await?
    }))
}

/// The (id, member) of the exchange recorded under a one-time key.
pub async fn by_key(db: &Db, key: &str) -> Result<Option<(i64, i64)>, DbError> {
    let key = key.to_string();
    Ok(on_db!(db, |p| {
        sqlx::query_as("select id, member_id from gift_exchanges where idem_key = $1")
            .bind(key)
            .fetch_optional(p)
            .await?
    }))
}

/// The gift an exchange took.
pub async fn gift_of(db: &Db, id: i64) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select gift_id from gift_exchanges where id = $1")
            .bind(id)
            .fetch_one(p)
            .await?
    }))
}

/// An exchange to record.
pub struct NewExchange<'a> {
    /// The number taken from the document counter in the same write.
    pub doc_no: &'a str,
    pub member_id: i64,
    pub store_id: i64,
    pub gift_id: i64,
    pub qty: i64,
    pub points: i64,
    pub channel: &'a str,
    /// Blank: no key.
    pub key: &'a str,
    pub staff_id: Option<i64>,
    pub business_date: NaiveDate,
    pub at: DateTime<Utc>,
}

/// Records an exchange; returns its id. A key used before is a unique violation
/// (`DbError::is_unique_violation`).
pub async fn insert(tx: &mut Tx, e: &NewExchange<'_>) -> Result<i64, DbError> {
    let key = if e.key.is_empty() { None } else { Some(e.key) };
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gift_exchanges (doc_no, member_id, store_id, gift_id, qty, points, \
             channel, idem_key, staff_id, business_date, at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
        )
        .bind(e.doc_no)
        .bind(e.member_id)
        .bind(e.store_id)
        .bind(e.gift_id)
        .bind(e.qty)
        .bind(e.points)
        .bind(e.channel)
        .bind(key)
        .bind(e.staff_id)
        .bind(e.business_date)
        .bind(ts(e.at))
        .fetch_one(c)
        .await?
    }))
}

/// A member's status (`active`, …), inside a write.
pub async fn member_status(tx: &mut Tx, member_id: i64) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("select status from members where id = $1")
            .bind(member_id)
            .fetch_optional(c)
            .await?
    }))
}

/// A member's points balance now.
pub async fn points_balance(db: &Db, member_id: i64) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select points_balance from members where id = $1")
            .bind(member_id)
            .fetch_one(p)
            .await?
    }))
}
