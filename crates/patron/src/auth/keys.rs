//! Checking a presented bearer key: till keys (`ptk_…`, one store + till id each) and API tokens
//! for scripts (`pat_…`, acting with their owner's roles). Issuing, listing and revoking them is
//! a staff-area use case (`areas/staff/keys.rs`).

use chrono::{DateTime, Duration, Utc};

use crate::auth::store::keys::{self as key_store, KeyKind};
use crate::kernel::ctx::{Actor, App};
use crate::kernel::db::DbError;
use crate::kernel::secret;

/// Prefix of till keys.
pub const TILL_PREFIX: &str = "ptk";
/// Prefix of API tokens.
pub const TOKEN_PREFIX: &str = "pat";

/// `last_used_at` is refreshed at most this often, so authenticating is not a write per request.
const USE_RECORDED_EVERY_MINUTES: i64 = 60;

/// Records that a key was used, if the last record is older than the interval.
async fn record_use(
    app: &App,
    kind: KeyKind,
    id: i64,
    last: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    let now = app.clock.now();
    if last.is_some_and(|t| now - t < Duration::minutes(USE_RECORDED_EVERY_MINUTES)) {
        return Ok(());
    }
    app.db
        .write(move |tx| Box::pin(async move { key_store::record_use(tx, kind, id, now).await }))
        .await
}

/// The actor a bearer key stands for, if it is a live key.
pub async fn authenticate(app: &App, bearer: &str) -> Result<Option<Actor>, DbError> {
    let hash = secret::digest(bearer);
    if bearer.starts_with(&format!("{TILL_PREFIX}_")) {
        let Some(k) = key_store::live_till_key(&app.db, &hash).await? else {
            return Ok(None);
        };
        record_use(app, KeyKind::Till, k.id, k.last_used_at).await?;
        return Ok(Some(Actor::Till {
            key_id: k.id,
            store_id: k.store_id,
            till_id: k.till_id,
        }));
    }
    if bearer.starts_with(&format!("{TOKEN_PREFIX}_")) {
        let Some(token) = key_store::live_token(&app.db, &hash).await? else {
            return Ok(None);
        };
        if token.expires_at.is_some_and(|t| t <= app.clock.now()) {
            return Ok(None);
        }
        let Some((staff, row)) = crate::auth::store::load_actor(&app.db, token.staff_id).await?
        else {
            return Ok(None);
        };
        if row.disabled {
            return Ok(None);
        }
        record_use(app, KeyKind::Token, token.id, token.last_used_at).await?;
        return Ok(Some(Actor::Token {
            token_id: token.id,
            staff,
        }));
    }
    Ok(None)
}
