//! Applications (B2–B5) at the desk: the form, the queue, one application (and its print),
//! and the review.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use patron_core::Permission;
use serde::Deserialize;

use super::store_codes;
use crate::areas::members::MemberIn;
use crate::areas::members::applications::{self, ApplicationIn, ApplicationRow, Review};
use crate::kernel::ctx::App;
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

pub fn router() -> Router<App> {
    Router::new()
        .route("/members/apply", get(apply_page).post(apply_submit))
        .route("/members/applications", get(queue_page))
        .route("/members/applications/{id}", get(detail_page))
        .route("/members/applications/{id}/review", post(review_submit))
        .route("/members/applications/{id}/print", get(print_page))
}

/// The application form's fields, flat (as the browser sends them).
#[derive(Deserialize, Default, Clone)]
pub struct ApplyForm {
    #[serde(default)]
    store_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    birthday: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    id_type: String,
    #[serde(default)]
    id_no: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    occupation: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    referrer_card_no: String,
    #[serde(default)]
    marketing_consent: Option<String>,
    #[serde(default)]
    receipt_no: String,
    #[serde(default)]
    receipt_amount: String,
    #[serde(default)]
    counter: String,
    #[serde(default)]
    previous: Option<i64>,
}

impl ApplyForm {
    fn input(&self) -> ApplicationIn {
        ApplicationIn {
            store_code: self.store_code.clone(),
            member: MemberIn {
                name: self.name.clone(),
                gender: self.gender.clone(),
                birthday: self.birthday.clone(),
                phone: self.phone.clone(),
                email: self.email.clone(),
                id_type: self.id_type.clone(),
                id_no: self.id_no.clone(),
                address: self.address.clone(),
                occupation: self.occupation.clone(),
                channel: self.channel.clone(),
                referrer_card_no: self.referrer_card_no.clone(),
                marketing_consent: self.marketing_consent.is_some(),
            },
            receipt_no: self.receipt_no.clone(),
            receipt_amount: self.receipt_amount.clone(),
            counter: self.counter.clone(),
        }
    }

    fn from_input(a: &ApplicationIn, previous: Option<i64>) -> ApplyForm {
        ApplyForm {
            store_code: a.store_code.clone(),
            name: a.member.name.clone(),
            gender: a.member.gender.clone(),
            birthday: a.member.birthday.clone(),
            phone: a.member.phone.clone(),
            email: a.member.email.clone(),
            id_type: a.member.id_type.clone(),
            id_no: a.member.id_no.clone(),
            address: a.member.address.clone(),
            occupation: a.member.occupation.clone(),
            channel: a.member.channel.clone(),
            referrer_card_no: a.member.referrer_card_no.clone(),
            marketing_consent: a.member.marketing_consent.then(|| "on".to_string()),
            receipt_no: a.receipt_no.clone(),
            receipt_amount: a.receipt_amount.clone(),
            counter: a.counter.clone(),
            previous,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "members/apply.html")]
struct ApplyPage {
    page: Page,
    f: ApplyForm,
    errors: FormErrors,
    stores: Vec<String>,
    channels: &'static [&'static str],
    message: Option<String>,
}

#[derive(Deserialize, Default)]
struct ApplyQuery {
    from: Option<i64>,
}

async fn apply_page(c: Console, Query(q): Query<ApplyQuery>) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageMembers) {
        return AppError::from(e).into_response();
    }
    let stores = store_codes(&c).await;
    let f = match q.from {
        Some(id) => match applications::get(c.ctx.db(), id).await {
            Ok(Some(row)) if row.status == "rejected" => {
                let mut f = row
                    .form(&c.ctx.app.pii)
                    .map(|a| ApplyForm::from_input(&a, Some(id)))
                    .unwrap_or_default();
                // The phone and ID number are filled in again from the paper form unless
                // the clerk may see them in full.
                if !c.ctx.can_at(Permission::ViewPersonalData, row.store_id) {
                    f.phone.clear();
                    f.id_no.clear();
                }
                f
            }
            Ok(_) => return AppError::not_found().into_response(),
            Err(e) => return AppError::from(e).into_response(),
        },
        None => ApplyForm {
            store_code: stores.first().cloned().unwrap_or_default(),
            ..ApplyForm::default()
        },
    };
    ApplyPage {
        page: Page::console(&c, "member.apply_title"),
        f,
        errors: FormErrors::default(),
        stores,
        channels: &crate::areas::members::CHANNELS,
        message: None,
    }
    .into_response()
}

async fn apply_submit(v: Verified<ApplyForm>) -> Response {
    let c = v.console;
    let f = v.form;
    match applications::submit(&c.ctx, &f.input(), f.previous).await {
        Ok(_) => {
            Redirect::to("/members/applications?ok=flash.application_submitted").into_response()
        }
        Err(e) => {
            let err = AppError::from(e);
            if ![codes::VALIDATION, codes::DUPLICATE].contains(&err.code) {
                return err.into_response();
            }
            let message = (err.code == codes::DUPLICATE)
                .then(|| err.note.as_ref().map(|n| n.say(c.lang)).unwrap_or_default());
            let mut res = ApplyPage {
                page: Page::console(&c, "member.apply_title"),
                stores: store_codes(&c).await,
                f,
                errors: FormErrors(err.fields),
                channels: &crate::areas::members::CHANNELS,
                message,
            }
            .into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "members/applications.html")]
struct QueuePage {
    page: Page,
    rows: Vec<ApplicationRow>,
}

async fn queue_page(c: Console, Query(q): Query<FlashQuery>) -> Response {
    match applications::queue(&c.ctx).await {
        Ok(rows) => QueuePage {
            page: Page::console(&c, "member.applications_title")
                .with_flash("success", q.ok.as_deref()),
            rows,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "members/application.html")]
struct DetailPage {
    page: Page,
    row: ApplicationRow,
    f: ApplyForm,
    phone_masked: String,
    id_masked: String,
    can_review: bool,
    mine: bool,
    errors: FormErrors,
    /// Why the review was refused, in the reader's words (who holds the phone or ID number).
    message: Option<String>,
}

async fn render_detail(c: &Console, id: i64, errors: FormErrors, print: bool) -> Response {
    render_detail_said(c, id, errors, print, None).await
}

async fn render_detail_said(
    c: &Console,
    id: i64,
    errors: FormErrors,
    print: bool,
    message: Option<String>,
) -> Response {
    if let Err(e) = c.ctx.require(Permission::ViewMembers) {
        return AppError::from(e).into_response();
    }
    let row = match applications::get(c.ctx.db(), id).await {
        Ok(Some(r)) => r,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(input) = row.form(&c.ctx.app.pii) else {
        return AppError::internal("application data cannot be read").into_response();
    };
    let phone_masked = patron_core::identity::Phone::parse(&input.member.phone)
        .map(|p| p.masked())
        .unwrap_or_default();
    let id_masked = patron_core::identity::IdType::parse(&input.member.id_type)
        .ok()
        .and_then(|t| patron_core::identity::IdNumber::parse(t, &input.member.id_no).ok())
        .map(|i| i.masked())
        .unwrap_or_default();
    let page = DetailPage {
        page: Page::console(c, "member.apply_title"),
        f: ApplyForm::from_input(&input, None),
        can_review: c.ctx.can(Permission::ReviewApplications),
        mine: row.submitted_by == c.staff().id,
        row,
        phone_masked,
        id_masked,
        errors,
        message,
    };
    if print {
        PrintPage { d: page }.into_response()
    } else {
        page.into_response()
    }
}

async fn detail_page(c: Console, Path(id): Path<i64>) -> Response {
    render_detail(&c, id, FormErrors::default(), false).await
}

#[derive(Template, WebTemplate)]
#[template(path = "members/application_print.html")]
struct PrintPage {
    d: DetailPage,
}

async fn print_page(c: Console, Path(id): Path<i64>) -> Response {
    render_detail(&c, id, FormErrors::default(), true).await
}

#[derive(Deserialize)]
struct ReviewForm {
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn review_submit(Path(id): Path<i64>, v: Verified<ReviewForm>) -> Response {
    let c = v.console;
    let decision = match v.form.decision.as_str() {
        "approve" => Review::Approve,
        _ => Review::Reject {
            reason: v.form.reason.clone(),
        },
    };
    let approving = decision == Review::Approve;
    match applications::review(&c.ctx, id, decision).await {
        Ok(Some(r)) => Redirect::to(&format!(
            "/members/{}?ok=flash.application_approved",
            r.member_id
        ))
        .into_response(),
        Ok(None) => {
            Redirect::to("/members/applications?ok=flash.application_rejected").into_response()
        }
        Err(e) => {
            let err = AppError::from(e);
            if err.code == codes::VALIDATION && !approving {
                let mut res = render_detail(&c, id, FormErrors(err.fields), false).await;
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                return res;
            }
            // A phone or ID number someone holds already: the application again, saying who.
            if let Some(note) = err.note.as_ref().filter(|_| err.code == codes::DUPLICATE) {
                let message = Some(note.say(c.lang));
                let mut res =
                    render_detail_said(&c, id, FormErrors(err.fields), false, message).await;
                *res.status_mut() = StatusCode::CONFLICT;
                return res;
            }
            err.into_response()
        }
    }
}

#[derive(Deserialize, Default)]
struct FlashQuery {
    ok: Option<String>,
}
