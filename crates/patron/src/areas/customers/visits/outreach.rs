//! The daily outreach plan and summary (外联计划与总结, F5; S0: 首先制定当天外联计划（拜访单位、
//! 联系人）；外联总结需详细记录拜访情况、达到的程度、是否有合作意向、联系人及电话、有意向的何时签定
//! 协议、未达成意向的原因；每周对拜访单位的数量、情况进行总结，交部门经理).
//!
//! Each planned visit is one row of its salesperson's day; the same row takes the day's summary.
//! A row is written and summarised only by its own salesperson. The week's roll-up counts, per
//! salesperson, the visits planned and summarised, the contacts reached and the intents.

use chrono::{Datelike, Days, NaiveDate};
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::input::{choice, date, optional_date, optional_id, text};
use super::me;
use super::store::outreach::{self as store, NewPlan, OutreachRow, Summary};
use crate::areas::customers::CustomersError;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::kernel::validation::Invalid;

/// Intents recorded in a summary (合作意向), weakest first.
pub const INTENTS: [&str; 4] = ["none", "low", "medium", "high"];

/// A planned visit as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = visits::PlanIn, examples(json!({
    "on_date": "2026-09-25", "customer_id": 1, "organisation": "", "contact": "工会王主席",
    "purpose": "介绍中秋团购方案"
})))]
pub struct PlanIn {
    /// The day (empty: today).
    #[serde(default)]
    pub on_date: String,
    /// A customer on file (optional); its name is the organisation when none is typed.
    #[serde(default, deserialize_with = "super::input::id_text")]
    #[schema(value_type = Option<i64>)]
    pub customer_id: String,
    /// The organisation to visit (拜访单位), when it is not (yet) a customer.
    #[serde(default)]
    pub organisation: String,
    /// Who to see (联系人).
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub purpose: String,
}

/// Adds a planned visit to the caller's day; its id.
pub async fn plan(ctx: &Ctx, input: &PlanIn) -> Result<i64, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let staff = me(ctx, Permission::ManageCustomers)?;
    let mut bad = Invalid::new();
    let today = ctx.today();
    let on = date(&mut bad, "on_date", &input.on_date, Some(today));
    let customer_id = optional_id(&mut bad, "customer_id", &input.customer_id);
    let organisation = text(&mut bad, "organisation", &input.organisation, 100);
    if customer_id.is_none() && organisation.is_empty() && input.customer_id.trim().is_empty() {
        bad.add("organisation", "invalid.required");
    }
    let contact = text(&mut bad, "contact", &input.contact, 100);
    let purpose = text(&mut bad, "purpose", &input.purpose, 500);
    bad.into_result()?;
    let on = on.unwrap_or(today);
    let store = crate::areas::customers::files::record::desk_store(ctx, "").await?;
    let shared = std::sync::Arc::new((organisation, contact, purpose));
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, shared) = (c.clone(), shared.clone());
            Box::pin(async move {
                let (organisation, contact, purpose) = &*shared;
                let organisation = match customer_id {
                    Some(id) => {
                        let name = store::customer_name(tx, id)
                            .await?
                            .ok_or_else(|| Invalid::one("customer_id", "invalid.not_found"))?;
                        if organisation.is_empty() {
                            name
                        } else {
                            organisation.clone()
                        }
                    }
                    None => organisation.clone(),
                };
                let id = store::insert(
                    tx,
                    &NewPlan {
                        staff_id: staff,
                        store_id: store.id,
                        on_date: on,
                        customer_id,
                        organisation: &organisation,
                        contact,
                        purpose,
                        at: ts(c.now()),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("customers.outreach_planned", "customer_outreach", id)
                        .after(&json!({
                            "on_date": on, "customer_id": customer_id, "organisation": organisation,
                        })),
                );
                Ok(id)
            })
        })
        .await
}

/// The day's summary of one planned visit as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = visits::SummaryIn, examples(json!({
    "result": "见到工会主席，介绍了方案", "intent": "high", "contact_made": true,
    "sign_by": "2026-10-10", "why_not": ""
})))]
pub struct SummaryIn {
    /// How far it got (达到的程度).
    #[serde(default)]
    pub result: String,
    /// `none`, `low`, `medium` or `high`.
    #[serde(default)]
    pub intent: String,
    /// The contact was reached.
    #[serde(default)]
    pub contact_made: bool,
    /// With an intent: when they expect to sign (何时签定协议).
    #[serde(default)]
    pub sign_by: String,
    /// Without one: why not (未达成意向的原因).
    #[serde(default)]
    pub why_not: String,
}

/// Writes the summary of one of the caller's planned visits.
pub async fn summarise(ctx: &Ctx, id: i64, input: &SummaryIn) -> Result<(), CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let staff = me(ctx, Permission::ManageCustomers)?;
    let mut bad = Invalid::new();
    let result = text(&mut bad, "result", &input.result, 2000);
    if result.is_empty() {
        bad.add("result", "invalid.required");
    }
    let intent = choice(&mut bad, "intent", &input.intent, &INTENTS);
    let sign_by = optional_date(&mut bad, "sign_by", &input.sign_by);
    let why_not = text(&mut bad, "why_not", &input.why_not, 1000);
    if intent == "none" && why_not.is_empty() {
        bad.add("why_not", "customers.visits.invalid.why_not");
    }
    bad.into_result()?;
    let contact_made = input.contact_made;
    let shared = std::sync::Arc::new((result, why_not));
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, shared) = (c.clone(), shared.clone());
            Box::pin(async move {
                let (result, why_not) = &*shared;
                let ok = store::summarise(
                    tx,
                    id,
                    staff,
                    &Summary {
                        contact_made,
                        result,
                        intent,
                        sign_by,
                        why_not,
                        at: ts(c.now()),
                    },
                )
                .await?;
                if !ok {
                    return Err(CustomersError::NotFound);
                }
                tx.audit(
                    c.audit("customers.outreach_summarised", "customer_outreach", id)
                        .after(&json!({
                            "intent": intent, "contact_made": contact_made, "sign_by": sign_by,
                        })),
                );
                Ok(())
            })
        })
        .await
}

/// The caller's day.
pub async fn my_day(ctx: &Ctx, on: NaiveDate) -> Result<Vec<OutreachRow>, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let staff = me(ctx, Permission::ManageCustomers)?;
    Ok(store::day(ctx.db(), Some(staff), on).await?)
}

/// One salesperson's week.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = visits::WeekRow)]
pub struct WeekRow {
    pub staff_id: i64,
    pub staff_name: String,
    pub planned: i64,
    pub summarised: i64,
    pub contact_made: i64,
    pub intent_high: i64,
    pub intent_medium: i64,
    pub intent_low: i64,
    pub intent_none: i64,
}

/// The Monday of `day`'s week.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The roll-up of the week containing `day` (Monday to Sunday), per salesperson, and the rows.
pub async fn week(
    ctx: &Ctx,
    day: NaiveDate,
) -> Result<(NaiveDate, Vec<WeekRow>, Vec<OutreachRow>), CustomersError> {
    ctx.require(Permission::AssignCustomers)?;
    let from = week_start(day);
    let to = from + Days::new(6);
    let rows = store::between(ctx.db(), from, to).await?;
    let mut out: Vec<WeekRow> = Vec::new();
    for r in &rows {
        let pos = match out.iter().position(|w| w.staff_id == r.staff_id) {
            Some(p) => p,
            None => {
                out.push(WeekRow {
                    staff_id: r.staff_id,
                    staff_name: r.staff_name.clone(),
                    ..WeekRow::default()
                });
                out.len() - 1
            }
        };
        let w = &mut out[pos];
        w.planned += 1;
        if r.summarised {
            w.summarised += 1;
            if r.contact_made {
                w.contact_made += 1;
            }
            match r.intent.as_str() {
                "high" => w.intent_high += 1,
                "medium" => w.intent_medium += 1,
                "low" => w.intent_low += 1,
                _ => w.intent_none += 1,
            }
        }
    }
    Ok((from, out, rows))
}

#[cfg(test)]
mod tests {
    use super::week_start;
    use chrono::NaiveDate;

    #[test]
    fn a_week_starts_on_monday() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        assert_eq!(week_start(d("2026-09-25")), d("2026-09-21"));
        assert_eq!(week_start(d("2026-09-21")), d("2026-09-21"));
        assert_eq!(week_start(d("2026-09-27")), d("2026-09-21"));
    }
}
