//! The `patron` command line: parse, load configuration, call into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use patron::cli::{self, cli_ctx, explain};
use patron::{areas::staff, auth, demo};

#[derive(Parser)]
#[command(
    name = "patron",
    version,
    about = "Patron — member, points and group-buy system (会员团购部)"
)]
struct Cli {
    /// The data directory (configuration, secrets, SQLite database).
    #[arg(long, global = true, env = "PATRON_DIR", default_value = "patron-data")]
    dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make a new data directory with secrets, a database, the first store and administrator.
    Init {
        /// User name of the first administrator.
        #[arg(long, default_value = "admin")]
        admin: String,
        /// Code of the first store.
        #[arg(long, default_value = "HQ")]
        store_code: String,
        /// Name of the first store.
        #[arg(long, default_value = "总部 Headquarters")]
        store_name: String,
        /// Run on PostgreSQL instead of the SQLite file (postgres://…).
        #[arg(long, env = "PATRON_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Serve the staff console and the API.
    Serve,
    /// Apply database migrations.
    Migrate,
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Till keys.
    #[command(subcommand)]
    Till(TillCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Recompute what can be recomputed (audit chain, balances) and report any difference.
    Check,
    /// Imports: `patron import members FILE`.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Timed jobs: `patron job list`, `patron job run NAME`.
    #[command(subcommand)]
    Job(JobCommand),
    /// Benchmarks (not tests): `patron bench pos`, `patron bench vouchers`, `patron bench rewards`.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Build a demo data directory (default ./patron-demo) and optionally serve it.
    Demo {
        /// Serve the demo after building it.
        #[arg(long)]
        serve: bool,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Members from an older system: CSV or xlsx with a header row (SPEC N3). Every bad row is
    /// reported; nothing is imported unless every row is good.
    Members {
        file: PathBuf,
        /// The store for rows that name none.
        #[arg(long, default_value = "HQ")]
        store: String,
    },
}

#[derive(Subcommand)]
enum JobCommand {
    /// The jobs there are.
    List,
    /// Run a job now (idempotent: a finished run for today is not repeated).
    Run { name: String },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Concurrent till receipts over HTTP against a fresh database of many members, then the
    /// raw database doing the same statements; prints receipts/s, p50/p99 and the ratio.
    Pos {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value_t = 1_000_000)]
        members: u64,
        #[arg(long, default_value_t = 100_000)]
        receipts: u64,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
    },
    /// A month of group buying against a fresh database: print, requisition and stamp a series,
    /// sell it all in range sales over HTTP, redeem part of it at concurrent tills over HTTP,
    /// then reconcile and sign the month and run the voucher check; prints the times.
    Vouchers {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        /// Vouchers printed and sold.
        #[arg(long, default_value_t = 1_000_000)]
        vouchers: u64,
        /// Vouchers redeemed at the tills.
        #[arg(long, default_value_t = 100_000)]
        redeems: u64,
        /// Vouchers per range sale.
        #[arg(long, default_value_t = 1_000)]
        sale_size: u64,
        /// Concurrent tills redeeming (sales come from at most 8 desks).
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
    },
    /// The month-end reward list (cards expiring next month at a threshold) over a fresh
    /// database of many members; prints the time of the job.
    Rewards {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value_t = 1_000_000)]
        members: u64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff member; prints a one-time password.
    Add {
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Roles as ROLE@STORE_CODE, repeatable (e.g. --role clerk@WFJ).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
    /// List staff members.
    List,
    /// Give a staff member a new one-time password (and unlock the account).
    ResetPassword { username: String },
    /// Disable a staff member's account.
    Disable { username: String },
}

#[derive(Subcommand)]
enum TillCommand {
    /// Issue a key for a till; prints the key once.
    Add {
        /// Store code.
        store: String,
        /// Till id within the store.
        till_id: String,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List till keys.
    List,
    /// Revoke a till key by its id (see `till list`).
    Revoke { id: i64 },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and report the first broken link.
    Verify,
}

/// Logs go to stderr, as text or JSON per the `log_format` setting (file or PATRON_LOG_FORMAT);
/// `PATRON_LOG` sets the filter. A configuration that does not load is reported by the command.
fn init_logging(dir: &std::path::Path) {
    let json = patron::kernel::config::Config::load(dir).is_ok_and(|c| c.log_format == "json");
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

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.dir);
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("patron: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let dir = cli.dir;
    match cli.command {
        Command::Init {
            admin,
            store_code,
            store_name,
            database_url,
        } => {
            let done = cli::init(
                &dir,
                &admin,
                &store_code,
                &store_name,
                database_url.as_deref(),
            )
            .await?;
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
        }
        Command::Serve => cli::serve(cli::open(&dir).await?).await?,
        Command::Migrate => {
            let app = cli::open(&dir).await?;
            app.db.close().await;
            println!("migrations applied");
        }
        Command::User(u) => {
            let app = cli::open(&dir).await?;
            let ctx = cli_ctx(&app);
            match u {
                UserCommand::Add {
                    username,
                    name,
                    roles,
                    lang,
                } => {
                    let grants = cli::parse_cli_grants(&ctx, &roles).await?;
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
        }
        Command::Till(t) => {
            let app = cli::open(&dir).await?;
            let ctx = cli_ctx(&app);
            match t {
                TillCommand::Add {
                    store,
                    till_id,
                    label,
                } => {
                    let stores = staff::list_stores(&ctx).await.map_err(explain)?;
                    let Some(s) = stores.iter().find(|s| s.code.eq_ignore_ascii_case(&store))
                    else {
                        anyhow::bail!("there is no store {store:?}");
                    };
                    let (row, key) = auth::keys::issue_till_key(&ctx, s.id, &till_id, &label)
                        .await
                        .map_err(explain)?;
                    println!(
                        "till key #{} for {} till {} (shown only now): {key}",
                        row.id, row.store_code, row.till_id
                    );
                }
                TillCommand::List => {
                    for k in auth::keys::list_till_keys(&ctx).await.map_err(explain)? {
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
                    auth::keys::revoke_till_key(&ctx, id)
                        .await
                        .map_err(explain)?;
                    println!("till key #{id} is revoked");
                }
            }
            app.db.close().await;
        }
        Command::Audit(AuditCommand::Verify) => {
            let app = cli::open(&dir).await?;
            let ok = cli::audit_verify(&app).await?;
            app.db.close().await;
            if !ok {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Check => {
            let app = cli::open(&dir).await?;
            let audit_ok = cli::audit_verify(&app).await?;
            let points_ok = cli::points_verify(&app).await?;
            let vouchers_ok = cli::vouchers_verify(&app).await?;
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
            if !ok {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Import(ImportCommand::Members { file, store }) => {
            let app = cli::open(&dir).await?;
            let ok = cli::import_members(&app, &file, &store).await;
            app.db.close().await;
            if !ok? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Job(JobCommand::List) => {
            for patron::jobs::Job { name, what, .. } in patron::app::jobs::all() {
                println!("{name:18} {what}");
            }
        }
        Command::Job(JobCommand::Run { name }) => {
            let app = cli::open(&dir).await?;
            let r = cli::job_run(&app, &name).await;
            app.db.close().await;
            r?;
        }
        Command::Bench(BenchCommand::Pos {
            backend,
            members,
            receipts,
            concurrency,
        }) => {
            let backend = match backend.as_str() {
                "sqlite" => patron::kernel::db::testing::TestBackend::Sqlite,
                "postgres" | "pg" => patron::kernel::db::testing::TestBackend::Postgres,
                other => anyhow::bail!("--backend is sqlite or postgres, not {other:?}"),
            };
            let report = patron::bench::run_pos(&patron::bench::PosBench {
                backend,
                members,
                receipts,
                concurrency,
            })
            .await?;
            println!("{report}");
        }
        Command::Bench(BenchCommand::Vouchers {
            backend,
            vouchers,
            redeems,
            sale_size,
            concurrency,
        }) => {
            let backend = match backend.as_str() {
                "sqlite" => patron::kernel::db::testing::TestBackend::Sqlite,
                "postgres" | "pg" => patron::kernel::db::testing::TestBackend::Postgres,
                other => anyhow::bail!("--backend is sqlite or postgres, not {other:?}"),
            };
            let report =
                patron::bench::vouchers::run_vouchers(&patron::bench::vouchers::VoucherBench {
                    backend,
                    vouchers,
                    redeems,
                    sale_size,
                    concurrency,
                })
                .await?;
            println!("{report}");
        }
        Command::Bench(BenchCommand::Rewards { backend, members }) => {
            let backend = match backend.as_str() {
                "sqlite" => patron::kernel::db::testing::TestBackend::Sqlite,
                "postgres" | "pg" => patron::kernel::db::testing::TestBackend::Postgres,
                other => anyhow::bail!("--backend is sqlite or postgres, not {other:?}"),
            };
            let report =
                patron::bench::rewards::run_rewards(&patron::bench::rewards::RewardsBench {
                    backend,
                    members,
                })
                .await?;
            println!("{report}");
        }
        Command::Demo { serve } => {
            // The demo lives in ./patron-demo unless --dir/PATRON_DIR names another place.
            let dir = if dir == std::path::Path::new("patron-data") {
                PathBuf::from("patron-demo")
            } else {
                dir
            };
            let text = demo::build(&dir).await?;
            println!("{text}");
            if serve {
                let app = demo::open(&dir).await?;
                println!(
                    "Open {} and log in with an account above.",
                    app.config.public_url
                );
                cli::serve(app).await?;
            } else {
                println!("Serve it with: patron --dir {} serve", dir.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
