//! Customers: visits (F6), outreach (F5), the directory review (F7) and market research (F9),
//! through the real server on both backends.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, goto, hq_token, spawn_app};

/// Records a customer owned by the token's holder; its id.
async fn customer(t: &TestApp, key: &str, name: &str) -> i64 {
    let (status, body) = t
        .post(
            "/api/v1/customers",
            key,
            json!({"name": name, "kind": "enterprise", "grade": "A"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("customer id")
}

/// Requests a visit today; (visit id, approval id, the answer).
async fn request(t: &TestApp, key: &str, customer_id: i64, on: &str) -> (i64, i64, Value) {
    let (status, body) = t
        .post(
            "/api/v1/customers/visits",
            key,
            json!({"customer_id": customer_id, "visit_on": on, "purpose": "洽谈中秋福利采购",
                   "participants": "王明", "gifts": "月饼两盒", "budget": "300.00"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_i64().expect("id"),
        body["approval_id"].as_i64().expect("approval"),
        body,
    )
}

async fn decide(t: &TestApp, key: &str, approval: i64) -> (StatusCode, Value) {
    t.post(
        &format!("/api/v1/customers/visits/approvals/{approval}"),
        key,
        json!({"decision": "approve"}),
    )
    .await
}

both!(
    a_visit_is_approved_by_someone_else_before_it_can_be_done,
    |backend| async move {
        let t = spawn_app(backend).await;
        let sup = hq_token(&t, "sup_zhao", "supervisor").await;
        let manager = hq_token(&t, "mgr_qian", "manager").await;
        let id = customer(&t, &sup, "华东电力有限公司").await;
        // 2026-09-25 is a Friday: the minutes are due on Tuesday 2026-09-29.
        let (visit, approval, made) = request(&t, &sup, id, "2026-09-25").await;
        assert_eq!(made["state"], "pending");
        assert_eq!(made["minutes_due_on"], "2026-09-29");

        // Not approved yet: it cannot be done, nor get minutes; nothing changes.
        let (status, body) = t
            .post(
                &format!("/api/v1/customers/visits/{visit}/done"),
                &sup,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "visit_not_approved");
        let (status, body) = t
            .post(
                &format!("/api/v1/customers/visits/{visit}/minutes"),
                &sup,
                json!({"attendees": "王主席", "discussion": "福利采购"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        // The requester cannot approve their own request.
        let (status, body) = decide(&t, &sup, approval).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "approval_own_request");
        let (_, shown) = t
            .get_json(&format!("/api/v1/customers/visits/{visit}"), &sup)
            .await;
        assert_eq!(shown["state"], "pending");

        // A manager approves; then the visit can be done.
        let (status, body) = decide(&t, &manager, approval).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "approved");
        let (status, body) = t
            .post(
                &format!("/api/v1/customers/visits/{visit}/done"),
                &sup,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["state"], "done");
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from audit_log where action = $1",
                "customers.visit_done"
            )
            .await,
            1
        );
        t.stop().await;
    }
);

both!(
    minutes_not_written_within_two_working_days_are_overdue,
    |backend| async move {
        let t = spawn_app(backend).await;
        let clerk = hq_token(&t, "sales_wang", "clerk").await;
        let manager = hq_token(&t, "mgr_li", "manager").await;
        let id = customer(&t, &clerk, "市第一中学").await;
        let (visit, approval, _) = request(&t, &clerk, id, "2026-09-25").await;
        // The request waits in the approvals inbox; the manager approves it there.
        let boss = t.login("mgr_li").await;
        let inbox = boss.get("/approvals").await;
        assert!(
            inbox.body.contains("客户走访单") && inbox.body.contains("市第一中学"),
            "{}",
            inbox.body
        );
        let res = boss
            .post(
                &format!("/approvals/{approval}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert!(res.status.is_redirection(), "{} {}", res.status, res.body);
        let (_, shown) = t
            .get_json(&format!("/api/v1/customers/visits/{visit}"), &manager)
            .await;
        assert_eq!(shown["state"], "approved");

        // Tuesday evening: due today, not yet overdue.
        goto(&t, "2026-09-29T17:00:00");
        let (status, list) = t
            .get_json("/api/v1/customers/visits/minutes/overdue", &manager)
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");

        // Wednesday: overdue by one day, on the list, the page and the dashboard.
        goto(&t, "2026-09-30T09:00:00");
        let (_, list) = t
            .get_json("/api/v1/customers/visits/minutes/overdue", &manager)
            .await;
        assert_eq!(list[0]["visit_id"], visit, "{list}");
        assert_eq!(list[0]["requested_by"], "sales_wang");
        assert_eq!(list[0]["days_overdue"], 1);
        let b = t.login("sales_wang").await;
        let page = b.get("/customers/visits/overdue").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("市第一中学"), "{}", page.body);
        let dash = b.get("/").await;
        assert!(
            dash.body.contains("会谈纪要逾期"),
            "the tile is on the dashboard"
        );

        // The minutes, written late, take the visit off the list.
        let res = b
            .post(
                &format!("/customers/visits/{visit}/minutes"),
                &format!("/customers/visits/{visit}"),
                &[
                    ("attendees", "校方：李校长；我方：王明"),
                    ("discussion", "教师节福利采购意向"),
                    ("agreements", "十月初报价"),
                    ("follow_ups", "十月八日前送报价单"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let (_, list) = t
            .get_json("/api/v1/customers/visits/minutes/overdue", &manager)
            .await;
        assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");

        // A refused minutes form is shown again with its fields marked.
        let res = b
            .post(
                &format!("/customers/visits/{visit}/minutes"),
                &format!("/customers/visits/{visit}"),
                &[("attendees", ""), ("discussion", "")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("field-error"));

        // The two paper forms.
        let print = b.get(&format!("/customers/visits/{visit}/print")).await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(print.body.contains("客户走访单") && print.body.contains("市第一中学"));
        assert!(
            print.body.contains("测试 mgr_li"),
            "the approver signs: {}",
            print.body
        );
        assert!(
            print.body.contains("2026年09月29日"),
            "the minutes' due date"
        );
        let minutes = b
            .get(&format!("/customers/visits/{visit}/minutes/print"))
            .await;
        assert_eq!(minutes.status, StatusCode::OK);
        assert!(minutes.body.contains("会谈纪要") && minutes.body.contains("教师节福利采购意向"));
        for path in [
            "/customers/visits",
            &format!("/customers/visits/{visit}"),
            "/customers/visits.csv",
        ] {
            assert_eq!(b.get(path).await.status, StatusCode::OK, "{path}");
        }
        t.stop().await;
    }
);

both!(
    the_directory_review_confirms_or_archives_each_customer,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        let li = hq_token(&t, "sales_li", "clerk").await;
        let manager = hq_token(&t, "mgr_zhou", "manager").await;
        let kept = customer(&t, &wang, "华东电力有限公司").await;
        let ended = customer(&t, &li, "红星百货批发部").await;

        // Not February or August: the job opens nothing.
        let r = patron::app::jobs::run(
            &t.app,
            "customers-directory-review",
            crate::support::day("2026-09-25"),
            None,
        )
        .await
        .expect("job");
        assert_eq!(r.processed, 0);
        // On 1 February it opens the round with every active customer, once.
        let feb = crate::support::day("2027-02-01");
        let r = patron::app::jobs::run(&t.app, "customers-directory-review", feb, None)
            .await
            .expect("job");
        assert_eq!(r.processed, 2);
        let again = patron::app::jobs::run(&t.app, "customers-directory-review", feb, None)
            .await
            .expect("job");
        assert_eq!(again.processed, 0);
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from customer_review_items where review_id > $1",
                0
            )
            .await,
            2
        );
        // A salesperson cannot open one; a manager can (this half-year's, once).
        let (status, _) = t.post("/api/v1/customers/reviews", &wang, json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = t
            .post("/api/v1/customers/reviews", &manager, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["period"], "2026-08");
        let (_, body) = t
            .post("/api/v1/customers/reviews", &manager, json!({}))
            .await;
        assert_eq!(body["opened"], false);

        let (status, current) = t
            .get_json("/api/v1/customers/reviews/current", &manager)
            .await;
        assert_eq!(status, StatusCode::OK, "{current}");
        assert_eq!(current["period"], "2027-02");
        let round = current["id"].as_i64().expect("round");
        let item = |c: i64| format!("/api/v1/customers/reviews/{round}/items/{c}");

        // Each owner settles their own: not a colleague's.
        let (status, _) = t
            .post(&item(ended), &wang, json!({"outcome": "confirm"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = t
            .post(&item(kept), &wang, json!({"outcome": "confirm"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["outcome"], "confirmed");
        // Archiving needs the reason.
        let (status, body) = t
            .post(&item(ended), &li, json!({"outcome": "archive"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "note");
        let (status, body) = t
            .post(
                &item(ended),
                &li,
                json!({"outcome": "archive", "note": "单位已撤并，合作终止"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["outcome"], "archived");
        let (status, _) = t
            .post(&item(ended), &li, json!({"outcome": "confirm"}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "settled once");

        // Archived, not deleted, with the owner history.
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from customers where state = $1",
                "archived"
            )
            .await,
            1
        );
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from customers where id > $1",
                0
            )
            .await,
            2
        );
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from customer_owners where reason = $1",
                "archived"
            )
            .await,
            1
        );
        let (_, current) = t
            .get_json("/api/v1/customers/reviews/current", &manager)
            .await;
        let progress = current["progress"].as_array().cloned().unwrap_or_default();
        let of = |name: &str| {
            progress
                .iter()
                .find(|p| p["owner_name"] == name)
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(of("测试 sales_wang")["confirmed"], 1);
        assert_eq!(of("测试 sales_li")["archived"], 1);
        assert_eq!(of("测试 sales_li")["open"], 0);

        // The relationship resumed: restored, with a history row.
        let (status, body) = t
            .post(
                &format!("/api/v1/customers/{ended}/restore"),
                &li,
                json!({"note": "恢复合作"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from customer_owners where reason = $1",
                "restored"
            )
            .await,
            1
        );
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from customers where state = $1",
                "active"
            )
            .await,
            2
        );
        let b = t.login("mgr_zhou").await;
        let page = b.get("/customers/review").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("2027-02") && page.body.contains("测试 sales_li"));
        t.stop().await;
    }
);

/// A minimal file of `bytes`, sent as the body of an upload named `name`.
async fn upload(
    t: &TestApp,
    key: &str,
    task: i64,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let res = t
        .http
        .post(format!(
            "{}/api/v1/customers/research/{task}/attachments",
            t.base
        ))
        .query(&[("name", name)])
        .bearer_auth(key)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

both!(
    research_files_are_checked_and_findings_are_searchable,
    |backend| async move {
        let t = spawn_app(backend).await;
        let clerk = hq_token(&t, "sales_wang", "clerk").await;
        let id = customer(&t, &clerk, "华东电力有限公司").await;
        let (status, body) = t
        .post(
            "/api/v1/customers/research",
            &clerk,
            json!({"title": "中秋团购市场调研", "scope": "本市国企节日福利", "due_on": "2026-10-20",
                   "customer_id": id}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let task = body["id"].as_i64().expect("task");

        let pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n".to_vec();
        let (status, body) = upload(&t, &clerk, task, "调研报告.pdf", pdf.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let file = body["id"].as_i64().expect("file");
        // Too big, or not what the name says: refused, nothing stored.
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(5 * 1024 * 1024 + 1, b'a');
        let (status, body) = upload(&t, &clerk, task, "big.pdf", big).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "file");
        let (status, body) = upload(
            &t,
            &clerk,
            task,
            "report.pdf",
            b"MZ\x90\x00not a pdf".to_vec(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _) = upload(&t, &clerk, task, "notes.txt", b"plain words".to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
        t.scalar("select cast(count(*) as bigint) from customer_research_files where research_id = $1", task)
            .await,
        1
    );

        // Findings are searchable by their words.
        let (status, body) = t
            .post(
                &format!("/api/v1/customers/research/{task}/findings"),
                &clerk,
                json!({"findings": "七成单位仍发实物福利，偏好购物卡", "filed": true}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, found) = t
            .get_json(
                "/api/v1/customers/research?q=%E8%B4%AD%E7%89%A9%E5%8D%A1",
                &clerk,
            )
            .await;
        assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
        assert_eq!(found[0]["state"], "filed");
        assert_eq!(found[0]["customer_name"], "华东电力有限公司");
        let (_, none) = t
            .get_json("/api/v1/customers/research?q=%E6%B1%BD%E8%BD%A6", &clerk)
            .await;
        assert_eq!(none.as_array().map(Vec::len), Some(0), "{none}");

        // The download gives the bytes back, to those who may see customers only.
        let res = t
            .http
            .get(format!("{}/api/v1/customers/research/files/{file}", t.base))
            .bearer_auth(&clerk)
            .send()
            .await
            .expect("download");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.expect("bytes").to_vec(), pdf);
        let cashier = hq_token(&t, "cashier_a", "till_cashier").await;
        let (status, _) = t
            .get_json(
                &format!("/api/v1/customers/research/files/{file}"),
                &cashier,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let b = t.login("sales_wang").await;
        let page = b.get("/customers/research?q=购物卡").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("中秋团购市场调研"));
        let page = b.get(&format!("/customers/research/{task}")).await;
        assert!(page.body.contains("调研报告.pdf") && page.body.contains("偏好购物卡"));
        // From the console: a picture is taken, a file whose bytes are not its type is refused.
        let send = |name: &'static str, bytes: Vec<u8>, token: String| {
            let b = &b;
            async move {
                let form = reqwest::multipart::Form::new().text("_csrf", token).part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes).file_name(name),
                );
                b.client
                    .post(format!("{}/customers/research/{task}/files", b.base))
                    .multipart(form)
                    .send()
                    .await
                    .expect("upload")
            }
        };
        let token = page.csrf();
        let res = send(
            "现场照片.png",
            b"\x89PNG\r\n\x1a\nrest of it".to_vec(),
            token.clone(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = send(
            "假照片.png",
            b"%PDF-1.7 not a picture".to_vec(),
            token.clone(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap_or_default().contains("file-error"));
        let res = send(
            "现场照片.png",
            b"\x89PNG\r\n\x1a\nrest".to_vec(),
            "forged".into(),
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "the form's token is checked"
        );
        assert_eq!(
        t.scalar("select cast(count(*) as bigint) from customer_research_files where research_id = $1", task)
            .await,
        2
    );
        t.stop().await;
    }
);

both!(
    the_outreach_day_and_the_managers_week,
    |backend| async move {
        let t = spawn_app(backend).await;
        let clerk = hq_token(&t, "sales_wang", "clerk").await;
        let manager = hq_token(&t, "mgr_li", "manager").await;
        let id = customer(&t, &clerk, "华东电力有限公司").await;
        let (status, body) = t
            .post(
                "/api/v1/customers/outreach",
                &clerk,
                json!({"customer_id": id, "contact": "工会王主席", "purpose": "介绍中秋团购方案"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let first = body["id"].as_i64().expect("row");
        let (status, body) = t
            .post(
                "/api/v1/customers/outreach",
                &clerk,
                json!({"organisation": "市税务局", "contact": "办公室刘主任"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let second = body["id"].as_i64().expect("row");

        let summary = |id: i64| format!("/api/v1/customers/outreach/{id}/summary");
        let (status, body) = t
            .post(
                &summary(first),
                &clerk,
                json!({"result": "见到工会主席，介绍了方案", "intent": "high", "contact_made": true,
                   "sign_by": "2026-10-10"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // No intent needs the reason why not.
        let (status, body) = t
            .post(
                &summary(second),
                &clerk,
                json!({"result": "对方出差", "intent": "none"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "why_not");
        // Someone else's row is not theirs to summarise.
        let other = hq_token(&t, "sales_li", "clerk").await;
        let (status, _) = t
            .post(
                &summary(second),
                &other,
                json!({"result": "x", "intent": "low"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (_, day) = t
            .get_json("/api/v1/customers/outreach?date=2026-09-25", &clerk)
            .await;
        assert_eq!(day.as_array().map(Vec::len), Some(2), "{day}");
        assert_eq!(day[0]["organisation"], "华东电力有限公司");

        let (status, _) = t.get_json("/api/v1/customers/outreach/week", &clerk).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "the roll-up is the manager's"
        );
        let (status, week) = t
            .get_json("/api/v1/customers/outreach/week?date=2026-09-25", &manager)
            .await;
        assert_eq!(status, StatusCode::OK, "{week}");
        assert_eq!(week["week_start"], "2026-09-21");
        let row = &week["rows"][0];
        assert_eq!(row["planned"], 2);
        assert_eq!(row["summarised"], 1);
        assert_eq!(row["intent_high"], 1);
        assert_eq!(row["contact_made"], 1);

        let b = t.login("sales_wang").await;
        let page = b.get("/customers/outreach").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("市税务局") && page.body.contains("意向强烈"));
        let m = t.login("mgr_li").await;
        let page = m.get("/customers/outreach/week").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("测试 sales_wang"));
        assert_eq!(
            m.get("/customers/outreach/week.xlsx").await.status,
            StatusCode::OK
        );
        t.stop().await;
    }
);
