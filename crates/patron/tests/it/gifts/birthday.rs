//! Birthday gifts: the job entitles once, and the gift is claimed once in the month.

use reqwest::StatusCode;
use serde_json::json;

use super::gift;
use crate::both;
use crate::support::{hq_token, on_hand, spawn_app};

both!(
    the_birthday_job_entitles_once_and_the_gift_is_claimed_once_in_the_month,
    |backend| async move {
        let t = spawn_app(backend).await;
        let desk = hq_token(&t, "gift.desk", "reward_desk").await;
        gift(&t, "CAKE", "生日蛋糕券", "100", "").await;
        patron::areas::gifts::birthday::save_setting(
            &t.ctx(),
            &patron::areas::gifts::birthday::TierGiftIn {
                tier_code: "normal".into(),
                gift_code: "CAKE".into(),
                qty: "1".into(),
            },
        )
        .await
        .expect("setting");
        // Today is 2026-09-25 in the test clock.
        let (born_today, card) = t.add_member("寿星", "13700001111", "1990-09-25").await;
        let (born_in_may, may_card) = t.add_member("五月寿星", "13700002222", "1985-05-03").await;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 9, 25).expect("date");
        for _ in 0..2 {
            patron::app::jobs::run(&t.app, "birthday-greetings", today, None)
                .await
                .expect("job");
        }
        // The entitlement is unique per member and year even if created again.
        patron::areas::gifts::birthday::entitle(&t.ctx(), today)
            .await
            .expect("entitle");
        assert_eq!(
            t.scalar(
                "select count(*) from birthday_entitlements where member_id = $1",
                born_today
            )
            .await,
            1
        );
        // The desk's month list names the tier and the gift in words, and lists this store's
        // members only.
        let xd = crate::support::add_store(&t, "XD").await;
        t.add_staff(
            "gift.viewer",
            &[("reward_desk", t.hq), ("reward_desk", xd)],
            false,
        )
        .await;
        let viewer = t.login("gift.viewer").await;
        let page = viewer.get("/rewards/birthday?store=HQ").await;
        let list = page.body.split("id=\"entitlements\"").nth(1).unwrap_or("");
        let list = list.split("</table>").next().unwrap_or("");
        let list = list.split("<tbody>").nth(1).unwrap_or("");
        assert!(
            list.contains("寿星") && list.contains("普通会员") && list.contains("生日蛋糕券"),
            "{list}"
        );
        assert!(
            !list.contains(">等级<"),
            "the tier is named, not the column's heading"
        );
        let page = viewer.get("/rewards/birthday?store=XD").await;
        let list = page.body.split("id=\"entitlements\"").nth(1).unwrap_or("");
        assert!(
            !list.split("</table>").next().unwrap_or("").contains("寿星"),
            "XD's list holds XD's members only"
        );
        // May's member got one on their day (in May) and cannot claim it in September.
        patron::areas::gifts::birthday::entitle(
            &t.ctx(),
            chrono::NaiveDate::from_ymd_opt(2026, 5, 3).expect("date"),
        )
        .await
        .expect("entitle May");
        assert_eq!(
            t.scalar(
                "select count(*) from birthday_entitlements where member_id = $1",
                born_in_may
            )
            .await,
            1
        );

        // No stock yet: refused, nothing written.
        let (s, d) = t
            .post(
                "/api/v1/rewards/birthday/claims",
                &desk,
                json!({"store_code": "HQ", "card_no": card}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{d}");
        assert_eq!(
            t.scalar("select count(*) from birthday_entitlements where claimed_at is not null and member_id = $1", born_today)
                .await,
            0
        );
        t.post(
            "/api/v1/rewards/stock/deliveries",
            &desk,
            json!({"store_code": "HQ", "note_no": "1", "supplier": "S", "lines": [{"gift_code": "CAKE", "qty": "5"}]}),
        )
        .await;
        let (s, d) = t
            .post(
                "/api/v1/rewards/birthday/claims",
                &desk,
                json!({"store_code": "HQ", "card_no": card}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(on_hand(&t, t.hq, "CAKE").await, 4);
        // The handover is numbered by the department's counter; the refused claim above took
        // no number.
        let no = d["claim_no"].as_str().unwrap_or_default();
        assert!(
            no.starts_with("SRHQ") && no.ends_with("-001") && no.len() == 16,
            "{d}"
        );
        assert_eq!(
            t.scalar_text(
                "select count(*) from gift_movements where kind = 'birthday' and doc_no = $1",
                no
            )
            .await,
            1
        );
        let (s, d) = t
            .post(
                "/api/v1/rewards/birthday/claims",
                &desk,
                json!({"store_code": "HQ", "card_no": card}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{d}");
        assert!(d.to_string().contains("birthday.already_claimed"), "{d}");
        let (s, d) = t
            .post(
                "/api/v1/rewards/birthday/claims",
                &desk,
                json!({"store_code": "HQ", "card_no": may_card}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{d}");
        assert!(d.to_string().contains("birthday.not_birthday_month"), "{d}");
        assert_eq!(on_hand(&t, t.hq, "CAKE").await, 4);
        assert_eq!(
            t.scalar(
                "select count(*) from gift_movements where kind = 'birthday' and qty = $1",
                -1
            )
            .await,
            1
        );
        // The desk's list of this month shows the member.
        let b = t.login("gift.desk").await;
        let page = b.get("/rewards/birthday").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("寿星"), "{}", page.body);
        t.stop().await;
    }
);
