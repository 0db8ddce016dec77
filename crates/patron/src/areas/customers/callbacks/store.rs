//! The SQL of callbacks: the log (`customer_callbacks`, append-only), the cadence and the
//! overdue list (from `customers.last_contact_at`, never by scanning the log), escalations, and
//! the holiday campaigns with their calls.

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// What logging a callback needs to know of its customer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subject {
    pub id: i64,
    pub name: String,
    pub state: String,
    pub store_id: i64,
    pub owner_staff_id: Option<i64>,
}

pub async fn subject(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<Subject>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select id, name, state, store_id, owner_staff_id from customers where id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?
    }))
}

/// A callback as logged.
pub struct NewCallback<'a> {
    pub customer_id: i64,
    pub at: DateTime<Utc>,
    pub way: &'a str,
    pub summary: &'a str,
    pub outcome: &'a str,
    pub next_step: &'a str,
    pub caller_staff_id: i64,
    pub owner_staff_id: Option<i64>,
    pub store_id: i64,
    pub biz_date: NaiveDate,
    pub request_key: Option<&'a str>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_callback(tx: &mut Tx, c: &NewCallback<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_callbacks (customer_id, at, way, summary, outcome, next_step, \
             caller_staff_id, owner_staff_id, store_id, biz_date, request_key, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
        )
        .bind(c.customer_id)
        .bind(ts(c.at))
        .bind(c.way)
        .bind(c.summary)
        .bind(c.outcome)
        .bind(c.next_step)
        .bind(c.caller_staff_id)
        .bind(c.owner_staff_id)
        .bind(c.store_id)
        .bind(c.biz_date)
        .bind(c.request_key)
        .bind(ts(c.created_at))
        .fetch_one(x)
        .await?
    }))
}

/// The customer was contacted at `at`: the last contact moves forward (never back, a callback
/// may be logged late) and the warning that it would return to the pool is cleared.
pub async fn touch_customer(tx: &mut Tx, id: i64, at: DateTime<Utc>) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customers set last_contact_at = case when last_contact_at is null \
             or last_contact_at < $1 then $1 else last_contact_at end, pool_warned_on = null \
             where id = $2",
        )
        .bind(ts(at))
        .bind(id)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// One line of the callback log (客户回访登记本), with its escalation if it raised one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallbackRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub at: DateTime<Utc>,
    pub biz_date: NaiveDate,
    pub way: String,
    pub summary: String,
    pub outcome: String,
    pub next_step: String,
    pub caller: String,
    pub caller_name: String,
    pub request_key: Option<String>,
    pub escalation_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

const CALLBACK_SELECT: &str = "select b.id, b.customer_id, c.name as customer_name, b.at, \
     b.biz_date, b.way, b.summary, b.outcome, b.next_step, s.username as caller, \
     s.display_name as caller_name, b.request_key, e.id as escalation_id, e.due_on, e.answer, \
     e.answered_at from customer_callbacks b join customers c on c.id = b.customer_id \
     join staff s on s.id = b.caller_staff_id left join customer_escalations e on e.callback_id = b.id";

/// The callback logged under `key` (a repeat of the same request).
pub async fn callback_by_key(tx: &mut Tx, key: &str) -> Result<Option<CallbackRow>, DbError> {
    let sql = format!("{CALLBACK_SELECT} where b.request_key = $1");
    Ok(on_tx!(tx, |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(key)
            .fetch_optional(x)
            .await?
    }))
}

pub async fn callback(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<CallbackRow>, DbError> {
    let sql = format!("{CALLBACK_SELECT} where b.id = $1");
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(x)
            .await?
    }))
}

/// Which callbacks the log shows.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub customer_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub caller_staff_id: Option<i64>,
    /// Only the callbacks of customers this person owns now.
    pub owner_staff_id: Option<i64>,
    pub limit: i64,
}

/// The callback log, newest first.
pub async fn callbacks(db: &Db, f: &LogFilter) -> Result<Vec<CallbackRow>, DbError> {
    let sql = format!(
        "{CALLBACK_SELECT} where ($1 = 0 or b.customer_id = $1) and ($2 = 0 or b.caller_staff_id = $2) \
         and ($3 = 0 or c.owner_staff_id = $3) and b.biz_date >= $4 and b.biz_date <= $5 \
         order by b.at desc, b.id desc limit $6"
    );
    let from = f.from.unwrap_or_default();
    let to =
        f.to.or_else(|| NaiveDate::from_ymd_opt(9999, 12, 31))
            .unwrap_or_default();
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(f.customer_id.unwrap_or(0))
            .bind(f.caller_staff_id.unwrap_or(0))
            .bind(f.owner_staff_id.unwrap_or(0))
            .bind(from)
            .bind(to)
            .bind(f.limit)
            .fetch_all(p)
            .await?
    }))
}

/// A person who may appear in the caller filter.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

/// Staff who logged at least one callback.
pub async fn callers(db: &Db) -> Result<Vec<Person>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, username, display_name from staff s where exists \
             (select 1 from customer_callbacks b where b.caller_staff_id = s.id) order by display_name",
        )
        .fetch_all(p)
        .await?
    }))
}

/// The callback cadence in days per grade (A, B, C).
pub async fn cadence(db: &Db) -> Result<(i64, i64, i64), DbError> {
    let row: Option<(i64, i64, i64)> = on_db!(db, |p| {
        sqlx::query_as(
            "select cadence_a_days, cadence_b_days, cadence_c_days from customer_settings where id = 1",
        )
        .fetch_optional(p)
        .await?
    });
    Ok(row.unwrap_or((14, 14, 14)))
}

/// A customer whose callback is due: its last contact (or since when it is owned).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueRow {
    pub customer_id: i64,
    pub name: String,
    pub grade: String,
    pub owner_staff_id: i64,
    pub owner: String,
    pub owner_name: String,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub since: DateTime<Utc>,
}

/// Active owned customers not contacted since the limit of their grade (`limits` for A, B, C),
/// of one owner or all, longest-waiting first. One pass over `customers` (its last contact is
/// kept with it), never over the log.
pub async fn due(
    db: &Db,
    limits: [DateTime<Utc>; 3],
    owner_staff_id: Option<i64>,
) -> Result<Vec<DueRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select c.id as customer_id, c.name, c.grade, c.owner_staff_id, s.username as owner, \
             s.display_name as owner_name, c.last_contact_at, \
             coalesce(c.last_contact_at, c.owned_since, c.created_at) as since \
             from customers c join staff s on s.id = c.owner_staff_id \
             where c.state = 'active' and c.owner_staff_id is not null \
             and ($4 = 0 or c.owner_staff_id = $4) \
             and coalesce(c.last_contact_at, c.owned_since, c.created_at) < \
             case c.grade when 'A' then $1 when 'B' then $2 else $3 end \
             order by since, c.id",
        )
        .bind(ts(limits[0]))
        .bind(ts(limits[1]))
        .bind(ts(limits[2]))
        .bind(owner_staff_id.unwrap_or(0))
        .fetch_all(p)
        .await?
    }))
}

/// An escalation as inserted.
pub struct NewEscalation<'a> {
    pub callback_id: i64,
    pub customer_id: i64,
    pub store_id: i64,
    pub problem: &'a str,
    pub raised_by: i64,
    pub raised_at: DateTime<Utc>,
    pub due_on: NaiveDate,
}

pub async fn insert_escalation(tx: &mut Tx, e: &NewEscalation<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_escalations (callback_id, customer_id, store_id, problem, \
             raised_by, raised_at, due_on) values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(e.callback_id)
        .bind(e.customer_id)
        .bind(e.store_id)
        .bind(e.problem)
        .bind(e.raised_by)
        .bind(ts(e.raised_at))
        .bind(e.due_on)
        .fetch_one(x)
        .await?
    }))
}

/// An escalation with its customer, who raised it and who answered it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EscalationRow {
    pub id: i64,
    pub callback_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub store_id: i64,
    pub problem: String,
    pub raised_by: String,
    pub raised_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub answer: String,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

const ESCALATION_SELECT: &str = "select e.id, e.callback_id, e.customer_id, c.name as customer_name, \
     e.store_id, e.problem, r.display_name as raised_by, e.raised_at, e.due_on, e.answer, \
     a.display_name as answered_by, e.answered_at from customer_escalations e \
     join customers c on c.id = e.customer_id join staff r on r.id = e.raised_by \
     left join staff a on a.id = e.answered_by";

/// Escalations, open ones (by due date) or the latest answered ones.
pub async fn escalations(db: &Db, open: bool, limit: i64) -> Result<Vec<EscalationRow>, DbError> {
    let sql = if open {
        format!("{ESCALATION_SELECT} where e.answered_at is null order by e.due_on, e.id limit $1")
    } else {
        format!(
            "{ESCALATION_SELECT} where e.answered_at is not null order by e.answered_at desc, e.id desc limit $1"
        )
    };
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(limit)
            .fetch_all(p)
            .await?
    }))
}

pub async fn escalation(
    ex: impl Into<Exec<'_>>,
    id: i64,
) -> Result<Option<EscalationRow>, DbError> {
    let sql = format!("{ESCALATION_SELECT} where e.id = $1");
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(x)
            .await?
    }))
}

/// Answers an open escalation; 0 when it was answered already.
pub async fn answer_escalation(
    tx: &mut Tx,
    id: i64,
    answer: &str,
    by: i64,
    at: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customer_escalations set answer = $1, answered_by = $2, answered_at = $3 \
             where id = $4 and answered_at is null",
        )
        .bind(answer)
        .bind(by)
        .bind(ts(at))
        .bind(id)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// Open escalations (and how many of them are past their due date on `today`).
pub async fn open_escalation_counts(db: &Db, today: NaiveDate) -> Result<(i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select cast(count(*) as bigint), cast(coalesce(sum(case when due_on < $1 then 1 else 0 end), 0) as bigint) \
             from customer_escalations where answered_at is null",
        )
        .bind(today)
        .fetch_one(p)
        .await?
    }))
}

// ---- holiday campaigns ----

/// A holiday campaign.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub festival: String,
    pub year: i64,
    pub festival_date: NaiveDate,
    pub calls_from: NaiveDate,
    pub calls_to: NaiveDate,
    pub built_at: DateTime<Utc>,
    pub calls: i64,
    pub called: i64,
    pub reached: i64,
    pub intends: i64,
    pub expected_fen: i64,
}

const CAMPAIGN_SELECT: &str = "select m.id, m.festival, m.year, m.festival_date, m.calls_from, \
     m.calls_to, m.built_at, cast(count(k.id) as bigint) as calls, \
     cast(count(k.callback_id) as bigint) as called, \
     cast(coalesce(sum(k.reached), 0) as bigint) as reached, \
     cast(coalesce(sum(k.intends), 0) as bigint) as intends, \
     cast(coalesce(sum(k.expected_fen), 0) as bigint) as expected_fen \
     from customer_campaigns m left join customer_campaign_calls k on k.campaign_id = m.id";
const CAMPAIGN_GROUP: &str = "group by m.id, m.festival, m.year, m.festival_date, m.calls_from, \
     m.calls_to, m.built_at";

pub async fn campaigns(db: &Db) -> Result<Vec<CampaignRow>, DbError> {
    let sql =
        format!("{CAMPAIGN_SELECT} {CAMPAIGN_GROUP} order by m.festival_date desc, m.id desc");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await?
    }))
}

pub async fn campaign(db: &Db, id: i64) -> Result<Option<CampaignRow>, DbError> {
    let sql = format!("{CAMPAIGN_SELECT} where m.id = $1 {CAMPAIGN_GROUP}");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// The campaign of a festival in a year, if it was built.
pub async fn campaign_of(
    ex: impl Into<Exec<'_>>,
    festival: &str,
    year: i64,
) -> Result<Option<i64>, DbError> {
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_scalar("select id from customer_campaigns where festival = $1 and year = $2")
            .bind(festival)
            .bind(year)
            .fetch_optional(x)
            .await?
    }))
}

/// A campaign as built.
pub struct NewCampaign<'a> {
    pub festival: &'a str,
    pub year: i64,
    pub festival_date: NaiveDate,
    pub calls_from: NaiveDate,
    pub calls_to: NaiveDate,
    pub built_by: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Inserts a campaign; none when this festival's campaign of the year exists already.
pub async fn insert_campaign(tx: &mut Tx, m: &NewCampaign<'_>) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_campaigns (festival, year, festival_date, calls_from, calls_to, \
             built_by, built_at) values ($1, $2, $3, $4, $5, $6, $7) \
             on conflict (festival, year) do nothing returning id",
        )
        .bind(m.festival)
        .bind(m.year)
        .bind(m.festival_date)
        .bind(m.calls_from)
        .bind(m.calls_to)
        .bind(m.built_by)
        .bind(ts(m.at))
        .fetch_optional(x)
        .await?
    }))
}

/// A customer who may be called, with its history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    pub kind: String,
    pub grade: String,
    pub owner_staff_id: i64,
    /// Group-buy sales since the history's start, and their amount.
    pub purchases: i64,
    pub purchase_fen: i64,
    /// Group-buy purchases before last year's same festival.
    pub last_holiday_fen: i64,
}

/// Every active owned customer with its group-buy history: sales since `since`, and the amount
/// bought in `[last_from, last_to)`. Sales are linked by the organisation's folded name.
pub async fn candidates(
    db: &Db,
    since: NaiveDate,
    last_from: NaiveDate,
    last_to: NaiveDate,
) -> Result<Vec<Candidate>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select c.id, c.kind, c.grade, c.owner_staff_id, \
             cast(coalesce(h.n, 0) as bigint) as purchases, \
             cast(coalesce(h.fen, 0) as bigint) as purchase_fen, \
             cast(coalesce(l.fen, 0) as bigint) as last_holiday_fen \
             from customers c \
             left join (select b.org_key, count(*) as n, sum(s.amount_fen) as fen from gb_sales s \
               join gb_buyers b on b.id = s.buyer_id where s.state <> 'bounced' and s.biz_date >= $1 \
               and b.org_key is not null group by b.org_key) h on h.org_key = c.name_key \
             left join (select b.org_key, sum(s.amount_fen) as fen from gb_sales s \
               join gb_buyers b on b.id = s.buyer_id where s.state <> 'bounced' and s.biz_date >= $2 \
               and s.biz_date < $3 and b.org_key is not null group by b.org_key) l on l.org_key = c.name_key \
             where c.state = 'active' and c.owner_staff_id is not null order by c.id",
        )
        .bind(since)
        .bind(last_from)
        .bind(last_to)
        .fetch_all(p)
        .await?
    }))
}

/// One planned call.
pub struct NewCall {
    pub customer_id: i64,
    pub owner_staff_id: i64,
    pub call_on: NaiveDate,
    pub list_no: i64,
    pub large: bool,
    pub purchases: i64,
    pub purchase_fen: i64,
    pub last_holiday_fen: i64,
    pub gift_visit_on: Option<NaiveDate>,
}

pub async fn insert_call(tx: &mut Tx, campaign_id: i64, k: &NewCall) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "insert into customer_campaign_calls (campaign_id, customer_id, owner_staff_id, call_on, \
             list_no, large, purchases, purchase_fen, last_holiday_fen, gift_visit_on) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             on conflict (campaign_id, customer_id) do nothing",
        )
        .bind(campaign_id)
        .bind(k.customer_id)
        .bind(k.owner_staff_id)
        .bind(k.call_on)
        .bind(k.list_no)
        .bind(i64::from(k.large))
        .bind(k.purchases)
        .bind(k.purchase_fen)
        .bind(k.last_holiday_fen)
        .bind(k.gift_visit_on)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// A callback logged on `biz_date` is the call of every campaign running then that lists the
/// customer: the first such callback is the call; reached and intent are kept once said, and
/// the amount expected is the latest one given.
pub async fn link_campaign_call(
    tx: &mut Tx,
    customer_id: i64,
    biz_date: NaiveDate,
    callback_id: i64,
    outcome: (bool, bool, i64),
) -> Result<u64, DbError> {
    let (reached, intends, expected_fen) = outcome;
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customer_campaign_calls set callback_id = coalesce(callback_id, $1), \
             called_on = coalesce(called_on, $2), \
             reached = case when $3 = 1 then 1 else reached end, \
             intends = case when $4 = 1 then 1 else intends end, \
             expected_fen = case when $5 > 0 then $5 else expected_fen end \
             where customer_id = $6 and campaign_id in (select id from customer_campaigns \
             where calls_from <= $2 and festival_date > $2)",
        )
        .bind(callback_id)
        .bind(biz_date)
        .bind(i64::from(reached))
        .bind(i64::from(intends))
        .bind(expected_fen)
        .bind(customer_id)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// One call of a campaign, with what it led to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub kind: String,
    pub grade: String,
    pub owner: String,
    pub owner_name: String,
    pub call_on: NaiveDate,
    pub list_no: i64,
    pub large: i64,
    pub purchases: i64,
    pub purchase_fen: i64,
    pub last_holiday_fen: i64,
    pub gift_visit_on: Option<NaiveDate>,
    pub callback_id: Option<i64>,
    pub called_on: Option<NaiveDate>,
    pub reached: i64,
    pub intends: i64,
    pub expected_fen: i64,
    /// Group-buy sales of the customer from the call until the festival.
    pub sales_after_fen: i64,
}

/// The calls of a campaign by day, salesperson and rank (of one salesperson, or all).
pub async fn calls(
    db: &Db,
    campaign_id: i64,
    owner_staff_id: Option<i64>,
) -> Result<Vec<CallRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select k.id, k.customer_id, c.name as customer_name, c.kind, c.grade, \
             coalesce(s.username, '') as owner, coalesce(s.display_name, '') as owner_name, \
             k.call_on, k.list_no, k.large, k.purchases, k.purchase_fen, k.last_holiday_fen, \
             k.gift_visit_on, k.callback_id, k.called_on, k.reached, k.intends, k.expected_fen, \
             cast(coalesce((select sum(g.amount_fen) from gb_sales g join gb_buyers b on b.id = g.buyer_id \
               where b.org_key = c.name_key and g.state <> 'bounced' and k.called_on is not null \
               and g.biz_date >= k.called_on and g.biz_date <= m.festival_date), 0) as bigint) as sales_after_fen \
             from customer_campaign_calls k join customer_campaigns m on m.id = k.campaign_id \
             join customers c on c.id = k.customer_id left join staff s on s.id = k.owner_staff_id \
             where k.campaign_id = $1 and ($2 = 0 or k.owner_staff_id = $2) \
             order by k.call_on, s.display_name, k.list_no",
        )
        .bind(campaign_id)
        .bind(owner_staff_id.unwrap_or(0))
        .fetch_all(p)
        .await?
    }))
}

/// Calls of `staff_id` planned for `day` and not made yet.
pub async fn calls_waiting(db: &Db, staff_id: i64, day: NaiveDate) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from customer_campaign_calls \
             where owner_staff_id = $1 and call_on = $2 and callback_id is null",
        )
        .bind(staff_id)
        .bind(day)
        .fetch_one(p)
        .await?
    }))
}
