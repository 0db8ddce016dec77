//! Messages of this topic: (key, zh-CN, en).

pub const CUSTOMER_CALLBACKS: &[(&str, &str, &str)] = &[];
