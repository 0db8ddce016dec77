//! The gift list (gifts and coupons, their value and points price) and the points exchange
//! catalogue over it (积分兑换, SPEC C7): the active gifts with a points price and the stock at
//! a store. The exchange itself is in `exchange`.

use std::sync::Arc;

use patron_core::Permission;
use patron_core::money::Fen;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::GiftsError;
use super::store::gifts as store;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Exec};
use crate::kernel::validation::{Invalid, required_text};

pub use super::store::gifts::{CatalogueItem, GiftRow};

/// Every gift, by kind and code.
pub async fn list_gifts(db: &Db) -> Result<Vec<GiftRow>, DbError> {
    store::list(db).await
}

/// The gift with this code (trimmed, upper case), from the read pool (`ctx.db()`) or inside a
/// write (`&mut *tx`).
pub async fn gift_by_code(ex: impl Into<Exec<'_>>, code: &str) -> Result<Option<GiftRow>, DbError> {
    store::by_code(ex, code).await
}

/// The gift with this id, from the read pool or inside a write.
pub async fn gift(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<GiftRow>, DbError> {
    store::by_id(ex, id).await
}

/// (code, name, value) of the active gifts, cheapest first.
pub async fn active_by_value(db: &Db) -> Result<Vec<(String, String, i64)>, DbError> {
    store::active_by_value(db).await
}

/// The exchange catalogue at a store: active gifts with a points price and the stock there.
pub async fn catalogue(db: &Db, store_id: i64) -> Result<Vec<CatalogueItem>, DbError> {
    store::catalogue(db, store_id).await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct GiftIn {
    /// Upper-case letters, digits and `-`; an existing code edits that gift.
    pub code: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    /// `gift` or `coupon`.
    pub kind: String,
    /// Value in yuan.
    pub value: String,
    /// Points price; blank: not exchangeable.
    #[serde(default)]
    pub points_price: String,
    #[serde(default)]
    pub active: bool,
}

/// Checks what was typed; the gift to save (its id is 0).
fn check_gift(input: &GiftIn) -> Result<GiftRow, Invalid> {
    let mut bad = Invalid::new();
    let code = input.code.trim().to_ascii_uppercase();
    if code.is_empty()
        || code.len() > 32
        || !code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
    {
        bad.add("code", "gift.invalid_code");
    }
    let name_zh = bad.check("name_zh", required_text(&input.name_zh, 100));
    let name_en = input.name_en.trim().to_string();
    if name_en.chars().count() > 100 {
        bad.add("name_en", "invalid.too_long");
    }
    if !["gift", "coupon"].contains(&input.kind.as_str()) {
        bad.add("kind", "invalid.required");
    }
    let value = match Fen::parse_yuan(&input.value) {
        Ok(f) if f.0 >= 0 && f.0 <= 100_000_000 => f.0,
        _ => {
            bad.add("value", "invalid.amount");
            0
        }
    };
    let price = match input.points_price.trim() {
        "" => None,
        t => match patron_core::typed::parse_int(t).ok_or(()) {
            Ok(n) if (1..=10_000_000).contains(&n) => Some(n),
            _ => {
                bad.add("points_price", "invalid.points");
                None
            }
        },
    };
    bad.into_result()?;
    Ok(GiftRow {
        id: 0,
        code,
        name_zh: name_zh.unwrap_or_default(),
        name_en,
        kind: input.kind.clone(),
        value_fen: value,
        points_price: price,
        active: input.active,
    })
}

/// Creates a gift, or edits the one with this code (ManageRewardSettings; audited).
pub async fn save_gift(ctx: &Ctx, input: &GiftIn) -> Result<i64, GiftsError> {
    ctx.require(Permission::ManageRewardSettings)?;
    let row = Arc::new((ctx.clone(), check_gift(input)?));
    ctx.db()
        .write(move |tx| {
            let row = row.clone();
            Box::pin(async move {
                let (c, g) = &*row;
                let before = store::by_code(&mut *tx, &g.code).await?;
                let id = match &before {
                    Some(b) => {
                        store::update(tx, b.id, g).await?;
                        b.id
                    }
                    None => store::insert(tx, g, c.now()).await?,
                };
                let mut entry = c.audit("gift.save", "gift", id).after(g);
                if let Some(b) = &before {
                    entry = entry.before(b);
                }
                tx.audit(entry);
                Ok::<_, GiftsError>(id)
            })
        })
        .await
}
