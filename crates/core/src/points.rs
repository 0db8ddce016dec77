//! Points rules (SPEC C1, C4, C6, C7): accrual per receipt line, the take-back of returned lines,
//! oldest-first spending, lot expiry dates and the redemption ratio.
//!
//! Every rate is an integer and every division rounds down, so the same receipt always gives the
//! same points and a full return takes back exactly what was given.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::money::{Fen, Points};

/// One line of a receipt as the accrual rule sees it (amount after discount).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub amount: Fen,
    /// Promotional or special-price goods earn nothing (活动期间及特价商品不予积分).
    pub promotional: bool,
}

/// Why a receipt earns what it earns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccrualContext {
    /// Points per yuan of the member's tier (B8: 1/2/3/4).
    pub points_per_yuan: i64,
    /// Multiplier in percent: 100 normally, the birthday multiplier on the member's birthday.
    pub multiplier_percent: i64,
    /// The purchase that opened the card earns nothing (办卡消费金额不享受积分).
    pub opening_receipt: bool,
    /// A purchase before the card existed earns nothing (不能补开卡前积分).
    pub before_card: bool,
}

/// Why a receipt earned no points at all, for the clerk and the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoPointsReason {
    OpeningReceipt,
    BeforeCard,
}

/// Points per line, in line order. `points = ⌊amount in yuan × rate × multiplier⌋` per line.
pub fn accrue(lines: &[Line], ctx: AccrualContext) -> (Vec<Points>, Option<NoPointsReason>) {
    let reason = if ctx.opening_receipt {
        Some(NoPointsReason::OpeningReceipt)
    } else if ctx.before_card {
        Some(NoPointsReason::BeforeCard)
    } else {
        None
    };
    let points = lines
        .iter()
        .map(|l| {
            if reason.is_some() || l.promotional || l.amount.0 <= 0 {
                return Points(0);
            }
            let p = i128::from(l.amount.0)
                * i128::from(ctx.points_per_yuan.max(0))
                * i128::from(ctx.multiplier_percent.max(0))
                / 10_000;
            Points(i64::try_from(p).unwrap_or(i64::MAX))
        })
        .collect();
    (points, reason)
}

/// The points of one line taken back once `returned` of its `amount` has come back in all.
/// Monotone in `returned`, and equal to the line's points when everything is returned, so the
/// sum over any sequence of partial returns never exceeds what the line earned.
pub fn taken_back(line_points: Points, amount: Fen, returned: Fen) -> Points {
    if amount.0 <= 0 || returned.0 <= 0 {
        return Points(0);
    }
    let returned = returned.0.min(amount.0);
    let p = i128::from(line_points.0) * i128::from(returned) / i128::from(amount.0);
    Points(i64::try_from(p).unwrap_or(i64::MAX))
}

/// The redemption ratio (C7): `points` points are worth `value` (e.g. 100 points → ¥10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    pub points: i64,
    pub value: Fen,
}

impl Ratio {
    /// What `points` are worth, rounded down (the member never gets more than the ratio).
    pub fn value_of(self, points: Points) -> Fen {
        if self.points <= 0 || points.0 <= 0 {
            return Fen(0);
        }
        let v = i128::from(points.0) * i128::from(self.value.0) / i128::from(self.points);
        Fen(i64::try_from(v).unwrap_or(i64::MAX))
    }

    /// The cash a returning member pays for points already spent (C4), rounded up (the store is
    /// never short).
    pub fn cash_for(self, points: Points) -> Fen {
        if self.points <= 0 || points.0 <= 0 {
            return Fen(0);
        }
        let num = i128::from(points.0) * i128::from(self.value.0);
        let den = i128::from(self.points);
        let v = (num + den - 1) / den;
        Fen(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

/// A lot's expiry (C6): points earned on `earned_on` expire at the end of the month
/// `valid_months` later.
pub fn lot_expiry(earned_on: NaiveDate, valid_months: u32) -> NaiveDate {
    let first = earned_on.with_day(1).unwrap_or(earned_on);
    first
        .checked_add_months(Months::new(valid_months + 1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// A lot as spending sees it: its id and what is left of it. Callers pass lots oldest first
/// (earliest expiry, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lot {
    pub id: i64,
    pub remaining: Points,
}

/// Not enough points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{available} points available, {wanted} wanted")]
pub struct Insufficient {
    pub available: Points,
    pub wanted: Points,
}

/// Takes `wanted` points from `lots`, oldest first: `(lot id, points taken)` for each lot
/// touched. All or nothing.
pub fn consume(lots: &[Lot], wanted: Points) -> Result<Vec<(i64, Points)>, Insufficient> {
    let available: i64 = lots.iter().map(|l| l.remaining.0.max(0)).sum();
    if wanted.0 > available {
        return Err(Insufficient {
            available: Points(available),
            wanted,
        });
    }
    let mut left = wanted.0.max(0);
    let mut taken = Vec::new();
    for lot in lots {
        if left == 0 {
            break;
        }
        let take = lot.remaining.0.max(0).min(left);
        if take > 0 {
            taken.push((lot.id, Points(take)));
            left -= take;
        }
    }
    Ok(taken)
}

/// Whether `today` is the member's birthday (29 February counts on 28 February in other years).
pub fn is_birthday(birthday: NaiveDate, today: NaiveDate) -> bool {
    if birthday.month() == today.month() && birthday.day() == today.day() {
        return true;
    }
    birthday.month() == 2
        && birthday.day() == 29
        && today.month() == 2
        && today.day() == 28
        && NaiveDate::from_ymd_opt(today.year(), 2, 29).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx(rate: i64) -> AccrualContext {
        AccrualContext {
            points_per_yuan: rate,
            multiplier_percent: 100,
            opening_receipt: false,
            before_card: false,
        }
    }

    fn line(yuan_fen: i64, promotional: bool) -> Line {
        Line {
            amount: Fen(yuan_fen),
            promotional,
        }
    }

    #[test]
    fn a_normal_member_earns_one_point_per_whole_yuan_per_line() {
        let (p, why) = accrue(&[line(12_345, false), line(99, false)], ctx(1));
        assert_eq!(p, vec![Points(123), Points(0)]);
        assert_eq!(why, None);
    }

    #[test]
    fn promotional_lines_earn_nothing() {
        let (p, _) = accrue(&[line(10_000, true), line(10_000, false)], ctx(2));
        assert_eq!(p, vec![Points(0), Points(200)]);
    }

    #[test]
    fn the_birthday_doubles_and_the_tier_rate_multiplies() {
        let mut c = ctx(3);
        c.multiplier_percent = 200;
        let (p, _) = accrue(&[line(100_050, false)], c);
        assert_eq!(p, vec![Points(6003)]);
    }

    #[test]
    fn the_card_opening_receipt_and_earlier_receipts_earn_nothing() {
        let mut c = ctx(1);
        c.opening_receipt = true;
        let (p, why) = accrue(&[line(100_000, false)], c);
        assert_eq!(
            (p[0], why),
            (Points(0), Some(NoPointsReason::OpeningReceipt))
        );
        let mut c = ctx(1);
        c.before_card = true;
        let (p, why) = accrue(&[line(100_000, false)], c);
        assert_eq!((p[0], why), (Points(0), Some(NoPointsReason::BeforeCard)));
    }

    #[test]
    fn lots_expire_at_the_end_of_the_month_after_the_period() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(lot_expiry(d(2026, 1, 31), 12), d(2027, 1, 31));
        assert_eq!(lot_expiry(d(2026, 2, 1), 24), d(2028, 2, 29));
        assert_eq!(lot_expiry(d(2026, 11, 23), 1), d(2026, 12, 31));
    }

    #[test]
    fn spending_takes_the_oldest_lots_first() {
        let lots = [
            Lot {
                id: 1,
                remaining: Points(50),
            },
            Lot {
                id: 2,
                remaining: Points(100),
            },
            Lot {
                id: 3,
                remaining: Points(10),
            },
        ];
        assert_eq!(
            consume(&lots, Points(120)),
            Ok(vec![(1, Points(50)), (2, Points(70))])
        );
        assert_eq!(
            consume(&lots, Points(161)),
            Err(Insufficient {
                available: Points(160),
                wanted: Points(161)
            })
        );
    }

    #[test]
    fn the_ratio_rounds_down_for_the_member_and_up_for_the_store() {
        let r = Ratio {
            points: 100,
            value: Fen(1000),
        };
        assert_eq!(r.value_of(Points(1000)), Fen(10_000));
        let odd = Ratio {
            points: 3,
            value: Fen(1),
        };
        assert_eq!(odd.value_of(Points(4)), Fen(1));
        assert_eq!(odd.cash_for(Points(4)), Fen(2));
    }

    #[test]
    fn a_leap_day_birthday_is_kept_on_the_28th_in_other_years() {
        let b = NaiveDate::from_ymd_opt(2000, 2, 29).expect("date");
        assert!(is_birthday(
            b,
            NaiveDate::from_ymd_opt(2027, 2, 28).expect("date")
        ));
        assert!(!is_birthday(
            b,
            NaiveDate::from_ymd_opt(2028, 2, 28).expect("date")
        ));
        assert!(is_birthday(
            b,
            NaiveDate::from_ymd_opt(2028, 2, 29).expect("date")
        ));
    }

    proptest! {
        #[test]
        fn consuming_takes_exactly_what_is_asked_oldest_first(
            rem in proptest::collection::vec(0i64..1000, 0..20),
            wanted in 0i64..20_000,
        ) {
            let lots: Vec<Lot> = rem.iter().enumerate()
                .map(|(i, r)| Lot { id: i as i64, remaining: Points(*r) }).collect();
            let total: i64 = rem.iter().sum();
            match consume(&lots, Points(wanted)) {
                Ok(taken) => {
                    prop_assert!(wanted <= total);
                    prop_assert_eq!(taken.iter().map(|t| t.1.0).sum::<i64>(), wanted);
                    for (i, (id, p)) in taken.iter().enumerate() {
                        let lot = lots[*id as usize];
                        prop_assert!(p.0 > 0 && p.0 <= lot.remaining.0);
                        // every lot before the last one touched is emptied
                        if i + 1 < taken.len() { prop_assert_eq!(p.0, lot.remaining.0); }
                        // no lot with points is skipped
                        let skipped = lots[..*id as usize].iter()
                            .filter(|l| l.remaining.0 > 0 && !taken.iter().any(|t| t.0 == l.id))
                            .count();
                        prop_assert_eq!(skipped, 0);
                    }
                }
                Err(e) => {
                    prop_assert!(wanted > total);
                    prop_assert_eq!(e.available, Points(total));
                }
            }
        }

        #[test]
        fn partial_returns_never_take_back_more_than_the_line_earned(
            amount in 1i64..10_000_000,
            rate in 1i64..5,
            birthday in proptest::bool::ANY,
            cuts in proptest::collection::vec(1i64..10_000_000, 1..6),
        ) {
            let mut c = ctx(rate);
            if birthday { c.multiplier_percent = 200; }
            let (p, _) = accrue(&[line(amount, false)], c);
            let earned = p[0];
            let mut returned = 0i64;
            let mut back = 0i64;
            for cut in cuts {
                let before = returned;
                returned = (returned + cut).min(amount);
                back += taken_back(earned, Fen(amount), Fen(returned)).0
                    - taken_back(earned, Fen(amount), Fen(before)).0;
                prop_assert!(back <= earned.0);
            }
            if returned == amount { prop_assert_eq!(back, earned.0); }
        }

        #[test]
        fn accrual_is_never_negative_and_promotional_lines_never_count(
            lines in proptest::collection::vec((-1000i64..10_000_000, proptest::bool::ANY), 0..10),
            rate in 0i64..5,
        ) {
            let ls: Vec<Line> = lines.iter().map(|(a, p)| line(*a, *p)).collect();
            let (pts, _) = accrue(&ls, ctx(rate));
            for (l, p) in ls.iter().zip(pts) {
                prop_assert!(p.0 >= 0);
                if l.promotional { prop_assert_eq!(p.0, 0); }
                prop_assert!(p.0 <= l.amount.0.max(0) * rate / 100);
            }
        }
    }
}
