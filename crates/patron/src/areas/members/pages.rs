//! Console routes of the members area: search, the member page (profile, card, tier, ledger,
//! requests), revealing personal data, card operations, points adjustments and missed receipts;
//! and the approvals inbox that carries out what the areas asked for.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDateTime, TimeZone};
use patron_core::Permission;
use serde::Deserialize;

use super::cards::{self, CardAction};
use super::{MemberView, store::MemberRow};
use crate::areas::points::adjust::{self, Missed};
use crate::areas::points::receipts::{ReceiptIn, ReceiptLineIn};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

pub fn router() -> Router<App> {
    Router::new()
        .merge(apply::router())
        .route("/members", get(search_page))
        .route(
            "/members/import",
            get(import_page)
                .post(import_submit)
                .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024)),
        )
        .route("/members/{id}", get(member_page))
        .route("/members/{id}/reveal", post(reveal))
        .route("/members/{id}/profile", post(profile_submit))
        .route("/members/{id}/export.json", get(export_json))
        .route("/members/{id}/statement.csv", get(statement_csv))
        .route("/members/{id}/statement.xlsx", get(statement_xlsx))
        .route("/members.csv", get(search_csv))
        .route("/members.xlsx", get(search_xlsx))
        .route("/members/{id}/card", post(card_action))
        .route("/members/{id}/adjust", post(adjust_request))
        .route("/members/{id}/tier", post(tier_request))
        .route("/members/{id}/missed", post(missed_entry))
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/search.html")]
struct SearchPage {
    page: Page,
    q: String,
    searched: bool,
    results: Vec<MemberRow>,
}

async fn search_page(c: Console, Query(q): Query<SearchQuery>) -> Response {
    match super::search(&c.ctx, &q.q).await {
        Ok(results) => SearchPage {
            page: Page::console(&c, "member.search_title"),
            searched: !q.q.trim().is_empty(),
            q: q.q,
            results,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// Values of the two forms on the member page, re-shown with their errors.
#[derive(Deserialize, Default, Clone)]
struct AdjustForm {
    #[serde(default)]
    points: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    kind: String,
}

#[derive(Deserialize, Default, Clone)]
struct MissedForm {
    #[serde(default)]
    store_code: String,
    #[serde(default)]
    receipt_no: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    occurred_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/show.html")]
struct MemberPage {
    page: Page,
    v: MemberView,
    revealed: Option<(String, String)>,
    adjust: AdjustForm,
    missed: MissedForm,
    errors: FormErrors,
    can_adjust: bool,
    can_manage: bool,
    can_reveal: bool,
    tier_name: String,
    next_name: String,
    store_codes: Vec<String>,
    message: Option<String>,
}

impl MemberPage {
    fn profile_value(&self, field: &str) -> String {
        serde_json::from_str::<serde_json::Value>(&self.v.member.profile)
            .ok()
            .and_then(|v| v.get(field).and_then(|x| x.as_str()).map(str::to_string))
            .unwrap_or_default()
    }
    fn profile_fields(&self) -> &'static [&'static str] {
        &super::PROFILE_FIELDS
    }
    fn card_state(&self, state: &str) -> &'static str {
        self.page.t(match state {
            "issued" => "card.state.issued",
            "active" => "card.state.active",
            "frozen" => "card.state.frozen",
            _ => "card.state.closed",
        })
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
struct MemberQuery {
    #[serde(default)]
    page: i64,
    ok: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn render_member(
    c: &Console,
    id: i64,
    entries_page: i64,
    revealed: Option<(String, String)>,
    adjust: AdjustForm,
    missed: MissedForm,
    errors: FormErrors,
    flash: Option<&str>,
    message: Option<String>,
) -> Response {
    let v = match super::view(&c.ctx, id, entries_page).await {
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
    }
    .into_response()
}

/// The member page again, with a form's input and its errors (422).
async fn rejected(
    c: &Console,
    id: i64,
    adjust: AdjustForm,
    missed: MissedForm,
    errors: FormErrors,
    message: Option<String>,
) -> Response {
    let mut res = render_member(c, id, 0, None, adjust, missed, errors, None, message).await;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

async fn member_page(c: Console, Path(id): Path<i64>, Query(q): Query<MemberQuery>) -> Response {
    render_member(
        &c,
        id,
        q.page,
        None,
        AdjustForm::default(),
        MissedForm::default(),
        FormErrors::default(),
        q.ok.as_deref(),
        None,
    )
    .await
}

async fn reveal(Path(id): Path<i64>, v: Verified<Vec<(String, String)>>) -> Response {
    let c = v.console;
    match super::reveal(&c.ctx, id).await {
        Ok((phone, id_no)) => {
            render_member(
                &c,
                id,
                0,
                Some((phone.unwrap_or_default(), id_no.unwrap_or_default())),
                AdjustForm::default(),
                MissedForm::default(),
                FormErrors::default(),
                None,
                None,
            )
            .await
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
struct CardForm {
    action: String,
    #[serde(default)]
    reason: String,
}

async fn card_action(Path(id): Path<i64>, v: Verified<CardForm>) -> Response {
    let c = v.console;
    let Some(action) = CardAction::parse(&v.form.action) else {
        return AppError::new("validation").into_response();
    };
    match cards::act(&c.ctx, id, action, &v.form.reason).await {
        Ok(_) => {
            Redirect::to(&format!("/members/{id}?ok=flash.card_{}", action.code())).into_response()
        }
        Err(e) => {
            let err = AppError::from(e);
            if !matches!(err.code, "validation" | "card_inactive") {
                return err.into_response();
            }
            let message = Some(
                c.lang
                    .t(crate::web::error::message_key_of(err.code))
                    .to_string(),
            );
            rejected(
                &c,
                id,
                AdjustForm::default(),
                MissedForm::default(),
                FormErrors(err.fields),
                message,
            )
            .await
        }
    }
}

async fn adjust_request(Path(id): Path<i64>, v: Verified<AdjustForm>) -> Response {
    let c = v.console;
    let form = v.form;
    let points = form.points.trim().replace(['+', ','], "").parse::<i64>();
    let result = match points {
        Ok(p) => adjust::request_points(&c.ctx, id, p, &form.reason, &form.kind)
            .await
            .map_err(AppError::from),
        Err(_) => {
            Err(crate::kernel::validation::Invalid::one("points", "invalid.adjust_points").into())
        }
    };
    match result {
        Ok(_) => Redirect::to(&format!("/members/{id}?ok=flash.submitted")).into_response(),
        Err(err) if err.code == "validation" => {
            rejected(
                &c,
                id,
                form,
                MissedForm::default(),
                FormErrors(err.fields),
                None,
            )
            .await
        }
        Err(err) => err.into_response(),
    }
}

async fn missed_entry(Path(id): Path<i64>, v: Verified<MissedForm>) -> Response {
    let c = v.console;
    let form = v.form;
    let result = missed_input(&c, id, &form).await;
    let outcome = match result {
        Ok(input) => adjust::enter_missed(&c.ctx, &input)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(Missed::Accrued(_, out)) => Redirect::to(&format!(
            "/members/{id}?ok=flash.missed_accrued&points={}",
            out.points_awarded
        ))
        .into_response(),
        Ok(Missed::Pending(_)) => {
            Redirect::to(&format!("/members/{id}?ok=flash.submitted")).into_response()
        }
        Err(err)
            if matches!(
                err.code,
                "validation"
                    | "receipt_conflict"
                    | "card_inactive"
                    | "card_frozen"
                    | "card_expired"
            ) =>
        {
            let message = (err.code != "validation").then(|| {
                c.lang
                    .t(crate::web::error::message_key_of(err.code))
                    .to_string()
            });
            rejected(
                &c,
                id,
                AdjustForm::default(),
                form,
                FormErrors(err.fields),
                message,
            )
            .await
        }
        Err(err) => err.into_response(),
    }
}

/// The receipt a missed-points form describes (one line, the amount after discount).
async fn missed_input(c: &Console, id: i64, form: &MissedForm) -> Result<ReceiptIn, AppError> {
    let member = super::store::get_member(c.ctx.db(), id)
        .await?
        .ok_or_else(|| AppError::new("member_not_found"))?;
    let card_no = member
        .card_no
        .ok_or_else(|| AppError::new("card_inactive"))?;
    let mut bad = crate::kernel::validation::Invalid::new();
    let amount = bad.check(
        "amount",
        patron_core::Fen::parse_yuan(&form.amount).map_err(|_| "invalid.amount"),
    );
    let when = NaiveDateTime::parse_from_str(form.occurred_at.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(form.occurred_at.trim(), "%Y-%m-%d %H:%M"))
        .ok()
        .and_then(|t| c.ctx.app.config.tz().from_local_datetime(&t).single());
    if when.is_none() {
        bad.add("occurred_at", "invalid.date");
    }
    bad.into_result()?;
    let (Some(amount), Some(when)) = (amount, when) else {
        return Err(AppError::new("validation"));
    };
    Ok(ReceiptIn {
        store_code: form.store_code.clone(),
        till_id: None,
        receipt_no: form.receipt_no.clone(),
        card_no,
        occurred_at: when.fixed_offset(),
        lines: vec![ReceiptLineIn {
            line_no: 1,
            sku: String::new(),
            amount_fen: amount.0,
            promotional: false,
        }],
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "members/import.html")]
struct ImportPage {
    page: Page,
    columns: &'static [&'static str],
    stores: Vec<String>,
    report: Option<super::import::ImportReport>,
    problem: Option<String>,
}

async fn store_codes(c: &Console) -> Vec<String> {
    match c.ctx.app.cache.stores(c.ctx.db()).await {
        Ok(s) => {
            let mut v: Vec<String> = c
                .staff()
                .grants
                .iter()
                .filter_map(|g| s.by_id(g.store_id).map(|s| s.code.clone()))
                .collect();
            v.sort();
            v.dedup();
            v
        }
        Err(_) => Vec::new(),
    }
}

async fn import_page(c: Console) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageMembers) {
        return AppError::from(e).into_response();
    }
    ImportPage {
        page: Page::console(&c, "import.title"),
        columns: &super::import::COLUMNS,
        stores: store_codes(&c).await,
        report: None,
        problem: None,
    }
    .into_response()
}

/// The import form: a file, CSV or xlsx (multipart; the CSRF token is one of its fields).
async fn import_submit(c: Console, mut form: axum::extract::Multipart) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageMembers) {
        return AppError::from(e).into_response();
    }
    let (mut csrf, mut store, mut file) = (String::new(), String::new(), None);
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let file_name = field.file_name().map(str::to_string);
                match field.bytes().await {
                    Ok(bytes) => match name.as_str() {
                        "_csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
                        "store" => store = String::from_utf8_lossy(&bytes).into_owned(),
                        "file" => file = Some((file_name.unwrap_or_default(), bytes.to_vec())),
                        _ => {}
                    },
                    Err(_) => return AppError::new("too_large").into_response(),
                }
            }
            Ok(None) => break,
            Err(_) => return AppError::new("bad_request").into_response(),
        }
    }
    if csrf != c.csrf_token {
        return AppError::new("csrf").into_response();
    }
    let render = |report, problem| async {
        ImportPage {
            page: Page::console(&c, "import.title"),
            columns: &super::import::COLUMNS,
            stores: store_codes(&c).await,
            report,
            problem,
        }
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let mut res = render(None, Some(c.lang.t("invalid.required").to_string()))
            .await
            .into_response();
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return res;
    };
    let (header, rows) = match super::import::read_file(&name, &bytes) {
        Ok(x) => x,
        Err(problem) => {
            let mut res = render(None, Some(problem)).await.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return res;
        }
    };
    match super::import::import(&c.ctx, &store, &header, &rows, None).await {
        Ok(report) => {
            let failed = !report.bad.is_empty();
            let mut res = render(Some(report), None).await.into_response();
            if failed {
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            res
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

mod apply {
    use super::*;
    use crate::areas::members::MemberIn;
    use crate::areas::members::applications::{self, ApplicationIn, ApplicationRow, Review};

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
                if !matches!(err.code, "validation" | "duplicate") {
                    return err.into_response();
                }
                let message =
                    (err.code == "duplicate").then(|| err.detail.clone().unwrap_or_default());
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
    }

    async fn render_detail(c: &Console, id: i64, errors: FormErrors, print: bool) -> Response {
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
                if err.code == "validation" && !approving {
                    let mut res = render_detail(&c, id, FormErrors(err.fields), false).await;
                    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                    return res;
                }
                err.into_response()
            }
        }
    }
}

async fn profile_submit(
    Path(id): Path<i64>,
    v: Verified<std::collections::BTreeMap<String, String>>,
) -> Response {
    let c = v.console;
    let notes = v.form.get("notes").cloned().unwrap_or_default();
    match super::save_profile(&c.ctx, id, &v.form, &notes).await {
        Ok(()) => Redirect::to(&format!("/members/{id}?ok=flash.saved")).into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if err.code != "validation" {
                return err.into_response();
            }
            rejected(
                &c,
                id,
                AdjustForm::default(),
                MissedForm::default(),
                FormErrors(err.fields),
                None,
            )
            .await
        }
    }
}

/// One member's data as a JSON file (B11), for a member who asks for it.
async fn export_json(c: Console, Path(id): Path<i64>) -> Response {
    match super::export_one(&c.ctx, id).await {
        Ok(v) => {
            let body = serde_json::to_string_pretty(&v).unwrap_or_default();
            (
                [
                    (
                        axum::http::header::CONTENT_TYPE,
                        "application/json; charset=utf-8".to_string(),
                    ),
                    (
                        axum::http::header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"member-{id}.json\""),
                    ),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
struct TierRequestForm {
    tier: String,
    #[serde(default)]
    tier_reason: String,
}

/// Asks a manager to move the member to a tier that needs approval (platinum).
async fn tier_request(Path(id): Path<i64>, v: Verified<TierRequestForm>) -> Response {
    let c = v.console;
    match adjust::request_tier(&c.ctx, id, &v.form.tier, &v.form.tier_reason).await {
        Ok(_) => Redirect::to(&format!("/members/{id}?ok=flash.submitted")).into_response(),
        Err(e) => {
            let err = AppError::from(e);
            if err.code != "validation" {
                return err.into_response();
            }
            rejected(
                &c,
                id,
                AdjustForm::default(),
                MissedForm::default(),
                FormErrors(err.fields),
                None,
            )
            .await
        }
    }
}

/// The search results as a file (the same query string as the page).
async fn search_export(
    c: Console,
    q: SearchQuery,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let rows = super::search(&c.ctx, &q.q).await?;
    let page = Page::console(&c, "member.search_title");
    let rows = rows
        .into_iter()
        .map(|m| {
            vec![
                Cell::from(m.card_no.unwrap_or_default()),
                Cell::from(m.name),
                Cell::from(m.phone_masked.unwrap_or_default()),
                Cell::from(m.tier_code),
                Cell::from(m.points_balance),
                Cell::from(m.status),
            ]
        })
        .collect();
    export::respond(
        &Table::new(
            "members",
            &page,
            &[
                "member.card_no",
                "member.name",
                "member.phone",
                "member.tier",
                "member.points",
                "common.state",
            ],
            rows,
        ),
        format,
    )
}

async fn search_csv(c: Console, Query(q): Query<SearchQuery>) -> Result<Response, AppError> {
    search_export(c, q, ExportFormat::Csv).await
}

async fn search_xlsx(c: Console, Query(q): Query<SearchQuery>) -> Result<Response, AppError> {
    search_export(c, q, ExportFormat::Xlsx).await
}

/// A member's whole points statement (C9) as a file.
async fn statement_export(c: Console, id: i64, format: ExportFormat) -> Result<Response, AppError> {
    c.ctx.require(Permission::ViewMembers)?;
    // An unknown member is a 404, not an empty file.
    super::store::get_member(c.ctx.db(), id)
        .await?
        .ok_or_else(|| AppError::new("member_not_found"))?;
    let entries = super::store::entries(c.ctx.db(), id, i64::MAX / 4, 0).await?;
    let page = Page::console(&c, "points.statement");
    let rows = entries
        .into_iter()
        .map(|e| {
            vec![
                Cell::from(page.time(&e.at)),
                Cell::from(page.entry_kind(&e.kind)),
                Cell::from(e.points),
                Cell::from(e.balance_after),
                Cell::from(e.source_ref.unwrap_or_default()),
                Cell::from(e.staff_name.or(e.till_id).unwrap_or_default()),
                Cell::from(e.note),
            ]
        })
        .collect();
    export::respond(
        &Table::new(
            "statement",
            &page,
            &[
                "points.at",
                "points.kind",
                "points.points",
                "points.balance_after",
                "points.source",
                "points.by",
                "points.note",
            ],
            rows,
        ),
        format,
    )
}

async fn statement_csv(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    statement_export(c, id, ExportFormat::Csv).await
}

async fn statement_xlsx(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    statement_export(c, id, ExportFormat::Xlsx).await
}

#[derive(Deserialize, Default)]
struct FlashQuery {
    ok: Option<String>,
}
