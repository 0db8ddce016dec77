//! One partner's file: history, contracts, documents, callbacks, its forms and its print.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::partners::store::{
    self, CallbackRow, ContractRow, DocumentRow, PartnerRow, StageRow,
};
use crate::areas::partners::{
    self, CallbackIn, ContractIn, DocumentIn, PartnersError, StageIn, WAYS,
};
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

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
    let status = r.status();
    let mut res = PartnerPage {
        page: Page::console(c, "partners.file").with_flash("success", flash),
        next: partners::next_stages(&file.p.stage),
        file,
        can_manage: c.ctx.can(Permission::ManagePartners),
        phone,
        today: c.ctx.today(),
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

pub(super) async fn partner_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
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

pub(super) async fn stage_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    partner_form(v, id, "stage", async |ctx, f| {
        partners::change_stage(
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

pub(super) async fn contract_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    partner_form(v, id, "contract", async |ctx, f| {
        partners::add_contract(
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

pub(super) async fn document_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    partner_form(v, id, "document", async |ctx, f| {
        partners::add_document(
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

pub(super) async fn callback_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    partner_form(v, id, "callback", async |ctx, f| {
        partners::log_callback(
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
pub(super) async fn phone_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    match partners::reveal_phone(&c.ctx, id).await {
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

pub(super) async fn partner_print(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let file = load_file(&c, id).await?;
    Ok(PartnerPrint {
        page: Page::console(&c, "partners.file"),
        file,
        today: c.ctx.today(),
    }
    .into_response())
}
