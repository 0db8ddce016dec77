//! `patron bench pos`: loads the till API with concurrent receipts over real HTTP against a
//! database of many members, then has the raw database run the same statements with the same
//! durability (through sqlx, and on SQLite also through a native client: the engine's limit),
//! and reports them side by side (issues 3 and 18). Not a test: run it by hand.

pub mod backup;
pub mod care;
pub mod complaints;
pub mod customers;
pub mod import;
pub mod reports;
pub mod rewards;
pub mod rotation;
pub mod search;
pub(crate) mod store;
pub mod vouchers;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use chrono::{NaiveDate, Utc};

use crate::areas::staff::{self, StaffError, StoreInput, StoreRow};
use crate::kernel::clock::SystemClock;
use crate::kernel::config::{Config, Secrets};
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::testing::{TestBackend, TestDb};
use crate::kernel::db::{Backend, Db};
use store::{MemberSeed, SeedCommon};

/// What to run.
#[derive(Debug, Clone)]
pub struct PosBench {
    pub backend: TestBackend,
    pub members: u64,
    pub receipts: u64,
    pub concurrency: usize,
    /// Tills looking up and quoting beside the receipts, flat out.
    pub readers: u64,
}

/// What was measured.
#[derive(Debug, Clone)]
pub struct PosReport {
    pub backend: &'static str,
    pub members: u64,
    pub load_secs: f64,
    pub receipts: u64,
    pub errors: u64,
    pub secs: f64,
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Lookups by card and quotes sent beside the receipts while they ran: how many, p50, p99
    /// (ms).
    pub lookups: (usize, f64, f64),
    pub quotes: (usize, f64, f64),
    /// Lookups and quotes not answered 200.
    pub read_errors: u64,
    pub requests_per_commit: f64,
    pub raw_per_sec: f64,
    pub raw_batch: u64,
    /// SQLite only: the same statements through a native binding (the engine's own limit).
    pub native_per_sec: Option<f64>,
    /// The bench process's resident set (server and client) before the receipts and at its
    /// highest while they ran, in MB.
    pub rss_mb: (f64, f64),
}

impl std::fmt::Display for PosReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "backend              {}", self.backend)?;
        writeln!(
            f,
            "members              {} (loaded in {:.1} s, {:.0}/s)",
            self.members,
            self.load_secs,
            self.members as f64 / self.load_secs
        )?;
        writeln!(
            f,
            "receipts via HTTP    {} in {:.2} s, {} errors",
            self.receipts, self.secs, self.errors
        )?;
        writeln!(f, "  receipts/s         {:.0}", self.per_sec)?;
        writeln!(
            f,
            "  latency p50 / p99  {:.2} ms / {:.2} ms",
            self.p50_ms, self.p99_ms
        )?;
        writeln!(f, "  requests/commit    {:.1}", self.requests_per_commit)?;
        writeln!(
            f,
            "lookups meanwhile    {} by card, p50 / p99 {:.2} ms / {:.2} ms",
            self.lookups.0, self.lookups.1, self.lookups.2
        )?;
        writeln!(
            f,
            "quotes meanwhile     {}, p50 / p99 {:.2} ms / {:.2} ms, {} lookups or quotes failed",
            self.quotes.0, self.quotes.1, self.quotes.2, self.read_errors
        )?;
        writeln!(
            f,
            "  process RSS        {:.0} MB before, {:.0} MB at most while they ran",
            self.rss_mb.0, self.rss_mb.1
        )?;
        writeln!(
            f,
            "raw database         {:.0} receipts/s (same statements, {} per commit, durable)",
            self.raw_per_sec, self.raw_batch
        )?;
        if let Some(native) = self.native_per_sec {
            writeln!(
                f,
                "native SQLite        {native:.0} receipts/s (rusqlite, prepared statements, {} per commit, durable)",
                self.raw_batch
            )?;
            writeln!(
                f,
                "ratio                {:.2} of the native engine",
                self.per_sec / native.max(1.0)
            )?;
        }
        write!(
            f,
            "ratio                {:.0}% of the raw database",
            100.0 * self.per_sec / self.raw_per_sec.max(1.0)
        )
    }
}

pub(crate) fn cli(app: &App) -> Ctx {
    Ctx::new(
        app.clone(),
        Actor::Cli {
            os_user: "bench".into(),
        },
        None,
    )
}

/// The card of member `j` (1-based), as the bench loads them.
pub(crate) fn card_of(j: u64) -> String {
    format!("HQ{j:08}")
}

/// A spread-out member for the `i`th receipt.
fn member_for(i: u64, members: u64) -> u64 {
    (i.wrapping_mul(2_654_435_761) % members) + 1
}

/// A fresh database for a bench run, opened, and its configuration (its URL filled in).
pub(crate) async fn database(backend: TestBackend) -> anyhow::Result<(TestDb, Db, Config)> {
    let tdb = TestDb::new(backend)
        .await
        .context("making the bench database (PostgreSQL needs PATRON_TEST_PG)")?;
    let db = tdb.open().await?;
    let mut config = Config::load_from(&tdb.dir, figment::providers::Env::prefixed("PATRON_NONE_"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    config.database_url = tdb.url.clone();
    Ok((tdb, db, config))
}

/// The bench's store, HQ.
pub(crate) async fn create_hq(ctx: &Ctx) -> Result<StoreRow, StaffError> {
    staff::create_store(
        ctx,
        &StoreInput {
            code: "HQ".into(),
            name: "总部".into(),
            time_zone: "Asia/Shanghai".into(),
            active: true,
            email: String::new(),
        },
    )
    .await
}

/// The `p`th percentile of sorted latencies in µs, in ms.
pub(crate) fn percentile(sorted: &[u32], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .map_or(0.0, |us| f64::from(*us) / 1000.0)
}

/// One of the process's memory figures (`VmRSS:` now, `VmHWM:` its peak), in MB (Linux).
pub(crate) fn memory_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// What the HTTP phase measured.
struct HttpPhase {
    latencies: Vec<u32>,
    /// Lookups and quotes sent while the receipts ran (sorted latencies, µs).
    lookups: Vec<u32>,
    quotes: Vec<u32>,
    read_errors: u64,
    errors: u64,
    secs: f64,
    requests_per_commit: f64,
    /// The process's resident set (server and client) before the timed receipts, and its
    /// highest while they ran, in MB.
    rss_mb: (f64, f64),
}

/// Serves the app on a random local port: its address, the sender that stops it, and the task
/// to await once stopped.
pub(crate) async fn serve_locally(
    app: &App,
) -> anyhow::Result<(
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = app.clone();
    let server = tokio::spawn(async move {
        let _ = crate::app::serve(served, listener, async {
            let _ = stopped.await;
        })
        .await;
    });
    Ok((base, stop, server))
}

/// Serves the app on a random port, warms it up, then times `b.receipts` receipts.
async fn receipts_over_http(app: &App, key: &str, b: &PosBench) -> anyhow::Result<HttpPhase> {
    let (base, stop, server) = serve_locally(app).await?;

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(b.concurrency)
        .build()?;
    // Warm up connections and caches.
    send_receipts(
        &client,
        &base,
        key,
        b.members,
        0,
        200,
        b.concurrency.min(16),
    )
    .await;
    let before = (
        app.db.write_stats().requests(),
        app.db.write_stats().commits(),
    );
    let rss_before = memory_mb("VmRSS:");
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(memory_mb("VmRSS:") as u64, Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        })
    };
    let receipts_done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..b.readers)
        .map(|k| {
            let (client, base, key, done) = (
                client.clone(),
                base.clone(),
                key.to_string(),
                receipts_done.clone(),
            );
            let members = b.members;
            let step = b.readers;
            tokio::spawn(async move {
                read_while(&client, &base, &key, members, (k, step), &done).await
            })
        })
        .collect();
    let started = Instant::now();
    let (mut latencies, errors) = send_receipts(
        &client,
        &base,
        key,
        b.members,
        1_000,
        b.receipts,
        b.concurrency,
    )
    .await;
    let secs = started.elapsed().as_secs_f64();
    receipts_done.store(true, Ordering::Relaxed);
    let (mut lookups, mut quotes, mut read_errors) = (Vec::new(), Vec::new(), 0);
    for r in readers {
        let (l, q, e) = r.await?;
        lookups.extend(l);
        quotes.extend(q);
        read_errors += e;
    }
    lookups.sort_unstable();
    quotes.sort_unstable();
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    let after = (
        app.db.write_stats().requests(),
        app.db.write_stats().commits(),
    );
    let _ = stop.send(());
    let _ = server.await;
    latencies.sort_unstable();
    let requests_per_commit = (after.0 - before.0) as f64 / ((after.1 - before.1).max(1)) as f64;
    Ok(HttpPhase {
        latencies,
        lookups,
        quotes,
        read_errors,
        errors,
        secs,
        requests_per_commit,
        rss_mb: (rss_before, peak.load(Ordering::Relaxed) as f64),
    })
}

/// Reader `k` of `step` looks a member up by card, then quotes a basket, again and again until
/// `done` is set: the lookups' and quotes' latencies (µs) when answered 200, and how many were
/// not.
async fn read_while(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    members: u64,
    (k, step): (u64, u64),
    done: &std::sync::atomic::AtomicBool,
) -> (Vec<u32>, Vec<u32>, u64) {
    let (mut lookups, mut quotes, mut errors) = (Vec::new(), Vec::new(), 0);
    let mut i = k;
    while !done.load(Ordering::Relaxed) {
        let card = card_of(member_for(i.wrapping_mul(7_919), members));
        i += step;
        let t0 = Instant::now();
        let res = client
            .get(format!("{base}/api/v1/pos/members/lookup?card_no={card}"))
            .bearer_auth(key)
            .send()
            .await;
        if let Ok(r) = res
            && r.status().is_success()
            && r.bytes().await.is_ok()
        {
            lookups.push(u32::try_from(t0.elapsed().as_micros()).unwrap_or(u32::MAX));
        } else {
            errors += 1;
        }
        let body = format!(
            r#"{{"store_code":"HQ","card_no":"{card}","lines":[{{"line_no":1,"sku":"A","amount_fen":{}}},{{"line_no":2,"sku":"B","amount_fen":2990,"promotional":true}}]}}"#,
            10_000 + (i % 50_000)
        );
        let t0 = Instant::now();
        let res = client
            .post(format!("{base}/api/v1/pos/quote"))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        if let Ok(r) = res
            && r.status().is_success()
            && r.bytes().await.is_ok()
        {
            quotes.push(u32::try_from(t0.elapsed().as_micros()).unwrap_or(u32::MAX));
        } else {
            errors += 1;
        }
    }
    (lookups, quotes, errors)
}

/// A fresh bench database with the store HQ and a key for its till B1: the database (kept while
/// the bench runs), the app, HQ's id and the key.
pub(crate) async fn till_app(backend: TestBackend) -> anyhow::Result<(TestDb, App, i64, String)> {
    let (tdb, db, config) = database(backend).await?;
    let app = App::new(db, Arc::new(SystemClock), config, Secrets::generate());
    let ctx = cli(&app);
    let store = create_hq(&ctx).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let (_, key) = staff::keys::issue_till_key(&ctx, store.id, "B1", "bench")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((tdb, app, store.id, key))
}

pub async fn run_pos(b: &PosBench) -> anyhow::Result<PosReport> {
    let (tdb, app, store_id, key) = till_app(b.backend).await?;

    let started = Instant::now();
    load_members(&app, store_id, b.members).await?;
    let load_secs = started.elapsed().as_secs_f64();
    eprintln!("loaded {} members in {load_secs:.1} s", b.members);

    let http = receipts_over_http(&app, &key, b).await?;

    let raw_batch = match app.db.backend() {
        Backend::Sqlite => http.requests_per_commit.round().max(1.0) as u64,
        Backend::Postgres => 1,
    };
    app.db.close().await;
    let raw_started = Instant::now();
    let raw_n = b.receipts;
    store::raw::raw_receipts(
        &tdb.url,
        b.backend,
        b.members,
        raw_n,
        raw_batch,
        b.concurrency,
    )
    .await?;
    let raw_secs = raw_started.elapsed().as_secs_f64();
    let native_per_sec = match crate::kernel::db::sqlite_path(&tdb.url) {
        Some(path) => {
            let started = Instant::now();
            // Numbered after the raw run's receipts, so both insert new ones.
            store::raw::native_receipts(path, b.members, raw_n, raw_n, raw_batch).await?;
            Some(raw_n as f64 / started.elapsed().as_secs_f64())
        }
        None => None,
    };

    Ok(PosReport {
        backend: match b.backend {
            TestBackend::Sqlite => "sqlite",
            TestBackend::Postgres => "postgres",
        },
        members: b.members,
        load_secs,
        receipts: b.receipts,
        errors: http.errors,
        secs: http.secs,
        per_sec: b.receipts as f64 / http.secs,
        p50_ms: percentile(&http.latencies, 0.50),
        p99_ms: percentile(&http.latencies, 0.99),
        lookups: (
            http.lookups.len(),
            percentile(&http.lookups, 0.50),
            percentile(&http.lookups, 0.99),
        ),
        quotes: (
            http.quotes.len(),
            percentile(&http.quotes, 0.50),
            percentile(&http.quotes, 0.99),
        ),
        read_errors: http.read_errors,
        requests_per_commit: http.requests_per_commit,
        raw_per_sec: raw_n as f64 / raw_secs,
        raw_batch,
        native_per_sec,
        rss_mb: http.rss_mb,
    })
}

/// Sends `count` receipts numbered from `first`, `concurrency` at a time; latencies in µs.
async fn send_receipts(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    members: u64,
    first: u64,
    count: u64,
    concurrency: usize,
) -> (Vec<u32>, u64) {
    let never = Arc::new(std::sync::atomic::AtomicBool::new(false));
    send_receipts_until(
        client,
        base,
        key,
        members,
        (first, count),
        concurrency,
        None,
        never,
    )
    .await
}

/// As `send_receipts` (`range` is the first receipt's number and how many), stopping early once
/// `stop` is set; with `per_sec`, the tills together send at most that many receipts a second.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send_receipts_until(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    members: u64,
    (first, count): (u64, u64),
    concurrency: usize,
    per_sec: Option<f64>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (Vec<u32>, u64) {
    // Each till's pace: one receipt every `concurrency / per_sec` seconds.
    let pace = per_sec
        .filter(|r| *r > 0.0)
        .map(|r| std::time::Duration::from_secs_f64(concurrency as f64 / r));
    let next = Arc::new(AtomicU64::new(first));
    let end = first + count;
    let errors = Arc::new(AtomicU64::new(0));
    let url = format!("{base}/api/v1/pos/receipts");
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, key, next, errors, stop) = (
            client.clone(),
            url.clone(),
            key.to_string(),
            next.clone(),
            errors.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut tick = pace.map(|p| {
                let mut t = tokio::time::interval(p);
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                t
            });
            loop {
                if let Some(t) = tick.as_mut() {
                    t.tick().await;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end || stop.load(Ordering::Relaxed) {
                    break;
                }
                let j = member_for(i, members);
                let body = format!(
                    r#"{{"store_code":"HQ","till_id":"B1","receipt_no":"BR{i}","card_no":"{}","occurred_at":"{}","lines":[{{"line_no":1,"sku":"A","amount_fen":{}}},{{"line_no":2,"sku":"B","amount_fen":2990,"promotional":true}}]}}"#,
                    card_of(j),
                    Utc::now().to_rfc3339(),
                    10_000 + (i % 50_000)
                );
                let t0 = Instant::now();
                let res = client
                    .post(&url)
                    .bearer_auth(&key)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let ok = match res {
                    Ok(r) => {
                        let ok = r.status().is_success();
                        let _ = r.bytes().await;
                        ok
                    }
                    Err(_) => false,
                };
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                lat.push(u32::try_from(t0.elapsed().as_micros()).unwrap_or(u32::MAX));
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        if let Ok(mut l) = t.await {
            all.append(&mut l);
        }
    }
    (all, errors.load(Ordering::Relaxed))
}

/// Member `j` as the bench loads them: a phone number, a tier (2% platinum, 8% gold, 20%
/// silver) and a birthday spread over the year.
fn member_seed(app: &App, j: u64, joined: NaiveDate) -> MemberSeed {
    let phone = format!("139{j:08}");
    let tier = match j % 50 {
        0 => "platinum",
        1..=4 => "gold",
        5..=14 => "silver",
        _ => "normal",
    };
    let birthday = NaiveDate::from_ymd_opt(
        1960 + (j % 45) as i32,
        1 + (j % 12) as u32,
        1 + (j % 28) as u32,
    )
    .unwrap_or(joined);
    MemberSeed {
        id: j as i64,
        name: format!("会员{j}"),
        birthday,
        phone_enc: app.pii.encrypt(&phone),
        phone_hash: app.pii.lookup("phone", &phone),
        phone_masked: format!("{}****{}", &phone[..3], &phone[7..]),
        tier,
        card_no: card_of(j),
    }
}

/// Loads `n` members with active cards straight into the tables, 1,000 per statement.
pub(crate) async fn load_members(app: &App, store_id: i64, n: u64) -> anyhow::Result<()> {
    const CHUNK: u64 = 1_000;
    let pg = app.db.backend() == Backend::Postgres;
    let common = SeedCommon {
        store_id,
        joined: NaiveDate::from_ymd_opt(2025, 1, 1).context("date")?,
        expires: NaiveDate::from_ymd_opt(2099, 12, 31).context("date")?,
        now: crate::kernel::db::ts(Utc::now()),
        pg,
    };
    let mut start = 1;
    while start <= n {
        let end = (start + CHUNK - 1).min(n);
        let rows: Arc<Vec<MemberSeed>> = Arc::new(
            (start..=end)
                .map(|j| member_seed(app, j, common.joined))
                .collect(),
        );
        app.db
            .write(move |tx| {
                let rows = rows.clone();
                Box::pin(async move { store::insert_members(tx, &rows, common).await })
            })
            .await?;
        start = end + 1;
    }
    if pg {
        store::reset_member_ids(&app.db).await?;
    }
    Ok(())
}
