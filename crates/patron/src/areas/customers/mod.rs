//! Organisation customers (大宗客户, SPEC F): the group-buy desk's customer files and their
//! ownership, callbacks and holiday campaigns, visits and outreach, the directory review and
//! market research.
//!
//! One folder per topic, each with its own store, pages, API, catalog, jobs and tiles:
//! - `files/` — F1, F2: the customer file, contacts, ownership, the shared pool (公海);
//! - `callbacks/` — F3, F4, F8: the callback log, cadence and overdue lists, escalations,
//!   holiday campaigns;
//! - `visits/` — F5, F6, F7, F9: outreach plans and summaries, visit requests and minutes, the
//!   directory review, market research.
//!
//! `error.rs` is the area's error type and codes; `KINDS`, `GRADES` and `WAYS` below are the
//! stored codes every topic shares (labels `customers.kind.<code>`, …). The tables are in
//! migration 0018 (and the topics' own migrations after it).

pub mod callbacks;
pub mod error;
pub mod files;
pub mod messages;
pub mod visits;

pub use files::record::{CustomerIn, Recorded, record};

pub use error::CustomersError;

/// Kinds of customer (F1): 企事业单位, 行政机关, 集体, 个人.
pub const KINDS: [&str; 4] = ["enterprise", "government", "collective", "individual"];
/// Grades by need size and urgency (S1): A, B, C.
pub const GRADES: [&str; 3] = ["A", "B", "C"];
/// Ways a callback is made (F8): a visit, a phone call, a mailing.
pub const WAYS: [&str; 3] = ["visit", "phone", "mail"];

/// The approval kinds of this area (a visit request is approved before leaving, F6).
pub const APPROVALS: &[crate::approvals::ApprovalKind] = visits::APPROVALS;
