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

use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

use super::{
    Conn, DbError, Finish, JobFn, Msg, Tx, WriteStats, audit, deliver, end_savepoint, exec,
    fail_unrun, run_job, take_waiting,
};

/// The most requests grouped into one PostgreSQL transaction (`PATRON_PG_WRITE_BATCH` sets
/// another; 1 = each request its own transaction, as before grouping). The measured choice is
/// in ARCHITECTURE.md ("The write path"): eight and eight keep the latency and leave half the
/// pool of 16 to the reads.
const MAX_BATCH: usize = 8;
/// How many PostgreSQL transactions write at once (`PATRON_PG_WRITERS` sets another).
const WORKERS: usize = 8;

/// A size set in the environment for a comparison (`patron bench pos`), if it is one in
/// `1..=most`; another value is ignored, with a warning.
fn size_from_env(name: &str, most: usize) -> Option<usize> {
    let value = std::env::var(name).ok()?;
    match value.parse::<usize>() {
        Ok(n) if (1..=most).contains(&n) => Some(n),
        _ => {
            tracing::warn!(setting = name, value = %value, most, "ignored: not a number from 1 to the most");
            None
        }
    }
}

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
        let max = size_from_env("PATRON_PG_WRITE_BATCH", 1024).unwrap_or(MAX_BATCH);
        // One request per transaction needs more of them at once to keep the server busy.
        let workers =
            size_from_env("PATRON_PG_WRITERS", 64).unwrap_or(if max == 1 { 16 } else { WORKERS });
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
    // Bulk chunks taken with the batch: each runs after it as a transaction of its own, so no
    // request waits for a chunk's commit.
    let mut bulk: Vec<JobFn> = Vec::new();
    loop {
        // The others wait at the lock meanwhile: one writer gathers a batch at a time.
        let stopping = {
            let mut rx = receiver.lock().await;
            match rx.recv().await {
                Some(Msg::Job(job)) => batch.push(job),
                Some(Msg::Bulk(job)) => bulk.push(job),
                Some(Msg::Stop) | None => break,
            }
            let room = max - batch.len();
            take_waiting(&mut rx, room, |job, is_bulk| {
                if is_bulk {
                    bulk.push(job);
                } else {
                    batch.push(job);
                }
            })
        };
        if !batch.is_empty() {
            run_batch(&pool, &mut batch, &stats).await;
        }
        for job in bulk.drain(..) {
            run_batch(&pool, &mut vec![job], &stats).await;
        }
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
    let len = batch.len();
    let mut kept_audit = Vec::new();
    let mut kept_any = false;
    let mut finished: Vec<(Finish, Option<DbError>)> = Vec::with_capacity(len);
    let mut broken: Option<String> = None;
    let mut jobs = batch.drain(..);
    if len > 1
        && let Err(e) = exec(&mut tx, "SAVEPOINT w").await
    {
        broken = Some(e.to_string());
    }
    while broken.is_none()
        && let Some(job) = jobs.next()
    {
        let (keep, finish) = run_job(&mut tx, job).await;
        finished.extend(finish.map(|f| (f, None)));
        let entries = tx.take_audit();
        if keep {
            kept_any = true;
            kept_audit.extend(entries);
        }
        // A batch of one has no savepoint: the transaction is the request's.
        if len > 1
            && let Err(e) = exec(&mut tx, end_savepoint(keep, jobs.len() == 0)).await
        {
            broken = Some(e.to_string());
        }
    }
    // Jobs not reached because the transaction broke.
    let unrun: Vec<JobFn> = jobs.collect();
    let ready = match broken {
        Some(msg) => Err(msg),
        None if !kept_any => Ok(false),
        None => {
            tx.pending_audit = kept_audit;
            audit::append(&mut tx)
                .await
                .map(|()| true)
                .map_err(|e| e.to_string())
        }
    };
    let Conn::Pg(t) = tx.conn else {
        unreachable!("a PostgreSQL batch runs on a PostgreSQL transaction")
    };
    let outcome = match ready {
        Ok(true) => t.commit().await.map(|()| true).map_err(|e| e.to_string()),
        // Nothing to keep (a batch of one that failed, or every request failed), or broken.
        other => {
            let _ = t.rollback().await;
            other
        }
    };
    deliver(stats, finished, outcome);
    for job in unrun {
        fail_unrun(
            job,
            DbError::Batch("the transaction it was grouped in broke".into()),
        )
        .await;
    }
}
