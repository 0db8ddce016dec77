//! The login throttle, for the staff console and the member portal alike: every attempt is
//! counted in the database *before* its password is checked, in one write with three counts:
//!
//! - the account from this address: at most `max_failures` checks per lock window, however many
//!   arrive at once and on however many instances share the database;
//! - the account from every address: after `max_failures` the next check waits 1 s, 2 s, 4 s …
//!   (never more than the window), so a stranger's five tries slow an account down but cannot
//!   lock its owner out at their own desk;
//! - the address against every account: the same progressive wait after four times as many.
//!
//! Unknown names are counted exactly as known ones (under a keyed digest of what was typed), so
//! the answers never tell whether an account exists. A good password clears the account's counts.

use chrono::{DateTime, Duration, Utc};
use patron_core::password::LockoutPolicy;

use super::store::throttle::{self as store, Counted};
use crate::kernel::db::{Db, DbError, Tx, WriteError, ts};

/// How many times `max_failures` an address may fail (across accounts) before it waits.
const ADDRESS_FACTOR: u32 = 4;

/// Who is trying to sign in, as the throttle counts them.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// `staff` or `member`.
    pub realm: &'static str,
    /// `id:17` for a known account, else a keyed digest of the typed name (`name:…`).
    pub account: String,
    /// The client's address (see `web::extract::ClientAddr`).
    pub addr: String,
    pub policy: LockoutPolicy,
}

/// What counting an attempt decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password; `last` when this is the last check the window allows from here (a
    /// wrong password now answers "locked").
    Check { last: bool },
    /// Do not check: try again at this time.
    Refused { until: DateTime<Utc> },
}

/// Why counting failed.
#[derive(Debug, thiserror::Error)]
enum ThrottleError {
    #[error("refused until {0}")]
    Refused(DateTime<Utc>),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl WriteError for ThrottleError {
    fn is_retryable(&self) -> bool {
        matches!(self, ThrottleError::Db(e) if e.is_retryable())
    }
}

impl Attempt {
    fn here(&self) -> String {
        format!("{}@{}", self.account, self.addr)
    }

    fn address(&self) -> String {
        format!("addr:{}", self.addr)
    }
}

/// Counts an attempt; decides whether its password may be checked. Nothing is counted when it
/// is refused.
pub async fn begin(db: &Db, attempt: &Attempt, now: DateTime<Utc>) -> Result<Verdict, DbError> {
    if attempt.policy.max_failures == 0 {
        return Ok(Verdict::Check { last: false });
    }
    let a = attempt.clone();
    let result = db
        .write(move |tx| {
            let a = a.clone();
            Box::pin(async move { count(tx, &a, now).await })
        })
        .await;
    match result {
        Ok(last) => Ok(Verdict::Check { last }),
        Err(ThrottleError::Refused(until)) => Ok(Verdict::Refused { until }),
        Err(ThrottleError::Db(e)) => Err(e),
    }
}

/// Inside the write: the three counts, all or none.
async fn count(tx: &mut Tx, a: &Attempt, now: DateTime<Utc>) -> Result<bool, ThrottleError> {
    let now = ts(now);
    let window_end = now + Duration::seconds(a.policy.window_secs());
    let max = i64::from(a.policy.max_failures);
    let here = a.here();
    let here = Counted {
        realm: a.realm,
        subject: &here,
    };
    let Some(from_here) = store::reserve(tx, here, now, window_end, Some(max)).await? else {
        return Err(refused(tx, here, Some(max), now).await?);
    };
    let account = Counted {
        realm: a.realm,
        subject: &a.account,
    };
    progressive(tx, account, &a.policy, now, window_end).await?;
    let address = a.address();
    let address = Counted {
        realm: a.realm,
        subject: &address,
    };
    let wide = LockoutPolicy {
        max_failures: a.policy.max_failures.saturating_mul(ADDRESS_FACTOR),
        ..a.policy
    };
    progressive(tx, address, &wide, now, window_end).await?;
    Ok(from_here >= max)
}

/// Counts an attempt that waits progressively; refused while it must wait.
async fn progressive(
    tx: &mut Tx,
    who: Counted<'_>,
    policy: &LockoutPolicy,
    now: DateTime<Utc>,
    window_end: DateTime<Utc>,
) -> Result<(), ThrottleError> {
    let Some(n) = store::reserve(tx, who, now, window_end, None).await? else {
        return Err(refused(tx, who, None, now).await?);
    };
    let wait = policy.delay_after(u32::try_from(n).unwrap_or(u32::MAX));
    if wait > 0 {
        store::wait_until(tx, who, now + Duration::seconds(wait)).await?;
    }
    Ok(())
}

async fn refused(
    tx: &mut Tx,
    who: Counted<'_>,
    limit: Option<i64>,
    now: DateTime<Utc>,
) -> Result<ThrottleError, DbError> {
    let until = store::refused_until(tx, who, limit).await?;
    Ok(ThrottleError::Refused(until.unwrap_or(now).max(now)))
}

/// A good password: the account's counts, overall and from this address, are forgotten (a
/// stranger's lock elsewhere stays).
pub async fn succeeded(tx: &mut Tx, attempt: &Attempt) -> Result<(), DbError> {
    store::clear(tx, attempt.realm, &[&attempt.account, &attempt.here()]).await
}

/// An administrator unlocks an account: its counts from every address are forgotten.
pub async fn unlock(tx: &mut Tx, realm: &str, account: &str) -> Result<(), DbError> {
    store::clear_account(tx, realm, account).await
}

/// The subject of a known account.
pub fn account_of(id: i64) -> String {
    format!("id:{id}")
}

/// Deletes the counts whose window and wait are over (run beside the session sweep).
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<u64, DbError> {
    db.write(move |tx| Box::pin(async move { store::sweep(tx, now).await }))
        .await
}
