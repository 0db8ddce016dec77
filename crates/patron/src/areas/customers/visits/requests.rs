//! Visit requests (客户走访单, F6; S1 第五条: 出访前填写《客户走访单》，经经理批准后方可出访) and
//! the meeting minutes (会谈纪要: 与客户面谈后 2 个工作日内编写).
//!
//! A request is submitted as approval kind `customer_visit` in the same write as the visit row;
//! the `/approvals` inbox decides it (a manager or supervisor, never the requester) and the
//! decision moves the visit in the same transaction. Only an approved visit can be marked done
//! or get its minutes. The minutes' due date is fixed when the request is made: two working
//! days of the office calendar after the visit date (a Friday visit is due on Tuesday).

use chrono::NaiveDate;
use patron_core::approvals::Decision;
use patron_core::money::Fen;
use patron_core::{Permission, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::input::{date, optional_id, text, yuan};
use super::me;
use super::store::visits::{self as store, Minutes, NewVisit, VisitRow};
use crate::areas::calendar;
use crate::areas::customers::CustomersError;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::kernel::validation::{Invalid, required_text};

/// The stored approval kind of a visit request.
pub const KIND: &str = "customer_visit";

/// The approval kinds of visits: a visit request, decided by a manager or supervisor.
pub const APPROVALS: &[crate::approvals::ApprovalKind] = &[crate::approvals::ApprovalKind {
    kind: KIND,
    label: "approval.kind.customer_visit",
    deciders: &[Role::Manager, Role::Supervisor],
    decide: decide_boxed,
    record: |id| format!("/customers/visits/{id}"),
    record_permission: Permission::ViewCustomers,
}];

fn decide_boxed(ctx: &Ctx, id: i64, decision: Decision) -> crate::approvals::DecideFuture<'_> {
    Box::pin(async move { Ok(decide(ctx, id, decision).await?) })
}

/// A visit request as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = visits::VisitIn, examples(json!({
    "customer_id": 1, "visit_on": "2026-11-06", "purpose": "洽谈中秋福利采购",
    "participants": "王明、李华", "gifts": "月饼礼盒两盒", "budget": "300.00"
})))]
pub struct VisitIn {
    #[serde(default, deserialize_with = "super::input::id_text")]
    #[schema(value_type = i64)]
    pub customer_id: String,
    /// The day of the visit (YYYY-MM-DD), today or later.
    #[serde(default)]
    pub visit_on: String,
    #[serde(default)]
    pub purpose: String,
    /// Who goes (our side).
    #[serde(default)]
    pub participants: String,
    /// Gifts taken, in words.
    #[serde(default)]
    pub gifts: String,
    /// The budget in yuan (`300.00`); empty: none.
    #[serde(default)]
    pub budget: String,
}

struct Checked {
    customer_id: i64,
    visit_on: NaiveDate,
    purpose: String,
    participants: String,
    gifts: String,
    budget_fen: i64,
}

fn check(ctx: &Ctx, input: &VisitIn) -> Result<Checked, Invalid> {
    let mut bad = Invalid::new();
    let customer_id = optional_id(&mut bad, "customer_id", &input.customer_id);
    if customer_id.is_none() && input.customer_id.trim().is_empty() {
        bad.add("customer_id", "invalid.required");
    }
    let visit_on = date(&mut bad, "visit_on", &input.visit_on, None);
    if visit_on.is_some_and(|d| d < ctx.today()) {
        bad.add("visit_on", "customers.visits.invalid.visit_past");
    }
    let purpose = bad.check("purpose", required_text(&input.purpose, 500));
    let participants = text(&mut bad, "participants", &input.participants, 200);
    let gifts = text(&mut bad, "gifts", &input.gifts, 500);
    let budget_fen = yuan(&mut bad, "budget", &input.budget);
    bad.into_result()?;
    let (Some(customer_id), Some(visit_on), Some(purpose)) = (customer_id, visit_on, purpose)
    else {
        return Err(Invalid::one("customer_id", "invalid.required"));
    };
    Ok(Checked {
        customer_id,
        visit_on,
        purpose,
        participants,
        gifts,
        budget_fen,
    })
}

/// A visit request made: the visit and its approval request.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = visits::VisitMade)]
pub struct VisitMade {
    pub id: i64,
    pub approval_id: i64,
    pub state: String,
    /// The minutes are due by this day (two working days after the visit).
    pub minutes_due_on: NaiveDate,
}

/// Requests a visit (客户走访单): the visit row and its approval request, in one write.
pub async fn request(ctx: &Ctx, input: &VisitIn) -> Result<VisitMade, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let requester = me(ctx, Permission::ManageCustomers)?;
    let k = std::sync::Arc::new(check(ctx, input)?);
    let cal = calendar::load(ctx.db(), calendar::OFFICE).await?;
    let due = cal
        .add_working_days(k.visit_on, 2)
        .ok_or_else(|| Invalid::one("visit_on", "invalid.date"))?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, k) = (c.clone(), k.clone());
            Box::pin(async move {
                let (store_id, state, name) = store::customer_store(tx, k.customer_id)
                    .await?
                    .ok_or_else(|| Invalid::one("customer_id", "invalid.not_found"))?;
                if state != "active" {
                    return Err(Invalid::one("customer_id", "customers.visits.invalid.archived").into());
                }
                c.require_at(Permission::ManageCustomers, store_id)?;
                let id = store::insert(
                    tx,
                    &NewVisit {
                        customer_id: k.customer_id,
                        store_id,
                        requested_by: requester,
                        visit_on: k.visit_on,
                        purpose: &k.purpose,
                        participants: &k.participants,
                        gifts: &k.gifts,
                        budget_fen: k.budget_fen,
                        minutes_due_on: due,
                        at: ts(c.now()),
                    },
                )
                .await?;
                let mut summary = format!("客户走访 {name}（{}）：{}", k.visit_on, k.purpose);
                if k.budget_fen > 0 {
                    summary.push_str(&format!("，预算 {}", Fen(k.budget_fen).plain()));
                }
                let summary: String = summary.chars().take(200).collect();
                let row = crate::approvals::submit(
                    &c,
                    tx,
                    &crate::approvals::NewRequest {
                        kind: KIND.into(),
                        store_id: Some(store_id),
                        subject_kind: "customer_visit".into(),
                        subject_id: id.to_string(),
                        summary,
                        payload: json!({ "visit_id": id, "customer_id": k.customer_id }),
                        previous_id: None,
                    },
                )
                .await?;
                store::set_approval(tx, id, row.id).await?;
                tx.audit(c.audit("customers.visit_requested", "customer_visit", id).after(&json!({
                    "customer_id": k.customer_id, "visit_on": k.visit_on, "budget_fen": k.budget_fen,
                    "approval_id": row.id, "minutes_due_on": due,
                })));
                Ok(VisitMade {
                    id,
                    approval_id: row.id,
                    state: "pending".into(),
                    minutes_due_on: due,
                })
            })
        })
        .await
}

/// Decides a visit request (from the inbox or the API) and moves the visit in the same write.
pub async fn decide(
    ctx: &Ctx,
    approval_id: i64,
    decision: Decision,
) -> Result<crate::approvals::ApprovalRow, CustomersError> {
    let c = ctx.clone();
    let decision = std::sync::Arc::new(decision);
    ctx.db()
        .write(move |tx| {
            let (c, decision) = (c.clone(), decision.clone());
            Box::pin(async move {
                let row = crate::approvals::decide(
                    &c,
                    tx,
                    approval_id,
                    &decision,
                    crate::areas::customers::APPROVALS,
                )
                .await?;
                if row.kind != KIND {
                    return Err(CustomersError::NotFound);
                }
                let visit = store::by_approval(tx, row.id)
                    .await?
                    .ok_or(CustomersError::NotFound)?;
                let to = if row.status == "approved" {
                    "approved"
                } else {
                    "rejected"
                };
                store::set_state(tx, visit, "pending", to, None).await?;
                Ok(row)
            })
        })
        .await
}

/// A visit the caller may see.
pub async fn get(ctx: &Ctx, id: i64) -> Result<VisitRow, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    store::get(ctx.db(), id)
        .await?
        .ok_or(CustomersError::NotFound)
}

/// Marks an approved visit done (back from the visit). A visit not approved is refused
/// (`visit_not_approved`) and nothing changes.
pub async fn mark_done(ctx: &Ctx, id: i64) -> Result<VisitRow, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let v = store::get(&mut *tx, id)
                    .await?
                    .ok_or(CustomersError::NotFound)?;
                c.require_at(Permission::ManageCustomers, v.store_id)?;
                if v.state == "done" {
                    return Ok(v);
                }
                if v.state != "approved" {
                    return Err(CustomersError::VisitNotApproved(v.state));
                }
                if v.visit_on > c.today() {
                    return Err(
                        Invalid::one("visit_on", "customers.visits.invalid.visit_not_yet").into(),
                    );
                }
                if !store::set_state(tx, id, "approved", "done", Some(ts(c.now()))).await? {
                    return Err(CustomersError::VisitNotApproved(v.state));
                }
                tx.audit(
                    c.audit("customers.visit_done", "customer_visit", id)
                        .before(&json!({ "state": v.state }))
                        .after(&json!({ "state": "done" })),
                );
                store::get(&mut *tx, id)
                    .await?
                    .ok_or(CustomersError::NotFound)
            })
        })
        .await
}

/// The minutes (会谈纪要) as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = visits::MinutesIn, examples(json!({
    "attendees": "对方：工会王主席；我方：王明", "discussion": "中秋福利采购意向",
    "agreements": "九月初报价", "follow_ups": "8 月 30 日前送报价单"
})))]
pub struct MinutesIn {
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub discussion: String,
    #[serde(default)]
    pub agreements: String,
    #[serde(default)]
    pub follow_ups: String,
}

/// Writes the minutes of an approved or done visit (the visit is then done). Writing them again
/// replaces them (audited with both).
pub async fn write_minutes(
    ctx: &Ctx,
    id: i64,
    input: &MinutesIn,
) -> Result<VisitRow, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let by = me(ctx, Permission::ManageCustomers)?;
    let mut bad = Invalid::new();
    let attendees = bad.check("attendees", required_text(&input.attendees, 500));
    let discussion = bad.check("discussion", required_text(&input.discussion, 5000));
    let agreements = text(&mut bad, "agreements", &input.agreements, 2000);
    let follow_ups = text(&mut bad, "follow_ups", &input.follow_ups, 2000);
    bad.into_result()?;
    let (Some(attendees), Some(discussion)) = (attendees, discussion) else {
        return Err(Invalid::one("discussion", "invalid.required").into());
    };
    let m = std::sync::Arc::new((attendees, discussion, agreements, follow_ups));
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, m) = (c.clone(), m.clone());
            Box::pin(async move {
                let v = store::get(&mut *tx, id)
                    .await?
                    .ok_or(CustomersError::NotFound)?;
                c.require_at(Permission::ManageCustomers, v.store_id)?;
                if !matches!(v.state.as_str(), "approved" | "done") {
                    return Err(CustomersError::VisitNotApproved(v.state));
                }
                if v.visit_on > c.today() {
                    return Err(
                        Invalid::one("visit_on", "customers.visits.invalid.visit_not_yet").into(),
                    );
                }
                let written = store::write_minutes(
                    tx,
                    id,
                    &Minutes {
                        attendees: &m.0,
                        discussion: &m.1,
                        agreements: &m.2,
                        follow_ups: &m.3,
                        by,
                        at: ts(c.now()),
                    },
                )
                .await?;
                if !written {
                    return Err(CustomersError::VisitNotApproved(v.state));
                }
                let late = v.minutes_due_on.is_some_and(|d| c.today() > d);
                tx.audit(
                    c.audit("customers.visit_minutes", "customer_visit", id)
                        .before(&json!({ "state": v.state, "discussion": v.discussion }))
                        .after(&json!({ "state": "done", "discussion": m.1, "late": late })),
                );
                store::get(&mut *tx, id)
                    .await?
                    .ok_or(CustomersError::NotFound)
            })
        })
        .await
}

/// The visits whose minutes are past due today.
pub async fn overdue(ctx: &Ctx) -> Result<Vec<VisitRow>, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    Ok(store::minutes_overdue(ctx.db(), ctx.today()).await?)
}
