//! The directory review (名录审核, F7; S4 第7篇: 一年 2 次（2 月、8 月）定期对往来客户作调查，
//! 交易关系解除的，分别保管，不删除).
//!
//! A round is one half-year (`2027-02`, `2027-08`): the job `customers-directory-review` opens it
//! in February and August (once: the period is unique), or a manager opens the current one by
//! hand. Opening adds every active customer as an item for its owner. The owner (or a manager)
//! confirms each, or archives it with a reason: the customer's state becomes `archived` and the
//! owner history gets an `archived` row, in the same write; a customer is never deleted, and a
//! manager or the owner may restore it (`restored`).

use chrono::{Datelike, NaiveDate};
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::input::{choice, text};
use super::me;
use super::store::review::{self as store, ProgressRow, RoundRow};
use crate::areas::customers::CustomersError;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::kernel::validation::{Invalid, required_text};

/// The half-year a date falls in: `YYYY-08` from August, `YYYY-02` from February, else the
/// previous year's August.
pub fn period_of(day: NaiveDate) -> String {
    match day.month() {
        8..=12 => format!("{}-08", day.year()),
        2..=7 => format!("{}-02", day.year()),
        _ => format!("{}-08", day.year() - 1),
    }
}

/// A round opened (or found open).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = visits::ReviewOpened)]
pub struct Opened {
    pub id: i64,
    pub period: String,
    /// False when the round was open already (nothing changed).
    pub opened: bool,
    /// Customers added to the round now.
    pub added: u64,
}

/// Opens the round of the half-year `today` falls in (idempotent). A manager's step, or the
/// job's.
pub async fn open_round(ctx: &Ctx, today: NaiveDate) -> Result<Opened, CustomersError> {
    if ctx.actor.staff().is_some() {
        ctx.require(Permission::AssignCustomers)?;
    }
    let by = ctx.actor.staff().map(|s| s.id);
    let period = period_of(today);
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, period) = (c.clone(), period.clone());
            Box::pin(async move {
                let (id, opened) = store::open(tx, &period, today, by, ts(c.now())).await?;
                if !opened {
                    return Ok(Opened {
                        id,
                        period,
                        opened,
                        added: 0,
                    });
                }
                let added = store::fill(tx, id).await?;
                tx.audit(
                    c.audit("customers.review_opened", "customer_review", id)
                        .after(&json!({ "period": period, "customers": added })),
                );
                Ok(Opened {
                    id,
                    period,
                    opened,
                    added,
                })
            })
        })
        .await
}

/// The latest round and each salesperson's progress in it.
pub async fn progress(ctx: &Ctx) -> Result<Option<(RoundRow, Vec<ProgressRow>)>, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    let Some(round) = store::latest(ctx.db()).await? else {
        return Ok(None);
    };
    let rows = store::progress(ctx.db(), round.id).await?;
    Ok(Some((round, rows)))
}

/// What the owner decided about one customer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = visits::ReviewIn, examples(json!({"outcome": "archive", "note": "单位已撤并，合作终止"})))]
pub struct ReviewIn {
    /// `confirm` (still a customer, the record checked) or `archive` (the relationship ended).
    #[serde(default)]
    pub outcome: String,
    /// Required when archiving: why the relationship ended.
    #[serde(default)]
    pub note: String,
}

/// The caller may act on a customer owned by `owner`: its owner, or a manager.
fn may_act(ctx: &Ctx, owner: Option<i64>, staff: i64) -> Result<(), CustomersError> {
    if owner == Some(staff) || ctx.can(Permission::AssignCustomers) {
        Ok(())
    } else {
        Err(crate::kernel::ctx::Forbidden(Permission::AssignCustomers).into())
    }
}

/// Confirms or archives one customer of a round. Settled items are not changed again.
pub async fn settle(
    ctx: &Ctx,
    review_id: i64,
    customer_id: i64,
    input: &ReviewIn,
) -> Result<String, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let staff = me(ctx, Permission::ManageCustomers)?;
    let mut bad = Invalid::new();
    let outcome = choice(&mut bad, "outcome", &input.outcome, &["confirm", "archive"]);
    let note = if outcome == "archive" {
        bad.check("note", required_text(&input.note, 500))
            .unwrap_or_default()
    } else {
        text(&mut bad, "note", &input.note, 500)
    };
    bad.into_result()?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, note) = (c.clone(), note.clone());
            Box::pin(async move {
                let (owner, state) = store::item(tx, review_id, customer_id)
                    .await?
                    .ok_or(CustomersError::NotFound)?;
                may_act(&c, owner, staff)?;
                if state != "open" {
                    return Err(CustomersError::Conflict(format!(
                        "this customer was {state} in this round already"
                    )));
                }
                let now = ts(c.now());
                let stored = if outcome == "archive" {
                    "archived"
                } else {
                    "confirmed"
                };
                store::settle(tx, review_id, customer_id, stored, &note, staff, now).await?;
                if outcome == "archive" {
                    let owner = store::set_customer_state(
                        tx,
                        customer_id,
                        "active",
                        "archived",
                        &note,
                        now,
                    )
                    .await?
                    .ok_or_else(|| {
                        CustomersError::Conflict("the customer is archived already".into())
                    })?;
                    store::owner_history(tx, customer_id, owner, "archived", &note, staff, now)
                        .await?;
                }
                tx.audit(
                    c.audit(
                        &format!("customers.review_{stored}"),
                        "customer",
                        customer_id,
                    )
                    .after(&json!({ "review_id": review_id, "note": note })),
                );
                Ok(stored.to_string())
            })
        })
        .await
}

/// Restores an archived customer (the relationship resumed): state active again and a
/// `restored` row in the owner history.
pub async fn restore(ctx: &Ctx, customer_id: i64, note: &str) -> Result<(), CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let staff = me(ctx, Permission::ManageCustomers)?;
    let note = required_text(note, 500).map_err(|k| Invalid::one("note", k))?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, note) = (c.clone(), note.clone());
            Box::pin(async move {
                let (owner, state) = store::customer(tx, customer_id)
                    .await?
                    .ok_or(CustomersError::NotFound)?;
                may_act(&c, owner, staff)?;
                if state != "archived" {
                    return Err(CustomersError::Conflict(
                        "the customer is not archived".into(),
                    ));
                }
                let now = ts(c.now());
                store::set_customer_state(tx, customer_id, "archived", "active", "", now).await?;
                store::owner_history(tx, customer_id, owner, "restored", &note, staff, now).await?;
                tx.audit(
                    c.audit("customers.review_restored", "customer", customer_id)
                        .before(&json!({ "state": "archived" }))
                        .after(&json!({ "state": "active", "note": note })),
                );
                Ok(())
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::period_of;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_date_falls_in_the_half_year_that_began_in_february_or_august() {
        assert_eq!(period_of(d("2027-02-01")), "2027-02");
        assert_eq!(period_of(d("2027-07-31")), "2027-02");
        assert_eq!(period_of(d("2027-08-01")), "2027-08");
        assert_eq!(period_of(d("2028-01-15")), "2027-08");
    }
}
