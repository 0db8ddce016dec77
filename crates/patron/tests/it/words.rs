//! The words people see on refusals: the reader's language and the clerk's words, with the
//! numbers grouped — never the API's English, a code or a field path on a Chinese page.

use patron_core::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{PASSWORD, give_points, hq_token, set_portal_password, spawn_app};

both!(
    a_member_short_of_points_is_told_how_many_they_have_in_their_language,
    |backend| async move {
        let t = spawn_app(backend).await;
        let desk = hq_token(&t, "gift.desk", "reward_desk").await;
        crate::gifts::gift(&t, "TV", "电视机", "5000", "30000").await;
        t.post(
            "/api/v1/rewards/stock/deliveries",
            &desk,
            json!({"store_code": "HQ", "note_no": "1", "supplier": "S", "lines": [{"gift_code": "TV", "qty": "1"}]}),
        )
        .await;
        let (member, card) = t.add_member("积分会员", "13500006666", "").await;
        give_points(&t, member, 28_317).await;
        set_portal_password(&t, member).await;
        let b = t.portal_login(&card, PASSWORD).await;
        let page = b.get("/portal/exchange").await;
        let csrf = page.csrf();
        let key = page
            .body
            .split_once("name=\"key\" value=\"")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(k, _)| k.to_string())
            .expect("key");
        let res = b
            .client
            .post(format!("{}/portal/exchange", b.base))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("key", key.as_str()),
                ("store_code", "HQ"),
                ("gift_code", "TV"),
                ("qty", "1"),
            ])
            .send()
            .await
            .expect("post");
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("积分不足：现有 28,317 积分"), "{body}");
        assert!(
            !body.contains("points available"),
            "no English on a Chinese page"
        );
        t.stop().await;
    }
);

both!(
    deciding_ones_own_request_says_why_in_chinese_not_that_the_role_may_not,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (a, _) = t.add_staff("sup-a", &[("supervisor", t.hq)], false).await;
        let sup_a = t.staff_ctx(a, "sup-a", Role::Supervisor, t.hq);
        let req = patron::approvals::NewRequest {
            kind: "points.adjust".into(),
            store_id: Some(t.hq),
            subject_kind: "member".into(),
            subject_id: "1".into(),
            summary: "补积分 3,000 分".into(),
            payload: json!({ "points": 3000 }),
            previous_id: None,
        };
        let row = t
            .app
            .db
            .write(move |tx| {
                let (who, req) = (sup_a.clone(), req.clone());
                Box::pin(async move { patron::approvals::submit(&who, tx, &req).await })
            })
            .await
            .expect("submit");
        let b = t.login("sup-a").await;
        let page = b
            .post(
                &format!("/approvals/{}/decide", row.id),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert!(page.status.is_client_error(), "{}", page.body);
        assert!(
            page.body
                .contains("这是您本人提交的申请，须由另一位有审批权的同事审批。"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("您的岗位无权执行此操作"));
        assert!(!page.body.contains("the person who submitted"));
        assert!(
            !page.body.contains("approval_own_request"),
            "no code on a Chinese page"
        );
        t.stop().await;
    }
);

both!(
    a_store_in_the_address_that_names_nothing_is_said_not_replaced,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("desk.li", &[("reward_desk", t.hq)], false)
            .await;
        let b = t.login("desk.li").await;
        let page = b.get("/rewards/stock?store=ZZ").await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.body.contains("没有门店“ZZ”"), "{}", page.body);
        // The store it names is shown as asked.
        let page = b.get("/rewards/stock?store=hq").await;
        assert_eq!(page.status, StatusCode::OK);
        // A day or a month that does not exist is said, not replaced by today or last month.
        t.add_staff("gb.wang", &[("manager", t.hq)], false).await;
        let gb = t.login("gb.wang").await;
        let page = gb.get("/groupbuy/report?date=2026-02-30").await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(
            page.body.contains("日期“2026-02-30”不存在"),
            "{}",
            page.body
        );
        let page = gb.get("/groupbuy/reconcile?month=2026-13").await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.body.contains("月份“2026-13”不存在"), "{}", page.body);
        let page = gb.get("/groupbuy/report?date=2026-09-24").await;
        assert_eq!(page.status, StatusCode::OK);
        t.stop().await;
    }
);
