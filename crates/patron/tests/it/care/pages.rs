//! The console pages: completing a call with a bad form is re-shown with the message and what
//! was typed; the advisor's list and tile; receptions recorded, listed, exported and printed;
//! the top-member file and its print view.

use super::{buy, run_job, setup};
use crate::both;
use crate::support::{goto, spawn_app};

both!(
    a_call_completed_without_an_outcome_is_shown_again_with_the_message,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = setup(&t).await;
        buy(&t, &c, "C-1", "2026-09-25T16:30:00+08:00", 800_000).await;
        goto(&t, "2026-10-26T10:00:00");
        run_job(&t).await;
        let id = t
            .scalar(
                "select id from care_tasks where member_id = $1 and step = 'call_1m'",
                c.member_id,
            )
            .await;
        let b = t.login("adv.one").await;
        let list = b.get("/care").await;
        assert_eq!(list.status, 200);
        assert!(
            list.body.contains(&format!("/care/tasks/{id}")),
            "{}",
            list.body
        );
        let dashboard = b.get("/").await;
        assert!(
            dashboard.body.contains("待办维护任务"),
            "the advisor's tile"
        );
        let path = format!("/care/tasks/{id}");
        let refused = b
            .post(&path, &path, &[("remarks", "电话无人接听，明天再打")])
            .await;
        assert_eq!(refused.status, 422);
        assert!(
            refused.body.contains("电话无人接听，明天再打"),
            "kept what was typed"
        );
        assert!(refused.body.contains("outcome-error"), "{}", refused.body);
        let open = t
            .scalar(
                "select count(*) from care_tasks where id = $1 and state = 'open'",
                id,
            )
            .await;
        assert_eq!(open, 1, "nothing written");
        let done = b
            .post(
                &path,
                &path,
                &[("outcome", "not_reached"), ("remarks", "无人接听")],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let state = t
            .scalar_text(
                "select count(*) from care_tasks where outcome = $1 and state = 'done'",
                "not_reached",
            )
            .await;
        assert_eq!(state, 1);
        // Nothing waits now: no tile.
        let dashboard = b.get("/").await;
        assert!(!dashboard.body.contains("待办维护任务"));
        t.stop().await;
    }
);

both!(
    receptions_are_recorded_listed_exported_and_printed_with_the_member_file,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = setup(&t).await;
        buy(&t, &c, "C-1", "2026-09-25T16:30:00+08:00", 1_288_800).await;
        run_job(&t).await;
        let b = t.login("care.boss").await;
        // A reception with neither needs nor service is refused and shown again.
        let refused = b
            .post(
                "/care/receptions",
                "/care/receptions",
                &[
                    ("kind", "reception"),
                    ("card_no", &c.card),
                    ("gift", "丝巾"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("丝巾"));
        let ok = b
            .post(
                "/care/receptions",
                "/care/receptions",
                &[
                    ("kind", "reception"),
                    ("card_no", &c.card),
                    ("needs", "为母亲挑选羊绒大衣"),
                    ("service", "陪同试穿，预约改衣"),
                    ("gift", "丝巾一条"),
                    ("follow_up", "改好后电话通知"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let desk = b
            .post(
                "/care/receptions",
                "/care/receptions",
                &[
                    ("kind", "invoice"),
                    ("visitor", "陈先生"),
                    ("service", "开具增值税发票"),
                ],
            )
            .await;
        assert_eq!(desk.status, 303, "{}", desk.body);
        let list = b.get("/care/receptions").await;
        assert!(list.body.contains("为母亲挑选羊绒大衣") && list.body.contains("陈先生"));
        let only = b.get("/care/receptions?kind=invoice").await;
        assert!(!only.body.contains("为母亲挑选羊绒大衣") && only.body.contains("陈先生"));
        let csv = b.get("/care/receptions.csv").await;
        assert!(csv.body.contains("羊绒大衣"));
        let print = b.get("/care/receptions/print").await;
        assert!(print.body.contains("VIP接待"));
        // The manager sets the profile on the member page; the file shows it with purchases and
        // the care history, and prints as 铂金会员档案本.
        let profile = b
            .post(
                &format!("/members/{}/profile", c.member_id),
                &format!("/members/{}", c.member_id),
                &[("hobbies", "高尔夫、茶艺"), ("size", "M / 38")],
            )
            .await;
        assert!(profile.status.is_redirection(), "{}", profile.status);
        let file = b.get(&format!("/care/members/{}/file", c.member_id)).await;
        assert_eq!(file.status, 200);
        assert!(file.body.contains("高尔夫、茶艺"));
        assert!(
            file.body.contains("C-1") && file.body.contains("¥12,888.00"),
            "purchases"
        );
        assert!(file.body.contains("3分钟感谢短信"), "care history");
        assert!(file.body.contains("为母亲挑选羊绒大衣"), "receptions");
        let paper = b
            .get(&format!("/care/members/{}/file/print", c.member_id))
            .await;
        assert!(paper.body.contains("铂金会员档案本") && paper.body.contains("高尔夫、茶艺"));
        let care = b.get(&format!("/care/members/{}", c.member_id)).await;
        assert!(care.body.contains("测试 adv.one"), "the advisor is named");
        let figures = b.get("/care/figures").await;
        assert_eq!(figures.status, 200);
        assert!(figures.body.contains("3分钟感谢短信"));
        t.stop().await;
    }
);
