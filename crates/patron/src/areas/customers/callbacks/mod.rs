//! Callbacks and holiday campaigns (F3, F4, F8): the callback log (客户回访登记本), the cadence per grade and the overdue lists, problems escalated to the manager with an answer due in two working days, and the holiday call campaigns built from the calendar and each customer's history.
//!
//! Files: `store.rs` (its SQL), `pages.rs` (console), `api.rs` (JSON), `messages.rs` (its catalog),
//! `jobs.rs` (its timed jobs), `tiles.rs` (its dashboard tiles).

pub mod api;
pub mod jobs;
pub mod messages;
pub mod pages;
pub mod store;
pub mod tiles;
