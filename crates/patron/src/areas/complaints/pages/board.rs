//! The complaints board (投诉看板): every open case the reader may see with its running clocks
//! (time left, red when past due or close), refreshed every few seconds by htmx from the
//! `/complaints/board` fragment; above it, the intake form for the desk.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use patron_core::Permission;

use crate::areas::complaints::intake::{self, Intake};
use crate::areas::complaints::store::ClockRow;
use crate::areas::complaints::view::{self, BoardCase};
use crate::areas::complaints::{CATEGORIES, CHANNELS};
use crate::kernel::stores::StoreInfo;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

/// How a running clock stands: minutes left (negative: late) and whether to draw it red.
pub struct ClockView {
    pub clock: String,
    pub due_at: DateTime<Utc>,
    pub minutes_left: i64,
    /// Past due, or less than a fifth of its length (at most 10 minutes) left.
    pub red: bool,
}

pub fn clock_view(k: &ClockRow, now: DateTime<Utc>) -> ClockView {
    let left = (k.due_at - now).num_minutes();
    let length = (k.due_at - k.started_at).num_minutes().max(1);
    ClockView {
        clock: k.clock.clone(),
        due_at: k.due_at,
        minutes_left: left,
        red: k.due_at <= now || left * 5 < length || left < 10,
    }
}

/// Minutes as people read them: `1小时5分` / `1 h 5 min`, `-` in front when late.
pub fn span(page: &Page, minutes: i64) -> String {
    let (sign, m) = if minutes < 0 {
        ("-", -minutes)
    } else {
        ("", minutes)
    };
    let (d, h, min) = (m / 1440, (m % 1440) / 60, m % 60);
    let mut s = String::from(sign);
    if d > 0 {
        s.push_str(&format!("{d}{}", page.t("complaints.unit_day")));
    }
    if h > 0 {
        s.push_str(&format!("{h}{}", page.t("complaints.unit_hour")));
    }
    if d == 0 {
        s.push_str(&format!("{min}{}", page.t("complaints.unit_minute")));
    }
    s
}

pub struct BoardRow {
    pub case: BoardCase,
    pub clocks: Vec<ClockView>,
    pub red: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/board.html")]
struct BoardPage {
    page: Page,
    rows: Vec<BoardRow>,
    stores: Vec<StoreInfo>,
    r: Reshow,
}

impl BoardPage {
    fn channels(&self) -> &'static [&'static str] {
        &CHANNELS
    }
    fn categories(&self) -> &'static [&'static str] {
        &CATEGORIES
    }
    fn span(&self, m: &i64) -> String {
        span(&self.page, *m)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/board_rows.html")]
struct BoardFragment {
    page: Page,
    rows: Vec<BoardRow>,
}

impl BoardFragment {
    fn span(&self, m: &i64) -> String {
        span(&self.page, *m)
    }
}

async fn rows(c: &Console) -> Result<Vec<BoardRow>, AppError> {
    let now = c.ctx.now();
    Ok(view::board(&c.ctx)
        .await?
        .into_iter()
        .map(|case| {
            let clocks: Vec<ClockView> = case.clocks.iter().map(|k| clock_view(k, now)).collect();
            BoardRow {
                red: clocks.iter().any(|k| k.minutes_left < 0),
                clocks,
                case,
            }
        })
        .collect())
}

async fn render(c: &Console, r: Reshow) -> Response {
    let rows = match rows(c).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let stores = match c.ctx.app.cache.stores(c.ctx.db()).await {
        Ok(s) => s
            .all()
            .into_iter()
            .filter(|s| s.active && c.ctx.can_at(Permission::TakeComplaints, s.id))
            .collect(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = BoardPage {
        page: Page::console(c, "complaints.board_title"),
        rows,
        stores,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn board_page(c: Console) -> Response {
    render(&c, Reshow::default()).await
}

/// The board's rows alone (htmx polls it every few seconds).
pub(super) async fn board_fragment(c: Console) -> Response {
    match rows(&c).await {
        Ok(rows) => BoardFragment {
            page: Page::console(&c, "complaints.board_title"),
            rows,
        }
        .into_response(),
        Err(e) => e.into_response(),
    }
}

pub(super) async fn take_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    let input = Intake {
        channel: field(f, "channel"),
        complainant: field(f, "complainant"),
        content: field(f, "content"),
        category: field(f, "category"),
        wants: field(f, "wants"),
        card_no: field(f, "card_no"),
        phone: field(f, "phone"),
        store: field(f, "store"),
        received_at: field(f, "received_at"),
        serious: f.contains_key("serious"),
        key: field(f, "key"),
    };
    match intake::take(&c.ctx, &input).await {
        Ok(out) => Redirect::to(&format!("/complaints/{}?ok=flash.saved", out.id)).into_response(),
        Err(e) => {
            let page = Page::console(&c, "complaints.board_title");
            match reshow(e, &page, "take", v.form) {
                Ok(r) => render(&c, r).await,
                Err(res) => *res,
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/member.html")]
struct MemberFragment {
    page: Page,
    cases: Vec<view::MemberComplaint>,
}

/// The member page's small section: the member's complaints with state and answer (loaded by
/// htmx; empty for a reader who may not see complaints).
pub(super) async fn member_fragment(c: Console, Path(member): Path<i64>) -> Response {
    if !c.ctx.can(Permission::HandleComplaints) || !c.ctx.can(Permission::ViewMembers) {
        return String::new().into_response();
    }
    match view::for_member(c.ctx.db(), member).await {
        Ok(cases) => MemberFragment {
            page: Page::console(&c, "complaints.member_title"),
            cases,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
