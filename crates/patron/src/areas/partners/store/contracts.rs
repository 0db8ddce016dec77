//! Contracts and filed documents: reads for the partner's file and the reminder job, the
//! guarded expiry, and the counts the pipeline checks before signing or activating.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ContractRow {
    pub id: i64,
    pub partner_id: i64,
    pub contract_no: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub benefit_zh: String,
    pub benefit_en: String,
    pub discount_permille: Option<i64>,
    pub settlement_terms: String,
    pub stores: String,
    pub remind_days: i64,
    pub state: String,
    pub reminded_on: Option<NaiveDate>,
}

impl ContractRow {
    /// The day the reminder is due.
    pub fn remind_on(&self) -> NaiveDate {
        self.ends_on - chrono::Days::new(u64::try_from(self.remind_days).unwrap_or(30))
    }

    /// The discount as shown (`9.5折` / `5% off`), if any.
    pub fn discount_label(&self, en: bool) -> String {
        discount_label(self.discount_permille, en)
    }

    /// The benefit text in the language asked for (English falls back to Chinese).
    pub fn benefit(&self, en: bool) -> &str {
        if en && !self.benefit_en.is_empty() {
            &self.benefit_en
        } else {
            &self.benefit_zh
        }
    }
}

/// `9.5折` (zh) / `5% off` (en) of a member price in permille; empty without one.
pub fn discount_label(permille: Option<i64>, en: bool) -> String {
    match permille {
        None => String::new(),
        Some(p) if en => {
            let off = 1000 - p;
            if off % 10 == 0 {
                format!("{}% off", off / 10)
            } else {
                format!("{}.{}% off", off / 10, off % 10)
            }
        }
        Some(p) => {
            let s = if p % 100 == 0 {
                format!("{}", p / 100)
            } else if p % 10 == 0 {
                format!("{}.{}", p / 100, (p % 100) / 10)
            } else {
                format!("{}.{:02}", p / 100, p % 100)
            };
            format!("{s}折")
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub contract_id: Option<i64>,
    pub doc_no: String,
    pub title: String,
    pub kept_at: String,
    pub file_ref: String,
    pub created_at: DateTime<Utc>,
}

const CONTRACT_COLUMNS: &str = "id, partner_id, contract_no, starts_on, ends_on, benefit_zh, \
     benefit_en, discount_permille, settlement_terms, stores, remind_days, state, reminded_on \
     from partner_contracts";

pub async fn contracts(db: &Db, partner_id: i64) -> Result<Vec<ContractRow>, DbError> {
    let sql =
        format!("select {CONTRACT_COLUMNS} where partner_id = $1 order by starts_on desc, id desc");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(partner_id)
            .fetch_all(p)
            .await?
    }))
}

/// Every contract still in force, latest end first.
pub async fn in_force(db: &Db) -> Result<Vec<ContractRow>, DbError> {
    let sql = format!(
        "select {CONTRACT_COLUMNS} where state = 'in_force' order by ends_on desc, id desc"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?
    }))
}

pub async fn documents(db: &Db, partner_id: i64) -> Result<Vec<DocumentRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, contract_id, doc_no, title, kept_at, file_ref, created_at from partner_documents \
             where partner_id = $1 order by id",
        )
        .bind(partner_id)
        .fetch_all(p)
        .await?
    }))
}

/// Contracts of a partner in force on `day` (started, not ended), inside a write.
pub async fn covering(tx: &mut Tx, partner_id: i64, day: NaiveDate) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from partner_contracts where partner_id = $1 \
             and state = 'in_force' and starts_on <= $2 and ends_on >= $2",
        )
        .bind(partner_id)
        .bind(day)
        .fetch_one(x)
        .await?
    }))
}

/// Contracts of a partner in force that end on or after `day`, inside a write.
pub async fn ending_from(tx: &mut Tx, partner_id: i64, day: NaiveDate) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from partner_contracts where partner_id = $1 \
             and state = 'in_force' and ends_on >= $2",
        )
        .bind(partner_id)
        .bind(day)
        .fetch_one(x)
        .await?
    }))
}

/// Ends every contract in force of a partner (the partner was ended).
pub async fn end_in_force(tx: &mut Tx, partner_id: i64) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update partner_contracts set state = 'ended' where partner_id = $1 and state = 'in_force'",
        )
        .bind(partner_id)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// A new contract.
pub struct NewContract<'a> {
    pub partner_id: i64,
    pub contract_no: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub benefit_zh: &'a str,
    pub benefit_en: &'a str,
    pub discount_permille: Option<i64>,
    pub settlement_terms: &'a str,
    pub stores: &'a str,
    pub remind_days: i64,
    pub created_by: Option<i64>,
    pub now: DateTime<Utc>,
}

/// Records a contract; its id (a taken number is a unique violation).
pub async fn insert_contract(tx: &mut Tx, k: &NewContract<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into partner_contracts (partner_id, contract_no, starts_on, ends_on, benefit_zh, \
             benefit_en, discount_permille, settlement_terms, stores, remind_days, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
        )
        .bind(k.partner_id)
        .bind(k.contract_no)
        .bind(k.starts_on)
        .bind(k.ends_on)
        .bind(k.benefit_zh)
        .bind(k.benefit_en)
        .bind(k.discount_permille)
        .bind(k.settlement_terms)
        .bind(k.stores)
        .bind(k.remind_days)
        .bind(k.created_by)
        .bind(ts(k.now))
        .fetch_one(x)
        .await?
    }))
}

/// The id of a partner's contract by its number, inside a write.
pub async fn contract_id(
    tx: &mut Tx,
    partner_id: i64,
    contract_no: &str,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "select id from partner_contracts where partner_id = $1 and contract_no = $2",
        )
        .bind(partner_id)
        .bind(contract_no)
        .fetch_optional(x)
        .await?
    }))
}

/// A filed document.
pub struct NewDocument<'a> {
    pub partner_id: i64,
    pub contract_id: Option<i64>,
    pub doc_no: &'a str,
    pub title: &'a str,
    pub kept_at: &'a str,
    pub file_ref: &'a str,
    pub created_by: Option<i64>,
    pub now: DateTime<Utc>,
}

/// Files a document; its id (a taken number is a unique violation).
pub async fn insert_document(tx: &mut Tx, d: &NewDocument<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into partner_documents (partner_id, contract_id, doc_no, title, kept_at, file_ref, \
             created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(d.partner_id)
        .bind(d.contract_id)
        .bind(d.doc_no)
        .bind(d.title)
        .bind(d.kept_at)
        .bind(d.file_ref)
        .bind(d.created_by)
        .bind(ts(d.now))
        .fetch_one(x)
        .await?
    }))
}

/// Notes the day a contract's reminder was queued (once).
pub async fn mark_reminded(tx: &mut Tx, id: i64, day: NaiveDate) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update partner_contracts set reminded_on = $1 where id = $2 and reminded_on is null",
        )
        .bind(day)
        .bind(id)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// Expires a contract still in force. Rows changed (0 or 1).
pub async fn expire_contract(tx: &mut Tx, id: i64) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update partner_contracts set state = 'expired' where id = $1 and state = 'in_force'",
        )
        .bind(id)
        .execute(x)
        .await?
        .rows_affected()
    }))
}
