//! The member portal (SPEC B10): members log in with their card number or phone and password;
//! see their balance, history, expiring points, tier and what the next tier needs; change the
//! password (required at first login). Attempts are counted in the database before a password
//! is checked (`auth::throttle`).
//!
//! Self-service: `codes.rs` (first sign-in and a forgotten password by a one-time SMS code),
//! `consent.rs` (marketing by SMS and e-mail, L1), `rights.rs` (the member's own data as a file
//! and the request to close the account, B11), `slips.rs` (reward slips and thresholds, B10), `complaints.rs` (online complaints, I1).
//! The portal sits above the other areas: it reads their figures through their public functions,
//! and its store names the other areas' tables it reads.

pub mod codes;
pub mod complaints;
pub mod consent;
pub mod messages;
pub mod pages;
pub mod rights;
pub mod slips;
pub mod store;

use chrono::{DateTime, Utc};
use patron_core::identity::{CardNo, Phone};
use patron_core::password::LockoutPolicy;

use crate::auth::throttle::{self, Verdict};
use crate::auth::{password, sessions};
use crate::kernel::ctx::App;
use crate::kernel::db::{DbError, ts};
use store::Account;

pub const COOKIE: &str = "patron_member";

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("unknown card/phone or wrong password")]
    InvalidCredentials,
    #[error("locked until {until}")]
    Locked { until: DateTime<Utc> },
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
    #[error("not a mobile phone number")]
    BadPhone,
    #[error("wrong, used or expired code")]
    BadCode,
    #[error("too many requests; try again later")]
    TooMany,
    #[error("no such channel")]
    BadChannel,
    #[error(transparent)]
    Invalid(#[from] crate::kernel::validation::Invalid),
    #[error("not found")]
    NotFound,
    #[error("the request was handled already")]
    AlreadyHandled,
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Members(#[from] crate::areas::members::MembersError),
}

impl From<PortalError> for crate::web::error::AppError {
    fn from(e: PortalError) -> Self {
        use crate::kernel::error as codes;
        use crate::web::error::AppError;
        let detail = e.to_string();
        match e {
            PortalError::Invalid(i) => i.into(),
            PortalError::NotFound | PortalError::BadChannel => AppError::not_found(),
            PortalError::AlreadyHandled => AppError::new(codes::CONFLICT).detail(detail),
            PortalError::Forbidden(f) => f.into(),
            PortalError::TooMany => AppError::new(codes::RATE_LIMITED),
            PortalError::Db(d) => d.into(),
            PortalError::Members(m) => m.into(),
            other => AppError::internal(other),
        }
    }
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

/// What the throttle counts an attempt under: the member when the card or phone is theirs,
/// else a keyed digest of the normalised text (a phone's lookup hash), never the text itself.
fn counted_as(app: &App, login: &str, acc: Option<&Account>) -> String {
    if let Some(a) = acc {
        return crate::auth::throttle::account_of(a.id);
    }
    if let Ok(phone) = Phone::parse(login) {
        return format!("phone:{}", app.pii.lookup("phone", phone.as_str()));
    }
    let text = CardNo::parse(login).map_or_else(|_| login.to_string(), |c| c.as_str().to_string());
    format!(
        "name:{}",
        crate::kernel::secret::keyed_digest(&app.secrets.session_key, &text)
    )
}

/// Signs a member in with card number or phone and password from client address `addr`. The
/// attempt is counted in the database before the password is checked (`auth::throttle`, with
/// the portal's limits from the loyalty settings); an unknown card or phone is counted and
/// answered exactly as a known one.
pub async fn login(
    app: &App,
    login: &str,
    typed: &str,
    addr: &str,
) -> Result<SignedIn, PortalError> {
    let name = login.trim().to_ascii_uppercase();
    let loyalty = app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(&app.db)
        .await?;
    let now = app.clock.now();
    let acc = find(app, &name).await?;
    let attempt = throttle::Attempt {
        realm: "member",
        account: counted_as(app, &name, acc.as_ref()),
        addr: addr.to_string(),
        policy: LockoutPolicy {
            max_failures: u32::try_from(loyalty.settings.portal_max_failures).unwrap_or(0),
            lock_minutes: u32::try_from(loyalty.settings.portal_lock_minutes).unwrap_or(0),
        },
    };
    let last = match throttle::begin(&app.db, &attempt, now).await? {
        Verdict::Refused { until } => return Err(PortalError::Locked { until }),
        Verdict::Check { last } => last,
    };
    let hash = acc.as_ref().and_then(|a| a.portal_password_hash.clone());
    let ok = match &hash {
        Some(h) => password::verify(typed, h).await,
        None => {
            let _ = password::verify(typed, &password::dummy_hash().await).await;
            false
        }
    };
    let Some(acc) = acc.filter(|_| ok) else {
        return Err(if last {
            PortalError::Locked {
                until: ts(now + chrono::Duration::seconds(attempt.policy.window_secs())),
            }
        } else {
            PortalError::InvalidCredentials
        });
    };
    app.db
        .write(move |tx| {
            let attempt = attempt.clone();
            Box::pin(async move {
                throttle::succeeded(tx, &attempt).await?;
                Ok::<_, PortalError>(())
            })
        })
        .await?;
    let cookie = sessions::create(app, "member", acc.id).await?;
    Ok(SignedIn {
        member_id: acc.id,
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
