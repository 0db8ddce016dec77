//! Signing in and out: staff login with lockout, password changes, the session, language
//! choice, and checking the bearer keys of tills and scripts (`keys`; issuing them is the staff
//! area's).

pub mod keys;
pub mod password;
pub mod sessions;
pub mod store;
pub mod throttle;

use chrono::{DateTime, Duration, Utc};
use patron_core::password::{LockoutPolicy, PasswordProblem, check_new_password};

use crate::auth::store as staff_store;
use crate::auth::throttle::Verdict;
use crate::kernel::ctx::{App, Ctx, Forbidden};
use crate::kernel::db::{DbError, WriteError};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("wrong user name or password")]
    InvalidCredentials,
    #[error("the account is locked until {until}")]
    Locked { until: DateTime<Utc> },
    #[error("the account is disabled")]
    Disabled,
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    #[error("the two new passwords differ")]
    Mismatch,
    #[error(transparent)]
    WeakPassword(#[from] PasswordProblem),
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Hash(#[from] password::HashError),
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        DbError::from(e).into()
    }
}

impl WriteError for AuthError {
    fn is_retryable(&self) -> bool {
        matches!(self, AuthError::Db(e) if e.is_retryable())
    }
}

/// Who just signed in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub staff_id: i64,
    pub must_change_password: bool,
    pub session_cookie: String,
}

fn policy(app: &App) -> LockoutPolicy {
    LockoutPolicy {
        max_failures: app.config.login.max_failures,
        lock_minutes: app.config.login.lock_minutes,
    }
}

/// Checks a user name and password from client address `addr`; on success starts a session.
/// The attempt is counted (`throttle`) before the password is checked, and an unknown name is
/// counted and answered exactly as a known one.
pub async fn login(
    app: &App,
    username: &str,
    password_typed: &str,
    addr: &str,
    request_id: Option<String>,
) -> Result<SignedIn, AuthError> {
    let now = app.clock.now();
    // User names are stored in lower case: "Admin" and "admin " are one account, one count.
    let username = username.trim().to_lowercase();
    let account = staff_store::find_login(&app.db, &username).await?;
    let counted_as = match &account {
        Some(a) => throttle::account_of(a.id),
        None => format!(
            "name:{}",
            crate::kernel::secret::keyed_digest(&app.secrets.session_key, &username)
        ),
    };
    let attempt = throttle::Attempt {
        realm: "staff",
        account: counted_as,
        addr: addr.to_string(),
        policy: policy(app),
    };
    let last = match throttle::begin(&app.db, &attempt, now).await? {
        Verdict::Refused { until } => return Err(AuthError::Locked { until }),
        Verdict::Check { last } => last,
    };
    let lock_until = now + Duration::seconds(attempt.policy.window_secs());
    let wrong = if last {
        AuthError::Locked { until: lock_until }
    } else {
        AuthError::InvalidCredentials
    };
    let Some(account) = account else {
        // Spend the time a real check takes, so unknown names cannot be told apart.
        let _ = password::verify(password_typed, &password::dummy_hash().await).await;
        return Err(wrong);
    };
    let ok = password::verify(password_typed, &account.password_hash).await;
    let ctx = Ctx::new(
        app.clone(),
        crate::kernel::ctx::Actor::Staff(crate::kernel::ctx::StaffActor {
            id: account.id,
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            grants: Vec::new(),
        }),
        request_id,
    );
    if !ok {
        record_failure(app, &ctx, account.id, last.then_some(lock_until)).await?;
        return Err(wrong);
    }
    if account.disabled {
        return Err(AuthError::Disabled);
    }
    let id = account.id;
    let entry = ctx.audit("staff.login", "staff", id);
    app.db
        .write(move |tx| {
            let (entry, attempt) = (entry.clone(), attempt.clone());
            Box::pin(async move {
                throttle::succeeded(tx, &attempt).await?;
                tx.audit(entry);
                Ok::<_, AuthError>(())
            })
        })
        .await?;
    let session_cookie = sessions::create(app, "staff", id).await?;
    Ok(SignedIn {
        staff_id: id,
        must_change_password: account.must_change_password,
        session_cookie,
    })
}

/// Records a wrong password against account `id` in the audit log, and the lock when this was
/// the last check the window allowed.
async fn record_failure(
    app: &App,
    ctx: &Ctx,
    id: i64,
    locked_until: Option<DateTime<Utc>>,
) -> Result<(), AuthError> {
    let failed = ctx.audit("staff.login_failed", "staff", id);
    let locked_entry = ctx.audit("staff.locked", "staff", id);
    app.db
        .write(move |tx| {
            let (failed, locked_entry) = (failed.clone(), locked_entry.clone());
            Box::pin(async move {
                tx.audit(failed);
                if let Some(until) = locked_until {
                    tx.audit(locked_entry.after(&serde_json::json!({ "locked_until": until })));
                }
                Ok::<_, AuthError>(())
            })
        })
        .await
}

/// What a password change form sends.
#[derive(Debug, Clone)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

/// The signed-in staff member changes their own password; their other sessions end.
pub async fn change_password(
    ctx: &Ctx,
    change: &PasswordChange,
    keep_session_cookie: Option<&str>,
) -> Result<(), AuthError> {
    let Some(me) = ctx.actor.staff() else {
        return Err(AuthError::InvalidCredentials);
    };
    let Some(account) = staff_store::find_login(ctx.db(), &me.username).await? else {
        return Err(AuthError::InvalidCredentials);
    };
    if !password::verify(&change.current, &account.password_hash).await {
        return Err(AuthError::WrongCurrentPassword);
    }
    if change.new != change.confirm {
        return Err(AuthError::Mismatch);
    }
    check_new_password(&account.username, &change.current, &change.new)?;
    let new_hash = password::hash(&change.new).await?;
    let id = account.id;
    let now = ctx.now();
    let keep = keep_session_cookie
        .map(|c| crate::kernel::secret::keyed_digest(&ctx.app.secrets.session_key, c))
        .unwrap_or_default();
    let entry = ctx
        .audit("staff.password_changed", "staff", id)
        .after(&serde_json::json!({ "must_change_password": false }));
    ctx.db()
        .write(move |tx| {
            let (new_hash, keep, entry) = (new_hash.clone(), keep.clone(), entry.clone());
            Box::pin(async move {
                staff_store::set_own_password(tx, id, &new_hash, now).await?;
                sessions::delete_all_for(tx, "staff", id, Some(&keep)).await?;
                tx.audit(entry);
                Ok::<_, AuthError>(())
            })
        })
        .await
}

/// The signed-in staff member chooses the console language.
pub async fn set_language(ctx: &Ctx, lang: crate::kernel::lang::Lang) -> Result<(), AuthError> {
    let Some(me) = ctx.actor.staff() else {
        return Err(AuthError::InvalidCredentials);
    };
    let id = me.id;
    let code = lang.code();
    let entry = ctx
        .audit("staff.language", "staff", id)
        .after(&serde_json::json!({ "lang": code }));
    ctx.db()
        .write(move |tx| {
            let entry = entry.clone();
            Box::pin(async move {
                staff_store::set_lang(tx, id, code).await?;
                tx.audit(entry);
                Ok::<_, AuthError>(())
            })
        })
        .await
}

/// Ends a session (logout).
pub async fn logout(ctx: &Ctx, cookie: &str) -> Result<(), AuthError> {
    sessions::delete(&ctx.app, cookie).await?;
    if let Some(me) = ctx.actor.staff() {
        let entry = ctx.audit("staff.logout", "staff", me.id);
        ctx.db()
            .write(move |tx| {
                let entry = entry.clone();
                Box::pin(async move {
                    tx.audit(entry);
                    Ok::<_, AuthError>(())
                })
            })
            .await?;
    }
    Ok(())
}
