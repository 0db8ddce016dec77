//! The directory review (F7): rounds, their items, archiving and restoring customers with the
//! owner history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RoundRow {
    pub id: i64,
    pub period: String,
    pub opened_on: NaiveDate,
}

/// The latest round (none before the first).
pub async fn latest<'a>(exec: impl Into<Exec<'a>>) -> Result<Option<RoundRow>, DbError> {
    Ok(on_exec!(exec.into(), |c| {
        sqlx::query_as("select id, period, opened_on from customer_reviews order by period desc, id desc limit 1")
            .fetch_optional(c)
            .await?
    }))
}

/// Opens the round of `period` (once: a second call finds it). Returns (id, newly opened).
pub async fn open(
    tx: &mut Tx,
    period: &str,
    on: NaiveDate,
    by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(i64, bool), DbError> {
    let made: Option<i64> = on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_reviews (period, opened_on, opened_by, created_at) \
             values ($1, $2, $3, $4) on conflict (period) do nothing returning id",
        )
        .bind(period)
        .bind(on)
        .bind(by)
        .bind(ts(at))
        .fetch_optional(x)
        .await?
    });
    if let Some(id) = made {
        return Ok((id, true));
    }
    let id: i64 = on_tx!(tx, |x| {
        sqlx::query_scalar("select id from customer_reviews where period = $1")
            .bind(period)
            .fetch_one(x)
            .await?
    });
    Ok((id, false))
}

/// Adds every active customer to a round (once each); how many were added.
pub async fn fill(tx: &mut Tx, review_id: i64) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "insert into customer_review_items (review_id, customer_id, owner_staff_id) \
             select $1, id, owner_staff_id from customers where state = 'active' \
             on conflict (review_id, customer_id) do nothing",
        )
        .bind(review_id)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// One customer of a round.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ItemRow {
    pub customer_id: i64,
    pub customer_name: String,
    pub grade: String,
    pub owner_staff_id: Option<i64>,
    pub owner_name: Option<String>,
    pub outcome: String,
    pub note: String,
    pub last_contact_at: Option<DateTime<Utc>>,
}

/// A round's items: of one owner, or all (owner 0 = all), open ones first.
pub async fn items(db: &Db, review_id: i64, owner: Option<i64>) -> Result<Vec<ItemRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select i.customer_id, c.name as customer_name, c.grade, i.owner_staff_id, \
             s.display_name as owner_name, i.outcome, i.note, c.last_contact_at \
             from customer_review_items i join customers c on c.id = i.customer_id \
             left join staff s on s.id = i.owner_staff_id \
             where i.review_id = $1 and ($2 = 0 or i.owner_staff_id = $2) \
             order by case when i.outcome = 'open' then 0 else 1 end, c.name, c.id limit 5000",
        )
        .bind(review_id)
        .bind(owner.unwrap_or(0))
        .fetch_all(p)
        .await?
    }))
}

/// One salesperson's progress in a round.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = visits::ProgressRow)]
pub struct ProgressRow {
    pub owner_staff_id: Option<i64>,
    pub owner_name: Option<String>,
    pub confirmed: i64,
    pub archived: i64,
    pub open: i64,
}

pub async fn progress(db: &Db, review_id: i64) -> Result<Vec<ProgressRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select i.owner_staff_id, s.display_name as owner_name, \
             cast(sum(case when i.outcome = 'confirmed' then 1 else 0 end) as bigint) as confirmed, \
             cast(sum(case when i.outcome = 'archived' then 1 else 0 end) as bigint) as archived, \
             cast(sum(case when i.outcome = 'open' then 1 else 0 end) as bigint) as open \
             from customer_review_items i left join staff s on s.id = i.owner_staff_id \
             where i.review_id = $1 group by i.owner_staff_id, s.display_name \
             order by s.display_name",
        )
        .bind(review_id)
        .fetch_all(p)
        .await?
    }))
}

/// Items still open in the latest round: of one owner (0 = all).
pub async fn open_count(db: &Db, owner: i64) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from customer_review_items i \
             where i.outcome = 'open' and ($1 = 0 or i.owner_staff_id = $1) \
             and i.review_id = (select id from customer_reviews order by period desc, id desc limit 1)",
        )
        .bind(owner)
        .fetch_one(p)
        .await?
    }))
}

/// An item's owner and outcome, inside a write.
pub async fn item(
    tx: &mut Tx,
    review_id: i64,
    customer_id: i64,
) -> Result<Option<(Option<i64>, String)>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_as(
            "select owner_staff_id, outcome from customer_review_items where review_id = $1 and customer_id = $2",
        )
        .bind(review_id)
        .bind(customer_id)
        .fetch_optional(x)
        .await?
    }))
}

/// Settles an open item (guarded: false when it was settled already).
pub async fn settle(
    tx: &mut Tx,
    review_id: i64,
    customer_id: i64,
    outcome: &str,
    note: &str,
    by: i64,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customer_review_items set outcome = $1, note = $2, decided_by = $3, decided_at = $4 \
             where review_id = $5 and customer_id = $6 and outcome = 'open'",
        )
        .bind(outcome)
        .bind(note)
        .bind(by)
        .bind(ts(at))
        .bind(review_id)
        .bind(customer_id)
        .execute(x)
        .await?
        .rows_affected()
    }) == 1)
}

/// Archives or restores a customer (guarded on its current state); returns its owner when it
/// changed.
pub async fn set_customer_state(
    tx: &mut Tx,
    customer_id: i64,
    from: &str,
    to: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<Option<Option<i64>>, DbError> {
    let archived_at = (to == "archived").then(|| ts(at));
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "update customers set state = $1, archived_at = $2, archived_reason = $3 \
             where id = $4 and state = $5 returning owner_staff_id",
        )
        .bind(to)
        .bind(archived_at)
        .bind(reason)
        .bind(customer_id)
        .bind(from)
        .fetch_optional(x)
        .await?
    }))
}

/// A row of the owner history (`archived` or `restored`); the owner stays the same.
pub async fn owner_history(
    tx: &mut Tx,
    customer_id: i64,
    owner: Option<i64>,
    reason: &str,
    note: &str,
    by: i64,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |x| {
        sqlx::query(
            "insert into customer_owners (customer_id, from_staff_id, to_staff_id, reason, note, by_staff_id, at) \
             values ($1, $2, $2, $3, $4, $5, $6)",
        )
        .bind(customer_id)
        .bind(owner)
        .bind(reason)
        .bind(note)
        .bind(by)
        .bind(ts(at))
        .execute(x)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// A customer's owner and state, inside a write.
pub async fn customer(
    tx: &mut Tx,
    customer_id: i64,
) -> Result<Option<(Option<i64>, String)>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_as("select owner_staff_id, state from customers where id = $1")
            .bind(customer_id)
            .fetch_optional(x)
            .await?
    }))
}

/// Archived customers, most recently archived first (to restore one).
pub async fn archived(db: &Db, owner: Option<i64>) -> Result<Vec<ItemRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select c.id as customer_id, c.name as customer_name, c.grade, c.owner_staff_id, \
             s.display_name as owner_name, 'archived' as outcome, c.archived_reason as note, \
             c.last_contact_at from customers c left join staff s on s.id = c.owner_staff_id \
             where c.state = 'archived' and ($1 = 0 or c.owner_staff_id = $1) \
             order by c.archived_at desc, c.id desc limit 1000",
        )
        .bind(owner.unwrap_or(0))
        .fetch_all(p)
        .await?
    }))
}
