//! The till stand-in (收银台应急): when a till is down, the cashier checks a group-buy voucher
//! (serial and check code; nothing is used) and looks a member up (card or phone: masked name,
//! tier, discount, points) at the console, with the same rules as the till API.

use std::collections::BTreeMap;

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
use crate::web::forms::{refusal_line, store_choice};
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

type Form = BTreeMap<String, String>;

#[derive(Template, WebTemplate)]
#[template(path = "pos/stand_in.html")]
struct StandInPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    voucher: Option<VoucherOut>,
    member: Option<LookupOut>,
    tier_name: String,
    /// The refusal of the last check, in the reader's words, and which form it belongs to.
    refused: String,
    refused_form: &'static str,
    values: Form,
}

impl StandInPage {
    fn val(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

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

#[derive(Default)]
struct Shown {
    voucher: Option<VoucherOut>,
    member: Option<LookupOut>,
    refused: String,
    refused_form: &'static str,
}

async fn render(c: &Console, want: Option<&str>, shown: Shown, values: Form) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::TillStandIn).await {
        Ok(x) => x,
        Err(res) => return res,
    };
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
    let refused = !shown.refused.is_empty();
    let mut res = StandInPage {
        page,
        store,
        stores,
        voucher: shown.voucher,
        member: shown.member,
        tier_name,
        refused: shown.refused,
        refused_form: shown.refused_form,
        values,
    }
    .into_response();
    if refused {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

async fn page(c: Console, Query(q): Query<Q>) -> Response {
    render(&c, q.store.as_deref(), Shown::default(), Form::new()).await
}

/// The words of a refusal on this page: the field's message when a field was wrong, else the
/// refusal's own sentence.
fn said(e: &AppError, page: &Page) -> String {
    let line = refusal_line(e, page);
    if !line.is_empty() {
        return line;
    }
    e.fields
        .iter()
        .map(|f| page.t(f.key))
        .collect::<Vec<_>>()
        .join(" ")
}

async fn submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let form = v.form;
    let get = |k: &str| form.get(k).map_or("", String::as_str).trim().to_string();
    let want = get("store");
    let (store, _) = match store_choice(&c, Some(&want), Permission::TillStandIn).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "standin.title");
    let mut shown = Shown::default();
    if form.contains_key("serial") {
        let code = get("check_code");
        match redeem::check_at_console(
            &c.ctx,
            store.id,
            &get("serial"),
            Some(code.as_str()).filter(|s| !s.is_empty()),
        )
        .await
        {
            Ok(v) => shown.voucher = Some(v),
            Err(e) => {
                let e = AppError::from(e);
                if e.code.status == 403 {
                    return e.into_response();
                }
                shown.refused = said(&e, &page);
                shown.refused_form = "voucher";
            }
        }
    } else {
        let typed_raw = get("card_or_phone");
        let typed = patron_core::typed::fold_width(&typed_raw);
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        let is_phone = digits.len() == 11 && digits.starts_with('1');
        let found = if is_phone {
            super::lookup(&c.ctx, None, Some(&digits)).await
        } else {
            super::lookup(&c.ctx, Some(&digits), None).await
        };
        match found {
            Ok(m) => shown.member = Some(m),
            Err(e) => {
                shown.refused = said(&AppError::from(e), &page);
                shown.refused_form = "member";
            }
        }
    }
    let mut values = form.clone();
    values.remove("check_code");
    values.remove("_csrf");
    render(&c, Some(&store.code), shown, values).await
}
