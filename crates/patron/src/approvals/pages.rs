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

use super::store::InboxEntry;
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

/// A request as the inbox shows it: its kind's name, the link to its record (for those who may
/// open it) and, while pending, whether the viewer may decide it.
struct InboxRow {
    row: ApprovalRow,
    kind_label: &'static str,
    requester: String,
    store: String,
    decider: String,
    record: Option<String>,
    decidable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "approvals/list.html")]
struct ApprovalsPage {
    page: Page,
    pending: Vec<InboxRow>,
    decided: Vec<InboxRow>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
struct FlashQuery {
    ok: Option<String>,
}

/// How many decided requests the inbox lists.
const DECIDED_SHOWN: i64 = 50;

fn inbox_row(c: &Console, kinds: &[ApprovalKind], e: InboxEntry) -> InboxRow {
    let kind = find(kinds, &e.row.kind);
    let decidable = e.row.status == "pending"
        && c.ctx.can(Permission::DecideApprovals)
        && e.row.requested_by != Some(c.staff().id)
        && kind.is_some_and(|k| may_decide(&c.ctx, k, e.row.store_id));
    let record = kind
        .filter(|k| c.ctx.can(k.record_permission))
        .map(|k| (k.record)(&e.row.subject_id));
    let store = match (e.store_code, e.store_name) {
        (Some(code), Some(name)) => format!("{code} {name}"),
        _ => String::new(),
    };
    InboxRow {
        kind_label: kind.map_or("approval.kind.other", |k| k.label),
        requester: e.requester_name.unwrap_or_default(),
        decider: e.decider_name.unwrap_or_default(),
        store,
        record,
        decidable,
        row: e.row,
    }
}

async fn render(
    c: &Console,
    kinds: &[ApprovalKind],
    flash: Option<&str>,
    message: Option<String>,
) -> Response {
    if let Err(e) = c.ctx.require(Permission::ViewApprovals) {
        return AppError::from(e).into_response();
    }
    let loaded = async {
        let pending = super::store::inbox_pending(c.ctx.db()).await?;
        let decided = super::store::inbox_decided(c.ctx.db(), DECIDED_SHOWN).await?;
        Ok::<_, crate::kernel::db::DbError>((pending, decided))
    }
    .await;
    match loaded {
        Ok((pending, decided)) => ApprovalsPage {
            page: Page::console(c, "approval.title").with_flash("success", flash),
            pending: pending
                .into_iter()
                .map(|e| inbox_row(c, kinds, e))
                .collect(),
            decided: decided
                .into_iter()
                .map(|e| inbox_row(c, kinds, e))
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
