//! One partner's file: history, contracts, documents, callbacks, its forms and its print.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::partners::store::files::FileRow;
use crate::areas::partners::store::{
    self, CallbackRow, ContractRow, DocumentRow, PartnerRow, StageRow,
};
use crate::areas::partners::{
    self, CallbackIn, ContractIn, DocumentIn, PartnersError, StageIn, WAYS, files,
};
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified, same};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

/// Everything on one partner's file.
pub struct PartnerFile {
    pub p: PartnerRow,
    pub history: Vec<StageRow>,
    pub contracts: Vec<ContractRow>,
    pub documents: Vec<DocumentRow>,
    pub callbacks: Vec<CallbackRow>,
    /// The scanned contract files (without their bytes).
    pub files: Vec<FileRow>,
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
        files: store::files::files(db, id).await?,
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

/// Reads the upload form: its token, the contract number, the file's name and bytes. A body
/// over the route's limit is refused as too large.
async fn read_upload(mut m: Multipart) -> Result<(String, String, String, Vec<u8>), Invalid> {
    let too_big = || Invalid::one("file", "partners.invalid.file_too_big");
    let (mut token, mut contract, mut name, mut data) =
        (String::new(), String::new(), String::new(), Vec::new());
    while let Some(part) = m.next_field().await.map_err(|_| too_big())? {
        match part.name().unwrap_or_default() {
            "_csrf" => token = part.text().await.map_err(|_| too_big())?,
            "contract_no" => contract = part.text().await.map_err(|_| too_big())?,
            "file" => {
                name = part.file_name().unwrap_or_default().to_string();
                data = part.bytes().await.map_err(|_| too_big())?.to_vec();
            }
            _ => {}
        }
    }
    Ok((token, contract, name, data))
}

/// Attaches a scanned contract from the partner page (`multipart/form-data`, `_csrf` checked
/// like every console form).
pub(super) async fn file_submit(c: Console, Path(id): Path<i64>, m: Multipart) -> Response {
    let mut values = Form::new();
    let outcome = match read_upload(m).await {
        Ok((token, contract, name, data)) => {
            if !same(&token, &c.csrf_token) {
                return AppError::new(crate::kernel::error::CSRF).into_response();
            }
            values.insert("contract_no".into(), contract.clone());
            files::attach(&c.ctx, id, &contract, &name, data).await
        }
        Err(bad) => Err(bad.into()),
    };
    match outcome {
        Ok(_) => Redirect::to(&format!("/partners/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "partners.file");
            match reshow(e, &page, "upload", values) {
                Ok(r) => render_partner(&c, id, None, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

/// Downloads a scanned contract file (audited).
pub(super) async fn file_download(c: Console, Path(file): Path<i64>) -> Response {
    match files::download(&c.ctx, file).await {
        Ok((row, data)) => file_response(&row, data),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// The file as an attachment, with its own content type and its name (RFC 5987 for the
/// Chinese ones).
fn file_response(row: &FileRow, data: Vec<u8>) -> Response {
    crate::web::export::stored_file(
        &format!("contract-{}", row.id),
        &row.file_name,
        &row.content_type,
        data,
    )
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
