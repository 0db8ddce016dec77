//! Claims at the reward desk: 20 desks claiming one slip, a claim at another store, one
//! refused for want of stock, and the desk in Chromium.

use reqwest::StatusCode;
use serde_json::json;

use super::{issue, stock};
use crate::both;
use crate::support::{
    PASSWORD, add_store, browser_skipped, give_points, hq_token, on_hand, run_browser_flow,
    spawn_app, token,
};

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
                    .json(&json!({"store_code": "HQ", "slip_no": no, "id_checked": true}))
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
                json!({"store_code": "HQ", "slip_no": slip_b, "id_checked": true}),
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
                json!({"store_code": "WFJ", "slip_no": slip_a, "id_checked": true}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Claimed at WFJ: the issuing store (HQ) is told through the outbox.
        stock(&t, wfj, "REWARD-200", 2).await;
        // Without the ID check nothing is handed over.
        let (s, out) = t
            .post(
                "/api/v1/rewards/claims",
                &wfj_desk,
                json!({"store_code": "WFJ", "slip_no": slip_a}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
        assert_eq!(out["errors"][0]["field"], json!("id_checked"), "{out}");
        let (s, out) = t
            .post(
                "/api/v1/rewards/claims",
                &wfj_desk,
                json!({"store_code": "wfj", "slip_no": slip_a.to_lowercase(), "id_checked": true}),
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
                json!({"store_code": "WFJ", "slip_no": slip_a, "id_checked": true}),
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
