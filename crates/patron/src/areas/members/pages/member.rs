//! The member page: profile, card, tier, ledger and requests, with the desk's forms; revealing
//! personal data; the top-member profile.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;
use serde::Deserialize;

use super::store_codes;
use crate::areas::members::cards::CardAction;
use crate::areas::members::{self as members, MemberView};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

/// Values of the two forms on the member page, re-shown with their errors.
#[derive(Deserialize, Default, Clone)]
pub(super) struct AdjustForm {
    #[serde(default)]
    pub(super) points: String,
    #[serde(default)]
    pub(super) reason: String,
    #[serde(default)]
    pub(super) kind: String,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct MissedForm {
    #[serde(default)]
    pub(super) store_code: String,
    #[serde(default)]
    pub(super) receipt_no: String,
    #[serde(default)]
    pub(super) amount: String,
    #[serde(default)]
    pub(super) occurred_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/show.html")]
pub(super) struct MemberPage {
    page: Page,
    v: MemberView,
    revealed: Option<(String, String)>,
    adjust: AdjustForm,
    missed: MissedForm,
    details: members::DetailsIn,
    errors: FormErrors,
    can_adjust: bool,
    can_manage: bool,
    can_reveal: bool,
    tier_name: String,
    next_name: String,
    store_codes: Vec<String>,
    message: Option<String>,
    today: chrono::NaiveDate,
}

impl MemberPage {
    fn profile_value(&self, field: &str) -> String {
        serde_json::from_str::<serde_json::Value>(&self.v.member.profile)
            .ok()
            .and_then(|v| v.get(field).and_then(|x| x.as_str()).map(str::to_string))
            .unwrap_or_default()
    }
    fn profile_fields(&self) -> &'static [&'static str] {
        &members::PROFILE_FIELDS
    }
    fn card_state(&self) -> &'static str {
        self.page
            .t(super::card_state_key(&self.v.member, self.today))
    }
    /// The card actions valid for the card as it is, with their names.
    fn card_actions(&self) -> Vec<(&'static str, &'static str)> {
        let m = &self.v.member;
        let expired = m.card_expires_on.is_some_and(|d| d < self.today);
        m.card_state
            .as_deref()
            .map(|s| CardAction::offered(s, expired))
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.code(), self.page.t(a.label_key())))
            .collect()
    }
    fn consent_sources(&self) -> &'static [&'static str] {
        &members::CONSENT_SOURCES[..3]
    }
    fn label(&self, prefix: &str, code: &str) -> &'static str {
        self.page.t(&format!("{prefix}.{code}"))
    }
    fn status_name(&self, status: &str) -> &'static str {
        self.page.t(match status {
            "pending" => "approval.status.pending",
            "approved" => "approval.status.approved",
            "rejected" => "approval.status.rejected",
            _ => "approval.status.withdrawn",
        })
    }
}

#[derive(Deserialize, Default)]
pub(super) struct MemberQuery {
    #[serde(default)]
    page: i64,
    ok: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn render_member(
    c: &Console,
    id: i64,
    entries_page: i64,
    revealed: Option<(String, String)>,
    adjust: AdjustForm,
    missed: MissedForm,
    details: Option<members::DetailsIn>,
    errors: FormErrors,
    flash: Option<&str>,
    message: Option<String>,
) -> Response {
    let v = match members::view(&c.ctx, id, entries_page).await {
        Ok(v) => v,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = c.lang;
    let store_codes = store_codes(c).await;
    let missed = if missed.store_code.is_empty() {
        MissedForm {
            store_code: store_codes.first().cloned().unwrap_or_default(),
            ..missed
        }
    } else {
        missed
    };
    MemberPage {
        page: Page::console(c, "member.title").with_flash("success", flash),
        tier_name: v.standing.tier.name(lang).to_string(),
        next_name: v
            .standing
            .next
            .as_ref()
            .map(|(t, _)| t.name(lang).to_string())
            .unwrap_or_default(),
        details: details.unwrap_or_else(|| members::DetailsIn::of(&v.member)),
        v,
        revealed,
        adjust,
        missed,
        errors,
        can_adjust: c.ctx.can(Permission::AdjustPoints),
        can_manage: c.ctx.can(Permission::ManageMembers),
        can_reveal: c.ctx.can(Permission::ViewPersonalData),
        store_codes,
        message,
        today: crate::kernel::dates::business_date(c.ctx.now(), c.ctx.app.config.tz()),
    }
    .into_response()
}

/// The member page again, with a form's input and its errors (422).
pub(super) async fn rejected(
    c: &Console,
    id: i64,
    adjust: AdjustForm,
    missed: MissedForm,
    errors: FormErrors,
    message: Option<String>,
) -> Response {
    let mut res = render_member(c, id, 0, None, adjust, missed, None, errors, None, message).await;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

/// A refused form of the member page whose fields say what was wrong: the page again with them
/// marked; any other refusal is its own response.
pub(super) async fn rejected_fields(c: &Console, id: i64, e: impl Into<AppError>) -> Response {
    let err = e.into();
    if err.code != codes::VALIDATION {
        return err.into_response();
    }
    rejected(
        c,
        id,
        AdjustForm::default(),
        MissedForm::default(),
        FormErrors(err.fields),
        None,
    )
    .await
}

/// The member page again with the details form as typed and its errors (422).
async fn rejected_details(
    c: &Console,
    id: i64,
    details: members::DetailsIn,
    errors: FormErrors,
    message: Option<String>,
) -> Response {
    let (adjust, missed) = (AdjustForm::default(), MissedForm::default());
    let mut res = render_member(
        c,
        id,
        0,
        None,
        adjust,
        missed,
        Some(details),
        errors,
        None,
        message,
    )
    .await;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

pub(super) async fn member_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<MemberQuery>,
) -> Response {
    render_member(
        &c,
        id,
        q.page,
        None,
        AdjustForm::default(),
        MissedForm::default(),
        None,
        FormErrors::default(),
        q.ok.as_deref(),
        None,
    )
    .await
}

pub(super) async fn reveal(Path(id): Path<i64>, v: Verified<Vec<(String, String)>>) -> Response {
    let c = v.console;
    match members::reveal(&c.ctx, id).await {
        Ok((phone, id_no)) => {
            render_member(
                &c,
                id,
                0,
                Some((phone.unwrap_or_default(), id_no.unwrap_or_default())),
                AdjustForm::default(),
                MissedForm::default(),
                None,
                FormErrors::default(),
                None,
                None,
            )
            .await
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

pub(super) async fn profile_submit(
    Path(id): Path<i64>,
    v: Verified<std::collections::BTreeMap<String, String>>,
) -> Response {
    let c = v.console;
    let notes = v.form.get("notes").cloned().unwrap_or_default();
    match members::save_profile(&c.ctx, id, &v.form, &notes).await {
        Ok(()) => Redirect::to(&format!("/members/{id}?ok=flash.saved")).into_response(),
        Err(e) => rejected_fields(&c, id, e).await,
    }
}

/// Changes the member's details (B2): phone, ID, e-mail, birthday, address, occupation and
/// marketing consent. A duplicate phone or ID names the member who has it.
pub(super) async fn details_submit(
    Path(id): Path<i64>,
    v: Verified<members::DetailsIn>,
) -> Response {
    let c = v.console;
    match members::change_details(&c.ctx, id, &v.form).await {
        Ok(()) => Redirect::to(&format!("/members/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if ![codes::VALIDATION, codes::DUPLICATE].contains(&err.code) {
                return err.into_response();
            }
            let line = err.note.as_ref().map(|n| n.say(c.lang));
            rejected_details(&c, id, v.form, FormErrors(err.fields), line).await
        }
    }
}
