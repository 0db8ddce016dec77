//! One member's data as files: the whole record as JSON (B11) and the points statement (C9).

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;

use crate::areas::members::{self as members, store};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::layout::Page;

/// One member's data as a JSON file (B11), for a member who asks for it.
pub(super) async fn export_json(c: Console, Path(id): Path<i64>) -> Response {
    match members::export_one(&c.ctx, id).await {
        Ok(v) => {
            let body = serde_json::to_string_pretty(&v).unwrap_or_default();
            (
                [
                    (
                        axum::http::header::CONTENT_TYPE,
                        "application/json; charset=utf-8".to_string(),
                    ),
                    (
                        axum::http::header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"member-{id}.json\""),
                    ),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

/// A member's whole points statement (C9) as a file.
pub(super) async fn statement_export(
    c: Console,
    id: i64,
    format: ExportFormat,
) -> Result<Response, AppError> {
    c.ctx.require(Permission::ViewMembers)?;
    // An unknown member is a 404, not an empty file.
    store::get_member(c.ctx.db(), id)
        .await?
        .ok_or_else(|| AppError::new(codes::MEMBER_NOT_FOUND))?;
    let entries = store::entries(c.ctx.db(), id, i64::MAX / 4, 0).await?;
    let page = Page::console(&c, "points.statement");
    let rows = entries
        .into_iter()
        .map(|e| {
            vec![
                Cell::time(&page, &e.at),
                Cell::from(page.entry_kind(&e.kind)),
                Cell::from(e.points),
                Cell::from(e.balance_after),
                Cell::from(e.source_ref.unwrap_or_default()),
                Cell::from({
                    let by = e.staff_name.or(e.till_id).unwrap_or_default();
                    match e.approver_name {
                        Some(a) => format!("{by} ({} {a})", page.t("points.approved_by")),
                        None => by,
                    }
                }),
                Cell::from(e.note),
            ]
        })
        .collect();
    export::respond(
        &Table::new(
            "statement",
            &page,
            &[
                "points.at",
                "points.kind",
                "points.points",
                "points.balance_after",
                "points.source",
                "points.by",
                "points.note",
            ],
            rows,
        ),
        format,
    )
}

pub(super) async fn statement_csv(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    statement_export(c, id, ExportFormat::Csv).await
}

pub(super) async fn statement_xlsx(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    statement_export(c, id, ExportFormat::Xlsx).await
}
