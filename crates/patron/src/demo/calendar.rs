//! The demo's calendar: the 2026 public holidays and make-up workdays (调休) of the State
//! Council's notice on the offices' calendar, as the department would enter them.

use std::fmt::Write;

use anyhow::Context as _;

use crate::areas::calendar::{self, OFFICE, edit::DayIn};
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};

/// (first day off, last day off, make-up workdays, name)
const HOLIDAYS_2026: [(&str, &str, &[&str], &str); 7] = [
    ("2026-01-01", "2026-01-03", &["2026-01-04"], "元旦"),
    (
        "2026-02-15",
        "2026-02-23",
        &["2026-02-14", "2026-02-28"],
        "春节",
    ),
    ("2026-04-04", "2026-04-06", &[], "清明节"),
    ("2026-05-01", "2026-05-05", &["2026-05-09"], "劳动节"),
    ("2026-06-19", "2026-06-21", &[], "端午节"),
    ("2026-09-25", "2026-09-27", &[], "中秋节"),
    (
        "2026-10-01",
        "2026-10-07",
        &["2026-09-20", "2026-10-10"],
        "国庆节",
    ),
];

pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let who = actor("manager").context("no demo manager account")?;
    let ctx = Ctx::new(app.clone(), Actor::Staff(who), None);
    let mut set = 0;
    for (first, last, make_up, name) in HOLIDAYS_2026 {
        let (first, last) = (
            crate::kernel::dates::parse_date(first).map_err(anyhow::Error::msg)?,
            crate::kernel::dates::parse_date(last).map_err(anyhow::Error::msg)?,
        );
        for day in first.iter_days().take_while(|d| *d <= last) {
            let input = DayIn {
                date: day.to_string(),
                kind: "off".into(),
                hours: String::new(),
                note: format!("{name}放假"),
            };
            calendar::edit::set_day(&ctx, OFFICE, &input)
                .await
                .with_context(|| format!("holiday {day}"))?;
            set += 1;
        }
        for day in make_up {
            let input = DayIn {
                date: (*day).into(),
                kind: "work".into(),
                hours: "09:00-12:00,13:00-17:30".into(),
                note: format!("{name}调休上班"),
            };
            calendar::edit::set_day(&ctx, OFFICE, &input)
                .await
                .with_context(|| format!("make-up day {day}"))?;
            set += 1;
        }
    }
    let _ = writeln!(
        out,
        "\nCalendar: {set} holidays and make-up workdays of 2026 on the offices' calendar; /admin/calendar"
    );
    Ok(())
}
