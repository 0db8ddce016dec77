//! The reports area's SQL. Reports is the one area that reads other areas' tables (DESIGN.md),
//! read-only; each query names what it reads:
//! - `members` (store, tier, channel, joined, closed) for M1;
//! - `receipts` (member, time, amount) for the RFM figures, written to `report_rfm`;
//! - `point_entries` with `members` (the member's store when an entry has none) for M2, rolled
//!   up into `report_points_months`; `loyalty_settings` (the redemption value of points).
//!
//! The M3/M4 reports' queries sit in their own files, each naming what it reads: `groupbuy.rs`,
//! `complaints.rs`, `callbacks.rs`, `events.rs`, `partners.rs`.
//!
//! Its own tables: `report_settings`, `report_rfm`, `report_points_months`, `report_cursors`,
//! `report_exports`.

pub mod callbacks;
pub mod complaints;
pub mod events;
pub mod groupbuy;
pub mod partners;

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// The RFM window and breakpoints (one row).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SettingsRow {
    pub window_months: i64,
    pub recent_days: i64,
    pub frequent_purchases: i64,
    pub high_spend_fen: i64,
}

pub async fn settings(db: &Db) -> Result<SettingsRow, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select window_months, recent_days, frequent_purchases, high_spend_fen \
             from report_settings where id = 1",
        )
        .fetch_one(p)
        .await?
    }))
}

pub async fn save_settings(
    tx: &mut Tx,
    s: &SettingsRow,
    staff_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update report_settings set window_months = $1, recent_days = $2, \
             frequent_purchases = $3, high_spend_fen = $4, updated_by = $5, updated_at = $6 \
             where id = 1",
        )
        .bind(s.window_months)
        .bind(s.recent_days)
        .bind(s.frequent_purchases)
        .bind(s.high_spend_fen)
        .bind(staff_id)
        .bind(ts(at))
        .execute(c)
        .await?;
    });
    Ok(())
}

/// Open members joined on or before `to`, counted by store, tier and channel, with how many of
/// them joined on or after `from`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JoinedRow {
    pub store_id: i64,
    pub tier_code: String,
    pub channel: String,
    pub n: i64,
    pub joined: i64,
}

pub async fn joined(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<JoinedRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select store_id, tier_code, channel, cast(count(*) as bigint) as n, \
             cast(sum(case when joined_on >= $1 then 1 else 0 end) as bigint) as joined \
             from members where status <> 'closed' and joined_on <= $2 \
             group by store_id, tier_code, channel",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// Open members joined on or before `to`, counted by store and day joined (one tier, or all).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JoinedDayRow {
    pub store_id: i64,
    pub joined_on: NaiveDate,
    pub n: i64,
}

pub async fn joined_days(
    db: &Db,
    to: NaiveDate,
    tier: Option<&str>,
) -> Result<Vec<JoinedDayRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select store_id, joined_on, cast(count(*) as bigint) as n from members \
             where status <> 'closed' and joined_on <= $1 and ($2 = '' or tier_code = $2) \
             group by store_id, joined_on",
        )
        .bind(to)
        .bind(tier.unwrap_or(""))
        .fetch_all(p)
        .await?
    }))
}

/// Members closed, with when (few: closing is a step with an approval).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClosedRow {
    pub store_id: i64,
    pub tier_code: String,
    pub channel: String,
    pub joined_on: NaiveDate,
    pub closed_at: Option<DateTime<Utc>>,
}

pub async fn closed(db: &Db) -> Result<Vec<ClosedRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select store_id, tier_code, channel, joined_on, closed_at from members \
             where status = 'closed'",
        )
        .fetch_all(p)
        .await?
    }))
}

/// Members with a purchase in the RFM window, by store, tier and channel, with the sums of the
/// segment flags' inputs (from `report_rfm` alone).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RfmGroupRow {
    pub store_id: i64,
    pub tier_code: String,
    pub channel: String,
    pub recent: bool,
    pub frequent: bool,
    pub high: bool,
    pub n: i64,
    pub purchases: i64,
    pub spend_fen: i64,
}

pub async fn rfm_groups(
    db: &Db,
    recent_since: DateTime<Utc>,
    frequent: i64,
    high_fen: i64,
) -> Result<Vec<RfmGroupRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select store_id, tier_code, channel, recent, frequent, high, \
             cast(count(*) as bigint) as n, cast(sum(purchases) as bigint) as purchases, \
             cast(sum(spend_fen) as bigint) as spend_fen from ( \
               select store_id, tier_code, channel, \
               case when last_at >= $1 then true else false end as recent, \
               case when purchases >= $2 then true else false end as frequent, \
               case when spend_fen >= $3 then true else false end as high, \
               purchases, spend_fen from report_rfm) f \
             group by store_id, tier_code, channel, recent, frequent, high",
        )
        .bind(ts(recent_since))
        .bind(frequent)
        .bind(high_fen)
        .fetch_all(p)
        .await?
    }))
}

/// When the RFM figures were last made (None: never).
pub async fn rfm_made_at(db: &Db) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select made_at from report_cursors where name = 'rfm'")
            .fetch_one(p)
            .await?
    }))
}

/// The highest member id (the RFM job walks members in id ranges up to it).
pub async fn max_member_id(db: &Db) -> Result<i64, DbError> {
    let max: Option<i64> = on_db!(db, |p| {
        sqlx::query_scalar("select cast(max(id) as bigint) from members")
            .fetch_one(p)
            .await?
    });
    Ok(max.unwrap_or(0))
}

/// One member's RFM figures as the job computes them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RfmRow {
    pub member_id: i64,
    pub store_id: i64,
    pub tier_code: String,
    pub channel: String,
    pub last_at: DateTime<Utc>,
    pub purchases: i64,
    pub spend_fen: i64,
}

/// The figures of the open members with ids in `from..=to` from their receipts since `since`
/// (read from the read pool: the writer is not held while receipts are summed).
pub async fn rfm_compute(
    db: &Db,
    from: i64,
    to: i64,
    since: DateTime<Utc>,
) -> Result<Vec<RfmRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select r.member_id, m.store_id, m.tier_code, m.channel, \
             max(r.occurred_at) as last_at, cast(count(*) as bigint) as purchases, \
             cast(sum(r.total_fen) as bigint) as spend_fen \
             from receipts r join members m on m.id = r.member_id \
             where r.member_id between $1 and $2 and r.occurred_at >= $3 and m.status <> 'closed' \
             group by r.member_id, m.store_id, m.tier_code, m.channel",
        )
        .bind(from)
        .bind(to)
        .bind(ts(since))
        .fetch_all(p)
        .await?
    }))
}

/// Replaces the RFM rows of the members with ids in `from..=to` by `rows` (multi-row inserts).
pub async fn rfm_replace(
    tx: &mut Tx,
    from: i64,
    to: i64,
    rows: &[RfmRow],
    as_of: NaiveDate,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("delete from report_rfm where member_id between $1 and $2")
            .bind(from)
            .bind(to)
            .execute(&mut *c)
            .await?;
    });
    const COLS: usize = 8;
    for chunk in rows.chunks(500) {
        let sql = multi_insert(
            "insert into report_rfm (member_id, store_id, tier_code, channel, last_at, \
             purchases, spend_fen, as_of) values ",
            COLS,
            chunk.len(),
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for r in chunk {
                q = q
                    .bind(r.member_id)
                    .bind(r.store_id)
                    .bind(r.tier_code.clone())
                    .bind(r.channel.clone())
                    .bind(ts(r.last_at))
                    .bind(r.purchases)
                    .bind(r.spend_fen)
                    .bind(as_of);
            }
            q.execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// `head` followed by `rows` groups of `cols` numbered parameters: `($1, $2), ($3, $4)`.
fn multi_insert(head: &str, cols: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * cols * 5);
    sql.push_str(head);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(r * cols + c + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// Marks the RFM figures made (the cursor row's time).
pub async fn rfm_done(tx: &mut Tx, at: DateTime<Utc>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update report_cursors set made_at = $1 where name = 'rfm'")
            .bind(ts(at))
            .execute(c)
            .await?;
    });
    Ok(())
}

/// A member of a segment, as a campaign list shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SegmentMember {
    pub id: i64,
    pub name: String,
    pub card_no: Option<String>,
    pub phone_masked: Option<String>,
    pub store_id: i64,
    pub tier_code: String,
    pub joined_on: NaiveDate,
    pub last_at: Option<DateTime<Utc>>,
    pub purchases: Option<i64>,
    pub spend_fen: Option<i64>,
}

/// How a segment is picked out of `report_rfm`: the flags, or no row at all (dormant).
#[derive(Debug, Clone, Copy)]
pub struct SegmentQuery {
    /// None: the dormant members (no purchase in the window).
    pub flags: Option<(bool, bool, bool)>,
    pub recent_since: DateTime<Utc>,
    pub frequent: i64,
    pub high_fen: i64,
    /// One store, or every store.
    pub store_id: Option<i64>,
}

/// The condition that picks a segment's open members ($1–$3 the breakpoints, $4 the store or 0).
fn segment_where(q: &SegmentQuery) -> String {
    let cond = match q.flags {
        // The breakpoints are bound either way (PostgreSQL wants every parameter used).
        None => "r.member_id is null and ($1 is not null or $2 >= 0 or $3 >= 0)".to_owned(),
        Some((recent, frequent, high)) => format!(
            "r.member_id is not null and (r.last_at >= $1) = {recent} and \
             (r.purchases >= $2) = {frequent} and (r.spend_fen >= $3) = {high}"
        ),
    };
    format!(
        "from members m left join report_rfm r on r.member_id = m.id \
         where m.status <> 'closed' and ($4 = 0 or m.store_id = $4) and {cond}"
    )
}

/// Up to `limit` open members of a segment with ids above `after`, by id (keyset pages).
pub async fn segment_members(
    db: &Db,
    q: &SegmentQuery,
    after: i64,
    limit: i64,
) -> Result<Vec<SegmentMember>, DbError> {
    let sql = format!(
        "select m.id, m.name, (select c.card_no from cards c where c.member_id = m.id \
         and c.state in ('issued', 'active', 'frozen')) as card_no, m.phone_masked, m.store_id, \
         m.tier_code, m.joined_on, r.last_at, r.purchases, r.spend_fen {} and m.id > $5 \
         order by m.id limit $6",
        segment_where(q)
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(ts(q.recent_since))
            .bind(q.frequent)
            .bind(q.high_fen)
            .bind(q.store_id.unwrap_or(0))
            .bind(after)
            .bind(limit)
            .fetch_all(p)
            .await?
    }))
}

/// How many open members a segment has.
pub async fn segment_count(db: &Db, q: &SegmentQuery) -> Result<i64, DbError> {
    let sql = format!("select cast(count(*) as bigint) {}", segment_where(q));
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .bind(ts(q.recent_since))
            .bind(q.frequent)
            .bind(q.high_fen)
            .bind(q.store_id.unwrap_or(0))
            .fetch_one(p)
            .await?
    }))
}

/// How many open members there are (in one store, or all).
pub async fn open_members(db: &Db, store_id: Option<i64>) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from members where status <> 'closed' \
             and ($1 = 0 or store_id = $1)",
        )
        .bind(store_id.unwrap_or(0))
        .fetch_one(p)
        .await?
    }))
}

/// Open members by store and tier: (store, tier, how many).
pub async fn open_by_store_tier(db: &Db) -> Result<Vec<(i64, String, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select store_id, tier_code, cast(count(*) as bigint) from members \
             where status <> 'closed' group by store_id, tier_code",
        )
        .fetch_all(p)
        .await?
    }))
}

/// A points entry as the roll-up buckets it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub points: i64,
    pub store_id: i64,
}

/// The cursor of a roll-up: the last entry id counted.
pub async fn cursor(db: &Db, name: &str) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select last_id from report_cursors where name = $1")
            .bind(name)
            .fetch_one(p)
            .await?
    }))
}

/// Up to `limit` points entries after `after`, with the store they count for (the entry's, or
/// the member's when the entry has none, as for expiry).
pub async fn entries_after(db: &Db, after: i64, limit: i64) -> Result<Vec<EntryRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select e.id, e.at, e.kind, e.points, coalesce(e.store_id, \
             (select m.store_id from members m where m.id = e.member_id)) as store_id \
             from point_entries e where e.id > $1 order by e.id limit $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// One store-month of points.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct PointsMonthRow {
    pub store_id: i64,
    pub month: String,
    pub issued: i64,
    pub spent: i64,
    pub expired: i64,
    pub entries: i64,
}

pub async fn points_months(db: &Db) -> Result<Vec<PointsMonthRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select store_id, month, issued, spent, expired, entries from report_points_months",
        )
        .fetch_all(p)
        .await?
    }))
}

/// Adds `rows` to the store-months and moves the cursor to `last_id`, unless another run moved
/// it first (then nothing is added: false).
pub async fn add_points_months(
    tx: &mut Tx,
    expected_cursor: i64,
    last_id: i64,
    rows: &[PointsMonthRow],
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    let moved = on_tx!(tx, |c| {
        sqlx::query(
            "update report_cursors set last_id = $1, made_at = $2 \
             where name = 'points' and last_id = $3",
        )
        .bind(last_id)
        .bind(ts(at))
        .bind(expected_cursor)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if moved == 0 {
        return Ok(false);
    }
    for r in rows {
        on_tx!(tx, |c| {
            sqlx::query(
                "insert into report_points_months (store_id, month, issued, spent, expired, \
                 entries) values ($1, $2, $3, $4, $5, $6) \
                 on conflict (store_id, month) do update set \
                 issued = report_points_months.issued + excluded.issued, \
                 spent = report_points_months.spent + excluded.spent, \
                 expired = report_points_months.expired + excluded.expired, \
                 entries = report_points_months.entries + excluded.entries",
            )
            .bind(r.store_id)
            .bind(&r.month)
            .bind(r.issued)
            .bind(r.spent)
            .bind(r.expired)
            .bind(r.entries)
            .execute(&mut *c)
            .await?;
        });
    }
    Ok(true)
}

/// What `redeem_points` points are worth in fen (the redemption ratio, C7).
pub async fn redeem_ratio(db: &Db) -> Result<(i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select redeem_points, redeem_value_fen from loyalty_settings where id = 1")
            .fetch_one(p)
            .await?
    }))
}

/// An export as recorded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub report: String,
    pub params: String,
    pub format: String,
    pub lang: String,
    pub state: String,
    pub rows_done: i64,
    pub rows_total: i64,
    pub file: String,
    pub bytes: i64,
    pub note: String,
    pub staff_id: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const EXPORT_COLUMNS: &str = "id, report, params, format, lang, state, rows_done, rows_total, \
     file, bytes, note, staff_id, started_at, finished_at";

pub struct NewExport<'a> {
    pub report: &'a str,
    pub params: &'a str,
    pub format: &'a str,
    pub lang: &'a str,
    pub rows_total: i64,
    pub staff_id: Option<i64>,
    pub at: DateTime<Utc>,
}

pub async fn start_export(tx: &mut Tx, e: &NewExport<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into report_exports (report, params, format, lang, rows_total, staff_id, \
             started_at) values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(e.report)
        .bind(e.params)
        .bind(e.format)
        .bind(e.lang)
        .bind(e.rows_total)
        .bind(e.staff_id)
        .bind(ts(e.at))
        .fetch_one(c)
        .await?
    }))
}

pub async fn export_progress(tx: &mut Tx, id: i64, done: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update report_exports set rows_done = $1 where id = $2")
            .bind(done)
            .bind(id)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub struct Finished<'a> {
    pub state: &'a str,
    pub rows_done: i64,
    pub file: &'a str,
    pub bytes: i64,
    pub note: &'a str,
    pub at: DateTime<Utc>,
}

pub async fn finish_export(tx: &mut Tx, id: i64, f: &Finished<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update report_exports set state = $1, rows_done = $2, file = $3, bytes = $4, \
             note = $5, finished_at = $6 where id = $7",
        )
        .bind(f.state)
        .bind(f.rows_done)
        .bind(f.file)
        .bind(f.bytes)
        .bind(f.note)
        .bind(ts(f.at))
        .bind(id)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn export(db: &Db, id: i64) -> Result<Option<ExportRow>, DbError> {
    let sql = format!("select {EXPORT_COLUMNS} from report_exports where id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// A person's latest exports (None: every export, for the CLI).
pub async fn exports_of(
    db: &Db,
    staff_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ExportRow>, DbError> {
    let sql = format!(
        "select {EXPORT_COLUMNS} from report_exports where ($1 = 0 or staff_id = $1) \
         order by id desc limit $2"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(staff_id.unwrap_or(0))
            .bind(limit)
            .fetch_all(p)
            .await?
    }))
}

/// Exports left running when the process stopped (marked failed at start-up).
pub async fn abandon_running(tx: &mut Tx, at: DateTime<Utc>) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update report_exports set state = 'failed', note = 'interrupted', finished_at = $1 \
             where state = 'running'",
        )
        .bind(ts(at))
        .execute(c)
        .await?
        .rows_affected()
    }))
}

#[cfg(test)]
mod tests {
    use super::multi_insert;

    #[test]
    fn multi_row_inserts_number_their_parameters_in_order() {
        assert_eq!(
            multi_insert("insert into t (a, b) values ", 2, 2),
            "insert into t (a, b) values ($1, $2), ($3, $4)"
        );
    }
}
