//! SQL of member events. The sign-up counter moves only by guarded updates; a sign-up row is
//! unique per (event, member); a check-in is a guarded update of that row.
//!
//! `mod.rs` holds the event rows (plan, state, tiers, invitations); `targets.rs` who an event
//! is for, `signups.rs` the sign-up and check-in rows, `figures.rs` the analysis' counts.

mod figures;
mod signups;
mod targets;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

pub use figures::{Figures, figures, windows};
pub use signups::{
    SignupRow, attendees, bump, cancel_signup, check_in, signup_status, signups, take_signup,
};
pub use targets::{Target, month_of, opens_for, targets};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub store_id: i64,
    pub theme: String,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: String,
    pub content: String,
    pub segment: String,
    pub segment_min_spend_fen: i64,
    pub segment_window_days: i64,
    pub capacity: i64,
    pub signed_up: i64,
    pub budget_fen: i64,
    pub actual_cost_fen: Option<i64>,
    pub points: i64,
    pub analysis_weeks: i64,
    pub state: String,
    pub approval_id: Option<i64>,
    pub invited_count: i64,
    pub invited_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub analysis: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A checked plan, as stored.
#[derive(Debug, Clone)]
pub struct Plan {
    pub store_id: i64,
    pub theme: String,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: String,
    pub content: String,
    pub segment: String,
    pub segment_min_spend_fen: i64,
    pub segment_window_days: i64,
    pub capacity: i64,
    pub budget_fen: i64,
    pub points: i64,
    pub analysis_weeks: i64,
    pub tiers: Vec<(String, DateTime<Utc>)>,
}

const COLUMNS: &str = "id, store_id, theme, kind, starts_at, ends_at, place, content, segment, \
    segment_min_spend_fen, segment_window_days, capacity, signed_up, budget_fen, actual_cost_fen, \
    points, analysis_weeks, state, approval_id, invited_count, invited_at, analysis, closed_at, \
    created_by, created_at, updated_at";

/// One event, read from the pool or inside a write (`&mut *tx`).
pub async fn get(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<EventRow>, DbError> {
    let sql = format!("select {COLUMNS} from events where id = $1");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn list(db: &Db) -> Result<Vec<EventRow>, DbError> {
    let sql = format!("select {COLUMNS} from events order by starts_at desc, id desc limit 2000");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?
    }))
}

/// The event's state, inside a write.
pub async fn state(tx: &mut Tx, id: i64) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("select state from events where id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

/// The event points per attendee, inside a write.
pub async fn points_of(tx: &mut Tx, id: i64) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("select points from events where id = $1")
            .bind(id)
            .fetch_one(c)
            .await?
    }))
}

async fn put_tiers(tx: &mut Tx, id: i64, plan: &Plan) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("delete from event_tiers where event_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    for (code, at) in &plan.tiers {
        on_tx!(tx, |c| {
            sqlx::query(
                "insert into event_tiers (event_id, tier_code, opens_at) values ($1, $2, $3)",
            )
            .bind(id)
            .bind(code)
            .bind(ts(*at))
            .execute(c)
            .await?
            .rows_affected()
        });
    }
    Ok(())
}

pub async fn insert(
    tx: &mut Tx,
    p: &Plan,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into events (store_id, theme, kind, starts_at, ends_at, place, content, segment, \
             segment_min_spend_fen, segment_window_days, capacity, budget_fen, points, \
             analysis_weeks, state, created_by, created_at, updated_at) values \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'draft', $15, $16, $16) \
             returning id",
        )
        .bind(p.store_id)
        .bind(&p.theme)
        .bind(&p.kind)
        .bind(ts(p.starts_at))
        .bind(ts(p.ends_at))
        .bind(&p.place)
        .bind(&p.content)
        .bind(&p.segment)
        .bind(p.segment_min_spend_fen)
        .bind(p.segment_window_days)
        .bind(p.capacity)
        .bind(p.budget_fen)
        .bind(p.points)
        .bind(p.analysis_weeks)
        .bind(by)
        .bind(ts(now))
        .fetch_one(c)
        .await?
    });
    put_tiers(tx, id, p).await?;
    Ok(id)
}

/// Changes a draft or rejected plan; false when it is in another state.
pub async fn update(tx: &mut Tx, id: i64, p: &Plan, now: DateTime<Utc>) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update events set store_id = $1, theme = $2, kind = $3, starts_at = $4, ends_at = $5, \
             place = $6, content = $7, segment = $8, segment_min_spend_fen = $9, \
             segment_window_days = $10, capacity = $11, budget_fen = $12, points = $13, \
             analysis_weeks = $14, updated_at = $15 \
             where id = $16 and state in ('draft', 'rejected')",
        )
        .bind(p.store_id)
        .bind(&p.theme)
        .bind(&p.kind)
        .bind(ts(p.starts_at))
        .bind(ts(p.ends_at))
        .bind(&p.place)
        .bind(&p.content)
        .bind(&p.segment)
        .bind(p.segment_min_spend_fen)
        .bind(p.segment_window_days)
        .bind(p.capacity)
        .bind(p.budget_fen)
        .bind(p.points)
        .bind(p.analysis_weeks)
        .bind(ts(now))
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    if n == 1 {
        put_tiers(tx, id, p).await?;
    }
    Ok(n == 1)
}

pub async fn set_pending(
    tx: &mut Tx,
    id: i64,
    approval_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update events set state = 'pending', approval_id = $1, updated_at = $2 \
             where id = $3 and state in ('draft', 'rejected')",
        )
        .bind(approval_id)
        .bind(ts(now))
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

pub async fn set_decided(
    tx: &mut Tx,
    id: i64,
    approval_id: i64,
    to: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update events set state = $1, updated_at = $2 \
             where id = $3 and approval_id = $4 and state = 'pending'",
        )
        .bind(to)
        .bind(ts(now))
        .bind(id)
        .bind(approval_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

pub async fn set_closed(
    tx: &mut Tx,
    id: i64,
    actual_cost: Option<i64>,
    analysis: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update events set state = 'closed', actual_cost_fen = $1, analysis = $2, \
             closed_at = $3, updated_at = $3 where id = $4 and state = 'approved'",
        )
        .bind(actual_cost)
        .bind(analysis)
        .bind(ts(now))
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// (tier code, opening time) of an event.
pub async fn tiers(db: &Db, id: i64) -> Result<Vec<(String, DateTime<Utc>)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select et.tier_code, et.opens_at from event_tiers et join tiers t on t.code = et.tier_code \
             where et.event_id = $1 order by t.rank desc",
        )
        .bind(id)
        .fetch_all(p)
        .await?
    }))
}

/// Invitations queued for an event (outbox rows under its dedupe prefix).
pub async fn record_invited(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<i64, DbError> {
    let prefix = format!("event:{id}:%");
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from outbox where kind = 'event_invite' and dedupe_key like $1",
        )
        .bind(&prefix)
        .fetch_one(&mut *c)
        .await?
    });
    on_tx!(tx, |c| {
        sqlx::query("update events set invited_count = $1, invited_at = $2 where id = $3")
            .bind(n)
            .bind(ts(now))
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n)
}

/// (member id, status) of the invitations of an event.
pub async fn invitations(db: &Db, id: i64) -> Result<Vec<(i64, String)>, DbError> {
    let prefix = format!("event:{id}:%");
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select member_id, status from outbox where kind = 'event_invite' and dedupe_key like $1 \
             and member_id is not null order by member_id",
        )
        .bind(&prefix)
        .fetch_all(p)
        .await?
    }))
}
