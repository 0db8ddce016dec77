//! Complaints and their time limits (M4): a case taken through to a satisfied callback in
//! time, another left alone until two of its clocks run out, counted by category, month and
//! store.

use serde_json::json;

use super::{nums, page, refusals, row, xlsx, xrow};
use crate::both;
use crate::complaints::{desk, run_clocks, step, take};
use crate::support::{goto, spawn_app};

both!(
    complaints_count_resolutions_in_time_breaches_and_satisfaction,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = desk(&t).await;
        let served = take(&t, &key, json!({"category": "service"})).await["id"]
            .as_i64()
            .expect("id");
        take(
            &t,
            &key,
            json!({"category": "product_quality", "content": "衣服起球"}),
        )
        .await;
        step(&t, &key, served, "acknowledge", json!({})).await;
        step(&t, &key, served, "route", json!({"department": "hr"})).await;
        step(&t, &key, served, "answer", json!({"plan": "约谈当事人"})).await;
        step(&t, &key, served, "resolve", json!({"result": "已致歉"})).await;
        step(
            &t,
            &key,
            served,
            "callback",
            json!({"satisfied": true, "remarks": "满意"}),
        )
        .await;
        // An hour later the other case was neither acknowledged (5 minutes) nor routed (30).
        goto(&t, "2026-09-25T18:00:00");
        run_clocks(&t).await;

        t.add_staff("boss", &[("manager", t.hq)], false).await;
        let b = t.login("boss").await;
        let rows = page(&b, "/reports/complaints?by=category").await;
        assert_eq!(rows[0][0], "投诉类别");
        assert_eq!(
            row(&rows, "服务质量"),
            ["服务质量", "1", "0", "1", "1", "100.0%", "0", "1", "100.0%"]
        );
        assert_eq!(
            row(&rows, "产品质量"),
            ["产品质量", "1", "0", "0", "0", "", "2", "0", ""]
        );
        let total = ["合计", "2", "0", "1", "1", "100.0%", "2", "1", "100.0%"];
        assert_eq!(row(&rows, "合计"), total);
        // By month every month of the period shows; September has the figures.
        let rows = page(&b, "/reports/complaints").await;
        assert_eq!(rows.len(), 14, "header, twelve months, totals: {rows:?}");
        assert_eq!(row(&rows, "2026-09")[1..], total[1..]);
        assert_eq!(row(&rows, "2026-08")[1..3], ["0", "0"]);
        let rows = page(&b, "/reports/complaints?by=store").await;
        assert_eq!(row(&rows, "总部")[1..], total[1..]);

        let x = xlsx(&b, &t, "/reports/complaints/file?format=xlsx&by=category").await;
        assert_eq!(xrow(&x, "产品质量")[1..4], nums(&[1.0, 0.0, 0.0])[..]);
        assert_eq!(xrow(&x, "合计")[6..8], nums(&[2.0, 1.0])[..]);

        refusals(&t, "complaints", &b, "supervisor").await;
        t.stop().await;
    }
);
