//! The plan form: new and edit, re-shown with its errors (422).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use super::{Form, field, store_codes, tier_name};
use crate::areas::events::{self, EventIn, EventRow, EventsError, TierIn};
use crate::kernel::ctx::Ctx;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

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
        events::KINDS
    }

    fn segments(&self) -> &'static [&'static str] {
        events::SEGMENTS
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
    v.insert("starts_at".into(), events::local(ctx, ev.starts_at));
    v.insert("ends_at".into(), events::local(ctx, ev.ends_at));
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
    let tiers = events::store::tiers(ctx.db(), ev.id).await?;
    if let Some(first) = tiers.iter().map(|(_, t)| *t).min() {
        v.insert("signup_opens".into(), events::local(ctx, first));
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
            events::default_offset(tiers, &t.code).to_string(),
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

pub(super) async fn new_page(c: Console) -> Response {
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

pub(super) async fn edit_page(c: Console, Path(id): Path<i64>) -> Response {
    let ev = match events::event_for(&c.ctx, id, Permission::ManageEvents).await {
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
    let r = match crate::web::forms::refused(e, &page) {
        Ok(r) => r,
        Err(res) => return *res,
    };
    render_form(c, id, values, r.errors, r.line, r.status).await
}

pub(super) async fn create_submit(v: Verified<Form>) -> Response {
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
    match events::create(&c.ctx, &event_in(&v.form, &tiers)).await {
        Ok(id) => Redirect::to(&format!("/events/{id}?ok=flash.saved")).into_response(),
        Err(e) => form_refused(&c, None, v.form, e).await,
    }
}

pub(super) async fn edit_submit(Path(id): Path<i64>, v: Verified<Form>) -> Response {
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
    match events::update(&c.ctx, id, &event_in(&v.form, &tiers)).await {
        Ok(()) => Redirect::to(&format!("/events/{id}?ok=flash.saved")).into_response(),
        Err(e) => form_refused(&c, Some(id), v.form, e).await,
    }
}
