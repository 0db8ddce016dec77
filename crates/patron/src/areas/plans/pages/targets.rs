//! The targets board: a store's month, target against actual with the completion chart, the
//! form to set targets (managers, while the month is open), CSV/xlsx and the printed sheet.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::plans::store::{self, Member};
use crate::areas::plans::targets::is_money;
use crate::areas::plans::{self, Board, BoardRow, METRICS, TargetsIn};
use crate::kernel::dates::month_key;
use crate::kernel::stores::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, month_param, reshow, store_choice};
use crate::web::layout::Page;
use crate::web::print::StorePaper;

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    pub store: Option<String>,
    pub month: Option<String>,
    pub ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/targets.html")]
struct BoardPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    board: Board,
    team: Vec<Member>,
    chart: String,
    can_manage: bool,
    r: Reshow,
}

impl BoardPage {
    fn metrics(&self) -> &'static [&'static str] {
        &METRICS
    }
    fn value(&self, metric: &str, n: &i64) -> String {
        shown(metric, *n)
    }
    fn target(&self, row: &BoardRow) -> String {
        shown_target(row)
    }
    fn percent(&self, row: &BoardRow) -> String {
        shown_percent(row)
    }
}

/// A value as read: money in yuan, counts grouped.
fn shown(metric: &str, n: i64) -> String {
    if is_money(metric) {
        patron_core::Fen(n).to_string()
    } else {
        patron_core::money::grouped(n)
    }
}

fn shown_target(row: &BoardRow) -> String {
    row.target
        .map(|t| shown(&row.metric, t))
        .unwrap_or_default()
}

fn shown_percent(row: &BoardRow) -> String {
    row.percent.map(|p| format!("{p}%")).unwrap_or_default()
}

async fn load(c: &Console, q: &BoardQuery) -> Result<(StoreInfo, Vec<StoreInfo>, Board), Response> {
    let (store, stores) = store_choice(c, q.store.as_deref(), Permission::ViewTargets).await?;
    let month = month_param(q.month.as_deref(), month_key(c.ctx.today_at(&store)))
        .map_err(IntoResponse::into_response)?;
    let board = plans::board(&c.ctx, &store, &month)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    Ok((store, stores, board))
}

/// The department's completion per metric with a target, as the chart draws it.
fn chart(page: &Page, board: &Board) -> String {
    let dept: Vec<&BoardRow> = board
        .rows
        .iter()
        .filter(|r| r.staff_id == 0 && r.percent.is_some())
        .collect();
    serde_json::json!({
        "type": "bar",
        "labels": dept.iter().map(|r| page.t(&format!("plans.metric.{}", r.metric))).collect::<Vec<_>>(),
        "series": [{
            "name": page.t("plans.percent"),
            "data": dept.iter().map(|r| r.percent.unwrap_or(0)).collect::<Vec<_>>(),
        }],
    })
    .to_string()
}

async fn render(c: &Console, q: BoardQuery, r: Reshow) -> Response {
    let (store, stores, board) = match load(c, &q).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let team = match store::team(c.ctx.db(), store.id).await {
        Ok(t) => t,
        Err(e) => return AppError::from(e).into_response(),
    };
    let page = Page::console(c, "plans.targets_title").with_flash("success", q.ok.as_deref());
    let status = r.status();
    let mut res = BoardPage {
        chart: chart(&page, &board),
        can_manage: c.ctx.can_at(Permission::ManageTargets, store.id) && board.frozen_at.is_none(),
        page,
        store,
        stores,
        board,
        team,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn board_page(c: Console, Query(q): Query<BoardQuery>) -> Response {
    render(&c, q, Reshow::default()).await
}

pub(super) async fn set_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = &v.form;
    let targets: BTreeMap<String, String> = METRICS
        .iter()
        .map(|m| ((*m).to_string(), field(f, m)))
        .collect();
    let input = TargetsIn {
        month: field(f, "month"),
        store_code: field(f, "store_code"),
        staff: field(f, "staff"),
        targets,
    };
    match plans::set_targets(&c.ctx, &input).await {
        Ok(_) => Redirect::to(&format!(
            "/targets?store={}&month={}&ok=flash.saved",
            input.store_code.trim(),
            input.month.trim()
        ))
        .into_response(),
        Err(e) => {
            let page = Page::console(&c, "plans.targets_title");
            match reshow(e, &page, "set", v.form) {
                Ok(r) => {
                    let q = BoardQuery {
                        store: Some(input.store_code),
                        month: Some(input.month),
                        ok: None,
                    };
                    render(&c, q, r).await
                }
                Err(res) => *res,
            }
        }
    }
}

fn board_table(page: &Page, board: &Board) -> Table {
    let data = board
        .rows
        .iter()
        .map(|r| {
            let money = is_money(&r.metric);
            let num = |n: i64| if money { Cell::Money(n) } else { Cell::Int(n) };
            vec![
                Cell::from(if r.staff_id == 0 {
                    page.t("plans.department").to_string()
                } else {
                    r.staff.clone()
                }),
                Cell::from(page.t(&format!("plans.metric.{}", r.metric))),
                r.target.map_or_else(|| Cell::from(""), num),
                num(r.actual),
                r.percent.map_or_else(|| Cell::from(""), Cell::Int),
            ]
        })
        .collect();
    Table::new(
        "targets",
        page,
        &[
            "plans.person",
            "plans.metric",
            "plans.target",
            "plans.actual",
            "plans.percent",
        ],
        data,
    )
}

async fn board_export(c: Console, q: BoardQuery, format: ExportFormat) -> Response {
    let (_, _, board) = match load(&c, &q).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "plans.targets_title");
    export::respond(&board_table(&page, &board), format).unwrap_or_else(IntoResponse::into_response)
}

pub(super) async fn board_csv(c: Console, Query(q): Query<BoardQuery>) -> Response {
    board_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn board_xlsx(c: Console, Query(q): Query<BoardQuery>) -> Response {
    board_export(c, q, ExportFormat::Xlsx).await
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/print_targets.html")]
struct BoardPrint {
    paper: StorePaper,
    board: Board,
    today: chrono::NaiveDate,
}

impl BoardPrint {
    fn value(&self, metric: &str, n: &i64) -> String {
        shown(metric, *n)
    }
    fn target(&self, row: &BoardRow) -> String {
        shown_target(row)
    }
    fn percent(&self, row: &BoardRow) -> String {
        shown_percent(row)
    }
}

pub(super) async fn board_print(c: Console, Query(q): Query<BoardQuery>) -> Response {
    let (store, _, board) = match load(&c, &q).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    BoardPrint {
        today: c.ctx.today_at(&store),
        paper: StorePaper::at(store),
        board,
    }
    .into_response()
}
