//! The till endpoints: check codes and their rate limit, expired and exchanged vouchers, and
//! 10,000 concurrent redeems of 100 vouchers.

use patron_core::vouchers::{Serial, check_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    cash, count_in, desk, person, real_name, redeem, requisition, sale, series, stamp, with,
};
use crate::both;
use crate::support::{goto, ok, spawn_app};

both!(
    tills_need_the_check_code_and_wrong_codes_are_rate_limited,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 20).await;
        requisition(&t, &d, &[("100", 20)], "1-20").await;
        stamp(&t, &d, "1-20").await;
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            cash(sale(person("李"), "cash", &[("1-10", "", "")]), "1000"),
        )
        .await;
        let key = t.app.secrets.voucher_key;
        let right = check_code(&key, Serial(3));
        let (status, v) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00000003?check_code={right}"),
                &d.till,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            v,
            json!({"serial": "00000003", "face_value_fen": 10000, "state": "sold", "expires_on": "2030-12-31"})
        );
        // Missing code: a field error. Unknown serial and wrong code: the same 404.
        let (status, body) = t.get_json("/api/v1/pos/vouchers/00000003", &d.till).await;
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("check_code"))
        );
        let wrong = if right == "000000" {
            "000001"
        } else {
            "000000"
        };
        let (s1, b1) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00000003?check_code={wrong}"),
                &d.till,
            )
            .await;
        let (s2, b2) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00099999?check_code={right}"),
                &d.till,
            )
            .await;
        assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
        assert_eq!(
            (b1["code"].clone(), b1["detail"].clone()),
            (b2["code"].clone(), b2["detail"].clone())
        );
        // Three more wrong codes reach the limit of five a minute: then even a right code waits.
        for _ in 0..3 {
            let (s, _) = t
                .get_json(
                    &format!("/api/v1/pos/vouchers/00000004?check_code={wrong}"),
                    &d.till,
                )
                .await;
            assert_eq!(s, StatusCode::NOT_FOUND);
        }
        let (status, body) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00000003?check_code={right}"),
                &d.till,
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
        );
        // Guesses sent in parallel are checked one at a time: the limit holds.
        let guesser = t.till_key(t.hq, "T09").await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let (http, base, key) = (t.http.clone(), t.base.clone(), guesser.clone());
            tasks.push(tokio::spawn(async move {
                http.get(format!(
                    "{base}/api/v1/pos/vouchers/00000003?check_code={:06}",
                    900_000 + i
                ))
                .bearer_auth(&key)
                .send()
                .await
                .expect("send")
                .status()
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.expect("task"));
        }
        let evaluated = statuses
            .iter()
            .filter(|s| **s != StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(evaluated, 5, "{statuses:?}");
        // Another till is not held up; the first one is free again a minute later.
        let other = t.till_key(t.hq, "T02").await;
        let (status, _) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00000003?check_code={right}"),
                &other,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        t.clock.advance(chrono::Duration::seconds(61));
        let (status, _) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00000003?check_code={right}"),
                &d.till,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // Unsold and expired vouchers are refused with their codes.
        let (status, body) = redeem(&t, &d, 15, "R-1").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_not_sold"))
        );
        goto(&t, "2031-01-01T10:00:00");
        let (status, body) = redeem(&t, &d, 5, "R-2").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::GONE, Some("voucher_expired"))
        );
        // E12: the expired, unused voucher is exchanged at the desk for a new one of the same
        // face value; the till takes the new one and refuses the old.
        ok(&t, "/api/v1/groupbuy/series", &d.cashier, json!({"code": "S31", "name": "新券", "face_value": "100", "expires_on": "2035-12-31", "count": "5"})).await;
        requisition(&t, &d, &[("100", 5)], "21-25").await;
        stamp(&t, &d, "21-25").await;
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/exchanges",
                &d.clerk,
                json!({"store_code": "HQ", "old_serial": "00000005", "new_serial": "00000021"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["face_value_fen"], 10_000);
        let (status, _) = redeem(&t, &d, 21, "R-3").await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = redeem(&t, &d, 5, "R-4").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_void"))
        );
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/exchanges",
                &d.clerk,
                json!({"store_code": "HQ", "old_serial": "00000005", "new_serial": "00000022"}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_state")),
            "exchanged once only"
        );
        let check = patron::areas::groupbuy::check::verify(&t.app.db)
            .await
            .expect("check");
        assert!(check.ok(), "{check:?}");
        t.stop().await;
    }
);

both!(
    ten_thousand_concurrent_redeems_of_a_hundred_vouchers_succeed_a_hundred_times,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        requisition(&t, &d, &[("100", 100)], "1-100").await;
        stamp(&t, &d, "1-100").await;
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            cash(
                with(
                    sale(person("李"), "cash", &[("1-100", "", "")]),
                    real_name(),
                ),
                "10000",
            ),
        )
        .await;
        let key = t.app.secrets.voucher_key;
        let tills: Vec<String> = {
            let mut v = Vec::new();
            for i in 0..10 {
                v.push(t.till_key(t.hq, &format!("C{i:02}")).await);
            }
            v
        };
        let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(400));
        let mut tasks = Vec::new();
        for i in 0..10_000usize {
            let serial = Serial(i64::try_from(i % 100).unwrap_or(0) + 1);
            let (http, base, till, gate) = (
                t.http.clone(),
                t.base.clone(),
                tills[i % 10].clone(),
                gate.clone(),
            );
            let code = check_code(&key, serial);
            tasks.push(tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.expect("permit");
                let res = http
                    .post(format!("{base}/api/v1/pos/vouchers/{serial}/redeem"))
                    .bearer_auth(&till)
                    .json(&json!({"store_code": "HQ", "receipt_no": format!("CR-{i}"), "check_code": code}))
                    .send()
                    .await
                    .expect("send");
                let status = res.status();
                let body: Value = res.json().await.expect("json");
                (status, body)
            }));
        }
        let (mut used, mut refused) = (0, 0);
        for task in tasks {
            let (status, body) = task.await.expect("task");
            match status {
                StatusCode::OK => used += 1,
                StatusCode::CONFLICT => {
                    assert_eq!(body["code"], "voucher_used");
                    refused += 1;
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        eprintln!(
            "10,000 concurrent redeems of 100 vouchers: {used} succeeded, {refused} refused as used"
        );
        assert_eq!((used, refused), (100, 9_900));
        assert_eq!(count_in(&t, "redeemed").await, 100);
        assert_eq!(
            t.scalar(
                "select count(*) from voucher_movements where kind = 'redeem' and $1 = $1",
                0
            )
            .await,
            100
        );
        let check = patron::areas::groupbuy::check::verify(&t.app.db)
            .await
            .expect("check");
        assert!(check.ok(), "{check:?}");
        t.stop().await;
    }
);

both!(
    a_till_cashier_checks_a_voucher_and_a_member_at_the_console_while_the_till_is_down,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 20).await;
        requisition(&t, &d, &[("100", 20)], "1-20").await;
        stamp(&t, &d, "1-20").await;
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            cash(sale(person("李"), "cash", &[("1-10", "", "")]), "1000"),
        )
        .await;
        let (_, card) = t.add_member("钱多多", "13700001234", "").await;
        t.add_staff("till.wu", &[("till_cashier", t.hq)], false)
            .await;
        let b = t.login("till.wu").await;
        // The dashboard leads to the stand-in page; the page says what it is for.
        let home = b.get("/").await;
        assert!(home.body.contains("href=\"/till\""), "{}", home.body);
        let page = b.get("/till").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("收银台故障时"));
        // A sold voucher with its code: usable, face value and validity shown; nothing used.
        let code = check_code(&t.app.secrets.voucher_key, Serial(3));
        let res = b
            .post(
                "/till",
                "/till",
                &[
                    ("store", "HQ"),
                    ("serial", "00000003"),
                    ("check_code", &code),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert!(res.body.contains("可以使用") && res.body.contains("¥100.00"));
        assert_eq!(count_in(&t, "sold").await, 10, "a check uses nothing");
        // A stamped, unsold voucher cannot be used; a wrong code is refused in words.
        let unsold = check_code(&t.app.secrets.voucher_key, Serial(15));
        let res = b
            .post(
                "/till",
                "/till",
                &[
                    ("store", "HQ"),
                    ("serial", "00000015"),
                    ("check_code", &unsold),
                ],
            )
            .await;
        assert!(res.body.contains("不能使用") && res.body.contains("已盖章待售"));
        let wrong = if code == "000000" { "000001" } else { "000000" };
        let res = b
            .post(
                "/till",
                "/till",
                &[
                    ("store", "HQ"),
                    ("serial", "00000003"),
                    ("check_code", wrong),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("id=\"voucher-refused\""), "{}", res.body);
        assert!(!res.body.contains("voucher_not_found"));
        // A member by card and by phone (full-width digits as an IME types them).
        let res = b
            .post(
                "/till",
                "/till",
                &[("store", "HQ"), ("card_or_phone", &card)],
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert!(res.body.contains("钱*") && res.body.contains("积分余额"));
        let res = b
            .post(
                "/till",
                "/till",
                &[("store", "HQ"), ("card_or_phone", "１３７００００１２３４")],
            )
            .await;
        assert!(res.body.contains(&card), "{}", res.body);
        let res = b
            .post(
                "/till",
                "/till",
                &[("store", "HQ"), ("card_or_phone", "9999999999")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("id=\"member-refused\""));
        // A clerk without the permission is refused the page.
        t.add_staff("clerk.li", &[("clerk", t.hq)], false).await;
        let clerk = t.login("clerk.li").await;
        assert_eq!(clerk.get("/till").await.status, StatusCode::FORBIDDEN);
        t.stop().await;
    }
);
