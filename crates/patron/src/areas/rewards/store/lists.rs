//! The month-end lists (`reward_lists`, `reward_list_rows`) with their 核分 and notices, and the
//! information desk's list of everyone at a threshold.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// Creates the list of `month` (once per kind and month); its id, or `None` when it exists.
pub async fn create(
    tx: &mut Tx,
    month: &str,
    built_on: NaiveDate,
    at: DateTime<Utc>,
    by: &str,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into reward_lists (kind, month, built_on, built_at, built_by) \
             values ('month_end', $1, $2, $3, $4) on conflict (kind, month) do nothing returning id",
        )
        .bind(month)
        .bind(built_on)
        .bind(at)
        .bind(by)
        .fetch_optional(c)
        .await?
    }))
}

/// The id of the month-end list of `month` (which exists).
pub async fn month_end_id(tx: &mut Tx, month: &str) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("select id from reward_lists where kind = 'month_end' and month = $1")
            .bind(month)
            .fetch_one(c)
            .await?
    }))
}

/// Fills list `id` with one `insert … select`: every active member whose live card expires
/// between `first` and `last` and whose balance reaches a threshold, with the highest threshold
/// reached. Stores and returns the number of rows.
pub async fn fill(tx: &mut Tx, id: i64, first: NaiveDate, last: NaiveDate) -> Result<i64, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into reward_list_rows (list_id, member_id, card_no, store_id, points, \
             threshold_points, card_expires_on) \
             select $1, m.id, c.card_no, c.store_id, m.points_balance, \
               (select max(t.points) from reward_thresholds t where t.points <= m.points_balance), \
               c.expires_on \
             from cards c join members m on m.id = c.member_id \
             where c.expires_on >= $2 and c.expires_on <= $3 \
               and c.state in ('issued', 'active', 'frozen') and m.status = 'active' \
               and m.points_balance >= (select min(points) from reward_thresholds)",
        )
        .bind(id)
        .bind(first)
        .bind(last)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    on_tx!(tx, |c| {
        sqlx::query("update reward_lists set row_count = $1 where id = $2")
            .bind(n)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n)
}

/// (store code, rows) of a list per issuing store.
pub async fn per_store(db: &Db, list_id: i64) -> Result<Vec<(String, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.code, CAST(COUNT(*) AS BIGINT) from reward_list_rows r join stores s on s.id = r.store_id \
             where r.list_id = $1 group by s.code order by s.code",
        )
        .bind(list_id)
        .fetch_all(p)
        .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListInfo {
    pub id: i64,
    pub kind: String,
    pub month: String,
    pub built_on: NaiveDate,
    pub built_at: DateTime<Utc>,
    pub built_by: String,
    pub row_count: i64,
}

pub async fn lists(db: &Db) -> Result<Vec<ListInfo>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, kind, month, built_on, built_at, built_by, row_count from reward_lists \
             order by month desc limit 36",
        )
        .fetch_all(p)
        .await?
    }))
}

pub async fn list_info(db: &Db, id: i64) -> Result<Option<ListInfo>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, kind, month, built_on, built_at, built_by, row_count from reward_lists where id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?
    }))
}

/// One row of a stored list as shown (name and masked phone to call the member).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListRow {
    pub list_id: i64,
    pub member_id: i64,
    pub name: String,
    pub phone_masked: Option<String>,
    pub card_no: String,
    pub store_code: String,
    pub points: i64,
    pub threshold_points: i64,
    pub card_expires_on: NaiveDate,
    pub checked_at: Option<DateTime<Utc>>,
    pub checked_by_name: Option<String>,
    pub check_ok: Option<bool>,
    pub check_detail: String,
    pub notified_at: Option<DateTime<Utc>>,
    pub notified_by_name: Option<String>,
    pub notice_how: Option<String>,
    pub notice_note: String,
    /// The slip made for this member from this list, if any.
    pub slip_no: Option<String>,
}

/// The rows of a stored list, of one store (or all).
pub async fn rows(db: &Db, list_id: i64, store_id: Option<i64>) -> Result<Vec<ListRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select r.list_id, r.member_id, m.name, m.phone_masked, r.card_no, s.code as store_code, r.points, \
             r.threshold_points, r.card_expires_on, r.checked_at, cs.display_name as checked_by_name, r.check_ok, \
             r.check_detail, r.notified_at, ns.display_name as notified_by_name, r.notice_how, r.notice_note, \
             (select min(x.slip_no) from reward_slips x where x.list_id = r.list_id and x.member_id = r.member_id) as slip_no \
             from reward_list_rows r join members m on m.id = r.member_id join stores s on s.id = r.store_id \
             left join staff cs on cs.id = r.checked_by left join staff ns on ns.id = r.notified_by \
             where r.list_id = $1 and ($2 = 0 or r.store_id = $2) order by s.code, r.card_expires_on, r.card_no",
        )
        .bind(list_id)
        .bind(store_id.unwrap_or(0))
        .fetch_all(p)
        .await?
    }))
}

/// A member at a threshold now (the information desk's list).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AtThreshold {
    pub member_id: i64,
    pub name: String,
    pub phone_masked: Option<String>,
    pub card_no: String,
    pub store_code: String,
    pub points: i64,
    pub threshold_points: i64,
    pub card_expires_on: NaiveDate,
}

/// Everyone whose balance reaches a threshold now, with a live card (of one store, or all);
/// highest balance first, at most `limit` rows.
pub async fn at_threshold(
    db: &Db,
    store_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AtThreshold>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.id as member_id, m.name, m.phone_masked, c.card_no, s.code as store_code, m.points_balance as points, \
             (select max(t.points) from reward_thresholds t where t.points <= m.points_balance) as threshold_points, \
             c.expires_on as card_expires_on \
             from members m join cards c on c.member_id = m.id and c.state in ('issued', 'active', 'frozen') \
             join stores s on s.id = c.store_id \
             where m.status = 'active' and m.points_balance >= (select min(points) from reward_thresholds) \
             and ($1 = 0 or c.store_id = $1) order by m.points_balance desc, c.card_no limit $2",
        )
        .bind(store_id.unwrap_or(0))
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// The threshold a listed member's row was built with.
pub async fn row_threshold(
    tx: &mut Tx,
    list_id: i64,
    member_id: i64,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select threshold_points from reward_list_rows where list_id = $1 and member_id = $2",
        )
        .bind(list_id)
        .bind(member_id)
        .fetch_optional(c)
        .await?
    }))
}

/// A member's (sum of ledger entries, balance, points left in lots).
pub async fn ledger_totals(tx: &mut Tx, member_id: i64) -> Result<(i64, i64, i64), DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "select CAST(COALESCE((select SUM(points) from point_entries where member_id = $1), 0) AS BIGINT), \
             m.points_balance, \
             CAST(COALESCE((select SUM(remaining) from point_lots where member_id = $1), 0) AS BIGINT) \
             from members m where m.id = $1",
        )
        .bind(member_id)
        .fetch_one(c)
        .await?
    }))
}

/// A 核分 as recorded on a list row.
pub struct CheckMark<'a> {
    pub list_id: i64,
    pub member_id: i64,
    pub at: DateTime<Utc>,
    pub by: Option<i64>,
    pub ok: bool,
    pub detail: &'a str,
}

pub async fn record_check(tx: &mut Tx, m: &CheckMark<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update reward_list_rows set checked_at = $1, checked_by = $2, check_ok = $3, check_detail = $4 \
             where list_id = $5 and member_id = $6",
        )
        .bind(m.at)
        .bind(m.by)
        .bind(m.ok)
        .bind(m.detail)
        .bind(m.list_id)
        .bind(m.member_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A notice as recorded on a list row.
pub struct NoticeMark<'a> {
    pub list_id: i64,
    pub member_id: i64,
    pub at: DateTime<Utc>,
    pub by: Option<i64>,
    pub how: &'a str,
    pub note: &'a str,
}

/// Records the notice on a row whose 核分 agreed; false when there is no such row.
pub async fn record_notice(tx: &mut Tx, m: &NoticeMark<'_>) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update reward_list_rows set notified_at = $1, notified_by = $2, notice_how = $3, notice_note = $4 \
             where list_id = $5 and member_id = $6 and check_ok = $7",
        )
        .bind(m.at)
        .bind(m.by)
        .bind(m.how)
        .bind(m.note)
        .bind(m.list_id)
        .bind(m.member_id)
        .bind(true)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n != 0)
}
