//! The gift list (gifts and coupons): the list and the form to add or edit one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use super::shared::{Q, fail, reshow, with_status};
use crate::areas::gifts::catalogue::{self, GiftRow};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "gifts/list.html")]
struct GiftsPage {
    page: Page,
    gifts: Vec<GiftRow>,
    edit: Option<GiftRow>,
    can_manage: bool,
    r: Reshow,
}

impl GiftsPage {
    /// The value of a field of the form: what was typed, or the gift being edited.
    fn v(&self, name: &str) -> String {
        if self.r.is("gift") {
            return self.r.val("gift", name).to_string();
        }
        let Some(g) = &self.edit else {
            return String::new();
        };
        match name {
            "code" => g.code.clone(),
            "name_zh" => g.name_zh.clone(),
            "name_en" => g.name_en.clone(),
            "kind" => g.kind.clone(),
            "value" => patron_core::Fen(g.value_fen).plain(),
            "points_price" => g.points_price.map(|p| p.to_string()).unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn kind_is(&self, kind: &str) -> bool {
        let v = self.v("kind");
        v == kind || (v.is_empty() && kind == "gift")
    }

    fn active(&self) -> bool {
        if self.r.is("gift") {
            self.r.checked("gift", "active")
        } else {
            self.edit.as_ref().is_none_or(|g| g.active)
        }
    }
}

async fn render_gifts(c: &Console, edit: Option<&str>, flash: Option<&str>, r: Reshow) -> Response {
    if let Err(e) = c.ctx.require(Permission::ViewRewards) {
        return fail(e);
    }
    let gifts = match catalogue::list_gifts(c.ctx.db()).await {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    let edit = edit.and_then(|code| gifts.iter().find(|g| g.code == code).cloned());
    let status = r.status();
    with_status(
        GiftsPage {
            page: Page::console(c, "gift.list_title").with_flash("success", flash),
            gifts,
            edit,
            can_manage: c.ctx.can(Permission::ManageRewardSettings),
            r,
        }
        .into_response(),
        status,
    )
}

pub(super) async fn gifts_page(c: Console, Query(q): Query<Q>) -> Response {
    render_gifts(&c, q.edit.as_deref(), q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn gift_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let input = catalogue::GiftIn {
        code: field(&f, "code"),
        name_zh: field(&f, "name_zh"),
        name_en: field(&f, "name_en"),
        kind: field(&f, "kind"),
        value: field(&f, "value"),
        points_price: field(&f, "points_price"),
        active: f.contains_key("active"),
    };
    match catalogue::save_gift(&c.ctx, &input).await {
        Ok(_) => Redirect::to("/rewards/gifts?ok=flash.saved").into_response(),
        Err(e) => match reshow(e, &Page::console(&c, "gift.list_title"), "gift", f) {
            Ok(r) => render_gifts(&c, None, None, r).await,
            Err(res) => *res,
        },
    }
}
