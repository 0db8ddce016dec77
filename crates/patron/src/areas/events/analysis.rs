//! The analysis (H4): sign-ups, attendance, points, cost per attendee and attendees' spending
//! before and after; archived with the plan when the event is closed.

use chrono::{DateTime, Utc};
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::plan::yuan_in;
use super::store::{self, EventRow, Figures, windows};
use super::{EventsError, event_for, shown};
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::Invalid;

/// The analysis of an event (H4).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Analysis {
    pub invited: i64,
    pub signups: i64,
    pub cancelled: i64,
    pub attendees: i64,
    /// Attendees per thousand sign-ups.
    pub attendance_permille: i64,
    pub points_awarded: i64,
    /// The recorded actual cost, or the budget when none was recorded.
    pub cost_fen: i64,
    pub cost_is_actual: bool,
    pub cost_per_attendee_fen: Option<i64>,
    pub weeks: i64,
    pub before_from: DateTime<Utc>,
    pub before_to: DateTime<Utc>,
    pub after_from: DateTime<Utc>,
    pub after_to: DateTime<Utc>,
    /// Attendees' receipts in the N weeks before the event started.
    pub spend_before_fen: i64,
    pub receipts_before: i64,
    /// Attendees' receipts in the N weeks after the event ended.
    pub spend_after_fen: i64,
    pub receipts_after: i64,
    /// (after − before) per thousand of before; none when before is zero.
    pub spend_change_permille: Option<i64>,
    /// Whether the after window had ended when the figures were taken.
    pub complete: bool,
    pub computed_at: DateTime<Utc>,
}

/// Builds the analysis from the counted figures.
pub fn analysis_of(ev: &EventRow, f: &Figures, now: DateTime<Utc>) -> Analysis {
    let [bf, bt, af, at] = windows(ev);
    let (cost, actual) = match ev.actual_cost_fen {
        Some(c) => (c, true),
        None => (ev.budget_fen, false),
    };
    Analysis {
        invited: ev.invited_count,
        signups: f.signups,
        cancelled: f.cancelled,
        attendees: f.attendees,
        attendance_permille: if f.signups > 0 {
            f.attendees * 1000 / f.signups
        } else {
            0
        },
        points_awarded: f.points_awarded,
        cost_fen: cost,
        cost_is_actual: actual,
        cost_per_attendee_fen: (f.attendees > 0).then(|| cost / f.attendees),
        weeks: ev.analysis_weeks,
        before_from: bf,
        before_to: bt,
        after_from: af,
        after_to: at,
        spend_before_fen: f.spend_before,
        receipts_before: f.receipts_before,
        spend_after_fen: f.spend_after,
        receipts_after: f.receipts_after,
        spend_change_permille: (f.spend_before > 0)
            .then(|| (f.spend_after - f.spend_before) * 1000 / f.spend_before),
        complete: now >= at,
        computed_at: now,
    }
}

/// The analysis: the archived one of a closed event, or as it stands now.
pub async fn analysis(ctx: &Ctx, ev: &EventRow) -> Result<Analysis, EventsError> {
    if let Some(a) = ev
        .analysis
        .as_deref()
        .and_then(|s| serde_json::from_str::<Analysis>(s).ok())
    {
        return Ok(a);
    }
    let f = store::figures(ctx.db(), ev).await?;
    Ok(analysis_of(ev, &f, ctx.now()))
}

/// Closes an approved event after it ended: records the actual cost (optional, yuan) and
/// archives the analysis with the plan.
pub async fn close(ctx: &Ctx, id: i64, actual_cost: &str) -> Result<Analysis, EventsError> {
    let ev = event_for(ctx, id, Permission::ManageEvents).await?;
    let cost = if actual_cost.trim().is_empty() {
        None
    } else {
        Some(yuan_in(actual_cost, true).map_err(|k| Invalid::one("actual_cost", k))?)
    };
    if ev.state != "approved" {
        return Err(EventsError::Conflict(
            "only an approved event can be closed".into(),
        ));
    }
    let now = ctx.now();
    if now < ev.ends_at {
        return Err(EventsError::Conflict(format!(
            "the event ends at {}",
            shown(ctx, ev.ends_at)
        )));
    }
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let mut ev = store::get(&mut *tx, id)
                    .await?
                    .ok_or(EventsError::NotFound)?;
                if cost.is_some() {
                    ev.actual_cost_fen = cost;
                }
                let f = store::figures(&mut *tx, &ev).await?;
                let a = analysis_of(&ev, &f, now);
                let text = serde_json::to_string(&a).unwrap_or_default();
                if !store::set_closed(tx, id, ev.actual_cost_fen, &text, now).await? {
                    return Err(EventsError::Conflict(
                        "only an approved event can be closed".into(),
                    ));
                }
                tx.audit(
                    c.audit("event.close", "event", id)
                        .after(&serde_json::json!({
                            "signups": a.signups, "attendees": a.attendees,
                            "points_awarded": a.points_awarded, "cost_fen": a.cost_fen,
                        })),
                );
                Ok(a)
            })
        })
        .await
}
