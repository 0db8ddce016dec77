//! Customer files and ownership (F1, F2): recording a customer (refused as a duplicate naming the owner), contacts with encrypted phones, grade and kind, credit notes, the shared pool (公海) with its return job and warnings, claiming within a cap, a manager's reassigning and balancing with the owner history, and the purchase history from group-buy sales.
//!
//! Files: `record.rs` (recording), `view.rs` (lists and the file), `owners.rs` (claim, reassign,
//! balance), `edit.rs` (details, contacts, phone view, settings), `pool.rs` (the pool rules and
//! the sales link), `store.rs` (its SQL), `pages/` (console), `api.rs` (JSON), `messages.rs`
//! (its catalog), `jobs.rs` (its timed jobs), `tiles.rs` (its dashboard tiles).

pub mod api;
pub mod edit;
pub mod import;
pub mod jobs;
pub mod messages;
pub mod owners;
pub mod pages;
pub mod pool;
pub mod record;
pub mod store;
pub mod tiles;
pub mod view;
