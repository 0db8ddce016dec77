//! One event from plan to archived analysis: approval, invitations, tier windows, capacity,
//! check-in points, the spending analysis, and the console, print and export pages.

use reqwest::StatusCode;
use serde_json::json;

use super::{member, plan, receipt, refused};
use crate::both;
use crate::support::{balance, goto, hq_token, ok, spawn_app};

both!(
    a_whole_event_from_plan_to_archived_analysis,
    |backend| async move {
        let t = spawn_app(backend).await;
        let planner = hq_token(&t, "ev_marketing", "marketing").await;
        let manager = hq_token(&t, "ev_manager", "manager").await;
        let clerk = hq_token(&t, "ev_clerk", "clerk").await;
        let till = t.till_key(t.hq, "01").await;
        let (g1, g1_card) = member(&t, 1, "gold").await;
        let (s1, s1_card) = member(&t, 2, "silver").await;
        let (s2, s2_card) = member(&t, 3, "silver").await;
        let (s3, s3_card) = member(&t, 4, "silver").await;
        let (_n1, n1_card) = member(&t, 5, "normal").await;

        // Plan (draft): no invitations, no sign-ups.
        let id = ok(
            &t,
            "/api/v1/events",
            &planner,
            plan(&[("gold", 0), ("silver", 1)], 3),
        )
        .await["id"]
            .as_i64()
            .expect("id");
        let signups = format!("/api/v1/events/{id}/signups");
        refused(
            &t,
            &signups,
            &clerk,
            json!({"card_no": g1_card}),
            "event_not_open",
        )
        .await;
        refused(
            &t,
            &format!("/api/v1/events/{id}/invite"),
            &planner,
            json!({}),
            "event_not_open",
        )
        .await;
        // Submitted: still nothing until approved; the planner cannot approve their own plan.
        let approval = ok(
            &t,
            &format!("/api/v1/events/{id}/submit"),
            &planner,
            json!({}),
        )
        .await["approval_id"]
            .as_i64()
            .expect("approval");
        refused(
            &t,
            &signups,
            &clerk,
            json!({"card_no": g1_card}),
            "event_not_open",
        )
        .await;
        let (status, _) = t
            .post(
                &format!("/api/v1/events/approvals/{approval}"),
                &planner,
                json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        ok(
            &t,
            &format!("/api/v1/events/approvals/{approval}"),
            &manager,
            json!({"decision": "approve"}),
        )
        .await;

        // Invitations: exactly the gold and silver members, once each.
        let inv = ok(
            &t,
            &format!("/api/v1/events/{id}/invite"),
            &planner,
            json!({}),
        )
        .await;
        assert_eq!(inv["queued"], 4, "{inv}");
        assert_eq!(inv["invited"], 4);
        let invited: Vec<i64> = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar(
                "select member_id from outbox where kind = 'event_invite' order by member_id",
            )
            .fetch_all(p)
            .await
            .expect("outbox")
        });
        let mut expected = vec![g1, s1, s2, s3];
        expected.sort();
        assert_eq!(invited, expected);
        let again = ok(
            &t,
            &format!("/api/v1/events/{id}/invite"),
            &planner,
            json!({}),
        )
        .await;
        assert_eq!(again["queued"], 0);
        assert_eq!(again["invited"], 4);

        // Before the gold window: refused, naming when it opens.
        let out = refused(
            &t,
            &signups,
            &clerk,
            json!({"card_no": g1_card}),
            "signup_not_open",
        )
        .await;
        assert!(
            out["detail"]
                .as_str()
                .unwrap_or("")
                .contains("2026-10-01 10:00"),
            "{out}"
        );
        goto(&t, "2026-10-01T10:00:00");
        ok(&t, &signups, &clerk, json!({"card_no": g1_card})).await;
        let out = refused(
            &t,
            &signups,
            &clerk,
            json!({"card_no": s1_card}),
            "signup_not_open",
        )
        .await;
        assert!(
            out["detail"]
                .as_str()
                .unwrap_or("")
                .contains("2026-10-02 10:00"),
            "{out}"
        );
        refused(
            &t,
            &signups,
            &clerk,
            json!({"card_no": n1_card}),
            "not_in_target",
        )
        .await;
        goto(&t, "2026-10-02T10:00:00");
        ok(&t, &signups, &clerk, json!({"card_no": s1_card})).await;
        let last = ok(&t, &signups, &clerk, json!({"card_no": s2_card})).await;
        assert_eq!(last["signed_up"], 3);
        refused(
            &t,
            &signups,
            &clerk,
            json!({"card_no": s3_card}),
            "event_full",
        )
        .await;
        refused(
            &t,
            &signups,
            &clerk,
            json!({"card_no": s1_card}),
            "already_signed_up",
        )
        .await;

        // Spending before: g1 and s1 inside the two weeks before the start, s2 outside.
        receipt(&t, &till, "B-0", &s2_card, "2026-10-02T09:30:00", 20_000).await;
        goto(&t, "2026-10-10T12:00:00");
        receipt(&t, &till, "B-1", &g1_card, "2026-10-10T11:00:00", 100_000).await;
        receipt(&t, &till, "B-2", &s1_card, "2026-10-10T11:30:00", 50_000).await;

        // Check-in at the door: points once.
        goto(&t, "2026-10-20T14:10:00");
        refused(
            &t,
            &signups,
            &clerk,
            json!({"card_no": s3_card}),
            "signup_closed",
        )
        .await;
        let before = balance(&t, g1).await;
        let c = ok(
            &t,
            &format!("/api/v1/events/{id}/checkin"),
            &clerk,
            json!({"card_no": g1_card}),
        )
        .await;
        assert_eq!(c["points"], 50);
        assert_eq!(balance(&t, g1).await, before + 50);
        refused(
            &t,
            &format!("/api/v1/events/{id}/checkin"),
            &clerk,
            json!({"card_no": g1_card}),
            "already_checked_in",
        )
        .await;
        assert_eq!(
            balance(&t, g1).await,
            before + 50,
            "a second check-in adds nothing"
        );
        ok(
            &t,
            &format!("/api/v1/events/{id}/checkin"),
            &clerk,
            json!({"card_no": s1_card}),
        )
        .await;
        refused(
            &t,
            &format!("/api/v1/events/{id}/checkin"),
            &clerk,
            json!({"card_no": n1_card}),
            "not_signed_up",
        )
        .await;
        let entries = t
            .scalar(
                "select cast(count(*) as bigint) from point_entries where kind = 'event' and member_id = $1",
                g1,
            )
            .await;
        assert_eq!(entries, 1);

        // Closing before the end is refused.
        refused(
            &t,
            &format!("/api/v1/events/{id}/close"),
            &planner,
            json!({}),
            "conflict",
        )
        .await;

        // Spending after: g1 inside the two weeks after the end; s2 did not attend; a late one.
        goto(&t, "2026-10-25T12:00:00");
        receipt(&t, &till, "A-1", &g1_card, "2026-10-25T11:00:00", 200_000).await;
        receipt(&t, &till, "A-2", &s2_card, "2026-10-25T11:10:00", 80_000).await;
        goto(&t, "2026-11-10T12:00:00");
        receipt(&t, &till, "A-3", &g1_card, "2026-11-10T11:00:00", 99_900).await;

        let a = ok(
            &t,
            &format!("/api/v1/events/{id}/close"),
            &planner,
            json!({"actual_cost": "1500"}),
        )
        .await;
        assert_eq!(a["signups"], 3);
        assert_eq!(a["attendees"], 2);
        assert_eq!(a["attendance_permille"], 2 * 1000 / 3);
        assert_eq!(a["points_awarded"], 100);
        assert_eq!(a["cost_fen"], 150_000);
        assert_eq!(a["cost_per_attendee_fen"], 150_000 / 2);
        assert_eq!(a["spend_before_fen"], 100_000 + 50_000);
        assert_eq!(a["receipts_before"], 2);
        assert_eq!(a["spend_after_fen"], 200_000);
        assert_eq!(a["receipts_after"], 1);
        assert_eq!(
            a["spend_change_permille"],
            (200_000 - 150_000) * 1000 / 150_000
        );
        assert_eq!(a["complete"], true);

        // Archived: a later receipt does not change the stored analysis.
        goto(&t, "2026-11-11T12:00:00");
        let (_, shown) = t.get_json(&format!("/api/v1/events/{id}"), &planner).await;
        assert_eq!(shown["state"], "closed");
        assert_eq!(shown["analysis"], a);

        // The console shows it; the print views and exports answer.
        t.add_staff("ev_viewer", &[("manager", t.hq)], false).await;
        let b = t.login("ev_viewer").await;
        let page = b.get(&format!("/events/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text_of("a-attendees").as_deref(), Some("2"));
        assert_eq!(page.text_of("a-points").as_deref(), Some("100"));
        for path in [
            "plan.print",
            "sheet.print",
            "signups.csv",
            "signups.xlsx",
            "analysis.csv",
            "analysis.xlsx",
        ] {
            let p = b.get(&format!("/events/{id}/{path}")).await;
            assert_eq!(p.status, StatusCode::OK, "{path}");
        }
        let sheet = b.get(&format!("/events/{id}/sheet.print")).await;
        assert!(sheet.body.contains(&g1_card) && !sheet.body.contains(&s3_card));
        let list = b.get("/events?state=closed").await;
        assert!(list.body.contains("秋季新品发布会"));
        let none = b.get("/events?state=draft").await;
        assert!(!none.body.contains("秋季新品发布会"));
        t.stop().await;
    }
);
