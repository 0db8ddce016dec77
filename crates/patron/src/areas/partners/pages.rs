//! Console and portal pages of this area: the partner list (filters, exports, print), one
//! partner's file (history, contract, documents, callbacks, print), the callbacks due and the
//! callback log, and the portal's list of active partners with their member benefits.
//!
//! Forms are read as plain maps; a refused one is re-shown with its input and the messages in
//! the user's language, status 422.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use patron_core::Permission;
use serde::Deserialize;

use super::store::{
    self, CallbackRow, ContractRow, DocumentRow, PartnerRow, PortalPartner, StageRow,
};
use super::{
    CATEGORIES, CallbackIn, ContractIn, DocumentIn, PartnerIn, PartnersError, STAGES, StageIn, WAYS,
};
use crate::areas::portal::pages::MemberSession;
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

pub type Form = HashMap<String, String>;

pub fn router() -> Router<App> {
    Router::new()
        .route("/partners", get(list_page).post(create_submit))
        .route("/partners.csv", get(list_csv))
        .route("/partners.xlsx", get(list_xlsx))
        .route("/partners/print", get(list_print))
        .route("/partners/callbacks", get(callbacks_page))
        .route("/partners/callbacks.csv", get(callbacks_csv))
        .route("/partners/callbacks.xlsx", get(callbacks_xlsx))
        .route("/partners/{id}", get(partner_page))
        .route("/partners/{id}/print", get(partner_print))
        .route("/partners/{id}/stage", post(stage_submit))
        .route("/partners/{id}/contracts", post(contract_submit))
        .route("/partners/{id}/documents", post(document_submit))
        .route("/partners/{id}/callbacks", post(callback_submit))
        .route("/partners/{id}/phone", post(phone_submit))
        .route("/portal/partners", get(portal_page))
}

/// A refused form, re-shown with what was typed and why.
#[derive(Default)]
pub struct Reshow {
    pub form: String,
    pub values: Form,
    pub errors: FormErrors,
    pub detail: String,
}

impl Reshow {
    pub fn val(&self, form: &str, field: &str) -> &str {
        if self.form == form {
            self.values.get(field).map(String::as_str).unwrap_or("")
        } else {
            ""
        }
    }

    pub fn bad(&self, form: &str, field: &str) -> bool {
        self.form == form && self.errors.has(field)
    }

    pub fn msg(&self, page: &Page, form: &str, field: &str) -> &'static str {
        if self.form == form {
            self.errors.msg(page, field)
        } else {
            ""
        }
    }

    pub fn has_val(&self, form: &str, field: &str, value: &str) -> bool {
        self.val(form, field) == value
    }
}

/// A refusal becomes a re-shown form; anything else its own response.
fn reshow(
    e: PartnersError,
    page: &Page,
    form: &str,
    values: Form,
) -> Result<Reshow, Box<Response>> {
    let err = AppError::from(e);
    if !err.status().is_client_error() || matches!(err.code, "forbidden" | "not_found") {
        return Err(Box::new(err.into_response()));
    }
    let detail = if err.code == "validation" {
        String::new()
    } else {
        page.t(crate::web::error::message_key_of(err.code))
            .to_string()
    };
    Ok(Reshow {
        form: form.to_string(),
        values,
        errors: FormErrors(err.fields),
        detail,
    })
}

fn field(f: &Form, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

fn status_of(r: &Reshow) -> StatusCode {
    if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

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
    let today = super::today(&c.ctx);
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
    let status = status_of(&r);
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

async fn list_page(c: Console, Query(f): Query<Filters>) -> Response {
    render_list(&c, f, Reshow::default()).await
}

async fn create_submit(v: Verified<Form>) -> Response {
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
    match super::create_partner(&c.ctx, &input).await {
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
                Cell::from(r.p.stage_on.to_string()),
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

async fn list_csv(c: Console, Query(f): Query<Filters>) -> Result<Response, AppError> {
    list_export(c, f, ExportFormat::Csv).await
}

async fn list_xlsx(c: Console, Query(f): Query<Filters>) -> Result<Response, AppError> {
    list_export(c, f, ExportFormat::Xlsx).await
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/print_list.html")]
struct ListPrint {
    page: Page,
    rows: Vec<ListRow>,
    today: NaiveDate,
}

async fn list_print(c: Console, Query(f): Query<Filters>) -> Result<Response, AppError> {
    let (rows, today) = rows(&c, &f).await?;
    Ok(ListPrint {
        page: Page::console(&c, "partners.print_list"),
        rows,
        today,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct CallbackQuery {
    #[serde(default)]
    pub partner: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/callbacks.html")]
struct CallbacksPage {
    page: Page,
    due: Vec<PartnerRow>,
    log: Vec<CallbackRow>,
    today: NaiveDate,
    partner: String,
}

async fn callback_rows(c: &Console, q: &CallbackQuery) -> Result<Vec<CallbackRow>, AppError> {
    c.ctx.require(Permission::ViewPartners)?;
    let id = q.partner.trim().parse::<i64>().ok();
    Ok(store::callbacks(c.ctx.db(), id).await?)
}

async fn callbacks_page(c: Console, Query(q): Query<CallbackQuery>) -> Result<Response, AppError> {
    let log = callback_rows(&c, &q).await?;
    let today = super::today(&c.ctx);
    Ok(CallbacksPage {
        page: Page::console(&c, "partners.callbacks_title"),
        due: store::callbacks_due(c.ctx.db(), today).await?,
        log,
        today,
        partner: q.partner,
    }
    .into_response())
}

fn callbacks_table(page: &Page, rows: &[CallbackRow]) -> Table {
    let data = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.on_date.to_string()),
                Cell::from(r.partner_name.as_str()),
                Cell::from(r.caller.as_str()),
                Cell::from(page.t(&format!("partners.way.{}", r.way))),
                Cell::from(r.content.as_str()),
                Cell::from(r.issues.as_str()),
                Cell::from(r.follow_up.as_str()),
                Cell::from(r.next_due_on.map(|d| d.to_string()).unwrap_or_default()),
            ]
        })
        .collect();
    Table::new(
        "partner-callbacks",
        page,
        &[
            "partners.cb_date",
            "partners.name",
            "partners.caller",
            "partners.way",
            "partners.content",
            "partners.issues",
            "partners.follow_up",
            "partners.next_due_on",
        ],
        data,
    )
}

async fn callbacks_csv(c: Console, Query(q): Query<CallbackQuery>) -> Result<Response, AppError> {
    let rows = callback_rows(&c, &q).await?;
    let page = Page::console(&c, "partners.callbacks_title");
    export::respond(&callbacks_table(&page, &rows), ExportFormat::Csv)
}

async fn callbacks_xlsx(c: Console, Query(q): Query<CallbackQuery>) -> Result<Response, AppError> {
    let rows = callback_rows(&c, &q).await?;
    let page = Page::console(&c, "partners.callbacks_title");
    export::respond(&callbacks_table(&page, &rows), ExportFormat::Xlsx)
}

/// Everything on one partner's file.
pub struct PartnerFile {
    pub p: PartnerRow,
    pub history: Vec<StageRow>,
    pub contracts: Vec<ContractRow>,
    pub documents: Vec<DocumentRow>,
    pub callbacks: Vec<CallbackRow>,
}

async fn load_file(c: &Console, id: i64) -> Result<PartnerFile, AppError> {
    c.ctx.require(Permission::ViewPartners)?;
    let db = c.ctx.db();
    let p = store::get(db, id).await?.ok_or_else(AppError::not_found)?;
    Ok(PartnerFile {
        history: store::stages(db, id).await?,
        contracts: store::contracts(db, id).await?,
        documents: store::documents(db, id).await?,
        callbacks: store::callbacks(db, Some(id)).await?,
        p,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/partner.html")]
struct PartnerPage {
    page: Page,
    file: PartnerFile,
    next: Vec<&'static str>,
    can_manage: bool,
    phone: Option<String>,
    today: NaiveDate,
    r: Reshow,
}

impl PartnerPage {
    fn ways(&self) -> &'static [&'static str] {
        &WAYS
    }
    fn contract_no_of(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.file.contracts.iter().find(|k| k.id == id))
            .map(|k| k.contract_no.clone())
            .unwrap_or_default()
    }
}

async fn render_partner(
    c: &Console,
    id: i64,
    flash: Option<&str>,
    phone: Option<String>,
    r: Reshow,
) -> Response {
    let file = match load_file(c, id).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let status = status_of(&r);
    let mut res = PartnerPage {
        page: Page::console(c, "partners.file").with_flash("success", flash),
        next: super::next_stages(&file.p.stage),
        file,
        can_manage: c.ctx.can(Permission::ManagePartners),
        phone,
        today: super::today(&c.ctx),
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
}

async fn partner_page(c: Console, Path(id): Path<i64>, Query(q): Query<OkQuery>) -> Response {
    render_partner(&c, id, q.ok.as_deref(), None, Reshow::default()).await
}

/// Runs one of the partner page's forms: redirect on success, re-show on refusal.
async fn partner_form<T, F>(v: Verified<Form>, id: i64, form: &str, run: F) -> Response
where
    F: AsyncFnOnce(&crate::kernel::ctx::Ctx, &Form) -> Result<T, PartnersError>,
{
    let c = v.console;
    match run(&c.ctx, &v.form).await {
        Ok(_) => Redirect::to(&format!("/partners/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "partners.file");
            match reshow(e, &page, form, v.form) {
                Ok(r) => render_partner(&c, id, None, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

async fn stage_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    partner_form(v, id, "stage", async |ctx, f| {
        super::change_stage(
            ctx,
            id,
            &StageIn {
                to: field(f, "to"),
                from: field(f, "from"),
                on_date: field(f, "on_date"),
                note: field(f, "note"),
            },
        )
        .await
    })
    .await
}

async fn contract_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    partner_form(v, id, "contract", async |ctx, f| {
        super::add_contract(
            ctx,
            id,
            &ContractIn {
                contract_no: field(f, "contract_no"),
                starts_on: field(f, "starts_on"),
                ends_on: field(f, "ends_on"),
                benefit_zh: field(f, "benefit_zh"),
                benefit_en: field(f, "benefit_en"),
                discount_permille: field(f, "discount_permille"),
                settlement_terms: field(f, "settlement_terms"),
                stores: field(f, "stores"),
                remind_days: field(f, "remind_days"),
            },
        )
        .await
    })
    .await
}

async fn document_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    partner_form(v, id, "document", async |ctx, f| {
        super::add_document(
            ctx,
            id,
            &DocumentIn {
                doc_no: field(f, "doc_no"),
                title: field(f, "title"),
                kept_at: field(f, "kept_at"),
                file_ref: field(f, "file_ref"),
                contract_no: field(f, "contract_no"),
            },
        )
        .await
    })
    .await
}

async fn callback_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    partner_form(v, id, "callback", async |ctx, f| {
        super::log_callback(
            ctx,
            id,
            &CallbackIn {
                on_date: field(f, "on_date"),
                way: field(f, "way"),
                content: field(f, "content"),
                issues: field(f, "issues"),
                follow_up: field(f, "follow_up"),
                next_due_on: field(f, "next_due_on"),
            },
        )
        .await
    })
    .await
}

/// Shows the contact's full phone once, on this response only (audited).
async fn phone_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    match super::reveal_phone(&c.ctx, id).await {
        Ok(phone) => render_partner(&c, id, None, Some(phone), Reshow::default()).await,
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/print_partner.html")]
struct PartnerPrint {
    page: Page,
    file: PartnerFile,
    today: NaiveDate,
}

async fn partner_print(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let file = load_file(&c, id).await?;
    Ok(PartnerPrint {
        page: Page::console(&c, "partners.file"),
        file,
        today: super::today(&c.ctx),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/partners.html")]
struct PortalPage {
    page: Page,
    partners: Vec<PortalPartner>,
}

impl PortalPage {
    fn discount(&self, p: &PortalPartner) -> String {
        store::discount_label(p.discount_permille, self.page.is_en())
    }

    fn benefit<'a>(&self, p: &'a PortalPartner) -> &'a str {
        if self.page.is_en() && !p.benefit_en.is_empty() {
            &p.benefit_en
        } else {
            &p.benefit_zh
        }
    }
}

/// The active partners and their member benefits (G4), for a signed-in member.
async fn portal_page(s: MemberSession) -> Response {
    let today = crate::areas::points::business_date(s.app.clock.now(), s.app.config.tz());
    let mut partners = match store::for_members(&s.app.db, today).await {
        Ok(p) => p,
        Err(e) => return AppError::from(e).into_response(),
    };
    // One line per partner: its latest contract in force.
    let mut seen = std::collections::HashSet::new();
    partners.retain(|p| seen.insert(p.name.clone()));
    let mut page = Page::anonymous(s.lang, "partners.portal_title");
    page.csrf = s.csrf.clone();
    page.tz = s.app.config.tz();
    PortalPage { page, partners }.into_response()
}
