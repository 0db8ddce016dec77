//! The SQL of holiday campaigns: the campaign (one per festival and year), its candidates with
//! their group-buy history, its calls and what they led to.

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

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

/// Inserts a campaign's calls, 500 to a statement (a call already listed is skipped); how many
/// were inserted.
pub async fn insert_calls(
    tx: &mut Tx,
    campaign_id: i64,
    calls: &[NewCall],
) -> Result<u64, DbError> {
    let mut n = 0;
    for chunk in calls.chunks(500) {
        n += on_tx!(tx, |x| {
            let mut q = sqlx::QueryBuilder::new(
                "insert into customer_campaign_calls (campaign_id, customer_id, owner_staff_id, \
                 call_on, list_no, large, purchases, purchase_fen, last_holiday_fen, gift_visit_on) ",
            );
            q.push_values(chunk, |mut row, k| {
                row.push_bind(campaign_id)
                    .push_bind(k.customer_id)
                    .push_bind(k.owner_staff_id)
                    .push_bind(k.call_on)
                    .push_bind(k.list_no)
                    .push_bind(i64::from(k.large))
                    .push_bind(k.purchases)
                    .push_bind(k.purchase_fen)
                    .push_bind(k.last_holiday_fen)
                    .push_bind(k.gift_visit_on);
            });
            q.push(" on conflict (campaign_id, customer_id) do nothing");
            q.build().execute(x).await?.rows_affected()
        });
    }
    Ok(n)
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
