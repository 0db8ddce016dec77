//! The console in a real headless Chromium: log in, change the first password, switch
//! language, see the dashboard, log out (tests/browser/login_flow.mjs, playwright-core).

use std::process::Command;

use crate::both;
use crate::support::spawn_app;

both!(
    login_password_language_dashboard_logout_in_chromium,
    |backend| async move {
        if std::env::var("PATRON_SKIP_BROWSER").is_ok_and(|v| v == "1")
            && std::env::var("CI").is_err()
        {
            eprintln!("PATRON_SKIP_BROWSER=1: browser test skipped (never in CI)");
            return;
        }
        let t = spawn_app(backend).await;
        let (_, one_time) = t
            .add_staff("browser.user", &[("manager", t.hq)], true)
            .await;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let shots = std::env::var("PATRON_SCREENSHOTS").ok();
        let mut cmd = Command::new("node");
        cmd.arg(root.join("tests/browser/login_flow.mjs"))
            .current_dir(&root)
            .env("BASE_URL", &t.base)
            .env("LOGIN", "browser.user")
            .env("PASSWORD", &one_time)
            .env("NEW_PASSWORD", "Lantern-Festival-88");
        if let Some(dir) = shots {
            cmd.env("SCREENSHOT_DIR", dir);
        }
        let out = tokio::task::spawn_blocking(move || cmd.output()).await.expect("join").expect(
        "node must be installed, with `npm ci` run in the repository root (bash .ci/run does both)",
    );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "browser flow failed:\n{stdout}\n{stderr}"
        );
        assert!(stdout.contains("browser: login flow ok"), "{stdout}");
        t.stop().await;
    }
);

both!(
    member_search_member_page_and_adjustment_approval_in_chromium,
    |backend| async move {
        if std::env::var("PATRON_SKIP_BROWSER").is_ok_and(|v| v == "1")
            && std::env::var("CI").is_err()
        {
            eprintln!("PATRON_SKIP_BROWSER=1: browser test skipped (never in CI)");
            return;
        }
        let t = spawn_app(backend).await;
        t.add_staff("desk.clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("desk.boss", &[("supervisor", t.hq)], false)
            .await;
        t.add_member("顾客甲", "13877776666", "").await;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut cmd = Command::new("node");
        cmd.arg(root.join("tests/browser/member_flow.mjs"))
            .current_dir(&root)
            .env("BASE_URL", &t.base)
            .env("CLERK", "desk.clerk")
            .env("SUPERVISOR", "desk.boss")
            .env("PASSWORD", crate::support::PASSWORD)
            .env("PHONE", "13877776666")
            .env("NAME", "顾客甲");
        if let Ok(dir) = std::env::var("PATRON_SCREENSHOTS") {
            cmd.env("SCREENSHOT_DIR", dir);
        }
        let out = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .expect("join")
            .expect("node must be installed, with `npm ci` run in the repository root");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "browser flow failed:\n{stdout}\n{stderr}"
        );
        assert!(stdout.contains("browser: member flow ok"), "{stdout}");
        t.stop().await;
    }
);

both!(
    a_cheque_sale_from_reception_to_release_in_chromium,
    |backend| async move {
        if std::env::var("PATRON_SKIP_BROWSER").is_ok_and(|v| v == "1")
            && std::env::var("CI").is_err()
        {
            eprintln!("PATRON_SKIP_BROWSER=1: browser test skipped (never in CI)");
            return;
        }
        let t = spawn_app(backend).await;
        let d = crate::groupbuy::desk(&t).await;
        crate::groupbuy::series(&t, &d, "B26", "500", 100).await;
        crate::groupbuy::requisition(&t, &d, &[("500", 100)], "1-100").await;
        crate::groupbuy::stamp(&t, &d, "1-100").await;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut cmd = Command::new("node");
        cmd.arg(root.join("tests/browser/cheque_flow.mjs"))
            .current_dir(&root)
            .env("BASE_URL", &t.base)
            .env("CLERK", "gb_clerk")
            .env("PASSWORD", crate::support::PASSWORD)
            .env("RANGE", "00000001-00000010");
        if let Ok(dir) = std::env::var("PATRON_SCREENSHOTS") {
            cmd.env("SCREENSHOT_DIR", dir);
        }
        let out = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .expect("join")
            .expect("node must be installed, with `npm ci` run in the repository root");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "browser flow failed:\n{stdout}\n{stderr}"
        );
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
