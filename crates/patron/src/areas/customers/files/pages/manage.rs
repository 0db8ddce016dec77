//! The managers' screens: the balance view (customers per salesperson, moving some from one to
//! another) and the settings of the pool and the callback cadence.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use super::list::OkQuery;
use crate::areas::customers::files::edit::{self, SettingsIn};
use crate::areas::customers::files::owners::{self, BalanceIn, Load};
use crate::areas::customers::files::store::Settings;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "customers/files/balance.html")]
struct BalancePage {
    page: Page,
    loads: Vec<Load>,
    r: Reshow,
}

async fn render_balance(c: &Console, flash: Option<&str>, r: Reshow) -> Response {
    let loads = match owners::loads(&c.ctx).await {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = BalancePage {
        page: Page::console(c, "customers.files.balance").with_flash("success", flash),
        loads,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn balance_page(c: Console, Query(q): Query<OkQuery>) -> Response {
    render_balance(&c, q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn balance_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    let input = BalanceIn {
        from: field(f, "from"),
        to: field(f, "to"),
        count: field(f, "count"),
        note: field(f, "note"),
    };
    match owners::balance(&c.ctx, &input).await {
        Ok(_) => Redirect::to("/customers/balance?ok=flash.saved").into_response(),
        Err(e) => {
            let page = Page::console(&c, "customers.files.balance");
            match reshow(e, &page, "balance", v.form) {
                Ok(r) => render_balance(&c, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

async fn balance_export(c: Console, format: ExportFormat) -> Result<Response, AppError> {
    c.ctx.require(Permission::AssignCustomers)?;
    let loads = owners::loads(&c.ctx).await?;
    let page = Page::console(&c, "customers.files.balance");
    let rows = loads
        .iter()
        .map(|l| {
            vec![
                Cell::from(l.username.as_str()),
                Cell::from(l.name.as_str()),
                Cell::Int(l.customers),
            ]
        })
        .collect();
    let t = Table::new(
        "customer-balance",
        &page,
        &[
            "customers.files.username",
            "customers.files.salesperson",
            "customers.files.held",
        ],
        rows,
    );
    export::respond(&t, format)
}

pub(super) async fn balance_csv(c: Console) -> Result<Response, AppError> {
    balance_export(c, ExportFormat::Csv).await
}

pub(super) async fn balance_xlsx(c: Console) -> Result<Response, AppError> {
    balance_export(c, ExportFormat::Xlsx).await
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/files/settings.html")]
struct SettingsPage {
    page: Page,
    s: Settings,
    r: Reshow,
}

impl SettingsPage {
    /// A field: as typed when re-shown, else as saved.
    fn val(&self, name: &str) -> String {
        if self.r.is("settings") {
            return self.r.val("settings", name).to_string();
        }
        let s = &self.s;
        match name {
            "cadence_a_days" => s.cadence_a_days,
            "cadence_b_days" => s.cadence_b_days,
            "cadence_c_days" => s.cadence_c_days,
            "first_contact_days" => s.first_contact_days,
            "warn_days" => s.warn_days,
            "claim_cap" => s.claim_cap,
            _ => 0,
        }
        .to_string()
    }
}

async fn render_settings(c: &Console, flash: Option<&str>, r: Reshow) -> Response {
    if let Err(e) = c.ctx.require(Permission::AssignCustomers) {
        return AppError::from(e).into_response();
    }
    let s = match edit::settings(&c.ctx).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = SettingsPage {
        page: Page::console(c, "customers.files.settings").with_flash("success", flash),
        s,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn settings_page(c: Console, Query(q): Query<OkQuery>) -> Response {
    render_settings(&c, q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn settings_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    let input = SettingsIn {
        cadence_a_days: field(f, "cadence_a_days"),
        cadence_b_days: field(f, "cadence_b_days"),
        cadence_c_days: field(f, "cadence_c_days"),
        first_contact_days: field(f, "first_contact_days"),
        warn_days: field(f, "warn_days"),
        claim_cap: field(f, "claim_cap"),
    };
    match edit::save_settings(&c.ctx, &input).await {
        Ok(_) => Redirect::to("/admin/customers?ok=flash.saved").into_response(),
        Err(e) => {
            let page = Page::console(&c, "customers.files.settings");
            match reshow(e, &page, "settings", v.form) {
                Ok(r) => render_settings(&c, None, r).await,
                Err(res) => *res,
            }
        }
    }
}
