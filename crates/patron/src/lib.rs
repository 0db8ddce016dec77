//! Patron: the Member & Group-Buy Department's system. The modules in layer order, bottom to
//! top (a file imports only from its own layer or below; DESIGN.md "Workspace and layers"):
//!
//! - `kernel`: configuration, clock, context, the database and its write path, audit, cache,
//!   personal data, validation. Names no area.
//! - `auth`: logins, sessions, passwords, till keys and API tokens.
//! - `web`: the HTTP toolkit: errors, layout, languages, exports, JSON, assets.
//! - `approvals`, `jobs`, `notify`: the shared mechanisms (审批, timed work, the outbox).
//! - `areas`: one folder per business area (SPEC A–P).
//! - `app`: the composition root: router, serve, the lists of areas' catalogs.
//! - `cli`, `demo`, `bench`: the command line, demo data and benchmarks.
//!
//! Business rules live in the `patron-core` crate.

pub mod kernel;

pub mod auth;

pub mod web;

pub mod approvals;
pub mod jobs;
pub mod notify;

pub mod areas;

pub mod app;

pub mod bench;
pub mod cli;
pub mod demo;
