//! The desk's work on a member that issue 13 asked for: platinum asked of a manager when a till
//! accrual reaches it (B7), referral points by the new member's tier (C5), the portal password
//! issued or reset at the desk and by the import (B5, B10), and what 补积分 says (C3).

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::spawn_app;

/// The pending tier requests Patron raised about a member.
async fn system_tier_requests(t: &crate::support::TestApp, member_id: i64) -> i64 {
    t.scalar_text(
        "select count(*) from approvals where kind = 'members.tier' and subject_kind = 'member' \
         and subject_id = $1 and status = 'pending' and requested_by is null",
        &member_id.to_string(),
    )
    .await
}

both!(
    reaching_platinum_spend_at_the_till_asks_a_manager_once_and_approving_raises_the_tier,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("白金候选", "13900000501", "").await;
        // ¥200,000 in one receipt: gold at once, platinum waits for the manager.
        let (status, out) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                json!({"store_code": "HQ", "receipt_no": "PT-1", "card_no": card,
                       "occurred_at": "2026-09-25T16:00:00+08:00",
                       "lines": [{"line_no": 1, "amount_fen": 20_000_000}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{out}");
        assert_eq!(out["tier"], "gold");
        assert_eq!(system_tier_requests(&t, id).await, 1);
        // Another purchase while the request is open asks nothing more.
        let (status, _) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                json!({"store_code": "HQ", "receipt_no": "PT-2", "card_no": card,
                       "occurred_at": "2026-09-25T16:10:00+08:00",
                       "lines": [{"line_no": 1, "amount_fen": 50_000}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(system_tier_requests(&t, id).await, 1);
        // A clerk asking for platinum now is told a request is waiting already.
        let (clerk, _) = t.add_staff("desk.li", &[("clerk", t.hq)], false).await;
        let ctx = t.staff_ctx(clerk, "desk.li", patron_core::Role::Clerk, t.hq);
        let refused =
            patron::areas::points::adjust::request_tier(&ctx, id, "platinum", "大客户").await;
        assert!(
            matches!(&refused, Err(patron::areas::points::PointsError::Invalid(i))
                if i.0.iter().any(|f| f.key == "points.invalid.tier_pending")),
            "{refused:?}"
        );
        // The manager sees it in the inbox, in Chinese, and approves it.
        let boss = t.login("boss").await;
        let inbox = boss.get("/approvals").await;
        assert!(
            inbox.body.contains("白金候选") && inbox.body.contains("白金卡"),
            "{}",
            inbox.body
        );
        let approval_id = t
            .scalar_text(
                "select max(id) from approvals where kind = 'members.tier' and subject_id = $1",
                &id.to_string(),
            )
            .await;
        let done = boss
            .post(
                &format!("/approvals/{approval_id}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(
            t.scalar(
                "select count(*) from members where id = $1 and tier_code = 'platinum'",
                id
            )
            .await,
            1
        );
        // The member is told; a platinum member's purchases ask nothing further.
        assert_eq!(
            t.scalar(
                "select count(*) from outbox where kind = 'tier_change' and member_id = $1 and payload like '%platinum%'",
                id
            )
            .await,
            1
        );
        let (_, out) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                json!({"store_code": "HQ", "receipt_no": "PT-3", "card_no": card,
                       "occurred_at": "2026-09-25T16:20:00+08:00",
                       "lines": [{"line_no": 1, "amount_fen": 10_000}]}),
            )
            .await;
        assert_eq!(out["tier"], "platinum");
        assert_eq!(
            t.scalar_text(
                "select count(*) from approvals where kind = 'members.tier' and subject_id = $1",
                &id.to_string()
            )
            .await,
            1
        );
        t.stop().await;
    }
);

both!(
    a_rejected_platinum_request_is_not_raised_again_by_later_purchases,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("白金候选", "13900000502", "").await;
        let receipt = |no: &str, fen: i64| {
            json!({"store_code": "HQ", "receipt_no": no, "card_no": card,
                   "occurred_at": "2026-09-25T16:00:00+08:00",
                   "lines": [{"line_no": 1, "amount_fen": fen}]})
        };
        let (status, _) = t
            .post("/api/v1/pos/receipts", &key, receipt("RJ-1", 20_000_000))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(system_tier_requests(&t, id).await, 1);
        let approval_id = t
            .scalar_text(
                "select max(id) from approvals where kind = 'members.tier' and subject_id = $1",
                &id.to_string(),
            )
            .await;
        let boss = t.login("boss").await;
        let done = boss
            .post(
                &format!("/approvals/{approval_id}/decide"),
                "/approvals",
                &[("decision", "reject"), ("reason", "未经公司评估")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        // The manager said no: the next purchases do not ask again.
        for no in ["RJ-2", "RJ-3"] {
            let (status, _) = t
                .post("/api/v1/pos/receipts", &key, receipt(no, 10_000))
                .await;
            assert_eq!(status, StatusCode::CREATED);
        }
        assert_eq!(system_tier_requests(&t, id).await, 0);
        t.stop().await;
    }
);

both!(
    the_referrer_earns_by_the_tier_the_new_member_joins_with,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (referrer, card) = t.add_member("推荐人", "13900000601", "").await;
        let join = |phone: &'static str, tier: Option<&'static str>| {
            let (ctx, card) = (t.ctx(), card.clone());
            async move {
                patron::areas::members::register_at(
                    &ctx,
                    "HQ",
                    &patron::areas::members::MemberIn {
                        name: "新会员".into(),
                        phone: phone.into(),
                        referrer_card_no: card,
                        channel: "referral".into(),
                        ..Default::default()
                    },
                    true,
                    tier,
                )
                .await
            }
        };
        let balance = || t.scalar("select points_balance from members where id = $1", referrer);
        join("13900000602", None).await.expect("regular");
        assert_eq!(balance().await, 100);
        join("13900000603", Some("silver")).await.expect("silver");
        assert_eq!(balance().await, 400);
        join("13900000604", Some("gold")).await.expect("gold");
        assert_eq!(balance().await, 900);
        // Platinum is never given at registration (a manager decides it): refused, nothing paid.
        assert!(join("13900000605", Some("platinum")).await.is_err());
        assert_eq!(balance().await, 900);
        assert_eq!(
            t.scalar(
                "select count(*) from point_entries where kind = 'referral' and member_id = $1",
                referrer
            )
            .await,
            3
        );
        t.stop().await;
    }
);

/// The temporary password of the latest portal-password SMS to a member (read from the outbox
/// before it is sent, as the member's phone would show it).
async fn sent_password(t: &crate::support::TestApp, member_id: i64) -> String {
    let payload: String = patron::on_db!(t.app.db, |p| {
        sqlx::query_scalar(
            "select payload from outbox where member_id = $1 and kind = 'portal_password' \
             and channel = 'sms' order by id desc limit 1",
        )
        .bind(member_id)
        .fetch_one(p)
        .await
        .expect("portal password SMS")
    });
    let v: serde_json::Value = serde_json::from_str(&payload).expect("json");
    v["password"].as_str().expect("password").to_string()
}

/// Changes the portal password of a signed-in member browser.
async fn change_portal_password(
    b: &crate::support::Browser,
    current: &str,
    new: &str,
) -> StatusCode {
    let csrf = b.get("/portal/password").await.csrf();
    b.client
        .post(format!("{}/portal/password", b.base))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current", current),
            ("new", new),
            ("confirm", new),
        ])
        .send()
        .await
        .expect("post")
        .status()
}

both!(
    the_desk_resets_a_locked_members_portal_password_by_sms_and_the_member_changes_it,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let (id, card) = t.add_member("忘记密码", "13900000701", "").await;
        // The member locks themselves out with wrong passwords.
        for _ in 0..6 {
            t.browser().portal_login(&card, "Wrong-Password-1").await;
        }
        let clerk = t.login("clerk").await;
        let path = format!("/members/{id}");
        let page = clerk.get(&path).await;
        assert!(page.body.contains("发放/重置门户密码"), "{}", page.body);
        let done = clerk
            .post(&format!("{path}/portal-password"), &path, &[])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let shown = clerk
            .get(&format!("{path}?ok=flash.portal_password_reset"))
            .await;
        assert!(shown.body.contains("临时密码已通过短信发送给会员"));
        let temporary = sent_password(&t, id).await;
        assert!(!shown.body.contains(&temporary), "the desk never sees it");
        // Audited, without the password.
        assert_eq!(
            t.scalar(
                "select count(*) from audit_log where action = 'member.portal_password' and entity_id = cast($1 as text)",
                id
            )
            .await,
            1
        );
        assert_eq!(
            t.scalar_text(
                "select count(*) from audit_log where coalesce(after, '') like '%' || $1 || '%'",
                &temporary
            )
            .await,
            0
        );
        // The lock is cleared; the temporary password must be changed at first login.
        let b = t.browser();
        let res = b.portal_login(&card, &temporary).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/portal/password");
        assert_eq!(
            change_portal_password(&b, &temporary, "Lotus-Pond-2026").await,
            StatusCode::SEE_OTHER
        );
        let again = t.browser().portal_login(&card, "Lotus-Pond-2026").await;
        assert_eq!(again.headers()["location"], "/portal");
        let old = t.browser().portal_login(&card, &temporary).await;
        assert_ne!(
            old.headers().get("location").map(|l| l.as_bytes()),
            Some(&b"/portal"[..])
        );
        t.stop().await;
    }
);

both!(
    an_import_can_send_the_imported_members_portal_passwords,
    |backend| async move {
        let t = spawn_app(backend).await;
        let file = "\u{feff}姓名,手机\n导入一,13511120001\n导入二,13511120002\n";
        let (header, rows) =
            patron::areas::members::import::read_file("members.csv", file.as_bytes())
                .expect("read");
        let report = patron::areas::members::import::import_with(
            &t.ctx(),
            "HQ",
            &header,
            &rows,
            None,
            patron::areas::members::import::ImportOptions {
                portal_passwords: true,
            },
        )
        .await
        .expect("import");
        assert_eq!((report.imported, report.portal_passwords), (2, 2));
        assert_eq!(
            t.scalar(
                "select count(*) from outbox where kind = 'portal_password' and channel = 'sms' and $1 > 0",
                1
            )
            .await,
            2
        );
        let found = patron::areas::members::search(&t.ctx(), "13511120002")
            .await
            .expect("search");
        let id = found[0].id;
        let card = found[0].card_no.clone().expect("card");
        let temporary = sent_password(&t, id).await;
        let b = t.browser();
        let res = b.portal_login(&card, &temporary).await;
        assert_eq!(res.headers()["location"], "/portal/password");
        // Without the option nobody is sent one.
        let file = "\u{feff}姓名,手机\n导入三,13511120003\n";
        let (header, rows) =
            patron::areas::members::import::read_file("members.csv", file.as_bytes())
                .expect("read");
        let report = patron::areas::members::import::import(&t.ctx(), "HQ", &header, &rows, None)
            .await
            .expect("import");
        assert_eq!((report.imported, report.portal_passwords), (1, 0));
        assert_eq!(
            t.scalar(
                "select count(*) from outbox where kind = 'portal_password' and $1 > 0",
                1
            )
            .await,
            2
        );
        t.stop().await;
    }
);

/// The 补积分 form of a member page.
async fn missed(
    b: &crate::support::Browser,
    member_id: i64,
    receipt_no: &str,
    amount: &str,
    at: &str,
) -> crate::support::Page {
    let path = format!("/members/{member_id}");
    b.post(
        &format!("{path}/missed"),
        &path,
        &[
            ("store_code", "HQ"),
            ("receipt_no", receipt_no),
            ("amount", amount),
            ("occurred_at", at),
        ],
    )
    .await
}

both!(
    a_missed_receipt_credited_before_is_said_with_when_and_how_many_points,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("boss", &[("supervisor", t.hq)], false).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("重复小票", "13900000801", "").await;
        let clerk = t.login("clerk").await;
        let first = missed(&clerk, id, "M-1", "1,234.50", "2026-09-25T15:00").await;
        assert_eq!(first.status, StatusCode::SEE_OTHER);
        // The same receipt again is not "已入账" again: it says when and how much.
        let again = missed(&clerk, id, "M-1", "1,234.50", "2026-09-25T15:00").await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            again
                .body
                .contains("小票 M-1 已于 2026-09-25 17:00 入账 1,234 积分，不能重复补录"),
            "{}",
            again.body
        );
        // A receipt the till sent is said the same way, whatever amount is typed.
        let (status, _) = t
            .post("/api/v1/pos/receipts", &key, json!({"store_code": "HQ", "receipt_no": "T-1", "card_no": card,
                "occurred_at": "2026-09-25T16:00:00+08:00", "lines": [{"line_no": 1, "amount_fen": 10_000}]}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let till = missed(&clerk, id, "T-1", "6000", "2026-09-25T16:00").await;
        assert_eq!(till.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(till.body.contains("小票 T-1 已于"), "{}", till.body);
        assert!(till.body.contains("入账 100 积分"), "{}", till.body);
        // A large receipt waiting for a supervisor is said to be waiting, not sent twice.
        let large = missed(&clerk, id, "M-2", "6000", "2026-09-25T15:30").await;
        assert_eq!(large.status, StatusCode::SEE_OTHER);
        let twice = missed(&clerk, id, "M-2", "6000", "2026-09-25T15:30").await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(twice.body.contains("正在等待主管审批"), "{}", twice.body);
        assert_eq!(
            t.scalar(
                "select count(*) from approvals where kind = 'points.missed' and $1 > 0",
                1
            )
            .await,
            1
        );
        t.stop().await;
    }
);

both!(
    a_missed_receipt_from_before_the_card_or_after_it_expired_is_refused_whatever_the_amount,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let (id, _) = t.add_member("开卡之前", "13900000802", "").await;
        let clerk = t.login("clerk").await;
        // The card was issued today (2026-09-25): a purchase of the 20th earns nothing, and
        // the desk is told so instead of "已入账" with 0 points.
        for amount in ["100", "6000"] {
            let page = missed(
                &clerk,
                id,
                &format!("B-{amount}"),
                amount,
                "2026-09-20T15:00",
            )
            .await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
            assert!(
                page.body
                    .contains("小票日期 2026-09-20 早于办卡日期 2026-09-25"),
                "{}",
                page.body
            );
        }
        // An expired card: the same refusal for a small and a large receipt, none waits for a
        // supervisor.
        t.exec(
            "update cards set issued_on = '2026-01-01', expires_on = '2026-09-22' where member_id = $1",
            id,
        )
        .await;
        t.exec(
            "update members set joined_on = '2026-01-01' where id = $1",
            id,
        )
        .await;
        for amount in ["100", "6000"] {
            let page = missed(
                &clerk,
                id,
                &format!("E-{amount}"),
                amount,
                "2026-09-24T15:00",
            )
            .await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
            assert!(page.body.contains("已于 2026-09-22 到期"), "{}", page.body);
        }
        // Bought while the card was valid: accepted, small at once and large for approval.
        let ok = missed(&clerk, id, "V-1", "100", "2026-09-21T15:00").await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let waits = missed(&clerk, id, "V-2", "6000", "2026-09-21T15:30").await;
        assert_eq!(waits.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.scalar(
                "select count(*) from approvals where kind = 'points.missed' and $1 > 0",
                1
            )
            .await,
            1
        );
        assert_eq!(
            t.scalar("select points_balance from members where id = $1", id)
                .await,
            100
        );
        t.stop().await;
    }
);

both!(
    an_approved_missed_receipt_credits_the_clerk_and_records_the_approver,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (clerk_id, _) = t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let (boss_id, _) = t.add_staff("boss", &[("supervisor", t.hq)], false).await;
        let (id, _) = t.add_member("经手人", "13900000803", "").await;
        let clerk = t.login("clerk").await;
        let large = missed(&clerk, id, "A-1", "6000", "2026-09-25T15:30").await;
        assert_eq!(large.status, StatusCode::SEE_OTHER);
        let approval_id = t
            .scalar(
                "select max(id) from approvals where kind = 'points.missed' and $1 > 0",
                1,
            )
            .await;
        let boss = t.login("boss").await;
        let done = boss
            .post(
                &format!("/approvals/{approval_id}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let (staff, approver): (Option<i64>, Option<i64>) = patron::on_db!(t.app.db, |p| {
            sqlx::query_as(
                "select staff_id, approved_by from point_entries where member_id = $1 and kind = 'missed'",
            )
            .bind(id)
            .fetch_one(p)
            .await
            .expect("entry")
        });
        assert_eq!((staff, approver), (Some(clerk_id), Some(boss_id)));
        // The member page names the clerk and, apart, the approver.
        let page = clerk.get(&format!("/members/{id}")).await;
        assert!(
            page.body
                .contains("测试 clerk <span class=\"hint approver\">审批人 测试 boss</span>"),
            "{}",
            page.body
        );
        t.stop().await;
    }
);
