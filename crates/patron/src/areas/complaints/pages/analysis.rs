//! The monthly complaint analysis (客户投诉分析报告) of a store: counts by category, department
//! and severity, breaches per clock and department, satisfaction, with a chart, a print view and
//! an xlsx export; and the case library of typical cases with a search.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::complaints::admin::{self, Department};
use crate::areas::complaints::analysis::{self, Analysis};
use crate::areas::complaints::store::ComplaintRow;
use crate::areas::complaints::view;
use crate::kernel::dates::month_key;
use crate::kernel::stores::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::forms::{month_param, store_choice};
use crate::web::layout::Page;
use crate::web::print::StorePaper;

#[derive(Deserialize, Default)]
pub struct AnalysisQuery {
    pub store: Option<String>,
    pub month: Option<String>,
}

/// A department's name from its code (empty code: not routed).
fn dept_name(t: &dyn Fn(&str) -> &'static str, departments: &[Department], code: &str) -> String {
    if code.is_empty() {
        return t("complaints.not_routed").to_string();
    }
    departments
        .iter()
        .find(|d| d.code == code)
        .map_or_else(|| code.to_string(), |d| d.name.clone())
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/analysis.html")]
struct AnalysisPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    a: Analysis,
    departments: Vec<Department>,
    chart: String,
}

impl AnalysisPage {
    fn dept(&self, code: &str) -> String {
        dept_name(&|k| self.page.t(k), &self.departments, code)
    }
    fn pct(&self, p: Option<i64>) -> String {
        p.map(|p| format!("{p}%")).unwrap_or_default()
    }
}

async fn load(
    c: &Console,
    q: &AnalysisQuery,
) -> Result<(StoreInfo, Vec<StoreInfo>, Analysis, Vec<Department>), Response> {
    let (store, stores) = store_choice(c, q.store.as_deref(), Permission::ManageComplaints).await?;
    let month = month_param(q.month.as_deref(), month_key(c.ctx.today_at(&store)))
        .map_err(IntoResponse::into_response)?;
    let a = analysis::month(&c.ctx, &store, &month)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    let departments = admin::active_departments(&c.ctx)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    Ok((store, stores, a, departments))
}

/// Cases by category, as the chart draws them.
fn chart(page: &Page, a: &Analysis) -> String {
    serde_json::json!({
        "type": "bar",
        "labels": a.by_category.iter().map(|(k, _)| page.label("complaints.category.", k)).collect::<Vec<_>>(),
        "series": [{
            "name": page.t("complaints.count"),
            "data": a.by_category.iter().map(|(_, n)| n).collect::<Vec<_>>(),
        }],
    })
    .to_string()
}

pub(super) async fn analysis_page(c: Console, Query(q): Query<AnalysisQuery>) -> Response {
    let (store, stores, a, departments) = match load(&c, &q).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "complaints.analysis_title");
    AnalysisPage {
        chart: chart(&page, &a),
        page,
        store,
        stores,
        a,
        departments,
    }
    .into_response()
}

fn table(page: &Page, a: &Analysis, departments: &[Department]) -> Table {
    let t = |k: &str| page.t(k);
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut push = |section: &str, what: String, n: i64| {
        rows.push(vec![
            Cell::from(page.t(section)),
            Cell::from(what),
            Cell::Int(n),
        ]);
    };
    for (k, n) in &a.by_category {
        push(
            "complaints.by_category",
            page.label("complaints.category.", k),
            *n,
        );
    }
    for (k, n) in &a.by_department {
        push(
            "complaints.by_department",
            dept_name(&t, departments, k),
            *n,
        );
    }
    for (k, n) in &a.by_severity {
        push(
            "complaints.by_severity",
            page.label("complaints.severity.", k),
            *n,
        );
    }
    for (clock, dept, n) in &a.breaches {
        let what = format!(
            "{} · {}",
            page.label("complaints.clock.", clock),
            dept_name(&t, departments, dept)
        );
        push("complaints.breaches", what, *n);
    }
    push(
        "complaints.satisfaction",
        page.t("complaints.satisfied_yes").into(),
        a.satisfied,
    );
    push(
        "complaints.satisfaction",
        page.t("complaints.satisfied_no").into(),
        a.unsatisfied,
    );
    push(
        "complaints.satisfaction",
        page.t("complaints.resolved_count").into(),
        a.resolved,
    );
    push(
        "complaints.satisfaction",
        page.t("complaints.called_back").into(),
        a.called_back,
    );
    Table::new(
        "complaints",
        page,
        &["complaints.section", "complaints.item", "complaints.count"],
        rows,
    )
}

pub(super) async fn analysis_xlsx(c: Console, Query(q): Query<AnalysisQuery>) -> Response {
    let (_, _, a, departments) = match load(&c, &q).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "complaints.analysis_title");
    export::respond(&table(&page, &a, &departments), ExportFormat::Xlsx)
        .unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/print_analysis.html")]
struct AnalysisPrint {
    paper: StorePaper,
    a: Analysis,
    departments: Vec<Department>,
    today: chrono::NaiveDate,
}

impl AnalysisPrint {
    fn dept(&self, code: &str) -> String {
        dept_name(&|k| self.paper.t(k), &self.departments, code)
    }
    fn label(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}{code}");
        if crate::web::i18n::Lang::has(&key) {
            self.paper.t(&key).to_string()
        } else {
            code.to_string()
        }
    }
    fn pct(&self, p: Option<i64>) -> String {
        p.map(|p| format!("{p}%")).unwrap_or_default()
    }
}

pub(super) async fn analysis_print(c: Console, Query(q): Query<AnalysisQuery>) -> Response {
    let (store, _, a, departments) = match load(&c, &q).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    AnalysisPrint {
        today: c.ctx.today_at(&store),
        paper: StorePaper::at(store),
        a,
        departments,
    }
    .into_response()
}

#[derive(Deserialize, Default)]
pub struct LibraryQuery {
    pub q: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/library.html")]
struct LibraryPage {
    page: Page,
    q: String,
    cases: Vec<ComplaintRow>,
}

pub(super) async fn library_page(c: Console, Query(q): Query<LibraryQuery>) -> Response {
    let words = q.q.unwrap_or_default();
    match view::library(&c.ctx, &words).await {
        Ok(cases) => LibraryPage {
            page: Page::console(&c, "complaints.library_title"),
            q: words,
            cases,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
