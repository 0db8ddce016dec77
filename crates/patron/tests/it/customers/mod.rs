//! Organisation customers (SPEC F): one file per topic.

mod callbacks;
mod files;
mod import;
mod visits;
