//! RFM segmentation (SPEC M1): recency, frequency and money of a member's purchases in a window,
//! each judged high or low against a breakpoint staff set, give one of eight named segments —
//! the classic 重要价值 / 重要发展 / 重要保持 / 重要挽留 / 一般价值 / 一般发展 / 一般保持 /
//! 一般挽留 split that marketing acts on. A member with no purchase in the window is `Dormant`.

/// The breakpoints: recent when the last purchase is at most `recent_days` old, frequent at
/// `frequent_purchases` or more purchases, high money at `high_spend_fen` or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breakpoints {
    pub recent_days: i64,
    pub frequent_purchases: i64,
    pub high_spend_fen: i64,
}

impl Default for Breakpoints {
    fn default() -> Self {
        Breakpoints {
            recent_days: 90,
            frequent_purchases: 4,
            high_spend_fen: 500_000,
        }
    }
}

/// One member's figures in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// Days from the last purchase to the day the figures were made (0: that day).
    pub days_since: i64,
    pub purchases: i64,
    pub spend_fen: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// Recent, frequent, high money (重要价值客户).
    Champion,
    /// Recent, not frequent, high money (重要发展客户): grow the frequency.
    Promising,
    /// Not recent, frequent, high money (重要保持客户): bring them back soon.
    Slipping,
    /// Not recent, not frequent, high money (重要挽留客户): win them back.
    AtRisk,
    /// Recent, frequent, low money (一般价值客户).
    Loyal,
    /// Recent, not frequent, low money (一般发展客户).
    Newcomer,
    /// Not recent, frequent, low money (一般保持客户).
    Occasional,
    /// Not recent, not frequent, low money (一般挽留客户).
    Lapsing,
    /// No purchase in the window (沉睡会员).
    Dormant,
}

impl Segment {
    pub const ALL: [Segment; 9] = [
        Segment::Champion,
        Segment::Promising,
        Segment::Slipping,
        Segment::AtRisk,
        Segment::Loyal,
        Segment::Newcomer,
        Segment::Occasional,
        Segment::Lapsing,
        Segment::Dormant,
    ];

    /// The stable code (URLs, exports' file names, the catalog key's tail).
    pub fn code(self) -> &'static str {
        match self {
            Segment::Champion => "champion",
            Segment::Promising => "promising",
            Segment::Slipping => "slipping",
            Segment::AtRisk => "at_risk",
            Segment::Loyal => "loyal",
            Segment::Newcomer => "newcomer",
            Segment::Occasional => "occasional",
            Segment::Lapsing => "lapsing",
            Segment::Dormant => "dormant",
        }
    }

    pub fn from_code(code: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The segment of (recent, frequent, high money).
    pub fn of_flags(recent: bool, frequent: bool, high: bool) -> Segment {
        match (recent, frequent, high) {
            (true, true, true) => Segment::Champion,
            (true, false, true) => Segment::Promising,
            (false, true, true) => Segment::Slipping,
            (false, false, true) => Segment::AtRisk,
            (true, true, false) => Segment::Loyal,
            (true, false, false) => Segment::Newcomer,
            (false, true, false) => Segment::Occasional,
            (false, false, false) => Segment::Lapsing,
        }
    }

    /// (recent, frequent, high) of a segment that has purchases; None for `Dormant`.
    pub fn flags(self) -> Option<(bool, bool, bool)> {
        [true, false]
            .into_iter()
            .flat_map(|r| [true, false].into_iter().map(move |f| (r, f)))
            .flat_map(|(r, f)| [true, false].into_iter().map(move |h| (r, f, h)))
            .find(|&(r, f, h)| Segment::of_flags(r, f, h) == self)
    }
}

impl Breakpoints {
    /// Breakpoints that make sense: every one at least 1.
    pub fn valid(&self) -> bool {
        self.recent_days >= 1 && self.frequent_purchases >= 1 && self.high_spend_fen >= 1
    }

    pub fn segment(&self, f: Option<Figures>) -> Segment {
        match f {
            None => Segment::Dormant,
            Some(f) if f.purchases <= 0 => Segment::Dormant,
            Some(f) => Segment::of_flags(
                f.days_since <= self.recent_days,
                f.purchases >= self.frequent_purchases,
                f.spend_fen >= self.high_spend_fen,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_recent_frequent_big_spender_is_a_champion() {
        let b = Breakpoints::default();
        let f = Figures {
            days_since: 3,
            purchases: 9,
            spend_fen: 1_200_000,
        };
        assert_eq!(b.segment(Some(f)), Segment::Champion);
    }

    #[test]
    fn the_breakpoints_themselves_count_as_reached() {
        let b = Breakpoints::default();
        let f = Figures {
            days_since: 90,
            purchases: 4,
            spend_fen: 500_000,
        };
        assert_eq!(b.segment(Some(f)), Segment::Champion);
        let f = Figures {
            days_since: 91,
            purchases: 3,
            spend_fen: 499_999,
        };
        assert_eq!(b.segment(Some(f)), Segment::Lapsing);
    }

    #[test]
    fn no_purchase_in_the_window_is_dormant() {
        assert_eq!(Breakpoints::default().segment(None), Segment::Dormant);
    }

    #[test]
    fn codes_read_back() {
        for s in Segment::ALL {
            assert_eq!(Segment::from_code(s.code()), Some(s));
        }
        assert_eq!(Segment::from_code("vip"), None);
    }

    proptest! {
        #[test]
        fn every_member_with_purchases_falls_in_exactly_the_segment_of_its_flags(
            days in 0i64..2000, n in 1i64..100, fen in 0i64..10_000_000,
            rd in 1i64..400, fp in 1i64..20, hs in 1i64..5_000_000,
        ) {
            let b = Breakpoints { recent_days: rd, frequent_purchases: fp, high_spend_fen: hs };
            let s = b.segment(Some(Figures { days_since: days, purchases: n, spend_fen: fen }));
            prop_assert_ne!(s, Segment::Dormant);
            prop_assert_eq!(s.flags(), Some((days <= rd, n >= fp, fen >= hs)));
        }

        #[test]
        fn spending_more_never_moves_a_member_to_a_lower_money_segment(
            days in 0i64..2000, n in 1i64..100, fen in 0i64..10_000_000, more in 0i64..1_000_000,
        ) {
            let b = Breakpoints::default();
            let before = b.segment(Some(Figures { days_since: days, purchases: n, spend_fen: fen }));
            let after = b.segment(Some(Figures { days_since: days, purchases: n, spend_fen: fen + more }));
            let high = |s: Segment| s.flags().is_some_and(|(_, _, h)| h);
            prop_assert!(!high(before) || high(after));
        }
    }
}
