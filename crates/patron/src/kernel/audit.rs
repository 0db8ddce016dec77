//! The audit log (SPEC A5): append-only, hash-chained, written in the same transaction as the
//! change it records.
//!
//! Use cases push entries with `tx.audit(ctx.audit(…).after(&x))`; the write path appends them
//! at the end of the request's work (`db/audit.rs`). The table refuses UPDATE and DELETE (triggers);
//! `verify` recomputes the chain and names the first broken link if a row was changed by hand.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use patron_core::audit::{AuditFields, ChainBreak, ChainVerifier};
use serde::Serialize;

pub use crate::kernel::db::audit::{AuditEntry, chain_time};
use crate::kernel::db::{Db, DbError};
use crate::on_db;

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
