//! Who an event is for: active members in its tiers and segment, with their tier's opening
//! time.

use chrono::{DateTime, Datelike, Duration, Utc};

use super::EventRow;
use crate::kernel::db::{Db, DbError, Exec, ts};
use crate::{on_db, on_exec};

/// A target member with their tier's opening time and how to reach them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Target {
    pub member_id: i64,
    pub opens_at: DateTime<Utc>,
    pub has_phone: i64,
    pub has_email: i64,
}

/// Members in the event's target: active, in one of its tiers, and in its segment (birthday in
/// the event's month, or at least the minimum spend in the last N days).
const TARGET: &str = "select m.id as member_id, et.opens_at, \
    cast(case when m.phone_enc is null then 0 else 1 end as bigint) as has_phone, \
    cast(case when m.email is null or m.email = '' then 0 else 1 end as bigint) as has_email \
    from members m \
    join event_tiers et on et.event_id = $1 and et.tier_code = m.tier_code \
    join events e on e.id = et.event_id \
    where m.status = 'active' \
    and (e.segment <> 'birthday_month' or substr(m.birth_md, 1, 2) = $2) \
    and (e.segment <> 'min_spend' or (select coalesce(sum(r.total_fen), 0) from receipts r \
         where r.member_id = m.id and r.occurred_at >= $3) >= e.segment_min_spend_fen)";

fn since(ev: &EventRow, now: DateTime<Utc>) -> DateTime<Utc> {
    ts(now - Duration::days(ev.segment_window_days))
}

pub async fn targets(
    db: &Db,
    ev: &EventRow,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Vec<Target>, DbError> {
    let sql = format!("{TARGET} order by m.id");
    let month = month_of(ev.starts_at, tz);
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(ev.id)
            .bind(&month)
            .bind(since(ev, now))
            .fetch_all(p)
            .await?
    }))
}

/// The member's opening time if the event is for them, read from the pool or inside a write.
pub async fn opens_for(
    ex: impl Into<Exec<'_>>,
    ev: &EventRow,
    member_id: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let sql = format!("{TARGET} and m.id = $4");
    let month = month_of(ev.starts_at, tz);
    let t: Option<Target> = on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(ev.id)
            .bind(&month)
            .bind(since(ev, now))
            .bind(member_id)
            .fetch_optional(c)
            .await?
    });
    Ok(t.map(|t| t.opens_at))
}

/// The month (`01`–`12`) of a time in the business time zone, for the birthday segment.
pub fn month_of(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    format!("{:02}", t.with_timezone(&tz).month())
}
