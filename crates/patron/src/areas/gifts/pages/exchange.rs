//! The exchange desk: find the member by card, exchange from the catalogue, recent exchanges.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use super::shared::{Q, reshow, with_status};
use crate::areas::gifts::catalogue::{self, CatalogueItem, GiftRow};
use crate::areas::gifts::exchange::{self, ExchangeRow};
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, store_choice};
use crate::web::layout::Page;

/// The member found at the desk.
pub struct Found {
    pub name: String,
    pub card_no: String,
    pub points_balance: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "gifts/exchange.html")]
struct ExchangePage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    card: String,
    member: Option<Found>,
    items: Vec<CatalogueItem>,
    recent: Vec<ExchangeRow>,
    done: Option<i64>,
    can_issue: bool,
    r: Reshow,
}

impl ExchangePage {
    fn gift_name(&self, g: &GiftRow) -> String {
        g.name(self.page.is_en()).to_string()
    }

    fn row_gift(&self, e: &ExchangeRow) -> String {
        if self.page.is_en() {
            e.gift_name_en.clone()
        } else {
            e.gift_name_zh.clone()
        }
    }
}

async fn render_exchange(
    c: &Console,
    want: Option<&str>,
    card: &str,
    flash: Option<&str>,
    done: Option<i64>,
    r: Reshow,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let loaded = async {
        let items = catalogue::catalogue(c.ctx.db(), store.id).await?;
        let recent = exchange::list_exchanges(c.ctx.db(), store.id, 0).await?;
        let card = card.trim().to_ascii_uppercase();
        let member = if card.is_empty() {
            None
        } else {
            crate::areas::points::store::card_member(c.ctx.db(), &card)
                .await?
                .map(|cm| Found {
                    name: cm.name,
                    card_no: cm.card_no,
                    points_balance: cm.points_balance,
                })
        };
        Ok::<_, AppError>((items, recent, member))
    }
    .await;
    let (items, recent, member) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let status = r.status();
    with_status(
        ExchangePage {
            page: Page::console(c, "exchange.title").with_flash("success", flash),
            can_issue: c.ctx.can_at(Permission::IssueRewards, store.id),
            store,
            stores,
            card: card.to_string(),
            member,
            items,
            recent,
            done,
            r,
        }
        .into_response(),
        status,
    )
}

pub(super) async fn exchange_page(c: Console, Query(q): Query<Q>) -> Response {
    render_exchange(
        &c,
        q.store.as_deref(),
        q.card.as_deref().unwrap_or(""),
        q.ok.as_deref(),
        q.done,
        Reshow::default(),
    )
    .await
}

pub(super) async fn exchange_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let card = field(&f, "card_no");
    let input = exchange::ExchangeIn {
        store_code: store.clone(),
        card_no: card.clone(),
        gift_code: field(&f, "gift_code"),
        qty: field(&f, "qty"),
        key: field(&f, "key"),
    };
    match exchange::exchange(&c.ctx, &input).await {
        Ok(out) => Redirect::to(&format!(
            "/rewards/exchange?store={store}&card={card}&ok=flash.saved&done={}",
            out.id
        ))
        .into_response(),
        Err(e) => match reshow(e, &Page::console(&c, "exchange.title"), "exchange", f) {
            Ok(r) => render_exchange(&c, Some(&store), &card, None, None, r).await,
            Err(res) => *res,
        },
    }
}
