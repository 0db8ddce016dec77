//! The landing page: the month-end lists, the thresholds, and the form to build a list.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use patron_core::Permission;

use super::shared::{Form, Q, Refusal, err, field, refusal, store_choice};
use crate::areas::rewards::lists::{self, ListInfo};
use crate::areas::rewards::settings::{self, RewardSettings};
use crate::kernel::cache::StoreInfo;
use crate::web::extract::{Console, Verified};
use crate::web::layout::Page;

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
        today: crate::kernel::dates::business_date(c.ctx.now(), store.tz),
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

pub(super) async fn landing(c: Console, Query(q): Query<Q>) -> Response {
    render_landing(&c, q.store.as_deref(), q.ok.as_deref(), Refusal::default()).await
}

pub(super) async fn month_end_submit(v: Verified<Form>) -> Response {
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
