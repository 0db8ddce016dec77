//! Things every till request needs and staff change rarely (the loyalty settings and tiers, the
//! group-buy settings, the stores), kept in memory for a few seconds. The cache names no area:
//! each area's settings type implements `Cached` (how to load it), and the cache keeps one copy
//! per type. A change made through this process clears every copy at once (other instances
//! catch up within `TTL`).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::db::{Db, DbError};
pub use super::stores::{StoreInfo, Stores};

const TTL: Duration = Duration::from_secs(5);

/// A value the cache may hold: read from the database at most every `TTL`.
pub trait Cached: Send + Sync + Sized + 'static {
    fn load(db: &Db) -> impl Future<Output = Result<Self, DbError>> + Send;
}

type Slot = (Instant, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
pub struct Cache {
    slots: RwLock<HashMap<TypeId, Slot>>,
}

impl Cache {
    /// The cached `T`, loaded when missing or older than `TTL`.
    pub async fn get<T: Cached>(&self, db: &Db) -> Result<Arc<T>, DbError> {
        if let Some(v) = self.fresh::<T>() {
            return Ok(v);
        }
        let v = Arc::new(T::load(db).await?);
        if let Ok(mut slots) = self.slots.write() {
            slots.insert(TypeId::of::<T>(), (Instant::now(), v.clone()));
        }
        Ok(v)
    }

    fn fresh<T: Cached>(&self) -> Option<Arc<T>> {
        let slots = self.slots.read().ok()?;
        let (at, v) = slots.get(&TypeId::of::<T>())?;
        if at.elapsed() >= TTL {
            return None;
        }
        v.clone().downcast::<T>().ok()
    }

    /// The stores (the till path and most pages need them).
    pub async fn stores(&self, db: &Db) -> Result<Arc<Stores>, DbError> {
        self.get::<Stores>(db).await
    }

    /// Forget everything (after a change to settings, tiers or stores).
    pub fn invalidate(&self) {
        if let Ok(mut slots) = self.slots.write() {
            slots.clear();
        }
    }
}
