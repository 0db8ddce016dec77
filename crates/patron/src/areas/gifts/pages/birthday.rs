//! Birthday gifts: this month's entitlements, the hand-over form and the gift per tier.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use patron_core::Permission;

use super::shared::{Names, Q, names, reshow, with_status};
use crate::areas::gifts::birthday::{self, EntitlementRow, TierGift};
use crate::areas::gifts::catalogue::{self, GiftRow};
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, store_choice};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "gifts/birthday.html")]
struct BirthdayPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    month: String,
    rows: Vec<EntitlementRow>,
    tiers: Vec<TierGift>,
    gifts: Vec<GiftRow>,
    n: Names,
    can_claim: bool,
    can_manage: bool,
    r: Reshow,
}

impl BirthdayPage {
    fn tier_name(&self, t: &TierGift) -> String {
        if self.page.is_en() {
            t.tier_en.clone()
        } else {
            t.tier_zh.clone()
        }
    }

    /// The entitlement's tier by name (the tier list holds every tier), the code only if the
    /// tier has since been removed.
    fn row_tier(&self, e: &EntitlementRow) -> String {
        self.tiers
            .iter()
            .find(|t| t.tier_code == e.tier_code)
            .map_or_else(|| e.tier_code.clone(), |t| self.tier_name(t))
    }

    /// A tier's birthday gift by name.
    fn tier_gift(&self, t: &TierGift) -> String {
        let name = if self.page.is_en() {
            t.gift_en.as_deref()
        } else {
            t.gift_zh.as_deref()
        };
        name.unwrap_or("—").to_string()
    }

    fn row_gift(&self, e: &EntitlementRow) -> String {
        if self.page.is_en() {
            e.gift_en.clone()
        } else {
            e.gift_zh.clone()
        }
    }

    fn gift_name(&self, g: &GiftRow) -> String {
        g.name(self.page.is_en()).to_string()
    }

    fn form_of(&self, t: &TierGift) -> String {
        format!("tier:{}", t.tier_code)
    }

    fn tier_gift_is(&self, t: &TierGift, g: &GiftRow) -> bool {
        let form = self.form_of(t);
        if self.r.is(&form) {
            self.r.has_val(&form, "gift_code", &g.code)
        } else {
            t.gift_code.as_deref() == Some(g.code.as_str())
        }
    }

    fn tier_qty(&self, t: &TierGift) -> String {
        let form = self.form_of(t);
        if self.r.is(&form) {
            self.r.val(&form, "qty").to_string()
        } else {
            t.qty.map(|q| q.to_string()).unwrap_or_else(|| "1".into())
        }
    }
}

async fn render_birthday(
    c: &Console,
    want: Option<&str>,
    flash: Option<&str>,
    r: Reshow,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let today = crate::kernel::dates::business_date(c.ctx.now(), store.tz);
    let loaded = async {
        let rows = birthday::month_list(
            c.ctx.db(),
            store.id,
            i64::from(today.year()),
            i64::from(today.month()),
        )
        .await?;
        let tiers = birthday::settings(c.ctx.db()).await?;
        let gifts = catalogue::list_gifts(c.ctx.db())
            .await?
            .into_iter()
            .filter(|g| g.active)
            .collect();
        let n = names(&c.ctx, c.lang.code() == "en").await?;
        Ok::<_, AppError>((rows, tiers, gifts, n))
    }
    .await;
    let (rows, tiers, gifts, n) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let status = r.status();
    with_status(
        BirthdayPage {
            page: Page::console(c, "birthday.title").with_flash("success", flash),
            can_claim: c.ctx.can_at(Permission::ClaimRewards, store.id),
            can_manage: c.ctx.can(Permission::ManageRewardSettings),
            month: crate::kernel::dates::month_key(today),
            store,
            stores,
            rows,
            tiers,
            gifts,
            n,
            r,
        }
        .into_response(),
        status,
    )
}

pub(super) async fn birthday_page(c: Console, Query(q): Query<Q>) -> Response {
    render_birthday(&c, q.store.as_deref(), q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn claim_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let input = birthday::ClaimIn {
        store_code: store.clone(),
        card_no: field(&f, "card_no"),
    };
    match birthday::claim(&c.ctx, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/rewards/birthday?store={store}&ok=flash.saved")).into_response()
        }
        Err(e) => match reshow(e, &Page::console(&c, "birthday.title"), "claim", f) {
            Ok(r) => render_birthday(&c, Some(&store), None, r).await,
            Err(res) => *res,
        },
    }
}

pub(super) async fn settings_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let tier = field(&f, "tier_code");
    let input = birthday::TierGiftIn {
        tier_code: tier.clone(),
        gift_code: field(&f, "gift_code"),
        qty: field(&f, "qty"),
    };
    match birthday::save_setting(&c.ctx, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/rewards/birthday?store={store}&ok=flash.saved")).into_response()
        }
        Err(e) => match reshow(
            e,
            &Page::console(&c, "birthday.title"),
            &format!("tier:{tier}"),
            f,
        ) {
            Ok(r) => render_birthday(&c, Some(&store), None, r).await,
            Err(res) => *res,
        },
    }
}
