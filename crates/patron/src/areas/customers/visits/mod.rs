//! Visits, outreach, directory review and research (F5, F6, F7, F9): the daily outreach plan and summary with the weekly roll-up, visit requests (客户走访单) approved before leaving, meeting minutes (会谈纪要) due in two working days, the February/August directory review, market research with attachments.
//!
//! Files: `store.rs` (its SQL), `pages.rs` (console), `api.rs` (JSON), `messages.rs` (its catalog),
//! `jobs.rs` (its timed jobs), `tiles.rs` (its dashboard tiles).

pub mod api;
pub mod jobs;
pub mod messages;
pub mod pages;
pub mod store;
pub mod tiles;
