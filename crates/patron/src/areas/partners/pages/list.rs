//! The partner list: filters, the new-partner form, CSV/xlsx and the printed list.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::partners::store::{self, ContractRow, PartnerRow};
use crate::areas::partners::{self, CATEGORIES, PartnerIn, STAGES};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

/// The list's filters, from the query string.
#[derive(Deserialize, Default, Clone)]
pub struct Filters {
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub category: String,
    /// Contracts ending within this many days.
    #[serde(default)]
    pub expiring: String,
    #[serde(default)]
    pub q: String,
    pub ok: Option<String>,
}

impl Filters {
    fn query(&self) -> String {
        let enc = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        format!(
            "stage={}&category={}&expiring={}&q={}",
            enc(&self.stage),
            enc(&self.category),
            enc(&self.expiring),
            enc(&self.q)
        )
    }
}

/// One line of the partner list: the partner, its current contract and the reminder state.
pub struct ListRow {
    pub p: PartnerRow,
    pub contract: Option<ContractRow>,
    /// Days until the current contract ends.
    pub days_left: Option<i64>,
    /// The contract's reminder day has come.
    pub reminder_due: bool,
}

async fn rows(c: &Console, f: &Filters) -> Result<(Vec<ListRow>, NaiveDate), AppError> {
    c.ctx.require(Permission::ViewPartners)?;
    let today = c.ctx.today();
    let partners = store::all(c.ctx.db()).await?;
    let contracts = store::in_force(c.ctx.db()).await?;
    let expiring: Option<i64> = f.expiring.trim().parse().ok();
    let q = f.q.trim().to_lowercase();
    let mut out = Vec::new();
    for p in partners {
        if !f.stage.is_empty() && p.stage != f.stage {
            continue;
        }
        if !f.category.is_empty() && p.category != f.category {
            continue;
        }
        if !q.is_empty() && !p.name.to_lowercase().contains(&q) {
            continue;
        }
        // `in_force` is ordered by end date, latest first.
        let contract = contracts.iter().find(|k| k.partner_id == p.id).cloned();
        let days_left = contract.as_ref().map(|k| (k.ends_on - today).num_days());
        if let Some(n) = expiring
            && days_left.is_none_or(|d| d > n)
        {
            continue;
        }
        let reminder_due = contract.as_ref().is_some_and(|k| k.remind_on() <= today);
        out.push(ListRow {
            p,
            contract,
            days_left,
            reminder_due,
        });
    }
    Ok((out, today))
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<ListRow>,
    f: Filters,
    query: String,
    due: usize,
    can_manage: bool,
    r: Reshow,
}

impl ListPage {
    fn stages(&self) -> &'static [&'static str] {
        &STAGES
    }
    fn categories(&self) -> &'static [&'static str] {
        &CATEGORIES
    }
}

async fn render_list(c: &Console, f: Filters, r: Reshow) -> Response {
    let loaded = async {
        let (rows, today) = rows(c, &f).await?;
        let due = store::callbacks_due(c.ctx.db(), today).await?.len();
        Ok::<_, AppError>((rows, due))
    }
    .await;
    let (rows, due) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let status = r.status();
    let mut res = ListPage {
        page: Page::console(c, "partners.title").with_flash("success", f.ok.as_deref()),
        query: f.query(),
        rows,
        f,
        due,
        can_manage: c.ctx.can(Permission::ManagePartners),
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn list_page(c: Console, Query(f): Query<Filters>) -> Response {
    render_list(&c, f, Reshow::default()).await
}

pub(super) async fn create_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    let input = PartnerIn {
        name: field(f, "name"),
        category: field(f, "category"),
        address: field(f, "address"),
        contact_person: field(f, "contact_person"),
        contact_phone: field(f, "contact_phone"),
        department: field(f, "department"),
        owner: field(f, "owner"),
        callback_every_days: field(f, "callback_every_days"),
        on_date: field(f, "on_date"),
        note: field(f, "note"),
    };
    match partners::create_partner(&c.ctx, &input).await {
        Ok(id) => Redirect::to(&format!("/partners/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "partners.title");
            match reshow(e, &page, "new", v.form) {
                Ok(r) => render_list(&c, Filters::default(), r).await,
                Err(res) => *res,
            }
        }
    }
}

fn list_table(page: &Page, rows: &[ListRow]) -> Table {
    let data = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.p.name.as_str()),
                Cell::from(page.t(&format!("partners.category.{}", r.p.category))),
                Cell::from(page.t(&format!("partners.stage.{}", r.p.stage))),
                Cell::from(r.p.stage_on),
                Cell::from(r.p.contact_person.as_str()),
                Cell::from(r.p.contact_phone_masked.as_str()),
                Cell::from(r.p.owner_name.as_str()),
                Cell::from(
                    r.contract
                        .as_ref()
                        .map(|k| k.contract_no.clone())
                        .unwrap_or_default(),
                ),
                Cell::from(
                    r.contract
                        .as_ref()
                        .map(|k| k.ends_on.to_string())
                        .unwrap_or_default(),
                ),
                Cell::from(
                    r.contract
                        .as_ref()
                        .map(|k| k.benefit(page.is_en()).to_string())
                        .unwrap_or_default(),
                ),
                Cell::from(
                    r.p.next_callback_on
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                ),
            ]
        })
        .collect();
    Table::new(
        "partners",
        page,
        &[
            "partners.name",
            "partners.category",
            "partners.stage",
            "partners.stage_on",
            "partners.contact_person",
            "partners.contact_phone",
            "partners.owner",
            "partners.contract_no",
            "partners.ends_on",
            "partners.benefit",
            "partners.next_callback",
        ],
        data,
    )
}

async fn list_export(c: Console, f: Filters, format: ExportFormat) -> Result<Response, AppError> {
    let (rows, _) = rows(&c, &f).await?;
    let page = Page::console(&c, "partners.title");
    export::respond(&list_table(&page, &rows), format)
}

pub(super) async fn list_csv(c: Console, Query(f): Query<Filters>) -> Result<Response, AppError> {
    list_export(c, f, ExportFormat::Csv).await
}

pub(super) async fn list_xlsx(c: Console, Query(f): Query<Filters>) -> Result<Response, AppError> {
    list_export(c, f, ExportFormat::Xlsx).await
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/print_list.html")]
struct ListPrint {
    page: Page,
    rows: Vec<ListRow>,
    today: NaiveDate,
}

pub(super) async fn list_print(c: Console, Query(f): Query<Filters>) -> Result<Response, AppError> {
    let (rows, today) = rows(&c, &f).await?;
    Ok(ListPrint {
        page: Page::console(&c, "partners.print_list"),
        rows,
        today,
    }
    .into_response())
}
