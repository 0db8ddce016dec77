//! What the pool job and the sales link read and write.

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// An owned customer as the pool rules see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Held {
    pub id: i64,
    pub name: String,
    pub grade: String,
    pub owner_staff_id: i64,
    pub owner_name: String,
    pub owned_since: Option<DateTime<Utc>>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub pool_warned_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// Active customers with an owner (all, or one owner's).
pub async fn held(db: &Db, owner: Option<i64>) -> Result<Vec<Held>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select c.id, c.name, c.grade, c.owner_staff_id, coalesce(s.display_name, '') as owner_name, \
             c.owned_since, c.last_contact_at, c.pool_warned_on, c.created_at \
             from customers c left join staff s on s.id = c.owner_staff_id \
             where c.state = 'active' and c.owner_staff_id is not null \
             and ($1 < 0 or c.owner_staff_id = $1) order by c.id",
        )
        .bind(owner.unwrap_or(-1))
        .fetch_all(p)
        .await?
    }))
}

pub async fn mark_warned(tx: &mut Tx, id: i64, day: NaiveDate) -> Result<(), DbError> {
    on_tx!(tx, |x| {
        sqlx::query("update customers set pool_warned_on = $1 where id = $2")
            .bind(day)
            .bind(id)
            .execute(x)
            .await?;
    });
    Ok(())
}

/// Group-buy buyers recorded before their organisation's key was kept: (id, organisation).
pub async fn unlinked_buyers(db: &Db, limit: i64) -> Result<Vec<(i64, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, organisation from gb_buyers where org_key is null order by id limit $1",
        )
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// Fills one buyer's organisation key, if it is still empty; the rows changed.
pub async fn link_buyer(tx: &mut Tx, id: i64, key: &str) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query("update gb_buyers set org_key = $1 where id = $2 and org_key is null")
            .bind(key)
            .bind(id)
            .execute(x)
            .await?
            .rows_affected()
    }))
}
