//! The last seat of an event, taken from the portal by two members at once: one gets it, the
//! other is told the event is full, and the count never passes the capacity.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{PASSWORD, goto, hq_token, ok, set_portal_password, spawn_app};

both!(
    two_members_racing_for_the_last_seat_in_the_portal_get_one_place,
    |backend| async move {
        let t = Arc::new(spawn_app(backend).await);
        let planner = hq_token(&t, "ps_marketing", "marketing").await;
        let manager = hq_token(&t, "ps_manager", "manager").await;
        let clerk = hq_token(&t, "ps_clerk", "clerk").await;
        let event = ok(
            &t,
            "/api/v1/events",
            &planner,
            json!({
                "store_code": "HQ", "theme": "插花沙龙", "kind": "experience",
                "starts_at": "2026-10-20T14:00", "ends_at": "2026-10-20T17:00",
                "place": "三楼", "content": "插花", "capacity": "2",
                "budget": "500", "points": "0", "analysis_weeks": "2",
                "signup_opens": "2026-09-25T12:00",
                "tiers": [{"code": "normal", "offset_days": "0"}],
            }),
        )
        .await["id"]
            .as_i64()
            .expect("id");
        let approval = ok(
            &t,
            &format!("/api/v1/events/{event}/submit"),
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
        goto(&t, "2026-09-26T10:00:00");
        // One seat goes at the desk; two members want the last one.
        let (_, first) = t.add_member("先到会员", "13700008880", "").await;
        ok(
            &t,
            &format!("/api/v1/events/{event}/signups"),
            &clerk,
            json!({"card_no": first}),
        )
        .await;
        let mut browsers = Vec::new();
        for (n, phone) in ["13700008881", "13700008882"].iter().enumerate() {
            let (id, card) = t.add_member(&format!("抢位会员{n}"), phone, "").await;
            set_portal_password(&t, id).await;
            let b = t.portal_login(&card, PASSWORD).await;
            let token = b.get("/portal/events").await.csrf();
            browsers.push((b, token));
        }
        let mut tasks = Vec::new();
        for (b, token) in browsers {
            let path = format!("{}/portal/events/{event}/signup", b.base);
            tasks.push(tokio::spawn(async move {
                b.client
                    .post(path)
                    .form(&[("_csrf", token.as_str())])
                    .send()
                    .await
                    .expect("POST")
                    .status()
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.expect("task"));
        }
        statuses.sort();
        assert_eq!(
            statuses,
            vec![StatusCode::SEE_OTHER, StatusCode::CONFLICT],
            "one seat, one winner"
        );
        assert_eq!(
            t.scalar("select signed_up from events where id = $1", event)
                .await,
            2
        );
        if let Ok(t) = Arc::try_unwrap(t) {
            t.stop().await;
        }
    }
);
