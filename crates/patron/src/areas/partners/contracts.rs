//! Contracts and documents (G2): a contract once the partner has agreed, its member benefit,
//! stores and reminder period; documents filed with where the paper is kept.

use chrono::NaiveDate;
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::input::{date, number, optional_text};
use super::store::{self, NewContract, NewDocument};
use super::{PartnersError, dup, request_key, staff_id};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::kernel::validation::{Invalid, required_text};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = partners::ContractIn, examples(json!({
    "contract_no": "TY-2026-001", "starts_on": "2026-10-01", "ends_on": "2027-09-30",
    "benefit_zh": "凭会员卡用餐九折", "benefit_en": "10% off meals with the member card",
    "discount_permille": "900", "settlement_terms": "月结", "stores": "HQ", "remind_days": "30"
})))]
#[serde(default)]
pub struct ContractIn {
    pub contract_no: String,
    pub starts_on: String,
    pub ends_on: String,
    pub benefit_zh: String,
    pub benefit_en: String,
    /// The member price in permille (950 = 5% off); empty: a benefit in words only.
    pub discount_permille: String,
    pub settlement_terms: String,
    /// Store codes, comma separated; empty: every store.
    pub stores: String,
    /// Days before the end to remind (empty: 30).
    pub remind_days: String,
}

/// A checked `ContractIn`.
struct Terms {
    no: String,
    starts: NaiveDate,
    ends: NaiveDate,
    benefit_zh: String,
    benefit_en: String,
    discount: Option<i64>,
    settlement: String,
    remind: i64,
    /// Store codes, comma separated.
    stores: String,
}

/// The store codes of a contract, each known and listed once.
async fn store_codes(
    ctx: &Ctx,
    bad: &mut Invalid,
    input: &str,
) -> Result<Vec<String>, PartnersError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let mut codes = Vec::new();
    for code in input
        .split([',', '，', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match stores.by_code(code) {
            Some(s) => {
                if !codes.contains(&s.code) {
                    codes.push(s.code.clone());
                }
            }
            None => {
                bad.add("stores", "invalid.store_code");
                break;
            }
        }
    }
    Ok(codes)
}

/// Checks a contract; every bad field at once.
async fn check_contract(ctx: &Ctx, input: &ContractIn) -> Result<Terms, PartnersError> {
    let mut bad = Invalid::new();
    let no = bad.check("contract_no", required_text(&input.contract_no, 40));
    let starts = date(&mut bad, "starts_on", &input.starts_on, None);
    let ends = date(&mut bad, "ends_on", &input.ends_on, None);
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        bad.add("ends_on", "partners.invalid.ends_before_start");
    }
    let benefit_zh = bad.check("benefit_zh", required_text(&input.benefit_zh, 500));
    let benefit_en = optional_text(&mut bad, "benefit_en", &input.benefit_en, 500);
    let discount = if input.discount_permille.trim().is_empty() {
        None
    } else {
        Some(number(
            &mut bad,
            "discount_permille",
            &input.discount_permille,
            1,
            999,
            0,
        ))
    };
    let settlement = optional_text(&mut bad, "settlement_terms", &input.settlement_terms, 2000);
    let remind = number(&mut bad, "remind_days", &input.remind_days, 1, 365, 30);
    let codes = store_codes(ctx, &mut bad, &input.stores).await?;
    bad.into_result()?;
    let (Some(no), Some(starts), Some(ends), Some(benefit_zh)) = (no, starts, ends, benefit_zh)
    else {
        return Err(Invalid::one("contract_no", "invalid.required").into());
    };
    Ok(Terms {
        no,
        starts,
        ends,
        benefit_zh,
        benefit_en,
        discount,
        settlement,
        remind,
        stores: codes.join(","),
    })
}

/// Records a contract (G2). A partner must have agreed (达成协议) first.
pub async fn add_contract(
    ctx: &Ctx,
    partner_id: i64,
    input: &ContractIn,
) -> Result<i64, PartnersError> {
    add_contract_once(ctx, partner_id, input, None).await
}

/// `add_contract` under an idempotency key: a repeat with the same `key` records nothing more
/// and answers the first contract's id.
pub async fn add_contract_once(
    ctx: &Ctx,
    partner_id: i64,
    input: &ContractIn,
    key: Option<&str>,
) -> Result<i64, PartnersError> {
    ctx.require(Permission::ManagePartners)?;
    // A contract's key counts per partner.
    let key = request_key(key)?.map(|k| format!("{partner_id}:{k}"));
    let k = std::sync::Arc::new(check_contract(ctx, input).await?);
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, k, key) = (c.clone(), k.clone(), key.clone());
            Box::pin(async move {
                let stage = store::stage(tx, partner_id)
                    .await?
                    .ok_or(PartnersError::NotFound)?;
                if let Some(rk) = &key
                    && let Some(first) = store::keys::claim(tx, "contract", rk, c.now()).await?
                {
                    return Ok(first);
                }
                if !matches!(stage.as_str(), "agreed" | "signed" | "active" | "expired") {
                    return Err(Invalid::one("contract_no", "partners.invalid.not_agreed").into());
                }
                let id = store::insert_contract(
                    tx,
                    &NewContract {
                        partner_id,
                        contract_no: &k.no,
                        starts_on: k.starts,
                        ends_on: k.ends,
                        benefit_zh: &k.benefit_zh,
                        benefit_en: &k.benefit_en,
                        discount_permille: k.discount,
                        settlement_terms: &k.settlement,
                        stores: &k.stores,
                        remind_days: k.remind,
                        created_by: staff_id(&c),
                        now: ts(c.now()),
                    },
                )
                .await
                .map_err(dup("contract_no"))?;
                if let Some(rk) = &key {
                    store::keys::settle(tx, "contract", rk, id).await?;
                }
                tx.audit(c.audit("partners.contract_added", "partner", partner_id).after(&json!({
                    "contract_id": id, "contract_no": k.no, "starts_on": k.starts, "ends_on": k.ends,
                    "discount_permille": k.discount, "stores": k.stores,
                })));
                Ok(id)
            })
        })
        .await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DocumentIn {
    pub doc_no: String,
    pub title: String,
    /// Where the paper is kept (e.g. 会员部档案柜 A-3).
    pub kept_at: String,
    /// An optional reference to a scanned file.
    pub file_ref: String,
    /// The contract number it belongs to (optional).
    pub contract_no: String,
}

/// Files a document (G2): number, title, where it is kept.
pub async fn add_document(
    ctx: &Ctx,
    partner_id: i64,
    input: &DocumentIn,
) -> Result<i64, PartnersError> {
    ctx.require(Permission::ManagePartners)?;
    let mut bad = Invalid::new();
    let no = bad.check("doc_no", required_text(&input.doc_no, 40));
    let title = bad.check("title", required_text(&input.title, 200));
    let kept = bad.check("kept_at", required_text(&input.kept_at, 200));
    let file_ref = optional_text(&mut bad, "file_ref", &input.file_ref, 300);
    let contract_no = input.contract_no.trim().to_string();
    bad.into_result()?;
    let (Some(no), Some(title), Some(kept)) = (no, title, kept) else {
        return Err(Invalid::one("doc_no", "invalid.required").into());
    };
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, no, title, kept, file_ref, contract_no) = (
                c.clone(),
                no.clone(),
                title.clone(),
                kept.clone(),
                file_ref.clone(),
                contract_no.clone(),
            );
            Box::pin(async move {
                store::stage(tx, partner_id)
                    .await?
                    .ok_or(PartnersError::NotFound)?;
                let contract_id: Option<i64> = if contract_no.is_empty() {
                    None
                } else {
                    let id = store::contract_id(tx, partner_id, &contract_no).await?;
                    Some(id.ok_or_else(|| Invalid::one("contract_no", "invalid.not_found"))?)
                };
                let id = store::insert_document(
                    tx,
                    &NewDocument {
                        partner_id,
                        contract_id,
                        doc_no: &no,
                        title: &title,
                        kept_at: &kept,
                        file_ref: &file_ref,
                        created_by: staff_id(&c),
                        now: ts(c.now()),
                    },
                )
                .await
                .map_err(dup("doc_no"))?;
                tx.audit(
                    c.audit("partners.document_added", "partner", partner_id)
                        .after(&json!({
                            "document_id": id, "doc_no": no, "title": title, "kept_at": kept,
                        })),
                );
                Ok(id)
            })
        })
        .await
}
