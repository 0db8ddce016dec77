//! Notifications in the console (L1; issue 13, "the console as a workplace"): a notice for a
//! store reaches the inbox of everyone working there (read or unread per person) and the store's
//! e-mail; the outbox page shows every message's state and why, recipients masked; message texts
//! are edited per event and language, the next SMS uses the edited text, and a text with an
//! unknown placeholder is refused with nothing saved.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::rewards::{issue, stock};
use crate::support::{
    TestApp, add_store, give_points, hq_token, mail_text, smtp_sink, spawn_app, spawn_app_with,
    token,
};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 25).expect("date")
}

async fn send(t: &TestApp) -> patron::jobs::RunReport {
    patron::app::jobs::run(&t.app, "outbox-send", today(), None)
        .await
        .expect("outbox-send")
}

/// The unread count in the header of `b`'s console ('' when none).
async fn badge(b: &crate::support::Browser) -> String {
    let page = b.get("/inbox/badge").await;
    assert_eq!(page.status, StatusCode::OK);
    page.body
        .split_once("class=\"count\"")
        .and_then(|(_, r)| r.split_once('>'))
        .and_then(|(_, r)| r.split_once('<'))
        .map(|(n, _)| n.to_string())
        .unwrap_or_default()
}

/// An SMS gateway that accepts everything and keeps the texts it was given.
async fn sms_gateway() -> (String, Arc<Mutex<Vec<String>>>) {
    let texts = Arc::new(Mutex::new(Vec::new()));
    let kept = texts.clone();
    let gateway = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let kept = kept.clone();
            async move {
                let text = body["text"].as_str().unwrap_or_default().to_string();
                kept.lock().expect("lock").push(text);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/sms", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, gateway).await });
    (url, texts)
}

both!(
    a_slip_claimed_at_another_store_reaches_the_owning_store_inbox_and_its_email,
    |backend| async move {
        let (smtp_port, mails) = smtp_sink().await;
        let t = spawn_app_with(backend, |c| {
            c.notify.email_transport = "smtp".into();
            c.notify.smtp_port = smtp_port;
        })
        .await;
        // The administrator gives HQ a notice address on the stores page.
        let admin = t.login("admin").await;
        let saved = admin
            .post(
                &format!("/admin/stores/{}", t.hq),
                "/admin/stores",
                &[
                    ("code", "HQ"),
                    ("name", "总部"),
                    ("time_zone", "Asia/Shanghai"),
                    ("active", "true"),
                    ("email", "hq-desk@store.example"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let bad = admin
            .post(
                &format!("/admin/stores/{}", t.hq),
                "/admin/stores",
                &[
                    ("code", "HQ"),
                    ("name", "总部"),
                    ("time_zone", "Asia/Shanghai"),
                    ("active", "true"),
                    ("email", "not an address"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("电子邮箱不正确"), "{}", bad.body);

        let wfj = add_store(&t, "WFJ").await;
        let clerk = hq_token(&t, "rw_clerk", "clerk").await;
        let wfj_desk = token(&t, "wfj_desk", &[("reward_desk", wfj)]).await;
        t.add_staff("hq_manager", &[("manager", t.hq)], false).await;
        let (member, card) = t.add_member("己", "13900006666", "1980-01-01").await;
        give_points(&t, member, 5200).await;
        let slip = issue(&t, &clerk, &card, "HQ").await;
        stock(&t, wfj, "REWARD-200", 2).await;
        let (s, out) = t
            .post(
                "/api/v1/rewards/claims",
                &wfj_desk,
                json!({"store_code": "WFJ", "slip_no": slip, "id_checked": true}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{out}");

        // Everyone working at HQ sees it at once, unread; the desk at WFJ does not.
        let hq_clerk = t.login("rw_clerk").await;
        let hq_manager = t.login("hq_manager").await;
        let wfj_staff = t.login("wfj_desk").await;
        assert_eq!(badge(&hq_clerk).await, "1");
        assert_eq!(badge(&hq_manager).await, "1");
        assert_eq!(badge(&wfj_staff).await, "");
        let inbox = hq_clerk.get("/inbox").await;
        assert!(inbox.body.contains(&slip), "{}", inbox.body);
        assert!(inbox.body.contains("WFJ 店"), "{}", inbox.body);
        assert!(inbox.body.contains("hx-get=\"/inbox/badge\""));
        assert!(!wfj_staff.get("/inbox").await.body.contains(&slip));
        // The notice leads to the slip, and the slip's page opens for the reader.
        let href = format!("/rewards/slips/{slip}");
        assert!(
            inbox.body.contains(&format!("href=\"{href}\"")),
            "{}",
            inbox.body
        );
        assert_eq!(hq_manager.get(&href).await.status, StatusCode::OK);

        // Read per person: the clerk reads it, the manager still has it unread.
        let id = t
            .scalar(
                "select id from outbox where kind = 'reward_claimed_elsewhere' and to_store_id = $1",
                t.hq,
            )
            .await;
        let read = hq_clerk
            .post(&format!("/inbox/{id}/read"), "/inbox", &[])
            .await;
        assert_eq!(read.status, StatusCode::SEE_OTHER);
        assert_eq!(badge(&hq_clerk).await, "");
        assert_eq!(badge(&hq_manager).await, "1");
        // Nobody marks another store's notice read.
        wfj_staff
            .post(&format!("/inbox/{id}/read"), "/inbox", &[])
            .await;
        assert_eq!(badge(&hq_manager).await, "1");

        // The sender e-mails it to HQ's address, once.
        send(&t).await;
        send(&t).await;
        let mails = mails.lock().expect("lock").clone();
        assert_eq!(mails.len(), 1, "{mails:#?}");
        let mail = mail_text(&mails[0]);
        assert!(mail.contains("hq-desk@store.example"), "{mail}");
        assert!(mail.contains(&slip) && mail.contains("WFJ 店"), "{mail}");
        assert_eq!(badge(&hq_manager).await, "1", "sending keeps it unread");
        t.stop().await;
    }
);

both!(
    the_outbox_page_lists_each_state_and_why_with_recipients_masked,
    |backend| async move {
        // E-mail goes to an SMTP port nobody listens on: refused every time.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let t = spawn_app_with(backend, |c| {
            c.notify.email_transport = "smtp".into();
            c.notify.smtp_port = closed;
        })
        .await;
        let (a, _) = t.add_member("短信会员", "13700000003", "").await;
        let (b, _) = t.add_member("不要营销", "13700000004", "").await;
        t.exec(
            "update members set email = 'duanxin@example.invalid' where id = $1",
            a,
        )
        .await;
        let now = t.app.clock.now();
        t.app
            .db
            .write(move |tx| {
                Box::pin(async move {
                    for (member, kind, channel, marketing, key) in [
                        (b, "birthday", "sms", true, "m-birthday"),
                        (a, "birthday", "email", false, "m-mail"),
                    ] {
                        patron::notify::queue(
                            tx,
                            &patron::notify::NewMessage {
                                member_id: Some(member),
                                kind,
                                channel,
                                dedupe_key: key.into(),
                                payload: json!({}),
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
        // The welcome SMSes go (file transport), the opted-out birthday is skipped, the e-mail
        // is refused and waits for another try.
        send(&t).await;
        let admin = t.login("admin").await;
        let page = admin.get("/admin/outbox").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for shown in [
            "state-sent",
            "state-skipped",
            "state-retried",
            "会员不接收营销信息",
            "发送通道拒收",
            "入会欢迎",
            "生日祝福",
            "137****0003",
            "d***@example.invalid",
        ] {
            assert!(page.body.contains(shown), "{shown} missing: {}", page.body);
        }
        for hidden in ["13700000003", "duanxin@example.invalid", "不要营销"] {
            assert!(!page.body.contains(hidden), "{hidden} shown in full");
        }
        // Seven more refusals, each after its delay: the e-mail fails for good.
        for _ in 0..7 {
            t.clock.advance(chrono::Duration::days(1));
            send(&t).await;
        }
        // A week later the first sign-in has lapsed.
        let admin = t.login("admin").await;
        let failed = admin.get("/admin/outbox?state=failed").await;
        assert!(failed.body.contains("state-failed"), "{}", failed.body);
        assert!(!failed.body.contains("state-sent"));
        assert!(!failed.body.contains("state-skipped"));
        let skipped = admin.get("/admin/outbox?state=skipped").await;
        assert!(skipped.body.contains("state-skipped"));
        assert!(!skipped.body.contains("state-failed"));
        // By date: nothing was queued on the 24th.
        let none = admin
            .get("/admin/outbox?from=2026-09-24&until=2026-09-24")
            .await;
        assert!(none.body.contains("没有符合条件的消息"), "{}", none.body);
        let csv = admin.get("/admin/outbox.csv?state=failed").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains("发送失败") && csv.body.contains("d***@example.invalid"));
        assert!(!csv.body.contains("已跳过") && !csv.body.contains("duanxin@"));
        let bad = admin.get("/admin/outbox?state=lost").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        // A message left in "sending" by a crash waits for a person: send it again, once.
        let stuck = t
            .scalar(
                "select min(id) + 0 * $1 from outbox where kind = 'welcome'",
                0,
            )
            .await;
        t.exec("update outbox set status = 'sending' where id = $1", stuck)
            .await;
        let page = admin.get("/admin/outbox?state=sending").await;
        assert!(
            page.body.contains(&format!("/admin/outbox/{stuck}/resend"))
                && page.body.contains("重新发送"),
            "{}",
            page.body
        );
        let done = admin
            .post(
                &format!("/admin/outbox/{stuck}/resend"),
                "/admin/outbox",
                &[],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(
            t.scalar(
                "select count(*) from outbox where id = $1 and status = 'pending'",
                stuck
            )
            .await,
            1
        );
        let again = admin
            .post(
                &format!("/admin/outbox/{stuck}/resend"),
                "/admin/outbox",
                &[],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(
            again.body.contains("这条通知已有人处理过"),
            "{}",
            again.body
        );
        assert_eq!(
            t.scalar(
                "select count(*) + 0 * $1 from audit_log where action = 'notify.resend'",
                0
            )
            .await,
            1
        );
        // A clerk has no outbox page, and no link to it.
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let clerk = t.login("clerk").await;
        assert_eq!(
            clerk.get("/admin/outbox").await.status,
            StatusCode::FORBIDDEN
        );
        assert!(!clerk.get("/").await.body.contains("/admin/outbox"));
        t.stop().await;
    }
);

both!(
    an_edited_text_is_the_next_sms_and_an_unknown_placeholder_saves_nothing,
    |backend| async move {
        let (url, texts) = sms_gateway().await;
        let t = spawn_app_with(backend, |c| {
            c.notify.sms_transport = "http".into();
            c.notify.sms_url = url.clone();
        })
        .await;
        let (member, _) = t.add_member("王芳", "13700000005", "").await;
        send(&t).await; // the welcome SMS
        texts.lock().expect("lock").clear();
        let admin = t.login("admin").await;
        let list = admin.get("/admin/messages").await;
        assert!(list.body.contains("等级变更") && list.body.contains("返礼单在其它店面领取"));
        let edit = admin.get("/admin/messages/tier_change").await;
        assert!(
            edit.body.contains("您的会员等级已由{from}调整为{to}"),
            "{}",
            edit.body
        );
        assert!(
            edit.body
                .contains("王芳您好，您的会员等级已由银卡调整为金卡"),
            "preview"
        );

        // An unknown placeholder: refused, said with the allowed ones, nothing saved.
        let form = |zh_body: &'static str| {
            [
                ("zh_subject", "会员等级变更"),
                ("zh_body", zh_body),
                ("en_subject", "Your membership tier changed"),
                (
                    "en_body",
                    "Dear {name}, your membership tier has changed from {from} to {to}.",
                ),
            ]
        };
        let refused = admin
            .post(
                "/admin/messages/tier_change",
                "/admin/messages/tier_change",
                &form("{name}，恭喜升级为{to}，赠送{gift}"),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("未知的占位符 {gift}，这条通知可用的占位符：{name} {from} {to}"),
            "{}",
            refused.body
        );
        async fn saved_rows(t: &TestApp) -> i64 {
            t.scalar(
                "select cast(count(*) as bigint) from message_templates where $1 > 0",
                1,
            )
            .await
        }
        assert_eq!(saved_rows(&t).await, 0);
        let unbalanced = admin
            .post(
                "/admin/messages/tier_change",
                "/admin/messages/tier_change",
                &form("{name，恭喜升级为{to}"),
            )
            .await;
        assert_eq!(unbalanced.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(saved_rows(&t).await, 0);

        // The preview follows the text as it is typed.
        let preview = admin
            .post(
                "/admin/messages/tier_change/preview",
                "/admin/messages/tier_change",
                &[("lang", "zh-CN"), ("zh_body", "{name}：升级为{to}")],
            )
            .await;
        assert!(
            preview.body.contains("王芳：升级为金卡"),
            "{}",
            preview.body
        );

        // Saved: audited, and the next tier-change SMS reads the new text.
        let ok = admin
            .post(
                "/admin/messages/tier_change",
                "/admin/messages/tier_change",
                &form("{name}：恭喜！您的会员等级已升为{to}（原为{from}）。"),
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(saved_rows(&t).await, 1, "only the changed language is kept");
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from audit_log where action = $1",
                "notify.audit.template"
            )
            .await,
            1
        );
        let now = t.app.clock.now();
        t.app
            .db
            .write(move |tx| {
                Box::pin(async move {
                    patron::notify::queue_tier_change(
                        tx,
                        member,
                        "normal",
                        "silver",
                        ("普通会员", "银卡"),
                        now,
                    )
                    .await
                })
            })
            .await
            .expect("queue");
        send(&t).await;
        assert_eq!(
            texts.lock().expect("lock").clone(),
            vec!["王芳：恭喜！您的会员等级已升为银卡（原为普通会员）。".to_string()]
        );

        // Restored: the built-in text again.
        let restored = admin
            .post(
                "/admin/messages/tier_change/restore",
                "/admin/messages/tier_change",
                &[],
            )
            .await;
        assert_eq!(restored.status, StatusCode::SEE_OTHER);
        assert_eq!(saved_rows(&t).await, 0);
        // A clerk may not edit texts.
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let clerk = t.login("clerk").await;
        assert_eq!(
            clerk.get("/admin/messages").await.status,
            StatusCode::FORBIDDEN
        );
        t.stop().await;
    }
);

both!(
    the_inbox_is_empty_and_quiet_for_someone_without_notices,
    |backend| async move {
        let t = spawn_app(backend).await;
        let admin = t.login("admin").await;
        assert_eq!(badge(&admin).await, "");
        let page = admin.get("/inbox").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("暂无通知"), "{}", page.body);
        t.stop().await;
    }
);
