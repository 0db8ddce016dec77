//! The steps of a case (I3, I4): acknowledge, route to a department (again: re-route), the
//! department's answer (a plan; a result for product quality), the resolution, the report of a
//! major case to the head, the callback that closes or reopens it, and marking a typical case.
//!
//! Every step is safe to repeat: a step the case has already passed answers the case as it is
//! and writes nothing; two people doing the same step at once move it once (each update is
//! guarded by the states it may start from). A step that does not fit the state is refused with
//! `complaint_wrong_state`.

use chrono::{DateTime, Utc};
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::clocks::{self, Settings};
use super::store::{self, ComplaintRow, Step};
use super::view::{self, Complaint};
use super::{ComplaintError, intake};
use crate::areas::calendar;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::Tx;
use crate::kernel::validation::{Invalid, required_text};

/// `/route`: the department (a code from `GET /complaints/departments`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = complaints::RouteIn, examples(json!({"department": "quality"})))]
pub struct RouteIn {
    #[serde(default)]
    pub department: String,
}

/// `/answer`: the department's plan (or result, for product quality).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = complaints::AnswerIn, examples(json!({"plan": "今日内上门检测，确认质量问题后换新"})))]
pub struct AnswerIn {
    #[serde(default)]
    pub plan: String,
}

/// `/resolve`: what was done.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = complaints::ResolveIn, examples(json!({"result": "已为顾客换新，并致歉"})))]
pub struct ResolveIn {
    #[serde(default)]
    pub result: String,
}

/// `/callback`: whether the customer is satisfied, and what they said.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = complaints::CallbackIn, examples(json!({"satisfied": true, "remarks": "顾客表示满意"})))]
pub struct CallbackIn {
    pub satisfied: Option<bool>,
    #[serde(default)]
    pub remarks: String,
}

/// `/typical`: mark (or unmark) a case for the case library.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = complaints::TypicalIn, examples(json!({"typical": true, "note": "质量投诉 2 小时内出结果并换新"})))]
pub struct TypicalIn {
    #[serde(default)]
    pub typical: bool,
    #[serde(default)]
    pub note: String,
}

/// The case, for a step needing `perm` at its store; an archived case is refused.
async fn subject(ctx: &Ctx, id: i64, perm: Permission) -> Result<ComplaintRow, ComplaintError> {
    ctx.require(perm)?;
    let row = store::complaint(ctx.db(), id)
        .await?
        .ok_or(ComplaintError::NotFound)?;
    ctx.require_at(perm, row.store_id)?;
    if row.archived_at.is_some() {
        return Err(ComplaintError::Archived);
    }
    Ok(row)
}

/// The case as it is now inside the write.
async fn fresh(tx: &mut Tx, id: i64) -> Result<ComplaintRow, ComplaintError> {
    store::complaint(&mut *tx, id)
        .await?
        .ok_or(ComplaintError::NotFound)
}

fn wrong(row: &ComplaintRow, step: &'static str) -> ComplaintError {
    ComplaintError::WrongState {
        state: row.state.clone(),
        step,
    }
}

/// Acknowledges receipt (受理).
pub async fn acknowledge(ctx: &Ctx, id: i64) -> Result<Complaint, ComplaintError> {
    subject(ctx, id, Permission::TakeComplaints).await?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let row = fresh(tx, id).await?;
                let now = c.now();
                if store::step(tx, Step::Acknowledge, id, now, None).await? {
                    clocks::end(tx, id, row.store_id, "acknowledge", now, true).await?;
                    tx.audit(
                        c.audit("complaints.acknowledged", "complaint", id)
                            .store(row.store_id),
                    );
                }
                Ok::<_, ComplaintError>(())
            })
        })
        .await?;
    view::load(ctx.db(), id).await
}

/// What the answer clock of a new routing needs: the service calendar and the store's zone.
async fn answer_clock_inputs(
    ctx: &Ctx,
    store_id: i64,
) -> Result<(patron_core::calendar::BusinessCalendar, chrono_tz::Tz), ComplaintError> {
    let cal = calendar::load(ctx.db(), calendar::SERVICE).await?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let tz = stores
        .by_id(store_id)
        .map_or_else(|| ctx.app.config.tz(), |s| s.tz);
    Ok((cal, tz))
}

/// Starts the department's answer clock (stopping any run of the previous department).
async fn start_answer(
    tx: &mut Tx,
    row: &ComplaintRow,
    department: &str,
    settings: &Settings,
    cal: &patron_core::calendar::BusinessCalendar,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<(), ComplaintError> {
    clocks::end(tx, row.id, row.store_id, "answer", now, false).await?;
    let due = clocks::working_due(cal, tz, now, settings.answer_minutes(&row.category));
    store::start_clock(tx, row.id, "answer", Some(department), now, due).await?;
    Ok(())
}

/// Routes the case to a department (分流), or re-routes it.
pub async fn route(ctx: &Ctx, id: i64, input: &RouteIn) -> Result<Complaint, ComplaintError> {
    let row = subject(ctx, id, Permission::TakeComplaints).await?;
    let code = input.department.trim().to_owned();
    if code.is_empty() {
        return Err(Invalid::one("department", "invalid.required").into());
    }
    let known = store::departments(ctx.db()).await?;
    if !known.iter().any(|d| d.active && d.code == code) {
        return Err(ComplaintError::UnknownDepartment(code));
    }
    let settings = Settings::load(ctx.db()).await?;
    let (cal, tz) = answer_clock_inputs(ctx, row.store_id).await?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, code, settings, cal) = (c.clone(), code.clone(), settings.clone(), cal.clone());
            Box::pin(async move {
                let row = fresh(tx, id).await?;
                match row.state.as_str() {
                    "received" | "resolved" | "closed" => return Err(wrong(&row, "routed")),
                    _ => {}
                }
                let now = c.now();
                if !store::step(tx, Step::Route, id, now, Some(&code)).await? {
                    return Ok(());
                }
                clocks::end(tx, id, row.store_id, "route", now, true).await?;
                start_answer(tx, &row, &code, &settings, &cal, tz, now).await?;
                tx.audit(
                    c.audit("complaints.routed", "complaint", id)
                        .store(row.store_id)
                        .before(&json!({ "department": row.department }))
                        .after(&json!({ "department": code })),
                );
                Ok::<_, ComplaintError>(())
            })
        })
        .await?;
    view::load(ctx.db(), id).await
}

/// The department answers with its plan (or result).
pub async fn answer(ctx: &Ctx, id: i64, input: &AnswerIn) -> Result<Complaint, ComplaintError> {
    subject(ctx, id, Permission::HandleComplaints).await?;
    let plan = required_text(&input.plan, 4000).map_err(|k| Invalid::one("plan", k))?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, plan) = (c.clone(), plan.clone());
            Box::pin(async move {
                let row = fresh(tx, id).await?;
                if matches!(row.state.as_str(), "received" | "acknowledged") {
                    return Err(wrong(&row, "answered"));
                }
                let now = c.now();
                if store::step(tx, Step::Answer, id, now, Some(&plan)).await? {
                    clocks::end(tx, id, row.store_id, "answer", now, true).await?;
                    tx.audit(
                        c.audit("complaints.answered", "complaint", id)
                            .store(row.store_id)
                            .after(&json!({ "department": row.department, "plan": plan })),
                    );
                }
                Ok::<_, ComplaintError>(())
            })
        })
        .await?;
    view::load(ctx.db(), id).await
}

/// The case is resolved: the result is what the customer is told (feedback); the callback
/// clock starts.
pub async fn resolve(ctx: &Ctx, id: i64, input: &ResolveIn) -> Result<Complaint, ComplaintError> {
    subject(ctx, id, Permission::HandleComplaints).await?;
    let result = required_text(&input.result, 4000).map_err(|k| Invalid::one("result", k))?;
    let settings = Settings::load(ctx.db()).await?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, result, settings) = (c.clone(), result.clone(), settings.clone());
            Box::pin(async move {
                let row = fresh(tx, id).await?;
                if matches!(row.state.as_str(), "received" | "acknowledged") {
                    return Err(wrong(&row, "resolved"));
                }
                let now = c.now();
                if !store::step(tx, Step::Resolve, id, now, Some(&result)).await? {
                    return Ok(());
                }
                for clock in ["answer", "resolve", "feedback"] {
                    clocks::end(tx, id, row.store_id, clock, now, true).await?;
                }
                let due = clocks::wall_due(&settings, "callback", now);
                store::start_clock(tx, id, "callback", None, now, due).await?;
                tx.audit(
                    c.audit("complaints.resolved", "complaint", id)
                        .store(row.store_id)
                        .after(&json!({ "department": row.department, "result": result })),
                );
                Ok::<_, ComplaintError>(())
            })
        })
        .await?;
    view::load(ctx.db(), id).await
}

/// The callback after resolution (回访): satisfied closes the case; not satisfied reopens it
/// with the same department, whose answer clock starts again.
pub async fn callback(ctx: &Ctx, id: i64, input: &CallbackIn) -> Result<Complaint, ComplaintError> {
    let row = subject(ctx, id, Permission::TakeComplaints).await?;
    let Some(satisfied) = input.satisfied else {
        return Err(Invalid::one("satisfied", "invalid.required").into());
    };
    let remarks = input.remarks.trim().to_owned();
    if remarks.chars().count() > 2000 {
        return Err(Invalid::one("remarks", "invalid.too_long").into());
    }
    let settings = Settings::load(ctx.db()).await?;
    let (cal, tz) = answer_clock_inputs(ctx, row.store_id).await?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, remarks, settings, cal) =
                (c.clone(), remarks.clone(), settings.clone(), cal.clone());
            Box::pin(async move {
                let row = fresh(tx, id).await?;
                let done = store::callbacks(&mut *tx, id)
                    .await?
                    .iter()
                    .any(|b| b.round == row.rounds);
                if row.state != "resolved" {
                    // A repeat of the callback that closed or reopened the case answers it as is.
                    return if done && row.rounds > 0 {
                        Ok(())
                    } else {
                        Err(wrong(&row, "called_back"))
                    };
                }
                let now = c.now();
                let me = c.actor.staff().map(|s| s.id);
                if !store::insert_callback(tx, id, row.rounds, satisfied, &remarks, now, me).await?
                {
                    return Ok(());
                }
                clocks::end(tx, id, row.store_id, "callback", now, true).await?;
                if satisfied {
                    store::step(tx, Step::Close, id, now, None).await?;
                } else {
                    store::step(tx, Step::Reopen, id, now, None).await?;
                    let dept = row.department.clone().unwrap_or_default();
                    start_answer(tx, &row, &dept, &settings, &cal, tz, now).await?;
                }
                let action = if satisfied {
                    "complaints.closed"
                } else {
                    "complaints.reopened"
                };
                tx.audit(
                    c.audit(action, "complaint", id)
                        .store(row.store_id)
                        .after(&json!({ "satisfied": satisfied, "remarks": remarks })),
                );
                Ok::<_, ComplaintError>(())
            })
        })
        .await?;
    view::load(ctx.db(), id).await
}

/// A major case was reported to the head (上报).
pub async fn report(ctx: &Ctx, id: i64) -> Result<Complaint, ComplaintError> {
    subject(ctx, id, Permission::TakeComplaints).await?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let row = fresh(tx, id).await?;
                if row.severity != "major" {
                    return Err(ComplaintError::WrongState {
                        state: row.severity.clone(),
                        step: "reported",
                    });
                }
                let now = c.now();
                if store::step(tx, Step::Report, id, now, None).await? {
                    clocks::end(tx, id, row.store_id, "report", now, true).await?;
                    tx.audit(
                        c.audit("complaints.reported", "complaint", id)
                            .store(row.store_id),
                    );
                }
                Ok::<_, ComplaintError>(())
            })
        })
        .await?;
    view::load(ctx.db(), id).await
}

/// Marks a case typical for the case library (or takes it out), with a note.
pub async fn mark_typical(
    ctx: &Ctx,
    id: i64,
    input: &TypicalIn,
) -> Result<Complaint, ComplaintError> {
    let row = store::complaint(ctx.db(), id)
        .await?
        .ok_or(ComplaintError::NotFound)?;
    ctx.require_at(Permission::ManageComplaints, row.store_id)?;
    let note = input.note.trim().to_owned();
    if note.chars().count() > 2000 {
        return Err(Invalid::one("note", "invalid.too_long").into());
    }
    let c = ctx.clone();
    let typical = input.typical;
    ctx.db()
        .write(move |tx| {
            let (c, note) = (c.clone(), note.clone());
            Box::pin(async move {
                store::set_typical(tx, id, typical, &note).await?;
                tx.audit(
                    c.audit("complaints.typical", "complaint", id)
                        .store(row.store_id)
                        .after(&json!({ "typical": typical, "note": note })),
                );
                Ok::<_, ComplaintError>(())
            })
        })
        .await?;
    view::load(ctx.db(), id).await
}

/// Makes an unresolved case major (the clock job, after `escalate_days`): the report and
/// resolve clocks start now and the store is told. Whether this call did it.
pub async fn escalate(
    tx: &mut Tx,
    c: &Ctx,
    settings: &Settings,
    id: i64,
) -> Result<bool, ComplaintError> {
    let now = c.now();
    if !store::make_major(tx, id, "overdue", now).await? {
        return Ok(false);
    }
    let row = fresh(tx, id).await?;
    intake::start_major(tx, settings, id, row.store_id, now, "overdue", now).await?;
    tx.audit(
        c.audit("complaints.escalated", "complaint", id)
            .store(row.store_id)
            .after(&json!({ "severity": "major", "major_reason": "overdue" })),
    );
    Ok(true)
}
