//! Console pages of the rotation: the teams (`/rotation`), a team's live board in large type for
//! a counter or a tablet (`/rotation/{team}`, kept current by the `/rotation/{team}/live` event
//! stream), its forms (walk-in, state, reorder with a reason), and the day's log with the
//! figures per representative, printable (`/rotation/{team}/log`), where a visit's credit and
//! sale are marked.

use std::convert::Infallible;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use patron_core::Permission;
use patron_core::rotation::{CreditRule, RepState};
use serde::Deserialize;

use super::store::{self, Person, TeamRow};
use super::{BoardView, CreditIn, DayLog, TeamIn, WalkInIn, live};
use crate::kernel::ctx::App;
use crate::kernel::lang::Lang;
use crate::kernel::stores::StoreInfo;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, date_param, field, reshow};
use crate::web::layout::Page;

pub fn router() -> Router<App> {
    Router::new()
        .route("/rotation", get(index_page).post(create_submit))
        .route("/rotation/{team}", get(board_page))
        .route("/rotation/{team}/live", get(live_stream))
        .route("/rotation/{team}/walk-in", post(walk_in_submit))
        .route("/rotation/{team}/state", post(state_submit))
        .route("/rotation/{team}/order", post(order_submit))
        .route("/rotation/{team}/log", get(log_page))
        .route("/rotation/{team}/visits/{id}/credit", post(credit_submit))
        .route("/rotation/{team}/visits/{id}/sale", post(sale_submit))
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
    pub date: Option<String>,
    /// Opens the print dialog (the day's log on paper).
    pub print: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "rotation/index.html")]
struct IndexPage {
    page: Page,
    teams: Vec<(TeamRow, String)>,
    stores: Vec<StoreInfo>,
    r: Reshow,
}

async fn render_index(c: &Console, ok: Option<&str>, r: Reshow) -> Response {
    let teams = match super::teams(&c.ctx).await {
        Ok(t) => t,
        Err(e) => return AppError::from(e).into_response(),
    };
    let all = match c.ctx.app.cache.stores(c.ctx.db()).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let teams = teams
        .into_iter()
        .map(|t| {
            let name = all
                .by_id(t.store_id)
                .map(|s| s.name.clone())
                .unwrap_or_default();
            (t, name)
        })
        .collect();
    let mut stores: Vec<StoreInfo> = all
        .all()
        .into_iter()
        .filter(|s| s.active && c.ctx.can_at(Permission::ManageRotation, s.id))
        .collect();
    stores.sort_by(|a, b| a.code.cmp(&b.code));
    let status = r.status();
    let mut res = IndexPage {
        page: Page::console(c, "rotation.title").with_flash("success", ok),
        teams,
        stores,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

async fn index_page(c: Console, Query(q): Query<OkQuery>) -> Response {
    render_index(&c, q.ok.as_deref(), Reshow::default()).await
}

/// Usernames typed one per line, or separated by spaces or commas.
fn usernames(text: &str) -> Vec<String> {
    text.split(|ch: char| ch.is_whitespace() || ch == ',' || ch == '，')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

async fn create_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    let code = field(f, "team");
    let input = TeamIn {
        representatives: usernames(&field(f, "representatives")),
        store: field(f, "store"),
        reason: String::new(),
    };
    match super::set_team(&c.ctx, &code, &input).await {
        Ok(b) => Redirect::to(&format!("/rotation/{}?ok=flash.saved", b.team)).into_response(),
        Err(e) => {
            let page = Page::console(&c, "rotation.title");
            match reshow(e, &page, "create", v.form) {
                Ok(r) => render_index(&c, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

/// The board as the live region shows it (also sent on every change by the stream).
#[derive(Template)]
#[template(path = "rotation/_board.html")]
struct BoardPart {
    lang: Lang,
    b: BoardView,
}

impl BoardPart {
    fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
    fn state(&self, code: &str) -> &'static str {
        self.lang.t(&format!("rotation.state.{code}"))
    }
    fn reason(&self, code: &str) -> &'static str {
        self.lang.t(&format!("rotation.reason.{code}"))
    }
    fn name_of(&self, username: &str) -> String {
        self.b
            .representatives
            .iter()
            .find(|r| r.username == username)
            .map(|r| r.display_name.clone())
            .unwrap_or_else(|| username.to_string())
    }
    fn clock(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%H:%M")
            .to_string()
    }
}

fn board_html(lang: Lang, b: BoardView) -> String {
    BoardPart { lang, b }.render().unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "rotation/board.html")]
struct BoardPage {
    page: Page,
    b: BoardView,
    live: String,
    staff: Vec<Person>,
    states: [RepState; 4],
    can_manage: bool,
    r: Reshow,
}

async fn render_board(c: &Console, team: &str, ok: Option<&str>, r: Reshow) -> Response {
    let b = match super::board(&c.ctx, team).await {
        Ok(b) => b,
        Err(e) => return AppError::from(e).into_response(),
    };
    let staff = match store::staff_of_store(c.ctx.db(), b.store_id).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = BoardPage {
        page: Page::console(c, "rotation.board_title").with_flash("success", ok),
        live: board_html(c.lang, b.clone()),
        can_manage: c.ctx.can_at(Permission::ManageRotation, b.store_id),
        b,
        staff,
        states: RepState::ALL,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

async fn board_page(c: Console, Path(team): Path<String>, Query(q): Query<OkQuery>) -> Response {
    render_board(&c, &team, q.ok.as_deref(), Reshow::default()).await
}

/// The board's live region as server-sent events: the region's HTML at once, then again at each
/// change (whichever server made it).
async fn live_stream(c: Console, Path(team): Path<String>) -> Response {
    let ctx = c.ctx.clone();
    let row = match super::team(&ctx, &team, Permission::UseRotation).await {
        Ok(t) => t,
        Err(e) => return AppError::from(e).into_response(),
    };
    let first = match super::board_view(&ctx, &row).await {
        Ok(b) => b,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = c.lang;
    let version = first.version;
    let first_event = SseEvent::default()
        .event("board")
        .data(board_html(lang, first));
    let code = row.code.clone();
    // A board that cannot be read this time sends nothing: the screens keep the last one
    // rather than going blank, and the next change sends it whole.
    let later = live::versions(ctx.db().clone(), row.id, version).filter_map(move |_| {
        let (ctx, code) = (ctx.clone(), code.clone());
        async move {
            let b = super::board(&ctx, &code).await.ok()?;
            Some(Ok::<_, Infallible>(
                SseEvent::default().event("board").data(board_html(lang, b)),
            ))
        }
    });
    let s = futures::stream::once(async move { Ok::<_, Infallible>(first_event) }).chain(later);
    Sse::new(s).keep_alive(KeepAlive::default()).into_response()
}

async fn walk_in_submit(Path(team): Path<String>, v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    let with = field(f, "with_visit");
    let party = match with.trim() {
        "" if field(f, "relation").trim().is_empty() => Ok(None),
        w => match w.parse::<i64>() {
            Ok(n) => super::api::party(Some(&field(f, "relation")), Some(n)),
            Err(_) => {
                Err(crate::kernel::validation::Invalid::one("with_visit", "invalid.number").into())
            }
        },
    };
    let result = match party {
        Ok(party) => super::walk_in(
            &c.ctx,
            &team,
            &WalkInIn {
                customer_phone: field(f, "customer_phone"),
                party,
                key: Some(field(f, "key")).filter(|k| !k.trim().is_empty()),
            },
        )
        .await
        .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            Redirect::to(&format!("/rotation/{team}?ok=flash.rotation_assigned")).into_response()
        }
        Err(e) => {
            let page = Page::console(&c, "rotation.board_title");
            match reshow(e, &page, "walk_in", v.form) {
                Ok(r) => render_board(&c, &team, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

async fn state_submit(Path(team): Path<String>, v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    match super::set_state(&c.ctx, &team, &field(f, "username"), &field(f, "state")).await {
        Ok(_) => Redirect::to(&format!("/rotation/{team}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "rotation.board_title");
            match reshow(e, &page, "state", v.form) {
                Ok(r) => render_board(&c, &team, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

async fn order_submit(Path(team): Path<String>, v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    let reason = field(f, "reason");
    let result = if reason.trim().is_empty() {
        Err(AppError::from(crate::kernel::validation::Invalid::one(
            "reason",
            "invalid.required",
        )))
    } else {
        super::set_team(
            &c.ctx,
            &team,
            &TeamIn {
                representatives: usernames(&field(f, "representatives")),
                store: String::new(),
                reason,
            },
        )
        .await
        .map_err(AppError::from)
    };
    match result {
        Ok(_) => Redirect::to(&format!("/rotation/{team}?ok=flash.saved")).into_response(),
        Err(e) => {
            let page = Page::console(&c, "rotation.board_title");
            match reshow(e, &page, "order", v.form) {
                Ok(r) => render_board(&c, &team, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rotation/log.html")]
struct LogPage {
    page: Page,
    log: DayLog,
    staff: Vec<Person>,
    rules: [&'static str; 7],
    can_manage: bool,
    printing: bool,
    r: Reshow,
}

impl LogPage {
    fn yuan(&self, fen: &i64) -> String {
        patron_core::Fen(*fen).to_string()
    }
}

async fn render_log(c: &Console, team: &str, q: &OkQuery, r: Reshow) -> Response {
    let day = match date_param(q.date.as_deref(), c.ctx.today()) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let log = match super::day_log(&c.ctx, team, day).await {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_response(),
    };
    let staff = match store::staff_of_store(c.ctx.db(), log.team.store_id).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = LogPage {
        page: Page::console(c, "rotation.log_title").with_flash("success", q.ok.as_deref()),
        can_manage: c.ctx.can_at(Permission::ManageRotation, log.team.store_id),
        log,
        staff,
        rules: CreditRule::CODES,
        printing: q.print.is_some(),
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

async fn log_page(c: Console, Path(team): Path<String>, Query(q): Query<OkQuery>) -> Response {
    render_log(&c, &team, &q, Reshow::default()).await
}

async fn visit_done(
    c: &Console,
    team: &str,
    form_name: &str,
    values: Form,
    result: Result<super::store::VisitRow, super::RotationError>,
) -> Response {
    match result {
        Ok(v) => Redirect::to(&format!(
            "/rotation/{team}/log?date={}&ok=flash.saved",
            v.day
        ))
        .into_response(),
        Err(e) => {
            let page = Page::console(c, "rotation.log_title");
            let q = OkQuery {
                date: values.get("date").cloned(),
                ..OkQuery::default()
            };
            match reshow(e, &page, form_name, values) {
                Ok(r) => render_log(c, team, &q, r).await,
                Err(res) => *res,
            }
        }
    }
}

async fn credit_submit(Path((team, id)): Path<(String, i64)>, v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    let result = super::set_credit(
        &c.ctx,
        &team,
        id,
        &CreditIn {
            rule: field(f, "rule"),
            other: field(f, "other"),
            note: field(f, "note"),
        },
    )
    .await;
    visit_done(&c, &team, &format!("credit-{id}"), v.form, result).await
}

async fn sale_submit(Path((team, id)): Path<(String, i64)>, v: Verified<Form>) -> Response {
    let c = v.console;
    let result = super::mark_sale(&c.ctx, &team, id, &field(&v.form, "receipt_no")).await;
    visit_done(&c, &team, &format!("sale-{id}"), v.form, result).await
}
