//! Slips: the list of a store and the follow-up list (with exports), the form to make a slip,
//! a slip with its follow-ups, extending it and logging a follow-up.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use super::shared::{Form, Q, Refusal, err, field, refusal, store_choice};
use crate::areas::rewards::settings;
use crate::areas::rewards::slips::{self, FollowUpRow, SlipRow};
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::Page;

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

pub(super) async fn slips_page(c: Console, Query(q): Query<Q>) -> Response {
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

pub(super) async fn follow_up_page(c: Console, Query(q): Query<Q>) -> Response {
    let (store, stores) = match store_choice(&c, q.store.as_deref(), Permission::ViewRewards).await
    {
        Ok(x) => x,
        Err(res) => return res,
    };
    let loaded = async {
        let s = settings::load(c.ctx.db()).await?;
        let today = crate::kernel::dates::business_date(c.ctx.now(), store.tz);
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
                    Cell::from(r.issued_on),
                    Cell::from(r.valid_until),
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

pub(super) async fn slips_csv(c: Console, Query(q): Query<Q>) -> Response {
    slips_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn slips_xlsx(c: Console, Query(q): Query<Q>) -> Response {
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
            let name = if c.lang.code() == "en" {
                t.gift_name_en.clone()
            } else {
                t.gift_name_zh.clone()
            };
            options.push((
                t.points,
                t.gift_code.clone(),
                name,
                crate::areas::gifts::on_hand(c.ctx.db(), store.id, t.gift_id).await?,
            ));
        }
        let card_no = card.trim().to_string();
        let view = if card_no.is_empty() {
            None
        } else {
            let row = slips::card_holder(c.ctx.db(), &card_no).await?;
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

pub(super) async fn slip_new(c: Console, Query(q): Query<Q>) -> Response {
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

pub(super) async fn slip_submit(v: Verified<Form>) -> Response {
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

pub(super) async fn slip_page(c: Console, Path(no): Path<String>, Query(q): Query<Q>) -> Response {
    render_slip(
        &c,
        &no,
        q.store.as_deref().unwrap_or(""),
        q.ok.as_deref(),
        Refusal::default(),
    )
    .await
}

pub(super) async fn extend_submit(Path(no): Path<String>, v: Verified<Form>) -> Response {
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

pub(super) async fn follow_up_submit(Path(no): Path<String>, v: Verified<Form>) -> Response {
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
