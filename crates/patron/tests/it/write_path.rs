//! The write path: concurrent writes each get their own answer, a failing write changes
//! nothing, and concurrent requests share commits (on both backends).

use std::sync::Arc;

use patron::kernel::db::DbError;
use patron::{on_db, on_tx};

use crate::both;
use crate::support::spawn_app;

/// Inserts a store with `code` through the write path, with an audit entry; returns its id.
async fn insert_store(
    db: &patron::kernel::db::Db,
    ctx: &patron::kernel::ctx::Ctx,
    code: String,
) -> Result<i64, DbError> {
    let entry = ctx.audit("store.create", "store", &code);
    let now = ctx.now();
    db.write(move |tx| {
        let (code, entry) = (code.clone(), entry.clone());
        Box::pin(async move {
            let row = patron::areas::staff::store::insert_store(
                tx,
                &code,
                "并发测试",
                "Asia/Shanghai",
                "",
                now,
            )
            .await?;
            tx.audit(entry.after(&row));
            Ok(row.id)
        })
    })
    .await
}

async fn count(db: &patron::kernel::db::Db, sql: &'static str) -> i64 {
    on_db!(db, |p| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(p)
        .await
        .expect("count"))
}

both!(
    a_thousand_concurrent_writes_each_get_their_own_answer,
    |backend| async move {
        let t = spawn_app(backend).await;
        let db = t.app.db.clone();
        let ctx = Arc::new(t.ctx());
        let before = (db.write_stats().requests(), db.write_stats().commits());
        let mut tasks = Vec::new();
        for i in 0..1000 {
            let (db, ctx) = (db.clone(), ctx.clone());
            tasks.push(tokio::spawn(async move {
                let code = format!("C{i:04}");
                let id = insert_store(&db, &ctx, code.clone())
                    .await
                    .expect("write succeeds");
                (code, id)
            }));
        }
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.expect("task"));
        }
        // Each caller's id is the row that carries its own code.
        for (code, id) in &answers {
            let stored: String = on_db!(db, |p| sqlx::query_scalar(
                "select code from stores where id = $1"
            )
            .bind(*id)
            .fetch_one(p)
            .await
            .expect("row exists"));
            assert_eq!(&stored, code);
        }
        let mut ids: Vec<i64> = answers.iter().map(|(_, id)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 1000, "every write got a distinct row");
        assert_eq!(
            count(
                &db,
                "select cast(count(*) as bigint) from stores where code like 'C%'"
            )
            .await,
            1000
        );
        // Every write's audit entry is there, and the chain is intact.
        assert_eq!(count(&db, "select cast(count(*) as bigint) from audit_log where action = 'store.create' and entity_id like 'C%'").await, 1000);
        let report = patron::kernel::audit::verify(&db).await.expect("verify");
        assert_eq!(report.broken, None);

        let requests = db.write_stats().requests() - before.0;
        let commits = db.write_stats().commits() - before.1;
        assert_eq!(requests, 1000);
        eprintln!(
            "write path ({:?}): {requests} requests in {commits} commits = {:.1} requests per commit",
            db.backend(),
            requests as f64 / commits as f64
        );
        // Both backends group concurrent writes into shared transactions.
        assert!(
            commits < requests / 4,
            "concurrent writes are grouped: {commits} commits for {requests} requests"
        );

        // Steady load: 50 writers, each writing 20 times in a row (waiting for each answer).
        let before = (db.write_stats().requests(), db.write_stats().commits());
        let mut tasks = Vec::new();
        for w in 0..50 {
            let (db, ctx) = (db.clone(), ctx.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0..20 {
                    insert_store(&db, &ctx, format!("W{w:02}-{i:02}"))
                        .await
                        .expect("write succeeds");
                }
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        let requests = db.write_stats().requests() - before.0;
        let commits = db.write_stats().commits() - before.1;
        assert_eq!(requests, 1000);
        eprintln!(
            "write path ({:?}), 50 writers x 20 writes each: {requests} requests in {commits} commits = {:.1} requests per commit",
            db.backend(),
            requests as f64 / commits as f64
        );
        assert!(
            commits < requests / 2,
            "writers share commits: {commits} for {requests}"
        );
        t.stop().await;
    }
);

both!(
    a_failing_write_changes_nothing_and_its_neighbours_commit,
    |backend| async move {
        let t = spawn_app(backend).await;
        let db = t.app.db.clone();
        let ctx = Arc::new(t.ctx());
        let audit_before = count(&db, "select cast(count(*) as bigint) from audit_log").await;
        // Many writes at once; every third one inserts its row and then fails.
        let mut tasks = Vec::new();
        for i in 0..300 {
            let (db, ctx) = (db.clone(), ctx.clone());
            tasks.push(tokio::spawn(async move {
            let code = format!("F{i:04}");
            let entry = ctx.audit("store.create", "store", &code);
            let now = ctx.now();
            let fail = i % 3 == 0;
            db.write(move |tx| {
                let (code, entry) = (code.clone(), entry.clone());
                Box::pin(async move {
                    let row = patron::areas::staff::store::insert_store(tx, &code, "x", "Asia/Shanghai", "", now).await?;
                    tx.audit(entry.after(&row));
                    if fail {
                        // A constraint violation after the insert: the whole request must vanish.
                        on_tx!(tx, |c| sqlx::query("insert into stores (code, name, time_zone, active, created_at) values ($1, 'dup', 'UTC', true, $2)")
                            .bind(&code)
                            .bind(now)
                            .execute(c)
                            .await
                            .map(|r| r.rows_affected()))?;
                    }
                    Ok::<_, DbError>(row.id)
                })
            })
            .await
        }));
        }
        let mut failed = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(_) => {}
                Err(e) => {
                    assert!(e.is_unique_violation(), "the failure is the duplicate: {e}");
                    failed += 1;
                }
            }
        }
        assert_eq!(failed, 100);
        assert_eq!(
            count(
                &db,
                "select cast(count(*) as bigint) from stores where code like 'F%'"
            )
            .await,
            200
        );
        assert_eq!(
            count(
                &db,
                "select cast(count(*) as bigint) from stores where name = 'dup'"
            )
            .await,
            0
        );
        let audit_after = count(&db, "select cast(count(*) as bigint) from audit_log").await;
        assert_eq!(
            audit_after - audit_before,
            200,
            "failed writes leave no audit entry"
        );
        assert_eq!(
            patron::kernel::audit::verify(&db)
                .await
                .expect("verify")
                .broken,
            None
        );
        t.stop().await;
    }
);

both!(
    a_panicking_write_is_abandoned_and_the_writer_keeps_going,
    |backend| async move {
        let t = spawn_app(backend).await;
        let db = t.app.db.clone();
        let r = tokio::spawn({
        let db = db.clone();
        async move {
            db.write(move |tx| {
                Box::pin(async move {
                    on_tx!(tx, |c| sqlx::query("insert into stores (code, name, time_zone, active, created_at) values ('PANIC', 'p', 'UTC', true, '2026-01-01T00:00:00Z')")
                        .execute(c)
                        .await
                        .map(|r| r.rows_affected()))?;
                    #[allow(clippy::panic)]
                    if std::hint::black_box(true) {
                        panic!("a bug in a use case");
                    }
                    Ok::<_, DbError>(())
                })
            })
            .await
        }
    })
    .await;
        // The writer catches the panic and answers Abandoned; nothing was written.
        assert!(
            matches!(r, Ok(Err(DbError::Abandoned))),
            "the caller is told its write was abandoned: {r:?}"
        );
        assert_eq!(
            count(
                &db,
                "select cast(count(*) as bigint) from stores where code = 'PANIC'"
            )
            .await,
            0
        );
        let ctx = t.ctx();
        insert_store(&db, &ctx, "AFTER".into())
            .await
            .expect("later writes still work");
        t.stop().await;
    }
);

// A bulk job's chunks (an import) take turns with the other writes: a write sent while six
// chunks wait, each holding the writer 60 ms, is answered after at most one of them, not
// after all six; the chunks all commit.
both!(
    a_write_waits_behind_at_most_one_bulk_chunk,
    |backend| async move {
        let t = spawn_app(backend).await;
        let db = t.app.db.clone();
        let ctx = Arc::new(t.ctx());
        let committed = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut chunks = Vec::new();
        for i in 0..6 {
            let (db, committed) = (db.clone(), committed.clone());
            chunks.push(tokio::spawn(async move {
                db.write_bulk(move |tx| {
                    Box::pin(async move {
                        on_tx!(tx, |c| sqlx::query(
                            "insert into stores (code, name, time_zone, active, created_at) \
                             values ($1, 'bulk', 'UTC', true, '2026-01-01T00:00:00Z')"
                        )
                        .bind(format!("BULK{i}"))
                        .execute(c)
                        .await
                        .map(|r| r.rows_affected()))?;
                        // The chunk's work, holding the writer.
                        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
                        Ok::<_, DbError>(())
                    })
                })
                .await
                .expect("chunk commits");
                committed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }));
        }
        // Let the chunks reach the writer first.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        insert_store(&db, &ctx, "TILL".into())
            .await
            .expect("the write succeeds");
        let before = committed.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            before <= 2,
            "the write was answered after {before} of the six chunks"
        );
        for c in chunks {
            c.await.expect("chunk task");
        }
        assert_eq!(
            count(
                &db,
                "select cast(count(*) as bigint) from stores where name = 'bulk'"
            )
            .await,
            6
        );
        t.stop().await;
    }
);

/// On PostgreSQL a request that meets a serialization failure or a deadlock inside a shared
/// transaction rolls back alone and is run again, in a later transaction, until it succeeds;
/// the requests grouped with it commit once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_retries_a_failed_request_alone_and_its_neighbours_commit_once() {
    crate::support::require_pg();
    let t = spawn_app(crate::support::Backend::Postgres).await;
    let db = t.app.db.clone();
    let ctx = Arc::new(t.ctx());
    let retries_before = db.write_stats().retries();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (db, ctx) = (db.clone(), ctx.clone());
        tasks.push(tokio::spawn(async move {
            let code = format!("R{i:04}");
            let entry = ctx.audit("store.create", "store", &code);
            let now = ctx.now();
            // Every fourth request fails its first two attempts the way a deadlock victim does.
            let attempts = Arc::new(std::sync::atomic::AtomicU32::new(0));
            let fail_first = if i % 4 == 0 { 2 } else { 0 };
            let seen = attempts.clone();
            let id = db
                .write(move |tx| {
                    let (code, entry, attempts) = (code.clone(), entry.clone(), attempts.clone());
                    Box::pin(async move {
                        let row = patron::areas::staff::store::insert_store(
                            tx,
                            &code,
                            "重试",
                            "Asia/Shanghai",
                            "",
                            now,
                        )
                        .await?;
                        tx.audit(entry.after(&row));
                        let n = attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        if n < fail_first {
                            on_tx!(tx, |c| sqlx::query(
                                "do $$ begin raise exception 'deadlock' using errcode = '40P01'; end $$"
                            )
                            .execute(c)
                            .await
                            .map(|r| r.rows_affected()))?;
                        }
                        Ok::<_, DbError>(row.id)
                    })
                })
                .await
                .expect("the write succeeds in the end");
            (id, seen.load(std::sync::atomic::Ordering::SeqCst), fail_first)
        }));
    }
    for task in tasks {
        let (_, attempts, fail_first) = task.await.expect("task");
        assert_eq!(
            attempts,
            fail_first + 1,
            "tried until it succeeded, no more"
        );
    }
    assert_eq!(
        count(
            &db,
            "select cast(count(*) as bigint) from stores where code like 'R%'"
        )
        .await,
        200,
        "each store once"
    );
    assert_eq!(
        count(
            &db,
            "select cast(count(*) as bigint) from audit_log where entity_id like 'R%'"
        )
        .await,
        200,
        "one audit entry each: a rolled-back attempt leaves none"
    );
    assert_eq!(
        patron::kernel::audit::verify(&db)
            .await
            .expect("verify")
            .broken,
        None
    );
    assert_eq!(db.write_stats().retries() - retries_before, 100);
    t.stop().await;
}

/// On SQLite the WAL is copied into the database file by a checkpointer beside the writer, soon
/// after commits, not inside whichever till's commit crosses SQLite's 1,000-page threshold: a
/// few hundred small writes reach the file while the server runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_commits_reach_the_database_file_soon_after_they_are_made() {
    let t = spawn_app(crate::support::Backend::Sqlite).await;
    let db = t.app.db.clone();
    let ctx = Arc::new(t.ctx());
    let file = t.db.dir.join("patron.db");
    let size = || std::fs::metadata(&file).expect("database file").len();
    // Whatever set-up wrote has been copied once the checkpointer has looked.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let before = size();
    let mut tasks = Vec::new();
    for i in 0..400 {
        let (db, ctx) = (db.clone(), ctx.clone());
        tasks.push(tokio::spawn(async move {
            insert_store(&db, &ctx, format!("W{i:04}")).await
        }));
    }
    for task in tasks {
        task.await.expect("task").expect("write succeeds");
    }
    let mut grown = false;
    for _ in 0..50 {
        if size() > before {
            grown = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        grown,
        "the database file is still {before} bytes 5 s after 400 commits"
    );
    t.stop().await;
}

/// The WAL starts over while writes keep coming: the checkpointer beside the writer copies it,
/// and the writer finishes the copy between two batches once it is large, so 300 writes of
/// 1 MB each leave a WAL far smaller than the 300 MB they wrote to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_wal_starts_over_under_a_steady_stream_of_writes() {
    wal_stays_small_under(false).await;
}

/// The same with nothing but bulk chunks coming (an import with no till writing): the chunks
/// are held back while the checkpointer catches up, and let go again (none waits for ever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_wal_starts_over_under_a_steady_stream_of_bulk_chunks() {
    wal_stays_small_under(true).await;
}

fn set_store_name(
    tx: &mut patron::kernel::db::Tx,
    id: i64,
    name: String,
) -> futures::future::BoxFuture<'_, Result<(), DbError>> {
    Box::pin(async move {
        on_tx!(tx, |c| sqlx::query(
            "update stores set name = $1 where id = $2"
        )
        .bind(name)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    })
}

/// 300 writes of 1 MB each, each a bulk chunk or an ordinary write; the largest the WAL became.
async fn wal_stays_small_under(bulk: bool) {
    let t = spawn_app(crate::support::Backend::Sqlite).await;
    let db = t.app.db.clone();
    let wal = t.db.dir.join("patron.db-wal");
    let hq = t.hq;
    let mut largest = 0;
    for i in 0..300u32 {
        // 1 MB of text, different each time (so the pages differ too).
        let name: String = format!("{i:07}").repeat(150_000);
        let done = async {
            if bulk {
                db.write_bulk(move |tx| set_store_name(tx, hq, name.clone()))
                    .await
            } else {
                db.write(move |tx| set_store_name(tx, hq, name.clone()))
                    .await
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(10), done)
            .await
            .expect("the write is answered within 10 s")
            .expect("write succeeds");
        largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
    }
    assert!(
        largest < 160_000_000,
        "the WAL reached {largest} bytes after 300 MB of writes"
    );
    t.stop().await;
}
