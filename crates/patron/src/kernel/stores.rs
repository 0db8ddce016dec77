//! The stores as every area needs them: code, name, time zone, open or closed. Read through
//! the cache (`Cache::stores`); the staff area owns their administration.

use std::collections::HashMap;

use chrono_tz::Tz;

use super::cache::Cached;
use super::db::{Db, DbError};
use crate::on_db;

/// A store as the till path needs it.
#[derive(Debug, Clone)]
pub struct StoreInfo {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub tz: Tz,
    pub active: bool,
}

#[derive(Debug, Default)]
pub struct Stores {
    by_code: HashMap<String, StoreInfo>,
    by_id: HashMap<i64, StoreInfo>,
}

impl Stores {
    pub fn by_code(&self, code: &str) -> Option<&StoreInfo> {
        self.by_code.get(&code.trim().to_ascii_uppercase())
    }
    pub fn by_id(&self, id: i64) -> Option<&StoreInfo> {
        self.by_id.get(&id)
    }
    /// Every store, open or closed, in no particular order.
    pub fn all(&self) -> Vec<StoreInfo> {
        self.by_id.values().cloned().collect()
    }
}

impl Cached for Stores {
    async fn load(db: &Db) -> Result<Self, DbError> {
        let rows: Vec<(i64, String, String, String, bool)> = on_db!(db, |p| {
            sqlx::query_as("select id, code, name, time_zone, active from stores order by code")
                .fetch_all(p)
                .await?
        });
        let mut s = Stores::default();
        for (id, code, name, time_zone, active) in rows {
            let info = StoreInfo {
                id,
                code: code.clone(),
                name,
                tz: time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai),
                active,
            };
            s.by_code.insert(code.to_ascii_uppercase(), info.clone());
            s.by_id.insert(id, info);
        }
        Ok(s)
    }
}
