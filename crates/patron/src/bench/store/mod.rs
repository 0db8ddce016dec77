//! SQL of the benchmarks: loading members and cards straight into the tables, spreading them
//! for the reward list, the figures the reports compare with, and the database's size. The raw
//! database's run of a receipt's statements is in `raw`.

pub mod backup;
pub mod care;
pub mod customers;
pub mod raw;
pub mod reports;
pub mod search;

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Backend, Db, DbError, Tx, values_rows};
use crate::{on_db, on_tx};

/// One member the bench loads, with their active card.
pub struct MemberSeed {
    pub id: i64,
    pub name: String,
    pub birthday: NaiveDate,
    pub phone_enc: String,
    pub phone_hash: String,
    pub phone_masked: String,
    pub tier: &'static str,
    pub card_no: String,
}

/// The backend a `pg` flag names.
fn backend(pg: bool) -> Backend {
    if pg {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// The multi-row insert of `rows` members (PostgreSQL needs to be told the ids are given).
fn members_sql(rows: usize, pg: bool) -> String {
    let mut s = String::from(
        "insert into members (id, name, birthday, birth_md, phone_enc, phone_hash, phone_masked, \
         channel, store_id, tier_code, tier_since, joined_on, created_at) ",
    );
    if pg {
        s.push_str("overriding system value ");
    }
    s.push_str("values ");
    s.push_str(&values_rows(
        backend(pg),
        rows,
        "(?,?,?,?,?,?,?,?,?,?,?,?,?)",
    ));
    s
}

/// The multi-row insert of `rows` active cards.
fn cards_sql(rows: usize, pg: bool) -> String {
    let mut s = String::from(
        "insert into cards (card_no, member_id, store_id, issued_on, expires_on, activated_at, state, created_at) values ",
    );
    s.push_str(&values_rows(backend(pg), rows, "(?,?,?,?,?,?,'active',?)"));
    s
}

/// What every loaded member shares: their store, dates and the load's time.
#[derive(Clone, Copy)]
pub struct SeedCommon {
    pub store_id: i64,
    pub joined: NaiveDate,
    pub expires: NaiveDate,
    pub now: DateTime<Utc>,
    pub pg: bool,
}

/// Inserts members with their cards, two statements for the lot.
pub async fn insert_members(
    tx: &mut Tx,
    rows: &[MemberSeed],
    common: SeedCommon,
) -> Result<(), DbError> {
    let SeedCommon {
        store_id,
        joined,
        expires,
        now,
        pg,
    } = common;
    let members = members_sql(rows.len(), pg);
    let cards = cards_sql(rows.len(), pg);
    on_tx!(tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(members.clone()));
        for r in rows {
            q = q
                .bind(r.id)
                .bind(&r.name)
                .bind(r.birthday)
                .bind(r.birthday.format("%m-%d").to_string())
                .bind(&r.phone_enc)
                .bind(&r.phone_hash)
                .bind(&r.phone_masked)
                .bind("desk")
                .bind(store_id)
                .bind(r.tier)
                .bind(joined)
                .bind(joined)
                .bind(now);
        }
        q.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(cards.clone()));
        for r in rows {
            q = q
                .bind(&r.card_no)
                .bind(r.id)
                .bind(store_id)
                .bind(joined)
                .bind(expires)
                .bind(now)
                .bind(now);
        }
        q.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The lowest member id (the first of those loaded).
pub async fn min_member_id(db: &Db) -> Result<i64, DbError> {
    let min: Option<i64> = on_db!(db, |p| {
        sqlx::query_scalar("select cast(min(id) as bigint) from members")
            .fetch_one(p)
            .await?
    });
    Ok(min.unwrap_or(1))
}

/// How many members there are.
pub async fn count_members(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select cast(count(*) as bigint) from members")
            .fetch_one(p)
            .await?
    }))
}

/// PostgreSQL: moves the members' id sequence past the ids loaded by hand.
pub async fn reset_member_ids(db: &Db) -> Result<(), DbError> {
    on_db!(db, |p| {
        sqlx::query(
            "select setval(pg_get_serial_sequence('members', 'id'), (select max(id) from members))",
        )
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The set-based statements that spread card expiry over 24 months from December 2026 and
/// balances over 0–19,999 points, with an opening ledger entry and one lot per member.
pub fn spread_statements(pg: bool) -> [&'static str; 5] {
    let expiry: &'static str = if pg {
        "update cards set expires_on = (date '2026-12-01' \
         + make_interval(months => CAST(member_id % 24 AS INT), days => CAST(member_id % 28 AS INT)))::date"
    } else {
        "update cards set expires_on = date('2026-12-01', '+' || (member_id % 24) || ' months', \
         '+' || (member_id % 28) || ' days')"
    };
    [
        expiry,
        "update members set points_balance = (id * 7919) % 20000",
        "insert into point_entries (member_id, at, kind, points, balance_after, store_id, source_ref, note) \
         select id, created_at, 'opening', points_balance, points_balance, store_id, 'bench', 'opening balance' \
         from members where points_balance > 0",
        "insert into point_lots (member_id, expires_on, earned, remaining) \
         select id, '2027-12-31', points_balance, points_balance from members where points_balance > 0",
        "analyze",
    ]
}

/// Runs one of the fixed statements above.
pub async fn execute(tx: &mut Tx, sql: &'static str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(sql)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Active cards expiring between `from` and `to`, and how many of them have at least 5,000
/// points.
pub async fn cards_expiring(
    db: &Db,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select CAST(COUNT(*) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN m.points_balance >= 5000 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             from cards c join members m on m.id = c.member_id \
             where c.state = 'active' and c.expires_on >= $1 and c.expires_on <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(p)
        .await?
    }))
}

/// Rows of the month-end reward lists.
pub async fn reward_list_rows(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select CAST(COUNT(*) AS BIGINT) from reward_list_rows")
            .fetch_one(p)
            .await?
    }))
}

/// PostgreSQL's size of the current database, in bytes.
pub async fn pg_database_size(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select pg_database_size(current_database())")
            .fetch_one(p)
            .await?
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_inserts_number_their_placeholders_in_order() {
        assert_eq!(
            cards_sql(2, true),
            "insert into cards (card_no, member_id, store_id, issued_on, expires_on, activated_at, state, created_at) values \
             ($1,$2,$3,$4,$5,$6,'active',$7),($8,$9,$10,$11,$12,$13,'active',$14)"
        );
        assert!(members_sql(1, true).ends_with(
            "overriding system value values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)"
        ));
        assert!(
            cards_sql(2, false)
                .ends_with("values (?,?,?,?,?,?,'active',?),(?,?,?,?,?,?,'active',?)")
        );
    }
}
