//! The daily job `partner-contract-reminders` (G2): a contract in force whose reminder day
//! (`ends_on − remind_days`) has come gets one message to the responsible staff member in the
//! outbox (dedupe key per contract and reminder day, so reruns queue nothing more), and a
//! contract past its end is expired; its partner, if no other contract keeps it going, moves to
//! expired with a dated history row.

use chrono::NaiveDate;
use serde_json::json;

use super::PartnersError;
use super::pipeline::history;
use super::store::{self, ContractRow};
use crate::jobs::RunReport;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Tx, ts};
use crate::notify::{Notice, To, notice};

/// The outbox kind of a reminder.
pub const KIND: &str = "partner_contract_expiry";

pub async fn run(ctx: &Ctx, today: NaiveDate) -> Result<RunReport, PartnersError> {
    let mut report = RunReport::default();
    let contracts = store::in_force(ctx.db()).await?;
    for c in &contracts {
        report.seen += 1;
        // A contract renewed by a later one needs no reminder.
        let renewed = contracts
            .iter()
            .any(|o| o.partner_id == c.partner_id && o.id != c.id && o.ends_on > c.ends_on);
        if c.ends_on < today {
            if expire(ctx, c, today).await? {
                report.processed += 1;
            }
        } else if !renewed && c.remind_on() <= today && remind(ctx, c, today).await? {
            report.processed += 1;
        }
    }
    Ok(report)
}

/// Queues the reminder of one contract; whether it was new.
async fn remind(
    ctx: &Ctx,
    contract: &ContractRow,
    today: NaiveDate,
) -> Result<bool, PartnersError> {
    let partner = store::get(ctx.db(), contract.partner_id)
        .await?
        .ok_or(PartnersError::NotFound)?;
    let (c, k) = (ctx.clone(), contract.clone());
    ctx.db()
        .write(move |tx| {
            let (c, k, partner) = (c.clone(), k.clone(), partner.clone());
            Box::pin(async move {
                let remind_on = k.remind_on();
                let new = notice(
                    tx,
                    &Notice {
                        to: To::Staff(partner.owner_staff_id),
                        kind: KIND,
                        dedupe_key: format!("partner-contract:{}:{remind_on}", k.id),
                        payload: json!({
                            "to_staff_id": partner.owner_staff_id,
                            "to_staff": partner.owner_name,
                            "department": partner.department,
                            "partner_id": partner.id,
                            "partner": partner.name,
                            "contract_no": k.contract_no,
                            "ends_on": k.ends_on,
                            "days_left": (k.ends_on - today).num_days(),
                        }),
                        at: c.now(),
                    },
                )
                .await?;
                if new {
                    store::mark_reminded(tx, k.id, today).await?;
                    tx.audit(
                        c.audit("partners.reminded", "partner", partner.id)
                            .after(&json!({
                                "contract_no": k.contract_no, "ends_on": k.ends_on,
                            })),
                    );
                }
                Ok::<_, PartnersError>(new)
            })
        })
        .await
}

/// Expires a contract past its end; whether this run did it.
async fn expire(
    ctx: &Ctx,
    contract: &ContractRow,
    today: NaiveDate,
) -> Result<bool, PartnersError> {
    let (c, k) = (ctx.clone(), contract.clone());
    ctx.db()
        .write(move |tx| {
            let (c, k) = (c.clone(), k.clone());
            Box::pin(async move {
                if store::expire_contract(tx, k.id).await? != 1 {
                    return Ok(false);
                }
                if store::ending_from(tx, k.partner_id, today).await? == 0 {
                    expire_partner(tx, &c, &k, today).await?;
                }
                tx.audit(
                    c.audit("partners.expired", "partner", k.partner_id)
                        .after(&json!({
                            "contract_no": k.contract_no, "ends_on": k.ends_on, "at": ts(c.now()),
                        })),
                );
                Ok(true)
            })
        })
        .await
}

/// The partner of an expired contract, if no other contract keeps it going and it was signed or
/// active, moves to expired with a dated history row.
async fn expire_partner(
    tx: &mut Tx,
    c: &Ctx,
    k: &ContractRow,
    today: NaiveDate,
) -> Result<(), PartnersError> {
    let stage = store::stage(tx, k.partner_id).await?;
    let Some(stage) = stage.filter(|s| matches!(s.as_str(), "signed" | "active")) else {
        return Ok(());
    };
    if store::expire_partner(tx, k.partner_id, &stage, today).await? == 1 {
        let note = format!("合同 {} 于 {} 到期", k.contract_no, k.ends_on);
        history(tx, c, k.partner_id, Some(&stage), "expired", today, &note).await?;
    }
    Ok(())
}
