//! Demo membership for `patron demo`: a few thousand members across tiers and stores (through
//! the member import), a year of till receipts with returns and redemptions (through the till's
//! use cases), points about to expire, an application and an adjustment waiting for review, and
//! a portal account with a printed password.

use std::fmt::Write as _;

use anyhow::Context;
use chrono::{Duration, TimeZone};
use futures::StreamExt;

mod store;

use chrono::NaiveDate;

use crate::areas::points::receipts::{self, ReceiptIn, ReceiptLineIn};
use crate::areas::points::returns::{self, ReturnIn, ReturnLineIn};
use crate::areas::points::spend::{self, RedeemIn};
use crate::cli::cli_ctx;
use crate::kernel::cache::Stores;
use crate::kernel::ctx::{Actor, App, Ctx};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞",
];

/// A small deterministic generator (the demo is the same every time).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Adds the membership; appends what a visitor needs to `out`.
pub async fn build(app: &App, out: &mut String, members: usize) -> anyhow::Result<()> {
    let ctx = cli_ctx(app);
    let mut rng = Lcg(20_261_123);
    let today = app.clock.now().with_timezone(&app.config.tz()).date_naive();
    // Members, through the import (as a store moving from its old system would).
    let csv = member_csv(&mut rng, today, members);
    let (header, rows) = crate::areas::members::import::read_file("demo.csv", csv.as_bytes())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let report = crate::areas::members::import::import(&ctx, "WFJ", &header, &rows, None)
        .await
        .map_err(|e| anyhow::anyhow!("demo members: {e}"))?;
    anyhow::ensure!(
        report.bad.is_empty(),
        "demo members: {:?}",
        report.bad.first()
    );
    // Some opening points expire at the end of this month, so the reminders have work.
    let month_end = patron_core::points::lot_expiry(today, 0);
    app.db
        .write(move |tx| Box::pin(store::expire_lots_of_every_seventh(tx, month_end)))
        .await?;
    // A year of receipts at the tills of WFJ and XD.
    let stores = app.cache.stores(&app.db).await?;
    let cards = store::cards_with_store(&app.db).await?;
    let receipts_n = members * 6;
    let jobs = till_receipts(app, &mut rng, today, &cards, receipts_n)?;
    let done = accrue_all(app, &stores, jobs).await;
    let accrued: Vec<&ReceiptIn> = done
        .iter()
        .filter(|(_, o)| o.is_ok())
        .map(|(r, _)| r)
        .collect();
    returns_and_redemptions(app, &stores, &accrued).await;
    let _ = crate::app::jobs::run(app, "expiry-reminders", today, None).await;
    let _ = writeln!(
        out,
        "\nMembership: {} members, {} receipts over the past year ({} accrued), returns and redemptions.",
        report.imported,
        receipts_n,
        accrued.len()
    );
    // A portal account with a known password, for trying the member portal.
    let card = cards.first().map(|c| c.0.clone()).unwrap_or_default();
    let pw = portal_account(app, &card).await?;
    let _ = writeln!(
        out,
        "Member portal (/portal/login): card {card}, password {pw}"
    );
    Ok(())
}

/// The import file of `members` members across tiers, stores and channels.
fn member_csv(rng: &mut Lcg, today: NaiveDate, members: usize) -> String {
    let mut csv = String::from(
        "name,gender,birthday,phone,store_code,tier,joined_on,card_expires_on,points,channel\n",
    );
    let tiers = [
        "普通会员",
        "普通会员",
        "普通会员",
        "普通会员",
        "普通会员",
        "普通会员",
        "银卡",
        "银卡",
        "金卡",
        "白金卡",
    ];
    let channels = ["desk", "website", "social", "ecommerce", "event", "partner"];
    for i in 0..members {
        let name = format!(
            "{}{}",
            SURNAMES[rng.below(SURNAMES.len() as u64) as usize],
            GIVEN[rng.below(GIVEN.len() as u64) as usize]
        );
        let birthday =
            today - Duration::days(365 * (20 + rng.below(50) as i64) + rng.below(365) as i64);
        let joined = today - Duration::days(400 + rng.below(1500) as i64);
        // Cards renewed over the years: most valid into next year, one in twenty lapsed.
        let expires = if rng.below(20) == 0 {
            today - Duration::days(1 + rng.below(60) as i64)
        } else {
            today + Duration::days(30 + rng.below(335) as i64)
        };
        let _ = writeln!(
            csv,
            "{name},{},{birthday},13{:09},{},{},{joined},{expires},{},{}",
            if rng.below(2) == 0 { "女" } else { "男" },
            800_000_000 + i as u64,
            ["WFJ", "XD", "WFJ"][i % 3],
            tiers[rng.below(tiers.len() as u64) as usize],
            rng.below(4000),
            channels[rng.below(channels.len() as u64) as usize],
        );
    }
    csv
}

/// `n` receipts over the past year on random cards, in time order.
fn till_receipts(
    app: &App,
    rng: &mut Lcg,
    today: NaiveDate,
    cards: &[(String, String)],
    n: usize,
) -> anyhow::Result<Vec<ReceiptIn>> {
    let mut jobs = Vec::with_capacity(n);
    for i in 0..n {
        let (card, store) = cards[rng.below(cards.len() as u64) as usize].clone();
        let days_ago = rng.below(360) as i64;
        let minute = 10 * 60 + rng.below(11 * 60) as i64;
        let local = (today - Duration::days(days_ago))
            .and_hms_opt(0, 0, 0)
            .context("time")?
            + Duration::minutes(minute);
        let at = app
            .config
            .tz()
            .from_local_datetime(&local)
            .single()
            .context("time")?
            .fixed_offset();
        let lines: Vec<ReceiptLineIn> = (0..1 + rng.below(3))
            .map(|l| ReceiptLineIn {
                line_no: l as i64 + 1,
                sku: format!("SKU{:05}", rng.below(20_000)),
                amount_fen: 5_000 + rng.below(200_000) as i64,
                promotional: rng.below(6) == 0,
            })
            .collect();
        jobs.push(ReceiptIn {
            store_code: store,
            till_id: Some("01".into()),
            receipt_no: format!("{}{:06}", at.format("%y%m%d"), i),
            card_no: card,
            occurred_at: at,
            lines,
        });
    }
    jobs.sort_by_key(|r| r.occurred_at);
    Ok(jobs)
}

/// The till "01" of a store, as the actor of its receipts.
fn till(app: &App, stores: &Stores, code: &str) -> Ctx {
    let store_id = stores.by_code(code).map_or(0, |s| s.id);
    Ctx::new(
        app.clone(),
        Actor::Till {
            key_id: 0,
            store_id,
            till_id: "01".into(),
        },
        None,
    )
}

type Accrued = (
    ReceiptIn,
    Result<
        (
            crate::areas::points::Outcome,
            crate::areas::points::receipts::ReceiptOut,
        ),
        crate::areas::points::PointsError,
    >,
);

/// Accrues the receipts through the till's use case, 32 at a time, as an import: a year of
/// history is older than a till may send.
async fn accrue_all(app: &App, stores: &Stores, jobs: Vec<ReceiptIn>) -> Vec<Accrued> {
    futures::stream::iter(jobs.into_iter().map(|r| {
        let ctx = till(app, stores, &r.store_code);
        async move {
            let out = receipts::accrue(&ctx, &r, "import").await;
            (r, out)
        }
    }))
    .buffer_unordered(32)
    .collect()
    .await
}

/// One receipt in forty comes back (part of its first line); some members pay with points.
async fn returns_and_redemptions(app: &App, stores: &Stores, accrued: &[&ReceiptIn]) {
    for (k, r) in accrued.iter().enumerate().filter(|(k, _)| k % 40 == 0) {
        let ctx = till(app, stores, &r.store_code);
        let _ = returns::take_return(
            &ctx,
            &ReturnIn {
                store_code: r.store_code.clone(),
                till_id: Some("01".into()),
                return_no: format!("T{k:06}"),
                original_receipt_no: r.receipt_no.clone(),
                lines: vec![ReturnLineIn {
                    line_no: 1,
                    amount_fen: r.lines[0].amount_fen / 2,
                }],
            },
        )
        .await;
    }
    for (k, r) in accrued.iter().enumerate().filter(|(k, _)| k % 25 == 3) {
        let ctx = till(app, stores, &r.store_code);
        let _ = spend::redeem(
            &ctx,
            &RedeemIn {
                store_code: r.store_code.clone(),
                till_id: Some("01".into()),
                receipt_no: format!("P{k:06}"),
                card_no: r.card_no.clone(),
                points: 100 * (1 + (k as i64 % 5)),
            },
        )
        .await;
    }
}

/// Gives the card's member a known portal password; returns it.
pub async fn portal_account(app: &App, card: &str) -> anyhow::Result<String> {
    let pw = crate::auth::password::random_password();
    let hash = crate::auth::password::hash(&pw).await?;
    let card = card.to_string();
    app.db
        .write(move |tx| {
            let (hash, card) = (hash.clone(), card.clone());
            Box::pin(async move { store::set_portal_password(tx, &card, &hash).await })
        })
        .await?;
    Ok(pw)
}

/// Work waiting for the demo's reviewers: an application and a points adjustment.
pub async fn pending_work(app: &App, clerk: &crate::kernel::ctx::StaffActor) -> anyhow::Result<()> {
    let ctx = Ctx::new(app.clone(), Actor::Staff(clerk.clone()), None);
    let input = crate::areas::members::applications::ApplicationIn {
        store_code: "WFJ".into(),
        member: crate::areas::members::MemberIn {
            name: "林小雨".into(),
            gender: "F".into(),
            birthday: "1995-06-18".into(),
            phone: "13912345678".into(),
            channel: "desk".into(),
            ..Default::default()
        },
        receipt_no: "WFJ-DEMO-1".into(),
        receipt_amount: "1288".into(),
        counter: String::new(),
    };
    crate::areas::members::applications::submit(&ctx, &input, None)
        .await
        .map_err(|e| anyhow::anyhow!("demo application: {e}"))?;
    let member = store::first_member_id(&app.db).await?;
    crate::areas::points::adjust::request_adjustment(&ctx, member, 500, "活动补偿")
        .await
        .map_err(|e| anyhow::anyhow!("demo adjustment: {e}"))?;
    Ok(())
}
