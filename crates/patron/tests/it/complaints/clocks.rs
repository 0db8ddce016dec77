//! The clocks on the test clock: the department's answer clock in the service calendar's working
//! time across a weekend and a make-up workday (entered through the calendar page), breaches
//! recorded once by the job (even run twice or at once) and kept through re-routing, resolution
//! and re-opening, and a case unresolved after 10 days made major.

use reqwest::StatusCode;
use serde_json::json;

use super::{breach_rows, desk, run_clocks, step, take};
use crate::both;
use crate::support::{goto, hq_token, spawn_app};

/// Sets the service desk's week to Monday–Friday 09:00–17:00 and, when asked, Saturday
/// 2026-10-10 as a make-up workday, through the calendar page.
async fn weekday_service(t: &crate::support::TestApp, make_up: bool) {
    t.add_staff("cal_boss", &[("manager", t.hq)], false).await;
    let b = t.login("cal_boss").await;
    let p = b
        .post(
            "/admin/calendar/service/week",
            "/admin/calendar?year=2026",
            &[
                ("mon", "09:00-17:00"),
                ("tue", "09:00-17:00"),
                ("wed", "09:00-17:00"),
                ("thu", "09:00-17:00"),
                ("fri", "09:00-17:00"),
                ("sat", ""),
                ("sun", ""),
                ("year", "2026"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    if make_up {
        let p = b
            .post(
                "/admin/calendar/service/days",
                "/admin/calendar?year=2026",
                &[
                    ("date", "2026-10-10"),
                    ("kind", "work"),
                    ("hours", "09:00-17:00"),
                    ("note", "调休上班"),
                    ("year", "2026"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    }
}

both!(
    the_answer_clock_skips_the_weekend_and_the_breach_stays_after_rerouting,
    |backend| async move {
        let t = spawn_app(backend).await;
        weekday_service(&t, false).await;
        let key = desk(&t).await;
        let clerk = hq_token(&t, "dept_clerk", "clerk").await;
        // Friday 16 October 16:20: taken, acknowledged and routed at 16:30.
        goto(&t, "2026-10-16T16:20:00");
        let id = take(&t, &key, json!({})).await["id"].as_i64().expect("id");
        step(&t, &key, id, "acknowledge", json!({})).await;
        goto(&t, "2026-10-16T16:30:00");
        let r = step(&t, &key, id, "route", json!({"department": "purchasing"})).await;
        // 30 working minutes on Friday, 30 on Monday morning.
        assert_eq!(r["deadlines"]["answer_by"], "2026-10-19T01:30:00Z");

        // Saturday noon: in wall time the answer would be long late, but the department's clock
        // does not run at the weekend; nothing is late yet (feedback is due at 16:20).
        goto(&t, "2026-10-17T12:00:00");
        assert_eq!(run_clocks(&t).await, 0);
        assert_eq!(breach_rows(&t, id).await, 0);

        // Monday 09:31: the answer (against purchasing) and the feedback are late, recorded once.
        goto(&t, "2026-10-19T09:31:00");
        assert_eq!(run_clocks(&t).await, 2);
        assert_eq!(run_clocks(&t).await, 0, "a second run records nothing");
        assert_eq!(breach_rows(&t, id).await, 2);
        let notices = t
            .scalar_text(
                "select count(*) from outbox where kind = $1",
                "complaint_breach",
            )
            .await;
        assert_eq!(notices, 2, "the store is told of each breach once");

        // Re-routed to quality, answered, resolved, reopened: the breach stays, met_at empty.
        let r = step(&t, &key, id, "route", json!({"department": "quality"})).await;
        assert_eq!(r["department"], "quality");
        step(&t, &clerk, id, "answer", json!({"plan": "质检部复检"})).await;
        step(&t, &clerk, id, "resolve", json!({"result": "已退货"})).await;
        step(
            &t,
            &key,
            id,
            "callback",
            json!({"satisfied": false, "remarks": "不满意"}),
        )
        .await;
        let (_, got) = t.get_json(&format!("/api/v1/complaints/{id}"), &key).await;
        let answer: Vec<_> = got["breaches"]
            .as_array()
            .expect("breaches")
            .iter()
            .filter(|b| b["clock"] == "answer")
            .collect();
        assert_eq!(answer.len(), 1, "{got}");
        assert_eq!(answer[0]["department"], "purchasing");
        assert_eq!(answer[0]["due_at"], "2026-10-19T01:30:00Z");
        assert!(answer[0]["met_at"].is_null(), "purchasing never answered");
        let feedback: Vec<_> = got["breaches"]
            .as_array()
            .expect("breaches")
            .iter()
            .filter(|b| b["clock"] == "feedback")
            .collect();
        assert!(
            feedback[0]["met_at"].is_string(),
            "the late feedback was met at resolution"
        );
    }
);

both!(
    a_make_up_saturday_is_working_time_for_the_department,
    |backend| async move {
        let t = spawn_app(backend).await;
        weekday_service(&t, true).await;
        let key = desk(&t).await;
        goto(&t, "2026-10-09T16:30:00");
        let id = take(&t, &key, json!({"category": "product_quality"})).await["id"]
            .as_i64()
            .expect("id");
        step(&t, &key, id, "acknowledge", json!({})).await;
        let r = step(&t, &key, id, "route", json!({"department": "quality"})).await;
        // 30 working minutes on Friday, 90 on the make-up Saturday.
        assert_eq!(r["deadlines"]["answer_by"], "2026-10-10T02:30:00Z");
        goto(&t, "2026-10-10T10:31:00");
        run_clocks(&t).await;
        let (_, got) = t.get_json(&format!("/api/v1/complaints/{id}"), &key).await;
        assert!(
            got["breaches"]
                .as_array()
                .expect("breaches")
                .iter()
                .any(|b| b["clock"] == "answer" && b["department"] == "quality"),
            "{got}"
        );
    }
);

both!(
    the_clock_job_run_twice_at_once_records_each_breach_once,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = desk(&t).await;
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(take(&t, &key, json!({})).await["id"].as_i64().expect("id"));
        }
        goto(&t, "2026-09-25T17:40:00");
        let (a, b) = tokio::join!(run_clocks(&t), run_clocks(&t));
        // Each case: acknowledge and route late.
        assert_eq!(a + b, 10);
        for id in ids {
            assert_eq!(breach_rows(&t, id).await, 2);
        }
        // A late acknowledgement fills in the breach's met time and adds nothing.
        let id = t
            .scalar("select min(id) from complaints where id > $1", 0)
            .await;
        let ack = step(&t, &key, id, "acknowledge", json!({})).await;
        let b = ack["breaches"]
            .as_array()
            .expect("breaches")
            .iter()
            .find(|b| b["clock"] == "acknowledge")
            .cloned()
            .expect("acknowledge breach");
        assert_eq!(b["met_at"], "2026-09-25T09:40:00Z");
        assert_eq!(breach_rows(&t, id).await, 2);
    }
);

both!(
    a_case_unresolved_after_ten_days_is_made_major_once,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = desk(&t).await;
        let id = take(&t, &key, json!({})).await["id"].as_i64().expect("id");
        step(&t, &key, id, "acknowledge", json!({})).await;
        step(&t, &key, id, "route", json!({"department": "logistics"})).await;
        goto(&t, "2026-10-05T16:59:00");
        run_clocks(&t).await;
        let (_, got) = t.get_json(&format!("/api/v1/complaints/{id}"), &key).await;
        assert_eq!(got["severity"], "minor", "not yet ten days");
        goto(&t, "2026-10-05T17:01:00");
        run_clocks(&t).await;
        run_clocks(&t).await;
        let (_, got) = t.get_json(&format!("/api/v1/complaints/{id}"), &key).await;
        assert_eq!(got["severity"], "major");
        assert_eq!(got["major_reason"], "overdue");
        assert_eq!(got["deadlines"]["report_by"], "2026-10-05T09:11:00Z");
        assert_eq!(
            t.scalar_text(
                "select count(*) from outbox where kind = $1",
                "complaint_major"
            )
            .await,
            1
        );
        let r = step(&t, &key, id, "report", json!({})).await;
        assert!(r["reported_at"].is_string());
    }
);
