//! Callbacks (G3, the log of F4): each visit or call is logged with what was said, and sets
//! when the next one is due (by default the callback date + the partner's interval).

use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::input::{choice, date, optional_text};
use super::store::{self, NewCallback};
use super::{PartnersError, WAYS, actor_name, staff_id};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::kernel::validation::{Invalid, required_text};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CallbackIn {
    /// The day of the callback (empty: today).
    pub on_date: String,
    /// `phone` or `visit`.
    pub way: String,
    pub content: String,
    pub issues: String,
    pub follow_up: String,
    /// The next callback (empty: the callback date + the partner's interval).
    pub next_due_on: String,
}

/// Logs a callback (G3, the log of F4) and sets when the next one is due.
pub async fn log_callback(
    ctx: &Ctx,
    partner_id: i64,
    input: &CallbackIn,
) -> Result<i64, PartnersError> {
    ctx.require(Permission::ManagePartners)?;
    let mut bad = Invalid::new();
    let today = ctx.today();
    let on = date(&mut bad, "on_date", &input.on_date, Some(today));
    if on.is_some_and(|d| d > today) {
        bad.add("on_date", "invalid.future");
    }
    let way = choice(&mut bad, "way", &input.way, &WAYS);
    let content = bad.check("content", required_text(&input.content, 2000));
    let issues = optional_text(&mut bad, "issues", &input.issues, 2000);
    let follow_up = optional_text(&mut bad, "follow_up", &input.follow_up, 2000);
    let next = if input.next_due_on.trim().is_empty() {
        None
    } else {
        date(&mut bad, "next_due_on", &input.next_due_on, None)
    };
    if let (Some(n), Some(o)) = (next, on)
        && n <= o
    {
        bad.add("next_due_on", "partners.invalid.next_after_callback");
    }
    bad.into_result()?;
    let (Some(on), Some(content)) = (on, content) else {
        return Err(Invalid::one("content", "invalid.required").into());
    };
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, content, issues, follow_up) = (
                c.clone(),
                content.clone(),
                issues.clone(),
                follow_up.clone(),
            );
            Box::pin(async move {
                let every = store::callback_every(tx, partner_id)
                    .await?
                    .ok_or(PartnersError::NotFound)?;
                let next =
                    next.unwrap_or(on + chrono::Days::new(u64::try_from(every).unwrap_or(30)));
                let caller = actor_name(&c);
                let id = store::insert_callback(
                    tx,
                    &NewCallback {
                        partner_id,
                        on_date: on,
                        staff_id: staff_id(&c),
                        caller: &caller,
                        way,
                        content: &content,
                        issues: &issues,
                        follow_up: &follow_up,
                        next_due_on: next,
                        at: ts(c.now()),
                    },
                )
                .await?;
                store::set_next_callback(tx, partner_id, next).await?;
                tx.audit(
                    c.audit("partners.callback_logged", "partner", partner_id)
                        .after(&json!({
                            "callback_id": id, "on": on, "way": way, "next_due_on": next,
                        })),
                );
                Ok(id)
            })
        })
        .await
}
