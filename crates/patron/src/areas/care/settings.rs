//! The care settings (J2, configurable): which tiers a purchase starts a care schedule for
//! (default platinum). Changing them is a manager's step, audited before and after; it applies
//! to receipts the job has not read yet.

use patron_core::Permission;
use serde_json::json;

use super::{CareError, store};
use crate::areas::points::settings::Loyalty;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError};
use crate::kernel::validation::Invalid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareSettings {
    /// Tier codes whose purchases are cared for.
    pub tiers: Vec<String>,
}

fn split(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn load(db: &Db) -> Result<CareSettings, DbError> {
    Ok(CareSettings {
        tiers: split(&store::care_tiers(db).await?),
    })
}

/// Sets the care tiers: at least one, each a tier that exists.
pub async fn save(ctx: &Ctx, tiers: &[String]) -> Result<CareSettings, CareError> {
    ctx.require(Permission::ManageCare)?;
    let loyalty = ctx.app.cache.get::<Loyalty>(ctx.db()).await?;
    let mut chosen: Vec<String> = Vec::new();
    for t in tiers.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if loyalty.tier(t).is_none() {
            return Err(Invalid::one("tiers", "invalid.choice").into());
        }
        if !chosen.iter().any(|c| c == t) {
            chosen.push(t.to_owned());
        }
    }
    if chosen.is_empty() {
        return Err(Invalid::one("tiers", "invalid.required").into());
    }
    let before = load(ctx.db()).await?;
    let after = chosen.join(",");
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, after, before) = (c.clone(), after.clone(), before.tiers.join(","));
            Box::pin(async move {
                store::set_care_tiers(tx, &after).await?;
                tx.audit(
                    c.audit("care.settings_saved", "care_settings", 1)
                        .before(&json!({ "care_tiers": before }))
                        .after(&json!({ "care_tiers": after })),
                );
                Ok::<_, CareError>(())
            })
        })
        .await?;
    Ok(CareSettings { tiers: chosen })
}
