//! Redemptions: the oldest points first, never below zero, and never points past their date.

use reqwest::StatusCode;
use serde_json::json;

use super::receipt;
use crate::both;
use crate::support::spawn_app;

both!(
    redemptions_spend_the_oldest_points_first_and_never_go_below_zero,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("孙八", "13600000004", "").await;
        // 100 points in September 2026, 200 in November: lots expiring 2028-09-30 and 2028-11-30.
        t.post(
            "/api/v1/pos/receipts",
            &key,
            receipt("L-1", &card, &[(1, 10_000, false)]),
        )
        .await;
        let mut later = receipt("L-2", &card, &[(1, 20_000, false)]);
        later["occurred_at"] = json!("2026-11-02T10:00:00+08:00");
        t.clock.advance(chrono::Duration::days(40));
        t.post("/api/v1/pos/receipts", &key, later).await;
        let redeem = |no: &str, points: i64| json!({"store_code": "HQ", "till_id": "01", "receipt_no": no, "card_no": card, "points": points});
        let (status, err) = t
            .post("/api/v1/pos/points/redeem", &key, redeem("X-1", 301))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["code"], "insufficient_points");
        let (status, r) = t
            .post("/api/v1/pos/points/redeem", &key, redeem("X-2", 150))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(r["points_balance"], 150);
        let lots: Vec<(String, i64)> = patron::on_db!(t.app.db, |p| {
            sqlx::query_as(
                "select cast(expires_on as text), remaining from point_lots where member_id = $1 order by expires_on",
            )
            .bind(id)
            .fetch_all(p)
            .await
            .expect("lots")
        });
        assert_eq!(
            lots,
            vec![
                ("2028-09-30".to_string(), 0),
                ("2028-11-30".to_string(), 150)
            ],
            "the September lot is spent first"
        );
        let (status, err) = t
            .post("/api/v1/pos/points/redeem", &key, redeem("X-3", 0))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["errors"][0]["field"], "points");
        t.stop().await;
    }
);

both!(
    points_past_their_date_cannot_be_spent_and_future_receipts_are_refused,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("过期花费", "13600000008", "").await;
        t.post(
            "/api/v1/pos/receipts",
            &key,
            receipt("EX-1", &card, &[(1, 10_000, false)]),
        )
        .await;
        let mut future = receipt("EX-F", &card, &[(1, 10_000, false)]);
        future["occurred_at"] = json!("2026-09-26T16:00:00+08:00");
        let (status, err) = t.post("/api/v1/pos/receipts", &key, future).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["errors"][0]["field"], "occurred_at");
        // The lot expires 2028-09-30; on 2028-10-01, before the expiry job, it is gone for spending.
        t.exec(
            "update cards set expires_on = '2030-01-01' where member_id = $1",
            id,
        )
        .await;
        let target = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2028, 10, 1, 2, 0, 0)
            .single()
            .expect("time");
        t.clock.advance(target - t.app.clock.now());
        let (status, err) = t
            .post(
                "/api/v1/pos/points/redeem",
                &key,
                json!({"store_code": "HQ", "receipt_no": "EX-P", "card_no": card, "points": 100}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["code"], "insufficient_points");
        t.stop().await;
    }
);
