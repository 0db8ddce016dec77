//! Reading the forms and bodies of this topic: dates, optional texts, choices, ids, money. Each
//! adds its refusal to the `Invalid` being collected, so every bad field is named at once.

use chrono::NaiveDate;
use patron_core::money::Fen;

use crate::kernel::validation::Invalid;

/// `YYYY-MM-DD`; empty gives `default` (None: required).
pub(super) fn date(
    bad: &mut Invalid,
    field: &str,
    input: &str,
    default: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let t = patron_core::typed::fold_width(input.trim());
    if t.is_empty() {
        if default.is_none() {
            bad.add(field, "invalid.required");
        }
        return default;
    }
    bad.check(
        field,
        NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| "invalid.date"),
    )
}

/// An optional date (empty: none).
pub(super) fn optional_date(bad: &mut Invalid, field: &str, input: &str) -> Option<NaiveDate> {
    if input.trim().is_empty() {
        None
    } else {
        date(bad, field, input, None)
    }
}

pub(super) fn text(bad: &mut Invalid, field: &str, input: &str, max: usize) -> String {
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

/// An optional id (empty or 0: none).
pub(super) fn optional_id(bad: &mut Invalid, field: &str, input: &str) -> Option<i64> {
    let t = input.trim();
    if t.is_empty() || t == "0" {
        return None;
    }
    match patron_core::typed::parse_int(t) {
        Some(n) if n > 0 => Some(n),
        _ => {
            bad.add(field, "invalid.number");
            None
        }
    }
}

/// An amount in yuan (empty: 0).
pub(super) fn yuan(bad: &mut Invalid, field: &str, input: &str) -> i64 {
    if input.trim().is_empty() {
        return 0;
    }
    match Fen::parse_yuan(input) {
        Ok(f) if f.0 >= 0 => f.0,
        _ => {
            bad.add(field, "invalid.amount");
            0
        }
    }
}

/// An id sent as a JSON number or as text (empty when absent or null).
pub(super) fn id_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::Deserialize;
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(s)) => s,
        _ => String::new(),
    })
}
