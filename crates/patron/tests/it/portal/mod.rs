//! The member portal through the real server: first login with the password from the welcome
//! message, the forced change, the overview and lockout; `codes.rs` the sign-in by SMS code,
//! `mine.rs` slips, consent, the data download and the close request, `signups.rs` the last
//! seat of an event taken from the portal, `complaints.rs` online complaints.

mod codes;
mod complaints;
mod mine;
mod signups;

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{spawn_app, welcome_password};

both!(
    a_member_logs_in_changes_the_first_password_and_sees_points_and_tier,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("门户会员", "13600001111", "").await;
        let password = welcome_password(&t, id).await;
        t.post(
            "/api/v1/pos/receipts",
            &key,
            json!({"store_code": "HQ", "receipt_no": "P-1", "card_no": card, "occurred_at": "2026-09-25T16:00:00+08:00",
                   "lines": [{"line_no": 1, "amount_fen": 123_400}]}),
        )
        .await;
        let b = t.browser();
        let res = b.portal_login(&card, &password).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/portal/password");
        // The first password must be changed; a weak one is refused.
        let page = b.get("/portal/password").await;
        let csrf = page.csrf();
        let weak = b
            .client
            .post(format!("{}/portal/password", b.base))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("current", password.as_str()),
                ("new", "short"),
                ("confirm", "short"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let ok = b
            .client
            .post(format!("{}/portal/password", b.base))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("current", password.as_str()),
                ("new", "Osmanthus-2026"),
                ("confirm", "Osmanthus-2026"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        let home = b.get("/portal").await;
        assert_eq!(home.status, StatusCode::OK);
        assert_eq!(
            home.text_of("balance").as_deref(),
            Some("1,234"),
            "points grouped by thousands"
        );
        assert!(
            home.text_of("next-tier")
                .unwrap_or_default()
                .contains("¥8,766.00"),
            "{}",
            home.body
        );
        assert!(home.body.contains("消费积分"));
        // By phone, with the new password.
        let b2 = t.browser();
        let res = b2.portal_login("136 0000 1111", "Osmanthus-2026").await;
        assert_eq!(res.headers()["location"], "/portal");
        // A staff session is not a portal session and the reverse.
        assert_eq!(b2.get("/").await.status, StatusCode::SEE_OTHER);
        t.stop().await;
    }
);

both!(
    the_portal_locks_after_repeated_failures_and_unknown_cards_answer_alike,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (id, card) = t.add_member("锁定会员", "13600002222", "").await;
        let password = welcome_password(&t, id).await;
        let b = t.browser();
        for _ in 0..4 {
            assert_eq!(
                b.portal_login(&card, "wrong-password").await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(
            b.portal_login(&card, "wrong-password").await.status(),
            StatusCode::LOCKED
        );
        // Even the right password is refused while locked.
        assert_eq!(
            b.portal_login(&card, &password).await.status(),
            StatusCode::LOCKED
        );
        t.clock.advance(chrono::Duration::minutes(16));
        assert_eq!(
            b.portal_login(&card, &password).await.status(),
            StatusCode::SEE_OTHER
        );
        // An unknown card is answered exactly as a known one: nothing tells who is a member.
        let mut unknown = Vec::new();
        let mut known = Vec::new();
        let (_, other) = t.add_member("另一会员", "13600003333", "").await;
        for _ in 0..6 {
            unknown.push(b.portal_login("HQ99999999", "x").await.status());
            known.push(b.portal_login(&other, "x").await.status());
        }
        assert_eq!(unknown, known);
        assert_eq!(known[3], StatusCode::UNAUTHORIZED);
        assert_eq!(known[4], StatusCode::LOCKED);
        t.stop().await;
    }
);
