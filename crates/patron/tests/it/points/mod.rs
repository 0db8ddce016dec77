//! The points area (SPEC C) at the console: one file per topic.

mod import;
