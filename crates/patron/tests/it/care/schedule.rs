//! The schedule: made from a till receipt with the right due times, never twice, its steps
//! appearing only when due, never for a closed member or a cancelled schedule, and a newer
//! purchase restarting the calls.

use chrono::Duration;

use super::{at, buy, run_job, setup, states, steps};
use crate::both;
use crate::support::{goto, spawn_app};

/// 16:30 in Shanghai on the test clock's day (the clock is at 17:00).
const BOUGHT: &str = "2026-09-25T16:30:00+08:00";

both!(
    a_platinum_till_receipt_schedules_the_seven_steps_from_the_purchase_time,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = setup(&t).await;
        buy(&t, &c, "C-1", BOUGHT, 1_000_000).await;
        run_job(&t).await;
        let list = steps(&t, &c).await;
        let p = at(BOUGHT);
        let want = [
            ("thank_you", p + Duration::minutes(3)),
            ("care", p + Duration::days(3)),
            ("greeting", p + Duration::days(14)),
            ("call_1m", at("2026-10-25T16:30:00+08:00")),
            ("call_4m", at("2027-01-25T16:30:00+08:00")),
            ("call_6m", at("2027-03-25T16:30:00+08:00")),
            ("call_9m", at("2027-06-25T16:30:00+08:00")),
        ];
        assert_eq!(list.len(), 7, "{list:?}");
        for (s, (code, due)) in list.iter().zip(want) {
            assert_eq!(s["step"], code);
            assert_eq!(at(s["due_at"].as_str().expect("due_at")), due, "{code}");
            // 17:00 is past the thank-you's 16:33: it went out in this run; the rest wait.
            let state = if code == "thank_you" {
                "done"
            } else {
                "scheduled"
            };
            assert_eq!(s["state"], state, "{code}");
            assert_eq!(s["advisor"], "adv.one");
        }
        // A gold member's receipt schedules nothing (the care tier is platinum by default).
        let (gold, gold_card) = t.add_member("孙金卡", "13912340002", "").await;
        t.exec("update members set tier_code = 'gold' where id = $1", gold)
            .await;
        let gold_care = crate::care::Care {
            member_id: gold,
            card: gold_card,
            till: c.till.clone(),
            manager: c.manager.clone(),
            advisor: c.advisor.clone(),
        };
        buy(&t, &gold_care, "C-2", BOUGHT, 1_000_000).await;
        run_job(&t).await;
        assert!(steps(&t, &gold_care).await.is_empty());
        t.stop().await;
    }
);

both!(
    a_replayed_receipt_and_the_job_run_twice_or_at_once_schedule_nothing_new,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = setup(&t).await;
        buy(&t, &c, "C-1", BOUGHT, 500_000).await;
        let (status, _) = buy(&t, &c, "C-1", BOUGHT, 500_000).await;
        assert_eq!(status, 200, "the till's replay answers the first receipt");
        run_job(&t).await;
        run_job(&t).await;
        // Eight runs at once, after every step is due (a year later).
        goto(&t, "2027-09-30T10:00:00");
        let runs: Vec<_> = (0..8)
            .map(|_| {
                let app = t.app.clone();
                tokio::spawn(async move {
                    let today = app.clock.now().date_naive();
                    patron::app::jobs::run(&app, "care-schedule", today, None)
                        .await
                        .expect("job")
                })
            })
            .collect();
        for r in runs {
            r.await.expect("join");
        }
        run_job(&t).await;
        let schedules = t
            .scalar(
                "select count(*) from care_schedules where member_id = $1",
                c.member_id,
            )
            .await;
        assert_eq!(schedules, 1);
        let tasks = t
            .scalar(
                "select count(*) from care_tasks where member_id = $1",
                c.member_id,
            )
            .await;
        assert_eq!(tasks, 7, "each step once");
        let messages = t
            .scalar(
                "select count(*) from outbox where member_id = $1 and kind like 'care%'",
                c.member_id,
            )
            .await;
        assert_eq!(messages, 3, "thank-you, care and greeting once each");
        let list = steps(&t, &c).await;
        assert_eq!(list.len(), 7);
        t.stop().await;
    }
);

both!(
    steps_become_tasks_only_when_they_fall_due,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = setup(&t).await;
        // Bought at 17:00 sharp (the clock's now): nothing is due for three minutes.
        buy(&t, &c, "C-1", "2026-09-25T17:00:00+08:00", 800_000).await;
        run_job(&t).await;
        let count = "select count(*) from care_tasks where member_id = $1";
        assert_eq!(t.scalar(count, c.member_id).await, 0);
        goto(&t, "2026-09-25T17:02:59");
        run_job(&t).await;
        assert_eq!(t.scalar(count, c.member_id).await, 0);
        goto(&t, "2026-09-25T17:03:00");
        run_job(&t).await;
        assert_eq!(t.scalar(count, c.member_id).await, 1);
        let queued = t
            .scalar_text(
                "select count(*) from outbox where kind = $1",
                "care_thank_you",
            )
            .await;
        assert_eq!(queued, 1, "the thank-you went to the outbox");
        // Three days, two weeks: the messages; the first call a month after.
        goto(&t, "2026-10-09T17:00:00");
        run_job(&t).await;
        assert_eq!(t.scalar(count, c.member_id).await, 3);
        let (_, mine) = t.get_json("/api/v1/care/tasks", &c.advisor).await;
        assert_eq!(
            mine.as_array().map(Vec::len),
            Some(0),
            "no call yet: {mine}"
        );
        goto(&t, "2026-10-25T17:00:00");
        run_job(&t).await;
        let (_, mine) = t.get_json("/api/v1/care/tasks", &c.advisor).await;
        let mine = mine.as_array().cloned().unwrap_or_default();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["step"], "call_1m");
        let s = states(&steps(&t, &c).await);
        assert_eq!(s[3], ("call_1m".into(), "open".into()));
        assert_eq!(s[4], ("call_4m".into(), "scheduled".into()));
        t.stop().await;
    }
);

both!(
    a_member_without_consent_gets_no_message_and_the_step_says_so,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = setup(&t).await;
        t.exec(
            "update members set marketing_consent = false where id = $1",
            c.member_id,
        )
        .await;
        buy(&t, &c, "C-1", BOUGHT, 800_000).await;
        run_job(&t).await;
        assert_eq!(
            states(&steps(&t, &c).await)[0],
            ("thank_you".into(), "skipped".into())
        );
        let queued = t
            .scalar(
                "select count(*) from outbox where member_id = $1 and kind like 'care%'",
                c.member_id,
            )
            .await;
        assert_eq!(queued, 0);
        t.stop().await;
    }
);

both!(
    a_closed_members_and_a_cancelled_schedules_steps_never_appear,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = setup(&t).await;
        buy(&t, &c, "C-1", "2026-09-25T17:00:00+08:00", 800_000).await;
        run_job(&t).await;
        // The manager cancels the schedule before anything is due.
        let id = t
            .scalar(
                "select id from care_schedules where member_id = $1",
                c.member_id,
            )
            .await;
        patron::areas::care::schedule::cancel(&t.ctx(), id, "顾客要求不再联系")
            .await
            .expect("cancel");
        goto(&t, "2027-09-30T10:00:00");
        run_job(&t).await;
        let tasks = "select count(*) from care_tasks where member_id = $1";
        assert_eq!(t.scalar(tasks, c.member_id).await, 0);
        assert!(
            states(&steps(&t, &c).await)
                .iter()
                .all(|(_, s)| s == "cancelled")
        );
        // A second member closed after buying: none of their steps ever becomes a task.
        let (other, other_card) = t.add_member("李注销", "13912340003", "").await;
        t.exec(
            "update members set tier_code = 'platinum', marketing_consent = true where id = $1",
            other,
        )
        .await;
        let oc = crate::care::Care {
            member_id: other,
            card: other_card,
            till: c.till.clone(),
            manager: c.manager.clone(),
            advisor: c.advisor.clone(),
        };
        // Bought a minute ago: nothing is due yet when the job first sees the purchase.
        buy(&t, &oc, "C-2", "2027-09-30T09:59:00+08:00", 800_000).await;
        run_job(&t).await;
        t.exec("update members set status = 'closed' where id = $1", other)
            .await;
        goto(&t, "2028-09-30T10:00:00");
        run_job(&t).await;
        assert_eq!(t.scalar(tasks, other).await, 0);
        let state = t
            .scalar(
                "select count(*) from care_schedules where member_id = $1 and state = 'closed'",
                other,
            )
            .await;
        assert_eq!(state, 1);
        t.stop().await;
    }
);

both!(
    a_newer_purchase_restarts_the_calls_instead_of_stacking_them,
    |backend| async move {
        let t = spawn_app(backend).await;
        let c = setup(&t).await;
        buy(&t, &c, "C-1", BOUGHT, 800_000).await;
        run_job(&t).await;
        goto(&t, "2026-10-26T10:00:00");
        run_job(&t).await;
        let (_, mine) = t.get_json("/api/v1/care/tasks", &c.advisor).await;
        assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
        // A second purchase: the first schedule's open call and its later calls are superseded.
        buy(&t, &c, "C-2", "2026-10-26T09:30:00+08:00", 300_000).await;
        run_job(&t).await;
        let (_, mine) = t.get_json("/api/v1/care/tasks", &c.advisor).await;
        assert_eq!(mine.as_array().map(Vec::len), Some(0), "{mine}");
        let list = steps(&t, &c).await;
        let old: Vec<_> = list
            .iter()
            .filter(|s| s["step"].as_str().is_some_and(|x| x.starts_with("call")))
            .filter(|s| s["state"] == "superseded")
            .collect();
        assert_eq!(old.len(), 4, "{list:?}");
        let new_call = list
            .iter()
            .find(|s| s["step"] == "call_1m" && s["state"] == "scheduled")
            .expect("the new schedule's first call");
        assert_eq!(
            at(new_call["due_at"].as_str().expect("due")),
            at("2026-11-26T09:30:00+08:00")
        );
        // Past the first schedule's four-month call: only the new schedule's calls come.
        goto(&t, "2027-02-27T10:00:00");
        run_job(&t).await;
        let calls = t
            .scalar(
                "select count(*) from care_tasks where member_id = $1 and step like 'call%' and state = 'open'",
                c.member_id,
            )
            .await;
        assert_eq!(calls, 2, "the new schedule's 1- and 4-month calls");
        t.stop().await;
    }
);
