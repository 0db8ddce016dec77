//! Members at the desk through the real console: search, the member page, personal data shown
//! masked and revealed with an audit entry, card life, points adjustments and missed receipts
//! through approvals.

mod cards;
mod desk;
mod details;
mod words;

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{add_store, spawn_app};

both!(
    the_desk_finds_a_member_and_sees_personal_data_masked_unless_revealed,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("agent", &[("service", t.hq)], false).await;
        let (id, card) = t.add_member("欧阳娜娜", "13812345678", "1991-05-06").await;
        t.add_member("欧阳修", "13812345679", "").await;
        t.add_member("Anna Smith", "13812345670", "").await;
        let clerk = t.login("clerk").await;
        // By any part of the name: both, or one; by phone and card: exactly one.
        let page = clerk.get("/members?q=欧阳").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("欧阳娜娜") && page.body.contains("欧阳修"));
        let page = clerk.get("/members?q=阳娜").await;
        assert!(page.body.contains("欧阳娜娜") && !page.body.contains("欧阳修"));
        let page = clerk.get("/members?q=修").await;
        assert!(!page.body.contains("欧阳娜娜") && page.body.contains("欧阳修"));
        // Three characters in a row, not merely the three present.
        let page = clerk.get("/members?q=欧娜娜").await;
        assert!(page.body.contains("没有找到会员"), "{}", page.body);
        let page = clerk.get("/members?q=SMITH").await;
        assert!(page.body.contains("Anna Smith") && !page.body.contains("欧阳修"));
        let page = clerk.get("/members?q=a%25").await;
        assert!(
            page.body.contains("没有找到会员"),
            "a % is a character, not a wildcard"
        );
        let page = clerk.get("/members?q=138-1234-5678").await;
        assert!(
            page.body.contains("欧阳娜娜") && !page.body.contains("欧阳修"),
            "{}",
            page.body
        );
        let page = clerk
            .get(&format!("/members?q={}", card.to_lowercase()))
            .await;
        assert!(page.body.contains(&format!("/members/{id}")));
        let page = clerk.get("/members?q=nobody").await;
        assert!(page.body.contains("没有找到会员"));
        // The member page shows the phone masked; the full number is nowhere in it.
        let page = clerk.get(&format!("/members/{id}")).await;
        assert_eq!(page.text_of("phone").as_deref(), Some("138****5678"));
        assert!(!page.body.contains("13812345678"));
        assert!(
            !page.body.contains("id=\"reveal\""),
            "a clerk has no reveal button"
        );
        let refused = clerk
            .post(
                &format!("/members/{id}/reveal"),
                &format!("/members/{id}"),
                &[],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        // Customer service may see it; the view is audited.
        let agent = t.login("agent").await;
        let shown = agent
            .post(
                &format!("/members/{id}/reveal"),
                &format!("/members/{id}"),
                &[],
            )
            .await;
        assert_eq!(shown.status, StatusCode::OK);
        assert_eq!(shown.text_of("phone").as_deref(), Some("13812345678"));
        let audited = t
            .scalar(
                "select count(*) from audit_log where action = 'member.reveal' and entity_id = cast($1 as text)",
                id,
            )
            .await;
        assert_eq!(audited, 1);
        // The phone is stored encrypted: the clear number is not in the members table.
        let stored: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select phone_enc from members where id = $1")
                .bind(id)
                .fetch_one(p)
                .await
                .expect("phone_enc")
        });
        assert!(!stored.contains("13812345678") && !stored.contains("5678"));
        // A second member with the same phone is refused, naming the first.
        let dup = patron::areas::members::register(
            &t.ctx(),
            "HQ",
            &patron::areas::members::MemberIn {
                name: "冒名".into(),
                phone: "13812345678".into(),
                ..Default::default()
            },
            true,
        )
        .await;
        match dup {
            Err(patron::areas::members::MembersError::Duplicate {
                field,
                member_id,
                name,
            }) => {
                assert_eq!((field, member_id, name.as_str()), ("phone", id, "欧阳娜娜"));
            }
            other => panic!("expected a duplicate, got {other:?}"),
        }
        t.stop().await;
    }
);

both!(
    a_points_adjustment_waits_for_someone_else_and_is_carried_out_on_approval,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("boss", &[("supervisor", t.hq)], false).await;
        let (id, _card) = t.add_member("张伟", "13800000011", "").await;
        let clerk = t.login("clerk").await;
        let path = format!("/members/{id}");
        // Bad input is re-shown with the message under the field.
        let bad = clerk
            .post(
                &format!("{path}/adjust"),
                &path,
                &[("points", "abc"), ("reason", "")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("调整积分应为非零整数"), "{}", bad.body);
        assert!(bad.body.contains("value=\"abc\""));
        let ok = clerk
            .post(
                &format!("{path}/adjust"),
                &path,
                &[("points", "+500"), ("reason", "活动补偿")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.scalar("select points_balance from members where id = $1", id)
                .await,
            0
        );
        let approval_id = t
            .scalar("select max(id) from approvals where $1 > 0", 1)
            .await;
        // The clerk cannot decide their own request (no button, and refused if forced).
        let inbox = clerk.get("/approvals").await;
        assert_eq!(
            inbox.status,
            StatusCode::FORBIDDEN,
            "a clerk does not see the inbox"
        );
        let boss = t.login("boss").await;
        let inbox = boss.get("/approvals").await;
        assert!(
            inbox.body.contains("张伟 +500 (活动补偿)"),
            "{}",
            inbox.body
        );
        let done = boss
            .post(
                &format!("/approvals/{approval_id}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.scalar("select points_balance from members where id = $1", id)
                .await,
            500
        );
        let page = boss.get(&path).await;
        assert_eq!(page.text_of("balance").as_deref(), Some("500"));
        assert!(page.body.contains("人工调整") && page.body.contains("活动补偿"));
        // The statement downloads with the same line, Chinese headers and a BOM for Excel.
        let csv = boss.get(&format!("{path}/statement.csv")).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.starts_with('\u{feff}'));
        assert!(
            csv.body.contains("积分") && csv.body.contains("人工调整,500,500"),
            "{}",
            csv.body
        );
        let found = boss.get("/members.csv?q=%E5%BC%A0").await;
        assert!(found.body.contains("张伟"), "{}", found.body);
        // Taking away more than the member has: the approval fails and the request stays pending.
        clerk
            .post(
                &format!("{path}/adjust"),
                &path,
                &[("points", "-800"), ("reason", "更正")],
            )
            .await;
        let second = t
            .scalar("select max(id) from approvals where $1 > 0", 1)
            .await;
        let refused = boss
            .post(
                &format!("/approvals/{second}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(refused.body.contains("积分不足"));
        assert_eq!(
            t.scalar(
                "select count(*) from approvals where status = 'pending' and id = $1",
                second
            )
            .await,
            1
        );
        // Rejected with a reason instead.
        let rejected = boss
            .post(
                &format!("/approvals/{second}/decide"),
                "/approvals",
                &[("decision", "reject"), ("reason", "余额不足")],
            )
            .await;
        assert_eq!(rejected.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.scalar("select points_balance from members where id = $1", id)
                .await,
            500
        );
        t.stop().await;
    }
);

both!(
    card_life_freeze_replace_and_close_are_seen_by_the_till,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("刘洋", "13800000012", "").await;
        let clerk = t.login("clerk").await;
        let path = format!("/members/{id}");
        t.post(
            "/api/v1/pos/receipts",
            &key,
            json!({"store_code": "HQ", "receipt_no": "C-1", "card_no": card, "occurred_at": "2026-09-25T16:00:00+08:00",
                   "lines": [{"line_no": 1, "amount_fen": 50_000}]}),
        )
        .await;
        // Freezing needs a reason.
        let bad = clerk
            .post(
                &format!("{path}/card"),
                &path,
                &[("action", "freeze"), ("reason", "")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let ok = clerk
            .post(
                &format!("{path}/card"),
                &path,
                &[("action", "freeze"), ("reason", "会员要求")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let (status, err) = t
            .get_json(&format!("/api/v1/pos/members/lookup?card_no={card}"), &key)
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(err["code"], "card_frozen");
        assert!(
            err["detail"].as_str().unwrap_or("").contains("刘*"),
            "{err}"
        );
        // Unfreezing twice: the second is refused (the card is no longer frozen).
        clerk
            .post(&format!("{path}/card"), &path, &[("action", "unfreeze")])
            .await;
        let again = clerk
            .post(&format!("{path}/card"), &path, &[("action", "unfreeze")])
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Lost: a new number; the old card is dead, the balance and history are on the new one.
        clerk
            .post(
                &format!("{path}/card"),
                &path,
                &[("action", "replace_lost"), ("reason", "丢失")],
            )
            .await;
        let (status, err) = t
            .get_json(&format!("/api/v1/pos/members/lookup?card_no={card}"), &key)
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(err["code"], "card_inactive");
        let page = clerk.get(&path).await;
        let new_card = page
            .body
            .split("<small class=\"mono\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or("")
            .to_string();
        assert_ne!(new_card, card);
        assert!(new_card.starts_with("HQ"));
        let (status, m) = t
            .get_json(
                &format!("/api/v1/pos/members/lookup?card_no={new_card}"),
                &key,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(m["points_balance"], 500);
        // Closing is no card action any more: it is asked for and approved (see members/closing).
        let refused = clerk
            .post(
                &format!("{path}/card"),
                &path,
                &[("action", "close"), ("reason", "会员申请注销")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        t.stop().await;
    }
);

both!(
    a_missed_receipt_is_accrued_by_the_rules_and_a_large_one_waits_for_a_supervisor,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("boss", &[("supervisor", t.hq)], false).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("黄磊", "13800000013", "").await;
        let clerk = t.login("clerk").await;
        let path = format!("/members/{id}");
        let small = clerk
            .post(
                &format!("{path}/missed"),
                &path,
                &[
                    ("store_code", "HQ"),
                    ("receipt_no", "M-1"),
                    ("amount", "1,234.50"),
                    ("occurred_at", "2026-09-25T15:00"),
                ],
            )
            .await;
        assert_eq!(small.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.scalar("select points_balance from members where id = $1", id)
                .await,
            1_234
        );
        // The till sending the same receipt later gets a conflict, not a second accrual.
        let (status, _) = t
            .post("/api/v1/pos/receipts", &key, json!({"store_code": "HQ", "receipt_no": "M-1", "card_no": card,
                "occurred_at": "2026-09-25T15:00:00+08:00", "lines": [{"line_no": 1, "amount_fen": 999}]}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        // ¥6,000 is above the ¥5,000 approval amount.
        let large = clerk
            .post(
                &format!("{path}/missed"),
                &path,
                &[
                    ("store_code", "HQ"),
                    ("receipt_no", "M-2"),
                    ("amount", "6000"),
                    ("occurred_at", "2026-09-25T15:30"),
                ],
            )
            .await;
        assert_eq!(large.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.scalar("select points_balance from members where id = $1", id)
                .await,
            1_234
        );
        let boss = t.login("boss").await;
        let approval_id = t
            .scalar("select max(id) from approvals where $1 > 0", 1)
            .await;
        let done = boss
            .post(
                &format!("/approvals/{approval_id}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.scalar("select points_balance from members where id = $1", id)
                .await,
            7_234
        );
        // Bad input re-shown.
        let bad = clerk
            .post(
                &format!("{path}/missed"),
                &path,
                &[
                    ("store_code", "HQ"),
                    ("receipt_no", ""),
                    ("amount", "x"),
                    ("occurred_at", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("金额不正确"));
        t.stop().await;
    }
);

both!(
    the_top_member_file_is_kept_and_a_member_can_take_all_their_data,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("agent", &[("service", t.hq)], false).await;
        let (id, _) = t.add_member("铂金顾客", "13800000099", "1970-01-01").await;
        let clerk = t.login("clerk").await;
        let path = format!("/members/{id}");
        let saved = clerk
            .post(
                &format!("{path}/profile"),
                &path,
                &[
                    ("size", "M / 38"),
                    ("favourite_brands", "杰西"),
                    ("notes", "喜欢安静的试衣间"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        let page = clerk.get(&path).await;
        assert!(page.body.contains("value=\"M / 38\"") && page.body.contains("喜欢安静的试衣间"));
        let long = "长".repeat(501);
        let bad = clerk
            .post(
                &format!("{path}/profile"),
                &path,
                &[("hobbies", long.as_str())],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The export needs the right to see personal data; it is whole and audited.
        assert_eq!(
            clerk.get(&format!("{path}/export.json")).await.status,
            StatusCode::FORBIDDEN
        );
        let agent = t.login("agent").await;
        let export = agent.get(&format!("{path}/export.json")).await;
        assert_eq!(export.status, StatusCode::OK);
        let v: serde_json::Value = serde_json::from_str(&export.body).expect("json");
        assert_eq!(v["phone"], "13800000099");
        assert_eq!(v["member"]["name"], "铂金顾客");
        assert_eq!(v["cards"].as_array().map(Vec::len), Some(1));
        assert!(
            t.scalar("select count(*) from audit_log where action = 'member.reveal' and entity_id = cast($1 as text)", id)
                .await
                >= 1
        );
        t.stop().await;
    }
);

both!(
    desk_staff_operate_only_the_cards_of_their_own_store,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wfj = add_store(&t, "WFJ").await;
        t.add_staff("wfj.clerk", &[("clerk", wfj)], false).await;
        let (id, _) = t.add_member("总部会员", "13800000077", "").await;
        let clerk = t.login("wfj.clerk").await;
        let path = format!("/members/{id}");
        // They can look the member up (members are chain-wide) …
        assert_eq!(clerk.get(&path).await.status, StatusCode::OK);
        // … but not freeze HQ's card or adjust HQ's member.
        let freeze = clerk
            .post(
                &format!("{path}/card"),
                &path,
                &[("action", "freeze"), ("reason", "x")],
            )
            .await;
        assert_eq!(freeze.status, StatusCode::FORBIDDEN);
        let adjust = clerk
            .post(
                &format!("{path}/adjust"),
                &path,
                &[("points", "10"), ("reason", "x")],
            )
            .await;
        assert_eq!(adjust.status, StatusCode::FORBIDDEN);
        t.stop().await;
    }
);

both!(
    platinum_and_event_points_come_only_through_an_approval,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("大客户", "13800000055", "").await;
        t.post("/api/v1/pos/receipts", &key, serde_json::json!({"store_code": "HQ", "receipt_no": "G-1", "card_no": card,
            "occurred_at": "2026-09-25T16:00:00+08:00", "lines": [{"line_no": 1, "amount_fen": 6_000_000}]})).await;
        assert_eq!(
            t.scalar(
                "select count(*) from members where tier_code = 'gold' and id = $1",
                id
            )
            .await,
            1
        );
        let clerk = t.login("clerk").await;
        let path = format!("/members/{id}");
        let page = clerk.get(&path).await;
        assert!(page.body.contains("id=\"tier-form\""));
        let asked = clerk
            .post(
                &format!("{path}/tier"),
                &path,
                &[
                    ("tier", "platinum"),
                    ("tier_reason", "年消费超二十万，经评估"),
                ],
            )
            .await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER);
        let event = clerk
            .post(
                &format!("{path}/adjust"),
                &path,
                &[
                    ("points", "200"),
                    ("reason", "会员日签到"),
                    ("kind", "event"),
                ],
            )
            .await;
        assert_eq!(event.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.scalar(
                "select count(*) from members where tier_code = 'gold' and id = $1",
                id
            )
            .await,
            1
        );
        let boss = t.login("boss").await;
        for approval in [1_i64, 2] {
            let done = boss
                .post(
                    &format!("/approvals/{approval}/decide"),
                    "/approvals",
                    &[("decision", "approve")],
                )
                .await;
            assert_eq!(done.status, StatusCode::SEE_OTHER);
        }
        assert_eq!(
            t.scalar(
                "select count(*) from members where tier_code = 'platinum' and id = $1",
                id
            )
            .await,
            1
        );
        assert_eq!(
            t.scalar(
                "select count(*) from point_entries where kind = 'event' and member_id = $1",
                id
            )
            .await,
            1
        );
        t.stop().await;
    }
);
