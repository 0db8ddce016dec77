//! The kernel: what every use case is given, below every area and naming none.
//!
//! - `config`, `clock`, `ctx`: configuration, time, and who acts.
//! - `lang`: the languages Patron speaks (the catalog is the toolkit's).
//! - `db`: SQLite or PostgreSQL behind one `Db`, migrations, the write path, test databases.
//! - `audit`: the append-only, hash-chained audit log written with every change.
//! - `cache`: settings, tiers and stores kept in memory for a few seconds.
//! - `pii`: personal data encrypted at rest, with a keyed hash for exact lookup.
//! - `validation`: every bad field of one input, as message keys.
//! - `filetype`: what an uploaded file is, by its first bytes.

pub mod audit;
pub mod cache;
pub mod clock;
pub mod config;
pub mod ctx;
pub mod dates;
pub mod db;
pub mod docno;
pub mod error;
pub mod files;
pub mod filetype;
pub mod lang;
pub mod pii;
pub mod secret;
pub mod stores;
pub mod validation;
