//! SQL of the member import (N3): what is already taken, member ids reserved ahead, and the
//! multi-row inserts of members, cards, opening balances and their lots.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

async fn string_set(db: &Db, sql: &'static str) -> Result<HashSet<String>, DbError> {
    let v: Vec<String> = on_db!(db, |p| sqlx::query_scalar(sql).fetch_all(p).await?);
    Ok(v.into_iter().collect())
}

/// The phone lookup hashes members already have.
pub async fn taken_phone_hashes(db: &Db) -> Result<HashSet<String>, DbError> {
    string_set(
        db,
        "select phone_hash from members where phone_hash is not null",
    )
    .await
}

/// The ID-number lookup hashes members already have.
pub async fn taken_id_hashes(db: &Db) -> Result<HashSet<String>, DbError> {
    string_set(db, "select id_hash from members where id_hash is not null").await
}

/// Every card number ever issued.
pub async fn taken_card_nos(db: &Db) -> Result<HashSet<String>, DbError> {
    string_set(db, "select card_no from cards").await
}

/// `n` member ids for rows about to be inserted: on PostgreSQL reserved from the identity
/// sequence (the tills keep writing while the import runs); on SQLite the single writer makes
/// max + 1 safe.
pub async fn reserve_member_ids(tx: &mut Tx, n: usize, pg: bool) -> Result<Vec<i64>, DbError> {
    if pg {
        return Ok(on_tx!(tx, |c| {
            sqlx::query_scalar(
                "select nextval(pg_get_serial_sequence('members', 'id')) from generate_series(1, $1)",
            )
            .bind(n as i64)
            .fetch_all(c)
            .await?
        }));
    }
    let first: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, Option<i64>>("select max(id) from members")
            .fetch_one(c)
            .await?
    })
    .unwrap_or(0)
        + 1;
    Ok((0..n as i64).map(|k| first + k).collect())
}

/// `count` groups of `width` numbered placeholders each (`($1,$2),($3,$4)`), as `group` writes
/// one from its first placeholder number.
fn placeholders(count: usize, width: usize, group: impl Fn(usize) -> String) -> String {
    (0..count)
        .map(|k| group(k * width))
        .collect::<Vec<_>>()
        .join(",")
}

/// An imported member row (personal fields already encrypted and hashed).
#[derive(Debug, Clone)]
pub struct ImportedMember<'a> {
    pub id: i64,
    pub name: &'a str,
    pub gender: Option<&'a str>,
    pub birthday: Option<NaiveDate>,
    pub phone_enc: &'a str,
    pub phone_hash: &'a str,
    pub phone_masked: &'a str,
    pub id_type: Option<&'a str>,
    pub id_enc: Option<&'a str>,
    pub id_hash: Option<&'a str>,
    pub id_masked: Option<&'a str>,
    pub channel: &'a str,
    pub store_id: i64,
    pub tier_code: &'a str,
    pub joined_on: NaiveDate,
    pub points: i64,
    /// The file's answer on marketing consent (`None` when it has no such column).
    pub consent: Option<bool>,
}

/// Inserts members with their ids given, in one statement.
pub async fn insert_members(
    tx: &mut Tx,
    rows: &[ImportedMember<'_>],
    created_at: DateTime<Utc>,
    pg: bool,
) -> Result<(), DbError> {
    let mut sql = String::from(
        "insert into members (id, name, gender, birthday, birth_md, phone_enc, phone_hash, phone_masked, \
         id_type, id_enc, id_hash, id_masked, channel, store_id, tier_code, tier_since, joined_on, created_at, \
         points_balance, marketing_consent, consent_at, consent_source) ",
    );
    if pg {
        sql.push_str("overriding system value ");
    }
    sql.push_str("values ");
    sql.push_str(&placeholders(rows.len(), 22, |b| {
        let cells: Vec<String> = (1..=22).map(|j| format!("${}", b + j)).collect();
        format!("({})", cells.join(","))
    }));
    macro_rules! bind_members {
        ($q:expr) => {{
            let mut q = $q;
            for r in rows {
                q = q
                    .bind(r.id)
                    .bind(r.name)
                    .bind(r.gender)
                    .bind(r.birthday)
                    .bind(r.birthday.map(|b| b.format("%m-%d").to_string()))
                    .bind(r.phone_enc)
                    .bind(r.phone_hash)
                    .bind(r.phone_masked)
                    .bind(r.id_type)
                    .bind(r.id_enc)
                    .bind(r.id_hash)
                    .bind(r.id_masked)
                    .bind(r.channel)
                    .bind(r.store_id)
                    .bind(r.tier_code)
                    .bind(r.joined_on)
                    .bind(r.joined_on)
                    .bind(created_at)
                    .bind(r.points)
                    .bind(r.consent == Some(true))
                    .bind(r.consent.map(|_| created_at))
                    .bind(if r.consent.is_some() { "import" } else { "" });
            }
            q
        }};
    }
    on_tx!(tx, |c| bind_members!(sqlx::query(sqlx::AssertSqlSafe(
        sql.clone()
    )))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An imported member's card, active from the import.
#[derive(Debug, Clone)]
pub struct ImportedCard<'a> {
    pub card_no: &'a str,
    pub member_id: i64,
    pub store_id: i64,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
}

/// Inserts active cards in one statement; a card number already taken is a unique violation.
pub async fn insert_cards(
    tx: &mut Tx,
    rows: &[ImportedCard<'_>],
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut sql = String::from(
        "insert into cards (card_no, member_id, store_id, issued_on, expires_on, activated_at, state, created_at) values ",
    );
    sql.push_str(&placeholders(rows.len(), 7, |b| {
        format!(
            "(${},${},${},${},${},${},'active',${})",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7
        )
    }));
    macro_rules! bind_cards {
        ($q:expr) => {{
            let mut q = $q;
            for r in rows {
                q = q
                    .bind(r.card_no)
                    .bind(r.member_id)
                    .bind(r.store_id)
                    .bind(r.issued_on)
                    .bind(r.expires_on)
                    .bind(at)
                    .bind(at);
            }
            q
        }};
    }
    on_tx!(tx, |c| bind_cards!(sqlx::query(sqlx::AssertSqlSafe(
        sql.clone()
    )))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An imported member's opening balance.
#[derive(Debug, Clone, Copy)]
pub struct OpeningBalance {
    pub member_id: i64,
    pub points: i64,
    pub store_id: i64,
}

/// One `opening` ledger entry per balance (source `import`) and its lot expiring on `expires_on`,
/// as two multi-row statements.
pub async fn insert_opening_balances(
    tx: &mut Tx,
    rows: &[OpeningBalance],
    at: DateTime<Utc>,
    staff_id: Option<i64>,
    expires_on: NaiveDate,
) -> Result<(), DbError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut esql = String::from(
        "insert into point_entries (member_id, at, kind, points, balance_after, store_id, source_ref, \
         till_id, staff_id, note) values ",
    );
    esql.push_str(&placeholders(rows.len(), 5, |b| {
        format!(
            "(${}, ${}, 'opening', ${}, ${}, ${}, 'import', null, ${}, 'opening balance')",
            b + 1,
            b + 2,
            b + 3,
            b + 3,
            b + 4,
            b + 5
        )
    }));
    let mut lsql =
        String::from("insert into point_lots (member_id, expires_on, earned, remaining) values ");
    lsql.push_str(&placeholders(rows.len(), 3, |l| {
        format!("(${}, ${}, ${}, ${})", l + 1, l + 2, l + 3, l + 3)
    }));
    macro_rules! bind_entries {
        ($q:expr) => {{
            let mut q = $q;
            for r in rows {
                q = q
                    .bind(r.member_id)
                    .bind(at)
                    .bind(r.points)
                    .bind(r.store_id)
                    .bind(staff_id);
            }
            q
        }};
    }
    macro_rules! bind_lots {
        ($q:expr) => {{
            let mut q = $q;
            for r in rows {
                q = q.bind(r.member_id).bind(expires_on).bind(r.points);
            }
            q
        }};
    }
    on_tx!(tx, |c| bind_entries!(sqlx::query(sqlx::AssertSqlSafe(
        esql.clone()
    )))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    on_tx!(tx, |c| bind_lots!(sqlx::query(sqlx::AssertSqlSafe(
        lsql.clone()
    )))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records who referred a member.
pub async fn set_referrer(
    tx: &mut Tx,
    member_id: i64,
    referrer_id: Option<i64>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "update members set referrer_id = $1 where id = $2"
    )
    .bind(referrer_id)
    .bind(member_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
