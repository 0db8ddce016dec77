//! The reward desk: claim the gift against a slip.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;

use super::shared::{Form, Q, Refusal, field, refusal, store_choice};
use crate::areas::rewards::slips::{self, SlipRow};
use crate::kernel::cache::StoreInfo;
use crate::web::extract::{Console, Verified};
use crate::web::layout::Page;

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

pub(super) async fn claim_page(c: Console, Query(q): Query<Q>) -> Response {
    render_claim(&c, q.store.as_deref(), None, Refusal::default()).await
}

pub(super) async fn claim_submit(v: Verified<Form>) -> Response {
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
