//! Group-buy vouchers (SPEC E) through the real server: a whole month of the department's paper
//! process as one story, the prepaid-card limits, cheques that clear and bounce, the till
//! endpoints with check codes and their rate limit, a closed month, and 10,000 concurrent
//! redeems of 100 vouchers.

use patron_core::vouchers::{Serial, check_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, hq_token, ok};

mod cash;
mod console;
mod desk;
mod month;
mod register;
mod sales;
mod stock;
mod tills;

/// The people of the story, each with an API token, and a till.
pub struct Desk {
    pub clerk: String,
    pub supervisor: String,
    pub manager: String,
    pub cashier: String,
    pub finance_manager: String,
    pub till: String,
}

pub async fn desk(t: &TestApp) -> Desk {
    Desk {
        clerk: hq_token(t, "gb_clerk", "clerk").await,
        supervisor: hq_token(t, "gb_super", "supervisor").await,
        manager: hq_token(t, "gb_manager", "manager").await,
        cashier: hq_token(t, "fin_cashier", "cashier").await,
        finance_manager: hq_token(t, "fin_manager", "finance_manager").await,
        till: t.till_key(t.hq, "T01").await,
    }
}

pub async fn series(t: &TestApp, d: &Desk, code: &str, face: &str, count: i64) -> Value {
    ok(
        t,
        "/api/v1/groupbuy/series",
        &d.cashier,
        json!({"code": code, "name": format!("团购券 {code}"), "face_value": face, "expires_on": "2030-12-31", "count": count.to_string()}),
    )
    .await
}

/// Requests, approves, prepares, hands over and receives a requisition; returns its id.
pub async fn requisition(t: &TestApp, d: &Desk, lines: &[(&str, i64)], ranges: &str) -> i64 {
    let r = ok(
        t,
        "/api/v1/groupbuy/requisitions",
        &d.clerk,
        json!({"store_code": "HQ", "purpose": "节日团购备券", "lines": lines.iter().map(|(f, q)| json!({"face_value": f, "quantity": q.to_string()})).collect::<Vec<_>>()}),
    )
    .await;
    let id = r["id"].as_i64().expect("id");
    let approval = r["approval_id"].as_i64().expect("approval");
    ok(
        t,
        &format!("/api/v1/groupbuy/approvals/{approval}"),
        &d.manager,
        json!({"decision": "approve"}),
    )
    .await;
    let today = t
        .app
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    ok(
        t,
        &format!("/api/v1/groupbuy/requisitions/{id}/prepare"),
        &d.cashier,
        json!({"ranges": ranges, "pickup_on": today.to_string()}),
    )
    .await;
    ok(
        t,
        &format!("/api/v1/groupbuy/requisitions/{id}/hand-over"),
        &d.cashier,
        json!({}),
    )
    .await;
    ok(
        t,
        &format!("/api/v1/groupbuy/requisitions/{id}/receive"),
        &d.clerk,
        json!({"serials_checked": true, "seal_checked": true, "quantity_checked": true}),
    )
    .await;
    id
}

pub async fn stamp(t: &TestApp, d: &Desk, ranges: &str) {
    ok(
        t,
        "/api/v1/groupbuy/stamp",
        &d.clerk,
        json!({"store_code": "HQ", "ranges": ranges}),
    )
    .await;
}

fn org(name: &str) -> Value {
    json!({"kind": "organisation", "organisation": name, "contact": "王经理", "phone": "010-65001234"})
}

fn person(name: &str) -> Value {
    json!({"kind": "person", "contact": name, "phone": "13900001111"})
}

fn sale(buyer: Value, payment: &str, lines: &[(&str, &str, &str)]) -> Value {
    json!({
        "store_code": "HQ", "buyer": buyer, "payment": payment,
        "lines": lines.iter().map(|(r, f, why)| json!({"range": r, "face_value": f, "change_reason": why})).collect::<Vec<_>>(),
    })
}

fn with(mut v: Value, extra: Value) -> Value {
    if let (Some(a), Some(b)) = (v.as_object_mut(), extra.as_object()) {
        for (k, x) in b {
            a.insert(k.clone(), x.clone());
        }
    }
    v
}

/// A cash sale as the clerk completes it (E5): the money counted (in yuan) and the three seals
/// checked.
pub fn cash(v: Value, counted: &str) -> Value {
    with(
        v,
        json!({"counted": counted, "seals": {"name": true, "activity": true, "date": true}}),
    )
}

fn bank() -> Value {
    json!({"cheque_no": "10203040", "bank": "工商银行王府井支行", "account_name": "北京某某科技有限公司", "account_no": "0200001009000123456"})
}

fn real_name() -> Value {
    json!({"real_name": "王小明", "id_number": "11010519491231002X"})
}

async fn count_in(t: &TestApp, state: &'static str) -> i64 {
    let sql: &'static str = match state {
        "stock" => {
            "select count(*) from vouchers where store_id = $1 and state in ('received', 'stamped', 'reserved')"
        }
        "sold" => "select count(*) from vouchers where store_id = $1 and state = 'sold'",
        "redeemed" => "select count(*) from vouchers where store_id = $1 and state = 'redeemed'",
        "stamped" => "select count(*) from vouchers where store_id = $1 and state = 'stamped'",
        "reserved" => "select count(*) from vouchers where store_id = $1 and state = 'reserved'",
        _ => panic!("state {state}"),
    };
    t.scalar(sql, t.hq).await
}

async fn movements(t: &TestApp) -> i64 {
    t.scalar("select count(*) + 0 * $1 from voucher_movements", 0)
        .await
}

async fn redeem(t: &TestApp, d: &Desk, serial: i64, receipt: &str) -> (StatusCode, Value) {
    let code = check_code(&t.app.secrets.voucher_key, Serial(serial));
    t.post(
        &format!("/api/v1/pos/vouchers/{}/redeem", Serial(serial)),
        &d.till,
        json!({"store_code": "HQ", "till_id": "T01", "receipt_no": receipt, "check_code": code}),
    )
    .await
}
