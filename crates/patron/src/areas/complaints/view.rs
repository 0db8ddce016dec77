//! Reading cases: one case whole (its clocks, breaches and callbacks), the board of open cases
//! with their running clocks, the case library, and a member's complaints.

use chrono::{DateTime, Utc};
use patron_core::Permission;
use serde::Serialize;
use utoipa::ToSchema;

use super::ComplaintError;
use super::store::{self, BreachRow, ClockRow, ComplaintRow, ListFilter};
use crate::kernel::cache::Cached;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError};

/// When each clock of the case is (or was) due: its latest run.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = complaints::Deadlines)]
pub struct Deadlines {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledge_by: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_by: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_by: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_by: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolve_by: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback_by: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_by: Option<DateTime<Utc>>,
}

impl Deadlines {
    fn from_clocks(clocks: &[ClockRow]) -> Deadlines {
        let mut d = Deadlines::default();
        for k in clocks {
            let slot = match k.clock.as_str() {
                "acknowledge" => &mut d.acknowledge_by,
                "route" => &mut d.route_by,
                "answer" => &mut d.answer_by,
                "report" => &mut d.report_by,
                "resolve" => &mut d.resolve_by,
                "feedback" => &mut d.feedback_by,
                _ => &mut d.callback_by,
            };
            // Clocks come in start order: the latest run wins.
            *slot = Some(k.due_at);
        }
        d
    }
}

/// One run of a clock.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = complaints::Clock)]
pub struct ClockOut {
    pub clock: String,
    pub department: Option<String>,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub met_at: Option<DateTime<Utc>>,
    /// Stopped without being met (re-routed away).
    pub stopped_at: Option<DateTime<Utc>>,
    pub breached: bool,
}

/// A breach: a permanent record against the department that held the clock.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = complaints::Breach)]
pub struct BreachOut {
    pub clock: String,
    pub department: Option<String>,
    pub due_at: DateTime<Utc>,
    pub met_at: Option<DateTime<Utc>>,
}

/// The callback after a resolution.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = complaints::Callback)]
pub struct CallbackOut {
    pub satisfied: bool,
    pub remarks: String,
    pub at: DateTime<Utc>,
}

/// A case as the API answers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = complaints::Complaint)]
pub struct Complaint {
    pub id: i64,
    /// The store's code.
    pub store: String,
    pub channel: String,
    pub received_at: DateTime<Utc>,
    pub complainant: String,
    pub card_no: Option<String>,
    pub member_id: Option<i64>,
    /// The phone, masked.
    pub phone: Option<String>,
    /// The member holds the top tier: the case is flagged.
    pub top_tier: bool,
    pub content: String,
    pub category: String,
    pub wants: String,
    /// `minor` or `major`.
    pub severity: String,
    /// Why it is major: `serious_loss`, `repeated` or `overdue`.
    pub major_reason: Option<String>,
    /// `received`, `acknowledged`, `routed`, `answered`, `resolved` or `closed`.
    pub state: String,
    /// The department code it is routed to.
    pub department: Option<String>,
    pub plan: String,
    pub result: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub routed_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub satisfied: Option<bool>,
    pub reopened: i64,
    pub typical: bool,
    pub archived: bool,
    pub deadlines: Deadlines,
    pub clocks: Vec<ClockOut>,
    pub breaches: Vec<BreachOut>,
    pub callbacks: Vec<CallbackOut>,
    #[serde(skip)]
    pub row: Option<Box<ComplaintRow>>,
}

fn clock_out(k: &ClockRow) -> ClockOut {
    ClockOut {
        clock: k.clock.clone(),
        department: k.department.clone(),
        started_at: k.started_at,
        due_at: k.due_at,
        met_at: k.met_at,
        stopped_at: k.stopped_at,
        breached: k.breached_at.is_some(),
    }
}

fn breach_out(b: &BreachRow) -> BreachOut {
    BreachOut {
        clock: b.clock.clone(),
        department: b.department.clone(),
        due_at: b.due_at,
        met_at: b.met_at,
    }
}

/// The case `id` whole, with no permission check (the use cases check first).
pub async fn load(db: &Db, id: i64) -> Result<Complaint, ComplaintError> {
    let row = store::complaint(db, id)
        .await?
        .ok_or(ComplaintError::NotFound)?;
    let clocks = store::clocks(db, id).await?;
    let breaches = store::breaches(db, id).await?;
    let callbacks = store::callbacks(db, id).await?;
    let stores = <crate::kernel::stores::Stores as Cached>::load(db).await?;
    Ok(Complaint {
        id: row.id,
        store: stores
            .by_id(row.store_id)
            .map(|s| s.code.clone())
            .unwrap_or_default(),
        channel: row.channel.clone(),
        received_at: row.received_at,
        complainant: row.complainant.clone(),
        card_no: row.card_no.clone(),
        member_id: row.member_id,
        phone: row.phone_masked.clone(),
        top_tier: row.top_tier,
        content: row.content.clone(),
        category: row.category.clone(),
        wants: row.wants.clone(),
        severity: row.severity.clone(),
        major_reason: row.major_reason.clone(),
        state: row.state.clone(),
        department: row.department.clone(),
        plan: row.plan.clone(),
        result: row.result.clone(),
        acknowledged_at: row.acknowledged_at,
        routed_at: row.routed_at,
        answered_at: row.answered_at,
        resolved_at: row.resolved_at,
        reported_at: row.reported_at,
        closed_at: row.closed_at,
        satisfied: row.satisfied,
        reopened: row.reopened,
        typical: row.typical,
        archived: row.archived_at.is_some(),
        deadlines: Deadlines::from_clocks(&clocks),
        clocks: clocks.iter().map(clock_out).collect(),
        breaches: breaches.iter().map(breach_out).collect(),
        callbacks: callbacks
            .into_iter()
            .map(|c| CallbackOut {
                satisfied: c.satisfied,
                remarks: c.remarks,
                at: c.at,
            })
            .collect(),
        row: Some(Box::new(row)),
    })
}

/// Whether the caller may read cases of `store_id` (the desk that takes them, or a department
/// that answers them).
pub fn may_read(ctx: &Ctx, store_id: i64) -> bool {
    ctx.can_at(Permission::HandleComplaints, store_id)
        || ctx.can_at(Permission::TakeComplaints, store_id)
}

/// One case, for someone who may read its store's cases.
pub async fn get(ctx: &Ctx, id: i64) -> Result<Complaint, ComplaintError> {
    ctx.require(Permission::HandleComplaints)?;
    let c = load(ctx.db(), id).await?;
    let store_id = c.row.as_ref().map_or(0, |r| r.store_id);
    if !may_read(ctx, store_id) {
        ctx.require_at(Permission::HandleComplaints, store_id)?;
    }
    Ok(c)
}

/// The stores whose cases the caller may read.
pub async fn readable_stores(ctx: &Ctx) -> Result<Vec<i64>, DbError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    Ok(stores
        .all()
        .into_iter()
        .filter(|s| may_read(ctx, s.id))
        .map(|s| s.id)
        .collect())
}

/// An open case on the board, with its running clocks.
#[derive(Debug, Clone)]
pub struct BoardCase {
    pub row: ComplaintRow,
    pub clocks: Vec<ClockRow>,
}

/// Every open case the caller may read, newest first, with its running clocks.
pub async fn board(ctx: &Ctx) -> Result<Vec<BoardCase>, ComplaintError> {
    ctx.require(Permission::HandleComplaints)?;
    let stores = readable_stores(ctx).await?;
    let rows = store::list(
        ctx.db(),
        &ListFilter {
            open: true,
            store_ids: Some(stores.clone()),
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    let mut running = store::running_clocks(ctx.db(), &stores).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<ClockRow>, Vec<ClockRow>) =
                running.drain(..).partition(|k| k.complaint_id == row.id);
            running = rest;
            BoardCase { row, clocks: mine }
        })
        .collect())
}

/// The case library: typical cases (not archived), optionally with words in them.
pub async fn library(ctx: &Ctx, words: &str) -> Result<Vec<ComplaintRow>, ComplaintError> {
    ctx.require(Permission::HandleComplaints)?;
    let stores = readable_stores(ctx).await?;
    let words = words.trim();
    Ok(store::list(
        ctx.db(),
        &ListFilter {
            typical: true,
            text: (!words.is_empty()).then(|| words.to_owned()),
            store_ids: Some(stores),
            limit: 200,
            ..Default::default()
        },
    )
    .await?)
}

/// A member's complaint as the member page (and the portal) lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = complaints::MemberComplaint)]
pub struct MemberComplaint {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub category: String,
    pub content: String,
    pub state: String,
    pub severity: String,
    /// The department's plan (empty until answered).
    pub plan: String,
    /// The result given (empty until resolved).
    pub result: String,
    pub top_tier: bool,
}

/// A member's complaints, newest first (the caller checks who may see them).
pub async fn for_member(db: &Db, member_id: i64) -> Result<Vec<MemberComplaint>, DbError> {
    let rows = store::list(
        db,
        &ListFilter {
            member_id: Some(member_id),
            limit: 100,
            ..Default::default()
        },
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MemberComplaint {
            id: r.id,
            received_at: r.received_at,
            category: r.category,
            content: r.content,
            state: r.state,
            severity: r.severity,
            plan: r.plan,
            result: r.result,
            top_tier: r.top_tier,
        })
        .collect())
}
