//! The fixed complaint routes (`api/care.md`): the contract's fields, severity, every step safe to
//! repeat and to race, wrong states and bad input as problem+json naming the field.

use reqwest::StatusCode;
use serde_json::json;

use super::{breach_rows, desk, fields, step, take};
use crate::both;
use crate::support::{hq_token, spawn_app};

both!(
    intake_answers_the_contract_with_deadlines,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = desk(&t).await;
        let (status, depts) = t.get_json("/api/v1/complaints/departments", &key).await;
        assert_eq!(status, StatusCode::OK);
        let codes: Vec<&str> = depts
            .as_array()
            .expect("list")
            .iter()
            .map(|d| d["code"].as_str().expect("code"))
            .collect();
        assert!(
            codes.contains(&"quality") && codes.contains(&"hr"),
            "{depts}"
        );
        assert!(depts[0]["name"].as_str().is_some_and(|n| !n.is_empty()));

        let (_, card) = t.add_member("李四", "13900001111", "1980-05-06").await;
        let c = take(&t, &key, json!({"card_no": card})).await;
        assert!(c["id"].as_i64().is_some());
        assert_eq!(c["severity"], "minor");
        assert_eq!(c["received_at"], "2026-09-25T09:00:00Z");
        let d = &c["deadlines"];
        assert_eq!(d["acknowledge_by"], "2026-09-25T09:05:00Z");
        assert_eq!(d["route_by"], "2026-09-25T09:30:00Z");
        assert_eq!(d["feedback_by"], "2026-09-26T09:00:00Z");
        assert!(
            d.get("report_by").is_none(),
            "a minor case has no report clock"
        );
        assert_eq!(c["card_no"], card.as_str());
        assert!(c["member_id"].as_i64().is_some(), "linked to the member");

        // A serious loss makes it major from the start: report in 10 min, resolve in 12 h.
        let m = take(&t, &key, json!({"serious": true, "phone": "13700002222"})).await;
        assert_eq!(m["severity"], "major");
        assert_eq!(m["major_reason"], "serious_loss");
        assert_eq!(m["deadlines"]["report_by"], "2026-09-25T09:10:00Z");
        assert_eq!(m["deadlines"]["resolve_by"], "2026-09-25T21:00:00Z");
        assert_eq!(m["phone"], "137****2222", "the phone is masked");

        // The same member complaining again while the first is open: repeated, major.
        let again = take(&t, &key, json!({"card_no": card})).await;
        assert_eq!(again["severity"], "major");
        assert_eq!(again["major_reason"], "repeated");

        let id = c["id"].as_i64().expect("id");
        let (status, got) = t.get_json(&format!("/api/v1/complaints/{id}"), &key).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(got["breaches"], json!([]));
        assert_eq!(got["state"], "received");
    }
);

both!(
    steps_are_safe_to_repeat_and_wrong_states_are_refused,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = desk(&t).await;
        let handler = hq_token(&t, "quality_clerk", "clerk").await;
        let id = take(&t, &key, json!({"category": "product_quality"})).await["id"]
            .as_i64()
            .expect("id");

        // Routing before acknowledging: 409 with a code.
        let (status, body) = t
            .post(
                &format!("/api/v1/complaints/{id}/route"),
                &key,
                json!({"department": "quality"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "complaint_wrong_state");

        let a = step(&t, &key, id, "acknowledge", json!({})).await;
        assert_eq!(a["state"], "acknowledged");
        let again = step(&t, &key, id, "acknowledge", json!({})).await;
        assert_eq!(
            again["acknowledged_at"], a["acknowledged_at"],
            "a repeat changes nothing"
        );
        assert_eq!(
            t.scalar(
                "select count(*) from audit_log where action = 'complaints.acknowledged' and entity_id = cast($1 as text)",
                id
            )
            .await,
            1
        );

        // An unknown department: 422 naming the field.
        let (status, body) = t
            .post(
                &format!("/api/v1/complaints/{id}/route"),
                &key,
                json!({"department": "nowhere"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "unknown_department");
        assert_eq!(fields(&body), vec!["department"]);

        let r = step(&t, &key, id, "route", json!({"department": "quality"})).await;
        assert_eq!(r["department"], "quality");
        // A product-quality result is due 2 working hours after routing (service desk 09–21:
        // routed at 17:00 Shanghai, due 19:00).
        assert_eq!(r["deadlines"]["answer_by"], "2026-09-25T11:00:00Z");
        step(&t, &key, id, "route", json!({"department": "quality"})).await;
        assert_eq!(
            t.scalar(
                "select count(*) from complaint_clocks where complaint_id = $1 and clock = 'answer'",
                id
            )
            .await,
            1,
            "routing to the same department again starts nothing"
        );

        // The desk may not answer for the department; the department's answer is required.
        let (status, _) = t
            .post(
                &format!("/api/v1/complaints/{id}/answer"),
                &handler,
                json!({"plan": ""}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let ans = step(
            &t,
            &handler,
            id,
            "answer",
            json!({"plan": "上门检测后换新"}),
        )
        .await;
        assert_eq!(ans["state"], "answered");
        step(
            &t,
            &handler,
            id,
            "answer",
            json!({"plan": "上门检测后换新"}),
        )
        .await;

        // A callback before resolution is refused.
        let (status, body) = t
            .post(
                &format!("/api/v1/complaints/{id}/callback"),
                &key,
                json!({"satisfied": true}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["code"], "complaint_wrong_state");

        let res = step(&t, &handler, id, "resolve", json!({"result": "已换新"})).await;
        assert_eq!(res["state"], "resolved");
        assert!(res["deadlines"]["callback_by"].is_string());
        // Bad input for the callback names the field.
        let (status, body) = t
            .post(
                &format!("/api/v1/complaints/{id}/callback"),
                &key,
                json!({"remarks": "好"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), vec!["satisfied"]);
        let closed = step(
            &t,
            &key,
            id,
            "callback",
            json!({"satisfied": true, "remarks": "满意"}),
        )
        .await;
        assert_eq!(closed["state"], "closed");
        let again = step(
            &t,
            &key,
            id,
            "callback",
            json!({"satisfied": true, "remarks": "满意"}),
        )
        .await;
        assert_eq!(
            again["callbacks"].as_array().map(Vec::len),
            Some(1),
            "{again}"
        );
        assert_eq!(breach_rows(&t, id).await, 0, "everything was on time");
    }
);

both!(
    an_unsatisfied_callback_reopens_the_case_with_the_same_department,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = desk(&t).await;
        let id = take(&t, &key, json!({})).await["id"].as_i64().expect("id");
        step(&t, &key, id, "acknowledge", json!({})).await;
        step(&t, &key, id, "route", json!({"department": "sales_floor"})).await;
        step(&t, &key, id, "resolve", json!({"result": "已致歉"})).await;
        let re = step(
            &t,
            &key,
            id,
            "callback",
            json!({"satisfied": false, "remarks": "希望本人道歉"}),
        )
        .await;
        assert_eq!(re["state"], "routed");
        assert_eq!(re["department"], "sales_floor");
        assert_eq!(re["reopened"], 1);
        let running: Vec<_> = re["clocks"]
            .as_array()
            .expect("clocks")
            .iter()
            .filter(|k| {
                k["clock"] == "answer" && k["met_at"].is_null() && k["stopped_at"].is_null()
            })
            .collect();
        assert_eq!(
            running.len(),
            1,
            "the department's answer clock runs again: {re}"
        );
        step(
            &t,
            &key,
            id,
            "resolve",
            json!({"result": "当事人已当面致歉"}),
        )
        .await;
        let closed = step(
            &t,
            &key,
            id,
            "callback",
            json!({"satisfied": true, "remarks": "满意"}),
        )
        .await;
        assert_eq!(closed["state"], "closed");
        assert_eq!(closed["callbacks"].as_array().map(Vec::len), Some(2));
    }
);

both!(
    two_people_acknowledging_at_once_write_one_step,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = desk(&t).await;
        let id = take(&t, &key, json!({})).await["id"].as_i64().expect("id");
        let path = format!("/api/v1/complaints/{id}/acknowledge");
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (client, url, key) = (t.http.clone(), format!("{}{path}", t.base), key.clone());
            tasks.push(tokio::spawn(async move {
                client
                    .post(url)
                    .bearer_auth(key)
                    .send()
                    .await
                    .expect("send")
                    .status()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.expect("join"), StatusCode::OK);
        }
        assert_eq!(
            t.scalar(
                "select count(*) from audit_log where action = 'complaints.acknowledged' and entity_id = cast($1 as text)",
                id
            )
            .await,
            1
        );
        // The same intake sent twice under one key is one case.
        let a = take(&t, &key, json!({"key": "hotline-0925-1"})).await;
        let b = take(&t, &key, json!({"key": "hotline-0925-1"})).await;
        assert_eq!(a["id"], b["id"]);
    }
);

both!(
    bad_intake_is_problem_json_naming_each_field,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = desk(&t).await;
        let (status, body) = t
            .post(
                "/api/v1/complaints",
                &key,
                json!({"channel": "fax", "complainant": "", "content": "x", "category": "price", "card_no": "NOPE0001"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "validation");
        let mut f = fields(&body);
        f.sort();
        assert_eq!(f, vec!["category", "channel", "complainant"]);
        // A card nobody holds.
        let (status, body) = t
            .post(
                "/api/v1/complaints",
                &key,
                json!({"channel": "hotline", "complainant": "王", "content": "x", "category": "other", "card_no": "NOPE0001"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), vec!["card_no"]);
        // A till cashier may not take complaints.
        let till = hq_token(&t, "till1", "till_cashier").await;
        let (status, _) = t
            .post("/api/v1/complaints", &till, json!({"channel": "hotline"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);
