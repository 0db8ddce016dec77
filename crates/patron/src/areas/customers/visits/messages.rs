//! Messages of this topic: (key, zh-CN, en).

pub const CUSTOMER_VISITS: &[(&str, &str, &str)] = &[];
