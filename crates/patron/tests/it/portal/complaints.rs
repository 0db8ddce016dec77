//! Online complaints from the portal (I1 "online"): the case enters the complaints area with its
//! clocks running, a double submit takes one case, bad input writes nothing, the member sees
//! state and answer as labels, and no other member sees it.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::complaints::{desk, step};
use crate::support::{PASSWORD, hq_token, set_portal_password, spawn_app};

both!(
    a_member_complains_online_once_and_sees_the_state_and_answer,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (id, card) = t.add_member("网上投诉会员", "13700007777", "").await;
        set_portal_password(&t, id).await;
        let b = t.portal_login(&card, PASSWORD).await;
        let page = b.get("/portal/complaints").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("产品质量"), "{}", page.body);
        assert!(!page.body.contains(">product_quality<"));
        let csrf = page.csrf();
        let key = page
            .body
            .split_once("name=\"key\" value=\"")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(k, _)| k.to_string())
            .expect("one-time key");
        let form = [
            ("_csrf", csrf.as_str()),
            ("key", key.as_str()),
            ("category", "product_quality"),
            ("content", "买的电水壶漏水"),
            ("wants", "退货"),
        ];
        for _ in 0..2 {
            let res = b
                .client
                .post(format!("{}/portal/complaints", b.base))
                .form(&form)
                .send()
                .await
                .expect("post");
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            assert_eq!(res.headers()["location"], "/portal/complaints?ok=1");
        }
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from complaints where member_id = $1",
                id
            )
            .await,
            1,
            "a double submit takes one case"
        );
        let case = t
            .scalar(
                "select id from complaints where member_id = $1 and channel = 'online'",
                id,
            )
            .await;
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from complaint_clocks where complaint_id = $1 \
                 and clock = 'acknowledge' and met_at is null and breached_at is null",
                case
            )
            .await,
            1,
            "the acknowledge clock runs"
        );
        let list = b.get("/portal/complaints?ok=1").await;
        assert!(list.body.contains("买的电水壶漏水"), "{}", list.body);
        assert_eq!(
            list.text_of(&format!("complaint-state-{case}")).as_deref(),
            Some("待受理")
        );

        // The department answers: the member reads the plan, the state as a label, in English too.
        let key = desk(&t).await;
        let handler = hq_token(&t, "quality_clerk", "clerk").await;
        step(&t, &key, case, "acknowledge", json!({})).await;
        step(&t, &key, case, "route", json!({"department": "quality"})).await;
        step(
            &t,
            &handler,
            case,
            "answer",
            json!({"plan": "上门取回并退款"}),
        )
        .await;
        let list = b.get("/portal/complaints").await;
        assert_eq!(
            list.text_of(&format!("complaint-state-{case}")).as_deref(),
            Some("已答复方案")
        );
        assert!(list.body.contains("上门取回并退款"));
        let en = t.browser();
        en.get("/portal/login?lang=en").await;
        en.portal_login(&card, PASSWORD).await;
        let list = en.get("/portal/complaints").await;
        assert_eq!(
            list.text_of(&format!("complaint-state-{case}")).as_deref(),
            Some("Answered")
        );
        assert!(list.body.contains("Product quality"));

        // The data download holds the complaint with its labels and answer, and the gender as
        // a word.
        t.exec("update members set gender = 'F' where id = $1", id)
            .await;
        let text = b
            .client
            .get(format!("{}/portal/my-data.txt", b.base))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("text");
        for want in [
            "我的投诉与建议",
            "买的电水壶漏水",
            "产品质量",
            "已答复方案",
            "上门取回并退款",
            "性别：女",
        ] {
            assert!(text.contains(want), "{want} missing in:\n{text}");
        }
        assert!(
            !text.contains("product_quality") && !text.contains("answered"),
            "{text}"
        );

        // Another member sees nothing of it.
        let (other, other_card) = t.add_member("另一会员", "13700008888", "").await;
        set_portal_password(&t, other).await;
        let o = t.portal_login(&other_card, PASSWORD).await;
        let theirs = o.get("/portal/complaints").await;
        assert_eq!(theirs.status, StatusCode::OK);
        assert!(!theirs.body.contains("买的电水壶漏水"));
        assert!(theirs.body.contains("id=\"no-complaints\""));
        t.stop().await;
    }
);

both!(
    an_empty_complaint_is_shown_again_with_the_message_and_writes_nothing,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (id, card) = t.add_member("空白投诉会员", "13700009999", "").await;
        set_portal_password(&t, id).await;
        let b = t.portal_login(&card, PASSWORD).await;
        let page = b
            .post(
                "/portal/complaints",
                "/portal/complaints",
                &[
                    ("key", "k-1"),
                    ("category", "service"),
                    ("content", "   "),
                    ("wants", "道歉"),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            page.body
        );
        assert!(page.body.contains("id=\"content-error\""), "{}", page.body);
        assert!(page.body.contains("道歉"), "what was typed stays");
        assert!(!page.body.contains("invalid.required"));
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from complaints where member_id = $1",
                id
            )
            .await,
            0
        );
        t.stop().await;
    }
);
