//! Money and records after sales: the internal deposit slip (内部进帐单, E5–E6) that pays the
//! takings in to finance, and the confidential customer register (客户资料登记表, E4).

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::Permission;
use patron_core::vouchers::Payment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sales::{SALE_COLUMNS, SaleRow, lines, list, payment_zh};
use super::store;
use super::{GroupBuyError, staff_id, store_at, today};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, ts};
use crate::kernel::validation::Invalid;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"store_code": "HQ", "kind": "cash"})))]
pub struct DepositIn {
    pub store_code: String,
    /// `cash` or `cheque`.
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct DepositRow {
    pub id: i64,
    pub deposit_no: String,
    pub store_id: i64,
    pub biz_date: NaiveDate,
    pub kind: String,
    pub amount_fen: i64,
    pub sales: i64,
    pub created_at: DateTime<Utc>,
}

/// The internal deposit slip (内部进帐单): every sale of this payment kind not yet paid in,
/// paid in to finance now. Cheques are paid in on the day of sale, before they clear.
pub async fn deposit(ctx: &Ctx, input: &DepositIn) -> Result<DepositRow, GroupBuyError> {
    let store = store_at(ctx, &input.store_code, Permission::SellVouchers).await?;
    let kinds: &'static [&'static str] = match input.kind.trim() {
        "cash" => &["cash"],
        "cheque" => &["cheque", "transfer"],
        _ => return Err(Invalid::one("kind", "invalid.choice").into()),
    };
    let kind = if kinds[0] == "cash" { "cash" } else { "cheque" };
    let c = ctx.clone();
    let id = ctx
        .db()
        .write(move |tx| {
            let (c, store) = (c.clone(), store.clone());
            Box::pin(async move {
                let now = c.now();
                let day = today(&c, &store);
                let list = kinds.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
                let sql = format!(
                    "select count(*), cast(coalesce(sum(amount_fen), 0) as bigint) from gb_sales \
                     where store_id = $1 and deposit_id is null and state <> 'bounced' and payment in ({list})"
                );
                let (n, amount): (i64, i64) = on_tx!(tx, |x| {
                    sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                        .bind(store.id)
                        .fetch_one(x)
                        .await?
                });
                if n == 0 {
                    return Err(Invalid::one("kind", "invalid.nothing_to_deposit").into());
                }
                let no = store::doc_no(tx, "JZ", &store.code, day).await?;
                let id: i64 = on_tx!(tx, |x| {
                    sqlx::query_scalar(
                        "insert into gb_deposits (deposit_no, store_id, biz_date, kind, amount_fen, sales, created_by, created_at) \
                         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
                    )
                    .bind(&no)
                    .bind(store.id)
                    .bind(day)
                    .bind(kind)
                    .bind(amount)
                    .bind(n)
                    .bind(staff_id(&c).unwrap_or(0))
                    .bind(ts(now))
                    .fetch_one(x)
                    .await?
                });
                let upd = format!(
                    "update gb_sales set deposit_id = $1 where store_id = $2 and deposit_id is null \
                     and state <> 'bounced' and payment in ({list})"
                );
                let moved = on_tx!(tx, |x| {
                    sqlx::query(sqlx::AssertSqlSafe(upd.clone()))
                        .bind(id)
                        .bind(store.id)
                        .execute(x)
                        .await
                        .map(|r| r.rows_affected())
                })?;
                if i64::try_from(moved).unwrap_or(0) != n {
                    return Err(GroupBuyError::Conflict("sales changed while depositing".into()));
                }
                store::journal(
                    tx,
                    &store::JournalLine {
                        store_id: store.id,
                        at: now,
                        biz_date: day,
                        kind: "deposit",
                        summary: format!("内部进帐单 {} 交财务 {n} 笔", if kind == "cash" { "现金" } else { "支票" }),
                        doc_no: &no,
                        vouchers: 0,
                        debit_fen: 0,
                        credit_fen: amount,
                        staff_id: staff_id(&c),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("groupbuy.deposit", "gb_deposit", id)
                        .store(store.id)
                        .after(&serde_json::json!({ "deposit_no": no, "amount_fen": amount, "sales": n })),
                );
                Ok::<_, GroupBuyError>(id)
            })
        })
        .await?;
    get_deposit(ctx.db(), id)
        .await?
        .ok_or(GroupBuyError::NotFound)
}

pub async fn get_deposit(db: &Db, id: i64) -> Result<Option<DepositRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, deposit_no, store_id, biz_date, kind, amount_fen, sales, created_at from gb_deposits where id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?
    }))
}

pub async fn deposits(db: &Db, store_id: i64) -> Result<Vec<DepositRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, deposit_no, store_id, biz_date, kind, amount_fen, sales, created_at from gb_deposits \
             where store_id = $1 order by id desc limit 500",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}

pub async fn deposit_sales(db: &Db, deposit_id: i64) -> Result<Vec<SaleRow>, DbError> {
    let sql = format!("select {SALE_COLUMNS} where s.deposit_id = $1 order by s.id");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(deposit_id)
            .fetch_all(p)
            .await?
    }))
}

/// One line of the customer register (客户资料登记表, E4): date, organisation, contact, phone,
/// amount, payment, serials, expiry. Confidential: it needs its own permission.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterLine {
    pub date: NaiveDate,
    pub sale_no: String,
    pub organisation: String,
    pub contact: String,
    pub phone: String,
    pub amount_fen: i64,
    pub payment: String,
    pub state: String,
    pub serials: String,
    pub expires_on: NaiveDate,
}

/// The customer register of a store between two dates.
pub async fn register(
    ctx: &Ctx,
    store_code: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RegisterLine>, GroupBuyError> {
    let store = store_at(ctx, store_code, Permission::ViewBuyerRegister).await?;
    let rows = list(ctx.db(), store.id, None, from, to).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows.into_iter().rev() {
        let serials = lines(ctx.db(), r.id)
            .await?
            .iter()
            .map(|l| l.range().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let phone = r
            .phone_enc
            .as_deref()
            .and_then(|p| ctx.app.pii.decrypt(p).ok())
            .unwrap_or_default();
        out.push(RegisterLine {
            date: r.biz_date,
            sale_no: r.sale_no,
            organisation: r.organisation,
            contact: r.contact,
            phone,
            amount_fen: r.amount_fen,
            payment: Payment::from_code(&r.payment)
                .map(payment_zh)
                .unwrap_or_default()
                .to_string(),
            state: r.state,
            serials,
            expires_on: r.expires_on,
        });
    }
    Ok(out)
}
