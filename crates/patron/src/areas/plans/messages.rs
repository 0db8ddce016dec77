//! Messages of this topic: (key, zh-CN, en).

pub const PLANS: &[(&str, &str, &str)] = &[];
