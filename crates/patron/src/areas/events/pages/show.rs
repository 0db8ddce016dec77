//! The event page: plan, approval, invitations, sign-ups and analysis, and its buttons
//! (submit, invite, sign up / cancel by card, close).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use patron_core::Permission;
use serde::Deserialize;

use super::{Form, field, label, label_of, refusal, store_codes, tier_names};
use crate::areas::events::{self, Analysis, EventRow, EventsError, SignupRow};
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::layout::Page;

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

#[derive(Deserialize, Default)]
pub(super) struct FlashQuery {
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
        let ev = events::event_for(&c.ctx, id, Permission::ViewEvents).await?;
        let a = events::analysis(&c.ctx, &ev).await?;
        let tiers = events::store::tiers(c.ctx.db(), id).await?;
        let signups = events::store::signups(c.ctx.db(), id).await?;
        let inv = events::store::invitations(c.ctx.db(), id).await?;
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

pub(super) async fn show_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> Response {
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
pub(super) async fn step_submit(
    Path((id, step)): Path<(i64, String)>,
    v: Verified<Form>,
) -> Response {
    let c = v.console;
    let card = field(&v.form, "card_no");
    let result: Result<&'static str, EventsError> = match step.as_str() {
        "submit" => events::submit(&c.ctx, id).await.map(|_| "flash.submitted"),
        "invite" => events::invite(&c.ctx, id).await.map(|_| "flash.ev_invited"),
        "signup" => events::signup_card(&c.ctx, id, &card)
            .await
            .map(|_| "flash.ev_signed_up"),
        "cancel" => events::cancel_card(&c.ctx, id, &card)
            .await
            .map(|_| "flash.ev_cancelled"),
        "close" => events::close(&c.ctx, id, &field(&v.form, "actual_cost"))
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
