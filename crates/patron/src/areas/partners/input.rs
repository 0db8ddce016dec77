//! Reading the desk's forms: dates, optional texts, choices, numbers, contact phones. Each
//! adds its refusal to the `Invalid` being collected, so every bad field is named at once.

use chrono::NaiveDate;

use crate::kernel::validation::Invalid;

/// Parses `YYYY-MM-DD`; empty gives `default` (None: required).
pub(super) fn date(
    bad: &mut Invalid,
    field: &str,
    input: &str,
    default: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let t = input.trim();
    if t.is_empty() {
        if default.is_none() {
            bad.add(field, "invalid.required");
        }
        return default;
    }
    bad.check(
        field,
        NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| "invalid.date"),
    )
}

pub(super) fn optional_text(bad: &mut Invalid, field: &str, input: &str, max: usize) -> String {
    let t = input.trim();
    if t.chars().count() > max {
        bad.add(field, "invalid.too_long");
    }
    t.to_string()
}

pub(super) fn choice(
    bad: &mut Invalid,
    field: &str,
    input: &str,
    allowed: &[&'static str],
) -> &'static str {
    match allowed.iter().find(|a| **a == input.trim()) {
        Some(a) => a,
        None => {
            bad.add(
                field,
                if input.trim().is_empty() {
                    "invalid.required"
                } else {
                    "invalid.choice"
                },
            );
            ""
        }
    }
}

pub(super) fn number(
    bad: &mut Invalid,
    field: &str,
    input: &str,
    lo: i64,
    hi: i64,
    default: i64,
) -> i64 {
    let t = input.trim();
    if t.is_empty() {
        return default;
    }
    match patron_core::typed::parse_int(t).ok_or(()) {
        Ok(n) if (lo..=hi).contains(&n) => n,
        Ok(_) => {
            bad.add(field, "invalid.number_range");
            default
        }
        Err(_) => {
            bad.add(field, "invalid.number");
            default
        }
    }
}

/// A contact phone: a mobile (`13800138000`) or a landline with area code (`010-65881234`).
/// Returns (normalised, masked).
pub fn parse_phone(input: &str) -> Result<(String, String), &'static str> {
    if let Ok(p) = patron_core::identity::Phone::parse(input) {
        return Ok((p.as_str().to_string(), p.masked()));
    }
    let t: String = input.trim().chars().filter(|c| *c != ' ').collect();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let ok = t.starts_with('0')
        && (7..=13).contains(&digits)
        && t.chars().all(|c| c.is_ascii_digit() || c == '-');
    if !ok {
        return Err("partners.invalid.phone");
    }
    let n = t.chars().count();
    let masked: String = t
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i + 4 < n && i > 3 && c.is_ascii_digit() {
                '*'
            } else {
                c
            }
        })
        .collect();
    Ok((t, masked))
}
