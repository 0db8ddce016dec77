//! The portal's exchange page: the signed-in member exchanges points for a gift.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};

use super::shared::{Q, reshow, with_status};
use crate::areas::gifts::birthday::{self, EntitlementRow};
use crate::areas::gifts::catalogue::{self, CatalogueItem, GiftRow};
use crate::areas::gifts::exchange::{self, ExchangeRow};
use crate::areas::portal::pages::MemberSession;
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::{Actor, Ctx};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::forms::{Form, Reshow, field};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "portal/exchange.html")]
struct PortalPage {
    page: Page,
    name: String,
    balance: i64,
    stores: Vec<StoreInfo>,
    store: StoreInfo,
    items: Vec<CatalogueItem>,
    history: Vec<ExchangeRow>,
    birthday: Option<EntitlementRow>,
    key: String,
    done: Option<i64>,
    r: Reshow,
}

impl PortalPage {
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

    fn birthday_gift(&self, e: &EntitlementRow) -> String {
        if self.page.is_en() {
            e.gift_en.clone()
        } else {
            e.gift_zh.clone()
        }
    }

    fn store_code(&self, id: &i64) -> String {
        self.stores
            .iter()
            .find(|s| s.id == *id)
            .map(|s| format!("{} {}", s.code, s.name))
            .unwrap_or_default()
    }
}

fn portal_ctx(s: &MemberSession) -> Ctx {
    Ctx::new(s.app.clone(), Actor::System, None)
}

async fn render_portal(
    s: &MemberSession,
    want: Option<&str>,
    done: Option<i64>,
    r: Reshow,
) -> Response {
    let ctx = portal_ctx(s);
    let loaded = async {
        let m = crate::areas::members::store::get_member(&s.app.db, s.member_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let cache = s.app.cache.stores(&s.app.db).await?;
        let mut stores: Vec<StoreInfo> = crate::areas::staff::store::list_stores(&s.app.db)
            .await?
            .into_iter()
            .filter_map(|x| cache.by_id(x.id).cloned())
            .filter(|x| x.active)
            .collect();
        stores.sort_by(|a, b| a.code.cmp(&b.code));
        let store = want
            .and_then(|w| stores.iter().find(|x| x.code.eq_ignore_ascii_case(w)))
            .or_else(|| stores.iter().find(|x| x.id == m.store_id))
            .or(stores.first())
            .cloned()
            .ok_or_else(AppError::not_found)?;
        let items = catalogue::catalogue(&s.app.db, store.id).await?;
        let history = exchange::list_exchanges(&s.app.db, 0, s.member_id).await?;
        let today = crate::kernel::dates::business_date(ctx.now(), store.tz);
        let birthday = birthday::open_for(&s.app.db, s.member_id, today).await?;
        Ok::<_, AppError>((m, stores, store, items, history, birthday))
    }
    .await;
    let (m, stores, store, items, history, birthday) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let status = r.status();
    let mut page = Page::anonymous(s.lang, "exchange.portal_title");
    page.csrf = s.csrf.clone();
    page.tz = s.app.config.tz();
    with_status(
        PortalPage {
            page,
            name: m.name,
            balance: m.points_balance,
            stores,
            store,
            items,
            history,
            birthday,
            key: uuid::Uuid::new_v4().simple().to_string(),
            done,
            r,
        }
        .into_response(),
        status,
    )
}

pub(super) async fn portal_page(s: MemberSession, Query(q): Query<Q>) -> Response {
    render_portal(&s, q.store.as_deref(), q.done, Reshow::default()).await
}

pub(super) async fn portal_submit(s: MemberSession, axum::Form(f): axum::Form<Form>) -> Response {
    if field(&f, "_csrf") != s.csrf {
        return AppError::new(codes::CSRF).into_response();
    }
    let ctx = portal_ctx(&s);
    let store = field(&f, "store_code");
    let input = exchange::ExchangeIn {
        store_code: store.clone(),
        card_no: String::new(),
        gift_code: field(&f, "gift_code"),
        qty: field(&f, "qty"),
        key: field(&f, "key"),
    };
    match exchange::exchange_for_member(&ctx, s.member_id, &input).await {
        Ok(out) => Redirect::to(&format!(
            "/portal/exchange?store={}&done={}",
            out.store_code, out.id
        ))
        .into_response(),
        Err(e) => {
            let page = Page::anonymous(s.lang, "exchange.portal_title");
            match reshow(e, &page, "exchange", f) {
                Ok(r) => render_portal(&s, Some(&store), None, r).await,
                Err(res) => *res,
            }
        }
    }
}
