//! Patron: the Member & Group-Buy Department's system.
//!
//! - `config`, `clock`, `ctx`: what every use case is given (configuration, time, who acts).
//! - `db`: SQLite or PostgreSQL behind one `Db`, migrations, and the write path.
//! - `audit`: the append-only, hash-chained audit log written with every change.
//! - `auth`: logins, sessions, passwords, till keys and API tokens.
//! - `approvals`: the one approval (审批) mechanism all areas use.
//! - `staff`: stores, staff accounts and roles (SPEC A).
//! - `members`: members, applications, VIP cards and personal data (SPEC B).
//! - `points`: the points ledger, tiers, receipts, returns and redemptions (SPEC C, B7).
//! - `groupbuy`: group-buy vouchers, from requisition to month-end reconciliation (SPEC E).
//! - `rewards`: threshold rewards, reward slips, gift stock, the exchange catalogue, birthday
//!   gifts (SPEC D, C7, J3).
//! - `activities`: member events (SPEC H).
//! - `merchants`: partner merchants (SPEC G).
//! - `pos`: the till API (SPEC P, `api/pos.md`).
//! - `cache`: settings, tiers and stores kept in memory for a few seconds.
//! - `web`: routes, pages, errors, languages, assets.
//! - `commands`: what the `patron` command line does.
//! - `testing`: fresh databases for tests.
//!
//! Business rules live in the `patron-core` crate.

pub mod activities;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod bench_rewards;
pub mod bench_vouchers;
pub mod cache;
pub mod clock;
pub mod commands;
pub mod config;
pub mod ctx;
pub mod db;
pub mod demo;
pub mod demo_events;
pub mod demo_gifts;
pub mod demo_groupbuy;
pub mod demo_members;
pub mod demo_partners;
pub mod demo_rewards;
pub mod groupbuy;
pub mod jobs;
pub mod members;
pub mod merchants;
pub mod notify;
pub mod points;
pub mod portal;
pub mod pos;
pub mod rewards;
pub mod staff;
pub mod testing;
pub mod validation;
pub mod web;
