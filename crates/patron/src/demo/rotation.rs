//! The rotation part of `patron demo` (K1–K5): the Wangfujing sales floor on the afternoon of
//! today — a team of five representatives and a second, smaller one at Xidan; a day's walk-ins
//! in turn, a returning customer to her own representative, relatives arriving together, a
//! "just browsing" visit given back, a queue jump corrected by the supervisor, representatives
//! busy, away on private and on company business, and two sales marked with real till receipts.
//!
//! Everything goes through the use cases, on a clock that walks through the afternoon to now.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Context;
use chrono::{Duration, Utc};

use crate::areas::rotation::{self, CreditIn, Party, TeamIn, WalkInIn};
use crate::areas::staff::{self, GrantInput, StaffInput};
use crate::cli::explain;
use crate::kernel::clock::ManualClock;
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};

/// The floor's representatives: (username, display name, store).
const REPS: &[(&str, &str, &str)] = &[
    ("rep.chen", "陈晓燕", "WFJ"),
    ("rep.lin", "林志强", "WFJ"),
    ("rep.zhou", "周丽", "WFJ"),
    ("rep.wu", "吴海涛", "WFJ"),
    ("rep.he", "何静", "XD"),
    ("rep.guo", "郭磊", "XD"),
];

/// Adds the demo's rotation teams and the day on the floor; `actor` finds a demo account.
#[allow(clippy::too_many_lines)] // a demo or bench script: one scene, read top to bottom
pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let cli = crate::cli::cli_ctx(app);
    let stores = staff::list_stores(&cli).await.map_err(explain)?;
    let store_id = |code: &str| stores.iter().find(|s| s.code == code).map(|s| s.id);
    for (username, display, store) in REPS {
        staff::create_staff(
            &cli,
            &StaffInput {
                username: (*username).into(),
                display_name: (*display).into(),
                lang: "zh-CN".into(),
                grants: vec![GrantInput {
                    role: "clerk".into(),
                    store_id: store_id(store).context("demo store")?,
                }],
            },
        )
        .await
        .map_err(explain)?;
    }
    // The afternoon: two and a half hours up to now, within today.
    let now = app.clock.now();
    let tz = app.config.tz();
    let midnight = crate::kernel::dates::business_date(now, tz)
        .and_hms_opt(0, 5, 0)
        .and_then(|d| d.and_local_timezone(tz).earliest())
        .map_or(now, |d| d.with_timezone(&Utc));
    let start = (now - Duration::minutes(150)).max(midnight);
    let step = (now - start) / 24;
    let clock = Arc::new(ManualClock::new(start));
    let demo = App {
        clock: clock.clone(),
        ..app.clone()
    };
    let who = |n: &str| actor(n).with_context(|| format!("demo user {n}"));
    let supervisor = Ctx::new(demo.clone(), Actor::Staff(who("supervisor")?), None);
    let floor = Ctx::new(demo.clone(), Actor::Staff(who("clerk")?), None);
    let manager = Ctx::new(demo.clone(), Actor::Staff(who("manager")?), None);
    let tick = || clock.advance(step);

    rotation::set_team(
        &supervisor,
        "wfj-floor",
        &TeamIn {
            representatives: vec![
                "rep.chen".into(),
                "rep.lin".into(),
                "rep.zhou".into(),
                "rep.wu".into(),
                "clerk".into(),
            ],
            store: "WFJ".into(),
            reason: String::new(),
        },
    )
    .await
    .map_err(explain)?;
    rotation::set_team(
        &manager,
        "xd-floor",
        &TeamIn {
            representatives: vec!["rep.he".into(), "rep.guo".into()],
            store: "XD".into(),
            reason: String::new(),
        },
    )
    .await
    .map_err(explain)?;

    let team = "wfj-floor";
    let walk = |phone: &'static str, party: Option<Party>| WalkInIn {
        customer_phone: phone.into(),
        party,
        key: None,
    };
    let fl = &floor;
    let state = move |u: &'static str, s: &'static str| async move {
        rotation::set_state(fl, team, u, s).await.map_err(explain)
    };
    // The first round: everyone in turn; the returning customer-to-be gives her phone.
    let mut visits = Vec::new();
    for phone in ["13911230001", "", "13911230002", "", ""] {
        tick();
        visits.push(
            rotation::walk_in(&floor, team, &walk(phone, None))
                .await
                .map_err(explain)?,
        );
    }
    tick();
    for u in ["rep.chen", "rep.lin", "rep.zhou"] {
        state(u, "available").await?;
    }
    state("rep.wu", "away_company").await?;
    tick();
    state("rep.zhou", "away_private").await?;
    // Relatives arriving together with the next customer.
    tick();
    let a = rotation::walk_in(&floor, team, &walk("", None))
        .await
        .map_err(explain)?;
    tick();
    let b = rotation::walk_in(&floor, team, &walk("", Some(Party::Relatives(a.seq))))
        .await
        .map_err(explain)?;
    visits.push(a);
    visits.push(b);
    tick();
    state("rep.wu", "available").await?;
    state("rep.zhou", "available").await?;
    // The first customer comes back to rep.chen.
    tick();
    state("rep.chen", "available").await?;
    tick();
    visits.push(
        rotation::walk_in(&floor, team, &walk("13911230001", None))
            .await
            .map_err(explain)?,
    );
    tick();
    state("rep.lin", "available").await?;
    let browsing = rotation::walk_in(&floor, team, &walk("", None))
        .await
        .map_err(explain)?;
    tick();
    rotation::set_credit(
        &floor,
        team,
        browsing.visit_id,
        &CreditIn {
            rule: "browsing".into(),
            other: String::new(),
            note: "只来了解楼盘资料".into(),
        },
    )
    .await
    .map_err(explain)?;
    // A queue jump the supervisor corrects.
    tick();
    if let Some(v) = visits.get(1) {
        rotation::set_credit(
            &supervisor,
            team,
            v.visit_id,
            &CreditIn {
                rule: "queue_jump".into(),
                other: "rep.zhou".into(),
                note: "轮错，业绩归原应接待的周丽".into(),
            },
        )
        .await
        .map_err(explain)?;
    }
    // Two sales marked with the store's latest till receipts.
    let wfj = store_id("WFJ").context("WFJ")?;
    let receipts = rotation::store::recent_receipts(&app.db, wfj, 2).await?;
    for (v, no) in visits.iter().zip(receipts.iter()) {
        tick();
        rotation::mark_sale(&floor, team, v.visit_id, no)
            .await
            .map_err(explain)?;
    }
    tick();
    state("rep.wu", "busy").await?;
    state("rep.chen", "away_company").await?;
    tick();
    rotation::walk_in(&floor, team, &walk("", None))
        .await
        .map_err(explain)?;
    rotation::walk_in(&manager, "xd-floor", &walk("", None))
        .await
        .map_err(explain)?;
    let _ = writeln!(
        out,
        "\nSales-floor rotation: /rotation/wfj-floor (board, live), /rotation/wfj-floor/log (the day's log and figures); representatives {}",
        REPS.iter().map(|r| r.0).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}
