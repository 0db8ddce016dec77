//! The races that could double-spend or double-earn: parallel spends, replays and twins.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ledger_and_lots, receipt};
use crate::both;
use crate::support::{balance, spawn_app};

both!(
    a_thousand_parallel_spends_against_a_balance_for_a_hundred,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("周九", "13600000005", "").await;
        // 10,000 points: exactly 100 spends of 100.
        t.post(
            "/api/v1/pos/receipts",
            &key,
            receipt("F-1", &card, &[(1, 1_000_000, false)]),
        )
        .await;
        assert_eq!(balance(&t, id).await, 10_000);
        let mut tasks = Vec::new();
        for i in 0..1000 {
            let (http, base, key, card) =
                (t.http.clone(), t.base.clone(), key.clone(), card.clone());
            tasks.push(tokio::spawn(async move {
                let res = http
                    .post(format!("{base}/api/v1/pos/points/redeem"))
                    .bearer_auth(&key)
                    .json(&json!({"store_code": "HQ", "till_id": "01", "receipt_no": format!("SP-{i}"), "card_no": card, "points": 100}))
                    .send()
                    .await
                    .expect("send");
                let status = res.status();
                let body: Value = res.json().await.expect("json");
                (status, body)
            }));
        }
        let mut ok = 0;
        let mut refused = 0;
        for task in tasks {
            let (status, body) = task.await.expect("task");
            match status {
                StatusCode::CREATED => ok += 1,
                StatusCode::UNPROCESSABLE_ENTITY => {
                    assert_eq!(body["code"], "insufficient_points");
                    refused += 1;
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        eprintln!("1,000 parallel spends: {ok} succeeded, {refused} refused");
        assert_eq!((ok, refused), (100, 900));
        assert_eq!(balance(&t, id).await, 0);
        assert_eq!(ledger_and_lots(&t, id).await, (0, 0));
        t.stop().await;
    }
);

both!(
    five_hundred_parallel_replays_of_one_receipt_accrue_once,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("吴十", "13600000006", "").await;
        let body = receipt("RP-1", &card, &[(1, 123_456, false)]);
        let mut tasks = Vec::new();
        for _ in 0..500 {
            let (http, base, key, body) =
                (t.http.clone(), t.base.clone(), key.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                let res = http
                    .post(format!("{base}/api/v1/pos/receipts"))
                    .bearer_auth(&key)
                    .json(&body)
                    .send()
                    .await
                    .expect("send");
                (res.status(), res.json::<Value>().await.expect("json"))
            }));
        }
        let mut created = 0;
        let mut answers = std::collections::HashSet::new();
        for task in tasks {
            let (status, body) = task.await.expect("task");
            match status {
                StatusCode::CREATED => created += 1,
                StatusCode::OK => {}
                other => panic!("unexpected {other}: {body}"),
            }
            answers.insert(body.to_string());
        }
        eprintln!(
            "500 parallel replays: {created} created, {} distinct answers",
            answers.len()
        );
        assert_eq!(created, 1);
        assert_eq!(answers.len(), 1, "every caller got the same answer");
        assert_eq!(balance(&t, id).await, 1_234);
        assert_eq!(
            t.scalar(
                "select count(*) from point_entries where member_id = $1",
                id
            )
            .await,
            1
        );
        t.stop().await;
    }
);

both!(
    parallel_twins_of_a_redemption_and_a_return_all_get_the_first_answer,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("双胞胎", "13600000007", "").await;
        t.post(
            "/api/v1/pos/receipts",
            &key,
            receipt("TW-1", &card, &[(1, 50_000, false)]),
        )
        .await;
        // Fifty identical requests spending the whole balance: one spend, the same answer for all.
        let body = json!({"store_code": "HQ", "till_id": "01", "receipt_no": "TW-P", "card_no": card, "points": 500});
        let ret = json!({"store_code": "HQ", "till_id": "01", "return_no": "TW-R", "original_receipt_no": "TW-1",
                         "lines": [{"line_no": 1, "amount_fen": 50_000}]});
        for (path, body) in [
            ("/api/v1/pos/points/redeem", body),
            ("/api/v1/pos/returns", ret),
        ] {
            let mut tasks = Vec::new();
            for _ in 0..50 {
                let (http, url, key, body) = (
                    t.http.clone(),
                    format!("{}{path}", t.base),
                    key.clone(),
                    body.clone(),
                );
                tasks.push(tokio::spawn(async move {
                    let res = http
                        .post(url)
                        .bearer_auth(&key)
                        .json(&body)
                        .send()
                        .await
                        .expect("send");
                    (res.status(), res.json::<Value>().await.expect("json"))
                }));
            }
            let mut answers = std::collections::HashSet::new();
            let mut created = 0;
            for task in tasks {
                let (status, body) = task.await.expect("task");
                assert!(status.is_success(), "{path}: {status} {body}");
                if status == StatusCode::CREATED {
                    created += 1;
                }
                answers.insert(body.to_string());
            }
            assert_eq!((created, answers.len()), (1, 1), "{path}");
        }
        // The return came after the spend: 500 points reversed, all of them owed in cash.
        assert_eq!(balance(&t, id).await, 0);
        assert_eq!(ledger_and_lots(&t, id).await, (0, 0));
        t.stop().await;
    }
);
