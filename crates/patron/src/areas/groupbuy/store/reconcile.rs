//! SQL of the month-end reconciliation: the month's figures from the movement ledger and the
//! documents, and the record both sides sign.

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::vouchers::VoucherState;
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

fn stock_sql() -> String {
    VoucherState::ALL
        .iter()
        .filter(|s| s.in_department_stock())
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The department's stock count at the end of `day`, from the movement ledger.
pub async fn stock_at(db: &Db, store_id: i64, day: NaiveDate) -> Result<i64, DbError> {
    let stock = stock_sql();
    let sql = format!(
        "select cast(coalesce(sum(case when to_state in ({stock}) then count else 0 end), 0) \
         - coalesce(sum(case when from_state in ({stock}) then count else 0 end), 0) as bigint) \
         from voucher_movements where store_id = $1 and biz_date <= $2 \
         and (to_state in ({stock})) <> (from_state in ({stock}))"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(day)
            .fetch_one(p)
            .await?
    }))
}

/// (movement kind, vouchers, amount) booked to a store between two dates.
pub async fn movement_kinds(
    db: &Db,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select kind, cast(sum(count) as bigint), cast(sum(amount_fen) as bigint) from voucher_movements \
             where store_id = $1 and biz_date between $2 and $3 group by kind",
        )
        .bind(store_id)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// A sale line with a changed face value: sale number, first and last serial, count, printed
/// face, sold-at face, reason.
pub type FaceChangeRow = (String, i64, i64, i64, i64, i64, String);

/// The lines of sales handed out between two dates whose face value was changed.
pub async fn face_changes(
    db: &Db,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<FaceChangeRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.sale_no, l.first_serial, l.last_serial, l.count, l.series_face_fen, l.face_value_fen, \
             l.change_reason from gb_sale_lines l join gb_sales s on s.id = l.sale_id \
             where s.store_id = $1 and s.state = 'sold' and s.released_on between $2 and $3 \
             and l.change_reason <> '' order by s.id, l.line_no",
        )
        .bind(store_id)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// (rebate number, reconciliation number, rebate) of the slips paid between two dates.
pub async fn paid_slips(
    db: &Db,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, Option<String>, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select rebate_no, recon_no, rebate_fen from gb_rebates \
             where store_id = $1 and state = 'paid' and paid_on between $2 and $3 order by id",
        )
        .bind(store_id)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// (payment, sales, amount) of the sales handed out between two dates.
pub async fn by_payment(
    db: &Db,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select payment, count(*), cast(sum(amount_fen) as bigint) from gb_sales \
             where store_id = $1 and state = 'sold' and released_on between $2 and $3 \
             group by payment order by payment",
        )
        .bind(store_id)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// What the deposit slips between two dates paid in.
pub async fn deposited(
    db: &Db,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(coalesce(sum(amount_fen), 0) as bigint) from gb_deposits \
             where store_id = $1 and biz_date between $2 and $3",
        )
        .bind(store_id)
        .bind(from)
        .bind(to)
        .fetch_one(p)
        .await?
    }))
}

/// A month's reconciliation record.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct ReconRow {
    pub id: i64,
    pub store_id: i64,
    pub month: String,
    pub figures: String,
    pub dept_signed_by: Option<i64>,
    pub dept_signed_at: Option<DateTime<Utc>>,
    pub finance_signed_by: Option<i64>,
    pub finance_signed_at: Option<DateTime<Utc>>,
    pub closed: bool,
}

pub async fn get(db: &Db, store_id: i64, month: &str) -> Result<Option<ReconRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, store_id, month, figures, dept_signed_by, dept_signed_at, finance_signed_by, \
             finance_signed_at, closed from gb_reconciliations where store_id = $1 and month = $2",
        )
        .bind(store_id)
        .bind(month)
        .fetch_optional(p)
        .await?
    }))
}

pub async fn list(db: &Db, store_id: i64) -> Result<Vec<ReconRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, store_id, month, figures, dept_signed_by, dept_signed_at, finance_signed_by, \
             finance_signed_at, closed from gb_reconciliations where store_id = $1 order by month desc",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}

/// A signature: who signed, when.
#[derive(Debug, Clone, Copy)]
pub struct Signed {
    pub by: Option<i64>,
    pub at: DateTime<Utc>,
}

/// The department signs `figures` (again): 0 if the month is closed.
pub async fn sign_department(
    tx: &mut Tx,
    store_id: i64,
    month: &str,
    figures: &str,
    s: Signed,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "insert into gb_reconciliations (store_id, month, figures, dept_signed_by, dept_signed_at) \
             values ($1, $2, $3, $4, $5) on conflict (store_id, month) do update set \
             figures = excluded.figures, dept_signed_by = excluded.dept_signed_by, \
             dept_signed_at = excluded.dept_signed_at, finance_signed_by = null, finance_signed_at = null \
             where not gb_reconciliations.closed",
        )
        .bind(store_id)
        .bind(month)
        .bind(figures)
        .bind(s.by)
        .bind(ts(s.at))
        .execute(c)
        .await?
        .rows_affected()
    }))
}

/// Finance signs and closes the month, only if the department's `figures` and signer are still
/// the ones checked: 0 if not.
pub async fn sign_finance(
    tx: &mut Tx,
    store_id: i64,
    month: &str,
    (figures, dept): (&str, i64),
    s: Signed,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update gb_reconciliations set finance_signed_by = $1, finance_signed_at = $2, closed = true \
             where store_id = $3 and month = $4 and not closed and figures = $5 and dept_signed_by = $6",
        )
        .bind(s.by)
        .bind(ts(s.at))
        .bind(store_id)
        .bind(month)
        .bind(figures)
        .bind(dept)
        .execute(c)
        .await?
        .rows_affected()
    }))
}
