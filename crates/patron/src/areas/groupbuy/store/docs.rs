//! The department's cash journal and approval requests on documents.

use chrono::{DateTime, NaiveDate, Utc};

use crate::areas::groupbuy::GroupBuyError;
use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// One line of the department's cash journal (现金日记帐).
#[derive(Debug, Clone)]
pub struct JournalLine<'a> {
    pub store_id: i64,
    pub at: DateTime<Utc>,
    pub biz_date: NaiveDate,
    pub kind: &'a str,
    pub summary: String,
    pub doc_no: &'a str,
    pub vouchers: i64,
    pub debit_fen: i64,
    pub credit_fen: i64,
    pub staff_id: Option<i64>,
}

pub async fn journal(tx: &mut Tx, l: &JournalLine<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into gb_journal (store_id, at, biz_date, kind, summary, doc_no, vouchers, debit_fen, credit_fen, staff_id) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(l.store_id)
        .bind(ts(l.at))
        .bind(l.biz_date)
        .bind(l.kind)
        .bind(&l.summary)
        .bind(l.doc_no)
        .bind(l.vouchers)
        .bind(l.debit_fen)
        .bind(l.credit_fen)
        .bind(l.staff_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A journal line as shown, with the running balance.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct JournalRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub biz_date: NaiveDate,
    pub kind: String,
    pub summary: String,
    pub doc_no: String,
    pub vouchers: i64,
    pub debit_fen: i64,
    pub credit_fen: i64,
    #[sqlx(default)]
    pub balance_fen: i64,
}

/// The journal of a store between two dates, each line with the balance after it.
pub async fn journal_between(
    db: &Db,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(i64, Vec<JournalRow>), DbError> {
    let opening: i64 = on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(coalesce(sum(debit_fen - credit_fen), 0) as bigint) from gb_journal \
             where store_id = $1 and biz_date < $2",
        )
        .bind(store_id)
        .bind(from)
        .fetch_one(p)
        .await?
    });
    let mut rows: Vec<JournalRow> = on_db!(db, |p| {
        sqlx::query_as(
            "select id, at, biz_date, kind, summary, doc_no, vouchers, debit_fen, credit_fen from gb_journal \
             where store_id = $1 and biz_date between $2 and $3 order by id",
        )
        .bind(store_id)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    });
    let mut balance = opening;
    for r in &mut rows {
        balance += r.debit_fen - r.credit_fen;
        r.balance_fen = balance;
    }
    Ok((opening, rows))
}

/// Submits a document for approval and records the request on the document (in the same
/// transaction). `table` is one of the area's document tables.
pub async fn submit_for_approval(
    ctx: &crate::kernel::ctx::Ctx,
    tx: &mut Tx,
    table: &'static str,
    doc_id: i64,
    store_id: i64,
    kind: &str,
    summary: String,
) -> Result<i64, GroupBuyError> {
    let approval = crate::approvals::submit(
        ctx,
        tx,
        &crate::approvals::NewRequest {
            kind: kind.into(),
            store_id: Some(store_id),
            subject_kind: table.trim_end_matches('s').into(),
            subject_id: doc_id.to_string(),
            summary,
            payload: serde_json::json!({ "id": doc_id }),
            previous_id: None,
        },
    )
    .await?;
    let sql = format!("update {table} set approval_id = $1 where id = $2");
    on_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(approval.id)
            .bind(doc_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(approval.id)
}
