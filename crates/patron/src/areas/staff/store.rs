//! SQL of the staff area: stores, staff accounts and their role grants.

use chrono::{DateTime, Utc};
use patron_core::Role;
use serde::Serialize;

use crate::kernel::ctx::{Grant, StaffActor};
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
}

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

const STAFF_COLUMNS: &str =
    "id, username, display_name, must_change_password, disabled, locked_until, lang, created_at";

pub async fn list_stores(db: &Db) -> Result<Vec<StoreRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, code, name, time_zone, active, created_at from stores order by code",
        )
        .fetch_all(p)
        .await?
    }))
}

pub async fn get_store(db: &Db, id: i64) -> Result<Option<StoreRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, code, name, time_zone, active, created_at from stores where id = $1",
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
    now: DateTime<Utc>,
) -> Result<StoreRow, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "insert into stores (code, name, time_zone, active, created_at) \
             values ($1, $2, $3, true, $4) \
             returning id, code, name, time_zone, active, created_at",
        )
        .bind(code)
        .bind(name)
        .bind(time_zone)
        .bind(now)
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
) -> Result<Option<(StoreRow, StoreRow)>, DbError> {
    let before: Option<StoreRow> = on_tx!(tx, |c| {
        sqlx::query_as(
            "select id, code, name, time_zone, active, created_at from stores where id = $1",
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
            "update stores set name = $1, time_zone = $2, active = $3 where id = $4 \
             returning id, code, name, time_zone, active, created_at",
        )
        .bind(name)
        .bind(time_zone)
        .bind(active)
        .bind(id)
        .fetch_one(c)
        .await?
    });
    Ok(Some((before, after)))
}

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

pub async fn list_staff(db: &Db) -> Result<Vec<StaffRow>, DbError> {
    let sql = format!("select {STAFF_COLUMNS} from staff order by username");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
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
