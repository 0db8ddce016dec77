//! Console pages of the reward desk (D1–D5): the landing page with the month-end lists, a
//! stored list with its 核分 and notices, the information desk's list of everyone at a
//! threshold, slips (make, show, extend, follow up), the reward desk's claim form, the
//! follow-up list and the settings. Lists export to CSV/xlsx; print views are in `print`.
//!
//! A refused form is re-shown with what was typed and why (422, or 409 for a state conflict).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use patron_core::Permission;
use serde::Deserialize;

use super::lists::{self, AtThreshold, ListInfo, ListRow};
use super::settings::{self, RewardSettings, SettingsForm};
use super::slips::{self, FollowUpRow, SlipRow};
use super::{RewardsError, print};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

pub type Form = HashMap<String, String>;

pub fn router() -> Router<App> {
    Router::new()
        .route("/rewards", get(landing))
        .route("/rewards/month-end", post(month_end_submit))
        .route("/rewards/lists/{id}", get(list_page))
        .route("/rewards/lists/{id}/rows.csv", get(list_csv))
        .route("/rewards/lists/{id}/rows.xlsx", get(list_xlsx))
        .route(
            "/rewards/lists/{id}/rows/{member}/check",
            post(check_submit),
        )
        .route(
            "/rewards/lists/{id}/rows/{member}/notice",
            post(notice_submit),
        )
        .route("/rewards/at-threshold", get(at_threshold_page))
        .route("/rewards/at-threshold.csv", get(at_threshold_csv))
        .route("/rewards/at-threshold.xlsx", get(at_threshold_xlsx))
        .route("/rewards/slips", get(slips_page).post(slip_submit))
        .route("/rewards/slips.csv", get(slips_csv))
        .route("/rewards/slips.xlsx", get(slips_xlsx))
        .route("/rewards/slips/new", get(slip_new))
        .route("/rewards/slips/{no}", get(slip_page))
        .route("/rewards/slips/{no}/extend", post(extend_submit))
        .route("/rewards/slips/{no}/follow-ups", post(follow_up_submit))
        .route("/rewards/claim", get(claim_page).post(claim_submit))
        .route("/rewards/follow-up", get(follow_up_page))
        .route("/admin/rewards", get(settings_page).post(settings_submit))
        .merge(print::router())
        .merge(super::gift_pages::router())
}

#[derive(Deserialize, Default)]
pub struct Q {
    pub store: Option<String>,
    pub ok: Option<String>,
    pub state: Option<String>,
    pub card: Option<String>,
    pub list: Option<i64>,
}

/// A refusal as a page shows it: the message, the fields and what was typed.
#[derive(Default)]
pub struct Refusal {
    pub status: Option<StatusCode>,
    pub detail: String,
    pub errors: FormErrors,
    pub values: Form,
}

impl Refusal {
    pub fn val(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }
    pub fn bad(&self, field: &str) -> bool {
        self.errors.has(field)
    }
    pub fn msg(&self, page: &Page, field: &str) -> &'static str {
        self.errors.msg(page, field)
    }
}

/// Turns a refusal into something to re-show; anything else is its own response.
// The refusal is re-shown at once by the caller; boxing it would only add noise.
#[allow(clippy::result_large_err)]
fn refusal(e: RewardsError, page: &Page, values: Form) -> Result<Refusal, Response> {
    let err = AppError::from(e);
    let status = err.status();
    if !status.is_client_error() || matches!(err.code, "forbidden" | "not_found") {
        return Err(err.into_response());
    }
    let base = page.t(crate::web::error::message_key_of(err.code));
    let detail = match (&err.detail, err.code) {
        (_, "validation") => base.to_string(),
        (Some(d), "conflict") => format!("{base} {d}"),
        _ => base.to_string(),
    };
    Ok(Refusal {
        status: Some(status),
        detail,
        errors: FormErrors(err.fields),
        values,
    })
}

fn field(f: &Form, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

/// The store a page is about and the stores the user may switch to.
pub async fn store_choice(
    c: &Console,
    want: Option<&str>,
    permission: Permission,
) -> Result<(StoreInfo, Vec<StoreInfo>), Response> {
    crate::areas::groupbuy::pages::store_choice(c, want, permission).await
}

fn err(e: impl Into<AppError>) -> Response {
    e.into().into_response()
}

// ---------------------------------------------------------------- landing

#[derive(Template, WebTemplate)]
#[template(path = "rewards/index.html")]
struct LandingPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    lists: Vec<ListInfo>,
    settings: RewardSettings,
    can_issue: bool,
    can_claim: bool,
    can_manage: bool,
    today: NaiveDate,
    r: Refusal,
}

async fn render_landing(c: &Console, want: Option<&str>, ok: Option<&str>, r: Refusal) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let (lists, settings) = match (
        lists::lists(c.ctx.db()).await,
        settings::load(c.ctx.db()).await,
    ) {
        (Ok(l), Ok(s)) => (l, s),
        (Err(e), _) | (_, Err(e)) => return err(e),
    };
    let status = r.status;
    let mut res = LandingPage {
        page: Page::console(c, "reward.title").with_flash("success", ok),
        can_issue: c.ctx.can_at(Permission::IssueRewards, store.id),
        can_claim: c.ctx.can_at(Permission::ClaimRewards, store.id),
        can_manage: c.ctx.can(Permission::ManageRewardSettings),
        today: crate::areas::points::business_date(c.ctx.now(), store.tz),
        store,
        stores,
        lists,
        settings,
        r,
    }
    .into_response();
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

async fn landing(c: Console, Query(q): Query<Q>) -> Response {
    render_landing(&c, q.store.as_deref(), q.ok.as_deref(), Refusal::default()).await
}

async fn month_end_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let date = NaiveDate::parse_from_str(field(&v.form, "date").trim(), "%Y-%m-%d");
    let result = match date {
        Ok(d) => lists::build_month_end(&c.ctx, d).await,
        Err(_) => {
            Err(crate::kernel::validation::Invalid::one("date", "reward.invalid.date").into())
        }
    };
    match result {
        Ok(s) => Redirect::to(&format!(
            "/rewards/lists/{}?store={store}&ok=flash.reward_list_built",
            s.list_id
        ))
        .into_response(),
        Err(e) => match refusal(e, &Page::console(&c, "reward.title"), v.form) {
            Ok(r) => render_landing(&c, Some(&store), None, r).await,
            Err(res) => res,
        },
    }
}

// ---------------------------------------------------------------- a stored list

#[derive(Template, WebTemplate)]
#[template(path = "rewards/list.html")]
struct ListPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    list: ListInfo,
    rows: Vec<ListRow>,
    can_issue: bool,
    r: Refusal,
}

async fn render_list(
    c: &Console,
    id: i64,
    want: Option<&str>,
    ok: Option<&str>,
    r: Refusal,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let list = match lists::list_info(c.ctx.db(), id).await {
        Ok(Some(l)) => l,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return err(e),
    };
    let rows = match lists::rows(c.ctx.db(), id, Some(store.id)).await {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    let res = ListPage {
        page: Page::console(c, "reward.month_end_list").with_flash("success", ok),
        can_issue: c.ctx.can_at(Permission::IssueRewards, store.id),
        store,
        stores,
        list,
        rows,
        r,
    };
    let status = res.r.status;
    let mut res = res.into_response();
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

async fn list_page(c: Console, Path(id): Path<i64>, Query(q): Query<Q>) -> Response {
    render_list(
        &c,
        id,
        q.store.as_deref(),
        q.ok.as_deref(),
        Refusal::default(),
    )
    .await
}

fn list_table(page: &Page, rows: &[ListRow]) -> Table {
    Table::new(
        "reward-month-end",
        page,
        &[
            "reward.card_no",
            "reward.member",
            "reward.store",
            "reward.points",
            "reward.threshold",
            "reward.card_expires",
            "reward.check",
            "reward.notice",
            "reward.slip_no",
        ],
        rows.iter()
            .map(|r| {
                vec![
                    Cell::from(r.card_no.clone()),
                    Cell::from(r.name.clone()),
                    Cell::from(r.store_code.clone()),
                    Cell::from(r.points),
                    Cell::from(r.threshold_points),
                    Cell::from(r.card_expires_on.to_string()),
                    Cell::from(match r.check_ok {
                        Some(true) => page.t("reward.check_ok").to_string(),
                        Some(false) => {
                            format!("{} ({})", page.t("reward.check_bad"), r.check_detail)
                        }
                        None => String::new(),
                    }),
                    Cell::from(
                        r.notice_how
                            .as_deref()
                            .map(|h| {
                                page.t_or(&format!("reward.how.{h}"), "reward.notice")
                                    .to_string()
                            })
                            .unwrap_or_default(),
                    ),
                    Cell::from(r.slip_no.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    )
}

async fn list_export(c: Console, id: i64, q: Q, format: ExportFormat) -> Response {
    let (store, _) = match store_choice(&c, q.store.as_deref(), Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "reward.month_end_list");
    match lists::rows(c.ctx.db(), id, Some(store.id)).await {
        Ok(rows) => {
            export::respond(&list_table(&page, &rows), format).unwrap_or_else(|e| e.into_response())
        }
        Err(e) => err(e),
    }
}

async fn list_csv(c: Console, Path(id): Path<i64>, Query(q): Query<Q>) -> Response {
    list_export(c, id, q, ExportFormat::Csv).await
}

async fn list_xlsx(c: Console, Path(id): Path<i64>, Query(q): Query<Q>) -> Response {
    list_export(c, id, q, ExportFormat::Xlsx).await
}

async fn check_submit(Path((id, member)): Path<(i64, i64)>, v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    match lists::verify(&c.ctx, id, member).await {
        Ok(check) => {
            let flash = if check.ok {
                "flash.reward_checked"
            } else {
                "flash.reward_check_mismatch"
            };
            Redirect::to(&format!("/rewards/lists/{id}?store={store}&ok={flash}")).into_response()
        }
        Err(e) => match refusal(e, &Page::console(&c, "reward.title"), v.form) {
            Ok(r) => render_list(&c, id, Some(&store), None, r).await,
            Err(res) => res,
        },
    }
}

async fn notice_submit(Path((id, member)): Path<(i64, i64)>, v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let input = lists::NoticeIn {
        how: field(&v.form, "how"),
        note: field(&v.form, "note"),
    };
    match lists::record_notice(&c.ctx, id, member, &input).await {
        Ok(()) => Redirect::to(&format!(
            "/rewards/lists/{id}?store={store}&ok=flash.reward_notified"
        ))
        .into_response(),
        Err(e) => match refusal(e, &Page::console(&c, "reward.title"), v.form) {
            Ok(r) => render_list(&c, id, Some(&store), None, r).await,
            Err(res) => res,
        },
    }
}

// ---------------------------------------------------------------- information desk list

/// How many rows the page shows (the exports have them all).
const SHOWN: i64 = 500;

#[derive(Template, WebTemplate)]
#[template(path = "rewards/at_threshold.html")]
struct AtThresholdPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    rows: Vec<AtThreshold>,
    shown: i64,
}

async fn at_threshold_page(c: Console, Query(q): Query<Q>) -> Response {
    let (store, stores) = match store_choice(&c, q.store.as_deref(), Permission::ViewRewards).await
    {
        Ok(x) => x,
        Err(res) => return res,
    };
    match lists::at_threshold(c.ctx.db(), Some(store.id), SHOWN).await {
        Ok(rows) => AtThresholdPage {
            page: Page::console(&c, "reward.at_threshold"),
            store,
            stores,
            rows,
            shown: SHOWN,
        }
        .into_response(),
        Err(e) => err(e),
    }
}

fn at_threshold_table(page: &Page, rows: &[AtThreshold]) -> Table {
    Table::new(
        "reward-at-threshold",
        page,
        &[
            "reward.card_no",
            "reward.member",
            "reward.phone",
            "reward.store",
            "reward.points",
            "reward.threshold",
            "reward.card_expires",
        ],
        rows.iter()
            .map(|r| {
                vec![
                    Cell::from(r.card_no.clone()),
                    Cell::from(r.name.clone()),
                    Cell::from(r.phone_masked.clone().unwrap_or_default()),
                    Cell::from(r.store_code.clone()),
                    Cell::from(r.points),
                    Cell::from(r.threshold_points),
                    Cell::from(r.card_expires_on.to_string()),
                ]
            })
            .collect(),
    )
}

async fn at_threshold_export(c: Console, q: Q, format: ExportFormat) -> Response {
    let (store, _) = match store_choice(&c, q.store.as_deref(), Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "reward.at_threshold");
    match lists::at_threshold(c.ctx.db(), Some(store.id), i64::MAX).await {
        Ok(rows) => export::respond(&at_threshold_table(&page, &rows), format)
            .unwrap_or_else(|e| e.into_response()),
        Err(e) => err(e),
    }
}

async fn at_threshold_csv(c: Console, Query(q): Query<Q>) -> Response {
    at_threshold_export(c, q, ExportFormat::Csv).await
}

async fn at_threshold_xlsx(c: Console, Query(q): Query<Q>) -> Response {
    at_threshold_export(c, q, ExportFormat::Xlsx).await
}

// ---------------------------------------------------------------- slips

#[derive(Template, WebTemplate)]
#[template(path = "rewards/slips.html")]
struct SlipsPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    rows: Vec<SlipRow>,
    state: String,
    title_key: &'static str,
    follow_ups: Vec<FollowUpRow>,
    follow_up_mode: bool,
}

impl SlipsPage {
    fn logs(&self, slip_id: &i64) -> Vec<&FollowUpRow> {
        self.follow_ups
            .iter()
            .filter(|f| f.slip_id == *slip_id)
            .collect()
    }
}

fn state_filter(s: Option<&str>) -> String {
    match s {
        Some(x @ ("issued" | "claimed" | "expired")) => x.to_string(),
        _ => String::new(),
    }
}

async fn slips_page(c: Console, Query(q): Query<Q>) -> Response {
    let (store, stores) = match store_choice(&c, q.store.as_deref(), Permission::ViewRewards).await
    {
        Ok(x) => x,
        Err(res) => return res,
    };
    let state = state_filter(q.state.as_deref());
    match slips::for_store(c.ctx.db(), store.id, &state).await {
        Ok(rows) => SlipsPage {
            page: Page::console(&c, "reward.slips").with_flash("success", q.ok.as_deref()),
            store,
            stores,
            rows,
            state,
            title_key: "reward.slips",
            follow_ups: Vec::new(),
            follow_up_mode: false,
        }
        .into_response(),
        Err(e) => err(e),
    }
}

async fn follow_up_page(c: Console, Query(q): Query<Q>) -> Response {
    let (store, stores) = match store_choice(&c, q.store.as_deref(), Permission::ViewRewards).await
    {
        Ok(x) => x,
        Err(res) => return res,
    };
    let loaded = async {
        let s = settings::load(c.ctx.db()).await?;
        let today = crate::areas::points::business_date(c.ctx.now(), store.tz);
        let rows =
            slips::follow_up_due(c.ctx.db(), store.id, today, s.rules.follow_up_months).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let logs = slips::follow_ups(c.ctx.db(), &ids).await?;
        Ok::<_, crate::kernel::db::DbError>((rows, logs))
    }
    .await;
    match loaded {
        Ok((rows, follow_ups)) => SlipsPage {
            page: Page::console(&c, "reward.follow_up").with_flash("success", q.ok.as_deref()),
            store,
            stores,
            rows,
            state: "issued".into(),
            title_key: "reward.follow_up",
            follow_ups,
            follow_up_mode: true,
        }
        .into_response(),
        Err(e) => err(e),
    }
}

pub fn slips_table(page: &Page, rows: &[SlipRow]) -> Table {
    Table::new(
        "reward-slips",
        page,
        &[
            "reward.slip_no",
            "reward.card_no",
            "reward.member",
            "reward.card_store",
            "reward.store",
            "reward.points",
            "reward.gift",
            "reward.state",
            "reward.issued_on",
            "reward.valid_until",
            "reward.claim_store",
            "reward.points_returned",
        ],
        rows.iter()
            .map(|r| {
                vec![
                    Cell::from(r.slip_no.clone()),
                    Cell::from(r.card_no.clone()),
                    Cell::from(r.name.clone()),
                    Cell::from(r.card_store_code.clone()),
                    Cell::from(r.store_code.clone()),
                    Cell::from(r.points),
                    Cell::from(r.gift_code.clone()),
                    Cell::from(
                        page.t_or(&format!("reward.state.{}", r.state), "reward.state")
                            .to_string(),
                    ),
                    Cell::from(r.issued_on.to_string()),
                    Cell::from(r.valid_until.to_string()),
                    Cell::from(r.claim_store_code.clone().unwrap_or_default()),
                    Cell::from(r.points_returned),
                ]
            })
            .collect(),
    )
}

async fn slips_export(c: Console, q: Q, format: ExportFormat) -> Response {
    let (store, _) = match store_choice(&c, q.store.as_deref(), Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "reward.slips");
    match slips::for_store(c.ctx.db(), store.id, &state_filter(q.state.as_deref())).await {
        Ok(rows) => export::respond(&slips_table(&page, &rows), format)
            .unwrap_or_else(|e| e.into_response()),
        Err(e) => err(e),
    }
}

async fn slips_csv(c: Console, Query(q): Query<Q>) -> Response {
    slips_export(c, q, ExportFormat::Csv).await
}

async fn slips_xlsx(c: Console, Query(q): Query<Q>) -> Response {
    slips_export(c, q, ExportFormat::Xlsx).await
}

/// What the slip form shows about the card before the clerk promises anything.
pub struct CardView {
    pub card_no: String,
    pub name: String,
    pub balance: i64,
    /// The highest threshold reached: (points, gift code, gift name, stock at this store).
    pub reached: Option<(i64, String, String, i64)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/slip_new.html")]
struct SlipNewPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    card: Option<CardView>,
    /// (threshold points, gift code, gift name, stock at this store)
    options: Vec<(i64, String, String, i64)>,
    id_types: &'static [&'static str],
    list_id: String,
    r: Refusal,
}

async fn gift_stock(
    c: &Console,
    store_id: i64,
    gift_id: i64,
) -> Result<i64, crate::kernel::db::DbError> {
    let n: Option<i64> = crate::on_db!(c.ctx.db(), |p| {
        sqlx::query_scalar("select on_hand from gift_stock where store_id = $1 and gift_id = $2")
            .bind(store_id)
            .bind(gift_id)
            .fetch_optional(p)
            .await?
    });
    Ok(n.unwrap_or(0))
}

async fn render_slip_new(
    c: &Console,
    want: Option<&str>,
    card: &str,
    list: String,
    r: Refusal,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::IssueRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let loaded = async {
        let s = settings::load(c.ctx.db()).await?;
        let mut options = Vec::new();
        for t in &s.thresholds {
            let name = if c.lang.code() == "en" { t.gift_name_en.clone() } else { t.gift_name_zh.clone() };
            options.push((t.points, t.gift_code.clone(), name, gift_stock(c, store.id, t.gift_id).await?));
        }
        let card_no = card.trim().to_string();
        let view = if card_no.is_empty() {
            None
        } else {
            let row: Option<(String, i64)> = crate::on_db!(c.ctx.db(), |p| {
                sqlx::query_as(
                    "select m.name, m.points_balance from cards c join members m on m.id = c.member_id \
                     where c.card_no = $1 and c.state in ('issued', 'active', 'frozen')",
                )
                .bind(&card_no)
                .fetch_optional(p)
                .await?
            });
            row.map(|(name, balance)| CardView {
                card_no: card_no.clone(),
                name,
                balance,
                reached: options.iter().rev().find(|o| balance >= o.0).cloned(),
            })
        };
        Ok::<_, crate::kernel::db::DbError>((options, view))
    }
    .await;
    let (options, card) = match loaded {
        Ok(x) => x,
        Err(e) => return err(e),
    };
    let status = r.status;
    let mut res = SlipNewPage {
        page: Page::console(c, "reward.new_slip"),
        store,
        stores,
        card,
        options,
        id_types: slips::ID_TYPES,
        list_id: list,
        r,
    }
    .into_response();
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

async fn slip_new(c: Console, Query(q): Query<Q>) -> Response {
    let list = q.list.map(|l| l.to_string()).unwrap_or_default();
    render_slip_new(
        &c,
        q.store.as_deref(),
        q.card.as_deref().unwrap_or(""),
        list,
        Refusal::default(),
    )
    .await
}

async fn slip_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let input = slips::SlipIn {
        store_code: store.clone(),
        card_no: field(&v.form, "card_no"),
        threshold: field(&v.form, "threshold"),
        id_checked: v.form.contains_key("id_checked"),
        id_type: field(&v.form, "id_type"),
        id_last4: field(&v.form, "id_last4"),
        list_id: field(&v.form, "list_id").trim().parse().ok(),
    };
    match slips::issue(&c.ctx, &input).await {
        Ok(out) => Redirect::to(&format!(
            "/rewards/slips/{}?store={store}&ok=flash.reward_slip_made",
            out.slip_no
        ))
        .into_response(),
        Err(e) => {
            let card = input.card_no.clone();
            let list = field(&v.form, "list_id");
            match refusal(e, &Page::console(&c, "reward.new_slip"), v.form) {
                Ok(r) => render_slip_new(&c, Some(&store), &card, list, r).await,
                Err(res) => res,
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/slip.html")]
struct SlipPage {
    page: Page,
    x: SlipRow,
    logs: Vec<FollowUpRow>,
    can_extend: bool,
    can_follow: bool,
    store_code: String,
    r: Refusal,
}

async fn render_slip(c: &Console, no: &str, store: &str, ok: Option<&str>, r: Refusal) -> Response {
    if let Err(e) = c.ctx.require(Permission::ViewRewards) {
        return err(e);
    }
    let x = match slips::get(c.ctx.db(), no).await {
        Ok(Some(x)) => x,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return err(e),
    };
    let logs = match slips::follow_ups(c.ctx.db(), &[x.id]).await {
        Ok(l) => l,
        Err(e) => return err(e),
    };
    let status = r.status;
    let mut res = SlipPage {
        page: Page::console(c, "reward.slip").with_flash("success", ok),
        can_extend: c.ctx.can(Permission::ManageRewardSettings) && x.state == "issued",
        can_follow: c.ctx.can(Permission::IssueRewards) && x.state == "issued",
        store_code: if store.is_empty() {
            x.store_code.clone()
        } else {
            store.to_string()
        },
        x,
        logs,
        r,
    }
    .into_response();
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

async fn slip_page(c: Console, Path(no): Path<String>, Query(q): Query<Q>) -> Response {
    render_slip(
        &c,
        &no,
        q.store.as_deref().unwrap_or(""),
        q.ok.as_deref(),
        Refusal::default(),
    )
    .await
}

async fn extend_submit(Path(no): Path<String>, v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let input = slips::ExtendIn {
        valid_until: field(&v.form, "valid_until"),
        reason: field(&v.form, "reason"),
    };
    match slips::extend(&c.ctx, &no, &input).await {
        Ok(()) => Redirect::to(&format!(
            "/rewards/slips/{no}?store={store}&ok=flash.reward_extended"
        ))
        .into_response(),
        Err(e) => match refusal(e, &Page::console(&c, "reward.slip"), v.form) {
            Ok(r) => render_slip(&c, &no, &store, None, r).await,
            Err(res) => res,
        },
    }
}

async fn follow_up_submit(Path(no): Path<String>, v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let back = field(&v.form, "back");
    let input = slips::FollowUpIn {
        how: field(&v.form, "how"),
        result: field(&v.form, "result"),
        note: field(&v.form, "note"),
    };
    match slips::follow_up(&c.ctx, &no, &input).await {
        Ok(()) => {
            let to = if back == "list" {
                format!("/rewards/follow-up?store={store}&ok=flash.reward_followed_up")
            } else {
                format!("/rewards/slips/{no}?store={store}&ok=flash.reward_followed_up")
            };
            Redirect::to(&to).into_response()
        }
        Err(e) => match refusal(e, &Page::console(&c, "reward.slip"), v.form) {
            Ok(r) => render_slip(&c, &no, &store, None, r).await,
            Err(res) => res,
        },
    }
}

// ---------------------------------------------------------------- the reward desk

#[derive(Template, WebTemplate)]
#[template(path = "rewards/claim.html")]
struct ClaimPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    claimed: Option<SlipRow>,
    r: Refusal,
}

async fn render_claim(
    c: &Console,
    want: Option<&str>,
    claimed: Option<SlipRow>,
    r: Refusal,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ClaimRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let status = r.status;
    let mut res = ClaimPage {
        page: Page::console(c, "reward.claim"),
        store,
        stores,
        claimed,
        r,
    }
    .into_response();
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

async fn claim_page(c: Console, Query(q): Query<Q>) -> Response {
    render_claim(&c, q.store.as_deref(), None, Refusal::default()).await
}

async fn claim_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let input = slips::ClaimIn {
        store_code: store.clone(),
        slip_no: field(&v.form, "slip_no"),
    };
    match slips::claim(&c.ctx, &input).await {
        Ok(out) => {
            let row = slips::get(c.ctx.db(), &out.slip_no).await.ok().flatten();
            render_claim(&c, Some(&store), row, Refusal::default()).await
        }
        Err(e) => match refusal(e, &Page::console(&c, "reward.claim"), v.form) {
            Ok(r) => render_claim(&c, Some(&store), None, r).await,
            Err(res) => res,
        },
    }
}

// ---------------------------------------------------------------- settings

#[derive(Template, WebTemplate)]
#[template(path = "rewards/settings.html")]
struct SettingsPage {
    page: Page,
    form: SettingsForm,
    gifts: Vec<(String, String, i64)>,
    r: Refusal,
}

async fn render_settings(
    c: &Console,
    form: Option<SettingsForm>,
    ok: Option<&str>,
    r: Refusal,
) -> Response {
    if let Err(e) = c.ctx.require(Permission::ManageRewardSettings) {
        return err(e);
    }
    let s = match settings::load(c.ctx.db()).await {
        Ok(s) => s,
        Err(e) => return err(e),
    };
    let gifts: Vec<(String, String, i64)> = match crate::on_db!(c.ctx.db(), |p| {
        sqlx::query_as(
            "select code, name_zh, value_fen from gifts where active order by value_fen, code",
        )
        .fetch_all(p)
        .await
    }) {
        Ok(g) => g,
        Err(e) => return err(crate::kernel::db::DbError::from(e)),
    };
    let status = r.status;
    let mut res = SettingsPage {
        page: Page::console(c, "reward.settings").with_flash("success", ok),
        form: form.unwrap_or_else(|| SettingsForm::from_settings(&s)),
        gifts,
        r,
    }
    .into_response();
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

async fn settings_page(c: Console, Query(q): Query<Q>) -> Response {
    render_settings(&c, None, q.ok.as_deref(), Refusal::default()).await
}

async fn settings_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let form = SettingsForm {
        thresholds: field(&v.form, "thresholds"),
        slip_valid_months: field(&v.form, "slip_valid_months"),
        follow_up_months: field(&v.form, "follow_up_months"),
        return_points_on_expiry: v.form.contains_key("return_points_on_expiry"),
    };
    match settings::save(&c.ctx, &form).await {
        Ok(()) => Redirect::to("/admin/rewards?ok=flash.saved").into_response(),
        Err(e) => match refusal(e, &Page::console(&c, "reward.settings"), v.form) {
            Ok(r) => render_settings(&c, Some(form), None, r).await,
            Err(res) => res,
        },
    }
}
