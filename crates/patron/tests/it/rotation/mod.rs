//! The sales-floor rotation (K1–K5, `api/care.md`) through the real server: the API contract,
//! walk-ins in turn and to their own representative, concurrent walk-ins, two servers on one
//! database deciding walk-ins and a second server's stream seeing the first's assignment, the
//! credit rules with the dispute record and the till receipt, a reorder audited, the console's
//! forms re-shown.

mod live;

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, spawn_app, token};

/// PUT with a bearer key: the status and the JSON answer.
async fn put(t: &TestApp, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
    t.call(Method::PUT, path, key, Some(&body)).await
}

/// A team `floor` at HQ of four clerks (`rep1`…`rep4`, in that order) and a supervisor's token.
async fn floor(t: &TestApp) -> String {
    for n in 1..=4 {
        t.add_staff(&format!("rep{n}"), &[("clerk", t.hq)], false)
            .await;
    }
    let boss = token(t, "boss", &[("supervisor", t.hq)]).await;
    let (status, body) = put(
        t,
        "/api/v1/rotation/floor",
        &boss,
        json!({"representatives": ["rep1", "rep2", "rep3", "rep4"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    boss
}

async fn walk_in(t: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    t.post("/api/v1/rotation/floor/walk-ins", key, body).await
}

async fn state(t: &TestApp, key: &str, user: &str, state: &str) {
    let (status, body) = t
        .post(
            &format!("/api/v1/rotation/floor/representatives/{user}/state"),
            key,
            json!({ "state": state }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn rep(v: &Value) -> &str {
    v["representative"].as_str().unwrap_or_default()
}

both!(
    contract_walk_ins_in_turn_states_and_the_board,
    |backend| async move {
        let t = spawn_app(backend).await;
        let boss = floor(&t).await;
        let (status, board) = t.get_json("/api/v1/rotation/floor", &boss).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(board["queue"], json!(["rep1", "rep2", "rep3", "rep4"]));
        assert_eq!(board["representatives"][0]["username"], "rep1");
        assert_eq!(board["representatives"][0]["state"], "available");

        // K1: in turn; a representative busy keeps the front and is first once free.
        let (status, a) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{a}");
        assert_eq!(
            (rep(&a), a["reason"].as_str()),
            ("rep1", Some("next_in_turn"))
        );
        let (_, b) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(rep(&b), "rep2");
        state(&t, &boss, "rep3", "busy").await;
        let (_, c) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(rep(&c), "rep4");
        state(&t, &boss, "rep3", "available").await;
        let (_, d) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(rep(&d), "rep3", "passed while busy: first when free");

        // Away on private business: loses the turn, waits a round.
        for u in ["rep1", "rep2", "rep3", "rep4"] {
            state(&t, &boss, u, "available").await;
        }
        state(&t, &boss, "rep1", "away_private").await;
        let (_, e) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(rep(&e), "rep2");
        let (_, board) = t.get_json("/api/v1/rotation/floor", &boss).await;
        assert_eq!(
            board["queue"][board["queue"].as_array().map_or(0, Vec::len) - 2],
            "rep1"
        );

        // Nobody free: 409 naming the code; nothing assigned.
        for u in ["rep1", "rep2", "rep3", "rep4"] {
            state(&t, &boss, u, "busy").await;
        }
        let (status, body) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "rotation_nobody_free");

        // Problem+json naming the field.
        let (status, body) = t
            .post(
                "/api/v1/rotation/floor/representatives/rep1/state",
                &boss,
                json!({"state": "asleep"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "state", "{body}");
        let (status, body) = walk_in(&t, &boss, json!({"customer_phone": "12345"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "customer_phone", "{body}");
        let (status, body) = put(
            &t,
            "/api/v1/rotation/floor",
            &boss,
            json!({"representatives": ["rep1", "nobody"]}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "representatives", "{body}");
        let (status, _) = t.get_json("/api/v1/rotation/nosuch", &boss).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // A clerk works the floor but does not set teams.
        let clerk = token(&t, "floorclerk", &[("clerk", t.hq)]).await;
        let (status, _) = t.get_json("/api/v1/rotation/floor", &clerk).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = put(
            &t,
            "/api/v1/rotation/floor",
            &clerk,
            json!({"representatives": ["rep1"]}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        t.stop().await;
    }
);

both!(
    returning_customers_go_to_their_own_representative,
    |backend| async move {
        let t = spawn_app(backend).await;
        let boss = floor(&t).await;
        let phone = "13911112222";
        let (_, first) = walk_in(&t, &boss, json!({"customer_phone": phone})).await;
        assert_eq!(
            (rep(&first), first["reason"].as_str()),
            ("rep1", Some("next_in_turn"))
        );
        // The phone is never stored: only its digest and the masked form.
        let stored = t
        .scalar_text("select count(*) from rotation_visits where customer_hash = $1 or customer_mask = $1", phone)
        .await;
        assert_eq!(stored, 0);
        state(&t, &boss, "rep1", "available").await;
        let (_, new) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(rep(&new), "rep2");
        // K2: the returning customer goes to rep1 without using a turn.
        let (_, back) = walk_in(&t, &boss, json!({"customer_phone": phone})).await;
        assert_eq!(
            (rep(&back), back["reason"].as_str()),
            ("rep1", Some("own_customer"))
        );
        let (_, board) = t.get_json("/api/v1/rotation/floor", &boss).await;
        assert_eq!(
            board["representatives"]
                .as_array()
                .and_then(|r| r.iter().find(|r| r["username"] == "rep1"))
                .map(|r| r["own_customers"].clone()),
            Some(json!(1))
        );

        // Item 2: rep3 takes a new customer, then rep3's own customer arrives: rep3 takes them and
        // the new customer passes to the next in line.
        let other = "13933334444";
        state(&t, &boss, "rep1", "available").await;
        state(&t, &boss, "rep2", "available").await;
        let (_, x) = walk_in(&t, &boss, json!({"customer_phone": other})).await;
        assert_eq!(rep(&x), "rep3");
        state(&t, &boss, "rep3", "available").await;
        let (_, y) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(rep(&y), "rep4");
        state(&t, &boss, "rep4", "available").await;
        let (_, z) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(rep(&z), "rep1");
        state(&t, &boss, "rep1", "available").await;
        let (_, w) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(rep(&w), "rep2");
        let (_, v) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(rep(&v), "rep3", "rep3 busy with a new customer");
        let (_, own) = walk_in(&t, &boss, json!({"customer_phone": other})).await;
        assert_eq!(
            (rep(&own), own["reason"].as_str()),
            ("rep3", Some("own_customer"))
        );
        assert_eq!(own["handed_over_to"], "rep4", "{own}");

        // K3: eight days later the customer is new again.
        t.clock.advance(chrono::Duration::days(8));
        let (_, late) = walk_in(&t, &boss, json!({"customer_phone": other})).await;
        assert_eq!(late["reason"], "stale_customer", "{late}");
        assert_eq!(
            rep(&late),
            "rep1",
            "a new day starts at the top of the line"
        );
        t.stop().await;
    }
);

both!(
    an_idempotency_key_answers_the_first_assignment,
    |backend| async move {
        let t = spawn_app(backend).await;
        let boss = floor(&t).await;
        let send = |key: &'static str| {
            let (t, boss) = (&t, boss.clone());
            async move {
                let res = t
                    .http
                    .post(format!("{}/api/v1/rotation/floor/walk-ins", t.base))
                    .bearer_auth(&boss)
                    .header("Idempotency-Key", key)
                    .json(&json!({}))
                    .send()
                    .await
                    .expect("send");
                assert_eq!(res.status(), StatusCode::OK);
                res.json::<Value>().await.expect("json")
            }
        };
        let (a, b) = tokio::join!(send("door-1"), send("door-1"));
        assert_eq!(a, b);
        let again = send("door-1").await;
        assert_eq!(again["visit_id"], a["visit_id"]);
        let n = t
            .scalar("select count(*) from rotation_visits where team_id = $1", 1)
            .await;
        assert_eq!(n, 1);
        let c = send("door-2").await;
        assert_ne!(rep(&c), rep(&a));
        t.stop().await;
    }
);

both!(
    concurrent_walk_ins_go_to_distinct_representatives_fairly,
    |backend| async move {
        let t = spawn_app(backend).await;
        let boss = floor(&t).await;
        let answers =
            futures::future::join_all((0..4).map(|_| walk_in(&t, &boss, json!({})))).await;
        let reps: HashSet<String> = answers
            .iter()
            .map(|(s, v)| {
                assert_eq!(*s, StatusCode::OK, "{v}");
                rep(v).to_string()
            })
            .collect();
        assert_eq!(
            reps.len(),
            4,
            "four walk-ins, four representatives: {answers:?}"
        );
        // A fifth finds nobody free; the board replays from its log.
        let (status, _) = walk_in(&t, &boss, json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let seqs = t
            .scalar(
                "select count(distinct seq) from rotation_visits where team_id = $1",
                1,
            )
            .await;
        assert_eq!(seqs, 4);
        assert!(
            patron::areas::rotation::replays(&t.ctx(), "floor")
                .await
                .expect("replay"),
            "the stored board is the replay of its log"
        );
        // Free again and again: over 40 walk-ins in 8 rounds each takes 10.
        for _ in 0..10 {
            for u in ["rep1", "rep2", "rep3", "rep4"] {
                state(&t, &boss, u, "available").await;
            }
            let answers =
                futures::future::join_all((0..4).map(|_| walk_in(&t, &boss, json!({})))).await;
            let round: HashSet<String> = answers.iter().map(|(_, v)| rep(v).to_string()).collect();
            assert_eq!(round.len(), 4);
        }
        let (_, board) = t.get_json("/api/v1/rotation/floor", &boss).await;
        for r in board["representatives"].as_array().expect("reps") {
            assert_eq!(r["turns"], 11, "{board}");
        }
        t.stop().await;
    }
);

both!(
    credit_rules_the_dispute_record_and_the_till_receipt,
    |backend| async move {
        let t = spawn_app(backend).await;
        let boss = floor(&t).await;
        let clerk = token(&t, "floorclerk", &[("clerk", t.hq)]).await;
        let till = t.till_key(t.hq, "01").await;
        let (_, card) = t.add_member("顾客乙", "13800000077", "").await;
        let (status, body) = t
        .post(
            "/api/v1/pos/receipts",
            &till,
            json!({"store_code": "HQ", "receipt_no": "R-100", "card_no": card, "occurred_at": "2026-09-25T16:00:00+08:00",
                   "lines": [{"line_no": 1, "amount_fen": 100_001}]}),
        )
        .await;
        assert!(status.is_success(), "{body}");

        // Relatives arriving together: decided at the walk-in, split evenly.
        let (_, first) = walk_in(&t, &clerk, json!({})).await;
        let (_, second) = walk_in(
            &t,
            &clerk,
            json!({"relation": "relatives", "with_visit": first["seq"]}),
        )
        .await;
        assert_eq!(second["credit_rule"], "relatives");
        let sale = |id: &Value| format!("/api/v1/rotation/floor/visits/{id}/sale");
        let credit = |id: &Value| format!("/api/v1/rotation/floor/visits/{id}/credit");
        let (status, body) = t
            .post(
                &sale(&second["visit_id"]),
                &clerk,
                json!({"receipt_no": "NOPE"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "receipt_no");
        let (status, body) = t
            .post(
                &sale(&second["visit_id"]),
                &clerk,
                json!({"receipt_no": "R-100"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // The same receipt again changes nothing; another receipt is a conflict.
        let (status, _) = t
            .post(
                &sale(&second["visit_id"]),
                &clerk,
                json!({"receipt_no": "R-100"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = t
            .post(
                &sale(&second["visit_id"]),
                &clerk,
                json!({"receipt_no": "R-101"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["code"], "rotation_sale_marked");
        let (_, figs) = t.get_json("/api/v1/rotation/floor/figures", &clerk).await;
        let fig = |u: &str| {
            figs.as_array()
                .and_then(|f| f.iter().find(|r| r["username"] == u))
                .cloned()
                .unwrap_or(Value::Null)
        };
        // The receiver takes the odd fen.
        assert_eq!(fig("rep2")["credit_fen"], 50_001, "{figs}");
        assert_eq!(fig("rep1")["credit_fen"], 50_000, "{figs}");
        assert_eq!(fig("rep2")["conversion_percent"], 100);

        // A queue jump: a supervisor gives the credit to the rightful one, with a note; the clerk
        // may not, and every change is kept.
        let (status, _) = t
            .post(
                &credit(&first["visit_id"]),
                &clerk,
                json!({"rule": "queue_jump", "other": "rep3", "note": "抢客"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = t
            .post(
                &credit(&first["visit_id"]),
                &boss,
                json!({"rule": "queue_jump", "note": "抢客"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "other", "{body}");
        let (status, body) = t
            .post(
                &credit(&first["visit_id"]),
                &boss,
                json!({"rule": "queue_jump", "other": "rep3", "note": "抢客"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["counted"], false);
        let changes = t
            .scalar(
                "select count(*) from rotation_credit_changes where visit_id = $1",
                first["visit_id"].as_i64().unwrap_or(0),
            )
            .await;
        assert_eq!(changes, 1);

        // "Just browsing": the floor marks it, the turn is given back.
        state(&t, &clerk, "rep1", "available").await;
        state(&t, &clerk, "rep2", "available").await;
        let (_, third) = walk_in(&t, &clerk, json!({})).await;
        assert_eq!(rep(&third), "rep3");
        let (status, _) = t
            .post(
                &credit(&third["visit_id"]),
                &clerk,
                json!({"rule": "browsing", "note": "只看资料"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        state(&t, &clerk, "rep3", "available").await;
        let (_, fourth) = walk_in(&t, &clerk, json!({})).await;
        assert_eq!(
            rep(&fourth),
            "rep3",
            "the browsing visit did not use rep3's turn"
        );
        let audited = t
            .scalar_text(
                "select count(*) from audit_log where action = $1",
                "rotation.credit_changed",
            )
            .await;
        assert_eq!(audited, 2);
        t.stop().await;
    }
);

both!(
    a_reorder_is_audited_with_its_reason_and_forms_are_reshown,
    |backend| async move {
        let t = spawn_app(backend).await;
        let _boss = floor(&t).await;
        let boss = t.login("boss").await;
        let page = boss.get("/rotation/floor").await;
        assert!(page.body.contains("data-live-board"), "{}", page.body);
        // A reorder without a reason is re-shown with what was typed; nothing changes.
        let bad = boss
            .post(
                "/rotation/floor/order",
                "/rotation/floor",
                &[("representatives", "rep4 rep3 rep2 rep1"), ("reason", "")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("rep4 rep3 rep2 rep1"));
        let ok = boss
            .post(
                "/rotation/floor/order",
                "/rotation/floor",
                &[
                    ("representatives", "rep4 rep3 rep2 rep1"),
                    ("reason", "早班调整"),
                ],
            )
            .await;
        assert!(ok.location.is_some(), "{}", ok.status);
        let audited = t
            .scalar_text(
                "select count(*) from audit_log where action = $1 and after like '%早班调整%'",
                "rotation.reordered",
            )
            .await;
        assert_eq!(audited, 1);
        // A walk-in with a bad phone is re-shown; a good one assigns rep4.
        let bad = boss
            .post(
                "/rotation/floor/walk-in",
                "/rotation/floor",
                &[
                    ("customer_phone", "123"),
                    ("relation", ""),
                    ("with_visit", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("value=\"123\""));
        let ok = boss
            .post(
                "/rotation/floor/walk-in",
                "/rotation/floor",
                &[("customer_phone", ""), ("relation", ""), ("with_visit", "")],
            )
            .await;
        assert!(ok.location.is_some(), "{}", ok.body);
        let page = boss.get("/rotation/floor").await;
        assert!(
            page.body
                .contains("id=\"rotation-last\" data-seq=\"1\" data-username=\"rep4\""),
            "{}",
            page.body
        );
        let log = boss.get("/rotation/floor/log").await;
        assert_eq!(log.status, StatusCode::OK);
        assert!(log.body.contains("早班调整"));
        t.stop().await;
    }
);
