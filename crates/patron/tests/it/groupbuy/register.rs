//! The confidential customer register (E4, N1): phones masked on the page, the paper and the
//! exports; a full phone only for a role that may see personal data, and each time audited.

use reqwest::StatusCode;

use super::{cash, desk, org, person, requisition, sale, series, stamp};
use crate::both;
use crate::support::{TestApp, ok, spawn_app};

async fn audits(t: &TestApp, action: &'static str) -> i64 {
    t.scalar_text("select count(*) from audit_log where action = $1", action)
        .await
}

both!(
    the_register_masks_phones_and_a_full_phone_is_shown_only_when_asked_and_audited,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        requisition(&t, &d, &[("100", 100)], "1-100").await;
        stamp(&t, &d, "1-100").await;
        let mut buyer = person("李女士");
        buyer["phone"] = "13812345678".into();
        let s = ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            cash(sale(buyer, "cash", &[("1-10", "", "")]), "1000"),
        )
        .await;
        let id = s["sale_id"].as_i64().expect("sale id");
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            cash(
                sale(org("北京某某公司"), "cash", &[("11-12", "", "")]),
                "200",
            ),
        )
        .await;
        // The clerk reads the register: phones masked, no way to see them in full.
        let clerk = t.login("gb_clerk").await;
        let page = clerk.get("/groupbuy/register").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("138****5678"), "{}", page.body);
        assert!(page.body.contains("010*****1234"), "{}", page.body);
        assert!(!page.body.contains("13812345678") && !page.body.contains("65001234"));
        assert!(!page.body.contains("查看完整电话") && !page.body.contains("export-full"));
        // …and is refused when asking anyway, with nothing shown or audited.
        let refused = clerk
            .post(
                &format!("/groupbuy/register/{id}/phone"),
                "/groupbuy/register",
                &[("store", "HQ")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(!refused.body.contains("13812345678"));
        assert_eq!(audits(&t, "groupbuy.reveal_phone").await, 0);
        // The exports are masked too; full phones are refused to the clerk.
        let csv = clerk.get("/groupbuy/register.csv?store=HQ").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains("138****5678") && !csv.body.contains("13812345678"));
        assert!(
            csv.body.contains("现金"),
            "payments by their words: {}",
            csv.body
        );
        let full = clerk.get("/groupbuy/register.csv?store=HQ&full=1").await;
        assert_eq!(full.status, StatusCode::FORBIDDEN);
        assert!(!full.body.contains("13812345678"));
        assert_eq!(audits(&t, "groupbuy.register_export").await, 0);
        // The manager may see a phone in full: one line, on request, audited.
        let manager = t.login("gb_manager").await;
        let page = manager.get("/groupbuy/register").await;
        assert!(page.body.contains("查看完整电话") && !page.body.contains("13812345678"));
        let shown = manager
            .post(
                &format!("/groupbuy/register/{id}/phone"),
                "/groupbuy/register",
                &[("store", "HQ")],
            )
            .await;
        assert_eq!(shown.status, StatusCode::OK);
        assert_eq!(
            shown
                .text_of(&format!("phone-{id}"))
                .as_deref()
                .map(str::trim),
            Some("13812345678")
        );
        assert!(
            shown.body.contains("010*****1234"),
            "the others stay masked"
        );
        assert_eq!(audits(&t, "groupbuy.reveal_phone").await, 1);
        assert_eq!(
            t.scalar_text(
                "select count(*) from audit_log where action = 'groupbuy.reveal_phone' and actor_name = $1",
                "gb_manager"
            )
            .await,
            1
        );
        // Her export with full phones carries them, and is audited.
        let full = manager.get("/groupbuy/register.csv?store=HQ&full=1").await;
        assert_eq!(full.status, StatusCode::OK);
        assert!(full.body.contains("13812345678") && full.body.contains("010-65001234"));
        assert_eq!(audits(&t, "groupbuy.register_export").await, 1);
        t.stop().await;
    }
);

both!(
    the_register_prints_on_a4_with_phones_masked,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        requisition(&t, &d, &[("100", 100)], "1-100").await;
        stamp(&t, &d, "1-100").await;
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            cash(
                sale(org("北京某某公司"), "cash", &[("1-10", "", "")]),
                "1000",
            ),
        )
        .await;
        let clerk = t.login("gb_clerk").await;
        let page = clerk.get("/groupbuy/register").await.body;
        assert!(page.contains("/groupbuy/register/print?store=HQ"), "{page}");
        let paper = clerk
            .get("/groupbuy/register/print?store=HQ&from=2026-09-01&to=2026-09-30")
            .await;
        assert_eq!(paper.status, StatusCode::OK);
        let body = paper.body;
        for want in [
            "<h1>客户资料登记表</h1>",
            "内部资料　注意保密",
            "2026年09月01日 至 2026年09月30日",
            "北京某某公司",
            "010*****1234",
            "¥1,000.00",
            "现金",
            "00000001-00000010",
            "<table><tr class=\"sign\"><th>登记人</th>",
        ] {
            assert!(body.contains(want), "{want} in {body}");
        }
        assert!(!body.contains("65001234") && !body.contains(">cash<"));
        // A role without the register may not print it.
        let cashier = t.login("fin_cashier").await;
        let refused = cashier.get("/groupbuy/register/print?store=HQ").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        t.stop().await;
    }
);
