//! Plans, summaries and targets (A3, A4, B1) through the real server: a day's plan and the
//! summary that opens from it, what carries into the next plan, lateness by the clock, the team
//! view with the missing ones, and targets against actuals counted from real records, frozen
//! once at the month's end.

mod papers;
mod targets;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::TestApp;

/// PUT with a bearer key: the status and the JSON answer.
pub async fn put(t: &TestApp, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
    t.call(Method::PUT, path, key, Some(&body)).await
}

/// The row of `html`'s table that carries `marker` (up to its `</tr>`).
pub fn row_of<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}
