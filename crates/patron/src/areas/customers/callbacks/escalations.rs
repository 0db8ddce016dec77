//! Problems a salesperson could not solve the same day (F8) go to the manager, whose answer is
//! due two working days later (the office calendar, holidays and make-up workdays included). A
//! manager answers each once; the answer is audited.

use patron_core::Permission;
use serde_json::json;

use super::store::{self, EscalationRow};
use crate::areas::customers::CustomersError;
use crate::kernel::ctx::{Ctx, Forbidden};
use crate::kernel::validation::{Invalid, required_text};

/// The open escalations (by due date) and the latest answered ones.
pub async fn list(ctx: &Ctx) -> Result<(Vec<EscalationRow>, Vec<EscalationRow>), CustomersError> {
    ctx.require(Permission::AssignCustomers)?;
    let open = store::escalations(ctx.db(), true, 500).await?;
    let answered = store::escalations(ctx.db(), false, 50).await?;
    Ok((open, answered))
}

/// Answers escalation `id`. An escalation answered already is refused (nothing is written).
pub async fn answer(ctx: &Ctx, id: i64, text: &str) -> Result<(), CustomersError> {
    ctx.require(Permission::AssignCustomers)?;
    let Some(me) = ctx.actor.staff().map(|s| s.id) else {
        return Err(Forbidden(Permission::AssignCustomers).into());
    };
    let answer = required_text(text, 2000).map_err(|k| Invalid::one("answer", k))?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, answer) = (c.clone(), answer.clone());
            Box::pin(async move {
                let e = store::escalation(&mut *tx, id)
                    .await?
                    .ok_or(CustomersError::NotFound)?;
                c.require_at(Permission::AssignCustomers, e.store_id)?;
                if store::answer_escalation(tx, id, &answer, me, c.now()).await? != 1 {
                    return Err(CustomersError::Conflict(format!(
                        "escalation {id} was answered already"
                    )));
                }
                tx.audit(
                    c.audit("customers.escalation_answered", "customer", e.customer_id)
                        .store(e.store_id)
                        .after(&json!({ "escalation_id": id, "due_on": e.due_on })),
                );
                Ok(())
            })
        })
        .await
}
