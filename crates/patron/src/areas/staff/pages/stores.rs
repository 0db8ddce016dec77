//! The stores page: the list, adding a store, correcting one, and the list as a file.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;
use serde::Deserialize;

use super::Flash;
use crate::areas::staff::{self, StoreInput, StoreRow};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

#[derive(Deserialize, Default, Clone)]
pub struct StoreForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    email: String,
}

impl StoreForm {
    fn input(&self) -> StoreInput {
        StoreInput {
            code: self.code.clone(),
            name: self.name.clone(),
            time_zone: self.time_zone.clone(),
            active: self.active.is_some(),
            email: self.email.clone(),
        }
    }
}

pub struct StoreFormView {
    code: String,
    name: String,
    time_zone: String,
    active: bool,
    email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/stores.html")]
struct StoresPage {
    page: Page,
    stores: Vec<StoreRow>,
    editing: Option<i64>,
    form: StoreFormView,
    errors: FormErrors,
}

async fn render_stores(
    c: &Console,
    editing: Option<i64>,
    form: StoreFormView,
    errors: FormErrors,
    flash: Option<&str>,
) -> Response {
    match staff::list_stores(&c.ctx).await {
        Ok(stores) => StoresPage {
            page: Page::console(c, "store.title").with_flash("success", flash),
            stores,
            editing,
            form,
            errors,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

fn blank_store() -> StoreFormView {
    StoreFormView {
        code: String::new(),
        name: String::new(),
        time_zone: "Asia/Shanghai".into(),
        active: true,
        email: String::new(),
    }
}

/// The stores as a file.
pub(super) async fn stores_export(c: Console, format: ExportFormat) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageStores)?;
    let stores = staff::list_stores(&c.ctx).await?;
    let page = Page::console(&c, "store.title");
    let headers = [
        "store.code",
        "store.name",
        "store.time_zone",
        "common.state",
        "common.created",
    ];
    let rows = stores
        .into_iter()
        .map(|s| {
            let state = if s.active {
                "common.active"
            } else {
                "common.inactive"
            };
            vec![
                Cell::from(s.code),
                s.name.into(),
                s.time_zone.into(),
                page.t(state).into(),
                Cell::time(&page, &s.created_at),
            ]
        })
        .collect();
    export::respond(&Table::new("stores", &page, &headers, rows), format)
}

pub(super) async fn stores_page(c: Console, Query(f): Query<Flash>) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageStores) {
        return AppError::from(e).into_response();
    }
    render_stores(
        &c,
        None,
        blank_store(),
        FormErrors::default(),
        f.ok.as_deref(),
    )
    .await
}

pub(super) async fn store_create(v: Verified<StoreForm>) -> Response {
    let c = v.console;
    match staff::create_store(&c.ctx, &v.form.input()).await {
        Ok(_) => Redirect::to("/admin/stores?ok=flash.saved").into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if ![codes::VALIDATION, codes::DUPLICATE].contains(&err.code) {
                return err.into_response();
            }
            let form = StoreFormView {
                code: v.form.code,
                name: v.form.name,
                time_zone: v.form.time_zone,
                active: true,
                email: v.form.email,
            };
            let mut res = render_stores(&c, None, form, FormErrors(err.fields), None).await;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}

pub(super) async fn store_edit_page(c: Console, Path(id): Path<i64>) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageStores) {
        return AppError::from(e).into_response();
    }
    match staff::store::get_store(c.ctx.db(), id).await {
        Ok(Some(s)) => {
            let form = StoreFormView {
                code: s.code,
                name: s.name,
                time_zone: s.time_zone,
                active: s.active,
                email: s.email,
            };
            render_stores(&c, Some(id), form, FormErrors::default(), None).await
        }
        Ok(None) => AppError::not_found().into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

pub(super) async fn store_update(Path(id): Path<i64>, v: Verified<StoreForm>) -> Response {
    let c = v.console;
    match staff::update_store(&c.ctx, id, &v.form.input()).await {
        Ok(_) => Redirect::to("/admin/stores?ok=flash.saved").into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if err.code != codes::VALIDATION {
                return err.into_response();
            }
            let form = StoreFormView {
                code: v.form.code.clone(),
                name: v.form.name.clone(),
                time_zone: v.form.time_zone.clone(),
                active: v.form.active.is_some(),
                email: v.form.email.clone(),
            };
            let mut res = render_stores(&c, Some(id), form, FormErrors(err.fields), None).await;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}
