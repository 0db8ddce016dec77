//! Console routes of the staff area: stores, staff accounts and the permission matrix.

pub mod dashboard;
pub mod keys;
pub mod login;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use patron_core::access::allows;
use patron_core::{Permission, Role};
use serde::Deserialize;

use super::{GrantInput, StaffError, StaffInput, StaffListItem, StaffRow, StoreInput, StoreRow};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/stores", get(stores_page).post(store_create))
        .route(
            "/admin/stores.csv",
            get(|c: Console| stores_export(c, ExportFormat::Csv)),
        )
        .route(
            "/admin/stores.xlsx",
            get(|c: Console| stores_export(c, ExportFormat::Xlsx)),
        )
        .route(
            "/admin/stores/{id}",
            get(store_edit_page).post(store_update),
        )
        .route("/admin/staff", get(staff_list).post(staff_create))
        .route("/admin/staff/new", get(staff_new))
        .route("/admin/staff.csv", get(staff_csv))
        .route("/admin/staff.xlsx", get(staff_xlsx))
        .route("/admin/staff/{id}", get(staff_edit))
        .route("/admin/staff/{id}/roles", post(staff_roles))
        .route("/admin/staff/{id}/profile", post(staff_profile))
        .route("/admin/staff/{id}/disable", post(staff_disable))
        .route("/admin/staff/{id}/enable", post(staff_enable))
        .route("/admin/staff/{id}/reset-password", post(staff_reset))
        .route("/admin/roles", get(roles_page))
}

#[derive(Deserialize, Default)]
pub struct Flash {
    ok: Option<String>,
}

// ---- stores ----

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
}

impl StoreForm {
    fn input(&self) -> StoreInput {
        StoreInput {
            code: self.code.clone(),
            name: self.name.clone(),
            time_zone: self.time_zone.clone(),
            active: self.active.is_some(),
        }
    }
}

pub struct StoreFormView {
    code: String,
    name: String,
    time_zone: String,
    active: bool,
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
    match super::list_stores(&c.ctx).await {
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
    }
}

/// The stores as a file.
async fn stores_export(c: Console, format: ExportFormat) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageStores)?;
    let stores = super::list_stores(&c.ctx).await?;
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
                page.time(&s.created_at).into(),
            ]
        })
        .collect();
    export::respond(&Table::new("stores", &page, &headers, rows), format)
}

async fn stores_page(c: Console, Query(f): Query<Flash>) -> Response {
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

async fn store_create(v: Verified<StoreForm>) -> Response {
    let c = v.console;
    match super::create_store(&c.ctx, &v.form.input()).await {
        Ok(_) => Redirect::to("/admin/stores?ok=flash.saved").into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if !matches!(err.code, "validation" | "duplicate") {
                return err.into_response();
            }
            let form = StoreFormView {
                code: v.form.code,
                name: v.form.name,
                time_zone: v.form.time_zone,
                active: true,
            };
            let mut res = render_stores(&c, None, form, FormErrors(err.fields), None).await;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}

async fn store_edit_page(c: Console, Path(id): Path<i64>) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageStores) {
        return AppError::from(e).into_response();
    }
    match super::store::get_store(c.ctx.db(), id).await {
        Ok(Some(s)) => {
            let form = StoreFormView {
                code: s.code,
                name: s.name,
                time_zone: s.time_zone,
                active: s.active,
            };
            render_stores(&c, Some(id), form, FormErrors::default(), None).await
        }
        Ok(None) => AppError::not_found().into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn store_update(Path(id): Path<i64>, v: Verified<StoreForm>) -> Response {
    let c = v.console;
    match super::update_store(&c.ctx, id, &v.form.input()).await {
        Ok(_) => Redirect::to("/admin/stores?ok=flash.saved").into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if err.code != "validation" {
                return err.into_response();
            }
            let form = StoreFormView {
                code: v.form.code.clone(),
                name: v.form.name.clone(),
                time_zone: v.form.time_zone.clone(),
                active: v.form.active.is_some(),
            };
            let mut res = render_stores(&c, Some(id), form, FormErrors(err.fields), None).await;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}

// ---- staff ----

#[derive(Template, WebTemplate)]
#[template(path = "staff/staff_list.html")]
struct StaffListPage {
    page: Page,
    staff: Vec<StaffListItem>,
    stores: Vec<StoreRow>,
    roles: Vec<Role>,
    filter: StaffFilter,
    total: usize,
    page_no: usize,
    pages: usize,
    query: String,
}

/// The staff list's filters (all optional), as query parameters.
#[derive(Deserialize, Default, Clone)]
pub struct StaffFilter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    store: String,
    #[serde(default)]
    state: String,
    page: Option<usize>,
    ok: Option<String>,
}

impl StaffFilter {
    fn matches(&self, item: &StaffListItem) -> bool {
        let q = self.q.trim().to_lowercase();
        let text_ok = q.is_empty()
            || item.staff.username.contains(&q)
            || item.staff.display_name.to_lowercase().contains(&q);
        let role_ok =
            self.role.is_empty() || item.grants.iter().any(|g| g.role.code() == self.role);
        let store_ok = self.store.is_empty()
            || item
                .grants
                .iter()
                .any(|g| g.store_id.to_string() == self.store);
        let state_ok = match self.state.as_str() {
            "active" => !item.staff.disabled,
            "disabled" => item.staff.disabled,
            _ => true,
        };
        text_ok && role_ok && store_ok && state_ok
    }

    fn query_string(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.q)
            .append_pair("role", &self.role)
            .append_pair("store", &self.store)
            .append_pair("state", &self.state)
            .finish()
    }
}

const STAFF_PAGE_SIZE: usize = 50;

async fn filtered_staff(
    c: &Console,
    f: &StaffFilter,
) -> Result<(Vec<StaffListItem>, Vec<StoreRow>), AppError> {
    let staff = super::list_staff(&c.ctx).await?;
    let stores = super::list_stores(&c.ctx).await?;
    Ok((staff.into_iter().filter(|i| f.matches(i)).collect(), stores))
}

fn store_code_of(stores: &[StoreRow], id: i64) -> &str {
    stores
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.code.as_str())
        .unwrap_or("?")
}

impl StaffListPage {
    fn store_code(&self, id: &i64) -> &str {
        store_code_of(&self.stores, *id)
    }
}

async fn staff_list(c: Console, Query(f): Query<StaffFilter>) -> Result<Response, AppError> {
    let (all, stores) = filtered_staff(&c, &f).await?;
    let total = all.len();
    let pages = total.div_ceil(STAFF_PAGE_SIZE).max(1);
    let page_no = f.page.unwrap_or(1).clamp(1, pages);
    let staff = all
        .into_iter()
        .skip((page_no - 1) * STAFF_PAGE_SIZE)
        .take(STAFF_PAGE_SIZE)
        .collect();
    Ok(StaffListPage {
        page: Page::console(&c, "staff.title").with_flash("success", f.ok.as_deref()),
        staff,
        stores,
        roles: Role::ALL.to_vec(),
        query: f.query_string(),
        filter: f,
        total,
        page_no,
        pages,
    }
    .into_response())
}

async fn staff_csv(c: Console, f: Query<StaffFilter>) -> Result<Response, AppError> {
    staff_export(c, f, ExportFormat::Csv).await
}

async fn staff_xlsx(c: Console, f: Query<StaffFilter>) -> Result<Response, AppError> {
    staff_export(c, f, ExportFormat::Xlsx).await
}

/// The filtered staff list as a file: one row per person, roles as `岗位@门店`.
async fn staff_export(
    c: Console,
    Query(f): Query<StaffFilter>,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let (staff, stores) = filtered_staff(&c, &f).await?;
    let page = Page::console(&c, "staff.title");
    let headers = [
        "staff.username",
        "staff.display_name",
        "staff.roles",
        "common.state",
        "common.created",
    ];
    let rows = staff
        .into_iter()
        .map(|i| {
            let roles = i
                .grants
                .iter()
                .map(|g| {
                    format!(
                        "{}@{}",
                        page.role_name(&g.role),
                        store_code_of(&stores, g.store_id)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let state = if i.staff.disabled {
                "staff.disabled"
            } else {
                "common.active"
            };
            vec![
                Cell::from(i.staff.username),
                i.staff.display_name.into(),
                roles.into(),
                page.t(state).into(),
                page.time(&i.staff.created_at).into(),
            ]
        })
        .collect();
    export::respond(&Table::new("staff", &page, &headers, rows), format)
}

/// The staff form as posted: `grant` repeats as `role@store_id`.
#[derive(Deserialize, Default)]
pub struct StaffForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    lang: String,
    #[serde(default, rename = "grant")]
    grants: Vec<String>,
}

/// serde_urlencoded reads a repeated key only into a sequence when parsed as pairs.
fn parse_staff_form(pairs: Vec<(String, String)>) -> StaffForm {
    let mut f = StaffForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "username" => f.username = v,
            "display_name" => f.display_name = v,
            "lang" => f.lang = v,
            "grant" => f.grants.push(v),
            _ => {}
        }
    }
    f
}

impl StaffForm {
    fn grant_inputs(&self) -> Vec<GrantInput> {
        self.grants
            .iter()
            .map(|g| match g.split_once('@') {
                Some((role, store)) => GrantInput {
                    role: role.to_string(),
                    store_id: store.parse().unwrap_or(-1),
                },
                None => GrantInput {
                    role: g.clone(),
                    store_id: -1,
                },
            })
            .collect()
    }

    pub fn has_grant(&self, role: &str, store_id: &i64) -> bool {
        self.grants
            .iter()
            .any(|g| *g == format!("{role}@{store_id}"))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/staff_form.html")]
struct StaffFormPage {
    page: Page,
    existing: Option<StaffRow>,
    form: StaffForm,
    stores: Vec<StoreRow>,
    roles: Vec<Role>,
    errors: FormErrors,
    one_time_password: Option<String>,
}

async fn render_staff_form(
    c: &Console,
    existing: Option<StaffRow>,
    form: StaffForm,
    errors: FormErrors,
    one_time_password: Option<String>,
    flash: Option<&str>,
) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageStaff) {
        return AppError::from(e).into_response();
    }
    let stores = match super::list_stores(&c.ctx).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    StaffFormPage {
        page: Page::console(c, "staff.title").with_flash("success", flash),
        existing,
        form,
        stores,
        roles: Role::ALL.to_vec(),
        errors,
        one_time_password,
    }
    .into_response()
}

async fn staff_new(c: Console) -> Response {
    let form = StaffForm {
        lang: "zh-CN".into(),
        ..StaffForm::default()
    };
    render_staff_form(&c, None, form, FormErrors::default(), None, None).await
}

async fn staff_create(v: Verified<Vec<(String, String)>>) -> Response {
    let c = v.console;
    let form = parse_staff_form(v.form);
    let input = StaffInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        lang: form.lang.clone(),
        grants: form.grant_inputs(),
    };
    match super::create_staff(&c.ctx, &input).await {
        Ok((id, one_time)) => show_one_time_password(&c, id, one_time).await,
        Err(e) => {
            let err = AppError::from(e);
            if !matches!(err.code, "validation" | "duplicate") {
                return err.into_response();
            }
            let mut page =
                render_staff_form(&c, None, form, FormErrors(err.fields), None, None).await;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            page
        }
    }
}

/// The account's page with its new one-time password, shown this once (never redirected to, so
/// it is in no URL or history).
async fn show_one_time_password(c: &Console, id: i64, one_time: String) -> Response {
    match super::get_staff(&c.ctx, id).await {
        Ok(item) => {
            let form = form_from(&item);
            render_staff_form(
                c,
                Some(item.staff),
                form,
                FormErrors::default(),
                Some(one_time),
                None,
            )
            .await
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

fn form_from(item: &StaffListItem) -> StaffForm {
    StaffForm {
        username: item.staff.username.clone(),
        display_name: item.staff.display_name.clone(),
        lang: item.staff.lang.clone(),
        grants: item
            .grants
            .iter()
            .map(|g| format!("{}@{}", g.role.code(), g.store_id))
            .collect(),
    }
}

async fn staff_edit(c: Console, Path(id): Path<i64>, Query(f): Query<Flash>) -> Response {
    match super::get_staff(&c.ctx, id).await {
        Ok(item) => {
            let form = form_from(&item);
            render_staff_form(
                &c,
                Some(item.staff),
                form,
                FormErrors::default(),
                None,
                f.ok.as_deref(),
            )
            .await
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn staff_roles(Path(id): Path<i64>, v: Verified<Vec<(String, String)>>) -> Response {
    let c = v.console;
    let form = parse_staff_form(v.form);
    match super::set_grants(&c.ctx, id, &form.grant_inputs()).await {
        Ok(()) => Redirect::to(&format!("/admin/staff/{id}?ok=flash.saved")).into_response(),
        Err(StaffError::LastAdmin) => AppError::new("last_admin").into_response(),
        Err(e) => {
            let existing = super::get_staff(&c.ctx, id).await.ok().map(|i| i.staff);
            let err = AppError::from(e);
            if err.code != "validation" {
                return err.into_response();
            }
            let mut page =
                render_staff_form(&c, existing, form, FormErrors(err.fields), None, None).await;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            page
        }
    }
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    lang: String,
}

async fn staff_profile(Path(id): Path<i64>, v: Verified<ProfileForm>) -> Response {
    let c = v.console;
    match super::update_profile(&c.ctx, id, &v.form.display_name, &v.form.lang).await {
        Ok(()) => Redirect::to(&format!("/admin/staff/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if err.code != "validation" {
                return err.into_response();
            }
            match super::get_staff(&c.ctx, id).await {
                Ok(item) => {
                    let mut form = form_from(&item);
                    form.display_name = v.form.display_name;
                    let mut page = render_staff_form(
                        &c,
                        Some(item.staff),
                        form,
                        FormErrors(err.fields),
                        None,
                        None,
                    )
                    .await;
                    *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                    page
                }
                Err(e) => AppError::from(e).into_response(),
            }
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn staff_disable(Path(id): Path<i64>, v: Verified<Empty>) -> Response {
    match super::set_disabled(&v.console.ctx, id, true).await {
        Ok(()) => Redirect::to(&format!("/admin/staff/{id}?ok=flash.saved")).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn staff_enable(Path(id): Path<i64>, v: Verified<Empty>) -> Response {
    match super::set_disabled(&v.console.ctx, id, false).await {
        Ok(()) => Redirect::to(&format!("/admin/staff/{id}?ok=flash.saved")).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn staff_reset(Path(id): Path<i64>, v: Verified<Empty>) -> Response {
    let c = v.console;
    match super::reset_password(&c.ctx, id).await {
        Ok(one_time) => show_one_time_password(&c, id, one_time).await,
        Err(e) => AppError::from(e).into_response(),
    }
}

// ---- permission matrix ----

#[derive(Template, WebTemplate)]
#[template(path = "staff/roles.html")]
struct RolesPage {
    page: Page,
    roles: Vec<Role>,
    rows: Vec<(Permission, Vec<bool>)>,
}

async fn roles_page(c: Console) -> Response {
    if let Err(e) = c.ctx.require(Permission::ViewPermissions) {
        return AppError::from(e).into_response();
    }
    let roles = Role::ALL.to_vec();
    let rows = Permission::ALL
        .iter()
        .map(|p| (*p, roles.iter().map(|r| allows(*r, *p)).collect()))
        .collect();
    RolesPage {
        page: Page::console(&c, "roles.title"),
        roles,
        rows,
    }
    .into_response()
}
