//! Writing a checked import in one transaction: member ids reserved, card numbers kept or
//! issued, then per chunk of rows the members, their cards, opening balances and referrers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Months, NaiveDate, Utc};
use patron_core::identity::{CardNo, IdNumber};

use super::check::Row;
use crate::areas::members::{MembersError, store};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, Tx, ts};
use crate::kernel::pii::Pii;
use crate::kernel::validation::Invalid;

/// A good row with its personal fields encrypted and hashed.
#[derive(Debug, Clone)]
pub(super) struct Prepared {
    row: Row,
    phone_enc: String,
    phone_hash: String,
    phone_masked: String,
    id_enc: Option<String>,
    id_hash: Option<String>,
    id_masked: Option<String>,
}

/// Encrypts the good rows (before the write: encryption is slow).
pub(super) fn prepare(
    pii: &Pii,
    good: &[Row],
    phone_hashes: Vec<String>,
    id_hashes: Vec<Option<String>>,
) -> Vec<Prepared> {
    good.iter()
        .zip(phone_hashes)
        .zip(id_hashes)
        .map(|((r, ph), ih)| Prepared {
            phone_enc: pii.encrypt(r.phone.as_str()),
            phone_hash: ph,
            phone_masked: r.phone.masked(),
            id_enc: r.id.as_ref().map(|i| pii.encrypt(i.as_str())),
            id_hash: ih,
            id_masked: r.id.as_ref().map(IdNumber::masked),
            row: r.clone(),
        })
        .collect()
}

/// Rows per multi-row INSERT.
const CHUNK: usize = 500;

/// What every chunk of the write shares.
pub(super) struct Plan {
    pub card_months: u32,
    pub points_months: u32,
    pub today: NaiveDate,
    pub pg: bool,
}

pub(super) async fn write_all(
    ctx: &Ctx,
    tx: &mut Tx,
    rows: &[Prepared],
    plan: &Plan,
    done: &AtomicU64,
) -> Result<Vec<(i64, String)>, MembersError> {
    let now = ts(ctx.now());
    let ids_all = store::reserve_member_ids(tx, rows.len(), plan.pg).await?;
    let cards = card_numbers(tx, rows).await?;
    let card_of: HashMap<&str, i64> = cards
        .iter()
        .enumerate()
        .map(|(k, c)| (c.as_str(), ids_all[k]))
        .collect();
    let staff_id = ctx.actor.staff().map(|s| s.id);
    for (chunk_no, chunk) in rows.chunks(CHUNK).enumerate() {
        let base = chunk_no * CHUNK;
        let ids = &ids_all[base..base + chunk.len()];
        insert_members(tx, chunk, ids, now, plan.pg).await?;
        insert_cards(tx, chunk, ids, &cards[base..base + chunk.len()], plan, now).await?;
        // Opening balances: one ledger entry each, marked as such, and their lot (multi-row).
        let expires = patron_core::points::lot_expiry(plan.today, plan.points_months);
        let with_points: Vec<store::OpeningBalance> = chunk
            .iter()
            .zip(ids)
            .filter(|(p, _)| p.row.points > 0)
            .map(|(p, id)| store::OpeningBalance {
                member_id: *id,
                points: p.row.points,
                store_id: p.row.store_id,
            })
            .collect();
        store::insert_opening_balances(tx, &with_points, now, staff_id, expires).await?;
        set_referrers(tx, chunk, ids, &card_of).await?;
        done.fetch_add(chunk.len() as u64, Ordering::Relaxed);
    }
    // The members written, with their card numbers (for the portal passwords an import may
    // issue).
    Ok(ids_all.iter().copied().zip(cards).collect())
}

/// Card numbers, in row order: kept when given (the stores' sequences moved past them), else
/// the store's next numbers.
async fn card_numbers(tx: &mut Tx, rows: &[Prepared]) -> Result<Vec<String>, DbError> {
    let mut cards: Vec<String> = Vec::with_capacity(rows.len());
    let mut max_seq: HashMap<i64, i64> = HashMap::new();
    for p in rows {
        match &p.row.card_no {
            Some(c) => {
                cards.push(c.as_str().to_string());
                if let Some(seq) = c
                    .as_str()
                    .strip_prefix(&p.row.store_code)
                    .and_then(|s| s.parse::<i64>().ok())
                {
                    let e = max_seq.entry(p.row.store_id).or_insert(0);
                    *e = (*e).max(seq);
                }
            }
            None => cards.push(String::new()),
        }
    }
    for (id, seq) in &max_seq {
        store::bump_card_seq(tx, *id, *seq).await?;
    }
    // New numbers: each store's block taken in one statement, handed out in row order.
    let mut wanted: HashMap<i64, i64> = HashMap::new();
    for p in rows.iter().filter(|p| p.row.card_no.is_none()) {
        *wanted.entry(p.row.store_id).or_insert(0) += 1;
    }
    let mut next: HashMap<i64, i64> = HashMap::new();
    for (store_id, n) in wanted {
        next.insert(store_id, store::take_card_seqs(tx, store_id, n).await?);
    }
    for (k, p) in rows.iter().enumerate() {
        if p.row.card_no.is_none()
            && let Some(seq) = next.get_mut(&p.row.store_id)
        {
            cards[k] = CardNo::issued(&p.row.store_code, *seq).as_str().to_string();
            *seq += 1;
        }
    }
    Ok(cards)
}

async fn insert_members(
    tx: &mut Tx,
    chunk: &[Prepared],
    ids: &[i64],
    now: DateTime<Utc>,
    pg: bool,
) -> Result<(), DbError> {
    let rows: Vec<store::ImportedMember<'_>> = chunk
        .iter()
        .zip(ids)
        .map(|(p, id)| store::ImportedMember {
            id: *id,
            name: &p.row.name,
            gender: p.row.gender,
            birthday: p.row.birthday,
            phone_enc: &p.phone_enc,
            phone_hash: &p.phone_hash,
            phone_masked: &p.phone_masked,
            id_type: p.row.id.as_ref().map(|i| i.kind.code()),
            id_enc: p.id_enc.as_deref(),
            id_hash: p.id_hash.as_deref(),
            id_masked: p.id_masked.as_deref(),
            channel: p.row.channel,
            store_id: p.row.store_id,
            tier_code: &p.row.tier,
            joined_on: p.row.joined_on,
            points: p.row.points,
            consent: p.row.consent,
        })
        .collect();
    store::insert_members(tx, &rows, now, pg).await
}

async fn insert_cards(
    tx: &mut Tx,
    chunk: &[Prepared],
    ids: &[i64],
    cards: &[String],
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<(), MembersError> {
    let rows: Vec<store::ImportedCard<'_>> = chunk
        .iter()
        .zip(ids)
        .zip(cards)
        .map(|((p, id), card_no)| {
            let r = &p.row;
            store::ImportedCard {
                card_no,
                member_id: *id,
                store_id: r.store_id,
                issued_on: r.joined_on,
                expires_on: r.expires_on.unwrap_or_else(|| {
                    r.joined_on
                        .checked_add_months(Months::new(plan.card_months))
                        .unwrap_or(r.joined_on)
                }),
            }
        })
        .collect();
    store::insert_cards(tx, &rows, now).await.map_err(|e| {
        let e = DbError::from(e);
        if e.is_unique_violation() {
            MembersError::from(Invalid::one("card_no", "invalid.duplicate"))
        } else {
            e.into()
        }
    })
}

/// Referrers: a card of this file, or one already issued.
async fn set_referrers(
    tx: &mut Tx,
    chunk: &[Prepared],
    ids: &[i64],
    card_of: &HashMap<&str, i64>,
) -> Result<(), DbError> {
    for (p, id) in chunk.iter().zip(ids) {
        if let Some(rc) = &p.row.referrer {
            let referrer_id = match card_of.get(rc.as_str()) {
                Some(id) => Some(*id),
                None => store::member_of_card_in(tx, rc.as_str()).await?,
            };
            store::set_referrer(tx, *id, referrer_id).await?;
        }
    }
    Ok(())
}
