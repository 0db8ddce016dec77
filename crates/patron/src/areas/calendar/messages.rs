//! Messages of the calendar pages: (key, zh-CN, en).

pub const CALENDAR: &[(&str, &str, &str)] = &[
    ("nav.calendar", "工作日历", "Calendar"),
    (
        "calendar.title",
        "工作日历与节日",
        "Working calendar and festivals",
    ),
    (
        "calendar.invalid.year",
        "年份应在 1 到 9998 之间。",
        "The year must be between 1 and 9998.",
    ),
];
