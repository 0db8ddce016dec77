//! Member events held (M4): an approved event with sign-ups, a cancellation and check-ins with
//! their points, beside a plan never approved (not held), by event and by month.

use calamine::Data;
use serde_json::json;

use super::{nums, page, refusals, row, xlsx, xrow};
use crate::both;
use crate::support::{goto, hq_token, ok, spawn_app};

fn plan(theme: &str) -> serde_json::Value {
    json!({
        "store_code": "HQ", "theme": theme, "kind": "launch",
        "starts_at": "2026-10-20T14:00", "ends_at": "2026-10-20T17:00",
        "place": "一楼中庭", "content": "新品走秀与试穿", "capacity": "5",
        "budget": "3000", "points": "50", "analysis_weeks": "2",
        "signup_opens": "2026-10-01T10:00",
        "tiers": [{"code": "gold", "offset_days": "0"}],
    })
}

both!(
    events_held_count_sign_ups_attendance_and_points,
    |backend| async move {
        let t = spawn_app(backend).await;
        let planner = hq_token(&t, "ev_marketing", "marketing").await;
        let manager = hq_token(&t, "ev_manager", "manager").await;
        let clerk = hq_token(&t, "ev_clerk", "clerk").await;
        let id = ok(&t, "/api/v1/events", &planner, plan("秋季新品发布会")).await["id"]
            .as_i64()
            .expect("id");
        let approval = ok(
            &t,
            &format!("/api/v1/events/{id}/submit"),
            &planner,
            json!({}),
        )
        .await["approval_id"]
            .as_i64()
            .expect("approval");
        ok(
            &t,
            &format!("/api/v1/events/approvals/{approval}"),
            &manager,
            json!({"decision": "approve"}),
        )
        .await;
        // A plan still in draft is not held.
        ok(&t, "/api/v1/events", &planner, plan("冬季答谢会")).await;
        let mut cards = Vec::new();
        for n in 1..=4 {
            let (member, card) = t
                .add_member(&format!("会员{n}"), &format!("1390000000{n}"), "")
                .await;
            t.exec(
                "update members set tier_code = 'gold' where id = $1",
                member,
            )
            .await;
            cards.push(card);
        }
        goto(&t, "2026-10-02T10:00:00");
        for card in &cards {
            ok(
                &t,
                &format!("/api/v1/events/{id}/signups"),
                &clerk,
                json!({"card_no": card}),
            )
            .await;
        }
        ok(
            &t,
            &format!("/api/v1/events/{id}/cancel"),
            &clerk,
            json!({"card_no": cards[3]}),
        )
        .await;
        goto(&t, "2026-10-20T14:10:00");
        for card in &cards[..2] {
            ok(
                &t,
                &format!("/api/v1/events/{id}/checkin"),
                &clerk,
                json!({"card_no": card}),
            )
            .await;
        }

        t.add_staff("boss", &[("manager", t.hq)], false).await;
        let b = t.login("boss").await;
        let rows = page(&b, "/reports/events?by=event").await;
        assert_eq!(rows[0][0], "活动");
        assert_eq!(
            row(&rows, "秋季新品发布会"),
            [
                "秋季新品发布会",
                "总部",
                "2026-10-20",
                "5",
                "3",
                "1",
                "2",
                "66.7%",
                "100"
            ]
        );
        assert!(
            !rows.iter().any(|r| r[0] == "冬季答谢会"),
            "a draft is not held"
        );
        let rows = page(&b, "/reports/events").await;
        let month = ["2026-10", "1", "5", "3", "1", "2", "66.7%", "100"];
        assert_eq!(row(&rows, "2026-10"), month);
        assert_eq!(row(&rows, "合计")[1..], month[1..]);
        let rows = page(&b, "/reports/events?from=2026-10-21&to=2026-10-31").await;
        assert_eq!(row(&rows, "2026-10")[1], "0", "not held after the 20th");

        let x = xlsx(&b, &t, "/reports/events/file?format=xlsx&by=event").await;
        let ev = xrow(&x, "秋季新品发布会");
        assert!(
            matches!(ev[2], Data::DateTime(_)),
            "the day is a date: {ev:?}"
        );
        assert_eq!(ev[3..7], nums(&[5.0, 3.0, 1.0, 2.0])[..]);
        assert_eq!(ev[8], Data::Float(100.0));

        refusals(&t, "events", &b, "cashier").await;
        t.stop().await;
    }
);
