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
use crate::web::said::Said;

#[derive(Template, WebTemplate)]
#[template(path = "rewards/claim.html")]
struct ClaimPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    claimed: Option<SlipRow>,
    /// A slip looked up and waiting for the clerk to check the member's ID and confirm.
    pending: Option<SlipRow>,
    /// Why a looked-up slip cannot be handed over (said in the reader's words).
    why_not: String,
    r: Refusal,
}

impl ClaimPage {
    fn gift(&self, x: &SlipRow) -> String {
        if self.page.is_en() {
            x.gift_name_en.clone()
        } else {
            x.gift_name_zh.clone()
        }
    }
}

/// What the page shows besides the form: the slip just handed over, or the one looked up.
#[derive(Default)]
struct Shown {
    claimed: Option<SlipRow>,
    pending: Option<SlipRow>,
    why_not: String,
}

async fn render_claim(c: &Console, want: Option<&str>, shown: Shown, r: Refusal) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ClaimRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let status = r.status;
    let mut res = ClaimPage {
        page: Page::console(c, "reward.claim"),
        store,
        stores,
        claimed: shown.claimed,
        pending: shown.pending,
        why_not: shown.why_not,
        r,
    }
    .into_response();
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

pub(super) async fn claim_page(c: Console, Query(q): Query<Q>) -> Response {
    render_claim(&c, q.store.as_deref(), Shown::default(), Refusal::default()).await
}

/// Why a slip cannot be handed over now, in the reader's words; empty when it can.
fn why_not(page: &Page, x: &SlipRow, today: chrono::NaiveDate) -> String {
    match x.state.as_str() {
        "claimed" => Said::new("reward.claim.already")
            .text("when", page.time_opt(&x.claimed_at))
            .text("store", x.claim_store_code.clone().unwrap_or_default())
            .say(page.lang),
        "issued" if x.valid_until >= today => String::new(),
        _ => Said::new("reward.claim.expired")
            .text("until", x.valid_until)
            .say(page.lang),
    }
}

/// First the slip is looked up and shown (member, gift, validity, the ID to check); the gift
/// is handed over only when the clerk confirms having checked the member's ID.
pub(super) async fn claim_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let store = field(&v.form, "store_code");
    let slip_no = field(&v.form, "slip_no").trim().to_ascii_uppercase();
    let page = Page::console(&c, "reward.claim");
    if field(&v.form, "confirm").is_empty() {
        let found = match slips::get(c.ctx.db(), &slip_no).await {
            Ok(found) => found,
            Err(e) => return crate::web::error::AppError::from(e).into_response(),
        };
        let Some(x) = found else {
            let e = slips::lookup_refusal();
            return match refusal(e, &page, v.form) {
                Ok(r) => render_claim(&c, Some(&store), Shown::default(), r).await,
                Err(res) => res,
            };
        };
        let today = c.ctx.today();
        let shown = Shown {
            why_not: why_not(&page, &x, today),
            pending: Some(x),
            claimed: None,
        };
        return render_claim(&c, Some(&store), shown, Refusal::default()).await;
    }
    if field(&v.form, "id_checked").is_empty() {
        let found = slips::get(c.ctx.db(), &slip_no).await.ok().flatten();
        let e = crate::kernel::validation::Invalid::one("id_checked", "reward.claim.check_id");
        return match refusal(crate::areas::rewards::RewardsError::from(e), &page, v.form) {
            Ok(r) => {
                let shown = Shown {
                    pending: found,
                    ..Shown::default()
                };
                render_claim(&c, Some(&store), shown, r).await
            }
            Err(res) => res,
        };
    }
    let input = slips::ClaimIn {
        store_code: store.clone(),
        slip_no,
        id_checked: true,
    };
    match slips::claim(&c.ctx, &input).await {
        Ok(out) => {
            let shown = Shown {
                claimed: slips::get(c.ctx.db(), &out.slip_no).await.ok().flatten(),
                ..Shown::default()
            };
            render_claim(&c, Some(&store), shown, Refusal::default()).await
        }
        Err(e) => match refusal(e, &page, v.form) {
            Ok(r) => render_claim(&c, Some(&store), Shown::default(), r).await,
            Err(res) => res,
        },
    }
}
