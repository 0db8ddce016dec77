//! The command line's words: every subcommand and option, parsed by clap. `main.rs` parses
//! them and hands them to `cli::run`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "patron",
    version,
    about = "Patron — member, points and group-buy system (会员团购部)"
)]
pub struct Cli {
    /// The data directory (configuration, secrets, SQLite database).
    #[arg(long, global = true, env = "PATRON_DIR", default_value = "patron-data")]
    pub dir: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Make a new data directory with secrets, a database, the first store and administrator.
    Init {
        /// User name of the first administrator.
        #[arg(long, default_value = "admin")]
        admin: String,
        /// Code of the first store.
        #[arg(long, default_value = "HQ")]
        store_code: String,
        /// Name of the first store.
        #[arg(long, default_value = "总部")]
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
    /// API tokens for scripts: `patron token issue USER`.
    #[command(subcommand)]
    Token(TokenCommand),
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
    /// Benchmarks (not tests): `patron bench pos`, `patron bench vouchers`, `patron bench rewards`,
    /// `patron bench customers`, `patron bench rotation`, `patron bench reports`,
    /// `patron bench search`, `patron bench import`, `patron bench backup`.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Build a demo data directory (default ./patron-demo) and optionally serve it.
    Demo {
        /// Serve the demo after building it.
        #[arg(long)]
        serve: bool,
    },
    /// Back up the data while Patron serves: a verified copy of the database and the documents
    /// folder (never secrets.toml: keep that file apart).
    Backup {
        /// The folder the backup goes under (default: DATA_DIR/backups).
        #[arg(long)]
        to: Option<PathBuf>,
    },
    /// A report as a file (SPEC M5): `patron report members --by tier --format xlsx`;
    /// `patron report rfm --segment dormant` writes that segment's members with a progress bar.
    Report {
        /// members, rfm or points.
        name: String,
        /// The first day (YYYY-MM-DD; default: the first of the month eleven months back).
        #[arg(long)]
        from: Option<String>,
        /// The last day (default: today).
        #[arg(long)]
        to: Option<String>,
        /// One store's code (default: every store).
        #[arg(long)]
        store: Option<String>,
        /// One tier's code.
        #[arg(long)]
        tier: Option<String>,
        /// How to group (members: tier, store, channel, month; points: month, store).
        #[arg(long)]
        by: Option<String>,
        /// rfm: the members of this segment instead of the counts.
        #[arg(long)]
        segment: Option<String>,
        #[arg(long, default_value = "xlsx")]
        format: String,
        /// The file to write (default: NAME.FORMAT here).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
    /// Restore a backup into a NEW data directory (`--dir`); an existing one is never touched.
    Restore {
        /// The backup's folder (patron-YYYYMMDD-HHMMSS).
        backup: PathBuf,
        /// The secrets file kept apart from the backups (copied into the new directory).
        #[arg(long)]
        secrets: Option<PathBuf>,
        /// PostgreSQL: the new, empty database to restore into (postgres://…).
        #[arg(long)]
        database_url: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Members from an older system: CSV or xlsx with a header row (SPEC N3). Every bad row is
    /// reported; nothing is imported unless every row is good.
    Members {
        file: PathBuf,
        /// The store for rows that name none.
        #[arg(long, default_value = "HQ")]
        store: String,
        /// Send every imported member a temporary portal password by SMS (changed at first
        /// login).
        #[arg(long)]
        portal_passwords: bool,
    },
    /// Receipts from an older system or an offline till, one row per line (SPEC N3, C2):
    /// accrued once per store and receipt number like the till's; a repeat writes nothing.
    Receipts {
        file: PathBuf,
        /// The store for rows that name none.
        #[arg(long, default_value = "HQ")]
        store: String,
    },
    /// Organisation customers (SPEC N3, F1), the owner by user name (empty: the pool).
    Customers {
        file: PathBuf,
        /// The store for rows that name none.
        #[arg(long, default_value = "HQ")]
        store: String,
    },
}

#[derive(Subcommand)]
pub enum JobCommand {
    /// The jobs there are.
    List,
    /// Run a job now (idempotent: a finished run for today is not repeated).
    Run { name: String },
}

#[derive(Subcommand)]
pub enum BenchCommand {
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
        /// Tills looking members up and quoting baskets, flat out, while the receipts run (0:
        /// none); their p50/p99 are printed.
        #[arg(long, default_value_t = 4)]
        readers: u64,
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
    /// The callback overdue list and a holiday call campaign over a fresh database of many
    /// organisation customers and their callbacks; prints the times.
    Customers {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value_t = 50_000)]
        customers: u64,
        /// Callbacks in all (spread evenly over the customers).
        #[arg(long, default_value_t = 1_000_000)]
        callbacks: u64,
    },
    /// The sales-floor rotation board over HTTP: assignments per second (each walk-in followed by
    /// freeing its representative), and the time from a walk-in sent to one server to its
    /// appearance on a second server's board stream (same database).
    Rotation {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value_t = 12)]
        reps: usize,
        /// Floor screens sending walk-ins at once.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        #[arg(long, default_value_t = 2_000)]
        walk_ins: u64,
        /// Walk-ins timed to the second screen.
        #[arg(long, default_value_t = 30)]
        samples: usize,
    },
    /// The complaint clock job over a fresh database of many open complaints; prints the times.
    Complaints {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value_t = 100_000)]
        complaints: u64,
    },
    /// The care job over a fresh database of platinum members' till receipts: every receipt
    /// scheduled (seven steps each) and every due step made a task; prints the times.
    Care {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value_t = 20_000)]
        members: u64,
        /// Purchases (each schedules seven steps: 142,858 make 1,000,006 steps).
        #[arg(long, default_value_t = 142_858)]
        purchases: u64,
    },
    /// The reports over a large database: the jobs that make their figures, each report, an
    /// xlsx export of the dormant half of the members, a backup.
    Reports {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value_t = 200_000)]
        members: u64,
        #[arg(long, default_value_t = 2_000_000)]
        receipts: u64,
        /// Skip the backup.
        #[arg(long)]
        no_backup: bool,
    },
    /// The member import of a large file while tills send receipts: the import's time, the
    /// receipts' latency meanwhile, the ledger checked afterwards.
    Import {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        /// Members already there (the tills' customers).
        #[arg(long, default_value_t = 100_000)]
        members: u64,
        /// Rows in the import file.
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        /// Tills sending receipts meanwhile.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Receipts a second the tills send together (0: as fast as they are answered).
        #[arg(long, default_value_t = 200.0)]
        rate: f64,
    },
    /// Member search at scale: by card, phone and part of a name; p50/p99 per kind.
    Search {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value_t = 200_000)]
        members: u64,
        /// Searches of each kind.
        #[arg(long, default_value_t = 2_000)]
        queries: u64,
    },
    /// Used by `bench reports`: the dormant-member xlsx export in a fresh process over an
    /// existing bench database, printing its rows, bytes, seconds and peak resident set.
    #[command(hide = true)]
    ExportProbe {
        /// The bench database's URL.
        #[arg(long)]
        url: String,
        /// The bench's data directory (the export file is written under it).
        #[arg(long)]
        dir: std::path::PathBuf,
    },
    /// A verified backup of a large database; prints the time and size.
    Backup {
        /// sqlite or postgres (PostgreSQL uses the server PATRON_TEST_PG names).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value_t = 200_000)]
        members: u64,
        #[arg(long, default_value_t = 2_000_000)]
        receipts: u64,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
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
pub enum TillCommand {
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
pub enum TokenCommand {
    /// Issue an API token acting with USER's roles; prints the token once.
    Issue {
        /// The staff member the script acts as.
        username: String,
        /// What the token is for (shown in the token list).
        #[arg(long, default_value = "命令行签发 CLI")]
        name: String,
        /// Days until it expires (1–3650); without it, it lasts until revoked.
        #[arg(long)]
        days: Option<i64>,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and report the first broken link.
    Verify,
}
