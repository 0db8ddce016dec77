//! The "3-3-2-1-4-6-9" care schedule of a top member's purchase (SPEC J2, 铂金顾客维护):
//! a thank-you message 3 minutes after the purchase, a care message after 3 days, a greeting
//! after 2 weeks, and phone callbacks after 1, 4, 6 and 9 months.
//!
//! The rules only: which steps there are, when each falls due from the purchase time, which
//! of them are messages and which are calls, and which of a schedule's steps are due at a given
//! moment. Storing schedules, turning due steps into tasks and sending messages is the
//! application's work.

use chrono::{DateTime, Duration, Months, Utc};

/// One step of the schedule, in the order they fall due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    ThankYou,
    Care,
    Greeting,
    Call1m,
    Call4m,
    Call6m,
    Call9m,
}

/// How far after the purchase a step falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offset {
    Minutes(i64),
    Days(i64),
    Months(u32),
}

impl Step {
    /// Every step, in the order they fall due.
    pub const ALL: [Step; 7] = [
        Step::ThankYou,
        Step::Care,
        Step::Greeting,
        Step::Call1m,
        Step::Call4m,
        Step::Call6m,
        Step::Call9m,
    ];

    /// The stable code stored in the database and used in the API (`api/care.md`).
    pub fn code(self) -> &'static str {
        match self {
            Step::ThankYou => "thank_you",
            Step::Care => "care",
            Step::Greeting => "greeting",
            Step::Call1m => "call_1m",
            Step::Call4m => "call_4m",
            Step::Call6m => "call_6m",
            Step::Call9m => "call_9m",
        }
    }

    pub fn from_code(code: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Its place in `ALL` (0 = the thank-you message).
    pub fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The step at `index` of `ALL`, if there is one.
    pub fn at(index: usize) -> Option<Step> {
        Step::ALL.get(index).copied()
    }

    /// A phone callback the advisor makes (the others are messages the system sends).
    pub fn is_call(self) -> bool {
        matches!(
            self,
            Step::Call1m | Step::Call4m | Step::Call6m | Step::Call9m
        )
    }

    pub fn offset(self) -> Offset {
        match self {
            Step::ThankYou => Offset::Minutes(3),
            Step::Care => Offset::Days(3),
            Step::Greeting => Offset::Days(14),
            Step::Call1m => Offset::Months(1),
            Step::Call4m => Offset::Months(4),
            Step::Call6m => Offset::Months(6),
            Step::Call9m => Offset::Months(9),
        }
    }

    /// When the step falls due for a purchase at `purchased_at`. Months are calendar months
    /// counted on the instant (the 31st becomes the month's last day); the business time zone
    /// has a fixed offset, so the local hour is kept. `None` only outside chrono's range.
    pub fn due_at(self, purchased_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.offset() {
            Offset::Minutes(m) => purchased_at.checked_add_signed(Duration::minutes(m)),
            Offset::Days(d) => purchased_at.checked_add_signed(Duration::days(d)),
            Offset::Months(m) => purchased_at.checked_add_months(Months::new(m)),
        }
    }
}

/// Where a stored schedule stands: the index of its next step not yet acted on (7 = none
/// left), and whether its phone steps were superseded by a newer purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub next: usize,
    pub calls_superseded: bool,
}

/// What to do with a schedule at `now`: the steps due (in order) from `pos.next` on, the
/// position after them, and when the next step after those falls due (`None`: the schedule is
/// finished). A superseded schedule has no phone steps left: it finishes after its messages.
pub fn due_steps(
    purchased_at: DateTime<Utc>,
    pos: Position,
    now: DateTime<Utc>,
) -> (Vec<Step>, usize, Option<DateTime<Utc>>) {
    let mut due = Vec::new();
    let mut next = pos.next;
    while let Some(step) = Step::at(next) {
        if pos.calls_superseded && step.is_call() {
            return (due, Step::ALL.len(), None);
        }
        match step.due_at(purchased_at) {
            Some(at) if at <= now => {
                due.push(step);
                next += 1;
            }
            Some(at) => return (due, next, Some(at)),
            None => return (due, Step::ALL.len(), None),
        }
    }
    (due, next, None)
}

/// When the step at `index` falls due, unless the schedule is finished at that index (or its
/// calls were superseded and only calls are left).
pub fn next_due(
    purchased_at: DateTime<Utc>,
    index: usize,
    calls_superseded: bool,
) -> Option<DateTime<Utc>> {
    let step = Step::at(index)?;
    if calls_superseded && step.is_call() {
        return None;
    }
    step.due_at(purchased_at)
}

/// How a phone callback went (the advisor's record of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Reached,
    NotReached,
}

impl Outcome {
    pub const ALL: [Outcome; 2] = [Outcome::Reached, Outcome::NotReached];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NotReached => "not_reached",
        }
    }

    pub fn from_code(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn the_schedule_is_three_minutes_three_days_two_weeks_then_one_four_six_nine_months() {
        let p = at(2026, 9, 25, 8, 30);
        let due: Vec<_> = Step::ALL.iter().map(|s| s.due_at(p)).collect();
        assert_eq!(
            due,
            vec![
                Some(at(2026, 9, 25, 8, 33)),
                Some(at(2026, 9, 28, 8, 30)),
                Some(at(2026, 10, 9, 8, 30)),
                Some(at(2026, 10, 25, 8, 30)),
                Some(at(2027, 1, 25, 8, 30)),
                Some(at(2027, 3, 25, 8, 30)),
                Some(at(2027, 6, 25, 8, 30)),
            ]
        );
    }

    #[test]
    fn a_month_after_the_thirty_first_is_the_last_day_of_a_shorter_month() {
        let p = at(2027, 1, 31, 2, 0);
        assert_eq!(Step::Call1m.due_at(p), Some(at(2027, 2, 28, 2, 0)));
        assert_eq!(Step::Call4m.due_at(p), Some(at(2027, 5, 31, 2, 0)));
    }

    #[test]
    fn codes_round_trip_and_only_the_four_callbacks_are_calls() {
        for s in Step::ALL {
            assert_eq!(Step::from_code(s.code()), Some(s));
            assert_eq!(Step::at(s.index()), Some(s));
        }
        assert_eq!(Step::ALL.iter().filter(|s| s.is_call()).count(), 4);
        assert_eq!(Step::from_code("call_2m"), None);
    }

    #[test]
    fn nothing_is_due_before_three_minutes_have_passed() {
        let p = at(2026, 9, 25, 8, 30);
        let pos = Position {
            next: 0,
            calls_superseded: false,
        };
        let (due, next, then) = due_steps(p, pos, at(2026, 9, 25, 8, 32));
        assert!(due.is_empty());
        assert_eq!(next, 0);
        assert_eq!(then, Some(at(2026, 9, 25, 8, 33)));
    }

    #[test]
    fn steps_that_fell_due_while_nobody_looked_come_due_together_in_order() {
        let p = at(2026, 9, 25, 8, 30);
        let pos = Position {
            next: 0,
            calls_superseded: false,
        };
        let (due, next, then) = due_steps(p, pos, at(2026, 10, 30, 0, 0));
        assert_eq!(
            due,
            vec![Step::ThankYou, Step::Care, Step::Greeting, Step::Call1m]
        );
        assert_eq!(next, 4);
        assert_eq!(then, Some(at(2027, 1, 25, 8, 30)));
    }

    #[test]
    fn a_step_already_acted_on_is_never_due_again() {
        let p = at(2026, 9, 25, 8, 30);
        let pos = Position {
            next: 7,
            calls_superseded: false,
        };
        assert_eq!(due_steps(p, pos, at(2030, 1, 1, 0, 0)), (vec![], 7, None));
    }

    #[test]
    fn a_superseded_schedule_finishes_after_its_messages() {
        let p = at(2026, 9, 25, 8, 30);
        let pos = Position {
            next: 1,
            calls_superseded: true,
        };
        let (due, next, then) = due_steps(p, pos, at(2027, 12, 1, 0, 0));
        assert_eq!(due, vec![Step::Care, Step::Greeting]);
        assert_eq!((next, then), (7, None));
        assert_eq!(next_due(p, 3, true), None);
        assert_eq!(next_due(p, 2, true), Some(at(2026, 10, 9, 8, 30)));
    }

    #[test]
    fn outcomes_have_codes() {
        assert_eq!(Outcome::from_code("reached"), Some(Outcome::Reached));
        assert_eq!(Outcome::from_code("not_reached"), Some(Outcome::NotReached));
        assert_eq!(Outcome::from_code("busy"), None);
    }
}
