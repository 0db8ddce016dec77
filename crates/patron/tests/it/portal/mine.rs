//! The member's own pages: reward slips and thresholds, marketing consent per channel honoured
//! by an event invitation, the data download, and the close request reaching the desk.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{
    PASSWORD, TestApp, day, give_points, hq_token, ok, set_portal_password, spawn_app,
};

async fn slip(t: &TestApp, key: &str, card: &str) -> String {
    let out = ok(
        t,
        "/api/v1/rewards/slips",
        key,
        json!({"store_code": "HQ", "card_no": card, "id_checked": true, "id_type": "id_card", "id_last4": "1234"}),
    )
    .await;
    out["slip_no"].as_str().expect("slip_no").to_string()
}

both!(
    the_member_sees_slips_thresholds_and_downloads_their_data,
    |backend| async move {
        let t = spawn_app(backend).await;
        let clerk = hq_token(&t, "pt_clerk", "clerk").await;
        let (id, card) = t.add_member("返礼会员", "13700004444", "1985-05-05").await;
        give_points(&t, id, 9_000).await;
        let no = slip(&t, &clerk, &card).await;
        // 9,000 − 8,000 taken by the slip = 1,000: 4,000 missing for the 5,000 threshold.
        set_portal_password(&t, id).await;
        let b = t.portal_login(&card, PASSWORD).await;
        let page = b.get("/portal/slips").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&no), "{}", page.body);
        assert!(page.body.contains("待领取"), "{}", page.body);
        assert!(page.body.contains("各门店领奖处"));
        let next = page
            .body
            .split("id=\"next-threshold\"")
            .nth(1)
            .unwrap_or("");
        assert!(next.contains("5,000") && next.contains("4,000"), "{next}");
        assert!(
            page.text_of("card-month")
                .is_some_and(|m| m.starts_with("2027-"))
        );
        // English.
        let en = t.browser();
        en.get("/portal/login?lang=en").await;
        en.portal_login(&card, PASSWORD).await;
        let page = en.get("/portal/slips").await;
        assert!(page.body.contains("To be claimed"), "{}", page.body);
        // The download: a readable file with the profile, the points history, the slip.
        let res = b
            .client
            .get(format!("{}/portal/my-data.txt", b.base))
            .send()
            .await
            .expect("GET");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap_or("")
                .starts_with("attachment")
        );
        let text = res.text().await.expect("text");
        for want in ["返礼会员", "1985-05-05", &card, &no, "积分明细", "-8,000"] {
            assert!(text.contains(want), "{want} missing in:\n{text}");
        }
        assert!(!text.contains("13700004444"), "the phone stays masked");
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from audit_log where action = $1",
                "portal.data_download"
            )
            .await,
            1
        );
        t.stop().await;
    }
);

both!(
    an_sms_opt_out_in_the_portal_holds_for_an_invitation_already_queued,
    |backend| async move {
        let t = spawn_app(backend).await;
        let planner = hq_token(&t, "pt_marketing", "marketing").await;
        let manager = hq_token(&t, "pt_manager", "manager").await;
        let (out_id, out_card) = t.add_member("退订会员", "13700005555", "").await;
        let (in_id, _) = t.add_member("订阅会员", "13700006666", "").await;
        for id in [out_id, in_id] {
            t.exec(
                "update members set marketing_consent = true where id = $1",
                id,
            )
            .await;
        }
        let event = ok(
            &t,
            "/api/v1/events",
            &planner,
            json!({
                "store_code": "HQ", "theme": "会员专场", "kind": "member_sale",
                "starts_at": "2026-10-20T14:00", "ends_at": "2026-10-20T17:00",
                "place": "一楼中庭", "content": "专场", "capacity": "100",
                "budget": "1000", "points": "0", "analysis_weeks": "2",
                "signup_opens": "2026-10-01T10:00",
                "tiers": [{"code": "normal", "offset_days": "0"}],
            }),
        )
        .await["id"]
            .as_i64()
            .expect("id");
        let approval = ok(
            &t,
            &format!("/api/v1/events/{event}/submit"),
            &planner,
            json!({}),
        )
        .await["approval_id"]
            .as_i64()
            .expect("approval");
        ok(
            &t,
            &format!("/api/v1/events/approvals/{approval}"),
            &manager,
            json!({"decision": "approve"}),
        )
        .await;
        ok(
            &t,
            &format!("/api/v1/events/{event}/invite"),
            &planner,
            json!({}),
        )
        .await;
        // After the invitation was queued, the member says no to marketing by SMS.
        set_portal_password(&t, out_id).await;
        let b = t.portal_login(&out_card, PASSWORD).await;
        let res = b
            .post(
                "/portal/consent",
                "/portal/privacy",
                &[("channel", "sms"), ("consent", "no")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let page = b.get("/portal/privacy").await;
        assert!(page.body.contains("id=\"opt-in-sms\""), "{}", page.body);
        assert!(page.body.contains("会员网站"), "the source is shown");
        patron::app::jobs::run(&t.app, "outbox-send", day("2026-09-25"), None)
            .await
            .expect("send");
        let state = |id: i64| {
            let db = t.app.db.clone();
            async move {
                let s: (String, Option<String>) = patron::on_db!(db, |p| {
                    sqlx::query_as(
                        "select status, last_error from outbox where member_id = $1 and kind = 'event_invite'",
                    )
                    .bind(id)
                    .fetch_one(p)
                    .await
                    .expect("invitation")
                });
                s
            }
        };
        assert_eq!(
            state(out_id).await,
            ("skipped".into(), Some("opted out".into()))
        );
        assert_eq!(state(in_id).await.0, "sent");
        // The answer is recorded with date and source; e-mail keeps the application's answer.
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from marketing_consents where member_id = $1 and channel = 'sms' and consent = false and source = 'portal'",
                out_id
            )
            .await,
            1
        );
        t.stop().await;
    }
);

both!(
    a_close_request_from_the_portal_reaches_the_desk,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("pt_desk", &[("clerk", t.hq)], false).await;
        let (id, card) = t.add_member("注销会员", "13700007777", "").await;
        set_portal_password(&t, id).await;
        let b = t.portal_login(&card, PASSWORD).await;
        // Without the tick: refused, nothing asked.
        let res = b
            .post("/portal/close", "/portal/privacy", &[("reason", "搬家")])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        for _ in 0..2 {
            let res = b
                .post(
                    "/portal/close",
                    "/portal/privacy",
                    &[("reason", "搬家"), ("confirm", "yes")],
                )
                .await;
            assert_eq!(res.status, StatusCode::SEE_OTHER);
        }
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from portal_close_requests where member_id = $1",
                id
            )
            .await,
            1,
            "one open request, however often asked"
        );
        assert!(b.get("/portal/privacy").await.body.contains("close-open"));
        // The desk: a notice in the inbox, linking to the list; the request on the list.
        let desk = t.login("pt_desk").await;
        let inbox = desk.get("/inbox").await;
        assert!(inbox.body.contains("会员申请注销账户"), "{}", inbox.body);
        assert!(inbox.body.contains("/portal-requests"), "{}", inbox.body);
        let list = desk.get("/portal-requests").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body.contains("注销会员") && list.body.contains("搬家"),
            "{}",
            list.body
        );
        assert!(list.body.contains(&format!("/members/{id}")));
        let rid = t
            .scalar(
                "select id from portal_close_requests where member_id = $1",
                id,
            )
            .await;
        let res = desk
            .post(
                &format!("/portal-requests/{rid}/handled"),
                "/portal-requests",
                &[("note", "已电话确认，已提交注销审批")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let handled = desk.get("/portal-requests?state=handled").await;
        assert!(handled.body.contains("已电话确认"), "{}", handled.body);
        // Handled twice: refused.
        let res = desk
            .post(
                &format!("/portal-requests/{rid}/handled"),
                "/portal-requests",
                &[("note", "再次")],
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        t.stop().await;
    }
);
