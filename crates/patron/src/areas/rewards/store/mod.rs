//! The rewards area's SQL: the settings and thresholds, the month-end lists with their 核分 and
//! notices, and the reward slips with their follow-ups. One SQL text serves both backends.

pub mod lists;
pub mod settings;
pub mod slips;
