//! Organisation customers' callbacks against their cadence (M4): one customer called early and
//! then left past its next cadence, another called late, counted by salesperson and by month.

use serde_json::json;

use super::{nums, page, refusals, row, xlsx, xrow};
use crate::both;
use crate::support::{TestApp, goto, hq_token, ok, spawn_app};

async fn customer(t: &TestApp, key: &str, name: &str) -> i64 {
    ok(
        t,
        "/api/v1/customers",
        key,
        json!({"name": name, "kind": "enterprise", "grade": "A"}),
    )
    .await["id"]
        .as_i64()
        .expect("customer id")
}

async fn call(t: &TestApp, key: &str, id: i64) {
    ok(
        t,
        &format!("/api/v1/customers/{id}/callbacks"),
        key,
        json!({"way": "phone", "summary": "询问节前福利采购安排"}),
    )
    .await;
}

both!(
    callbacks_are_due_done_late_and_outstanding_by_the_cadence,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        let li = hq_token(&t, "sales_li", "clerk").await;
        // Recorded on 25 September: each due by 9 October (grade A, every 14 days).
        let power = customer(&t, &wang, "华东电力有限公司").await;
        let bank = customer(&t, &li, "某某银行北京分行").await;
        // Wang calls early on 5 October (next due by the 19th, then not called); Li calls
        // late on the 12th.
        goto(&t, "2026-10-05T10:00:00");
        call(&t, &wang, power).await;
        goto(&t, "2026-10-12T10:00:00");
        call(&t, &li, bank).await;
        goto(&t, "2026-10-20T10:00:00");

        t.add_staff("boss", &[("manager", t.hq)], false).await;
        let b = t.login("boss").await;
        let rows = page(&b, "/reports/callbacks?by=salesperson").await;
        assert_eq!(rows[0][0], "业务员");
        assert_eq!(
            row(&rows, "测试 sales_wang"),
            ["测试 sales_wang", "2", "1", "0", "100.0%", "1"]
        );
        assert_eq!(
            row(&rows, "测试 sales_li"),
            ["测试 sales_li", "1", "1", "1", "0.0%", "0"]
        );
        let total = ["合计", "3", "2", "1", "50.0%", "1"];
        assert_eq!(row(&rows, "合计"), total);
        let rows = page(&b, "/reports/callbacks").await;
        assert_eq!(row(&rows, "2026-10")[1..], total[1..]);
        assert_eq!(
            row(&rows, "2026-09")[1..],
            ["0", "0", "0", "", "0"],
            "nothing was due in September"
        );
        assert_eq!(row(&rows, "合计")[1..], total[1..]);
        // Up to 15 October: only the cadences that ran out by then; Li's customer was then
        // called, Wang's not yet due again.
        let rows = page(&b, "/reports/callbacks?to=2026-10-15&by=salesperson").await;
        assert_eq!(row(&rows, "合计")[1..], ["2", "2", "1", "50.0%", "0"]);

        let x = xlsx(&b, &t, "/reports/callbacks/file?format=xlsx&by=salesperson").await;
        assert_eq!(
            xrow(&x, "测试 sales_wang")[1..4],
            nums(&[2.0, 1.0, 0.0])[..]
        );
        assert_eq!(xrow(&x, "合计")[5], nums(&[1.0])[0]);

        refusals(&t, "callbacks", &b, "service").await;
        t.stop().await;
    }
);
