//! Visits, outreach, directory review and research (F5, F6, F7, F9): the daily outreach plan and summary with the weekly roll-up, visit requests (客户走访单) approved before leaving, meeting minutes (会谈纪要) due in two working days, the February/August directory review, market research with attachments.
//!
//! - `outreach.rs` — F5: each salesperson's day (planned visits, then the day's summary per
//!   row) and the manager's weekly roll-up;
//! - `requests.rs` — F6: a visit request goes to a manager as approval kind `customer_visit`
//!   (never decided by its requester); only an approved visit can be marked done; the minutes
//!   are due two working days (office calendar) after the visit date, and the ones not written
//!   by then are the overdue list;
//! - `review.rs` — F7: a round per half-year (job `customers-directory-review` on 1 February
//!   and 1 August, or opened by a manager); each owner confirms or archives each active
//!   customer; archiving (and restoring) writes the owner history; nothing is deleted;
//! - `research.rs` — F9: research tasks with findings, linked to a customer and/or a partner,
//!   attachments kept in the database (5 MB, pdf/jpg/png/xlsx/docx by their first bytes), and a
//!   word search.
//!
//! Files: `store/` (its SQL), `pages/` (console), `api.rs` (JSON), `messages.rs` (its catalog),
//! `jobs.rs` (its timed jobs), `tiles.rs` (its dashboard tiles), `input.rs` (form reading).

pub mod api;
mod input;
pub mod jobs;
pub mod messages;
pub mod outreach;
pub mod pages;
pub mod requests;
pub mod research;
pub mod review;
pub mod store;
pub mod tiles;

pub use requests::APPROVALS;

use crate::areas::customers::CustomersError;
use crate::kernel::ctx::{Ctx, Forbidden};

/// The signed-in staff member's id (use cases here are staff work).
fn me(ctx: &Ctx, p: patron_core::Permission) -> Result<i64, CustomersError> {
    ctx.actor
        .staff()
        .map(|s| s.id)
        .ok_or(CustomersError::Forbidden(Forbidden(p)))
}
