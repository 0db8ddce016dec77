//! The card at the desk: only the actions valid for the card's state are offered, with nothing
//! chosen by default; an expired card and a replaced number say so; closing a member is asked
//! for with its consequence stated, approved by a supervisor, and forfeits the points.

use reqwest::StatusCode;

use crate::both;
use crate::support::{give_points, spawn_app};

both!(
    the_card_list_offers_only_what_the_card_allows_and_shows_expired_and_replaced_cards,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let (id, card) = t.add_member("周敏", "13800000031", "").await;
        let clerk = t.login("clerk").await;
        let path = format!("/members/{id}");
        let page = clerk.get(&path).await;
        assert_eq!(page.text_of("card-state").as_deref(), Some("正常"));
        let select = page
            .body
            .split("id=\"card-action\"")
            .nth(1)
            .and_then(|s| s.split("</select>").next())
            .unwrap_or("")
            .to_string();
        // Nothing dangerous is chosen: the first option is a placeholder.
        assert!(
            select.contains("<option value=\"\" selected disabled>请选择操作…</option>"),
            "{select}"
        );
        assert!(
            !select.contains("value=\"activate\""),
            "an active card is not activated again"
        );
        assert!(!select.contains("value=\"unfreeze\""));
        assert!(
            !select.contains("value=\"close\""),
            "closing is not a card action"
        );
        assert!(select.contains("value=\"freeze\"") && select.contains("value=\"replace_lost\""));
        // Lost and replaced: the old number, looked up, says it was replaced.
        let done = clerk
            .post(
                &format!("{path}/card"),
                &path,
                &[("action", "replace_lost"), ("reason", "丢失")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let found = clerk.get(&format!("/members?q={card}")).await;
        assert!(found.body.contains("已挂失换卡"), "{}", found.body);
        assert!(!found.body.contains("启用"));
        assert!(
            found.body.contains("普通会员"),
            "the tier is named, not a code"
        );
        assert!(!found.body.contains(">normal<"));
        // An expired card says so, and is renewed rather than frozen.
        t.exec(
            "update cards set expires_on = '2020-01-31' where member_id = $1 and state = 'active'",
            id,
        )
        .await;
        let page = clerk.get(&path).await;
        assert_eq!(page.text_of("card-state").as_deref(), Some("已过期"));
        assert!(page.body.contains("value=\"renew\""));
        assert!(!page.body.contains("value=\"freeze\""));
        t.stop().await;
    }
);

both!(
    closing_a_member_is_confirmed_approved_by_a_supervisor_and_forfeits_the_points,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        t.add_staff("boss", &[("supervisor", t.hq)], false).await;
        let (id, _) = t.add_member("郑丽", "13800000032", "").await;
        give_points(&t, id, 1200).await;
        let clerk = t.login("clerk").await;
        let path = format!("/members/{id}");
        let page = clerk.get(&path).await;
        // The page states what closing does to the remaining points before anything is asked.
        let effect = page.body.split("id=\"close-effect\">").nth(1).unwrap_or("");
        assert!(
            effect.contains("1,200") && effect.contains("积分将作废"),
            "{effect}"
        );
        // Without the confirmation: refused, nothing asked.
        let refused = clerk
            .post(
                &format!("{path}/close"),
                &path,
                &[("close_reason", "会员要求注销")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("请确认已向会员说明注销的后果"));
        let asked = clerk
            .post(
                &format!("{path}/close"),
                &path,
                &[("close_reason", "会员要求注销"), ("close_confirm", "yes")],
            )
            .await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER);
        // Nothing happened yet: the member is active with the points.
        assert_eq!(
            t.scalar("select points_balance from members where id = $1", id)
                .await,
            1200
        );
        let approval = t
            .scalar(
                "select max(id) from approvals where kind = 'members.close' and $1 > 0",
                1,
            )
            .await;
        // The clerk cannot decide it; the supervisor can.
        let forced = clerk
            .post(
                &format!("/approvals/{approval}/decide"),
                &path,
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(forced.status, StatusCode::FORBIDDEN);
        let boss = t.login("boss").await;
        let inbox = boss.get("/approvals").await;
        assert!(inbox.body.contains("注销会员 郑丽"), "{}", inbox.body);
        let done = boss
            .post(
                &format!("/approvals/{approval}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        // Closed and erased; the points are forfeited by a ledger entry, so nothing is owed.
        let page = boss.get(&path).await;
        assert!(page.body.contains("已注销会员"));
        assert!(!page.body.contains("138****0032"));
        assert!(
            page.body.contains("注销作废"),
            "the forfeit is in the statement"
        );
        assert_eq!(
            t.scalar("select points_balance from members where id = $1", id)
                .await,
            0
        );
        assert_eq!(
            t.scalar(
                "select cast(sum(points) as bigint) from point_entries where member_id = $1 and kind = 'forfeit'",
                id
            )
            .await,
            -1200
        );
        // The erased name is found no more by any part of it.
        let found = boss.get("/members?q=郑丽").await;
        assert!(found.body.contains("没有找到会员"), "{}", found.body);
        // The phone may join again, and the new member is found by name.
        let (again, _) = t.add_member("郑丽", "13800000032", "").await;
        let found = boss.get("/members?q=丽").await;
        assert!(found.body.contains(&format!("/members/{again}")));
        assert!(!found.body.contains(&format!("/members/{id}\"")));
        t.stop().await;
    }
);
