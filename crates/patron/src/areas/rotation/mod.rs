//! The sales-floor reception rotation (轮见制, SPEC K1–K5, seed S4 第1篇): each team's line of
//! representatives, who receives each walk-in and why, the credit of each visit, and the live
//! board.
//!
//! The rules are core's `rotation` state machine; this area stores its board and event log
//! (`store.rs`) and changes them only inside one write that first takes the team row
//! (`store::lock_team`: version + 1, the row lock on PostgreSQL), so two `patron serve` processes
//! on one database decide walk-ins one at a time and never twice. A walk-in with an
//! Idempotency-Key answers its first assignment when repeated.
//!
//! A returning customer is known by the phone's lookup hash (`kernel::pii`; the number is never
//! stored or logged, screens show it masked): their own representative is the one who last
//! received them at this team, and that visit's date is the last contact (K3: more than 7 days
//! ago, they are new).
//!
//! Credit (K4) is decided at the walk-in as data (`credit_rule`, `credit_other` on the visit:
//! relatives arriving together split evenly, friends go to the first receiver) and may be
//! changed later with a note (helped by a colleague, closed by a colleague, a queue jump, just
//! browsing), each change kept in `rotation_credit_changes` — the record to dispute. A sale is
//! linked to its till receipt when the floor marks it (the receipt must exist at the team's
//! store; read from the points area's `receipts`, read-only).
//!
//! Screens follow the board through `live.rs` (a server-sent event stream that compares the
//! team's version every 250 ms), so a change made by either process is on every screen within a
//! second. Files: `store.rs` (SQL), `live.rs`, `api.rs`, `pages.rs`, `messages.rs`, `error.rs`.

pub mod api;
pub mod error;
pub mod live;
pub mod messages;
pub mod pages;
pub mod store;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::Permission;
use patron_core::rotation::{
    self as rules, Board, CreditRule, Event, Outcome, Own, Reason, RepState,
};
use serde::Serialize;

pub use error::RotationError;
use store::{Person, TeamRow, VisitRow};

use crate::kernel::ctx::Ctx;
use crate::kernel::db::Tx;
use crate::kernel::validation::Invalid;

/// A team code: letters, digits, `-` and `_`, at most 40.
pub fn team_code(text: &str) -> Result<String, &'static str> {
    let t = text.trim();
    if t.is_empty() {
        Err("invalid.required")
    } else if t.len() > 40
        || !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Err("rotation.invalid.team_code")
    } else {
        Ok(t.to_ascii_lowercase())
    }
}

/// The team of `code` if the actor holds `need` at its store.
pub async fn team(ctx: &Ctx, code: &str, need: Permission) -> Result<TeamRow, RotationError> {
    ctx.require(need)?;
    let team = store::team_by_code(ctx.db(), &code.trim().to_ascii_lowercase())
        .await?
        .ok_or(RotationError::NotFound)?;
    ctx.require_at(need, team.store_id)?;
    Ok(team)
}

/// The teams the actor may see.
pub async fn teams(ctx: &Ctx) -> Result<Vec<TeamRow>, RotationError> {
    ctx.require(Permission::UseRotation)?;
    Ok(store::teams(ctx.db())
        .await?
        .into_iter()
        .filter(|t| ctx.can_at(Permission::UseRotation, t.store_id))
        .collect())
}

fn board_of(team: &TeamRow) -> Board {
    serde_json::from_str(&team.board).unwrap_or_default()
}

fn staff_id(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}

/// Inside a write: the team locked (version moved on), its board rolled to `today`.
struct Locked {
    team: TeamRow,
    board: Board,
    log: Vec<Event>,
}

async fn lock(
    tx: &mut Tx,
    code: &str,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Locked, RotationError> {
    let team = store::lock_team(tx, code, now)
        .await?
        .ok_or(RotationError::NotFound)?;
    let mut board = board_of(&team);
    let mut log = Vec::new();
    if board.day != Some(today) {
        let e = Event::Day { on: today };
        board.apply(&e)?;
        log.push(e);
    }
    Ok(Locked { team, board, log })
}

impl Locked {
    fn apply(&mut self, e: Event) -> Result<Outcome, RotationError> {
        let out = self.board.apply(&e)?;
        self.log.push(e);
        Ok(out)
    }

    async fn store(&self, tx: &mut Tx, ctx: &Ctx, note: &str) -> Result<(), RotationError> {
        let json = serde_json::to_string(&self.board)
            .map_err(|e| RotationError::Db(crate::kernel::db::DbError::Batch(e.to_string())))?;
        store::save_board(tx, self.team.id, &json).await?;
        let last = self.log.len().saturating_sub(1);
        for (i, e) in self.log.iter().enumerate() {
            let text = serde_json::to_string(e).unwrap_or_default();
            let n = if i == last { note } else { "" };
            store::add_event(
                tx,
                self.team.id,
                self.team.version,
                ctx.now(),
                staff_id(ctx),
                &text,
                n,
            )
            .await?;
        }
        Ok(())
    }
}

/// The team's representatives in order (usernames), set by a supervisor: a new team, or a new
/// order of an existing one (with the reason, when given, in the log and the audit).
#[derive(Debug, Clone, Default)]
pub struct TeamIn {
    pub representatives: Vec<String>,
    /// The store's code, for a new team (default: the first store where the actor manages
    /// rotation).
    pub store: String,
    pub reason: String,
}

pub async fn set_team(ctx: &Ctx, code: &str, input: &TeamIn) -> Result<BoardView, RotationError> {
    ctx.require(Permission::ManageRotation)?;
    let mut bad = Invalid::new();
    let code = bad.check("team", team_code(code));
    let reps: Vec<String> = input
        .representatives
        .iter()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .collect();
    if reps.is_empty() {
        bad.add("representatives", "rotation.invalid.empty_team");
    }
    let mut seen = std::collections::HashSet::new();
    if !reps.iter().all(|r| seen.insert(r.to_ascii_lowercase())) {
        bad.add("representatives", "rotation.invalid.duplicate");
    }
    if input.reason.chars().count() > 200 {
        bad.add("reason", "invalid.too_long");
    }
    bad.into_result()?;
    let Some(code) = code else {
        return Err(Invalid::one("team", "invalid.required").into());
    };
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let existing = store::team_by_code(ctx.db(), &code).await?;
    let store_id = match (&existing, input.store.trim()) {
        (Some(t), _) => t.store_id,
        (None, "") => stores
            .all()
            .into_iter()
            .filter(|s| s.active && ctx.can_at(Permission::ManageRotation, s.id))
            .min_by(|a, b| a.code.cmp(&b.code))
            .map(|s| s.id)
            .ok_or(crate::kernel::ctx::Forbidden(Permission::ManageRotation))?,
        (None, s) => stores
            .by_code(s)
            .map(|s| s.id)
            .ok_or_else(|| Invalid::one("store", "invalid.store_code"))?,
    };
    ctx.require_at(Permission::ManageRotation, store_id)?;
    let people = store::people_at(ctx.db(), store_id, &reps).await?;
    let mut ids = Vec::new();
    for r in &reps {
        match people.iter().find(|p| p.username.eq_ignore_ascii_case(r)) {
            Some(p) => ids.push(p.id),
            None => {
                return Err(Invalid::one("representatives", "rotation.invalid.rep_unknown").into());
            }
        }
    }
    let (c, today, reason, is_new) = (
        ctx.clone(),
        ctx.today(),
        input.reason.trim().to_string(),
        existing.is_none(),
    );
    let code2 = code.clone();
    ctx.db()
        .write(move |tx| {
            let (c, code, ids, reason, reps) = (
                c.clone(),
                code2.clone(),
                ids.clone(),
                reason.clone(),
                reps.clone(),
            );
            Box::pin(async move {
                store::insert_team(tx, &code, store_id, c.now()).await?;
                let mut l = lock(tx, &code, c.now(), today).await?;
                let before: Vec<i64> = l.board.line.iter().map(|r| r.id).collect();
                l.apply(Event::Order { reps: ids.clone() })?;
                l.store(tx, &c, &reason).await?;
                let action = if is_new || before.is_empty() {
                    "rotation.team_set"
                } else {
                    "rotation.reordered"
                };
                tx.audit(
                    c.audit(action, "rotation_team", l.team.id)
                        .store(store_id)
                        .before(&serde_json::json!({ "order": before }))
                        .after(&serde_json::json!({ "representatives": reps, "reason": reason })),
                );
                Ok::<_, RotationError>(())
            })
        })
        .await?;
    live::ring(ctx.db());
    board(ctx, &code).await
}

/// How a walk-in arrived with another party (K4, items 9–11), for the credit decided now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// Direct relatives of the customer of visit `seq` today: split evenly with its representative.
    Relatives(i64),
    /// Friends of (or referred by) the customer of visit `seq` today: the first receiver's.
    Friends(i64),
}

/// A customer walking in.
#[derive(Debug, Clone, Default)]
pub struct WalkInIn {
    /// A returning customer's phone (optional; never stored, only its lookup hash).
    pub customer_phone: String,
    pub party: Option<Party>,
    /// Idempotency-Key: a repeat answers the first assignment.
    pub key: Option<String>,
}

/// Who receives the customer, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = rotation::Assigned)]
pub struct Assigned {
    /// The representative's username.
    pub representative: String,
    /// `next_in_turn`, `own_customer`, `own_unavailable` (their own representative is busy or
    /// away: received in turn), `stale_customer` (not contacted for more than 7 days: treated as
    /// new), `handed_over`.
    pub reason: String,
    /// The visit's number today on the team's board.
    pub seq: i64,
    /// The visit's id (for marking its credit or sale).
    pub visit_id: i64,
    /// Item 2: the new customer the representative was serving passed to this representative.
    pub handed_over_to: Option<String>,
    /// The credit rule decided now: `receiver`, `relatives`, `referral`.
    pub credit_rule: String,
}

fn username(names: &HashMap<i64, Person>, id: i64) -> String {
    names
        .get(&id)
        .map(|p| p.username.clone())
        .unwrap_or_else(|| id.to_string())
}

pub async fn walk_in(ctx: &Ctx, code: &str, input: &WalkInIn) -> Result<Assigned, RotationError> {
    let team = team(ctx, code, Permission::UseRotation).await?;
    let phone = input.customer_phone.trim();
    let customer = if phone.is_empty() {
        None
    } else {
        let p = patron_core::identity::Phone::parse(phone)
            .map_err(|k| Invalid::one("customer_phone", k))?;
        Some((ctx.app.pii.lookup("phone", p.as_str()), p.masked()))
    };
    let key = input
        .key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| k.chars().take(100).collect::<String>());
    if let Some(k) = &key
        && let Some(v) = store::visit_by_key(ctx.db(), team.id, k).await?
    {
        let names = store::names(ctx.db()).await?;
        return Ok(answer(&names, &v, None));
    }
    let names = store::names(ctx.db()).await?;
    let (c, today, party, code) = (ctx.clone(), ctx.today(), input.party, team.code.clone());
    let store_id = team.store_id;
    let (visit, handed) = ctx
        .db()
        .write(move |tx| {
            let (c, customer, key, code) = (c.clone(), customer.clone(), key.clone(), code.clone());
            Box::pin(async move {
                let mut l = lock(tx, &code, c.now(), today).await?;
                if let Some(k) = &key
                    && let Some(v) = store::visit_by_key(&mut *tx, l.team.id, k).await?
                {
                    return Ok((v, None));
                }
                let own = match &customer {
                    Some((hash, _)) => store::last_contact(&mut *tx, l.team.id, hash)
                        .await?
                        .map(|(rep, day)| Own { rep, last_contact: day }),
                    None => None,
                };
                let (rule, other) = match party {
                    None => ("receiver", None),
                    Some(Party::Relatives(seq)) | Some(Party::Friends(seq)) => {
                        let v = l
                            .board
                            .visits
                            .iter()
                            .find(|v| v.seq as i64 == seq)
                            .ok_or_else(|| Invalid::one("with_visit", "rotation.invalid.visit"))?;
                        let rule = if matches!(party, Some(Party::Relatives(_))) { "relatives" } else { "referral" };
                        (rule, Some(v.rep))
                    }
                };
                let a = match l.apply(Event::WalkIn { own, on: today })? {
                    Outcome::Assigned(a) => a,
                    Outcome::Changed => return Err(RotationError::Rule(rules::RotationError::NobodyFree)),
                };
                l.store(tx, &c, "").await?;
                let id = store::insert_visit(
                    tx,
                    &store::NewVisit {
                        team_id: l.team.id,
                        day: today,
                        seq: a.seq as i64,
                        at: c.now(),
                        rep_id: a.rep,
                        reason: a.reason.code(),
                        own_rep_id: a.own_rep,
                        customer_hash: customer.as_ref().map(|(h, _)| h.as_str()),
                        customer_mask: customer.as_ref().map(|(_, m)| m.as_str()).unwrap_or(""),
                        credit_rule: rule,
                        credit_other: other,
                        idem_key: key.as_deref(),
                    },
                )
                .await?;
                if let Some(h) = a.handover {
                    store::hand_over(tx, l.team.id, today, h.seq as i64, h.from, h.to).await?;
                }
                let v = store::visit(&mut *tx, id).await?.ok_or(RotationError::NotFound)?;
                tx.audit(
                    c.audit("rotation.walk_in", "rotation_team", l.team.id)
                        .store(store_id)
                        .after(&serde_json::json!({
                            "seq": a.seq, "representative": a.rep, "reason": a.reason.code(),
                            "customer": v.customer_mask, "credit_rule": rule,
                            "handover": a.handover.map(|h| serde_json::json!({"seq": h.seq, "from": h.from, "to": h.to})),
                        })),
                );
                Ok::<_, RotationError>((v, a.handover.map(|h| h.to)))
            })
        })
        .await?;
    live::ring(ctx.db());
    Ok(answer(&names, &visit, handed))
}

fn answer(names: &HashMap<i64, Person>, v: &VisitRow, handed: Option<i64>) -> Assigned {
    Assigned {
        representative: username(names, v.rep_id),
        reason: v.reason.clone(),
        seq: v.seq,
        visit_id: v.id,
        handed_over_to: handed.map(|h| username(names, h)),
        credit_rule: v.credit_rule.clone(),
    }
}

/// A representative's state changes (busy, free, away on private or company business, back).
pub async fn set_state(
    ctx: &Ctx,
    code: &str,
    user: &str,
    state: &str,
) -> Result<BoardView, RotationError> {
    let team = team(ctx, code, Permission::UseRotation).await?;
    let state =
        RepState::from_code(state.trim()).ok_or_else(|| Invalid::one("state", "invalid.choice"))?;
    let names = store::names(ctx.db()).await?;
    let rep = names
        .values()
        .find(|p| p.username.eq_ignore_ascii_case(user.trim()))
        .map(|p| p.id)
        .ok_or_else(|| Invalid::one("username", "rotation.invalid.not_in_team"))?;
    let (c, today, code2, store_id) = (ctx.clone(), ctx.today(), team.code.clone(), team.store_id);
    ctx.db()
        .write(move |tx| {
            let (c, code) = (c.clone(), code2.clone());
            Box::pin(async move {
                let mut l = lock(tx, &code, c.now(), today).await?;
                let before = l.board.rep(rep).map(|r| r.state.code());
                l.apply(Event::State { rep, state })?;
                l.store(tx, &c, "").await?;
                tx.audit(
                    c.audit("rotation.state_changed", "rotation_team", l.team.id)
                        .store(store_id)
                        .before(&serde_json::json!({ "representative": rep, "state": before }))
                        .after(
                            &serde_json::json!({ "representative": rep, "state": state.code() }),
                        ),
                );
                Ok::<_, RotationError>(())
            })
        })
        .await?;
    live::ring(ctx.db());
    board(ctx, &team.code).await
}

/// The team of `code` and its visit `visit_id`, if the actor holds `need` at its store.
async fn team_visit(
    ctx: &Ctx,
    code: &str,
    visit_id: i64,
    need: Permission,
) -> Result<(TeamRow, VisitRow), RotationError> {
    let team = team(ctx, code, need).await?;
    let v = store::visit(ctx.db(), visit_id)
        .await?
        .filter(|v| v.team_id == team.id)
        .ok_or(RotationError::NotFound)?;
    Ok((team, v))
}

/// A change of a visit's credit (K4): the rule, the other representative it names, and why.
#[derive(Debug, Clone, Default)]
pub struct CreditIn {
    pub rule: String,
    pub other: String,
    pub note: String,
}

/// Changes the credit of a visit, keeping the change as the record to dispute. "Just browsing"
/// (item 12) may be marked by the floor and gives the representative their turn back; every other
/// change is a supervisor's.
pub async fn set_credit(
    ctx: &Ctx,
    code: &str,
    visit_id: i64,
    input: &CreditIn,
) -> Result<VisitRow, RotationError> {
    let rule_code = input.rule.trim();
    let need = if rule_code == "browsing" {
        Permission::UseRotation
    } else {
        Permission::ManageRotation
    };
    let (team, v) = team_visit(ctx, code, visit_id, need).await?;
    let mut bad = Invalid::new();
    if !CreditRule::CODES.contains(&rule_code) {
        bad.add("rule", "invalid.choice");
    }
    let names = store::names(ctx.db()).await?;
    let other = match input.other.trim() {
        "" => None,
        u => match names.values().find(|p| p.username.eq_ignore_ascii_case(u)) {
            Some(p) => Some(p.id),
            None => {
                bad.add("other", "rotation.invalid.rep_unknown");
                None
            }
        },
    };
    let note = input.note.trim().to_string();
    if note.is_empty() {
        bad.add("note", "invalid.required");
    } else if note.chars().count() > 200 {
        bad.add("note", "invalid.too_long");
    }
    bad.into_result()?;
    let rule = CreditRule::from_code(rule_code, other)
        .ok_or_else(|| Invalid::one("other", "rotation.invalid.other_needed"))?;
    let (_, counted) = rules::credit(v.rep_id, rule);
    let (c, today, code, store_id) = (ctx.clone(), ctx.today(), team.code.clone(), team.store_id);
    let out = ctx
        .db()
        .write(move |tx| {
            let (c, code, note) = (c.clone(), code.clone(), note.clone());
            Box::pin(async move {
                let mut l = lock(tx, &code, c.now(), today).await?;
                let v = store::visit(&mut *tx, visit_id).await?.ok_or(RotationError::NotFound)?;
                store::set_credit(tx, visit_id, rule.code(), rule.other(), counted).await?;
                store::add_credit_change(
                    tx,
                    &store::CreditChange {
                        visit_id,
                        at: c.now(),
                        staff_id: staff_id(&c),
                        rule_before: &v.credit_rule,
                        other_before: v.credit_other,
                        rule_after: rule.code(),
                        other_after: rule.other(),
                        note: &note,
                    },
                )
                .await?;
                if !counted && v.counted && v.day == today && rule == CreditRule::Browsing {
                    l.apply(Event::Browsing { seq: v.seq as u64 })?;
                }
                l.store(tx, &c, &note).await?;
                tx.audit(
                    c.audit("rotation.credit_changed", "rotation_visit", visit_id)
                        .store(store_id)
                        .before(&serde_json::json!({ "rule": v.credit_rule, "other": v.credit_other }))
                        .after(&serde_json::json!({ "rule": rule.code(), "other": rule.other(), "note": note })),
                );
                store::visit(&mut *tx, visit_id).await?.ok_or(RotationError::NotFound)
            })
        })
        .await?;
    live::ring(ctx.db());
    Ok(out)
}

/// The floor marks a visit's sale with its till receipt (which must exist at the team's store).
/// Marking the same receipt again changes nothing.
pub async fn mark_sale(
    ctx: &Ctx,
    code: &str,
    visit_id: i64,
    receipt_no: &str,
) -> Result<VisitRow, RotationError> {
    let (team, v) = team_visit(ctx, code, visit_id, Permission::UseRotation).await?;
    let receipt = receipt_no.trim().to_string();
    if receipt.is_empty() {
        return Err(Invalid::one("receipt_no", "invalid.required").into());
    }
    if let Some(old) = &v.receipt_no {
        return if *old == receipt {
            Ok(v)
        } else {
            Err(RotationError::SaleMarked(old.clone()))
        };
    }
    let fen = store::receipt_total(ctx.db(), team.store_id, &receipt)
        .await?
        .ok_or_else(|| Invalid::one("receipt_no", "rotation.invalid.receipt_unknown"))?;
    let (c, today, code, store_id) = (ctx.clone(), ctx.today(), team.code.clone(), team.store_id);
    let out = ctx
        .db()
        .write(move |tx| {
            let (c, code, receipt) = (c.clone(), code.clone(), receipt.clone());
            Box::pin(async move {
                let mut l = lock(tx, &code, c.now(), today).await?;
                if !store::set_sale(tx, visit_id, &receipt, fen, c.now()).await? {
                    let v = store::visit(&mut *tx, visit_id)
                        .await?
                        .ok_or(RotationError::NotFound)?;
                    return match v.receipt_no.clone() {
                        Some(r) if r == receipt => Ok(v),
                        Some(r) => Err(RotationError::SaleMarked(r)),
                        None => Err(RotationError::NotFound),
                    };
                }
                let v = store::visit(&mut *tx, visit_id)
                    .await?
                    .ok_or(RotationError::NotFound)?;
                if v.day == today {
                    l.apply(Event::Sale { seq: v.seq as u64 })?;
                }
                l.store(tx, &c, "").await?;
                tx.audit(
                    c.audit("rotation.sale_marked", "rotation_visit", visit_id)
                        .store(store_id)
                        .after(&serde_json::json!({ "receipt_no": receipt, "total_fen": fen })),
                );
                Ok::<_, RotationError>(v)
            })
        })
        .await;
    let out = match out {
        Err(RotationError::Db(e)) if e.is_unique_violation() => {
            return Err(Invalid::one("receipt_no", "rotation.invalid.receipt_used").into());
        }
        other => other?,
    };
    live::ring(ctx.db());
    Ok(out)
}

/// One representative as the board shows them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = rotation::Representative)]
pub struct RepView {
    pub username: String,
    pub display_name: String,
    /// `available`, `busy`, `away_private`, `away_company`.
    pub state: String,
    /// Place in line (1 = next).
    pub position: usize,
    /// The visit number of the new customer they are serving.
    pub serving: Option<u64>,
    /// New customers received today.
    pub turns: u32,
    /// Own (returning) customers received today.
    pub own_customers: u32,
    /// Sales marked today.
    pub sales: u32,
}

/// A visit as the board and the log show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = rotation::Visit)]
pub struct VisitView {
    pub id: i64,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub representative: String,
    pub representative_name: String,
    pub reason: String,
    /// The customer's phone, masked (empty for a new customer who gave none).
    pub customer: String,
    pub own_representative: Option<String>,
    pub handed_from: Option<String>,
    pub credit_rule: String,
    pub credit_other: Option<String>,
    pub counted: bool,
    pub receipt_no: Option<String>,
    pub sale_fen: Option<i64>,
}

/// A team's board now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = rotation::Board)]
pub struct BoardView {
    pub team: String,
    pub store_id: i64,
    /// Moves on with every change: a screen compares it.
    pub version: i64,
    pub day: Option<NaiveDate>,
    /// Usernames in line order (the first receives the next new walk-in if available).
    pub queue: Vec<String>,
    /// Who receives the next new walk-in now.
    pub next: Option<String>,
    pub representatives: Vec<RepView>,
    /// Today's visits, latest first.
    pub visits: Vec<VisitView>,
}

pub fn visit_view(names: &HashMap<i64, Person>, v: &VisitRow) -> VisitView {
    let name = |id: i64| username(names, id);
    VisitView {
        id: v.id,
        seq: v.seq,
        at: v.at,
        representative: name(v.rep_id),
        representative_name: names
            .get(&v.rep_id)
            .map(|p| p.display_name.clone())
            .unwrap_or_default(),
        reason: v.reason.clone(),
        customer: v.customer_mask.clone(),
        own_representative: v.own_rep_id.map(name),
        handed_from: v.handed_from.map(name),
        credit_rule: v.credit_rule.clone(),
        credit_other: v.credit_other.map(name),
        counted: v.counted,
        receipt_no: v.receipt_no.clone(),
        sale_fen: v.sale_fen,
    }
}

/// The board of team `code` as it is now.
pub async fn board(ctx: &Ctx, code: &str) -> Result<BoardView, RotationError> {
    let team = team(ctx, code, Permission::UseRotation).await?;
    board_view(ctx, &team).await
}

pub async fn board_view(ctx: &Ctx, team: &TeamRow) -> Result<BoardView, RotationError> {
    let names = store::names(ctx.db()).await?;
    let mut b = board_of(team);
    let today = ctx.today();
    if b.day != Some(today) {
        // Not yet touched today: shown as the day will start.
        let _ = b.apply(&Event::Day { on: today });
    }
    let mut visits: Vec<VisitView> = store::visits_of_day(ctx.db(), team.id, today)
        .await?
        .iter()
        .map(|v| visit_view(&names, v))
        .collect();
    visits.reverse();
    Ok(BoardView {
        team: team.code.clone(),
        store_id: team.store_id,
        version: team.version,
        day: b.day,
        queue: b.line.iter().map(|r| username(&names, r.id)).collect(),
        next: b.next_up().map(|id| username(&names, id)),
        representatives: b
            .line
            .iter()
            .enumerate()
            .map(|(i, r)| RepView {
                username: username(&names, r.id),
                display_name: names
                    .get(&r.id)
                    .map(|p| p.display_name.clone())
                    .unwrap_or_default(),
                state: r.state.code().into(),
                position: i + 1,
                serving: r.serving,
                turns: r.turns,
                own_customers: r.own,
                sales: r.sales,
            })
            .collect(),
        visits,
    })
}

/// One representative's figures of a day (K5): new customers received (turns), own customers,
/// sales credited (a split sale counts for each), conversion and credit.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(as = rotation::Figures)]
pub struct Figures {
    pub username: String,
    pub display_name: String,
    pub turns: u32,
    pub own_customers: u32,
    pub sales: u32,
    /// Sales per customer received, in percent (rounded down).
    pub conversion_percent: u32,
    /// The credited amounts of the sales (fen), split by the credit rules.
    pub credit_fen: i64,
}

/// A day's log: the visits, the events and the credit changes, and the figures per
/// representative.
pub struct DayLog {
    pub team: TeamRow,
    pub day: NaiveDate,
    pub visits: Vec<VisitView>,
    pub events: Vec<LogLine>,
    pub changes: Vec<store::CreditChangeRow>,
    pub figures: Vec<Figures>,
}

/// One event of the log as read.
pub struct LogLine {
    pub at: DateTime<Utc>,
    pub by: String,
    /// `day`, `order`, `walk_in`, `state`, `browsing`, `sale`.
    pub kind: String,
    pub detail: String,
    /// For a `state` line, the state's code (shown through its label, never as the code).
    pub state: String,
    pub note: String,
}

pub async fn day_log(ctx: &Ctx, code: &str, day: NaiveDate) -> Result<DayLog, RotationError> {
    let team = team(ctx, code, Permission::UseRotation).await?;
    let names = store::names(ctx.db()).await?;
    let rows = store::visits_of_day(ctx.db(), team.id, day).await?;
    let tz = ctx.app.config.tz();
    let from = day_start(day, tz);
    let to = day_start(day + chrono::Days::new(1), tz);
    let events = store::events_between(ctx.db(), team.id, from, to)
        .await?
        .into_iter()
        .map(|e| log_line(&names, e))
        .collect();
    let changes = store::credit_changes(ctx.db(), team.id, day).await?;
    let line: Vec<i64> = board_of(&team).line.iter().map(|r| r.id).collect();
    Ok(DayLog {
        figures: figures(&names, &line, &rows),
        visits: rows.iter().map(|v| visit_view(&names, v)).collect(),
        team,
        day,
        events,
        changes,
    })
}

/// When `day` begins in `tz`.
fn day_start(day: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    use chrono::TimeZone;
    tz.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc())
}

fn log_line(names: &HashMap<i64, Person>, e: store::EventRow) -> LogLine {
    let by = e.staff_id.map(|id| username(names, id)).unwrap_or_default();
    let event = serde_json::from_str::<Event>(&e.event);
    let state = match &event {
        Ok(Event::State { state, .. }) => state.code().to_owned(),
        _ => String::new(),
    };
    let (kind, detail) = match event {
        Ok(Event::Day { on }) => ("day", on.to_string()),
        Ok(Event::Order { reps }) => (
            "order",
            reps.iter()
                .map(|r| username(names, *r))
                .collect::<Vec<_>>()
                .join(" → "),
        ),
        Ok(Event::WalkIn { own, .. }) => (
            "walk_in",
            own.map(|o| username(names, o.rep)).unwrap_or_default(),
        ),
        Ok(Event::State { rep, .. }) => ("state", username(names, rep)),
        Ok(Event::Browsing { seq }) => ("browsing", format!("#{seq}")),
        Ok(Event::Sale { seq }) => ("sale", format!("#{seq}")),
        Err(_) => ("other", String::new()),
    };
    LogLine {
        at: e.at,
        by,
        kind: kind.into(),
        detail,
        state,
        note: e.note,
    }
}

/// The figures of each representative on the line (and anyone else with a visit) over `visits`.
pub fn figures(names: &HashMap<i64, Person>, line: &[i64], visits: &[VisitRow]) -> Vec<Figures> {
    fn entry(id: i64, order: &mut Vec<i64>) -> i64 {
        if !order.contains(&id) {
            order.push(id);
        }
        id
    }
    let mut order: Vec<i64> = line.to_vec();
    let mut by: HashMap<i64, Figures> = HashMap::new();
    for v in visits {
        let rep = entry(v.rep_id, &mut order);
        let rule =
            CreditRule::from_code(&v.credit_rule, v.credit_other).unwrap_or(CreditRule::Receiver);
        if v.counted {
            let f = by.entry(rep).or_default();
            if v.reason == Reason::OwnCustomer.code() {
                f.own_customers += 1;
            } else {
                f.turns += 1;
            }
        }
        if let Some(fen) = v.sale_fen {
            let (shares, _) = rules::credit(v.rep_id, rule);
            for (id, part) in rules::split(fen, &shares) {
                let id = entry(id, &mut order);
                let f = by.entry(id).or_default();
                f.sales += 1;
                f.credit_fen += part;
            }
        }
    }
    order
        .into_iter()
        .map(|id| {
            let mut f = by.remove(&id).unwrap_or_default();
            f.username = username(names, id);
            f.display_name = names
                .get(&id)
                .map(|p| p.display_name.clone())
                .unwrap_or_default();
            let received = f.turns + f.own_customers;
            f.conversion_percent = (f.sales.min(received) * 100)
                .checked_div(received)
                .unwrap_or(0);
            f
        })
        .collect()
}

/// The team's stored board equals the replay of its event log (`patron check`-style proof, used
/// by the tests).
pub async fn replays(ctx: &Ctx, code: &str) -> Result<bool, RotationError> {
    let team = team(ctx, code, Permission::UseRotation).await?;
    let events: Vec<Event> = store::all_events(ctx.db(), team.id)
        .await?
        .iter()
        .filter_map(|e| serde_json::from_str(e).ok())
        .collect();
    Ok(Board::replay(&events) == board_of(&team))
}
