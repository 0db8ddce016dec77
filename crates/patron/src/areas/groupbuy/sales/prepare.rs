//! Checking a sale before anything is written: the buyer, the ranges (they exist, one printed
//! face value each, a changed one has its reason), the payment details, and the prepaid-card
//! rules (E12). The sale screen's live check is the same, without the refusal.

use chrono::NaiveDate;
use patron_core::Permission;
use patron_core::identity::{IdNumber, IdType};
use patron_core::money::Fen;
use patron_core::vouchers::{Breach, BuyerKind, Payment, SaleFacts, SerialRange, breaches};
use serde::Serialize;
use utoipa::ToSchema;

use super::{LineIn, SaleIn};
use crate::areas::groupbuy::onhand::{OffHand, off_hand};
use crate::areas::groupbuy::settings::GroupBuySettings;
use crate::areas::groupbuy::store;
use crate::areas::groupbuy::{GroupBuyError, MAX_FACE_FEN, parse_ranges, store_at};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::{Invalid, required_text};
use crate::web::said::Said;

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
    /// Cash (E5): the amount counted, equal to `amount`; none for a cheque or transfer.
    pub counted: Option<i64>,
    /// Cash (E5): all three seals were checked.
    pub seals_checked: bool,
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
    /// Every run of the typed ranges that is not on hand, and why.
    pub not_on_hand: Vec<OffHand>,
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
/// A cash sale also needs the counted amount, equal to the vouchers' total, and the three seals
/// checked (E5); these are not part of the live check, which shows the total to count.
pub async fn prepare(ctx: &Ctx, input: &SaleIn) -> Result<Prepared, GroupBuyError> {
    let mut cash_bad = Invalid::new();
    let counted = if input.payment.trim() == Payment::Cash.code() {
        cash_checks(input, &mut cash_bad)
    } else {
        None
    };
    let (mut prepared, broken) = match assess(ctx, input).await {
        Err(GroupBuyError::Invalid(mut i)) => {
            i.0.extend(cash_bad.0);
            return Err(i.into());
        }
        other => other?,
    };
    // A rule the sale breaks is said first: the money need not be counted for a sale that
    // cannot be made.
    if !broken.is_empty() {
        return Err(GroupBuyError::Prepaid(broken));
    }
    cash_bad.into_result()?;
    if prepared.payment == Payment::Cash {
        let counted = counted.unwrap_or(0);
        if counted != prepared.amount {
            return Err(GroupBuyError::CashCount {
                counted,
                amount: prepared.amount,
            });
        }
        prepared.counted = Some(counted);
        prepared.seals_checked = true;
    }
    Ok(prepared)
}

/// The counted amount of a cash sale, and every seal not checked, as bad fields.
fn cash_checks(input: &SaleIn, bad: &mut Invalid) -> Option<i64> {
    let counted = if input.counted.trim().is_empty() {
        bad.add("counted", "gb.invalid.counted_required");
        None
    } else {
        match Fen::parse_yuan(&input.counted) {
            Ok(f) if f.0 >= 0 => Some(f.0),
            _ => {
                bad.add("counted", "invalid.amount");
                None
            }
        }
    };
    let seals = input.seals;
    for (field, checked) in [
        ("seals.name", seals.name),
        ("seals.activity", seals.activity),
        ("seals.date", seals.date),
    ] {
        if !checked {
            bad.add(field, "gb.invalid.seal_unchecked");
        }
    }
    counted
}

/// A new buyer as typed: kind, organisation, contact, phone.
type NewBuyer = (BuyerKind, String, String, String);

/// The buyer's kind, and the new buyer to record (none for a known one).
async fn buyer_of(
    ctx: &Ctx,
    input: &SaleIn,
    bad: &mut Invalid,
) -> Result<(Option<BuyerKind>, Option<NewBuyer>), GroupBuyError> {
    if let Some(id) = input.buyer_id {
        let kind = store::sales::buyer_kind(ctx.db(), id).await?;
        return Ok(match kind.as_deref().and_then(BuyerKind::from_code) {
            Some(k) => (Some(k), None),
            None => {
                bad.add("buyer_id", "invalid.not_found");
                (None, None)
            }
        });
    }
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
    Ok(match (kind, contact) {
        (Some(k), Some(contact)) => (Some(k), Some((k, org, contact, phone))),
        _ => (None, None),
    })
}

/// The checked lines and what the prepaid-card rules need to know of them.
#[derive(Default)]
struct Lines {
    lines: Vec<PreparedLine>,
    any_named: bool,
    max_anon_face: i64,
    anon_expiry: Option<NaiveDate>,
    expires_on: Option<NaiveDate>,
    /// The runs of the typed ranges that are not on hand.
    off: Vec<OffHand>,
}

/// A changed face value in yuan, if one was typed.
fn face_value_of(i: usize, l: &LineIn, bad: &mut Invalid) -> Option<i64> {
    if l.face_value.trim().is_empty() {
        return None;
    }
    match Fen::parse_yuan(&l.face_value) {
        Ok(f) if f.0 > 0 && f.0 <= MAX_FACE_FEN => Some(f.0),
        _ => {
            bad.add(&format!("lines[{i}].face_value"), "invalid.amount");
            None
        }
    }
}

async fn lines_of(
    ctx: &Ctx,
    store_id: i64,
    input: &SaleIn,
    bad: &mut Invalid,
) -> Result<Lines, GroupBuyError> {
    let mut out = Lines::default();
    let mut seen: Vec<SerialRange> = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
        if l.range.trim().is_empty() {
            continue;
        }
        let field = format!("lines[{i}].range");
        let Some(ranges) = parse_ranges(&field, &l.range, bad) else {
            continue;
        };
        let face_value = face_value_of(i, l, bad);
        for r in ranges {
            if seen.iter().any(|s| s.overlaps(&r)) {
                bad.add(&field, "invalid.serial_range_overlap");
                continue;
            }
            seen.push(r);
            // Every voucher must be stamped and held by this desk (E3): say which are not.
            let off = off_hand(ctx.db(), (i + 1, &field), r, store_id).await?;
            if !off.is_empty() {
                out.off.extend(off);
                continue;
            }
            line_of(ctx, (i, l, &field), r, face_value, bad, &mut out).await?;
        }
    }
    Ok(out)
}

/// Checks one range of line `i` and adds it to `out`.
async fn line_of(
    ctx: &Ctx,
    (i, l, field): (usize, &LineIn, &str),
    r: SerialRange,
    face_value: Option<i64>,
    bad: &mut Invalid,
    out: &mut Lines,
) -> Result<(), GroupBuyError> {
    let facts = store::range_facts(ctx.db(), r).await?;
    let found: i64 = facts.iter().map(|f| f.count).sum();
    if found != r.count() {
        bad.add(field, "invalid.serial_unknown");
        return Ok(());
    }
    let (min_face, max_face) = (
        facts.iter().map(|f| f.min_face).min().unwrap_or(0),
        facts.iter().map(|f| f.max_face).max().unwrap_or(0),
    );
    // One printed face value per range, so a bounce can restore it and the month's printed
    // total is exact.
    if min_face != max_face {
        bad.add(field, "invalid.mixed_face_values");
        return Ok(());
    }
    for f in &facts {
        out.expires_on = Some(out.expires_on.map_or(f.expires_on, |e| e.min(f.expires_on)));
        if f.named {
            out.any_named = true;
        } else {
            out.max_anon_face = out.max_anon_face.max(face_value.unwrap_or(f.max_face));
            out.anon_expiry = Some(
                out.anon_expiry
                    .map_or(f.expires_on, |e| e.min(f.expires_on)),
            );
        }
    }
    let reason = l.change_reason.trim().to_string();
    let changed = face_value.is_some_and(|v| v != min_face || min_face != max_face);
    if changed && reason.is_empty() {
        bad.add(&format!("lines[{i}].change_reason"), "invalid.required");
    }
    let amount = face_value.map_or(facts.iter().map(|f| f.face_sum).sum(), |v| v * r.count());
    out.lines.push(PreparedLine {
        range: r,
        series_face: min_face,
        face_value: face_value.filter(|_| changed),
        amount,
        reason: if changed { reason } else { String::new() },
    });
    Ok(())
}

/// The checked sale and the prepaid-card rules it breaks.
async fn assess(ctx: &Ctx, input: &SaleIn) -> Result<(Prepared, Vec<Breach>), GroupBuyError> {
    let store = store_at(ctx, &input.store_code, Permission::SellVouchers).await?;
    let settings = ctx.app.cache.get::<GroupBuySettings>(ctx.db()).await?;
    let mut bad = Invalid::new();
    let payment = bad.check(
        "payment",
        Payment::from_code(input.payment.trim()).ok_or("invalid.choice"),
    );
    let (buyer_kind, buyer) = buyer_of(ctx, input, &mut bad).await?;
    let lines = lines_of(ctx, store.id, input, &mut bad).await?;
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
    if let Some(first) = lines.off.first() {
        return Err(GroupBuyError::RangeState {
            field: first.field.clone(),
            said: Said::new("gb.refuse.not_on_hand")
                .list("runs", lines.off.iter().map(OffHand::said).collect()),
        });
    }
    let (Some(payment), Some(buyer_kind)) = (payment, buyer_kind) else {
        return Err(Invalid::one("payment", "invalid.required").into());
    };
    let count: i64 = lines.lines.iter().map(|l| l.range.count()).sum();
    let amount: i64 = lines.lines.iter().map(|l| l.amount).sum();
    let day = ctx.today_at(&store);
    let facts = SaleFacts {
        buyer: buyer_kind,
        payment,
        amount: Fen(amount),
        any_named: lines.any_named,
        has_real_name_and_id: !real_name.is_empty() && id_number.is_some(),
        has_paying_account: !input.account_name.trim().is_empty()
            && !input.account_no.trim().is_empty(),
        max_anonymous_face: Fen(lines.max_anon_face),
        earliest_anonymous_expiry: lines.anon_expiry,
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
        count,
        amount,
        expires_on: lines.expires_on.unwrap_or(day),
        lines: lines.lines,
        cheque_no: bank_text(&input.cheque_no),
        bank: bank_text(&input.bank),
        account_name: bank_text(&input.account_name),
        account_no: bank_text(&input.account_no),
        real_name,
        id_number,
        counted: None,
        seals_checked: false,
        request_key: Some(input.request_key.trim().to_string()).filter(|k| !k.is_empty()),
    };
    Ok((prepared, broken))
}

/// The sale screen's live check: nothing is written.
pub async fn check(ctx: &Ctx, input: &SaleIn) -> Result<SaleCheck, GroupBuyError> {
    let not_on_hand = not_on_hand(ctx, input).await?;
    let check = match assess(ctx, input).await {
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
        // Serials not on hand: said below, one run at a time.
        Err(GroupBuyError::RangeState { .. }) => Ok(SaleCheck::default()),
        Err(e) => Err(e),
    }?;
    Ok(SaleCheck {
        not_on_hand,
        ..check
    })
}

/// The runs of the typed ranges that are not on hand (ranges that do not parse are left to the
/// field errors).
async fn not_on_hand(ctx: &Ctx, input: &SaleIn) -> Result<Vec<OffHand>, GroupBuyError> {
    let store = store_at(ctx, &input.store_code, Permission::SellVouchers).await?;
    let mut out = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
        let Ok(ranges) = SerialRange::parse_list(&l.range) else {
            continue;
        };
        let field = format!("lines[{i}].range");
        for r in ranges {
            out.extend(off_hand(ctx.db(), (i + 1, &field), r, store.id).await?);
        }
    }
    Ok(out)
}
