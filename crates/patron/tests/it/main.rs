//! Patron's integration tests: one binary, the real server on port 0, a fresh database per
//! test. Every test runs on SQLite (`…::sqlite`) and on PostgreSQL (`…::postgres`, which needs
//! `PATRON_TEST_PG`, e.g. postgres://postgres@127.0.0.1:5432/postgres).

mod support;

mod api;
mod applications;
mod approvals;
mod audit;
mod auth;
mod backup;
mod browser;
mod calendar;
mod care;
mod cli;
mod complaints;
mod customers;
mod dashboard;
mod events;
mod exports;
mod gifts;
mod groupbuy;
mod headers;
mod import;
mod jobs;
mod layout;
mod lockout;
mod logs;
mod loyalty;
mod members;
mod notify;
mod openapi;
mod partners;
mod permissions;
mod plans;
mod points;
mod portal;
mod pos;
mod report_figures;
mod reports;
mod rewards;
mod rotation;
mod scan;
mod staff_admin;
mod walk;
mod words;
mod write_path;
