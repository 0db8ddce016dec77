//! SQL of the member's data rights (B11): the close requests (`portal_close_requests`), and the
//! reads of the member's own data for the download. Those read other areas' tables, read-only,
//! for one member: `reward_slips` (with `gifts`, `stores`), `event_signups` (with
//! `events`).

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// Opens a close request unless one is open already; the new request's id.
pub async fn open_close_request(
    tx: &mut Tx,
    member_id: i64,
    store_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into portal_close_requests (member_id, store_id, reason, created_at) \
             values ($1, $2, $3, $4) on conflict (member_id) where state = 'open' do nothing \
             returning id",
        )
        .bind(member_id)
        .bind(store_id)
        .bind(reason)
        .bind(ts(now))
        .fetch_optional(c)
        .await?
    }))
}

/// A close request as the desk's list and the portal show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CloseRequest {
    pub id: i64,
    pub member_id: i64,
    pub name: String,
    pub card_no: Option<String>,
    pub member_status: String,
    pub store_id: i64,
    pub store_name: String,
    pub reason: String,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub handled_at: Option<DateTime<Utc>>,
    pub handled_by_name: Option<String>,
    pub note: String,
}

const REQUEST: &str = "select r.id, r.member_id, m.name, c.card_no, m.status as member_status, \
     r.store_id, s.name as store_name, r.reason, r.state, r.created_at, r.handled_at, \
     h.display_name as handled_by_name, r.note from portal_close_requests r \
     join members m on m.id = r.member_id join stores s on s.id = r.store_id \
     left join cards c on c.member_id = m.id and c.state in ('issued', 'active', 'frozen') \
     left join staff h on h.id = r.handled_by";

/// Requests of the given stores (`None`: every store) in `state` (empty: all), open first and
/// newest first, at most 200.
pub async fn close_requests(
    db: &Db,
    stores: Option<&[i64]>,
    state: &str,
) -> Result<Vec<CloseRequest>, DbError> {
    let scope = match stores {
        None => String::new(),
        Some([]) => " and 1 = 0".to_string(),
        Some(ids) => format!(
            " and r.store_id in ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    let sql = format!(
        "{REQUEST} where ($1 = '' or r.state = $1){scope} order by r.state desc, r.id desc limit 200"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(state)
            .fetch_all(p)
            .await?
    }))
}

/// How many requests wait at a store.
pub async fn count_open(db: &Db, store_id: i64) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from portal_close_requests where store_id = $1 and state = 'open'",
        )
        .bind(store_id)
        .fetch_one(p)
        .await?
    }))
}

/// The member's latest request.
pub async fn latest_of(db: &Db, member_id: i64) -> Result<Option<CloseRequest>, DbError> {
    let sql = format!("{REQUEST} where r.member_id = $1 order by r.id desc limit 1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(member_id)
            .fetch_optional(p)
            .await?
    }))
}

/// A request's store and state.
pub async fn request_head(tx: &mut Tx, id: i64) -> Result<Option<(i64, i64, String)>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as("select member_id, store_id, state from portal_close_requests where id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

/// Marks an open request handled; whether it was still open.
pub async fn mark_handled(
    tx: &mut Tx,
    id: i64,
    staff_id: Option<i64>,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update portal_close_requests set state = 'handled', handled_at = $1, handled_by = $2, \
             note = $3 where id = $4 and state = 'open'",
        )
        .bind(ts(now))
        .bind(staff_id)
        .bind(note)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// A reward slip of the member.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SlipRow {
    pub slip_no: String,
    pub gift_name_zh: String,
    pub gift_name_en: String,
    pub points: i64,
    pub store_name: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub state: String,
    pub claimed_at: Option<DateTime<Utc>>,
}

pub async fn slips(db: &Db, member_id: i64) -> Result<Vec<SlipRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select x.slip_no, g.name_zh as gift_name_zh, g.name_en as gift_name_en, x.points, \
             s.name as store_name, x.issued_on, \
             x.valid_until, x.state, x.claimed_at from reward_slips x join gifts g on g.id = x.gift_id \
             join stores s on s.id = x.store_id where x.member_id = $1 order by x.id desc",
        )
        .bind(member_id)
        .fetch_all(p)
        .await?
    }))
}

/// An event the member signed up for.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SignupRow {
    pub theme: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub status: String,
    pub signed_at: DateTime<Utc>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub points_awarded: i64,
}

pub async fn signups(db: &Db, member_id: i64) -> Result<Vec<SignupRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select e.theme, e.place, e.starts_at, u.status, u.signed_at, u.checked_in_at, \
             u.points_awarded from event_signups u join events e on e.id = u.event_id \
             where u.member_id = $1 order by u.signed_at desc",
        )
        .bind(member_id)
        .fetch_all(p)
        .await?
    }))
}
