//! The gifts area's SQL: the gift list, the stock and its movement ledger, the stock documents,
//! the points exchanges and the birthday gifts. One SQL text serves both backends.

pub mod birthday;
pub mod documents;
pub mod exchanges;
pub mod gifts;
pub mod movements;
