//! Reward slips (`reward_slips`) and their follow-ups (`reward_follow_ups`, append-only).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// A slip as lists and the print view show it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlipRow {
    pub id: i64,
    pub slip_no: String,
    pub member_id: i64,
    pub name: String,
    pub phone_masked: Option<String>,
    pub card_no: String,
    pub card_store_code: String,
    pub store_code: String,
    pub store_name: String,
    pub threshold_points: i64,
    pub points: i64,
    pub gift_code: String,
    pub gift_name_zh: String,
    pub gift_name_en: String,
    pub value_fen: i64,
    pub id_type: String,
    pub id_last4: String,
    pub state: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub issued_at: DateTime<Utc>,
    pub issued_by_name: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claimed_by_name: Option<String>,
    pub claim_store_code: Option<String>,
    pub expired_at: Option<DateTime<Utc>>,
    pub points_returned: i64,
}

impl SlipRow {
    /// Claimed at a store other than the card's issuing store.
    pub fn claimed_elsewhere(&self) -> bool {
        self.claim_store_code
            .as_deref()
            .is_some_and(|c| c != self.card_store_code)
    }
}

const SLIP_SELECT: &str = "select x.id, x.slip_no, x.member_id, m.name, m.phone_masked, x.card_no, \
     cs.code as card_store_code, s.code as store_code, s.name as store_name, x.threshold_points, x.points, \
     g.code as gift_code, g.name_zh as gift_name_zh, g.name_en as gift_name_en, g.value_fen, x.id_type, x.id_last4, \
     x.state, x.issued_on, x.valid_until, x.issued_at, ib.display_name as issued_by_name, x.claimed_at, \
     cb.display_name as claimed_by_name, ks.code as claim_store_code, x.expired_at, x.points_returned \
     from reward_slips x join members m on m.id = x.member_id join stores cs on cs.id = x.card_store_id \
     join stores s on s.id = x.store_id join gifts g on g.id = x.gift_id \
     left join staff ib on ib.id = x.issued_by left join staff cb on cb.id = x.claimed_by \
     left join stores ks on ks.id = x.claim_store_id";

pub async fn get(db: &Db, slip_no: &str) -> Result<Option<SlipRow>, DbError> {
    let sql = format!("{SLIP_SELECT} where x.slip_no = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(slip_no.trim().to_ascii_uppercase())
            .fetch_optional(p)
            .await?
    }))
}

/// The slips a store made or whose card it issued (so the issuing store sees claims made
/// elsewhere), newest first; `state` filters (empty: all).
pub async fn for_store(db: &Db, store_id: i64, state: &str) -> Result<Vec<SlipRow>, DbError> {
    let sql = format!(
        "{SLIP_SELECT} where (x.store_id = $1 or x.card_store_id = $1 or x.claim_store_id = $1) \
         and ($2 = '' or x.state = $2) order by x.id desc limit 500"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(state)
            .fetch_all(p)
            .await?
    }))
}

/// How many slips a store made or whose card it issued are still to be claimed on `today`.
pub async fn count_claimable(db: &Db, store_id: i64, today: NaiveDate) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select count(*) from reward_slips x where (x.store_id = $1 or x.card_store_id = $1) \
             and x.state = 'issued' and x.valid_until >= $2",
        )
        .bind(store_id)
        .bind(today)
        .fetch_one(p)
        .await?
    }))
}

/// Unclaimed slips of a store whose last valid day is between `from` and `to`.
pub async fn open_until_between(
    db: &Db,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SlipRow>, DbError> {
    let sql = format!(
        "{SLIP_SELECT} where (x.store_id = $1 or x.card_store_id = $1) and x.state = 'issued' \
         and x.valid_until >= $2 and x.valid_until <= $3 order by x.valid_until, x.id"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(from)
            .bind(to)
            .fetch_all(p)
            .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FollowUpRow {
    pub id: i64,
    pub slip_id: i64,
    pub at: DateTime<Utc>,
    pub staff_name: Option<String>,
    pub how: String,
    pub result: String,
    pub note: String,
}

pub async fn follow_ups(db: &Db, slip_ids: &[i64]) -> Result<Vec<FollowUpRow>, DbError> {
    if slip_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = slip_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "select f.id, f.slip_id, f.at, st.display_name as staff_name, f.how, f.result, f.note \
         from reward_follow_ups f left join staff st on st.id = f.staff_id where f.slip_id in ({list}) order by f.id"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?
    }))
}

/// A live card as the slip needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SlipCard {
    pub member_id: i64,
    pub store_id: i64,
    pub status: String,
    pub id_masked: Option<String>,
    pub points_balance: i64,
}

/// The live card with this number and its member, inside a write.
pub async fn slip_card(tx: &mut Tx, card_no: &str) -> Result<Option<SlipCard>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "select c.member_id, c.store_id, m.status, m.id_masked, m.points_balance from cards c \
             join members m on m.id = c.member_id \
             where c.card_no = $1 and c.state in ('issued', 'active', 'frozen')",
        )
        .bind(card_no)
        .fetch_optional(c)
        .await?
    }))
}

/// The (name, points balance) of a live card's member (the slip form's preview).
pub async fn card_holder(db: &Db, card_no: &str) -> Result<Option<(String, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.name, m.points_balance from cards c join members m on m.id = c.member_id \
             where c.card_no = $1 and c.state in ('issued', 'active', 'frozen')",
        )
        .bind(card_no)
        .fetch_optional(p)
        .await?
    }))
}

/// A slip to record (state `issued`).
pub struct NewSlip<'a> {
    pub slip_no: &'a str,
    pub member_id: i64,
    pub card_no: &'a str,
    pub card_store_id: i64,
    pub store_id: i64,
    pub list_id: Option<i64>,
    pub points: i64,
    pub gift_id: i64,
    pub id_type: &'a str,
    pub id_last4: &'a str,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub issued_at: DateTime<Utc>,
    pub issued_by: Option<i64>,
}

pub async fn insert(tx: &mut Tx, s: &NewSlip<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into reward_slips (slip_no, member_id, card_no, card_store_id, store_id, list_id, \
             threshold_points, points, gift_id, id_type, id_last4, state, issued_on, valid_until, \
             issued_at, issued_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'issued', $12, $13, $14, $15)",
        )
        .bind(s.slip_no)
        .bind(s.member_id)
        .bind(s.card_no)
        .bind(s.card_store_id)
        .bind(s.store_id)
        .bind(s.list_id)
        .bind(s.points)
        .bind(s.points)
        .bind(s.gift_id)
        .bind(s.id_type)
        .bind(s.id_last4)
        .bind(s.issued_on)
        .bind(s.valid_until)
        .bind(s.issued_at)
        .bind(s.issued_by)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A claimed slip: (id, member, gift, the card's issuing store).
pub type Claimed = (i64, i64, i64, i64);

/// Claims an issued slip still valid on `today` with one guarded update; `None` when it is
/// not (claimed, expired or unknown).
pub async fn claim(
    tx: &mut Tx,
    slip_no: &str,
    store_id: i64,
    by: Option<i64>,
    at: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Option<Claimed>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "update reward_slips set state = 'claimed', claimed_at = $1, claimed_by = $2, claim_store_id = $3 \
             where slip_no = $4 and state = 'issued' and valid_until >= $5 \
             returning id, member_id, gift_id, card_store_id",
        )
        .bind(at)
        .bind(by)
        .bind(store_id)
        .bind(slip_no)
        .bind(today)
        .fetch_optional(c)
        .await?
    }))
}

/// A slip's (state, last valid day).
pub async fn state(tx: &mut Tx, slip_no: &str) -> Result<Option<(String, NaiveDate)>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as("select state, valid_until from reward_slips where slip_no = $1")
            .bind(slip_no)
            .fetch_optional(c)
            .await?
    }))
}

/// Moves an issued slip's last valid day from `old` to `until`; false when it changed meanwhile.
pub async fn extend(
    tx: &mut Tx,
    slip_no: &str,
    old: NaiveDate,
    until: NaiveDate,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update reward_slips set valid_until = $1 where slip_no = $2 and state = 'issued' and valid_until = $3",
        )
        .bind(until)
        .bind(slip_no)
        .bind(old)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n != 0)
}

/// A follow-up to record.
pub struct NewFollowUp<'a> {
    pub slip_id: i64,
    pub at: DateTime<Utc>,
    pub staff_id: Option<i64>,
    pub how: &'a str,
    pub result: &'a str,
    pub note: &'a str,
}

pub async fn add_follow_up(tx: &mut Tx, f: &NewFollowUp<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into reward_follow_ups (slip_id, at, staff_id, how, result, note) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(f.slip_id)
        .bind(f.at)
        .bind(f.staff_id)
        .bind(f.how)
        .bind(f.result)
        .bind(f.note)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The ids of issued slips whose last valid day is before `today`.
pub async fn due_for_expiry(db: &Db, today: NaiveDate) -> Result<Vec<i64>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select id from reward_slips where state = 'issued' and valid_until < $1 order by id",
        )
        .bind(today)
        .fetch_all(p)
        .await?
    }))
}

/// An expired slip: (slip number, member, points, store).
pub type Expired = (String, i64, i64, i64);

/// Expires slip `id` with one guarded update; `None` when it is no longer due.
pub async fn expire(
    tx: &mut Tx,
    id: i64,
    at: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Option<Expired>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "update reward_slips set state = 'expired', expired_at = $1 \
             where id = $2 and state = 'issued' and valid_until < $3 \
             returning slip_no, member_id, points, store_id",
        )
        .bind(at)
        .bind(id)
        .bind(today)
        .fetch_optional(c)
        .await?
    }))
}

pub async fn set_points_returned(tx: &mut Tx, id: i64, points: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update reward_slips set points_returned = $1 where id = $2")
            .bind(points)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
