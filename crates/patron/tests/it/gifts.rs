//! Gift stock (SPEC D6), the points exchange catalogue (C7) and birthday gifts (J3) through the
//! real server: delivery notes, transfers and a stock-take approved in the inbox with the
//! ledger balancing; exchanges that debit points and stock together or not at all; 40 parallel
//! exchanges for 10 gifts; the birthday job run twice; the console pages in both languages; and
//! the portal exchange in Chromium.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{
    Browser, PASSWORD, TestApp, add_store, balance, browser_skipped, give_points, hq_token,
    on_hand, run_browser_flow, set_portal_password, spawn_app, token,
};

async fn gift(t: &TestApp, code: &str, name: &str, value: &str, price: &str) {
    patron::areas::rewards::catalogue::save_gift(
        &t.ctx(),
        &patron::areas::rewards::catalogue::GiftIn {
            code: code.into(),
            name_zh: name.into(),
            name_en: format!("{code} gift"),
            kind: "gift".into(),
            value: value.into(),
            points_price: price.into(),
            active: true,
        },
    )
    .await
    .expect("save gift");
}

/// Every (store, gift): the movements add up to the stock, and each movement's "after" is the
/// running sum.
async fn assert_ledger_balances(t: &TestApp) {
    let rows: Vec<(i64, i64, i64, i64)> = patron::on_db!(t.app.db, |p| {
        sqlx::query_as(
            "select store_id, gift_id, qty, on_hand_after from gift_movements order by id",
        )
        .fetch_all(p)
        .await
        .expect("movements")
    });
    let mut sums: std::collections::HashMap<(i64, i64), i64> = Default::default();
    for (s, g, q, after) in rows {
        let e = sums.entry((s, g)).or_default();
        *e += q;
        assert_eq!(*e, after, "running stock of gift {g} at store {s}");
    }
    let stock: Vec<(i64, i64, i64)> = patron::on_db!(t.app.db, |p| {
        sqlx::query_as("select store_id, gift_id, on_hand from gift_stock")
            .fetch_all(p)
            .await
            .expect("stock")
    });
    for (s, g, n) in stock {
        assert_eq!(
            sums.get(&(s, g)).copied().unwrap_or(0),
            n,
            "gift {g} at {s}"
        );
    }
}

both!(
    deliveries_transfers_and_an_approved_stocktake_keep_the_ledger_balanced,
    |backend| async move {
        let t = spawn_app(backend).await;
        let xd = add_store(&t, "XD").await;
        let desk = token(
            &t,
            "gift.desk",
            &[("reward_desk", t.hq), ("reward_desk", xd)],
        )
        .await;
        t.add_staff("gift.boss", &[("manager", t.hq)], false).await;
        gift(&t, "TEA", "茶具", "200", "").await;
        gift(&t, "MUG", "马克杯", "50", "500").await;

        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/deliveries",
                &desk,
                json!({"store_code": "HQ", "note_no": "SD-7788", "supplier": "礼品公司",
                       "lines": [{"gift_code": "TEA", "qty": "20"}, {"gift_code": "MUG", "qty": "5"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(on_hand(&t, t.hq, "TEA").await, 20);
        // A bad line names its field; nothing is written.
        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/deliveries",
                &desk,
                json!({"store_code": "HQ", "note_no": "", "supplier": "礼品公司",
                       "lines": [{"gift_code": "NOPE", "qty": "2"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = d["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            fields.contains(&"note_no") && fields.contains(&"lines[0].gift_code"),
            "{d}"
        );

        // Transfer: out at HQ and in at XD, one document.
        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/transfers",
                &desk,
                json!({"store_code": "HQ", "to_store_code": "XD", "lines": [{"gift_code": "TEA", "qty": "8"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(on_hand(&t, t.hq, "TEA").await, 12);
        assert_eq!(on_hand(&t, xd, "TEA").await, 8);
        let both_sides = t
            .scalar(
                "select count(*) from gift_movements where doc_kind = 'transfer' and qty <> $1",
                0,
            )
            .await;
        assert_eq!(both_sides, 2, "one movement out, one in");
        // More than the store has: refused whole.
        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/transfers",
                &desk,
                json!({"store_code": "HQ", "to_store_code": "XD",
                       "lines": [{"gift_code": "MUG", "qty": "1"}, {"gift_code": "TEA", "qty": "13"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{d}");
        assert_eq!(
            on_hand(&t, t.hq, "MUG").await,
            5,
            "the first line rolled back too"
        );

        // Stock-take: a difference without an explanation is refused.
        let (s, _) = t
            .post(
                "/api/v1/rewards/stock/stocktakes",
                &desk,
                json!({"store_code": "HQ", "lines": [{"gift_code": "TEA", "counted": "11"}, {"gift_code": "MUG", "counted": "5"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/stocktakes",
                &desk,
                json!({"store_code": "HQ", "lines": [{"gift_code": "TEA", "counted": "11", "explanation": "一套破损"},
                                                      {"gift_code": "MUG", "counted": "5"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(d["state"], "pending");
        assert_eq!(
            on_hand(&t, t.hq, "TEA").await,
            12,
            "nothing moves before approval"
        );
        let approval = d["approval_id"].as_i64().expect("approval");

        // The manager approves in the console inbox: the adjustment is written then.
        let boss = t.login("gift.boss").await;
        let inbox = boss.get("/approvals").await;
        assert!(
            inbox.body.contains("奖品盘点差异"),
            "the inbox names the kind"
        );
        let res = boss
            .post(
                &format!("/approvals/{approval}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(on_hand(&t, t.hq, "TEA").await, 11);
        let doc_state: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select state from gift_documents where approval_id = $1")
                .bind(approval)
                .fetch_one(p)
                .await
                .expect("doc")
        });
        assert_eq!(doc_state, "approved");
        let adjustments = t
            .scalar(
                "select count(*) from gift_movements where kind = 'stocktake' and qty = $1",
                -1,
            )
            .await;
        assert_eq!(adjustments, 1);
        assert_ledger_balances(&t).await;

        // The movement ledger can be changed by nobody.
        let tampered = patron::on_db!(t.app.db, |p| {
            sqlx::query("update gift_movements set qty = 99")
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        });
        assert!(tampered.is_err(), "gift_movements is append-only");
        t.stop().await;
    }
);

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

both!(
    the_birthday_job_entitles_once_and_the_gift_is_claimed_once_in_the_month,
    |backend| async move {
        let t = spawn_app(backend).await;
        let desk = hq_token(&t, "gift.desk", "reward_desk").await;
        gift(&t, "CAKE", "生日蛋糕券", "100", "").await;
        patron::areas::rewards::birthday::save_setting(
            &t.ctx(),
            &patron::areas::rewards::birthday::TierGiftIn {
                tier_code: "normal".into(),
                gift_code: "CAKE".into(),
                qty: "1".into(),
            },
        )
        .await
        .expect("setting");
        // Today is 2026-09-25 in the test clock.
        let (born_today, card) = t.add_member("寿星", "13700001111", "1990-09-25").await;
        let (born_in_may, may_card) = t.add_member("五月寿星", "13700002222", "1985-05-03").await;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 9, 25).expect("date");
        for _ in 0..2 {
            patron::jobs::run(&t.app, "birthday-greetings", today, None)
                .await
                .expect("job");
        }
        // The entitlement is unique per member and year even if created again.
        patron::areas::rewards::birthday::entitle(&t.ctx(), today)
            .await
            .expect("entitle");
        assert_eq!(
            t.scalar(
                "select count(*) from birthday_entitlements where member_id = $1",
                born_today
            )
            .await,
            1
        );
        // May's member got one on their day (in May) and cannot claim it in September.
        patron::areas::rewards::birthday::entitle(
            &t.ctx(),
            chrono::NaiveDate::from_ymd_opt(2026, 5, 3).expect("date"),
        )
        .await
        .expect("entitle May");
        assert_eq!(
            t.scalar(
                "select count(*) from birthday_entitlements where member_id = $1",
                born_in_may
            )
            .await,
            1
        );

        // No stock yet: refused, nothing written.
        let (s, d) = t
            .post(
                "/api/v1/rewards/birthday/claims",
                &desk,
                json!({"store_code": "HQ", "card_no": card}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{d}");
        assert_eq!(
            t.scalar("select count(*) from birthday_entitlements where claimed_at is not null and member_id = $1", born_today)
                .await,
            0
        );
        t.post(
            "/api/v1/rewards/stock/deliveries",
            &desk,
            json!({"store_code": "HQ", "note_no": "1", "supplier": "S", "lines": [{"gift_code": "CAKE", "qty": "5"}]}),
        )
        .await;
        let (s, d) = t
            .post(
                "/api/v1/rewards/birthday/claims",
                &desk,
                json!({"store_code": "HQ", "card_no": card}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(on_hand(&t, t.hq, "CAKE").await, 4);
        let (s, d) = t
            .post(
                "/api/v1/rewards/birthday/claims",
                &desk,
                json!({"store_code": "HQ", "card_no": card}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{d}");
        assert!(d.to_string().contains("birthday.already_claimed"), "{d}");
        let (s, d) = t
            .post(
                "/api/v1/rewards/birthday/claims",
                &desk,
                json!({"store_code": "HQ", "card_no": may_card}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{d}");
        assert!(d.to_string().contains("birthday.not_birthday_month"), "{d}");
        assert_eq!(on_hand(&t, t.hq, "CAKE").await, 4);
        assert_eq!(
            t.scalar(
                "select count(*) from gift_movements where kind = 'birthday' and qty = $1",
                -1
            )
            .await,
            1
        );
        // The desk's list of this month shows the member.
        let b = t.login("gift.desk").await;
        let page = b.get("/rewards/birthday").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("寿星"), "{}", page.body);
        t.stop().await;
    }
);

async fn english(b: &Browser) {
    let res = b.post("/account/lang", "/", &[("lang", "en")]).await;
    assert!(res.status.is_redirection(), "{}", res.status);
}

both!(
    console_pages_render_in_both_languages_and_reshow_bad_forms,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("gift.boss", &[("manager", t.hq)], false).await;
        gift(&t, "MUG", "马克杯", "50", "300").await;
        let b = t.login("gift.boss").await;
        let pages = [
            "/rewards/gifts",
            "/rewards/stock",
            "/rewards/stock/movements",
            "/rewards/exchange",
            "/rewards/birthday",
        ];
        for (lang, word) in [("zh", "奖品库存"), ("en", "Gift stock")] {
            if lang == "en" {
                english(&b).await;
            }
            for p in pages {
                let page = b.get(p).await;
                assert_eq!(page.status, StatusCode::OK, "{p}");
                assert!(page.body.contains(word), "{p} in {lang}");
            }
        }
        for p in [
            "/rewards/stock.csv",
            "/rewards/stock.xlsx",
            "/rewards/stock/movements.csv",
            "/rewards/stock/movements.xlsx",
            "/rewards/stock/count-sheet/print",
        ] {
            assert_eq!(b.get(p).await.status, StatusCode::OK, "{p}");
        }
        // A bad gift is re-shown with what was typed and the message, in English now.
        let res = b
            .post(
                "/rewards/gifts",
                "/rewards/gifts",
                &[
                    ("code", "bad code"),
                    ("name_zh", "好礼"),
                    ("kind", "gift"),
                    ("value", "abc"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("好礼") && res.body.contains("capital letters"),
            "{}",
            res.body
        );
        // A delivery without a note number, re-shown.
        let res = b
            .post(
                "/rewards/stock/delivery",
                "/rewards/stock",
                &[
                    ("store_code", "HQ"),
                    ("supplier", "礼品公司"),
                    ("lines[0].gift_code", "MUG"),
                    ("lines[0].qty", "4"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("礼品公司"), "the typed supplier is kept");
        assert_eq!(on_hand(&t, t.hq, "MUG").await, 0);
        // A good one, printable.
        let res = b
            .post(
                "/rewards/stock/delivery",
                "/rewards/stock",
                &[
                    ("store_code", "HQ"),
                    ("note_no", "SD-1"),
                    ("supplier", "礼品公司"),
                    ("lines[0].gift_code", "MUG"),
                    ("lines[0].qty", "4"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let doc = t
            .scalar(
                "select max(id) from gift_documents where store_id = $1",
                t.hq,
            )
            .await;
        let print = b.get(&format!("/rewards/stock/docs/{doc}/print")).await;
        assert!(print.body.contains("奖品收货单") && print.body.contains("SD-1"));
        // The exchange desk: too few points re-shows the form.
        let (member, card) = t.add_member("柜台会员", "13500003333", "").await;
        let res = b
            .post(
                "/rewards/exchange",
                "/rewards/exchange",
                &[
                    ("store_code", "HQ"),
                    ("card_no", card.as_str()),
                    ("gift_code", "MUG"),
                    ("qty", "1"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        give_points(&t, member, 400).await;
        let res = b
            .post(
                "/rewards/exchange",
                "/rewards/exchange",
                &[
                    ("store_code", "HQ"),
                    ("card_no", card.as_str()),
                    ("gift_code", "MUG"),
                    ("qty", "1"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let id = t
            .scalar(
                "select max(id) from gift_exchanges where member_id = $1",
                member,
            )
            .await;
        let slip = b.get(&format!("/rewards/exchange/{id}/print")).await;
        assert!(slip.body.contains("积分兑换单") && slip.body.contains("300"));
        assert_eq!(balance(&t, member).await, 100);
        t.stop().await;
    }
);

both!(portal_double_submit_exchanges_once, |backend| async move {
    let t = spawn_app(backend).await;
    let desk = hq_token(&t, "gift.desk", "reward_desk").await;
    gift(&t, "MUG", "马克杯", "50", "300").await;
    t.post(
        "/api/v1/rewards/stock/deliveries",
        &desk,
        json!({"store_code": "HQ", "note_no": "1", "supplier": "S", "lines": [{"gift_code": "MUG", "qty": "3"}]}),
    )
    .await;
    let (member, card) = t.add_member("门户会员", "13500004444", "").await;
    give_points(&t, member, 1000).await;
    set_portal_password(&t, member).await;
    let b = t.portal_login(&card, PASSWORD).await;
    let page = b.get("/portal/exchange").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let key = page
        .body
        .split_once("name=\"key\" value=\"")
        .and_then(|(_, r)| r.split_once('"'))
        .map(|(k, _)| k.to_string())
        .expect("key");
    let form = [
        ("_csrf", csrf.as_str()),
        ("key", key.as_str()),
        ("store_code", "HQ"),
        ("gift_code", "MUG"),
        ("qty", "1"),
    ];
    let (a, b2) = tokio::join!(
        b.client
            .post(format!("{}/portal/exchange", b.base))
            .form(&form)
            .send(),
        b.client
            .post(format!("{}/portal/exchange", b.base))
            .form(&form)
            .send()
    );
    assert_eq!(a.expect("a").status(), StatusCode::SEE_OTHER);
    assert_eq!(b2.expect("b").status(), StatusCode::SEE_OTHER);
    assert_eq!(balance(&t, member).await, 700, "one exchange, not two");
    assert_eq!(on_hand(&t, t.hq, "MUG").await, 2);
    let page = b.get("/portal/exchange").await;
    assert!(page.body.contains("马克杯"), "the history shows it");
    t.stop().await;
});

both!(
    a_member_exchanges_points_in_the_portal_in_chromium,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        let desk = hq_token(&t, "gift.desk", "reward_desk").await;
        gift(&t, "MUG", "马克杯", "50", "300").await;
        t.post(
        "/api/v1/rewards/stock/deliveries",
        &desk,
        json!({"store_code": "HQ", "note_no": "1", "supplier": "S", "lines": [{"gift_code": "MUG", "qty": "3"}]}),
    )
    .await;
        let (member, card) = t.add_member("网上会员", "13500005555", "").await;
        give_points(&t, member, 1000).await;
        set_portal_password(&t, member).await;
        let stdout = run_browser_flow(
            "portal_exchange.mjs",
            &[
                ("BASE_URL", &t.base),
                ("CARD", &card),
                ("PASSWORD", PASSWORD),
                ("GIFT", "MUG"),
                ("STORE", "HQ"),
                ("PRICE", "300"),
            ],
        )
        .await;
        assert!(stdout.contains("browser: portal exchange ok"), "{stdout}");
        assert_eq!(balance(&t, member).await, 700);
        assert_eq!(on_hand(&t, t.hq, "MUG").await, 2);
        t.stop().await;
    }
);
