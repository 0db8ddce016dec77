use super::*;
use proptest::prelude::*;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).expect("date")
}

fn board(reps: &[RepId]) -> Board {
    let mut b = Board::default();
    b.apply(&Event::Day { on: day() }).expect("day");
    b.apply(&Event::Order {
        reps: reps.to_vec(),
    })
    .expect("order");
    b
}

fn walk_in(b: &mut Board, own: Option<Own>) -> Assignment {
    match b.apply(&Event::WalkIn { own, on: day() }).expect("walk-in") {
        Outcome::Assigned(a) => a,
        Outcome::Changed => panic!("no assignment"),
    }
}

fn set(b: &mut Board, rep: RepId, state: RepState) {
    b.apply(&Event::State { rep, state }).expect("state");
}

fn line(b: &Board) -> Vec<RepId> {
    b.line.iter().map(|r| r.id).collect()
}

#[test]
fn new_walk_ins_go_round_the_line_in_turn() {
    let mut b = board(&[1, 2, 3]);
    let got: Vec<RepId> = (0..3)
        .map(|_| {
            let a = walk_in(&mut b, None);
            assert_eq!(a.reason, Reason::NextInTurn);
            set(&mut b, a.rep, RepState::Available);
            a.rep
        })
        .collect();
    assert_eq!(got, vec![1, 2, 3]);
    assert_eq!(walk_in(&mut b, None).rep, 1);
}

#[test]
fn a_busy_representative_keeps_the_front_and_receives_first_when_free() {
    let mut b = board(&[1, 2, 3]);
    set(&mut b, 1, RepState::Busy);
    assert_eq!(walk_in(&mut b, None).rep, 2);
    set(&mut b, 1, RepState::Available);
    assert_eq!(
        walk_in(&mut b, None).rep,
        1,
        "item 3: priority after being passed"
    );
}

#[test]
fn away_on_private_business_loses_the_turn_and_waits_a_round() {
    let mut b = board(&[1, 2, 3]);
    set(&mut b, 1, RepState::AwayPrivate);
    assert_eq!(walk_in(&mut b, None).rep, 2);
    assert_eq!(line(&b), vec![3, 1, 2]);
    set(&mut b, 1, RepState::Available);
    set(&mut b, 2, RepState::Available);
    assert_eq!(walk_in(&mut b, None).rep, 3, "1 waits a round");
    assert_eq!(walk_in(&mut b, None).rep, 1);
}

#[test]
fn away_on_company_business_keeps_the_turn_for_when_back() {
    let mut b = board(&[1, 2, 3]);
    set(&mut b, 1, RepState::AwayCompany);
    assert_eq!(walk_in(&mut b, None).rep, 2);
    set(&mut b, 1, RepState::Available);
    assert_eq!(walk_in(&mut b, None).rep, 1);
}

#[test]
fn a_returning_customer_goes_to_their_own_representative_without_a_turn() {
    let mut b = board(&[1, 2, 3]);
    let own = Own {
        rep: 3,
        last_contact: day() - chrono::Days::new(2),
    };
    let a = walk_in(&mut b, Some(own));
    assert_eq!((a.rep, a.reason), (3, Reason::OwnCustomer));
    assert_eq!(line(&b), vec![1, 2, 3], "the line is unchanged");
    assert_eq!(b.rep(3).map(|r| (r.turns, r.own)), Some((0, 1)));
}

#[test]
fn own_representative_busy_with_a_new_customer_passes_the_new_one_on() {
    let mut b = board(&[1, 2, 3]);
    let first = walk_in(&mut b, None);
    assert_eq!(first.rep, 1);
    let own = Own {
        rep: 1,
        last_contact: day(),
    };
    let a = walk_in(&mut b, Some(own));
    assert_eq!((a.rep, a.reason), (1, Reason::OwnCustomer));
    assert_eq!(
        a.handover,
        Some(Handover {
            seq: first.seq,
            from: 1,
            to: 2
        })
    );
    assert_eq!(b.rep(1).map(|r| r.turns), Some(0));
    assert_eq!(b.rep(2).map(|r| (r.turns, r.serving)), Some((1, Some(1))));
}

#[test]
fn own_representative_away_or_with_another_own_customer_means_in_turn() {
    let mut b = board(&[1, 2, 3]);
    set(&mut b, 2, RepState::AwayPrivate);
    let own = Own {
        rep: 2,
        last_contact: day(),
    };
    let a = walk_in(&mut b, Some(own));
    assert_eq!(
        (a.rep, a.reason, a.own_rep),
        (1, Reason::OwnUnavailable, Some(2))
    );
}

#[test]
fn a_customer_not_contacted_for_more_than_seven_days_is_new() {
    let mut b = board(&[1, 2, 3]);
    let stale = Own {
        rep: 3,
        last_contact: day() - chrono::Days::new(8),
    };
    let a = walk_in(&mut b, Some(stale));
    assert_eq!(
        (a.rep, a.reason, a.own_rep),
        (1, Reason::StaleCustomer, Some(3))
    );
    let week = Own {
        rep: 3,
        last_contact: day() - chrono::Days::new(7),
    };
    assert_eq!(walk_in(&mut b, Some(week)).reason, Reason::OwnCustomer);
}

#[test]
fn just_browsing_gives_the_turn_back() {
    let mut b = board(&[1, 2, 3]);
    let a = walk_in(&mut b, None);
    b.apply(&Event::Browsing { seq: a.seq }).expect("browsing");
    set(&mut b, 1, RepState::Available);
    assert_eq!(b.rep(1).map(|r| r.turns), Some(0));
    assert_eq!(walk_in(&mut b, None).rep, 1);
}

#[test]
fn nobody_free_refuses_and_changes_nothing() {
    let mut b = board(&[1, 2]);
    set(&mut b, 1, RepState::Busy);
    set(&mut b, 2, RepState::AwayPrivate);
    let before = b.clone();
    assert_eq!(
        b.apply(&Event::WalkIn {
            own: None,
            on: day()
        }),
        Err(RotationError::NobodyFree)
    );
    assert_eq!(b, before);
}

#[test]
fn credit_follows_the_house_rules() {
    let one = |rep| {
        vec![Share {
            rep,
            permille: 1000,
        }]
    };
    assert_eq!(credit(1, CreditRule::Receiver), (one(1), true));
    assert_eq!(credit(1, CreditRule::Helped { helper: 2 }), (one(1), true));
    assert_eq!(credit(1, CreditRule::Closer { closer: 2 }), (one(2), true));
    assert_eq!(
        credit(1, CreditRule::QueueJump { rightful: 2 }),
        (one(2), false)
    );
    assert_eq!(credit(1, CreditRule::Referral { first: 3 }), (one(3), true));
    assert_eq!(credit(1, CreditRule::Browsing), (vec![], false));
    let (shares, counted) = credit(1, CreditRule::Relatives { with: 2 });
    assert!(counted);
    assert_eq!(split(1001, &shares), vec![(1, 501), (2, 500)]);
    for code in CreditRule::CODES {
        let rule = CreditRule::from_code(code, Some(9)).expect("rule");
        assert_eq!(rule.code(), code);
    }
    assert_eq!(CreditRule::from_code("helped", None), None);
}

#[derive(Debug, Clone)]
enum Step {
    WalkIn(Option<(usize, i64)>),
    State(usize, RepState),
    Browse(u64),
    Reorder(Vec<usize>),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => prop::option::of((0usize..5, 0i64..12)).prop_map(Step::WalkIn),
        4 => (0usize..5, prop::sample::select(RepState::ALL.to_vec()))
            .prop_map(|(r, s)| Step::State(r, s)),
        1 => (1u64..20).prop_map(Step::Browse),
        1 => Just(vec![4, 3, 2, 1, 0]).prop_shuffle().prop_map(Step::Reorder),
    ]
}

fn event(s: &Step) -> Event {
    match s {
        Step::WalkIn(own) => Event::WalkIn {
            own: own.map(|(r, ago)| Own {
                rep: r as RepId + 1,
                last_contact: day() - chrono::Days::new(ago as u64),
            }),
            on: day(),
        },
        Step::State(r, s) => Event::State {
            rep: *r as RepId + 1,
            state: *s,
        },
        Step::Browse(seq) => Event::Browsing { seq: *seq },
        Step::Reorder(o) => Event::Order {
            reps: o.iter().map(|r| *r as RepId + 1).collect(),
        },
    }
}

fn start() -> Vec<Event> {
    vec![
        Event::Day { on: day() },
        Event::Order {
            reps: vec![1, 2, 3, 4, 5],
        },
    ]
}

proptest! {
    /// Replaying the stored event log gives the board that was stored step by step (through
    /// its JSON, as the database keeps it).
    #[test]
    fn replaying_the_log_gives_the_same_board(steps in prop::collection::vec(step(), 0..60)) {
        let mut log = start();
        log.extend(steps.iter().map(event));
        let mut stored = String::from("{}");
        for e in &log {
            let mut b: Board = serde_json::from_str(&stored).expect("board");
            let _ = b.apply(e);
            stored = serde_json::to_string(&b).expect("json");
        }
        let replayed = Board::replay(&log);
        let from_store: Board = serde_json::from_str(&stored).expect("board");
        prop_assert_eq!(replayed, from_store);
    }

    /// Nobody available is ever passed over for someone behind them, so nobody is skipped twice
    /// in a row unless away or busy; a walk-in goes to the first available in line.
    #[test]
    fn nobody_available_is_passed_over(steps in prop::collection::vec(step(), 0..80)) {
        let mut b = Board::replay(&start());
        for s in &steps {
            let e = event(s);
            let before = b.clone();
            if let Ok(Outcome::Assigned(a)) = b.apply(&e) {
                let receiver = a.handover.map(|h| h.to).unwrap_or(a.rep);
                if a.reason.uses_turn() || a.handover.is_some() {
                    prop_assert_eq!(Some(receiver), before.next_up());
                }
            }
            for r in &b.line {
                prop_assert_eq!(r.passed_available, 0, "{:?} passed while available", r.id);
            }
        }
    }

    /// Over a day where everyone is present and serves each customer before the next arrives,
    /// nobody receives more than one new customer more than anyone else.
    #[test]
    fn the_order_is_fair_over_a_day(n in 1usize..200) {
        let mut b = Board::replay(&start());
        for _ in 0..n {
            let a = match b.apply(&Event::WalkIn { own: None, on: day() }) {
                Ok(Outcome::Assigned(a)) => a,
                other => return Err(TestCaseError::fail(format!("{other:?}"))),
            };
            b.apply(&Event::State { rep: a.rep, state: RepState::Available }).expect("free");
        }
        let turns: Vec<u32> = b.line.iter().map(|r| r.turns).collect();
        let (lo, hi) = (turns.iter().min().copied().unwrap_or(0), turns.iter().max().copied().unwrap_or(0));
        prop_assert!(hi - lo <= 1, "{turns:?}");
    }

    /// Whoever goes away on private business ends the day with no more turns than anyone who
    /// was always there, and the always-present stay within one of each other.
    #[test]
    fn away_costs_turns_never_gains_them(
        n in 1usize..150,
        away in prop::collection::vec((0usize..150, prop::bool::ANY), 0..20),
    ) {
        let mut b = Board::replay(&start());
        for i in 0..n {
            let mut e = Vec::new();
            for (at, private) in &away {
                if *at == i {
                    let state = if *private { RepState::AwayPrivate } else { RepState::Available };
                    e.push(Event::State { rep: 5, state });
                }
            }
            for x in &e {
                b.apply(x).expect("state");
            }
            if let Ok(Outcome::Assigned(a)) = b.apply(&Event::WalkIn { own: None, on: day() }) {
                b.apply(&Event::State { rep: a.rep, state: RepState::Available }).expect("free");
            }
        }
        let turns = |id| b.rep(id).map(|r| r.turns).unwrap_or(0);
        let present: Vec<u32> = (1..=4).map(turns).collect();
        let (lo, hi) = (present.iter().min().copied().unwrap_or(0), present.iter().max().copied().unwrap_or(0));
        prop_assert!(hi - lo <= 1, "{present:?}");
        prop_assert!(turns(5) <= hi, "{} > {hi}", turns(5));
    }
}
