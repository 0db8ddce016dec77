//! Console routes that belong to no single area: the dashboard and the audit log viewer.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate, TimeZone};
use patron_core::{Permission, Role};
use serde::Deserialize;

use crate::areas::staff::store as staff_store;
use crate::kernel::audit::{self, AuditFilter, AuditRow};
use crate::kernel::ctx::App;
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::layout::{FormErrors, Page};
use crate::web::tiles::{self, Tile, TileSource};

/// The dashboard's and the audit log's routes; the dashboard shows the tiles of `sources` (every
/// area's, listed by `app`).
pub fn router(sources: &'static [TileSource]) -> Router<App> {
    Router::new()
        .route(
            "/",
            get(move |c: Console, q: Query<FlashQuery>| dashboard(c, q, sources)),
        )
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit.csv", get(audit_csv))
        .route("/admin/audit.xlsx", get(audit_xlsx))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/dashboard.html")]
struct Dashboard {
    page: Page,
    /// Each tile with the store it counts at, when the reader works at several.
    tiles: Vec<(Tile, Option<String>)>,
    my_roles: Vec<(Role, String)>,
    activity_chart: Option<String>,
}

impl Dashboard {
    /// Whether nothing waits: no tile has a figure (a tile that is only a way in, such as the
    /// reports', is no work waiting).
    fn nothing_waits(&self) -> bool {
        self.tiles
            .iter()
            .all(|(t, _)| t.figure == crate::web::tiles::Figure::None)
    }
}

#[derive(Deserialize, Default)]
struct FlashQuery {
    ok: Option<String>,
}

async fn dashboard(
    c: Console,
    Query(q): Query<FlashQuery>,
    sources: &'static [TileSource],
) -> Result<Dashboard, AppError> {
    c.ctx.require(Permission::ViewDashboard)?;
    let tiles = tiles::collect(&c.ctx, sources, c.lang).await?;
    let stores = staff_store::list_stores(c.ctx.db()).await?;
    let my_roles = c
        .staff()
        .grants
        .iter()
        .map(|g| {
            let store = stores
                .iter()
                .find(|s| s.id == g.store_id)
                .map(|s| format!("{} {}", s.code, s.name))
                .unwrap_or_default();
            (g.role, store)
        })
        .collect();
    let activity_chart = if c.ctx.can(Permission::ViewAudit) {
        Some(activity(&c).await?)
    } else {
        None
    };
    Ok(Dashboard {
        page: Page::console(&c, "dash.title").with_flash("success", q.ok.as_deref()),
        tiles,
        my_roles,
        activity_chart,
    })
}

/// Audit entries per day over the last 14 days, bucketed in Rust in the store's time zone.
async fn activity(c: &Console) -> Result<String, AppError> {
    let tz = c.ctx.app.config.tz();
    let today = c.ctx.now().with_timezone(&tz).date_naive();
    let first = today - Duration::days(13);
    let from = tz
        .from_local_datetime(&first.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc));
    let filter = AuditFilter {
        from,
        ..AuditFilter::default()
    };
    let (rows, _) = audit::list(c.ctx.db(), &filter, 0, 100_000).await?;
    let mut counts = [0i64; 14];
    for r in rows {
        let day = r.at.with_timezone(&tz).date_naive();
        let idx = (day - first).num_days();
        if let Some(slot) = usize::try_from(idx).ok().and_then(|i| counts.get_mut(i)) {
            *slot += 1;
        }
    }
    let labels: Vec<String> = (0..14)
        .map(|i| (first + Duration::days(i)).format("%m-%d").to_string())
        .collect();
    Ok(serde_json::json!({
        "type": "bar",
        "labels": labels,
        "series": [{ "name": c.lang.t("dash.activity"), "data": counts }],
    })
    .to_string())
}

#[derive(Deserialize, Default, Clone)]
struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    page: Option<i64>,
}

impl AuditQuery {
    /// The filter, with dates read as business days in the store's time zone.
    fn filter(&self, tz: chrono_tz::Tz) -> Result<AuditFilter, Invalid> {
        let mut bad = Invalid::new();
        let day = |s: &str, field: &str, bad: &mut Invalid| {
            if s.trim().is_empty() {
                return None;
            }
            match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                Ok(d) => tz
                    .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
                    .earliest()
                    .map(|t| t.with_timezone(&chrono::Utc)),
                Err(_) => {
                    bad.add(field, "invalid.date");
                    None
                }
            }
        };
        let from = day(&self.from, "from", &mut bad);
        let until = day(&self.until, "until", &mut bad).map(|t| t + Duration::days(1));
        bad.into_result()?;
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Ok(AuditFilter {
            actor: opt(&self.actor),
            entity_kind: opt(&self.entity),
            entity_id: opt(&self.entity_id),
            from,
            until,
        })
    }

    fn query_string(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("actor", &self.actor)
            .append_pair("entity", &self.entity)
            .append_pair("entity_id", &self.entity_id)
            .append_pair("from", &self.from)
            .append_pair("until", &self.until)
            .finish()
    }
}

const PAGE_SIZE: i64 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    page: Page,
    rows: Vec<AuditRow>,
    actors: Vec<String>,
    total: i64,
    page_no: i64,
    pages: i64,
    query: String,
    filter_actor: String,
    filter_entity: String,
    filter_entity_id: String,
    filter_from: String,
    filter_until: String,
    errors: FormErrors,
}

async fn audit_page(c: Console, Query(q): Query<AuditQuery>) -> Result<Response, AppError> {
    c.ctx.require(Permission::ViewAudit)?;
    let actors = audit::actors(c.ctx.db()).await?;
    let page_no = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let (rows, total, errors) = match q.filter(c.ctx.app.config.tz()) {
        Ok(filter) => {
            let (rows, total) =
                audit::list(c.ctx.db(), &filter, (page_no - 1) * PAGE_SIZE, PAGE_SIZE).await?;
            (rows, total, FormErrors::default())
        }
        Err(bad) => (Vec::new(), 0, FormErrors(bad.0)),
    };
    let status = if errors.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = AuditPage {
        page: Page::console(&c, "audit.title"),
        rows,
        actors,
        total,
        page_no,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        query: q.query_string(),
        filter_actor: q.actor.clone(),
        filter_entity: q.entity.clone(),
        filter_entity_id: q.entity_id.clone(),
        filter_from: q.from.clone(),
        filter_until: q.until.clone(),
        errors,
    };
    Ok((status, page).into_response())
}

async fn audit_csv(c: Console, q: Query<AuditQuery>) -> Result<Response, AppError> {
    audit_export(c, q, ExportFormat::Csv).await
}

async fn audit_xlsx(c: Console, q: Query<AuditQuery>) -> Result<Response, AppError> {
    audit_export(c, q, ExportFormat::Xlsx).await
}

/// The filtered audit log as a file, with the same filters as the page.
async fn audit_export(
    c: Console,
    Query(q): Query<AuditQuery>,
    format: ExportFormat,
) -> Result<Response, AppError> {
    c.ctx.require(Permission::ViewAudit)?;
    let filter = q.filter(c.ctx.app.config.tz())?;
    let (rows, _) = audit::list(c.ctx.db(), &filter, 0, i64::MAX / 2).await?;
    let tz = c.ctx.app.config.tz();
    let page = Page::console(&c, "audit.title");
    let rows = rows
        .into_iter()
        .map(|r| {
            vec![
                Cell::Int(r.seq),
                r.at.with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
                    .into(),
                r.actor_name.into(),
                page.action_label(&r.action).into(),
                r.action.into(),
                r.entity_kind.into(),
                r.entity_id.into(),
                r.before.unwrap_or_default().into(),
                r.after.unwrap_or_default().into(),
                r.hash.into(),
            ]
        })
        .collect();
    let headers = [
        "audit.seq",
        "audit.at",
        "audit.actor",
        "audit.action",
        "audit.action_code",
        "audit.entity",
        "audit.entity_id",
        "audit.before",
        "audit.after",
        "audit.hash",
    ];
    let table = Table::new("audit-log", &page, &headers, rows);
    export::respond(&table, format)
}
