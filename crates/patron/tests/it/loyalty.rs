//! Loyalty settings (B7–B8, C7: configurable, audited, used at once) and finance's view of the
//! outstanding points (C8).

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::spawn_app;

both!(
    a_manager_changes_a_tier_and_the_points_ratio_and_the_tills_follow,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        t.add_staff("money", &[("finance_manager", t.hq)], false)
            .await;
        let key = t.till_key(t.hq, "01").await;
        let (_, card) = t.add_member("规则会员", "13400000001", "").await;
        let b = t.login("boss").await;
        let tier = |spend: &'static str, name: &'static str| {
            vec![
                ("code", "silver"),
                ("name_zh", name),
                ("name_en", "Silver"),
                ("points_per_yuan", "2"),
                ("discount_percent", "95"),
                ("min_spend", spend),
                ("min_count", "0"),
                ("referral_points", "300"),
                ("perks", ""),
            ]
        };
        // A silver threshold above gold's is refused and re-shown.
        let bad = b
            .post(
                "/admin/loyalty/tier",
                "/admin/loyalty",
                &tier("80000", "银卡"),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("门槛须高于下一级"));
        let ok = b
            .post(
                "/admin/loyalty/tier",
                "/admin/loyalty",
                &tier("2,000", "银卡会员"),
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.scalar(
                "select count(*) from audit_log where action = 'loyalty.tier' and $1 > 0",
                1
            )
            .await,
            1
        );
        // 200 points for ¥100 → ¥40 (50 points = ¥10).
        let mut fields = vec![
            ("card_valid_months", "12"),
            ("points_valid_months", "24"),
            ("tier_window_months", "12"),
            ("birthday_multiplier_percent", "200"),
            ("redeem_points", "50"),
            ("redeem_value", "10"),
            ("missed_points_approval", "5000"),
            ("portal_max_failures", "5"),
            ("portal_lock_minutes", "15"),
            ("expiry_reminder_days", "30"),
            ("annual_downgrade", "on"),
        ];
        let wrong = {
            let mut f = fields.clone();
            f[0] = ("card_valid_months", "0");
            b.post("/admin/loyalty/settings", "/admin/loyalty", &f)
                .await
        };
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("数值超出允许范围"));
        fields.truncate(11);
        assert_eq!(
            b.post("/admin/loyalty/settings", "/admin/loyalty", &fields)
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        // ¥2,000 now reaches silver at once.
        let (_, r) = t
            .post("/api/v1/pos/receipts", &key, json!({"store_code": "HQ", "receipt_no": "L-1", "card_no": card,
                "occurred_at": "2026-09-25T16:00:00+08:00", "lines": [{"line_no": 1, "amount_fen": 200_000}]}))
            .await;
        assert_eq!(r["tier"], "silver");
        let (_, r) = t
            .post(
                "/api/v1/pos/points/redeem",
                &key,
                json!({"store_code": "HQ", "receipt_no": "L-2", "card_no": card, "points": 200}),
            )
            .await;
        assert_eq!(r["value_fen"], 4_000, "{r}");
        // Finance sees what is left and its worth: 1,800 points = ¥360.
        let f = t.login("money").await;
        let page = f.get("/points/liability").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text_of("outstanding").as_deref(), Some("1,800"));
        assert_eq!(page.text_of("value").as_deref(), Some("¥360.00"));
        t.stop().await;
    }
);
