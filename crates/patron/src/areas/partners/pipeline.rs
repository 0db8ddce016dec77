//! The pipeline (G1): screening a partner, moving it one stage at a time with a dated history
//! row, and showing its contact's phone in full (audited).

use chrono::NaiveDate;
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::input::{choice, date, number, optional_text, parse_phone};
use super::store::{self, NewPartner, Step};
use super::{
    CATEGORIES, PartnersError, STAGES, actor_name, dup, request_key, staff_id, stage_index,
    step_allowed,
};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Tx, ts};
use crate::kernel::validation::{Invalid, required_text};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = partners::PartnerIn, examples(json!({
    "name": "金鼎酒楼", "category": "catering", "address": "北京市朝阳区建国路 88 号",
    "contact_person": "王经理", "contact_phone": "13800138000", "department": "会员部",
    "owner": "", "callback_every_days": "30", "on_date": "", "note": "老字号，会员口碑好"
})))]
#[serde(default)]
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

/// A checked `PartnerIn`.
struct Screened {
    name: String,
    category: &'static str,
    address: String,
    contact_person: String,
    phone: Option<(String, String)>,
    department: String,
    every: i64,
    on: NaiveDate,
    note: String,
    owner: Option<i64>,
}

/// Checks a new partner's file; every bad field at once.
async fn check_partner(ctx: &Ctx, input: &PartnerIn) -> Result<Screened, PartnersError> {
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
    let today = ctx.today();
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
    Ok(Screened {
        name,
        category,
        address,
        contact_person,
        phone,
        department,
        every,
        on,
        note,
        owner,
    })
}

/// Records a newly screened partner (筛选): its file and the first row of its history.
pub async fn create_partner(ctx: &Ctx, input: &PartnerIn) -> Result<i64, PartnersError> {
    create_partner_once(ctx, input, None).await
}

/// `create_partner` under an idempotency key: a repeat with the same `key` records nothing
/// more and answers the first partner's id.
pub async fn create_partner_once(
    ctx: &Ctx,
    input: &PartnerIn,
    key: Option<&str>,
) -> Result<i64, PartnersError> {
    ctx.require(Permission::ManagePartners)?;
    let key = request_key(key)?;
    let p = check_partner(ctx, input).await?;
    let phone_enc = p.phone.as_ref().map(|(n, _)| ctx.app.pii.encrypt(n));
    let masked = p.phone.as_ref().map(|(_, m)| m.clone()).unwrap_or_default();
    let p = std::sync::Arc::new((p, phone_enc, masked));
    let c = ctx.clone();
    let id = ctx
        .db()
        .write(move |tx| {
            let (c, p, key) = (c.clone(), p.clone(), key.clone());
            Box::pin(async move {
                let (p, phone_enc, masked) = &*p;
                if let Some(k) = &key
                    && let Some(first) = store::keys::claim(tx, "partner", k, c.now()).await?
                {
                    return Ok(first);
                }
                let id = store::insert_partner(
                    tx,
                    &NewPartner {
                        name: &p.name,
                        category: p.category,
                        address: &p.address,
                        contact_person: &p.contact_person,
                        contact_phone_enc: phone_enc.as_deref(),
                        contact_phone_masked: masked,
                        stage_on: p.on,
                        owner_staff_id: p.owner,
                        department: &p.department,
                        callback_every_days: p.every,
                        created_by: staff_id(&c),
                        now: ts(c.now()),
                    },
                )
                .await
                .map_err(dup("name"))?;
                history(tx, &c, id, None, "screened", p.on, &p.note).await?;
                if let Some(k) = &key {
                    store::keys::settle(tx, "partner", k, id).await?;
                }
                // The phone is personal data: only its masked form is audited.
                tx.audit(c.audit("partners.create", "partner", id).after(&json!({
                    "name": p.name, "category": p.category, "contact_phone": masked,
                    "owner_staff_id": p.owner,
                })));
                Ok::<_, PartnersError>(id)
            })
        })
        .await?;
    Ok(id)
}

/// Appends a dated row to the partner's history, as the signed-in person.
pub(super) async fn history(
    tx: &mut Tx,
    c: &Ctx,
    partner_id: i64,
    from: Option<&str>,
    to: &str,
    on: NaiveDate,
    note: &str,
) -> Result<(), PartnersError> {
    let who = actor_name(c);
    store::insert_step(
        tx,
        &Step {
            partner_id,
            from,
            to,
            on,
            note,
            staff_id: staff_id(c),
            actor: &who,
            at: ts(c.now()),
        },
    )
    .await?;
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
    let today = ctx.today();
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
                let (current, last_on) = store::stage_and_date(tx, partner_id)
                    .await?
                    .ok_or(PartnersError::NotFound)?;
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
                    contract_for(tx, partner_id, to, on).await?;
                }
                // The guarded update: of two desks moving the partner at once, one wins.
                let first_callback = on + chrono::Days::new(30);
                let moved = store::move_stage(tx, partner_id, &from, to, on, first_callback).await?;
                if moved != 1 {
                    return Err(PartnersError::Conflict(
                        "the partner's stage was changed by someone else first".into(),
                    ));
                }
                if to == "ended" {
                    store::end_in_force(tx, partner_id).await?;
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

/// Signing needs a contract in force that has not ended by `on`; becoming active needs one in
/// force on `on`.
async fn contract_for(
    tx: &mut Tx,
    partner_id: i64,
    to: &str,
    on: NaiveDate,
) -> Result<(), PartnersError> {
    let covering = store::covering(tx, partner_id, on).await?;
    let any = store::ending_from(tx, partner_id, on).await?;
    if any == 0 {
        return Err(Invalid::one("to", "partners.invalid.contract_needed").into());
    }
    if to == "active" && covering == 0 {
        return Err(Invalid::one("to", "partners.invalid.contract_not_in_force").into());
    }
    Ok(())
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
