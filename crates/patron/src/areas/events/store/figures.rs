//! The counted figures of an event's analysis: sign-ups, attendance, points, and attendees'
//! receipts before and after.

use chrono::{DateTime, Duration, Utc};

use super::EventRow;
use crate::kernel::db::{DbError, Exec, ts};
use crate::on_exec;

/// The counted figures of the analysis.
#[derive(Debug, Clone, Default, sqlx::FromRow, PartialEq, Eq)]
pub struct Figures {
    pub signups: i64,
    pub cancelled: i64,
    pub attendees: i64,
    pub points_awarded: i64,
    pub spend_before: i64,
    pub receipts_before: i64,
    pub spend_after: i64,
    pub receipts_after: i64,
}

const FIGURES: &str = "select \
    (select cast(count(*) as bigint) from event_signups where event_id = $1 and status = 'signed') as signups, \
    (select cast(count(*) as bigint) from event_signups where event_id = $1 and status = 'cancelled') as cancelled, \
    (select cast(count(*) as bigint) from event_signups where event_id = $1 and checked_in_at is not null) as attendees, \
    (select cast(coalesce(sum(points_awarded), 0) as bigint) from event_signups where event_id = $1) as points_awarded, \
    (select cast(coalesce(sum(r.total_fen), 0) as bigint) from receipts r join event_signups s \
       on s.member_id = r.member_id and s.event_id = $1 and s.checked_in_at is not null \
       where r.occurred_at >= $2 and r.occurred_at < $3) as spend_before, \
    (select cast(count(*) as bigint) from receipts r join event_signups s \
       on s.member_id = r.member_id and s.event_id = $1 and s.checked_in_at is not null \
       where r.occurred_at >= $2 and r.occurred_at < $3) as receipts_before, \
    (select cast(coalesce(sum(r.total_fen), 0) as bigint) from receipts r join event_signups s \
       on s.member_id = r.member_id and s.event_id = $1 and s.checked_in_at is not null \
       where r.occurred_at >= $4 and r.occurred_at < $5) as spend_after, \
    (select cast(count(*) as bigint) from receipts r join event_signups s \
       on s.member_id = r.member_id and s.event_id = $1 and s.checked_in_at is not null \
       where r.occurred_at >= $4 and r.occurred_at < $5) as receipts_after";

/// The windows of the spending comparison: N weeks before the start, N weeks after the end.
pub fn windows(ev: &EventRow) -> [DateTime<Utc>; 4] {
    let w = Duration::weeks(ev.analysis_weeks);
    [ev.starts_at - w, ev.starts_at, ev.ends_at, ev.ends_at + w]
}

/// The figures as they stand, read from the pool or inside a write.
pub async fn figures(ex: impl Into<Exec<'_>>, ev: &EventRow) -> Result<Figures, DbError> {
    let [a, b, c2, d] = windows(ev);
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(FIGURES)
            .bind(ev.id)
            .bind(ts(a))
            .bind(ts(b))
            .bind(ts(c2))
            .bind(ts(d))
            .fetch_one(c)
            .await?
    }))
}
