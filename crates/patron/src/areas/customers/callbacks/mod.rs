//! Callbacks and holiday campaigns (F3, F4, F8): the callback log (客户回访登记本), the cadence per
//! grade and the overdue lists, problems escalated to the manager with an answer due in two
//! working days, and the holiday call campaigns built from the calendar and each customer's
//! history.
//!
//! Files: `log.rs` (logging a callback, and what it moves: last contact, campaign call,
//! escalation), `overdue.rs` (cadence and the overdue list), `escalations.rs` (answering),
//! `campaigns.rs` (building a campaign, its calls and progress), `store.rs` (its SQL),
//! `pages/` (console), `api.rs` (JSON), `messages.rs` (its catalog), `jobs.rs` (the daily
//! campaign build), `tiles.rs` (its dashboard tiles). Tables: `customer_callbacks` (0018),
//! `customer_escalations`, `customer_campaigns`, `customer_campaign_calls` (0020).

pub mod api;
pub mod campaigns;
pub mod escalations;
pub mod jobs;
pub mod log;
pub mod messages;
pub mod overdue;
pub mod pages;
pub mod store;
pub mod tiles;

pub use log::{CallbackIn, Logged, log_callback};
