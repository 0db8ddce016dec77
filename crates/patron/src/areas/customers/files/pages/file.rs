//! The new-customer form and one customer's file: details and their edit form, contacts with the
//! audited full-phone view, owner and owner history with claim and reassign, the purchase history
//! from group-buy sales and the latest callbacks.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use super::list::OkQuery;
use crate::areas::customers::files::edit;
use crate::areas::customers::files::owners::{self, ReassignIn};
use crate::areas::customers::files::record::{self, ContactIn, CustomerIn};
use crate::areas::customers::files::view::{self, CustomerFile};
use crate::areas::customers::{CustomersError, GRADES, KINDS};
use crate::kernel::ctx::Ctx;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

fn customer_in(f: &Form) -> CustomerIn {
    let contact = ContactIn {
        name: field(f, "contact_name"),
        title: field(f, "contact_title"),
        phone: field(f, "contact_phone"),
    };
    CustomerIn {
        name: field(f, "name"),
        kind: field(f, "kind"),
        grade: field(f, "grade"),
        credit_code: field(f, "credit_code"),
        address: field(f, "address"),
        credit_note: field(f, "credit_note"),
        notes: field(f, "notes"),
        store_code: field(f, "store_code"),
        contacts: vec![contact],
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/files/new.html")]
struct NewPage {
    page: Page,
    r: Reshow,
}

impl NewPage {
    fn kinds(&self) -> &'static [&'static str] {
        &KINDS
    }
    fn grades(&self) -> &'static [&'static str] {
        &GRADES
    }
}

pub(super) async fn new_page(c: Console) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageCustomers)?;
    Ok(NewPage {
        page: Page::console(&c, "customers.files.new"),
        r: Reshow::default(),
    }
    .into_response())
}

/// Records a customer; a refusal (a duplicate names its owner) re-shows the form as typed.
pub(super) async fn new_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    match record::record(&c.ctx, &customer_in(&v.form)).await {
        Ok(r) => Redirect::to(&format!("/customers/{}?ok=flash.saved", r.id)).into_response(),
        Err(e) => {
            let page = Page::console(&c, "customers.files.new");
            match reshow(e, &page, "new", v.form) {
                Ok(mut r) => {
                    // The form has one contact, named `contact_…`.
                    for e in &mut r.errors.0 {
                        if let Some(f) = e.field.strip_prefix("contacts[0].") {
                            e.field = format!("contact_{f}");
                        }
                    }
                    let status = r.status();
                    let mut res = NewPage { page, r }.into_response();
                    *res.status_mut() = status;
                    res
                }
                Err(res) => *res,
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/files/file.html")]
struct FilePage {
    page: Page,
    file: CustomerFile,
    /// The contact whose phone is shown in full (on this response only), and the phone.
    phone: Option<(i64, String)>,
    can_edit: bool,
    /// Who may own customers: (user name, name), for the reassign form.
    owners: Vec<(String, String)>,
    r: Reshow,
}

impl FilePage {
    fn kinds(&self) -> &'static [&'static str] {
        &KINDS
    }
    fn grades(&self) -> &'static [&'static str] {
        &GRADES
    }
    /// A field of the edit form: as typed when re-shown, else as stored.
    fn ed(&self, name: &str) -> String {
        if self.r.is("edit") {
            return self.r.val("edit", name).to_string();
        }
        let c = &self.file.customer;
        match name {
            "name" => c.name.clone(),
            "credit_code" => c.credit_code.clone().unwrap_or_default(),
            "kind" => c.kind.clone(),
            "grade" => c.grade.clone(),
            "address" => c.address.clone(),
            "credit_note" => c.credit_note.clone(),
            "notes" => c.notes.clone(),
            _ => String::new(),
        }
    }
    fn full_phone(&self, contact: &i64) -> Option<&str> {
        self.phone
            .as_ref()
            .filter(|(id, _)| id == contact)
            .map(|(_, p)| p.as_str())
    }
}

async fn render(
    c: &Console,
    id: i64,
    flash: Option<&str>,
    phone: Option<(i64, String)>,
    r: Reshow,
) -> Response {
    let loaded = async {
        let file = view::file(&c.ctx, id).await?;
        let owners = if c.ctx.can(Permission::AssignCustomers) {
            owners::holders(&c.ctx, Permission::ManageCustomers)
                .await?
                .into_iter()
                .map(|(u, (_, name))| (u, name))
                .collect()
        } else {
            Vec::new()
        };
        Ok::<_, CustomersError>((file, owners))
    }
    .await;
    let (file, owners) = match loaded {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let me = c.ctx.actor.staff().map(|s| s.id);
    let mine = me.is_some() && file.customer.owner_staff_id == me;
    let can_edit =
        c.ctx.can(Permission::ManageCustomers) && (mine || c.ctx.can(Permission::AssignCustomers));
    let status = r.status();
    let mut res = FilePage {
        page: Page::console(c, "customers.files.file").with_flash("success", flash),
        file,
        phone,
        can_edit,
        owners,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn file_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Response {
    render(&c, id, q.ok.as_deref(), None, Reshow::default()).await
}

/// Runs one of the file's forms: back to the file on success, the form re-shown on refusal.
async fn file_form<T, F>(v: Verified<Form>, id: i64, form: &str, run: F) -> Response
where
    F: AsyncFnOnce(&Ctx, &Form) -> Result<T, CustomersError>,
{
    let c = v.console;
    match run(&c.ctx, &v.form).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "customers.files.file");
            match reshow(e, &page, form, v.form) {
                Ok(r) => render(&c, id, None, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn edit_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    file_form(v, id, "edit", async |ctx, f| {
        edit::update(ctx, id, &customer_in(f)).await
    })
    .await
}

pub(super) async fn contact_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    file_form(v, id, "contact", async |ctx, f| {
        let input = ContactIn {
            name: field(f, "name"),
            title: field(f, "title"),
            phone: field(f, "phone"),
        };
        edit::add_contact(ctx, id, &input).await
    })
    .await
}

pub(super) async fn reassign_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    file_form(v, id, "reassign", async |ctx, f| {
        let input = ReassignIn {
            to: field(f, "to"),
            note: field(f, "note"),
            from: Some(field(f, "from")),
        };
        owners::reassign(ctx, id, &input).await
    })
    .await
}

/// Shows one contact's full phone, on this response only (audited).
pub(super) async fn phone_submit(
    Path((id, contact)): Path<(i64, i64)>,
    v: Verified<Form>,
) -> Response {
    let c = v.console;
    match edit::reveal_phone(&c.ctx, id, contact).await {
        Ok(phone) => render(&c, id, None, Some((contact, phone)), Reshow::default()).await,
        Err(e) => AppError::from(e).into_response(),
    }
}
