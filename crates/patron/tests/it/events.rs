//! Member events (SPEC H) through the real server: the whole story from plan to archived
//! analysis, parallel sign-ups against the capacity, the tier priority windows on a moving
//! clock (desk and portal), an unapproved event, and the console form re-shown with errors.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{
    PASSWORD, TestApp, balance, goto, hq_token, ok, set_portal_password, spawn_app,
};

/// Puts a member in a tier (behind Patron's back).
async fn set_tier(t: &TestApp, member_id: i64, tier: &str) {
    match tier {
        "gold" => {
            t.exec(
                "update members set tier_code = 'gold' where id = $1",
                member_id,
            )
            .await
        }
        "silver" => {
            t.exec(
                "update members set tier_code = 'silver' where id = $1",
                member_id,
            )
            .await
        }
        "platinum" => {
            t.exec(
                "update members set tier_code = 'platinum' where id = $1",
                member_id,
            )
            .await
        }
        _ => {}
    }
}

async fn member(t: &TestApp, n: u32, tier: &str) -> (i64, String) {
    let (id, card) = t
        .add_member(&format!("会员{n}"), &format!("139{n:08}"), "")
        .await;
    set_tier(t, id, tier).await;
    (id, card)
}

fn plan(tiers: &[(&str, i64)], capacity: i64) -> Value {
    json!({
        "store_code": "HQ", "theme": "秋季新品发布会", "kind": "launch",
        "starts_at": "2026-10-20T14:00", "ends_at": "2026-10-20T17:00",
        "place": "一楼中庭", "content": "新品走秀与试穿", "capacity": capacity.to_string(),
        "budget": "3000", "points": "50", "analysis_weeks": "2",
        "signup_opens": "2026-10-01T10:00",
        "tiers": tiers.iter().map(|(c, d)| json!({"code": c, "offset_days": d.to_string()})).collect::<Vec<_>>(),
    })
}

async fn refused(t: &TestApp, path: &str, key: &str, body: Value, code: &str) -> Value {
    let (status, out) = t.post(path, key, body).await;
    assert!(status.is_client_error(), "{path} answered {status}: {out}");
    assert_eq!(out["code"], code, "{path}: {out}");
    out
}

/// Creates, submits and (with `approve`) approves a plan; returns the event id.
async fn approved_event(t: &TestApp, planner: &str, manager: &str, body: Value) -> i64 {
    let id = ok(t, "/api/v1/events", planner, body).await["id"]
        .as_i64()
        .expect("id");
    let approval = ok(
        t,
        &format!("/api/v1/events/{id}/submit"),
        planner,
        json!({}),
    )
    .await["approval_id"]
        .as_i64()
        .expect("approval");
    ok(
        t,
        &format!("/api/v1/events/approvals/{approval}"),
        manager,
        json!({"decision": "approve"}),
    )
    .await;
    id
}

async fn receipt(t: &TestApp, till: &str, no: &str, card: &str, at: &str, fen: i64) {
    ok(
        t,
        "/api/v1/pos/receipts",
        till,
        json!({"store_code": "HQ", "till_id": "01", "receipt_no": no, "card_no": card,
               "occurred_at": format!("{at}+08:00"),
               "lines": [{"line_no": 1, "sku": "SKU1", "amount_fen": fen, "promotional": false}]}),
    )
    .await;
}

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

both!(
    console_plan_form_reshows_errors_and_approval_goes_through_the_inbox,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("ev_planner", &[("marketing", t.hq)], false)
            .await;
        t.add_staff("ev_boss", &[("manager", t.hq)], false).await;
        let b = t.login("ev_planner").await;
        let form = b.get("/events/new").await;
        assert_eq!(form.status, StatusCode::OK);
        let bad = b
            .post(
                "/events",
                "/events/new",
                &[
                    ("store_code", "HQ"),
                    ("theme", ""),
                    ("kind", "launch"),
                    ("starts_at", "2026-10-20T14:00"),
                    ("ends_at", "2026-10-20T13:00"),
                    ("place", "三楼会员之家"),
                    ("capacity", "abc"),
                    ("signup_opens", "2026-10-01T10:00"),
                    ("tier.gold", "on"),
                    ("offset.gold", "0"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("三楼会员之家"), "typed input is kept");
        assert!(bad.body.contains("结束时间须晚于开始时间"), "{}", bad.body);
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from events where id > $1",
                0
            )
            .await,
            0,
            "nothing written"
        );
        let good = b
            .post(
                "/events",
                "/events/new",
                &[
                    ("store_code", "HQ"),
                    ("theme", "会员专场"),
                    ("kind", "member_sale"),
                    ("starts_at", "2026-10-20T14:00"),
                    ("ends_at", "2026-10-20T18:00"),
                    ("place", "三楼会员之家"),
                    ("capacity", "30"),
                    ("budget", "2000"),
                    ("points", "20"),
                    ("signup_opens", "2026-10-01T10:00"),
                    ("tier.gold", "on"),
                    ("offset.gold", "0"),
                    ("tier.silver", "on"),
                    ("offset.silver", "1"),
                ],
            )
            .await;
        assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
        let to = good.location.expect("location");
        let id: i64 = to
            .trim_start_matches("/events/")
            .split('?')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("id");
        let sub = b
            .post(
                &format!("/events/{id}/submit"),
                &format!("/events/{id}"),
                &[],
            )
            .await;
        assert_eq!(sub.status, StatusCode::SEE_OTHER);
        let approval = t
            .scalar("select approval_id from events where id = $1", id)
            .await;
        let boss = t.login("ev_boss").await;
        let inbox = boss.get("/approvals").await;
        assert!(
            inbox.body.contains(&format!("EV{id}")),
            "the plan waits in the inbox"
        );
        let res = boss
            .post(
                &format!("/approvals/{approval}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert!(res.status.is_redirection(), "{} {}", res.status, res.body);
        let page = b.get(&format!("/events/{id}")).await;
        assert_eq!(page.text_of("event-state").as_deref(), Some("已批准"));
        // The door's check-in form answers an htmx request with the fragment, even on refusal.
        let checkin = b.get(&format!("/events/{id}/checkin")).await;
        assert_eq!(checkin.status, StatusCode::OK);
        let res = b
            .client
            .post(format!("{}/events/{id}/checkin", b.base))
            .header("HX-Request", "true")
            .form(&[("_csrf", checkin.csrf().as_str()), ("card_no", "NOPE")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap_or_default();
        assert!(
            body.contains("checkin-result") && body.contains("flash error"),
            "{body}"
        );
        t.stop().await;
    }
);
