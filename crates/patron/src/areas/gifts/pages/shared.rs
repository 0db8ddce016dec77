//! What the gifts pages share: the re-shown form, the lines of a stock form, the names of
//! gifts and stores, and the paper of the print views.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::gifts::catalogue::{self, GiftRow};
use crate::areas::gifts::stock;
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::web::error::AppError;
use crate::web::extract::Console;
pub(super) use crate::web::forms::reshow;
use crate::web::forms::{Form, field};
use crate::web::print::StorePaper as Paper;

pub(super) fn with_status(mut res: Response, status: StatusCode) -> Response {
    *res.status_mut() = status;
    res
}

pub(super) fn fail(e: impl Into<AppError>) -> Response {
    e.into().into_response()
}

#[derive(Deserialize, Default)]
pub(super) struct Q {
    pub(super) store: Option<String>,
    pub(super) ok: Option<String>,
    pub(super) gift: Option<String>,
    pub(super) card: Option<String>,
    pub(super) edit: Option<String>,
    pub(super) done: Option<i64>,
}

/// Lines `lines[i].gift_code` / `lines[i].qty` of a form.
pub(super) fn lines_of(f: &Form) -> Vec<stock::LineIn> {
    (0..50)
        .map(|i| stock::LineIn {
            gift_code: field(f, &format!("lines[{i}].gift_code")),
            qty: field(f, &format!("lines[{i}].qty")),
        })
        .collect()
}

/// Helpers shared by the templates of this module.
pub struct Names {
    pub en: bool,
    pub gifts: Vec<GiftRow>,
    pub stores: Vec<StoreInfo>,
}

impl Names {
    pub fn gift(&self, id: &i64) -> String {
        self.gifts
            .iter()
            .find(|g| g.id == *id)
            .map(|g| format!("{} {}", g.code, g.name(self.en)))
            .unwrap_or_default()
    }

    pub fn store(&self, id: &i64) -> String {
        self.stores
            .iter()
            .find(|s| s.id == *id)
            .map(|s| s.code.clone())
            .unwrap_or_default()
    }

    pub fn store_opt(&self, id: &Option<i64>) -> String {
        id.map(|i| self.store(&i)).unwrap_or_default()
    }
}

pub(super) async fn names(c: &Ctx, en: bool) -> Result<Names, AppError> {
    let gifts = catalogue::list_gifts(c.db()).await?;
    let cache = c.app.cache.stores(c.db()).await?;
    let stores = crate::areas::staff::store::list_stores(c.db())
        .await?
        .into_iter()
        .filter_map(|s| cache.by_id(s.id).cloned())
        .collect();
    Ok(Names { en, gifts, stores })
}

pub(super) async fn paper(c: &Console, store_id: i64) -> Result<Paper, Response> {
    c.ctx
        .require_at(Permission::ViewRewards, store_id)
        .map_err(fail)?;
    let stores = c.ctx.app.cache.stores(c.ctx.db()).await.map_err(fail)?;
    let store = stores
        .by_id(store_id)
        .cloned()
        .ok_or_else(|| AppError::not_found().into_response())?;
    Ok(Paper::at(store))
}

pub(super) async fn staff_name(db: &crate::kernel::db::Db, id: Option<i64>) -> String {
    match id {
        Some(id) => crate::areas::staff::store::get_staff(db, id)
            .await
            .ok()
            .flatten()
            .map(|s| s.display_name)
            .unwrap_or_default(),
        None => String::new(),
    }
}
