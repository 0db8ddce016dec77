//! The callback cadence (F8): every owned customer is called back at least every N days (per
//! grade, default 14). A customer is due when its last contact — or, never contacted, since it
//! is owned — is older than its grade's cadence; logging a callback moves the last contact in
//! the same write, so the list changes at once.

use chrono::{DateTime, Days, NaiveDate, Utc};
use patron_core::Permission;
use serde::Serialize;
use utoipa::ToSchema;

use super::store::{self, DueRow};
use crate::areas::customers::CustomersError;
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;

/// How a customer stands against its cadence.
#[derive(Debug, Clone)]
pub struct Due {
    pub row: DueRow,
    /// The grade's cadence in days.
    pub cadence: i64,
    /// Whole days since the last contact (or since owned).
    pub days_since: i64,
}

impl Due {
    /// Days left before the callback is overdue (negative: days overdue).
    pub fn days_left(&self) -> i64 {
        self.cadence - self.days_since
    }
}

/// One overdue customer as the API gives it (`api/care.md`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = customers::Overdue)]
pub struct OverdueOut {
    pub customer_id: i64,
    /// The owner's user name.
    pub owner: String,
    /// The last callback logged; null: never contacted.
    pub last_contact_at: Option<DateTime<Utc>>,
    /// Days since the last contact (or since the customer was owned).
    pub days_since: i64,
}

impl From<&Due> for OverdueOut {
    fn from(d: &Due) -> Self {
        OverdueOut {
            customer_id: d.row.customer_id,
            owner: d.row.owner.clone(),
            last_contact_at: d.row.last_contact_at,
            days_since: d.days_since,
        }
    }
}

/// Whose list: the caller's own customers, or everyone's for those who assign customers.
fn whose(ctx: &Ctx) -> Result<Option<i64>, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    if ctx.can(Permission::AssignCustomers) {
        return Ok(None);
    }
    Ok(Some(ctx.actor.staff().map_or(-1, |s| s.id)))
}

/// The customers due for a callback within `ahead` days (0: overdue now), longest-waiting
/// first: the caller's own, or everyone's for those who assign customers.
pub async fn due(ctx: &Ctx, ahead: i64) -> Result<Vec<Due>, CustomersError> {
    let owner = whose(ctx)?;
    due_of(ctx, owner, ahead).await
}

/// As `due`, for one owner (`None`: everyone).
pub async fn due_of(ctx: &Ctx, owner: Option<i64>, ahead: i64) -> Result<Vec<Due>, CustomersError> {
    let (a, b, c) = store::cadence(ctx.db()).await?;
    let tz = ctx.app.config.tz();
    let today = ctx.today();
    // A customer is overdue on `today` when its last contact fell on a day more than `cadence`
    // days ago: the limit is the start of day `today - cadence (+ ahead)`.
    let limit = |days: i64| -> DateTime<Utc> {
        let day = today
            .checked_sub_days(Days::new(u64::try_from(days - ahead).unwrap_or(0)))
            .unwrap_or(today);
        day.and_hms_opt(0, 0, 0)
            .and_then(|n| n.and_local_timezone(tz).earliest())
            .map_or_else(|| ctx.now(), |d| d.with_timezone(&Utc))
    };
    let rows = store::due(ctx.db(), [limit(a), limit(b), limit(c)], owner).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let cadence = match row.grade.as_str() {
                "A" => a,
                "B" => b,
                _ => c,
            };
            let days_since = days_between(business_date(row.since, tz), today);
            Due {
                row,
                cadence,
                days_since,
            }
        })
        .collect())
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// The overdue customers as the API lists them.
pub async fn overdue(ctx: &Ctx) -> Result<Vec<OverdueOut>, CustomersError> {
    Ok(due(ctx, 0).await?.iter().map(OverdueOut::from).collect())
}
