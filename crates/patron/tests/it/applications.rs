//! Applications (SPEC B2–B5, C1, C5) through the console: eligibility, one receipt per card,
//! four-eyes review, rejection and resubmission, card issue in sequence, the opening receipt
//! earning nothing, referral points, the printable form.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::spawn_app;

fn form<'a>(
    name: &'a str,
    phone: &'a str,
    receipt: &'a str,
    amount: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("store_code", "HQ"),
        ("name", name),
        ("phone", phone),
        ("id_type", "resident_card"),
        ("id_no", ""),
        ("channel", "desk"),
        ("receipt_no", receipt),
        ("receipt_amount", amount),
    ]
}

both!(
    an_application_is_checked_reviewed_by_someone_else_and_issues_the_card,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("agent", &[("service", t.hq)], false).await;
        let key = t.till_key(t.hq, "01").await;
        let (referrer_id, referrer_card) = t.add_member("老会员", "13900000001", "").await;
        let clerk = t.login("clerk").await;
        // ¥999.99 is below the store's ¥1,000.
        let low = clerk
            .post(
                "/members/apply",
                "/members/apply",
                &form("新会员", "13900000002", "R-100", "999.99"),
            )
            .await;
        assert_eq!(low.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(low.body.contains("未达到本店办卡条件"));
        assert!(
            low.body.contains("value=\"13900000002\""),
            "the input is kept"
        );
        // An existing member's phone is refused, naming them.
        let dup = clerk
            .post(
                "/members/apply",
                "/members/apply",
                &form("冒名", "13900000001", "R-101", "1000"),
            )
            .await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup.body.contains("老会员"), "{}", dup.body);
        let mut f = form("新会员", "13900000002", "R-100", "1,000.00");
        f.push(("referrer_card_no", referrer_card.as_str()));
        let ok = clerk.post("/members/apply", "/members/apply", &f).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        // The same receipt cannot qualify a second card.
        let again = clerk
            .post(
                "/members/apply",
                "/members/apply",
                &form("另一人", "13900000003", "R-100", "2000"),
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("该小票已用于办卡"));
        let app_id = t
            .scalar("select max(id) from member_applications where $1 > 0", 1)
            .await;
        // The clerk cannot review their own application.
        let own = clerk
            .post(
                &format!("/members/applications/{app_id}/review"),
                &format!("/members/applications/{app_id}"),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(own.status, StatusCode::FORBIDDEN);
        let agent = t.login("agent").await;
        let page = agent.get(&format!("/members/applications/{app_id}")).await;
        assert!(page.body.contains("139****0002") && !page.body.contains("13900000002"));
        let print = agent
            .get(&format!("/members/applications/{app_id}/print"))
            .await;
        assert!(print.body.contains("会员申请表") && print.body.contains("R-100"));
        let approved = agent
            .post(
                &format!("/members/applications/{app_id}/review"),
                &format!("/members/applications/{app_id}"),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(approved.status, StatusCode::SEE_OTHER);
        let member_id = t
            .scalar(
                "select member_id from member_applications where id = $1",
                app_id,
            )
            .await;
        // Issued in sequence at HQ (the referrer took the first number), not yet active.
        let (card_no, state): (String, String) = patron::on_db!(t.app.db, |p| {
            sqlx::query_as("select card_no, state from cards where member_id = $1")
                .bind(member_id)
                .fetch_one(p)
                .await
                .expect("card")
        });
        assert_eq!((card_no.as_str(), state.as_str()), ("HQ00000002", "issued"));
        assert_eq!(
            t.scalar(
                "select count(*) from outbox where kind = 'welcome' and member_id = $1",
                member_id
            )
            .await,
            1
        );
        // Referral points for the referrer (the new member's tier: 100).
        assert_eq!(
            t.scalar(
                "select points_balance from members where id = $1",
                referrer_id
            )
            .await,
            100
        );
        // Handed over: activated; the card-opening receipt earns nothing, the next one does.
        let path = format!("/members/{member_id}");
        clerk
            .post(&format!("{path}/card"), &path, &[("action", "activate")])
            .await;
        let (_, r) = t
            .post("/api/v1/pos/receipts", &key, json!({"store_code": "HQ", "receipt_no": "R-100", "card_no": card_no,
                "occurred_at": "2026-09-25T16:00:00+08:00", "lines": [{"line_no": 1, "amount_fen": 100_000}]}))
            .await;
        assert_eq!(r["points_awarded"], 0, "{r}");
        let (_, r) = t
            .post("/api/v1/pos/receipts", &key, json!({"store_code": "HQ", "receipt_no": "R-200", "card_no": card_no,
                "occurred_at": "2026-09-25T16:30:00+08:00", "lines": [{"line_no": 1, "amount_fen": 100_000}]}))
            .await;
        assert_eq!(r["points_awarded"], 1000);
        t.stop().await;
    }
);

both!(
    a_rejected_application_is_corrected_and_resubmitted_and_designated_counters_have_their_threshold,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("agent", &[("service", t.hq)], false).await;
        t.exec("insert into card_rules (store_id, min_receipt_fen, counter_min_fen, counters) values ($1, 100000, 80000, 'JESSIE,J2')", t.hq).await;
        let clerk = t.login("clerk").await;
        let mut f = form("杰西", "13900000010", "J-1", "800");
        f.push(("counter", "jessie"));
        let ok = clerk.post("/members/apply", "/members/apply", &f).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let id = t.scalar("select max(id) from member_applications where $1 > 0", 1).await;
        let agent = t.login("agent").await;
        let path = format!("/members/applications/{id}");
        let no_reason = agent.post(&format!("{path}/review"), &path, &[("decision", "reject"), ("reason", " ")]).await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        let rejected = agent.post(&format!("{path}/review"), &path, &[("decision", "reject"), ("reason", "姓名需与证件一致")]).await;
        assert_eq!(rejected.status, StatusCode::SEE_OTHER);
        let queue = clerk.get("/members/applications").await;
        assert!(queue.body.contains("姓名需与证件一致"));
        // The correction form comes back filled in; the receipt is free again.
        let again = clerk.get(&format!("/members/apply?from={id}")).await;
        assert!(again.body.contains("value=\"J-1\""));
        let mut f = form("杰西卡", "13900000010", "J-1", "800");
        f.push(("counter", "JESSIE"));
        let prev = id.to_string();
        f.push(("previous", prev.as_str()));
        let resubmitted = clerk.post("/members/apply", "/members/apply", &f).await;
        assert_eq!(resubmitted.status, StatusCode::SEE_OTHER, "{}", resubmitted.body);
        let new_id = t.scalar("select max(id) from member_applications where $1 > 0", 1).await;
        assert_ne!(new_id, id);
        assert_eq!(t.scalar("select count(*) from member_applications where status = 'resubmitted' and id = $1", id).await, 1);
        let path = format!("/members/applications/{new_id}");
        let approved = agent.post(&format!("{path}/review"), &path, &[("decision", "approve")]).await;
        assert_eq!(approved.status, StatusCode::SEE_OTHER);
        assert_eq!(t.scalar("select count(*) from members where name = '杰西卡' and $1 > 0", 1).await, 1);
        t.stop().await;
    }
);

both!(
    a_phone_registered_while_the_application_waited_is_named_on_review,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("agent", &[("service", t.hq)], false).await;
        let clerk = t.login("clerk").await;
        let ok = clerk
            .post(
                "/members/apply",
                "/members/apply",
                &form("排队者", "13900000444", "R-444", "1000"),
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let app_id = t
            .scalar("select max(id) from member_applications where $1 > 0", 1)
            .await;
        // Meanwhile the same phone was registered at the desk.
        let (holder, _) = t.add_member("抢先登记", "13900000444", "").await;
        let agent = t.login("agent").await;
        let path = format!("/members/applications/{app_id}");
        let refused = agent
            .post(&format!("{path}/review"), &path, &[("decision", "approve")])
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(
            refused
                .body
                .contains(&format!("该手机号已属于会员 抢先登记（#{holder}）")),
            "{}",
            refused.body
        );
        assert!(!refused.body.contains("belongs to"), "no English");
        assert_eq!(
            t.scalar(
                "select count(*) from member_applications where id = $1 and status = 'submitted'",
                app_id
            )
            .await,
            1,
            "the application stays to be rejected or corrected"
        );
        t.stop().await;
    }
);
