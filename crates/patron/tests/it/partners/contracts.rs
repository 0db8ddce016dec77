//! Contracts: the expiry reminder job queues one message per contract, idempotently, and
//! expires the contracts past their end.

use reqwest::StatusCode;

use super::{TODAY, active_partner, count, manager};
use crate::both;
use crate::support::{day, goto, spawn_app};

both!(
    the_reminder_job_queues_one_message_per_contract_and_expires_contracts,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = manager(&t, "partner_mgr").await;
        let soon = active_partner(
            &b,
            "鸿运大酒店",
            "TY-1",
            "2026-09-06",
            "2026-10-20",
            "凭卡住宿八五折",
        )
        .await;
        let later = active_partner(
            &b,
            "康辉旅行社",
            "TY-2",
            "2026-09-06",
            "2027-09-05",
            "线路立减200元",
        )
        .await;
        let run = |d: &str| {
            let app = t.app.clone();
            let d = day(d);
            async move {
                patron::app::jobs::run(&app, "partner-contract-reminders", d, None)
                    .await
                    .expect("job")
            }
        };
        let messages = || async {
            count(&t, "select cast(count(*) as bigint) from outbox where kind = 'partner_contract_expiry' and id > $1", 0).await
        };
        let r = run(TODAY).await;
        assert_eq!(r.processed, 1);
        assert_eq!(
            messages().await,
            1,
            "one reminder: only TY-1 ends within 30 days"
        );
        let payload: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select payload from outbox where kind = 'partner_contract_expiry'")
                .fetch_one(p)
                .await
                .expect("msg")
        });
        assert!(
            payload.contains("TY-1")
                && payload.contains("鸿运大酒店")
                && payload.contains("会员部")
        );
        assert!(run(TODAY).await.already_done);
        goto(&t, "2026-09-26T10:00:00");
        assert_eq!(run("2026-09-26").await.processed, 0);
        assert_eq!(
            messages().await,
            1,
            "a rerun on a later day queues nothing more"
        );
        // The list shows the reminder (signed in again: a day has passed).
        let b = t.login("partner_mgr").await;
        let list = b.get("/partners?expiring=30").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body.contains("鸿运大酒店") && list.body.contains("已提醒"),
            "{}",
            list.body
        );
        assert!(!list.body.contains("康辉旅行社"), "the expiring filter");
        // Past the end the contract expires, the partner moves to expired with a dated history row.
        goto(&t, "2026-10-21T10:00:00");
        assert_eq!(run("2026-10-21").await.processed, 1);
        let stage: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select stage from partners where id = $1")
                .bind(soon)
                .fetch_one(p)
                .await
                .expect("row")
        });
        assert_eq!(stage, "expired");
        assert_eq!(
        count(&t, "select cast(count(*) as bigint) from partner_stages where partner_id = $1 and to_stage = 'expired' and on_date = '2026-10-21'", soon).await,
        1
    );
        let other: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select stage from partners where id = $1")
                .bind(later)
                .fetch_one(p)
                .await
                .expect("row")
        });
        assert_eq!(other, "active");
        assert_eq!(messages().await, 1);
        t.stop().await;
    }
);
