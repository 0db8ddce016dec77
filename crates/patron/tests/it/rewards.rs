//! Threshold rewards and the reward desk (SPEC D1–D5) through the real server: the month-end
//! list against an independently computed expectation, 核分 catching a mismatch, slips that
//! take points in their own transaction (and nothing on refusal), a slip that expires (points
//! back or not by the rule), 20 desks claiming one slip at once, a claim at another store and a
//! claim refused for want of stock; and a reward desk in Chromium.

use chrono::{Duration, NaiveDate};
use patron::areas::rewards::gifts::{Movement, put_in};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{
    PASSWORD, TestApp, add_store, balance, browser_skipped, day, give_points, hq_token, on_hand,
    run_browser_flow, spawn_app, token,
};

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

async fn stock(t: &TestApp, store_id: i64, code: &'static str, qty: i64) {
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

async fn issue(t: &TestApp, key: &str, card: &str, store: &str) -> String {
    let (s, out) = t
        .post("/api/v1/rewards/slips", key, slip_body(card, store))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{out}");
    out["slip_no"].as_str().expect("slip no").to_string()
}

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
        let report = patron::jobs::run(&t.app, "reward-month-end", day("2026-09-30"), None)
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
        let again = patron::jobs::run(&t.app, "reward-month-end", day("2026-09-30"), None)
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
    slip_takes_points_in_its_transaction_and_nothing_on_refusal,
    |backend| async move {
        let t = spawn_app(backend).await;
        let clerk = hq_token(&t, "rw_clerk", "clerk").await;
        let (member, card) = t.add_member("丙", "13900003333", "1980-01-01").await;
        give_points(&t, member, 9000).await;
        let entries = ledger(&t, member).await.len();
        // No ID check confirmed: refused, nothing written.
        let mut body = slip_body(&card, "HQ");
        body["id_checked"] = json!(false);
        let (s, out) = t.post("/api/v1/rewards/slips", &clerk, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
        assert!(out.to_string().contains("id_checked"), "{out}");
        // Too few points for the threshold asked: refused, nothing written.
        let mut body = slip_body(&card, "HQ");
        body["threshold"] = json!("10000");
        let (s, out) = t.post("/api/v1/rewards/slips", &clerk, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
        assert_eq!(out["code"], json!("insufficient_points"), "{out}");
        assert_eq!(balance(&t, member).await, 9000);
        assert_eq!(ledger(&t, member).await.len(), entries);
        assert_eq!(slips_count(&t).await, 0);
        // Made: the highest threshold reached (8,000) is taken with the slip.
        let (s, out) = t
            .post("/api/v1/rewards/slips", &clerk, slip_body(&card, "HQ"))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{out}");
        let no = out["slip_no"].as_str().expect("no").to_string();
        assert!(no.starts_with("FLHQ20260925-"), "{no}");
        assert_eq!(out["points"], json!(8000));
        assert_eq!(out["gift_code"], json!("REWARD-500"));
        assert_eq!(out["valid_until"], json!("2026-12-25"));
        assert_eq!(balance(&t, member).await, 1000);
        let last = ledger(&t, member).await.pop().expect("entry");
        assert_eq!(last, ("reward".to_string(), -8000, no.clone()));
        // A second slip: 1,000 points reach no threshold.
        let (s, _) = t
            .post("/api/v1/rewards/slips", &clerk, slip_body(&card, "HQ"))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(slips_count(&t).await, 1);
        // A reward-desk user may not make slips.
        let desk = hq_token(&t, "rw_desk", "reward_desk").await;
        let (s, _) = t
            .post("/api/v1/rewards/slips", &desk, slip_body(&card, "HQ"))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        t.stop().await;
    }
);

/// Makes a slip, moves the clock past its validity and runs the expiry job.
async fn expire_story(backend: crate::support::Backend, give_back: bool) {
    let t = spawn_app(backend).await;
    let clerk = hq_token(&t, "rw_clerk", "clerk").await;
    let desk = hq_token(&t, "rw_desk", "reward_desk").await;
    let manager = hq_token(&t, "rw_boss", "manager").await;
    let (s, _) = patron::areas::rewards::settings::save(
        &t.ctx(),
        &patron::areas::rewards::settings::SettingsForm {
            thresholds: "5000 REWARD-200\n8000 REWARD-500\n10000 REWARD-800\n15000 REWARD-1380"
                .into(),
            slip_valid_months: "3".into(),
            follow_up_months: "1".into(),
            return_points_on_expiry: give_back,
        },
    )
    .await
    .map(|_| (StatusCode::OK, ()))
    .expect("settings");
    assert_eq!(s, StatusCode::OK);
    stock(&t, t.hq, "REWARD-200", 3).await;
    let (member, card) = t.add_member("丁", "13900004444", "1980-01-01").await;
    give_points(&t, member, 6000).await;
    let no = issue(&t, &clerk, &card, "HQ").await;
    assert_eq!(balance(&t, member).await, 1000);
    // A follow-up in the last month before it lapses.
    let (s, out) = t
        .post(
            &format!("/api/v1/rewards/slips/{no}/follow-ups"),
            &clerk,
            json!({"how": "phone", "result": "未接通"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    // The last valid day (2026-12-25) passes; the job runs on the 26th.
    t.clock.advance(Duration::days(92));
    let today = patron::areas::points::business_date(t.app.clock.now(), chrono_tz::Asia::Shanghai);
    assert_eq!(today, day("2026-12-26"));
    let r = patron::jobs::run(&t.app, "reward-slips-expiry", today, None)
        .await
        .expect("job");
    assert_eq!(r.processed, 1);
    let state: String = patron::on_db!(t.app.db, |p| {
        sqlx::query_scalar("select state from reward_slips where slip_no = $1")
            .bind(&no)
            .fetch_one(p)
            .await
            .expect("state")
    });
    assert_eq!(state, "expired");
    let last = ledger(&t, member).await.pop().expect("entry");
    if give_back {
        assert_eq!(balance(&t, member).await, 6000);
        assert_eq!(last, ("reward_return".to_string(), 5000, no.clone()));
    } else {
        assert_eq!(balance(&t, member).await, 1000);
        assert_eq!(last.0, "reward");
    }
    // Idempotent: again by the job and directly.
    let again = patron::jobs::run(&t.app, "reward-slips-expiry", today, None)
        .await
        .expect("job");
    assert!(again.already_done);
    let direct = patron::areas::rewards::slips::expire_due(&t.ctx(), today)
        .await
        .expect("direct");
    assert_eq!(direct.processed, 0);
    assert_eq!(
        ledger(&t, member)
            .await
            .iter()
            .filter(|e| e.0 == "reward_return")
            .count(),
        usize::from(give_back)
    );
    // The claim is refused; no gift leaves.
    let (s, out) = t
        .post(
            "/api/v1/rewards/claims",
            &desk,
            json!({"store_code": "HQ", "slip_no": no}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{out}");
    assert_eq!(on_hand(&t, t.hq, "REWARD-200").await, 3);
    // An expired slip cannot be extended either.
    let (s, _) = t
        .post(
            &format!("/api/v1/rewards/slips/{no}/extend"),
            &manager,
            json!({"valid_until": "2027-03-31", "reason": "特殊情况"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    t.stop().await;
}

both!(
    slip_expires_and_points_come_back_by_rule,
    |backend| async move {
        expire_story(backend, true).await;
    }
);

both!(
    slip_expires_and_points_stay_taken_by_rule,
    |backend| async move {
        expire_story(backend, false).await;
    }
);

both!(
    twenty_desks_claim_one_slip_exactly_one_wins,
    |backend| async move {
        let t = spawn_app(backend).await;
        let clerk = hq_token(&t, "rw_clerk", "clerk").await;
        let mut desks = Vec::new();
        for i in 0..4 {
            desks.push(hq_token(&t, &format!("rw_desk{i}"), "reward_desk").await);
        }
        stock(&t, t.hq, "REWARD-800", 5).await;
        let (member, card) = t.add_member("戊", "13900005555", "1980-01-01").await;
        give_points(&t, member, 10500).await;
        let no = issue(&t, &clerk, &card, "HQ").await;
        let mut tasks = Vec::new();
        let started = std::time::Instant::now();
        for i in 0..20 {
            let (http, base, key, no) = (
                reqwest::Client::new(),
                t.base.clone(),
                desks[i % desks.len()].clone(),
                no.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let res = http
                    .post(format!("{base}/api/v1/rewards/claims"))
                    .bearer_auth(key)
                    .json(&json!({"store_code": "HQ", "slip_no": no}))
                    .send()
                    .await
                    .expect("claim");
                res.status()
            }));
        }
        let mut won = 0;
        let mut refused = 0;
        for task in tasks {
            match task.await.expect("join") {
                StatusCode::OK => won += 1,
                StatusCode::CONFLICT => refused += 1,
                other => panic!("unexpected answer {other}"),
            }
        }
        eprintln!(
            "rewards: 20 parallel claims of one slip: {won} won, {refused} refused in {:?}",
            started.elapsed()
        );
        assert_eq!((won, refused), (1, 19));
        assert_eq!(on_hand(&t, t.hq, "REWARD-800").await, 4);
        let moved = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar::<_, i64>(
            "select CAST(COUNT(*) AS BIGINT) from gift_movements where doc_kind = 'slip' and doc_no = $1",
        )
        .bind(&no)
        .fetch_one(p)
        .await
        .expect("moves")
        });
        assert_eq!(moved, 1);
        t.stop().await;
    }
);

both!(
    claim_elsewhere_notifies_and_out_of_stock_is_refused,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wfj = add_store(&t, "WFJ").await;
        let clerk = hq_token(&t, "rw_clerk", "clerk").await;
        let hq_desk = hq_token(&t, "rw_hq_desk", "reward_desk").await;
        let wfj_desk = token(&t, "rw_wfj_desk", &[("reward_desk", wfj)]).await;
        let (a, card_a) = t.add_member("己", "13900006666", "1980-01-01").await;
        let (b, card_b) = t.add_member("庚", "13900007777", "1980-01-01").await;
        give_points(&t, a, 5200).await;
        give_points(&t, b, 5300).await;
        let slip_a = issue(&t, &clerk, &card_a, "HQ").await;
        let slip_b = issue(&t, &clerk, &card_b, "HQ").await;
        // Out of stock at HQ: refused, nothing written.
        let (s, out) = t
            .post(
                "/api/v1/rewards/claims",
                &hq_desk,
                json!({"store_code": "HQ", "slip_no": slip_b}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{out}");
        assert_eq!(out["code"], json!("out_of_stock"), "{out}");
        let state: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select state from reward_slips where slip_no = $1")
                .bind(&slip_b)
                .fetch_one(p)
                .await
                .expect("state")
        });
        assert_eq!(state, "issued");
        // The HQ desk may not claim at WFJ.
        let (s, _) = t
            .post(
                "/api/v1/rewards/claims",
                &hq_desk,
                json!({"store_code": "WFJ", "slip_no": slip_a}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Claimed at WFJ: the issuing store (HQ) is told through the outbox.
        stock(&t, wfj, "REWARD-200", 2).await;
        let (s, out) = t
            .post(
                "/api/v1/rewards/claims",
                &wfj_desk,
                json!({"store_code": "wfj", "slip_no": slip_a.to_lowercase()}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{out}");
        assert_eq!(out["issuing_store_notified"], json!(true));
        assert_eq!(out["stock_left"], json!(1));
        let queued: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select payload from outbox where kind = 'reward_claimed_elsewhere'")
                .fetch_one(p)
                .await
                .expect("outbox")
        });
        assert!(
            queued.contains(&slip_a) && queued.contains("WFJ"),
            "{queued}"
        );
        let hq_list = patron::areas::rewards::slips::for_store(&t.app.db, t.hq, "")
            .await
            .expect("list");
        let row = hq_list
            .iter()
            .find(|r| r.slip_no == slip_a)
            .expect("on HQ's list");
        assert!(row.claimed_elsewhere());
        assert_eq!(row.claim_store_code.as_deref(), Some("WFJ"));
        // Claimed once: the second try is refused.
        let (s, _) = t
            .post(
                "/api/v1/rewards/claims",
                &wfj_desk,
                json!({"store_code": "WFJ", "slip_no": slip_a}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(on_hand(&t, wfj, "REWARD-200").await, 1);
        t.stop().await;
    }
);

both!(
    reward_desk_claims_a_slip_in_chromium,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        let clerk = hq_token(&t, "rw_clerk", "clerk").await;
        t.add_staff("desk.reward", &[("reward_desk", t.hq)], false)
            .await;
        stock(&t, t.hq, "REWARD-200", 2).await;
        let (member, card) = t.add_member("辛", "13900008888", "1980-01-01").await;
        give_points(&t, member, 5100).await;
        let no = issue(&t, &clerk, &card, "HQ").await;
        let stdout = run_browser_flow(
            "slip_claim.mjs",
            &[
                ("BASE_URL", &t.base),
                ("LOGIN", "desk.reward"),
                ("PASSWORD", PASSWORD),
                ("SLIP_NO", &no),
            ],
        )
        .await;
        assert!(stdout.contains("browser: slip claim ok"), "{stdout}");
        let state: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select state from reward_slips where slip_no = $1")
                .bind(&no)
                .fetch_one(p)
                .await
                .expect("state")
        });
        assert_eq!(state, "claimed");
        assert_eq!(on_hand(&t, t.hq, "REWARD-200").await, 1);
        t.stop().await;
    }
);
