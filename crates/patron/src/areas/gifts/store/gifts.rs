//! The gift list (`gifts`: gifts and coupons, their value and points price) and the exchange
//! catalogue read over it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// One gift or coupon of the list.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct GiftRow {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// `gift` or `coupon`.
    pub kind: String,
    pub value_fen: i64,
    /// Null: not in the exchange catalogue.
    pub points_price: Option<i64>,
    pub active: bool,
}

impl GiftRow {
    pub fn name(&self, en: bool) -> &str {
        if en && !self.name_en.is_empty() {
            &self.name_en
        } else {
            &self.name_zh
        }
    }
}

const GIFT: &str =
    "select id, code, name_zh, name_en, kind, value_fen, points_price, active from gifts";

/// Every gift, by kind and code.
pub async fn list(db: &Db) -> Result<Vec<GiftRow>, DbError> {
    let sql = format!("{GIFT} order by kind, code");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?
    }))
}

/// The gift with this code (trimmed, upper case), from the read pool or inside a write.
pub async fn by_code(ex: impl Into<Exec<'_>>, code: &str) -> Result<Option<GiftRow>, DbError> {
    let sql = format!("{GIFT} where code = $1");
    let code = code.trim().to_ascii_uppercase();
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(c)
            .await?
    }))
}

/// The gift with this id, from the read pool or inside a write.
pub async fn by_id(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<GiftRow>, DbError> {
    let sql = format!("{GIFT} where id = $1");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

/// Changes gift `id` to what `g` says (its code stays).
pub async fn update(tx: &mut Tx, id: i64, g: &GiftRow) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update gifts set name_zh = $1, name_en = $2, kind = $3, value_fen = $4, \
             points_price = $5, active = $6 where id = $7",
        )
        .bind(&g.name_zh)
        .bind(&g.name_en)
        .bind(&g.kind)
        .bind(g.value_fen)
        .bind(g.points_price)
        .bind(g.active)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Adds gift `g` (its id is ignored); returns the new id.
pub async fn insert(tx: &mut Tx, g: &GiftRow, at: DateTime<Utc>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gifts (code, name_zh, name_en, kind, value_fen, points_price, active, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(&g.code)
        .bind(&g.name_zh)
        .bind(&g.name_en)
        .bind(&g.kind)
        .bind(g.value_fen)
        .bind(g.points_price)
        .bind(g.active)
        .bind(ts(at))
        .fetch_one(c)
        .await?
    }))
}

/// (code, name, value) of the active gifts, cheapest first (the reward thresholds' choice).
pub async fn active_by_value(db: &Db) -> Result<Vec<(String, String, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select code, name_zh, value_fen from gifts where active order by value_fen, code",
        )
        .fetch_all(p)
        .await?
    }))
}

/// The exchange catalogue at a store: active gifts with a points price and the stock there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogueItem {
    pub gift: GiftRow,
    pub on_hand: i64,
}

/// The catalogue at `store_id`, cheapest first.
pub async fn catalogue(db: &Db, store_id: i64) -> Result<Vec<CatalogueItem>, DbError> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        String,
        String,
        String,
        String,
        i64,
        Option<i64>,
        bool,
        Option<i64>,
    )> = on_db!(db, |p| {
        sqlx::query_as(
            "select g.id, g.code, g.name_zh, g.name_en, g.kind, g.value_fen, g.points_price, \
                 g.active, s.on_hand from gifts g \
                 left join gift_stock s on s.gift_id = g.id and s.store_id = $1 \
                 where g.active and g.points_price is not null order by g.points_price, g.code",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(id, code, name_zh, name_en, kind, value_fen, points_price, active, on_hand)| {
                CatalogueItem {
                    gift: GiftRow {
                        id,
                        code,
                        name_zh,
                        name_en,
                        kind,
                        value_fen,
                        points_price,
                        active,
                    },
                    on_hand: on_hand.unwrap_or(0),
                }
            },
        )
        .collect())
}
