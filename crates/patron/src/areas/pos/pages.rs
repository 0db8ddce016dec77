//! The till stand-in (收银台应急): when a till is down, the cashier checks a group-buy voucher
//! (serial and check code; nothing is used) and looks a member up (card or phone: masked name,
//! tier, discount, points) at the console, with the same rules as the till API.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use patron_core::Permission;
use serde::Deserialize;

use super::LookupOut;
use crate::areas::groupbuy::redeem::{self, VoucherOut};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::{App, Ctx};
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow, store_choice};
use crate::web::i18n::Lang;
use crate::web::layout::Page;
use crate::web::tiles::{Figure, Tile, TileLine, TileSource, TilesFuture};

pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("nav.till", "收银台应急", "Till stand-in"),
    (
        "standin.title",
        "收银台应急：查券、查会员",
        "Till stand-in: vouchers and members",
    ),
    (
        "standin.intro",
        "收银台故障时在此核对团购券、查询会员；这里只查询，不收券、不记积分，收银台恢复后请在收银台补录。",
        "When a till is down, check vouchers and look members up here. Nothing is used or credited here: enter the sale at the till once it works again.",
    ),
    ("standin.voucher", "查券", "Check a voucher"),
    ("standin.serial", "券号", "Serial"),
    ("standin.check_code", "核对码", "Check code"),
    ("standin.check", "查询", "Check"),
    ("standin.member", "查会员", "Look a member up"),
    (
        "standin.card_or_phone",
        "卡号或手机号",
        "Card or phone number",
    ),
    ("standin.usable", "可以使用", "Can be used"),
    ("standin.not_usable", "不能使用", "Cannot be used"),
    ("standin.expires_on", "有效期至", "Valid until"),
    ("standin.discount", "折扣", "Discount"),
    ("standin.points_rate", "每元积分", "Points per yuan"),
    ("standin.points", "积分余额", "Points balance"),
    ("standin.card_expires", "卡有效期至", "Card valid until"),
    ("standin.birthday", "今天生日", "Birthday today"),
    ("standin.state.expired", "已过期", "Expired"),
    ("standin.state.exchanged", "已换券", "Exchanged"),
];

pub const TILES: &[TileSource] = &[TileSource {
    permission: Permission::TillStandIn,
    per_store: false,
    tiles: stand_in_tile,
}];

fn stand_in_tile<'a>(_: &'a Ctx, _: Option<&'a StoreInfo>, lang: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        Ok(vec![
            Tile::figure("standin.title", Figure::None, "/till").with_lines(vec![
                TileLine {
                    text: lang.t("standin.voucher").into(),
                    href: "/till#voucher".into(),
                },
                TileLine {
                    text: lang.t("standin.member").into(),
                    href: "/till#member".into(),
                },
            ]),
        ])
    })
}

pub fn router() -> Router<App> {
    Router::new().route("/till", get(page).post(submit))
}

#[derive(Deserialize, Default)]
struct Q {
    store: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pos/stand_in.html")]
struct StandInPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    voucher: Option<VoucherOut>,
    member: Option<LookupOut>,
    tier_name: String,
    /// The refused check ("voucher" or "member"), re-shown with what was typed and why.
    r: Reshow,
}

impl StandInPage {
    fn state_label(&self, state: &str) -> String {
        match state {
            "expired" | "exchanged" => self.page.label("standin.state.", state),
            other => self.page.label("gb.state.", other),
        }
    }

    fn usable(&self, v: &VoucherOut) -> bool {
        v.state == "sold"
    }
}

/// What the page shows besides its two forms: the voucher or member just checked.
#[derive(Default)]
struct Shown {
    voucher: Option<VoucherOut>,
    member: Option<LookupOut>,
}

async fn render(
    c: &Console,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    shown: Shown,
    r: Reshow,
) -> Response {
    let page = Page::console(c, "standin.title");
    let tier_name = match &shown.member {
        Some(m) => c
            .ctx
            .app
            .cache
            .get::<crate::areas::points::settings::Loyalty>(c.ctx.db())
            .await
            .ok()
            .and_then(|l| l.tier(&m.tier).map(|t| t.name(page.lang).to_string()))
            .unwrap_or_default(),
        None => String::new(),
    };
    let status = r.status();
    let mut res = StandInPage {
        page,
        store,
        stores,
        voucher: shown.voucher,
        member: shown.member,
        tier_name,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

async fn page(c: Console, Query(q): Query<Q>) -> Response {
    match store_choice(&c, q.store.as_deref(), Permission::TillStandIn).await {
        Ok((store, stores)) => render(&c, store, stores, Shown::default(), Reshow::default()).await,
        Err(res) => res,
    }
}

async fn submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let mut values = v.form;
    let want = field(&values, "store");
    let (store, stores) = match store_choice(&c, Some(&want), Permission::TillStandIn).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "standin.title");
    let mut shown = Shown::default();
    let refusal = if values.contains_key("serial") {
        let code = field(&values, "check_code");
        // A check code is not shown again.
        values.remove("check_code");
        let checked = redeem::check_at_console(
            &c.ctx,
            store.id,
            field(&values, "serial").trim(),
            Some(code.trim()).filter(|s| !s.is_empty()),
        )
        .await;
        match checked {
            Ok(v) => {
                shown.voucher = Some(v);
                None
            }
            Err(e) => Some((AppError::from(e), "voucher")),
        }
    } else {
        let typed = field(&values, "card_or_phone");
        let digits: String = patron_core::typed::fold_width(&typed)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let found = if patron_core::identity::Phone::parse(&digits).is_ok() {
            super::lookup_at(&c.ctx, Some(store.id), None, Some(&digits)).await
        } else {
            super::lookup_at(&c.ctx, Some(store.id), Some(&digits), None).await
        };
        match found {
            Ok(m) => {
                shown.member = Some(m);
                None
            }
            Err(e) => Some((AppError::from(e), "member")),
        }
    };
    let r = match refusal {
        None => Reshow::default(),
        Some((e, form)) => match reshow(e, &page, form, values) {
            Ok(r) => r,
            Err(res) => return *res,
        },
    };
    render(&c, store, stores, shown, r).await
}
