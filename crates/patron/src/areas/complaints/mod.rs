//! Complaints (投诉, SPEC I1–I5): intake from the hotline, online, e-mail and in store; severity;
//! the clocks each case runs on and the permanent breaches they leave; the callback after
//! resolution that closes or reopens the case; the monthly analysis and the case library.
//!
//! Files: `intake.rs` (I1, I2: `take`, the one intake for API, console and portal), `steps.rs`
//! (acknowledge, route, answer, resolve, report, callback, typical), `clocks.rs` (I3: the clocks,
//! their lengths, breaches), `view.rs` (a case whole, the board, the library, `for_member`),
//! `admin.rs` (settings and departments), `analysis.rs` (I5), `jobs.rs` (the clock check every
//! minute, the two-year archive), `store/` (its SQL), `api.rs`, `pages/`, `messages.rs`,
//! `tiles.rs`. Tables: migration 0023.

pub mod admin;
pub mod analysis;
pub mod api;
pub mod clocks;
pub mod error;
pub mod intake;
pub mod jobs;
pub mod messages;
pub mod pages;
pub mod steps;
pub mod store;
pub mod tiles;
pub mod view;

pub use error::ComplaintError;
pub use intake::{Intake, take};
pub use view::{Complaint, MemberComplaint, for_member};

/// Where a complaint came in (I1).
pub const CHANNELS: [&str; 4] = ["hotline", "online", "email", "in_store"];
/// What it is about (I1).
pub const CATEGORIES: [&str; 3] = ["product_quality", "service", "other"];
/// The states of a case, in order.
pub const STATES: [&str; 6] = [
    "received",
    "acknowledged",
    "routed",
    "answered",
    "resolved",
    "closed",
];
/// Why a case is major (I2).
pub const MAJOR_REASONS: [&str; 3] = ["serious_loss", "repeated", "overdue"];
