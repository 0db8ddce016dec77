//! What people type, read the way they meant it: a Chinese input method types full-width
//! digits and signs (`１２００`, `１，２００．５０`, `－５`, `￥`), and the ideographic space.
//! Numbers and codes are read after folding those to their ASCII forms.

use std::borrow::Cow;

/// Folds full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space (U+3000) to ASCII, and
/// the ideographic full stop used as a decimal point in numbers is left alone (it is not one).
pub fn fold_width(input: &str) -> Cow<'_, str> {
    if input.chars().all(|c| c.is_ascii() || !is_wide(c)) {
        return Cow::Borrowed(input);
    }
    Cow::Owned(input.chars().map(fold_char).collect())
}

fn is_wide(c: char) -> bool {
    matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}')
}

fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        other => other,
    }
}

/// A whole number as typed: full-width digits folded, surrounding space and thousands
/// separators (`,` `，`) ignored, an optional sign. `None` when it is not a whole number.
pub fn parse_int(input: &str) -> Option<i64> {
    let folded = fold_width(input);
    let s: String = folded
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let digits = s.strip_prefix(['+', '-']).unwrap_or(&s);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_typed_by_an_input_method_read_as_numbers() {
        assert_eq!(parse_int("１２００"), Some(1200));
        assert_eq!(parse_int(" １，２００ "), Some(1200));
        assert_eq!(parse_int("－５"), Some(-5));
        assert_eq!(parse_int("+12"), Some(12));
        assert_eq!(parse_int("1,000,000"), Some(1_000_000));
        assert_eq!(parse_int("１２a"), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("-"), None);
        assert_eq!(parse_int("1.5"), None);
        assert_eq!(fold_width("ＨＱ０００１　"), "HQ0001 ");
        assert!(matches!(fold_width("普通 123"), Cow::Borrowed(_)));
    }

    proptest::proptest! {
        #[test]
        fn a_number_typed_in_full_width_reads_as_the_same_number(n in proptest::num::i64::ANY) {
            let wide: String = n
                .to_string()
                .chars()
                .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
                .collect();
            proptest::prop_assert_eq!(parse_int(&wide), Some(n));
            proptest::prop_assert_eq!(parse_int(&n.to_string()), Some(n));
        }
    }
}
