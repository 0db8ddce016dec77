//! Money and points. Money is an integer number of fen (分); points are integers. No floats.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Neg, Sub};

/// An amount of money in fen (1 yuan = 100 fen).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// A number of points.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not an amount of money: {0:?}")]
    NotAnAmount(String),
    #[error("amount out of range")]
    OutOfRange,
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(100).map(Fen)
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// `self × permille / 1000`, rounded down (towards negative infinity), as every rate in
    /// Patron is.
    pub fn mul_permille_floor(self, permille: i64) -> Option<Fen> {
        let product = i128::from(self.0) * i128::from(permille);
        i64::try_from(product.div_euclid(1000)).ok().map(Fen)
    }

    /// Parses what a clerk types: `1234`, `1234.5`, `1,234.56`, `¥1234.56`, `-12.30`, and the
    /// same in full-width forms from a Chinese input method (`１２００．５０`, `￥１，２００`).
    pub fn parse_yuan(input: &str) -> Result<Fen, MoneyError> {
        let bad = || MoneyError::NotAnAmount(input.to_string());
        let folded = crate::typed::fold_width(input);
        let s: String = folded
            .trim()
            .trim_start_matches(['¥', '￥'])
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 2 {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::OutOfRange)?;
        let frac_fen: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse::<i64>().map_err(|_| bad())?,
        };
        let fen = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac_fen))
            .ok_or(MoneyError::OutOfRange)?;
        Ok(Fen(if negative { -fen } else { fen }))
    }
}

impl Fen {
    /// The amount in Chinese capital numerals as written on cheques and deposit slips
    /// (大写金额): `壹万贰仟叁佰肆拾伍元陆角柒分`, `伍佰元整`, `零元整`.
    pub fn in_capitals(self) -> String {
        const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
        const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
        const GROUPS: [&str; 4] = ["", "万", "亿", "万亿"];
        let abs = self.0.unsigned_abs();
        let (yuan, jiao, fen) = (abs / 100, (abs / 10) % 10, abs % 10);
        let mut out = String::new();
        if yuan == 0 {
            out.push('零');
        } else {
            let mut groups = Vec::new();
            let mut rest = yuan;
            while rest > 0 {
                groups.push(rest % 10_000);
                rest /= 10_000;
            }
            let mut pending_zero = false;
            for (gi, g) in groups.iter().enumerate().rev() {
                if *g == 0 {
                    pending_zero = !out.is_empty();
                    continue;
                }
                if pending_zero || (!out.is_empty() && *g < 1000) {
                    out.push('零');
                }
                pending_zero = false;
                let digits = [g / 1000, (g / 100) % 10, (g / 10) % 10, g % 10];
                let mut zero = false;
                let mut started = false;
                for (i, d) in digits.iter().enumerate() {
                    if *d == 0 {
                        zero = started;
                        continue;
                    }
                    if zero {
                        out.push('零');
                        zero = false;
                    }
                    started = true;
                    out.push(DIGITS[*d as usize]);
                    out.push_str(UNITS[3 - i]);
                }
                out.push_str(GROUPS[gi.min(3)]);
            }
        }
        out.push('元');
        match (jiao, fen) {
            (0, 0) => out.push('整'),
            (j, 0) => {
                out.push(DIGITS[j as usize]);
                out.push_str("角整");
            }
            (0, f) => {
                if yuan > 0 {
                    out.push('零');
                }
                out.push(DIGITS[f as usize]);
                out.push('分');
            }
            (j, f) => {
                out.push(DIGITS[j as usize]);
                out.push('角');
                out.push(DIGITS[f as usize]);
                out.push('分');
            }
        }
        if self.0 < 0 {
            out.insert(0, '负');
        }
        out
    }

    /// `1,234.56` without the currency sign, for an input field (`parse_yuan` reads it back).
    pub fn plain(self) -> String {
        self.format("")
    }

    fn format(self, currency: &str) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let yuan = group_digits(&(abs / 100).to_string());
        format!("{sign}{currency}{yuan}.{:02}", abs % 100)
    }
}

impl fmt::Display for Fen {
    /// `¥1,234.56` — the way amounts are printed on slips and screens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format("¥"))
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, rhs: Fen) -> Fen {
        Fen(self.0 + rhs.0)
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, rhs: Fen) -> Fen {
        Fen(self.0 - rhs.0)
    }
}

impl Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}

impl Points {
    pub const ZERO: Points = Points(0);

    pub fn checked_add(self, other: Points) -> Option<Points> {
        self.0.checked_add(other.0).map(Points)
    }

    pub fn checked_sub(self, other: Points) -> Option<Points> {
        self.0.checked_sub(other.0).map(Points)
    }
}

impl fmt::Display for Points {
    /// `28,317` — points are grouped by thousands wherever people read them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&grouped(self.0))
    }
}

/// A whole number grouped by thousands: `-1,234,567`.
pub fn grouped(n: i64) -> String {
    let digits = group_digits(&n.unsigned_abs().to_string());
    if n < 0 { format!("-{digits}") } else { digits }
}

/// A run of ASCII digits with a comma before every third from the right: `1234567` → `1,234,567`.
fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn full_width_amounts_from_an_input_method_read_as_amounts() {
        assert_eq!(Fen::parse_yuan("１２００"), Ok(Fen(120_000)));
        assert_eq!(Fen::parse_yuan("￥１，２００．５０"), Ok(Fen(120_050)));
        assert_eq!(Fen::parse_yuan("　12.3　"), Ok(Fen(1_230)));
        assert!(Fen::parse_yuan("１２ａ").is_err());
    }

    #[test]
    fn points_and_whole_numbers_are_grouped_by_thousands() {
        assert_eq!(Points(28_317).to_string(), "28,317");
        assert_eq!(grouped(-1_234_567), "-1,234,567");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn plain_amounts_read_back_as_the_same_amount() {
        for f in [0, 5, -123_456, 123_456_789] {
            assert_eq!(Fen::parse_yuan(&Fen(f).plain()), Ok(Fen(f)));
        }
        assert_eq!(Fen(-123_456).plain(), "-1,234.56");
    }

    use super::*;

    #[test]
    fn amounts_are_written_in_capitals_as_on_a_cheque() {
        assert_eq!(Fen(0).in_capitals(), "零元整");
        assert_eq!(Fen(50_000).in_capitals(), "伍佰元整");
        assert_eq!(Fen(1_234_567).in_capitals(), "壹万贰仟叁佰肆拾伍元陆角柒分");
        assert_eq!(Fen(6_000_000).in_capitals(), "陆万元整");
        assert_eq!(Fen(10_010_000).in_capitals(), "壹拾万零壹佰元整");
        assert_eq!(Fen(100_000_005).in_capitals(), "壹佰万元零伍分");
        assert_eq!(Fen(1_005_000_000).in_capitals(), "壹仟零伍万元整");
        assert_eq!(Fen(1_000_010).in_capitals(), "壹万元壹角整");
        assert_eq!(Fen(10_000_000_000).in_capitals(), "壹亿元整");
        assert_eq!(Fen(10_000_100_000).in_capitals(), "壹亿零壹仟元整");
        assert_eq!(Fen(-270).in_capitals(), "负贰元柒角整");
    }
    use proptest::prelude::*;

    #[test]
    fn amounts_print_with_yuan_sign_grouping_and_two_decimals() {
        assert_eq!(Fen(12_345_678).to_string(), "¥123,456.78");
        assert_eq!(Fen(5).to_string(), "¥0.05");
        assert_eq!(Fen(-100_000).to_string(), "-¥1,000.00");
        assert_eq!(Fen(0).to_string(), "¥0.00");
    }

    #[test]
    fn clerk_typed_amounts_parse_to_exact_fen() {
        assert_eq!(Fen::parse_yuan("1000"), Ok(Fen(100_000)));
        assert_eq!(Fen::parse_yuan("¥1,234.5"), Ok(Fen(123_450)));
        assert_eq!(Fen::parse_yuan(" 0.07 "), Ok(Fen(7)));
        assert_eq!(Fen::parse_yuan("-12.30"), Ok(Fen(-1230)));
    }

    #[test]
    fn amounts_with_three_decimals_or_letters_are_refused() {
        assert!(Fen::parse_yuan("1.234").is_err());
        assert!(Fen::parse_yuan("12a").is_err());
        assert!(Fen::parse_yuan("").is_err());
        assert!(Fen::parse_yuan(".5").is_err());
        assert_eq!(
            Fen::parse_yuan("99999999999999999999"),
            Err(MoneyError::OutOfRange)
        );
    }

    #[test]
    fn permille_rates_round_down() {
        assert_eq!(Fen(999).mul_permille_floor(950), Some(Fen(949)));
        assert_eq!(Fen(-999).mul_permille_floor(950), Some(Fen(-950)));
    }

    proptest! {
        #[test]
        fn printing_then_parsing_gives_the_same_amount(fen in -1_000_000_000_000i64..1_000_000_000_000) {
            let printed = Fen(fen).to_string();
            let unsigned = printed.replacen("-¥", "-", 1).replacen('¥', "", 1);
            prop_assert_eq!(Fen::parse_yuan(&unsigned), Ok(Fen(fen)));
        }

        #[test]
        fn a_permille_rate_never_rounds_up(fen in 0i64..1_000_000_000_000, permille in 0i64..=1000) {
            let out = Fen(fen).mul_permille_floor(permille).unwrap_or(Fen(i64::MAX));
            prop_assert!(i128::from(out.0) * 1000 <= i128::from(fen) * i128::from(permille));
            prop_assert!(i128::from(out.0 + 1) * 1000 > i128::from(fen) * i128::from(permille));
        }
    }
}
