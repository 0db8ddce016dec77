//! Members' advisors (J2): the staff member who looks after a member. A manager sets, changes or
//! removes it; every change is audited and kept in the append-only history. An advisor is an
//! enabled staff account holding a role that may care for members at the member's store.

use patron_core::Permission;
use patron_core::access::allows;
use serde_json::json;

use super::{CareError, store};
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::Invalid;

/// Someone who may be an advisor at a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

/// The staff who may be advisors of members of `store_id`.
pub async fn candidates(ctx: &Ctx, store_id: i64) -> Result<Vec<Candidate>, CareError> {
    ctx.require(Permission::CareForMembers)?;
    let rows = store::staff_roles(ctx.db(), Some(store_id)).await?;
    let mut out: Vec<Candidate> = Vec::new();
    for r in rows {
        let may = patron_core::Role::from_code(&r.role)
            .is_some_and(|role| allows(role, Permission::CareForMembers));
        if may && !out.iter().any(|c| c.id == r.id) {
            out.push(Candidate {
                id: r.id,
                username: r.username,
                display_name: r.display_name,
            });
        }
    }
    Ok(out)
}

/// Sets the member's advisor to the staff member `username` (empty: none). `reason` is kept with
/// the change. Returns the member's new advisor's staff id.
pub async fn set_advisor(
    ctx: &Ctx,
    member_id: i64,
    username: &str,
    reason: &str,
) -> Result<Option<i64>, CareError> {
    ctx.require(Permission::ManageCare)?;
    let member = store::member(ctx.db(), member_id)
        .await?
        .filter(|m| m.status == "active")
        .ok_or(CareError::NotFound)?;
    ctx.require_at(Permission::ManageCare, member.store_id)?;
    let reason = reason.trim().to_owned();
    if reason.chars().count() > 500 {
        return Err(Invalid::one("reason", "invalid.too_long").into());
    }
    let username = username.trim();
    let to = if username.is_empty() {
        None
    } else {
        let found = candidates(ctx, member.store_id)
            .await?
            .into_iter()
            .find(|c| c.username == username)
            .ok_or_else(|| CareError::NotAnAdvisor(username.to_owned()))?;
        Some(found.id)
    };
    let me = ctx.actor.staff().map(|s| s.id);
    let c = ctx.clone();
    let store_id = member.store_id;
    ctx.db()
        .write(move |tx| {
            let (c, reason) = (c.clone(), reason.clone());
            Box::pin(async move {
                let before = store::set_advisor(tx, member_id, to, me, &reason, c.now()).await?;
                tx.audit(
                    c.audit("care.advisor_set", "member", member_id)
                        .store(store_id)
                        .before(&json!({ "advisor_staff_id": before }))
                        .after(&json!({ "advisor_staff_id": to, "reason": reason })),
                );
                Ok::<_, CareError>(())
            })
        })
        .await?;
    Ok(to)
}
