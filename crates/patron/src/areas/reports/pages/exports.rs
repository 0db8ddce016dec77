//! A segment's members (a page of them, and the whole list as a background export), the
//! export's page with its progress bar, and the finished file.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;
use patron_core::rfm::Segment;
use serde::Deserialize;

use crate::areas::reports::exports::{self, COLUMNS, SegmentExport, member_cells};
use crate::areas::reports::rfm;
use crate::areas::reports::sheet::{numeric, shown};
use crate::areas::reports::store::{self, ExportRow};
use crate::areas::reports::{self as area, Params, ReportError};
use crate::kernel::stores::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::ExportFormat;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, field};
use crate::web::layout::Page;

/// Members shown per page.
const SHOWN: i64 = 50;

#[derive(Deserialize, Default)]
pub struct SegmentQ {
    pub store: Option<String>,
    pub after: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/segment.html")]
struct SegmentPage {
    page: Page,
    segment: Segment,
    store: Option<StoreInfo>,
    total: i64,
    columns: &'static [&'static str],
    rows: Vec<Vec<(String, bool)>>,
    next: Option<i64>,
    /// The events the reader may invite the segment to (`invite.rs`).
    events: Vec<(i64, String)>,
}

impl SegmentPage {
    fn store_code(&self) -> String {
        self.store
            .as_ref()
            .map(|s| s.code.clone())
            .unwrap_or_default()
    }
}

pub(super) async fn segment_of(
    c: &Console,
    code: &str,
    store: Option<&str>,
) -> Result<(Segment, Option<StoreInfo>), AppError> {
    let segment =
        Segment::from_code(code).ok_or_else(|| ReportError::NotFound(code.to_string()))?;
    let params = Params {
        store: store.map(str::to_string),
        ..Default::default()
    };
    let f = area::filter(&c.ctx, area::find("rfm")?, &params).await?;
    Ok((segment, f.store))
}

pub(super) async fn segment_page(
    c: Console,
    Path(code): Path<String>,
    Query(q): Query<SegmentQ>,
) -> Response {
    let answer = async {
        let (segment, store) = segment_of(&c, &code, q.store.as_deref()).await?;
        let sq = rfm::segment_query(&c.ctx, segment, store.as_ref().map(|s| s.id)).await?;
        let db = c.ctx.db();
        let total = store::segment_count(db, &sq).await?;
        let members = store::segment_members(db, &sq, q.after.unwrap_or(0), SHOWN).await?;
        let stores = c.ctx.app.cache.stores(db).await?;
        let tiers = crate::areas::points::settings::load(db).await?;
        let tz = c.ctx.app.config.tz();
        let next = (members.len() as i64 == SHOWN)
            .then(|| members.last().map(|m| m.id))
            .flatten();
        let rows = members
            .iter()
            .map(|m| {
                member_cells(m, &stores, &tiers, c.lang, tz)
                    .iter()
                    .map(|cell| (shown(cell), numeric(cell)))
                    .collect()
            })
            .collect();
        Ok::<_, AppError>(
            SegmentPage {
                page: Page::console(&c, "reports.segment_title"),
                segment,
                store,
                total,
                columns: COLUMNS,
                rows,
                next,
                events: super::invite::choices(&c).await?,
            }
            .into_response(),
        )
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

/// Starts the export of a segment's members; the export's page follows.
pub(super) async fn export_submit(Path(code): Path<String>, v: Verified<Form>) -> Response {
    let c = v.console;
    let format = ExportFormat::parse(&field(&v.form, "format")).unwrap_or(ExportFormat::Xlsx);
    let spec = SegmentExport {
        segment: code,
        store: field(&v.form, "store"),
    };
    match exports::start(&c.ctx, &spec, format, c.lang).await {
        Ok(id) => Redirect::to(&format!("/reports/exports/{id}")).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/export.html")]
struct ExportPage {
    page: Page,
    e: ExportRow,
}

impl ExportPage {
    fn percent(&self) -> i64 {
        percent(&self.e)
    }
    fn size(&self) -> String {
        format!("{:.1}", self.e.bytes as f64 / 1_048_576.0)
    }
}

fn percent(e: &ExportRow) -> i64 {
    if e.state == "done" {
        100
    } else if e.rows_total > 0 {
        (e.rows_done * 100 / e.rows_total).clamp(0, 99)
    } else {
        0
    }
}

pub(super) async fn export_page(c: Console, Path(id): Path<i64>) -> Response {
    match exports::get(&c.ctx, id).await {
        Ok(e) => ExportPage {
            page: Page::console(&c, "reports.export_title"),
            e,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/export_progress.html")]
struct ProgressPart {
    page: Page,
    e: ExportRow,
}

impl ProgressPart {
    fn percent(&self) -> i64 {
        percent(&self.e)
    }
    fn size(&self) -> String {
        format!("{:.1}", self.e.bytes as f64 / 1_048_576.0)
    }
}

/// The progress part of the export's page, polled while it runs.
pub(super) async fn progress(c: Console, Path(id): Path<i64>) -> Response {
    match exports::get(&c.ctx, id).await {
        Ok(e) => ProgressPart {
            page: Page::console(&c, "reports.export_title"),
            e,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

pub(super) async fn download(c: Console, Path(id): Path<i64>) -> Response {
    match exports::file(&c.ctx, id).await {
        Ok((name, bytes, format)) => crate::web::export::attachment(&name, format.mime(), bytes),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/exports.html")]
struct ListPage {
    page: Page,
    exports: Vec<ExportRow>,
}

impl ListPage {
    fn percent(&self, e: &ExportRow) -> i64 {
        percent(e)
    }
    fn segment(&self, report: &str) -> String {
        let code = report.strip_prefix("rfm-").unwrap_or(report);
        self.page.label("reports.segment.", code)
    }
}

pub(super) async fn list_page(c: Console) -> Response {
    if let Err(e) = c.ctx.require(Permission::ViewReports) {
        return AppError::from(e).into_response();
    }
    match exports::mine(&c.ctx).await {
        Ok(exports) => ListPage {
            page: Page::console(&c, "reports.exports_title"),
            exports,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
