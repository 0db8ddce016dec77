//! Targets against actuals counted from real records — a group-buy sale, a member registered at
//! the desk, a customer callback — frozen once at the month's end and never moved after.

use patron_core::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::put;
use crate::both;
use crate::groupbuy::{cash, desk, requisition, series, stamp};
use crate::support::{TestApp, goto, hq_token, ok, spawn_app};

/// A cash sale of `range` (500-yuan vouchers) by the desk's clerk.
async fn sell(t: &TestApp, clerk: &str, range: &str, counted: &str) {
    ok(
        t,
        "/api/v1/groupbuy/sales",
        clerk,
        cash(
            json!({
                "store_code": "HQ", "payment": "cash",
                "buyer": {"kind": "person", "contact": "李女士", "phone": "13900001111"},
                "lines": [{"range": range, "face_value": "", "change_reason": ""}],
            }),
            counted,
        ),
    )
    .await;
}

/// The board's row of a person (0: the department) and a measure.
fn row<'a>(board: &'a Value, staff_id: i64, metric: &str) -> &'a Value {
    board["rows"]
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .find(|r| r["staff_id"] == staff_id && r["metric"] == metric)
        })
        .unwrap_or_else(|| panic!("no row {staff_id} {metric} in {board}"))
}

both!(
    actuals_come_from_the_records_and_a_frozen_month_never_moves,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        let clerk_id = t
            .scalar_text("select id from staff where username = $1", "gb_clerk")
            .await;
        goto(&t, "2026-10-12T10:00:00");
        // The manager sets October's targets: the department's, and the clerk's.
        let (status, b) = put(
            &t,
            "/api/v1/targets",
            &d.manager,
            json!({"month": "2026-10", "store_code": "HQ", "targets": {
                "gb_sales": "10000", "new_members": "2", "callbacks": "4", "recruit_desk": "1"}}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{b}");
        ok_put(
            &t,
            &d.manager,
            json!({"month": "2026-10", "store_code": "HQ", "staff": "gb_clerk",
            "targets": {"gb_sales": "5,000.00", "new_members": "1"}}),
        )
        .await;
        // A clerk may not set targets; a bad value names its field and writes nothing.
        let (status, _) = put(
            &t,
            "/api/v1/targets",
            &d.clerk,
            json!({"month": "2026-10", "store_code": "HQ", "targets": {"callbacks": "1"}}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = put(
            &t,
            "/api/v1/targets",
            &d.manager,
            json!({"month": "2026-10", "store_code": "HQ", "targets": {"callbacks": "很多"}}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "targets.callbacks");
        // The records: the clerk sells ¥5,000 of vouchers, registers a member at the desk and
        // logs a callback of a customer they recorded.
        series(&t, &d, "A26", "500", 40).await;
        requisition(&t, &d, &[("500", 40)], "1-40").await;
        stamp(&t, &d, "1-40").await;
        sell(&t, &d.clerk, "1-10", "5000").await;
        let as_clerk = t.staff_ctx(clerk_id, "gb_clerk", Role::Clerk, t.hq);
        patron::areas::members::register(
            &as_clerk,
            "HQ",
            &patron::areas::members::MemberIn {
                name: "张三".into(),
                phone: "13800138001".into(),
                channel: "desk".into(),
                ..Default::default()
            },
            true,
        )
        .await
        .expect("register");
        let customer = ok(
            &t,
            "/api/v1/customers",
            &d.clerk,
            json!({"name": "某某科技有限公司", "kind": "enterprise", "grade": "A",
                   "contacts": [{"name": "王经理", "phone": "13900002222"}]}),
        )
        .await;
        log_callback(&t, customer["id"].as_i64().expect("id"), clerk_id).await;
        let (status, b) = t
            .get_json("/api/v1/targets?month=2026-10&store=HQ", &d.manager)
            .await;
        assert_eq!(status, StatusCode::OK, "{b}");
        assert!(b["frozen_at"].is_null());
        let sales = row(&b, 0, "gb_sales");
        assert_eq!(
            (sales["target"].as_i64(), sales["actual"].as_i64()),
            (Some(1_000_000), Some(500_000))
        );
        assert_eq!(sales["percent"], 50);
        assert_eq!(row(&b, 0, "new_members")["actual"], 1);
        assert_eq!(row(&b, 0, "recruit_desk")["percent"], 100);
        assert_eq!(row(&b, 0, "callbacks")["actual"], 1);
        assert_eq!(row(&b, clerk_id, "gb_sales")["percent"], 100);
        assert_eq!(row(&b, clerk_id, "new_members")["actual"], 1);
        // The console board, its chart, its export and its print.
        let m = t.login("gb_manager").await;
        let page = m.get("/targets?month=2026-10").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("data-chart=") && page.body.contains("id=\"set-form\""));
        let csv = m.get("/targets.csv?store=HQ&month=2026-10").await;
        assert!(
            csv.body.contains("团购销售额") && csv.body.contains("5000.00"),
            "{}",
            csv.body
        );
        let xlsx = m.get("/targets.xlsx?store=HQ&month=2026-10").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        let print = m.get("/targets/print?store=HQ&month=2026-10").await;
        assert!(print.body.contains("月度业绩考核表"));
        // The manager's form sets a target; a bad one is shown again, marked.
        let set = m
            .post(
                "/targets",
                "/targets?month=2026-10",
                &[
                    ("store_code", "HQ"),
                    ("month", "2026-10"),
                    ("staff", ""),
                    ("callbacks", "5"),
                ],
            )
            .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
        let (_, b) = t
            .get_json("/api/v1/targets?month=2026-10&store=HQ", &d.manager)
            .await;
        assert_eq!(row(&b, 0, "callbacks")["target"], 5);
        let bad = m
            .post(
                "/targets",
                "/targets?month=2026-10",
                &[
                    ("store_code", "HQ"),
                    ("month", "2026-10"),
                    ("staff", ""),
                    ("new_members", "-3"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("field-error"));
        // The clerk's dashboard shows their progress against their targets.
        let clerk = t.login("gb_clerk").await;
        assert!(
            clerk
                .get("/")
                .await
                .body
                .contains("data-tile=\"plans.tile.progress\"")
        );
        // Frozen (run by hand as on 1 November), twice: the second run finds it done.
        let first = patron::app::jobs::run(
            &t.app,
            "plans-freeze-targets",
            crate::support::day("2026-11-01"),
            None,
        )
        .await
        .expect("freeze");
        assert_eq!(first.processed, 1);
        let again = patron::app::jobs::run(
            &t.app,
            "plans-freeze-targets",
            crate::support::day("2026-11-01"),
            None,
        )
        .await
        .expect("freeze again");
        assert_eq!(again.processed, 0);
        let frozen_rows = t
            .scalar_text(
                "select count(*) from plan_target_actuals where month = $1",
                "2026-10",
            )
            .await;
        // A later October sale moves nothing, and the targets can no longer change.
        sell(&t, &d.clerk, "11-20", "5000").await;
        let (_, b) = t
            .get_json("/api/v1/targets?month=2026-10&store=HQ", &d.manager)
            .await;
        assert!(!b["frozen_at"].is_null());
        assert_eq!(row(&b, 0, "gb_sales")["actual"], 500_000);
        assert_eq!(
            t.scalar_text(
                "select count(*) from plan_target_actuals where month = $1",
                "2026-10"
            )
            .await,
            frozen_rows
        );
        let (status, body) = put(
            &t,
            "/api/v1/targets",
            &d.manager,
            json!({"month": "2026-10", "store_code": "HQ", "targets": {"callbacks": "9"}}),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("targets_frozen"))
        );
        let page = m.get("/targets?month=2026-10").await;
        assert!(!page.body.contains("id=\"set-form\""));
        // Finance's cashier sees no targets.
        let (status, _) = t.get_json("/api/v1/targets", &d.cashier).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let cashier = hq_token(&t, "till_person", "till_cashier").await;
        let (status, _) = t.get_json("/api/v1/targets", &cashier).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        t.stop().await;
    }
);

async fn ok_put(t: &TestApp, key: &str, body: Value) -> Value {
    let (status, out) = put(t, "/api/v1/targets", key, body).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    out
}

/// A callback of `customer` by `caller`, written as the customers area records one (its use case
/// lives on another branch).
async fn log_callback(t: &TestApp, customer: i64, caller: i64) {
    let now = t.app.clock.now();
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let hq = t.hq;
    t.app
        .db
        .write(move |tx| {
            Box::pin(async move {
                patron::on_tx!(tx, |c| {
                    sqlx::query(
                        "insert into customer_callbacks (customer_id, at, way, summary, caller_staff_id, \
                         owner_staff_id, store_id, biz_date, created_at) values ($1, $2, 'phone', '电话回访', $3, $3, $4, $5, $2)",
                    )
                    .bind(customer)
                    .bind(now)
                    .bind(caller)
                    .bind(hq)
                    .bind(today)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                Ok::<_, patron::kernel::db::DbError>(())
            })
        })
        .await
        .expect("callback");
}
