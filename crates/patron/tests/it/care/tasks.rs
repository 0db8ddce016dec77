//! Calls belong to the member's current advisor; completing one; the contract route's fields
//! and refusals.

use serde_json::json;

use super::{buy, run_job, set_advisor, setup, steps};
use crate::both;
use crate::support::{goto, hq_token, spawn_app};

both!(
    an_open_call_follows_the_members_current_advisor,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = setup(&t).await;
        let other = hq_token(&t, "adv.two", "service").await;
        buy(&t, &c, "C-1", "2026-09-25T16:30:00+08:00", 800_000).await;
        goto(&t, "2026-10-26T10:00:00");
        run_job(&t).await;
        let (_, mine) = t.get_json("/api/v1/care/tasks", &c.advisor).await;
        let id = mine[0]["id"].as_i64().expect("the call");
        let (_, theirs) = t.get_json("/api/v1/care/tasks", &other).await;
        assert_eq!(theirs.as_array().map(Vec::len), Some(0));
        // The manager hands the member to the second advisor: the call moves with the member.
        set_advisor(&t, &c.manager, &c.card, "adv.two").await;
        let (_, mine) = t.get_json("/api/v1/care/tasks", &c.advisor).await;
        assert_eq!(mine.as_array().map(Vec::len), Some(0));
        let (_, theirs) = t.get_json("/api/v1/care/tasks", &other).await;
        assert_eq!(theirs[0]["id"].as_i64(), Some(id));
        let list = steps(&t, &c).await;
        assert_eq!(list[3]["advisor"], "adv.two");
        // The former advisor may not complete it any more.
        let body = json!({"outcome": "reached", "remarks": "告知新款到店"});
        let path = format!("/api/v1/care/tasks/{id}/complete");
        let (status, err) = t.post(&path, &c.advisor, body.clone()).await;
        assert_eq!(status, 403, "{err}");
        assert_eq!(err["code"], "not_member_advisor");
        let (status, done) = t.post(&path, &other, body.clone()).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["state"], "done");
        assert_eq!(done["outcome"], "reached");
        assert_eq!(done["done_by"], "adv.two");
        let (status, again) = t.post(&path, &other, body).await;
        assert_eq!(status, 409, "{again}");
        assert_eq!(again["code"], "care_task_closed");
        let list = steps(&t, &c).await;
        assert_eq!(list[3]["state"], "done");
        assert_eq!(list[3]["advisor"], "adv.two");
        // Every change of advisor is kept and audited.
        let changes = t
            .scalar(
                "select count(*) from care_advisor_history where member_id = $1",
                c.member_id,
            )
            .await;
        assert_eq!(changes, 2);
        let audited = t
            .scalar_text(
                "select count(*) from audit_log where action = $1",
                "care.advisor_set",
            )
            .await;
        assert_eq!(audited, 2);
        t.stop().await;
    }
);

both!(
    the_care_tasks_route_answers_exactly_the_contract_fields,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = setup(&t).await;
        buy(&t, &c, "C-1", "2026-09-25T16:30:00+08:00", 800_000).await;
        run_job(&t).await;
        for s in steps(&t, &c).await {
            let mut keys: Vec<_> = s.as_object().expect("object").keys().cloned().collect();
            keys.sort();
            assert_eq!(keys, ["advisor", "due_at", "state", "step"]);
            assert!(
                chrono::DateTime::parse_from_rfc3339(s["due_at"].as_str().expect("text")).is_ok()
            );
        }
        let (status, err) = t
            .get_json("/api/v1/members/NOSUCH999/care-tasks", &c.advisor)
            .await;
        assert_eq!(status, 404);
        assert_eq!(err["code"], "member_not_found");
        // A role without care (finance) is refused.
        let finance = hq_token(&t, "fin.one", "finance_manager").await;
        let (status, _) = t
            .get_json(&format!("/api/v1/members/{}/care-tasks", c.card), &finance)
            .await;
        assert_eq!(status, 403);
        // Completing with a made-up outcome names the field; nothing changes.
        goto(&t, "2026-10-26T10:00:00");
        run_job(&t).await;
        let (_, mine) = t.get_json("/api/v1/care/tasks", &c.advisor).await;
        let id = mine[0]["id"].as_i64().expect("call");
        let (status, err) = t
            .post(
                &format!("/api/v1/care/tasks/{id}/complete"),
                &c.advisor,
                json!({"outcome": "maybe"}),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(err["code"], "validation");
        assert!(err.to_string().contains("outcome"), "{err}");
        t.stop().await;
    }
);
