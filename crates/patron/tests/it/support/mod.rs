//! What the integration tests share: the app on a random port and the `both!` macro (`app`),
//! and the browser-like client for console and portal pages (`client`).

pub mod app;
pub mod client;

pub use app::{Backend, PASSWORD, TestApp, require_pg, spawn_app, spawn_app_with};
pub use client::{Browser, Page};
