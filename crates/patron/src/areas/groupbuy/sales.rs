//! Sales (E4–E6, E12): the buyer is recorded in the confidential customer register; a cash sale
//! hands over stamped vouchers at once (date seal); a cheque or transfer sale reserves them until
//! the money has arrived (three days by default) or a counter-deposit slip is shown; a bounced
//! cheque returns them to stock. The prepaid-card rules are checked before anything is written.
//! Money received goes into the cash journal and is paid in to finance with a deposit slip.

use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, Utc};
use patron_core::Permission;
use patron_core::identity::{IdNumber, IdType};
use patron_core::money::Fen;
use patron_core::vouchers::{
    Breach, BuyerKind, Movement, Payment, SaleFacts, SerialRange, breaches,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Link, Move};
use super::{GroupBuyError, staff_id, store_at, today};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::kernel::validation::{Invalid, required_text};
use crate::{on_db, on_tx};

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

/// A checked sale, ready to write.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub store: StoreInfo,
    pub buyer_id: Option<i64>,
    pub buyer: Option<(BuyerKind, String, String, String)>,
    pub buyer_kind: BuyerKind,
    pub payment: Payment,
    pub lines: Vec<PreparedLine>,
    pub count: i64,
    pub amount: i64,
    pub expires_on: NaiveDate,
    pub cheque_no: String,
    pub bank: String,
    pub account_name: String,
    pub account_no: String,
    pub real_name: String,
    pub id_number: Option<IdNumber>,
    pub request_key: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PreparedLine {
    pub range: SerialRange,
    pub series_face: i64,
    pub face_value: Option<i64>,
    pub amount: i64,
    pub reason: String,
}

/// What the sale screen shows while the clerk types: the total and every rule broken so far.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SaleCheck {
    pub count: i64,
    pub amount_fen: i64,
    #[schema(schema_with = field_error_pairs)]
    pub field_errors: Vec<(String, String)>,
    pub rules: Vec<String>,
}

/// How the OpenAPI document shows `SaleCheck::field_errors` (a list of `(String, String)`): plain
/// arrays of two strings, without the boolean `items` schema many OpenAPI tools refuse.
fn field_error_pairs() -> utoipa::openapi::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ArrayBuilder::new()
                .items(ObjectBuilder::new().schema_type(Type::String))
                .min_items(Some(2))
                .max_items(Some(2))
                .description(Some("`[field, message key]`.")),
        )
        .description(Some(
            "Every bad field so far, each as `[field, message key]`, e.g. \
             `[\"lines[0].range\", \"invalid.required\"]`.",
        ))
        .build()
}

fn phone_ok(p: &str) -> bool {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (7..=20).contains(&p.len())
        && (7..=15).contains(&digits)
        && p.chars().all(|c| c.is_ascii_digit() || "-+ ()".contains(c))
}

/// Checks everything that can be checked without writing: fields, the ranges' existence and
/// face values, and the prepaid-card rules.
pub async fn prepare(ctx: &Ctx, input: &SaleIn) -> Result<Prepared, GroupBuyError> {
    let (prepared, broken) = assess(ctx, input).await?;
    if broken.is_empty() {
        Ok(prepared)
    } else {
        Err(GroupBuyError::Prepaid(broken))
    }
}

/// The checked sale and the prepaid-card rules it breaks.
async fn assess(ctx: &Ctx, input: &SaleIn) -> Result<(Prepared, Vec<Breach>), GroupBuyError> {
    let store = store_at(ctx, &input.store_code, Permission::SellVouchers).await?;
    let settings = ctx
        .app
        .cache
        .get::<crate::areas::groupbuy::settings::GroupBuySettings>(ctx.db())
        .await?;
    let mut bad = Invalid::new();
    let payment = bad.check(
        "payment",
        Payment::from_code(input.payment.trim()).ok_or("invalid.choice"),
    );
    let mut buyer_kind = None;
    let mut buyer = None;
    if let Some(id) = input.buyer_id {
        let kind: Option<String> = on_db!(ctx.db(), |p| {
            sqlx::query_scalar("select kind from gb_buyers where id = $1")
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        match kind.as_deref().and_then(BuyerKind::from_code) {
            Some(k) => buyer_kind = Some(k),
            None => bad.add("buyer_id", "invalid.not_found"),
        }
    } else {
        let b = input.buyer.clone().unwrap_or_default();
        let kind = bad.check(
            "buyer.kind",
            BuyerKind::from_code(b.kind.trim()).ok_or("invalid.choice"),
        );
        let org = b.organisation.trim().to_string();
        if kind == Some(BuyerKind::Organisation) && org.is_empty() {
            // E4: ask the buyer's organisation first.
            bad.add("buyer.organisation", "invalid.required");
        }
        if org.chars().count() > 100 {
            bad.add("buyer.organisation", "invalid.too_long");
        }
        let contact = bad.check("buyer.contact", required_text(&b.contact, 60));
        let phone = b.phone.trim().to_string();
        if !phone_ok(&phone) {
            bad.add("buyer.phone", "invalid.phone");
        }
        if let (Some(k), Some(contact)) = (kind, contact) {
            buyer_kind = Some(k);
            buyer = Some((k, org, contact, phone));
        }
    }
    let mut lines = Vec::new();
    let mut seen: Vec<SerialRange> = Vec::new();
    let (mut any_named, mut max_anon_face, mut anon_expiry) = (false, 0i64, None::<NaiveDate>);
    let mut expires_on = None::<NaiveDate>;
    for (i, l) in input.lines.iter().enumerate() {
        if l.range.trim().is_empty() {
            continue;
        }
        let field = format!("lines[{i}].range");
        let Some(ranges) = super::parse_ranges(&field, &l.range, &mut bad) else {
            continue;
        };
        let face_value = if l.face_value.trim().is_empty() {
            None
        } else {
            match Fen::parse_yuan(&l.face_value) {
                Ok(f) if f.0 > 0 && f.0 <= super::MAX_FACE_FEN => Some(f.0),
                _ => {
                    bad.add(&format!("lines[{i}].face_value"), "invalid.amount");
                    None
                }
            }
        };
        for r in ranges {
            if seen.iter().any(|s| s.overlaps(&r)) {
                bad.add(&field, "invalid.serial_range_overlap");
                continue;
            }
            seen.push(r);
            let facts = store::range_facts(ctx.db(), r).await?;
            let found: i64 = facts.iter().map(|f| f.count).sum();
            if found != r.count() {
                bad.add(&field, "invalid.serial_unknown");
                continue;
            }
            let (min_face, max_face) = (
                facts.iter().map(|f| f.min_face).min().unwrap_or(0),
                facts.iter().map(|f| f.max_face).max().unwrap_or(0),
            );
            // One printed face value per range, so a bounce can restore it and the month's
            // printed total is exact.
            if min_face != max_face {
                bad.add(&field, "invalid.mixed_face_values");
                continue;
            }
            for f in &facts {
                expires_on = Some(expires_on.map_or(f.expires_on, |e| e.min(f.expires_on)));
                if f.named {
                    any_named = true;
                } else {
                    max_anon_face = max_anon_face.max(face_value.unwrap_or(f.max_face));
                    anon_expiry = Some(anon_expiry.map_or(f.expires_on, |e| e.min(f.expires_on)));
                }
            }
            let reason = l.change_reason.trim().to_string();
            let changed = face_value.is_some_and(|v| v != min_face || min_face != max_face);
            if changed && reason.is_empty() {
                bad.add(&format!("lines[{i}].change_reason"), "invalid.required");
            }
            let amount =
                face_value.map_or(facts.iter().map(|f| f.face_sum).sum(), |v| v * r.count());
            lines.push(PreparedLine {
                range: r,
                series_face: min_face,
                face_value: face_value.filter(|_| changed),
                amount,
                reason: if changed { reason } else { String::new() },
            });
        }
    }
    if input.lines.iter().all(|l| l.range.trim().is_empty()) {
        bad.add("lines[0].range", "invalid.required");
    }
    let through_bank = payment.is_some_and(Payment::through_bank);
    if payment == Some(Payment::Cheque) && input.cheque_no.trim().is_empty() {
        bad.add("cheque_no", "invalid.required");
    }
    let real_name = input.real_name.trim().to_string();
    let id_number = if input.id_number.trim().is_empty() {
        None
    } else {
        bad.check(
            "id_number",
            IdNumber::parse(IdType::ResidentCard, &input.id_number)
                .or_else(|_| IdNumber::parse(IdType::Passport, &input.id_number)),
        )
    };
    bad.into_result()?;
    let (Some(payment), Some(buyer_kind)) = (payment, buyer_kind) else {
        return Err(Invalid::one("payment", "invalid.required").into());
    };
    let count: i64 = lines.iter().map(|l| l.range.count()).sum();
    let amount: i64 = lines.iter().map(|l| l.amount).sum();
    let day = today(ctx, &store);
    let facts = SaleFacts {
        buyer: buyer_kind,
        payment,
        amount: Fen(amount),
        any_named,
        has_real_name_and_id: !real_name.is_empty() && id_number.is_some(),
        has_paying_account: !input.account_name.trim().is_empty()
            && !input.account_no.trim().is_empty(),
        max_anonymous_face: Fen(max_anon_face),
        earliest_anonymous_expiry: anon_expiry,
        sale_date: day,
    };
    let broken = breaches(&settings.limits(), &facts);
    let bank_text = |s: &str| {
        if through_bank {
            s.trim().to_string()
        } else {
            String::new()
        }
    };
    let prepared = Prepared {
        store,
        buyer_id: input.buyer_id,
        buyer,
        buyer_kind,
        payment,
        lines,
        count,
        amount,
        expires_on: expires_on.unwrap_or(day),
        cheque_no: bank_text(&input.cheque_no),
        bank: bank_text(&input.bank),
        account_name: bank_text(&input.account_name),
        account_no: bank_text(&input.account_no),
        real_name,
        id_number,
        request_key: Some(input.request_key.trim().to_string()).filter(|k| !k.is_empty()),
    };
    Ok((prepared, broken))
}

/// The sale screen's live check: nothing is written.
pub async fn check(ctx: &Ctx, input: &SaleIn) -> Result<SaleCheck, GroupBuyError> {
    match assess(ctx, input).await {
        Ok((p, rules)) => Ok(SaleCheck {
            count: p.count,
            amount_fen: p.amount,
            rules: rules.iter().map(|b| b.rule.to_string()).collect(),
            ..Default::default()
        }),
        Err(GroupBuyError::Invalid(i)) => Ok(SaleCheck {
            field_errors: i
                .0
                .into_iter()
                .map(|e| (e.field, e.key.to_string()))
                .collect(),
            ..Default::default()
        }),
        Err(e) => Err(e),
    }
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
    let day = today(c, &p.store);
    store::ensure_open(tx, p.store.id, day).await?;
    let buyer_id = match (p.buyer_id, &p.buyer) {
        (Some(id), _) => id,
        (None, Some((kind, org, contact, _))) => on_tx!(tx, |x| {
            sqlx::query_scalar(
                "insert into gb_buyers (kind, organisation, contact, phone_enc, phone_hash, created_at, created_by) \
                 values ($1, $2, $3, $4, $5, $6, $7) returning id",
            )
            .bind(kind.code())
            .bind(org)
            .bind(contact)
            .bind(phone.map(|p| p.0.as_str()))
            .bind(phone.map(|p| p.1.as_str()))
            .bind(ts(now))
            .bind(staff_id(c))
            .fetch_one(x)
            .await?
        }),
        (None, None) => return Err(Invalid::one("buyer", "invalid.required").into()),
    };
    // The sale's number is taken last (below): its counter row is shared by every desk of the
    // store, so it is locked only for the end of this transaction, not while ranges move.
    let pending_no = format!("pending-{}", uuid::Uuid::new_v4());
    let cash = p.payment == Payment::Cash;
    let state = if cash { "sold" } else { "reserved" };
    let due_on = match p.payment {
        Payment::Cheque => day.checked_add_days(Days::new(clear_days)),
        Payment::Transfer => Some(day),
        _ => None,
    };
    let sale_id: i64 = on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into gb_sales (sale_no, store_id, buyer_id, buyer_kind, payment, state, count, amount_fen, \
             biz_date, expires_on, cheque_no, bank, account_name, account_no, due_on, released_at, released_by, \
             released_on, release_reason, real_name, id_number_enc, request_key, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
             $21, $22, $23, $24) returning id",
        )
        .bind(&pending_no)
        .bind(p.store.id)
        .bind(buyer_id)
        .bind(p.buyer_kind.code())
        .bind(p.payment.code())
        .bind(state)
        .bind(p.count)
        .bind(p.amount)
        .bind(day)
        .bind(p.expires_on)
        .bind(&p.cheque_no)
        .bind(&p.bank)
        .bind(&p.account_name)
        .bind(&p.account_no)
        .bind(due_on)
        .bind(cash.then(|| ts(now)))
        .bind(if cash { staff_id(c) } else { None })
        .bind(cash.then_some(day))
        .bind(cash.then_some("cash"))
        .bind(&p.real_name)
        .bind(id_enc)
        .bind(p.request_key.as_deref())
        .bind(staff_id(c).unwrap_or(0))
        .bind(ts(now))
        .fetch_one(x)
        .await
        .map_err(super::on_duplicate)?
    });
    let movement = if cash {
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
                at: now,
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
        on_tx!(tx, |x| {
            sqlx::query(
                "insert into gb_sale_lines (sale_id, line_no, first_serial, last_serial, count, series_face_fen, \
                 face_value_fen, amount_fen, change_reason) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(sale_id)
            .bind(i64::try_from(i).unwrap_or(0) + 1)
            .bind(l.range.first.0)
            .bind(l.range.last.0)
            .bind(l.range.count())
            .bind(l.series_face)
            .bind(l.face_value.unwrap_or(l.series_face))
            .bind(l.amount)
            .bind(&l.reason)
            .execute(x)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    let sale_no = store::doc_no(tx, "TG", &p.store.code, day).await?;
    on_tx!(tx, |x| {
        sqlx::query("update gb_sales set sale_no = $1 where id = $2")
            .bind(&sale_no)
            .bind(sale_id)
            .execute(x)
            .await
            .map(|r| r.rows_affected())
    })?;
    store::journal(
        tx,
        &store::JournalLine {
            store_id: p.store.id,
            at: now,
            biz_date: day,
            kind: "sale",
            summary: format!(
                "售券 {} {} 张 ({})",
                payment_zh(p.payment),
                p.count,
                if cash { "已付券" } else { "待支票到帐" }
            ),
            doc_no: &sale_no,
            vouchers: if cash { -p.count } else { 0 },
            debit_fen: p.amount,
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
                "ranges": p.lines.iter().map(|l| l.range.to_string()).collect::<Vec<_>>(),
            })),
    );
    Ok(SaleOut {
        sale_id,
        sale_no,
        state: state.into(),
        count: p.count,
        amount_fen: p.amount,
        due_on,
    })
}

pub fn payment_zh(p: Payment) -> &'static str {
    match p {
        Payment::Cash => "现金",
        Payment::Cheque => "转账支票",
        Payment::Transfer => "银行转账",
        Payment::CreditCard => "信用卡",
    }
}

async fn by_request_key(db: &Db, key: &str) -> Result<Option<SaleOut>, DbError> {
    let row: Option<(i64, String, String, i64, i64, Option<NaiveDate>)> = on_db!(db, |p| {
        sqlx::query_as(
            "select id, sale_no, state, count, amount_fen, due_on from gb_sales where request_key = $1",
        )
        .bind(key)
        .fetch_optional(p)
        .await?
    });
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

/// A sale as lists and print views show it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct SaleRow {
    pub id: i64,
    pub sale_no: String,
    pub store_id: i64,
    pub buyer_id: i64,
    pub organisation: String,
    pub contact: String,
    #[serde(skip)]
    pub phone_enc: Option<String>,
    pub buyer_kind: String,
    pub payment: String,
    pub state: String,
    pub count: i64,
    pub amount_fen: i64,
    pub biz_date: NaiveDate,
    pub expires_on: NaiveDate,
    pub cheque_no: Option<String>,
    pub bank: Option<String>,
    pub account_name: Option<String>,
    pub account_no: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub counter_slip_no: Option<String>,
    pub released_on: Option<NaiveDate>,
    pub release_reason: Option<String>,
    pub bounce_reason: Option<String>,
    pub real_name: Option<String>,
    pub deposit_id: Option<i64>,
    pub rebate_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

pub(super) const SALE_COLUMNS: &str = "s.id, s.sale_no, s.store_id, s.buyer_id, b.organisation, b.contact, b.phone_enc, \
     s.buyer_kind, s.payment, s.state, s.count, s.amount_fen, s.biz_date, s.expires_on, s.cheque_no, s.bank, \
     s.account_name, s.account_no, s.due_on, s.counter_slip_no, s.released_on, s.release_reason, \
     s.bounce_reason, s.real_name, s.deposit_id, s.rebate_id, s.created_at \
     from gb_sales s join gb_buyers b on b.id = s.buyer_id";

pub async fn get(db: &Db, id: i64) -> Result<Option<SaleRow>, DbError> {
    let sql = format!("select {SALE_COLUMNS} where s.id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// Sales of a store, newest first; `state` filters (`reserved` lists the cheques pending).
pub async fn list(
    db: &Db,
    store_id: i64,
    state: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SaleRow>, DbError> {
    let sql = format!(
        "select {SALE_COLUMNS} where s.store_id = $1 and ($2 = '' or s.state = $2) \
         and s.biz_date between $3 and $4 order by s.id desc limit 2000"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(state.unwrap_or(""))
            .bind(from)
            .bind(to)
            .fetch_all(p)
            .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct SaleLineRow {
    pub line_no: i64,
    pub first_serial: i64,
    pub last_serial: i64,
    pub count: i64,
    pub series_face_fen: i64,
    pub face_value_fen: i64,
    pub amount_fen: i64,
    pub change_reason: String,
}

impl SaleLineRow {
    pub fn range(&self) -> SerialRange {
        SerialRange::new(self.first_serial, self.last_serial)
    }
}

pub async fn lines(db: &Db, sale_id: i64) -> Result<Vec<SaleLineRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select line_no, first_serial, last_serial, count, series_face_fen, face_value_fen, amount_fen, \
             change_reason from gb_sale_lines where sale_id = $1 order by line_no",
        )
        .bind(sale_id)
        .fetch_all(p)
        .await?
    }))
}

pub use super::cheques::{BounceIn, ReleaseIn, bounce, release};
pub use super::deposits::{
    DepositIn, DepositRow, RegisterLine, deposit, deposit_sales, deposits, get_deposit, register,
};
