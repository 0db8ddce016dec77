//! The audit log: append-only in the database, and a hand edit is found by `verify`.

use patron::kernel::db::Backend as DbBackend;
use patron_core::audit::ChainBreak;
use reqwest::StatusCode;
use sqlx::Connection;

use crate::both;
use crate::support::{TestApp, add_store, spawn_app};

/// Runs SQL on the test database over a connection of its own, as someone with database access
/// would.
pub async fn raw_sql(t: &TestApp, sql: &str) -> Result<u64, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match t.app.db.backend() {
        DbBackend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&t.db.url).await?;
            Ok(sqlx::raw_sql(sql).execute(&mut c).await?.rows_affected())
        }
        DbBackend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&t.db.url).await?;
            Ok(sqlx::raw_sql(sql).execute(&mut c).await?.rows_affected())
        }
    }
}

pub async fn disable_protection(t: &TestApp) {
    let sql = match t.app.db.backend() {
        DbBackend::Sqlite => "drop trigger audit_log_no_update; drop trigger audit_log_no_delete;",
        DbBackend::Postgres => "alter table audit_log disable trigger audit_log_no_update;",
    };
    raw_sql(t, sql).await.expect("drop the protection");
}

both!(
    nobody_can_edit_or_delete_an_audit_entry_through_the_database,
    |backend| async move {
        let t = spawn_app(backend).await;
        let update = raw_sql(
            &t,
            "update audit_log set actor_name = 'someone else' where seq = 1",
        )
        .await;
        assert!(update.is_err(), "UPDATE must be refused");
        let delete = raw_sql(&t, "delete from audit_log where seq = 1").await;
        assert!(delete.is_err(), "DELETE must be refused");
        assert_eq!(
            patron::kernel::audit::verify(&t.app.db)
                .await
                .expect("verify")
                .broken,
            None
        );
        t.stop().await;
    }
);

both!(
    an_entry_edited_by_hand_is_reported_as_the_first_broken_link,
    |backend| async move {
        let t = spawn_app(backend).await;
        for code in ["A1", "A2", "A3", "A4"] {
            add_store(&t, code).await;
        }
        let report = patron::kernel::audit::verify(&t.app.db)
            .await
            .expect("verify");
        assert_eq!(report.broken, None);
        let total = report.verified;
        assert!(total >= 6);
        disable_protection(&t).await;
        // Someone "corrects" who did entry 4 and what entry 5 says.
        raw_sql(
            &t,
            "update audit_log set after = '{\"name\":\"改过\"}' where seq = 5",
        )
        .await
        .expect("edit");
        raw_sql(
            &t,
            "update audit_log set actor_name = 'intruder' where seq = 4",
        )
        .await
        .expect("edit");
        let report = patron::kernel::audit::verify(&t.app.db)
            .await
            .expect("verify");
        assert_eq!(
            report.broken,
            Some(ChainBreak::BadHash { seq: 4 }),
            "the first broken link is named"
        );
        assert_eq!(report.verified, 3);
        t.stop().await;
    }
);

both!(
    the_audit_page_filters_by_person_date_and_entity,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("li.ming", &[("manager", t.hq)], false).await;
        let admin = t.login("admin").await;
        let page = admin
            .post(
                "/admin/stores",
                "/admin/stores",
                &[
                    ("code", "WFJ"),
                    ("name", "王府井店"),
                    ("time_zone", "Asia/Shanghai"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let li = t.login("li.ming").await;
        let page = li.get("/admin/audit?actor=admin").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("store.create"));
        assert!(
            !page.body.contains("<span translate=\"no\">li.ming</span>"),
            "only admin's entries"
        );
        let page = li.get("/admin/audit?actor=li.ming").await;
        assert!(page.body.contains("staff.login") && !page.body.contains("store.create"));
        let page = li.get("/admin/audit?entity=store").await;
        assert!(page.body.contains("王府井店"));
        assert!(!page.body.contains("staff.login"));
        // The test clock says 2026-09-25: a day range around it finds the entries, another does not.
        assert!(
            li.get("/admin/audit?from=2026-09-25&until=2026-09-25")
                .await
                .body
                .contains("store.create")
        );
        assert!(
            !li.get("/admin/audit?from=2026-09-26")
                .await
                .body
                .contains("store.create")
        );
        let bad = li.get("/admin/audit?from=25/09/2026").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("日期格式应为"));
        // The CSV export opens in Excel: BOM, Chinese header, the same rows.
        let res = li
            .client
            .get(format!("{}/admin/audit.csv?entity=store", t.base))
            .send()
            .await
            .expect("csv");
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        let bytes = res.bytes().await.expect("body");
        assert!(bytes.starts_with("\u{feff}".as_bytes()));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("序号,时间,操作人"));
        assert!(text.contains("王府井店"));
        t.stop().await;
    }
);

both!(
    verify_is_not_fooled_by_writes_committing_while_it_runs,
    |backend| async move {
        let t = spawn_app(backend).await;
        let writer = {
            let ctx = t.ctx();
            tokio::spawn(async move {
                for i in 0..150 {
                    patron::areas::staff::create_store(
                        &ctx,
                        &patron::areas::staff::StoreInput {
                            code: format!("V{i:03}"),
                            name: "审计中写入".into(),
                            time_zone: "Asia/Shanghai".into(),
                            active: true,
                            email: String::new(),
                        },
                    )
                    .await
                    .expect("store");
                }
            })
        };
        let mut checks = 0;
        while !writer.is_finished() {
            let report = patron::kernel::audit::verify(&t.app.db)
                .await
                .expect("verify");
            assert_eq!(report.broken, None, "after {} entries", report.verified);
            checks += 1;
        }
        writer.await.expect("writer");
        let report = patron::kernel::audit::verify(&t.app.db)
            .await
            .expect("verify");
        assert_eq!(report.broken, None);
        assert!(report.verified >= 152);
        assert!(checks > 1, "verify ran while writes were committing");
        t.stop().await;
    }
);
