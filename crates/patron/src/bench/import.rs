//! `patron bench import`: the member import (N3) of a large file while tills keep sending
//! receipts (issue 18). Loads `members` members for the tills, makes an import file of `rows`
//! new members (Chinese names, phones, card numbers from the old system, opening balances on a
//! third of them, a referrer on every tenth), then imports it through the same path as the
//! console and the CLI while `concurrency` tills send receipts over HTTP; prints the import's
//! time and the receipts' latency while it ran, and checks the ledger afterwards. Not a test.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use chrono::{Days, NaiveDate};

use super::{cli, load_members, percentile, send_receipts_until, serve_locally, till_app};
use crate::areas::members::import::{COLUMNS, ImportOptions, import_with};
use crate::jobs::Progress;
use crate::kernel::db::testing::TestBackend;

#[derive(Debug, Clone)]
pub struct ImportBench {
    pub backend: TestBackend,
    /// Members already there (the tills' customers).
    pub members: u64,
    /// Rows in the import file.
    pub rows: u64,
    /// Tills sending receipts while the import runs.
    pub concurrency: usize,
    /// Receipts a second the tills send together (`None`: as fast as they are answered).
    pub per_sec: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct ImportReport {
    pub backend: &'static str,
    pub members: u64,
    pub rows: u64,
    pub imported: usize,
    pub bad: usize,
    pub secs: f64,
    /// Seconds until every row was checked (the rest is the write).
    pub checked_secs: f64,
    pub per_sec: Option<f64>,
    pub receipts: usize,
    pub receipt_errors: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub members_after: i64,
    pub ledger_agrees: bool,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "backend              {}", self.backend)?;
        writeln!(f, "members before       {}", self.members)?;
        writeln!(
            f,
            "import               {} rows: {} imported, {} bad, in {:.1} s ({:.0} rows/s; checked after {:.1} s)",
            self.rows,
            self.imported,
            self.bad,
            self.secs,
            self.rows as f64 / self.secs.max(0.001),
            self.checked_secs
        )?;
        writeln!(
            f,
            "receipts meanwhile   {} ({} errors, {:.0}/s{}), p50 {:.2} ms, p99 {:.2} ms, worst {:.2} ms",
            self.receipts,
            self.receipt_errors,
            self.receipts as f64 / self.secs.max(0.001),
            match self.per_sec {
                Some(r) => format!(" of {r:.0}/s asked"),
                None => " as fast as answered".to_string(),
            },
            self.p50_ms,
            self.p99_ms,
            self.max_ms
        )?;
        write!(
            f,
            "afterwards           {} members; balances against the ledger: {}",
            self.members_after,
            if self.ledger_agrees {
                "all agree"
            } else {
                "DIFFERENCES"
            }
        )
    }
}

/// The import file's card number of row `k` (0-based): the old system's numbers.
fn old_card(k: u64) -> String {
    format!("HQ5{k:07}")
}

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳"];

/// The import file: the header (in the order of `COLUMNS`) and `n` rows.
fn file(n: u64) -> (Vec<String>, Vec<Vec<String>>) {
    let header: Vec<String> = COLUMNS.iter().map(|c| (*c).to_string()).collect();
    let epoch = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap_or_default();
    let rows = (0..n)
        .map(|k| {
            let name = format!(
                "{}{}{}",
                SURNAMES[(k % 12) as usize],
                GIVEN[(k / 12 % 10) as usize],
                GIVEN[(k / 120 % 10) as usize]
            );
            let birthday = epoch
                .checked_add_days(Days::new(k % 16_000))
                .unwrap_or(epoch);
            let tier = ["normal", "normal", "silver", "gold"][(k % 4) as usize];
            let points = if k % 3 == 0 {
                (100 + k % 5_000).to_string()
            } else {
                String::new()
            };
            let referrer = if k % 10 == 5 {
                old_card(k - 1)
            } else {
                String::new()
            };
            // card_no, name, gender, birthday, phone, id_type, id_no, store_code, tier,
            // joined_on, card_expires_on, points, channel, referrer_card_no, marketing_consent
            vec![
                old_card(k),
                name,
                if k % 2 == 0 { "女" } else { "男" }.to_string(),
                birthday.to_string(),
                format!("138{k:08}"),
                String::new(),
                String::new(),
                "HQ".to_string(),
                tier.to_string(),
                "2024-03-01".to_string(),
                String::new(),
                points,
                "服务台".to_string(),
                referrer,
                if k % 5 == 0 { "是" } else { "" }.to_string(),
            ]
        })
        .collect();
    (header, rows)
}

pub async fn run_import(b: &ImportBench) -> anyhow::Result<ImportReport> {
    anyhow::ensure!(b.rows < 10_000_000, "--rows is at most 9,999,999");
    let (_tdb, app, store_id, key) = till_app(b.backend).await?;
    let ctx = cli(&app);
    let started = Instant::now();
    load_members(&app, store_id, b.members.max(1)).await?;
    eprintln!(
        "loaded {} members in {:.1} s",
        b.members.max(1),
        started.elapsed().as_secs_f64()
    );
    let (header, rows) = file(b.rows);

    let (base, stop_server, server) = serve_locally(&app).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(b.concurrency)
        .build()?;
    let stop = Arc::new(AtomicBool::new(false));
    let tills = {
        let (client, base, key, stop, members, concurrency, per_sec) = (
            client.clone(),
            base.clone(),
            key.clone(),
            stop.clone(),
            b.members.max(1),
            b.concurrency,
            b.per_sec,
        );
        tokio::spawn(async move {
            send_receipts_until(
                &client,
                &base,
                &key,
                members,
                (0, u64::MAX / 2),
                concurrency,
                per_sec,
                stop,
            )
            .await
        })
    };

    // When the write's progress begins, the check is over.
    let started = Instant::now();
    let checked_ms = Arc::new(AtomicU64::new(0));
    let progress: Progress = {
        let checked_ms = checked_ms.clone();
        let file_rows = rows.len() as u64;
        Arc::new(move |_done, total| {
            // The check counts the file's rows; the write counts twice the good rows.
            if total != file_rows {
                let _ = checked_ms.compare_exchange(
                    0,
                    started.elapsed().as_millis() as u64,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
        })
    };
    let report = import_with(
        &ctx,
        "HQ",
        &header,
        &rows,
        Some(progress),
        ImportOptions::default(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let (mut latencies, receipt_errors) = tills.await.context("the tills")?;
    let _ = stop_server.send(());
    let _ = server.await;
    latencies.sort_unstable();

    let members_after = crate::bench::store::count_members(&app.db).await?;
    let (_, diffs) = crate::areas::points::check::verify_balances(&app.db, 10).await?;
    app.db.close().await;
    Ok(ImportReport {
        backend: match b.backend {
            TestBackend::Sqlite => "sqlite",
            TestBackend::Postgres => "postgres",
        },
        members: b.members.max(1),
        rows: b.rows,
        imported: report.imported,
        bad: report.bad.len(),
        secs,
        checked_secs: checked_ms.load(Ordering::Relaxed) as f64 / 1000.0,
        per_sec: b.per_sec,
        receipts: latencies.len(),
        receipt_errors,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().map_or(0.0, |us| f64::from(*us) / 1000.0),
        members_after,
        ledger_agrees: diffs.is_empty(),
    })
}
