//! Sign-up and check-in rows: the unique (event, member) row, the guarded place counter, the
//! once-only check-in.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

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

/// (status, checked in) of a member's row, read from the pool or inside a write.
pub async fn signup_status(
    ex: impl Into<Exec<'_>>,
    id: i64,
    member_id: i64,
) -> Result<Option<(String, bool)>, DbError> {
    let r: Option<(String, Option<DateTime<Utc>>)> = on_exec!(ex.into(), |c| {
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

/// How many have checked in, inside a write.
pub async fn attendees(tx: &mut Tx, id: i64) -> Result<i64, DbError> {
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
