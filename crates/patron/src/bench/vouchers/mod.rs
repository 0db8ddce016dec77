//! `patron bench vouchers`: a month of group buying at scale against a fresh database. Finance
//! prints one series of many ¥100 vouchers; the department requisitions, receives and stamps
//! them all; range sales over real HTTP sell every one (transfers released on a counter-deposit
//! slip, as a ¥100,000 sale may not be paid in cash); concurrent tills redeem part of them over
//! real HTTP; then the month is reconciled and signed by both sides and `patron check` verifies
//! the movement ledger. A manual clock puts the whole story in last month, so the
//! reconciliation runs on the 1st of this one. Not a test: run it by hand.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use patron_core::vouchers::{Serial, SerialRange};

mod http;
mod report;

use crate::areas::groupbuy::{self, reconcile, requisitions, sales, stock};
use crate::kernel::clock::{Clock, ManualClock};
use crate::kernel::config::Secrets;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::Backend;
use crate::kernel::db::testing::{TestBackend, TestDb};
pub use report::{Timed, VoucherReport};

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

/// The bench's database, clock and people: the story happens last month and is reconciled on
/// the 1st of this one.
struct Story {
    tdb: TestDb,
    app: App,
    clock: Arc<ManualClock>,
    tz: chrono_tz::Tz,
    this_month: NaiveDate,
    month_start: NaiveDate,
    month: String,
    store_id: i64,
    clerk: Ctx,
    manager: Ctx,
    cashier: Ctx,
    finance: Ctx,
    desk_token: String,
    till_keys: Vec<String>,
}

/// A fresh database with store HQ, the four people of the story, the desk's API token and
/// one till key per concurrent till.
async fn set_up(b: &VoucherBench) -> anyhow::Result<Story> {
    let (tdb, db, config) = crate::bench::database(b.backend).await?;

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
    let month = crate::kernel::dates::month_key(month_start);

    let cli = Ctx::new(
        app.clone(),
        Actor::Cli {
            os_user: "bench".into(),
        },
        None,
    );
    let store = crate::bench::create_hq(&cli)
        .await
        .map_err(failed("creating store HQ"))?;
    let (clerk_id, clerk) = staff(&cli, "gb_clerk", "clerk", store.id).await?;
    let (_, manager) = staff(&cli, "gb_manager", "manager", store.id).await?;
    let (_, cashier) = staff(&cli, "fin_cashier", "cashier", store.id).await?;
    let (_, finance) = staff(&cli, "fin_manager", "finance_manager", store.id).await?;
    let (_, desk_token) =
        crate::areas::staff::keys::issue_token(&cli, "bench desk", clerk_id, None)
            .await
            .map_err(failed("issuing the desk's API token"))?;
    let tills = b.concurrency.max(1);
    let mut till_keys = Vec::with_capacity(tills);
    for i in 0..tills {
        let (_, key) = crate::areas::staff::keys::issue_till_key(
            &cli,
            store.id,
            &format!("V{i:03}"),
            "bench till",
        )
        .await
        .map_err(failed("issuing a till key"))?;
        till_keys.push(key);
    }
    Ok(Story {
        tdb,
        app,
        clock,
        tz,
        this_month,
        month_start,
        month,
        store_id: store.id,
        clerk,
        manager,
        cashier,
        finance,
        desk_token,
        till_keys,
    })
}

/// Day 1: finance prints a series of `n` ¥100 vouchers. Returns its range and the time taken.
async fn print_series(s: &Story, n: i64) -> anyhow::Result<(SerialRange, f64)> {
    let expires_on =
        NaiveDate::from_ymd_opt(s.month_start.year() + 10, 12, 31).context("expiry")?;
    let started = Instant::now();
    let series = stock::create_series(
        &s.cashier,
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
    Ok((all, print_secs))
}

/// How long each step of the requisition took.
struct RequisitionTimes {
    request: f64,
    approve: f64,
    prepare: f64,
    hand_over: f64,
    receive: f64,
}

/// Day 1: the department requisitions all of `all` (`n` vouchers), the manager approves,
/// finance prepares and hands over, the department receives.
async fn requisition(s: &Story, all: SerialRange, n: i64) -> anyhow::Result<RequisitionTimes> {
    let started = Instant::now();
    let req = requisitions::request(
        &s.clerk,
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
    let request = secs_since(started);
    let approval = req.approval_id.context("the requisition's approval")?;
    let started = Instant::now();
    groupbuy::decide(
        &s.manager,
        approval,
        patron_core::approvals::Decision::Approve,
    )
    .await
    .map_err(failed("approving"))?;
    let approve = secs_since(started);
    let started = Instant::now();
    requisitions::prepare(
        &s.cashier,
        req.id,
        &requisitions::PrepareIn {
            ranges: all.to_string(),
            pickup_on: s.month_start.to_string(),
        },
    )
    .await
    .map_err(failed("preparing"))?;
    let prepare = secs_since(started);
    let started = Instant::now();
    requisitions::hand_over(&s.cashier, req.id)
        .await
        .map_err(failed("handing over"))?;
    let hand_over = secs_since(started);
    let started = Instant::now();
    requisitions::receive(
        &s.clerk,
        req.id,
        &requisitions::ReceiveIn {
            serials_checked: true,
            seal_checked: true,
            quantity_checked: true,
        },
    )
    .await
    .map_err(failed("receiving"))?;
    let receive = secs_since(started);
    eprintln!(
        "requisition received in {:.1} s",
        request + approve + prepare + hand_over + receive
    );
    Ok(RequisitionTimes {
        request,
        approve,
        prepare,
        hand_over,
        receive,
    })
}

/// Day 1: the department stamps every voucher of `all`.
async fn stamp(s: &Story, all: SerialRange) -> anyhow::Result<f64> {
    let started = Instant::now();
    stock::stamp(
        &s.clerk,
        &stock::StampIn {
            store_code: "HQ".into(),
            ranges: all.to_string(),
        },
    )
    .await
    .map_err(failed("stamping"))?;
    let stamp_secs = secs_since(started);
    eprintln!("stamped in {stamp_secs:.1} s");
    Ok(stamp_secs)
}

/// The running server and a client for it.
struct Served {
    base: String,
    client: reqwest::Client,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<()>,
}

/// Serves the app on a random port.
async fn serve(app: &App, tills: usize) -> anyhow::Result<Served> {
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
    Ok(Served {
        base,
        client,
        stop,
        server,
    })
}

/// What the phases over HTTP measured.
struct OverHttp {
    desks: usize,
    tills: usize,
    sales: Timed,
    releases: Timed,
    deposit_secs: f64,
    redeems: Timed,
}

/// Days 2–25: range sales by transfer from several desks, spread over the days.
async fn sell_phase(
    s: &Story,
    web: &Served,
    b: &VoucherBench,
    all: SerialRange,
    desks: usize,
) -> anyhow::Result<(Vec<i64>, Timed)> {
    let sale_count = b.vouchers.div_ceil(b.sale_size);
    goto(&s.clock, local(s.tz, s.month_start, 2, 10)?);
    let before = write_counts(&s.app);
    let started = Instant::now();
    let (sale_ids, sale_lat, sale_errors) = http::sell_all(
        &web.client,
        &web.base,
        &s.desk_token,
        &s.clock,
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
        per_commit(before, write_counts(&s.app)),
    );
    eprintln!(
        "{} range sales in {:.1} s, {} errors",
        sales_timed.count, sales_timed.secs, sales_timed.errors
    );
    Ok((sale_ids, sales_timed))
}

/// Day 26: the counter-deposit slips are shown; the vouchers are handed over; finance gets
/// the internal deposit slip. Returns the releases' timing and the deposit slip's time.
async fn release_phase(
    s: &Story,
    web: &Served,
    sale_ids: &[i64],
    desks: usize,
) -> anyhow::Result<(Timed, f64)> {
    goto(&s.clock, local(s.tz, s.month_start, 26, 10)?);
    let before = write_counts(&s.app);
    let started = Instant::now();
    let (release_lat, release_errors) =
        http::release_all(&web.client, &web.base, &s.desk_token, sale_ids, desks).await;
    let releases_timed = Timed::new(
        release_lat,
        release_errors,
        secs_since(started),
        per_commit(before, write_counts(&s.app)),
    );
    eprintln!(
        "{} releases in {:.1} s, {} errors",
        releases_timed.count, releases_timed.secs, releases_timed.errors
    );
    let started = Instant::now();
    sales::deposit(
        &s.clerk,
        &sales::DepositIn {
            store_code: "HQ".into(),
            kind: "cheque".into(),
        },
    )
    .await
    .map_err(failed("the deposit slip"))?;
    Ok((releases_timed, secs_since(started)))
}

/// Day 27: the tills redeem vouchers spread over the whole series.
async fn redeem_phase(
    s: &Story,
    web: &Served,
    all: SerialRange,
    redeems: u64,
) -> anyhow::Result<Timed> {
    goto(&s.clock, local(s.tz, s.month_start, 27, 10)?);
    let before = write_counts(&s.app);
    let started = Instant::now();
    let (redeem_lat, redeem_errors) = http::redeem_many(
        &web.client,
        &web.base,
        &s.till_keys,
        s.app.secrets.voucher_key,
        all,
        redeems,
    )
    .await;
    let redeems_timed = Timed::new(
        redeem_lat,
        redeem_errors,
        secs_since(started),
        per_commit(before, write_counts(&s.app)),
    );
    eprintln!(
        "{} redeems in {:.1} s, {} errors",
        redeems_timed.count, redeems_timed.secs, redeems_timed.errors
    );
    Ok(redeems_timed)
}

/// Sales, releases, the deposit slip and redeems, against the served app.
async fn over_http(s: &Story, b: &VoucherBench, all: SerialRange) -> anyhow::Result<OverHttp> {
    let tills = s.till_keys.len();
    let web = serve(&s.app, tills).await?;
    let desks = tills.min(8);
    let (sale_ids, sales) = sell_phase(s, &web, b, all, desks).await?;
    let (releases, deposit_secs) = release_phase(s, &web, &sale_ids, desks).await?;
    let redeems = redeem_phase(s, &web, all, b.redeems).await?;
    let _ = web.stop.send(());
    let _ = web.server.await;
    Ok(OverHttp {
        desks,
        tills,
        sales,
        releases,
        deposit_secs,
        redeems,
    })
}

/// What the month's close measured.
struct MonthEnd {
    figures_secs: f64,
    figures: reconcile::MonthFigures,
    sign_department_secs: f64,
    sign_finance_secs: f64,
    check_secs: f64,
    check: groupbuy::check::VoucherCheck,
    database_bytes: u64,
}

/// The 1st of this month: the month is reconciled, signed by both sides, and checked.
async fn close_month(s: &Story) -> anyhow::Result<MonthEnd> {
    goto(&s.clock, local(s.tz, s.this_month, 1, 9)?);
    let stores = s.app.cache.stores(&s.app.db).await?;
    let info = stores.by_id(s.store_id).cloned().context("store HQ")?;
    let started = Instant::now();
    let figures = reconcile::figures(&s.app.db, &info, &s.month)
        .await
        .map_err(failed("the month's figures"))?;
    let figures_secs = secs_since(started);
    let started = Instant::now();
    reconcile::sign_department(&s.manager, "HQ", &s.month)
        .await
        .map_err(failed("the department's signature"))?;
    let sign_department_secs = secs_since(started);
    let started = Instant::now();
    reconcile::sign_finance(&s.finance, "HQ", &s.month)
        .await
        .map_err(failed("finance's signature"))?;
    let sign_finance_secs = secs_since(started);
    let started = Instant::now();
    let check = groupbuy::check::verify(&s.app.db).await?;
    let check_secs = secs_since(started);
    let database_bytes = database_size(&s.app, &s.tdb).await?;
    Ok(MonthEnd {
        figures_secs,
        figures,
        sign_department_secs,
        sign_finance_secs,
        check_secs,
        check,
        database_bytes,
    })
}

pub async fn run_vouchers(b: &VoucherBench) -> anyhow::Result<VoucherReport> {
    anyhow::ensure!(b.vouchers >= 1, "--vouchers must be at least 1");
    anyhow::ensure!(b.sale_size >= 1, "--sale-size must be at least 1");
    anyhow::ensure!(
        b.redeems <= b.vouchers,
        "--redeems cannot exceed --vouchers"
    );
    let n = i64::try_from(b.vouchers).context("--vouchers")?;
    let story = set_up(b).await?;

    // Day 1: finance prints, the department requisitions, receives and stamps.
    let (all, print_secs) = print_series(&story, n).await?;
    let req = requisition(&story, all, n).await?;
    let stamp_secs = stamp(&story, all).await?;

    let http = over_http(&story, b, all).await?;
    let month_end = close_month(&story).await?;
    story.app.db.close().await;

    Ok(VoucherReport {
        backend: match b.backend {
            TestBackend::Sqlite => "sqlite",
            TestBackend::Postgres => "postgres",
        },
        vouchers: b.vouchers,
        sale_size: b.sale_size,
        desks: http.desks,
        tills: http.tills,
        month: story.month,
        print_secs,
        request_secs: req.request,
        approve_secs: req.approve,
        prepare_secs: req.prepare,
        hand_over_secs: req.hand_over,
        receive_secs: req.receive,
        stamp_secs,
        sales: http.sales,
        releases: http.releases,
        deposit_secs: http.deposit_secs,
        redeems: http.redeems,
        figures_secs: month_end.figures_secs,
        figures: month_end.figures,
        sign_department_secs: month_end.sign_department_secs,
        sign_finance_secs: month_end.sign_finance_secs,
        check_secs: month_end.check_secs,
        check: month_end.check,
        database_bytes: month_end.database_bytes,
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
            let bytes = crate::bench::store::pg_database_size(&app.db).await?;
            u64::try_from(bytes).unwrap_or(0)
        }
    })
}
