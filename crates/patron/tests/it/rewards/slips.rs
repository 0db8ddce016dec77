//! Reward slips: points taken in the slip's own transaction (nothing on refusal), and a slip
//! that expires with its points given back or not by the rule.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use super::{issue, ledger, slip_body, slips_count, stock};
use crate::both;
use crate::support::{balance, day, give_points, hq_token, on_hand, spawn_app};

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
    let today = patron::kernel::dates::business_date(t.app.clock.now(), chrono_tz::Asia::Shanghai);
    assert_eq!(today, day("2026-12-26"));
    let r = patron::app::jobs::run(&t.app, "reward-slips-expiry", today, None)
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
    let again = patron::app::jobs::run(&t.app, "reward-slips-expiry", today, None)
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
            json!({"store_code": "HQ", "slip_no": no, "id_checked": true}),
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
