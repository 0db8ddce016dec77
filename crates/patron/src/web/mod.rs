//! The HTTP toolkit every area builds on: the error type and its finishing, the page layout,
//! languages and the shared message catalog, exports, JSON extraction, the embedded assets and
//! the security headers of every answer.
//! It names no area; the router that assembles the areas lives in `app`.

pub mod assets;
pub mod error;
pub mod error_page;
pub mod export;
pub mod extract;
pub mod forms;
pub mod i18n;
pub mod json;
pub mod layout;
pub mod messages;
pub mod print;
pub mod said;
pub mod security;
pub mod tiles;
pub mod upload;
