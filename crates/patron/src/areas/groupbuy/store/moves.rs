//! Moving ranges, the only way a voucher changes state: the guarded update, the movement
//! ledger, the closed-month guard, and what a range or a department holds.

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::vouchers::{Movement, SerialRange, VoucherState};

use crate::areas::groupbuy::GroupBuyError;
use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::web::said::Said;
use crate::{on_db, on_tx};

/// What a moved range links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    None,
    Sale(i64),
    Rebate(i64),
    /// Handover: the vouchers join this store's department stock.
    Store(i64),
    /// Bounce: the vouchers leave the sale.
    ClearSale,
}

/// One range moved by one operation.
#[derive(Debug, Clone)]
pub struct Move<'a> {
    pub movement: Movement,
    pub range: SerialRange,
    /// The form field the range came from, named in an error.
    pub field: &'a str,
    /// Only vouchers held by this store's department (or, for a handover, prepared for this
    /// requisition) may move.
    pub held_by: Option<i64>,
    pub requisition: Option<i64>,
    /// Only vouchers of this sale (release, bounce).
    pub of_sale: Option<i64>,
    pub link: Link,
    /// A new face value (a sale that changes it, E10).
    pub face_value: Option<i64>,
    /// The store the movement is booked to.
    pub store_id: Option<i64>,
    pub doc_kind: &'a str,
    pub doc_id: i64,
    pub staff_id: Option<i64>,
    pub at: DateTime<Utc>,
    pub biz_date: NaiveDate,
    pub note: &'a str,
}

/// The result of a move: how many vouchers and their face value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moved {
    pub count: i64,
    pub amount_fen: i64,
}

fn states_sql(states: &[VoucherState]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Moves every voucher of the range, or none: if any voucher is missing or not where the
/// movement needs it, the error names the range and what its vouchers are, and the caller's
/// transaction rolls back.
pub async fn move_range(tx: &mut Tx, m: &Move<'_>) -> Result<Moved, GroupBuyError> {
    let (from, to) = m.movement.path();
    // Parameters are numbered as they are added: $1 and $2 are the range.
    let mut binds: Vec<i64> = vec![m.range.first.0, m.range.last.0];
    let param = |v: i64, binds: &mut Vec<i64>| {
        binds.push(v);
        format!("${}", binds.len())
    };
    let mut sql = format!("update vouchers set state = '{}'", to.code());
    match m.link {
        Link::None => {}
        Link::Sale(id) => sql.push_str(&format!(", sale_id = {}", param(id, &mut binds))),
        Link::Rebate(id) => sql.push_str(&format!(", rebate_id = {}", param(id, &mut binds))),
        Link::Store(id) => sql.push_str(&format!(", store_id = {}", param(id, &mut binds))),
        Link::ClearSale => sql.push_str(", sale_id = null"),
    }
    if let Some(f) = m.face_value {
        sql.push_str(&format!(", face_value_fen = {}", param(f, &mut binds)));
    }
    sql.push_str(&format!(
        " where serial_no between $1 and $2 and state in ({})",
        states_sql(from)
    ));
    if let Some(s) = m.held_by {
        sql.push_str(&format!(" and store_id = {}", param(s, &mut binds)));
    }
    if let Some(r) = m.requisition {
        sql.push_str(&format!(" and requisition_id = {}", param(r, &mut binds)));
    }
    if let Some(s) = m.of_sale {
        sql.push_str(&format!(" and sale_id = {}", param(s, &mut binds)));
    }
    sql.push_str(" returning face_value_fen");
    // A movement that may start from several states records one row per state it took.
    let before: Vec<(String, i64)> = if from.len() > 1 {
        let sql = format!(
            "select state, count(*) from vouchers where serial_no between $1 and $2 and state in ({}) \
             group by state order by state",
            states_sql(from)
        );
        on_tx!(tx, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(m.range.first.0)
                .bind(m.range.last.0)
                .fetch_all(c)
                .await?
        })
    } else {
        Vec::new()
    };
    // A savepoint lets a refused range be described as it was before the update.
    exec(tx, "savepoint gb_move").await?;
    let faces: Vec<i64> = on_tx!(tx, |c| {
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
        for b in &binds {
            q = q.bind(*b);
        }
        q.fetch_all(c).await?
    });
    let count = i64::try_from(faces.len()).unwrap_or(0);
    if count != m.range.count() {
        exec(tx, "rollback to savepoint gb_move").await?;
        exec(tx, "release savepoint gb_move").await?;
        let parts = describe(tx, m.range, m.held_by).await?;
        let needed = from
            .iter()
            .map(|s| Said::new("gb.refuse.state").label("state", format!("gb.state.{}", s.code())))
            .collect();
        return Err(GroupBuyError::RangeState {
            field: m.field.to_string(),
            said: Said::new("gb.refuse.range")
                .text("range", m.range)
                .text("total", m.range.count())
                .text("ok", count)
                .label("action", format!("gb.act.{}", m.movement.code()))
                .list("needed", needed)
                .list("parts", parts),
        });
    }
    exec(tx, "release savepoint gb_move").await?;
    let amount_fen: i64 = faces.iter().sum();
    let parts: Vec<(&str, i64)> = if from.len() > 1 {
        before
            .iter()
            .filter_map(|(s, n)| VoucherState::from_code(s).map(|s| (s.code(), *n)))
            .collect()
    } else {
        vec![(from[0].code(), count)]
    };
    let parts_total = parts.len();
    for (i, (from_state, n)) in parts.into_iter().enumerate() {
        // The amount goes with the last row of a split (face values are not per state).
        let amount = if i + 1 == parts_total { amount_fen } else { 0 };
        insert_movement(
            tx,
            &MovementRow {
                at: m.at,
                biz_date: m.biz_date,
                store_id: m.store_id,
                kind: m.movement.code(),
                range: m.range,
                count: n,
                amount_fen: amount,
                from_state,
                to_state: to.code(),
                doc_kind: m.doc_kind,
                doc_id: m.doc_id,
                staff_id: m.staff_id,
                till_id: None,
                note: m.note,
            },
        )
        .await?;
    }
    Ok(Moved { count, amount_fen })
}

/// One row of the movement ledger.
#[derive(Debug, Clone)]
pub struct MovementRow<'a> {
    pub at: DateTime<Utc>,
    pub biz_date: NaiveDate,
    pub store_id: Option<i64>,
    pub kind: &'a str,
    pub range: SerialRange,
    pub count: i64,
    pub amount_fen: i64,
    pub from_state: &'a str,
    pub to_state: &'a str,
    pub doc_kind: &'a str,
    pub doc_id: i64,
    pub staff_id: Option<i64>,
    pub till_id: Option<&'a str>,
    pub note: &'a str,
}

pub async fn insert_movement(tx: &mut Tx, r: &MovementRow<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into voucher_movements (at, biz_date, store_id, kind, first_serial, last_serial, count, \
             amount_fen, from_state, to_state, doc_kind, doc_id, staff_id, till_id, note) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(ts(r.at))
        .bind(r.biz_date)
        .bind(r.store_id)
        .bind(r.kind)
        .bind(r.range.first.0)
        .bind(r.range.last.0)
        .bind(r.count)
        .bind(r.amount_fen)
        .bind(r.from_state)
        .bind(r.to_state)
        .bind(r.doc_kind)
        .bind(r.doc_id)
        .bind(r.staff_id)
        .bind(r.till_id)
        .bind(r.note)
        .execute(c)
        .await
        .map(|x| x.rows_affected())
    })?;
    Ok(())
}

async fn exec(tx: &mut Tx, sql: &'static str) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(sql)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the vouchers of a range are, e.g. `998 stamped, 2 sold, 3 do not exist`.
async fn describe(
    tx: &mut Tx,
    range: SerialRange,
    store: Option<i64>,
) -> Result<Vec<Said>, DbError> {
    let rows: Vec<(String, bool, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "select state, coalesce(store_id, 0) = $3, count(*) from vouchers \
             where serial_no between $1 and $2 group by state, coalesce(store_id, 0) = $3 order by state",
        )
        .bind(range.first.0)
        .bind(range.last.0)
        .bind(store.unwrap_or(-1))
        .fetch_all(c)
        .await?
    });
    let found: i64 = rows.iter().map(|r| r.2).sum();
    let mut parts: Vec<Said> = rows
        .iter()
        .map(|(state, here, n)| {
            let key = if store.is_some() && !here {
                "gb.refuse.part_elsewhere"
            } else {
                "gb.refuse.part"
            };
            Said::new(key)
                .text("n", n)
                .label("state", format!("gb.state.{state}"))
        })
        .collect();
    if found < range.count() {
        parts.push(Said::new("gb.refuse.part_missing").text("n", range.count() - found));
    }
    Ok(parts)
}

/// Where a movement is refused because its month was reconciled and closed.
pub async fn ensure_open(
    tx: &mut Tx,
    store_id: i64,
    biz_date: NaiveDate,
) -> Result<(), GroupBuyError> {
    let month = crate::kernel::dates::month_key(biz_date);
    let closed: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select max(month) from gb_reconciliations where store_id = $1 and closed and month >= $2",
        )
        .bind(store_id)
        .bind(&month)
        .fetch_one(c)
        .await?
    });
    match closed {
        Some(m) => Err(GroupBuyError::MonthClosed(m)),
        None => Ok(()),
    }
}

/// Facts about the vouchers of a range, read before a sale (series attributes never change).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RangeFacts {
    pub named: bool,
    pub count: i64,
    pub min_face: i64,
    pub max_face: i64,
    pub face_sum: i64,
    pub expires_on: NaiveDate,
}

pub async fn range_facts(db: &Db, range: SerialRange) -> Result<Vec<RangeFacts>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.named, count(*) as count, min(v.face_value_fen) as min_face, \
             max(v.face_value_fen) as max_face, cast(sum(v.face_value_fen) as bigint) as face_sum, \
             min(s.expires_on) as expires_on \
             from vouchers v join voucher_series s on s.id = v.series_id \
             where v.serial_no between $1 and $2 group by s.named",
        )
        .bind(range.first.0)
        .bind(range.last.0)
        .fetch_all(p)
        .await?
    }))
}

/// Counts per state of the vouchers a store's department holds or sold, and of all of them.
pub async fn state_counts(
    db: &Db,
    store_id: Option<i64>,
) -> Result<Vec<(String, i64, i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select state, face_value_fen, count(*), cast(sum(face_value_fen) as bigint) from vouchers \
             where ($1 = 0 or store_id = $1) group by state, face_value_fen order by state, face_value_fen",
        )
        .bind(store_id.unwrap_or(0))
        .fetch_all(p)
        .await?
    }))
}
