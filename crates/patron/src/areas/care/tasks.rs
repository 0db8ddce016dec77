//! Care tasks (J2): the open calls an advisor sees (today's and overdue), completing one with
//! its outcome, and a member's tasks with the steps still to come (`GET /members/{card_no}/
//! care-tasks`, `api/care.md`).
//!
//! A task belongs to the member's advisor as it is when the task is shown or done: the member's
//! current advisor completes it (or a manager of care at the member's store); after a change of
//! advisor the open calls move to the new one at once.

use chrono::{DateTime, Utc};
use patron_core::Permission;
use patron_core::care::{Outcome, Step};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::CareError;
use super::store::tasks::{self as store, OpenFilter, TaskRow};
use super::store::{self as care_store, schedules};
use crate::kernel::ctx::{Ctx, Forbidden};
use crate::kernel::validation::Invalid;

/// The longest remarks kept with a call.
const REMARKS_MAX: usize = 1000;

/// The caller's open calls: those of the members they are the advisor of now.
pub async fn mine(ctx: &Ctx) -> Result<Vec<TaskRow>, CareError> {
    ctx.require(Permission::CareForMembers)?;
    let Some(me) = ctx.actor.staff().map(|s| s.id) else {
        return Ok(Vec::new());
    };
    Ok(store::open(
        ctx.db(),
        OpenFilter {
            advisor: Some(me),
            unassigned: false,
            limit: 1000,
        },
    )
    .await?)
}

/// Everyone's open calls (a manager), or one advisor's, or those of members with no advisor.
pub async fn everyone(
    ctx: &Ctx,
    advisor: Option<i64>,
    unassigned: bool,
) -> Result<Vec<TaskRow>, CareError> {
    ctx.require(Permission::ManageCare)?;
    Ok(store::open(
        ctx.db(),
        OpenFilter {
            advisor,
            unassigned,
            limit: 2000,
        },
    )
    .await?)
}

/// What the advisor records of a call.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = care::CompleteIn, examples(json!({"outcome": "reached", "remarks": "告知秋季新款到店，周六来看"})))]
pub struct CompleteIn {
    /// `reached` or `not_reached`.
    #[serde(default)]
    pub outcome: String,
    /// What was said, or why nobody answered.
    #[serde(default)]
    pub remarks: String,
}

/// A task as the API shows it after completing it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = care::Task)]
pub struct TaskOut {
    pub id: i64,
    pub step: String,
    pub due_at: DateTime<Utc>,
    pub state: String,
    pub outcome: String,
    pub remarks: String,
    pub done_at: Option<DateTime<Utc>>,
    /// Who did it (user name).
    pub done_by: Option<String>,
    pub card_no: Option<String>,
}

impl From<TaskRow> for TaskOut {
    fn from(t: TaskRow) -> Self {
        TaskOut {
            id: t.id,
            step: t.step,
            due_at: t.due_at,
            state: t.state,
            outcome: t.outcome,
            remarks: t.remarks,
            done_at: t.done_at,
            done_by: t.done_by_username,
            card_no: t.card_no,
        }
    }
}

fn check(input: &CompleteIn) -> Result<(Outcome, String), Invalid> {
    let mut bad = Invalid::new();
    let outcome = Outcome::from_code(input.outcome.trim());
    if outcome.is_none() {
        let key = if input.outcome.trim().is_empty() {
            "invalid.required"
        } else {
            "invalid.choice"
        };
        bad.add("outcome", key);
    }
    let remarks = input.remarks.trim().to_owned();
    if remarks.chars().count() > REMARKS_MAX {
        bad.add("remarks", "invalid.too_long");
    }
    bad.into_result()?;
    Ok((outcome.unwrap_or(Outcome::Reached), remarks))
}

/// Records call `id` done with its outcome: by the member's current advisor, or a manager of
/// care at the member's store. A call done (or closed) already is refused and nothing changes.
pub async fn complete(ctx: &Ctx, id: i64, input: &CompleteIn) -> Result<TaskOut, CareError> {
    ctx.require(Permission::CareForMembers)?;
    let (outcome, remarks) = check(input)?;
    let task = store::task(ctx.db(), id)
        .await?
        .ok_or(CareError::NotFound)?;
    let me = ctx.actor.staff().map(|s| s.id);
    let manager = ctx.can_at(Permission::ManageCare, task.store_id);
    if !manager && (me.is_none() || task.advisor_id != me) {
        return Err(if me.is_none() {
            Forbidden(Permission::CareForMembers).into()
        } else {
            CareError::NotAdvisor
        });
    }
    let c = ctx.clone();
    let member_id = task.member_id;
    let store_id = task.store_id;
    ctx.db()
        .write(move |tx| {
            let (c, remarks) = (c.clone(), remarks.clone());
            Box::pin(async move {
                if !store::complete(tx, id, outcome.code(), &remarks, me, c.now()).await? {
                    let now = store::task(&mut *tx, id).await?;
                    return Err(CareError::TaskClosed(now.map(|t| t.state).unwrap_or_default()));
                }
                tx.audit(
                    c.audit("care.task_done", "member", member_id)
                        .store(store_id)
                        .after(&json!({ "task_id": id, "outcome": outcome.code(), "remarks": remarks })),
                );
                Ok::<_, CareError>(())
            })
        })
        .await?;
    let done = store::task(ctx.db(), id)
        .await?
        .ok_or(CareError::NotFound)?;
    Ok(done.into())
}

/// One step of a member's care (`api/care.md`: exactly these fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = care::CareTask)]
pub struct CareTaskOut {
    /// `thank_you`, `care`, `greeting`, `call_1m`, `call_4m`, `call_6m` or `call_9m`.
    pub step: String,
    pub due_at: DateTime<Utc>,
    /// `scheduled` (not due yet), `open` (a call waiting), `done`, `skipped` (a message not
    /// sent: no marketing consent), `superseded` (a newer purchase restarted the calls) or
    /// `cancelled`.
    pub state: String,
    /// The user name of who did it, or of the member's current advisor; null when none.
    pub advisor: Option<String>,
}

/// The member's care steps, by card number: the tasks steps became, and the steps still to
/// come, in the order they fall due.
pub async fn of_card(ctx: &Ctx, card_no: &str) -> Result<Vec<CareTaskOut>, CareError> {
    ctx.require(Permission::CareForMembers)?;
    let member_id = care_store::member_of_card(ctx.db(), card_no)
        .await?
        .ok_or(CareError::MemberNotFound)?;
    let member = care_store::member(ctx.db(), member_id)
        .await?
        .filter(|m| m.status == "active")
        .ok_or(CareError::MemberNotFound)?;
    let advisor = care_store::advisor(ctx.db(), member.id)
        .await?
        .map(|a| a.username);
    let mut out: Vec<(DateTime<Utc>, i64, usize, CareTaskOut)> = Vec::new();
    for t in store::of_member(ctx.db(), member.id).await? {
        let index = Step::from_code(&t.step).map_or(0, Step::index);
        let who = if t.state == "open" {
            advisor.clone()
        } else {
            t.done_by_username.clone().or_else(|| advisor.clone())
        };
        out.push((
            t.due_at,
            t.schedule_id,
            index,
            CareTaskOut {
                step: t.step,
                due_at: t.due_at,
                state: t.state,
                advisor: who,
            },
        ));
    }
    for s in schedules::of_member(ctx.db(), member.id).await? {
        let from = usize::try_from(s.next_step).unwrap_or(Step::ALL.len());
        for step in Step::ALL.into_iter().skip(from) {
            let state = match s.state.as_str() {
                "cancelled" => "cancelled",
                "closed" => "closed",
                _ if step.is_call() && s.superseded_by.is_some() => "superseded",
                "active" => "scheduled",
                _ => continue,
            };
            let Some(due_at) = step.due_at(s.purchased_at) else {
                continue;
            };
            out.push((
                due_at,
                s.id,
                step.index(),
                CareTaskOut {
                    step: step.code().to_owned(),
                    due_at,
                    state: state.to_owned(),
                    advisor: advisor.clone(),
                },
            ));
        }
    }
    out.sort_by_key(|(at, schedule, index, _)| (*at, *schedule, *index));
    Ok(out.into_iter().map(|(_, _, _, t)| t).collect())
}
