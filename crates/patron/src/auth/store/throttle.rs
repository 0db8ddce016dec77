//! SQL of the login throttle (`login_throttle`): attempts counted before a password is checked.

use chrono::{DateTime, Utc};

use crate::kernel::db::{DbError, Tx};
use crate::on_tx;

/// One thing counted: a realm (`staff`, `member`) and a subject (`id:17@127.0.0.1`, …).
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a> {
    pub realm: &'a str,
    pub subject: &'a str,
}

/// Counts one more attempt against `who` unless it must wait (`next_at` after `now`) or would
/// pass `limit` attempts in the current window; a window ended by `now` starts again at one
/// attempt and ends at `window_end`. Returns the attempts counted in the window, or `None` when
/// the attempt is refused (nothing counted). The update takes the row's lock, so concurrent
/// attempts — on any instance sharing the database — are counted one after another.
pub async fn reserve(
    tx: &mut Tx,
    who: Counted<'_>,
    now: DateTime<Utc>,
    window_end: DateTime<Utc>,
    limit: Option<i64>,
) -> Result<Option<i64>, DbError> {
    let (realm, subject) = (who.realm, who.subject);
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into login_throttle (realm, subject, failures, window_until, next_at) \
             values ($1, $2, 0, $3, $4) on conflict (realm, subject) do nothing",
        )
        .bind(realm)
        .bind(subject)
        .bind(window_end)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "update login_throttle set \
             failures = case when window_until <= $3 then 1 else failures + 1 end, \
             window_until = case when window_until <= $3 then $4 else window_until end \
             where realm = $1 and subject = $2 and next_at <= $3 \
             and (case when window_until <= $3 then 1 else failures + 1 end) <= $5 \
             returning failures",
        )
        .bind(realm)
        .bind(subject)
        .bind(now)
        .bind(window_end)
        .bind(limit.unwrap_or(i64::MAX))
        .fetch_optional(c)
        .await?
    }))
}

/// Until when an attempt against `who` is refused: the later of its wait and, when `limit`
/// attempts are counted, its window's end.
pub async fn refused_until(
    tx: &mut Tx,
    who: Counted<'_>,
    limit: Option<i64>,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let (realm, subject) = (who.realm, who.subject);
    let row: Option<(i64, DateTime<Utc>, DateTime<Utc>)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "select failures, window_until, next_at from login_throttle \
             where realm = $1 and subject = $2",
        )
        .bind(realm)
        .bind(subject)
        .fetch_optional(c)
        .await?
    });
    Ok(row.map(|(failures, window_until, next_at)| {
        if limit.is_some_and(|l| failures >= l) {
            window_until.max(next_at)
        } else {
            next_at
        }
    }))
}

/// The next attempt against `who` waits until `next_at`.
pub async fn wait_until(
    tx: &mut Tx,
    who: Counted<'_>,
    next_at: DateTime<Utc>,
) -> Result<(), DbError> {
    let (realm, subject) = (who.realm, who.subject);
    on_tx!(tx, |c| {
        sqlx::query("update login_throttle set next_at = $3 where realm = $1 and subject = $2")
            .bind(realm)
            .bind(subject)
            .bind(next_at)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Forgets these subjects' attempts (a good password: the account's and its own address's).
pub async fn clear(tx: &mut Tx, realm: &str, subjects: &[&str]) -> Result<(), DbError> {
    for subject in subjects {
        let (realm, subject) = (realm.to_string(), (*subject).to_string());
        on_tx!(tx, |c| {
            sqlx::query("delete from login_throttle where realm = $1 and subject = $2")
                .bind(realm)
                .bind(subject)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Forgets the attempts of an account (`id:17`) from every address, when an administrator
/// unlocks it.
pub async fn clear_account(tx: &mut Tx, realm: &str, account: &str) -> Result<(), DbError> {
    let at_any = format!("{account}@%");
    let (realm, account) = (realm.to_string(), account.to_string());
    on_tx!(tx, |c| {
        sqlx::query(
            "delete from login_throttle where realm = $1 and (subject = $2 or subject like $3)",
        )
        .bind(realm)
        .bind(account)
        .bind(at_any)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Deletes rows whose window and wait are both over (nothing they count still matters).
pub async fn sweep(tx: &mut Tx, now: DateTime<Utc>) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query("delete from login_throttle where window_until <= $1 and next_at <= $1")
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?)
}
