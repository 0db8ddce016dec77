//! The daily job `partner-contract-reminders` (G2): a contract in force whose reminder day
//! (`ends_on − remind_days`) has come gets one message to the responsible staff member in the
//! outbox (dedupe key per contract and reminder day, so reruns queue nothing more), and a
//! contract past its end is expired; its partner, if no other contract keeps it going, moves to
//! expired with a dated history row.

use chrono::NaiveDate;
use serde_json::json;

use super::store::{self, ContractRow};
use super::{PartnersError, history};
use crate::jobs::RunReport;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::notify::{NewMessage, queue};
use crate::on_tx;

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
                let new = queue(
                    tx,
                    &NewMessage {
                        member_id: None,
                        kind: KIND,
                        channel: "staff",
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
                        marketing: false,
                        at: c.now(),
                    },
                )
                .await?;
                if new {
                    on_tx!(tx, |x| {
                        sqlx::query(
                            "update partner_contracts set reminded_on = $1 where id = $2 and reminded_on is null",
                        )
                        .bind(today)
                        .bind(k.id)
                        .execute(x)
                        .await
                        .map(|r| r.rows_affected())
                    })?;
                    tx.audit(c.audit("partners.reminded", "partner", partner.id).after(&json!({
                        "contract_no": k.contract_no, "ends_on": k.ends_on,
                    })));
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
                let n = on_tx!(tx, |x| {
                    sqlx::query(
                        "update partner_contracts set state = 'expired' where id = $1 and state = 'in_force'",
                    )
                    .bind(k.id)
                    .execute(x)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                if n != 1 {
                    return Ok(false);
                }
                let others: i64 = on_tx!(tx, |x| {
                    sqlx::query_scalar(
                        "select cast(count(*) as bigint) from partner_contracts where partner_id = $1 \
                         and state = 'in_force' and ends_on >= $2",
                    )
                    .bind(k.partner_id)
                    .bind(today)
                    .fetch_one(x)
                    .await?
                });
                if others == 0 {
                    let stage: Option<String> = on_tx!(tx, |x| {
                        sqlx::query_scalar("select stage from partners where id = $1")
                            .bind(k.partner_id)
                            .fetch_optional(x)
                            .await?
                    });
                    if let Some(stage) = stage.filter(|s| matches!(s.as_str(), "signed" | "active"))
                    {
                        let moved = on_tx!(tx, |x| {
                            sqlx::query(
                                "update partners set stage = 'expired', stage_on = $1 where id = $2 and stage = $3",
                            )
                            .bind(today)
                            .bind(k.partner_id)
                            .bind(&stage)
                            .execute(x)
                            .await
                            .map(|r| r.rows_affected())
                        })?;
                        if moved == 1 {
                            let note = format!("合同 {} 于 {} 到期", k.contract_no, k.ends_on);
                            history(tx, &c, k.partner_id, Some(&stage), "expired", today, &note)
                                .await?;
                        }
                    }
                }
                tx.audit(c.audit("partners.expired", "partner", k.partner_id).after(&json!({
                    "contract_no": k.contract_no, "ends_on": k.ends_on, "at": ts(c.now()),
                })));
                Ok(true)
            })
        })
        .await
}
