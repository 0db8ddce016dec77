//! The identity side of the staff table: what login, sessions and keys read about an account
//! (its password hash, state and role grants). The staff area administers accounts and reads
//! them through these functions too. Sessions (`sessions`) and presented bearer keys (`keys`)
//! have their own files.

pub mod keys;
pub mod sessions;
pub mod throttle;

use chrono::{DateTime, Utc};
use patron_core::Role;
use serde::Serialize;

use crate::kernel::ctx::{Grant, StaffActor};
use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// What login needs to know about an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub lang: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct GrantRow {
    staff_id: i64,
    role: String,
    store_id: i64,
}

pub(crate) const STAFF_COLUMNS: &str =
    "id, username, display_name, must_change_password, disabled, locked_until, lang, created_at";

pub async fn find_login(db: &Db, username: &str) -> Result<Option<LoginRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, username, display_name, password_hash, must_change_password, disabled, \
             locked_until from staff where username = $1",
        )
        .bind(username)
        .fetch_optional(p)
        .await?
    }))
}

pub async fn get_staff(db: &Db, id: i64) -> Result<Option<StaffRow>, DbError> {
    let sql = format!("select {STAFF_COLUMNS} from staff where id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

fn to_grants(rows: Vec<GrantRow>) -> Vec<(i64, Grant)> {
    rows.into_iter()
        .filter_map(|r| {
            Role::from_code(&r.role).map(|role| {
                (
                    r.staff_id,
                    Grant {
                        role,
                        store_id: r.store_id,
                    },
                )
            })
        })
        .collect()
}

/// Every grant of every staff member (for the staff list).
pub async fn all_grants(db: &Db) -> Result<Vec<(i64, Grant)>, DbError> {
    let rows: Vec<GrantRow> = on_db!(db, |p| {
        sqlx::query_as(
            "select staff_id, role, store_id from staff_roles order by staff_id, role, store_id",
        )
        .fetch_all(p)
        .await?
    });
    Ok(to_grants(rows))
}

pub async fn grants_of(db: &Db, staff_id: i64) -> Result<Vec<Grant>, DbError> {
    let rows: Vec<GrantRow> = on_db!(db, |p| {
        sqlx::query_as(
            "select staff_id, role, store_id from staff_roles where staff_id = $1 order by role, store_id",
        )
        .bind(staff_id)
        .fetch_all(p)
        .await?
    });
    Ok(to_grants(rows).into_iter().map(|(_, g)| g).collect())
}

/// The signed-in view of an account, with its state.
pub async fn load_actor(db: &Db, id: i64) -> Result<Option<(StaffActor, StaffRow)>, DbError> {
    let Some(row) = get_staff(db, id).await? else {
        return Ok(None);
    };
    let grants = grants_of(db, id).await?;
    Ok(Some((
        StaffActor {
            id: row.id,
            username: row.username.clone(),
            display_name: row.display_name.clone(),
            grants,
        },
        row,
    )))
}

/// Stores a password the account holder chose themselves.
pub async fn set_own_password(
    tx: &mut Tx,
    id: i64,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update staff set password_hash = $1, must_change_password = false, \
             password_changed_at = $2 where id = $3",
        )
        .bind(password_hash)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Stores an account's console language (its code).
pub async fn set_lang(tx: &mut Tx, id: i64, code: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update staff set lang = $1 where id = $2")
            .bind(code)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
