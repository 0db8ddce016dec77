//! Idempotency keys of the partners API (`partner_request_keys`): claimed inside the write that
//! makes the record, settled with the record's id in the same write.

use chrono::{DateTime, Utc};

use crate::kernel::db::{DbError, Tx, ts};
use crate::on_tx;

async fn first(tx: &mut Tx, kind: &str, key: &str) -> Result<Option<Option<i64>>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "select entity_id from partner_request_keys where kind = $1 and request_key = $2",
        )
        .bind(kind)
        .bind(key)
        .fetch_optional(x)
        .await?
    }))
}

/// Claims `key` for a new record of `kind`: `None` when this write may go ahead, or the id the
/// first request with this key made. A twin running at the same time waits on the key's row
/// (PostgreSQL) and then reads the first one's id.
pub async fn claim(
    tx: &mut Tx,
    kind: &str,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbError> {
    if let Some(id) = first(tx, kind, key).await? {
        return Ok(id);
    }
    let claimed: Option<String> = on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into partner_request_keys (kind, request_key, created_at) values ($1, $2, $3) \
             on conflict (kind, request_key) do nothing returning request_key",
        )
        .bind(kind)
        .bind(key)
        .bind(ts(now))
        .fetch_optional(x)
        .await?
    });
    if claimed.is_some() {
        return Ok(None);
    }
    Ok(first(tx, kind, key).await?.flatten())
}

/// Notes the record a claimed key made.
pub async fn settle(tx: &mut Tx, kind: &str, key: &str, id: i64) -> Result<(), DbError> {
    on_tx!(tx, |x| {
        sqlx::query(
            "update partner_request_keys set entity_id = $3 where kind = $1 and request_key = $2",
        )
        .bind(kind)
        .bind(key)
        .bind(id)
        .execute(x)
        .await?
        .rows_affected()
    });
    Ok(())
}
