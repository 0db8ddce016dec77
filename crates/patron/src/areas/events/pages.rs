//! Console and portal pages of member events: the list (filters, export), the plan form (re-shown
//! with its errors, 422), the event page (approval, invitations, sign-ups, analysis), the door's
//! check-in form (htmx), print views of the plan and of the sign-up/attendance sheet, CSV/xlsx of
//! the sign-ups and of the analysis, and the member's own `/portal/events`.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use patron_core::Permission;
use serde::Deserialize;

use super::{Analysis, EventIn, EventRow, EventsError, ListFilter, SignupRow, TierIn};
use crate::areas::portal::pages::MemberSession;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::web::error::{AppError, message_key_of};
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

pub type Form = HashMap<String, String>;

pub fn router() -> Router<App> {
    Router::new()
        .route("/events", get(list_page).post(create_submit))
        .route("/events.csv", get(list_csv))
        .route("/events.xlsx", get(list_xlsx))
        .route("/events/new", get(new_page))
        .route("/events/{id}", get(show_page))
        .route("/events/{id}/edit", get(edit_page).post(edit_submit))
        .route("/events/{id}/{step}", post(step_submit))
        .route(
            "/events/{id}/checkin",
            get(checkin_page).post(checkin_submit),
        )
        .route("/events/{id}/plan.print", get(print_plan))
        .route("/events/{id}/sheet.print", get(print_sheet))
        .route("/events/{id}/signups.csv", get(signups_csv))
        .route("/events/{id}/signups.xlsx", get(signups_xlsx))
        .route("/events/{id}/analysis.csv", get(analysis_csv))
        .route("/events/{id}/analysis.xlsx", get(analysis_xlsx))
        .route("/portal/events", get(portal_page))
        .route("/portal/events/{id}/{step}", post(portal_submit))
}

fn field(f: &Form, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

/// A tier's name in the page's language.
fn tier_name(page: &Page, tiers: &[crate::areas::points::settings::Tier], code: &str) -> String {
    tiers
        .iter()
        .find(|t| t.code == code)
        .map(|t| {
            if page.is_en() {
                t.name_en.clone()
            } else {
                t.name_zh.clone()
            }
        })
        .unwrap_or_else(|| code.to_string())
}

/// A refusal in the page's language: (status, text).
// The refusal is re-shown at once by the caller; boxing it would only add noise.
#[allow(clippy::result_large_err)]
fn refusal(page: &Page, e: EventsError) -> Result<(StatusCode, String), Response> {
    if let EventsError::NotYetOpen(at) = &e {
        return Ok((
            StatusCode::CONFLICT,
            format!("{} {at}", page.t("error.signup_not_open")),
        ));
    }
    let err = AppError::from(e);
    let status = err.status();
    if !status.is_client_error() || matches!(err.code, "forbidden" | "not_found") {
        return Err(err.into_response());
    }
    let text = if err.fields.is_empty() {
        page.t(message_key_of(err.code)).to_string()
    } else {
        err.fields
            .iter()
            .map(|f| page.t(f.key))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = match (err.code, &err.detail) {
        ("conflict", Some(d)) => format!("{text} {d}"),
        _ => text,
    };
    Ok((status, text))
}

// ---------------------------------------------------------------- list

#[derive(Template, WebTemplate)]
#[template(path = "events/list.html")]
struct ListPage {
    page: Page,
    f: ListFilter,
    rows: Vec<EventRow>,
    stores: Vec<(i64, String)>,
    can_manage: bool,
    query: String,
}

impl ListPage {
    fn kinds(&self) -> &'static [&'static str] {
        kinds()
    }

    fn states(&self) -> &'static [&'static str] {
        states()
    }

    fn store_code(&self, id: &i64) -> String {
        self.stores
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, c)| c.clone())
            .unwrap_or_default()
    }
}

fn kinds() -> &'static [&'static str] {
    super::KINDS
}

fn segments() -> &'static [&'static str] {
    super::SEGMENTS
}

fn states() -> &'static [&'static str] {
    &["draft", "pending", "approved", "rejected", "closed"]
}

async fn store_codes(ctx: &Ctx) -> Result<Vec<(i64, String)>, AppError> {
    let stores = crate::areas::staff::store::list_stores(ctx.db()).await?;
    Ok(stores.into_iter().map(|s| (s.id, s.code)).collect())
}

async fn list_page(c: Console, Query(f): Query<ListFilter>) -> Result<Response, AppError> {
    let rows = super::list(&c.ctx, &f).await?;
    let query = serde_urlencoded::to_string([
        ("state", &f.state),
        ("kind", &f.kind),
        ("store", &f.store),
        ("month", &f.month),
        ("q", &f.q),
    ])
    .unwrap_or_default();
    Ok(ListPage {
        page: Page::console(&c, "ev.title"),
        stores: store_codes(&c.ctx).await?,
        can_manage: c.ctx.can(Permission::ManageEvents),
        f,
        rows,
        query,
    }
    .into_response())
}

async fn list_table(c: &Console, f: &ListFilter) -> Result<Table, AppError> {
    let rows = super::list(&c.ctx, f).await?;
    let page = Page::console(c, "ev.title");
    let stores = store_codes(&c.ctx).await?;
    let rows = rows
        .into_iter()
        .map(|e| {
            vec![
                Cell::Text(format!("EV{}", e.id)),
                e.theme.clone().into(),
                page.t(&format!("ev.kind.{}", e.kind)).into(),
                Cell::Text(
                    stores
                        .iter()
                        .find(|(i, _)| *i == e.store_id)
                        .map(|(_, c)| c.clone())
                        .unwrap_or_default(),
                ),
                page.time(&e.starts_at).into(),
                e.place.clone().into(),
                e.capacity.into(),
                e.signed_up.into(),
                Cell::Text(patron_core::Fen(e.budget_fen).plain()),
                page.t(&format!("ev.state.{}", e.state)).into(),
            ]
        })
        .collect();
    Ok(Table::new(
        "events",
        &page,
        &[
            "ev.code",
            "ev.theme",
            "ev.kind",
            "ev.store",
            "ev.starts_at",
            "ev.place",
            "ev.capacity",
            "ev.signed_up",
            "ev.budget",
            "ev.state",
        ],
        rows,
    ))
}

async fn list_csv(c: Console, Query(f): Query<ListFilter>) -> Result<Response, AppError> {
    export::respond(&list_table(&c, &f).await?, ExportFormat::Csv)
}

async fn list_xlsx(c: Console, Query(f): Query<ListFilter>) -> Result<Response, AppError> {
    export::respond(&list_table(&c, &f).await?, ExportFormat::Xlsx)
}

// ---------------------------------------------------------------- plan form

pub struct TierChoice {
    pub code: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "events/form.html")]
struct FormPage {
    page: Page,
    /// None: a new plan.
    id: Option<i64>,
    values: Form,
    errors: FormErrors,
    detail: String,
    tiers: Vec<TierChoice>,
    stores: Vec<(i64, String)>,
}

impl FormPage {
    fn kinds(&self) -> &'static [&'static str] {
        kinds()
    }

    fn segments(&self) -> &'static [&'static str] {
        segments()
    }

    fn val(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    fn is(&self, name: &str, value: &str) -> bool {
        self.val(name) == value
    }

    fn bad(&self, name: &str) -> bool {
        self.errors.has(name)
    }

    fn msg(&self, name: &str) -> &'static str {
        self.errors.msg(&self.page, name)
    }

    fn offset_field(&self, code: &str) -> String {
        format!("offset.{code}")
    }

    fn tier_field(&self, code: &str) -> String {
        format!("tier.{code}")
    }
}

/// The plan as typed into the form.
fn event_in(f: &Form, tiers: &[crate::areas::points::settings::Tier]) -> EventIn {
    EventIn {
        store_code: field(f, "store_code"),
        theme: field(f, "theme"),
        kind: field(f, "kind"),
        starts_at: field(f, "starts_at"),
        ends_at: field(f, "ends_at"),
        place: field(f, "place"),
        content: field(f, "content"),
        capacity: field(f, "capacity"),
        budget: field(f, "budget"),
        points: field(f, "points"),
        analysis_weeks: field(f, "analysis_weeks"),
        segment: field(f, "segment"),
        segment_min_spend: field(f, "segment_min_spend"),
        segment_window_days: field(f, "segment_window_days"),
        signup_opens: field(f, "signup_opens"),
        tiers: tiers
            .iter()
            .filter(|t| f.contains_key(&format!("tier.{}", t.code)))
            .map(|t| TierIn {
                code: t.code.clone(),
                offset_days: field(f, &format!("offset.{}", t.code)),
            })
            .collect(),
    }
}

/// The form's values of a stored plan.
async fn values_of(ctx: &Ctx, ev: &EventRow) -> Result<Form, AppError> {
    let mut v = Form::new();
    let stores = store_codes(ctx).await?;
    let code = stores
        .iter()
        .find(|(i, _)| *i == ev.store_id)
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    v.insert("store_code".into(), code);
    v.insert("theme".into(), ev.theme.clone());
    v.insert("kind".into(), ev.kind.clone());
    v.insert("starts_at".into(), super::local(ctx, ev.starts_at));
    v.insert("ends_at".into(), super::local(ctx, ev.ends_at));
    v.insert("place".into(), ev.place.clone());
    v.insert("content".into(), ev.content.clone());
    v.insert("capacity".into(), ev.capacity.to_string());
    v.insert(
        "budget".into(),
        patron_core::Fen(ev.budget_fen).plain().replace(',', ""),
    );
    v.insert("points".into(), ev.points.to_string());
    v.insert("analysis_weeks".into(), ev.analysis_weeks.to_string());
    v.insert("segment".into(), ev.segment.clone());
    if ev.segment == "min_spend" {
        v.insert(
            "segment_min_spend".into(),
            patron_core::Fen(ev.segment_min_spend_fen)
                .plain()
                .replace(',', ""),
        );
        v.insert(
            "segment_window_days".into(),
            ev.segment_window_days.to_string(),
        );
    }
    let tiers = super::store::tiers(ctx.db(), ev.id).await?;
    if let Some(first) = tiers.iter().map(|(_, t)| *t).min() {
        v.insert("signup_opens".into(), super::local(ctx, first));
        for (code, at) in &tiers {
            v.insert(format!("tier.{code}"), "on".into());
            v.insert(
                format!("offset.{code}"),
                ((*at - first).num_hours() / 24).to_string(),
            );
        }
    }
    Ok(v)
}

/// A blank plan: every tier, with the default priority delays.
fn blank(tiers: &[crate::areas::points::settings::Tier], store: &str) -> Form {
    let mut v = Form::new();
    v.insert("store_code".into(), store.to_string());
    v.insert("analysis_weeks".into(), "4".into());
    v.insert("points".into(), "0".into());
    for t in tiers {
        v.insert(format!("tier.{}", t.code), "on".into());
        v.insert(
            format!("offset.{}", t.code),
            super::default_offset(tiers, &t.code).to_string(),
        );
    }
    v
}

async fn render_form(
    c: &Console,
    id: Option<i64>,
    values: Form,
    errors: FormErrors,
    detail: String,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let loyalty = c
            .ctx
            .app
            .cache
            .get::<crate::areas::points::settings::Loyalty>(c.ctx.db())
            .await?;
        let stores = store_codes(&c.ctx).await?;
        Ok::<_, AppError>((loyalty, stores))
    }
    .await;
    let (loyalty, stores) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let page = Page::console(c, if id.is_some() { "ev.edit" } else { "ev.new" });
    let mut tiers: Vec<TierChoice> = loyalty
        .tiers
        .iter()
        .map(|t| TierChoice {
            code: t.code.clone(),
            name: tier_name(&page, &loyalty.tiers, &t.code),
        })
        .collect();
    tiers.reverse();
    let stores = stores
        .into_iter()
        .filter(|(i, _)| c.ctx.can_at(Permission::ManageEvents, *i))
        .collect();
    let mut res = FormPage {
        page,
        id,
        values,
        errors,
        detail,
        tiers,
        stores,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

async fn new_page(c: Console) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageEvents) {
        return AppError::from(e).into_response();
    }
    let first = match store_codes(&c.ctx).await {
        Ok(s) => s
            .into_iter()
            .find(|(i, _)| c.ctx.can_at(Permission::ManageEvents, *i))
            .map(|(_, code)| code)
            .unwrap_or_default(),
        Err(e) => return e.into_response(),
    };
    let tiers = match c
        .ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(c.ctx.db())
        .await
    {
        Ok(l) => l.tiers.clone(),
        Err(e) => return AppError::from(e).into_response(),
    };
    render_form(
        &c,
        None,
        blank(&tiers, &first),
        FormErrors::default(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

async fn edit_page(c: Console, Path(id): Path<i64>) -> Response {
    let ev = match super::event_for(&c.ctx, id, Permission::ManageEvents).await {
        Ok(e) => e,
        Err(e) => return AppError::from(e).into_response(),
    };
    let values = match values_of(&c.ctx, &ev).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    render_form(
        &c,
        Some(id),
        values,
        FormErrors::default(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

async fn form_refused(c: &Console, id: Option<i64>, values: Form, e: EventsError) -> Response {
    let page = Page::console(c, "ev.new");
    let err = AppError::from(e);
    let status = err.status();
    if !status.is_client_error() || matches!(err.code, "forbidden" | "not_found") {
        return err.into_response();
    }
    let detail = if err.code == "validation" {
        String::new()
    } else {
        let base = page.t(message_key_of(err.code)).to_string();
        match &err.detail {
            Some(d) if err.code == "conflict" => format!("{base} {d}"),
            _ => base,
        }
    };
    render_form(c, id, values, FormErrors(err.fields), detail, status).await
}

async fn create_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let tiers = match c
        .ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(c.ctx.db())
        .await
    {
        Ok(l) => l.tiers.clone(),
        Err(e) => return AppError::from(e).into_response(),
    };
    match super::create(&c.ctx, &event_in(&v.form, &tiers)).await {
        Ok(id) => Redirect::to(&format!("/events/{id}?ok=flash.saved")).into_response(),
        Err(e) => form_refused(&c, None, v.form, e).await,
    }
}

async fn edit_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    let tiers = match c
        .ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(c.ctx.db())
        .await
    {
        Ok(l) => l.tiers.clone(),
        Err(e) => return AppError::from(e).into_response(),
    };
    match super::update(&c.ctx, id, &event_in(&v.form, &tiers)).await {
        Ok(()) => Redirect::to(&format!("/events/{id}?ok=flash.saved")).into_response(),
        Err(e) => form_refused(&c, Some(id), v.form, e).await,
    }
}

// ---------------------------------------------------------------- event page

#[derive(Template, WebTemplate)]
#[template(path = "events/show.html")]
struct ShowPage {
    page: Page,
    ev: EventRow,
    store: String,
    tiers: Vec<(String, DateTime<Utc>)>,
    approval: Option<crate::approvals::ApprovalRow>,
    invitations: Vec<(String, i64)>,
    signups: Vec<SignupRow>,
    a: Analysis,
    can_manage: bool,
    error: String,
    card: String,
    tier_names: Vec<(String, String)>,
}

/// The label of one of an event's coded fields (`state`, `kind`, `segment`, `cost`).
fn label_of(page: &Page, ev: &EventRow, a: &Analysis, what: &str) -> &'static str {
    match what {
        "state" => page.t(&format!("ev.state.{}", ev.state)),
        "kind" => page.t(&format!("ev.kind.{}", ev.kind)),
        "segment" => page.t(&format!("ev.segment.{}", ev.segment)),
        _ if a.cost_is_actual => page.t("ev.a.cost_actual"),
        _ => page.t("ev.a.cost_budget"),
    }
}

impl ShowPage {
    fn label_of(&self, what: &str) -> &'static str {
        label_of(&self.page, &self.ev, &self.a, what)
    }

    fn pct(&self, permille: &i64) -> String {
        format!("{}.{}%", permille / 10, (permille % 10).abs())
    }

    fn change(&self) -> String {
        match self.a.spend_change_permille {
            Some(p) => format!("{}{}", if p > 0 { "+" } else { "" }, self.pct(&p)),
            None => "—".into(),
        }
    }

    fn tier_label(&self, code: &str) -> String {
        label(&self.tier_names, code)
    }
}

/// (code, name in the page's language) of every tier.
async fn tier_names(ctx: &Ctx, page: &Page) -> Result<Vec<(String, String)>, AppError> {
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    Ok(loyalty
        .tiers
        .iter()
        .map(|t| (t.code.clone(), tier_name(page, &loyalty.tiers, &t.code)))
        .collect())
}

fn label(names: &[(String, String)], code: &str) -> String {
    names
        .iter()
        .find(|(c, _)| c == code)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| code.to_string())
}

#[derive(Deserialize, Default)]
struct FlashQuery {
    ok: Option<String>,
}

async fn load_show(
    c: &Console,
    id: i64,
    flash: Option<&str>,
    error: String,
    card: String,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let ev = super::event_for(&c.ctx, id, Permission::ViewEvents).await?;
        let a = super::analysis(&c.ctx, &ev).await?;
        let tiers = super::store::tiers(c.ctx.db(), id).await?;
        let signups = super::store::signups(c.ctx.db(), id).await?;
        let inv = super::store::invitations(c.ctx.db(), id).await?;
        let approval = match ev.approval_id {
            Some(a) => crate::approvals::store::get(c.ctx.db(), a).await?,
            None => None,
        };
        Ok::<_, EventsError>((ev, a, tiers, signups, inv, approval))
    }
    .await;
    let (ev, a, tiers, signups, inv, approval) = match loaded {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let mut invitations: Vec<(String, i64)> = Vec::new();
    for (_, s) in inv {
        match invitations.iter_mut().find(|(k, _)| *k == s) {
            Some(x) => x.1 += 1,
            None => invitations.push((s, 1)),
        }
    }
    let store = match store_codes(&c.ctx).await {
        Ok(s) => s
            .into_iter()
            .find(|(i, _)| *i == ev.store_id)
            .map(|(_, c)| c)
            .unwrap_or_default(),
        Err(e) => return e.into_response(),
    };
    let page = Page::console(c, "ev.event").with_flash("success", flash);
    let tier_names = match tier_names(&c.ctx, &page).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let mut res = ShowPage {
        tier_names,
        page,
        can_manage: c.ctx.can_at(Permission::ManageEvents, ev.store_id),
        ev,
        store,
        tiers,
        approval,
        invitations,
        signups,
        a,
        error,
        card,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

async fn show_page(c: Console, Path(id): Path<i64>, Query(q): Query<FlashQuery>) -> Response {
    load_show(
        &c,
        id,
        q.ok.as_deref(),
        String::new(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// The event page's buttons: submit, invite, sign up / cancel by card, close.
async fn step_submit(Path((id, step)): Path<(i64, String)>, v: Verified<Form>) -> Response {
    let c = v.console;
    let card = field(&v.form, "card_no");
    let result: Result<&'static str, EventsError> = match step.as_str() {
        "submit" => super::submit(&c.ctx, id).await.map(|_| "flash.submitted"),
        "invite" => super::invite(&c.ctx, id).await.map(|_| "flash.ev_invited"),
        "signup" => super::signup_card(&c.ctx, id, &card)
            .await
            .map(|_| "flash.ev_signed_up"),
        "cancel" => super::cancel_card(&c.ctx, id, &card)
            .await
            .map(|_| "flash.ev_cancelled"),
        "close" => super::close(&c.ctx, id, &field(&v.form, "actual_cost"))
            .await
            .map(|_| "flash.ev_closed"),
        _ => return AppError::not_found().into_response(),
    };
    match result {
        Ok(flash) => Redirect::to(&format!("/events/{id}?ok={flash}")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "ev.event");
            match refusal(&page, e) {
                Ok((status, text)) => load_show(&c, id, None, text, card, status).await,
                Err(res) => res,
            }
        }
    }
}

// ---------------------------------------------------------------- check-in

#[derive(Template, WebTemplate)]
#[template(path = "events/checkin.html")]
struct CheckinPage {
    page: Page,
    ev: EventRow,
    result: Option<super::CheckinOut>,
    error: String,
    attendees: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "events/checkin_result.html")]
struct CheckinFragment {
    page: Page,
    result: Option<super::CheckinOut>,
    error: String,
}

async fn checkin_page(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let ev = super::event_for(&c.ctx, id, Permission::ManageEvents).await?;
    let f = super::store::figures(c.ctx.db(), &ev).await?;
    Ok(CheckinPage {
        page: Page::console(&c, "ev.checkin"),
        ev,
        result: None,
        error: String::new(),
        attendees: f.attendees,
    }
    .into_response())
}

async fn checkin_submit(Path(id): Path<i64>, headers: HeaderMap, v: Verified<Form>) -> Response {
    let c = v.console;
    let htmx = headers.contains_key("hx-request");
    let page = Page::console(&c, "ev.checkin");
    let (result, error, status) = match super::checkin(&c.ctx, id, &field(&v.form, "card_no")).await
    {
        Ok(r) => (Some(r), String::new(), StatusCode::OK),
        Err(e) => match refusal(&page, e) {
            Ok((status, text)) => (None, text, status),
            Err(res) => return res,
        },
    };
    if htmx {
        // htmx swaps only 2xx answers: the refusal is shown in the fragment.
        return CheckinFragment {
            page,
            result,
            error,
        }
        .into_response();
    }
    let ev = match super::event_for(&c.ctx, id, Permission::ManageEvents).await {
        Ok(e) => e,
        Err(e) => return AppError::from(e).into_response(),
    };
    let attendees = match super::store::figures(c.ctx.db(), &ev).await {
        Ok(f) => f.attendees,
        Err(e) => return AppError::from(e).into_response(),
    };
    let mut res = CheckinPage {
        page,
        ev,
        result,
        error,
        attendees,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

// ---------------------------------------------------------------- print and export

/// Helpers of the print templates.
pub struct Paper {
    pub tz: chrono_tz::Tz,
    pub lang: crate::web::i18n::Lang,
}

impl Paper {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn yuan(&self, fen: &i64) -> String {
        patron_core::Fen(*fen).to_string()
    }

    pub fn time(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    pub fn time_opt(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref().map(|t| self.time(t)).unwrap_or_default()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "events/print_plan.html")]
struct PlanPrint {
    p: Paper,
    page: Page,
    ev: EventRow,
    store: String,
    tiers: Vec<(String, DateTime<Utc>)>,
    approval: Option<crate::approvals::ApprovalRow>,
    a: Analysis,
    tier_names: Vec<(String, String)>,
}

impl PlanPrint {
    fn label_of(&self, what: &str) -> &'static str {
        label_of(&self.page, &self.ev, &self.a, what)
    }

    fn tier_label(&self, code: &str) -> String {
        label(&self.tier_names, code)
    }

    fn pct(&self, permille: &i64) -> String {
        format!("{}.{}%", permille / 10, (permille % 10).abs())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "events/print_sheet.html")]
struct SheetPrint {
    p: Paper,
    ev: EventRow,
    signups: Vec<SignupRow>,
    tier_names: Vec<(String, String)>,
}

impl SheetPrint {
    fn tier_label(&self, code: &str) -> String {
        label(&self.tier_names, code)
    }
}

fn paper(c: &Console) -> Paper {
    Paper {
        tz: c.ctx.app.config.tz(),
        lang: c.lang,
    }
}

async fn print_plan(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let ev = super::event_for(&c.ctx, id, Permission::ViewEvents).await?;
    let a = super::analysis(&c.ctx, &ev).await?;
    let tiers = super::store::tiers(c.ctx.db(), id).await?;
    let approval = match ev.approval_id {
        Some(a) => crate::approvals::store::get(c.ctx.db(), a).await?,
        None => None,
    };
    let store = store_codes(&c.ctx)
        .await?
        .into_iter()
        .find(|(i, _)| *i == ev.store_id)
        .map(|(_, c)| c)
        .unwrap_or_default();
    let page = Page::console(&c, "ev.print_plan");
    Ok(PlanPrint {
        tier_names: tier_names(&c.ctx, &page).await?,
        p: paper(&c),
        page,
        ev,
        store,
        tiers,
        approval,
        a,
    }
    .into_response())
}

async fn print_sheet(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let ev = super::event_for(&c.ctx, id, Permission::ViewEvents).await?;
    let signups = super::store::signups(c.ctx.db(), id)
        .await?
        .into_iter()
        .filter(|s| s.status == "signed")
        .collect();
    let page = Page::console(&c, "ev.print_sheet");
    Ok(SheetPrint {
        tier_names: tier_names(&c.ctx, &page).await?,
        p: paper(&c),
        ev,
        signups,
    }
    .into_response())
}

async fn signups_table(c: &Console, id: i64) -> Result<Table, AppError> {
    super::event_for(&c.ctx, id, Permission::ViewEvents).await?;
    let page = Page::console(c, "ev.event");
    let names = tier_names(&c.ctx, &page).await?;
    let rows = super::store::signups(c.ctx.db(), id)
        .await?
        .into_iter()
        .map(|s| {
            vec![
                Cell::Text(s.card_no.clone().unwrap_or_default()),
                s.name.clone().into(),
                Cell::Text(s.phone_masked.clone().unwrap_or_default()),
                label(&names, &s.tier_code).into(),
                page.t(&format!("ev.signup.{}", s.status)).into(),
                page.t(&format!("ev.channel.{}", s.channel)).into(),
                page.time(&s.signed_at).into(),
                page.time_opt(&s.checked_in_at).into(),
                s.points_awarded.into(),
            ]
        })
        .collect();
    Ok(Table::new(
        "event-signups",
        &page,
        &[
            "member.card_no",
            "ev.member",
            "ev.phone",
            "member.tier",
            "ev.signup_status",
            "ev.channel",
            "ev.signed_at",
            "ev.checked_in_at",
            "ev.points",
        ],
        rows,
    ))
}

async fn signups_csv(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    export::respond(&signups_table(&c, id).await?, ExportFormat::Csv)
}

async fn signups_xlsx(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    export::respond(&signups_table(&c, id).await?, ExportFormat::Xlsx)
}

async fn analysis_table(c: &Console, id: i64) -> Result<Table, AppError> {
    let ev = super::event_for(&c.ctx, id, Permission::ViewEvents).await?;
    let a = super::analysis(&c.ctx, &ev).await?;
    let page = Page::console(c, "ev.event");
    let money = |f: i64| Cell::Text(patron_core::Fen(f).plain());
    let rows: Vec<Vec<Cell>> = vec![
        vec![page.t("ev.a.invited").into(), a.invited.into()],
        vec![page.t("ev.a.signups").into(), a.signups.into()],
        vec![page.t("ev.a.cancelled").into(), a.cancelled.into()],
        vec![page.t("ev.a.attendees").into(), a.attendees.into()],
        vec![
            page.t("ev.a.attendance").into(),
            Cell::Text(format!(
                "{}.{}%",
                a.attendance_permille / 10,
                a.attendance_permille % 10
            )),
        ],
        vec![page.t("ev.a.points").into(), a.points_awarded.into()],
        vec![page.t("ev.a.cost").into(), money(a.cost_fen)],
        vec![
            page.t("ev.a.cost_per_attendee").into(),
            a.cost_per_attendee_fen
                .map(money)
                .unwrap_or(Cell::Text(String::new())),
        ],
        vec![page.t("ev.a.weeks").into(), a.weeks.into()],
        vec![
            page.t("ev.a.spend_before").into(),
            money(a.spend_before_fen),
        ],
        vec![
            page.t("ev.a.receipts_before").into(),
            a.receipts_before.into(),
        ],
        vec![page.t("ev.a.spend_after").into(), money(a.spend_after_fen)],
        vec![
            page.t("ev.a.receipts_after").into(),
            a.receipts_after.into(),
        ],
    ];
    Ok(Table::new(
        "event-analysis",
        &page,
        &["ev.a.figure", "ev.a.value"],
        rows,
    ))
}

async fn analysis_csv(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    export::respond(&analysis_table(&c, id).await?, ExportFormat::Csv)
}

async fn analysis_xlsx(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    export::respond(&analysis_table(&c, id).await?, ExportFormat::Xlsx)
}

// ---------------------------------------------------------------- portal

#[derive(Template, WebTemplate)]
#[template(path = "portal/events.html")]
struct PortalPage {
    page: Page,
    events: Vec<super::PortalEvent>,
    message: String,
    ok: bool,
}

impl PortalPage {
    fn kind_label(&self, kind: &str) -> &'static str {
        self.page.t_or(&format!("ev.kind.{kind}"), "ev.kind")
    }
}

fn member_ctx(s: &MemberSession) -> Ctx {
    Ctx::new(s.app.clone(), Actor::System, None)
}

fn portal_page_of(s: &MemberSession) -> Page {
    let mut page = Page::anonymous(s.lang, "ev.portal_title");
    page.csrf = s.csrf.clone();
    page.tz = s.app.config.tz();
    page
}

async fn render_portal(
    s: &MemberSession,
    message: String,
    ok: bool,
    status: StatusCode,
) -> Response {
    let ctx = member_ctx(s);
    match super::for_member(&ctx, s.member_id).await {
        Ok(events) => {
            let mut res = PortalPage {
                page: portal_page_of(s),
                events,
                message,
                ok,
            }
            .into_response();
            *res.status_mut() = status;
            res
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Deserialize, Default)]
struct PortalQuery {
    ok: Option<String>,
}

async fn portal_page(s: MemberSession, Query(q): Query<PortalQuery>) -> Response {
    let page = portal_page_of(&s);
    let message = match q.ok.as_deref() {
        Some("signup") => page.t("flash.ev_signed_up").to_string(),
        Some("cancel") => page.t("flash.ev_cancelled").to_string(),
        _ => String::new(),
    };
    render_portal(&s, message, true, StatusCode::OK).await
}

#[derive(Deserialize)]
struct PortalForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

async fn portal_submit(
    s: MemberSession,
    Path((id, step)): Path<(i64, String)>,
    axum::Form(f): axum::Form<PortalForm>,
) -> Response {
    if f.csrf != s.csrf {
        return AppError::new("csrf").into_response();
    }
    let ctx = member_ctx(&s);
    let result = match step.as_str() {
        "signup" => super::signup(&ctx, id, s.member_id, super::Channel::Portal)
            .await
            .map(|_| ()),
        "cancel" => super::cancel(&ctx, id, s.member_id).await,
        _ => return AppError::not_found().into_response(),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/portal/events?ok={step}")).into_response(),
        Err(e) => {
            let page = portal_page_of(&s);
            match refusal(&page, e) {
                Ok((status, text)) => render_portal(&s, text, false, status).await,
                Err(res) => res,
            }
        }
    }
}
