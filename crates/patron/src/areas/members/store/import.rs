//! SQL of the member import (N3): what is already taken; the import's record and its staged
//! rows; publishing a range of them into members, cards, opening ledger entries and lots, then
//! their referrers; finishing or abandoning it (migration 0032).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;

use crate::kernel::db::{Backend, Db, DbError, Tx, values_rows};
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

/// An import in the database: how far it has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportState {
    pub id: i64,
    pub publishing: bool,
    pub total: i64,
    pub published: i64,
    pub referred: i64,
    pub updated_at: DateTime<Utc>,
}

/// What an import records when it begins.
#[derive(Debug, Clone, Copy)]
pub struct NewImport {
    pub total: i64,
    pub at: DateTime<Utc>,
    pub staff_id: Option<i64>,
    pub lots_expire: NaiveDate,
}

/// Records a new import (staging). A unique violation when another one is running.
pub async fn begin_import(tx: &mut Tx, n: &NewImport) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into member_imports (state, running, total, at, staff_id, lots_expire, updated_at) \
             values ('staging', 1, $1, $2, $3, $4, $2) returning id",
        )
        .bind(n.total)
        .bind(n.at)
        .bind(n.staff_id)
        .bind(n.lots_expire)
        .fetch_one(c)
        .await?
    }))
}

/// A checked row, encrypted, with its card number, as it is staged.
#[derive(Debug, Clone)]
pub struct StagedRow<'a> {
    pub line: i64,
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
    /// The file's answer on marketing consent (`None` when it gives none).
    pub consent: Option<bool>,
    pub card_no: &'a str,
    pub card_expires_on: NaiveDate,
    pub referrer_card_no: Option<&'a str>,
}

/// Stages `rows` as rows `first..` of the import, in one statement, and notes the import alive.
pub async fn stage_rows(
    tx: &mut Tx,
    import_id: i64,
    first: i64,
    rows: &[StagedRow<'_>],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut sql = String::from(
        "insert into member_import_rows (import_id, seq, line, name, gender, birthday, birth_md, \
         phone_enc, phone_hash, phone_masked, id_type, id_enc, id_hash, id_masked, channel, store_id, \
         tier_code, joined_on, points, consent, card_no, card_expires_on, referrer_card_no) values ",
    );
    sql.push_str(&values_rows(
        tx.backend(),
        rows.len(),
        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    ));
    macro_rules! bind_rows {
        ($q:expr) => {{
            let mut q = $q;
            for (k, r) in rows.iter().enumerate() {
                q = q
                    .bind(import_id)
                    .bind(first + k as i64)
                    .bind(r.line)
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
                    .bind(r.points)
                    .bind(r.consent)
                    .bind(r.card_no)
                    .bind(r.card_expires_on)
                    .bind(r.referrer_card_no);
            }
            q
        }};
    }
    on_tx!(tx, |c| bind_rows!(sqlx::query(sqlx::AssertSqlSafe(
        sql.clone()
    )))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    touch(tx, import_id, now).await
}

/// Notes the import alive (its rows staged or published just now).
async fn touch(tx: &mut Tx, import_id: i64, now: DateTime<Utc>) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "update member_imports set updated_at = $1 where id = $2"
    )
    .bind(now)
    .bind(import_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every row staged: from now on the import's phones and ID numbers are claimed (the
/// `members_import_claim` triggers refuse them to any other write). On PostgreSQL the members
/// table is locked until the commit, so every write of a member already under way has
/// committed before the claim holds (on SQLite the single writer orders them).
pub async fn start_publishing(
    tx: &mut Tx,
    import_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    if tx.backend() == Backend::Postgres {
        on_tx!(tx, |c| sqlx::query("lock table members in share mode")
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    on_tx!(tx, |c| sqlx::query(
        "update member_imports set state = 'publishing', updated_at = $1 \
         where id = $2 and state = 'staging'"
    )
    .bind(now)
    .bind(import_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Staged rows whose phone, ID number or card number another member has taken since the file
/// was checked: (line, field), in line order.
pub async fn conflicts(db: &Db, import_id: i64) -> Result<Vec<(i64, String)>, DbError> {
    let rows: Vec<(i64, String)> = on_db!(db, |p| {
        sqlx::query_as(
            "select r.line, 'phone' from member_import_rows r join members m on m.phone_hash = r.phone_hash \
             where r.import_id = $1 \
             union all \
             select r.line, 'id_no' from member_import_rows r join members m on m.id_hash = r.id_hash \
             where r.import_id = $1 \
             union all \
             select r.line, 'card_no' from member_import_rows r join cards c on c.card_no = r.card_no \
             where r.import_id = $1 \
             order by 1, 2",
        )
        .bind(import_id)
        .fetch_all(p)
        .await?
    });
    Ok(rows)
}

/// The import's staged rows `from..to`, joined to the import.
const STAGED: &str = "from member_import_rows r join member_imports i on i.id = r.import_id \
     where r.import_id = $1 and r.seq >= $2 and r.seq < $3";
/// As `STAGED`, each joined to the member it became.
const PUBLISHED: &str = "from member_import_rows r join member_imports i on i.id = r.import_id \
     join members m on m.phone_hash = r.phone_hash and m.import_id = r.import_id \
     where r.import_id = $1 and r.seq >= $2 and r.seq < $3";

/// Publishes staged rows `from..to`: the members (written by the import, with their opening
/// balances), their active cards, an `opening` ledger entry and a lot for each balance, and
/// records how far the import has got.
pub async fn publish_rows(
    tx: &mut Tx,
    import_id: i64,
    from: i64,
    to: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let members = format!(
        "insert into members (name, gender, birthday, birth_md, phone_enc, phone_hash, phone_masked, \
         id_type, id_enc, id_hash, id_masked, channel, store_id, tier_code, tier_since, joined_on, \
         created_at, points_balance, marketing_consent, consent_at, consent_source, import_id) \
         select r.name, r.gender, r.birthday, r.birth_md, r.phone_enc, r.phone_hash, r.phone_masked, \
         r.id_type, r.id_enc, r.id_hash, r.id_masked, r.channel, r.store_id, r.tier_code, r.joined_on, \
         r.joined_on, i.at, r.points, coalesce(r.consent, false), \
         case when r.consent is null then null else i.at end, \
         case when r.consent is null then '' else 'import' end, r.import_id \
         {STAGED} order by r.seq"
    );
    let cards = format!(
        "insert into cards (card_no, member_id, store_id, issued_on, expires_on, activated_at, state, created_at) \
         select r.card_no, m.id, r.store_id, r.joined_on, r.card_expires_on, i.at, 'active', i.at \
         {PUBLISHED}"
    );
    let entries = format!(
        "insert into point_entries (member_id, at, kind, points, balance_after, store_id, source_ref, \
         till_id, staff_id, note) \
         select m.id, i.at, 'opening', r.points, r.points, r.store_id, 'import', null, i.staff_id, \
         'opening balance' {PUBLISHED} and r.points > 0 order by r.seq"
    );
    let lots = format!(
        "insert into point_lots (member_id, expires_on, earned, remaining) \
         select m.id, i.lots_expire, r.points, r.points {PUBLISHED} and r.points > 0 order by r.seq"
    );
    for sql in [members, cards, entries, lots] {
        on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(import_id)
            .bind(from)
            .bind(to)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    progress(tx, import_id, "published", to, now).await
}

/// Records that the import's `column` (published or referred) has reached `to`.
async fn progress(
    tx: &mut Tx,
    import_id: i64,
    column: &'static str,
    to: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let sql = format!("update member_imports set {column} = $1, updated_at = $2 where id = $3");
    on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .bind(to)
        .bind(now)
        .bind(import_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets the referrers of published rows `from..to`: the member holding the card the row names
/// (one of this file's or one issued before).
pub async fn refer_rows(
    tx: &mut Tx,
    import_id: i64,
    from: i64,
    to: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "update members set referrer_id = c.member_id \
         from member_import_rows r join cards c on c.card_no = r.referrer_card_no \
         where r.import_id = $1 and r.seq >= $2 and r.seq < $3 \
           and members.phone_hash = r.phone_hash and members.import_id = $1"
    )
    .bind(import_id)
    .bind(from)
    .bind(to)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    progress(tx, import_id, "referred", to, now).await
}

/// Ends the import as `done` (every row published) or `abandoned` (nothing published); its
/// staged rows are then deleted with `delete_staged`.
pub async fn end_import(
    tx: &mut Tx,
    import_id: i64,
    done: bool,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "update member_imports set state = $1, running = null, updated_at = $2 where id = $3"
    )
    .bind(if done { "done" } else { "abandoned" })
    .bind(now)
    .bind(import_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes the ended import's staged rows `from..to`.
pub async fn delete_staged(tx: &mut Tx, import_id: i64, from: i64, to: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "delete from member_import_rows where import_id = $1 and seq >= $2 and seq < $3"
    )
    .bind(import_id)
    .bind(from)
    .bind(to)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Imports not ended (staging or publishing), oldest first.
pub async fn unfinished(db: &Db) -> Result<Vec<ImportState>, DbError> {
    let rows = on_db!(db, |p| {
        sqlx::query(
            "select id, state, total, published, referred, updated_at from member_imports \
             where state in ('staging', 'publishing') order by id",
        )
        .fetch_all(p)
        .await?
        .into_iter()
        .map(|r| -> Result<ImportState, sqlx::Error> {
            Ok(ImportState {
                id: r.try_get("id")?,
                publishing: r.try_get::<String, _>("state")? == "publishing",
                total: r.try_get("total")?,
                published: r.try_get("published")?,
                referred: r.try_get("referred")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?
    });
    Ok(rows)
}

/// Ended imports that still have staged rows (their process stopped before deleting them):
/// each id and its rows.
pub async fn ended_with_rows(db: &Db) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select i.id, i.total from member_imports i where i.running is null \
             and exists (select 1 from member_import_rows r where r.import_id = i.id)",
        )
        .fetch_all(p)
        .await?
    }))
}

/// The members an import wrote and their cards, in the order written.
pub async fn written(db: &Db, import_id: i64) -> Result<Vec<(i64, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.id, c.card_no from members m join cards c on c.member_id = m.id \
             where m.import_id = $1 order by m.id",
        )
        .bind(import_id)
        .fetch_all(p)
        .await?
    }))
}
