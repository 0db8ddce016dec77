//! The member portal (SPEC B10): members log in with their card number or phone and password;
//! see their balance, history, expiring points, tier and what the next tier needs; change the
//! password (required at first login). Attempts are rate-limited per login name and an account
//! locks after repeated failures.

pub mod pages;
pub mod store;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use patron_core::identity::{CardNo, Phone};

use crate::auth::{password, sessions};
use crate::kernel::ctx::App;
use crate::kernel::db::{DbError, ts};
use store::Account;

pub const COOKIE: &str = "patron_member";

/// Attempts per login name per minute before 429.
const ATTEMPTS_PER_MINUTE: u32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("unknown card/phone or wrong password")]
    InvalidCredentials,
    #[error("locked until {until}")]
    Locked { until: DateTime<Utc> },
    #[error("too many attempts")]
    RateLimited,
    #[error("the current password is wrong")]
    WrongCurrent,
    #[error("the two new passwords differ")]
    Mismatch,
    #[error("weak password: {0}")]
    Weak(&'static str),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Hash(String),
}

impl From<sqlx::Error> for PortalError {
    fn from(e: sqlx::Error) -> Self {
        PortalError::Db(e.into())
    }
}

impl crate::kernel::db::WriteError for PortalError {
    fn is_retryable(&self) -> bool {
        matches!(self, PortalError::Db(e) if e.is_retryable())
    }
}

/// Counts attempts per login name within a minute (this process's view; with several instances
/// each limits on its own, and the account lock in the database holds for all).
#[derive(Default)]
pub struct Limiter {
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    fn allow(&self, name: &str) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return true;
        };
        if seen.len() > 100_000 {
            seen.retain(|_, (t, _)| t.elapsed() < Duration::from_secs(60));
        }
        let entry = seen.entry(name.to_string()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= Duration::from_secs(60) {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
        entry.1 <= ATTEMPTS_PER_MINUTE
    }
}

static LIMITER: std::sync::LazyLock<Limiter> = std::sync::LazyLock::new(Limiter::default);

/// A member signed in.
pub struct SignedIn {
    pub member_id: i64,
    pub must_change: bool,
    pub cookie: String,
}

async fn find(app: &App, login: &str) -> Result<Option<Account>, DbError> {
    if let Ok(phone) = Phone::parse(login) {
        let hash = app.pii.lookup("phone", phone.as_str());
        return store::account_by_phone(&app.db, &hash).await;
    }
    let Ok(card) = CardNo::parse(login) else {
        return Ok(None);
    };
    store::account_by_card(&app.db, card.as_str()).await
}

pub async fn login(app: &App, login: &str, typed: &str) -> Result<SignedIn, PortalError> {
    let name = login.trim().to_ascii_uppercase();
    if !LIMITER.allow(&name) {
        return Err(PortalError::RateLimited);
    }
    let loyalty = app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(&app.db)
        .await?;
    let now = app.clock.now();
    let Some(acc) = find(app, &name).await? else {
        let _ = password::verify(typed, &password::dummy_hash().await).await;
        return Err(PortalError::InvalidCredentials);
    };
    if let Some(until) = acc.portal_locked_until
        && until > now
    {
        return Err(PortalError::Locked { until });
    }
    let ok = match &acc.portal_password_hash {
        Some(h) => password::verify(typed, h).await,
        None => {
            let _ = password::verify(typed, &password::dummy_hash().await).await;
            false
        }
    };
    let id = acc.id;
    if !ok {
        let max = loyalty.settings.portal_max_failures;
        let until = ts(now + chrono::Duration::minutes(loyalty.settings.portal_lock_minutes));
        let locked = app
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let failures = store::count_failure(tx, id).await?;
                    if max > 0 && failures >= max {
                        store::lock(tx, id, until).await?;
                        return Ok::<_, PortalError>(true);
                    }
                    Ok(false)
                })
            })
            .await?;
        return Err(if locked {
            PortalError::Locked { until }
        } else {
            PortalError::InvalidCredentials
        });
    }
    let now_ts = ts(now);
    app.db
        .write(move |tx| {
            Box::pin(async move {
                let n = store::clear_failures(tx, id, now_ts).await?;
                if n == 0 {
                    return Err(PortalError::Locked { until: now_ts });
                }
                Ok(())
            })
        })
        .await?;
    let _ = acc.portal_failed;
    let cookie = sessions::create(app, "member", id).await?;
    Ok(SignedIn {
        member_id: id,
        must_change: acc.portal_must_change,
        cookie,
    })
}

/// The member changes their own password (their other portal sessions end).
pub async fn change_password(
    app: &App,
    member_id: i64,
    current: &str,
    new: &str,
    confirm: &str,
    keep_cookie: &str,
) -> Result<(), PortalError> {
    let stored = store::password_hash(&app.db, member_id).await?;
    let Some(Some(hash)) = stored else {
        return Err(PortalError::WrongCurrent);
    };
    if !password::verify(current, &hash).await {
        return Err(PortalError::WrongCurrent);
    }
    if new != confirm {
        return Err(PortalError::Mismatch);
    }
    patron_core::password::check_new_password("", current, new)
        .map_err(|p| PortalError::Weak(p.message_key()))?;
    let new_hash = password::hash(new)
        .await
        .map_err(|e| PortalError::Hash(e.to_string()))?;
    let keep = sessions::stored_id(app, keep_cookie);
    app.db
        .write(move |tx| {
            let (new_hash, keep) = (new_hash.clone(), keep.clone());
            Box::pin(async move {
                // The member's other sessions end.
                sessions::delete_all_for(tx, "member", member_id, Some(&keep)).await?;
                store::set_password(tx, member_id, &new_hash).await?;
                Ok::<_, PortalError>(())
            })
        })
        .await
}
