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

    /// Parses what a clerk types: `1234`, `1234.5`, `1,234.56`, `¥1234.56`, `-12.30`.
    pub fn parse_yuan(input: &str) -> Result<Fen, MoneyError> {
        let bad = || MoneyError::NotAnAmount(input.to_string());
        let s: String = input
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
    /// `1,234.56` without the currency sign, for an input field (`parse_yuan` reads it back).
    pub fn plain(self) -> String {
        self.format("")
    }

    fn format(self, currency: &str) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let yuan = (abs / 100).to_string();
        let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
        for (i, c) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}{currency}{grouped}.{:02}", abs % 100)
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_amounts_read_back_as_the_same_amount() {
        for f in [0, 5, -123_456, 123_456_789] {
            assert_eq!(Fen::parse_yuan(&Fen(f).plain()), Ok(Fen(f)));
        }
        assert_eq!(Fen(-123_456).plain(), "-1,234.56");
    }

    use super::*;
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
