//! Changing a member's details after registration at the desk: phone, ID, e-mail, birthday,
//! address, occupation and marketing consent (with its date and source), audited; a phone that
//! belongs to another member is refused naming them, in the clerk's language.

use reqwest::StatusCode;

use crate::both;
use crate::support::spawn_app;

both!(
    the_desk_changes_a_members_phone_address_and_consent_and_a_taken_phone_is_refused,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let (first, _) = t.add_member("徐娟", "13812345678", "").await;
        let (id, _) = t.add_member("王芳", "13900001111", "1985-07-01").await;
        let clerk = t.login("clerk").await;
        let path = format!("/members/{id}");
        let page = clerk.get(&path).await;
        // Registered without consent: the page says so in words, and the channel is a word too.
        assert_eq!(page.text_of("consent").as_deref(), Some("不接收"));
        assert_eq!(page.text_of("channel").as_deref(), Some("门店服务台"));
        assert!(page.body.contains("id=\"details-form\""));
        let form = |phone: &'static str| {
            vec![
                ("phone", phone),
                ("email", "wangfang@example.com"),
                ("id_type", "resident_card"),
                ("id_no", ""),
                ("birthday", "1985-07-02"),
                ("occupation", "教师"),
                ("address", "北京市东城区王府井大街255号"),
                ("consent", "yes"),
                ("consent_source", "form"),
            ]
        };
        // Another member's phone: refused, naming her, in Chinese; nothing changed.
        let refused = clerk
            .post(&format!("{path}/details"), &path, &form("138 1234 5678"))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let line = refused.text_of("message").unwrap_or_default();
        assert_eq!(line, format!("该手机号已属于会员 徐娟（#{first}）"));
        assert!(
            !refused.body.contains("belongs to"),
            "no English on a zh-CN page"
        );
        assert_eq!(
            t.scalar(
                "select count(*) from audit_log where action = 'member.details_changed' \
                 and entity_id = cast($1 as text)",
                id
            )
            .await,
            0
        );
        // A new phone of her own, and the rest: saved, audited, shown.
        let saved = clerk
            .post(&format!("{path}/details"), &path, &form("13700002222"))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = clerk.get(&path).await;
        assert_eq!(page.text_of("phone").as_deref(), Some("137****2222"));
        assert_eq!(
            page.text_of("address").as_deref(),
            Some("北京市东城区王府井大街255号")
        );
        assert_eq!(page.text_of("occupation").as_deref(), Some("教师"));
        assert_eq!(
            page.text_of("email").as_deref(),
            Some("wangfang@example.com")
        );
        assert!(page.body.contains("1985-07-02"));
        assert!(
            page.text_of("consent")
                .is_some_and(|s| s.starts_with("同意接收"))
        );
        assert!(
            page.body.contains("书面签字"),
            "the source of the consent is shown"
        );
        // The member is found by the new phone, and the old one is free again.
        let found = clerk.get("/members?q=13700002222").await;
        assert!(found.body.contains(&path));
        assert!(
            !clerk
                .get("/members?q=13900001111")
                .await
                .body
                .contains(&path)
        );
        assert_eq!(
            t.scalar(
                "select count(*) from audit_log where action = 'member.details_changed' \
                 and entity_id = cast($1 as text)",
                id
            )
            .await,
            1
        );
        // Consent was recorded with its source; event invitations may now reach her.
        assert_eq!(
            t.scalar(
                "select count(*) from members where id = $1 and marketing_consent \
                 and consent_source = 'form' and consent_at is not null",
                id
            )
            .await,
            1
        );
        // A bad birthday is refused at its field.
        let mut bad = form("");
        bad[4] = ("birthday", "1990-02-30");
        let refused = clerk.post(&format!("{path}/details"), &path, &bad).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        t.stop().await;
    }
);
