//! VIP care (SPEC J1, J2, B9; 铂金顾客维护, VIP接待): each member's advisor, the 3-3-2-1-4-6-9
//! care schedule after a top member's purchase, the reception record and service desk log, and
//! the top-member file (铂金会员档案本).
//!
//! - **Advisors** (`advisors.rs`): a member has at most one current advisor, a staff account
//!   that may care for members at the member's store; a manager sets or changes it (audited) and
//!   every change is kept (`care_advisor_history`, append-only). A care task belongs to the
//!   member's advisor *at the time it is shown*: tasks store no advisor, the lists join the
//!   current one.
//! - **The schedule** (`schedule.rs`, rules in core `care.rs`): the every-minute job
//!   `care-schedule` reads the till receipts after its cursor (the points area's `receipts`
//!   table, read-only, see `store/schedules.rs`) and stores one schedule per purchase by a
//!   member of a care tier (settings, default platinum). A step becomes a task only when it
//!   falls due, so a closed member's or a cancelled schedule's steps never appear. Message steps
//!   (thank-you, care, greeting) are queued in the outbox and recorded done when queued
//!   (skipped when the member gave no marketing consent); call steps are open tasks the advisor
//!   completes with the outcome. A newer purchase supersedes the older schedules' calls.
//! - **Tasks** (`tasks.rs`): an advisor's open calls (today's and overdue), completing one,
//!   a member's tasks and steps still to come (the API's `care-tasks`).
//! - **Figures** (`figures.rs`): completion per advisor and the purchases after each step.
//! - **Receptions** (`receptions.rs`): the reception record and service desk log, one list.
//! - **The top-member file** (`file.rs`): the profile the members area keeps, the purchases,
//!   the care history; its print view is the 铂金会员档案本.
//!
//! Reads of other areas' tables (in `store/`, read-only, for figures and lists): `receipts`
//! (points), `members` and `cards` (members: status, name, consent, the live card),
//! `staff` and `staff_roles` (names, who may be an advisor). Tables: migration 0024.

pub mod advisors;
pub mod api;
pub mod error;
pub mod figures;
pub mod file;
pub mod jobs;
pub mod messages;
pub mod pages;
pub mod receptions;
pub mod schedule;
pub mod settings;
pub mod store;
pub mod tasks;
pub mod tiles;

pub use error::CareError;
