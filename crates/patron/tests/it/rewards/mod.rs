//! Threshold rewards and the reward desk (SPEC D1–D5) through the real server: the month-end
//! list against an independently computed expectation, 核分 catching a mismatch, slips that
//! take points in their own transaction (and nothing on refusal), a slip that expires (points
//! back or not by the rule), 20 desks claiming one slip at once, a claim at another store and a
//! claim refused for want of stock; and a reward desk in Chromium.

use chrono::NaiveDate;
use patron::areas::gifts::{Movement, put_in};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, day};

mod claims;
mod lists;
mod slips;

/// Changes a card behind Patron's back: its store, expiry and state.
async fn set_card(t: &TestApp, card_no: &str, store_id: i64, expires: NaiveDate, state: &str) {
    let (card_no, state) = (card_no.to_string(), state.to_string());
    t.app
        .db
        .write(move |tx| {
            let (card_no, state) = (card_no.clone(), state.clone());
            Box::pin(async move {
                patron::on_tx!(tx, |c| {
                    sqlx::query(
                        "update cards set store_id = $1, expires_on = $2, state = $3 where card_no = $4",
                    )
                    .bind(store_id)
                    .bind(expires)
                    .bind(&state)
                    .bind(&card_no)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                Ok::<_, patron::kernel::db::DbError>(())
            })
        })
        .await
        .expect("set card");
}

pub async fn stock(t: &TestApp, store_id: i64, code: &'static str, qty: i64) {
    let gift_id = gift_id(t, code).await;
    let now = t.app.clock.now();
    t.app
        .db
        .write(move |tx| {
            Box::pin(async move {
                put_in(
                    tx,
                    &Movement {
                        store_id,
                        gift_id,
                        kind: "receive",
                        qty,
                        doc_kind: "delivery",
                        doc_no: "TEST-1",
                        note: "",
                        staff_id: None,
                        business_date: day("2026-09-25"),
                        at: now,
                    },
                )
                .await
            })
        })
        .await
        .expect("stock");
}

async fn gift_id(t: &TestApp, code: &'static str) -> i64 {
    patron::on_db!(t.app.db, |p| {
        sqlx::query_scalar::<_, i64>("select id from gifts where code = $1")
            .bind(code)
            .fetch_one(p)
            .await
            .expect("gift")
    })
}

/// (kind, points, source_ref) of a member's ledger, oldest first.
async fn ledger(t: &TestApp, member_id: i64) -> Vec<(String, i64, String)> {
    patron::on_db!(t.app.db, |p| {
        sqlx::query_as::<_, (String, i64, Option<String>)>(
            "select kind, points, source_ref from point_entries where member_id = $1 order by id",
        )
        .bind(member_id)
        .fetch_all(p)
        .await
        .expect("ledger")
    })
    .into_iter()
    .map(|(k, p, s)| (k, p, s.unwrap_or_default()))
    .collect()
}

async fn slips_count(t: &TestApp) -> i64 {
    t.scalar(
        "select CAST(COUNT(*) AS BIGINT) from reward_slips where id > $1",
        0,
    )
    .await
}

fn slip_body(card: &str, store: &str) -> Value {
    json!({"store_code": store, "card_no": card, "id_checked": true, "id_type": "id_card", "id_last4": "1234"})
}

pub async fn issue(t: &TestApp, key: &str, card: &str, store: &str) -> String {
    let (s, out) = t
        .post("/api/v1/rewards/slips", key, slip_body(card, store))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{out}");
    out["slip_no"].as_str().expect("slip no").to_string()
}
