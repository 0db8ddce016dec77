//! Sign-ups: parallel sign-ups never pass the capacity, and the tier windows open in turn at
//! the desk and in the portal.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;

use super::{approved_event, member, plan, refused};
use crate::both;
use crate::support::{PASSWORD, goto, hq_token, ok, set_portal_password, spawn_app};

both!(
    capacity_is_never_exceeded_by_parallel_signups,
    |backend| async move {
        let t = Arc::new(spawn_app(backend).await);
        let planner = hq_token(&t, "ev_marketing", "marketing").await;
        let manager = hq_token(&t, "ev_manager", "manager").await;
        let clerk = hq_token(&t, "ev_clerk", "clerk").await;
        let mut cards = Vec::new();
        for n in 0..50 {
            cards.push(member(&t, 100 + n, "normal").await.1);
        }
        let mut body = plan(&[("normal", 0)], 10);
        body["signup_opens"] = json!("2026-09-25T12:00");
        let id = approved_event(&t, &planner, &manager, body).await;
        let started = std::time::Instant::now();
        let mut tasks = Vec::new();
        for card in cards {
            let (t, clerk) = (t.clone(), clerk.clone());
            tasks.push(tokio::spawn(async move {
                t.post(
                    &format!("/api/v1/events/{id}/signups"),
                    &clerk,
                    json!({"card_no": card}),
                )
                .await
            }));
        }
        let (mut won, mut full, mut other) = (0, 0, Vec::new());
        for task in tasks {
            let (status, out) = task.await.expect("task");
            match (status, out["code"].as_str()) {
                (StatusCode::CREATED, _) => won += 1,
                (StatusCode::CONFLICT, Some("event_full")) => full += 1,
                _ => other.push((status, out)),
            }
        }
        let elapsed = started.elapsed();
        eprintln!(
            "events capacity ({backend:?}): 50 parallel sign-ups for 10 places: {won} signed up, {full} event_full, in {elapsed:?}"
        );
        assert!(other.is_empty(), "{other:?}");
        assert_eq!((won, full), (10, 40));
        let signed = t
            .scalar(
                "select cast(count(*) as bigint) from event_signups where event_id = $1 and status = 'signed'",
                id,
            )
            .await;
        assert_eq!(signed, 10);
        assert_eq!(
            t.scalar("select signed_up from events where id = $1", id)
                .await,
            10
        );
        if let Ok(t) = Arc::try_unwrap(t) {
            t.stop().await;
        }
    }
);

both!(tier_priority_windows_open_by_tier, |backend| async move {
    let t = spawn_app(backend).await;
    let planner = hq_token(&t, "ev_marketing", "marketing").await;
    let manager = hq_token(&t, "ev_manager", "manager").await;
    let clerk = hq_token(&t, "ev_clerk", "clerk").await;
    let (_, gold) = member(&t, 1, "gold").await;
    let (silver_id, silver) = member(&t, 2, "silver").await;
    let (_, normal) = member(&t, 3, "normal").await;
    let (_, platinum) = member(&t, 4, "platinum").await;
    let id = approved_event(
        &t,
        &planner,
        &manager,
        plan(
            &[("platinum", 0), ("gold", 0), ("silver", 1), ("normal", 2)],
            100,
        ),
    )
    .await;
    let signups = format!("/api/v1/events/{id}/signups");
    set_portal_password(&t, silver_id).await;
    t.portal_login(&silver, PASSWORD).await;

    goto(&t, "2026-10-01T09:59:00");
    refused(
        &t,
        &signups,
        &clerk,
        json!({"card_no": gold}),
        "signup_not_open",
    )
    .await;
    goto(&t, "2026-10-01T10:00:00");
    ok(&t, &signups, &clerk, json!({"card_no": gold})).await;
    ok(&t, &signups, &clerk, json!({"card_no": platinum})).await;
    let b = t.portal_login(&silver, PASSWORD).await;
    // Silver, in the portal, before its window: a clear refusal naming the time.
    let page = b.get("/portal/events").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("秋季新品发布会"), "{}", page.body);
    let res = b
        .post(
            &format!("/portal/events/{id}/signup"),
            "/portal/events",
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("2026-10-02 10:00"), "{}", res.body);
    refused(
        &t,
        &signups,
        &clerk,
        json!({"card_no": normal}),
        "signup_not_open",
    )
    .await;

    goto(&t, "2026-10-02T10:00:00");
    let b = t.portal_login(&silver, PASSWORD).await;
    let res = b
        .post(
            &format!("/portal/events/{id}/signup"),
            "/portal/events",
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = b.get("/portal/events?ok=signup").await;
    assert!(page.body.contains("/portal/events/") && page.body.contains("cancel"));
    let out = refused(
        &t,
        &signups,
        &clerk,
        json!({"card_no": normal}),
        "signup_not_open",
    )
    .await;
    assert!(
        out["detail"]
            .as_str()
            .unwrap_or("")
            .contains("2026-10-03 10:00"),
        "{out}"
    );
    goto(&t, "2026-10-03T10:00:00");
    ok(&t, &signups, &clerk, json!({"card_no": normal})).await;
    let b = t.portal_login(&silver, PASSWORD).await;
    // The member cancels in the portal and the place is free again.
    let res = b
        .post(
            &format!("/portal/events/{id}/cancel"),
            "/portal/events",
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.scalar("select signed_up from events where id = $1", id)
            .await,
        3
    );
    t.stop().await;
});
