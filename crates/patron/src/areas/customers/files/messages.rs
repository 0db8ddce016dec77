//! Messages of this topic: (key, zh-CN, en).

pub const CUSTOMER_FILES: &[(&str, &str, &str)] = &[];
