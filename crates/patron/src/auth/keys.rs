//! Bearer keys: till keys (one store + till id each) and API tokens for scripts (acting with
//! their owner's roles). A key is shown once when issued and stored only as a hash; revoking
//! one stops it at the next request.

use chrono::{DateTime, Duration, Utc};
use patron_core::Permission;
use serde::Serialize;

use crate::areas::staff::{StaffError, store as staff_store};
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::DbError;
use crate::kernel::secret;
use crate::kernel::validation::{Invalid, required_text};
use crate::{on_db, on_tx};

/// Prefix of till keys.
pub const TILL_PREFIX: &str = "ptk";
/// Prefix of API tokens.
pub const TOKEN_PREFIX: &str = "pat";

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TillKeyRow {
    pub id: i64,
    pub store_id: i64,
    pub store_code: String,
    pub till_id: String,
    pub label: String,
    pub key_prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub staff_id: i64,
    pub username: String,
    pub token_prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

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
    if staff_store::get_store(ctx.db(), store_id).await?.is_none() {
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
                let id: i64 = on_tx!(tx, |c| {
                    sqlx::query_scalar(
                        "insert into till_keys (store_id, till_id, label, key_prefix, key_hash, created_by, created_at) \
                         values ($1, $2, $3, $4, $5, $6, $7) returning id",
                    )
                    .bind(store_id)
                    .bind(&till)
                    .bind(&label)
                    .bind(&prefix)
                    .bind(&hash)
                    .bind(&by)
                    .bind(now)
                    .fetch_one(c)
                    .await
                })
                .map_err(|e| live_key_exists(e.into()))?;
                entry.entity_id = id.to_string();
                tx.audit(entry.after(&serde_json::json!({
                    "store_id": store_id, "till_id": till, "label": label, "key_prefix": prefix,
                })));
                Ok::<_, StaffError>(id)
            })
        })
        .await?;
    let row = till_key(ctx, row).await?.ok_or(StaffError::NotFound)?;
    Ok((row, key))
}

const TILL_COLUMNS: &str = "k.id, k.store_id, s.code as store_code, k.till_id, k.label, \
    k.key_prefix, k.created_by, k.created_at, k.revoked_at, k.revoked_by, k.last_used_at";

async fn till_key(ctx: &Ctx, id: i64) -> Result<Option<TillKeyRow>, DbError> {
    let sql = format!(
        "select {TILL_COLUMNS} from till_keys k join stores s on s.id = k.store_id where k.id = $1"
    );
    Ok(on_db!(ctx.db(), |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

pub async fn list_till_keys(ctx: &Ctx) -> Result<Vec<TillKeyRow>, StaffError> {
    ctx.require(Permission::ManageTillKeys)?;
    let sql = format!(
        "select {TILL_COLUMNS} from till_keys k join stores s on s.id = k.store_id \
         order by s.code, k.till_id, k.id desc"
    );
    Ok(on_db!(ctx.db(), |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await
            .map_err(DbError::from)?
    }))
}

/// Revokes a till key (idempotent: revoking a revoked key changes nothing).
pub async fn revoke_till_key(ctx: &Ctx, id: i64) -> Result<(), StaffError> {
    ctx.require(Permission::ManageTillKeys)?;
    revoke(ctx, "till_keys", "till_key", id).await
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
    if staff_store::get_staff(ctx.db(), staff_id).await?.is_none() {
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
                let id: i64 = on_tx!(tx, |c| {
                    sqlx::query_scalar(
                        "insert into api_tokens (name, staff_id, token_prefix, token_hash, created_by, created_at, expires_at) \
                         values ($1, $2, $3, $4, $5, $6, $7) returning id",
                    )
                    .bind(&name)
                    .bind(staff_id)
                    .bind(&prefix)
                    .bind(&hash)
                    .bind(&by)
                    .bind(now)
                    .bind(expires)
                    .fetch_one(c)
                    .await
                })
                .map_err(DbError::from)?;
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
    Ok(on_db!(ctx.db(), |p| {
        sqlx::query_as(
            "select t.id, t.name, t.staff_id, s.username, t.token_prefix, t.created_by, t.created_at, \
             t.expires_at, t.revoked_at, t.last_used_at \
             from api_tokens t join staff s on s.id = t.staff_id order by t.id desc",
        )
        .fetch_all(p)
        .await
        .map_err(DbError::from)?
    }))
}

pub async fn revoke_token(ctx: &Ctx, id: i64) -> Result<(), StaffError> {
    ctx.require(Permission::ManageApiTokens)?;
    revoke(ctx, "api_tokens", "api_token", id).await
}

async fn revoke(
    ctx: &Ctx,
    table: &'static str,
    kind: &'static str,
    id: i64,
) -> Result<(), StaffError> {
    let by = ctx.actor.audit_name();
    let now = ctx.now();
    let entry = ctx.audit(&format!("{kind}.revoke"), kind, id);
    let sql = format!(
        "update {table} set revoked_at = $1, revoked_by = $2 where id = $3 and revoked_at is null"
    );
    let exists_sql = format!("select cast(count(*) as bigint) from {table} where id = $1");
    ctx.db()
        .write(move |tx| {
            let (by, entry, sql, exists_sql) =
                (by.clone(), entry.clone(), sql.clone(), exists_sql.clone());
            Box::pin(async move {
                let changed = on_tx!(tx, |c| {
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(now)
                        .bind(&by)
                        .bind(id)
                        .execute(c)
                        .await
                        .map_err(DbError::from)?
                        .rows_affected()
                });
                if changed == 0 {
                    let exists: i64 = on_tx!(tx, |c| {
                        sqlx::query_scalar(sqlx::AssertSqlSafe(exists_sql))
                            .bind(id)
                            .fetch_one(c)
                            .await
                            .map_err(DbError::from)?
                    });
                    return if exists == 0 {
                        Err(StaffError::NotFound)
                    } else {
                        Ok(())
                    };
                }
                tx.audit(entry.after(&serde_json::json!({ "revoked_at": now })));
                Ok(())
            })
        })
        .await
}

#[derive(sqlx::FromRow)]
struct TillAuth {
    id: i64,
    store_id: i64,
    till_id: String,
    last_used_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct TokenAuth {
    id: i64,
    staff_id: i64,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

/// `last_used_at` is refreshed at most this often, so authenticating is not a write per request.
const USE_RECORDED_EVERY_MINUTES: i64 = 60;

/// Records that a key was used, if the last record is older than the interval.
async fn record_use(
    app: &App,
    table: &'static str,
    id: i64,
    last: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    let now = app.clock.now();
    if last.is_some_and(|t| now - t < Duration::minutes(USE_RECORDED_EVERY_MINUTES)) {
        return Ok(());
    }
    let sql = format!("update {table} set last_used_at = $1 where id = $2");
    app.db
        .write(move |tx| {
            let sql = sql.clone();
            Box::pin(async move {
                on_tx!(tx, |c| {
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(now)
                        .bind(id)
                        .execute(c)
                        .await
                        .map(|r| r.rows_affected())
                })?;
                Ok::<_, DbError>(())
            })
        })
        .await
}

/// The actor a bearer key stands for, if it is a live key.
pub async fn authenticate(app: &App, bearer: &str) -> Result<Option<Actor>, DbError> {
    let hash = secret::digest(bearer);
    if bearer.starts_with(&format!("{TILL_PREFIX}_")) {
        let found: Option<TillAuth> = on_db!(app.db, |p| {
            sqlx::query_as(
                "select id, store_id, till_id, last_used_at from till_keys where key_hash = $1 and revoked_at is null",
            )
            .bind(&hash)
            .fetch_optional(p)
            .await?
        });
        let Some(k) = found else { return Ok(None) };
        record_use(app, "till_keys", k.id, k.last_used_at).await?;
        return Ok(Some(Actor::Till {
            key_id: k.id,
            store_id: k.store_id,
            till_id: k.till_id,
        }));
    }
    if bearer.starts_with(&format!("{TOKEN_PREFIX}_")) {
        let found: Option<TokenAuth> = on_db!(app.db, |p| {
            sqlx::query_as(
                "select id, staff_id, expires_at, last_used_at from api_tokens where token_hash = $1 and revoked_at is null",
            )
            .bind(&hash)
            .fetch_optional(p)
            .await?
        });
        let Some(token) = found else { return Ok(None) };
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
        record_use(app, "api_tokens", token.id, token.last_used_at).await?;
        return Ok(Some(Actor::Token {
            token_id: token.id,
            staff,
        }));
    }
    Ok(None)
}
