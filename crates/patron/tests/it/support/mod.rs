//! What the integration tests share: the app on a random port and the `both!` macro (`app`),
//! the browser-like client for console and portal pages (`client`), flows in a real Chromium
//! (`browser`), the test clock (`clock`), data set up or read behind the API (`data`), and an
//! SMTP server that keeps what it receives (`mail`).

pub mod app;
pub mod browser;
pub mod client;
pub mod clock;
pub mod data;
pub mod mail;

pub use app::{
    Backend, PASSWORD, TestApp, cli, ok, require_pg, second_instance, spawn_app, spawn_app_with,
};
pub use browser::{browser_skipped, run_browser_flow};
pub use client::{Browser, Page};
pub use clock::{day, goto};
pub use data::{
    add_store, balance, give_points, hq_token, on_hand, set_portal_password, token,
    welcome_password,
};
pub use mail::{mail_text, smtp_sink};
