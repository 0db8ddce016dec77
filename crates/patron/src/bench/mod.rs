//! `patron bench pos`: loads the till API with concurrent receipts over real HTTP against a
//! database of many members, then has the raw database run the same statements with the same
//! durability, and reports both (issue 3, item 10). Not a test: run it by hand.

pub mod rewards;
pub mod vouchers;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use sqlx::Connection;

use crate::kernel::clock::SystemClock;
use crate::kernel::config::{Config, Secrets};
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::testing::{TestBackend, TestDb};
use crate::kernel::db::{Backend, DbError};

/// What to run.
#[derive(Debug, Clone)]
pub struct PosBench {
    pub backend: TestBackend,
    pub members: u64,
    pub receipts: u64,
    pub concurrency: usize,
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
    pub requests_per_commit: f64,
    pub raw_per_sec: f64,
    pub raw_batch: u64,
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
            "raw database         {:.0} receipts/s (same statements, {} per commit, durable)",
            self.raw_per_sec, self.raw_batch
        )?;
        write!(
            f,
            "ratio                {:.0}% of the raw database",
            100.0 * self.per_sec / self.raw_per_sec.max(1.0)
        )
    }
}

fn cli(app: &App) -> Ctx {
    Ctx::new(
        app.clone(),
        Actor::Cli {
            os_user: "bench".into(),
        },
        None,
    )
}

/// The card of member `j` (1-based), as the bench loads them.
fn card_of(j: u64) -> String {
    format!("HQ{j:08}")
}

/// A spread-out member for the `i`th receipt.
fn member_for(i: u64, members: u64) -> u64 {
    (i.wrapping_mul(2_654_435_761) % members) + 1
}

pub async fn run_pos(b: &PosBench) -> anyhow::Result<PosReport> {
    let tdb = TestDb::new(b.backend)
        .await
        .context("making the bench database (PostgreSQL needs PATRON_TEST_PG)")?;
    let db = tdb.open().await?;
    let mut config = Config::load_from(&tdb.dir, figment::providers::Env::prefixed("PATRON_NONE_"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    config.database_url = tdb.url.clone();
    let app = App::new(
        db.clone(),
        Arc::new(SystemClock),
        config,
        Secrets::generate(),
    );
    let ctx = cli(&app);
    let store = crate::areas::staff::create_store(
        &ctx,
        &crate::areas::staff::StoreInput {
            code: "HQ".into(),
            name: "总部".into(),
            time_zone: "Asia/Shanghai".into(),
            active: true,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (_, key) = crate::auth::keys::issue_till_key(&ctx, store.id, "B1", "bench")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let started = Instant::now();
    load_members(&app, store.id, b.members).await?;
    let load_secs = started.elapsed().as_secs_f64();
    eprintln!("loaded {} members in {load_secs:.1} s", b.members);

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
        .pool_max_idle_per_host(b.concurrency)
        .build()?;
    // Warm up connections and caches.
    send_receipts(
        &client,
        &base,
        &key,
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
    let started = Instant::now();
    let (mut latencies, errors) = send_receipts(
        &client,
        &base,
        &key,
        b.members,
        1_000,
        b.receipts,
        b.concurrency,
    )
    .await;
    let secs = started.elapsed().as_secs_f64();
    let after = (
        app.db.write_stats().requests(),
        app.db.write_stats().commits(),
    );
    let _ = stop.send(());
    let _ = server.await;
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |us| f64::from(*us) / 1000.0)
    };
    let requests_per_commit = (after.0 - before.0) as f64 / ((after.1 - before.1).max(1)) as f64;

    let raw_batch = match app.db.backend() {
        Backend::Sqlite => requests_per_commit.round().max(1.0) as u64,
        Backend::Postgres => 1,
    };
    app.db.close().await;
    let raw_started = Instant::now();
    let raw_n = b.receipts;
    raw_receipts(
        &tdb.url,
        b.backend,
        b.members,
        raw_n,
        raw_batch,
        b.concurrency,
    )
    .await?;
    let raw_secs = raw_started.elapsed().as_secs_f64();

    Ok(PosReport {
        backend: match b.backend {
            TestBackend::Sqlite => "sqlite",
            TestBackend::Postgres => "postgres",
        },
        members: b.members,
        load_secs,
        receipts: b.receipts,
        errors,
        secs,
        per_sec: b.receipts as f64 / secs,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        requests_per_commit,
        raw_per_sec: raw_n as f64 / raw_secs,
        raw_batch,
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
    let next = Arc::new(AtomicU64::new(first));
    let end = first + count;
    let errors = Arc::new(AtomicU64::new(0));
    let url = format!("{base}/api/v1/pos/receipts");
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, key, next, errors) = (
            client.clone(),
            url.clone(),
            key.to_string(),
            next.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
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

/// Loads `n` members with active cards straight into the tables, 1,000 per statement.
pub(crate) async fn load_members(app: &App, store_id: i64, n: u64) -> anyhow::Result<()> {
    const CHUNK: u64 = 1_000;
    let pg = app.db.backend() == Backend::Postgres;
    let joined = NaiveDate::from_ymd_opt(2025, 1, 1).context("date")?;
    let expires = NaiveDate::from_ymd_opt(2099, 12, 31).context("date")?;
    let now = crate::kernel::db::ts(Utc::now());
    let mut start = 1;
    while start <= n {
        let end = (start + CHUNK - 1).min(n);
        let mut rows = Vec::with_capacity((end - start + 1) as usize);
        for j in start..=end {
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
            rows.push((
                j as i64,
                format!("会员{j}"),
                birthday,
                app.pii.encrypt(&phone),
                app.pii.lookup("phone", &phone),
                format!("{}****{}", &phone[..3], &phone[7..]),
                tier,
            ));
        }
        let rows = Arc::new(rows);
        let members_sql = {
            let mut s = String::from(
                "insert into members (id, name, birthday, birth_md, phone_enc, phone_hash, phone_masked, \
                 channel, store_id, tier_code, tier_since, joined_on, created_at) ",
            );
            if pg {
                s.push_str("overriding system value ");
            }
            s.push_str("values ");
            for k in 0..rows.len() {
                let b = k * 13;
                if k > 0 {
                    s.push(',');
                }
                s.push_str(&format!(
                    "(${},${},${},${},${},${},${},${},${},${},${},${},${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10,
                    b + 11,
                    b + 12,
                    b + 13
                ));
            }
            s
        };
        let cards_sql = {
            let mut s = String::from(
                "insert into cards (card_no, member_id, store_id, issued_on, expires_on, activated_at, state, created_at) values ",
            );
            for k in 0..rows.len() {
                let b = k * 7;
                if k > 0 {
                    s.push(',');
                }
                s.push_str(&format!(
                    "(${},${},${},${},${},${},'active',${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7
                ));
            }
            s
        };
        let sqls = Arc::new((members_sql, cards_sql));
        app.db
            .write(move |tx| {
                let (rows, sqls) = (rows.clone(), sqls.clone());
                Box::pin(async move {
                    macro_rules! bind_members {
                        ($q:expr) => {{
                            let mut q = $q;
                            for r in rows.iter() {
                                q = q
                                    .bind(r.0)
                                    .bind(&r.1)
                                    .bind(r.2)
                                    .bind(r.2.format("%m-%d").to_string())
                                    .bind(&r.3)
                                    .bind(&r.4)
                                    .bind(&r.5)
                                    .bind("desk")
                                    .bind(store_id)
                                    .bind(r.6)
                                    .bind(joined)
                                    .bind(joined)
                                    .bind(now);
                            }
                            q
                        }};
                    }
                    macro_rules! bind_cards {
                        ($q:expr) => {{
                            let mut q = $q;
                            for r in rows.iter() {
                                q = q
                                    .bind(card_of(r.0 as u64))
                                    .bind(r.0)
                                    .bind(store_id)
                                    .bind(joined)
                                    .bind(expires)
                                    .bind(now)
                                    .bind(now);
                            }
                            q
                        }};
                    }
                    crate::on_tx!(tx, |c| {
                        bind_members!(sqlx::query(sqlx::AssertSqlSafe(sqls.0.clone())))
                            .execute(&mut *c)
                            .await
                            .map(|r| r.rows_affected())
                    })?;
                    crate::on_tx!(tx, |c| {
                        bind_cards!(sqlx::query(sqlx::AssertSqlSafe(sqls.1.clone())))
                            .execute(&mut *c)
                            .await
                            .map(|r| r.rows_affected())
                    })?;
                    Ok::<_, DbError>(())
                })
            })
            .await?;
        start = end + 1;
    }
    if pg {
        crate::on_db!(app.db, |p| {
            sqlx::query("select setval(pg_get_serial_sequence('members', 'id'), (select max(id) from members))")
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// The statements one receipt costs in Patron, run by the database alone with the same
/// durability: SQLite in transactions of `batch` receipts on one connection (synchronous=FULL,
/// WAL), PostgreSQL one transaction per receipt on `concurrency` connections.
async fn raw_receipts(
    url: &str,
    backend: TestBackend,
    members: u64,
    n: u64,
    batch: u64,
    concurrency: usize,
) -> anyhow::Result<()> {
    let now = crate::kernel::db::ts(Utc::now());
    let today = now.date_naive();
    let expires = patron_core::points::lot_expiry(today, 24);
    let month = today.format("%Y-%m").to_string();
    match backend {
        TestBackend::Sqlite => {
            use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
            use std::str::FromStr;
            let opts = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .pragma("cache_size", "-65536");
            let mut c = sqlx::SqliteConnection::connect_with(&opts).await?;
            let mut i = 0;
            while i < n {
                sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut c).await?;
                let stop = (i + batch).min(n);
                while i < stop {
                    raw_one_sqlite(&mut c, i, members, now, expires, &month).await?;
                    i += 1;
                }
                sqlx::raw_sql("COMMIT").execute(&mut c).await?;
            }
        }
        TestBackend::Postgres => {
            let next = Arc::new(AtomicU64::new(0));
            let mut tasks = Vec::new();
            for _ in 0..concurrency {
                let (url, next, month) = (url.to_string(), next.clone(), month.clone());
                tasks.push(tokio::spawn(async move {
                    let mut c = sqlx::PgConnection::connect(&url).await?;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let mut tx = c.begin().await?;
                        raw_one_pg(&mut tx, i, members, now, expires, &month).await?;
                        tx.commit().await?;
                    }
                    Ok::<_, sqlx::Error>(())
                }));
            }
            for t in tasks {
                t.await??;
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}

/// One receipt's statements (see `points::receipts::accrue`), for each backend's connection.
macro_rules! raw_one {
    ($name:ident, $conn:ty) => {
        async fn $name(
            c: &mut $conn,
            i: u64,
            members: u64,
            now: chrono::DateTime<Utc>,
            expires: NaiveDate,
            month: &str,
        ) -> Result<(), sqlx::Error> {
    let card = card_of(member_for(i, members));
    let (member_id, _state, _exp, _tier, _name): (i64, String, NaiveDate, String, String) =
        sqlx::query_as(
            "select c.member_id, c.state, c.expires_on, m.tier_code, m.name \
             from cards c join members m on m.id = c.member_id where c.card_no = $1",
        )
        .bind(card.clone())
        .fetch_one(&mut *c)
        .await?;
    let points = 100 + (i % 500) as i64;
    let (balance,): (i64,) = sqlx::query_as(
        "update members set points_balance = points_balance + $1 where id = $2 returning points_balance",
    )
    .bind(points)
    .bind(member_id)
    .fetch_one(&mut *c)
    .await?;
    sqlx::query(
        "insert into point_entries (member_id, at, kind, points, balance_after, store_id, source_ref, till_id, staff_id, note) \
         values ($1, $2, 'receipt', $3, $4, 1, $5, 'B1', null, '')",
    )
    .bind(member_id)
    .bind(now)
    .bind(points)
    .bind(balance)
    .bind(format!("RAW{i}"))
    .execute(&mut *c)
    .await?;
    sqlx::query(
        "insert into point_lots (member_id, expires_on, earned, remaining) values ($1, $2, $3, $3) \
         on conflict (member_id, expires_on) do update set earned = point_lots.earned + excluded.earned, \
         remaining = point_lots.remaining + excluded.remaining",
    )
    .bind(member_id)
    .bind(expires)
    .bind(points)
    .execute(&mut *c)
    .await?;
    sqlx::query(
        "insert into member_spend (member_id, month, amount_fen, purchases) values ($1, $2, $3, 1) \
         on conflict (member_id, month) do update set amount_fen = member_spend.amount_fen + excluded.amount_fen, \
         purchases = member_spend.purchases + excluded.purchases",
    )
    .bind(member_id)
    .bind(month.to_string())
    .bind(points * 100)
    .execute(&mut *c)
    .await?;
    let _: (Option<i64>, Option<i64>) = sqlx::query_as(
        "select cast(sum(amount_fen) as bigint), cast(sum(purchases) as bigint) from member_spend \
         where member_id = $1 and month >= $2",
    )
    .bind(member_id)
    .bind(month.to_string())
    .fetch_one(&mut *c)
    .await?;
    sqlx::query(
        "insert into receipts (store_id, receipt_no, till_id, source, member_id, card_no, occurred_at, \
         total_fen, points, lines, body_hash, balance_after, tier_code, tier_changed, staff_id, created_at) \
         values (1, $1, 'B1', 'till', $2, $3, $4, $5, $6, $7, $8, $9, 'normal', false, null, $4)",
    )
    .bind(format!("RAW{i}"))
    .bind(member_id)
    .bind(card)
    .bind(now)
    .bind(points * 100)
    .bind(points)
    .bind(r#"[{"line_no":1,"sku":"A","amount_fen":10000,"promotional":false,"points":100}]"#.to_string())
    .bind("0".repeat(64))
    .bind(balance)
    .execute(&mut *c)
    .await?;
    Ok(())
}
    };
}

raw_one!(raw_one_sqlite, sqlx::SqliteConnection);
raw_one!(raw_one_pg, sqlx::PgConnection);
