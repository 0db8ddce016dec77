//! The member portal lists the benefits of active partners only.

use reqwest::StatusCode;

use super::{active_partner, contract, create, manager, step_ok};
use crate::both;
use crate::support::{TestApp, day, goto, spawn_app, welcome_password};

/// A member who may sign in to the portal (first password changed already): (login, password).
async fn portal_member(t: &TestApp) -> (String, String) {
    let (id, card) = t.add_member("特约会员", "13600002222", "").await;
    let password = welcome_password(t, id).await;
    t.exec(
        "update members set portal_must_change = false where id = $1",
        id,
    )
    .await;
    (card, password)
}

both!(
    the_portal_shows_active_partners_benefits_only,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = manager(&t, "partner_mgr").await;
        active_partner(
            &b,
            "鸿运大酒店",
            "TY-1",
            "2026-09-06",
            "2026-10-20",
            "凭卡住宿八五折",
        )
        .await;
        // Agreed with a contract, not active yet; another still negotiating.
        let agreed = create(&b, "华联影城", "2026-09-01", "").await;
        step_ok(&b, agreed, "contacted", "2026-09-02", "").await;
        step_ok(&b, agreed, "negotiating", "2026-09-03", "").await;
        step_ok(&b, agreed, "agreed", "2026-09-04", "").await;
        let k = contract(&b, agreed, "TY-3", "2026-09-06", "2027-09-05", "观影半价").await;
        assert_eq!(k.status, StatusCode::SEE_OTHER);
        let talking = create(&b, "爱车汽修", "2026-09-01", "").await;
        step_ok(&b, talking, "contacted", "2026-09-02", "").await;

        let (card, password) = portal_member(&t).await;
        let m = t.portal_login(&card, &password).await;
        let home = m.get("/portal").await;
        assert!(
            home.body.contains("/portal/partners"),
            "the portal links to the partners"
        );
        let page = m.get("/portal/partners").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("鸿运大酒店")
                && page.body.contains("凭卡住宿八五折")
                && page.body.contains("9折")
        );
        for hidden in [
            "华联影城",
            "观影半价",
            "爱车汽修",
            "月结",
            "返点",
            "13800138000",
            "138****8000",
            "王经理",
            "TY-1",
        ] {
            assert!(
                !page.body.contains(hidden),
                "the portal does not show {hidden}"
            );
        }
        // Staff pages are not for members.
        assert_ne!(m.get("/partners").await.status, StatusCode::OK);
        // Once the contract has expired the partner is gone from the portal.
        goto(&t, "2026-10-21T10:00:00");
        patron::app::jobs::run(
            &t.app,
            "partner-contract-reminders",
            day("2026-10-21"),
            None,
        )
        .await
        .expect("job");
        let m = t.portal_login(&card, &password).await;
        let page = m.get("/portal/partners").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("鸿运大酒店"));
        t.stop().await;
    }
);
