//! First sign-in and a forgotten password by a one-time SMS code: the code from the outbox signs
//! the member in once, expires, dies after wrong tries; requests are limited per phone and per
//! address; an unknown phone is answered exactly like a member's.

use reqwest::StatusCode;

use crate::both;
use crate::support::{Browser, Page, TestApp, spawn_app};

/// The code in the newest `portal_code` message to the member (read before it is sent).
pub async fn sms_code(t: &TestApp, member_id: i64) -> String {
    let payload: String = patron::on_db!(t.app.db, |p| {
        sqlx::query_scalar(
            "select payload from outbox where member_id = $1 and kind = 'portal_code' order by id desc limit 1",
        )
        .bind(member_id)
        .fetch_one(p)
        .await
        .expect("code message")
    });
    let v: serde_json::Value = serde_json::from_str(&payload).expect("json");
    v["code"].as_str().expect("code").to_string()
}

async fn codes_sent(t: &TestApp) -> i64 {
    t.scalar(
        "select cast(count(*) as bigint) from outbox where kind = 'portal_code' and id > $1",
        0,
    )
    .await
}

pub async fn ask(b: &Browser, phone: &str) -> Page {
    let res = b
        .client
        .post(format!("{}/portal/code", b.base))
        .form(&[("phone", phone)])
        .send()
        .await
        .expect("POST");
    to_page(res).await
}

pub async fn verify(b: &Browser, phone: &str, code: &str, new: &str) -> Page {
    let res = b
        .client
        .post(format!("{}/portal/code/verify", b.base))
        .form(&[
            ("phone", phone),
            ("code", code),
            ("new", new),
            ("confirm", new),
        ])
        .send()
        .await
        .expect("POST");
    to_page(res).await
}

async fn to_page(res: reqwest::Response) -> Page {
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = res.text().await.unwrap_or_default();
    Page {
        status,
        location,
        body,
    }
}

both!(
    a_code_signs_a_member_in_once_and_dies_when_expired_or_guessed,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (id, card) = t.add_member("验证码会员", "13700001111", "").await;
        let b = t.browser();
        let asked = ask(&b, "137 0000 1111").await;
        assert_eq!(asked.status, StatusCode::OK);
        assert!(asked.body.contains("verify-form"), "{}", asked.body);
        let code = sms_code(&t, id).await;
        assert_eq!(code.len(), 6);
        // Only a keyed digest is stored.
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from portal_codes where code_hash = $1",
                &code
            )
            .await,
            0
        );
        // A wrong code is refused; a weak password too, before the code is spent.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let res = verify(&b, "13700001111", wrong, "Camellia-2026").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let res = verify(&b, "13700001111", &code, "short").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The right code sets the member's own password and signs them in.
        let res = verify(&b, "13700001111", &code, "Camellia-2026").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location.as_deref(), Some("/portal"));
        let home = b.get("/portal").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("验证码会员"));
        // The password works at the login, with no forced change.
        let b2 = t.browser();
        let login = b2.portal_login(&card, "Camellia-2026").await;
        assert_eq!(login.headers()["location"], "/portal");
        // Used once: the same code again is refused.
        let again = verify(&t.browser(), "13700001111", &code, "Wisteria-2026").await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        // A new code expires after ten minutes.
        ask(&b, "13700001111").await;
        let late = sms_code(&t, id).await;
        t.clock.advance(chrono::Duration::minutes(11));
        let res = verify(&t.browser(), "13700001111", &late, "Wisteria-2026").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Five wrong tries kill a code: the right one is refused after them.
        ask(&b, "13700001111").await;
        let fresh = sms_code(&t, id).await;
        let wrong = if fresh == "000000" {
            "111111"
        } else {
            "000000"
        };
        for _ in 0..5 {
            verify(&t.browser(), "13700001111", wrong, "Wisteria-2026").await;
        }
        let res = verify(&t.browser(), "13700001111", &fresh, "Wisteria-2026").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        t.stop().await;
    }
);

both!(
    an_unknown_phone_is_answered_exactly_like_a_members,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_member("真实会员", "13700002222", "").await;
        let member = ask(&t.browser(), "13700002222").await;
        let stranger = ask(&t.browser(), "13700009999").await;
        assert_eq!(member.status, stranger.status);
        assert_eq!(
            member.body.replace("13700002222", "PHONE"),
            stranger.body.replace("13700009999", "PHONE"),
            "the answer tells nothing about membership"
        );
        assert_eq!(codes_sent(&t).await, 1, "only the member gets a message");
        // Checking a code for the stranger is refused like a wrong code of a member.
        let a = verify(&t.browser(), "13700009999", "123456", "Camellia-2026").await;
        let b = verify(&t.browser(), "13700002222", "123456", "Camellia-2026").await;
        assert_eq!(a.status, b.status);
        assert_eq!(
            a.body.replace("13700009999", "PHONE"),
            b.body.replace("13700002222", "PHONE")
        );
        t.stop().await;
    }
);

both!(
    code_requests_are_limited_per_phone_and_per_address,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_member("限流会员", "13700003333", "").await;
        let here = t.browser_from("127.0.0.2");
        for _ in 0..3 {
            assert_eq!(ask(&here, "13700003333").await.status, StatusCode::OK);
        }
        // The fourth for the phone is refused, from anywhere.
        assert_eq!(
            ask(&here, "13700003333").await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        let elsewhere = t.browser_from("127.0.0.3");
        assert_eq!(
            ask(&elsewhere, "13700003333").await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(codes_sent(&t).await, 3);
        // One address asking for many phones is stopped after ten.
        let mut statuses = Vec::new();
        for n in 0..11 {
            statuses.push(ask(&elsewhere, &format!("1380000{n:04}")).await.status);
        }
        // 127.0.0.3 asked once already (refused, still counted as a request).
        assert_eq!(
            statuses.iter().filter(|s| **s == StatusCode::OK).count(),
            9,
            "{statuses:?}"
        );
        assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
        // An hour later the phone may ask again.
        t.clock.advance(chrono::Duration::minutes(61));
        assert_eq!(ask(&here, "13700003333").await.status, StatusCode::OK);
        t.stop().await;
    }
);
