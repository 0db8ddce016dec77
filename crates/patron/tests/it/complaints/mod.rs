//! Complaints (SPEC I): the fixed API and its repeats and races (`api.rs`), the clocks across a
//! weekend and a make-up workday, breaches kept and escalation (`clocks.rs`), the console pages
//! and the browser flow from intake to callback (`console.rs`).

mod api;
mod clocks;
mod console;

use serde_json::{Value, json};

use crate::support::{TestApp, hq_token, ok};

/// A desk token (service role at HQ).
pub async fn desk(t: &TestApp) -> String {
    hq_token(t, "desk", "service").await
}

/// Takes a complaint through the API; the answer.
pub async fn take(t: &TestApp, key: &str, extra: Value) -> Value {
    let mut body = json!({
        "channel": "hotline", "complainant": "王女士", "content": "电饭煲不加热",
        "category": "service", "wants": "换新",
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let (status, out) = t.post("/api/v1/complaints", key, body).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{out}");
    out
}

/// Posts one step of case `id`; the answer, which must be a success.
pub async fn step(t: &TestApp, key: &str, id: i64, step: &str, body: Value) -> Value {
    ok(t, &format!("/api/v1/complaints/{id}/{step}"), key, body).await
}

/// The names of the fields a problem+json answer marks.
pub fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs the clock job as the scheduler would.
pub async fn run_clocks(t: &TestApp) -> u64 {
    patron::app::jobs::run(&t.app, "complaints-clocks", t.ctx().today(), None)
        .await
        .expect("clock job")
        .processed
}

/// How many breach rows the case has.
pub async fn breach_rows(t: &TestApp, id: i64) -> i64 {
    t.scalar(
        "select count(*) from complaint_breaches where complaint_id = $1",
        id,
    )
    .await
}
