//! Bearer keys as the staff area administers them: till keys (one store + till id each) and API
//! tokens for scripts (acting with their owner's roles). A key is shown once when issued and
//! stored only as a hash; revoking one stops it at the next request (`auth::keys` checks a
//! presented key).

use chrono::Duration;
use patron_core::Permission;

use super::StaffError;
use super::store::{self, keys as key_store};
use crate::auth::keys::{TILL_PREFIX, TOKEN_PREFIX};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::DbError;
use crate::kernel::secret;
use crate::kernel::validation::{Invalid, required_text};
pub use key_store::{KeyTable, TillKeyRow, TokenRow};

/// Till ids: 1–16 of A–Z, a–z, 0–9, `-`, `_`.
pub fn parse_till_id(input: &str) -> Result<String, &'static str> {
    let t = input.trim();
    let ok = (1..=16).contains(&t.len())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(t.to_string())
    } else {
        Err("invalid.till_id")
    }
}

fn live_key_exists(e: DbError) -> StaffError {
    if e.is_unique_violation() {
        StaffError::Duplicate { field: "till_id" }
    } else {
        StaffError::Db(e)
    }
}

/// Issues a key for a till; returns the row and the key (to show once).
pub async fn issue_till_key(
    ctx: &Ctx,
    store_id: i64,
    till_id: &str,
    label: &str,
) -> Result<(TillKeyRow, String), StaffError> {
    ctx.require(Permission::ManageTillKeys)?;
    let mut bad = Invalid::new();
    let till = bad.check("till_id", parse_till_id(till_id));
    let label = label.trim().chars().take(64).collect::<String>();
    if store::get_store(ctx.db(), store_id).await?.is_none() {
        bad.add("store_id", "invalid.store");
    }
    let (Some(till), true) = (till, bad.is_empty()) else {
        return Err(bad.into());
    };
    let key = secret::new_secret(TILL_PREFIX);
    let hash = secret::digest(&key);
    let prefix = secret::display_prefix(&key);
    let by = ctx.actor.audit_name();
    let now = ctx.now();
    let entry = ctx.audit("till_key.issue", "till_key", 0).store(store_id);
    let row = ctx
        .db()
        .write(move |tx| {
            let (till, label, hash, prefix, by, mut entry) = (
                till.clone(),
                label.clone(),
                hash.clone(),
                prefix.clone(),
                by.clone(),
                entry.clone(),
            );
            Box::pin(async move {
                let new = key_store::NewTillKey {
                    store_id,
                    till_id: &till,
                    label: &label,
                    key_prefix: &prefix,
                    key_hash: &hash,
                    created_by: &by,
                    created_at: now,
                };
                let id = key_store::insert_till_key(tx, &new)
                    .await
                    .map_err(live_key_exists)?;
                entry.entity_id = id.to_string();
                tx.audit(entry.after(&serde_json::json!({
                    "store_id": store_id, "till_id": till, "label": label, "key_prefix": prefix,
                })));
                Ok::<_, StaffError>(id)
            })
        })
        .await?;
    let row = key_store::till_key(ctx.db(), row)
        .await?
        .ok_or(StaffError::NotFound)?;
    Ok((row, key))
}

pub async fn list_till_keys(ctx: &Ctx) -> Result<Vec<TillKeyRow>, StaffError> {
    ctx.require(Permission::ManageTillKeys)?;
    Ok(key_store::list_till_keys(ctx.db()).await?)
}

/// Revokes a till key (idempotent: revoking a revoked key changes nothing).
pub async fn revoke_till_key(ctx: &Ctx, id: i64) -> Result<(), StaffError> {
    ctx.require(Permission::ManageTillKeys)?;
    revoke(ctx, KeyTable::TillKeys, "till_key", id).await
}

/// Issues an API token for a script, acting as staff member `staff_id`.
pub async fn issue_token(
    ctx: &Ctx,
    name: &str,
    staff_id: i64,
    valid_days: Option<i64>,
) -> Result<(i64, String), StaffError> {
    ctx.require(Permission::ManageApiTokens)?;
    let mut bad = Invalid::new();
    let name = bad.check("name", required_text(name, 64));
    if store::get_staff(ctx.db(), staff_id).await?.is_none() {
        bad.add("staff_id", "invalid.staff");
    }
    if valid_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        bad.add("valid_days", "invalid.valid_days");
    }
    let (Some(name), true) = (name, bad.is_empty()) else {
        return Err(bad.into());
    };
    let token = secret::new_secret(TOKEN_PREFIX);
    let hash = secret::digest(&token);
    let prefix = secret::display_prefix(&token);
    let by = ctx.actor.audit_name();
    let now = ctx.now();
    let expires = valid_days.map(|d| now + Duration::days(d));
    let entry = ctx.audit("api_token.issue", "api_token", 0);
    let id = ctx
        .db()
        .write(move |tx| {
            let (name, hash, prefix, by, mut entry) =
                (name.clone(), hash.clone(), prefix.clone(), by.clone(), entry.clone());
            Box::pin(async move {
                let new = key_store::NewToken {
                    name: &name,
                    staff_id,
                    token_prefix: &prefix,
                    token_hash: &hash,
                    created_by: &by,
                    created_at: now,
                    expires_at: expires,
                };
                let id = key_store::insert_token(tx, &new).await?;
                entry.entity_id = id.to_string();
                tx.audit(entry.after(&serde_json::json!({
                    "name": name, "staff_id": staff_id, "token_prefix": prefix, "expires_at": expires,
                })));
                Ok::<_, StaffError>(id)
            })
        })
        .await?;
    Ok((id, token))
}

pub async fn list_tokens(ctx: &Ctx) -> Result<Vec<TokenRow>, StaffError> {
    ctx.require(Permission::ManageApiTokens)?;
    Ok(key_store::list_tokens(ctx.db()).await?)
}

pub async fn revoke_token(ctx: &Ctx, id: i64) -> Result<(), StaffError> {
    ctx.require(Permission::ManageApiTokens)?;
    revoke(ctx, KeyTable::ApiTokens, "api_token", id).await
}

async fn revoke(ctx: &Ctx, table: KeyTable, kind: &'static str, id: i64) -> Result<(), StaffError> {
    let by = ctx.actor.audit_name();
    let now = ctx.now();
    let entry = ctx.audit(&format!("{kind}.revoke"), kind, id);
    ctx.db()
        .write(move |tx| {
            let (by, entry) = (by.clone(), entry.clone());
            Box::pin(async move {
                if key_store::revoke(tx, table, id, &by, now).await? == 0 {
                    return if key_store::exists(tx, table, id).await? {
                        Ok(())
                    } else {
                        Err(StaffError::NotFound)
                    };
                }
                tx.audit(entry.after(&serde_json::json!({ "revoked_at": now })));
                Ok(())
            })
        })
        .await
}
