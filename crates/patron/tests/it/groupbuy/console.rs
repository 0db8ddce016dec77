//! The desk in the console: its pages, refused forms re-shown, and the paper forms it prints.

use reqwest::StatusCode;

use super::{bank, desk, movements, org, requisition, sale, series, stamp, with};
use crate::both;
use crate::support::{ok, spawn_app};

both!(
    the_console_pages_forms_and_paper_forms_of_the_desk,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        requisition(&t, &d, &[("100", 100)], "1-100").await;
        stamp(&t, &d, "1-70").await;
        let buyer = org("北京某某科技有限公司");
        let sale = ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            with(sale(buyer, "cheque", &[("1-20", "", "")]), bank()),
        )
        .await;
        let sale_id = sale["sale_id"].as_i64().expect("sale");
        let clerk = t.login("gb_clerk").await;
        for path in [
            "/groupbuy",
            "/groupbuy/requisitions",
            "/groupbuy/sales/new",
            "/groupbuy/sales",
            "/groupbuy/sales?state=reserved",
            &format!("/groupbuy/sales/{sale_id}"),
            "/groupbuy/report",
            "/groupbuy/rebates",
            "/groupbuy/reconcile",
            "/groupbuy/register",
            "/groupbuy/requisitions/1/report.print",
            "/groupbuy/pickup-register/print",
            &format!("/groupbuy/sales/{sale_id}/cheque.print"),
            "/groupbuy/report.print",
            "/groupbuy/rebate-register/print",
            "/groupbuy/reconcile.print",
        ] {
            let page = clerk.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        }
        // The paper forms carry their own titles.
        assert!(
            clerk
                .get("/groupbuy/requisitions/1/report.print")
                .await
                .body
                .contains("请示报告单")
        );
        assert!(
            clerk
                .get("/groupbuy/pickup-register/print")
                .await
                .body
                .contains("领券登记表")
        );
        assert!(
            clerk
                .get(&format!("/groupbuy/sales/{sale_id}/cheque.print"))
                .await
                .body
                .contains("第二联")
        );
        assert!(
            clerk
                .get("/groupbuy/report.print")
                .await
                .body
                .contains("现金日记帐")
        );
        assert!(
            clerk
                .get("/groupbuy/reconcile.print")
                .await
                .body
                .contains("上月结存团购券张数")
        );
        // The register is confidential: exports carry the phone masked; finance cannot read it.
        let csv = clerk.get("/groupbuy/register.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains("010*****1234") && csv.body.contains("北京某某科技有限公司"));
        assert!(!csv.body.contains("010-65001234"));
        assert_eq!(
            clerk.get("/groupbuy/sales.xlsx").await.status,
            StatusCode::OK
        );
        let (fin, _) = t.add_staff("fin_reader", &[("cashier", t.hq)], false).await;
        let _ = fin;
        let finance = t.login("fin_reader").await;
        assert_eq!(
            finance.get("/groupbuy/register").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(finance.get("/groupbuy").await.status, StatusCode::OK);
        // A refused form comes back with what was typed and the reason, in Chinese.
        let before = movements(&t).await;
        let page = clerk
            .post(
                "/groupbuy/stamp",
                "/groupbuy",
                &[("store_code", "HQ"), ("ranges", "55-70")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("55-70"), "the input is re-shown");
        assert!(
            page.body.contains("券号段中有券不在所需状态"),
            "{}",
            page.body
        );
        assert_eq!(movements(&t).await, before);
        let page = clerk
            .post(
                "/groupbuy/sales",
                "/groupbuy/sales/new",
                &[
                    ("store_code", "HQ"),
                    ("buyer.kind", "organisation"),
                    ("buyer.organisation", "甲公司"),
                    ("buyer.contact", "张"),
                    ("buyer.phone", "13900001111"),
                    ("payment", "cash"),
                    ("lines[0].range", "21-70"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.body
                .contains("单位一次性购买5000元（含）以上，不得使用现金"),
            "the rule is named"
        );
        assert!(page.body.contains("甲公司") && page.body.contains("21-70"));
        // A good cash sale from the console, then its 17:00 notice.
        let page = clerk
            .post(
                "/groupbuy/sales",
                "/groupbuy/sales/new",
                &[
                    ("store_code", "HQ"),
                    ("buyer.kind", "person"),
                    ("buyer.contact", "李女士"),
                    ("buyer.phone", "13900001111"),
                    ("payment", "cash"),
                    ("lines[0].range", "21-30"),
                    ("counted", "1,000.00"),
                    ("seals.name", "1"),
                    ("seals.activity", "1"),
                    ("seals.date", "1"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let notice = clerk.get("/groupbuy/report.print").await.body;
        assert!(
            notice.contains("00000021-00000030")
                && notice.contains("财务总收")
                && notice.contains("收银部")
        );
        // Deposit slips from the console print with the amount in capitals.
        let page = clerk
            .post(
                "/groupbuy/deposits",
                "/groupbuy/sales",
                &[("store_code", "HQ"), ("kind", "cash")],
            )
            .await;
        let slip = page.location.expect("to the slip");
        let slip = clerk.get(&slip).await.body;
        assert!(
            slip.contains("内部进帐单") && slip.contains("壹仟元整"),
            "{slip}"
        );
        t.stop().await;
    }
);
