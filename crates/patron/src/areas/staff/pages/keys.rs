//! Console routes for till keys and API tokens. A new key is shown once, on the page that
//! answers the form, and never again.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::areas::staff::keys::{self, TillKeyRow, TokenRow};
use crate::areas::staff::{self, StaffError, StaffRow, StoreRow};
use crate::kernel::ctx::App;
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/tills", get(tills_page).post(till_issue))
        .route(
            "/admin/tills.csv",
            get(|c: Console, f: Query<TillFilter>| tills_export(c, f, ExportFormat::Csv)),
        )
        .route(
            "/admin/tills.xlsx",
            get(|c: Console, f: Query<TillFilter>| tills_export(c, f, ExportFormat::Xlsx)),
        )
        .route(
            "/admin/tokens.csv",
            get(|c: Console| tokens_export(c, ExportFormat::Csv)),
        )
        .route(
            "/admin/tokens.xlsx",
            get(|c: Console| tokens_export(c, ExportFormat::Xlsx)),
        )
        .route("/admin/tills/{id}/revoke", post(till_revoke))
        .route("/admin/tokens", get(tokens_page).post(token_issue))
        .route("/admin/tokens/{id}/revoke", post(token_revoke))
}

/// The till-key list's filters: a store and live/revoked.
#[derive(Deserialize, Default, Clone)]
struct TillFilter {
    #[serde(default)]
    store: String,
    #[serde(default)]
    state: String,
}

impl TillFilter {
    fn matches(&self, k: &TillKeyRow) -> bool {
        let store_ok = self.store.is_empty() || k.store_id.to_string() == self.store;
        let state_ok = match self.state.as_str() {
            "active" => k.revoked_at.is_none(),
            "revoked" => k.revoked_at.is_some(),
            _ => true,
        };
        store_ok && state_ok
    }

    fn query_string(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("store", &self.store)
            .append_pair("state", &self.state)
            .finish()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/tills.html")]
struct TillsPage {
    page: Page,
    filter: TillFilter,
    query: String,
    keys: Vec<TillKeyRow>,
    stores: Vec<StoreRow>,
    issued: Option<String>,
    errors: FormErrors,
    form_store_id: i64,
    form_till_id: String,
    form_label: String,
}

#[derive(Deserialize, Default)]
struct TillForm {
    #[serde(default)]
    store_id: String,
    #[serde(default)]
    till_id: String,
    #[serde(default)]
    label: String,
}

async fn render_tills(
    c: &Console,
    filter: TillFilter,
    issued: Option<String>,
    form: TillForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let keys = keys::list_till_keys(&c.ctx)
        .await?
        .into_iter()
        .filter(|k| filter.matches(k))
        .collect();
    let stores = staff::list_stores(&c.ctx).await?;
    Ok(TillsPage {
        page: Page::console(c, "till.title"),
        query: filter.query_string(),
        filter,
        keys,
        stores,
        issued,
        errors,
        form_store_id: form.store_id.parse().unwrap_or(0),
        form_till_id: form.till_id,
        form_label: form.label,
    }
    .into_response())
}

fn finish(r: Result<Response, AppError>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

async fn tills_page(c: Console, Query(f): Query<TillFilter>) -> Response {
    finish(render_tills(&c, f, None, TillForm::default(), FormErrors::default()).await)
}

/// The filtered till keys as a file (never the keys themselves: only their first characters).
async fn tills_export(
    c: Console,
    Query(f): Query<TillFilter>,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let rows = keys::list_till_keys(&c.ctx).await?;
    let page = Page::console(&c, "till.title");
    let headers = [
        "staff.store",
        "till.till_id",
        "till.label",
        "till.prefix",
        "common.created",
        "common.last_used",
        "common.state",
    ];
    let rows = rows
        .into_iter()
        .filter(|k| f.matches(k))
        .map(|k| {
            vec![
                Cell::from(k.store_code),
                k.till_id.into(),
                k.label.into(),
                k.key_prefix.into(),
                format!("{} {}", page.time(&k.created_at), k.created_by).into(),
                Cell::time_opt(&page, &k.last_used_at),
                page.revoked_label(&k.revoked_at).into(),
            ]
        })
        .collect();
    export::respond(&Table::new("till-keys", &page, &headers, rows), format)
}

/// The API tokens as a file (never the tokens themselves).
async fn tokens_export(c: Console, format: ExportFormat) -> Result<Response, AppError> {
    let rows = keys::list_tokens(&c.ctx).await?;
    let page = Page::console(&c, "token.title");
    let headers = [
        "token.name",
        "token.acts_as",
        "till.prefix",
        "common.created",
        "token.expires",
        "common.last_used",
        "common.state",
    ];
    let rows = rows
        .into_iter()
        .map(|k| {
            vec![
                Cell::from(k.name),
                k.username.into(),
                k.token_prefix.into(),
                format!("{} {}", page.time(&k.created_at), k.created_by).into(),
                Cell::time_opt(&page, &k.expires_at),
                Cell::time_opt(&page, &k.last_used_at),
                page.revoked_label(&k.revoked_at).into(),
            ]
        })
        .collect();
    export::respond(&Table::new("api-tokens", &page, &headers, rows), format)
}

async fn till_issue(v: Verified<TillForm>) -> Response {
    let c = v.console;
    let store_id = v.form.store_id.parse().unwrap_or(-1);
    match keys::issue_till_key(&c.ctx, store_id, &v.form.till_id, &v.form.label).await {
        Ok((_, key)) => finish(
            render_tills(
                &c,
                TillFilter::default(),
                Some(key),
                TillForm::default(),
                FormErrors::default(),
            )
            .await,
        ),
        Err(e) => finish(
            reshow(e, v.form, |form, errors| async move {
                render_tills(&c, TillFilter::default(), None, form, errors).await
            })
            .await,
        ),
    }
}

/// Re-shows a form with its field errors (422), or passes any other error on.
async fn reshow<F, Fut>(
    e: StaffError,
    form: F,
    render: impl FnOnce(F, FormErrors) -> Fut,
) -> Result<Response, AppError>
where
    Fut: Future<Output = Result<Response, AppError>>,
{
    let err = AppError::from(e);
    if ![codes::VALIDATION, codes::DUPLICATE].contains(&err.code) {
        return Err(err);
    }
    let mut res = render(form, FormErrors(err.fields)).await?;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

#[derive(Deserialize)]
struct Empty {}

async fn till_revoke(Path(id): Path<i64>, v: Verified<Empty>) -> Response {
    match keys::revoke_till_key(&v.console.ctx, id).await {
        Ok(()) => Redirect::to("/admin/tills").into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/tokens.html")]
struct TokensPage {
    page: Page,
    tokens: Vec<TokenRow>,
    staff: Vec<StaffRow>,
    issued: Option<String>,
    errors: FormErrors,
    form_name: String,
    form_valid_days: String,
}

#[derive(Deserialize, Default)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    valid_days: String,
}

async fn render_tokens(
    c: &Console,
    issued: Option<String>,
    form: TokenForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let tokens = keys::list_tokens(&c.ctx).await?;
    let staff = staff::list_staff(&c.ctx)
        .await?
        .into_iter()
        .filter(|s| !s.staff.disabled)
        .map(|s| s.staff)
        .collect();
    Ok(TokensPage {
        page: Page::console(c, "token.title"),
        tokens,
        staff,
        issued,
        errors,
        form_name: form.name,
        form_valid_days: form.valid_days,
    }
    .into_response())
}

async fn tokens_page(c: Console) -> Response {
    finish(render_tokens(&c, None, TokenForm::default(), FormErrors::default()).await)
}

async fn token_issue(v: Verified<TokenForm>) -> Response {
    let c = v.console;
    let staff_id = v.form.staff_id.parse().unwrap_or(-1);
    let days = v.form.valid_days.trim();
    let valid_days = if days.is_empty() {
        Ok(None)
    } else {
        patron_core::typed::parse_int(days).map(Some).ok_or(())
    };
    let result = match valid_days {
        Ok(d) => keys::issue_token(&c.ctx, &v.form.name, staff_id, d).await,
        Err(_) => Err(StaffError::Invalid(
            crate::kernel::validation::Invalid::one("valid_days", "invalid.valid_days"),
        )),
    };
    match result {
        Ok((_, token)) => finish(
            render_tokens(&c, Some(token), TokenForm::default(), FormErrors::default()).await,
        ),
        Err(e) => finish(
            reshow(e, v.form, |form, errors| async move {
                render_tokens(&c, None, form, errors).await
            })
            .await,
        ),
    }
}

async fn token_revoke(Path(id): Path<i64>, v: Verified<Empty>) -> Response {
    match keys::revoke_token(&v.console.ctx, id).await {
        Ok(()) => Redirect::to("/admin/tokens").into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
