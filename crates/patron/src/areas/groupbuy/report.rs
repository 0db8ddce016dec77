//! The daily 17:00 report (每日17:00统计, E7): the day's sales with the serials handed out, as a
//! two-part notice to finance's general cashier (财务总收) and the tills (收银部), and the day's
//! cash journal. The job stores it at the configured time; the console shows it live at any time.

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::vouchers::SerialRange;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::GroupBuyError;
use super::store::{self, JournalRow};
use crate::jobs::RunReport;
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, ts};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportSale {
    pub sale_no: String,
    pub organisation: String,
    /// The payment's code (`cash`, `cheque`, `transfer`); pages show its label.
    pub payment: String,
    pub count: i64,
    pub amount_fen: i64,
    pub ranges: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DailyReport {
    pub store_code: String,
    pub store_name: String,
    pub date: NaiveDate,
    pub generated_at: DateTime<Utc>,
    /// Vouchers handed out today (cash sales and released cheques).
    pub sales: Vec<ReportSale>,
    pub count: i64,
    pub amount_fen: i64,
    /// Cheque and transfer sales taken by today whose money has not arrived (待到帐支票): not
    /// cash, so not in the journal's balance.
    pub reserved: Vec<ReportSale>,
    pub opening_balance_fen: i64,
    #[schema(value_type = Vec<Object>)]
    pub journal: Vec<JournalRow>,
    pub closing_balance_fen: i64,
    /// Cash of earlier business days not paid in by their day close (E5), as it stood when
    /// this day began; each says whether it has been paid in since.
    #[serde(default)]
    pub unpaid_cash: Vec<UnpaidDay>,
}

/// The cash sales of one business day not paid in to finance before that day closed (E5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnpaidDay {
    pub date: NaiveDate,
    pub sales: Vec<String>,
    pub amount_fen: i64,
    /// The deposit slip that paid them in late, and its date (none: still held).
    pub deposit_no: Option<String>,
    pub paid_on: Option<NaiveDate>,
}

/// Cash of business days before `day` not paid in by their day close, as it stood when `day`
/// began (E5: the cash is paid in to finance before the day closes). The morning after, the
/// desk and the supervisor see each such day until it is paid in.
pub async fn unpaid_cash(
    db: &Db,
    store_id: i64,
    day: NaiveDate,
) -> Result<Vec<UnpaidDay>, DbError> {
    let mut out: Vec<UnpaidDay> = Vec::new();
    for (sale_no, date, amount, deposit_no, paid_on) in
        store::deposits::late_cash(db, store_id, day).await?
    {
        match out
            .iter_mut()
            .find(|u| u.date == date && u.deposit_no == deposit_no)
        {
            Some(u) => {
                u.sales.push(sale_no);
                u.amount_fen += amount;
            }
            None => out.push(UnpaidDay {
                date,
                sales: vec![sale_no],
                amount_fen: amount,
                deposit_no,
                paid_on,
            }),
        }
    }
    Ok(out)
}

async fn sales_where(
    db: &Db,
    store_id: i64,
    day: NaiveDate,
    released: bool,
) -> Result<Vec<ReportSale>, DbError> {
    let rows = store::report::sales_of_day(db, store_id, day, released).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, sale_no, org, payment, count, amount_fen) in rows {
        let ranges = store::sales::lines(db, id)
            .await?
            .iter()
            .map(|l| SerialRange::new(l.first_serial, l.last_serial).to_string())
            .collect();
        out.push(ReportSale {
            sale_no,
            // The register is confidential: a person is not named on the notice.
            // (empty: a person; pages say so in their language)
            organisation: org,
            payment,
            count,
            amount_fen,
            ranges,
        });
    }
    Ok(out)
}

/// The report of a store's day, computed now.
pub async fn build(
    ctx: &Ctx,
    store: &StoreInfo,
    day: NaiveDate,
) -> Result<DailyReport, GroupBuyError> {
    let db = ctx.db();
    let sales = sales_where(db, store.id, day, true).await?;
    let reserved = sales_where(db, store.id, day, false).await?;
    let (opening, journal) = store::journal_between(db, store.id, day, day).await?;
    let closing = journal.last().map_or(opening, |j| j.balance_fen);
    let unpaid_cash = unpaid_cash(db, store.id, day).await?;
    Ok(DailyReport {
        store_code: store.code.clone(),
        store_name: store.name.clone(),
        date: day,
        generated_at: ctx.now(),
        count: sales.iter().map(|s| s.count).sum(),
        amount_fen: sales.iter().map(|s| s.amount_fen).sum(),
        sales,
        reserved,
        opening_balance_fen: opening,
        journal,
        closing_balance_fen: closing,
        unpaid_cash,
    })
}

/// The stored report of a day, if the job made one.
pub async fn stored(
    db: &Db,
    store_id: i64,
    day: NaiveDate,
) -> Result<Option<DailyReport>, DbError> {
    let text = store::report::stored(db, store_id, day).await?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// The job: for every active store, store the day's report (once per store and day).
pub async fn run(ctx: &Ctx, day: NaiveDate) -> Result<RunReport, GroupBuyError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let mut list: Vec<StoreInfo> = crate::areas::staff::store::list_stores(ctx.db())
        .await?
        .into_iter()
        .filter_map(|s| stores.by_id(s.id).cloned())
        .filter(|s| s.active)
        .collect();
    list.sort_by_key(|s| s.id);
    let mut report = RunReport::default();
    for store in list {
        report.seen += 1;
        let r = build(ctx, &store, day).await?;
        let json = serde_json::to_string(&r).unwrap_or_default();
        let now = ts(ctx.now());
        let n = ctx
            .db()
            .write(move |tx| {
                let json = json.clone();
                Box::pin(async move { store::report::insert(tx, store.id, day, now, &json).await })
            })
            .await?;
        report.processed += n;
    }
    Ok(report)
}
