//! The SQL of this topic.
