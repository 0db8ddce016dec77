//! A stored month-end list with its 核分 and notices, and the information desk's list of
//! everyone at a threshold; both export to CSV/xlsx.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use super::shared::{Form, Q, Refusal, err, field, refusal, store_choice};
use crate::areas::rewards::lists::{self, AtThreshold, ListInfo, ListRow};
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::Page;

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
    let rows = match lists::rows(c.ctx.db(), id, lists::scope(&c.ctx, store.id)).await {
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

pub(super) async fn list_page(c: Console, Path(id): Path<i64>, Query(q): Query<Q>) -> Response {
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
                    Cell::from(r.card_expires_on),
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
    match lists::rows(c.ctx.db(), id, lists::scope(&c.ctx, store.id)).await {
        Ok(rows) => {
            export::respond(&list_table(&page, &rows), format).unwrap_or_else(|e| e.into_response())
        }
        Err(e) => err(e),
    }
}

pub(super) async fn list_csv(c: Console, Path(id): Path<i64>, Query(q): Query<Q>) -> Response {
    list_export(c, id, q, ExportFormat::Csv).await
}

pub(super) async fn list_xlsx(c: Console, Path(id): Path<i64>, Query(q): Query<Q>) -> Response {
    list_export(c, id, q, ExportFormat::Xlsx).await
}

pub(super) async fn check_submit(
    Path((id, member)): Path<(i64, i64)>,
    v: Verified<Form>,
) -> Response {
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

pub(super) async fn notice_submit(
    Path((id, member)): Path<(i64, i64)>,
    v: Verified<Form>,
) -> Response {
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
    /// The list covers every store (a role serving the whole chain).
    chain: bool,
}

pub(super) async fn at_threshold_page(c: Console, Query(q): Query<Q>) -> Response {
    let (store, stores) = match store_choice(&c, q.store.as_deref(), Permission::ViewRewards).await
    {
        Ok(x) => x,
        Err(res) => return res,
    };
    let scope = lists::scope(&c.ctx, store.id);
    match lists::at_threshold(c.ctx.db(), scope, SHOWN).await {
        Ok(rows) => AtThresholdPage {
            page: Page::console(&c, "reward.at_threshold"),
            store,
            stores,
            rows,
            shown: SHOWN,
            chain: scope.is_none(),
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
                    Cell::from(r.card_expires_on),
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
    match lists::at_threshold(c.ctx.db(), lists::scope(&c.ctx, store.id), i64::MAX).await {
        Ok(rows) => export::respond(&at_threshold_table(&page, &rows), format)
            .unwrap_or_else(|e| e.into_response()),
        Err(e) => err(e),
    }
}

pub(super) async fn at_threshold_csv(c: Console, Query(q): Query<Q>) -> Response {
    at_threshold_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn at_threshold_xlsx(c: Console, Query(q): Query<Q>) -> Response {
    at_threshold_export(c, q, ExportFormat::Xlsx).await
}
