//! SQL of `patron bench backup`: receipts loaded straight into their table in set-based
//! statements (numbers only, never input).

use crate::kernel::db::{DbError, Tx};
use crate::on_tx;

/// Runs one loading statement as its own write.
pub async fn run(db: &crate::kernel::db::Db, statement: String) -> anyhow::Result<u64> {
    db.write(move |tx| {
        let s = statement.clone();
        Box::pin(async move { execute(tx, &s).await })
    })
    .await
    .map_err(anyhow::Error::from)
}

pub async fn execute(tx: &mut Tx, sql: &str) -> Result<u64, DbError> {
    let sql = sql.to_owned();
    Ok(on_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut *c)
            .await?
            .rows_affected()
    }))
}

/// `n` receipts numbered from `from`, each for one of the `members` members (their ids are
/// 1..members as the loader makes them), a year of times back from 2026-09-25, no points (the
/// ledger stays as loaded).
pub fn receipts_statement(pg: bool, store_id: i64, members: u64, from: u64, n: u64) -> String {
    let last = from + n;
    let series = if pg {
        format!("generate_series({}, {last}) as s(i)", from + 1)
    } else {
        format!(
            "(with recursive q(i) as (select {} union all select i + 1 from q where i < {last}) \
             select i from q) as s",
            from + 1
        )
    };
    let at = if pg {
        "(timestamptz '2026-09-25 10:00:00+08' - make_interval(mins => CAST(s.i % 525600 AS INT)))"
            .to_owned()
    } else {
        "strftime('%Y-%m-%dT%H:%M:%S+00:00', '2026-09-25 02:00:00', '-' || (s.i % 525600) || ' minutes')"
            .to_owned()
    };
    let members = members.max(1);
    format!(
        "insert into receipts (store_id, receipt_no, till_id, source, member_id, card_no, \
         occurred_at, total_fen, points, lines, body_hash, balance_after, tier_code, tier_changed, \
         created_at) select {store_id}, 'B' || s.i, 'T01', 'import', m.id, c.card_no, {at}, \
         1000 + (s.i % 50000), 0, '[]', 'bench', 0, m.tier_code, false, {at} from {series} \
         join members m on m.id = 1 + ((s.i * 7919) % {members}) \
         join cards c on c.member_id = m.id"
    )
}
