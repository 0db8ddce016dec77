//! The month-end reward list against an independently computed expectation, and 核分
//! catching a mismatch before the notice.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::set_card;
use crate::both;
use crate::support::{add_store, day, give_points, hq_token, spawn_app};

both!(
    month_end_list_matches_an_independent_expectation,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wfj = add_store(&t, "WFJ").await;
        // (balance, expiry, state, store) — a spread over the edges of every rule.
        let cases: Vec<(i64, &str, &str, i64)> = vec![
            (0, "2026-10-15", "active", t.hq),
            (4999, "2026-10-15", "active", t.hq),
            (5000, "2026-10-01", "active", t.hq),
            (7999, "2026-10-31", "active", wfj),
            (8000, "2026-10-20", "active", wfj),
            (9999, "2026-10-20", "issued", t.hq),
            (10000, "2026-10-20", "frozen", wfj),
            (14999, "2026-10-05", "active", t.hq),
            (15000, "2026-10-05", "active", wfj),
            (40000, "2026-10-31", "active", t.hq),
            (20000, "2026-09-30", "active", t.hq),
            (20000, "2026-11-01", "active", wfj),
            (20000, "2026-10-10", "closed", t.hq),
            (6000, "2026-10-10", "replaced", wfj),
            (12000, "2027-10-10", "active", t.hq),
        ];
        let thresholds = [5000_i64, 8000, 10000, 15000];
        let mut expected: Vec<(i64, i64, i64, i64, NaiveDate)> = Vec::new();
        for (i, (points, expires, state, store_id)) in cases.iter().enumerate() {
            let (member, card) = t
                .add_member(&format!("会员{i}"), &format!("1390000{i:04}"), "1980-05-05")
                .await;
            if *points > 0 {
                give_points(&t, member, *points).await;
            }
            set_card(&t, &card, *store_id, day(expires), state).await;
            // The expectation, computed here from the rule's words.
            let in_october = day(expires) >= day("2026-10-01") && day(expires) <= day("2026-10-31");
            let live = ["issued", "active", "frozen"].contains(state);
            let reached = thresholds.iter().rev().find(|th| *points >= **th);
            if let (true, true, Some(th)) = (in_october, live, reached) {
                expected.push((member, *store_id, *th, *points, day(expires)));
            }
        }
        expected.sort();
        let report = patron::app::jobs::run(&t.app, "reward-month-end", day("2026-09-30"), None)
            .await
            .expect("job");
        assert_eq!(report.processed as usize, expected.len());
        let list_id = t
            .scalar(
                "select id from reward_lists where month = '2026-10' and id > $1",
                0,
            )
            .await;
        let mut stored: Vec<(i64, i64, i64, i64, NaiveDate)> = patron::on_db!(t.app.db, |p| {
            sqlx::query_as(
            "select member_id, store_id, threshold_points, points, card_expires_on from reward_list_rows where list_id = $1",
        )
        .bind(list_id)
        .fetch_all(p)
        .await
        .expect("rows")
        });
        stored.sort();
        assert_eq!(stored, expected);
        assert_eq!(expected.len(), 8, "the cases list eight members");
        // Run again (job and by hand): nothing more is stored.
        let again = patron::app::jobs::run(&t.app, "reward-month-end", day("2026-09-30"), None)
            .await
            .expect("job");
        assert!(again.already_done);
        let by_hand = patron::areas::rewards::lists::build_month_end(&t.ctx(), day("2026-09-15"))
            .await
            .expect("by hand");
        assert!(by_hand.already_built);
        assert_eq!(by_hand.rows as usize, expected.len());
        let per_store: i64 = by_hand
            .per_store
            .iter()
            .filter(|(c, _)| c == "WFJ")
            .map(|(_, n)| n)
            .sum();
        let wfj_expected = expected.iter().filter(|e| e.1 == wfj).count() as i64;
        assert_eq!(per_store, wfj_expected);
        assert_eq!(wfj_expected, 4);
        t.stop().await;
    }
);

both!(
    verification_catches_a_mismatch_and_notice_needs_it,
    |backend| async move {
        let t = spawn_app(backend).await;
        let clerk = hq_token(&t, "rw_clerk", "clerk").await;
        let (good, good_card) = t.add_member("甲", "13900001111", "1980-01-01").await;
        let (bad, bad_card) = t.add_member("乙", "13900002222", "1980-01-01").await;
        give_points(&t, good, 9000).await;
        give_points(&t, bad, 9000).await;
        set_card(&t, &good_card, t.hq, day("2026-10-10"), "active").await;
        set_card(&t, &bad_card, t.hq, day("2026-10-11"), "active").await;
        let (s, list) = t
            .post(
                "/api/v1/rewards/month-end",
                &clerk,
                json!({"date": "2026-09-30"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let id = list["list_id"].as_i64().expect("list");
        // The balance is changed behind the ledger's back.
        t.exec(
            "update members set points_balance = points_balance + 500 where id = $1",
            bad,
        )
        .await;
        let (s, ok) = t
            .post(
                &format!("/api/v1/rewards/lists/{id}/rows/{good}/check"),
                &clerk,
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(ok["ok"], json!(true), "{ok}");
        let (_, mismatch) = t
            .post(
                &format!("/api/v1/rewards/lists/{id}/rows/{bad}/check"),
                &clerk,
                json!({}),
            )
            .await;
        assert_eq!(mismatch["ok"], json!(false), "{mismatch}");
        assert_eq!(mismatch["ledger_sum"], json!(9000));
        assert_eq!(mismatch["balance"], json!(9500));
        // The notice waits for a 核分 that agreed.
        let (s, _) = t
            .post(
                &format!("/api/v1/rewards/lists/{id}/rows/{bad}/notice"),
                &clerk,
                json!({"how": "phone"}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (s, out) = t
            .post(
                &format!("/api/v1/rewards/lists/{id}/rows/{good}/notice"),
                &clerk,
                json!({"how": "carrier pigeon"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
        let (s, _) = t
            .post(
                &format!("/api/v1/rewards/lists/{id}/rows/{good}/notice"),
                &clerk,
                json!({"how": "sms", "note": "本周六来"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (_, rows) = t
            .get_json(&format!("/api/v1/rewards/lists/{id}/rows"), &clerk)
            .await;
        let rows = rows.as_array().expect("rows");
        let row = |m: i64| {
            rows.iter()
                .find(|r| r["member_id"] == json!(m))
                .expect("row")
        };
        assert_eq!(row(good)["check_ok"], json!(true));
        assert_eq!(row(good)["notice_how"], json!("sms"));
        assert!(row(good)["checked_by_name"].as_str().is_some());
        assert_eq!(row(bad)["check_ok"], json!(false));
        assert_eq!(row(bad)["notice_how"], Value::Null);
        t.stop().await;
    }
);

both!(
    the_information_department_at_head_office_sees_every_stores_members_at_a_threshold,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wfj = add_store(&t, "WFJ").await;
        t.add_staff("info", &[("information", t.hq)], false).await;
        t.add_staff("desk", &[("clerk", t.hq)], false).await;
        let (hq_member, _) = t.add_member("总店会员", "13900000901", "").await;
        let (wfj_member, wfj_card) = t.add_member("王府井会员", "13900000902", "").await;
        give_points(&t, hq_member, 5_000).await;
        give_points(&t, wfj_member, 8_000).await;
        set_card(&t, &wfj_card, wfj, day("2027-09-25"), "active").await;
        // The information department serves the whole chain: both stores' members, with the
        // store named.
        let info = t.login("info").await;
        let page = info.get("/rewards/at-threshold").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("总店会员") && page.body.contains("王府井会员"),
            "{}",
            page.body
        );
        assert!(page.body.contains("全连锁各门店的会员"));
        let csv = info.get("/rewards/at-threshold.csv").await;
        assert!(
            csv.body.contains("王府井会员") && csv.body.contains("WFJ"),
            "{}",
            csv.body
        );
        let print = info.get("/rewards/at-threshold/print").await;
        assert!(print.body.contains("王府井会员"), "{}", print.body);
        // A store's own desk still sees its own store's members only.
        let desk = t.login("desk").await;
        let own = desk.get("/rewards/at-threshold").await;
        assert!(own.body.contains("总店会员") && !own.body.contains("王府井会员"));
        t.stop().await;
    }
);
