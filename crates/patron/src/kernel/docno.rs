//! Document numbers: one counter per document kind and scope (`doc_counters`), and the
//! department's numbering `{prefix}{store}{yyyymmdd}-{nnn}` on it (sales TG, requisitions QS,
//! deposits JZ, rebates FK, reward slips FL). Taken inside the write that creates the document,
//! so a number is never given twice nor skipped by a failed write.

use chrono::NaiveDate;

use super::db::{DbError, Tx};
use crate::on_tx;

/// The next number of a document kind within a scope (e.g. sales of one store and day).
pub async fn next_number(tx: &mut Tx, kind: &str, scope: &str) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into doc_counters (kind, scope, n) values ($1, $2, 1) \
             on conflict (kind, scope) do update set n = doc_counters.n + 1 returning n",
        )
        .bind(kind)
        .bind(scope)
        .fetch_one(c)
        .await?
    }))
}

/// A document number: `{prefix}{store}{yyyymmdd}-{nnn}`, e.g. `TGHQ20261122-001`.
pub async fn doc_no(
    tx: &mut Tx,
    prefix: &str,
    store_code: &str,
    date: NaiveDate,
) -> Result<String, DbError> {
    let scope = format!("{store_code}:{date}");
    let n = next_number(tx, prefix, &scope).await?;
    Ok(format!(
        "{prefix}{store_code}{}-{n:03}",
        date.format("%Y%m%d")
    ))
}
