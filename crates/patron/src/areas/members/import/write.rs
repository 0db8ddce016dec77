//! Writing a checked import in short writes, so tills are served between them (issue 18), and
//! still all or nothing (N3): card numbers kept or issued; the rows staged where nobody sees
//! them; then, claimed against any other write, published a chunk at a time into members, cards
//! and the ledger, then their referrers. An import that has begun publishing is finished by
//! whoever finds it unfinished (`finish_unfinished`); one still staging is abandoned.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Months, NaiveDate, Utc};
use futures::future::BoxFuture;
use patron_core::identity::{CardNo, IdNumber};

use super::check::{BadRow, Row};
use crate::areas::members::store::import::{self as sql, ImportState, NewImport, StagedRow};
use crate::areas::members::{MembersError, store};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Backend, DbError, Tx, ts};
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

/// Rows staged per write at most (one statement: 23 parameters a row).
const STAGE_ROWS: i64 = 1_000;
/// Rows published per write on PostgreSQL.
const PUBLISH_ROWS: i64 = 2_000;
/// Rows whose referrers are set, or whose staged copies are deleted, per write on PostgreSQL.
const SWEEP_ROWS: i64 = 20_000;
/// How long one chunk may hold SQLite's only writer: a till's receipt waits behind at most one
/// chunk (`Db::write_bulk`), and must be answered within 100 ms while an import runs (issue 18).
const CHUNK_TIME: Duration = Duration::from_millis(40);
/// An unfinished import not heard from for this long was left by a process that stopped.
const STALE_SECS: i64 = 120;

/// What every chunk of the write shares.
pub(super) struct Plan {
    pub card_months: u32,
    pub points_months: u32,
    pub today: NaiveDate,
}

/// How the write ended.
pub(super) enum Written {
    /// Every row is in, written by the import with this id.
    Done(i64),
    /// Nothing is in: rows whose phone, ID number or card number was taken while the import ran.
    Refused(Vec<BadRow>),
}

/// How many rows the next chunk of one kind of write takes. On SQLite a chunk holds the only
/// writer, and the tills wait behind it: each takes as many rows as fit in about `CHUNK_TIME`
/// at the speed the chunks before it went (it slows as the indexes grow). On PostgreSQL the
/// tills write beside the import: a fixed size.
struct Pace {
    rows: i64,
    most: i64,
    paced: bool,
}

impl Pace {
    /// The fewest rows a paced chunk takes.
    const LEAST: i64 = 50;

    fn new(backend: Backend, fixed: i64, most: i64) -> Pace {
        match backend {
            Backend::Sqlite => Pace {
                rows: Self::LEAST.max(most / 8).min(most),
                most,
                paced: true,
            },
            Backend::Postgres => Pace {
                rows: fixed.min(most),
                most,
                paced: false,
            },
        }
    }

    /// The rows of the chunk starting at `at`, of `total`.
    fn next(&self, at: i64, total: i64) -> i64 {
        (at + self.rows).min(total)
    }

    /// Learns from a chunk of `rows` rows that held the writer for `spent` (run and committed:
    /// `HeldFor`).
    fn took(&mut self, rows: i64, spent: Duration) {
        if !self.paced || rows < self.rows {
            return;
        }
        let fit = rows as f64 * CHUNK_TIME.as_secs_f64() / spent.as_secs_f64().max(1e-4);
        let fit = (fit as i64).clamp(self.rows / 2, self.rows.saturating_mul(2));
        self.rows = fit.clamp(Self::LEAST, self.most);
    }
}

/// How long a chunk held the writer: from when its write began running (it may first wait
/// behind a batch of other writes, or while the WAL is copied) until it was answered.
#[derive(Clone)]
struct HeldFor {
    base: Instant,
    ran_at_us: Arc<AtomicU64>,
}

impl HeldFor {
    fn new() -> HeldFor {
        HeldFor {
            base: Instant::now(),
            ran_at_us: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The write begins running (again, if it is retried).
    fn start(&self) {
        let us = u64::try_from(self.base.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.ran_at_us.store(us, Ordering::Relaxed);
    }

    fn spent(&self) -> Duration {
        self.base.elapsed().saturating_sub(Duration::from_micros(
            self.ran_at_us.load(Ordering::Relaxed),
        ))
    }
}

/// Writes the checked rows. `done` counts rows staged, then rows published (twice the rows in
/// all).
pub(super) async fn write_all(
    ctx: &Ctx,
    rows: Vec<Prepared>,
    plan: &Plan,
    done: Arc<AtomicU64>,
) -> Result<Written, MembersError> {
    finish_unfinished(ctx).await?;
    let rows = Arc::new(rows);
    let cards = {
        let rows = rows.clone();
        Arc::new(
            ctx.db()
                .write(move |tx| {
                    let rows = rows.clone();
                    Box::pin(async move { card_numbers(tx, &rows).await })
                })
                .await?,
        )
    };
    let new = NewImport {
        total: rows.len() as i64,
        at: ts(ctx.now()),
        staff_id: ctx.actor.staff().map(|s| s.id),
        lots_expire: patron_core::points::lot_expiry(plan.today, plan.points_months),
    };
    let import_id = ctx
        .db()
        .write(move |tx| Box::pin(async move { sql::begin_import(tx, &new).await }))
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                MembersError::from(Invalid::one("file", "import.another_running"))
            } else {
                e.into()
            }
        })?;
    let card_months = plan.card_months;
    let total = rows.len() as i64;
    let to_stage = rows.clone();
    let staged = in_chunks(
        ctx,
        Pace::new(ctx.db().backend(), STAGE_ROWS, STAGE_ROWS),
        (0, total),
        Some(&*done),
        move |tx, at, to, now| {
            let (rows, cards) = (to_stage.clone(), cards.clone());
            Box::pin(async move {
                let (first, end) = (at as usize, to as usize);
                let chunk: Vec<StagedRow<'_>> = rows[first..end]
                    .iter()
                    .zip(&cards[first..end])
                    .map(|(p, card)| staged(p, card, card_months))
                    .collect();
                sql::stage_rows(tx, import_id, at, &chunk, now).await
            })
        },
    )
    .await;
    if let Err(e) = staged {
        abandon(ctx, import_id, total).await?;
        return Err(e);
    }
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move { sql::start_publishing(tx, import_id, ts(c.now())).await })
        })
        .await?;
    let taken = sql::conflicts(ctx.db(), import_id).await?;
    if !taken.is_empty() {
        abandon(ctx, import_id, rows.len() as i64).await?;
        let bad = taken
            .into_iter()
            .map(|(line, field)| BadRow {
                reason: if field == "card_no" {
                    "invalid.duplicate"
                } else {
                    "import.already_member"
                },
                line: line as usize,
                field,
            })
            .collect();
        return Ok(Written::Refused(bad));
    }
    let state = ImportState {
        id: import_id,
        publishing: true,
        total: rows.len() as i64,
        published: 0,
        referred: 0,
        updated_at: ctx.now(),
    };
    publish(ctx, state, Some(&done)).await?;
    Ok(Written::Done(import_id))
}

/// A prepared row as it is staged, with its card number.
fn staged<'a>(p: &'a Prepared, card_no: &'a str, card_months: u32) -> StagedRow<'a> {
    let r = &p.row;
    StagedRow {
        line: r.line as i64,
        name: &r.name,
        gender: r.gender,
        birthday: r.birthday,
        phone_enc: &p.phone_enc,
        phone_hash: &p.phone_hash,
        phone_masked: &p.phone_masked,
        id_type: r.id.as_ref().map(|i| i.kind.code()),
        id_enc: p.id_enc.as_deref(),
        id_hash: p.id_hash.as_deref(),
        id_masked: p.id_masked.as_deref(),
        channel: r.channel,
        store_id: r.store_id,
        tier_code: &r.tier,
        joined_on: r.joined_on,
        points: r.points,
        consent: r.consent,
        card_no,
        card_expires_on: r.expires_on.unwrap_or_else(|| {
            r.joined_on
                .checked_add_months(Months::new(card_months))
                .unwrap_or(r.joined_on)
        }),
        referrer_card_no: r.referrer.as_ref().map(CardNo::as_str),
    }
}

/// Publishes an import from where it got to: its rows a chunk per write, then their referrers;
/// then marks it done (audited) and deletes its staged rows.
async fn publish(ctx: &Ctx, s: ImportState, done: Option<&AtomicU64>) -> Result<(), MembersError> {
    let id = s.id;
    let backend = ctx.db().backend();
    in_chunks(
        ctx,
        Pace::new(backend, PUBLISH_ROWS, PUBLISH_ROWS * 5),
        (s.published, s.total),
        done,
        move |tx, at, to, now| Box::pin(sql::publish_rows(tx, id, at, to, now)),
    )
    .await?;
    in_chunks(
        ctx,
        Pace::new(backend, SWEEP_ROWS, SWEEP_ROWS * 5),
        (s.referred, s.total),
        None,
        move |tx, at, to, now| Box::pin(sql::refer_rows(tx, id, at, to, now)),
    )
    .await?;
    let (c, total) = (ctx.clone(), s.total);
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                sql::end_import(tx, id, true, ts(c.now())).await?;
                tx.audit(
                    c.audit("member.import", "member", "import")
                        .after(&serde_json::json!({ "rows": total, "import": id })),
                );
                Ok::<_, DbError>(())
            })
        })
        .await?;
    delete_staged(ctx, id, s.total).await
}

/// Ends an import that published nothing, and deletes what it staged.
async fn abandon(ctx: &Ctx, id: i64, total: i64) -> Result<(), MembersError> {
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move { sql::end_import(tx, id, false, ts(c.now())).await })
        })
        .await?;
    delete_staged(ctx, id, total).await
}

async fn delete_staged(ctx: &Ctx, id: i64, total: i64) -> Result<(), MembersError> {
    in_chunks(
        ctx,
        Pace::new(ctx.db().backend(), SWEEP_ROWS, SWEEP_ROWS * 5),
        (0, total),
        None,
        move |tx, at, to, _| Box::pin(sql::delete_staged(tx, id, at, to)),
    )
    .await
}

/// Runs `step` over the import's rows from `at` to `total` (each call: the rows `at..to` and
/// the time of the write), a paced chunk per bulk write, counting the rows in `done` if given.
async fn in_chunks<F>(
    ctx: &Ctx,
    mut pace: Pace,
    (mut at, total): (i64, i64),
    done: Option<&AtomicU64>,
    step: F,
) -> Result<(), MembersError>
where
    F: for<'a> Fn(&'a mut Tx, i64, i64, DateTime<Utc>) -> BoxFuture<'a, Result<(), DbError>>
        + Clone
        + Send
        + Sync
        + 'static,
{
    while at < total {
        let to = pace.next(at, total);
        let (c, step) = (ctx.clone(), step.clone());
        let clock = HeldFor::new();
        let ran = clock.clone();
        ctx.db()
            .write_bulk(move |tx| {
                ran.start();
                step(tx, at, to, ts(c.now()))
            })
            .await?;
        pace.took(to - at, clock.spent());
        if let Some(d) = done {
            d.fetch_add((to - at) as u64, Ordering::Relaxed);
        }
        at = to;
    }
    Ok(())
}

/// Finishes the imports a stopped process left: one that had begun publishing is published to
/// the end, one still staging is abandoned, staged rows of ended ones are deleted. Imports heard
/// from in the last two minutes are left to the process running them; how many were left is
/// returned.
pub async fn finish_unfinished(ctx: &Ctx) -> Result<usize, MembersError> {
    let mut running = 0;
    for s in sql::unfinished(ctx.db()).await? {
        if ctx.now().signed_duration_since(s.updated_at).num_seconds() < STALE_SECS {
            running += 1;
        } else if s.publishing {
            tracing::warn!(
                import = s.id,
                "finishing a member import a stopped process left"
            );
            publish(ctx, s, None).await?;
        } else {
            tracing::warn!(
                import = s.id,
                "abandoning a member import a stopped process left"
            );
            abandon(ctx, s.id, s.total).await?;
        }
    }
    for (id, total) in sql::ended_with_rows(ctx.db()).await? {
        delete_staged(ctx, id, total).await?;
    }
    Ok(running)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paced_chunk_fills_its_time_moving_at_most_twofold_within_its_bounds() {
        let mut p = Pace::new(Backend::Sqlite, 2_000, 10_000);
        assert_eq!(p.rows, 1_250);
        // Fast chunks grow it, at most doubling each time, up to the most.
        p.took(1_250, Duration::from_millis(4));
        assert_eq!(p.rows, 2_500);
        for _ in 0..5 {
            let rows = p.rows;
            p.took(rows, Duration::from_millis(1));
        }
        assert_eq!(p.rows, 10_000);
        // A chunk at the speed asked keeps its size.
        p.took(10_000, CHUNK_TIME);
        assert_eq!(p.rows, 10_000);
        // A slow one shrinks it, at most halving, down to the fewest.
        p.took(10_000, Duration::from_millis(80));
        assert_eq!(p.rows, 5_000);
        p.took(5_000, Duration::from_millis(50));
        assert_eq!(p.rows, 4_000);
        for _ in 0..10 {
            let rows = p.rows;
            p.took(rows, Duration::from_secs(2));
        }
        assert_eq!(p.rows, Pace::LEAST);
        // The last, shorter chunk teaches nothing.
        p.took(10, Duration::from_millis(1));
        assert_eq!(p.rows, Pace::LEAST);
        assert_eq!(p.next(990, 1_000), 1_000);
    }

    #[test]
    fn postgres_chunks_keep_their_fixed_size() {
        let mut p = Pace::new(Backend::Postgres, 2_000, 10_000);
        p.took(2_000, Duration::from_secs(3));
        assert_eq!(p.next(0, 1_000_000), 2_000);
    }
}
