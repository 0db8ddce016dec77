//! Applications (SPEC B2–B5): a clerk fills in the application (会员申请表) with the qualifying
//! receipt; the store's eligibility rule is checked and the receipt reserved (one receipt
//! qualifies one card); customer service approves — which issues the card in the store's
//! sequence and sends the welcome message — or rejects with a reason, after which the clerk
//! corrects and resubmits.

use std::sync::Arc;

use patron_core::Permission;
use patron_core::money::Fen;
use serde::{Deserialize, Serialize};

pub use super::store::ApplicationRow;
use super::store::{self, NewApplication};
use super::{Issue, MemberIn, MembersError, Referral, Registered, register_in};
use crate::areas::points::settings::{Loyalty, card_rule};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::db::{DbError, Tx, ts};
use crate::kernel::validation::Invalid;

/// What the clerk submits.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ApplicationIn {
    pub store_code: String,
    pub member: MemberIn,
    pub receipt_no: String,
    /// The receipt's amount in yuan, as typed.
    pub receipt_amount: String,
    #[serde(default)]
    pub counter: String,
}

impl ApplicationRow {
    /// The form as submitted (personal fields decrypted), for the reviewer and for corrections.
    pub fn form(&self, pii: &crate::kernel::pii::Pii) -> Option<ApplicationIn> {
        let plain = pii.decrypt(&self.data).ok()?;
        serde_json::from_str(&plain).ok()
    }
}

pub async fn get(db: &crate::kernel::db::Db, id: i64) -> Result<Option<ApplicationRow>, DbError> {
    store::get_application(db, id).await
}

/// Applications waiting for review, and rejected ones waiting for a correction.
pub async fn queue(ctx: &Ctx) -> Result<Vec<ApplicationRow>, MembersError> {
    ctx.require(Permission::ViewMembers)?;
    Ok(store::open_applications(ctx.db()).await?)
}

async fn reserve_receipt(
    tx: &mut Tx,
    store_id: i64,
    receipt_no: &str,
    application_id: i64,
) -> Result<(), MembersError> {
    store::reserve_receipt(tx, store_id, receipt_no, application_id)
        .await
        .map_err(|e| {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                MembersError::from(Invalid::one("receipt_no", "invalid.receipt_used"))
            } else {
                e.into()
            }
        })?;
    Ok(())
}

/// Submits an application (or, with `previous`, the correction of a rejected one).
pub async fn submit(
    ctx: &Ctx,
    input: &ApplicationIn,
    previous: Option<i64>,
) -> Result<i64, MembersError> {
    ctx.require(Permission::ManageMembers)?;
    let checked = check(ctx, input).await?;
    let pii = ctx.app.pii.clone();
    let staff_id = ctx
        .actor
        .staff()
        .map(|s| s.id)
        .ok_or(MembersError::Forbidden(crate::kernel::ctx::Forbidden(
            Permission::ManageMembers,
        )))?;
    let new = Submission {
        store_id: checked.store.id,
        phone_hash: pii.lookup("phone", checked.valid.phone.as_str()),
        id_hash: checked
            .valid
            .id
            .as_ref()
            .map(|i| pii.lookup("id", i.as_str())),
        data: pii.encrypt(&serde_json::to_string(input).unwrap_or_default()),
        name: checked.valid.name.clone(),
        receipt_no: checked.receipt_no,
        receipt_fen: checked.amount.0,
        counter: input.counter.trim().to_string(),
        submitted_by: staff_id,
        submitted_at: ts(ctx.now()),
        previous,
    };
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, new) = (c.clone(), new.clone());
            Box::pin(async move {
                let id = record(tx, &new).await?;
                tx.audit(
                    c.audit("member.apply", "application", id)
                        .after(&serde_json::json!({ "name": new.name, "receipt_no": new.receipt_no, "previous": new.previous })),
                );
                Ok(id)
            })
        })
        .await
}

/// An application whose fields passed their checks.
struct Checked {
    store: crate::kernel::stores::StoreInfo,
    valid: super::ValidMember,
    receipt_no: String,
    amount: Fen,
}

/// Checks every field (naming each bad one) and the store's eligibility rule (B3).
async fn check(ctx: &Ctx, input: &ApplicationIn) -> Result<Checked, MembersError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let mut bad = Invalid::new();
    let store = stores.by_code(&input.store_code).cloned();
    if store.is_none() {
        bad.add("store_code", "invalid.store_code");
    }
    let today = business_date(ctx.now(), ctx.app.config.tz());
    let valid = match input.member.validate(today) {
        Ok(v) => Some(v),
        Err(i) => {
            bad.0.extend(i.0);
            None
        }
    };
    let receipt_no =
        crate::areas::points::receipts::parse_no("receipt_no", &input.receipt_no, &mut bad);
    let amount = bad.check(
        "receipt_amount",
        Fen::parse_yuan(&input.receipt_amount).map_err(|_| "invalid.amount"),
    );
    if let (Some(store), Some(amount)) = (&store, amount) {
        ctx.require_at(Permission::ManageMembers, store.id)?;
        let rule = card_rule(ctx.db(), store.id).await?;
        if !rule.qualifies(amount, &input.counter) {
            bad.add("receipt_amount", "invalid.not_eligible");
        }
    }
    bad.into_result()?;
    let (Some(store), Some(valid), Some(receipt_no), Some(amount)) =
        (store, valid, receipt_no, amount)
    else {
        return Err(Invalid::one("name", "invalid.required").into());
    };
    Ok(Checked {
        store,
        valid,
        receipt_no,
        amount,
    })
}

/// What the write of a submission records.
#[derive(Debug, Clone)]
struct Submission {
    store_id: i64,
    phone_hash: String,
    id_hash: Option<String>,
    data: String,
    name: String,
    receipt_no: String,
    receipt_fen: i64,
    counter: String,
    submitted_by: i64,
    submitted_at: chrono::DateTime<chrono::Utc>,
    previous: Option<i64>,
}

/// Inside the write: refuses a phone or ID number a member has, replaces the rejected
/// application it corrects, records it and reserves its receipt.
async fn record(tx: &mut Tx, new: &Submission) -> Result<i64, MembersError> {
    if let Some((member_id, existing)) =
        store::find_by_hash_in(tx, "phone_hash", &new.phone_hash).await?
    {
        return Err(MembersError::Duplicate {
            field: "phone",
            member_id,
            name: existing,
        });
    }
    if let Some(h) = &new.id_hash
        && let Some((member_id, existing)) = store::find_by_hash_in(tx, "id_hash", h).await?
    {
        return Err(MembersError::Duplicate {
            field: "id_no",
            member_id,
            name: existing,
        });
    }
    if let Some(prev) = new.previous {
        // The corrected application replaces the rejected one.
        if store::mark_resubmitted(tx, prev).await? != 1 {
            return Err(Invalid::one("previous", "invalid.resubmit").into());
        }
    }
    let id = store::insert_application(
        tx,
        &NewApplication {
            store_id: new.store_id,
            name: &new.name,
            data: &new.data,
            phone_hash: &new.phone_hash,
            id_hash: new.id_hash.as_deref(),
            receipt_no: &new.receipt_no,
            receipt_fen: new.receipt_fen,
            counter: &new.counter,
            submitted_by: new.submitted_by,
            submitted_at: new.submitted_at,
        },
    )
    .await?;
    reserve_receipt(tx, new.store_id, &new.receipt_no, id).await?;
    Ok(id)
}

/// The reviewer's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    Approve,
    Reject { reason: String },
}

/// Approves (issuing the card) or rejects an application; never one's own (four eyes, A2).
pub async fn review(
    ctx: &Ctx,
    id: i64,
    decision: Review,
) -> Result<Option<Registered>, MembersError> {
    ctx.require(Permission::ReviewApplications)?;
    let reviewer = ctx
        .actor
        .staff()
        .map(|s| s.id)
        .ok_or(MembersError::Forbidden(crate::kernel::ctx::Forbidden(
            Permission::ReviewApplications,
        )))?;
    let app_row = get(ctx.db(), id).await?.ok_or(MembersError::NotFound)?;
    ctx.require_at(Permission::ReviewApplications, app_row.store_id)?;
    if app_row.submitted_by == reviewer {
        return Err(MembersError::Approvals(
            crate::approvals::ApprovalsError::Rule(
                patron_core::approvals::ApprovalError::OwnRequest,
            ),
        ));
    }
    if let Review::Reject { reason } = &decision
        && reason.trim().is_empty()
    {
        return Err(Invalid::one("reason", "invalid.required").into());
    }
    let form = app_row.form(&ctx.app.pii).ok_or(MembersError::NotFound)?;
    let today = business_date(ctx.now(), ctx.app.config.tz());
    let valid = form.member.validate(today)?;
    let loyalty = ctx.app.cache.get::<Loyalty>(ctx.db()).await?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let store = stores
        .by_id(app_row.store_id)
        .cloned()
        .ok_or(MembersError::NotFound)?;
    let first_password = crate::auth::password::random_password();
    let portal_hash = crate::auth::password::hash(&first_password)
        .await
        .map_err(|e| MembersError::Db(DbError::Batch(e.to_string())))?;
    let c = ctx.clone();
    let approval = Arc::new(Approval {
        valid,
        store,
        receipt_no: app_row.receipt_no.clone(),
        first_password,
        portal_hash,
        months: loyalty.settings.card_valid_months,
        // An application joins the lowest tier (B7: 首次注册成功的会员即为普通会员).
        referral: Referral::of(&loyalty, None, today),
        today,
    });
    let decided = Arc::new((app_row, decision));
    let now = ts(ctx.now());
    ctx.db()
        .write(move |tx| {
            let (c, approval, decided) = (c.clone(), approval.clone(), decided.clone());
            Box::pin(async move {
                let (app_row, decision) = &*decided;
                let (status, reason) = match decision {
                    Review::Approve => ("approved", None),
                    Review::Reject { reason } => ("rejected", Some(reason.trim().to_string())),
                };
                let n = store::decide_application(tx, id, status, reviewer, now, reason.as_deref())
                    .await?;
                if n != 1 {
                    return Err(MembersError::CardState(app_row.status.clone()));
                }
                let registered = if *decision == Review::Approve {
                    Some(approve(&c, tx, id, &approval, now).await?)
                } else {
                    // The receipt may qualify the corrected application.
                    store::release_receipt(tx, id).await?;
                    None
                };
                tx.audit(
                    c.audit(&format!("member.application_{status}"), "application", id)
                        .after(&serde_json::json!({ "reason": reason, "member": registered.as_ref().map(|r| r.member_id) })),
                );
                Ok(registered)
            })
        })
        .await
}

/// What approving an application needs, prepared before the write.
struct Approval {
    valid: super::ValidMember,
    store: crate::kernel::stores::StoreInfo,
    receipt_no: Option<String>,
    first_password: String,
    portal_hash: String,
    months: i64,
    referral: Referral,
    today: chrono::NaiveDate,
}

/// Inside the write: registers the member with the card of the application's store (not yet
/// active), links the application, sends the welcome and credits the referrer.
async fn approve(
    c: &Ctx,
    tx: &mut Tx,
    id: i64,
    a: &Approval,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Registered, MembersError> {
    let issue = Issue {
        store_id: a.store.id,
        card_no: None,
        joined_on: a.today,
        expires_on: None,
        activate: false,
        opening_receipt_no: a.receipt_no.clone(),
        tier_code: None,
        portal_password_hash: Some(a.portal_hash.clone()),
    };
    let r = register_in(c, tx, &a.valid, &issue, a.months, &a.store.code).await?;
    store::set_application_member(tx, id, r.member_id).await?;
    super::queue_welcome(tx, &r, a.valid.email.is_some(), &a.first_password, now).await?;
    if a.valid.referrer.is_some() {
        super::referral_points(tx, r.member_id, &a.referral, now).await?;
    }
    Ok(r)
}
