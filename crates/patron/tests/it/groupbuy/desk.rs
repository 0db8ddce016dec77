//! The sale desk as a clerk sees it: which serials are on hand, why the others cannot be sold,
//! and refusals said in the clerk's words (Chinese, or English on English pages).

use serde_json::json;

use super::{
    Desk, bank, cash, desk, org, person, real_name, redeem, requisition, sale, series, stamp, with,
};
use crate::both;
use crate::support::{TestApp, ok, spawn_app};

/// 110 vouchers of ¥100 printed; 1-100 handed to the desk, 1-60 stamped; 21-30 sold for cash
/// and 21-25 of them used at a till; 31-35 reserved for a cheque; 36-37 written off as damaged.
/// 101-110 are still at finance and 111 onwards were never printed.
async fn a_busy_desk(t: &TestApp) -> Desk {
    let d = desk(t).await;
    series(t, &d, "D26", "100", 110).await;
    requisition(t, &d, &[("100", 100)], "1-100").await;
    stamp(t, &d, "1-60").await;
    ok(
        t,
        "/api/v1/groupbuy/sales",
        &d.clerk,
        cash(sale(person("李女士"), "cash", &[("21-30", "", "")]), "1000"),
    )
    .await;
    for s in 21..=25 {
        let (status, body) = redeem(t, &d, s, &format!("POS-{s}")).await;
        assert!(status.is_success(), "{body}");
    }
    ok(
        t,
        "/api/v1/groupbuy/sales",
        &d.clerk,
        with(
            sale(org("某某公司"), "cheque", &[("31-35", "", "")]),
            bank(),
        ),
    )
    .await;
    let w = ok(
        t,
        "/api/v1/groupbuy/writeoffs",
        &d.clerk,
        json!({"store_code": "HQ", "kind": "damage", "ranges": "36-37", "reason": "柜台清点发现"}),
    )
    .await;
    let approval = t
        .scalar(
            "select approval_id from gb_writeoffs where id = $1",
            w["id"].as_i64().expect("id"),
        )
        .await;
    ok(
        t,
        &format!("/api/v1/groupbuy/approvals/{approval}"),
        &d.supervisor,
        json!({"decision": "approve"}),
    )
    .await;
    d
}

const CHECK_LINES: &[(&str, &str)] = &[
    ("store_code", "HQ"),
    ("buyer.kind", "person"),
    ("buyer.contact", "张先生"),
    ("buyer.phone", "13900001111"),
    ("payment", "cash"),
    ("lines[0].range", "1-5"),
    ("lines[1].range", "21-40"),
    ("lines[2].range", "58-70, 101-120"),
];

both!(
    the_sale_screen_says_which_serials_are_not_on_hand_and_why,
    |backend| async move {
        let t = spawn_app(backend).await;
        let _d = a_busy_desk(&t).await;
        let clerk = t.login("gb_clerk").await;
        let page = clerk
            .post("/groupbuy/sales/check", "/groupbuy/sales/new", CHECK_LINES)
            .await;
        assert!(page.status.is_success(), "{}", page.body);
        let body = page.body;
        assert!(
            !body.contains("符合预付卡规定，可以售券"),
            "never 'can be sold' while serials are not on hand: {body}"
        );
        for said in [
            "第 2 行 00000021-00000025（5 张）不能售出：已使用",
            "第 2 行 00000026-00000030（5 张）不能售出：已售出",
            "第 2 行 00000031-00000035（5 张）不能售出：已留给支票销售，等待到帐",
            "第 2 行 00000036-00000037（2 张）不能售出：已报损（损坏）",
            "第 3 行 00000061-00000070（10 张）不能售出：已领用但未盖活动章",
            "第 3 行 00000101-00000110（10 张）不能售出：仍在财务，尚未领用",
            "第 3 行 00000111-00000120（10 张）不能售出：没有这些券号（未印制）",
        ] {
            assert!(body.contains(said), "{said} in {body}");
        }
        assert!(!body.contains("00000038"), "38-40 are on hand: {body}");
        assert!(!body.contains("lines["), "no field paths: {body}");
        // Only serials on hand: the check says the sale may go ahead.
        let mut fields = vec![
            ("store_code", "HQ"),
            ("buyer.kind", "person"),
            ("buyer.contact", "张先生"),
            ("buyer.phone", "13900001111"),
            ("payment", "cash"),
            ("lines[0].range", "1-5, 38-40"),
        ];
        let good = clerk
            .post("/groupbuy/sales/check", "/groupbuy/sales/new", &fields)
            .await;
        assert!(
            good.body.contains("8 张") && good.body.contains("符合预付卡规定，可以售券"),
            "{}",
            good.body
        );
        // A bad field is named by its label, never by its path.
        fields[3] = ("buyer.phone", "12");
        let bad = clerk
            .post("/groupbuy/sales/check", "/groupbuy/sales/new", &fields)
            .await;
        assert!(
            bad.body.contains("联系电话：") && !bad.body.contains("buyer.phone:"),
            "{}",
            bad.body
        );
        // Submitted anyway: refused, nothing sold, the same reasons shown.
        let page = clerk
            .post("/groupbuy/sales", "/groupbuy/sales/new", CHECK_LINES)
            .await;
        assert_eq!(page.status.as_u16(), 422);
        assert!(
            page.body
                .contains("第 2 行 00000021-00000025（5 张）不能售出：已使用")
        );
        assert_eq!(
            t.scalar("select count(*) from gb_sales where store_id = $1", t.hq)
                .await,
            2
        );
        // In English on an English page.
        clerk.post("/account/lang", "/", &[("lang", "en")]).await;
        let page = clerk
            .post("/groupbuy/sales/check", "/groupbuy/sales/new", CHECK_LINES)
            .await;
        assert!(
            page.body
                .contains("Line 2, 00000021-00000025 (5): cannot be sold, already redeemed"),
            "{}",
            page.body
        );
        assert!(page.body.contains("still at finance, never handed over"));
        t.stop().await;
    }
);

both!(
    the_sale_screen_shows_the_ranges_on_hand_and_offers_them,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = a_busy_desk(&t).await;
        series(&t, &d, "E26", "500", 10).await;
        requisition(&t, &d, &[("500", 10)], "111-120").await;
        stamp(&t, &d, "111-120").await;
        let clerk = t.login("gb_clerk").await;
        let page = clerk.get("/groupbuy/sales/new").await;
        let body = page.body;
        assert!(body.contains("待售券号段"), "{body}");
        // By face value, then serial: what is stamped and held here, nothing else.
        let a = body
            .find("<td class=\"mono\">00000001-00000020</td>")
            .expect("1-20");
        let b = body
            .find("<td class=\"mono\">00000038-00000060</td>")
            .expect("38-60");
        let c = body
            .find("<td class=\"mono\">00000111-00000120</td>")
            .expect("111-120");
        assert!(a < b && b < c, "{body}");
        assert!(!body.contains(">00000021-") && !body.contains(">00000061-"));
        // Each range field offers them.
        assert!(body.contains("list=\"on-hand-ranges\""));
        assert!(body.contains("<option value=\"00000038-00000060\">"));
        // The ranges picked sell.
        let page = clerk
            .post(
                "/groupbuy/sales",
                "/groupbuy/sales/new",
                &[
                    ("store_code", "HQ"),
                    ("buyer.kind", "person"),
                    ("buyer.contact", "张先生"),
                    ("buyer.phone", "13900001111"),
                    ("payment", "cash"),
                    ("lines[0].range", "00000001-00000020"),
                    ("counted", "２０００"),
                    ("seals.name", "1"),
                    ("seals.activity", "1"),
                    ("seals.date", "1"),
                ],
            )
            .await;
        assert_eq!(page.status.as_u16(), 303, "{}", page.body);
        let body = clerk.get("/groupbuy/sales/new").await.body;
        assert!(!body.contains("<option value=\"00000001-00000020\">"));
        t.stop().await;
    }
);

both!(
    a_refused_range_is_said_in_the_clerks_words_with_its_numbers,
    |backend| async move {
        let t = spawn_app(backend).await;
        let _d = a_busy_desk(&t).await;
        let clerk = t.login("gb_clerk").await;
        let page = clerk
            .post(
                "/groupbuy/stamp",
                "/groupbuy",
                &[("store_code", "HQ"), ("ranges", "55-70")],
            )
            .await;
        assert_eq!(page.status.as_u16(), 422);
        assert!(
            page.body.contains(
                "券号 00000055-00000070 共 16 张，只有 10 张可以盖章（须为：已领未盖章）。其中 10 张已领未盖章；6 张已盖章待售。请核对券号后重新输入。"
            ),
            "{}",
            page.body
        );
        assert!(!page.body.contains("can be moved") && !page.body.contains("needs"));
        clerk.post("/account/lang", "/", &[("lang", "en")]).await;
        let page = clerk
            .post(
                "/groupbuy/stamp",
                "/groupbuy",
                &[("store_code", "HQ"), ("ranges", "55-70")],
            )
            .await;
        assert!(
            page.body.contains(
                "Serials 00000055-00000070: only 10 of 16 vouchers can be stamped (they must be: Received, not stamped). Of them 10 Received, not stamped; 6 Stamped, for sale."
            ),
            "{}",
            page.body
        );
        t.stop().await;
    }
);

both!(
    the_printed_cash_journal_holds_cash_and_lists_cheques_pending_apart,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "J26", "100", 100).await;
        series(&t, &d, "K26", "1000", 40).await;
        requisition(&t, &d, &[("100", 100), ("1000", 40)], "1-140").await;
        stamp(&t, &d, "1-140").await;
        // ¥2,000 in cash, and a ¥30,000 cheque that has not cleared.
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            cash(sale(person("李女士"), "cash", &[("1-20", "", "")]), "2000"),
        )
        .await;
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            with(
                with(
                    sale(
                        org("北京某某科技有限公司"),
                        "cheque",
                        &[("101-130", "", "")],
                    ),
                    bank(),
                ),
                real_name(),
            ),
        )
        .await;
        let clerk = t.login("gb_clerk").await;
        let paper = clerk.get("/groupbuy/report.print").await;
        assert_eq!(
            paper.text_of("closing-balance").as_deref(),
            Some("¥2,000.00"),
            "only the cash is cash on hand"
        );
        let pending = paper
            .body
            .split_once("id=\"cheques-pending\"")
            .and_then(|(_, rest)| rest.split_once("</table>"))
            .map(|(table, _)| table.to_string())
            .expect("待到帐支票");
        assert!(paper.body.contains("待到帐支票"));
        assert!(pending.contains("¥30,000.00") && pending.contains("北京某某科技有限公司"));
        assert!(pending.contains("转账支票") && pending.contains("00000101-00000130"));
        // Every row has as many cells as the header.
        for row in pending.split("<tr>").skip(1) {
            let cells = row.matches("<td").count() + row.matches("<th").count();
            assert_eq!(cells, 6, "{row}");
        }
        // The console's report: the same, with its headers.
        let page = clerk.get("/groupbuy/report").await.body;
        assert!(page.contains("<table class=\"list\" id=\"cheques-pending\"><thead>"));
        // The cash paid in: the slip names the payment by its word, not its code.
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
            slip.contains("<td>现金") && !slip.contains(">cash"),
            "{slip}"
        );
        let paper = clerk.get("/groupbuy/report.print").await;
        assert_eq!(paper.text_of("closing-balance").as_deref(), Some("¥0.00"));
        t.stop().await;
    }
);
