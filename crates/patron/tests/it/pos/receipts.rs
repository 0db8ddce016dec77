//! Receipts and returns at the till: points earned once, lookups, birthday points and tier
//! upgrades, refused receipts, and returns that take back exactly the returned lines.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{NOW, ledger_and_lots, receipt};
use crate::both;
use crate::support::{TestApp, balance, spawn_app};

both!(
    a_receipt_earns_once_and_a_repeat_gets_the_first_answer,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("王小红", "13800138000", "1990-03-01").await;
        // ¥100.00 normal + ¥50.00 promotional + ¥0.99 normal: 100 points at rate 1.
        let body = receipt(
            "R-0001",
            &card,
            &[(1, 10_000, false), (2, 5_000, true), (3, 99, false)],
        );
        let (status, first) = t.post("/api/v1/pos/receipts", &key, body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["points_awarded"], 100);
        assert_eq!(first["points_balance"], 100);
        assert_eq!(first["tier"], "normal");
        assert_eq!(first["tier_changed"], false);
        let (status, again) = t.post("/api/v1/pos/receipts", &key, body.clone()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again, first, "a repeat answers the first answer");
        let mut changed = body.clone();
        changed["lines"][0]["amount_fen"] = json!(20_000);
        let (status, err) = t.post("/api/v1/pos/receipts", &key, changed).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(err["code"], "receipt_conflict");
        assert_eq!(balance(&t, id).await, 100);
        assert_eq!(ledger_and_lots(&t, id).await, (100, 100));
        assert_eq!(
            t.scalar(
                "select count(*) from point_entries where member_id = $1",
                id
            )
            .await,
            1
        );
        // The statement names the source and the till.
        let (kind, source, till): (String, String, String) = patron::on_db!(t.app.db, |p| {
            sqlx::query_as(
                "select kind, source_ref, till_id from point_entries where member_id = $1",
            )
            .bind(id)
            .fetch_one(p)
            .await
            .expect("entry")
        });
        assert_eq!(
            (kind.as_str(), source.as_str(), till.as_str()),
            ("receipt", "R-0001", "01")
        );
        t.stop().await;
    }
);

both!(
    lookups_name_the_tier_and_refuse_unknown_members,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("李雷", "13912345678", "1985-09-25").await;
        let (status, m) = t
            .get_json(
                &format!("/api/v1/pos/members/lookup?card_no={}", card.to_lowercase()),
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{m}");
        assert_eq!(m["member_id"], id);
        assert_eq!(m["card_no"], card);
        assert_eq!(m["name_masked"], "李*");
        assert_eq!(m["tier"], "normal");
        assert_eq!(m["discount_percent"], 100);
        assert_eq!(m["points_rate"], 1);
        assert_eq!(m["birthday_today"], true);
        assert_eq!(m["card_expires_on"], "2027-09-25");
        let (status, by_phone) = t
            .get_json("/api/v1/pos/members/lookup?phone=139-1234-5678", &key)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(by_phone["member_id"], id);
        let (status, err) = t
            .get_json("/api/v1/pos/members/lookup?phone=13700000000", &key)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(err["code"], "member_not_found");
        let (status, err) = t
            .get_json("/api/v1/pos/members/lookup?phone=12345", &key)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["errors"][0]["field"], "phone");
        // A script's token is not a till key.
        let (status, _) = t
            .get_json(
                &format!("/api/v1/pos/members/lookup?card_no={card}"),
                "pat_nonsense",
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        t.stop().await;
    }
);

both!(
    the_birthday_doubles_points_and_spend_upgrades_the_tier_but_not_to_platinum,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("韩梅梅", "13600000001", "1992-09-25").await;
        // Birthday: ¥100 → 200 points.
        let (_, r) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                receipt("B-1", &card, &[(1, 10_000, false)]),
            )
            .await;
        assert_eq!(r["points_awarded"], 200);
        // ¥9,900 more reaches silver's ¥10,000 in the window: upgraded on this receipt, which
        // itself still earns at the old rate (×2 for the birthday).
        let (_, r) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                receipt("B-2", &card, &[(1, 990_000, false)]),
            )
            .await;
        assert_eq!(r["points_awarded"], 19_800);
        assert_eq!(r["tier"], "silver");
        assert_eq!(r["tier_changed"], true);
        // Silver earns 2 per yuan (×2 birthday = 4).
        let (_, r) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                receipt("B-3", &card, &[(1, 10_000, false)]),
            )
            .await;
        assert_eq!(r["points_awarded"], 400);
        assert_eq!(r["tier_changed"], false);
        // ¥250,000 in the window reaches platinum's threshold: gold now, platinum needs a manager.
        let (_, r) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                receipt("B-4", &card, &[(1, 24_000_000, false)]),
            )
            .await;
        assert_eq!(r["tier"], "gold");
        let (_, m) = t
            .get_json(&format!("/api/v1/pos/members/lookup?card_no={card}"), &key)
            .await;
        assert_eq!(m["tier"], "gold");
        assert_eq!(m["discount_percent"], 88);
        assert_eq!(
            t.scalar("select count(*) from tier_changes where member_id = $1", id)
                .await,
            2
        );
        assert_eq!(
            t.scalar(
                "select count(*) from outbox where member_id = $1 and kind = 'tier_change'",
                id
            )
            .await,
            2,
            "the member is told of each change"
        );
        let (ledger, lots) = ledger_and_lots(&t, id).await;
        assert_eq!(ledger, balance(&t, id).await);
        assert_eq!(lots, ledger);
        t.stop().await;
    }
);

both!(
    receipts_before_the_card_existed_earn_nothing_and_bad_fields_are_named,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("赵六", "13600000002", "").await;
        // The card was issued today: yesterday's purchase is refused by the till, naming the
        // time, and writes nothing.
        let mut early = receipt("E-1", &card, &[(1, 100_000, false)]);
        early["occurred_at"] = json!("2026-09-24T12:00:00+08:00");
        let (status, err) = t.post("/api/v1/pos/receipts", &key, early).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["errors"][0]["field"], "occurred_at");
        assert_eq!(err["errors"][0]["code"], "invalid.before_card");
        assert_eq!(balance(&t, id).await, 0);
        // Every bad field is named; nothing is written.
        let bad = json!({"store_code": "HQ", "receipt_no": "", "card_no": card,
            "occurred_at": NOW, "lines": [{"line_no": 1, "amount_fen": -5}, {"line_no": 1, "amount_fen": 5}]});
        let (status, err) = t.post("/api/v1/pos/receipts", &key, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["code"], "validation");
        let fields: Vec<&str> = err["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(fields.contains(&"receipt_no"), "{fields:?}");
        assert!(fields.contains(&"lines[0].amount_fen"), "{fields:?}");
        assert!(fields.contains(&"lines[1].line_no"), "{fields:?}");
        let missing =
            json!({"store_code": "HQ", "receipt_no": "X", "occurred_at": NOW, "lines": []});
        let (status, err) = t.post("/api/v1/pos/receipts", &key, missing).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["errors"][0]["field"], "card_no");
        let wrong_type = json!({"store_code": "HQ", "receipt_no": "X", "card_no": card, "occurred_at": NOW,
            "lines": [{"line_no": 1, "amount_fen": "lots"}]});
        let (_, err) = t.post("/api/v1/pos/receipts", &key, wrong_type).await;
        assert_eq!(err["errors"][0]["field"], "lines[0].amount_fen");
        // Another store's code with this till's key is refused.
        let other = patron::areas::staff::create_store(
            &t.ctx(),
            &patron::areas::staff::StoreInput {
                code: "WFJ".into(),
                name: "王府井店".into(),
                time_zone: "Asia/Shanghai".into(),
                active: true,
                email: String::new(),
            },
        )
        .await
        .expect("store");
        let mut elsewhere = receipt("W-1", &card, &[(1, 100, false)]);
        elsewhere["store_code"] = json!("WFJ");
        t.app.cache.invalidate();
        let (status, err) = t.post("/api/v1/pos/receipts", &key, elsewhere).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{err} (store {})", other.id);
        assert_eq!(
            t.scalar("select count(*) from receipts where member_id = $1", id)
                .await,
            0,
            "every refused receipt wrote nothing"
        );
        t.stop().await;
    }
);

both!(
    a_return_takes_back_exactly_the_returned_lines_and_names_the_cash_to_collect,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("钱七", "13600000003", "").await;
        // 300 + 200 points; the promotional line earns nothing.
        let (_, r) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                receipt(
                    "S-1",
                    &card,
                    &[(1, 30_000, false), (2, 20_000, false), (3, 9_900, true)],
                ),
            )
            .await;
        assert_eq!(r["points_awarded"], 500);
        // Half of line 1 comes back: 150 points.
        let ret = |no: &str, lines: Value| json!({"store_code": "HQ", "till_id": "01", "return_no": no, "original_receipt_no": "S-1", "lines": lines});
        let (status, r1) = t
            .post(
                "/api/v1/pos/returns",
                &key,
                ret("T-1", json!([{"line_no": 1, "amount_fen": 15_000}])),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{r1}");
        assert_eq!(
            r1,
            json!({"points_reversed": 150, "cash_to_collect_fen": 0, "points_balance": 350})
        );
        // The same return again: the first answer, nothing more taken.
        let (status, again) = t
            .post(
                "/api/v1/pos/returns",
                &key,
                ret("T-1", json!([{"line_no": 1, "amount_fen": 15_000}])),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again, r1);
        // More than was bought, a line twice, a line that does not exist: refused, nothing written.
        for (no, lines, field) in [
            (
                "T-2",
                json!([{"line_no": 1, "amount_fen": 15_001}]),
                "lines[0].amount_fen",
            ),
            (
                "T-3",
                json!([{"line_no": 2, "amount_fen": 1}, {"line_no": 2, "amount_fen": 1}]),
                "lines[1].line_no",
            ),
            (
                "T-4",
                json!([{"line_no": 9, "amount_fen": 1}]),
                "lines[0].line_no",
            ),
        ] {
            let (status, err) = t.post("/api/v1/pos/returns", &key, ret(no, lines)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{no}: {err}");
            assert_eq!(err["errors"][0]["field"], field, "{no}");
        }
        assert_eq!(balance(&t, id).await, 350);
        // The member spends 300 points, then returns line 2 (200 points): 50 can be taken back,
        // the other 150 are collected in cash at 100 points = ¥10 → ¥15.00.
        let (status, spent) = t
            .post(
                "/api/v1/pos/points/redeem",
                &key,
                json!({"store_code": "HQ", "till_id": "01", "receipt_no": "P-1", "card_no": card, "points": 300}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{spent}");
        assert_eq!(
            spent,
            json!({"points_spent": 300, "value_fen": 3_000, "points_balance": 50})
        );
        let (_, r2) = t
            .post(
                "/api/v1/pos/returns",
                &key,
                ret("T-5", json!([{"line_no": 2, "amount_fen": 20_000}])),
            )
            .await;
        assert_eq!(
            r2,
            json!({"points_reversed": 200, "cash_to_collect_fen": 1_500, "points_balance": 0})
        );
        // Unknown original receipt.
        let (status, err) = t
            .post(
                "/api/v1/pos/returns",
                &key,
                json!({"store_code": "HQ", "return_no": "T-9", "original_receipt_no": "NOPE", "lines": [{"line_no": 1, "amount_fen": 1}]}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(err["code"], "receipt_not_found");
        assert_eq!(ledger_and_lots(&t, id).await, (0, 0));
        t.stop().await;
    }
);

/// The tier a member has now, and their purchases counted for the tier window.
async fn tier_and_purchases(t: &TestApp, member_id: i64) -> (String, i64) {
    let tier: String = patron::on_db!(t.app.db, |p| {
        sqlx::query_scalar("select tier_code from members where id = $1")
            .bind(member_id)
            .fetch_one(p)
            .await
            .expect("tier")
    });
    let purchases = t
        .scalar(
            "select cast(coalesce(sum(purchases), 0) as bigint) from member_spend where member_id = $1",
            member_id,
        )
        .await;
    (tier, purchases)
}

both!(
    the_till_window_refuses_old_and_future_receipts_and_nothing_bought_moves_no_tier,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("钱七", "13600000003", "").await;
        // A ¥50,000 receipt from 2001, one eight days old, one ten minutes ahead: each refused
        // with the time named; none of them writes anything or moves the tier.
        for (no, at) in [
            ("OLD-1", "2001-01-01T12:00:00+08:00"),
            ("OLD-2", "2026-09-17T12:00:00+08:00"),
            ("FUT-1", "2026-09-25T17:10:00+08:00"),
        ] {
            let mut r = receipt(no, &card, &[(1, 5_000_000, false)]);
            r["occurred_at"] = json!(at);
            let (status, err) = t.post("/api/v1/pos/receipts", &key, r).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{no}: {err}");
            assert_eq!(err["errors"][0]["field"], "occurred_at", "{no}: {err}");
        }
        assert_eq!(
            t.scalar("select count(*) from receipts where member_id = $1", id)
                .await,
            0
        );
        assert_eq!(tier_and_purchases(&t, id).await, ("normal".to_string(), 0));
        // A till clock four minutes fast is within the window.
        let mut fast = receipt("FAST-1", &card, &[(1, 1_000, false)]);
        fast["occurred_at"] = json!("2026-09-25T17:04:00+08:00");
        let (status, r) = t.post("/api/v1/pos/receipts", &key, fast).await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        // Twelve receipts of nothing are no purchases: the member stays regular (silver needs
        // twelve purchases).
        for i in 0..12 {
            let (status, r) = t
                .post(
                    "/api/v1/pos/receipts",
                    &key,
                    receipt(&format!("ZERO-{i}"), &card, &[(1, 0, false)]),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{r}");
            assert_eq!(r["tier"], "normal", "{r}");
        }
        assert_eq!(tier_and_purchases(&t, id).await, ("normal".to_string(), 1));

        // Entered at the desk or imported, a purchase from before the card earns nothing and
        // counts nothing towards a tier.
        let old = patron::areas::points::receipts::ReceiptIn {
            store_code: "HQ".into(),
            till_id: None,
            receipt_no: "IMP-1".into(),
            card_no: card.clone(),
            occurred_at: chrono::DateTime::parse_from_rfc3339("2001-01-01T12:00:00+08:00")
                .expect("time"),
            lines: vec![patron::areas::points::receipts::ReceiptLineIn {
                line_no: 1,
                sku: "A".into(),
                amount_fen: 5_000_000,
                promotional: false,
            }],
        };
        let (_, out) = patron::areas::points::receipts::accrue(&t.ctx(), &old, "import")
            .await
            .expect("imported");
        assert_eq!(out.points_awarded, 0);
        assert_eq!(
            out.tier, "normal",
            "¥50,000 from before the card makes no gold"
        );
        assert_eq!(tier_and_purchases(&t, id).await, ("normal".to_string(), 1));
        t.stop().await;
    }
);
