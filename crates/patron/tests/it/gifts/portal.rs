//! The exchange in the member portal: a double submit exchanges once, and the whole flow in
//! Chromium.

use reqwest::StatusCode;
use serde_json::json;

use super::gift;
use crate::both;
use crate::support::{
    PASSWORD, balance, browser_skipped, give_points, hq_token, on_hand, run_browser_flow,
    set_portal_password, spawn_app,
};

both!(portal_double_submit_exchanges_once, |backend| async move {
    let t = spawn_app(backend).await;
    let desk = hq_token(&t, "gift.desk", "reward_desk").await;
    gift(&t, "MUG", "马克杯", "50", "300").await;
    t.post(
        "/api/v1/rewards/stock/deliveries",
        &desk,
        json!({"store_code": "HQ", "note_no": "1", "supplier": "S", "lines": [{"gift_code": "MUG", "qty": "3"}]}),
    )
    .await;
    let (member, card) = t.add_member("门户会员", "13500004444", "").await;
    give_points(&t, member, 1000).await;
    set_portal_password(&t, member).await;
    let b = t.portal_login(&card, PASSWORD).await;
    let page = b.get("/portal/exchange").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let key = page
        .body
        .split_once("name=\"key\" value=\"")
        .and_then(|(_, r)| r.split_once('"'))
        .map(|(k, _)| k.to_string())
        .expect("key");
    let form = [
        ("_csrf", csrf.as_str()),
        ("key", key.as_str()),
        ("store_code", "HQ"),
        ("gift_code", "MUG"),
        ("qty", "1"),
    ];
    let (a, b2) = tokio::join!(
        b.client
            .post(format!("{}/portal/exchange", b.base))
            .form(&form)
            .send(),
        b.client
            .post(format!("{}/portal/exchange", b.base))
            .form(&form)
            .send()
    );
    assert_eq!(a.expect("a").status(), StatusCode::SEE_OTHER);
    assert_eq!(b2.expect("b").status(), StatusCode::SEE_OTHER);
    assert_eq!(balance(&t, member).await, 700, "one exchange, not two");
    assert_eq!(on_hand(&t, t.hq, "MUG").await, 2);
    let page = b.get("/portal/exchange").await;
    assert!(page.body.contains("马克杯"), "the history shows it");
    t.stop().await;
});

both!(
    a_member_exchanges_points_in_the_portal_in_chromium,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        let desk = hq_token(&t, "gift.desk", "reward_desk").await;
        gift(&t, "MUG", "马克杯", "50", "300").await;
        t.post(
        "/api/v1/rewards/stock/deliveries",
        &desk,
        json!({"store_code": "HQ", "note_no": "1", "supplier": "S", "lines": [{"gift_code": "MUG", "qty": "3"}]}),
    )
    .await;
        let (member, card) = t.add_member("网上会员", "13500005555", "").await;
        give_points(&t, member, 1000).await;
        set_portal_password(&t, member).await;
        let stdout = run_browser_flow(
            "portal_exchange.mjs",
            &[
                ("BASE_URL", &t.base),
                ("CARD", &card),
                ("PASSWORD", PASSWORD),
                ("GIFT", "MUG"),
                ("STORE", "HQ"),
                ("PRICE", "300"),
            ],
        )
        .await;
        assert!(stdout.contains("browser: portal exchange ok"), "{stdout}");
        assert_eq!(balance(&t, member).await, 700);
        assert_eq!(on_hand(&t, t.hq, "MUG").await, 2);
        t.stop().await;
    }
);
