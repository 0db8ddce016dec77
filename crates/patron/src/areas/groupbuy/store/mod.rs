//! SQL of the group-buy area, one file per topic. `moves` holds the only way a voucher changes
//! state (`move_range`) and the closed-month guard; `docs` the document numbers, the cash journal
//! and approval requests; the others the queries of one use-case file each.

pub mod check;
pub mod deposits;
pub mod docs;
pub mod moves;
pub mod onhand;
pub mod rebates;
pub mod reconcile;
pub mod redeem;
pub mod report;
pub mod requisitions;
pub mod sales;
pub mod settings;
pub mod stock;
pub mod tiles;

pub use docs::{JournalLine, JournalRow, journal, journal_between, submit_for_approval};
pub use moves::{
    Link, Move, Moved, MovementRow, RangeFacts, ensure_open, insert_movement, move_range,
    range_facts, state_counts,
};
