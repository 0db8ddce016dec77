//! PostgreSQL's half of the write path. A few writer tasks share one queue; each takes
//! everything waiting (up to `MAX_BATCH`) and runs it as one transaction: each request in its
//! own `SAVEPOINT` (a failing request rolls back alone, and a deadlock or serialization failure
//! inside it is retried by its caller in a later transaction), the audit entries of the
//! requests kept appended once at the end — the head row's lock, which orders the chain, is
//! then held only for the append and the commit — and one `COMMIT`, after which each caller
//! gets its own answer. A batch of one runs without a savepoint, as its own transaction.
//!
//! Several transactions write at once (unlike SQLite, PostgreSQL allows it, and one
//! connection's round trips would otherwise bound the throughput); grouping saves each
//! request its own `BEGIN`/`COMMIT` and flush.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures::FutureExt;
use sqlx::PgPool;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

use super::{Conn, DbError, Finish, JobFn, Msg, Tx, WriteStats, audit, exec, fail_unrun};

/// The most requests grouped into one PostgreSQL transaction. Measured with `patron bench pos`
/// (100,000 members, 64 tills, this 2-core machine): one request per transaction on 16
/// connections 1,109 receipts/s (p99 86 ms); up to 64 on 4 writers 1,400/s (p99 135 ms, each
/// request waits behind its batch); up to 8 on 8 writers 1,306/s (p99 93 ms); up to 4 on 16
/// writers 1,376/s (p99 96 ms). Eight and eight leave half the pool of 16 to the reads.
const MAX_BATCH: usize = 8;

/// The most requests per transaction: `MAX_BATCH`, or `PATRON_PG_WRITE_BATCH` (1 = each
/// request its own transaction, as before grouping; `patron bench pos` compares the two).
fn max_batch() -> usize {
    std::env::var("PATRON_PG_WRITE_BATCH")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=1024).contains(n))
        .unwrap_or(MAX_BATCH)
}
/// How many PostgreSQL transactions write at once (`PATRON_PG_WRITERS` overrides it).
const WORKERS: usize = 8;

pub(in crate::kernel::db) struct PgWriter {
    pub(super) sender: mpsc::Sender<Msg>,
    pub(super) stats: Arc<WriteStats>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl PgWriter {
    /// Starts the writer tasks; they take connections from `pool` for each transaction.
    pub(in crate::kernel::db) fn start(pool: PgPool) -> PgWriter {
        let (sender, receiver) = mpsc::channel(8192);
        // Only the tasks hold the receiver: when the last one ends, requests still queued are
        // dropped and their callers see `Abandoned`, and new ones `WriterGone`.
        let receiver = Arc::new(Mutex::new(receiver));
        let stats = Arc::new(WriteStats::default());
        let max = max_batch();
        // One request per transaction needs more of them at once to keep the server busy.
        let workers = std::env::var("PATRON_PG_WRITERS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| (1..=64).contains(n))
            .unwrap_or(if max == 1 { 16 } else { WORKERS });
        let tasks = (0..workers)
            .map(|_| tokio::spawn(worker(pool.clone(), receiver.clone(), stats.clone(), max)))
            .collect();
        PgWriter {
            sender,
            stats,
            tasks: Mutex::new(tasks),
        }
    }

    pub(in crate::kernel::db) fn stats(&self) -> &WriteStats {
        &self.stats
    }

    /// Stops the tasks after the writes already queued.
    pub(in crate::kernel::db) async fn stop(&self) {
        let tasks = std::mem::take(&mut *self.tasks.lock().await);
        for _ in 0..tasks.len() {
            let _ = self.sender.send(Msg::Stop).await;
        }
        for task in tasks {
            let _ = task.await;
        }
    }
}

async fn worker(
    pool: PgPool,
    receiver: Arc<Mutex<mpsc::Receiver<Msg>>>,
    stats: Arc<WriteStats>,
    max: usize,
) {
    let mut batch: Vec<JobFn> = Vec::with_capacity(max);
    loop {
        let mut stopping = false;
        {
            let mut rx = receiver.lock().await;
            match rx.recv().await {
                Some(Msg::Job(job)) => batch.push(job),
                Some(Msg::Stop) | None => break,
            }
            // Take whatever else is already waiting: that is the batch.
            while batch.len() < max {
                match rx.try_recv() {
                    Ok(Msg::Job(job)) => batch.push(job),
                    Ok(Msg::Stop) => {
                        stopping = true;
                        break;
                    }
                    Err(_) => break,
                }
            }
        }
        run_batch(&pool, &mut batch, &stats).await;
        if stopping {
            break;
        }
    }
}

/// Runs `batch` (emptying it) as one transaction and delivers the answers after the commit.
async fn run_batch(pool: &PgPool, batch: &mut Vec<JobFn>, stats: &WriteStats) {
    let t = match pool.begin().await {
        Ok(t) => t,
        Err(e) => {
            let msg = e.to_string();
            tracing::error!(error = %msg, "postgres write transaction could not begin");
            for job in batch.drain(..) {
                fail_unrun(job, DbError::Batch(msg.clone())).await;
            }
            return;
        }
    };
    let mut tx = Tx {
        conn: Conn::Pg(t),
        pending_audit: Vec::new(),
    };
    let single = batch.len() == 1;
    let mut kept_audit = Vec::new();
    let mut kept_any = false;
    let mut finished: Vec<Finish> = Vec::with_capacity(batch.len());
    let mut broken: Option<String> = None;
    let len = batch.len();
    let mut jobs = batch.drain(..).enumerate();
    for (n, job) in jobs.by_ref() {
        if !single
            && n == 0
            && let Err(e) = exec(&mut tx, "SAVEPOINT w").await
        {
            broken = Some(e.to_string());
            fail_unrun(job, DbError::Batch(e.to_string())).await;
            break;
        }
        let outcome = AssertUnwindSafe(job(Ok(&mut tx))).catch_unwind().await;
        let entries = tx.take_audit();
        let keep = match outcome {
            Ok((keep, finish)) => {
                finished.push(finish);
                keep
            }
            // A panicking job dropped its reply channel: its caller sees `Abandoned`.
            Err(_) => false,
        };
        if keep {
            kept_any = true;
            kept_audit.extend(entries);
        }
        if single {
            break;
        }
        // One round trip between two requests: end this one's savepoint, open the next's.
        let end = match (keep, n + 1 == len) {
            (true, false) => "RELEASE w; SAVEPOINT w",
            (true, true) => "RELEASE w",
            (false, false) => "ROLLBACK TO w; RELEASE w; SAVEPOINT w",
            (false, true) => "ROLLBACK TO w; RELEASE w",
        };
        if let Err(e) = exec(&mut tx, end).await {
            broken = Some(e.to_string());
            break;
        }
    }
    // Jobs not reached because the transaction broke.
    let unrun: Vec<JobFn> = jobs.map(|(_, job)| job).collect();
    let commit = match broken {
        Some(msg) => Err(msg),
        None if !kept_any => Ok(false),
        None => {
            tx.pending_audit = kept_audit;
            match audit::append(&mut tx).await {
                Ok(()) => Ok(true),
                Err(e) => Err(e.to_string()),
            }
        }
    };
    let Conn::Pg(t) = tx.conn else {
        unreachable!("a PostgreSQL batch runs on a PostgreSQL transaction")
    };
    let commit = match commit {
        Ok(true) => t.commit().await.map(|()| true).map_err(|e| e.to_string()),
        // Nothing to keep (a batch of one that failed, or every request failed).
        Ok(false) => {
            let _ = t.rollback().await;
            Ok(false)
        }
        Err(msg) => {
            let _ = t.rollback().await;
            Err(msg)
        }
    };
    stats
        .requests
        .fetch_add(finished.len() as u64, Ordering::Relaxed);
    match commit {
        Ok(committed) => {
            if committed {
                stats.commits.fetch_add(1, Ordering::Relaxed);
            }
            for finish in finished {
                finish(Ok(()));
            }
        }
        Err(msg) => {
            tracing::error!(error = %msg, "postgres write batch failed");
            for finish in finished {
                finish(Err(DbError::Batch(msg.clone())));
            }
        }
    }
    for job in unrun {
        fail_unrun(
            job,
            DbError::Batch("the transaction it was grouped in broke".into()),
        )
        .await;
    }
}
