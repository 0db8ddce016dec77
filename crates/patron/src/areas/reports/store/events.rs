//! SQL of the member events report (M4) and of the invitation form on a segment's page. Reads,
//! read-only: `events` (the approved and closed events: store, theme, start, capacity; the
//! approved ones still to start) and `event_signups` (sign-ups, cancellations, check-ins and the
//! event points credited at check-in).

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, ts};
use crate::on_db;

/// An event held (approved or closed) with its sign-up figures.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub store_id: i64,
    pub theme: String,
    pub starts_at: DateTime<Utc>,
    pub capacity: i64,
    pub signups: i64,
    pub cancelled: i64,
    pub attendees: i64,
    pub points: i64,
}

/// The events held that start in `[from, until)`, by start.
pub async fn held(
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<EventRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select e.id, e.store_id, e.theme, e.starts_at, cast(e.capacity as bigint) as capacity, \
             cast(coalesce(sum(case when s.status = 'signed' then 1 else 0 end), 0) as bigint) \
             as signups, \
             cast(coalesce(sum(case when s.status = 'cancelled' then 1 else 0 end), 0) as bigint) \
             as cancelled, \
             cast(coalesce(sum(case when s.checked_in_at is not null then 1 else 0 end), 0) \
             as bigint) as attendees, \
             cast(coalesce(sum(s.points_awarded), 0) as bigint) as points \
             from events e left join event_signups s on s.event_id = e.id \
             where e.state in ('approved', 'closed') and e.starts_at >= $1 and e.starts_at < $2 \
             group by e.id, e.store_id, e.theme, e.starts_at, e.capacity \
             order by e.starts_at, e.id",
        )
        .bind(ts(from))
        .bind(ts(until))
        .fetch_all(p)
        .await?
    }))
}

/// An approved event still to start, as the invitation form offers it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UpcomingRow {
    pub id: i64,
    pub store_id: i64,
    pub theme: String,
    pub starts_at: DateTime<Utc>,
}

/// The approved events starting after `now`, soonest first.
pub async fn upcoming(db: &Db, now: DateTime<Utc>) -> Result<Vec<UpcomingRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, store_id, theme, starts_at from events \
             where state = 'approved' and starts_at > $1 order by starts_at, id",
        )
        .bind(ts(now))
        .fetch_all(p)
        .await?
    }))
}
