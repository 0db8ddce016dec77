//! SQL of what a desk has on hand: the runs of stamped vouchers a store's department may sell,
//! and, for a typed range, the runs of its vouchers that are not on hand (and those never
//! printed).

use patron_core::vouchers::SerialRange;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// A run of consecutive stamped vouchers of one series and face value held by a store.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct OnHandRun {
    pub face_value_fen: i64,
    pub first_serial: i64,
    pub last_serial: i64,
    pub count: i64,
}

impl OnHandRun {
    pub fn range(&self) -> SerialRange {
        SerialRange::new(self.first_serial, self.last_serial)
    }
}

/// The stamped vouchers a store's department holds, as runs, by face value then serial.
pub async fn runs(db: &Db, store_id: i64) -> Result<Vec<OnHandRun>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select face_value_fen, min(serial_no) as first_serial, max(serial_no) as last_serial, \
             count(*) as count from (select serial_no, series_id, face_value_fen, serial_no - row_number() \
             over (partition by series_id, face_value_fen order by serial_no) as grp from vouchers \
             where state = 'stamped' and store_id = $1) x \
             group by series_id, face_value_fen, grp order by face_value_fen, first_serial",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}

/// A run of a typed range whose vouchers are all in one state and place, but not on hand.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OffRun {
    pub first_serial: i64,
    pub last_serial: i64,
    pub state: String,
    /// Held by this store's department (false: by finance or another store).
    pub here: bool,
}

/// The runs of `range` that are not stamped vouchers of this store's department.
pub async fn off_runs(db: &Db, range: SerialRange, store_id: i64) -> Result<Vec<OffRun>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select min(serial_no) as first_serial, max(serial_no) as last_serial, state, here from \
             (select serial_no, state, coalesce(store_id, 0) = $3 as here, serial_no - row_number() \
             over (partition by state, coalesce(store_id, 0) = $3 order by serial_no) as grp \
             from vouchers where serial_no between $1 and $2) x \
             where not (state = 'stamped' and here) group by state, here, grp order by first_serial",
        )
        .bind(range.first.0)
        .bind(range.last.0)
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}

/// The runs of `range` that were printed (exist at all).
pub async fn printed_runs(db: &Db, range: SerialRange) -> Result<Vec<SerialRange>, DbError> {
    let rows: Vec<(i64, i64)> = on_db!(db, |p| {
        sqlx::query_as(
            "select min(serial_no), max(serial_no) from (select serial_no, serial_no - row_number() \
             over (order by serial_no) as grp from vouchers where serial_no between $1 and $2) x \
             group by grp order by 1",
        )
        .bind(range.first.0)
        .bind(range.last.0)
        .fetch_all(p)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(a, b)| SerialRange::new(a, b))
        .collect())
}
