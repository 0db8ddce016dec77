//! `/reports` and one report's page, file and print view.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::reports::sheet::{Sheet, numeric, shown};
use crate::areas::reports::{self, Params, REPORTS, ReportDef};
use crate::kernel::stores::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, ExportFormat};
use crate::web::extract::Console;
use crate::web::forms::{Form, Reshow, reshow};
use crate::web::layout::Page;
use crate::web::print::Paper;

/// A report of another area, linked from the index.
pub struct Other {
    pub href: &'static str,
    pub title: &'static str,
    pub what: &'static str,
    pub permission: Permission,
}

/// The reports other areas show on their own pages (M3, M4), linked from the index.
pub const OTHERS: &[Other] = &[
    Other {
        href: "/points/liability",
        title: "nav.liability",
        what: "reports.other.liability",
        permission: Permission::ViewPointsLiability,
    },
    Other {
        href: "/groupbuy/report",
        title: "reports.other.gb_daily",
        what: "reports.other.gb_daily_what",
        permission: Permission::ViewGroupBuy,
    },
    Other {
        href: "/groupbuy/reconcile",
        title: "reports.other.gb_reconcile",
        what: "reports.other.gb_reconcile_what",
        permission: Permission::ViewGroupBuy,
    },
    Other {
        href: "/groupbuy/rebates",
        title: "reports.other.gb_rebates",
        what: "reports.other.gb_rebates_what",
        permission: Permission::ViewGroupBuy,
    },
    Other {
        href: "/complaints/analysis",
        title: "reports.other.complaints",
        what: "reports.other.complaints_what",
        permission: Permission::ManageComplaints,
    },
    Other {
        href: "/care/figures",
        title: "reports.other.care",
        what: "reports.other.care_what",
        permission: Permission::ManageCare,
    },
];

#[derive(Template, WebTemplate)]
#[template(path = "reports/index.html")]
struct IndexPage {
    page: Page,
    reports: Vec<&'static ReportDef>,
    others: Vec<&'static Other>,
}

pub(super) async fn index(c: Console) -> Response {
    if let Err(e) = c.ctx.require(Permission::ViewReports) {
        return AppError::from(e).into_response();
    }
    let reports: Vec<&ReportDef> = REPORTS.iter().filter(|r| c.ctx.can(r.permission)).collect();
    let others: Vec<&Other> = OTHERS.iter().filter(|o| c.ctx.can(o.permission)).collect();
    IndexPage {
        page: Page::console(&c, "reports.title"),
        reports,
        others,
    }
    .into_response()
}

/// A row's cells as text, each with whether it is a number.
pub type ShownCells = Vec<(String, bool)>;

/// A sheet as the page shows it: every cell as text, and whether it is a number.
pub struct Shown {
    pub columns: Vec<&'static str>,
    pub rows: Vec<(ShownCells, Option<String>)>,
    pub totals: Option<Vec<(String, bool)>>,
    pub chart: String,
    pub notes: Vec<String>,
}

impl Shown {
    pub fn of(sheet: Sheet) -> Shown {
        let cells = |cs: &[crate::web::export::Cell]| -> Vec<(String, bool)> {
            cs.iter().map(|c| (shown(c), numeric(c))).collect()
        };
        Shown {
            columns: sheet.columns.clone(),
            rows: sheet
                .rows
                .iter()
                .map(|r| (cells(&r.cells), r.href.clone()))
                .collect(),
            totals: sheet.totals.as_deref().map(cells),
            chart: sheet.chart.as_ref().map(|c| c.spec()).unwrap_or_default(),
            notes: sheet.notes,
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct FileQuery {
    #[serde(flatten)]
    pub params: Params,
    pub format: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/report.html")]
struct ReportPage {
    page: Page,
    def: &'static ReportDef,
    stores: Vec<StoreInfo>,
    tiers: Vec<(String, String)>,
    /// The filters as typed, for the form and the links.
    q: Params,
    query: String,
    r: Reshow,
    shown: Option<Shown>,
}

impl ReportPage {
    fn typed(&self, name: &str) -> String {
        if self.r.is("filter") {
            return self.r.val("filter", name).to_string();
        }
        let v = match name {
            "from" => &self.q.from,
            "to" => &self.q.to,
            "store" => &self.q.store,
            "tier" => &self.q.tier,
            _ => &self.q.by,
        };
        v.clone().unwrap_or_default()
    }
    fn chosen(&self, name: &str, value: &str) -> bool {
        let t = self.typed(name);
        t == value || (t.is_empty() && name == "by" && self.def.dims.first() == Some(&value))
    }
}

/// The filters as they were answered (the defaults filled in), as a page address query.
fn query_of(f: &reports::Filter) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("from", &f.from.to_string());
    q.append_pair("to", &f.to.to_string());
    if let Some(s) = &f.store {
        q.append_pair("store", &s.code);
    }
    if let Some(t) = &f.tier {
        q.append_pair("tier", t);
    }
    q.append_pair("by", f.by);
    q.finish()
}

/// The filters as answered, for the form (the defaults shown, not blank).
fn answered(f: &reports::Filter) -> Params {
    Params {
        from: Some(f.from.to_string()),
        to: Some(f.to.to_string()),
        store: f.store.as_ref().map(|s| s.code.clone()),
        tier: f.tier.clone(),
        by: Some(f.by.to_string()),
    }
}

fn as_form(p: &Params) -> Form {
    let mut f = Form::new();
    for (k, v) in [
        ("from", &p.from),
        ("to", &p.to),
        ("store", &p.store),
        ("tier", &p.tier),
        ("by", &p.by),
    ] {
        f.insert(k.to_string(), v.clone().unwrap_or_default());
    }
    f
}

async fn choices(
    c: &Console,
    def: &ReportDef,
) -> Result<(Vec<StoreInfo>, Vec<(String, String)>), AppError> {
    let stores = c.ctx.app.cache.stores(c.ctx.db()).await?;
    let mut mine: Vec<StoreInfo> = stores
        .all()
        .into_iter()
        .filter(|s| c.ctx.can_at(def.permission, s.id))
        .collect();
    mine.sort_by(|a, b| a.code.cmp(&b.code));
    let loyalty = crate::areas::points::settings::load(c.ctx.db()).await?;
    let tiers = loyalty
        .tiers
        .iter()
        .map(|t| (t.code.clone(), t.name(c.lang).to_string()))
        .collect();
    Ok((mine, tiers))
}

pub(super) async fn report_page(
    c: Console,
    Path(name): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    let def = match reports::find(&name) {
        Ok(d) => d,
        Err(e) => return AppError::from(e).into_response(),
    };
    if let Err(e) = c.ctx.require(def.permission) {
        return AppError::from(e).into_response();
    }
    let (stores, tiers) = match choices(&c, def).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let page = Page::console(&c, def.title);
    match reports::run(&c.ctx, def, &q, c.lang).await {
        Ok((f, sheet)) => ReportPage {
            query: query_of(&f),
            page,
            def,
            stores,
            tiers,
            q: answered(&f),
            r: Reshow::default(),
            shown: Some(Shown::of(sheet)),
        }
        .into_response(),
        Err(e) => match reshow(e, &page, "filter", as_form(&q)) {
            Ok(r) => {
                let status = r.status();
                let mut res = ReportPage {
                    query: String::new(),
                    page,
                    def,
                    stores,
                    tiers,
                    q,
                    r,
                    shown: None,
                }
                .into_response();
                *res.status_mut() = status;
                res
            }
            Err(res) => *res,
        },
    }
}

/// The report as CSV or xlsx (`?format=`), the same rows and totals as the screen.
pub(super) async fn report_file(
    c: Console,
    Path(name): Path<String>,
    Query(q): Query<FileQuery>,
) -> Response {
    let answer = async {
        let def = reports::find(&name)?;
        let format = match q.format.as_deref() {
            None => ExportFormat::Xlsx,
            Some(f) => ExportFormat::parse(f)
                .ok_or_else(|| crate::web::forms::bad_parameter("error.param.format", f))?,
        };
        let (_, sheet) = reports::run(&c.ctx, def, &q.params, c.lang).await?;
        export::respond(&sheet.table(def.name, c.lang), format)
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/print.html")]
struct PrintPage {
    paper: Paper,
    def: &'static ReportDef,
    shown: Shown,
    today: chrono::NaiveDate,
}

/// The report on A4: the title, what it covers, the table with its header row on every page.
pub(super) async fn report_print(
    c: Console,
    Path(name): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    let answer = async {
        let def = reports::find(&name)?;
        let (f, sheet) = reports::run(&c.ctx, def, &q, c.lang).await?;
        Ok::<_, AppError>(
            PrintPage {
                paper: Paper {
                    tz: f.tz,
                    lang: c.lang,
                },
                def,
                shown: Shown::of(sheet),
                today: f.today,
            }
            .into_response(),
        )
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}
