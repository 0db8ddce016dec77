//! The area's reads: the partner list with its filters, one partner's file, the callbacks due,
//! and the partners members see.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

const PARTNER_COLUMNS: &str = "p.id, p.name, p.category, p.address, p.contact_person, \
     p.contact_phone_enc, p.contact_phone_masked, p.stage, p.stage_on, p.owner_staff_id, \
     coalesce(s.display_name, '') as owner_name, p.department, p.callback_every_days, \
     p.next_callback_on, p.created_at \
     from partners p left join staff s on s.id = p.owner_staff_id";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PartnerRow {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub address: String,
    pub contact_person: String,
    #[serde(skip)]
    pub contact_phone_enc: Option<String>,
    pub contact_phone_masked: String,
    pub stage: String,
    pub stage_on: NaiveDate,
    pub owner_staff_id: Option<i64>,
    pub owner_name: String,
    pub department: String,
    pub callback_every_days: i64,
    pub next_callback_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StageRow {
    pub id: i64,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub on_date: NaiveDate,
    pub note: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

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

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CallbackRow {
    pub id: i64,
    pub partner_id: i64,
    pub partner_name: String,
    pub on_date: NaiveDate,
    pub caller: String,
    pub way: String,
    pub content: String,
    pub issues: String,
    pub follow_up: String,
    pub next_due_on: Option<NaiveDate>,
}

pub async fn get(db: &Db, id: i64) -> Result<Option<PartnerRow>, DbError> {
    let sql = format!("select {PARTNER_COLUMNS} where p.id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

pub async fn all(db: &Db) -> Result<Vec<PartnerRow>, DbError> {
    let sql = format!("select {PARTNER_COLUMNS} order by p.name");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?
    }))
}

pub async fn stages(db: &Db, partner_id: i64) -> Result<Vec<StageRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, from_stage, to_stage, on_date, note, actor, at from partner_stages \
             where partner_id = $1 order by id",
        )
        .bind(partner_id)
        .fetch_all(p)
        .await?
    }))
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

/// Callbacks, newest first: of one partner, or of all.
pub async fn callbacks(db: &Db, partner_id: Option<i64>) -> Result<Vec<CallbackRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select c.id, c.partner_id, p.name as partner_name, c.on_date, c.caller, c.way, c.content, \
             c.issues, c.follow_up, c.next_due_on from partner_callbacks c join partners p on p.id = c.partner_id \
             where ($1 = 0 or c.partner_id = $1) order by c.on_date desc, c.id desc limit 2000",
        )
        .bind(partner_id.unwrap_or(0))
        .fetch_all(p)
        .await?
    }))
}

/// Partners whose callback is due on or before `day` (not ended), the most overdue first.
pub async fn callbacks_due(db: &Db, day: NaiveDate) -> Result<Vec<PartnerRow>, DbError> {
    let sql = format!(
        "select {PARTNER_COLUMNS} where p.stage not in ('ended', 'screened') and p.next_callback_on is not null \
         and p.next_callback_on <= $1 order by p.next_callback_on, p.name"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(day)
            .fetch_all(p)
            .await?
    }))
}

/// What a member sees of an active partner (G4): no terms, no contact.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PortalPartner {
    pub name: String,
    pub category: String,
    pub address: String,
    pub benefit_zh: String,
    pub benefit_en: String,
    pub discount_permille: Option<i64>,
    pub stores: String,
    pub ends_on: NaiveDate,
}

/// Partners at stage active with a contract in force on `day`, with that contract's benefit.
pub async fn for_members(db: &Db, day: NaiveDate) -> Result<Vec<PortalPartner>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select p.name, p.category, p.address, c.benefit_zh, c.benefit_en, c.discount_permille, c.stores, c.ends_on \
             from partners p join partner_contracts c on c.partner_id = p.id \
             where p.stage = 'active' and c.state = 'in_force' and c.starts_on <= $1 and c.ends_on >= $1 \
             order by p.category, p.name, c.ends_on desc",
        )
        .bind(day)
        .fetch_all(p)
        .await?
    }))
}
