//! The approvals inbox (`/approvals`): every pending request, each decided by the roles its
//! kind names. The list of kinds is handed in by `app` (each area declares its `APPROVALS`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use patron_core::Permission;
use patron_core::approvals::Decision;
use serde::Deserialize;

use super::{ApprovalKind, ApprovalRow, find, may_decide};
use crate::kernel::ctx::App;
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::layout::Page;

/// The inbox's routes, deciding through `kinds`.
pub fn router(kinds: &'static [ApprovalKind]) -> Router<App> {
    Router::new()
        .route(
            "/approvals",
            get(move |c: Console, Query(q): Query<FlashQuery>| async move {
                render(&c, kinds, q.ok.as_deref(), None).await
            }),
        )
        .route(
            "/approvals/{id}/decide",
            post(move |id: Path<i64>, v: Verified<DecideForm>| decide(id, v, kinds)),
        )
}

/// A pending request and whether the viewer may decide it.
struct InboxRow {
    row: ApprovalRow,
    decidable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "approvals/list.html")]
struct ApprovalsPage {
    page: Page,
    pending: Vec<InboxRow>,
    message: Option<String>,
}

impl ApprovalsPage {
    fn kind_name(&self, kind: &str) -> &'static str {
        self.page.t_or(
            &format!("approval.kind.{}", kind.replace('.', "_")),
            "approval.kind.other",
        )
    }
}

#[derive(Deserialize, Default)]
struct FlashQuery {
    ok: Option<String>,
}

async fn render(
    c: &Console,
    kinds: &[ApprovalKind],
    flash: Option<&str>,
    message: Option<String>,
) -> Response {
    let me = c.staff().id;
    let can_decide = c.ctx.can(Permission::DecideApprovals);
    match super::pending(&c.ctx).await {
        Ok(pending) => ApprovalsPage {
            page: Page::console(c, "approval.title").with_flash("success", flash),
            pending: pending
                .into_iter()
                .map(|row| {
                    let decidable = can_decide
                        && row.requested_by != Some(me)
                        && find(kinds, &row.kind)
                            .is_some_and(|k| may_decide(&c.ctx, k, row.store_id));
                    InboxRow { row, decidable }
                })
                .collect(),
            message,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
struct DecideForm {
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    Path(id): Path<i64>,
    v: Verified<DecideForm>,
    kinds: &'static [ApprovalKind],
) -> Response {
    let c = v.console;
    let decision = match v.form.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject {
            reason: v.form.reason.clone(),
        },
        _ => return AppError::new(codes::VALIDATION).into_response(),
    };
    let kind = match super::store::get(c.ctx.db(), id).await {
        Ok(Some(r)) => r.kind,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let result = match find(kinds, &kind) {
        Some(k) => (k.decide)(&c.ctx, id, decision).await,
        None => Err(AppError::from(super::ApprovalsError::UnknownKind(kind))),
    };
    match result {
        Ok(row) => Redirect::to(&format!("/approvals?ok=flash.{}", row.status)).into_response(),
        Err(err) if err.status().is_client_error() && err.code != codes::FORBIDDEN => {
            let msg = err
                .detail
                .clone()
                .unwrap_or_else(|| c.lang.t(err.code.key).into());
            let text = format!(
                "{} {}",
                c.lang.t(err.code.key),
                if c.lang == crate::web::i18n::Lang::En {
                    msg
                } else {
                    String::new()
                }
            );
            let mut res = render(&c, kinds, None, Some(text.trim().to_string())).await;
            *res.status_mut() = if err.code == crate::approvals::APPROVAL_ROLE {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::CONFLICT
            };
            res
        }
        Err(err) => err.into_response(),
    }
}
