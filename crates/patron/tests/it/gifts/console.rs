//! The console pages in both languages, bad forms re-shown, and the print views.

use reqwest::StatusCode;

use super::gift;
use crate::both;
use crate::support::{Browser, balance, give_points, on_hand, spawn_app};

async fn english(b: &Browser) {
    let res = b.post("/account/lang", "/", &[("lang", "en")]).await;
    assert!(res.status.is_redirection(), "{}", res.status);
}

both!(
    console_pages_render_in_both_languages_and_reshow_bad_forms,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("gift.boss", &[("manager", t.hq)], false).await;
        gift(&t, "MUG", "马克杯", "50", "300").await;
        let b = t.login("gift.boss").await;
        let pages = [
            "/rewards/gifts",
            "/rewards/stock",
            "/rewards/stock/movements",
            "/rewards/exchange",
            "/rewards/birthday",
        ];
        for (lang, word) in [("zh", "奖品库存"), ("en", "Gift stock")] {
            if lang == "en" {
                english(&b).await;
            }
            for p in pages {
                let page = b.get(p).await;
                assert_eq!(page.status, StatusCode::OK, "{p}");
                assert!(page.body.contains(word), "{p} in {lang}");
            }
        }
        for p in [
            "/rewards/stock.csv",
            "/rewards/stock.xlsx",
            "/rewards/stock/movements.csv",
            "/rewards/stock/movements.xlsx",
            "/rewards/stock/count-sheet/print",
        ] {
            assert_eq!(b.get(p).await.status, StatusCode::OK, "{p}");
        }
        // A bad gift is re-shown with what was typed and the message, in English now.
        let res = b
            .post(
                "/rewards/gifts",
                "/rewards/gifts",
                &[
                    ("code", "bad code"),
                    ("name_zh", "好礼"),
                    ("kind", "gift"),
                    ("value", "abc"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("好礼") && res.body.contains("capital letters"),
            "{}",
            res.body
        );
        // A delivery without a note number, re-shown.
        let res = b
            .post(
                "/rewards/stock/delivery",
                "/rewards/stock",
                &[
                    ("store_code", "HQ"),
                    ("supplier", "礼品公司"),
                    ("lines[0].gift_code", "MUG"),
                    ("lines[0].qty", "4"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("礼品公司"), "the typed supplier is kept");
        assert_eq!(on_hand(&t, t.hq, "MUG").await, 0);
        // A good one, printable.
        let res = b
            .post(
                "/rewards/stock/delivery",
                "/rewards/stock",
                &[
                    ("store_code", "HQ"),
                    ("note_no", "SD-1"),
                    ("supplier", "礼品公司"),
                    ("lines[0].gift_code", "MUG"),
                    ("lines[0].qty", "4"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let doc = t
            .scalar(
                "select max(id) from gift_documents where store_id = $1",
                t.hq,
            )
            .await;
        let print = b.get(&format!("/rewards/stock/docs/{doc}/print")).await;
        assert!(print.body.contains("奖品收货单") && print.body.contains("SD-1"));
        // The exchange desk: too few points re-shows the form.
        let (member, card) = t.add_member("柜台会员", "13500003333", "").await;
        let res = b
            .post(
                "/rewards/exchange",
                "/rewards/exchange",
                &[
                    ("store_code", "HQ"),
                    ("card_no", card.as_str()),
                    ("gift_code", "MUG"),
                    ("qty", "1"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        give_points(&t, member, 400).await;
        let res = b
            .post(
                "/rewards/exchange",
                "/rewards/exchange",
                &[
                    ("store_code", "HQ"),
                    ("card_no", card.as_str()),
                    ("gift_code", "MUG"),
                    ("qty", "1"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let id = t
            .scalar(
                "select max(id) from gift_exchanges where member_id = $1",
                member,
            )
            .await;
        let slip = b.get(&format!("/rewards/exchange/{id}/print")).await;
        assert!(slip.body.contains("积分兑换单") && slip.body.contains("300"));
        assert_eq!(balance(&t, member).await, 100);
        t.stop().await;
    }
);
