//! Sales (E4–E6, E12): the buyer is recorded in the confidential customer register; a cash sale
//! hands over stamped vouchers at once (date seal); a cheque or transfer sale reserves them until
//! the money has arrived (three days by default) or a counter-deposit slip is shown; a bounced
//! cheque returns them to stock. The prepaid-card rules are checked before anything is written.
//! Money received goes into the cash journal and is paid in to finance with a deposit slip.

use std::sync::Arc;

use chrono::{Days, NaiveDate};
use patron_core::vouchers::{Movement, Payment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Link, Move};
use super::{GroupBuyError, payment_zh, staff_id};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx};
use crate::kernel::validation::Invalid;

mod prepare;

pub use super::cheques::{BounceIn, ReleaseIn, bounce, release};
pub use super::deposits::{DepositIn, DepositRow, deposit, deposit_sales, deposits, get_deposit};
pub use super::register::{RegisterLine, register, register_with_phones, reveal_phone};
pub use super::store::sales::{SaleLineRow, SaleRow, get, lines, list};
pub use prepare::{Prepared, PreparedLine, SaleCheck, check, prepare};

/// The three seals a cash sale's vouchers must carry (E5: 人名章, 活动章, 日期章), each ticked by
/// the clerk after looking at the vouchers handed over.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = groupbuy::SealsIn)]
pub struct SealsIn {
    /// 人名章: the finance manager's name seal.
    #[serde(default)]
    pub name: bool,
    /// 活动章: the activity seal, stamped when the vouchers were received.
    #[serde(default)]
    pub activity: bool,
    /// 日期章: the date seal, stamped at the sale.
    #[serde(default)]
    pub date: bool,
}

impl SealsIn {
    pub fn all(self) -> bool {
        self.name && self.activity && self.date
    }
}

/// The buyer, as the clerk records them (客户资料登记表).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BuyerIn {
    /// `organisation` or `person`.
    pub kind: String,
    #[serde(default)]
    pub organisation: String,
    pub contact: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = groupbuy::SaleLineIn)]
pub struct LineIn {
    /// Serial ranges, e.g. `00010001-00010100`.
    pub range: String,
    /// A changed face value in yuan (empty: the printed one).
    #[serde(default)]
    pub face_value: String,
    /// Why the face value was changed (required when it was).
    #[serde(default)]
    pub change_reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "buyer": {
        "kind": "organisation",
        "organisation": "上海明远科技有限公司",
        "contact": "王磊",
        "phone": "13812345678"
    },
    "payment": "cash",
    "lines": [
        {
            "range": "00010001-00010010",
            "face_value": "",
            "change_reason": ""
        }
    ],
    "counted": "500.00",
    "seals": {"name": true, "activity": true, "date": true},
    "request_key": "desk-20260925-0001"
})))]
pub struct SaleIn {
    pub store_code: String,
    /// An existing buyer, or `buyer` for a new one.
    #[serde(default)]
    pub buyer_id: Option<i64>,
    #[serde(default)]
    pub buyer: Option<BuyerIn>,
    /// `cash`, `cheque`, `transfer` (`credit_card` is refused, E12).
    pub payment: String,
    pub lines: Vec<LineIn>,
    #[serde(default)]
    pub cheque_no: String,
    #[serde(default)]
    pub bank: String,
    /// The paying account (E12: transfer and cheque payments).
    #[serde(default)]
    pub account_name: String,
    #[serde(default)]
    pub account_no: String,
    /// The buyer's real name and ID (E12: ¥10,000 or more, or named vouchers).
    #[serde(default)]
    pub real_name: String,
    #[serde(default)]
    pub id_number: String,
    /// Cash (E5): the amount the clerk counted, in yuan (`5000`, `5,000.00`, full-width digits
    /// accepted); it must equal the vouchers' total.
    #[serde(default)]
    pub counted: String,
    /// Cash (E5): the three seals checked on the vouchers handed over; all three are needed.
    #[serde(default)]
    pub seals: SealsIn,
    /// A key the desk sends once per sale; a repeat with the same key answers the first sale.
    #[serde(default)]
    pub request_key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SaleOut {
    pub sale_id: i64,
    pub sale_no: String,
    /// `sold` (cash) or `reserved` (waiting for the cheque or transfer).
    pub state: String,
    pub count: i64,
    pub amount_fen: i64,
    /// When a cheque is expected to have cleared.
    pub due_on: Option<NaiveDate>,
}

/// Records a sale. Cash: vouchers sold now. Cheque or transfer: vouchers reserved until
/// `release`. All ranges move or none does.
pub async fn sell(ctx: &Ctx, input: &SaleIn) -> Result<SaleOut, GroupBuyError> {
    let prepared = prepare(ctx, input).await?;
    if let Some(key) = &prepared.request_key
        && let Some(out) = by_request_key(ctx.db(), key).await?
    {
        return Ok(out);
    }
    let settings = ctx
        .app
        .cache
        .get::<crate::areas::groupbuy::settings::GroupBuySettings>(ctx.db())
        .await?;
    let clear_days = u64::try_from(settings.row.cheque_clear_days).unwrap_or(3);
    let phone = prepared
        .buyer
        .as_ref()
        .map(|(_, _, _, p)| (ctx.app.pii.encrypt(p), ctx.app.pii.lookup("buyer_phone", p)));
    let id_enc = prepared
        .id_number
        .as_ref()
        .map(|n| ctx.app.pii.encrypt(n.as_str()));
    let req = Arc::new((ctx.clone(), prepared, phone, id_enc));
    let result = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, p, phone, id_enc) = &*req;
                write_sale(c, tx, p, phone.as_ref(), id_enc.as_deref(), clear_days).await
            })
        })
        .await;
    match result {
        Err(GroupBuyError::AlreadyRecorded) => {
            let key = input.request_key.trim();
            by_request_key(ctx.db(), key)
                .await?
                .ok_or(GroupBuyError::Conflict("sale already recorded".into()))
        }
        other => other,
    }
}

async fn write_sale(
    c: &Ctx,
    tx: &mut Tx,
    p: &Prepared,
    phone: Option<&(String, String)>,
    id_enc: Option<&str>,
    clear_days: u64,
) -> Result<SaleOut, GroupBuyError> {
    let now = c.now();
    let day = c.today_at(&p.store);
    store::ensure_open(tx, p.store.id, day).await?;
    let buyer_id = match (p.buyer_id, &p.buyer) {
        (Some(id), _) => id,
        (None, Some((kind, org, contact, _))) => {
            let buyer = store::sales::NewBuyer {
                kind: kind.code(),
                organisation: org,
                contact,
                phone,
                created_at: now,
                created_by: staff_id(c),
            };
            store::sales::insert_buyer(tx, &buyer).await?
        }
        (None, None) => return Err(Invalid::one("buyer", "invalid.required").into()),
    };
    let cash = p.payment == Payment::Cash;
    let state = if cash { "sold" } else { "reserved" };
    let due_on = match p.payment {
        Payment::Cheque => day.checked_add_days(Days::new(clear_days)),
        Payment::Transfer => Some(day),
        _ => None,
    };
    // The sale's number is taken last (below): its counter row is shared by every desk of the
    // store, so it is locked only for the end of this transaction, not while ranges move.
    let pending_no = format!("pending-{}", uuid::Uuid::new_v4());
    let sale_id = store::sales::insert_sale(
        tx,
        &store::sales::NewSale {
            sale_no: &pending_no,
            store_id: p.store.id,
            buyer_id,
            buyer_kind: p.buyer_kind.code(),
            payment: p.payment.code(),
            state,
            count: p.count,
            amount_fen: p.amount,
            biz_date: day,
            expires_on: p.expires_on,
            cheque_no: &p.cheque_no,
            bank: &p.bank,
            account_name: &p.account_name,
            account_no: &p.account_no,
            due_on,
            released_at: cash.then_some(now),
            released_by: if cash { staff_id(c) } else { None },
            released_on: cash.then_some(day),
            release_reason: cash.then_some("cash"),
            real_name: &p.real_name,
            id_number_enc: id_enc,
            counted_fen: p.counted,
            seals_checked: p.seals_checked,
            request_key: p.request_key.as_deref(),
            created_by: staff_id(c).unwrap_or(0),
            created_at: now,
        },
    )
    .await
    .map_err(super::on_duplicate)?;
    move_lines(c, tx, p, sale_id, day).await?;
    let sale_no = crate::kernel::docno::doc_no(tx, "TG", &p.store.code, day).await?;
    store::sales::set_sale_no(tx, sale_id, &sale_no).await?;
    book(c, tx, p, sale_id, &sale_no, day).await?;
    Ok(SaleOut {
        sale_id,
        sale_no,
        state: state.into(),
        count: p.count,
        amount_fen: p.amount,
        due_on,
    })
}

/// Moves every line's range into the sale (sold, or reserved for a cheque or transfer) and
/// stores the lines.
async fn move_lines(
    c: &Ctx,
    tx: &mut Tx,
    p: &Prepared,
    sale_id: i64,
    day: NaiveDate,
) -> Result<(), GroupBuyError> {
    let movement = if p.payment == Payment::Cash {
        Movement::Sell
    } else {
        Movement::Reserve
    };
    for (i, l) in p.lines.iter().enumerate() {
        let field = format!("lines[{i}].range");
        let moved = store::move_range(
            tx,
            &Move {
                movement,
                range: l.range,
                field: &field,
                held_by: Some(p.store.id),
                requisition: None,
                of_sale: None,
                link: Link::Sale(sale_id),
                face_value: l.face_value,
                store_id: Some(p.store.id),
                doc_kind: "sale",
                doc_id: sale_id,
                staff_id: staff_id(c),
                at: c.now(),
                biz_date: day,
                note: &l.reason,
            },
        )
        .await?;
        // The face values were read before the write; they must still be what was priced.
        if moved.amount_fen != l.amount {
            return Err(GroupBuyError::Conflict(format!(
                "the face values of {} changed while the sale was entered; enter it again",
                l.range
            )));
        }
        let line = store::sales::NewLine {
            line_no: i64::try_from(i).unwrap_or(0) + 1,
            range: l.range,
            series_face_fen: l.series_face,
            face_value_fen: l.face_value.unwrap_or(l.series_face),
            amount_fen: l.amount,
            change_reason: &l.reason,
        };
        store::sales::insert_line(tx, sale_id, &line).await?;
    }
    Ok(())
}

/// The sale's line in the cash journal, and its audit entry.
async fn book(
    c: &Ctx,
    tx: &mut Tx,
    p: &Prepared,
    sale_id: i64,
    sale_no: &str,
    day: NaiveDate,
) -> Result<(), GroupBuyError> {
    let cash = p.payment == Payment::Cash;
    store::journal(
        tx,
        &store::JournalLine {
            store_id: p.store.id,
            at: c.now(),
            biz_date: day,
            kind: "sale",
            // The cash journal holds cash: a cheque or transfer is noted with its amount but
            // is not cash on hand (it is listed under 待到帐支票 until it clears).
            summary: if cash {
                format!(
                    "售券 现金 {} 张（已付券；点收 ¥{}，三章齐全）",
                    p.count,
                    super::yuan(p.counted.unwrap_or(p.amount))
                )
            } else {
                format!(
                    "售券 {} {} 张 ¥{}（待到帐，不计入现金）",
                    payment_zh(p.payment),
                    p.count,
                    super::yuan(p.amount)
                )
            },
            doc_no: sale_no,
            vouchers: if cash { -p.count } else { 0 },
            debit_fen: if cash { p.amount } else { 0 },
            credit_fen: 0,
            staff_id: staff_id(c),
        },
    )
    .await?;
    tx.audit(
        c.audit("groupbuy.sale", "gb_sale", sale_id)
            .store(p.store.id)
            .after(&serde_json::json!({
                "sale_no": sale_no, "payment": p.payment.code(), "count": p.count, "amount_fen": p.amount,
                "counted_fen": p.counted, "seals_checked": p.seals_checked,
                "ranges": p.lines.iter().map(|l| l.range.to_string()).collect::<Vec<_>>(),
            })),
    );
    Ok(())
}

async fn by_request_key(db: &Db, key: &str) -> Result<Option<SaleOut>, DbError> {
    let row = store::sales::by_request_key(db, key).await?;
    Ok(row.map(
        |(sale_id, sale_no, state, count, amount_fen, due_on)| SaleOut {
            sale_id,
            sale_no,
            state,
            count,
            amount_fen,
            due_on,
        },
    ))
}
