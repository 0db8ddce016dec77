//! Inviting an RFM segment's members to an event: only those in the event's tiers are invited,
//! once each however often it is asked; only approved events still to start are offered, and
//! only to those who manage events.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{hq_token, ok, spawn_app};

fn plan(theme: &str) -> serde_json::Value {
    json!({
        "store_code": "HQ", "theme": theme, "kind": "experience",
        "starts_at": "2026-10-20T14:00", "ends_at": "2026-10-20T17:00",
        "place": "三楼会员中心", "content": "咖啡品鉴", "capacity": "30",
        "budget": "2000", "points": "20", "analysis_weeks": "2",
        "signup_opens": "2026-10-01T10:00",
        "tiers": [{"code": "gold", "offset_days": "0"}],
    })
}

const INVITES: &str =
    "select cast(count(*) as bigint) from outbox where kind = 'event_invite' and $1 > 0";

both!(
    a_segments_members_in_the_events_tiers_are_invited_once,
    |backend| async move {
        let t = spawn_app(backend).await;
        let planner = hq_token(&t, "ev_marketing", "marketing").await;
        let approver = hq_token(&t, "ev_manager", "manager").await;
        let id = ok(&t, "/api/v1/events", &planner, plan("金卡会员咖啡品鉴")).await["id"]
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
            &approver,
            json!({"decision": "approve"}),
        )
        .await;
        let draft = ok(&t, "/api/v1/events", &planner, plan("草稿活动")).await["id"]
            .as_i64()
            .expect("draft id");
        // Four members without purchases (the dormant segment): three gold, one silver.
        let mut silver = 0;
        for n in 1..=4 {
            let (member, _) = t
                .add_member(&format!("会员{n}"), &format!("1370000000{n}"), "")
                .await;
            if n == 4 {
                t.exec(
                    "update members set tier_code = 'silver' where id = $1",
                    member,
                )
                .await;
                silver = member;
            } else {
                t.exec(
                    "update members set tier_code = 'gold' where id = $1",
                    member,
                )
                .await;
            }
        }

        t.add_staff("boss", &[("manager", t.hq)], false).await;
        let b = t.login("boss").await;
        let seg = b.get("/reports/rfm/dormant").await;
        assert_eq!(seg.status, StatusCode::OK, "{}", seg.body);
        assert!(seg.body.contains("id=\"segment-invite\""), "{}", seg.body);
        assert!(seg.body.contains("金卡会员咖啡品鉴 · 2026-10-20 14:00"));
        assert!(!seg.body.contains("草稿活动"), "a draft is not offered");
        let invite = |event: i64| {
            let b = &b;
            async move {
                b.post(
                    "/reports/rfm/dormant/invite",
                    "/reports/rfm/dormant",
                    &[("event", &event.to_string()), ("store", "")],
                )
                .await
            }
        };
        let done = invite(id).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(
            done.body
                .contains("本分群 4 位会员中有 3 位符合活动的会员等级，本次新邀请 3 位"),
            "{}",
            done.body
        );
        assert_eq!(t.scalar(INVITES, 1).await, 3);
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from outbox where kind = 'event_invite' and member_id = $1",
                silver
            )
            .await,
            0,
            "the silver member is not in the event's tiers"
        );
        // Asked again: nobody twice; the event's own invitation adds none of them either.
        let again = invite(id).await;
        assert!(again.body.contains("本次新邀请 0 位"), "{}", again.body);
        let (status, out) = t
            .post(&format!("/api/v1/events/{id}/invite"), &planner, json!({}))
            .await;
        assert!(status.is_success(), "{out}");
        assert_eq!(t.scalar(INVITES, 1).await, 3);
        assert_eq!(
            t.scalar("select invited_count from events where id = $1", id)
                .await,
            3
        );
        // An event not approved is not one to invite to.
        let refused = invite(draft).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Finance sees the segment but invites nobody.
        t.add_staff("fin", &[("finance_manager", t.hq)], false)
            .await;
        let fin = t.login("fin").await;
        let seg = fin.get("/reports/rfm/dormant").await;
        assert_eq!(seg.status, StatusCode::OK);
        assert!(!seg.body.contains("segment-invite"));
        let p = fin
            .post(
                "/reports/rfm/dormant/invite",
                "/reports/rfm/dormant",
                &[("event", &id.to_string()), ("store", "")],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert_eq!(t.scalar(INVITES, 1).await, 3);
        t.stop().await;
    }
);
