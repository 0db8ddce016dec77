//! Timed jobs: points expiry (idempotent, resumable), expiry reminders (queued once), the
//! annual tier review, and the outbox sender over the file, HTTP-SMS and SMTP transports.

use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;

use crate::both;
use crate::support::{TestApp, smtp_sink, spawn_app, spawn_app_with};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn earn(t: &TestApp, key: &str, card: &str, no: &str, fen: i64) {
    let (status, body) = t
        .post(
            "/api/v1/pos/receipts",
            key,
            json!({"store_code": "HQ", "receipt_no": no, "card_no": card,
                   "occurred_at": "2026-09-25T16:00:00+08:00", "lines": [{"line_no": 1, "amount_fen": fen}]}),
        )
        .await;
    assert!(status.is_success(), "{body}");
}

both!(
    expiry_zeroes_old_lots_exactly_once_and_reminders_are_queued_once,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("过期测试", "13700000001", "").await;
        earn(&t, &key, &card, "X-1", 30_000).await;
        // A reminder a month ahead of 2028-09-30; the next day's run queues nothing new.
        let r = patron::app::jobs::run(&t.app, "expiry-reminders", day(2028, 9, 5), None)
            .await
            .expect("remind");
        assert_eq!(r.processed, 1);
        let r = patron::app::jobs::run(&t.app, "expiry-reminders", day(2028, 9, 6), None)
            .await
            .expect("remind again");
        assert_eq!(r.processed, 0);
        assert_eq!(
            t.scalar(
                "select count(*) from outbox where kind = 'expiry_reminder' and member_id = $1",
                id
            )
            .await,
            1
        );
        // Not yet expired on the last day.
        let r = patron::app::jobs::run(&t.app, "points-expiry", day(2028, 9, 30), None)
            .await
            .expect("expire");
        assert_eq!(r.processed, 0);
        let target = Utc
            .with_ymd_and_hms(2028, 10, 1, 1, 0, 0)
            .single()
            .expect("time");
        t.clock.advance(target - t.app.clock.now());
        let r = patron::app::jobs::run(&t.app, "points-expiry", day(2028, 10, 1), None)
            .await
            .expect("expire");
        assert_eq!(r.processed, 1);
        assert_eq!(
            t.scalar("select points_balance from members where id = $1", id)
                .await,
            0
        );
        // Run again (as after an interruption, with the run record gone): nothing more.
        let again = patron::app::jobs::run(&t.app, "points-expiry", day(2028, 10, 1), None)
            .await
            .expect("again");
        assert!(again.already_done);
        t.exec("delete from job_runs where $1 > 0", 1).await;
        let again = patron::app::jobs::run(&t.app, "points-expiry", day(2028, 10, 1), None)
            .await
            .expect("again");
        assert_eq!(again.processed, 0);
        assert_eq!(
            t.scalar(
                "select count(*) from point_entries where kind = 'expiry' and member_id = $1",
                id
            )
            .await,
            1
        );
        assert_eq!(
            t.scalar(
                "select cast(sum(points) as bigint) from point_entries where member_id = $1",
                id
            )
            .await,
            0
        );
        t.stop().await;
    }
);

both!(
    the_annual_review_downgrades_by_the_window_and_says_what_keeping_needed,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("复核测试", "13700000002", "").await;
        earn(&t, &key, &card, "T-1", 1_000_000).await; // ¥10,000: silver
        assert_eq!(
            t.scalar(
                "select count(*) from members where tier_code = 'silver' and id = $1",
                id
            )
            .await,
            1
        );
        // A year and more later the window is empty: back to normal.
        let r = patron::app::jobs::run(&t.app, "tier-review", day(2028, 1, 1), None)
            .await
            .expect("review");
        assert_eq!(r.processed, 1);
        assert_eq!(
            t.scalar(
                "select count(*) from members where tier_code = 'normal' and id = $1",
                id
            )
            .await,
            1
        );
        let payload: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar(
                "select payload from outbox where member_id = $1 and dedupe_key like 'review:%'",
            )
            .bind(id)
            .fetch_one(p)
            .await
            .expect("message")
        });
        assert!(
            payload.contains("\"needed_to_keep_fen\":1000000"),
            "{payload}"
        );
        t.stop().await;
    }
);

both!(
    the_outbox_sends_each_message_once_by_sms_gateway_and_smtp_and_respects_opt_out,
    |backend| async move {
        // An SMS gateway that refuses the first call and accepts the rest.
        let calls = Arc::new(Mutex::new(Vec::<serde_json::Value>::new()));
        let seen = calls.clone();
        let gateway = axum::Router::new().route(
            "/sms",
            axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
                let seen = seen.clone();
                async move {
                    let mut v = seen.lock().expect("lock");
                    v.push(body);
                    if v.len() == 1 {
                        axum::http::StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        axum::http::StatusCode::OK
                    }
                }
            }),
        );
        let gl = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let gateway_url = format!("http://{}/sms", gl.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(gl, gateway).await });
        let (smtp_port, mails) = smtp_sink().await;
        let t = spawn_app_with(backend, |c| {
            c.notify.sms_transport = "http".into();
            c.notify.sms_url = gateway_url.clone();
            c.notify.email_transport = "smtp".into();
            c.notify.smtp_port = smtp_port;
        })
        .await;
        let (a, _) = t.add_member("短信会员", "13700000003", "").await;
        let (b, _) = t.add_member("不要营销", "13700000004", "").await;
        // Their welcome messages are not part of this story.
        t.exec(
            "update outbox set status = 'sent' where kind = 'welcome' and $1 > 0",
            1,
        )
        .await;
        let now = t.app.clock.now();
        t.app
            .db
            .write(move |tx| {
                Box::pin(async move {
                    for (member, kind, channel, marketing, key) in [
                        (a, "tier_change", "sms", false, "m1"),
                        (b, "birthday", "sms", true, "m2"),
                    ] {
                        patron::notify::queue(
                            tx,
                            &patron::notify::NewMessage {
                                member_id: Some(member),
                                kind,
                                channel,
                                dedupe_key: key.into(),
                                payload: json!({"from": "normal", "to": "silver"}),
                                marketing,
                                at: now,
                            },
                        )
                        .await?;
                    }
                    Ok::<_, patron::kernel::db::DbError>(())
                })
            })
            .await
            .expect("queue");
        t.exec(
            "update members set email = 'a@example.invalid' where id = $1",
            a,
        )
        .await;
        t.app
            .db
            .write(move |tx| {
                Box::pin(async move {
                    patron::notify::queue(
                        tx,
                        &patron::notify::NewMessage {
                            member_id: Some(a),
                            kind: "welcome",
                            channel: "email",
                            dedupe_key: "m3".into(),
                            payload: json!({"card_no": "HQ1", "password": "Secret-Once-1"}),
                            marketing: false,
                            at: now,
                        },
                    )
                    .await?;
                    Ok::<_, patron::kernel::db::DbError>(())
                })
            })
            .await
            .expect("queue");
        // First run: the gateway refuses the SMS; the e-mail goes; the opted-out member is skipped.
        let r = patron::app::jobs::run(&t.app, "outbox-send", day(2026, 9, 25), None)
            .await
            .expect("send");
        assert_eq!(r.processed, 1);
        assert_eq!(mails.lock().expect("lock").len(), 1);
        assert!(mails.lock().expect("lock")[0].contains("a@example.invalid"));
        assert_eq!(
            t.scalar(
                "select count(*) from outbox where status = 'skipped' and member_id = $1",
                b
            )
            .await,
            1
        );
        // The e-mail's one-time password is not kept once sent.
        assert_eq!(
            t.scalar(
                "select count(*) from outbox where payload like '%Secret-Once-1%' and $1 > 0",
                1
            )
            .await,
            0
        );
        // Nothing is retried before its time; after it, the SMS goes once.
        let r = patron::app::jobs::run(&t.app, "outbox-send", day(2026, 9, 25), None)
            .await
            .expect("send");
        assert_eq!(r.processed, 0);
        t.clock.advance(chrono::Duration::minutes(5));
        let r = patron::app::jobs::run(&t.app, "outbox-send", day(2026, 9, 25), None)
            .await
            .expect("send");
        assert_eq!(r.processed, 1);
        let r = patron::app::jobs::run(&t.app, "outbox-send", day(2026, 9, 25), None)
            .await
            .expect("send");
        assert_eq!(r.processed, 0);
        let got = calls.lock().expect("lock").clone();
        assert_eq!(got.len(), 2, "one refused call and one delivery");
        assert_eq!(got[1]["to"], "13700000003");
        assert_eq!(mails.lock().expect("lock").len(), 1, "the e-mail went once");
        assert_eq!(t.scalar("select count(*) from outbox where status = 'sent' and dedupe_key in ('m1', 'm3') and $1 > 0", 1).await, 2);
        t.stop().await;
    }
);

both!(
    birthday_greetings_are_queued_once_a_year,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (id, _) = t.add_member("寿星", "13700000005", "1980-09-25").await;
        t.add_member("别人", "13700000006", "1980-09-24").await;
        let r = patron::app::jobs::run(&t.app, "birthday-greetings", day(2026, 9, 25), None)
            .await
            .expect("greet");
        assert_eq!((r.seen, r.processed), (1, 1));
        t.exec("delete from job_runs where $1 > 0", 1).await;
        let again = patron::app::jobs::run(&t.app, "birthday-greetings", day(2026, 9, 25), None)
            .await
            .expect("greet");
        assert_eq!(again.processed, 0, "never twice in a year");
        assert_eq!(
            t.scalar(
                "select count(*) from outbox where kind = 'birthday' and member_id = $1",
                id
            )
            .await,
            1
        );
        t.stop().await;
    }
);

both!(
    an_unknown_job_name_is_an_error_and_runs_nothing,
    |backend| async move {
        let t = spawn_app(backend).await;
        let r = patron::app::jobs::run(&t.app, "tier-reveiw", day(2028, 1, 1), None).await;
        assert!(
            matches!(&r, Err(patron::jobs::JobError::Unknown(name)) if name == "tier-reveiw"),
            "{r:?}"
        );
        // Every job the scheduler knows has a unique name.
        let names: std::collections::BTreeSet<_> =
            patron::app::jobs::all().iter().map(|j| j.name).collect();
        assert_eq!(names.len(), patron::app::jobs::all().len());
        t.stop().await;
    }
);

both!(
    two_overlapping_runs_of_a_job_each_count_only_what_they_changed,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        const MEMBERS: i64 = 24;
        for i in 0..MEMBERS {
            let (_, card) = t
                .add_member(&format!("复核{i}"), &format!("1370000{:04}", 100 + i), "")
                .await;
            earn(&t, &key, &card, &format!("R-{i}"), 1_000_000).await; // silver
        }
        // Two instances (or a hand run beside the scheduler) start the same review at once.
        let (a, b) = tokio::join!(
            patron::app::jobs::run(&t.app, "tier-review", day(2028, 1, 1), None),
            patron::app::jobs::run(&t.app, "tier-review", day(2028, 1, 1), None),
        );
        let (a, b) = (a.expect("run a"), b.expect("run b"));
        assert_eq!(
            t.scalar(
                "select count(*) from members where tier_code = 'normal' and $1 > 0",
                1
            )
            .await,
            MEMBERS
        );
        // Each run says what it moved itself; together, every member once.
        assert_eq!(
            (a.processed + b.processed) as i64,
            MEMBERS,
            "a: {a:?}, b: {b:?}"
        );
        assert_eq!(
            t.scalar(
                "select processed from job_runs where job = 'tier-review' and $1 > 0",
                1
            )
            .await,
            MEMBERS
        );
        t.stop().await;
    }
);

both!(
    the_outbox_file_is_named_by_the_business_date_and_is_owner_only,
    |backend| async move {
        let t = spawn_app(backend).await;
        // 23:30 UTC is 07:30 the next morning in Shanghai.
        let late = Utc
            .with_ymd_and_hms(2026, 9, 25, 23, 30, 0)
            .single()
            .expect("time");
        t.clock.advance(late - t.app.clock.now());
        t.add_member("早班会员", "13700000099", "").await;
        let r = patron::app::jobs::run(&t.app, "outbox-send", day(2026, 9, 26), None)
            .await
            .expect("send");
        assert_eq!(r.processed, 1);
        let dir = t.app.config.data_dir.join("outbox");
        let file = dir.join("2026-09-26.jsonl");
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            let names: Vec<_> = std::fs::read_dir(&dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.file_name())
                .collect();
            panic!("{}: {e}; the outbox holds {names:?}", file.display())
        });
        assert!(text.contains("\"welcome\""), "{text}");
        assert!(!dir.join("2026-09-25.jsonl").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| {
                std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
            };
            assert_eq!(mode(&dir), 0o700, "the outbox directory");
            assert_eq!(mode(&file), 0o600, "the outbox file");
        }
        t.stop().await;
    }
);
