//! `patron bench vouchers`: a month of group buying at scale against a fresh database. Finance
//! prints one series of many ¥100 vouchers; the department requisitions, receives and stamps
//! them all; range sales over real HTTP sell every one (transfers released on a counter-deposit
//! slip, as a ¥100,000 sale may not be paid in cash); concurrent tills redeem part of them over
//! real HTTP; then the month is reconciled and signed by both sides and `patron check` verifies
//! the movement ledger. A manual clock puts the whole story in last month, so the
//! reconciliation runs on the 1st of this one. Not a test: run it by hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use patron_core::vouchers::{Serial, SerialRange, check_code};

use crate::areas::groupbuy::{self, reconcile, requisitions, sales, stock};
use crate::kernel::clock::{Clock, ManualClock};
use crate::kernel::config::{Config, Secrets};
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::Backend;
use crate::kernel::db::testing::{TestBackend, TestDb};

/// What to run.
#[derive(Debug, Clone)]
pub struct VoucherBench {
    pub backend: TestBackend,
    /// Vouchers printed, requisitioned, stamped and sold.
    pub vouchers: u64,
    /// Of those, how many the tills redeem.
    pub redeems: u64,
    /// Vouchers per range sale.
    pub sale_size: u64,
    /// Concurrent tills redeeming (the sales desks are at most 8 of them).
    pub concurrency: usize,
}

/// Latencies of one kind of request, in microseconds.
#[derive(Debug, Clone, Default)]
pub struct Timed {
    pub count: u64,
    pub errors: u64,
    pub secs: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Write requests per commit during the phase (SQLite batches them; PostgreSQL is 1).
    pub requests_per_commit: f64,
}

impl Timed {
    fn new(mut latencies: Vec<u32>, errors: u64, secs: f64, per_commit: f64) -> Timed {
        latencies.sort_unstable();
        let pct = |p: f64| {
            latencies
                .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
                .map_or(0.0, |us| f64::from(*us) / 1000.0)
        };
        Timed {
            count: latencies.len() as u64,
            errors,
            secs,
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            max_ms: latencies.last().map_or(0.0, |us| f64::from(*us) / 1000.0),
            requests_per_commit: per_commit,
        }
    }

    fn per_sec(&self) -> f64 {
        self.count as f64 / self.secs.max(1e-9)
    }
}

/// What was measured.
#[derive(Debug, Clone)]
pub struct VoucherReport {
    pub backend: &'static str,
    pub vouchers: u64,
    pub sale_size: u64,
    pub desks: usize,
    pub tills: usize,
    pub month: String,
    pub print_secs: f64,
    pub request_secs: f64,
    pub approve_secs: f64,
    pub prepare_secs: f64,
    pub hand_over_secs: f64,
    pub receive_secs: f64,
    pub stamp_secs: f64,
    pub sales: Timed,
    pub releases: Timed,
    pub deposit_secs: f64,
    pub redeems: Timed,
    pub figures_secs: f64,
    pub figures: reconcile::MonthFigures,
    pub sign_department_secs: f64,
    pub sign_finance_secs: f64,
    pub check_secs: f64,
    pub check: groupbuy::check::VoucherCheck,
    pub database_bytes: u64,
}

fn yuan(fen: i64) -> String {
    patron_core::Fen(fen).plain()
}

impl std::fmt::Display for VoucherReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let requisition = self.request_secs
            + self.approve_secs
            + self.prepare_secs
            + self.hand_over_secs
            + self.receive_secs;
        writeln!(f, "backend              {}", self.backend)?;
        writeln!(
            f,
            "vouchers             {} × ¥100 in sales of {}, month {}",
            self.vouchers, self.sale_size, self.month
        )?;
        writeln!(
            f,
            "print series         {:.2} s ({:.0} vouchers/s)",
            self.print_secs,
            self.vouchers as f64 / self.print_secs.max(1e-9)
        )?;
        writeln!(
            f,
            "requisition          {:.2} s (request {:.2}, approve {:.2}, prepare {:.2}, hand over {:.2}, receive {:.2})",
            requisition,
            self.request_secs,
            self.approve_secs,
            self.prepare_secs,
            self.hand_over_secs,
            self.receive_secs
        )?;
        writeln!(f, "stamp                {:.2} s", self.stamp_secs)?;
        writeln!(
            f,
            "range sales via HTTP {} sales in {:.2} s from {} desks, {} errors",
            self.sales.count, self.sales.secs, self.desks, self.sales.errors
        )?;
        writeln!(
            f,
            "  sales/s            {:.1} ({:.0} vouchers/s)",
            self.sales.per_sec(),
            self.sales.per_sec() * self.sale_size as f64
        )?;
        writeln!(
            f,
            "  latency p50 / p99  {:.1} ms / {:.1} ms (max {:.1} ms)",
            self.sales.p50_ms, self.sales.p99_ms, self.sales.max_ms
        )?;
        writeln!(
            f,
            "  requests/commit    {:.1}",
            self.sales.requests_per_commit
        )?;
        writeln!(
            f,
            "releases via HTTP    {} in {:.2} s, {} errors ({:.1}/s, {:.0} vouchers/s)",
            self.releases.count,
            self.releases.secs,
            self.releases.errors,
            self.releases.per_sec(),
            self.releases.per_sec() * self.sale_size as f64
        )?;
        writeln!(
            f,
            "  latency p50 / p99  {:.1} ms / {:.1} ms (max {:.1} ms)",
            self.releases.p50_ms, self.releases.p99_ms, self.releases.max_ms
        )?;
        writeln!(
            f,
            "sold in all          {} vouchers in {:.2} s ({:.0} vouchers/s, sale + release)",
            self.figures.counts.sold,
            self.sales.secs + self.releases.secs,
            self.figures.counts.sold as f64 / (self.sales.secs + self.releases.secs).max(1e-9)
        )?;
        writeln!(f, "deposit slip         {:.3} s", self.deposit_secs)?;
        writeln!(
            f,
            "redeems via HTTP     {} in {:.2} s from {} tills, {} errors",
            self.redeems.count, self.redeems.secs, self.tills, self.redeems.errors
        )?;
        writeln!(f, "  redeems/s          {:.0}", self.redeems.per_sec())?;
        writeln!(
            f,
            "  latency p50 / p99  {:.2} ms / {:.2} ms (max {:.1} ms)",
            self.redeems.p50_ms, self.redeems.p99_ms, self.redeems.max_ms
        )?;
        writeln!(
            f,
            "  requests/commit    {:.1}",
            self.redeems.requests_per_commit
        )?;
        let c = &self.figures.counts;
        writeln!(
            f,
            "reconcile {}      figures {:.3} s, department signs {:.3} s, finance signs {:.3} s",
            self.month, self.figures_secs, self.sign_department_secs, self.sign_finance_secs
        )?;
        writeln!(
            f,
            "  figures            opening {} + received {} − sold {} − rebated {} − written off {} = closing {} ({})",
            c.opening,
            c.received,
            c.sold,
            c.rebated,
            c.written_off,
            c.closing,
            if c.balances() {
                "balances"
            } else {
                "DOES NOT BALANCE"
            }
        )?;
        writeln!(
            f,
            "  amounts            sold ¥{}, deposited ¥{}, redeemed {} for ¥{}",
            yuan(self.figures.sold_fen),
            yuan(self.figures.deposited_fen),
            self.figures.redeemed,
            yuan(self.figures.redeemed_fen)
        )?;
        writeln!(
            f,
            "patron check         {:.3} s: {} vouchers, {} movements, {} closed month(s), {}",
            self.check_secs,
            self.check.vouchers,
            self.check.movements,
            self.check.months_checked,
            if self.check.ok() { "ok" } else { "DIFFERENCES" }
        )?;
        write!(
            f,
            "database size        {:.1} MB",
            self.database_bytes as f64 / 1_048_576.0
        )
    }
}

/// An error of a use case, with its details, as an `anyhow` error.
fn failed<E: std::fmt::Debug>(what: &'static str) -> impl FnOnce(E) -> anyhow::Error {
    move |e| anyhow::anyhow!("{what}: {e:?}")
}

fn secs_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// Moves the manual clock forward to `at` (never back).
fn goto(clock: &ManualClock, at: DateTime<Utc>) {
    let now = clock.now();
    if at > now {
        clock.advance(at - now);
    }
}

/// `day` of `month_start`'s month at `hour`:00 local time.
fn local(
    tz: chrono_tz::Tz,
    month_start: NaiveDate,
    day: u32,
    hour: u32,
) -> anyhow::Result<DateTime<Utc>> {
    let date = month_start.with_day(day).context("day of month")?;
    let naive = date.and_hms_opt(hour, 0, 0).context("time of day")?;
    tz.from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .context("local time")
}

/// A staff member holding `role` at `store_id`, as a use case sees them; with their id.
async fn staff(cli: &Ctx, username: &str, role: &str, store_id: i64) -> anyhow::Result<(i64, Ctx)> {
    let (id, _) = crate::areas::staff::create_staff(
        cli,
        &crate::areas::staff::StaffInput {
            username: username.into(),
            display_name: format!("压测 {username}"),
            lang: "zh-CN".into(),
            grants: vec![crate::areas::staff::GrantInput {
                role: role.into(),
                store_id,
            }],
        },
    )
    .await
    .map_err(failed("adding staff"))?;
    let (actor, _) = crate::areas::staff::store::load_actor(cli.db(), id)
        .await?
        .context("the staff member just added")?;
    Ok((id, Ctx::new(cli.app.clone(), Actor::Staff(actor), None)))
}

/// Write requests and commits so far.
fn write_counts(app: &App) -> (u64, u64) {
    let s = app.db.write_stats();
    (s.requests(), s.commits())
}

fn per_commit(before: (u64, u64), after: (u64, u64)) -> f64 {
    (after.0 - before.0) as f64 / ((after.1 - before.1).max(1)) as f64
}

pub async fn run_vouchers(b: &VoucherBench) -> anyhow::Result<VoucherReport> {
    anyhow::ensure!(b.vouchers >= 1, "--vouchers must be at least 1");
    anyhow::ensure!(b.sale_size >= 1, "--sale-size must be at least 1");
    anyhow::ensure!(
        b.redeems <= b.vouchers,
        "--redeems cannot exceed --vouchers"
    );
    let n = i64::try_from(b.vouchers).context("--vouchers")?;
    let tdb = TestDb::new(b.backend)
        .await
        .context("making the bench database (PostgreSQL needs PATRON_TEST_PG)")?;
    let db = tdb.open().await?;
    let mut config = Config::load_from(&tdb.dir, figment::providers::Env::prefixed("PATRON_NONE_"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    config.database_url = tdb.url.clone();

    // The story happens last month; it is reconciled on the 1st of this one.
    let this_month = Utc::now()
        .date_naive()
        .with_day(1)
        .context("first of the month")?;
    let month_start = this_month
        .checked_sub_months(Months::new(1))
        .context("last month")?;
    let tz = config.tz();
    let clock = Arc::new(ManualClock::new(local(tz, month_start, 1, 9)?));
    let app = App::new(db.clone(), clock.clone(), config, Secrets::generate());
    let month = groupbuy::month_of(month_start);

    let cli = Ctx::new(
        app.clone(),
        Actor::Cli {
            os_user: "bench".into(),
        },
        None,
    );
    let store = crate::areas::staff::create_store(
        &cli,
        &crate::areas::staff::StoreInput {
            code: "HQ".into(),
            name: "总部".into(),
            time_zone: "Asia/Shanghai".into(),
            active: true,
        },
    )
    .await
    .map_err(failed("creating store HQ"))?;
    let (clerk_id, clerk) = staff(&cli, "gb_clerk", "clerk", store.id).await?;
    let (_, manager) = staff(&cli, "gb_manager", "manager", store.id).await?;
    let (_, cashier) = staff(&cli, "fin_cashier", "cashier", store.id).await?;
    let (_, finance) = staff(&cli, "fin_manager", "finance_manager", store.id).await?;
    let (_, desk_token) = crate::auth::keys::issue_token(&cli, "bench desk", clerk_id, None)
        .await
        .map_err(failed("issuing the desk's API token"))?;
    let tills = b.concurrency.max(1);
    let mut till_keys = Vec::with_capacity(tills);
    for i in 0..tills {
        let (_, key) =
            crate::auth::keys::issue_till_key(&cli, store.id, &format!("V{i:03}"), "bench till")
                .await
                .map_err(failed("issuing a till key"))?;
        till_keys.push(key);
    }

    // Day 1: finance prints, the department requisitions, receives and stamps.
    let expires_on = NaiveDate::from_ymd_opt(month_start.year() + 10, 12, 31).context("expiry")?;
    let started = Instant::now();
    let series = stock::create_series(
        &cashier,
        &stock::SeriesIn {
            code: "BENCH".into(),
            name: "团购券 压测".into(),
            face_value: "100".into(),
            named: false,
            expires_on: expires_on.to_string(),
            count: n.to_string(),
            first_serial: String::new(),
        },
    )
    .await
    .map_err(failed("printing the series"))?;
    let print_secs = secs_since(started);
    let first = Serial::parse(&series.first_serial).map_err(failed("first serial"))?;
    let all = SerialRange::new(first.0, first.0 + n - 1);
    eprintln!("printed {all} in {print_secs:.1} s");

    let started = Instant::now();
    let req = requisitions::request(
        &clerk,
        &requisitions::RequisitionIn {
            store_code: "HQ".into(),
            lines: vec![requisitions::RequisitionLine {
                face_value: "100".into(),
                quantity: n.to_string(),
            }],
            purpose: "压测：一个月的团购".into(),
        },
    )
    .await
    .map_err(failed("requesting"))?;
    let request_secs = secs_since(started);
    let approval = req.approval_id.context("the requisition's approval")?;
    let started = Instant::now();
    groupbuy::decide(
        &manager,
        approval,
        patron_core::approvals::Decision::Approve,
    )
    .await
    .map_err(failed("approving"))?;
    let approve_secs = secs_since(started);
    let started = Instant::now();
    requisitions::prepare(
        &cashier,
        req.id,
        &requisitions::PrepareIn {
            ranges: all.to_string(),
            pickup_on: month_start.to_string(),
        },
    )
    .await
    .map_err(failed("preparing"))?;
    let prepare_secs = secs_since(started);
    let started = Instant::now();
    requisitions::hand_over(&cashier, req.id)
        .await
        .map_err(failed("handing over"))?;
    let hand_over_secs = secs_since(started);
    let started = Instant::now();
    requisitions::receive(
        &clerk,
        req.id,
        &requisitions::ReceiveIn {
            serials_checked: true,
            seal_checked: true,
            quantity_checked: true,
        },
    )
    .await
    .map_err(failed("receiving"))?;
    let receive_secs = secs_since(started);
    eprintln!(
        "requisition received in {:.1} s",
        request_secs + approve_secs + prepare_secs + hand_over_secs + receive_secs
    );
    let started = Instant::now();
    stock::stamp(
        &clerk,
        &stock::StampIn {
            store_code: "HQ".into(),
            ranges: all.to_string(),
        },
    )
    .await
    .map_err(failed("stamping"))?;
    let stamp_secs = secs_since(started);
    eprintln!("stamped in {stamp_secs:.1} s");

    // Serve on a random port.
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
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(tills)
        .build()?;

    // Days 2–25: range sales by transfer from several desks, spread over the days.
    let desks = tills.min(8);
    let sale_count = b.vouchers.div_ceil(b.sale_size);
    goto(&clock, local(tz, month_start, 2, 10)?);
    let before = write_counts(&app);
    let started = Instant::now();
    let (sale_ids, sale_lat, sale_errors) = sell_all(
        &client,
        &base,
        &desk_token,
        &clock,
        all,
        b.sale_size,
        sale_count,
        desks,
    )
    .await;
    let sales_timed = Timed::new(
        sale_lat,
        sale_errors,
        secs_since(started),
        per_commit(before, write_counts(&app)),
    );
    eprintln!(
        "{} range sales in {:.1} s, {} errors",
        sales_timed.count, sales_timed.secs, sales_timed.errors
    );

    // Day 26: the counter-deposit slips are shown; the vouchers are handed over; finance gets
    // the internal deposit slip.
    goto(&clock, local(tz, month_start, 26, 10)?);
    let before = write_counts(&app);
    let started = Instant::now();
    let (release_lat, release_errors) =
        release_all(&client, &base, &desk_token, &sale_ids, desks).await;
    let releases_timed = Timed::new(
        release_lat,
        release_errors,
        secs_since(started),
        per_commit(before, write_counts(&app)),
    );
    eprintln!(
        "{} releases in {:.1} s, {} errors",
        releases_timed.count, releases_timed.secs, releases_timed.errors
    );
    let started = Instant::now();
    sales::deposit(
        &clerk,
        &sales::DepositIn {
            store_code: "HQ".into(),
            kind: "cheque".into(),
        },
    )
    .await
    .map_err(failed("the deposit slip"))?;
    let deposit_secs = secs_since(started);

    // Day 27: the tills redeem vouchers spread over the whole series.
    goto(&clock, local(tz, month_start, 27, 10)?);
    let before = write_counts(&app);
    let started = Instant::now();
    let (redeem_lat, redeem_errors) = redeem_many(
        &client,
        &base,
        &till_keys,
        app.secrets.voucher_key,
        all,
        b.redeems,
    )
    .await;
    let redeems_timed = Timed::new(
        redeem_lat,
        redeem_errors,
        secs_since(started),
        per_commit(before, write_counts(&app)),
    );
    eprintln!(
        "{} redeems in {:.1} s, {} errors",
        redeems_timed.count, redeems_timed.secs, redeems_timed.errors
    );
    let _ = stop.send(());
    let _ = server.await;

    // The 1st of this month: the month is reconciled, signed by both sides, and checked.
    goto(&clock, local(tz, this_month, 1, 9)?);
    let stores = app.cache.stores(&app.db).await?;
    let info = stores.by_id(store.id).cloned().context("store HQ")?;
    let started = Instant::now();
    let figures = reconcile::figures(&app.db, &info, &month)
        .await
        .map_err(failed("the month's figures"))?;
    let figures_secs = secs_since(started);
    let started = Instant::now();
    reconcile::sign_department(&manager, "HQ", &month)
        .await
        .map_err(failed("the department's signature"))?;
    let sign_department_secs = secs_since(started);
    let started = Instant::now();
    reconcile::sign_finance(&finance, "HQ", &month)
        .await
        .map_err(failed("finance's signature"))?;
    let sign_finance_secs = secs_since(started);
    let started = Instant::now();
    let check = groupbuy::check::verify(&app.db).await?;
    let check_secs = secs_since(started);
    let database_bytes = database_size(&app, &tdb).await?;
    app.db.close().await;

    Ok(VoucherReport {
        backend: match b.backend {
            TestBackend::Sqlite => "sqlite",
            TestBackend::Postgres => "postgres",
        },
        vouchers: b.vouchers,
        sale_size: b.sale_size,
        desks,
        tills,
        month,
        print_secs,
        request_secs,
        approve_secs,
        prepare_secs,
        hand_over_secs,
        receive_secs,
        stamp_secs,
        sales: sales_timed,
        releases: releases_timed,
        deposit_secs,
        redeems: redeems_timed,
        figures_secs,
        figures,
        sign_department_secs,
        sign_finance_secs,
        check_secs,
        check,
        database_bytes,
    })
}

/// The database's size on disk: the SQLite file and its WAL, or PostgreSQL's database.
async fn database_size(app: &App, tdb: &TestDb) -> anyhow::Result<u64> {
    Ok(match app.db.backend() {
        Backend::Sqlite => ["patron.db", "patron.db-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(tdb.dir.join(f)).ok())
            .map(|m| m.len())
            .sum(),
        Backend::Postgres => {
            let bytes: i64 = crate::on_db!(app.db, |p| {
                sqlx::query_scalar("select pg_database_size(current_database())")
                    .fetch_one(p)
                    .await?
            });
            u64::try_from(bytes).unwrap_or(0)
        }
    })
}

/// Posts JSON; the answer's JSON on success, or the status and body.
async fn post(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    body: String,
) -> Result<serde_json::Value, String> {
    let res = client
        .post(url)
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let bytes = res.bytes().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        Ok(serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    } else {
        Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)))
    }
}

/// Counts an error and shows the first few.
fn note_error(errors: &AtomicU64, what: &str, e: &str) {
    if errors.fetch_add(1, Ordering::Relaxed) < 5 {
        eprintln!("{what} failed: {e}");
    }
}

fn micros(t: Instant) -> u32 {
    u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX)
}

/// Sells `all` in ranges of `size` from `desks` concurrent desks, by transfer (reserved until
/// released); moves the clock a day on every 1/24th of the sales. Returns the sale ids, the
/// latencies in µs and the errors.
#[allow(clippy::too_many_arguments)]
async fn sell_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    clock: &Arc<ManualClock>,
    all: SerialRange,
    size: u64,
    sales: u64,
    desks: usize,
) -> (Vec<i64>, Vec<u32>, u64) {
    let per_day = sales.div_ceil(24).max(1);
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let url = format!("{base}/api/v1/groupbuy/sales");
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    let mut tasks = Vec::new();
    for _ in 0..desks {
        let (client, url, token, next, errors, clock) = (
            client.clone(),
            url.clone(),
            token.to_string(),
            next.clone(),
            errors.clone(),
            clock.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let (mut ids, mut lat) = (Vec::new(), Vec::new());
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= sales {
                    break;
                }
                if i > 0 && i % per_day == 0 {
                    clock.advance(chrono::Duration::days(1));
                }
                let k = i64::try_from(i).unwrap_or(0);
                let lo = all.first.0 + k * size;
                let range = SerialRange::new(lo, (lo + size - 1).min(all.last.0));
                let body = serde_json::json!({
                    "store_code": "HQ",
                    "buyer": {
                        "kind": "organisation",
                        "organisation": format!("压测单位 {i}"),
                        "contact": "王经理",
                        "phone": "010-65001234",
                    },
                    "payment": "transfer",
                    "lines": [{ "range": range.to_string() }],
                    "bank": "工商银行王府井支行",
                    "account_name": format!("压测单位 {i}"),
                    "account_no": format!("02000010090{i:08}"),
                    "real_name": "王小明",
                    "id_number": "11010519491231002X",
                    "request_key": format!("bench-sale-{i}"),
                })
                .to_string();
                let t0 = Instant::now();
                let res = post(&client, &url, &token, body).await;
                lat.push(micros(t0));
                match res {
                    Ok(v) => match v["sale_id"].as_i64() {
                        Some(id) if v["count"].as_i64() == Some(range.count()) => ids.push(id),
                        _ => note_error(&errors, "a sale", &v.to_string()),
                    },
                    Err(e) => note_error(&errors, "a sale", &e),
                }
            }
            (ids, lat)
        }));
    }
    let (mut ids, mut lat) = (Vec::new(), Vec::new());
    for t in tasks {
        match t.await {
            Ok((mut i, mut l)) => {
                ids.append(&mut i);
                lat.append(&mut l);
            }
            Err(e) => note_error(&errors, "a desk", &e.to_string()),
        }
    }
    ids.sort_unstable();
    (ids, lat, errors.load(Ordering::Relaxed))
}

/// Releases every sale on a counter-deposit slip, from `desks` concurrent desks.
async fn release_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    sale_ids: &[i64],
    desks: usize,
) -> (Vec<u32>, u64) {
    let ids = Arc::new(sale_ids.to_vec());
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..desks {
        let (client, base, token, next, errors, ids) = (
            client.clone(),
            base.to_string(),
            token.to_string(),
            next.clone(),
            errors.clone(),
            ids.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(id) = usize::try_from(i).ok().and_then(|i| ids.get(i)) else {
                    break;
                };
                let body = serde_json::json!({
                    "reason": "counter_deposit",
                    "counter_slip_no": format!("YH-BENCH-{id}"),
                })
                .to_string();
                let t0 = Instant::now();
                let res = post(
                    &client,
                    &format!("{base}/api/v1/groupbuy/sales/{id}/release"),
                    &token,
                    body,
                )
                .await;
                lat.push(micros(t0));
                if let Err(e) = res {
                    note_error(&errors, "a release", &e);
                }
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        match t.await {
            Ok(mut l) => lat.append(&mut l),
            Err(e) => note_error(&errors, "a desk", &e.to_string()),
        }
    }
    (lat, errors.load(Ordering::Relaxed))
}

/// The `i`th voucher to redeem: a permutation of the series (the multiplier is a prime larger
/// than any series), so no voucher is redeemed twice and they spread over every sale.
fn redeem_serial(all: SerialRange, i: u64) -> Serial {
    let n = u128::try_from(all.count()).unwrap_or(1).max(1);
    let k = (u128::from(i) * 2_654_435_761) % n;
    Serial(all.first.0 + i64::try_from(k).unwrap_or(0))
}

/// Redeems `count` vouchers of `all`, one till key per concurrent client.
async fn redeem_many(
    client: &reqwest::Client,
    base: &str,
    keys: &[String],
    voucher_key: [u8; 32],
    all: SerialRange,
    count: u64,
) -> (Vec<u32>, u64) {
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for (t, key) in keys.iter().enumerate() {
        let (client, base, key, next, errors) = (
            client.clone(),
            base.to_string(),
            key.clone(),
            next.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let serial = redeem_serial(all, i);
                let body = serde_json::json!({
                    "store_code": "HQ",
                    "receipt_no": format!("V{t:03}-{i}"),
                    "check_code": check_code(&voucher_key, serial),
                })
                .to_string();
                let t0 = Instant::now();
                let res = post(
                    &client,
                    &format!("{base}/api/v1/pos/vouchers/{serial}/redeem"),
                    &key,
                    body,
                )
                .await;
                lat.push(micros(t0));
                match res {
                    Ok(v) if v["face_value_fen"].as_i64() == Some(10_000) => {}
                    Ok(v) => note_error(&errors, "a redeem", &v.to_string()),
                    Err(e) => note_error(&errors, "a redeem", &e),
                }
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        match t.await {
            Ok(mut l) => lat.append(&mut l),
            Err(e) => note_error(&errors, "a till", &e.to_string()),
        }
    }
    (lat, errors.load(Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redeemed_serials_are_distinct_and_within_the_series() {
        let all = SerialRange::new(1, 1_000);
        let mut seen: Vec<i64> = (0..1_000).map(|i| redeem_serial(all, i).0).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 1_000);
        assert_eq!(seen.first().copied(), Some(1));
        assert_eq!(seen.last().copied(), Some(1_000));
    }
}
