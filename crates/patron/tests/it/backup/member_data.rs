//! One member's data as a file the member can read (B11): labelled in Chinese, the phone in
//! full for the desk's copy (an audited full view), refused to those who may not see it.

use crate::both;
use crate::support::spawn_app;

both!(
    the_desk_hands_a_member_a_readable_copy_of_their_data,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (member, card) = t.add_member("王芳", "13800001111", "1980-03-01").await;
        let key = t.till_key(t.hq, "T01").await;
        crate::support::ok(
            &t,
            "/api/v1/pos/receipts",
            &key,
            serde_json::json!({
                "store_code": "HQ", "till_id": "T01", "receipt_no": "D-0001", "card_no": card,
                "occurred_at": "2026-09-25T16:30:00+08:00",
                "lines": [{"line_no": 1, "sku": "S", "amount_fen": 52_000, "promotional": false}],
            }),
        )
        .await;
        // What the portal reuses: masked numbers.
        let data = patron::areas::members::data::member_data(&t.app.db, member, t.app.clock.now())
            .await
            .expect("data")
            .expect("member");
        assert_eq!(data.phone, "138****1111");
        assert_eq!(data.receipts.len(), 1);
        // The desk's copy over HTTP: readable Chinese, the phone in full, audited.
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let b = t.login("boss").await;
        let res = b
            .client
            .get(format!("{}/members/{member}/data.txt", b.base))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), reqwest::StatusCode::OK);
        assert!(
            res.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/plain"))
        );
        let text = res.text().await.expect("text");
        for want in [
            "会员个人信息副本",
            "王芳",
            "13800001111",
            "D-0001",
            "积分明细",
            "¥520.00",
        ] {
            assert!(text.contains(want), "{want} missing from:\n{text}");
        }
        assert!(!text.contains("receipt"), "codes are labelled:\n{text}");
        assert_eq!(
            t.scalar_text(
                "select count(*) from audit_log where action = 'member.reveal' and entity_id = $1",
                &member.to_string()
            )
            .await,
            1
        );
        // A clerk may not see personal data in full: refused.
        let c = t.login("clerk").await;
        let res = c
            .client
            .get(format!("{}/members/{member}/data.txt", c.base))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), reqwest::StatusCode::FORBIDDEN);
        t.stop().await;
    }
);
