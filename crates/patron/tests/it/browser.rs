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
