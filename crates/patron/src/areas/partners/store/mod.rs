//! The area's SQL: the partner list with its filters, one partner's file, the pipeline's
//! guarded stage moves and dated history, and the partners members see. Contracts and
//! documents are in `contracts.rs`, scanned contract files in `files.rs`, callbacks in
//! `callbacks.rs`.

mod callbacks;
mod contracts;
pub mod files;
pub mod keys;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

pub use callbacks::{
    CallbackRow, NewCallback, callback_every, callbacks, insert_callback, set_next_callback,
};
pub use contracts::{
    ContractRow, DocumentRow, NewContract, NewDocument, contract_id, contracts, covering,
    discount_label, documents, end_in_force, ending_from, expire_contract, in_force,
    insert_contract, insert_document, mark_reminded,
};

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

/// A newly screened partner.
pub struct NewPartner<'a> {
    pub name: &'a str,
    pub category: &'a str,
    pub address: &'a str,
    pub contact_person: &'a str,
    pub contact_phone_enc: Option<&'a str>,
    pub contact_phone_masked: &'a str,
    pub stage_on: NaiveDate,
    pub owner_staff_id: Option<i64>,
    pub department: &'a str,
    pub callback_every_days: i64,
    pub created_by: Option<i64>,
    pub now: DateTime<Utc>,
}

/// Records a partner at stage `screened`; its id.
pub async fn insert_partner(tx: &mut Tx, p: &NewPartner<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into partners (name, category, address, contact_person, contact_phone_enc, \
             contact_phone_masked, stage, stage_on, owner_staff_id, department, callback_every_days, \
             created_by, created_at) values ($1, $2, $3, $4, $5, $6, 'screened', $7, $8, $9, $10, $11, $12) \
             returning id",
        )
        .bind(p.name)
        .bind(p.category)
        .bind(p.address)
        .bind(p.contact_person)
        .bind(p.contact_phone_enc)
        .bind(p.contact_phone_masked)
        .bind(p.stage_on)
        .bind(p.owner_staff_id)
        .bind(p.department)
        .bind(p.callback_every_days)
        .bind(p.created_by)
        .bind(ts(p.now))
        .fetch_one(x)
        .await?
    }))
}

/// One dated row of a partner's history.
pub struct Step<'a> {
    pub partner_id: i64,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub on: NaiveDate,
    pub note: &'a str,
    pub staff_id: Option<i64>,
    pub actor: &'a str,
    pub at: DateTime<Utc>,
}

/// Appends a row to a partner's history (`partner_stages`, append-only).
pub async fn insert_step(tx: &mut Tx, s: &Step<'_>) -> Result<(), DbError> {
    on_tx!(tx, |x| {
        sqlx::query(
            "insert into partner_stages (partner_id, from_stage, to_stage, on_date, note, staff_id, actor, at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(s.partner_id)
        .bind(s.from)
        .bind(s.to)
        .bind(s.on)
        .bind(s.note)
        .bind(s.staff_id)
        .bind(s.actor)
        .bind(ts(s.at))
        .execute(x)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// A partner's stage, inside a write; none when there is no such partner.
pub async fn stage(tx: &mut Tx, id: i64) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar("select stage from partners where id = $1")
            .bind(id)
            .fetch_optional(x)
            .await?
    }))
}

/// A partner's stage and the date it was reached, inside a write.
pub async fn stage_and_date(tx: &mut Tx, id: i64) -> Result<Option<(String, NaiveDate)>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_as("select stage, stage_on from partners where id = $1")
            .bind(id)
            .fetch_optional(x)
            .await?
    }))
}

/// The guarded stage move: only while the partner is still at `from`; a partner becoming
/// active gets its first callback due on `first_callback` unless one is set. Rows moved (0 or 1).
pub async fn move_stage(
    tx: &mut Tx,
    id: i64,
    from: &str,
    to: &str,
    on: NaiveDate,
    first_callback: NaiveDate,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update partners set stage = $1, stage_on = $2, next_callback_on = case \
             when $1 = 'active' and next_callback_on is null then $3 else next_callback_on end \
             where id = $4 and stage = $5",
        )
        .bind(to)
        .bind(on)
        .bind(first_callback)
        .bind(id)
        .bind(from)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// Moves a partner still at `from` to expired (the reminder job). Rows moved (0 or 1).
pub async fn expire_partner(
    tx: &mut Tx,
    id: i64,
    from: &str,
    on: NaiveDate,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update partners set stage = 'expired', stage_on = $1 where id = $2 and stage = $3",
        )
        .bind(on)
        .bind(id)
        .bind(from)
        .execute(x)
        .await?
        .rows_affected()
    }))
}
