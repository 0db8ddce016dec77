//! What the `patron` command line does. `main.rs` parses arguments and calls these; each
//! returns an error with one clear line, which `main` prints before exiting non-zero.

pub mod args;
pub mod report;
pub mod run;
pub mod safety;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};

use crate::areas::staff::{self, GrantInput, StaffInput, StoreInput};
use crate::kernel::clock::SystemClock;
use crate::kernel::config::{self, Config, Secrets};
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::Db;
use crate::web::error::AppError;

/// Opens the application for data directory `dir`: configuration, secrets, database, and
/// migrations applied.
pub async fn open(dir: &Path) -> anyhow::Result<App> {
    if !dir.is_dir() {
        bail!(
            "there is no Patron data directory at {}: make one with `patron init --dir {}` (or try `patron demo`)",
            dir.display(),
            dir.display()
        );
    }
    // It holds the keys and the database: owner-only, however it was made.
    crate::kernel::files::private_dir(dir)
        .with_context(|| format!("making {} owner-only", dir.display()))?;
    let config = Config::load(dir).map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    let secrets =
        Secrets::load(&config.data_dir).map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    let db = Db::open_url(&config.database_url()).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot open the database ({}): {e}",
            redact(&config.database_url())
        )
    })?;
    db.migrate().await.context("migrating the database")?;
    Ok(App::new(db, Arc::new(SystemClock), config, secrets))
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// The context of someone at the server's command line.
pub fn cli_ctx(app: &App) -> Ctx {
    Ctx::new(app.clone(), Actor::Cli { os_user: os_user() }, None)
}

/// Who is at the command line: `$USER`, `$LOGNAME`, or the process's numeric user id.
fn os_user() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(name) = std::env::var(var)
            && !name.is_empty()
        {
            return name;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata("/proc/self") {
            return format!("uid{}", meta.uid());
        }
    }
    "unknown".into()
}

/// Turns a use-case error into one line for the terminal.
pub fn explain(e: impl Into<AppError>) -> anyhow::Error {
    let e: AppError = e.into();
    let mut line = crate::web::i18n::Lang::En.t(e.code.key).to_string();
    for f in &e.fields {
        line.push_str(&format!(
            "; {}: {}",
            f.field,
            crate::web::i18n::Lang::En.t(f.key)
        ));
    }
    if let Some(d) = e.detail {
        line.push_str(&format!(" ({d})"));
    }
    if let Some(c) = e.cause {
        line.push_str(&format!(" [{c}]"));
    }
    anyhow::anyhow!(line)
}

/// What `init` made.
pub struct Initialized {
    pub dir: std::path::PathBuf,
    pub admin_username: String,
    pub admin_password: String,
    pub store_code: String,
}

/// Makes a data directory: configuration file, owner-only secrets file, SQLite database, the
/// first store and the first administrator (with a one-time password).
pub async fn init(
    dir: &Path,
    admin_username: &str,
    store_code: &str,
    store_name: &str,
    database_url: Option<&str>,
) -> anyhow::Result<Initialized> {
    if dir.join(config::CONFIG_FILE).exists() || dir.join(config::SECRETS_FILE).exists() {
        bail!(
            "{} already holds a Patron data directory; choose another --dir",
            dir.display()
        );
    }
    crate::kernel::files::private_dir(dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    let db_line = match database_url {
        Some(u) => format!("database_url = \"{u}\"\n"),
        None => "# database_url = \"postgres://user@host/patron\"  # empty: SQLite file patron.db here\n".into(),
    };
    let toml = format!(
        "# Patron configuration. Every setting can also be given as a PATRON_* environment\n\
         # variable (nested ones with __, e.g. PATRON_LOGIN__MAX_FAILURES=3).\n\
         {db_line}listen = \"127.0.0.1:8080\"\n\
         public_url = \"http://127.0.0.1:8080\"\n\
         default_lang = \"zh-CN\"\n\
         time_zone = \"Asia/Shanghai\"\n\n\
         [session]\nidle_timeout_minutes = 30\nabsolute_timeout_hours = 12\n\n\
         [login]\nmax_failures = 5\nlock_minutes = 15\n\
         # addresses of reverse proxies whose X-Forwarded-For names the client\n\
         trusted_proxies = []\n\n\
         [pos]\n# how old and how far ahead a till's receipt may be\n\
         receipt_max_age_days = 7\nreceipt_max_future_minutes = 5\n"
    );
    // Owner-only: a PostgreSQL URL may carry a password.
    config::write_private(&dir.join(config::CONFIG_FILE), &toml).context("writing patron.toml")?;
    Secrets::generate()
        .write_new(&dir.join(config::SECRETS_FILE))
        .context("writing secrets.toml")?;
    let app = open(dir).await?;
    let ctx = cli_ctx(&app);
    let store = staff::create_store(
        &ctx,
        &StoreInput {
            code: store_code.into(),
            name: store_name.into(),
            time_zone: app.config.time_zone.clone(),
            active: true,
            email: String::new(),
        },
    )
    .await
    .map_err(explain)?;
    let (_, password) = staff::create_staff(
        &ctx,
        &StaffInput {
            username: admin_username.into(),
            display_name: "系统管理员".into(),
            lang: app.config.default_lang.clone(),
            grants: vec![GrantInput {
                role: "admin".into(),
                store_id: store.id,
            }],
        },
    )
    .await
    .map_err(explain)?;
    app.db.close().await;
    Ok(Initialized {
        dir: dir.to_path_buf(),
        admin_username: admin_username.trim().to_ascii_lowercase(),
        admin_password: password,
        store_code: store.code,
    })
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(app: App) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&app.config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", app.config.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "patron is serving");
    println!("Patron is serving on http://{addr}  (Ctrl-C stops it)");
    let db = app.db.clone();
    // Exports left running by a process that stopped will not finish: say so on their page.
    if let Err(e) = crate::areas::reports::exports::abandon_running(&cli_ctx(&app)).await {
        tracing::warn!(error = %e, "marking interrupted exports failed");
    }
    // A member import a stopped process left is finished (or, not yet publishing, abandoned)
    // once it has been quiet long enough to be sure no other process is still running it.
    let imports = tokio::spawn(finish_imports(cli_ctx(&app)));
    let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
    crate::jobs::spawn_scheduler(app.clone(), crate::app::jobs::all(), jobs_stopped);
    crate::app::serve(app, listener, shutdown_signal()).await?;
    let _ = stop_jobs.send(true);
    imports.abort();
    db.close().await;
    Ok(())
}

/// Finishes member imports left unfinished, checking every 30 s while one is still running.
async fn finish_imports(ctx: Ctx) {
    loop {
        match crate::areas::members::import::finish_unfinished(&ctx).await {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "finishing an interrupted member import failed"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }
}

/// `patron import members FILE`: whether everything was imported.
pub async fn import_members(
    app: &App,
    file: &Path,
    store: &str,
    options: crate::areas::members::import::ImportOptions,
) -> anyhow::Result<bool> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.to_string_lossy().to_string();
    let (header, rows) = crate::areas::members::import::read_file(&name, &bytes)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let bar = indicatif::ProgressBar::new(rows.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("import");
    let b = bar.clone();
    let progress: crate::jobs::Progress = std::sync::Arc::new(move |done, total| {
        b.set_length(total.max(done));
        b.set_position(done);
    });
    let started = std::time::Instant::now();
    let ctx = cli_ctx(app);
    let report = crate::areas::members::import::import_with(
        &ctx,
        store,
        &header,
        &rows,
        Some(progress),
        options,
    )
    .await
    .map_err(explain_members)?;
    bar.finish_and_clear();
    let en = crate::web::i18n::Lang::En;
    if report.bad.is_empty() {
        let secs = started.elapsed().as_secs_f64();
        println!(
            "imported {} members from {} rows in {secs:.1} s ({:.0} rows/s)",
            report.imported,
            report.rows,
            report.rows as f64 / secs.max(0.001)
        );
        if report.portal_passwords > 0 {
            println!(
                "sent {} temporary portal passwords by SMS (to be changed at first login)",
                report.portal_passwords
            );
        }
        return Ok(true);
    }
    for b in &report.bad {
        println!("line {}: {}: {}", b.line, b.field, en.t(b.reason));
    }
    println!(
        "{} problems in {} rows: nothing was imported",
        report.bad.len(),
        report.rows
    );
    Ok(false)
}

fn explain_members(e: crate::areas::members::MembersError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// `patron job run NAME`: runs one job now for today's business date, with a progress bar.
pub async fn job_run(app: &App, name: &str) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(name.to_string());
    let b = bar.clone();
    let progress: crate::jobs::Progress = std::sync::Arc::new(move |done, total| {
        b.set_length(total.max(done));
        b.set_position(done);
    });
    let today = app.clock.now().with_timezone(&app.config.tz()).date_naive();
    let report = crate::app::jobs::run(app, name, today, Some(progress))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    if report.already_done {
        println!(
            "{name}: already done for {} (nothing to do)",
            report.run_key
        );
    } else {
        println!(
            "{name} ({}): {} changed of {} looked at{}",
            report.run_key,
            report.processed,
            report.seen,
            if report.failed > 0 {
                format!(", {} failed", report.failed)
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Parses `role@STORE` grants given on the command line.
pub async fn parse_cli_grants(ctx: &Ctx, specs: &[String]) -> anyhow::Result<Vec<GrantInput>> {
    let stores = staff::list_stores(ctx).await.map_err(explain)?;
    specs
        .iter()
        .map(|spec| {
            let (role, store) = spec.split_once('@').with_context(|| {
                format!("{spec:?}: write a role as ROLE@STORE_CODE, e.g. clerk@HQ")
            })?;
            let store = stores
                .iter()
                .find(|s| s.code.eq_ignore_ascii_case(store))
                .with_context(|| format!("{spec:?}: there is no store {store:?}"))?;
            Ok(GrantInput {
                role: role.to_string(),
                store_id: store.id,
            })
        })
        .collect()
}

/// `patron audit verify` / part of `patron check`: true when the chain is intact.
/// Recomputes every points balance from the ledger and the lots; prints what disagrees.
pub async fn points_verify(app: &App) -> anyhow::Result<bool> {
    let (checked, diffs) = crate::areas::points::check::verify_balances(&app.db, 100).await?;
    if diffs.is_empty() {
        println!("points: {checked} balances recomputed from the ledger and the lots, all agree");
        return Ok(true);
    }
    for d in &diffs {
        println!(
            "points: member #{} stores {} but the ledger sums to {} and the lots to {}",
            d.member_id, d.stored, d.ledger, d.lots
        );
    }
    println!("points: {} of {checked} balances DISAGREE", diffs.len());
    Ok(false)
}

/// Recomputes voucher states, department stock and closed months from the movement ledger.
pub async fn vouchers_verify(app: &App) -> anyhow::Result<bool> {
    let r = crate::areas::groupbuy::check::verify(&app.db).await?;
    for (state, held, ledger) in &r.state_diffs {
        println!("vouchers: {held} are {state} but the movements say {ledger}");
    }
    for (store, held, ledger) in &r.stock_diffs {
        println!("vouchers: store #{store} holds {held} in stock but the movements say {ledger}");
    }
    for (store, month) in &r.month_diffs {
        println!(
            "vouchers: the signed figures of store #{store} for {month} no longer match the ledger"
        );
    }
    if r.ok() {
        println!(
            "vouchers: {} vouchers and {} movements agree; {} closed months unchanged",
            r.vouchers, r.movements, r.months_checked
        );
    }
    Ok(r.ok())
}

pub async fn audit_verify(app: &App) -> anyhow::Result<bool> {
    let report = crate::kernel::audit::verify(&app.db).await?;
    match report.broken {
        None => {
            println!(
                "audit log: {} entries verified, the chain is intact",
                report.verified
            );
            Ok(true)
        }
        Some(b) => {
            println!(
                "audit log: BROKEN at entry {}: {b} ({} entries before it verified)",
                b.seq(),
                report.verified
            );
            Ok(false)
        }
    }
}
