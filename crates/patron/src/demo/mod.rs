//! `patron demo`: a data directory with realistic stores, one staff member per role and till
//! keys, so every page has something true to show. Later areas add their data here.

pub mod calendar;
pub mod care;
pub mod complaints;
pub mod customers;
pub mod events;
pub mod gifts;
pub mod groupbuy;
pub mod members;
pub mod partners;
pub mod portal;
pub mod rewards;
pub mod rotation;

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use crate::areas::staff::{self, StaffInput, StoreInput, keys};
use crate::auth::password;
use crate::cli::{self, cli_ctx, explain};
use crate::kernel::ctx::{App, Ctx};

/// Members in the demo (each with about six receipts over the past year).
const DEMO_MEMBERS: usize = 3_000;

/// The file in a demo directory that lists its accounts and keys (owner-only).
pub const CREDENTIALS_FILE: &str = "demo-credentials.txt";

const STORES: &[(&str, &str)] = &[("WFJ", "王府井店"), ("XD", "西单店")];

/// (username, display name, role, stores)
const PEOPLE: &[(&str, &str, &str, &[&str])] = &[
    ("manager", "张经理", "manager", &["HQ", "WFJ", "XD"]),
    ("supervisor", "李主管", "supervisor", &["WFJ"]),
    ("clerk", "王职员", "clerk", &["WFJ"]),
    ("service", "赵客服", "service", &["WFJ", "XD"]),
    ("marketing", "钱市场", "marketing", &["HQ"]),
    ("cashier", "孙出纳", "cashier", &["HQ", "WFJ", "XD"]),
    (
        "finance",
        "周财务经理",
        "finance_manager",
        &["HQ", "WFJ", "XD"],
    ),
    ("till", "吴收银", "till_cashier", &["WFJ"]),
    ("reward", "郑领奖处", "reward_desk", &["WFJ"]),
    ("info", "冯信息部", "information", &["HQ"]),
];

/// Builds the demo directory if it does not exist yet; returns the text listing its accounts.
pub async fn build(dir: &Path) -> anyhow::Result<String> {
    let creds = dir.join(CREDENTIALS_FILE);
    if creds.exists() {
        return std::fs::read_to_string(&creds).context("reading the demo credentials");
    }
    let init = cli::init(dir, "admin", "HQ", "总部", None).await?;
    let app = cli::open(dir).await?;
    let ctx = cli_ctx(&app);
    let mut out = String::new();
    let _ = writeln!(out, "Patron demo data directory: {}", dir.display());
    let _ = writeln!(out, "\nStaff accounts (user name / password / role):");
    let admin_password = set_demo_password(&ctx, &init.admin_username).await?;
    let _ = writeln!(
        out,
        "  {:<11} {}  系统管理员 Administrator",
        "admin", admin_password
    );
    for (code, name) in STORES {
        staff::create_store(
            &ctx,
            &StoreInput {
                code: (*code).into(),
                name: (*name).into(),
                time_zone: "Asia/Shanghai".into(),
                active: true,
                // The store desks' shared mailboxes (notices for a store go there too).
                email: format!("{}-desk@store.invalid", code.to_ascii_lowercase()),
            },
        )
        .await
        .map_err(explain)?;
    }
    for (username, display, role, stores) in PEOPLE {
        let grants = cli::parse_cli_grants(
            &ctx,
            &stores
                .iter()
                .map(|s| format!("{role}@{s}"))
                .collect::<Vec<_>>(),
        )
        .await?;
        staff::create_staff(
            &ctx,
            &StaffInput {
                username: (*username).into(),
                display_name: (*display).into(),
                lang: "zh-CN".into(),
                grants,
            },
        )
        .await
        .map_err(explain)?;
        let pw = set_demo_password(&ctx, username).await?;
        let r = patron_core::Role::from_code(role)
            .map(|r| r.name_zh())
            .unwrap_or("");
        let _ = writeln!(
            out,
            "  {username:<11} {pw}  {display} · {r} @ {}",
            stores.join(",")
        );
    }
    let _ = writeln!(out, "\nTill keys (Authorization: Bearer …):");
    let all = staff::list_stores(&ctx).await.map_err(explain)?;
    for s in all.iter().filter(|s| s.code != "HQ") {
        let (_, key) = keys::issue_till_key(&ctx, s.id, "01", "1号收银台")
            .await
            .map_err(explain)?;
        let _ = writeln!(out, "  {} till 01: {key}", s.code);
    }
    crate::demo::members::build(&app, &mut out, DEMO_MEMBERS).await?;
    let clerk = staff::find_by_username(&ctx, "clerk")
        .await
        .map_err(explain)?;
    if let Some((actor, _)) = staff::store::load_actor(&app.db, clerk.id).await? {
        crate::demo::members::pending_work(&app, &actor).await?;
    }
    let mut actors = std::collections::HashMap::new();
    for (username, ..) in PEOPLE {
        let row = staff::find_by_username(&ctx, username)
            .await
            .map_err(explain)?;
        if let Some((actor, _)) = staff::store::load_actor(&app.db, row.id).await? {
            actors.insert(*username, actor);
        }
    }
    crate::demo::groupbuy::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    crate::demo::gifts::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    crate::demo::rewards::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    crate::demo::events::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    crate::demo::partners::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    crate::demo::calendar::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    crate::demo::customers::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    crate::demo::rotation::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    crate::demo::complaints::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    crate::demo::care::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    crate::demo::portal::build(&app, &mut out, |n| actors.get(n).cloned()).await?;
    // The reports' figures, as the nightly job and the minute's roll-up would have made them.
    let system = Ctx::new(app.clone(), crate::kernel::ctx::Actor::System, None);
    crate::areas::reports::rfm::refresh(&system, system.today(), None)
        .await
        .map_err(|e| anyhow::anyhow!("report figures: {e}"))?;
    crate::areas::reports::points::roll_up(&system, None)
        .await
        .map_err(|e| anyhow::anyhow!("points roll-up: {e}"))?;
    crate::kernel::config::write_private(&creds, &out)
        .with_context(|| format!("writing {}", creds.display()))?;
    app.db.close().await;
    Ok(out)
}

/// Gives a demo account a printed password that need not be changed at first login.
async fn set_demo_password(ctx: &Ctx, username: &str) -> anyhow::Result<String> {
    let row = staff::find_by_username(ctx, username)
        .await
        .map_err(explain)?;
    let pw = password::random_password();
    let hash = password::hash(&pw).await?;
    let id = row.id;
    let entry = ctx.audit("staff.demo_password", "staff", id);
    ctx.db()
        .write(move |tx| {
            let (hash, entry) = (hash.clone(), entry.clone());
            Box::pin(async move {
                staff::store::set_password(tx, id, &hash, false).await?;
                tx.audit(entry);
                Ok::<_, crate::kernel::db::DbError>(())
            })
        })
        .await?;
    Ok(pw)
}

/// Opens a built demo directory for serving.
pub async fn open(dir: &Path) -> anyhow::Result<App> {
    cli::open(dir).await
}
