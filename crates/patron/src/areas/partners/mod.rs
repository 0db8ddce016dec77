//! Partner merchants (特约商户, SPEC G1–G4): the pipeline from screened to ended, contracts and
//! their expiry reminders, callbacks, and the active partners members see in the portal.
//!
//! The seed's flow (S0 §2.4): 筛选VIP特约单位 → 前期联系与沟通 → 正式洽谈合作条件 → 达成协议 →
//! 签定合作合同 → 整理归档管理特约商户 → 定期回访特约商户. A partner's stage changes one step
//! forward at a time (or to ended from anywhere); each change is a dated row with its note in
//! `partner_stages` (append-only), and the partner row is moved by a guarded
//! `UPDATE … WHERE stage = $from`, so of two clerks moving the same partner at once one wins
//! and the other is told. Contracts past their end are expired by the daily job
//! `partner-contract-reminders`, which also queues one reminder per contract to the
//! responsible staff member `remind_days` before the end.
//!
//! The contact's phone is personal data: stored encrypted (`members/pii.rs`) with a masked copy
//! for pages; it never enters logs or audit entries.

mod error;
pub mod jobs;
pub mod messages;
pub mod pages;
pub mod reminders;
pub mod store;

pub use error::PartnersError;

use chrono::NaiveDate;
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, Tx, WriteError, ts};
use crate::kernel::validation::{Invalid, required_text};
use crate::on_tx;

/// The pipeline's stages in order; `expired` and `ended` are the two ends.
pub const STAGES: [&str; 8] = [
    "screened",
    "contacted",
    "negotiating",
    "agreed",
    "signed",
    "active",
    "expired",
    "ended",
];

/// The kinds of partner (for filters and labels `partners.category.<code>`).
pub const CATEGORIES: [&str; 9] = [
    "catering",
    "hotel",
    "travel",
    "auto",
    "health",
    "beauty",
    "education",
    "leisure",
    "other",
];

/// How a callback was made.
pub const WAYS: [&str; 2] = ["phone", "visit"];

fn stage_index(stage: &str) -> Option<usize> {
    STAGES.iter().position(|s| *s == stage)
}

/// Whether a desk may move a partner from `from` to `to`: one step forward up to active, to
/// ended from anything not ended, and from expired back to negotiating (a renewal) or to signed
/// (a renewal signed at once). Expired is set by the reminder job only.
pub fn step_allowed(from: &str, to: &str) -> bool {
    let (Some(f), Some(t)) = (stage_index(from), stage_index(to)) else {
        return false;
    };
    match to {
        "ended" => from != "ended",
        "expired" => false,
        _ if from == "expired" => matches!(to, "negotiating" | "signed"),
        _ => t == f + 1 && t <= 5,
    }
}

/// The stages a desk may move a partner to from `from`.
pub fn next_stages(from: &str) -> Vec<&'static str> {
    STAGES
        .iter()
        .copied()
        .filter(|to| step_allowed(from, to))
        .collect()
}

/// A unique violation becomes `Duplicate { field }`.
fn dup(field: &'static str) -> impl Fn(sqlx::Error) -> PartnersError {
    move |e| {
        let e = DbError::from(e);
        if e.is_unique_violation() {
            PartnersError::Duplicate { field }
        } else {
            PartnersError::Db(e)
        }
    }
}

/// The business date today.
pub fn today(ctx: &Ctx) -> NaiveDate {
    crate::areas::points::business_date(ctx.now(), ctx.app.config.tz())
}

fn staff_id(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}

fn actor_name(ctx: &Ctx) -> String {
    ctx.actor
        .staff()
        .map(|s| s.display_name.clone())
        .unwrap_or_else(|| ctx.actor.audit_name())
}

/// Parses `YYYY-MM-DD`; empty gives `default` (None: required).
fn date(
    bad: &mut Invalid,
    field: &str,
    input: &str,
    default: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let t = input.trim();
    if t.is_empty() {
        if default.is_none() {
            bad.add(field, "invalid.required");
        }
        return default;
    }
    bad.check(
        field,
        NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| "invalid.date"),
    )
}

fn optional_text(bad: &mut Invalid, field: &str, input: &str, max: usize) -> String {
    let t = input.trim();
    if t.chars().count() > max {
        bad.add(field, "invalid.too_long");
    }
    t.to_string()
}

fn choice(bad: &mut Invalid, field: &str, input: &str, allowed: &[&'static str]) -> &'static str {
    match allowed.iter().find(|a| **a == input.trim()) {
        Some(a) => a,
        None => {
            bad.add(
                field,
                if input.trim().is_empty() {
                    "invalid.required"
                } else {
                    "invalid.choice"
                },
            );
            ""
        }
    }
}

fn number(bad: &mut Invalid, field: &str, input: &str, lo: i64, hi: i64, default: i64) -> i64 {
    let t = input.trim();
    if t.is_empty() {
        return default;
    }
    match t.parse::<i64>() {
        Ok(n) if (lo..=hi).contains(&n) => n,
        Ok(_) => {
            bad.add(field, "invalid.number_range");
            default
        }
        Err(_) => {
            bad.add(field, "invalid.number");
            default
        }
    }
}

/// A contact phone: a mobile (`13800138000`) or a landline with area code (`010-65881234`).
/// Returns (normalised, masked).
pub fn parse_phone(input: &str) -> Result<(String, String), &'static str> {
    if let Ok(p) = patron_core::identity::Phone::parse(input) {
        return Ok((p.as_str().to_string(), p.masked()));
    }
    let t: String = input.trim().chars().filter(|c| *c != ' ').collect();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let ok = t.starts_with('0')
        && (7..=13).contains(&digits)
        && t.chars().all(|c| c.is_ascii_digit() || c == '-');
    if !ok {
        return Err("partners.invalid.phone");
    }
    let n = t.chars().count();
    let masked: String = t
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i + 4 < n && i > 3 && c.is_ascii_digit() {
                '*'
            } else {
                c
            }
        })
        .collect();
    Ok((t, masked))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PartnerIn {
    pub name: String,
    pub category: String,
    pub address: String,
    pub contact_person: String,
    pub contact_phone: String,
    pub department: String,
    /// The responsible staff member's user name (empty: whoever records it).
    pub owner: String,
    pub callback_every_days: String,
    /// The screening date (empty: today).
    pub on_date: String,
    pub note: String,
}

/// Records a newly screened partner (筛选): its file and the first row of its history.
pub async fn create_partner(ctx: &Ctx, input: &PartnerIn) -> Result<i64, PartnersError> {
    ctx.require(Permission::ManagePartners)?;
    let mut bad = Invalid::new();
    let name = bad.check("name", required_text(&input.name, 100));
    let category = choice(&mut bad, "category", &input.category, &CATEGORIES);
    let address = optional_text(&mut bad, "address", &input.address, 200);
    let contact_person = optional_text(&mut bad, "contact_person", &input.contact_person, 50);
    let phone = if input.contact_phone.trim().is_empty() {
        None
    } else {
        bad.check("contact_phone", parse_phone(&input.contact_phone))
    };
    let department = optional_text(&mut bad, "department", &input.department, 50);
    let every = number(
        &mut bad,
        "callback_every_days",
        &input.callback_every_days,
        1,
        366,
        30,
    );
    let today = today(ctx);
    let on = date(&mut bad, "on_date", &input.on_date, Some(today));
    if on.is_some_and(|d| d > today) {
        bad.add("on_date", "invalid.future");
    }
    let note = optional_text(&mut bad, "note", &input.note, 1000);
    let owner = if input.owner.trim().is_empty() {
        staff_id(ctx)
    } else {
        match crate::areas::staff::store::find_login(ctx.db(), input.owner.trim()).await? {
            Some(s) => Some(s.id),
            None => {
                bad.add("owner", "invalid.staff");
                None
            }
        }
    };
    bad.into_result()?;
    let (Some(name), Some(on)) = (name, on) else {
        return Err(Invalid::one("name", "invalid.required").into());
    };
    let phone_enc = phone.as_ref().map(|(p, _)| ctx.app.pii.encrypt(p));
    let masked = phone.map(|(_, m)| m).unwrap_or_default();
    let c = ctx.clone();
    let id = ctx
        .db()
        .write(move |tx| {
            let (c, name, address, contact_person, phone_enc, masked, department, note) = (
                c.clone(),
                name.clone(),
                address.clone(),
                contact_person.clone(),
                phone_enc.clone(),
                masked.clone(),
                department.clone(),
                note.clone(),
            );
            Box::pin(async move {
                let now = ts(c.now());
                let id: i64 = on_tx!(tx, |x| {
                    sqlx::query_scalar(
                        "insert into partners (name, category, address, contact_person, contact_phone_enc, \
                         contact_phone_masked, stage, stage_on, owner_staff_id, department, callback_every_days, \
                         created_by, created_at) values ($1, $2, $3, $4, $5, $6, 'screened', $7, $8, $9, $10, $11, $12) \
                         returning id",
                    )
                    .bind(&name)
                    .bind(category)
                    .bind(&address)
                    .bind(&contact_person)
                    .bind(&phone_enc)
                    .bind(&masked)
                    .bind(on)
                    .bind(owner)
                    .bind(&department)
                    .bind(every)
                    .bind(staff_id(&c))
                    .bind(now)
                    .fetch_one(x)
                    .await
                    .map_err(dup("name"))?
                });
                history(tx, &c, id, None, "screened", on, &note).await?;
                // The phone is personal data: only its masked form is audited.
                tx.audit(c.audit("partners.create", "partner", id).after(&json!({
                    "name": name, "category": category, "contact_phone": masked, "owner_staff_id": owner,
                })));
                Ok::<_, PartnersError>(id)
            })
        })
        .await?;
    Ok(id)
}

async fn history(
    tx: &mut Tx,
    c: &Ctx,
    partner_id: i64,
    from: Option<&str>,
    to: &str,
    on: NaiveDate,
    note: &str,
) -> Result<(), PartnersError> {
    let (now, who) = (ts(c.now()), actor_name(c));
    on_tx!(tx, |x| {
        sqlx::query(
            "insert into partner_stages (partner_id, from_stage, to_stage, on_date, note, staff_id, actor, at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(partner_id)
        .bind(from)
        .bind(to)
        .bind(on)
        .bind(note)
        .bind(staff_id(c))
        .bind(&who)
        .bind(now)
        .execute(x)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StageIn {
    /// The stage to move to.
    pub to: String,
    /// The stage the clerk saw (empty: the current one); a partner moved meanwhile is refused.
    pub from: String,
    /// The date of the step (empty: today).
    pub on_date: String,
    pub note: String,
}

/// Moves a partner one step (G1). Refuses a skip or a step back naming the field `to`; refuses
/// a step when someone else moved the partner first.
pub async fn change_stage(
    ctx: &Ctx,
    partner_id: i64,
    input: &StageIn,
) -> Result<(), PartnersError> {
    ctx.require(Permission::ManagePartners)?;
    let mut bad = Invalid::new();
    let to = choice(&mut bad, "to", &input.to, &STAGES);
    let today = today(ctx);
    let on = date(&mut bad, "on_date", &input.on_date, Some(today));
    if on.is_some_and(|d| d > today) {
        bad.add("on_date", "invalid.future");
    }
    let note = optional_text(&mut bad, "note", &input.note, 1000);
    let seen = input.from.trim().to_string();
    if !seen.is_empty() && stage_index(&seen).is_none() {
        bad.add("from", "invalid.choice");
    }
    bad.into_result()?;
    let on = on.unwrap_or(today);
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, note, seen) = (c.clone(), note.clone(), seen.clone());
            Box::pin(async move {
                let row: Option<(String, NaiveDate)> = on_tx!(tx, |x| {
                    sqlx::query_as("select stage, stage_on from partners where id = $1")
                        .bind(partner_id)
                        .fetch_optional(x)
                        .await?
                });
                let (current, last_on) = row.ok_or(PartnersError::NotFound)?;
                let from = if seen.is_empty() { current.clone() } else { seen };
                if from != current {
                    return Err(PartnersError::Conflict(format!(
                        "the partner is at stage {current} now, not {from}: someone changed it first"
                    )));
                }
                if !step_allowed(&from, to) {
                    return Err(Invalid::one("to", "partners.invalid.step").into());
                }
                if on < last_on {
                    return Err(Invalid::one("on_date", "partners.invalid.before_last_step").into());
                }
                if matches!(to, "signed" | "active") {
                    let n: i64 = on_tx!(tx, |x| {
                        sqlx::query_scalar(
                            "select cast(count(*) as bigint) from partner_contracts where partner_id = $1 \
                             and state = 'in_force' and starts_on <= $2 and ends_on >= $2",
                        )
                        .bind(partner_id)
                        .bind(on)
                        .fetch_one(x)
                        .await?
                    });
                    let any: i64 = on_tx!(tx, |x| {
                        sqlx::query_scalar(
                            "select cast(count(*) as bigint) from partner_contracts where partner_id = $1 \
                             and state = 'in_force' and ends_on >= $2",
                        )
                        .bind(partner_id)
                        .bind(on)
                        .fetch_one(x)
                        .await?
                    });
                    if any == 0 {
                        return Err(Invalid::one("to", "partners.invalid.contract_needed").into());
                    }
                    if to == "active" && n == 0 {
                        return Err(Invalid::one("to", "partners.invalid.contract_not_in_force").into());
                    }
                }
                // The guarded update: of two desks moving the partner at once, one wins.
                let moved = on_tx!(tx, |x| {
                    sqlx::query(
                        "update partners set stage = $1, stage_on = $2, next_callback_on = case \
                         when $1 = 'active' and next_callback_on is null then $3 else next_callback_on end \
                         where id = $4 and stage = $5",
                    )
                    .bind(to)
                    .bind(on)
                    .bind(on + chrono::Days::new(30))
                    .bind(partner_id)
                    .bind(&from)
                    .execute(x)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                if moved != 1 {
                    return Err(PartnersError::Conflict(
                        "the partner's stage was changed by someone else first".into(),
                    ));
                }
                if to == "ended" {
                    on_tx!(tx, |x| {
                        sqlx::query(
                            "update partner_contracts set state = 'ended' where partner_id = $1 and state = 'in_force'",
                        )
                        .bind(partner_id)
                        .execute(x)
                        .await
                        .map(|r| r.rows_affected())
                    })?;
                }
                history(tx, &c, partner_id, Some(&from), to, on, &note).await?;
                tx.audit(c.audit("partners.stage_changed", "partner", partner_id).after(&json!({
                    "from": from, "to": to, "on": on, "note": note,
                })));
                Ok(())
            })
        })
        .await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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

/// Records a contract (G2). A partner must have agreed (达成协议) first.
pub async fn add_contract(
    ctx: &Ctx,
    partner_id: i64,
    input: &ContractIn,
) -> Result<i64, PartnersError> {
    ctx.require(Permission::ManagePartners)?;
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
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let mut codes = Vec::new();
    for code in input
        .stores
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
    bad.into_result()?;
    let (Some(no), Some(starts), Some(ends), Some(benefit_zh)) = (no, starts, ends, benefit_zh)
    else {
        return Err(Invalid::one("contract_no", "invalid.required").into());
    };
    let stores = codes.join(",");
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, no, benefit_zh, benefit_en, settlement, stores) = (
                c.clone(),
                no.clone(),
                benefit_zh.clone(),
                benefit_en.clone(),
                settlement.clone(),
                stores.clone(),
            );
            Box::pin(async move {
                let stage: Option<String> = on_tx!(tx, |x| {
                    sqlx::query_scalar("select stage from partners where id = $1")
                        .bind(partner_id)
                        .fetch_optional(x)
                        .await?
                });
                let stage = stage.ok_or(PartnersError::NotFound)?;
                if !matches!(stage.as_str(), "agreed" | "signed" | "active" | "expired") {
                    return Err(Invalid::one("contract_no", "partners.invalid.not_agreed").into());
                }
                let id: i64 = on_tx!(tx, |x| {
                    sqlx::query_scalar(
                        "insert into partner_contracts (partner_id, contract_no, starts_on, ends_on, benefit_zh, \
                         benefit_en, discount_permille, settlement_terms, stores, remind_days, created_by, created_at) \
                         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
                    )
                    .bind(partner_id)
                    .bind(&no)
                    .bind(starts)
                    .bind(ends)
                    .bind(&benefit_zh)
                    .bind(&benefit_en)
                    .bind(discount)
                    .bind(&settlement)
                    .bind(&stores)
                    .bind(remind)
                    .bind(staff_id(&c))
                    .bind(ts(c.now()))
                    .fetch_one(x)
                    .await
                    .map_err(dup("contract_no"))?
                });
                tx.audit(c.audit("partners.contract_added", "partner", partner_id).after(&json!({
                    "contract_id": id, "contract_no": no, "starts_on": starts, "ends_on": ends,
                    "discount_permille": discount, "stores": stores,
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
                let exists: Option<i64> = on_tx!(tx, |x| {
                    sqlx::query_scalar("select id from partners where id = $1")
                        .bind(partner_id)
                        .fetch_optional(x)
                        .await?
                });
                exists.ok_or(PartnersError::NotFound)?;
                let contract_id: Option<i64> = if contract_no.is_empty() {
                    None
                } else {
                    let id: Option<i64> = on_tx!(tx, |x| {
                        sqlx::query_scalar(
                            "select id from partner_contracts where partner_id = $1 and contract_no = $2",
                        )
                        .bind(partner_id)
                        .bind(&contract_no)
                        .fetch_optional(x)
                        .await?
                    });
                    Some(id.ok_or_else(|| Invalid::one("contract_no", "invalid.not_found"))?)
                };
                let id: i64 = on_tx!(tx, |x| {
                    sqlx::query_scalar(
                        "insert into partner_documents (partner_id, contract_id, doc_no, title, kept_at, file_ref, \
                         created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
                    )
                    .bind(partner_id)
                    .bind(contract_id)
                    .bind(&no)
                    .bind(&title)
                    .bind(&kept)
                    .bind(&file_ref)
                    .bind(staff_id(&c))
                    .bind(ts(c.now()))
                    .fetch_one(x)
                    .await
                    .map_err(dup("doc_no"))?
                });
                tx.audit(c.audit("partners.document_added", "partner", partner_id).after(&json!({
                    "document_id": id, "doc_no": no, "title": title, "kept_at": kept,
                })));
                Ok(id)
            })
        })
        .await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CallbackIn {
    /// The day of the callback (empty: today).
    pub on_date: String,
    /// `phone` or `visit`.
    pub way: String,
    pub content: String,
    pub issues: String,
    pub follow_up: String,
    /// The next callback (empty: the callback date + the partner's interval).
    pub next_due_on: String,
}

/// Logs a callback (G3, the log of F4) and sets when the next one is due.
pub async fn log_callback(
    ctx: &Ctx,
    partner_id: i64,
    input: &CallbackIn,
) -> Result<i64, PartnersError> {
    ctx.require(Permission::ManagePartners)?;
    let mut bad = Invalid::new();
    let today = today(ctx);
    let on = date(&mut bad, "on_date", &input.on_date, Some(today));
    if on.is_some_and(|d| d > today) {
        bad.add("on_date", "invalid.future");
    }
    let way = choice(&mut bad, "way", &input.way, &WAYS);
    let content = bad.check("content", required_text(&input.content, 2000));
    let issues = optional_text(&mut bad, "issues", &input.issues, 2000);
    let follow_up = optional_text(&mut bad, "follow_up", &input.follow_up, 2000);
    let next = if input.next_due_on.trim().is_empty() {
        None
    } else {
        date(&mut bad, "next_due_on", &input.next_due_on, None)
    };
    if let (Some(n), Some(o)) = (next, on)
        && n <= o
    {
        bad.add("next_due_on", "partners.invalid.next_after_callback");
    }
    bad.into_result()?;
    let (Some(on), Some(content)) = (on, content) else {
        return Err(Invalid::one("content", "invalid.required").into());
    };
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, content, issues, follow_up) =
                (c.clone(), content.clone(), issues.clone(), follow_up.clone());
            Box::pin(async move {
                let every: Option<i64> = on_tx!(tx, |x| {
                    sqlx::query_scalar("select callback_every_days from partners where id = $1")
                        .bind(partner_id)
                        .fetch_optional(x)
                        .await?
                });
                let every = every.ok_or(PartnersError::NotFound)?;
                let next =
                    next.unwrap_or(on + chrono::Days::new(u64::try_from(every).unwrap_or(30)));
                let id: i64 = on_tx!(tx, |x| {
                    sqlx::query_scalar(
                        "insert into partner_callbacks (partner_id, on_date, staff_id, caller, way, content, issues, \
                         follow_up, next_due_on, at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
                    )
                    .bind(partner_id)
                    .bind(on)
                    .bind(staff_id(&c))
                    .bind(actor_name(&c))
                    .bind(way)
                    .bind(&content)
                    .bind(&issues)
                    .bind(&follow_up)
                    .bind(next)
                    .bind(ts(c.now()))
                    .fetch_one(x)
                    .await?
                });
                on_tx!(tx, |x| {
                    sqlx::query("update partners set next_callback_on = $1 where id = $2")
                        .bind(next)
                        .bind(partner_id)
                        .execute(x)
                        .await
                        .map(|r| r.rows_affected())
                })?;
                tx.audit(c.audit("partners.callback_logged", "partner", partner_id).after(&json!({
                    "callback_id": id, "on": on, "way": way, "next_due_on": next,
                })));
                Ok(id)
            })
        })
        .await
}

/// The contact's phone in full, for staff who manage partners (audited, never logged).
pub async fn reveal_phone(ctx: &Ctx, partner_id: i64) -> Result<String, PartnersError> {
    ctx.require(Permission::ManagePartners)?;
    let p = store::get(ctx.db(), partner_id)
        .await?
        .ok_or(PartnersError::NotFound)?;
    let phone = p
        .contact_phone_enc
        .as_deref()
        .and_then(|e| ctx.app.pii.decrypt(e).ok())
        .unwrap_or_default();
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                tx.audit(c.audit("partners.reveal_phone", "partner", partner_id));
                Ok::<_, PartnersError>(())
            })
        })
        .await?;
    Ok(phone)
}
