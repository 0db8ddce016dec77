//! The console in a real headless Chromium: log in, change the first password, switch
//! language, see the dashboard, log out (tests/browser/login_flow.mjs, playwright-core).

use crate::both;
use crate::support::{PASSWORD, browser_skipped, run_browser_flow, spawn_app};

both!(
    login_password_language_dashboard_logout_in_chromium,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        let (_, one_time) = t
            .add_staff("browser.user", &[("manager", t.hq)], true)
            .await;
        let stdout = run_browser_flow(
            "login_flow.mjs",
            &[
                ("BASE_URL", &t.base),
                ("LOGIN", "browser.user"),
                ("PASSWORD", &one_time),
                ("NEW_PASSWORD", "Lantern-Festival-88"),
            ],
        )
        .await;
        assert!(stdout.contains("browser: login flow ok"), "{stdout}");
        t.stop().await;
    }
);

both!(
    member_search_member_page_and_adjustment_approval_in_chromium,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        t.add_staff("desk.clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("desk.boss", &[("supervisor", t.hq)], false)
            .await;
        t.add_member("顾客甲", "13877776666", "").await;
        let stdout = run_browser_flow(
            "member_flow.mjs",
            &[
                ("BASE_URL", &t.base),
                ("CLERK", "desk.clerk"),
                ("SUPERVISOR", "desk.boss"),
                ("PASSWORD", PASSWORD),
                ("PHONE", "13877776666"),
                ("NAME", "顾客甲"),
            ],
        )
        .await;
        assert!(stdout.contains("browser: member flow ok"), "{stdout}");
        t.stop().await;
    }
);

both!(
    a_cheque_sale_from_reception_to_release_in_chromium,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        let d = crate::groupbuy::desk(&t).await;
        crate::groupbuy::series(&t, &d, "B26", "500", 100).await;
        crate::groupbuy::requisition(&t, &d, &[("500", 100)], "1-100").await;
        crate::groupbuy::stamp(&t, &d, "1-100").await;
        let stdout = run_browser_flow(
            "cheque_flow.mjs",
            &[
                ("BASE_URL", &t.base),
                ("CLERK", "gb_clerk"),
                ("PASSWORD", PASSWORD),
                ("RANGE", "00000001-00000010"),
            ],
        )
        .await;
        assert!(stdout.contains("browser: cheque flow ok"), "{stdout}");
        assert_eq!(
            t.scalar(
                "select count(*) from vouchers where state = 'sold' and store_id = $1",
                t.hq
            )
            .await,
            10
        );
        t.stop().await;
    }
);

both!(
    two_screens_watch_one_rotation_board_in_chromium,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        for n in 1..=3 {
            t.add_staff(&format!("rep{n}"), &[("clerk", t.hq)], false)
                .await;
        }
        t.add_staff("floor.boss", &[("supervisor", t.hq)], false)
            .await;
        patron::areas::rotation::set_team(
            &t.ctx(),
            "floor",
            &patron::areas::rotation::TeamIn {
                representatives: vec!["rep1".into(), "rep2".into(), "rep3".into()],
                store: "HQ".into(),
                reason: String::new(),
            },
        )
        .await
        .expect("team");
        let stdout = run_browser_flow(
            "rotation_board.mjs",
            &[
                ("BASE_URL", &t.base),
                ("USER", "floor.boss"),
                ("PASSWORD", PASSWORD),
                ("TEAM", "floor"),
            ],
        )
        .await;
        assert!(stdout.contains("browser: rotation board ok"), "{stdout}");
        t.stop().await;
    }
);

both!(
    an_advisor_completes_a_care_call_in_chromium,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        let c = crate::care::setup(&t).await;
        crate::care::buy(&t, &c, "C-1", "2026-09-25T16:30:00+08:00", 800_000).await;
        crate::support::goto(&t, "2026-10-26T10:00:00");
        crate::care::run_job(&t).await;
        let stdout = run_browser_flow(
            "care_flow.mjs",
            &[
                ("BASE_URL", &t.base),
                ("ADVISOR", "adv.one"),
                ("PASSWORD", PASSWORD),
                ("MEMBER", "钱铂金"),
            ],
        )
        .await;
        assert!(stdout.contains("browser: care flow ok"), "{stdout}");
        let done = t
            .scalar(
                "select count(*) from care_tasks where member_id = $1 and state = 'done' and outcome = 'reached'",
                c.member_id,
            )
            .await;
        assert_eq!(done, 1);
        t.stop().await;
    }
);

both!(
    portal_sms_code_slips_opt_out_and_download_at_390_px_in_chromium,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        let clerk = crate::support::hq_token(&t, "br_clerk", "clerk").await;
        let (id, card) = t.add_member("网站会员", "13700001212", "").await;
        crate::support::give_points(&t, id, 6_000).await;
        // The member said yes to marketing on the application; the flow opts out of SMS.
        t.exec(
            "update members set marketing_consent = true where id = $1",
            id,
        )
        .await;
        let slip = crate::support::ok(
            &t,
            "/api/v1/rewards/slips",
            &clerk,
            serde_json::json!({"store_code": "HQ", "card_no": card, "id_checked": true, "id_type": "id_card", "id_last4": "1234"}),
        )
        .await["slip_no"]
            .as_str()
            .expect("slip")
            .to_string();
        let port = t.base.rsplit(':').next().unwrap_or("0").to_string();
        let code_file = std::env::temp_dir().join(format!("patron-portal-code-{port}.txt"));
        let _ = std::fs::remove_file(&code_file);
        // The code comes by SMS: read it from the outbox when it is queued and hand it over.
        let watcher = {
            let (db, code_file) = (t.app.db.clone(), code_file.clone());
            tokio::spawn(async move {
                for _ in 0..300 {
                    let payload: Option<String> = patron::on_db!(db, |p| {
                        sqlx::query_scalar(
                            "select payload from outbox where member_id = $1 and kind = 'portal_code'",
                        )
                        .bind(id)
                        .fetch_optional(p)
                        .await
                        .expect("outbox")
                    });
                    if let Some(p) = payload {
                        let v: serde_json::Value = serde_json::from_str(&p).expect("json");
                        std::fs::write(&code_file, v["code"].as_str().unwrap_or(""))
                            .expect("write");
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            })
        };
        let stdout = run_browser_flow(
            "portal_self_service.mjs",
            &[
                ("BASE_URL", &t.base),
                ("PHONE", "13700001212"),
                ("CODE_FILE", code_file.to_str().expect("path")),
                ("NEW_PASSWORD", "Magnolia-2026"),
                ("SLIP_NO", &slip),
            ],
        )
        .await;
        watcher.abort();
        let _ = std::fs::remove_file(&code_file);
        assert!(
            stdout.contains("browser: portal self-service ok"),
            "{stdout}"
        );
        t.stop().await;
    }
);
