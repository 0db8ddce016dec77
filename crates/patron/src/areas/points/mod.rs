//! The points ledger (SPEC C1–C9) and tiers (B7): receipts accrued once per store and receipt
//! number, returns that take back exactly the returned lines' points, redemptions that spend
//! the oldest lots first, adjustments with approval, expiry.
//!
//! Every change of a balance is a `point_entries` row written in the same transaction as the
//! member's balance and the lots (`point_lots`) it touches; `patron check` recomputes them.

pub mod adjust;
pub mod check;
pub mod error;
pub mod expiry;
pub mod import;
pub mod jobs;
pub mod ledger;
pub mod messages;
pub mod pages;
pub mod receipts;
pub mod returns;
pub mod review;
pub mod settings;
pub mod spend;
pub mod standing;
pub mod store;
pub mod tiles;

pub use error::PointsError;

use serde::Serialize;

use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::{Actor, Ctx};
use crate::kernel::db::DbError;
use crate::kernel::validation::Invalid;

/// Maps a unique violation on an idempotency key to `AlreadyRecorded`.
pub(crate) fn on_duplicate(e: sqlx::Error) -> PointsError {
    let e = DbError::from(e);
    if e.is_unique_violation() {
        PointsError::AlreadyRecorded
    } else {
        PointsError::Db(e)
    }
}

/// Whether an idempotent write did something or answered a repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Created,
    Replayed,
}

/// The store a request names, checked against a till key's own store (403 otherwise).
pub(crate) async fn store_for(ctx: &Ctx, store_code: &str) -> Result<StoreInfo, PointsError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let store = stores
        .by_code(store_code)
        .filter(|s| s.active)
        .cloned()
        .ok_or_else(|| Invalid::one("store_code", "invalid.store_code"))?;
    if let Actor::Till { store_id, .. } = &ctx.actor
        && *store_id != store.id
    {
        return Err(PointsError::WrongStore);
    }
    Ok(store)
}

/// As `store_for`, collecting a bad store code with the request's other field errors.
pub(crate) async fn store_or(
    ctx: &Ctx,
    store_code: &str,
    bad: &mut Invalid,
) -> Result<Option<StoreInfo>, PointsError> {
    match store_for(ctx, store_code).await {
        Ok(s) => Ok(Some(s)),
        Err(PointsError::Invalid(i)) => {
            bad.0.extend(i.0);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The till id and staff id an entry records, from the actor.
pub(crate) fn who(ctx: &Ctx) -> (Option<String>, Option<i64>) {
    match &ctx.actor {
        Actor::Till { till_id, .. } => (Some(till_id.clone()), None),
        Actor::Staff(s) | Actor::Token { staff: s, .. } => (None, Some(s.id)),
        Actor::Cli { .. } | Actor::System => (None, None),
    }
}

/// A sha256 over a request's meaningful content, to tell a repeat from a conflict.
pub(crate) fn body_hash(value: &impl Serialize) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(value).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}
