//! Things every till request needs and staff change rarely: the loyalty settings, the tiers,
//! the group-buy settings and the stores. Each is read from the database at most every few seconds; a change made through
//! this process clears its copy at once (other instances catch up within `TTL`).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono_tz::Tz;

use crate::areas::groupbuy::settings::GroupBuySettings;
use crate::areas::points::settings::{self, Loyalty};
use crate::kernel::db::{Db, DbError};

const TTL: Duration = Duration::from_secs(5);

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
}

type Slot<T> = RwLock<Option<(Instant, Arc<T>)>>;

#[derive(Default)]
pub struct Cache {
    loyalty: Slot<Loyalty>,
    stores: Slot<Stores>,
    groupbuy: Slot<GroupBuySettings>,
}

fn fresh<T>(slot: &Slot<T>) -> Option<Arc<T>> {
    let guard = slot.read().ok()?;
    let (at, v) = guard.as_ref()?;
    (at.elapsed() < TTL).then(|| v.clone())
}

fn put<T>(slot: &Slot<T>, v: Arc<T>) {
    if let Ok(mut g) = slot.write() {
        *g = Some((Instant::now(), v));
    }
}

fn clear<T>(slot: &Slot<T>) {
    if let Ok(mut g) = slot.write() {
        *g = None;
    }
}

impl Cache {
    pub async fn loyalty(&self, db: &Db) -> Result<Arc<Loyalty>, DbError> {
        if let Some(v) = fresh(&self.loyalty) {
            return Ok(v);
        }
        let v = Arc::new(settings::load(db).await?);
        put(&self.loyalty, v.clone());
        Ok(v)
    }

    pub async fn stores(&self, db: &Db) -> Result<Arc<Stores>, DbError> {
        if let Some(v) = fresh(&self.stores) {
            return Ok(v);
        }
        let rows = crate::areas::staff::store::list_stores(db).await?;
        let mut s = Stores::default();
        for r in rows {
            let info = StoreInfo {
                id: r.id,
                code: r.code.clone(),
                name: r.name.clone(),
                tz: r.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai),
                active: r.active,
            };
            s.by_code.insert(r.code.to_ascii_uppercase(), info.clone());
            s.by_id.insert(r.id, info);
        }
        let v = Arc::new(s);
        put(&self.stores, v.clone());
        Ok(v)
    }

    pub async fn groupbuy(&self, db: &Db) -> Result<Arc<GroupBuySettings>, DbError> {
        if let Some(v) = fresh(&self.groupbuy) {
            return Ok(v);
        }
        let v = Arc::new(crate::areas::groupbuy::settings::load(db).await?);
        put(&self.groupbuy, v.clone());
        Ok(v)
    }

    /// Forget everything (after a change to settings, tiers or stores).
    pub fn invalidate(&self) {
        clear(&self.loyalty);
        clear(&self.stores);
        clear(&self.groupbuy);
    }
}
