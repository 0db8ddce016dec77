//! SQL of the staff area: stores, staff accounts and their role grants; till keys and API
//! tokens in `keys`.

pub mod keys;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::store::STAFF_COLUMNS;
pub use crate::auth::store::{
    LoginRow, StaffRow, all_grants, find_login, get_staff, grants_of, load_actor,
};
use crate::kernel::ctx::Grant;
use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StoreRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub time_zone: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Where the store's notices are also e-mailed ('' for none).
    pub email: String,
}

pub async fn list_stores(db: &Db) -> Result<Vec<StoreRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, code, name, time_zone, active, created_at, email from stores order by code",
        )
        .fetch_all(p)
        .await?
    }))
}

pub async fn get_store(db: &Db, id: i64) -> Result<Option<StoreRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, code, name, time_zone, active, created_at, email from stores where id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?
    }))
}

pub async fn insert_store(
    tx: &mut Tx,
    code: &str,
    name: &str,
    time_zone: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<StoreRow, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "insert into stores (code, name, time_zone, active, created_at, email) \
             values ($1, $2, $3, true, $4, $5) \
             returning id, code, name, time_zone, active, created_at, email",
        )
        .bind(code)
        .bind(name)
        .bind(time_zone)
        .bind(now)
        .bind(email)
        .fetch_one(c)
        .await?
    }))
}

pub async fn update_store(
    tx: &mut Tx,
    id: i64,
    name: &str,
    time_zone: &str,
    active: bool,
    email: &str,
) -> Result<Option<(StoreRow, StoreRow)>, DbError> {
    let before: Option<StoreRow> = on_tx!(tx, |c| {
        sqlx::query_as(
            "select id, code, name, time_zone, active, created_at, email from stores where id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?
    });
    let Some(before) = before else {
        return Ok(None);
    };
    let after: StoreRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "update stores set name = $1, time_zone = $2, active = $3, email = $5 where id = $4 \
             returning id, code, name, time_zone, active, created_at, email",
        )
        .bind(name)
        .bind(time_zone)
        .bind(active)
        .bind(id)
        .bind(email)
        .fetch_one(c)
        .await?
    });
    Ok(Some((before, after)))
}

pub async fn list_staff(db: &Db) -> Result<Vec<StaffRow>, DbError> {
    let sql = format!("select {STAFF_COLUMNS} from staff order by username");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await?
    }))
}

pub async fn insert_staff(
    tx: &mut Tx,
    username: &str,
    display_name: &str,
    password_hash: &str,
    lang: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into staff (username, display_name, password_hash, must_change_password, \
             disabled, failed_logins, lang, created_at) \
             values ($1, $2, $3, true, false, 0, $4, $5) returning id",
        )
        .bind(username)
        .bind(display_name)
        .bind(password_hash)
        .bind(lang)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

/// Replaces a staff member's grants; returns the grants before.
pub async fn replace_grants(
    tx: &mut Tx,
    staff_id: i64,
    grants: &[Grant],
) -> Result<Vec<(String, i64)>, DbError> {
    let before: Vec<(String, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "select role, store_id from staff_roles where staff_id = $1 order by role, store_id",
        )
        .bind(staff_id)
        .fetch_all(c)
        .await?
    });
    on_tx!(tx, |c| {
        sqlx::query("delete from staff_roles where staff_id = $1")
            .bind(staff_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())?
    });
    for g in grants {
        on_tx!(tx, |c| {
            sqlx::query("insert into staff_roles (staff_id, role, store_id) values ($1, $2, $3)")
                .bind(staff_id)
                .bind(g.role.code())
                .bind(g.store_id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())?
        });
    }
    Ok(before)
}

/// How many enabled administrators there are besides `except` (so the last one is kept).
///
/// The administrators' rows are locked first, so two transactions that each remove one of the
/// last two administrators run one after the other on PostgreSQL and the second sees the first.
pub async fn other_active_admins(tx: &mut Tx, except: i64) -> Result<i64, DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update staff set disabled = disabled where id in (select staff_id from staff_roles where role = 'admin')",
        )
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select cast(count(distinct s.id) as bigint) from staff s \
             join staff_roles r on r.staff_id = s.id \
             where r.role = 'admin' and s.disabled = false and s.id <> $1",
        )
        .bind(except)
        .fetch_one(c)
        .await?
    }))
}

/// Changes a staff member's name and language; returns (before, after) or None if unknown.
pub async fn set_profile(
    tx: &mut Tx,
    id: i64,
    display_name: &str,
    lang: &str,
) -> Result<Option<((String, String), (String, String))>, DbError> {
    let before: Option<(String, String)> = on_tx!(tx, |c| {
        sqlx::query_as("select display_name, lang from staff where id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    });
    let Some(before) = before else {
        return Ok(None);
    };
    on_tx!(tx, |c| {
        sqlx::query("update staff set display_name = $1, lang = $2 where id = $3")
            .bind(display_name)
            .bind(lang)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(Some((before, (display_name.to_string(), lang.to_string()))))
}

/// How many administrator grants a staff member holds.
pub async fn admin_grants(tx: &mut Tx, staff_id: i64) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from staff_roles where staff_id = $1 and role = 'admin'",
        )
        .bind(staff_id)
        .fetch_one(c)
        .await?
    }))
}

pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query("update staff set disabled = $1 where id = $2")
            .bind(disabled)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())?
    });
    Ok(n == 1)
}

pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    password_hash: &str,
    must_change: bool,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update staff set password_hash = $1, must_change_password = $2, failed_logins = 0, \
             locked_until = null where id = $3",
        )
        .bind(password_hash)
        .bind(must_change)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
    });
    Ok(n == 1)
}

/// Headline counts for the dashboard.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub stores: i64,
    pub staff: i64,
    pub live_till_keys: i64,
    pub pending_approvals: i64,
}

pub async fn counts(db: &Db) -> Result<Counts, DbError> {
    Ok(on_db!(db, |p| {
        let (stores, staff, live_till_keys, pending_approvals): (i64, i64, i64, i64) =
            sqlx::query_as(
                "select (select cast(count(*) as bigint) from stores where active = true), \
                        (select cast(count(*) as bigint) from staff where disabled = false), \
                        (select cast(count(*) as bigint) from till_keys where revoked_at is null), \
                        (select cast(count(*) as bigint) from approvals where status = 'pending')",
            )
            .fetch_one(p)
            .await?;
        Counts {
            stores,
            staff,
            live_till_keys,
            pending_approvals,
        }
    }))
}
