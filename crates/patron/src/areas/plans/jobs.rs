//! Timed jobs of this topic.

use crate::jobs::Job;

pub const JOBS: &[Job] = &[];
