//! The care schedule at work (J2): the job reads the till receipts after its cursor, stores one
//! schedule per purchase of a member in a care tier, and turns each step into a task when it
//! falls due — messages through the outbox, calls for the member's advisor.
//!
//! Why it is safe to run twice, or twice at once: a schedule's natural key is its receipt
//! (`unique (receipt_id)`), a step moves a schedule on only from the step it was at (a guarded
//! update, so of two runs one does the work and the other changes nothing), a task is unique per
//! schedule and step, and a message's dedupe key is the schedule and step. The cursor moves only
//! past receipts recorded more than two minutes ago: PostgreSQL hands out receipt ids before
//! their transactions commit, so a lower id may become visible after a higher one; the last
//! minutes are read again until they settle, which the receipt key makes harmless.

use chrono::{DateTime, Duration, Utc};
use patron_core::Permission;
use patron_core::care::{self, Position, Step};
use serde_json::json;

use super::store::schedules::{self as store, DueSchedule, NewSchedule, NewTask, ReceiptSeen};
use super::{CareError, settings};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::Tx;
use crate::kernel::validation::Invalid;
use crate::notify::{self, NewMessage};

/// How long after it was recorded a receipt is taken as settled (see the module doc).
pub const SETTLE_SECS: i64 = 120;

/// Receipts read per batch, and schedules worked per write.
const RECEIPTS_PER_READ: i64 = 1000;
const SCHEDULES_PER_WRITE: i64 = 500;

/// What one run of the care job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Worked {
    /// Receipts looked at.
    pub receipts: u64,
    /// New schedules stored.
    pub scheduled: u64,
    /// Schedules moved on.
    pub schedules_worked: u64,
    /// Tasks made from due steps (messages queued or skipped, calls opened).
    pub tasks: u64,
}

/// The outbox kind of a message step.
pub fn message_kind(step: Step) -> &'static str {
    match step {
        Step::ThankYou => "care_thank_you",
        Step::Care => "care_message",
        _ => "care_greeting",
    }
}

/// One run of the care job: new purchases first, then every step due at the clock's now.
pub async fn run(ctx: &Ctx) -> Result<Worked, CareError> {
    let mut w = intake(ctx).await?;
    let d = work_due(ctx).await?;
    w.schedules_worked = d.schedules_worked;
    w.tasks = d.tasks;
    Ok(w)
}

/// Reads the till receipts after the cursor and stores a schedule for each purchase of a member
/// in a care tier.
pub async fn intake(ctx: &Ctx) -> Result<Worked, CareError> {
    let tiers = settings::load(ctx.db()).await?.tiers;
    let start = store::cursor(ctx.db()).await?;
    let settle = ctx.now() - Duration::seconds(SETTLE_SECS);
    let mut after = start;
    let mut settled_to = start;
    let mut all_settled = true;
    let mut w = Worked::default();
    loop {
        let rows = store::receipts_after(ctx.db(), after, RECEIPTS_PER_READ).await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        w.receipts += rows.len() as u64;
        for r in &rows {
            all_settled &= r.created_at <= settle;
            if all_settled {
                settled_to = r.id;
            }
        }
        let picked: Vec<ReceiptSeen> = rows
            .iter()
            .filter(|r| tiers.contains(&r.tier_code))
            .cloned()
            .collect();
        let now = ctx.now();
        w.scheduled += ctx
            .db()
            .write(move |tx| {
                let picked = picked.clone();
                Box::pin(async move {
                    let mut n = 0;
                    for r in &picked {
                        n += u64::from(schedule_receipt(tx, r, now).await?);
                    }
                    Ok::<_, CareError>(n)
                })
            })
            .await?;
        after = last;
        if (rows.len() as i64) < RECEIPTS_PER_READ {
            break;
        }
    }
    if settled_to > start {
        // Another run may have moved it meanwhile: then this move changes nothing.
        ctx.db()
            .write(move |tx| {
                Box::pin(async move { store::move_cursor(tx, start, settled_to).await })
            })
            .await?;
    }
    Ok(w)
}

/// Stores the schedule of receipt `r` (nothing when it has one). The member's older schedules'
/// phone steps are superseded by it; a receipt that arrives after a later purchase's is
/// superseded at once.
async fn schedule_receipt(
    tx: &mut Tx,
    r: &ReceiptSeen,
    now: DateTime<Utc>,
) -> Result<bool, CareError> {
    let Some(id) = store::insert_schedule(
        tx,
        &NewSchedule {
            r,
            next_due_at: Step::ThankYou.due_at(r.occurred_at),
            now,
        },
    )
    .await?
    else {
        return Ok(false);
    };
    match store::later_schedule(tx, r.member_id, id, r.occurred_at).await? {
        Some(later) => store::mark_superseded(tx, id, later, now).await?,
        None => {
            store::supersede_calls(tx, r.member_id, id, r.occurred_at, now).await?;
        }
    }
    Ok(true)
}

/// Works every schedule with a step due now, a batch per write.
pub async fn work_due(ctx: &Ctx) -> Result<Worked, CareError> {
    let mut w = Worked::default();
    loop {
        let now = ctx.now();
        let due = store::due(ctx.db(), now, SCHEDULES_PER_WRITE).await?;
        if due.is_empty() {
            break;
        }
        let full = due.len() as i64 == SCHEDULES_PER_WRITE;
        let (worked, tasks) = ctx
            .db()
            .write(move |tx| {
                let due = due.clone();
                Box::pin(async move {
                    let (mut worked, mut tasks) = (0u64, 0u64);
                    for s in &due {
                        if let Some(n) = work_one(tx, s, now).await? {
                            worked += 1;
                            tasks += n;
                        }
                    }
                    Ok::<_, CareError>((worked, tasks))
                })
            })
            .await?;
        w.schedules_worked += worked;
        w.tasks += tasks;
        // Nothing moved: another run is working the same schedules.
        if !full || worked == 0 {
            break;
        }
    }
    Ok(w)
}

/// Moves one schedule on to now: its due steps become tasks. `None` when another run moved it
/// first (nothing written); else the tasks made.
async fn work_one(
    tx: &mut Tx,
    s: &DueSchedule,
    now: DateTime<Utc>,
) -> Result<Option<u64>, CareError> {
    let from = s.next_step;
    if s.member_status != "active" {
        // A closed member's steps never appear.
        let moved = store::advance(tx, s.id, from, Step::ALL.len() as i64, None, "closed").await?;
        return Ok(moved.then_some(0));
    }
    let pos = Position {
        next: usize::try_from(from).unwrap_or(Step::ALL.len()),
        calls_superseded: s.superseded,
    };
    let (steps, next, next_due) = care::due_steps(s.purchased_at, pos, now);
    let state = if next_due.is_some() {
        "active"
    } else {
        "finished"
    };
    if !store::advance(tx, s.id, from, next as i64, next_due, state).await? {
        return Ok(None);
    }
    let mut made = 0;
    for step in steps {
        let due_at = step.due_at(s.purchased_at).unwrap_or(now);
        let (state, outcome) = if step.is_call() {
            ("open", "")
        } else if s.marketing_consent {
            notify::queue(
                tx,
                &NewMessage {
                    member_id: Some(s.member_id),
                    kind: message_kind(step),
                    channel: "sms",
                    dedupe_key: format!("care:{}:{}", s.id, step.code()),
                    payload: json!({}),
                    marketing: true,
                    at: now,
                },
            )
            .await?;
            ("done", "queued")
        } else {
            ("skipped", "no_consent")
        };
        made += u64::from(
            store::insert_task(
                tx,
                &NewTask {
                    schedule_id: s.id,
                    member_id: s.member_id,
                    step: step.code(),
                    due_at,
                    now,
                    state,
                    outcome,
                },
            )
            .await?,
        );
    }
    Ok(Some(made))
}

/// Cancels a schedule (a manager's step, audited): its steps not yet due never become tasks and
/// its open calls close.
pub async fn cancel(ctx: &Ctx, id: i64, reason: &str) -> Result<(), CareError> {
    ctx.require(Permission::ManageCare)?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(Invalid::one("reason", "invalid.required").into());
    }
    if reason.chars().count() > 500 {
        return Err(Invalid::one("reason", "invalid.too_long").into());
    }
    let s = store::schedule(ctx.db(), id)
        .await?
        .ok_or(CareError::NotFound)?;
    ctx.require_at(Permission::ManageCare, s.store_id)?;
    let me = ctx.actor.staff().map(|s| s.id);
    let c = ctx.clone();
    let (member_id, store_id, receipt_no) = (s.member_id, s.store_id, s.receipt_no);
    ctx.db()
        .write(move |tx| {
            let (c, reason, receipt_no) = (c.clone(), reason.clone(), receipt_no.clone());
            Box::pin(async move {
                if !store::cancel(tx, id, me, &reason, c.now()).await? {
                    return Err(CareError::ScheduleClosed);
                }
                tx.audit(
                    c.audit("care.schedule_cancelled", "member", member_id)
                        .store(store_id)
                        .after(&json!({ "schedule_id": id, "receipt_no": receipt_no, "reason": reason })),
                );
                Ok(())
            })
        })
        .await
}
