//! A backup made while tills post receipts, verified, restored into a new data directory that
//! `patron check` finds clean with every receipt acknowledged before the backup; a restore
//! never overwrites; the schedule keeps the newest N.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use patron::areas::backup::{self, Origin, RestoreOptions};
use patron::kernel::db::testing::TestDb;
use serde_json::json;
use tokio::sync::Mutex;

use crate::both;
use crate::support::{Backend, TestApp, spawn_app};

/// Tills posting receipts until `stop`; every receipt number the server acknowledged.
fn tills(
    t: &TestApp,
    key: &str,
    card: &str,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<String>>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..4)
        .map(|w| {
            let (http, base, key, card) = (
                t.http.clone(),
                t.base.clone(),
                key.to_string(),
                card.to_string(),
            );
            let (stop, acked) = (stop.clone(), acked.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let no = format!("BK{w}-{n:05}");
                    let res = http
                        .post(format!("{base}/api/v1/pos/receipts"))
                        .bearer_auth(&key)
                        .json(&json!({
                            "store_code": "HQ", "till_id": "T01", "receipt_no": no,
                            "card_no": card, "occurred_at": "2026-09-25T16:30:00+08:00",
                            "lines": [{"line_no": 1, "sku": "S1", "amount_fen": 12_800, "promotional": false}],
                        }))
                        .send()
                        .await;
                    if let Ok(r) = res
                        && r.status().is_success()
                    {
                        acked.lock().await.push(no);
                    }
                }
            })
        })
        .collect()
}

both!(
    a_backup_under_till_load_restores_clean_with_every_acknowledged_receipt,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (_, card) = t.add_member("王芳", "13800001111", "1980-03-01").await;
        let key = t.till_key(t.hq, "T01").await;
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(Vec::new()));
        let workers = tills(&t, &key, &card, stop.clone(), acked.clone());
        while acked.lock().await.len() < 40 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        // Acknowledged before the backup began: each must be in the copy.
        let before: Vec<String> = acked.lock().await.clone();
        let made = backup::back_up(&t.ctx(), Origin::Cli, None)
            .await
            .expect("backup");
        let during = acked.lock().await.len() - before.len();
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.await.expect("till");
        }
        assert!(made.verified, "{:?}", made.checks);
        assert!(made.bytes > 0);
        assert!(!made.path.join("secrets.toml").exists());
        assert!(
            during > 0 || backend == Backend::Sqlite,
            "the tills went on during the backup"
        );
        // The console's list has it, done and verified.
        let runs = backup::list(&t.ctx(), 10).await.expect("list");
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].state.as_str(), runs[0].verified), ("done", true));

        // Restore into a new data directory (PostgreSQL: a fresh database).
        let target = TestDb::new(backend).await.expect("target");
        let dir = target.dir.join("restored");
        let secrets = t.db.dir.join("kept-apart-secrets.toml");
        t.app.secrets.write_new(&secrets).expect("secrets");
        let opts = RestoreOptions {
            secrets: Some(secrets.clone()),
            database_url: (backend == Backend::Postgres).then(|| target.url.clone()),
        };
        let restored = backup::restore(&made.path, &dir, &opts)
            .await
            .expect("restore");
        assert_eq!(restored.migration, made.migration);
        // `patron check` on the new directory: everything agrees.
        let app = patron::cli::open(&dir)
            .await
            .expect("open the restored directory");
        assert!(patron::cli::audit_verify(&app).await.expect("audit"));
        assert!(patron::cli::points_verify(&app).await.expect("points"));
        assert!(patron::cli::vouchers_verify(&app).await.expect("vouchers"));
        let found: Vec<String> = patron::on_db!(app.db, |p| {
            sqlx::query_scalar("select receipt_no from receipts")
                .fetch_all(p)
                .await
                .expect("receipts")
        });
        let found: std::collections::HashSet<String> = found.into_iter().collect();
        let missing: Vec<&String> = before.iter().filter(|n| !found.contains(*n)).collect();
        assert!(
            missing.is_empty(),
            "acknowledged but not restored: {missing:?}"
        );
        app.db.close().await;

        // A second restore into the same directory is refused; nothing there changes.
        let size = std::fs::metadata(dir.join("patron.toml"))
            .expect("config")
            .len();
        let again = backup::restore(&made.path, &dir, &opts).await;
        assert!(
            matches!(again, Err(backup::BackupError::TargetExists(_))),
            "{again:?}"
        );
        assert_eq!(
            std::fs::metadata(dir.join("patron.toml"))
                .expect("config")
                .len(),
            size
        );
        t.stop().await;
    }
);

both!(a_damaged_backup_is_not_restored, |backend| async move {
    let t = spawn_app(backend).await;
    t.add_member("李雷", "13800002222", "1985-06-01").await;
    let made = backup::back_up(&t.ctx(), Origin::Cli, None)
        .await
        .expect("backup");
    let file = if backend == Backend::Sqlite {
        "patron.db"
    } else {
        "patron.dump"
    };
    let mut bytes = std::fs::read(made.path.join(file)).expect("read");
    let k = bytes.len() / 2;
    bytes[k] ^= 0xff;
    std::fs::write(made.path.join(file), bytes).expect("write");
    let dir = t.db.dir.join("from-damaged");
    let got = backup::restore(&made.path, &dir, &RestoreOptions::default()).await;
    assert!(
        matches!(got, Err(backup::BackupError::Damaged(_))),
        "{got:?}"
    );
    assert!(!dir.exists(), "nothing is left of a refused restore");
    t.stop().await;
});

both!(
    the_schedule_backs_up_once_a_day_and_keeps_the_newest,
    |backend| async move {
        let t = spawn_app(backend).await;
        backup::save_settings(&t.ctx(), true, "0", "2")
            .await
            .expect("settings");
        for day in ["2026-09-26", "2026-09-27", "2026-09-28"] {
            crate::support::goto(&t, &format!("{day}T03:00:00"));
            let d = crate::support::day(day);
            let r = patron::app::jobs::run(&t.app, "backup", d, None)
                .await
                .expect("job");
            assert_eq!(r.failed, 0);
            // Run again the same day: nothing more.
            let again = patron::app::jobs::run(&t.app, "backup", d, None)
                .await
                .expect("job");
            assert!(again.already_done);
        }
        let runs = backup::list(&t.ctx(), 10).await.expect("list");
        assert_eq!(runs.len(), 3);
        let on_disk: Vec<_> = runs
            .iter()
            .filter(|r| std::path::Path::new(&r.folder).join(&r.name).is_dir())
            .collect();
        assert_eq!(on_disk.len(), 2, "keeps the newest two");
        assert!(runs[2].removed_at.is_some(), "the oldest was removed");
        // A bad setting is refused, nothing saved.
        let bad = backup::save_settings(&t.ctx(), true, "24", "0").await;
        assert!(bad.is_err());
        let s = backup::settings(&t.ctx()).await.expect("settings");
        assert_eq!((s.at_hour, s.keep), (0, 2));
        t.stop().await;
    }
);
