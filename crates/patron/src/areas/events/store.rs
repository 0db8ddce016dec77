//! SQL of member events. The sign-up counter moves only by guarded updates; a sign-up row is
//! unique per (event, member); a check-in is a guarded update of that row.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::Plan;
use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

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

const COLUMNS: &str = "id, store_id, theme, kind, starts_at, ends_at, place, content, segment, \
    segment_min_spend_fen, segment_window_days, capacity, signed_up, budget_fen, actual_cost_fen, \
    points, analysis_weeks, state, approval_id, invited_count, invited_at, analysis, closed_at, \
    created_by, created_at, updated_at";

pub async fn get(db: &Db, id: i64) -> Result<Option<EventRow>, DbError> {
    let sql = format!("select {COLUMNS} from events where id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<EventRow>, DbError> {
    let sql = format!("select {COLUMNS} from events where id = $1");
    Ok(on_tx!(tx, |c| {
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

pub async fn state_in(tx: &mut Tx, id: i64) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("select state from events where id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn points_of_in(tx: &mut Tx, id: i64) -> Result<i64, DbError> {
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
    let month = super::month_of(ev.starts_at, tz);
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(ev.id)
            .bind(&month)
            .bind(since(ev, now))
            .fetch_all(p)
            .await?
    }))
}

/// The member's opening time if the event is for them.
pub async fn opens_for(
    db: &Db,
    ev: &EventRow,
    member_id: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let sql = format!("{TARGET} and m.id = $4");
    let month = super::month_of(ev.starts_at, tz);
    let t: Option<Target> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(ev.id)
            .bind(&month)
            .bind(since(ev, now))
            .bind(member_id)
            .fetch_optional(p)
            .await?
    });
    Ok(t.map(|t| t.opens_at))
}

pub async fn opens_for_in(
    tx: &mut Tx,
    ev: &EventRow,
    member_id: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let sql = format!("{TARGET} and m.id = $4");
    let month = super::month_of(ev.starts_at, tz);
    let t: Option<Target> = on_tx!(tx, |c| {
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

/// Takes the (event, member) row, or revives a cancelled one; false when already signed up.
pub async fn take_signup(
    tx: &mut Tx,
    id: i64,
    member_id: i64,
    channel: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into event_signups (event_id, member_id, status, channel, signed_at, staff_id) \
             values ($1, $2, 'signed', $3, $4, $5) \
             on conflict (event_id, member_id) do update set status = 'signed', \
             channel = excluded.channel, signed_at = excluded.signed_at, cancelled_at = null, \
             staff_id = excluded.staff_id where event_signups.status = 'cancelled'",
        )
        .bind(id)
        .bind(member_id)
        .bind(channel)
        .bind(ts(now))
        .bind(by)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// One more place taken, if there is one left: the new count, or none when full.
pub async fn bump(tx: &mut Tx, id: i64) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "update events set signed_up = signed_up + 1 \
             where id = $1 and state = 'approved' and signed_up < capacity returning signed_up",
        )
        .bind(id)
        .fetch_optional(c)
        .await?
    }))
}

/// Cancels a sign-up not checked in and frees its place; false when there was none.
pub async fn cancel_signup(
    tx: &mut Tx,
    id: i64,
    member_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update event_signups set status = 'cancelled', cancelled_at = $1 \
             where event_id = $2 and member_id = $3 and status = 'signed' and checked_in_at is null",
        )
        .bind(ts(now))
        .bind(id)
        .bind(member_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    if n == 1 {
        on_tx!(tx, |c| {
            sqlx::query(
                "update events set signed_up = signed_up - 1 where id = $1 and signed_up > 0",
            )
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
    }
    Ok(n == 1)
}

/// Checks a signed-up member in, once; false when not signed up or already in.
pub async fn check_in(
    tx: &mut Tx,
    id: i64,
    member_id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
    points: i64,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update event_signups set checked_in_at = $1, checkin_staff_id = $2, \
             points_awarded = $3 where event_id = $4 and member_id = $5 and status = 'signed' \
             and checked_in_at is null",
        )
        .bind(ts(now))
        .bind(by)
        .bind(points)
        .bind(id)
        .bind(member_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// (status, checked in) of a member's row.
pub async fn signup_status_in(
    tx: &mut Tx,
    id: i64,
    member_id: i64,
) -> Result<Option<(String, bool)>, DbError> {
    let r: Option<(String, Option<DateTime<Utc>>)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "select status, checked_in_at from event_signups where event_id = $1 and member_id = $2",
        )
        .bind(id)
        .bind(member_id)
        .fetch_optional(c)
        .await?
    });
    Ok(r.map(|(s, t)| (s, t.is_some())))
}

pub async fn signup_status(
    db: &Db,
    id: i64,
    member_id: i64,
) -> Result<Option<(String, bool)>, DbError> {
    let r: Option<(String, Option<DateTime<Utc>>)> = on_db!(db, |p| {
        sqlx::query_as(
            "select status, checked_in_at from event_signups where event_id = $1 and member_id = $2",
        )
        .bind(id)
        .bind(member_id)
        .fetch_optional(p)
        .await?
    });
    Ok(r.map(|(s, t)| (s, t.is_some())))
}

pub async fn attendees_in(tx: &mut Tx, id: i64) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from event_signups \
             where event_id = $1 and checked_in_at is not null",
        )
        .bind(id)
        .fetch_one(c)
        .await?
    }))
}

/// One sign-up as the event page and the sheet list it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SignupRow {
    pub member_id: i64,
    pub name: String,
    pub card_no: Option<String>,
    pub phone_masked: Option<String>,
    pub tier_code: String,
    pub status: String,
    pub channel: String,
    pub signed_at: DateTime<Utc>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub points_awarded: i64,
}

pub async fn signups(db: &Db, id: i64) -> Result<Vec<SignupRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.member_id, m.name, \
             (select c.card_no from cards c where c.member_id = m.id \
              order by c.issued_on desc, c.card_no desc limit 1) as card_no, \
             m.phone_masked, m.tier_code, s.status, s.channel, s.signed_at, s.checked_in_at, \
             s.points_awarded from event_signups s join members m on m.id = s.member_id \
             where s.event_id = $1 order by s.signed_at, s.id",
        )
        .bind(id)
        .fetch_all(p)
        .await?
    }))
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

pub async fn figures(db: &Db, ev: &EventRow) -> Result<Figures, DbError> {
    let [a, b, c2, d] = super::windows(ev);
    Ok(on_db!(db, |p| {
        sqlx::query_as(FIGURES)
            .bind(ev.id)
            .bind(ts(a))
            .bind(ts(b))
            .bind(ts(c2))
            .bind(ts(d))
            .fetch_one(p)
            .await?
    }))
}

pub async fn figures_in(tx: &mut Tx, ev: &EventRow) -> Result<Figures, DbError> {
    let [a, b, c2, d] = super::windows(ev);
    Ok(on_tx!(tx, |c| {
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
