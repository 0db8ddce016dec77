//! SQL of `patron bench care`: platinum members and their till receipts loaded straight into the
//! tables in set-based statements (the care job then reads them as it reads any receipt).

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// The statements that load `members` platinum members (every other one consenting to
/// marketing) and `receipts` till receipts spread over the 300 days before 2027-08-01 10:00
/// Beijing time, oldest first, so receipt ids rise with time as the tills send them.
pub fn load_statements(pg: bool, members: u64, receipts: u64) -> Vec<String> {
    let series = |n: u64, col: &str| {
        if pg {
            format!("generate_series(1, {n}) as s({col})")
        } else {
            format!(
                "(with recursive g({col}) as (select 1 union all select {col} + 1 from g \
                 where {col} < {n}) select {col} from g) as s"
            )
        }
    };
    // Minutes before 2027-08-01 02:00 UTC, as each backend stores a moment.
    let ts = |minutes: &str| {
        if pg {
            format!(
                "(timestamptz '2027-08-01 02:00:00+00' - make_interval(mins => CAST({minutes} AS INT)))"
            )
        } else {
            format!(
                "strftime('%Y-%m-%dT%H:%M:%S+00:00', '2027-08-01 02:00:00', '-' || ({minutes}) || ' minutes')"
            )
        }
    };
    let span = 300 * 24 * 60;
    let back = format!("(CAST({receipts} - s.i AS BIGINT) * {span} / {receipts})");
    vec![
        format!(
            "insert into members (name, channel, store_id, tier_code, tier_since, joined_on, \
             created_at, marketing_consent) select '铂金会员' || s.i, 'desk', \
             (select id from stores where code = 'HQ'), 'platinum', '2026-01-01', '2026-01-01', {}, \
             s.i % 2 = 0 from {}",
            ts("500000"),
            series(members, "i")
        ),
        format!(
            "insert into receipts (store_id, receipt_no, till_id, source, member_id, card_no, \
             occurred_at, total_fen, points, lines, body_hash, balance_after, tier_code, \
             tier_changed, created_at) select (select id from stores where code = 'HQ'), \
             'B' || s.i, '01', 'till', (select min(id) from members) + s.i % {members}, \
             'BC' || s.i, {at}, 100000, 400, '[]', 'bench', 0, 'platinum', false, {at} from {}",
            series(receipts, "i"),
            at = ts(&back)
        ),
        "analyze".to_owned(),
    ]
}

/// How many rows a table of the care job holds (for the report).
pub async fn count(db: &Db, table: &'static str) -> Result<i64, DbError> {
    let sql = match table {
        "care_schedules" => "select CAST(COUNT(*) AS BIGINT) from care_schedules",
        "outbox" => "select CAST(COUNT(*) AS BIGINT) from outbox",
        _ => "select CAST(COUNT(*) AS BIGINT) from care_tasks",
    };
    Ok(on_db!(db, |p| sqlx::query_scalar(sql).fetch_one(p).await?))
}
