//! Reports and analysis (SPEC M1–M5). Each report is a use case that reads the other areas'
//! records (read-only, through `store.rs`, the one sanctioned cross-area reader) for a period,
//! a store and a tier, and answers a `Sheet`: the rows a page shows, prints and exports, the
//! totals under them and a chart. The large figures come from summaries kept by jobs
//! (`jobs.rs`): the RFM figures of each member (`rfm.rs`) and the points per store and month
//! (`points.rs`); a long export runs in the background with its progress (`exports.rs`).
//!
//! - `members`: members by tier, store, channel or month joined; growth; active and dormant (M1)
//! - `rfm`: the eight RFM segments and the dormant members, each a list to act on (M1)
//! - `points`: points issued, spent, expired and outstanding, as money, by month or store (M2)
//! - `groupbuy-sales`: group-buy sales by customer or salesperson (M3, `groupbuy.rs`)
//! - `complaints`: complaints, resolution in time, SLA breaches, callbacks and satisfaction by
//!   month, category or store (M4)
//! - `callbacks`: organisation customers' callbacks due, done, late and outstanding (M4)
//! - `events`: member events held, sign-ups and attendance (M4)
//! - `partners`: partner merchants by pipeline stage or month, contracts and callbacks (M4)
//!
//! `span.rs` puts the M3/M4 reports' moments on their stores' days and months; `tiles.rs` is the
//! dashboard's way in.

pub mod callbacks;
pub mod complaints;
pub mod error;
pub mod events;
pub mod exports;
pub mod groupbuy;
pub mod jobs;
pub mod members;
pub mod messages;
pub mod pages;
pub mod partners;
pub mod points;
pub mod rfm;
pub mod sheet;
pub mod span;
pub mod store;
pub mod tiles;

use std::future::Future;
use std::pin::Pin;

use chrono::{Datelike, Months, NaiveDate};
use patron_core::Permission;

pub use error::ReportError;
pub use sheet::Sheet;

use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::kernel::validation::Invalid;
use crate::web::i18n::Lang;

/// A report's work, boxed so the catalogue can hold every report in one list.
pub type SheetFuture<'a> = Pin<Box<dyn Future<Output = Result<Sheet, ReportError>> + Send + 'a>>;

/// One report of the catalogue.
pub struct ReportDef {
    /// The address and file name (`/reports/members`, `members.xlsx`).
    pub name: &'static str,
    /// Catalog keys of its title and a line saying what it shows.
    pub title: &'static str,
    pub what: &'static str,
    pub permission: Permission,
    /// The ways it can be grouped (`by`), the first the default; catalog keys `reports.by.{by}`.
    pub dims: &'static [&'static str],
    /// Whether the tier filter applies.
    pub tiers: bool,
    pub run: for<'a> fn(&'a Ctx, &'a Filter, Lang) -> SheetFuture<'a>,
}

/// The reports, in the order the index lists them.
pub const REPORTS: &[ReportDef] = &[
    ReportDef {
        name: "members",
        title: "reports.members.title",
        what: "reports.members.what",
        permission: Permission::ViewReports,
        dims: &["tier", "store", "channel", "month"],
        tiers: true,
        run: |ctx, f, lang| Box::pin(members::report(ctx, f, lang)),
    },
    ReportDef {
        name: "rfm",
        title: "reports.rfm.title",
        what: "reports.rfm.what",
        permission: Permission::ViewReports,
        dims: &["segment"],
        tiers: true,
        run: |ctx, f, lang| Box::pin(rfm::report(ctx, f, lang)),
    },
    ReportDef {
        name: "points",
        title: "reports.points.title",
        what: "reports.points.what",
        permission: Permission::ViewPointsLiability,
        dims: &["month", "store"],
        tiers: false,
        run: |ctx, f, lang| Box::pin(points::report(ctx, f, lang)),
    },
    ReportDef {
        name: "groupbuy-sales",
        title: "reports.gb.title",
        what: "reports.gb.what",
        permission: Permission::ViewGroupBuy,
        dims: &["customer", "salesperson"],
        tiers: false,
        run: |ctx, f, lang| Box::pin(groupbuy::report(ctx, f, lang)),
    },
    ReportDef {
        name: "complaints",
        title: "reports.complaints.title",
        what: "reports.complaints.what",
        permission: Permission::ManageComplaints,
        dims: &["month", "category", "store"],
        tiers: false,
        run: |ctx, f, lang| Box::pin(complaints::report(ctx, f, lang)),
    },
    ReportDef {
        name: "callbacks",
        title: "reports.callbacks.title",
        what: "reports.callbacks.what",
        permission: Permission::ViewCustomers,
        dims: &["month", "salesperson"],
        tiers: false,
        run: |ctx, f, lang| Box::pin(callbacks::report(ctx, f, lang)),
    },
    ReportDef {
        name: "events",
        title: "reports.events.title",
        what: "reports.events.what",
        permission: Permission::ViewEvents,
        dims: &["month", "event"],
        tiers: false,
        run: |ctx, f, lang| Box::pin(events::report(ctx, f, lang)),
    },
    ReportDef {
        name: "partners",
        title: "reports.partners.title",
        what: "reports.partners.what",
        permission: Permission::ViewPartners,
        dims: &["stage", "month"],
        tiers: false,
        run: |ctx, f, lang| Box::pin(partners::report(ctx, f, lang)),
    },
];

/// The report called `name`.
pub fn find(name: &str) -> Result<&'static ReportDef, ReportError> {
    REPORTS
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| ReportError::NotFound(name.to_string()))
}

/// The filters as typed (the page's address, the CLI's options): every one may be empty.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct Params {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub store: Option<String>,
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub by: Option<String>,
}

/// The filters of one run of a report, checked.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The period, both days included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The one store asked for, or None for every store the reader may see.
    pub store: Option<StoreInfo>,
    /// The stores the reader may see this report for.
    pub stores: Vec<StoreInfo>,
    pub tier: Option<String>,
    pub by: &'static str,
    /// The day the report is made (business date).
    pub today: NaiveDate,
    /// The time zone months and days are counted in (the store's, or the business's).
    pub tz: chrono_tz::Tz,
}

impl Filter {
    /// Whether figures of `store_id` belong in this run.
    pub fn counts(&self, store_id: i64) -> bool {
        match &self.store {
            Some(s) => s.id == store_id,
            None => self.stores.iter().any(|s| s.id == store_id),
        }
    }

    pub fn counts_tier(&self, tier: &str) -> bool {
        self.tier.as_deref().is_none_or(|t| t == tier)
    }

    pub fn store_name(&self, store_id: i64) -> String {
        self.stores
            .iter()
            .find(|s| s.id == store_id)
            .map_or_else(|| store_id.to_string(), |s| s.name.clone())
    }
}

/// The default period: the first day of the month eleven months back to today (a year of months).
pub fn default_from(today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
        .and_then(|d| d.checked_sub_months(Months::new(11)))
        .unwrap_or(today)
}

/// Checks the typed filters of `def` for the reader of `ctx`: every bad one named at once.
pub async fn filter(ctx: &Ctx, def: &ReportDef, p: &Params) -> Result<Filter, ReportError> {
    ctx.require(def.permission)?;
    let today = ctx.today();
    let mut bad = Invalid::new();
    let date = |text: &Option<String>, default: NaiveDate| -> Result<NaiveDate, &'static str> {
        match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(default),
            Some(t) => crate::kernel::dates::parse_date(t),
        }
    };
    let from = bad.check("from", date(&p.from, default_from(today)));
    let to = bad.check("to", date(&p.to, today));
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        bad.add("to", "reports.invalid.period");
    }
    let all = ctx.app.cache.stores(ctx.db()).await?;
    let mut stores: Vec<StoreInfo> = all
        .all()
        .into_iter()
        .filter(|s| ctx.can_at(def.permission, s.id))
        .collect();
    stores.sort_by(|a, b| a.code.cmp(&b.code));
    let store = match p.store.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => {
            let found = stores.iter().find(|s| s.code.eq_ignore_ascii_case(code));
            if found.is_none() {
                bad.add("store", "reports.invalid.store");
            }
            found.cloned()
        }
    };
    let tier = match p.tier.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => {
            let loyalty = crate::areas::points::settings::load(ctx.db()).await?;
            if loyalty.tier(code).is_none() {
                bad.add("tier", "reports.invalid.tier");
            }
            Some(code.to_string())
        }
    };
    let by = match p.by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => def.dims[0],
        Some(b) => def
            .dims
            .iter()
            .find(|d| **d == b)
            .copied()
            .unwrap_or_else(|| {
                bad.add("by", "reports.invalid.by");
                def.dims[0]
            }),
    };
    match (from, to) {
        (Some(from), Some(to)) if bad.0.is_empty() => Ok(Filter {
            tz: store.as_ref().map_or(ctx.app.config.tz(), |s| s.tz),
            from,
            to,
            store,
            stores,
            tier,
            by,
            today,
        }),
        _ => Err(bad.into()),
    }
}

/// Runs report `def` with the typed filters: the filter as checked and its sheet.
pub async fn run(
    ctx: &Ctx,
    def: &ReportDef,
    p: &Params,
    lang: Lang,
) -> Result<(Filter, Sheet), ReportError> {
    let f = filter(ctx, def, p).await?;
    let sheet = (def.run)(ctx, &f, lang).await?;
    Ok((f, sheet))
}
