//! The login throttle against bursts, spellings, strangers and a second instance: attempts are
//! counted in the database before a password is checked.

use chrono::Duration;
use reqwest::StatusCode;

use crate::both;
use crate::support::{PASSWORD, TestApp, require_pg, second_instance, spawn_app, welcome_password};

/// The passwords checked for staff account `username` so far (each check is audited).
async fn staff_checks(t: &TestApp) -> usize {
    let (rows, _) = patron::kernel::audit::list(
        &t.app.db,
        &patron::kernel::audit::AuditFilter {
            entity_kind: Some("staff".into()),
            ..Default::default()
        },
        0,
        1000,
    )
    .await
    .expect("audit");
    rows.iter()
        .filter(|r| r.action == "staff.login_failed" || r.action == "staff.login")
        .count()
}

/// Sends `n` wrong-password logins for `username` at once, spread over `bases`; their statuses.
async fn burst(bases: &[String], username: &str, n: usize) -> Vec<StatusCode> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let sends = (0..n).map(|i| {
        let (client, url) = (client.clone(), format!("{}/login", bases[i % bases.len()]));
        let username = username.to_string();
        async move {
            client
                .post(url)
                .form(&[
                    ("username", username.as_str()),
                    ("password", "wrong-guess"),
                    ("next", "/"),
                ])
                .send()
                .await
                .expect("login")
                .status()
        }
    });
    futures::future::join_all(sends).await
}

both!(
    a_burst_of_150_logins_checks_at_most_five_passwords,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("cashier.wu", &[("clerk", t.hq)], false).await;
        let statuses = burst(std::slice::from_ref(&t.base), "cashier.wu", 150).await;
        assert!(
            statuses
                .iter()
                .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::LOCKED),
            "{statuses:?}"
        );
        let wrong = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        assert!(wrong <= 4, "{wrong} answered 'wrong password'");
        assert_eq!(staff_checks(&t).await, 5, "five passwords checked, no more");
        // The right password now is refused too: the account is locked here.
        let res = t.browser().login("cashier.wu", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::LOCKED);
        assert_eq!(staff_checks(&t).await, 5);
        // Another spelling of the name is the same account and the same count.
        let res = t.browser().login(" Cashier.Wu ", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::LOCKED);
        t.clock.advance(Duration::minutes(16));
        let res = t.browser().login(" Cashier.Wu ", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "one account, any case");
        t.stop().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_sharing_postgresql_check_at_most_five_passwords_between_them() {
    require_pg();
    let t = spawn_app(crate::support::Backend::Postgres).await;
    t.add_staff("cashier.xu", &[("clerk", t.hq)], false).await;
    let (second, stop) = second_instance(&t).await;
    let statuses = burst(&[t.base.clone(), second.clone()], "cashier.xu", 120).await;
    assert!(
        statuses
            .iter()
            .all(|s| *s != StatusCode::SEE_OTHER && !s.is_server_error()),
        "{statuses:?}"
    );
    assert_eq!(
        staff_checks(&t).await,
        5,
        "five checks across both instances"
    );
    let _ = stop.send(());
    t.stop().await;
}

both!(
    a_stranger_cannot_lock_the_owner_out_and_unknown_names_answer_alike,
    |backend| async move {
        let t = spawn_app(backend).await;
        // From another address, a stranger tries the administrator's account.
        let stranger = t.browser_from("127.0.0.2");
        let mut admin_answers = Vec::new();
        let mut nobody_answers = Vec::new();
        for _ in 0..6 {
            admin_answers.push(stranger.login("admin", "guess").await.status());
            nobody_answers.push(stranger.login("no.such.person", "guess").await.status());
        }
        // An unknown name answers exactly as a real one: nothing tells who exists.
        assert_eq!(admin_answers, nobody_answers);
        assert_eq!(admin_answers[3], StatusCode::UNAUTHORIZED);
        assert_eq!(admin_answers[4], StatusCode::LOCKED);
        assert_eq!(admin_answers[5], StatusCode::LOCKED);
        // The administrator at their own desk waits a moment at most, then signs in.
        let desk = t.browser();
        let first = desk.login("admin", PASSWORD).await.status();
        assert!(
            first == StatusCode::SEE_OTHER || first == StatusCode::LOCKED,
            "{first}"
        );
        if first == StatusCode::LOCKED {
            t.clock.advance(Duration::seconds(2));
            assert_eq!(
                desk.login("admin", PASSWORD).await.status(),
                StatusCode::SEE_OTHER
            );
        }
        // The stranger is still refused from where they are.
        assert_eq!(
            stranger.login("admin", "guess").await.status(),
            StatusCode::LOCKED
        );
        t.stop().await;
    }
);

both!(
    forty_portal_tries_over_twenty_spellings_of_one_phone_check_five_passwords,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (id, card) = t.add_member("拼写会员", "13600004444", "").await;
        let password = welcome_password(&t, id).await;
        let spellings = [
            "13600004444",
            "136 0000 4444",
            "136-0000-4444",
            " 13600004444 ",
            "+8613600004444",
            "+86 136 0000 4444",
            "0086 13600004444",
            "136 00004444",
            "1360000 4444",
            "136-00004444",
        ];
        let mut tries: Vec<String> = spellings.iter().map(|s| (*s).to_string()).collect();
        tries.extend(spellings.iter().map(|s| format!("{s}\t")));
        tries.push(card.clone());
        tries.push(card.to_lowercase());
        let b = t.browser();
        let mut wrong = 0;
        for _ in 0..2 {
            for login in &tries {
                let status = b.portal_login(login, "wrong-guess").await.status();
                if status == StatusCode::UNAUTHORIZED {
                    wrong += 1;
                }
            }
        }
        assert!(
            wrong <= 4,
            "{wrong} tries were checked and answered 'wrong'"
        );
        // However it is spelled, the account is locked now, even with the right password.
        for login in ["13600004444", card.as_str(), "136 0000 4444"] {
            assert_eq!(
                b.portal_login(login, &password).await.status(),
                StatusCode::LOCKED,
                "{login}"
            );
        }
        t.stop().await;
    }
);
