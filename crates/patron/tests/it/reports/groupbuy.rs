//! Group-buy sales by customer and by salesperson (M3): only the sales handed over count (a
//! cheque waiting for its money does not), the same organisation's sales add up, and each line
//! has its share of the amount.

use serde_json::{Value, json};

use super::{nums, page, refusals, row, xlsx, xrow};
use crate::both;
use crate::support::{TestApp, ok, spawn_app};

fn org(name: &str) -> Value {
    json!({"kind": "organisation", "organisation": name, "contact": "王经理", "phone": "010-65001234"})
}

/// A cash sale of the vouchers `range` (¥100 each) by the holder of `key`, the money counted.
async fn cash_sale(t: &TestApp, key: &str, buyer: Value, range: &str, counted: &str) {
    ok(
        t,
        "/api/v1/groupbuy/sales",
        key,
        crate::groupbuy::cash(
            json!({"store_code": "HQ", "payment": "cash", "buyer": buyer,
                   "lines": [{"range": range, "face_value": "", "change_reason": ""}]}),
            counted,
        ),
    )
    .await;
}

both!(
    group_buy_sales_add_up_by_customer_and_by_salesperson,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = crate::groupbuy::desk(&t).await;
        crate::groupbuy::series(&t, &d, "R26", "100", 100).await;
        crate::groupbuy::requisition(&t, &d, &[("100", 20)], "1-20").await;
        crate::groupbuy::stamp(&t, &d, "1-20").await;
        // The clerk sells twice to one company, the supervisor once to a person; a cheque
        // sale waits for its money (not handed over: not counted).
        cash_sale(&t, &d.clerk, org("北京某某科技有限公司"), "1-5", "500").await;
        let person = json!({"kind": "person", "contact": "李女士", "phone": "13900001111"});
        cash_sale(&t, &d.supervisor, person, "6-8", "300").await;
        cash_sale(&t, &d.clerk, org("北京某某科技有限公司"), "9-10", "200").await;
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            json!({"store_code": "HQ", "payment": "cheque",
            "buyer": org("某某银行"), "cheque_no": "10203040", "bank": "工商银行王府井支行",
            "account_name": "某某银行", "account_no": "0200001009000123456",
            "lines": [{"range": "11-12", "face_value": "", "change_reason": ""}]}),
        )
        .await;

        let b = t.login("gb_manager").await;
        let rows = page(&b, "/reports/groupbuy-sales").await;
        assert_eq!(rows[0][0], "客户", "by customer first: {rows:?}");
        assert_eq!(
            row(&rows, "北京某某科技有限公司"),
            ["北京某某科技有限公司", "2", "7", "¥700.00", "70.0%"]
        );
        assert_eq!(
            row(&rows, "李女士"),
            ["李女士", "1", "3", "¥300.00", "30.0%"]
        );
        assert_eq!(
            row(&rows, "合计"),
            ["合计", "3", "10", "¥1,000.00", "100.0%"]
        );
        assert!(!rows.iter().any(|r| r[0] == "某某银行"), "the cheque waits");
        assert_eq!(rows.len(), 4, "header, two buyers, totals: {rows:?}");

        let rows = page(&b, "/reports/groupbuy-sales?by=salesperson&store=HQ").await;
        assert_eq!(rows[0][0], "业务员");
        assert_eq!(
            row(&rows, "测试 gb_clerk"),
            ["测试 gb_clerk", "2", "7", "¥700.00", "70.0%"]
        );
        assert_eq!(
            row(&rows, "测试 gb_super"),
            ["测试 gb_super", "1", "3", "¥300.00", "30.0%"]
        );
        // Another period has none.
        let rows = page(&b, "/reports/groupbuy-sales?from=2026-09-01&to=2026-09-24").await;
        assert_eq!(row(&rows, "合计")[1..4], ["0", "0", "¥0.00"]);

        // The xlsx: counts and amounts as numbers.
        let x = xlsx(
            &b,
            &t,
            "/reports/groupbuy-sales/file?format=xlsx&by=customer",
        )
        .await;
        assert_eq!(
            xrow(&x, "北京某某科技有限公司")[1..4],
            nums(&[2.0, 7.0, 700.0])[..]
        );
        assert_eq!(xrow(&x, "合计")[1..4], nums(&[3.0, 10.0, 1000.0])[..]);

        // The A4 print view shows the same lines.
        let print = b.get("/reports/groupbuy-sales/print").await;
        assert_eq!(print.status, reqwest::StatusCode::OK);
        assert!(print.body.contains("北京某某科技有限公司") && print.body.contains("¥1,000.00"));

        refusals(&t, "groupbuy-sales", &b, "marketing").await;
        t.stop().await;
    }
);
