//! Print views of the plan and of the sign-up/attendance sheet; CSV/xlsx of the sign-ups and
//! of the analysis.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use patron_core::Permission;

use super::{label, label_of, store_codes, tier_names};
use crate::areas::events::{self, Analysis, EventRow, SignupRow};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::layout::Page;

pub use crate::web::print::Paper;

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

pub(super) async fn print_plan(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let ev = events::event_for(&c.ctx, id, Permission::ViewEvents).await?;
    let a = events::analysis(&c.ctx, &ev).await?;
    let tiers = events::store::tiers(c.ctx.db(), id).await?;
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

pub(super) async fn print_sheet(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    let ev = events::event_for(&c.ctx, id, Permission::ViewEvents).await?;
    let signups = events::store::signups(c.ctx.db(), id)
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
    events::event_for(&c.ctx, id, Permission::ViewEvents).await?;
    let page = Page::console(c, "ev.event");
    let names = tier_names(&c.ctx, &page).await?;
    let rows = events::store::signups(c.ctx.db(), id)
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
                Cell::time(&page, &s.signed_at),
                Cell::time_opt(&page, &s.checked_in_at),
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

pub(super) async fn signups_csv(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    export::respond(&signups_table(&c, id).await?, ExportFormat::Csv)
}

pub(super) async fn signups_xlsx(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    export::respond(&signups_table(&c, id).await?, ExportFormat::Xlsx)
}

async fn analysis_table(c: &Console, id: i64) -> Result<Table, AppError> {
    let ev = events::event_for(&c.ctx, id, Permission::ViewEvents).await?;
    let a = events::analysis(&c.ctx, &ev).await?;
    let page = Page::console(c, "ev.event");
    let money = Cell::Money;
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

pub(super) async fn analysis_csv(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    export::respond(&analysis_table(&c, id).await?, ExportFormat::Csv)
}

pub(super) async fn analysis_xlsx(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    export::respond(&analysis_table(&c, id).await?, ExportFormat::Xlsx)
}
