//! Plans and summaries: the summary opens from the plan, carries what is not done into the next
//! plan, lateness comes from the clock, and reviewers see their team's missing ones.

use reqwest::StatusCode;
use serde_json::json;

use super::{put, row_of};
use crate::both;
use crate::support::{goto, hq_token, spawn_app};

both!(
    a_summary_opens_from_its_plan_and_carries_the_rest_into_the_next,
    |backend| async move {
        let t = spawn_app(backend).await;
        let clerk = hq_token(&t, "clerk1", "clerk").await;
        // Monday 12 October, 08:50: before the plan is due.
        goto(&t, "2026-10-12T08:50:00");
        let (status, v) = put(
            &t,
            "/api/v1/plans/day/2026-10-12/plan",
            &clerk,
            json!({"items": ["回访三家大宗客户", "整理会员登记资料", ""]}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["plan_standing"], "on_time");
        assert_eq!(v["summary_standing"], "open");
        assert_eq!(v["plan"]["items"].as_array().map(Vec::len), Some(2));
        // The summary form shows the plan's items to mark.
        let b = t.login("clerk1").await;
        let page = b.get("/plans/day/2026-10-12").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains("name=\"text_0\" value=\"回访三家大宗客户\""),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("name=\"text_1\" value=\"整理会员登记资料\"")
        );
        // Written the same evening: one item done, one not, one more named for tomorrow.
        goto(&t, "2026-10-12T18:00:00");
        let b = t.login("clerk1").await;
        let s = b
            .post(
                "/plans/day/2026-10-12/summary",
                "/plans/day/2026-10-12",
                &[
                    ("text_0", "回访三家大宗客户"),
                    ("done_0", "1"),
                    ("note_0", "两家确认"),
                    ("text_1", "整理会员登记资料"),
                    ("next", "准备周例会材料"),
                    ("notes", "回访顺利"),
                ],
            )
            .await;
        assert_eq!(s.status, StatusCode::SEE_OTHER, "{}", s.body);
        assert_eq!(
            s.location.as_deref(),
            Some("/plans/day/2026-10-12?ok=flash.saved")
        );
        // A plan form sent empty is shown again with the field marked, and nothing is written.
        let refused = b
            .post(
                "/plans/week/2026-10-12/plan",
                "/plans/week/2026-10-12",
                &[("items", " \n "), ("notes", "本周备注")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("field-error") && refused.body.contains("本周备注"));
        // The next day's plan opens with what carried over.
        let (_, next) = t.get_json("/api/v1/plans/day/2026-10-13", &clerk).await;
        assert_eq!(
            next["carried"],
            json!(["整理会员登记资料", "准备周例会材料"])
        );
        let page = b.get("/plans/day/2026-10-13").await;
        assert!(
            page.body.contains("整理会员登记资料\n准备周例会材料"),
            "{}",
            page.body
        );
        let (_, done) = t.get_json("/api/v1/plans/day/2026-10-12", &clerk).await;
        assert_eq!(done["summary_standing"], "on_time");
        assert_eq!(done["summary"]["items"][0]["done"], true);
        assert_eq!(done["summary"]["items"][1]["carry"], true);
        // No summary for a day that has not begun; nothing is written.
        let (status, body) = put(
            &t,
            "/api/v1/plans/day/2026-10-14/summary",
            &clerk,
            json!({"notes": "提前写"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "date");
        let (_, later) = t.get_json("/api/v1/plans/day/2026-10-14", &clerk).await;
        assert!(later["summary"].is_null());
        // An empty plan is refused naming the field.
        let (status, body) = put(
            &t,
            "/api/v1/plans/week/2026-10-12/plan",
            &clerk,
            json!({"items": ["  "]}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "items");
        t.stop().await;
    }
);

both!(
    late_and_missing_papers_show_in_the_team_view,
    |backend| async move {
        let t = spawn_app(backend).await;
        let late = hq_token(&t, "late_clerk", "clerk").await;
        hq_token(&t, "idle_clerk", "clerk").await;
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        // 10:15 on Monday 2 November: past the 09:30 due time.
        goto(&t, "2026-11-02T10:15:00");
        let (_, v) = put(
            &t,
            "/api/v1/plans/day/2026-11-02/plan",
            &late,
            json!({"items": ["补写计划"]}),
        )
        .await;
        assert_eq!(v["plan_standing"], "late");
        let (_, w) = put(
            &t,
            "/api/v1/plans/week/2026-11-04/plan",
            &late,
            json!({"items": ["周计划"]}),
        )
        .await;
        assert_eq!(w["starts_on"], "2026-11-02");
        assert_eq!(w["plan_standing"], "late");
        // Rewriting it later does not make it on time, nor later.
        let (_, again) = put(
            &t,
            "/api/v1/plans/day/2026-11-02/plan",
            &late,
            json!({"items": ["补写计划", "再加一项"]}),
        )
        .await;
        assert_eq!(again["plan_standing"], "late");
        let boss = t.login("boss").await;
        let page = boss.get("/plans/team?period=day&date=2026-11-02").await;
        assert_eq!(page.status, StatusCode::OK);
        let idle = row_of(&page.body, "data-staff=\"idle_clerk\"");
        assert!(idle.contains("standing-missing"), "{idle}");
        let row = row_of(&page.body, "data-staff=\"late_clerk\"");
        assert!(row.contains("standing-late"), "{row}");
        // The month's tally counts the missing plan of the day (1 November was a Sunday).
        assert!(idle.contains("<td class=\"num\">1</td>"), "{idle}");
        let csv = boss.get("/plans/team.csv?period=day&date=2026-11-02").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body.contains("迟交") && csv.body.contains("未交"),
            "{}",
            csv.body
        );
        // The reviewer reads a team member's day.
        let id = t
            .scalar_text("select id from staff where username = $1", "late_clerk")
            .await;
        let read = boss.get(&format!("/plans/team/{id}/day/2026-11-02")).await;
        assert_eq!(read.status, StatusCode::OK);
        assert!(read.body.contains("再加一项"));
        assert!(!read.body.contains("id=\"plan-form\""));
        // A clerk sees neither the team nor a colleague's plans.
        let clerk = t.login("idle_clerk").await;
        assert_eq!(clerk.get("/plans/team").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            clerk
                .get(&format!("/plans/team/{id}/day/2026-11-02"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Their own page is theirs, and the dashboard says what waits.
        let mine = clerk.get("/plans").await;
        assert_eq!(mine.status, StatusCode::OK);
        let dash = clerk.get("/").await;
        assert!(
            dash.body.contains("data-tile=\"plans.tile.mine\""),
            "{}",
            dash.body
        );
        let dash = boss.get("/").await;
        assert!(dash.body.contains("data-tile=\"plans.tile.team\""));
        t.stop().await;
    }
);
