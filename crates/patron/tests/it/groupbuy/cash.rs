//! Cash at the group-buy desk (E5): the money counted against the vouchers' total, the three
//! seals checked, and cash not paid in to finance by day close flagged the next morning.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{cash, desk, movements, person, requisition, sale, series, stamp, with};
use crate::both;
use crate::support::{TestApp, goto, ok, spawn_app};

async fn nothing_written(t: &TestApp, movements_before: i64) {
    assert_eq!(movements(t).await, movements_before);
    for sql in [
        "select count(*) + 0 * $1 from gb_sales",
        "select count(*) + 0 * $1 from gb_buyers",
        "select count(*) + 0 * $1 from gb_journal where kind = 'sale'",
    ] {
        assert_eq!(t.scalar(sql, 0).await, 0, "{sql}");
    }
}

both!(
    a_cash_sale_needs_the_money_counted_and_the_three_seals_checked,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        requisition(&t, &d, &[("100", 100)], "1-100").await;
        stamp(&t, &d, "1-100").await;
        let before = movements(&t).await;
        let ten = || sale(person("李女士"), "cash", &[("1-10", "", "")]);
        // ¥900 counted for ¥1,000 of vouchers: refused, the field named, nothing written.
        let (status, body) = t
            .post("/api/v1/groupbuy/sales", &d.clerk, cash(ten(), "900"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "cash_count_mismatch");
        assert_eq!(body["errors"][0]["field"], "counted");
        let detail = body["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("¥900.00")
                && detail.contains("¥1,000.00")
                && detail.contains("short by ¥100.00"),
            "{detail}"
        );
        nothing_written(&t, before).await;
        // Nothing counted, and the date seal not checked: both fields named.
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/sales",
                &d.clerk,
                with(ten(), json!({"seals": {"name": true, "activity": true}})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "validation");
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(fields, ["counted", "seals.date"], "{body}");
        // The right amount with one seal missing is still refused.
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/sales",
                &d.clerk,
                with(
                    ten(),
                    json!({"counted": "1000", "seals": {"name": true, "date": true}}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "seals.activity");
        nothing_written(&t, before).await;
        // Counted right, typed with a Chinese input method: sold, and recorded.
        let out = ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            cash(ten(), "１，０００"),
        )
        .await;
        let id = out["sale_id"].as_i64().expect("sale id");
        assert_eq!(
            t.scalar("select counted_fen from gb_sales where id = $1", id)
                .await,
            100_000
        );
        let clerk = t.login("gb_clerk").await;
        let page = clerk.get(&format!("/groupbuy/sales/{id}")).await;
        assert_eq!(page.text_of("counted").as_deref(), Some("¥1,000.00"));
        assert_eq!(
            page.text_of("seals-checked").as_deref(),
            Some("三章齐全（人名章、活动章、日期章）")
        );
        // The printed cash journal and the deposit slip show the count and the seals.
        let paper = clerk.get("/groupbuy/report.print").await.body;
        assert!(
            paper.contains("售券 现金 10 张（已付券；点收 ¥1,000.00，三章齐全）"),
            "{paper}"
        );
        let slip = clerk
            .post(
                "/groupbuy/deposits",
                "/groupbuy/sales",
                &[("store_code", "HQ"), ("kind", "cash")],
            )
            .await
            .location
            .expect("to the slip");
        let slip = clerk.get(&slip).await.body;
        assert!(
            slip.contains("<th class=\"num\">点收金额</th>") && slip.contains("三章齐全"),
            "{slip}"
        );
        t.stop().await;
    }
);

both!(
    the_sale_screen_refuses_a_wrong_count_in_the_clerks_words,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        requisition(&t, &d, &[("100", 100)], "1-100").await;
        stamp(&t, &d, "1-100").await;
        let before = movements(&t).await;
        let clerk = t.login("gb_clerk").await;
        let form = |counted: &'static str, date_seal: bool| {
            let mut f = vec![
                ("store_code", "HQ"),
                ("buyer.kind", "person"),
                ("buyer.contact", "李女士"),
                ("buyer.phone", "13812345678"),
                ("payment", "cash"),
                ("lines[0].range", "1-10"),
                ("counted", counted),
                ("seals.name", "1"),
                ("seals.activity", "1"),
            ];
            if date_seal {
                f.push(("seals.date", "1"));
            }
            f
        };
        let page = clerk
            .post(
                "/groupbuy/sales",
                "/groupbuy/sales/new",
                &form("1100", true),
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            page.text_of("form-error").as_deref(),
            Some(
                "点收现金 ¥1,100.00，所售券合计 ¥1,000.00，多 ¥100.00。请与客户当面重新清点后再售券。"
            )
        );
        assert!(
            page.body.contains("value=\"1100\""),
            "the count is re-shown"
        );
        assert!(page.body.contains("与所售券金额不符"));
        assert!(
            page.body
                .contains("id=\"seals.date\" name=\"seals.date\" value=\"1\" checked")
        );
        // A seal not checked: the seal is named under its box.
        let page = clerk
            .post(
                "/groupbuy/sales",
                "/groupbuy/sales/new",
                &form("1000", false),
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.body.contains("未核对：券上须盖有此章才能售出"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("seals.date:"), "no field paths");
        nothing_written(&t, before).await;
        // In English on an English page.
        clerk.post("/account/lang", "/", &[("lang", "en")]).await;
        let page = clerk
            .post(
                "/groupbuy/sales",
                "/groupbuy/sales/new",
                &form("1100", true),
            )
            .await;
        assert_eq!(
            page.text_of("form-error").as_deref(),
            Some(
                "Cash counted ¥1,100.00, vouchers total ¥1,000.00: over by ¥100.00. Count the money again with the buyer."
            )
        );
        nothing_written(&t, before).await;
        t.stop().await;
    }
);

fn unpaid(report: &Value) -> Vec<Value> {
    report["unpaid_cash"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

both!(
    cash_not_paid_in_by_day_close_is_flagged_the_next_morning,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        goto(&t, "2026-09-28T10:00:00");
        requisition(&t, &d, &[("100", 100)], "1-100").await;
        stamp(&t, &d, "1-100").await;
        let sell = |range: &'static str, counted: &'static str| {
            let (t, key) = (&t, d.clerk.clone());
            async move {
                ok(
                    t,
                    "/api/v1/groupbuy/sales",
                    &key,
                    cash(sale(person("李女士"), "cash", &[(range, "", "")]), counted),
                )
                .await["sale_no"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            }
        };
        // 28 Sept: sold and paid in the same day; 29 Sept: two sales, never paid in.
        sell("1-10", "1000").await;
        ok(
            &t,
            "/api/v1/groupbuy/deposits",
            &d.clerk,
            json!({"store_code": "HQ", "kind": "cash"}),
        )
        .await;
        goto(&t, "2026-09-29T11:00:00");
        let a = sell("11-20", "1000").await;
        let b = sell("21-25", "500").await;
        let daily = |date: &'static str| {
            let (t, key) = (&t, d.clerk.clone());
            async move {
                let (status, r) = t
                    .get_json(
                        &format!("/api/v1/groupbuy/reports/daily?store_code=HQ&date={date}"),
                        &key,
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{r}");
                r
            }
        };
        // The same day nothing is flagged: the day has not closed.
        assert!(unpaid(&daily("2026-09-29").await).is_empty());
        let supervisor = t.login("gb_super").await;
        assert!(
            !supervisor
                .get("/groupbuy/report")
                .await
                .body
                .contains("unpaid-cash")
        );
        // The next morning the supervisor sees the day, its sales and the amount.
        goto(&t, "2026-09-30T08:30:00");
        // (a new day: the console sessions of yesterday have ended)
        let supervisor = t.login("gb_super").await;
        let flagged = unpaid(&daily("2026-09-30").await);
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        assert_eq!(flagged[0]["date"], "2026-09-29");
        assert_eq!(flagged[0]["amount_fen"], 150_000);
        assert_eq!(flagged[0]["sales"], json!([a, b]));
        assert_eq!(flagged[0]["paid_on"], Value::Null);
        let line = format!("2026-09-29：现金售券 2 笔，共 ¥1,500.00（{a}, {b}），仍未交");
        let page = supervisor.get("/groupbuy/report").await.body;
        assert!(
            page.contains("现金未按时交财务") && page.contains(&line),
            "{page}"
        );
        // The desk's sales page says it too, where the cash is paid in.
        let clerk = t.login("gb_clerk").await;
        assert!(clerk.get("/groupbuy/sales").await.body.contains(&line));
        // Paid in late: the day's report says when; the next day has no flag.
        let slip = ok(
            &t,
            "/api/v1/groupbuy/deposits",
            &d.clerk,
            json!({"store_code": "HQ", "kind": "cash"}),
        )
        .await;
        let no = slip["deposit_no"].as_str().unwrap_or_default().to_string();
        let flagged = unpaid(&daily("2026-09-30").await);
        assert_eq!(flagged[0]["paid_on"], "2026-09-30");
        let page = supervisor.get("/groupbuy/report").await.body;
        assert!(
            page.contains(&format!("已于 2026-09-30 补交（{no}）")),
            "{page}"
        );
        goto(&t, "2026-10-01T08:30:00");
        let supervisor = t.login("gb_super").await;
        assert!(unpaid(&daily("2026-10-01").await).is_empty());
        assert!(
            !supervisor
                .get("/groupbuy/report")
                .await
                .body
                .contains("unpaid-cash")
        );
        // In English.
        supervisor
            .post("/account/lang", "/", &[("lang", "en")])
            .await;
        let page = supervisor
            .get("/groupbuy/report?date=2026-09-30")
            .await
            .body;
        assert!(
            page.contains(&format!(
                "2026-09-29: 2 cash sales, ¥1,500.00 ({a}, {b}), paid in late on 2026-09-30 ({no})"
            )),
            "{page}"
        );
        t.stop().await;
    }
);
