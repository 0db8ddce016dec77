//! Field-level input errors, shared by every area. A use case collects every bad field at once
//! and returns them together; the API lists them in problem+json, the console re-shows the form
//! with each message under its field, in the user's language (`key` is a message-catalog key).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    /// Message-catalog key, e.g. `invalid.store_code`.
    pub key: &'static str,
}

/// Every bad field of one input.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", "))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn new() -> Self {
        Invalid(Vec::new())
    }

    pub fn one(field: &str, key: &'static str) -> Self {
        Invalid(vec![FieldError {
            field: field.into(),
            key,
        }])
    }

    pub fn add(&mut self, field: &str, key: &'static str) {
        self.0.push(FieldError {
            field: field.into(),
            key,
        });
    }

    /// Records the error of a parse, keeping the parsed value if there was one.
    pub fn check<T>(&mut self, field: &str, r: Result<T, &'static str>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(key) => {
                self.add(field, key);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was wrong.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn key_for(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.key)
    }
}

/// Trims and checks a required text of at most `max` characters.
pub fn required_text(input: &str, max: usize) -> Result<String, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        Err("invalid.required")
    } else if t.chars().count() > max {
        Err("invalid.too_long")
    } else {
        Ok(t.to_string())
    }
}
