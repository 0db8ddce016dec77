//! The write path (DESIGN.md): every write use case runs inside `db.write(|tx| …)`.
//!
//! **SQLite** allows one writer at a time, and each commit costs an fsync. A single writer task
//! owns the one write connection and drains its queue in batches: one `BEGIN IMMEDIATE`, each
//! request in its own `SAVEPOINT` (a failing request rolls back alone), one `COMMIT` for the
//! batch. A request's answer is delivered only after the batch's commit, so nobody is told
//! "done" before the data is durable. Batching is not forced: when requests arrive one at a time
//! each gets its own commit; under load the queue fills while a commit is in flight and the next
//! batch takes everything waiting.
//!
//! **PostgreSQL** groups the same way, with a few writer tasks taking turns at one queue, each
//! batch its own pooled transaction (READ COMMITTED) with a savepoint per request (`pg.rs`). A
//! request that meets a serialization failure or a deadlock rolls back alone and its caller
//! runs the whole closure again in a later transaction. Use cases therefore never
//! read-check-write across statements without a lock: they use guarded updates
//! (`… WHERE balance >= $1`) and unique keys.
//!
//! Audit entries pushed with `tx.audit(…)` are appended to the hash chain inside the same
//! transaction: on SQLite at the end of each request's work (inside its savepoint), on
//! PostgreSQL once for the batch's kept requests just before the commit.
//!
//! Rules for closures: no slow work inside (hash passwords before calling `write`), no nested
//! `write` calls (it would wait for itself), and they may run more than once on PostgreSQL.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::postgres::{PgConnection, Postgres};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Transaction};
use tokio::sync::{Mutex, Notify, mpsc, oneshot};

use super::audit::{self, AuditEntry};
use super::{Db, DbError, Inner};

mod pg;
pub(super) use pg::PgWriter;

/// The most requests grouped into one SQLite transaction.
const MAX_BATCH: usize = 1024;
/// How many times a PostgreSQL write is tried before its error is returned.
const PG_MAX_ATTEMPTS: u32 = 30;

/// An error type a write closure may return: it must be able to carry a database error, and
/// say whether it is worth retrying the transaction.
pub trait WriteError: From<DbError> + Send + 'static {
    fn is_retryable(&self) -> bool;
}

impl WriteError for DbError {
    fn is_retryable(&self) -> bool {
        DbError::is_retryable(self)
    }
}

/// Counters of the write path: `requests / commits` is how many requests each commit served.
#[derive(Debug, Default)]
pub struct WriteStats {
    requests: AtomicU64,
    commits: AtomicU64,
    retries: AtomicU64,
}

impl WriteStats {
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
}

enum Conn {
    Sqlite(SqliteConnection),
    Pg(Transaction<'static, Postgres>),
}

/// The connection a write closure works on, chosen with `on_tx!`.
pub enum TxConn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// A write transaction (or, on SQLite, a savepoint inside the batch's transaction).
pub struct Tx {
    conn: Conn,
    pending_audit: Vec<AuditEntry>,
}

impl Tx {
    pub fn conn(&mut self) -> TxConn<'_> {
        match &mut self.conn {
            Conn::Sqlite(c) => TxConn::Sqlite(c),
            Conn::Pg(t) => TxConn::Pg(&mut *t),
        }
    }

    /// Which backend the transaction runs on.
    pub fn backend(&self) -> super::Backend {
        match &self.conn {
            Conn::Sqlite(_) => super::Backend::Sqlite,
            Conn::Pg(_) => super::Backend::Postgres,
        }
    }

    /// Records an audit entry; it is chained and stored with this transaction's other writes.
    pub fn audit(&mut self, entry: AuditEntry) {
        self.pending_audit.push(entry);
    }

    pub(crate) fn take_audit(&mut self) -> Vec<AuditEntry> {
        std::mem::take(&mut self.pending_audit)
    }
}

type Finish = Box<dyn FnOnce(Result<(), DbError>) + Send>;
/// One request on its way to a writer. Run with the transaction, it does its work and says
/// whether to keep it; run with an error (its transaction could not begin), it only takes that
/// error as its answer. Either way `Finish` delivers the answer once the commit is known.
type JobFn =
    Box<dyn for<'a> FnOnce(Result<&'a mut Tx, DbError>) -> BoxFuture<'a, (bool, Finish)> + Send>;

/// Wraps one attempt of the closure `f` as a job, and the receiver its answer arrives on.
fn job_of<T, E, F>(f: Arc<F>) -> (JobFn, oneshot::Receiver<Result<T, E>>)
where
    T: Send + 'static,
    E: WriteError,
    F: for<'a> Fn(&'a mut Tx) -> BoxFuture<'a, Result<T, E>> + Send + Sync + 'static,
{
    let (reply, answer) = oneshot::channel::<Result<T, E>>();
    let job: JobFn = Box::new(move |tx: Result<&mut Tx, DbError>| {
        async move {
            let result = match tx {
                Ok(tx) => f(tx).await,
                Err(e) => Err(E::from(e)),
            };
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |committed: Result<(), DbError>| {
                let _ = reply.send(match committed {
                    Ok(()) => result,
                    Err(e) => Err(E::from(e)),
                });
            });
            (ok, finish)
        }
        .boxed()
    });
    (job, answer)
}

/// Answers a job that never ran: its transaction could not begin, or broke before reaching it.
async fn fail_unrun(job: JobFn, error: DbError) {
    let (_, finish) = job(Err(error)).await;
    finish(Ok(()));
}

enum Msg {
    Job(JobFn),
    /// A bulk write's chunk (`Db::write_bulk`): a transaction of its own, taking turns with the
    /// other writes' batches.
    Bulk(JobFn),
    Stop,
}

/// How often the checkpointer looks for commits to copy from the WAL into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);
/// WAL frames (pages) past which the writer finishes a checkpoint itself between two batches,
/// so that its next write can start the WAL over (64 MiB of 4 KiB pages).
const WAL_RESTART_FRAMES: i64 = 16_384;
/// Frames not yet copied that the writer may be left to copy itself (1 MiB).
const WAL_TAIL_FRAMES: i64 = 256;
/// Passes the checkpointer makes back to back, the bulk chunks held, to bring the frames left
/// under `WAL_TAIL_FRAMES`.
const HOLD_PASSES: usize = 8;
/// The size the WAL file is cut back to when it starts over, in bytes.
const WAL_KEEP_BYTES: &str = "67108864";

type Checkpointer = (oneshot::Sender<()>, tokio::task::JoinHandle<()>);

/// What the checkpointer asks of the writer when the WAL has grown past `WAL_RESTART_FRAMES`.
#[derive(Default)]
struct WalTurns {
    /// Run no bulk chunk for now: the checkpointer is copying the WAL and catches up only if
    /// the large commits stop for a moment (the tills' small ones go on).
    hold_bulk: AtomicBool,
    /// Whether a bulk chunk is running now (set before the writer looks at `hold_bulk`).
    bulk_running: AtomicBool,
    /// Set when `hold_bulk` is cleared, to wake a writer with only bulk chunks waiting.
    released: Notify,
    /// Copy the few frames still left between two batches, so the next write starts the WAL
    /// over.
    restart: AtomicBool,
}

impl WalTurns {
    fn release(&self) {
        self.hold_bulk.store(false, Ordering::SeqCst);
        self.released.notify_one();
    }

    /// Whether the writer may run a bulk chunk now; if so, it is marked running until `ran`.
    fn may_run_bulk(&self) -> bool {
        self.bulk_running.store(true, Ordering::SeqCst);
        if self.hold_bulk.load(Ordering::SeqCst) {
            self.bulk_running.store(false, Ordering::SeqCst);
            return false;
        }
        true
    }

    fn ran(&self) {
        self.bulk_running.store(false, Ordering::SeqCst);
    }

    /// Holds the bulk chunks back and waits (a little at most) for the one running to end.
    async fn hold(&self) {
        self.hold_bulk.store(true, Ordering::SeqCst);
        for _ in 0..500 {
            if !self.bulk_running.load(Ordering::SeqCst) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

pub(super) struct SqliteWriter {
    sender: mpsc::Sender<Msg>,
    stats: Arc<WriteStats>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    checkpointer: Mutex<Option<Checkpointer>>,
}

impl SqliteWriter {
    /// Opens the write connection and starts the writer task. The WAL is checkpointed by a
    /// task of its own on a second connection, beside the writer: SQLite's automatic checkpoint
    /// would run inside the commit that crosses its threshold, copying and syncing the pages of
    /// many commits while every till waits for that one (`PATRON_WAL_CHECKPOINT=inline` keeps
    /// SQLite's own, for a comparison).
    pub(super) async fn start(opts: SqliteConnectOptions) -> Result<SqliteWriter, DbError> {
        let inline = std::env::var("PATRON_WAL_CHECKPOINT").is_ok_and(|v| v == "inline");
        let write_opts = if inline {
            opts.clone()
        } else {
            opts.clone()
                .pragma("wal_autocheckpoint", "0")
                .pragma("journal_size_limit", WAL_KEEP_BYTES)
        };
        let conn = SqliteConnection::connect_with(&write_opts).await?;
        let (sender, receiver) = mpsc::channel(8192);
        let stats = Arc::new(WriteStats::default());
        let wal = Arc::new(WalTurns::default());
        let checkpointer = if inline {
            None
        } else {
            let conn = SqliteConnection::connect_with(&write_opts).await?;
            let (stop, stopped) = oneshot::channel();
            let task = tokio::spawn(checkpoint_loop(conn, stats.clone(), wal.clone(), stopped));
            Some((stop, task))
        };
        let task = tokio::spawn(writer_loop(conn, receiver, stats.clone(), wal));
        Ok(SqliteWriter {
            sender,
            stats,
            task: Mutex::new(Some(task)),
            checkpointer: Mutex::new(checkpointer),
        })
    }

    pub(super) fn stats(&self) -> &WriteStats {
        &self.stats
    }

    /// Stops the checkpointer, then the writer after the writes already queued: the writer's
    /// connection, closing last, checkpoints what is left and removes the WAL.
    pub(super) async fn stop(&self) {
        if let Some((stop, task)) = self.checkpointer.lock().await.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
        let _ = self.sender.send(Msg::Stop).await;
        if let Some(task) = self.task.lock().await.take() {
            let _ = task.await;
        }
    }
}

/// Copies committed pages from the WAL into the database file whenever there were commits since
/// the last look (a passive checkpoint: it neither waits for nor blocks the writer or the
/// readers). The writer starts the WAL over only at a write that finds all of it copied, which a
/// checkpoint running beside a busy writer never leaves: once the WAL holds more than
/// `WAL_RESTART_FRAMES`, the bulk chunks are held back (`WalTurns`) while this task copies what
/// they committed meanwhile, then `restart` asks the writer to copy the rest itself between two
/// batches (only what the other writes committed since this task's last pass).
async fn checkpoint_loop(
    mut conn: SqliteConnection,
    stats: Arc<WriteStats>,
    wal: Arc<WalTurns>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seen = stats.commits();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {}
        }
        let commits = stats.commits();
        if commits == seen {
            continue;
        }
        seen = commits;
        // Frames in the WAL, and how many of them are not copied yet.
        let mut pass = async || {
            sqlx::query_as::<_, (i64, i64, i64)>("pragma wal_checkpoint(PASSIVE)")
                .fetch_one(&mut conn)
                .await
                .map(|(_, frames, copied)| (frames, frames - copied))
        };
        match pass().await {
            Ok((frames, _)) if frames > WAL_RESTART_FRAMES => {
                // What the writer copies itself holds the tills: first copy, back to back, what
                // was committed during the pass before, with the bulk chunks held back meanwhile
                // (a chunk commits megabytes, a batch of tills' writes little) so that it
                // catches up.
                wal.hold().await;
                for _ in 0..HOLD_PASSES {
                    match pass().await {
                        Ok((_, left)) if left > WAL_TAIL_FRAMES => {}
                        _ => break,
                    }
                }
                wal.restart.store(true, Ordering::Release);
                wal.release();
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sqlite checkpoint failed; the next one retries"),
        }
    }
    let _ = conn.close().await;
}

async fn writer_loop(
    conn: SqliteConnection,
    mut receiver: mpsc::Receiver<Msg>,
    stats: Arc<WriteStats>,
    wal: Arc<WalTurns>,
) {
    let mut tx = Tx {
        conn: Conn::Sqlite(conn),
        pending_audit: Vec::new(),
    };
    let mut queue: VecDeque<JobFn> = VecDeque::new();
    let mut bulk: VecDeque<JobFn> = VecDeque::new();
    // Whether a bulk chunk waiting goes next even though other writes wait too: after each
    // batch of theirs, so the chunks neither starve nor make a till wait more than one of them.
    let mut bulk_turn = false;
    let mut stopping = false;
    loop {
        let held = wal.hold_bulk.load(Ordering::SeqCst);
        if queue.is_empty() && (bulk.is_empty() || (held && !stopping)) {
            if stopping && bulk.is_empty() {
                break;
            }
            // Only held chunks waiting: wait for another write, or for the hold to end.
            let msg = if bulk.is_empty() {
                receiver.recv().await
            } else {
                tokio::select! {
                    msg = receiver.recv() => msg,
                    () = wal.released.notified() => continue,
                }
            };
            match msg {
                Some(Msg::Job(job)) => queue.push_back(job),
                Some(Msg::Bulk(job)) => bulk.push_back(job),
                Some(Msg::Stop) => stopping = true,
                None => break,
            }
        }
        let room = MAX_BATCH.saturating_sub(queue.len());
        stopping |= take_waiting(&mut receiver, room, |job, is_bulk| {
            if is_bulk {
                bulk.push_back(job);
            } else {
                queue.push_back(job);
            }
        });
        if wal.restart.swap(false, Ordering::AcqRel) {
            // Outside a transaction, with no write under way, it can copy the WAL to its end:
            // the next batch's first write then starts the WAL over.
            if let Err(e) = exec(&mut tx, "pragma wal_checkpoint(PASSIVE)").await {
                tracing::warn!(error = %e, "sqlite checkpoint by the writer failed");
            }
        }
        if !bulk.is_empty() && (queue.is_empty() || bulk_turn) && (stopping || wal.may_run_bulk()) {
            run_batch(&mut tx, &mut bulk, 1, &stats).await;
            wal.ran();
            bulk_turn = false;
        } else if !queue.is_empty() {
            run_batch(&mut tx, &mut queue, MAX_BATCH, &stats).await;
            bulk_turn = true;
        }
    }
    if let Conn::Sqlite(conn) = tx.conn {
        let _ = conn.close().await;
    }
}

async fn exec(tx: &mut Tx, sql: &'static str) -> Result<(), DbError> {
    match &mut tx.conn {
        Conn::Sqlite(c) => sqlx::raw_sql(sql).execute(&mut *c).await.map(drop)?,
        Conn::Pg(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(drop)?,
    }
    Ok(())
}

/// Takes the requests already waiting (at most `room`), handing each to `put` with whether it
/// is a bulk chunk: whatever arrived while the last transaction ran is the next one. Says
/// whether the stop message was among them.
fn take_waiting(
    rx: &mut mpsc::Receiver<Msg>,
    room: usize,
    mut put: impl FnMut(JobFn, bool),
) -> bool {
    for _ in 0..room {
        match rx.try_recv() {
            Ok(Msg::Job(job)) => put(job, false),
            Ok(Msg::Bulk(job)) => put(job, true),
            Ok(Msg::Stop) => return true,
            Err(_) => break,
        }
    }
    false
}

/// Runs one request on `tx`: whether to keep its work, and how to answer it (`None` when it
/// panicked — its reply channel is gone and its caller sees `Abandoned`).
async fn run_job(tx: &mut Tx, job: JobFn) -> (bool, Option<Finish>) {
    match AssertUnwindSafe(job(Ok(tx))).catch_unwind().await {
        Ok((keep, finish)) => (keep, Some(finish)),
        Err(_) => (false, None),
    }
}

/// What ends a request's savepoint and, unless it was the batch's last, opens the next one's:
/// one call, so one round trip, between two requests. The last request's is followed by the
/// commit (which SQLite's writer sends in the same call).
fn end_savepoint(keep: bool, last: bool) -> &'static str {
    match (keep, last) {
        (true, false) => "RELEASE w; SAVEPOINT w",
        (true, true) => "RELEASE w",
        (false, false) => "ROLLBACK TO w; RELEASE w; SAVEPOINT w",
        (false, true) => "ROLLBACK TO w; RELEASE w",
    }
}

/// Counts a batch and answers its callers once its outcome is known: `Ok(committed)` (false:
/// nothing was kept, so it was rolled back), or the reason the whole transaction failed.
fn deliver(
    stats: &WriteStats,
    finished: Vec<(Finish, Option<DbError>)>,
    outcome: Result<bool, String>,
) {
    stats
        .requests
        .fetch_add(finished.len() as u64, Ordering::Relaxed);
    match outcome {
        Ok(committed) => {
            if committed {
                stats.commits.fetch_add(1, Ordering::Relaxed);
            }
            for (finish, err) in finished {
                finish(err.map_or(Ok(()), Err));
            }
        }
        Err(msg) => {
            tracing::error!(error = %msg, "write batch failed");
            for (finish, _) in finished {
                finish(Err(DbError::Batch(msg.clone())));
            }
        }
    }
}

/// Runs up to `most` queued jobs in one transaction and delivers their answers after the
/// commit. Jobs not reached because the transaction broke stay in `queue` for the next batch.
async fn run_batch(tx: &mut Tx, queue: &mut VecDeque<JobFn>, most: usize, stats: &WriteStats) {
    let batch_len = queue.len().min(most);
    // Each statement is a round trip to the connection's worker thread, so the savepoint
    // statements between two requests (and the last one's with the COMMIT) go together.
    if let Err(e) = exec(tx, "BEGIN IMMEDIATE; SAVEPOINT w").await {
        let msg = e.to_string();
        tracing::error!(error = %msg, "sqlite write batch could not begin");
        // If a transaction was somehow left open, end it so the next batch can begin.
        let _ = exec(tx, "ROLLBACK").await;
        for job in queue.drain(..batch_len) {
            fail_unrun(job, DbError::Batch(msg.clone())).await;
        }
        return;
    }
    let mut finished: Vec<(Finish, Option<DbError>)> = Vec::with_capacity(batch_len);
    let mut outcome = Ok(true);
    let mut jobs: Vec<JobFn> = queue.drain(..batch_len).collect();
    jobs.reverse();
    while let Some(job) = jobs.pop() {
        tx.pending_audit.clear();
        let (keep, finish) = match run_job(tx, job).await {
            (true, Some(finish)) => match audit::append(tx).await {
                Ok(()) => (true, Some((finish, None))),
                Err(e) => (false, Some((finish, Some(e)))),
            },
            (_, finish) => (false, finish.map(|f| (f, None))),
        };
        finished.extend(finish);
        let end = match (keep, jobs.is_empty()) {
            (true, true) => "RELEASE w; COMMIT",
            (false, true) => "ROLLBACK TO w; RELEASE w; COMMIT",
            (keep, false) => end_savepoint(keep, false),
        };
        if let Err(e) = exec(tx, end).await {
            // The savepoint machinery broke, or the COMMIT failed (SQLITE_FULL, IOERR) and may
            // have left the transaction open: end it, or every later BEGIN would fail too. Jobs
            // not reached go back to the queue for the next batch.
            let _ = exec(tx, "ROLLBACK").await;
            outcome = Err(e.to_string());
            // `jobs` holds them last first: pushing each to the front restores their order.
            for job in jobs.drain(..) {
                queue.push_front(job);
            }
            break;
        }
    }
    deliver(stats, finished, outcome);
}

impl Db {
    /// Runs `f` as one atomic write (see the module documentation) and returns its answer once
    /// it is durable. If `f` fails, nothing it wrote is kept.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WriteError,
        F: for<'a> Fn(&'a mut Tx) -> BoxFuture<'a, Result<T, E>> + Send + Sync + 'static,
    {
        self.submit(Msg::Job, f).await
    }

    /// Runs `f`, one chunk of a bulk job (an import), as a write of its own: never grouped with
    /// other writes, and on SQLite taking turns with their batches, so a till waits behind at
    /// most one chunk. Keep each chunk short (tens of milliseconds): it holds SQLite's only
    /// writer while it runs.
    pub async fn write_bulk<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WriteError,
        F: for<'a> Fn(&'a mut Tx) -> BoxFuture<'a, Result<T, E>> + Send + Sync + 'static,
    {
        self.submit(Msg::Bulk, f).await
    }

    async fn submit<T, E, F>(&self, msg: fn(JobFn) -> Msg, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WriteError,
        F: for<'a> Fn(&'a mut Tx) -> BoxFuture<'a, Result<T, E>> + Send + Sync + 'static,
    {
        let f = Arc::new(f);
        match &*self.inner {
            Inner::Sqlite { writer, .. } => {
                let (job, answer) = job_of(f);
                writer
                    .sender
                    .send(msg(job))
                    .await
                    .map_err(|_| E::from(DbError::WriterGone))?;
                answer.await.map_err(|_| E::from(DbError::Abandoned))?
            }
            Inner::Pg { writer, .. } => {
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    let (job, answer) = job_of(f.clone());
                    writer
                        .sender
                        .send(msg(job))
                        .await
                        .map_err(|_| E::from(DbError::WriterGone))?;
                    match answer.await.map_err(|_| E::from(DbError::Abandoned))? {
                        Err(e) if e.is_retryable() && attempt < PG_MAX_ATTEMPTS => {
                            writer.stats.retries.fetch_add(1, Ordering::Relaxed);
                            let cap_ms = 1u64 << attempt.min(7);
                            let ms = rand::random_range(1..=cap_ms);
                            tokio::time::sleep(Duration::from_millis(ms)).await;
                        }
                        other => return other,
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hold_waits_for_the_running_chunk_and_keeps_the_next_back_until_released() {
        let wal = Arc::new(WalTurns::default());
        assert!(wal.may_run_bulk(), "nothing held: a chunk may run");
        let hold = {
            let wal = wal.clone();
            tokio::spawn(async move { wal.hold().await })
        };
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(
            !hold.is_finished(),
            "the hold waits for the chunk that is running"
        );
        wal.ran();
        tokio::time::timeout(Duration::from_secs(1), hold)
            .await
            .expect("the hold begins once the chunk has run")
            .expect("the hold does not panic");
        assert!(!wal.may_run_bulk(), "held: the next chunk waits");
        assert!(!wal.bulk_running.load(Ordering::SeqCst));
        wal.release();
        tokio::time::timeout(Duration::from_secs(1), wal.released.notified())
            .await
            .expect("a writer waiting for the release is woken");
        assert!(wal.may_run_bulk(), "released: the next chunk runs");
    }
}
