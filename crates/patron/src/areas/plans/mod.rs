//! Work plans and summaries, targets and appraisal (A3, A4, B1): daily, weekly and monthly plans and summaries with the team view and the missing and late ones; monthly targets per department and person with actuals computed from Patron's own records, frozen at month end.
//!
//! Files: `store.rs` (its SQL), `pages.rs` (console), `api.rs` (JSON), `messages.rs` (its catalog),
//! `jobs.rs` (its timed jobs), `tiles.rs` (its dashboard tiles).

pub mod api;
pub mod error;
pub mod jobs;
pub mod messages;
pub mod pages;
pub mod store;
pub mod tiles;
