//! Staff and stores (SPEC A1–A2): stores, staff accounts, the roles each holds at which stores.
//!
//! Every use case checks its permission first and records itself in the audit log in the same
//! transaction. Passwords are hashed before the write; the one-time password is returned to the
//! caller to show once and is never stored or logged in clear.

pub mod api;
pub mod error;
pub mod keys;
pub mod pages;
pub mod store;
pub mod tiles;

pub use error::StaffError;

use patron_core::{Permission, Role};
use serde::Serialize;

use crate::auth::password;
use crate::kernel::ctx::{Ctx, Grant};
use crate::kernel::db::DbError;
use crate::kernel::validation::{Invalid, required_text};
pub use store::{StaffRow, StoreRow};

/// Maps a unique-key violation on insert to a duplicate of `field`.
fn duplicate_as(field: &'static str) -> impl Fn(DbError) -> StaffError {
    move |e| {
        if e.is_unique_violation() {
            StaffError::Duplicate { field }
        } else {
            StaffError::Db(e)
        }
    }
}

/// Store codes: 2–16 of A–Z, 0–9 and `-`, starting with a letter or digit (entered in any case).
pub fn parse_store_code(input: &str) -> Result<String, &'static str> {
    let code = input.trim().to_ascii_uppercase();
    let ok = (2..=16).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-');
    if ok {
        Ok(code)
    } else {
        Err("invalid.store_code")
    }
}

/// User names: 3–32 of a–z, 0–9, `.`, `_`, `-`, starting with a letter or digit.
pub fn parse_username(input: &str) -> Result<String, &'static str> {
    let name = input.trim().to_ascii_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(name)
    } else {
        Err("invalid.username")
    }
}

pub fn parse_time_zone(input: &str) -> Result<String, &'static str> {
    let tz = input.trim();
    tz.parse::<chrono_tz::Tz>()
        .map(|_| tz.to_string())
        .map_err(|_| "invalid.time_zone")
}

pub fn parse_lang(input: &str) -> Result<String, &'static str> {
    match input.trim() {
        "zh-CN" | "en" => Ok(input.trim().to_string()),
        _ => Err("invalid.lang"),
    }
}

#[derive(Debug, Clone, Default)]
pub struct StoreInput {
    pub code: String,
    pub name: String,
    pub time_zone: String,
    pub active: bool,
    /// Optional: the store's notices are also e-mailed here.
    pub email: String,
}

/// An optional e-mail address: '' for none, else something@domain.tld without spaces.
fn parse_optional_email(input: &str) -> Result<String, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let ok = t.chars().count() <= 120
        && !t.chars().any(char::is_whitespace)
        && t.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if ok {
        Ok(t.to_string())
    } else {
        Err("invalid.email")
    }
}

pub async fn list_stores(ctx: &Ctx) -> Result<Vec<StoreRow>, StaffError> {
    // Every signed-in role may see the list of stores (their names appear everywhere).
    ctx.require(Permission::ViewDashboard)?;
    Ok(store::list_stores(ctx.db()).await?)
}

pub async fn create_store(ctx: &Ctx, input: &StoreInput) -> Result<StoreRow, StaffError> {
    ctx.require(Permission::ManageStores)?;
    let mut bad = Invalid::new();
    let code = bad.check("code", parse_store_code(&input.code));
    let name = bad.check("name", required_text(&input.name, 64));
    let tz = bad.check("time_zone", parse_time_zone(&input.time_zone));
    let email = bad.check("email", parse_optional_email(&input.email));
    bad.clone().into_result()?;
    let (Some(code), Some(name), Some(tz), Some(email)) = (code, name, tz, email) else {
        return Err(bad.into());
    };
    let now = ctx.now();
    let entry = ctx.audit("store.create", "store", &code);
    ctx.db()
        .write(move |tx| {
            let (code, name, tz, entry) = (code.clone(), name.clone(), tz.clone(), entry.clone());
            let email = email.clone();
            Box::pin(async move {
                let row = store::insert_store(tx, &code, &name, &tz, &email, now)
                    .await
                    .map_err(duplicate_as("code"))?;
                tx.audit(AuditId::with(entry, row.id).store(row.id).after(&row));
                Ok::<_, StaffError>(row)
            })
        })
        .await
}

pub async fn update_store(ctx: &Ctx, id: i64, input: &StoreInput) -> Result<StoreRow, StaffError> {
    ctx.require(Permission::ManageStores)?;
    let mut bad = Invalid::new();
    let name = bad.check("name", required_text(&input.name, 64));
    let tz = bad.check("time_zone", parse_time_zone(&input.time_zone));
    let email = bad.check("email", parse_optional_email(&input.email));
    let (Some(name), Some(tz), Some(email)) = (name, tz, email) else {
        return Err(bad.into());
    };
    let active = input.active;
    let entry = ctx.audit("store.update", "store", id).store(id);
    ctx.db()
        .write(move |tx| {
            let (name, tz, entry, email) = (name.clone(), tz.clone(), entry.clone(), email.clone());
            Box::pin(async move {
                let (before, after) = store::update_store(tx, id, &name, &tz, active, &email)
                    .await?
                    .ok_or(StaffError::NotFound)?;
                tx.audit(entry.before(&before).after(&after));
                Ok::<_, StaffError>(after)
            })
        })
        .await
}

/// Audit entries for rows whose id is known only after the insert.
struct AuditId;
impl AuditId {
    fn with(
        mut entry: crate::kernel::audit::AuditEntry,
        id: i64,
    ) -> crate::kernel::audit::AuditEntry {
        entry.entity_id = id.to_string();
        entry
    }
}

/// A role grant as a form or script sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantInput {
    pub role: String,
    pub store_id: i64,
}

#[derive(Debug, Clone, Default)]
pub struct StaffInput {
    pub username: String,
    pub display_name: String,
    pub lang: String,
    pub grants: Vec<GrantInput>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffListItem {
    #[serde(flatten)]
    pub staff: StaffRow,
    pub grants: Vec<Grant>,
}

pub async fn list_staff(ctx: &Ctx) -> Result<Vec<StaffListItem>, StaffError> {
    ctx.require(Permission::ManageStaff)?;
    let rows = store::list_staff(ctx.db()).await?;
    let grants = store::all_grants(ctx.db()).await?;
    Ok(rows
        .into_iter()
        .map(|staff| StaffListItem {
            grants: grants
                .iter()
                .filter(|(id, _)| *id == staff.id)
                .map(|(_, g)| g.clone())
                .collect(),
            staff,
        })
        .collect())
}

pub async fn get_staff(ctx: &Ctx, id: i64) -> Result<StaffListItem, StaffError> {
    ctx.require(Permission::ManageStaff)?;
    let staff = store::get_staff(ctx.db(), id)
        .await?
        .ok_or(StaffError::NotFound)?;
    let grants = store::grants_of(ctx.db(), id).await?;
    Ok(StaffListItem { staff, grants })
}

async fn parse_grants(
    ctx: &Ctx,
    inputs: &[GrantInput],
    bad: &mut Invalid,
) -> Result<Vec<Grant>, StaffError> {
    let stores = store::list_stores(ctx.db()).await?;
    let mut grants = Vec::new();
    for g in inputs {
        let Some(role) = Role::from_code(&g.role) else {
            bad.add("roles", "invalid.role");
            continue;
        };
        if !stores.iter().any(|s| s.id == g.store_id) {
            bad.add("roles", "invalid.store");
            continue;
        }
        let grant = Grant {
            role,
            store_id: g.store_id,
        };
        if !grants.contains(&grant) {
            grants.push(grant);
        }
    }
    if grants.is_empty() && bad.key_for("roles").is_none() {
        bad.add("roles", "invalid.no_roles");
    }
    Ok(grants)
}

/// Creates an account with a random one-time password, which it returns (to show once).
pub async fn create_staff(ctx: &Ctx, input: &StaffInput) -> Result<(i64, String), StaffError> {
    ctx.require(Permission::ManageStaff)?;
    let mut bad = Invalid::new();
    let username = bad.check("username", parse_username(&input.username));
    let display_name = bad.check("display_name", required_text(&input.display_name, 64));
    let lang = bad.check("lang", parse_lang(&input.lang));
    let grants = parse_grants(ctx, &input.grants, &mut bad).await?;
    let (Some(username), Some(display_name), Some(lang), true) =
        (username, display_name, lang, bad.is_empty())
    else {
        return Err(bad.into());
    };
    let one_time = password::random_password();
    let hash = password::hash(&one_time).await?;
    let now = ctx.now();
    let entry = ctx.audit("staff.create", "staff", &username);
    let id = ctx
        .db()
        .write(move |tx| {
            let (username, display_name, lang, hash, grants, entry) = (
                username.clone(),
                display_name.clone(),
                lang.clone(),
                hash.clone(),
                grants.clone(),
                entry.clone(),
            );
            Box::pin(async move {
                let id = store::insert_staff(tx, &username, &display_name, &hash, &lang, now)
                    .await
                    .map_err(duplicate_as("username"))?;
                store::replace_grants(tx, id, &grants).await?;
                tx.audit(AuditId::with(entry, id).after(&serde_json::json!({
                    "username": username, "display_name": display_name, "lang": lang,
                    "grants": grants,
                })));
                Ok::<_, StaffError>(id)
            })
        })
        .await?;
    Ok((id, one_time))
}

fn is_admin(grants: &[Grant]) -> bool {
    grants.iter().any(|g| g.role == Role::Admin)
}

/// Replaces the roles a staff member holds.
pub async fn set_grants(ctx: &Ctx, id: i64, inputs: &[GrantInput]) -> Result<(), StaffError> {
    ctx.require(Permission::ManageStaff)?;
    let mut bad = Invalid::new();
    let grants = parse_grants(ctx, inputs, &mut bad).await?;
    bad.into_result()?;
    let entry = ctx.audit("staff.roles", "staff", id);
    ctx.db()
        .write(move |tx| {
            let (grants, entry) = (grants.clone(), entry.clone());
            Box::pin(async move {
                if !is_admin(&grants) && store::other_active_admins(tx, id).await? == 0 {
                    return Err(StaffError::LastAdmin);
                }
                let before = store::replace_grants(tx, id, &grants).await.map_err(|e| {
                    if e.to_string().contains("FOREIGN KEY")
                        || e.to_string().contains("foreign key")
                    {
                        StaffError::NotFound
                    } else {
                        StaffError::Db(e)
                    }
                })?;
                tx.audit(entry.before(&before).after(&grants));
                Ok(())
            })
        })
        .await
}

/// Corrects a staff member's display name and console language.
pub async fn update_profile(
    ctx: &Ctx,
    id: i64,
    display_name: &str,
    lang: &str,
) -> Result<(), StaffError> {
    ctx.require(Permission::ManageStaff)?;
    let mut bad = Invalid::new();
    let name = bad.check("display_name", required_text(display_name, 64));
    let lang = bad.check("lang", parse_lang(lang));
    let (Some(name), Some(lang)) = (name, lang) else {
        return Err(bad.into());
    };
    let entry = ctx.audit("staff.profile_changed", "staff", id);
    ctx.db()
        .write(move |tx| {
            let (name, lang, entry) = (name.clone(), lang.clone(), entry.clone());
            Box::pin(async move {
                let ((b_name, b_lang), (a_name, a_lang)) = store::set_profile(tx, id, &name, &lang)
                    .await?
                    .ok_or(StaffError::NotFound)?;
                tx.audit(
                    entry
                        .before(&serde_json::json!({ "display_name": b_name, "lang": b_lang }))
                        .after(&serde_json::json!({ "display_name": a_name, "lang": a_lang })),
                );
                Ok::<_, StaffError>(())
            })
        })
        .await
}

/// Disables or re-enables an account; a disabled account's sessions end at once.
pub async fn set_disabled(ctx: &Ctx, id: i64, disabled: bool) -> Result<(), StaffError> {
    ctx.require(Permission::ManageStaff)?;
    let action = if disabled {
        "staff.disable"
    } else {
        "staff.enable"
    };
    let entry = ctx
        .audit(action, "staff", id)
        .after(&serde_json::json!({ "disabled": disabled }));
    ctx.db()
        .write(move |tx| {
            let entry = entry.clone();
            Box::pin(async move {
                if disabled && store::other_active_admins(tx, id).await? == 0 {
                    // Disabling the last administrator would lock everyone out of the console.
                    if store::admin_grants(tx, id).await? > 0 {
                        return Err(StaffError::LastAdmin);
                    }
                }
                if !store::set_disabled(tx, id, disabled).await? {
                    return Err(StaffError::NotFound);
                }
                if disabled {
                    crate::auth::sessions::delete_all_for(tx, "staff", id, None).await?;
                    store::keys::revoke_tokens_of(tx, id, entry.at).await?;
                }
                tx.audit(entry);
                Ok(())
            })
        })
        .await
}

/// Gives an account a new one-time password (returned to show once) and unlocks it.
pub async fn reset_password(ctx: &Ctx, id: i64) -> Result<String, StaffError> {
    ctx.require(Permission::ManageStaff)?;
    let one_time = password::random_password();
    let hash = password::hash(&one_time).await?;
    let entry = ctx
        .audit("staff.password_reset", "staff", id)
        .after(&serde_json::json!({ "must_change_password": true }));
    ctx.db()
        .write(move |tx| {
            let (hash, entry) = (hash.clone(), entry.clone());
            Box::pin(async move {
                if !store::set_password(tx, id, &hash, true).await? {
                    return Err(StaffError::NotFound);
                }
                crate::auth::sessions::delete_all_for(tx, "staff", id, None).await?;
                crate::auth::throttle::unlock(tx, "staff", &crate::auth::throttle::account_of(id))
                    .await?;
                tx.audit(entry);
                Ok(())
            })
        })
        .await?;
    Ok(one_time)
}

/// Finds an account by user name (CLI).
pub async fn find_by_username(ctx: &Ctx, username: &str) -> Result<StaffRow, StaffError> {
    ctx.require(Permission::ManageStaff)?;
    let login = store::find_login(ctx.db(), &username.trim().to_ascii_lowercase())
        .await?
        .ok_or(StaffError::NotFound)?;
    store::get_staff(ctx.db(), login.id)
        .await?
        .ok_or(StaffError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_codes_are_upper_cased_and_checked() {
        assert_eq!(parse_store_code(" bj01 "), Ok("BJ01".into()));
        assert_eq!(parse_store_code("SH-XUHUI"), Ok("SH-XUHUI".into()));
        assert!(parse_store_code("A").is_err());
        assert!(parse_store_code("北京").is_err());
        assert!(parse_store_code("-AB").is_err());
    }

    #[test]
    fn user_names_are_lower_cased_and_checked() {
        assert_eq!(parse_username("Wang.Li"), Ok("wang.li".into()));
        assert!(parse_username("ab").is_err());
        assert!(parse_username("王丽").is_err());
        assert!(parse_username("_x1").is_err());
    }
}
