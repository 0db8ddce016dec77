//! The test clock: it starts at 2026-09-25 09:00 UTC (17:00 in Shanghai) and only moves forward.

use chrono::{DateTime, NaiveDate, Utc};

use super::app::TestApp;

/// A date written `2026-09-25`.
pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Moves the test clock forward to a Shanghai local time, e.g. `2026-10-12T10:00:00`.
pub fn goto(t: &TestApp, local: &str) {
    let target: DateTime<Utc> = DateTime::parse_from_rfc3339(&format!("{local}+08:00"))
        .expect("time")
        .with_timezone(&Utc);
    let now = t.app.clock.now();
    assert!(target >= now, "the clock only moves forward ({local})");
    t.clock.advance(target - now);
}
