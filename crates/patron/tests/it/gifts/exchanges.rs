//! Points exchanges at the desk: points and stock debited together or not at all, and 40
//! parallel exchanges for 10 gifts.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{assert_ledger_balances, gift};
use crate::both;
use crate::support::{balance, give_points, hq_token, on_hand, spawn_app};

both!(
    an_exchange_debits_points_and_stock_together_or_writes_nothing,
    |backend| async move {
        let t = spawn_app(backend).await;
        let desk = hq_token(&t, "gift.desk", "reward_desk").await;
        let clerk = hq_token(&t, "gift.clerk", "clerk").await;
        gift(&t, "MUG", "马克杯", "50", "300").await;
        gift(&t, "TEA", "茶具", "200", "").await;
        t.post(
            "/api/v1/rewards/stock/deliveries",
            &desk,
            json!({"store_code": "HQ", "note_no": "1", "supplier": "S", "lines": [{"gift_code": "MUG", "qty": "2"}, {"gift_code": "TEA", "qty": "2"}]}),
        )
        .await;
        let (member, card) = t.add_member("兑换会员", "13500001111", "").await;
        give_points(&t, member, 1000).await;

        let (s, d) = t
            .post(
                "/api/v1/rewards/exchanges",
                &clerk,
                json!({"store_code": "HQ", "card_no": card, "gift_code": "MUG", "qty": "1", "key": "k-1"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(d["points_balance"], 700);
        assert_eq!(d["on_hand"], 1);
        let no = d["exchange_no"].as_str().unwrap_or_default().to_string();
        assert!(
            no.starts_with("DHHQ") && no.ends_with("-001") && no.len() == 16,
            "DH, the store, the business date and the day's counter: {d}"
        );
        assert_eq!(balance(&t, member).await, 700);
        assert_eq!(on_hand(&t, t.hq, "MUG").await, 1);
        let entry = t
            .scalar(
                "select points from point_entries where member_id = $1 and kind = 'exchange'",
                member,
            )
            .await;
        assert_eq!(entry, -300);
        // The same key again: the first answer, nothing new.
        let (s, d) = t
            .post(
                "/api/v1/rewards/exchanges",
                &clerk,
                json!({"store_code": "HQ", "card_no": card, "gift_code": "MUG", "qty": "1", "key": "k-1"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["replayed"], true);
        assert_eq!(
            d["exchange_no"],
            no.as_str(),
            "the replay shows the same number"
        );
        assert_eq!(balance(&t, member).await, 700);

        // Too few points: refused, nothing written.
        let (s, d) = t
            .post(
                "/api/v1/rewards/exchanges",
                &clerk,
                json!({"store_code": "HQ", "card_no": card, "gift_code": "MUG", "qty": "3"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{d}");
        assert_eq!(d["code"], "insufficient_points");
        // Enough points, too little stock: refused, the points stay.
        let (s, d) = t
            .post(
                "/api/v1/rewards/exchanges",
                &clerk,
                json!({"store_code": "HQ", "card_no": card, "gift_code": "MUG", "qty": "2"}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{d}");
        assert_eq!(d["code"], "out_of_stock");
        // Not in the catalogue.
        let (s, _) = t
            .post(
                "/api/v1/rewards/exchanges",
                &clerk,
                json!({"store_code": "HQ", "card_no": card, "gift_code": "TEA"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(balance(&t, member).await, 700);
        assert_eq!(on_hand(&t, t.hq, "MUG").await, 1);
        let exchanges = t
            .scalar(
                "select count(*) from gift_exchanges where member_id = $1",
                member,
            )
            .await;
        assert_eq!(exchanges, 1);
        let entries = t
            .scalar(
                "select count(*) from point_entries where member_id = $1 and kind = 'exchange'",
                member,
            )
            .await;
        assert_eq!(entries, 1);
        // The reward desk may hand over gifts but not exchange points.
        let (s, _) = t
            .post(
                "/api/v1/rewards/exchanges",
                &desk,
                json!({"store_code": "HQ", "card_no": card, "gift_code": "MUG"}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_ledger_balances(&t).await;
        t.stop().await;
    }
);

both!(
    forty_parallel_exchanges_for_ten_gifts_have_ten_winners,
    |backend| async move {
        let t = spawn_app(backend).await;
        let desk = hq_token(&t, "gift.desk", "reward_desk").await;
        let clerk = hq_token(&t, "gift.clerk", "clerk").await;
        gift(&t, "UMB", "雨伞", "80", "100").await;
        t.post(
            "/api/v1/rewards/stock/deliveries",
            &desk,
            json!({"store_code": "HQ", "note_no": "1", "supplier": "S", "lines": [{"gift_code": "UMB", "qty": "10"}]}),
        )
        .await;
        let mut members = Vec::new();
        for i in 0..40 {
            let (id, card) = t
                .add_member(&format!("会员{i}"), &format!("1390000{i:04}"), "")
                .await;
            give_points(&t, id, 500).await;
            members.push((id, card));
        }
        let started = std::time::Instant::now();
        let mut tasks = Vec::new();
        for (_, card) in &members {
            let http = t.http.clone();
            let url = format!("{}/api/v1/rewards/exchanges", t.base);
            let body = json!({"store_code": "HQ", "card_no": card, "gift_code": "UMB", "qty": "1"});
            let key = clerk.clone();
            tasks.push(tokio::spawn(async move {
                let res = http
                    .post(url)
                    .bearer_auth(key)
                    .json(&body)
                    .send()
                    .await
                    .expect("send");
                let status = res.status();
                let v: Value = res.json().await.unwrap_or(Value::Null);
                (status, v)
            }));
        }
        let mut won = 0;
        let mut out = 0;
        for task in tasks {
            let (status, v) = task.await.expect("join");
            match status {
                StatusCode::CREATED => won += 1,
                StatusCode::CONFLICT => {
                    assert_eq!(v["code"], "out_of_stock", "{v}");
                    out += 1;
                }
                other => panic!("unexpected {other}: {v}"),
            }
        }
        let elapsed = started.elapsed();
        eprintln!(
            "gifts concurrency ({backend:?}): 40 parallel exchanges for 10 in stock: {won} exchanged, {out} out of stock, in {elapsed:?}"
        );
        assert_eq!((won, out), (10, 30));
        assert_eq!(on_hand(&t, t.hq, "UMB").await, 0);
        assert_eq!(
            t.scalar(
                "select count(*) from gift_movements where kind = 'exchange' and qty = $1",
                -1
            )
            .await,
            10
        );
        let mut debited = 0;
        for (id, _) in &members {
            let b = balance(&t, *id).await;
            assert!(b == 400 || b == 500, "balance {b}");
            if b == 400 {
                debited += 1;
                assert_eq!(
                    t.scalar(
                        "select count(*) from gift_exchanges where member_id = $1",
                        *id
                    )
                    .await,
                    1
                );
            }
        }
        assert_eq!(debited, 10, "points debited exactly for the winners");
        assert_eq!(
            t.scalar(
                "select CAST(coalesce(sum(points), 0) AS BIGINT) from point_entries where kind = 'exchange' and points < $1",
                0
            )
            .await,
            -1000
        );
        assert_ledger_balances(&t).await;
        t.stop().await;
    }
);
