//! VIP care (J1, J2, B9) through the real server: the 3-3-2-1-4-6-9 schedule made from till
//! receipts, its idempotency, steps appearing only when due, closed members and cancelled
//! schedules, a newer purchase restarting the calls, tasks following the current advisor, the
//! `care-tasks` contract, the forms re-shown, receptions and the top-member file.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::support::{TestApp, hq_token};

mod pages;
mod schedule;
mod tasks;

/// A platinum member with a card, the till's key, a manager's and an advisor's API tokens, the
/// advisor set as the member's advisor.
pub struct Care {
    pub member_id: i64,
    pub card: String,
    pub till: String,
    pub manager: String,
    pub advisor: String,
}

pub async fn setup(t: &TestApp) -> Care {
    let till = t.till_key(t.hq, "01").await;
    let (member_id, card) = t.add_member("钱铂金", "13912340001", "1980-05-06").await;
    t.exec(
        "update members set tier_code = 'platinum', marketing_consent = true where id = $1",
        member_id,
    )
    .await;
    let manager = hq_token(t, "care.boss", "manager").await;
    let advisor = hq_token(t, "adv.one", "clerk").await;
    set_advisor(t, &manager, &card, "adv.one").await;
    Care {
        member_id,
        card,
        till,
        manager,
        advisor,
    }
}

pub async fn set_advisor(t: &TestApp, manager: &str, card: &str, username: &str) {
    let (status, body) = t
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/members/{card}/advisor"),
            manager,
            Some(&json!({"advisor": username, "reason": "test"})),
        )
        .await;
    assert!(status.is_success(), "advisor: {status} {body}");
}

/// Posts a till receipt of `fen` at `at` (RFC 3339 with offset) through the till API.
pub async fn buy(t: &TestApp, c: &Care, no: &str, at: &str, fen: i64) -> (u16, Value) {
    let (status, body) = t
        .post(
            "/api/v1/pos/receipts",
            &c.till,
            json!({
                "store_code": "HQ", "till_id": "01", "receipt_no": no, "card_no": c.card,
                "occurred_at": at,
                "lines": [{"line_no": 1, "sku": "SKU1", "amount_fen": fen, "promotional": false}],
            }),
        )
        .await;
    assert!(status.is_success(), "receipt {no}: {status} {body}");
    (status.as_u16(), body)
}

/// Runs the care job once, at the test clock's now.
pub async fn run_job(t: &TestApp) -> patron::jobs::RunReport {
    let today = t.app.clock.now().date_naive();
    patron::app::jobs::run(&t.app, "care-schedule", today, None)
        .await
        .expect("care job")
}

/// The member's care steps through the contract route.
pub async fn steps(t: &TestApp, c: &Care) -> Vec<Value> {
    let (status, body) = t
        .get_json(
            &format!("/api/v1/members/{}/care-tasks", c.card),
            &c.advisor,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().expect("a list").clone()
}

/// (step, state) of each step, in order.
pub fn states(list: &[Value]) -> Vec<(String, String)> {
    list.iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap_or("").to_owned(),
                s["state"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}
