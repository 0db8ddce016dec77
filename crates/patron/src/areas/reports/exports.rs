//! Exports that take more than a moment (M5): a segment's members for a campaign, up to millions
//! of rows. One is recorded in `report_exports`, then written in the background — the console's
//! page shows its progress and the file when done; the CLI shows a progress bar — reading the
//! members a page at a time from the read pool and writing the rows to a file under the data
//! directory's `exports` folder (CSV or xlsx in constant memory). The writer is held only for
//! the progress figure, a moment per page.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use patron_core::Permission;
use patron_core::rfm::Segment;

use super::store::{self, ExportRow, Finished, NewExport, SegmentMember};
use super::{ReportError, rfm};
use crate::jobs::Progress;
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::Stores;
use crate::web::export::{Cell, ExportFormat, Stream};
use crate::web::i18n::Lang;

/// Members read per page.
const PAGE: i64 = 20_000;

/// What is exported: a segment's members, in one store or all the reader may see.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SegmentExport {
    pub segment: String,
    /// A store's code, or empty for every store.
    #[serde(default)]
    pub store: String,
}

/// The export's folder under the data directory.
pub fn folder(ctx: &Ctx) -> PathBuf {
    ctx.app.config.data_dir.join("exports")
}

/// The columns of a member list.
pub const COLUMNS: &[&str] = &[
    "reports.list.card_no",
    "reports.list.name",
    "reports.list.phone",
    "reports.list.store",
    "reports.list.tier",
    "reports.list.joined_on",
    "reports.list.last_purchase",
    "reports.list.purchases",
    "reports.list.spend",
];

/// A member as a list row, in `lang`.
pub fn member_cells(
    m: &SegmentMember,
    stores: &Stores,
    tiers: &crate::areas::points::settings::Loyalty,
    lang: Lang,
    tz: chrono_tz::Tz,
) -> Vec<Cell> {
    vec![
        Cell::Text(m.card_no.clone().unwrap_or_default()),
        Cell::Text(m.name.clone()),
        Cell::Text(m.phone_masked.clone().unwrap_or_default()),
        Cell::Text(
            stores
                .by_id(m.store_id)
                .map_or_else(String::new, |s| s.name.clone()),
        ),
        Cell::Text(
            tiers
                .tier(&m.tier_code)
                .map_or_else(|| m.tier_code.clone(), |t| t.name(lang).to_string()),
        ),
        Cell::Date(m.joined_on),
        Cell::from(
            m.last_at
                .map(|t| crate::kernel::dates::business_date(t, tz)),
        ),
        Cell::Int(m.purchases.unwrap_or(0)),
        Cell::Money(m.spend_fen.unwrap_or(0)),
    ]
}

/// The segment and store of an export, checked for the reader.
async fn checked(
    ctx: &Ctx,
    spec: &SegmentExport,
) -> Result<(Segment, Option<crate::kernel::stores::StoreInfo>), ReportError> {
    ctx.require(Permission::ViewReports)?;
    let segment = Segment::from_code(&spec.segment)
        .ok_or_else(|| ReportError::NotFound(spec.segment.clone()))?;
    let params = super::Params {
        store: Some(spec.store.clone()),
        ..Default::default()
    };
    let f = super::filter(ctx, super::find("rfm")?, &params).await?;
    Ok((segment, f.store))
}

/// Records an export of a segment's members and starts writing it in the background; its id.
pub async fn start(
    ctx: &Ctx,
    spec: &SegmentExport,
    format: ExportFormat,
    lang: Lang,
) -> Result<i64, ReportError> {
    let id = record(ctx, spec, format, lang).await?;
    let (ctx2, spec2) = (ctx.clone(), spec.clone());
    tokio::spawn(async move {
        if let Err(e) = write(&ctx2, id, &spec2, None).await {
            tracing::error!(export = id, error = %e, "export failed");
        }
    });
    Ok(id)
}

/// Records an export (running, with how many rows to expect).
pub async fn record(
    ctx: &Ctx,
    spec: &SegmentExport,
    format: ExportFormat,
    lang: Lang,
) -> Result<i64, ReportError> {
    let (segment, store) = checked(ctx, spec).await?;
    let total = count(ctx, segment, store.as_ref().map(|s| s.id)).await?;
    let params = serde_json::to_string(spec).unwrap_or_default();
    let (staff_id, now) = (ctx.actor.staff().map(|s| s.id), ctx.now());
    let report = format!("rfm-{}", segment.code());
    let fmt = format.ext();
    let lang_code = lang.code();
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (params, report, c) = (params.clone(), report.clone(), c.clone());
            Box::pin(async move {
                let id = store::start_export(
                    tx,
                    &NewExport {
                        report: &report,
                        params: &params,
                        format: fmt,
                        lang: lang_code,
                        rows_total: total,
                        staff_id,
                        at: now,
                    },
                )
                .await?;
                tx.audit(c.audit("reports.export", "report_export", id));
                Ok::<_, ReportError>(id)
            })
        })
        .await
}

/// How many members a segment has (the export's total).
async fn count(ctx: &Ctx, segment: Segment, store_id: Option<i64>) -> Result<i64, ReportError> {
    let q = rfm::segment_query(ctx, segment, store_id).await?;
    Ok(store::segment_count(ctx.db(), &q).await?)
}

/// Writes export `id`: every member of the segment, a page at a time, recording the progress;
/// then marks it done (or failed, with why). `progress` reports (rows, total) to the CLI.
pub async fn write(
    ctx: &Ctx,
    id: i64,
    spec: &SegmentExport,
    progress: Option<Progress>,
) -> Result<ExportRow, ReportError> {
    let row = store::export(ctx.db(), id)
        .await?
        .ok_or_else(|| ReportError::NotFound(id.to_string()))?;
    let result = write_file(ctx, &row, spec, progress).await;
    let (state, note, rows, file, bytes) = match &result {
        Ok((rows, path)) => (
            "done",
            String::new(),
            *rows,
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::fs::metadata(path).map_or(0, |m| m.len() as i64),
        ),
        Err(e) => ("failed", e.to_string(), 0, String::new(), 0),
    };
    let now = ctx.now();
    ctx.db()
        .write(move |tx| {
            let (note, file) = (note.clone(), file.clone());
            Box::pin(async move {
                store::finish_export(
                    tx,
                    id,
                    &Finished {
                        state,
                        rows_done: rows,
                        file: &file,
                        bytes,
                        note: &note,
                        at: now,
                    },
                )
                .await
            })
        })
        .await?;
    result?;
    store::export(ctx.db(), id)
        .await?
        .ok_or_else(|| ReportError::NotFound(id.to_string()))
}

async fn write_file(
    ctx: &Ctx,
    row: &ExportRow,
    spec: &SegmentExport,
    progress: Option<Progress>,
) -> Result<(i64, PathBuf), ReportError> {
    let (segment, store) = checked(ctx, spec).await?;
    let lang = Lang::parse(&row.lang).unwrap_or(Lang::ZhCn);
    let format = ExportFormat::parse(&row.format).unwrap_or(ExportFormat::Xlsx);
    let dir = folder(ctx);
    crate::kernel::files::private_dir(&dir).map_err(|e| ReportError::io(&dir, e))?;
    let path = dir.join(format!("{}-{}.{}", row.id, row.report, format.ext()));
    let headers: Vec<&str> = COLUMNS.iter().map(|k| lang.t(k)).collect();
    let mut out = Stream::create(&path, format, lang.t("reports.list.sheet"), &headers)?;
    let q = rfm::segment_query(ctx, segment, store.as_ref().map(|s| s.id)).await?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let tiers = crate::areas::points::settings::load(ctx.db()).await?;
    let tz = ctx.app.config.tz();
    let (mut done, mut after) = (0i64, 0i64);
    loop {
        let page = store::segment_members(ctx.db(), &q, after, PAGE).await?;
        for m in &page {
            out.push(&member_cells(m, &stores, &tiers, lang, tz))?;
        }
        done += page.len() as i64;
        let id = row.id;
        ctx.db()
            .write(move |tx| Box::pin(async move { store::export_progress(tx, id, done).await }))
            .await?;
        if let Some(p) = &progress {
            p(done as u64, row.rows_total.max(done) as u64);
        }
        match page.last() {
            Some(m) if page.len() as i64 == PAGE => after = m.id,
            _ => break,
        }
    }
    out.finish()?;
    narrow(&path);
    Ok((done, path))
}

/// The file readable by Patron's own user only (it holds members' names).
fn narrow(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

/// An export for its page: the reader's own, or anyone's for the CLI.
pub async fn get(ctx: &Ctx, id: i64) -> Result<ExportRow, ReportError> {
    ctx.require(Permission::ViewReports)?;
    let row = store::export(ctx.db(), id)
        .await?
        .ok_or_else(|| ReportError::NotFound(id.to_string()))?;
    if let Some(me) = ctx.actor.staff().map(|s| s.id)
        && row.staff_id != Some(me)
    {
        return Err(ReportError::NotFound(id.to_string()));
    }
    Ok(row)
}

/// The finished file of an export: (file name, bytes).
pub async fn file(ctx: &Ctx, id: i64) -> Result<(String, Vec<u8>, ExportFormat), ReportError> {
    let row = get(ctx, id).await?;
    if row.state != "done" {
        return Err(ReportError::NotReady);
    }
    let path = folder(ctx).join(&row.file);
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ReportError::io(&path, e))?;
    let format = ExportFormat::parse(&row.format).unwrap_or(ExportFormat::Xlsx);
    Ok((row.file, bytes, format))
}

/// The reader's latest exports.
pub async fn mine(ctx: &Ctx) -> Result<Vec<ExportRow>, ReportError> {
    ctx.require(Permission::ViewReports)?;
    Ok(store::exports_of(ctx.db(), ctx.actor.staff().map(|s| s.id), 20).await?)
}

/// At start-up: exports left running by a process that stopped are failed, not shown running
/// for ever.
pub async fn abandon_running(ctx: &Ctx) -> Result<u64, ReportError> {
    let now = ctx.now();
    Ok(ctx
        .db()
        .write(move |tx| Box::pin(async move { store::abandon_running(tx, now).await }))
        .await?)
}

/// Kept so an `Arc` progress can be made from a plain closure.
pub fn progress(f: impl Fn(u64, u64) + Send + Sync + 'static) -> Progress {
    Arc::new(f)
}
