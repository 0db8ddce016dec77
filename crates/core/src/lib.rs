//! patron-core — Patron's pure business rules.
//!
//! Nothing in this crate does IO, awaits, speaks SQL or HTTP. The application crate parses input
//! into the types defined here, asks these functions what the rules say, and persists the answer.
//! Keeping the rules here makes them cheap to test exhaustively (unit tests and proptest).

pub mod access;
pub mod approvals;
pub mod audit;
pub mod calendar;
pub mod care;
pub mod identity;
pub mod money;
pub mod password;
pub mod points;
pub mod rfm;
pub mod rotation;
pub mod tiers;
pub mod typed;
pub mod vouchers;

pub use access::{Permission, Role};
pub use money::{Fen, Points};
