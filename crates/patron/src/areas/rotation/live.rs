//! The board on every screen (K5): each open stream compares its team's `version` (one
//! primary-key read) every `POLL`, and sends the board when it moved. The version is moved inside
//! every write that changes the board, by whichever process made it, so a screen served by one
//! `patron serve` sees an assignment decided by another on the same PostgreSQL; on SQLite (one
//! process) the same loop serves. A change made through one open database also rings that
//! database's bell, which wakes the streams reading through it at once, so a screen on the same
//! process sees it without waiting for the next look. The bell is per open database, not per
//! process, so the bench's second server (its own pool, as a second `patron serve` would have)
//! sees changes only through the version look, as a second process does.
//!
//! Measured with `patron bench rotation`: a look costs well under a millisecond on either
//! backend, and the time from an assignment to a second screen stays far below a second (see the
//! bench's report); 250 ms keeps 20 screens at 80 reads a second.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use futures::Stream;
use tokio::sync::watch;

use super::store;
use crate::kernel::db::Db;

/// How often an open stream looks at its team's version.
pub const POLL: Duration = Duration::from_millis(250);

/// Per open database: rung after every change made through it to any board.
static BELLS: LazyLock<Mutex<HashMap<usize, watch::Sender<u64>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn bell(db: &Db) -> watch::Sender<u64> {
    let mut bells = BELLS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    bells
        .entry(db.instance())
        .or_insert_with(|| watch::channel(0).0)
        .clone()
}

/// Wakes the streams reading through `db` (they then look at their team's version).
pub fn ring(db: &Db) {
    bell(db).send_modify(|n| *n = n.wrapping_add(1));
}

/// The team's versions as they move on, starting after `from`; ends when the team is gone.
pub fn versions(db: Db, team_id: i64, from: i64) -> impl Stream<Item = i64> + Send + 'static {
    let bell = bell(&db).subscribe();
    futures::stream::unfold((db, bell, from), move |(db, mut bell, last)| async move {
        loop {
            tokio::select! {
                _ = bell.changed() => {}
                () = tokio::time::sleep(POLL) => {}
            }
            match store::version(&db, team_id).await {
                Ok(Some(v)) if v != last => return Some((v, (db, bell, v))),
                Ok(Some(_)) | Err(_) => {}
                Ok(None) => return None,
            }
        }
    })
}
