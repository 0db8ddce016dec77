//! Print views of the reward desk: the month-end list (per store), the information desk's list
//! of everyone at a threshold, the slip list and the follow-up list, and the slip itself
//! (返礼单/领奖单, two parts: the member's and the desk's). A4, black on white.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use patron_core::Permission;

use super::shared::{Q, store_choice};
use crate::areas::rewards::lists::{self, AtThreshold, ListInfo, ListRow};
use crate::areas::rewards::settings;
use crate::areas::rewards::slips::{self, SlipRow};
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::Console;
use crate::web::print::StorePaper;

pub fn router() -> Router<App> {
    Router::new()
        .route("/rewards/lists/{id}/print", get(list_print))
        .route("/rewards/at-threshold/print", get(at_threshold_print))
        .route("/rewards/slips/print", get(slips_print))
        .route("/rewards/follow-up/print", get(follow_up_print))
        .route("/rewards/slips/{no}/print", get(slip_print))
}

/// The paper of the reward desk's forms: a store's, with when it was printed and the desk's
/// words for contact ways, slip states and ID types.
pub struct Paper {
    pub paper: StorePaper,
    pub printed: DateTime<Utc>,
}

impl std::ops::Deref for Paper {
    type Target = StorePaper;

    fn deref(&self) -> &StorePaper {
        &self.paper
    }
}

impl Paper {
    pub fn how(&self, h: &Option<String>) -> &'static str {
        match h.as_deref() {
            Some("phone") => "电话",
            Some("sms") => "短信",
            Some("letter") => "信函",
            Some("visit") => "来访",
            _ => "",
        }
    }
    pub fn state(&self, s: &str) -> &'static str {
        match s {
            "issued" => "待领",
            "claimed" => "已领",
            "expired" => "已作废",
            _ => "",
        }
    }
    pub fn id_type(&self, s: &str) -> &'static str {
        match s {
            "id_card" => "身份证",
            "passport" => "护照",
            "hk_macau_permit" => "港澳通行证",
            "taiwan_permit" => "台胞证",
            _ => "其他证件",
        }
    }
}

async fn paper(c: &Console, q: &Q, p: Permission) -> Result<Paper, Response> {
    let (store, _) = store_choice(c, q.store.as_deref(), p).await?;
    Ok(Paper {
        paper: StorePaper::at(store),
        printed: c.ctx.now(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/print_list.html")]
struct ListPrint {
    p: Paper,
    list: ListInfo,
    rows: Vec<ListRow>,
}

async fn list_print(c: Console, Path(id): Path<i64>, Query(q): Query<Q>) -> Response {
    let p = match paper(&c, &q, Permission::ViewRewards).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let list = match lists::list_info(c.ctx.db(), id).await {
        Ok(Some(l)) => l,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    match lists::rows(c.ctx.db(), id, lists::scope(&c.ctx, p.store.id)).await {
        Ok(rows) => ListPrint { p, list, rows }.into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/print_at_threshold.html")]
struct AtThresholdPrint {
    p: Paper,
    rows: Vec<AtThreshold>,
}

async fn at_threshold_print(c: Console, Query(q): Query<Q>) -> Response {
    let p = match paper(&c, &q, Permission::ViewRewards).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match lists::at_threshold(c.ctx.db(), lists::scope(&c.ctx, p.store.id), i64::MAX).await {
        Ok(rows) => AtThresholdPrint { p, rows }.into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/print_slips.html")]
struct SlipsPrint {
    p: Paper,
    title: &'static str,
    rows: Vec<SlipRow>,
}

async fn slips_print(c: Console, Query(q): Query<Q>) -> Response {
    let p = match paper(&c, &q, Permission::ViewRewards).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let state = q
        .state
        .as_deref()
        .filter(|x| matches!(*x, "issued" | "claimed" | "expired"))
        .unwrap_or_default();
    match slips::for_store(c.ctx.db(), p.store.id, state).await {
        Ok(rows) => SlipsPrint {
            p,
            title: "返礼单登记表",
            rows,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn follow_up_print(c: Console, Query(q): Query<Q>) -> Response {
    let p = match paper(&c, &q, Permission::ViewRewards).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let rows = async {
        let s = settings::load(c.ctx.db()).await?;
        let today = crate::kernel::dates::business_date(c.ctx.now(), p.store.tz);
        slips::follow_up_due(c.ctx.db(), p.store.id, today, s.rules.follow_up_months).await
    }
    .await;
    match rows {
        Ok(rows) => SlipsPrint {
            p,
            title: "返礼跟进表",
            rows,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/print_slip.html")]
struct SlipPrint {
    p: Paper,
    x: SlipRow,
}

async fn slip_print(c: Console, Path(no): Path<String>) -> Response {
    if let Err(e) = c.ctx.require(Permission::ViewRewards) {
        return AppError::from(e).into_response();
    }
    let x = match slips::get(c.ctx.db(), &no).await {
        Ok(Some(x)) => x,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let stores = match c.ctx.app.cache.stores(c.ctx.db()).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(store) = stores.by_code(&x.store_code).cloned() else {
        return AppError::not_found().into_response();
    };
    SlipPrint {
        p: Paper {
            paper: StorePaper::at(store),
            printed: c.ctx.now(),
        },
        x,
    }
    .into_response()
}
