//! What each command does: `run` dispatches the parsed command line to one function per
//! command, each opening the data directory, calling the library's use cases, and printing
//! the outcome.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::args::{
    AuditCommand, BenchCommand, Cli, Command, ImportCommand, JobCommand, TillCommand, TokenCommand,
    UserCommand,
};
use super::{cli_ctx, explain};
use crate::areas::staff;
use crate::kernel::db::testing::TestBackend;

/// Logs go to stderr, as text or JSON per the `log_format` setting (file or PATRON_LOG_FORMAT);
/// `PATRON_LOG` sets the filter. A configuration that does not load is reported by the command.
pub fn init_logging(dir: &std::path::Path) {
    let json = crate::kernel::config::Config::load(dir).is_ok_and(|c| c.log_format == "json");
    let filter = tracing_subscriber::EnvFilter::try_from_env("PATRON_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Runs the command `cli` names; the exit code says whether it found everything in order.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let dir = cli.dir;
    match cli.command {
        Command::Init {
            admin,
            store_code,
            store_name,
            database_url,
        } => {
            init(
                &dir,
                &admin,
                &store_code,
                &store_name,
                database_url.as_deref(),
            )
            .await?
        }
        Command::Serve => super::serve(super::open(&dir).await?).await?,
        Command::Migrate => {
            let app = super::open(&dir).await?;
            app.db.close().await;
            println!("migrations applied");
        }
        Command::User(u) => user(&dir, u).await?,
        Command::Till(t) => till(&dir, t).await?,
        Command::Token(t) => token(&dir, t).await?,
        Command::Audit(AuditCommand::Verify) => {
            let app = super::open(&dir).await?;
            let ok = super::audit_verify(&app).await?;
            app.db.close().await;
            return Ok(exit(ok));
        }
        Command::Check => return check(&dir).await,
        Command::Import(ImportCommand::Members {
            file,
            store,
            portal_passwords,
        }) => {
            let app = super::open(&dir).await?;
            let options = crate::areas::members::import::ImportOptions { portal_passwords };
            let ok = super::import_members(&app, &file, &store, options).await;
            app.db.close().await;
            return Ok(exit(ok?));
        }
        Command::Job(JobCommand::List) => {
            for crate::jobs::Job { name, what, .. } in crate::app::jobs::all() {
                println!("{name:18} {what}");
            }
        }
        Command::Job(JobCommand::Run { name }) => {
            let app = super::open(&dir).await?;
            let r = super::job_run(&app, &name).await;
            app.db.close().await;
            r?;
        }
        Command::Bench(b) => bench(b).await?,
        Command::Demo { serve } => demo(dir, serve).await?,
        Command::Backup { to } => return super::safety::backup(&dir, to.as_deref()).await,
        Command::Report {
            name,
            from,
            to,
            store,
            tier,
            by,
            segment,
            format,
            out,
            lang,
        } => {
            let args = super::report::ReportArgs {
                name,
                params: crate::areas::reports::Params {
                    from,
                    to,
                    store,
                    tier,
                    by,
                },
                segment,
                format,
                out,
                lang,
            };
            return super::report::report(&dir, args).await;
        }
        Command::Restore {
            backup,
            secrets,
            database_url,
        } => return super::safety::restore(&backup, &dir, secrets, database_url).await,
        Command::Import(ImportCommand::Receipts { file, store }) => {
            return super::safety::import(&dir, &file, &store, super::safety::Kind::Receipts).await;
        }
        Command::Import(ImportCommand::Customers { file, store }) => {
            return super::safety::import(&dir, &file, &store, super::safety::Kind::Customers)
                .await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `patron init`: a new data directory with its first store and administrator.
async fn init(
    dir: &Path,
    admin: &str,
    store_code: &str,
    store_name: &str,
    database_url: Option<&str>,
) -> anyhow::Result<()> {
    let done = super::init(dir, admin, store_code, store_name, database_url).await?;
    println!("Created the Patron data directory {}", done.dir.display());
    println!("First store: {}", done.store_code);
    println!("Administrator: {}", done.admin_username);
    println!(
        "One-time password (shown only now; it must be changed at first login): {}",
        done.admin_password
    );
    println!(
        "Keep {} secret and back it up apart from the database.",
        done.dir.join("secrets.toml").display()
    );

    Ok(())
}

/// `patron user …`: staff accounts.
async fn user(dir: &Path, u: UserCommand) -> anyhow::Result<()> {
    let app = super::open(dir).await?;
    let ctx = cli_ctx(&app);
    match u {
        UserCommand::Add {
            username,
            name,
            roles,
            lang,
        } => {
            let grants = super::parse_cli_grants(&ctx, &roles).await?;
            let input = staff::StaffInput {
                username,
                display_name: name,
                lang,
                grants,
            };
            let (id, pw) = staff::create_staff(&ctx, &input).await.map_err(explain)?;
            println!("staff #{id} created; one-time password (shown only now): {pw}");
        }
        UserCommand::List => {
            let stores = staff::list_stores(&ctx).await.map_err(explain)?;
            for item in staff::list_staff(&ctx).await.map_err(explain)? {
                let roles: Vec<String> = item
                    .grants
                    .iter()
                    .map(|g| {
                        let code = stores
                            .iter()
                            .find(|s| s.id == g.store_id)
                            .map(|s| s.code.as_str())
                            .unwrap_or("?");
                        format!("{}@{code}", g.role.code())
                    })
                    .collect();
                let state = if item.staff.disabled {
                    "disabled"
                } else {
                    "active"
                };
                println!(
                    "{:<16} {:<20} {:<8} {}",
                    item.staff.username,
                    item.staff.display_name,
                    state,
                    roles.join(",")
                );
            }
        }
        UserCommand::ResetPassword { username } => {
            let row = staff::find_by_username(&ctx, &username)
                .await
                .map_err(explain)?;
            let pw = staff::reset_password(&ctx, row.id).await.map_err(explain)?;
            println!(
                "{}: new one-time password (shown only now): {pw}",
                row.username
            );
        }
        UserCommand::Disable { username } => {
            let row = staff::find_by_username(&ctx, &username)
                .await
                .map_err(explain)?;
            staff::set_disabled(&ctx, row.id, true)
                .await
                .map_err(explain)?;
            println!("{} is disabled", row.username);
        }
    }
    app.db.close().await;

    Ok(())
}

/// `patron till …`: till keys.
async fn till(dir: &Path, t: TillCommand) -> anyhow::Result<()> {
    let app = super::open(dir).await?;
    let ctx = cli_ctx(&app);
    match t {
        TillCommand::Add {
            store,
            till_id,
            label,
        } => {
            let stores = staff::list_stores(&ctx).await.map_err(explain)?;
            let Some(s) = stores.iter().find(|s| s.code.eq_ignore_ascii_case(&store)) else {
                anyhow::bail!("there is no store {store:?}");
            };
            let (row, key) =
                crate::areas::staff::keys::issue_till_key(&ctx, s.id, &till_id, &label)
                    .await
                    .map_err(explain)?;
            println!(
                "till key #{} for {} till {} (shown only now): {key}",
                row.id, row.store_code, row.till_id
            );
        }
        TillCommand::List => {
            for k in crate::areas::staff::keys::list_till_keys(&ctx)
                .await
                .map_err(explain)?
            {
                let state = if k.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "#{:<5} {:<8} {:<8} {:<8} {}…  {}",
                    k.id, k.store_code, k.till_id, state, k.key_prefix, k.label
                );
            }
        }
        TillCommand::Revoke { id } => {
            crate::areas::staff::keys::revoke_till_key(&ctx, id)
                .await
                .map_err(explain)?;
            println!("till key #{id} is revoked");
        }
    }
    app.db.close().await;

    Ok(())
}

/// `patron token issue USER`: an API token acting with the user's roles, printed once.
async fn token(dir: &Path, t: TokenCommand) -> anyhow::Result<()> {
    let app = super::open(dir).await?;
    let ctx = cli_ctx(&app);
    let TokenCommand::Issue {
        username,
        name,
        days,
    } = t;
    let row = staff::find_by_username(&ctx, &username)
        .await
        .map_err(explain)?;
    let (id, token) = crate::areas::staff::keys::issue_token(&ctx, &name, row.id, days)
        .await
        .map_err(explain)?;
    println!(
        "API token #{id} for {} (shown only now): {token}",
        row.username
    );
    app.db.close().await;
    Ok(())
}

/// `patron check`: the audit chain, the points and the vouchers recomputed and compared.
async fn check(dir: &Path) -> anyhow::Result<ExitCode> {
    let app = super::open(dir).await?;
    let audit_ok = super::audit_verify(&app).await?;
    let points_ok = super::points_verify(&app).await?;
    let vouchers_ok = super::vouchers_verify(&app).await?;
    let ok = audit_ok && points_ok && vouchers_ok;
    app.db.close().await;
    println!(
        "{}",
        if ok {
            "check: everything agrees"
        } else {
            "check: differences found"
        }
    );
    Ok(exit(ok))
}

fn backend(name: &str) -> anyhow::Result<TestBackend> {
    match name {
        "sqlite" => Ok(TestBackend::Sqlite),
        "postgres" | "pg" => Ok(TestBackend::Postgres),
        other => anyhow::bail!("--backend is sqlite or postgres, not {other:?}"),
    }
}

/// `patron bench …`: benchmarks (not tests).
async fn bench(b: BenchCommand) -> anyhow::Result<()> {
    match b {
        BenchCommand::Pos {
            backend: name,
            members,
            receipts,
            concurrency,
            readers,
        } => {
            let report = crate::bench::run_pos(&crate::bench::PosBench {
                backend: backend(&name)?,
                members,
                receipts,
                concurrency,
                readers,
            })
            .await?;
            println!("{report}");
        }
        BenchCommand::Vouchers {
            backend: name,
            vouchers,
            redeems,
            sale_size,
            concurrency,
        } => {
            let bench = crate::bench::vouchers::VoucherBench {
                backend: backend(&name)?,
                vouchers,
                redeems,
                sale_size,
                concurrency,
            };
            let report = crate::bench::vouchers::run_vouchers(&bench).await?;
            println!("{report}");
        }
        BenchCommand::Rewards {
            backend: name,
            members,
        } => {
            let bench = crate::bench::rewards::RewardsBench {
                backend: backend(&name)?,
                members,
            };
            let report = crate::bench::rewards::run_rewards(&bench).await?;
            println!("{report}");
        }
        BenchCommand::Customers {
            backend: name,
            customers,
            callbacks,
        } => {
            let bench = crate::bench::customers::CustomersBench {
                backend: backend(&name)?,
                customers,
                callbacks,
            };
            let report = crate::bench::customers::run_customers(&bench).await?;
            println!("{report}");
        }
        BenchCommand::Rotation {
            backend: name,
            reps,
            clients,
            walk_ins,
            samples,
        } => {
            let bench = crate::bench::rotation::RotationBench {
                backend: backend(&name)?,
                reps,
                clients,
                walk_ins,
                samples,
            };
            let report = crate::bench::rotation::run_rotation(&bench).await?;
            println!("{report}");
        }
        BenchCommand::Complaints {
            backend: name,
            complaints,
        } => {
            let bench = crate::bench::complaints::ComplaintsBench {
                backend: backend(&name)?,
                complaints,
            };
            let report = crate::bench::complaints::run_complaints(&bench).await?;
            println!("{report}");
        }
        BenchCommand::Care {
            backend: name,
            members,
            purchases,
        } => {
            let bench = crate::bench::care::CareBench {
                backend: backend(&name)?,
                members,
                purchases,
            };
            let report = crate::bench::care::run_care(&bench).await?;
            println!("{report}");
        }
        BenchCommand::Reports {
            backend: name,
            members,
            receipts,
            no_backup,
        } => {
            let bench = crate::bench::reports::ReportsBench {
                backend: backend(&name)?,
                members,
                receipts,
                no_backup,
            };
            println!("{}", crate::bench::reports::run_reports(&bench).await?);
        }
        b @ (BenchCommand::Search { .. }
        | BenchCommand::Import { .. }
        | BenchCommand::ExportProbe { .. }
        | BenchCommand::Backup { .. }) => bench_at_scale(b).await?,
    }
    Ok(())
}

/// The benches of one area at scale: search, import, the export probe, backup.
async fn bench_at_scale(b: BenchCommand) -> anyhow::Result<()> {
    match b {
        BenchCommand::Search {
            backend: name,
            members,
            queries,
        } => {
            let bench = crate::bench::search::SearchBench {
                backend: backend(&name)?,
                members,
                queries,
            };
            println!("{}", crate::bench::search::run_search(&bench).await?);
        }
        BenchCommand::Import {
            backend: name,
            members,
            rows,
            concurrency,
            rate,
        } => {
            let bench = crate::bench::import::ImportBench {
                backend: backend(&name)?,
                members,
                rows,
                concurrency,
                per_sec: (rate > 0.0).then_some(rate),
            };
            println!("{}", crate::bench::import::run_import(&bench).await?);
        }
        BenchCommand::ExportProbe { url, dir } => {
            println!("{}", crate::bench::reports::export_probe(&url, &dir).await?);
        }
        BenchCommand::Backup {
            backend: name,
            members,
            receipts,
        } => {
            let bench = crate::bench::backup::BackupBench {
                backend: backend(&name)?,
                members,
                receipts,
            };
            let report = crate::bench::backup::run_backup(&bench).await?;
            println!("{report}");
        }
        _ => anyhow::bail!("not a bench at scale"),
    }
    Ok(())
}

/// `patron demo`: a demo data directory, served if asked.
async fn demo(dir: PathBuf, serve: bool) -> anyhow::Result<()> {
    // The demo lives in ./patron-demo unless --dir/PATRON_DIR names another place.
    let dir = if dir == std::path::Path::new("patron-data") {
        PathBuf::from("patron-demo")
    } else {
        dir
    };
    let text = crate::demo::build(&dir).await?;
    println!("{text}");
    if serve {
        let app = crate::demo::open(&dir).await?;
        println!(
            "Open {} and log in with an account above.",
            app.config.public_url
        );
        super::serve(app).await?;
    } else {
        println!("Serve it with: patron --dir {} serve", dir.display());
    }

    Ok(())
}
