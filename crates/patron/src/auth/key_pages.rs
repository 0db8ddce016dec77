//! Console routes for till keys and API tokens. A new key is shown once, on the page that
//! answers the form, and never again.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::extract::{Console, Verified};
use super::keys::{self, TillKeyRow, TokenRow};
use crate::ctx::App;
use crate::staff::{self, StaffError, StaffRow, StoreRow};
use crate::web::error::AppError;
use crate::web::layout::{FormErrors, Page};

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/tills", get(tills_page).post(till_issue))
        .route("/admin/tills/{id}/revoke", post(till_revoke))
        .route("/admin/tokens", get(tokens_page).post(token_issue))
        .route("/admin/tokens/{id}/revoke", post(token_revoke))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/tills.html")]
struct TillsPage {
    page: Page,
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
    issued: Option<String>,
    form: TillForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let keys = keys::list_till_keys(&c.ctx).await?;
    let stores = staff::list_stores(&c.ctx).await?;
    Ok(TillsPage {
        page: Page::console(c, "till.title"),
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

async fn tills_page(c: Console) -> Response {
    finish(render_tills(&c, None, TillForm::default(), FormErrors::default()).await)
}

async fn till_issue(v: Verified<TillForm>) -> Response {
    let c = v.console;
    let store_id = v.form.store_id.parse().unwrap_or(-1);
    match keys::issue_till_key(&c.ctx, store_id, &v.form.till_id, &v.form.label).await {
        Ok((_, key)) => {
            finish(render_tills(&c, Some(key), TillForm::default(), FormErrors::default()).await)
        }
        Err(e) => finish(
            reshow(e, v.form, |form, errors| async move {
                render_tills(&c, None, form, errors).await
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
    if !matches!(err.code, "validation" | "duplicate") {
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
#[template(path = "admin/tokens.html")]
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
        days.parse::<i64>().map(Some)
    };
    let result = match valid_days {
        Ok(d) => keys::issue_token(&c.ctx, &v.form.name, staff_id, d).await,
        Err(_) => Err(StaffError::Invalid(crate::validation::Invalid::one(
            "valid_days",
            "invalid.valid_days",
        ))),
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
