//! The member import (SPEC N3): a CSV or xlsx file from an older system, header row with the
//! columns below in any order (`name` and `phone` required). Every row is checked first and
//! every bad row reported with its line and reason; only a clean file is written, in one
//! transaction, so nothing is ever half-imported.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Months, NaiveDate};
use patron_core::Permission;
use patron_core::identity::{CardNo, IdNumber, IdType, Phone};
use serde::Serialize;

use super::{MembersError, parse_channel, parse_date, parse_gender, store};
use crate::areas::points::business_date;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Backend, DbError, ts};
use crate::on_tx;

pub const COLUMNS: [&str; 14] = [
    "card_no",
    "name",
    "gender",
    "birthday",
    "phone",
    "id_type",
    "id_no",
    "store_code",
    "tier",
    "joined_on",
    "card_expires_on",
    "points",
    "channel",
    "referrer_card_no",
];

/// A rejected row: its line in the file (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    pub line: usize,
    pub field: String,
    pub reason: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    pub bad: Vec<BadRow>,
}

/// Reads a file into rows of cells by header name. xlsx by extension, CSV otherwise.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    if name.to_ascii_lowercase().ends_with(".xlsx") {
        use calamine::{Data, Reader};
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
            .map_err(|e| format!("not a readable xlsx file: {e}"))?;
        let range = wb
            .worksheet_range_at(0)
            .ok_or("the workbook has no sheet")?
            .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
        let mut rows = range.rows().map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.trim().to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::Float(f) => f.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(_) | Data::DateTimeIso(_) => {
                        use calamine::DataType;
                        c.as_date().map(|d| d.to_string()).unwrap_or_default()
                    }
                    other => other.to_string(),
                })
                .collect::<Vec<String>>()
        });
        let header = rows.next().ok_or("the sheet is empty")?;
        return Ok((header, rows.collect()));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "the file is not UTF-8 text (save the CSV as UTF-8)".to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| format!("the CSV cannot be read: {e}"))?;
        rows.push(r.iter().map(|c| c.trim().to_string()).collect::<Vec<_>>());
    }
    let mut it = rows.into_iter();
    let header = it.next().ok_or("the file is empty")?;
    Ok((header, it.collect()))
}

/// A checked row, ready to insert.
#[derive(Debug, Clone)]
struct Row {
    line: usize,
    card_no: Option<CardNo>,
    name: String,
    gender: Option<&'static str>,
    birthday: Option<NaiveDate>,
    phone: Phone,
    id: Option<IdNumber>,
    store_id: i64,
    store_code: String,
    tier: String,
    joined_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    points: i64,
    channel: &'static str,
    referrer: Option<CardNo>,
}

/// Checks and (when every row is good) imports. `default_store` is used where a row names none.
pub async fn import(
    ctx: &Ctx,
    default_store: &str,
    header: &[String],
    rows: &[Vec<String>],
    progress: Option<crate::jobs::Progress>,
) -> Result<ImportReport, MembersError> {
    ctx.require(Permission::ManageMembers)?;
    let mut bad = Vec::new();
    let index: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            (
                h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase(),
                i,
            )
        })
        .collect();
    for h in index.keys() {
        if !COLUMNS.contains(&h.as_str()) {
            bad.push(BadRow {
                line: 1,
                field: h.clone(),
                reason: "import.unknown_column",
            });
        }
    }
    for required in ["name", "phone"] {
        if !index.contains_key(required) {
            bad.push(BadRow {
                line: 1,
                field: required.into(),
                reason: "import.missing_column",
            });
        }
    }
    if !bad.is_empty() {
        return Ok(ImportReport {
            rows: rows.len(),
            imported: 0,
            bad,
        });
    }
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let today = business_date(ctx.now(), ctx.app.config.tz());
    let pii = ctx.app.pii.clone();
    let mut seen_phone = HashSet::new();
    let mut seen_id = HashSet::new();
    let mut seen_card = HashSet::new();
    let mut good: Vec<Row> = Vec::with_capacity(rows.len());
    for (i, cells) in rows.iter().enumerate() {
        let line = i + 2;
        let get = |col: &str| {
            index
                .get(col)
                .and_then(|k| cells.get(*k))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut row_bad: Vec<BadRow> = Vec::new();
        let mut fail = |field: &str, reason: &'static str| {
            row_bad.push(BadRow {
                line,
                field: field.into(),
                reason,
            })
        };
        let name = get("name").to_string();
        if name.is_empty() || name.chars().count() > 50 {
            fail(
                "name",
                if name.is_empty() {
                    "invalid.required"
                } else {
                    "invalid.too_long"
                },
            );
        }
        let phone = Phone::parse(get("phone"))
            .map_err(|k| fail("phone", k))
            .ok();
        if let Some(p) = &phone
            && !seen_phone.insert(p.as_str().to_string())
        {
            fail("phone", "import.duplicate_in_file");
        }
        let gender = parse_gender(get("gender"))
            .map_err(|k| fail("gender", k))
            .ok()
            .flatten();
        let birthday = parse_date(get("birthday"))
            .map_err(|k| fail("birthday", k))
            .ok()
            .flatten();
        let id = if get("id_no").is_empty() {
            None
        } else {
            match IdType::parse(get("id_type")) {
                Ok(t) => IdNumber::parse(t, get("id_no"))
                    .map_err(|k| fail("id_no", k))
                    .ok(),
                Err(k) => {
                    fail("id_type", k);
                    None
                }
            }
        };
        if let Some(idn) = &id
            && !seen_id.insert(idn.as_str().to_string())
        {
            fail("id_no", "import.duplicate_in_file");
        }
        let store_code = if get("store_code").is_empty() {
            default_store
        } else {
            get("store_code")
        };
        let store = stores.by_code(store_code).cloned();
        if store.is_none() {
            fail("store_code", "invalid.store_code");
        } else if let Some(st) = &store
            && !ctx.can_at(Permission::ManageMembers, st.id)
        {
            fail("store_code", "import.not_your_store");
        }
        let tier_text = get("tier");
        let tier = if tier_text.is_empty() {
            loyalty.lowest().map(|t| t.code.clone())
        } else {
            loyalty
                .tiers
                .iter()
                .find(|t| {
                    t.code == tier_text
                        || t.name_zh == tier_text
                        || t.name_en.eq_ignore_ascii_case(tier_text)
                })
                .map(|t| t.code.clone())
        };
        if tier.is_none() {
            fail("tier", "import.unknown_tier");
        }
        let joined_on = match parse_date(get("joined_on")) {
            Ok(d) => d.unwrap_or(today),
            Err(k) => {
                fail("joined_on", k);
                today
            }
        };
        let expires_on = parse_date(get("card_expires_on"))
            .map_err(|k| fail("card_expires_on", k))
            .ok()
            .flatten();
        let points = if get("points").is_empty() {
            0
        } else {
            get("points")
                .replace(',', "")
                .parse::<i64>()
                .ok()
                .filter(|p| *p >= 0)
                .unwrap_or_else(|| {
                    fail("points", "invalid.points");
                    0
                })
        };
        let channel = parse_channel(get("channel"))
            .map_err(|k| fail("channel", k))
            .ok();
        let card_no = if get("card_no").is_empty() {
            None
        } else {
            CardNo::parse(get("card_no"))
                .map_err(|k| fail("card_no", k))
                .ok()
        };
        if let Some(c) = &card_no
            && !seen_card.insert(c.as_str().to_string())
        {
            fail("card_no", "import.duplicate_in_file");
        }
        let referrer = if get("referrer_card_no").is_empty() {
            None
        } else {
            CardNo::parse(get("referrer_card_no"))
                .map_err(|k| fail("referrer_card_no", k))
                .ok()
        };
        let clean = row_bad.is_empty();
        bad.append(&mut row_bad);
        if clean
            && let (Some(phone), Some(store), Some(tier), Some(channel)) =
                (phone, store, tier, channel)
        {
            good.push(Row {
                line,
                card_no,
                name,
                gender,
                birthday,
                phone,
                id,
                store_id: store.id,
                store_code: store.code.clone(),
                tier,
                joined_on,
                expires_on,
                points,
                channel,
                referrer,
            });
        }
        if let Some(p) = &progress
            && i % 10_000 == 0
        {
            p(i as u64, rows.len() as u64);
        }
    }
    // Against the database: phones, ID numbers and card numbers already taken, referrers known.
    let phone_hashes: Vec<String> = good
        .iter()
        .map(|r| pii.lookup("phone", r.phone.as_str()))
        .collect();
    let id_hashes: Vec<Option<String>> = good
        .iter()
        .map(|r| r.id.as_ref().map(|i| pii.lookup("id", i.as_str())))
        .collect();
    let taken_phones = existing(
        ctx,
        "select phone_hash from members where phone_hash is not null",
        None,
    )
    .await?;
    let taken_ids = existing(
        ctx,
        "select id_hash from members where id_hash is not null",
        None,
    )
    .await?;
    let taken_cards = existing(ctx, "select card_no from cards", None).await?;
    let file_cards: HashSet<String> = good
        .iter()
        .filter_map(|r| r.card_no.as_ref().map(|c| c.as_str().to_string()))
        .collect();
    for (k, r) in good.iter().enumerate() {
        let line = r.line;
        if taken_phones.contains(&phone_hashes[k]) {
            bad.push(BadRow {
                line,
                field: "phone".into(),
                reason: "import.already_member",
            });
        }
        if let Some(h) = &id_hashes[k]
            && taken_ids.contains(h)
        {
            bad.push(BadRow {
                line,
                field: "id_no".into(),
                reason: "import.already_member",
            });
        }
        if let Some(c) = &r.card_no
            && taken_cards.contains(c.as_str())
        {
            bad.push(BadRow {
                line,
                field: "card_no".into(),
                reason: "invalid.duplicate",
            });
        }
        if let Some(rc) = &r.referrer
            && !taken_cards.contains(rc.as_str())
            && !file_cards.contains(rc.as_str())
        {
            bad.push(BadRow {
                line,
                field: "referrer_card_no".into(),
                reason: "invalid.no_such_card",
            });
        }
    }
    bad.sort_by(|a, b| a.line.cmp(&b.line).then(a.field.cmp(&b.field)));
    if !bad.is_empty() {
        return Ok(ImportReport {
            rows: rows.len(),
            imported: 0,
            bad,
        });
    }
    // Everything is good: encrypt, then write it all in one transaction.
    let prepared: Vec<Prepared> = good
        .iter()
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
        .collect();
    let n = prepared.len();
    let prepared = Arc::new(prepared);
    let done = Arc::new(AtomicU64::new(0));
    let ticker = progress.clone().map(|p| {
        let done = done.clone();
        tokio::spawn(async move {
            loop {
                p(done.load(Ordering::Relaxed), n as u64);
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    });
    let c = ctx.clone();
    let months = loyalty.settings.card_valid_months.max(1) as u32;
    let points_months = loyalty.settings.points_valid_months.max(1) as u32;
    let pg = ctx.db().backend() == Backend::Postgres;
    let result = ctx
        .db()
        .write(move |tx| {
            let (c, prepared, done) = (c.clone(), prepared.clone(), done.clone());
            Box::pin(async move {
                write_all(&c, tx, &prepared, months, points_months, today, pg, &done).await?;
                tx.audit(
                    c.audit("member.import", "member", "import")
                        .after(&serde_json::json!({ "rows": prepared.len() })),
                );
                Ok::<_, MembersError>(())
            })
        })
        .await;
    if let Some(t) = ticker {
        t.abort();
    }
    result?;
    Ok(ImportReport {
        rows: rows.len(),
        imported: n,
        bad: Vec::new(),
    })
}

async fn existing(
    ctx: &Ctx,
    sql: &'static str,
    _arg: Option<i64>,
) -> Result<HashSet<String>, DbError> {
    let v: Vec<String> = crate::on_db!(ctx.db(), |p| sqlx::query_scalar(sql).fetch_all(p).await?);
    Ok(v.into_iter().collect())
}

#[derive(Debug, Clone)]
struct Prepared {
    row: Row,
    phone_enc: String,
    phone_hash: String,
    phone_masked: String,
    id_enc: Option<String>,
    id_hash: Option<String>,
    id_masked: Option<String>,
}

/// Rows per multi-row INSERT.
const CHUNK: usize = 500;

#[allow(clippy::too_many_arguments)]
async fn write_all(
    ctx: &Ctx,
    tx: &mut crate::kernel::db::Tx,
    rows: &[Prepared],
    card_months: u32,
    points_months: u32,
    today: NaiveDate,
    pg: bool,
    done: &AtomicU64,
) -> Result<(), MembersError> {
    let now = ts(ctx.now());
    // Member ids: on PostgreSQL reserved from the identity sequence (the tills keep writing while
    // the import runs); on SQLite the single writer makes max + 1 safe.
    let ids_all: Vec<i64> = if pg {
        on_tx!(tx, |c| {
            sqlx::query_scalar(
                "select nextval(pg_get_serial_sequence('members', 'id')) from generate_series(1, $1)",
            )
            .bind(rows.len() as i64)
            .fetch_all(c)
            .await?
        })
    } else {
        let first: i64 = on_tx!(tx, |c| {
            sqlx::query_scalar::<_, Option<i64>>("select max(id) from members")
                .fetch_one(c)
                .await?
        })
        .unwrap_or(0)
            + 1;
        (0..rows.len() as i64).map(|k| first + k).collect()
    };
    // Card numbers: kept when given, else the store's next numbers.
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
    for (k, p) in rows.iter().enumerate() {
        if p.row.card_no.is_none() {
            let seq = store::next_card_seq(tx, p.row.store_id).await?;
            cards[k] = CardNo::issued(&p.row.store_code, seq).as_str().to_string();
        }
    }
    let card_of: HashMap<&str, i64> = cards
        .iter()
        .enumerate()
        .map(|(k, c)| (c.as_str(), ids_all[k]))
        .collect();
    for (chunk_no, chunk) in rows.chunks(CHUNK).enumerate() {
        let base = chunk_no * CHUNK;
        let mut sql = String::from(
            "insert into members (id, name, gender, birthday, birth_md, phone_enc, phone_hash, phone_masked, \
             id_type, id_enc, id_hash, id_masked, channel, store_id, tier_code, tier_since, joined_on, created_at, \
             points_balance) ",
        );
        if pg {
            sql.push_str("overriding system value ");
        }
        sql.push_str("values ");
        for k in 0..chunk.len() {
            let b = k * 19;
            if k > 0 {
                sql.push(',');
            }
            sql.push('(');
            sql.push_str(
                &(1..=19)
                    .map(|j| format!("${}", b + j))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            sql.push(')');
        }
        let mut ids = Vec::with_capacity(chunk.len());
        macro_rules! bind_members {
            ($q:expr) => {{
                let mut q = $q;
                for (k, p) in chunk.iter().enumerate() {
                    let r = &p.row;
                    let id = ids_all[base + k];
                    ids.push(id);
                    q = q
                        .bind(id)
                        .bind(r.name.clone())
                        .bind(r.gender)
                        .bind(r.birthday)
                        .bind(r.birthday.map(|b| b.format("%m-%d").to_string()))
                        .bind(p.phone_enc.clone())
                        .bind(p.phone_hash.clone())
                        .bind(p.phone_masked.clone())
                        .bind(p.row.id.as_ref().map(|i| i.kind.code()))
                        .bind(p.id_enc.clone())
                        .bind(p.id_hash.clone())
                        .bind(p.id_masked.clone())
                        .bind(r.channel)
                        .bind(r.store_id)
                        .bind(r.tier.clone())
                        .bind(r.joined_on)
                        .bind(r.joined_on)
                        .bind(now)
                        .bind(r.points);
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
        // Cards.
        let mut csql = String::from(
            "insert into cards (card_no, member_id, store_id, issued_on, expires_on, activated_at, state, created_at) values ",
        );
        for k in 0..chunk.len() {
            let b = k * 7;
            if k > 0 {
                csql.push(',');
            }
            csql.push_str(&format!(
                "(${},${},${},${},${},${},'active',${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        macro_rules! bind_cards {
            ($q:expr) => {{
                let mut q = $q;
                for (k, p) in chunk.iter().enumerate() {
                    let r = &p.row;
                    let expires = r.expires_on.unwrap_or_else(|| {
                        r.joined_on
                            .checked_add_months(Months::new(card_months))
                            .unwrap_or(r.joined_on)
                    });
                    q = q
                        .bind(cards[base + k].clone())
                        .bind(ids[k])
                        .bind(r.store_id)
                        .bind(r.joined_on)
                        .bind(expires)
                        .bind(now)
                        .bind(now);
                }
                q
            }};
        }
        on_tx!(tx, |c| bind_cards!(sqlx::query(sqlx::AssertSqlSafe(
            csql.clone()
        )))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                MembersError::from(crate::kernel::validation::Invalid::one(
                    "card_no",
                    "invalid.duplicate",
                ))
            } else {
                e.into()
            }
        })?;
        // Opening balances: one ledger entry each, marked as such, and their lot (multi-row).
        let expires = patron_core::points::lot_expiry(today, points_months);
        let with_points: Vec<(i64, &Prepared)> = chunk
            .iter()
            .enumerate()
            .filter(|(_, p)| p.row.points > 0)
            .map(|(k, p)| (ids[k], p))
            .collect();
        if !with_points.is_empty() {
            let staff_id = ctx.actor.staff().map(|s| s.id);
            let mut esql = String::from(
                "insert into point_entries (member_id, at, kind, points, balance_after, store_id, source_ref, \
                 till_id, staff_id, note) values ",
            );
            let mut lsql = String::from(
                "insert into point_lots (member_id, expires_on, earned, remaining) values ",
            );
            for k in 0..with_points.len() {
                let b = k * 5;
                if k > 0 {
                    esql.push(',');
                    lsql.push(',');
                }
                esql.push_str(&format!(
                    "(${}, ${}, 'opening', ${}, ${}, ${}, 'import', null, ${}, 'opening balance')",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 3,
                    b + 4,
                    b + 5
                ));
                let l = k * 3;
                lsql.push_str(&format!("(${}, ${}, ${}, ${})", l + 1, l + 2, l + 3, l + 3));
            }
            macro_rules! bind_entries {
                ($q:expr) => {{
                    let mut q = $q;
                    for (id, p) in &with_points {
                        q = q
                            .bind(*id)
                            .bind(now)
                            .bind(p.row.points)
                            .bind(p.row.store_id)
                            .bind(staff_id);
                    }
                    q
                }};
            }
            macro_rules! bind_lots {
                ($q:expr) => {{
                    let mut q = $q;
                    for (id, p) in &with_points {
                        q = q.bind(*id).bind(expires).bind(p.row.points);
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
        }
        // Referrers.
        for (k, p) in chunk.iter().enumerate() {
            if let Some(rc) = &p.row.referrer {
                let referrer_id = match card_of.get(rc.as_str()) {
                    Some(id) => Some(*id),
                    None => store::member_of_card_in(tx, rc.as_str()).await?,
                };
                on_tx!(tx, |c| sqlx::query(
                    "update members set referrer_id = $1 where id = $2"
                )
                .bind(referrer_id)
                .bind(ids[k])
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            }
        }
        done.fetch_add(chunk.len() as u64, Ordering::Relaxed);
    }
    Ok(())
}
