//! Staff accounts: the filtered list (and as a file), adding an account, its roles, profile,
//! disabling and password reset. A one-time password is shown once, on the page that answers.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::{Permission, Role};
use serde::Deserialize;

use super::Flash;
use crate::areas::staff::{
    self, GrantInput, StaffError, StaffInput, StaffListItem, StaffRow, StoreRow,
};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

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
    let staff = staff::list_staff(&c.ctx).await?;
    let stores = staff::list_stores(&c.ctx).await?;
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

pub(super) async fn staff_list(
    c: Console,
    Query(f): Query<StaffFilter>,
) -> Result<Response, AppError> {
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

pub(super) async fn staff_csv(c: Console, f: Query<StaffFilter>) -> Result<Response, AppError> {
    staff_export(c, f, ExportFormat::Csv).await
}

pub(super) async fn staff_xlsx(c: Console, f: Query<StaffFilter>) -> Result<Response, AppError> {
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
                Cell::time(&page, &i.staff.created_at),
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
    let stores = match staff::list_stores(&c.ctx).await {
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

pub(super) async fn staff_new(c: Console) -> Response {
    let form = StaffForm {
        lang: "zh-CN".into(),
        ..StaffForm::default()
    };
    render_staff_form(&c, None, form, FormErrors::default(), None, None).await
}

pub(super) async fn staff_create(v: Verified<Vec<(String, String)>>) -> Response {
    let c = v.console;
    let form = parse_staff_form(v.form);
    let input = StaffInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        lang: form.lang.clone(),
        grants: form.grant_inputs(),
    };
    match staff::create_staff(&c.ctx, &input).await {
        Ok((id, one_time)) => show_one_time_password(&c, id, one_time).await,
        Err(e) => {
            let err = AppError::from(e);
            if ![codes::VALIDATION, codes::DUPLICATE].contains(&err.code) {
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
    match staff::get_staff(&c.ctx, id).await {
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

pub(super) async fn staff_edit(
    c: Console,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Response {
    match staff::get_staff(&c.ctx, id).await {
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

pub(super) async fn staff_roles(
    Path(id): Path<i64>,
    v: Verified<Vec<(String, String)>>,
) -> Response {
    let c = v.console;
    let form = parse_staff_form(v.form);
    match staff::set_grants(&c.ctx, id, &form.grant_inputs()).await {
        Ok(()) => Redirect::to(&format!("/admin/staff/{id}?ok=flash.saved")).into_response(),
        Err(StaffError::LastAdmin) => {
            AppError::new(crate::areas::staff::error::LAST_ADMIN).into_response()
        }
        Err(e) => {
            let existing = staff::get_staff(&c.ctx, id).await.ok().map(|i| i.staff);
            let err = AppError::from(e);
            if err.code != codes::VALIDATION {
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
pub(super) struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    lang: String,
}

pub(super) async fn staff_profile(Path(id): Path<i64>, v: Verified<ProfileForm>) -> Response {
    let c = v.console;
    match staff::update_profile(&c.ctx, id, &v.form.display_name, &v.form.lang).await {
        Ok(()) => Redirect::to(&format!("/admin/staff/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if err.code != codes::VALIDATION {
                return err.into_response();
            }
            match staff::get_staff(&c.ctx, id).await {
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
pub(super) struct Empty {}

pub(super) async fn staff_disable(Path(id): Path<i64>, v: Verified<Empty>) -> Response {
    match staff::set_disabled(&v.console.ctx, id, true).await {
        Ok(()) => Redirect::to(&format!("/admin/staff/{id}?ok=flash.saved")).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

pub(super) async fn staff_enable(Path(id): Path<i64>, v: Verified<Empty>) -> Response {
    match staff::set_disabled(&v.console.ctx, id, false).await {
        Ok(()) => Redirect::to(&format!("/admin/staff/{id}?ok=flash.saved")).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

pub(super) async fn staff_reset(Path(id): Path<i64>, v: Verified<Empty>) -> Response {
    let c = v.console;
    match staff::reset_password(&c.ctx, id).await {
        Ok(one_time) => show_one_time_password(&c, id, one_time).await,
        Err(e) => AppError::from(e).into_response(),
    }
}
