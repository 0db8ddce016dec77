//! Member events (SPEC H) through the real server: the whole story from plan to archived
//! analysis, parallel sign-ups against the capacity, the tier priority windows on a moving
//! clock (desk and portal), an unapproved event, and the console form re-shown with errors.

use serde_json::{Value, json};

use crate::support::{TestApp, ok};

mod console;
mod signups;
mod story;

/// Puts a member in a tier (behind Patron's back).
async fn set_tier(t: &TestApp, member_id: i64, tier: &str) {
    match tier {
        "gold" => {
            t.exec(
                "update members set tier_code = 'gold' where id = $1",
                member_id,
            )
            .await
        }
        "silver" => {
            t.exec(
                "update members set tier_code = 'silver' where id = $1",
                member_id,
            )
            .await
        }
        "platinum" => {
            t.exec(
                "update members set tier_code = 'platinum' where id = $1",
                member_id,
            )
            .await
        }
        _ => {}
    }
}

async fn member(t: &TestApp, n: u32, tier: &str) -> (i64, String) {
    let (id, card) = t
        .add_member(&format!("会员{n}"), &format!("139{n:08}"), "")
        .await;
    set_tier(t, id, tier).await;
    (id, card)
}

fn plan(tiers: &[(&str, i64)], capacity: i64) -> Value {
    json!({
        "store_code": "HQ", "theme": "秋季新品发布会", "kind": "launch",
        "starts_at": "2026-10-20T14:00", "ends_at": "2026-10-20T17:00",
        "place": "一楼中庭", "content": "新品走秀与试穿", "capacity": capacity.to_string(),
        "budget": "3000", "points": "50", "analysis_weeks": "2",
        "signup_opens": "2026-10-01T10:00",
        "tiers": tiers.iter().map(|(c, d)| json!({"code": c, "offset_days": d.to_string()})).collect::<Vec<_>>(),
    })
}

async fn refused(t: &TestApp, path: &str, key: &str, body: Value, code: &str) -> Value {
    let (status, out) = t.post(path, key, body).await;
    assert!(status.is_client_error(), "{path} answered {status}: {out}");
    assert_eq!(out["code"], code, "{path}: {out}");
    out
}

/// Creates, submits and (with `approve`) approves a plan; returns the event id.
async fn approved_event(t: &TestApp, planner: &str, manager: &str, body: Value) -> i64 {
    let id = ok(t, "/api/v1/events", planner, body).await["id"]
        .as_i64()
        .expect("id");
    let approval = ok(
        t,
        &format!("/api/v1/events/{id}/submit"),
        planner,
        json!({}),
    )
    .await["approval_id"]
        .as_i64()
        .expect("approval");
    ok(
        t,
        &format!("/api/v1/events/approvals/{approval}"),
        manager,
        json!({"decision": "approve"}),
    )
    .await;
    id
}

async fn receipt(t: &TestApp, till: &str, no: &str, card: &str, at: &str, fen: i64) {
    ok(
        t,
        "/api/v1/pos/receipts",
        till,
        json!({"store_code": "HQ", "till_id": "01", "receipt_no": no, "card_no": card,
               "occurred_at": format!("{at}+08:00"),
               "lines": [{"line_no": 1, "sku": "SKU1", "amount_fen": fen, "promotional": false}]}),
    )
    .await;
}
