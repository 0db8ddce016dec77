//! The plan form in the console re-shown with its errors, and the approval through the inbox.

use reqwest::StatusCode;

use crate::both;
use crate::support::spawn_app;

both!(
    console_plan_form_reshows_errors_and_approval_goes_through_the_inbox,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("ev_planner", &[("marketing", t.hq)], false)
            .await;
        t.add_staff("ev_boss", &[("manager", t.hq)], false).await;
        let b = t.login("ev_planner").await;
        let form = b.get("/events/new").await;
        assert_eq!(form.status, StatusCode::OK);
        let bad = b
            .post(
                "/events",
                "/events/new",
                &[
                    ("store_code", "HQ"),
                    ("theme", ""),
                    ("kind", "launch"),
                    ("starts_at", "2026-10-20T14:00"),
                    ("ends_at", "2026-10-20T13:00"),
                    ("place", "三楼会员之家"),
                    ("capacity", "abc"),
                    ("signup_opens", "2026-10-01T10:00"),
                    ("tier.gold", "on"),
                    ("offset.gold", "0"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("三楼会员之家"), "typed input is kept");
        assert!(bad.body.contains("结束时间须晚于开始时间"), "{}", bad.body);
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from events where id > $1",
                0
            )
            .await,
            0,
            "nothing written"
        );
        let good = b
            .post(
                "/events",
                "/events/new",
                &[
                    ("store_code", "HQ"),
                    ("theme", "会员专场"),
                    ("kind", "member_sale"),
                    ("starts_at", "2026-10-20T14:00"),
                    ("ends_at", "2026-10-20T18:00"),
                    ("place", "三楼会员之家"),
                    ("capacity", "30"),
                    ("budget", "2000"),
                    ("points", "20"),
                    ("signup_opens", "2026-10-01T10:00"),
                    ("tier.gold", "on"),
                    ("offset.gold", "0"),
                    ("tier.silver", "on"),
                    ("offset.silver", "1"),
                ],
            )
            .await;
        assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
        let to = good.location.expect("location");
        let id: i64 = to
            .trim_start_matches("/events/")
            .split('?')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("id");
        let sub = b
            .post(
                &format!("/events/{id}/submit"),
                &format!("/events/{id}"),
                &[],
            )
            .await;
        assert_eq!(sub.status, StatusCode::SEE_OTHER);
        let approval = t
            .scalar("select approval_id from events where id = $1", id)
            .await;
        let boss = t.login("ev_boss").await;
        let inbox = boss.get("/approvals").await;
        assert!(
            inbox.body.contains(&format!("EV{id}")),
            "the plan waits in the inbox"
        );
        let res = boss
            .post(
                &format!("/approvals/{approval}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert!(res.status.is_redirection(), "{} {}", res.status, res.body);
        let page = b.get(&format!("/events/{id}")).await;
        assert_eq!(page.text_of("event-state").as_deref(), Some("已批准"));
        // The door's check-in form answers an htmx request with the fragment, even on refusal.
        let checkin = b.get(&format!("/events/{id}/checkin")).await;
        assert_eq!(checkin.status, StatusCode::OK);
        let res = b
            .client
            .post(format!("{}/events/{id}/checkin", b.base))
            .header("HX-Request", "true")
            .form(&[("_csrf", checkin.csrf().as_str()), ("card_no", "NOPE")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap_or_default();
        assert!(
            body.contains("checkin-result") && body.contains("flash error"),
            "{body}"
        );
        t.stop().await;
    }
);
