//! The reports of members, RFM segments and points (SPEC M1, M2, M5) through the real server:
//! the figures a manager reads match the records made through the till API, the files carry
//! numbers as numbers, a bad filter is re-shown in Chinese, a segment's members export in the
//! background with their progress, and `patron report` writes the same sheet.

use calamine::{Data, Reader};
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{Browser, TestApp, spawn_app};

async fn receipt(t: &TestApp, key: &str, card: &str, no: &str, fen: i64) {
    let (status, body) = t
        .post(
            "/api/v1/pos/receipts",
            key,
            json!({"store_code": "HQ", "receipt_no": no, "card_no": card,
                   "occurred_at": "2026-09-25T16:00:00+08:00",
                   "lines": [{"line_no": 1, "amount_fen": fen}]}),
        )
        .await;
    assert!(status.is_success(), "{body}");
}

async fn download(b: &Browser, t: &TestApp, path: &str) -> Vec<u8> {
    let res = b
        .client
        .get(format!("{}{path}", t.base))
        .send()
        .await
        .expect("download");
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.bytes().await.expect("body").to_vec()
}

fn sheet(bytes: Vec<u8>) -> Vec<Vec<Data>> {
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let range = wb
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range.rows().map(<[Data]>::to_vec).collect()
}

/// The number cell after the row that starts with `label` (the table's second column).
fn count_after(body: &str, label: &str) -> Option<i64> {
    let at = body.find(&format!(">{label}<"))?;
    let rest = &body[at..];
    let cell = rest.split_once("<td class=\"num\">")?.1.split_once('<')?.0;
    cell.replace(',', "").parse().ok()
}

/// Three members: one who buys often and much today, one who bought once, one who never did.
async fn three_members(t: &TestApp) -> (String, String, String) {
    let key = t.till_key(t.hq, "01").await;
    let (_, big) = t.add_member("常客", "13900000001", "").await;
    let (_, once) = t.add_member("新客", "13900000002", "").await;
    let (_, never) = t.add_member("沉睡", "13900000003", "").await;
    for i in 0..5 {
        receipt(t, &key, &big, &format!("R-B{i}"), 200_000).await;
    }
    receipt(t, &key, &once, "R-O1", 10_000).await;
    (big, once, never)
}

async fn make_figures(t: &TestApp) {
    let today = t.ctx().today();
    for job in ["reports-rfm", "reports-rollup"] {
        patron::app::jobs::run(&t.app, job, today, None)
            .await
            .expect(job);
    }
}

both!(
    reports_count_members_segments_and_points_as_the_records_say,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        three_members(&t).await;
        make_figures(&t).await;
        let b = t.login("boss").await;

        // RFM: the big buyer is a champion, the one-off a newcomer, the third dormant.
        let page = b.get("/reports/rfm").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(
            count_after(&page.body, "重要价值会员"),
            Some(1),
            "{}",
            page.body
        );
        assert_eq!(count_after(&page.body, "一般发展会员"), Some(1));
        assert_eq!(count_after(&page.body, "沉睡会员"), Some(1));
        assert!(page.body.contains("/reports/rfm/champion"));

        // Members by tier: three, two active, one dormant.
        let page = b.get("/reports/members?by=tier").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let total = page.body.split("<tfoot>").nth(1).expect("totals");
        assert!(
            total.contains(">3<") && total.contains(">2<") && total.contains(">1<"),
            "{total}"
        );

        // Points: after the roll-up another receipt; the report counts it all the same, and what
        // is outstanding is what the members hold.
        let key = t.till_key(t.hq, "02").await;
        let (_, late) = t.add_member("后来", "13900000004", "").await;
        receipt(&t, &key, &late, "R-L1", 30_000).await;
        let held = t
            .scalar(
                "select cast(sum(points_balance) as bigint) from members where id > $1",
                0,
            )
            .await;
        assert!(held > 0);
        let rows = sheet(download(&b, &t, "/reports/points/file?format=xlsx&by=month").await);
        let totals = rows.last().expect("a totals row");
        assert_eq!(totals[4], Data::Float(held as f64), "{rows:?}");
        // Worth 100 points = ¥10 by default: the liability in yuan as a number.
        assert_eq!(totals[8], Data::Float(held as f64 / 10.0), "{rows:?}");
        let csv = download(&b, &t, "/reports/members/file?format=csv&by=channel").await;
        assert!(csv.starts_with("\u{feff}".as_bytes()), "a BOM for Excel");

        // The print view repeats its header row: a thead, and the title.
        let print = b.get("/reports/members/print?by=store").await;
        assert!(print.body.contains("<thead>") && print.body.contains("会员统计"));

        // A bad period: the form again, in Chinese, with the reason.
        let bad = b
            .get("/reports/members?from=2026-09-30&to=2026-09-01")
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("结束日期不能早于开始日期"),
            "{}",
            bad.body
        );
        assert!(bad.body.contains("value=\"2026-09-30\""));

        // A clerk holds no report permission.
        let clerk = t.login("clerk").await;
        assert_eq!(
            clerk.get("/reports/members").await.status,
            StatusCode::FORBIDDEN
        );
        t.stop().await;
    }
);

both!(
    a_segments_members_export_in_the_background_with_their_progress,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        t.add_staff("other", &[("manager", t.hq)], false).await;
        let (big, ..) = three_members(&t).await;
        make_figures(&t).await;
        let b = t.login("boss").await;

        let list = b.get("/reports/rfm/champion").await;
        assert!(list.body.contains(&big), "the member's card is listed");
        let started = b
            .post(
                "/reports/rfm/champion/export",
                "/reports/rfm/champion",
                &[("format", "xlsx"), ("store", "")],
            )
            .await;
        assert_eq!(started.status, StatusCode::SEE_OTHER);
        let at = started.location.expect("the export's page");
        let mut done = false;
        for _ in 0..100 {
            let part = b.get(&format!("{at}/progress")).await;
            if part.body.contains("export-file") {
                done = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(done, "the export finished");
        let page = b.get(&at).await;
        assert!(page.body.contains("1 / 1"), "{}", page.body);
        let rows = sheet(download(&b, &t, &format!("{at}/file")).await);
        assert_eq!(rows.len(), 2, "the header and the one champion: {rows:?}");
        assert_eq!(rows[1][0], Data::String(big.clone()));
        assert_eq!(rows[1][7], Data::Float(5.0), "purchases as a number");
        assert_eq!(
            rows[1][8],
            Data::Float(10_000.0),
            "spend in yuan as a number"
        );

        // Another manager does not see someone else's export.
        let other = t.login("other").await;
        assert_eq!(other.get(&at).await.status, StatusCode::NOT_FOUND);
        t.stop().await;
    }
);

both!(
    patron_report_writes_the_sheet_the_console_shows,
    |backend| async move {
        let db = patron::kernel::db::testing::TestDb::new(backend)
            .await
            .expect("test db");
        let dir = db.dir.join("data");
        let mut init = vec!["init", "--store-code", "HQ"];
        let url = db.url.clone();
        if backend == crate::support::Backend::Postgres {
            init.extend(["--database-url", url.as_str()]);
        }
        let run = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_patron"))
                .arg("--dir")
                .arg(&dir)
                .args(args)
                .env_remove("PATRON_DATABASE_URL")
                .env("PATRON_LOG", "error")
                .output()
                .expect("run patron")
        };
        assert!(run(&init).status.success());
        let out_file = db.dir.join("members.csv");
        let out = run(&[
            "report",
            "members",
            "--by",
            "tier",
            "--format",
            "csv",
            "--out",
            out_file.to_str().expect("path"),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&out_file).expect("the file");
        assert!(text.starts_with('\u{feff}'), "a BOM");
        assert!(text.contains("会员等级") && text.contains("合计"), "{text}");
        let bad = run(&["report", "nothing"]);
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("members, rfm, points"));
    }
);

both!(
    rfm_breakpoints_are_set_in_the_console_and_move_members_between_segments,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        t.add_staff("analyst", &[("marketing", t.hq)], false).await;
        three_members(&t).await;
        make_figures(&t).await;
        let b = t.login("boss").await;

        // A bad breakpoint: the form again with what was typed, and nothing saved.
        let bad = b
            .post(
                "/admin/reports",
                "/admin/reports",
                &[
                    ("window_months", "12"),
                    ("recent_days", "九十"),
                    ("frequent_purchases", "4"),
                    ("high_spend_yuan", "5,000.00"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("请填写范围内的整数"), "{}", bad.body);
        assert!(bad.body.contains("value=\"九十\""));
        assert_eq!(
            t.scalar("select recent_days from report_settings where id = $1", 1)
                .await,
            90
        );

        // Ten purchases make a member frequent: the big buyer (five) is no longer a champion.
        let saved = b
            .post(
                "/admin/reports",
                "/admin/reports",
                &[
                    ("window_months", "12"),
                    ("recent_days", "90"),
                    ("frequent_purchases", "10"),
                    ("high_spend_yuan", "5,000.00"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = b.get("/reports/rfm").await;
        assert_eq!(
            count_after(&page.body, "重要价值会员"),
            Some(0),
            "{}",
            page.body
        );
        assert_eq!(count_after(&page.body, "重要发展会员"), Some(1));

        // Marketing reads the segments but does not set them.
        let m = t.login("analyst").await;
        assert_eq!(m.get("/reports/rfm").await.status, StatusCode::OK);
        assert_eq!(m.get("/admin/reports").await.status, StatusCode::FORBIDDEN);
        t.stop().await;
    }
);
