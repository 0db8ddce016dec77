//! The console pages of notifications: the inbox (`/inbox`, every staff member; its unread count
//! is loaded into the header by htmx from `/inbox/badge`), the outbox (`/admin/outbox`) and the
//! message texts (`/admin/messages`), the last two for administrators and managers.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use patron_core::Permission;
use serde::Deserialize;

use super::inbox::{self, NoticeView};
use super::outbox::{self, Listed, STATES};
use super::store::OutboxFilter;
use super::templates::{EVENTS, Edited, Event};
use super::texts::{self, TextsInput};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{bad_parameter, date_param};
use crate::web::i18n::Lang;
use crate::web::layout::{FormErrors, Page};

pub fn router() -> Router<App> {
    Router::new()
        .route("/inbox", get(inbox_page))
        .route("/inbox/badge", get(badge))
        .route("/inbox/read", post(read_all))
        .route("/inbox/{id}/read", post(read_one))
        .route("/admin/outbox", get(outbox_page))
        .route(
            "/admin/outbox.csv",
            get(|c: Console, q: Query<OutboxQuery>| outbox_export(c, q, ExportFormat::Csv)),
        )
        .route(
            "/admin/outbox.xlsx",
            get(|c: Console, q: Query<OutboxQuery>| outbox_export(c, q, ExportFormat::Xlsx)),
        )
        .route(
            "/admin/outbox/{id}/resend",
            post(|id: Path<i64>, v: Verified<NoForm>| settle(id, v, true)),
        )
        .route(
            "/admin/outbox/{id}/give-up",
            post(|id: Path<i64>, v: Verified<NoForm>| settle(id, v, false)),
        )
        .route("/admin/messages", get(messages_page))
        .route("/admin/messages/{kind}", get(edit_page).post(save))
        .route("/admin/messages/{kind}/restore", post(restore))
        .route("/admin/messages/{kind}/preview", post(preview))
}

#[derive(Deserialize, Default)]
struct PageQuery {
    page: Option<i64>,
    ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "notify/inbox.html")]
struct InboxPage {
    page: Page,
    notices: Vec<NoticeView>,
    unread: i64,
    total: i64,
    page_no: i64,
    pages: i64,
}

async fn inbox_page(c: Console, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    let page_no = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let inbox = inbox::list(&c.ctx, c.lang, page_no).await?;
    Ok(InboxPage {
        page: Page::console(&c, "notify.inbox.title").with_flash("success", q.ok.as_deref()),
        pages: ((inbox.total + inbox::PAGE - 1) / inbox::PAGE).max(1),
        notices: inbox.notices,
        unread: inbox.unread,
        total: inbox.total,
        page_no,
    }
    .into_response())
}

/// The header's inbox link with the unread count (an htmx fragment).
async fn badge(c: Console) -> Result<Response, AppError> {
    let unread = inbox::unread(&c.ctx).await?;
    let label = c.lang.t("notify.inbox.title");
    let count = if unread > 0 {
        format!(
            " <span class=\"count\" title=\"{}\">{}</span>",
            c.lang.t("notify.inbox.unread"),
            patron_core::money::grouped(unread)
        )
    } else {
        String::new()
    };
    Ok(Html(format!("{label}{count}")).into_response())
}

#[derive(Deserialize, Default)]
struct NoForm {}

async fn read_one(Path(id): Path<i64>, v: Verified<NoForm>) -> Result<Response, AppError> {
    inbox::mark_read(&v.console.ctx, Some(id)).await?;
    Ok(Redirect::to("/inbox").into_response())
}

async fn read_all(v: Verified<NoForm>) -> Result<Response, AppError> {
    inbox::mark_read(&v.console.ctx, None).await?;
    Ok(Redirect::to("/inbox?ok=flash.notify_read").into_response())
}

#[derive(Deserialize, Default)]
struct OutboxQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    page: Option<i64>,
}

impl OutboxQuery {
    fn query_string(&self) -> String {
        let enc = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        format!(
            "state={}&from={}&until={}",
            enc(&self.state),
            enc(&self.from),
            enc(&self.until)
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "notify/outbox.html")]
struct OutboxPage {
    page: Page,
    rows: Vec<Listed>,
    states: &'static [&'static str],
    state: String,
    from: String,
    until: String,
    query: String,
    total: i64,
    page_no: i64,
    pages: i64,
}

impl OutboxPage {
    fn event_name(&self, kind: &str) -> &'static str {
        self.page
            .t_or(&format!("notify.event.{kind}"), "notify.event.other")
    }
    fn channel_name(&self, channel: &str) -> &'static str {
        self.page
            .t_or(&format!("notify.channel.{channel}"), "notify.channel.other")
    }
    fn state_name(&self, state: &str) -> &'static str {
        self.page
            .t_or(&format!("notify.state.{state}"), "notify.state.skipped")
    }
}

/// The start of `day` in `tz`, as a UTC instant.
fn day_start(day: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight).earliest().map_or_else(
        || Utc.from_utc_datetime(&midnight),
        |t| t.with_timezone(&Utc),
    )
}

/// The filter a page address names; a state or date that names nothing is refused and said.
fn outbox_filter(q: &OutboxQuery, tz: chrono_tz::Tz) -> Result<OutboxFilter, AppError> {
    let state = q.state.trim().to_string();
    if !state.is_empty() && !STATES.contains(&state.as_str()) {
        return Err(bad_parameter("notify.outbox.bad_state", &state));
    }
    let far_past = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    let far_future = NaiveDate::from_ymd_opt(9000, 1, 1).unwrap_or_default();
    let from = date_param(Some(&q.from), far_past)?;
    let until = date_param(Some(&q.until), far_future)?;
    Ok(OutboxFilter {
        state,
        from: day_start(from, tz),
        until: day_start(until.succ_opt().unwrap_or(until), tz),
    })
}

/// The outbox as a file, with the same filters as the page.
async fn outbox_export(
    c: Console,
    Query(q): Query<OutboxQuery>,
    format: ExportFormat,
) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageNotifications)?;
    let filter = outbox_filter(&q, c.ctx.app.config.tz())?;
    let rows = outbox::all(&c.ctx, &filter).await?;
    let page = Page::console(&c, "notify.outbox.title");
    let label = |key: String, fallback: &str| page.t_or(&key, fallback).to_string();
    let rows = rows
        .into_iter()
        .map(|r| {
            let why = match (r.reason, &r.detail) {
                (Some(k), _) => page.t(k).to_string(),
                (None, Some(d)) => format!("{} {d}", page.t("notify.why.transport")),
                (None, None) => String::new(),
            };
            vec![
                Cell::Int(r.id),
                Cell::time(&page, &r.created_at),
                label(format!("notify.event.{}", r.kind), "notify.event.other").into(),
                label(
                    format!("notify.channel.{}", r.channel),
                    "notify.channel.other",
                )
                .into(),
                r.recipient.into(),
                page.t(&format!("notify.state.{}", r.state)).into(),
                Cell::Int(r.attempts),
                Cell::time_opt(&page, &r.sent_at),
                why.into(),
            ]
        })
        .collect();
    let headers = [
        "notify.outbox.number",
        "notify.outbox.queued_at",
        "notify.outbox.event",
        "notify.outbox.channel",
        "notify.outbox.recipient",
        "common.state",
        "notify.outbox.attempts",
        "notify.outbox.when",
        "notify.outbox.why",
    ];
    export::respond(&Table::new("outbox", &page, &headers, rows), format)
}

/// A person decides about a message stuck in `sending`: send again, or record it failed.
async fn settle(
    Path(id): Path<i64>,
    v: Verified<NoForm>,
    resend: bool,
) -> Result<Response, AppError> {
    v.console.ctx.require(Permission::ManageNotifications)?;
    if !outbox::settle(&v.console.ctx, id, resend).await? {
        return Err(AppError::new(crate::kernel::error::CONFLICT)
            .detail("the message is no longer waiting for a decision")
            .note(crate::web::said::Said::new("notify.outbox.settled")));
    }
    Ok(Redirect::to("/admin/outbox?state=sending").into_response())
}

async fn outbox_page(c: Console, Query(q): Query<OutboxQuery>) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageNotifications)?;
    let filter = outbox_filter(&q, c.ctx.app.config.tz())?;
    let state = filter.state.clone();
    let page_no = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let (rows, total) = outbox::list(&c.ctx, &filter, page_no).await?;
    Ok(OutboxPage {
        page: Page::console(&c, "notify.outbox.title"),
        rows,
        states: STATES,
        state,
        from: q.from.trim().to_string(),
        until: q.until.trim().to_string(),
        query: q.query_string(),
        total,
        page_no,
        pages: ((total + outbox::PAGE - 1) / outbox::PAGE).max(1),
    }
    .into_response())
}

/// One event in the list of message texts.
struct EventLine {
    event: &'static Event,
    zh: (String, String),
    edited: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notify/messages.html")]
struct MessagesPage {
    page: Page,
    events: Vec<EventLine>,
}

async fn messages_page(c: Console, Query(q): Query<PageQuery>) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageNotifications)?;
    let edited = c.ctx.app.cache.get::<Edited>(c.ctx.db()).await?;
    let events = EVENTS
        .iter()
        .map(|e| EventLine {
            event: e,
            zh: edited.text(e.kind, Lang::ZhCn).unwrap_or_default(),
            edited: edited.is_edited(e.kind, Lang::ZhCn) || edited.is_edited(e.kind, Lang::En),
        })
        .collect();
    Ok(MessagesPage {
        page: Page::console(&c, "notify.messages.title").with_flash("success", q.ok.as_deref()),
        events,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "notify/edit.html")]
struct EditPage {
    page: Page,
    event: &'static Event,
    form: TextsInput,
    errors: FormErrors,
    /// The refusal said in the reader's words (a bad placeholder and the allowed ones).
    refusal: String,
    preview_zh: String,
    preview_en: String,
}

impl EditPage {
    fn new(c: &Console, event: &'static Event, form: TextsInput) -> EditPage {
        let preview = |lang: Lang, body: &str| {
            texts::preview(event, body, lang).unwrap_or_else(|said| said.say(c.lang))
        };
        EditPage {
            page: Page::console(c, "notify.messages.title"),
            preview_zh: preview(Lang::ZhCn, &form.zh_body),
            preview_en: preview(Lang::En, &form.en_body),
            event,
            form,
            errors: FormErrors::default(),
            refusal: String::new(),
        }
    }
}

async fn edit_page(c: Console, Path(kind): Path<String>) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageNotifications)?;
    let event = texts::event_of(&kind)?;
    let edited = c.ctx.app.cache.get::<Edited>(c.ctx.db()).await?;
    let form = TextsInput::current(&edited, event);
    Ok(EditPage::new(&c, event, form).into_response())
}

async fn save(Path(kind): Path<String>, v: Verified<TextsInput>) -> Result<Response, AppError> {
    let c = v.console;
    match texts::save(&c.ctx, &kind, &v.form).await {
        Ok(()) => Ok(Redirect::to("/admin/messages?ok=flash.saved").into_response()),
        Err(err) if err.code == crate::kernel::error::VALIDATION => {
            let event = texts::event_of(&kind)?;
            let mut page = EditPage::new(&c, event, v.form);
            page.refusal = err
                .note
                .as_ref()
                .map(|n| n.say(c.lang))
                .unwrap_or_else(|| c.lang.t("error.validation").to_string());
            page.errors = FormErrors(err.fields);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

async fn restore(Path(kind): Path<String>, v: Verified<NoForm>) -> Result<Response, AppError> {
    texts::restore(&v.console.ctx, &kind).await?;
    Ok(Redirect::to("/admin/messages?ok=flash.notify_restored").into_response())
}

#[derive(Deserialize, Default)]
struct PreviewForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    zh_body: String,
    #[serde(default)]
    en_body: String,
}

/// The text filled with the sample values (htmx, as the text is typed).
async fn preview(Path(kind): Path<String>, v: Verified<PreviewForm>) -> Result<Response, AppError> {
    let c = v.console;
    c.ctx.require(Permission::ManageNotifications)?;
    let event = texts::event_of(&kind)?;
    let lang = Lang::parse(&v.form.lang).unwrap_or(Lang::ZhCn);
    let body = match lang {
        Lang::ZhCn => &v.form.zh_body,
        Lang::En => &v.form.en_body,
    };
    let (class, text) = match texts::preview(event, body, lang) {
        Ok(t) => ("preview", t),
        Err(said) => ("preview field-error", said.say(c.lang)),
    };
    Ok(Html(format!("<p class=\"{class}\">{}</p>", escape(&text))).into_response())
}

/// Text made safe to put into HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
