//! The console: the board with its running clocks and the top-tier flag, the intake form refused
//! and re-shown in Chinese, a case taken through its steps by forms, the member page's section,
//! the analysis with its xlsx and print view, the case library, the settings page, and one
//! browser flow from intake to callback.

use reqwest::StatusCode;
use serde_json::json;

use super::{desk, take};
use crate::both;
use crate::support::{PASSWORD, browser_skipped, goto, run_browser_flow, spawn_app};

both!(
    a_refused_intake_form_is_shown_again_in_chinese_and_nothing_is_written,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("desk_zh", &[("service", t.hq)], false).await;
        let b = t.login("desk_zh").await;
        let page = b.get("/complaints").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("登记投诉"));
        let p = b
            .post(
                "/complaints",
                "/complaints",
                &[
                    ("channel", "hotline"),
                    ("complainant", "王女士"),
                    ("content", ""),
                    ("category", "service"),
                    ("wants", "道歉"),
                    ("card_no", ""),
                    ("phone", "12345"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("王女士"), "what was typed is kept");
        assert!(
            p.body.contains("field invalid"),
            "the bad fields are marked"
        );
        assert!(p.body.contains("必填"), "{}", p.body);
        assert_eq!(
            t.scalar("select count(*) from complaints where id > $1", 0)
                .await,
            0
        );
    }
);

both!(
    the_board_shows_running_clocks_and_flags_a_top_tier_member,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = desk(&t).await;
        let (member, card) = t.add_member("白金客", "13911112222", "1975-01-02").await;
        t.exec(
            "update members set tier_code = 'platinum' where id = $1",
            member,
        )
        .await;
        let c = take(&t, &key, json!({"card_no": card, "complainant": "白金客"})).await;
        assert_eq!(c["top_tier"], true);
        let id = c["id"].as_i64().expect("id");
        t.add_staff("mgr", &[("manager", t.hq)], false).await;
        let b = t.login("mgr").await;
        let board = b.get("/complaints/board").await;
        assert_eq!(board.status, StatusCode::OK);
        assert!(board.body.contains(&format!("data-id=\"{id}\"")));
        assert!(board.body.contains("白金会员"), "{}", board.body);
        assert!(board.body.contains("data-clock=\"acknowledge\""));
        assert!(!board.body.contains("class=\"late\""), "nothing late yet");
        goto(&t, "2026-09-25T17:06:00");
        let board = b.get("/complaints/board").await;
        assert!(board.body.contains("class=\"late\""), "past due turns red");

        // The member page loads the member's complaints.
        let section = b.get(&format!("/complaints/member/{member}")).await;
        assert!(
            section.body.contains(&format!("/complaints/{id}")),
            "{}",
            section.body
        );
        let page = b.get(&format!("/members/{member}")).await;
        assert!(page.body.contains("member-complaints"));

        // The case page steps by forms: acknowledge, route, answer, resolve, callback.
        let case = format!("/complaints/{id}");
        let p = b.post(&format!("{case}/acknowledge"), &case, &[]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let p = b
            .post(&format!("{case}/route"), &case, &[("department", "")])
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("必填"));
        b.post(&format!("{case}/route"), &case, &[("department", "hr")])
            .await;
        b.post(&format!("{case}/answer"), &case, &[("plan", "约谈当事人")])
            .await;
        b.post(&format!("{case}/resolve"), &case, &[("result", "已致歉")])
            .await;
        b.post(
            &format!("{case}/callback"),
            &case,
            &[("satisfied", "yes"), ("remarks", "满意")],
        )
        .await;
        b.post(
            &format!("{case}/typical"),
            &case,
            &[("typical", "on"), ("note", "及时致歉")],
        )
        .await;
        let page = b.get(&case).await;
        assert_eq!(page.text_of("case-state").as_deref(), Some("已结案"));
        let lib = b.get("/complaints/library?q=致歉").await;
        assert!(
            lib.body.contains(&format!("/complaints/{id}")),
            "{}",
            lib.body
        );

        // The month's analysis, its xlsx and print view; the settings page.
        let a = b.get("/complaints/analysis?store=HQ&month=2026-09").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(a.body.contains("客户投诉分析报告") && a.body.contains("data-chart"));
        assert!(
            a.body.contains("id=\"by-breach\"") && a.body.contains("受理"),
            "the late acknowledgement is counted"
        );
        let x = b
            .client
            .get(format!(
                "{}/complaints/analysis.xlsx?store=HQ&month=2026-09",
                t.base
            ))
            .send()
            .await
            .expect("xlsx");
        assert_eq!(x.status(), StatusCode::OK);
        assert!(x.bytes().await.expect("bytes").starts_with(b"PK"));
        let p = b
            .get("/complaints/analysis/print?store=HQ&month=2026-09")
            .await;
        assert_eq!(p.status, StatusCode::OK);
        let s = b.get("/admin/complaints").await;
        assert_eq!(s.status, StatusCode::OK);
        let p = b
            .post(
                "/admin/complaints/settings",
                "/admin/complaints",
                &[
                    ("acknowledge_minutes", "10"),
                    ("route_minutes", "30"),
                    ("plan_minutes", "60"),
                    ("result_minutes", "120"),
                    ("report_minutes", "10"),
                    ("resolve_minutes", "720"),
                    ("feedback_minutes", "1440"),
                    ("callback_minutes", "1440"),
                    ("escalate_days", "10"),
                    ("archive_months", "12"),
                ],
            )
            .await;
        assert_eq!(
            p.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "two years at least"
        );
        let c2 = take(&t, &key, json!({})).await;
        assert_eq!(
            c2["deadlines"]["acknowledge_by"], "2026-09-25T09:11:00Z",
            "unchanged: 5 min"
        );
    }
);

both!(
    a_complaint_goes_from_intake_to_callback_in_a_browser,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        t.add_staff("desk_b", &[("service", t.hq)], false).await;
        let out = run_browser_flow(
            "complaint_flow.mjs",
            &[
                ("BASE_URL", &t.base),
                ("USER", "desk_b"),
                ("PASSWORD", PASSWORD),
            ],
        )
        .await;
        assert!(out.contains("browser: complaint flow ok"), "{out}");
        let closed = t
            .scalar_text("select count(*) from complaints where state = $1", "closed")
            .await;
        assert_eq!(closed, 1);
    }
);
