//! SQL of the members area: members, cards and their sequences (here), applications, card
//! life and the import (in their own files).

mod applications;
mod cards;
mod details;
pub mod import;
pub mod tiles;

pub use applications::*;
pub use cards::*;
pub use details::*;
pub use import::*;

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// A member row to insert (personal fields already encrypted and hashed).
#[derive(Debug, Clone)]
pub struct NewMemberRow<'a> {
    pub name: &'a str,
    pub gender: Option<&'a str>,
    pub birthday: Option<NaiveDate>,
    pub phone_enc: &'a str,
    pub phone_hash: &'a str,
    pub phone_masked: &'a str,
    pub email: Option<&'a str>,
    pub id_type: Option<&'a str>,
    pub id_enc: Option<&'a str>,
    pub id_hash: Option<&'a str>,
    pub id_masked: Option<&'a str>,
    pub address: &'a str,
    pub occupation: &'a str,
    pub channel: &'a str,
    pub referrer_id: Option<i64>,
    pub marketing_consent: bool,
    pub store_id: i64,
    pub tier_code: &'a str,
    pub joined_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub portal_password_hash: Option<&'a str>,
}

pub async fn insert_member(tx: &mut Tx, m: &NewMemberRow<'_>) -> Result<i64, sqlx::Error> {
    let birth_md = m.birthday.map(|b| b.format("%m-%d").to_string());
    on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into members (name, gender, birthday, birth_md, phone_enc, phone_hash, \
             phone_masked, email, id_type, id_enc, id_hash, id_masked, address, occupation, channel, \
             referrer_id, marketing_consent, store_id, tier_code, tier_since, joined_on, created_at, \
             portal_password_hash, consent_at, consent_source) values ($1, $2, $3, $4, $5, $6, $7, \
             $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $21, $22, \
             case when $17 then $21 end, case when $17 then 'registration' else '' end) returning id",
        )
        .bind(m.name)
        .bind(m.gender)
        .bind(m.birthday)
        .bind(birth_md)
        .bind(m.phone_enc)
        .bind(m.phone_hash)
        .bind(m.phone_masked)
        .bind(m.email)
        .bind(m.id_type)
        .bind(m.id_enc)
        .bind(m.id_hash)
        .bind(m.id_masked)
        .bind(m.address)
        .bind(m.occupation)
        .bind(m.channel)
        .bind(m.referrer_id)
        .bind(m.marketing_consent)
        .bind(m.store_id)
        .bind(m.tier_code)
        .bind(m.joined_on)
        .bind(ts(m.created_at))
        .bind(m.portal_password_hash)
        .fetch_one(c)
        .await
    })
}

/// The next card sequence number of a store (1, 2, 3, … with no gaps within a transaction).
pub async fn next_card_seq(tx: &mut Tx, store_id: i64) -> Result<i64, DbError> {
    take_card_seqs(tx, store_id, 1).await
}

/// Takes the next `n` (≥ 1) card sequence numbers of a store in one statement; the first.
pub async fn take_card_seqs(tx: &mut Tx, store_id: i64, n: i64) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into card_sequences (store_id, next_seq) values ($1, $2 + 1) \
             on conflict (store_id) do update set next_seq = card_sequences.next_seq + $2 \
             returning next_seq - $2",
        )
        .bind(store_id)
        .bind(n)
        .fetch_one(c)
        .await?
    }))
}

/// Moves a store's sequence past `seq` (after cards were imported with their old numbers).
pub async fn bump_card_seq(tx: &mut Tx, store_id: i64, seq: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into card_sequences (store_id, next_seq) values ($1, $2) \
             on conflict (store_id) do update set next_seq = \
             case when card_sequences.next_seq > excluded.next_seq then card_sequences.next_seq \
             else excluded.next_seq end",
        )
        .bind(store_id)
        .bind(seq + 1)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewCard<'a> {
    pub card_no: &'a str,
    pub member_id: i64,
    pub store_id: i64,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub activated_at: Option<DateTime<Utc>>,
    pub opening_receipt_no: Option<&'a str>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_card(tx: &mut Tx, c: &NewCard<'_>) -> Result<(), sqlx::Error> {
    let state = if c.activated_at.is_some() {
        "active"
    } else {
        "issued"
    };
    on_tx!(tx, |conn| {
        sqlx::query(
            "insert into cards (card_no, member_id, store_id, issued_on, expires_on, activated_at, \
             state, opening_receipt_no, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(c.card_no)
        .bind(c.member_id)
        .bind(c.store_id)
        .bind(c.issued_on)
        .bind(c.expires_on)
        .bind(c.activated_at.map(ts))
        .bind(state)
        .bind(c.opening_receipt_no)
        .bind(ts(c.created_at))
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The member with this lookup hash (phone or ID), with the name to quote in a refusal.
pub async fn find_by_hash_in(
    tx: &mut Tx,
    column: &'static str,
    hash: &str,
) -> Result<Option<(i64, String)>, DbError> {
    let sql = match column {
        "id_hash" => "select id, name from members where id_hash = $1",
        _ => "select id, name from members where phone_hash = $1",
    };
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sql).bind(hash).fetch_optional(c).await?
    }))
}

/// The live card of a member, found by card number (for referrers and the desk).
pub async fn member_of_card_in(tx: &mut Tx, card_no: &str) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("select member_id from cards where card_no = $1")
            .bind(card_no)
            .fetch_optional(c)
            .await?
    }))
}

/// A member as the console and the portal show them.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub gender: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub phone_masked: Option<String>,
    pub email: Option<String>,
    pub id_type: Option<String>,
    pub id_masked: Option<String>,
    pub address: String,
    pub occupation: String,
    pub channel: String,
    pub referrer_id: Option<i64>,
    pub marketing_consent: bool,
    /// When the member last said yes or no to marketing messages, and how.
    pub consent_at: Option<DateTime<Utc>>,
    pub consent_source: String,
    pub store_id: i64,
    pub tier_code: String,
    pub tier_since: NaiveDate,
    pub points_balance: i64,
    pub status: String,
    pub joined_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub profile: String,
    pub notes: String,
    pub card_no: Option<String>,
    pub card_state: Option<String>,
    pub card_expires_on: Option<NaiveDate>,
}

const MEMBER: &str = "select m.id, m.name, m.gender, m.birthday, m.phone_masked, m.email, \
     m.id_type, m.id_masked, m.address, m.occupation, m.channel, m.referrer_id, \
     m.marketing_consent, m.consent_at, m.consent_source, m.store_id, m.tier_code, m.tier_since, m.points_balance, m.status, \
     m.joined_on, m.created_at, m.profile, m.notes, c.card_no, c.state as card_state, \
     c.expires_on as card_expires_on from members m \
     left join cards c on c.member_id = m.id and c.state in ('issued', 'active', 'frozen')";

pub async fn get_member(db: &Db, id: i64) -> Result<Option<MemberRow>, DbError> {
    let sql = format!("{MEMBER} where m.id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// Search by exact card number, exact phone (its hash), or any part of the name.
pub async fn search(
    db: &Db,
    card_no: Option<&str>,
    phone_hash: Option<&str>,
    name_part: Option<&str>,
    limit: i64,
) -> Result<Vec<MemberRow>, DbError> {
    let (sql, args) = if let Some(card) = card_no {
        (
            "select m.id, m.name, m.gender, m.birthday, m.phone_masked, m.email, m.id_type, \
             m.id_masked, m.address, m.occupation, m.channel, m.referrer_id, \
             m.marketing_consent, m.consent_at, m.consent_source, m.store_id, m.tier_code, m.tier_since, m.points_balance, \
             m.status, m.joined_on, m.created_at, m.profile, m.notes, c.card_no, \
             c.state as card_state, c.expires_on as card_expires_on \
             from cards c join members m on m.id = c.member_id where c.card_no = $2 \
             order by m.id limit $1"
                .to_string(),
            vec![card.to_string()],
        )
    } else if let Some(h) = phone_hash {
        (
            format!("{MEMBER} where m.phone_hash = $2 order by m.id limit $1"),
            vec![h.to_string()],
        )
    } else {
        name_search(name_part.unwrap_or(""))
    };
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(limit);
        for a in &args {
            q = q.bind(a);
        }
        q.fetch_all(p).await?
    }))
}

/// The search for members whose name holds `part` ($1 the limit, then the arguments): the
/// newest `limit` of them, shown by name. The candidates come from `member_name_grams` (the
/// part's character, or its first and last pairs of characters), each checked against the name.
fn name_search(part: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = part.chars().collect();
    let pair = |i: usize| {
        chars[i..(i + 2).min(chars.len())]
            .iter()
            .collect::<String>()
    };
    let mut grams = vec![pair(0)];
    if chars.len() > 2 && pair(chars.len() - 2) != grams[0] {
        grams.push(pair(chars.len() - 2));
    }
    let escaped: String = part
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not; the grams
    // were lower-cased by the same database.
    let mut sql = format!("{MEMBER} where m.id in (select g1.member_id from member_name_grams g1 ");
    for k in 2..=grams.len() {
        sql.push_str(&format!(
            "join member_name_grams g{k} on g{k}.member_id = g1.member_id and g{k}.gram = lower(${}) ",
            k + 2
        ));
    }
    sql.push_str(
        "join members n on n.id = g1.member_id \
         where g1.gram = lower($3) and lower(n.name) like lower($2) escape '\\' \
         order by g1.member_id desc limit $1) order by m.name, m.id",
    );
    let mut args = vec![format!("%{escaped}%")];
    args.extend(grams);
    (sql, args)
}

/// One line of a member's points statement (C9).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct EntryRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub points: i64,
    pub balance_after: i64,
    pub store_id: Option<i64>,
    pub source_ref: Option<String>,
    pub till_id: Option<String>,
    pub staff_id: Option<i64>,
    pub staff_name: Option<String>,
    /// Who approved it, when an approval carried it (the clerk stays `staff_name`).
    pub approver_name: Option<String>,
    pub note: String,
}

pub async fn entries(
    db: &Db,
    member_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<EntryRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select e.id, e.at, e.kind, e.points, e.balance_after, e.store_id, e.source_ref, \
             e.till_id, e.staff_id, s.display_name as staff_name, \
             a.display_name as approver_name, e.note \
             from point_entries e left join staff s on s.id = e.staff_id \
             left join staff a on a.id = e.approved_by \
             where e.member_id = $1 order by e.id desc limit $2 offset $3",
        )
        .bind(member_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?
    }))
}

/// Who referred a member, inside a write (`None` for no such member, `Some(None)` for none).
pub async fn referrer_of(tx: &mut Tx, member_id: i64) -> Result<Option<Option<i64>>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("select referrer_id from members where id = $1")
            .bind(member_id)
            .fetch_optional(c)
            .await?
    }))
}

/// A member's encrypted phone and ID number.
pub async fn encrypted_contacts(
    db: &Db,
    id: i64,
) -> Result<Option<(Option<String>, Option<String>)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select phone_enc, id_enc from members where id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// Saves the top-member profile (B9) and notes of an active member.
pub async fn update_profile(
    tx: &mut Tx,
    id: i64,
    profile: &str,
    notes: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "update members set profile = $1, notes = $2 where id = $3 and status = 'active'",
        )
        .bind(profile)
        .bind(notes)
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Every card a member has had: number, state, issue and expiry dates, oldest first.
pub async fn cards_of(
    db: &Db,
    member_id: i64,
) -> Result<Vec<(String, String, NaiveDate, NaiveDate)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select card_no, state, issued_on, expires_on from cards where member_id = $1 order by created_at",
        )
        .bind(member_id)
        .fetch_all(p)
        .await?
    }))
}

/// Every receipt of a member: number, time, total and points, oldest first.
pub async fn receipts_of(
    db: &Db,
    member_id: i64,
) -> Result<Vec<(String, DateTime<Utc>, i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select receipt_no, occurred_at, total_fen, points from receipts where member_id = $1 order by occurred_at",
        )
        .bind(member_id)
        .fetch_all(p)
        .await?
    }))
}

/// Active members born on this month and day (`MM-DD`), by id.
pub async fn born_on(db: &Db, month_day: &str) -> Result<Vec<i64>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select id from members where birth_md = $1 and status = 'active' order by id",
        )
        .bind(month_day)
        .fetch_all(p)
        .await?
    }))
}
