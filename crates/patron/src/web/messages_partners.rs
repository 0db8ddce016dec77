//! Messages of the partners pages: (key, zh-CN, en).

pub const PARTNERS: &[(&str, &str, &str)] = &[("nav.partners", "特约商户", "Partners")];
