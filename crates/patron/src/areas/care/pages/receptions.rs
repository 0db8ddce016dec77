//! The reception record and service desk log (`/care/receptions`): the list with its filters
//! (dates, kind, card), the form for a new entry (re-shown on bad input), CSV/xlsx and the
//! printed log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Days, NaiveDate};
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::care::figures::day_start;
use crate::areas::care::receptions::{self, KINDS, ReceptionIn};
use crate::areas::care::store;
use crate::areas::care::store::receptions::{Filter, ReceptionRow};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, bad_parameter, date_param, field, reshow};
use crate::web::i18n::Lang;
use crate::web::layout::Page;
use crate::web::print::Paper;

/// The list's filters, from the query string.
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub card: String,
    pub ok: Option<String>,
}

impl ListQuery {
    fn query(&self, from: NaiveDate, to: NaiveDate) -> String {
        let kind = KINDS
            .iter()
            .find(|k| **k == self.kind.trim())
            .copied()
            .unwrap_or("");
        let card: String = self
            .card
            .trim()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        format!("from={from}&to={to}&kind={kind}&card={card}")
    }
}

/// The rows the filters select (the last 30 days when no dates are given), and the dates.
async fn rows(
    c: &Console,
    q: &ListQuery,
    limit: i64,
) -> Result<(Vec<ReceptionRow>, NaiveDate, NaiveDate), AppError> {
    c.ctx.require(Permission::CareForMembers)?;
    let to = date_param(Some(&q.to), c.ctx.today())?;
    let from = date_param(Some(&q.from), to - Days::new(30))?;
    let kind = match q.kind.trim() {
        "" => None,
        k if KINDS.contains(&k) => Some(k.to_owned()),
        k => return Err(bad_parameter("care.param.kind", k)),
    };
    let member_id = match q.card.trim() {
        "" => None,
        card => Some(
            store::member_of_card(c.ctx.db(), card)
                .await?
                .ok_or_else(|| bad_parameter("care.param.card", card))?,
        ),
    };
    let tz = c.ctx.app.config.tz();
    let rows = receptions::list(
        &c.ctx,
        &Filter {
            from: Some(day_start(from, tz)),
            until: Some(day_start(to + Days::new(1), tz)),
            kind,
            member_id,
            limit,
        },
    )
    .await?;
    Ok((rows, from, to))
}

#[derive(Template, WebTemplate)]
#[template(path = "care/receptions.html")]
struct ListPage {
    page: Page,
    rows: Vec<ReceptionRow>,
    from: NaiveDate,
    to: NaiveDate,
    kind: String,
    card: String,
    query: String,
    r: Reshow,
}

impl ListPage {
    fn kinds(&self) -> &'static [&'static str] {
        &KINDS
    }

    fn is_kind(&self, k: &str) -> bool {
        self.kind == k
    }
}

async fn render(c: &Console, q: &ListQuery, r: Reshow) -> Result<Response, AppError> {
    let (rows, from, to) = self::rows(c, q, 500).await?;
    let status = r.status();
    let mut res = ListPage {
        page: Page::console(c, "care.receptions_title").with_flash("success", q.ok.as_deref()),
        rows,
        from,
        to,
        kind: q.kind.trim().to_owned(),
        card: q.card.trim().to_owned(),
        query: q.query(from, to),
        r,
    }
    .into_response();
    *res.status_mut() = status;
    Ok(res)
}

pub(super) async fn list_page(
    c: Console,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    render(&c, &q, Reshow::default()).await
}

pub(super) async fn record_submit(v: Verified<Form>) -> Result<Response, AppError> {
    let c = v.console;
    let f = &v.form;
    let input = ReceptionIn {
        kind: field(f, "kind"),
        card_no: field(f, "card_no"),
        visitor: field(f, "visitor"),
        store_code: String::new(),
        arrived_at: field(f, "arrived_at"),
        needs: field(f, "needs"),
        service: field(f, "service"),
        problems: field(f, "problems"),
        gift: field(f, "gift"),
        follow_up: field(f, "follow_up"),
        follow_up_on: field(f, "follow_up_on"),
        key: field(f, "key"),
    };
    match receptions::record(&c.ctx, &input).await {
        Ok(_) => Ok(Redirect::to("/care/receptions?ok=flash.saved").into_response()),
        Err(e) => {
            let page = Page::console(&c, "care.receptions_title");
            match reshow(e, &page, "reception", v.form) {
                Ok(r) => render(&c, &ListQuery::default(), r).await,
                Err(res) => Ok(*res),
            }
        }
    }
}

fn table(page: &Page, rows: &[ReceptionRow]) -> Table {
    let data = rows
        .iter()
        .map(|r| {
            vec![
                Cell::time(page, &r.arrived_at),
                Cell::from(page.label("care.kind.", &r.kind)),
                Cell::from(r.card_no.clone().unwrap_or_default()),
                Cell::from(r.member_name.clone().unwrap_or_else(|| r.visitor.clone())),
                Cell::from(r.needs.as_str()),
                Cell::from(r.service.as_str()),
                Cell::from(r.problems.as_str()),
                Cell::from(r.gift.as_str()),
                Cell::from(r.follow_up.as_str()),
                Cell::from(r.follow_up_on),
                Cell::from(r.staff_name.as_str()),
            ]
        })
        .collect();
    Table::new(
        "care-receptions",
        page,
        &[
            "care.r.arrived_at",
            "care.r.kind",
            "care.card_no",
            "care.r.who",
            "care.r.needs",
            "care.r.service",
            "care.r.problems",
            "care.r.gift",
            "care.r.follow_up",
            "care.r.follow_up_on",
            "care.r.staff",
        ],
        data,
    )
}

async fn export_list(c: Console, q: ListQuery, format: ExportFormat) -> Result<Response, AppError> {
    let (rows, _, _) = rows(&c, &q, 100_000).await?;
    let page = Page::console(&c, "care.receptions_title");
    export::respond(&table(&page, &rows), format)
}

pub(super) async fn list_csv(c: Console, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    export_list(c, q, ExportFormat::Csv).await
}

pub(super) async fn list_xlsx(
    c: Console,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    export_list(c, q, ExportFormat::Xlsx).await
}

/// The printed log (a paper form: Chinese, A4).
#[derive(Template, WebTemplate)]
#[template(path = "care/print_receptions.html")]
struct ListPrint {
    paper: Paper,
    rows: Vec<ReceptionRow>,
    from: NaiveDate,
    to: NaiveDate,
}

impl ListPrint {
    fn kind(&self, code: &str) -> &'static str {
        let key = format!("care.kind.{code}");
        if Lang::has(&key) {
            self.paper.t(&key)
        } else {
            ""
        }
    }
}

pub(super) async fn list_print(
    c: Console,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (rows, from, to) = rows(&c, &q, 5_000).await?;
    Ok(ListPrint {
        paper: Paper {
            tz: c.ctx.app.config.tz(),
            lang: Lang::ZhCn,
        },
        rows,
        from,
        to,
    }
    .into_response())
}
