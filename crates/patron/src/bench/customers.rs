//! `patron bench customers`: the callback overdue list and a holiday campaign over many
//! customers (issue 14). Loads `customers` customers owned by 50 salespeople with
//! `callbacks` callbacks in all (a year of them each, the last 0–29 days before
//! 2027-08-24), then, with the clock at 2027-08-24 10:00 Beijing time (22 days before the
//! Mid-Autumn Festival of 2027-09-15), times: everyone's overdue list (the manager's page and the
//! API), one salesperson's, and building the Mid-Autumn 2027 call campaign (every owned customer
//! ranked and spread over the call week, with gift visits). Not a test.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{TimeZone, Utc};
use patron_core::calendar::FestivalCode;

use crate::areas::customers::callbacks::{campaigns, overdue};
use crate::bench::store::customers as seed;
use crate::kernel::clock::ManualClock;
use crate::kernel::config::Secrets;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::Backend;
use crate::kernel::db::testing::TestBackend;

#[derive(Debug, Clone)]
pub struct CustomersBench {
    pub backend: TestBackend,
    pub customers: u64,
    pub callbacks: u64,
}

#[derive(Debug, Clone)]
pub struct CustomersReport {
    pub backend: &'static str,
    pub customers: i64,
    pub callbacks: i64,
    pub load_secs: f64,
    pub overdue_all: usize,
    pub overdue_all_secs: f64,
    pub overdue_one: usize,
    pub overdue_one_secs: f64,
    pub campaign_calls: u64,
    pub campaign_secs: f64,
    pub campaign_again_secs: f64,
}

impl std::fmt::Display for CustomersReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "patron bench customers ({})", self.backend)?;
        writeln!(
            f,
            "loaded                       {} customers, {} callbacks in {:.1} s",
            self.customers, self.callbacks, self.load_secs
        )?;
        writeln!(
            f,
            "overdue list, everyone       {:.3} s ({} customers overdue)",
            self.overdue_all_secs, self.overdue_all
        )?;
        writeln!(
            f,
            "overdue list, one person     {:.3} s ({} customers overdue)",
            self.overdue_one_secs, self.overdue_one
        )?;
        writeln!(
            f,
            "Mid-Autumn 2027 campaign     {:.2} s ({} calls planned)",
            self.campaign_secs, self.campaign_calls
        )?;
        write!(
            f,
            "the same campaign again      {:.3} s (built once: nothing written)",
            self.campaign_again_secs
        )
    }
}

pub async fn run_customers(b: &CustomersBench) -> anyhow::Result<CustomersReport> {
    let (_tdb, db, config) = crate::bench::database(b.backend).await?;
    let at = Utc
        .with_ymd_and_hms(2027, 8, 24, 2, 0, 0)
        .single()
        .context("clock")?;
    let app = App::new(
        db.clone(),
        Arc::new(ManualClock::new(at)),
        config,
        Secrets::generate(),
    );
    let cli = Ctx::new(
        app.clone(),
        Actor::Cli {
            os_user: "bench".into(),
        },
        None,
    );
    crate::bench::create_hq(&cli)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let pg = app.db.backend() == Backend::Postgres;
    let per_customer = (b.callbacks / b.customers.max(1)).max(1);
    let started = Instant::now();
    for sql in seed::load_statements(pg, b.customers, per_customer) {
        let t = Instant::now();
        let head = sql_head(&sql);
        app.db
            .write(move |tx| {
                let sql = sql.clone();
                Box::pin(async move { seed::execute(tx, &sql).await })
            })
            .await?;
        eprintln!("  {:.1} s  {head}", t.elapsed().as_secs_f64());
    }
    let load_secs = started.elapsed().as_secs_f64();
    let customers = seed::count(&app.db, "customers").await?;
    let callbacks = seed::count(&app.db, "customer_callbacks").await?;

    // The manager's view: everyone's overdue customers (a CLI actor holds every permission).
    let started = Instant::now();
    let all = overdue::due_of(&cli, None, 0)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let overdue_all_secs = started.elapsed().as_secs_f64();
    let one_owner = seed::first_salesperson(&app.db).await?;
    let started = Instant::now();
    let one = overdue::due_of(&cli, Some(one_owner), 0)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let overdue_one_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let built = campaigns::build(&cli, FestivalCode::MidAutumn, 2027)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let campaign_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    campaigns::build(&cli, FestivalCode::MidAutumn, 2027)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let campaign_again_secs = started.elapsed().as_secs_f64();
    app.db.close().await;
    Ok(CustomersReport {
        backend: if pg { "PostgreSQL" } else { "SQLite" },
        customers,
        callbacks,
        load_secs,
        overdue_all: all.len(),
        overdue_all_secs,
        overdue_one: one.len(),
        overdue_one_secs,
        campaign_calls: built.calls,
        campaign_secs,
        campaign_again_secs,
    })
}

fn sql_head(sql: &str) -> String {
    sql.chars().take(48).collect()
}
