//! Messages of the events pages: (key, zh-CN, en).

pub const EVENTS: &[(&str, &str, &str)] = &[("nav.events", "会员活动", "Member events")];
