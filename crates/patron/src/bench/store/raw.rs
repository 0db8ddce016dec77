//! The statements one receipt costs in Patron (see `points::receipts::accrue`), run by the
//! database alone with the same durability, for `patron bench pos` to compare with.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use sqlx::Connection;

use crate::bench::{card_of, member_for};
use crate::kernel::db::testing::TestBackend;

/// The statements one receipt costs in Patron, run by the database alone with the same
/// durability: SQLite in transactions of `batch` receipts on one connection (synchronous=FULL,
/// WAL), PostgreSQL one transaction per receipt on `concurrency` connections.
pub async fn raw_receipts(
    url: &str,
    backend: TestBackend,
    members: u64,
    n: u64,
    batch: u64,
    concurrency: usize,
) -> anyhow::Result<()> {
    let (now, expires, month) = receipt_day();
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

/// The lines every bench receipt carries.
const LINES: &str =
    r#"[{"line_no":1,"sku":"A","amount_fen":10000,"promotional":false,"points":100}]"#;

/// The time every bench receipt is at, the expiry of the lot its points go to, and its month.
fn receipt_day() -> (chrono::DateTime<Utc>, NaiveDate, String) {
    let now = crate::kernel::db::ts(Utc::now());
    let today = now.date_naive();
    let expires = patron_core::points::lot_expiry(today, 24);
    (now, expires, today.format("%Y-%m").to_string())
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
    .bind(LINES)
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

/// The same receipts as `raw_receipts` on SQLite, run by a native client: rusqlite, a
/// synchronous binding, each statement prepared once and cached, in transactions of `batch`
/// receipts on one connection with Patron's durability (WAL, synchronous=FULL, foreign keys).
/// What the SQLite engine itself does on this machine: the figure issue 18 measures Patron's
/// till path against.
pub async fn native_receipts(
    path: &str,
    members: u64,
    first: u64,
    n: u64,
    batch: u64,
) -> anyhow::Result<()> {
    let path = path.to_string();
    tokio::task::spawn_blocking(move || native_receipts_blocking(&path, members, first, n, batch))
        .await??;
    Ok(())
}

fn native_receipts_blocking(
    path: &str,
    members: u64,
    first: u64,
    n: u64,
    batch: u64,
) -> anyhow::Result<()> {
    use rusqlite::params;
    let (now, expires, month) = receipt_day();
    let at = crate::kernel::db::audit::chain_time(now);
    let expires = expires.to_string();
    let hash = "0".repeat(64);
    let c = rusqlite::Connection::open(path)?;
    c.execute_batch(
        "pragma journal_mode = wal; pragma synchronous = full; pragma foreign_keys = on; \
         pragma cache_size = -32768; pragma busy_timeout = 10000;",
    )?;
    let mut i = first;
    let end = first + n;
    while i < end {
        c.execute_batch("begin immediate")?;
        let stop = (i + batch).min(end);
        while i < stop {
            let card = card_of(member_for(i, members));
            let member_id: i64 = c
                .prepare_cached(
                    "select c.member_id, c.state, c.expires_on, m.tier_code, m.name \
                     from cards c join members m on m.id = c.member_id where c.card_no = ?1",
                )?
                .query_row(params![card], |r| {
                    let _: (String, String, String, String) =
                        (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                    r.get(0)
                })?;
            let points = 100 + (i % 500) as i64;
            let balance: i64 = c
                .prepare_cached(
                    "update members set points_balance = points_balance + ?1 where id = ?2 \
                     returning points_balance",
                )?
                .query_row(params![points, member_id], |r| r.get(0))?;
            let source = format!("RAW{i}");
            c.prepare_cached(
                "insert into point_entries (member_id, at, kind, points, balance_after, store_id, \
                 source_ref, till_id, staff_id, note) \
                 values (?1, ?2, 'receipt', ?3, ?4, 1, ?5, 'B1', null, '')",
            )?
            .execute(params![member_id, at, points, balance, source])?;
            c.prepare_cached(
                "insert into point_lots (member_id, expires_on, earned, remaining) \
                 values (?1, ?2, ?3, ?3) on conflict (member_id, expires_on) do update set \
                 earned = point_lots.earned + excluded.earned, \
                 remaining = point_lots.remaining + excluded.remaining",
            )?
            .execute(params![member_id, expires, points])?;
            c.prepare_cached(
                "insert into member_spend (member_id, month, amount_fen, purchases) \
                 values (?1, ?2, ?3, 1) on conflict (member_id, month) do update set \
                 amount_fen = member_spend.amount_fen + excluded.amount_fen, \
                 purchases = member_spend.purchases + excluded.purchases",
            )?
            .execute(params![member_id, month, points * 100])?;
            let _: (Option<i64>, Option<i64>) = c
                .prepare_cached(
                    "select cast(sum(amount_fen) as bigint), cast(sum(purchases) as bigint) \
                     from member_spend where member_id = ?1 and month >= ?2",
                )?
                .query_row(params![member_id, month], |r| Ok((r.get(0)?, r.get(1)?)))?;
            c.prepare_cached(
                "insert into receipts (store_id, receipt_no, till_id, source, member_id, card_no, \
                 occurred_at, total_fen, points, lines, body_hash, balance_after, tier_code, \
                 tier_changed, staff_id, created_at) \
                 values (1, ?1, 'B1', 'till', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'normal', false, \
                 null, ?4)",
            )?
            .execute(params![
                source,
                member_id,
                card,
                at,
                points * 100,
                points,
                LINES,
                hash,
                balance
            ])?;
            i += 1;
        }
        c.execute_batch("commit")?;
    }
    Ok(())
}
