//! The sales-floor reception rotation (轮见制, SPEC K1–K5, seed S4 第1篇 items 1–12), as a pure
//! state machine over events.
//!
//! A team's `Board` is a line of representatives: the one at the front receives the next new
//! walk-in (K1, item 1) and goes to the back. Who is passed over keeps or loses their place by the
//! house rules:
//! - busy (with a customer) or away on company business: keeps their place, so they are first in
//!   line as soon as they are free again (items 3 and 4: 优先接待新客户);
//! - away on private business: loses the turn — goes to the back and waits a round (item 4).
//!
//! A returning customer goes to their own representative (K2, item 2) without using a turn; if
//! that representative is busy with a new customer, they take their own customer and the new one
//! passes to the next in line (no split between the two). If the own representative is busy with
//! another own customer or away, the customer is received in turn (item 9). A customer their
//! representative has not contacted for more than 7 days is treated as new (K3, item 5).
//!
//! A "just browsing" visit (item 12) gives the turn back: the representative returns to the front.
//! Credit for a sale (K4, items 6–11) is decided by `credit` from the rule recorded with the
//! assignment.
//!
//! The board is the fold of its events: `Board::replay(events)` equals applying them one at a
//! time, with or without storing the board (serde) between steps.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A representative: the staff id.
pub type RepId = i64;

/// Days without contact after which a returning customer is treated as new (K3).
pub const STALE_AFTER_DAYS: i64 = 7;

/// Where a representative is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepState {
    Available,
    Busy,
    AwayPrivate,
    AwayCompany,
}

impl RepState {
    pub const ALL: [RepState; 4] = [
        RepState::Available,
        RepState::Busy,
        RepState::AwayPrivate,
        RepState::AwayCompany,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RepState::Available => "available",
            RepState::Busy => "busy",
            RepState::AwayPrivate => "away_private",
            RepState::AwayCompany => "away_company",
        }
    }

    pub fn from_code(code: &str) -> Option<RepState> {
        RepState::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Why a walk-in went to its representative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// K1: the next representative in line.
    NextInTurn,
    /// K2: the returning customer's own representative.
    OwnCustomer,
    /// K2/item 9: their own representative is busy or away, so received in turn.
    OwnUnavailable,
    /// K3/item 5: not contacted by their representative for more than 7 days: treated as new.
    StaleCustomer,
    /// Item 2: passed on from a representative whose own customer arrived.
    HandedOver,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::NextInTurn,
        Reason::OwnCustomer,
        Reason::OwnUnavailable,
        Reason::StaleCustomer,
        Reason::HandedOver,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reason::NextInTurn => "next_in_turn",
            Reason::OwnCustomer => "own_customer",
            Reason::OwnUnavailable => "own_unavailable",
            Reason::StaleCustomer => "stale_customer",
            Reason::HandedOver => "handed_over",
        }
    }

    /// Whether the assignment used the representative's turn (a new customer).
    pub fn uses_turn(self) -> bool {
        !matches!(self, Reason::OwnCustomer)
    }
}

/// A returning customer's own representative and when they last had contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Own {
    pub rep: RepId,
    pub last_contact: NaiveDate,
}

/// One event of a team's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A new business day: counters start again, everyone present is available, the line stays.
    Day { on: NaiveDate },
    /// The team's line set or reordered by the supervisor (new members join at the given place).
    Order { reps: Vec<RepId> },
    /// A customer walks in (`own`: a returning customer's representative and last contact).
    WalkIn { own: Option<Own>, on: NaiveDate },
    /// A representative's state changes (busy, free, away, back).
    State { rep: RepId, state: RepState },
    /// Item 12: the visit `seq` was "just browsing": it does not count as a turn used.
    Browsing { seq: u64 },
    /// A sale credited to the visit `seq` (for the day's figures).
    Sale { seq: u64 },
}

/// The decision for one walk-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The visit's number on the board (1, 2, …).
    pub seq: u64,
    pub rep: RepId,
    pub reason: Reason,
    /// Item 2: the new customer `seq` the representative was serving passes to `to`.
    pub handover: Option<Handover>,
    /// The returning customer's own representative when someone else received them.
    pub own_rep: Option<RepId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub seq: u64,
    pub from: RepId,
    pub to: RepId,
}

/// What an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Assigned(Assignment),
    Changed,
}

/// Why an event was refused (nothing changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    #[error("nobody in the team is free to receive a customer")]
    NobodyFree,
    #[error("representative {0} is not in the team")]
    NotInTeam(RepId),
    #[error("visit {0} is not on the board")]
    NoSuchVisit(u64),
    #[error("the team has no representatives")]
    EmptyTeam,
    #[error("a representative is listed twice")]
    Duplicate,
}

/// One representative on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rep {
    pub id: RepId,
    pub state: RepState,
    /// The new customer (visit number) they are serving, if busy with one.
    pub serving: Option<u64>,
    /// New customers received today (a browsing visit given back does not count).
    pub turns: u32,
    /// Own customers received today.
    pub own: u32,
    /// Sales credited today.
    pub sales: u32,
    /// Walk-ins in a row that went to someone behind them in line.
    pub passed: u32,
    /// Walk-ins in a row they were passed over while available (the invariant: never).
    pub passed_available: u32,
}

impl Rep {
    fn new(id: RepId) -> Rep {
        Rep {
            id,
            state: RepState::Available,
            serving: None,
            turns: 0,
            own: 0,
            sales: 0,
            passed: 0,
            passed_available: 0,
        }
    }
}

/// A visit as the board remembers it (for browsing and handovers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub seq: u64,
    pub rep: RepId,
    pub reason: Reason,
    pub counted: bool,
}

/// A team's board: the line (front = next), today's visits, the day. A new team's stored
/// board is `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Board {
    pub day: Option<NaiveDate>,
    pub line: Vec<Rep>,
    pub visits: Vec<Visit>,
    pub seq: u64,
}

impl Board {
    /// The board after `events`, from empty.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Board {
        let mut b = Board::default();
        for e in events {
            // A refused event changes nothing, as when it was first applied.
            let _ = b.apply(e);
        }
        b
    }

    pub fn rep(&self, id: RepId) -> Option<&Rep> {
        self.line.iter().find(|r| r.id == id)
    }

    fn pos(&self, id: RepId) -> Result<usize, RotationError> {
        self.line
            .iter()
            .position(|r| r.id == id)
            .ok_or(RotationError::NotInTeam(id))
    }

    /// Who would receive a new walk-in now (the first available in line), without changing
    /// anything.
    pub fn next_up(&self) -> Option<RepId> {
        self.line
            .iter()
            .find(|r| r.state == RepState::Available)
            .map(|r| r.id)
    }

    /// Applies one event. A refused event leaves the board as it was.
    pub fn apply(&mut self, event: &Event) -> Result<Outcome, RotationError> {
        match event {
            Event::Day { on } => {
                self.day = Some(*on);
                self.visits.clear();
                for r in &mut self.line {
                    *r = Rep::new(r.id);
                }
                Ok(Outcome::Changed)
            }
            Event::Order { reps } => self.order(reps),
            Event::WalkIn { own, on } => self.walk_in(*own, *on).map(Outcome::Assigned),
            Event::State { rep, state } => {
                let i = self.pos(*rep)?;
                let r = &mut self.line[i];
                r.state = *state;
                if *state != RepState::Busy {
                    r.serving = None;
                }
                Ok(Outcome::Changed)
            }
            Event::Browsing { seq } => self.browsing(*seq),
            Event::Sale { seq } => {
                let v = self.visit(*seq)?;
                let i = self.pos(v.rep)?;
                self.line[i].sales += 1;
                Ok(Outcome::Changed)
            }
        }
    }

    fn visit(&self, seq: u64) -> Result<Visit, RotationError> {
        self.visits
            .iter()
            .find(|v| v.seq == seq)
            .copied()
            .ok_or(RotationError::NoSuchVisit(seq))
    }

    fn order(&mut self, reps: &[RepId]) -> Result<Outcome, RotationError> {
        let mut seen = std::collections::HashSet::new();
        if !reps.iter().all(|r| seen.insert(*r)) {
            return Err(RotationError::Duplicate);
        }
        let mut old = std::mem::take(&mut self.line);
        self.line = reps
            .iter()
            .map(|id| match old.iter().position(|r| r.id == *id) {
                Some(i) => old.swap_remove(i),
                None => Rep::new(*id),
            })
            .collect();
        Ok(Outcome::Changed)
    }

    /// The first available representative in line, passing over (and moving to the back) those
    /// away on private business whose turn it was (item 4). Its index in the new line.
    fn take_next(&mut self) -> Result<usize, RotationError> {
        let i = self
            .line
            .iter()
            .position(|r| r.state == RepState::Available)
            .ok_or(RotationError::NobodyFree)?;
        let ahead: Vec<Rep> = self.line.drain(..i).collect();
        let (lose, keep): (Vec<Rep>, Vec<Rep>) = ahead
            .into_iter()
            .partition(|r| r.state == RepState::AwayPrivate);
        let at = keep.len();
        let mut line = keep;
        line.append(&mut self.line);
        line.extend(lose);
        self.line = line;
        Ok(at)
    }

    /// Gives the new customer `seq` to the next in line: they go to the back, busy.
    fn receive_new(&mut self, seq: u64, reason: Reason) -> Result<RepId, RotationError> {
        let i = self.take_next()?;
        let mut r = self.line.remove(i);
        r.state = RepState::Busy;
        r.serving = Some(seq);
        r.turns += 1;
        let id = r.id;
        self.line.push(r);
        self.visits.push(Visit {
            seq,
            rep: id,
            reason,
            counted: true,
        });
        Ok(id)
    }

    fn walk_in(&mut self, own: Option<Own>, on: NaiveDate) -> Result<Assignment, RotationError> {
        if self.line.is_empty() {
            return Err(RotationError::EmptyTeam);
        }
        let before = self.clone();
        let seq = self.seq + 1;
        let result = self.decide(seq, own, on);
        match result {
            Ok(a) => {
                self.seq = seq;
                self.mark_passed(&before, &a);
                Ok(a)
            }
            Err(e) => {
                *self = before;
                Err(e)
            }
        }
    }

    fn decide(
        &mut self,
        seq: u64,
        own: Option<Own>,
        on: NaiveDate,
    ) -> Result<Assignment, RotationError> {
        let fresh = own.filter(|o| (on - o.last_contact).num_days() <= STALE_AFTER_DAYS);
        let Some(o) = own else {
            let rep = self.receive_new(seq, Reason::NextInTurn)?;
            return Ok(Assignment {
                seq,
                rep,
                reason: Reason::NextInTurn,
                handover: None,
                own_rep: None,
            });
        };
        let Some(f) = fresh else {
            let rep = self.receive_new(seq, Reason::StaleCustomer)?;
            return Ok(Assignment {
                seq,
                rep,
                reason: Reason::StaleCustomer,
                handover: None,
                own_rep: Some(o.rep),
            });
        };
        let present = self
            .line
            .iter()
            .find(|r| r.id == f.rep)
            .map(|r| (r.state, r.serving));
        match present {
            Some((RepState::Available, _)) => {
                self.receive_own(seq, f.rep)?;
                Ok(Assignment {
                    seq,
                    rep: f.rep,
                    reason: Reason::OwnCustomer,
                    handover: None,
                    own_rep: None,
                })
            }
            Some((RepState::Busy, Some(serving))) => {
                // Item 2: they take their own customer; the new one passes to the next in line
                // (they are busy, so not them).
                let i = self.pos(f.rep)?;
                self.line[i].turns = self.line[i].turns.saturating_sub(1);
                self.visits.retain(|v| v.seq != serving);
                let to = self.receive_new(serving, Reason::HandedOver)?;
                self.receive_own(seq, f.rep)?;
                Ok(Assignment {
                    seq,
                    rep: f.rep,
                    reason: Reason::OwnCustomer,
                    handover: Some(Handover {
                        seq: serving,
                        from: f.rep,
                        to,
                    }),
                    own_rep: None,
                })
            }
            _ => {
                let rep = self.receive_new(seq, Reason::OwnUnavailable)?;
                Ok(Assignment {
                    seq,
                    rep,
                    reason: Reason::OwnUnavailable,
                    handover: None,
                    own_rep: Some(f.rep),
                })
            }
        }
    }

    /// The own representative receives their returning customer: no turn used, place kept.
    fn receive_own(&mut self, seq: u64, rep: RepId) -> Result<(), RotationError> {
        let i = self.pos(rep)?;
        let r = &mut self.line[i];
        r.state = RepState::Busy;
        r.serving = None;
        r.own += 1;
        self.visits.push(Visit {
            seq,
            rep,
            reason: Reason::OwnCustomer,
            counted: true,
        });
        Ok(())
    }

    /// Counts, for everyone who was ahead of the one who took a turn, that they were passed over
    /// (and whether while available); everyone else's counts start again.
    fn mark_passed(&mut self, before: &Board, a: &Assignment) {
        let receiver = match a.handover {
            Some(h) => h.to,
            None if a.reason.uses_turn() => a.rep,
            None => return,
        };
        let ahead: Vec<(RepId, RepState)> = before
            .line
            .iter()
            .take_while(|r| r.id != receiver)
            .filter(|r| r.id != a.rep)
            .map(|r| (r.id, r.state))
            .collect();
        for r in &mut self.line {
            match ahead.iter().find(|(id, _)| *id == r.id) {
                Some((_, state)) => {
                    r.passed += 1;
                    if *state == RepState::Available {
                        r.passed_available += 1;
                    } else {
                        r.passed_available = 0;
                    }
                }
                None => {
                    r.passed = 0;
                    r.passed_available = 0;
                }
            }
        }
    }

    /// Item 12: a "just browsing" visit is not counted; the representative gets the turn back
    /// (first in line).
    fn browsing(&mut self, seq: u64) -> Result<Outcome, RotationError> {
        let v = self.visit(seq)?;
        if !v.counted {
            return Ok(Outcome::Changed);
        }
        if let Some(x) = self.visits.iter_mut().find(|x| x.seq == seq) {
            x.counted = false;
        }
        let i = self.pos(v.rep)?;
        let mut r = self.line.remove(i);
        if v.reason == Reason::OwnCustomer {
            r.own = r.own.saturating_sub(1);
            self.line.insert(i, r);
        } else {
            r.turns = r.turns.saturating_sub(1);
            self.line.insert(0, r);
        }
        Ok(Outcome::Changed)
    }
}

/// The credit rule recorded with a visit (K4, items 5–11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum CreditRule {
    /// The receiving representative (items 1, 2, 5: a stale customer's old representative gets
    /// nothing).
    Receiver,
    /// Item 6: a colleague helped — recorded, no split.
    Helped { helper: RepId },
    /// Item 7: the receiver lost the customer and a colleague calmed them and closed the sale.
    Closer { closer: RepId },
    /// Item 8: received out of turn (a queue jump): void for the receiver, the credit goes to
    /// the representative whose turn it was.
    QueueJump { rightful: RepId },
    /// Items 9–10: direct relatives arriving together (or an unsold old customer's companion
    /// who buys with them): split evenly with the other party's representative.
    Relatives { with: RepId },
    /// Items 10–11: friends arriving together or a friend's referral: the first receiver.
    Referral { first: RepId },
    /// Item 12: just browsing — the visit does not count.
    Browsing,
}

impl CreditRule {
    pub const CODES: [&'static str; 7] = [
        "receiver",
        "helped",
        "closer",
        "queue_jump",
        "relatives",
        "referral",
        "browsing",
    ];

    pub fn code(self) -> &'static str {
        match self {
            CreditRule::Receiver => "receiver",
            CreditRule::Helped { .. } => "helped",
            CreditRule::Closer { .. } => "closer",
            CreditRule::QueueJump { .. } => "queue_jump",
            CreditRule::Relatives { .. } => "relatives",
            CreditRule::Referral { .. } => "referral",
            CreditRule::Browsing => "browsing",
        }
    }

    /// The rule of `code` with its other representative (`other`, required by every rule but
    /// `receiver` and `browsing`).
    pub fn from_code(code: &str, other: Option<RepId>) -> Option<CreditRule> {
        Some(match (code, other) {
            ("receiver", _) => CreditRule::Receiver,
            ("browsing", _) => CreditRule::Browsing,
            ("helped", Some(r)) => CreditRule::Helped { helper: r },
            ("closer", Some(r)) => CreditRule::Closer { closer: r },
            ("queue_jump", Some(r)) => CreditRule::QueueJump { rightful: r },
            ("relatives", Some(r)) => CreditRule::Relatives { with: r },
            ("referral", Some(r)) => CreditRule::Referral { first: r },
            _ => return None,
        })
    }

    /// The other representative the rule names.
    pub fn other(self) -> Option<RepId> {
        match self {
            CreditRule::Receiver | CreditRule::Browsing => None,
            CreditRule::Helped { helper: r }
            | CreditRule::Closer { closer: r }
            | CreditRule::QueueJump { rightful: r }
            | CreditRule::Relatives { with: r }
            | CreditRule::Referral { first: r } => Some(r),
        }
    }
}

/// One representative's share of a visit's credit, in permille.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub rep: RepId,
    pub permille: u32,
}

/// The credit of a visit received by `receiver` under `rule`: the shares (summing to 1000, or
/// empty) and whether the visit counts as the receiver's customer.
pub fn credit(receiver: RepId, rule: CreditRule) -> (Vec<Share>, bool) {
    let all = |rep| {
        vec![Share {
            rep,
            permille: 1000,
        }]
    };
    match rule {
        CreditRule::Receiver | CreditRule::Helped { .. } => (all(receiver), true),
        CreditRule::Closer { closer } => (all(closer), true),
        CreditRule::QueueJump { rightful } => (all(rightful), false),
        CreditRule::Referral { first } => (all(first), true),
        CreditRule::Relatives { with } if with == receiver => (all(receiver), true),
        CreditRule::Relatives { with } => (
            vec![
                Share {
                    rep: receiver,
                    permille: 500,
                },
                Share {
                    rep: with,
                    permille: 500,
                },
            ],
            true,
        ),
        CreditRule::Browsing => (Vec::new(), false),
    }
}

/// A sale's amount split by the shares (fen; the first share takes any odd fen).
pub fn split(amount_fen: i64, shares: &[Share]) -> Vec<(RepId, i64)> {
    let mut out: Vec<(RepId, i64)> = shares
        .iter()
        .map(|s| (s.rep, amount_fen * i64::from(s.permille) / 1000))
        .collect();
    let given: i64 = out.iter().map(|(_, f)| f).sum();
    if let Some(first) = out.first_mut()
        && !shares.is_empty()
    {
        first.1 += amount_fen - given;
    }
    out
}

#[cfg(test)]
mod tests;
