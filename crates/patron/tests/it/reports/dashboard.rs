//! The dashboard of each role links to its reports: a tile "统计报表" leading to `/reports`,
//! with a line for each report the reader may open and none they may not.

use crate::both;
use crate::support::spawn_app;

/// The HTML of the reports tile, if the dashboard has it.
fn reports_tile(body: &str) -> Option<&str> {
    let start = body.find("data-tile=\"reports.tile\"")?;
    let end = body[start..].find("</section>")? + start;
    Some(&body[start..end])
}

both!(
    each_roles_dashboard_links_to_the_reports_it_may_open,
    |backend| async move {
        let t = spawn_app(backend).await;
        for (user, role) in [
            ("boss", "manager"),
            ("promo", "marketing"),
            ("money", "cashier"),
            ("till", "till_cashier"),
        ] {
            t.add_staff(user, &[(role, t.hq)], false).await;
        }
        let page = t.login("boss").await.get("/").await.body;
        let tile = reports_tile(&page).unwrap_or_else(|| panic!("no reports tile: {page}"));
        assert!(
            tile.contains("href=\"/reports\"") && tile.contains("统计报表"),
            "{tile}"
        );
        for name in [
            "members",
            "rfm",
            "points",
            "groupbuy-sales",
            "complaints",
            "callbacks",
            "events",
            "partners",
        ] {
            assert!(
                tile.contains(&format!("href=\"/reports/{name}\"")),
                "{name}: {tile}"
            );
        }
        assert!(tile.contains("团购销售统计") && tile.contains("投诉与服务时限统计"));
        // Marketing: its reports, none of complaints or group-buy; still told nothing waits.
        let page = t.login("promo").await.get("/").await.body;
        let tile = reports_tile(&page).expect("marketing's reports tile");
        assert!(
            tile.contains("href=\"/reports/events\"") && tile.contains("href=\"/reports/members\"")
        );
        assert!(!tile.contains("/reports/complaints") && !tile.contains("/reports/groupbuy-sales"));
        assert!(page.contains("今天没有等待您处理的事项。"), "{page}");
        // Finance's cashier: the points liability and the group-buy sales.
        let page = t.login("money").await.get("/").await.body;
        let tile = reports_tile(&page).expect("the cashier's reports tile");
        assert!(tile.contains("/reports/points") && tile.contains("/reports/groupbuy-sales"));
        assert!(!tile.contains("/reports/members"));
        // A till cashier has no report: no tile.
        let page = t.login("till").await.get("/").await.body;
        assert!(reports_tile(&page).is_none());
        t.stop().await;
    }
);
