//! Console (and later portal) sessions, stored in the database.
//!
//! The cookie carries a random id; the table holds only its keyed hash. A session ends after
//! `session.idle_timeout_minutes` without a request or `session.absolute_timeout_hours` after
//! login, both measured with the application's `Clock`.

use chrono::Duration;

use crate::auth::store::sessions as store;
pub use crate::auth::store::sessions::Session;
use crate::kernel::ctx::App;
use crate::kernel::db::DbError;
use crate::kernel::secret;

/// The console's session cookie.
pub const COOKIE: &str = "patron_session";

/// `seen_at` is refreshed at most this often, so reading pages does not mean writing rows.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// What a request's cookie turned out to be.
#[derive(Debug)]
pub enum Lookup {
    Valid(Session),
    /// The session existed but timed out (it is now deleted): the login page says so.
    Expired,
    Missing,
}

pub fn stored_id(app: &App, cookie: &str) -> String {
    secret::keyed_digest(&app.secrets.session_key, cookie)
}

/// Starts a session for a subject; returns the cookie value.
pub async fn create(app: &App, subject_kind: &str, subject_id: i64) -> Result<String, DbError> {
    let cookie = secret::new_secret("s");
    let id = stored_id(app, &cookie);
    let csrf = secret::new_secret("c");
    let now = app.clock.now();
    let kind = subject_kind.to_string();
    app.db
        .write(move |tx| {
            let (id, kind, csrf) = (id.clone(), kind.clone(), csrf.clone());
            Box::pin(async move { store::insert(tx, &id, &kind, subject_id, &csrf, now).await })
        })
        .await?;
    Ok(cookie)
}

/// Finds the session a cookie names, ending it if it has timed out.
pub async fn lookup(app: &App, subject_kind: &str, cookie: &str) -> Result<Lookup, DbError> {
    let id = stored_id(app, cookie);
    let Some(session) = store::find(&app.db, &id, subject_kind).await? else {
        return Ok(Lookup::Missing);
    };
    let now = app.clock.now();
    let cfg = &app.config.session;
    let idle = Duration::minutes(i64::from(cfg.idle_timeout_minutes));
    let absolute = Duration::hours(i64::from(cfg.absolute_timeout_hours));
    if now - session.seen_at > idle || now - session.created_at > absolute {
        delete_by_id(app, id).await?;
        return Ok(Lookup::Expired);
    }
    if (now - session.seen_at).num_seconds() >= TOUCH_EVERY_SECONDS {
        app.db
            .write(move |tx| {
                let id = id.clone();
                Box::pin(async move { store::touch(tx, &id, now).await })
            })
            .await?;
    }
    Ok(Lookup::Valid(session))
}

/// Ends the session a cookie names.
pub async fn delete(app: &App, cookie: &str) -> Result<(), DbError> {
    delete_by_id(app, stored_id(app, cookie)).await
}

async fn delete_by_id(app: &App, id: String) -> Result<(), DbError> {
    app.db
        .write(move |tx| {
            let id = id.clone();
            Box::pin(async move { store::delete(tx, &id).await })
        })
        .await
}

/// Ends every session of a subject except, optionally, one (inside a write).
pub async fn delete_all_for(
    tx: &mut crate::kernel::db::Tx,
    subject_kind: &str,
    subject_id: i64,
    except_id: Option<&str>,
) -> Result<(), DbError> {
    store::delete_all_for(tx, subject_kind, subject_id, except_id.unwrap_or("")).await
}

/// Deletes sessions idle past the timeout (they are refused anyway; this keeps the table small).
pub async fn sweep_idle(app: &App) -> Result<(), DbError> {
    let idle = Duration::minutes(i64::from(app.config.session.idle_timeout_minutes));
    let cutoff = app.clock.now() - idle;
    app.db
        .write(move |tx| Box::pin(async move { store::delete_seen_before(tx, cutoff).await }))
        .await
}
