//! The audit log (SPEC A5): append-only, hash-chained, written in the same transaction as the
//! change it records.
//!
//! Use cases push entries with `tx.audit(ctx.audit(…).after(&x))`; the write path calls
//! `append` at the end of the request's work. The table refuses UPDATE and DELETE (triggers);
//! `verify` recomputes the chain and names the first broken link if a row was changed by hand.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use patron_core::audit::{AuditFields, ChainBreak, ChainVerifier, link_hash};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// One audit entry before it is chained.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    pub store_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
}

fn json<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

impl AuditEntry {
    pub fn store(mut self, store_id: i64) -> Self {
        self.store_id = Some(store_id);
        self
    }

    /// The state before the change (serialized as JSON). Never pass secrets or full personal
    /// data: pass the masked form.
    pub fn before<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.before = json(value);
        self
    }

    /// The state after the change (serialized as JSON).
    pub fn after<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.after = json(value);
        self
    }
}

/// The text form of a timestamp inside the chain.
pub fn chain_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Chains and stores the entries `tx` collected. Called by the write path only.
pub(crate) async fn append(tx: &mut Tx) -> Result<(), DbError> {
    let entries = tx.take_audit();
    if entries.is_empty() {
        return Ok(());
    }
    // Updating the head row first takes its lock on PostgreSQL: concurrent appends queue here.
    let (mut seq, mut prev): (i64, String) = on_tx!(tx, |c| {
        sqlx::query_as(
            "update audit_head set last_seq = last_seq where id = 1 returning last_seq, last_hash",
        )
        .fetch_one(c)
        .await
    })?;
    for e in &entries {
        seq += 1;
        let at = crate::kernel::db::ts(e.at);
        let at_text = chain_time(at);
        let hash = link_hash(
            &prev,
            &AuditFields {
                seq,
                at: &at_text,
                actor_kind: &e.actor_kind,
                actor_id: e.actor_id,
                actor_name: &e.actor_name,
                action: &e.action,
                entity_kind: &e.entity_kind,
                entity_id: &e.entity_id,
                store_id: e.store_id,
                before: e.before.as_deref(),
                after: e.after.as_deref(),
                request_id: e.request_id.as_deref(),
            },
        );
        on_tx!(tx, |c| {
            sqlx::query(
                "insert into audit_log (seq, at, actor_kind, actor_id, actor_name, action, \
                 entity_kind, entity_id, store_id, before, after, request_id, prev_hash, hash) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(seq)
            .bind(at)
            .bind(&e.actor_kind)
            .bind(e.actor_id)
            .bind(&e.actor_name)
            .bind(&e.action)
            .bind(&e.entity_kind)
            .bind(&e.entity_id)
            .bind(e.store_id)
            .bind(&e.before)
            .bind(&e.after)
            .bind(&e.request_id)
            .bind(&prev)
            .bind(&hash)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
        prev = hash;
    }
    on_tx!(tx, |c| {
        sqlx::query("update audit_head set last_seq = $1, last_hash = $2 where id = 1")
            .bind(seq)
            .bind(&prev)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A stored audit entry.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    pub store_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

const COLUMNS: &str = "seq, at, actor_kind, actor_id, actor_name, action, entity_kind, entity_id, \
                       store_id, before, after, request_id, prev_hash, hash";

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub verified: i64,
    pub broken: Option<ChainBreak>,
}

/// Recomputes the whole chain, stopping at the first broken link.
pub async fn verify(db: &Db) -> Result<VerifyReport, DbError> {
    // The head first, then the rows up to it: entries appended meanwhile are not part of this
    // check and cannot make a healthy chain look broken.
    let (last_seq, last_hash): (i64, String) = on_db!(db, |p| {
        sqlx::query_as("select last_seq, last_hash from audit_head where id = 1")
            .fetch_one(p)
            .await?
    });
    let sql = format!("select {COLUMNS} from audit_log where seq <= $1 order by seq");
    let mut verifier = ChainVerifier::new();
    let mut check = |r: AuditRow| {
        let at = chain_time(r.at);
        verifier.push(
            &AuditFields {
                seq: r.seq,
                at: &at,
                actor_kind: &r.actor_kind,
                actor_id: r.actor_id,
                actor_name: &r.actor_name,
                action: &r.action,
                entity_kind: &r.entity_kind,
                entity_id: &r.entity_id,
                store_id: r.store_id,
                before: r.before.as_deref(),
                after: r.after.as_deref(),
                request_id: r.request_id.as_deref(),
            },
            &r.prev_hash,
            &r.hash,
        )
    };
    let broken: Option<ChainBreak> = on_db!(db, |p| {
        let mut rows = sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql.clone()))
            .bind(last_seq)
            .fetch(p);
        let mut broken = None;
        while let Some(row) = rows.try_next().await? {
            if let Err(b) = check(row) {
                broken = Some(b);
                break;
            }
        }
        broken
    });
    let verified = verifier.verified();
    if broken.is_some() {
        return Ok(VerifyReport { verified, broken });
    }
    // Rows deleted from the end leave the head pointing past the last row.
    let broken = if last_seq != verified {
        Some(ChainBreak::SeqGap {
            expected: verified + 1,
            found: last_seq,
        })
    } else if last_seq > 0 && verifier_hash_mismatch(db, last_seq, &last_hash).await? {
        Some(ChainBreak::BadLink { seq: last_seq })
    } else {
        None
    };
    Ok(VerifyReport { verified, broken })
}

async fn verifier_hash_mismatch(db: &Db, seq: i64, head_hash: &str) -> Result<bool, DbError> {
    let hash: String = on_db!(db, |p| {
        sqlx::query_scalar("select hash from audit_log where seq = $1")
            .bind(seq)
            .fetch_one(p)
            .await?
    });
    Ok(hash != head_hash)
}

/// Filters for reading the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity_kind: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// One page of the audit log, newest first.
pub async fn list(
    db: &Db,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<AuditRow>, i64), DbError> {
    // The filters become `$n` placeholders in order; both backends accept them.
    let mut clauses = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if filter.actor.is_some() {
        clauses.push(format!("actor_name = {}", next()));
    }
    if filter.entity_kind.is_some() {
        clauses.push(format!("entity_kind = {}", next()));
    }
    if filter.entity_id.is_some() {
        clauses.push(format!("entity_id = {}", next()));
    }
    if filter.from.is_some() {
        clauses.push(format!("at >= {}", next()));
    }
    if filter.until.is_some() {
        clauses.push(format!("at < {}", next()));
    }
    let filter_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" where {}", clauses.join(" and "))
    };
    let page_sql = format!(
        "select {COLUMNS} from audit_log{filter_sql} order by seq desc limit {limit} offset {offset}"
    );
    let count_sql = format!("select cast(count(*) as bigint) from audit_log{filter_sql}");
    macro_rules! bind_filters {
        ($q:expr) => {{
            let mut q = $q;
            if let Some(v) = &filter.actor {
                q = q.bind(v.clone());
            }
            if let Some(v) = &filter.entity_kind {
                q = q.bind(v.clone());
            }
            if let Some(v) = &filter.entity_id {
                q = q.bind(v.clone());
            }
            if let Some(v) = filter.from {
                q = q.bind(v);
            }
            if let Some(v) = filter.until {
                q = q.bind(v);
            }
            q
        }};
    }
    let rows = on_db!(db, |p| {
        bind_filters!(sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(
            page_sql.clone()
        )))
        .fetch_all(p)
        .await?
    });
    let total: i64 = on_db!(db, |p| {
        bind_filters!(sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone())))
            .fetch_one(p)
            .await?
    });
    Ok((rows, total))
}

/// The names of everyone who appears in the log (for the filter's choices).
pub async fn actors(db: &Db) -> Result<Vec<String>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select distinct actor_name from audit_log order by actor_name")
            .fetch_all(p)
            .await?
    }))
}
