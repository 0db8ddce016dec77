//! Logging a callback (F4, F8): what was said, how, what came of it and what happens next. The
//! write also moves the customer's last contact (so the overdue list changes at once), clears
//! the warning that it would return to the pool, counts as the call of a holiday campaign
//! running then, and — when the problem could not be solved the same day — raises an escalation
//! to the managers with its answer due two working days later.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use patron_core::{Fen, Permission};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::store::{self, CallbackRow, NewCallback, NewEscalation, Subject};
use crate::areas::calendar;
use crate::areas::customers::{CustomersError, WAYS};
use crate::kernel::ctx::{Ctx, Forbidden};
use crate::kernel::db::{Tx, ts};
use crate::kernel::validation::{Invalid, required_text};
use crate::notify::{Notice, To, notice};

/// The outbox kind of the notice that tells the managers of an escalated problem.
pub const ESCALATION_KIND: &str = "customer_escalation";

/// Working days the manager has to answer an escalated problem (F8: "answer due in two days").
pub const ANSWER_DAYS: u32 = 2;

/// A callback as entered at the desk or sent by a script.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = customers::CallbackIn, examples(json!({
    "way": "phone", "summary": "询问中秋节前是否发放职工福利", "outcome": "节前发放购物卡，约 5 万元",
    "next_step": "9 月 5 日前送报价"
})))]
pub struct CallbackIn {
    /// `visit`, `phone` or `mail`.
    #[serde(default)]
    pub way: String,
    /// What was said (回访内容概括).
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub next_step: String,
    /// When the callback was made (RFC 3339, or a local `2026-09-25T10:30` / `2026-09-25`);
    /// empty: now. Never in the future.
    #[serde(default)]
    pub at: String,
    /// A key that makes a repeat of the same request log nothing more.
    #[serde(default)]
    pub key: String,
    /// The problem could not be solved the same day: it goes to the manager.
    #[serde(default)]
    pub escalate: bool,
    /// The problem for the manager (empty: the outcome, else the summary).
    #[serde(default)]
    pub problem: String,
    /// A holiday call: the customer was reached.
    #[serde(default)]
    pub reached: bool,
    /// A holiday call: the customer intends to buy.
    #[serde(default)]
    pub intends: bool,
    /// A holiday call: the amount they expect to spend, in fen.
    #[serde(default)]
    pub expected_fen: i64,
}

/// A callback as logged.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = customers::Callback)]
pub struct Logged {
    pub id: i64,
    pub customer_id: i64,
    pub at: DateTime<Utc>,
    pub way: String,
    pub summary: String,
    pub outcome: String,
    pub next_step: String,
    /// The caller's user name.
    pub caller: String,
    /// The escalation it raised, if any.
    pub escalation: Option<EscalationOut>,
}

/// An escalated problem and when its answer is due.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = customers::EscalationRef)]
pub struct EscalationOut {
    pub id: i64,
    pub due_on: NaiveDate,
}

impl From<CallbackRow> for Logged {
    fn from(r: CallbackRow) -> Self {
        Logged {
            id: r.id,
            customer_id: r.customer_id,
            at: r.at,
            way: r.way,
            summary: r.summary,
            outcome: r.outcome,
            next_step: r.next_step,
            caller: r.caller,
            escalation: r
                .escalation_id
                .zip(r.due_on)
                .map(|(id, due_on)| EscalationOut { id, due_on }),
        }
    }
}

/// The checked input.
#[derive(Debug, Clone)]
struct Checked {
    way: &'static str,
    summary: String,
    outcome: String,
    next_step: String,
    at: DateTime<Utc>,
    key: Option<String>,
    problem: Option<String>,
    campaign: (bool, bool, i64),
}

fn text(bad: &mut Invalid, field: &str, input: &str, max: usize) -> String {
    let t = input.trim();
    if t.chars().count() > max {
        bad.add(field, "invalid.too_long");
    }
    t.to_owned()
}

/// When the callback was made: RFC 3339, a local date and time, or a local date (today: now;
/// another day: noon).
fn parse_at(ctx: &Ctx, input: &str) -> Result<DateTime<Utc>, &'static str> {
    let t = input.trim();
    let now = ctx.now();
    if t.is_empty() {
        return Ok(now);
    }
    let tz = ctx.app.config.tz();
    let local = |n: NaiveDateTime| {
        tz.from_local_datetime(&n)
            .earliest()
            .map(|d| d.with_timezone(&Utc))
    };
    let at = if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        Some(d.with_timezone(&Utc))
    } else if let Ok(n) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
    {
        local(n)
    } else if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        if d == ctx.today() {
            Some(now)
        } else {
            local(d.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()))
        }
    } else {
        None
    };
    match at {
        None => Err("invalid.date"),
        Some(at) if at > now => Err("invalid.future"),
        Some(at) => Ok(ts(at)),
    }
}

fn check(ctx: &Ctx, input: &CallbackIn) -> Result<Checked, Invalid> {
    let mut bad = Invalid::new();
    let way = WAYS
        .iter()
        .copied()
        .find(|w| w.eq_ignore_ascii_case(input.way.trim()));
    if way.is_none() {
        let key = if input.way.trim().is_empty() {
            "invalid.required"
        } else {
            "invalid.choice"
        };
        bad.add("way", key);
    }
    let summary = bad
        .check("summary", required_text(&input.summary, 2000))
        .unwrap_or_default();
    let outcome = text(&mut bad, "outcome", &input.outcome, 2000);
    let next_step = text(&mut bad, "next_step", &input.next_step, 2000);
    let at = bad.check("at", parse_at(ctx, &input.at));
    let key = Some(input.key.trim().to_owned()).filter(|k| !k.is_empty());
    if key.as_ref().is_some_and(|k| k.len() > 100) {
        bad.add("key", "invalid.too_long");
    }
    let problem = text(&mut bad, "problem", &input.problem, 2000);
    if !(0..=Fen::from_yuan(100_000_000).map_or(i64::MAX, |f| f.0)).contains(&input.expected_fen) {
        bad.add("expected_fen", "invalid.amount");
    }
    bad.into_result()?;
    let (Some(way), Some(at)) = (way, at) else {
        return Err(Invalid::one("way", "invalid.required"));
    };
    let problem = input.escalate.then(|| {
        [&problem, &outcome, &summary]
            .into_iter()
            .find(|t| !t.is_empty())
            .cloned()
            .unwrap_or_default()
    });
    Ok(Checked {
        way,
        summary,
        outcome,
        next_step,
        at,
        key,
        problem,
        campaign: (input.reached, input.intends, input.expected_fen),
    })
}

/// Who may log a callback of `subject`: its owner, or someone who assigns customers. A customer
/// in the pool is refused: it is claimed first.
fn may_log(ctx: &Ctx, subject: &Subject, staff_id: i64) -> Result<(), CustomersError> {
    if subject.state != "active" {
        return Err(CustomersError::NotFound);
    }
    let Some(owner) = subject.owner_staff_id else {
        return Err(CustomersError::InPool(subject.id));
    };
    if owner == staff_id || ctx.can_at(Permission::AssignCustomers, subject.store_id) {
        Ok(())
    } else {
        Err(CustomersError::NotOwner(subject.id))
    }
}

/// Logs a callback of customer `customer_id` by the caller. A repeat under the same `key` logs
/// nothing more and answers the first callback; the same key for another customer is refused.
pub async fn log_callback(
    ctx: &Ctx,
    customer_id: i64,
    input: &CallbackIn,
) -> Result<Logged, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let Some(me) = ctx.actor.staff().map(|s| s.id) else {
        return Err(Forbidden(Permission::ManageCustomers).into());
    };
    let checked = check(ctx, input)?;
    // The due date of an escalation is worked out before the write (the calendar is read once).
    let office = calendar::load(ctx.db(), calendar::OFFICE).await?;
    let today = ctx.today();
    let due_on = office
        .add_working_days(today, ANSWER_DAYS)
        .unwrap_or(today + chrono::Days::new(u64::from(ANSWER_DAYS)));
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let c = ctx.clone();
    let id = ctx
        .db()
        .write(move |tx| {
            let (c, k, stores) = (c.clone(), checked.clone(), stores.clone());
            Box::pin(async move {
                if let Some(key) = &k.key
                    && store::callback_by_key(tx, key).await?.is_some()
                {
                    return replay(tx, key, customer_id).await;
                }
                let subject = store::subject(&mut *tx, customer_id)
                    .await?
                    .ok_or(CustomersError::NotFound)?;
                may_log(&c, &subject, me)?;
                let tz = stores
                    .by_id(subject.store_id)
                    .map_or_else(|| c.app.config.tz(), |s| s.tz);
                let biz_date = k.at.with_timezone(&tz).date_naive();
                write(tx, &c, &subject, &k, me, biz_date, due_on).await
            })
        })
        .await?;
    let row = store::callback(ctx.db(), id)
        .await?
        .ok_or(CustomersError::NotFound)?;
    Ok(row.into())
}

/// A repeat of the request logged under `key`: the first callback, when it was of the same
/// customer.
async fn replay(tx: &mut Tx, key: &str, customer_id: i64) -> Result<i64, CustomersError> {
    let first = store::callback_by_key(tx, key)
        .await?
        .ok_or(CustomersError::NotFound)?;
    if first.customer_id != customer_id {
        return Err(CustomersError::Conflict(format!(
            "the key {key:?} was used for another customer's callback"
        )));
    }
    Ok(first.id)
}

/// The writes of one callback, inside the transaction.
async fn write(
    tx: &mut Tx,
    c: &Ctx,
    subject: &Subject,
    k: &Checked,
    me: i64,
    biz_date: NaiveDate,
    due_on: NaiveDate,
) -> Result<i64, CustomersError> {
    let Some(id) = store::insert_callback(
        tx,
        &NewCallback {
            customer_id: subject.id,
            at: k.at,
            way: k.way,
            summary: &k.summary,
            outcome: &k.outcome,
            next_step: &k.next_step,
            caller_staff_id: me,
            owner_staff_id: subject.owner_staff_id,
            store_id: subject.store_id,
            biz_date,
            request_key: k.key.as_deref(),
            created_at: c.now(),
        },
    )
    .await?
    else {
        return replay(tx, k.key.as_deref().unwrap_or_default(), subject.id).await;
    };
    store::touch_customer(tx, subject.id, k.at).await?;
    let linked = store::link_campaign_call(tx, subject.id, biz_date, id, k.campaign).await?;
    tx.audit(
        c.audit("customers.callback_logged", "customer", subject.id)
            .store(subject.store_id)
            .after(&json!({
                "callback_id": id, "at": k.at, "way": k.way, "campaign_calls": linked,
            })),
    );
    if let Some(problem) = &k.problem {
        escalate(tx, c, subject, id, problem, me, due_on).await?;
    }
    Ok(id)
}

/// Raises the escalation of callback `callback_id` and tells the managers of the customer's store.
async fn escalate(
    tx: &mut Tx,
    c: &Ctx,
    subject: &Subject,
    callback_id: i64,
    problem: &str,
    me: i64,
    due_on: NaiveDate,
) -> Result<i64, CustomersError> {
    let id = store::insert_escalation(
        tx,
        &NewEscalation {
            callback_id,
            customer_id: subject.id,
            store_id: subject.store_id,
            problem,
            raised_by: me,
            raised_at: c.now(),
            due_on,
        },
    )
    .await?;
    let caller = c
        .actor
        .staff()
        .map(|s| s.display_name.clone())
        .unwrap_or_default();
    notice(
        tx,
        &Notice {
            to: To::Store(subject.store_id),
            kind: ESCALATION_KIND,
            dedupe_key: format!("customer-escalation:{id}"),
            payload: json!({
                "to_store_id": subject.store_id,
                "escalation_id": id,
                "customer_id": subject.id,
                "customer": subject.name,
                "caller": caller,
                "problem": problem,
                "due_on": due_on,
            }),
            at: c.now(),
        },
    )
    .await?;
    tx.audit(
        c.audit("customers.escalated", "customer", subject.id)
            .store(subject.store_id)
            .after(&json!({ "escalation_id": id, "callback_id": callback_id, "due_on": due_on })),
    );
    Ok(id)
}
