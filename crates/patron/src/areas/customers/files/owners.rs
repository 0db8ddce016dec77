//! Who owns a customer (F2): claiming from the shared pool (公海) within the per-person cap, a
//! manager's reassigning and balancing. Every change of owner is a guarded update (it names the
//! owner it expects, so of two changes at once one wins and the other writes nothing) plus a row
//! in the append-only owner history, in one transaction. Credit for a sale stays with whoever
//! made it: sales keep their seller, only the file changes hands.

use std::collections::BTreeMap;

use patron_core::Permission;
use patron_core::access::allows;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::store::{self, OwnerChange};
use crate::areas::customers::CustomersError;
use crate::kernel::ctx::{Ctx, Forbidden, StaffActor};
use crate::kernel::db::{Tx, ts};
use crate::kernel::validation::Invalid;

/// The signed-in staff member (scripts act for their token's holder).
pub(super) fn me(ctx: &Ctx, p: Permission) -> Result<StaffActor, CustomersError> {
    ctx.actor
        .staff()
        .cloned()
        .ok_or(CustomersError::Forbidden(Forbidden(p)))
}

/// One owner change: the guarded move, its history row and its audit entry.
struct Move<'a> {
    id: i64,
    from: Option<i64>,
    to: Option<i64>,
    reason: &'a str,
    note: &'a str,
    action: &'a str,
}

/// Moves a customer as `m` says; `Conflict` when it no longer has the expected owner.
async fn apply(tx: &mut Tx, ctx: &Ctx, m: &Move<'_>) -> Result<(), CustomersError> {
    let now = ts(ctx.now());
    if store::move_owner(tx, m.id, m.from, m.to, now).await? != 1 {
        return Err(match store::get(&mut *tx, m.id).await? {
            None => CustomersError::NotFound,
            Some(_) => CustomersError::Conflict(format!(
                "customer {} changed owner meanwhile; nothing was written",
                m.id
            )),
        });
    }
    let by = ctx.actor.staff().map(|s| s.id);
    store::insert_owner_change(
        tx,
        &OwnerChange {
            customer_id: m.id,
            from_staff_id: m.from,
            to_staff_id: m.to,
            reason: m.reason,
            note: m.note,
            by_staff_id: by,
            at: now,
        },
    )
    .await?;
    tx.audit(
        ctx.audit(m.action, "customer", m.id)
            .before(&json!({ "owner_staff_id": m.from }))
            .after(&json!({ "owner_staff_id": m.to, "reason": m.reason, "note": m.note })),
    );
    Ok(())
}

/// Claims a customer from the shared pool for the caller, within the cap of customers one person
/// may hold. Of two claims of one customer at once, one wins; the other is refused.
pub async fn claim(ctx: &Ctx, id: i64) -> Result<(), CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let staff_id = me(ctx, Permission::ManageCustomers)?.id;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                store::lock_claimer(tx, staff_id).await?;
                let cap = store::settings(&mut *tx).await?.claim_cap;
                let held = store::count_owned(&mut *tx, staff_id).await?;
                if held >= cap {
                    return Err(CustomersError::CapReached { cap });
                }
                let m = Move {
                    id,
                    from: None,
                    to: Some(staff_id),
                    reason: "claimed",
                    note: "",
                    action: "customers.claimed",
                };
                apply(tx, &c, &m).await
            })
        })
        .await
}

/// A manager's reassignment: to whom, and why.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = customers::ReassignIn, examples(json!({"to": "sales_li", "note": "王经理调岗"})))]
pub struct ReassignIn {
    /// The new owner's user name; empty puts the customer back in the shared pool.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub note: String,
    /// The owner the manager saw (user name; empty = the pool). When given, a customer whose
    /// owner changed meanwhile is refused instead of moved.
    #[serde(default)]
    pub from: Option<String>,
}

/// Whether a staff member holds `p` through one of their roles (at any store).
pub(super) async fn holders(
    ctx: &Ctx,
    p: Permission,
) -> Result<BTreeMap<String, (i64, String)>, CustomersError> {
    let mut out = BTreeMap::new();
    for line in store::staff_roles(ctx.db()).await? {
        if patron_core::Role::from_code(&line.role).is_some_and(|r| allows(r, p)) {
            out.insert(line.username.clone(), (line.id, line.display_name.clone()));
        }
    }
    Ok(out)
}

/// The staff member who may own customers with this user name.
async fn owner_named(ctx: &Ctx, field: &str, username: &str) -> Result<i64, CustomersError> {
    let may = holders(ctx, Permission::ManageCustomers).await?;
    may.get(username.trim())
        .map(|(id, _)| *id)
        .ok_or_else(|| Invalid::one(field, "customers.invalid.owner").into())
}

/// Reassigns a customer to another salesperson (or back to the pool), with a note.
pub async fn reassign(ctx: &Ctx, id: i64, input: &ReassignIn) -> Result<(), CustomersError> {
    ctx.require(Permission::AssignCustomers)?;
    let note = input.note.trim().to_owned();
    if note.chars().count() > 500 {
        return Err(Invalid::one("note", "invalid.too_long").into());
    }
    let to = if input.to.trim().is_empty() {
        None
    } else {
        Some(owner_named(ctx, "to", &input.to).await?)
    };
    let current = store::get(ctx.db(), id)
        .await?
        .ok_or(CustomersError::NotFound)?;
    if current.state != "active" {
        return Err(CustomersError::Conflict(format!(
            "customer {id} is archived"
        )));
    }
    let from = match &input.from {
        Some(u) if u.trim().is_empty() => None,
        Some(u) if u.trim() != current.owner => {
            return Err(CustomersError::Conflict(format!(
                "customer {id} changed owner meanwhile; nothing was written"
            )));
        }
        _ => current.owner_staff_id,
    };
    if from == to {
        return Err(Invalid::one("to", "customers.invalid.same_owner").into());
    }
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, note) = (c.clone(), note.clone());
            Box::pin(async move {
                let m = Move {
                    id,
                    from,
                    to,
                    reason: "reassigned",
                    note: &note,
                    action: "customers.reassigned",
                };
                apply(tx, &c, &m).await
            })
        })
        .await
}

/// Moving customers from one salesperson to another to even out their numbers.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = customers::BalanceIn)]
pub struct BalanceIn {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// How many customers to move (the longest without contact first).
    #[serde(default)]
    pub count: String,
    #[serde(default)]
    pub note: String,
}

/// Moves `count` customers of one salesperson to another (each a history row `balanced`); how
/// many moved.
pub async fn balance(ctx: &Ctx, input: &BalanceIn) -> Result<usize, CustomersError> {
    ctx.require(Permission::AssignCustomers)?;
    let mut bad = Invalid::new();
    let may = holders(ctx, Permission::ManageCustomers).await?;
    let from = may.get(input.from.trim()).map(|(id, _)| *id);
    if from.is_none() {
        bad.add("from", "customers.invalid.owner");
    }
    let to = may.get(input.to.trim()).map(|(id, _)| *id);
    if to.is_none() {
        bad.add("to", "customers.invalid.owner");
    }
    let count = match input.count.trim().parse::<i64>() {
        Ok(n) if (1..=1000).contains(&n) => n,
        _ => {
            bad.add("count", "customers.invalid.count");
            0
        }
    };
    let note = input.note.trim().to_owned();
    if note.chars().count() > 500 {
        bad.add("note", "invalid.too_long");
    }
    if from.is_some() && from == to {
        bad.add("to", "customers.invalid.same_owner");
    }
    bad.into_result()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Ok(0);
    };
    let ids = store::pick_for_balance(ctx.db(), from, count).await?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, ids, note) = (c.clone(), ids.clone(), note.clone());
            Box::pin(async move {
                for id in &ids {
                    let m = Move {
                        id: *id,
                        from: Some(from),
                        to: Some(to),
                        reason: "balanced",
                        note: &note,
                        action: "customers.balanced",
                    };
                    apply(tx, &c, &m).await?;
                }
                Ok(ids.len())
            })
        })
        .await
}

/// A salesperson's load: user name, name, active customers held.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = customers::Load)]
pub struct Load {
    pub username: String,
    pub name: String,
    pub customers: i64,
}

/// Every staff member who may own customers, with how many they hold (most first).
pub async fn loads(ctx: &Ctx) -> Result<Vec<Load>, CustomersError> {
    ctx.require(Permission::AssignCustomers)?;
    let may = holders(ctx, Permission::ManageCustomers).await?;
    let counts: BTreeMap<i64, i64> = store::owned_counts(ctx.db()).await?.into_iter().collect();
    let mut out: Vec<Load> = may
        .into_iter()
        .map(|(username, (id, name))| Load {
            customers: counts.get(&id).copied().unwrap_or(0),
            username,
            name,
        })
        .collect();
    out.sort_by(|a, b| {
        b.customers
            .cmp(&a.customers)
            .then(a.username.cmp(&b.username))
    });
    Ok(out)
}
