//! The business calendar: when a department or store works, and the festivals of a year.
//!
//! A [`BusinessCalendar`] is a weekly pattern of working hours ([`WeeklyHours`]: for each weekday
//! zero or more intervals of local time, e.g. Mon–Fri 09:00–12:00 and 13:00–17:30, or a store floor
//! 10:00–22:00 every day) plus dated overrides that replace the pattern for one date: a public
//! holiday (no hours) or a make-up workday (调休, a Saturday or Sunday worked with given hours). The
//! business-day crates cannot say the latter, which is why this lives here (STACK.md, "working
//! time").
//!
//! Rules of the arithmetic, all in the calendar's own local time (time zones are the caller's):
//! - An interval is half-open, `[start, end)`, in whole minutes; `24:00` ends a day. An interval
//!   ending at 24:00 and one starting at 00:00 the next day run on without a gap, which is how a
//!   shift past midnight is written.
//! - A working day is a date with at least one interval once overrides are applied.
//! - [`BusinessCalendar::add_working_days`] counts working days strictly after the given date
//!   ("within two working days" of a Friday visit is the following Tuesday).
//! - [`BusinessCalendar::add_working_duration`] runs a clock only while the calendar works and
//!   answers the earliest instant at which the given working time has passed ("answer within one
//!   working hour").
//! - [`BusinessCalendar::working_duration_between`] measures the working time in `[a, b)`; it is
//!   the inverse of `add_working_duration`.
//! - A calendar that never works again (an empty weekly pattern after its last override) has no
//!   deadline to give: the adding functions return `None` instead of walking forever.
//!
//! Festivals ([`festivals`]) are computed for a Gregorian year: the fixed ones from the date, the
//! lunar ones (春节, 元宵, 端午, 中秋) through tyme4rs. The application seeds its editable festival
//! table from them; this module keeps no table of its own.
//!
//! No IO here: the application loads hours and overrides from its store and passes them in.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use tyme4rs::tyme::lunar::{LunarDay, LunarYear};

/// Minutes in a day; an interval may end at this minute (24:00).
const DAY_MINUTES: u32 = 24 * 60;

/// Why hours or a festival date could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// An interval that is empty, reversed, or leaves the day (minutes since midnight).
    #[error("working hours {start}–{end} are not an interval within one day")]
    BadInterval { start: u32, end: u32 },
    /// Hours written in a form other than `HH:MM-HH:MM[,HH:MM-HH:MM…]`.
    #[error("working hours {0:?} are not of the form 09:00-17:30")]
    BadHours(String),
    /// A year outside what the lunar tables (and chrono) cover.
    #[error("festival dates are not known for the year {0}")]
    YearOutOfRange(i32),
}

/// The working intervals of one day, sorted, disjoint and not touching (touching ones are joined).
/// Empty means the day is not worked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DayHours {
    /// `(start, end)` in minutes since midnight, `start < end <= 1440`.
    spans: Vec<(u32, u32)>,
}

impl DayHours {
    /// No hours: the day is not worked.
    pub fn closed() -> Self {
        Self::default()
    }

    /// Hours from intervals in minutes since midnight (`(540, 1050)` is 09:00–17:30). Overlapping
    /// or touching intervals are joined; an empty or reversed one, or one past 24:00, is refused.
    pub fn from_minutes(spans: &[(u32, u32)]) -> Result<Self, CalendarError> {
        let mut sorted = spans.to_vec();
        if let Some(&(start, end)) = sorted
            .iter()
            .find(|&&(start, end)| start >= end || end > DAY_MINUTES)
        {
            return Err(CalendarError::BadInterval { start, end });
        }
        sorted.sort_unstable();
        let mut joined: Vec<(u32, u32)> = Vec::with_capacity(sorted.len());
        for (start, end) in sorted {
            match joined.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => joined.push((start, end)),
            }
        }
        Ok(Self { spans: joined })
    }

    /// Whether the day has no working time.
    pub fn is_closed(&self) -> bool {
        self.spans.is_empty()
    }

    /// The intervals in minutes since midnight, sorted and disjoint.
    pub fn spans(&self) -> &[(u32, u32)] {
        &self.spans
    }

    /// The working time in the whole day.
    pub fn total(&self) -> TimeDelta {
        let minutes: u32 = self.spans.iter().map(|&(start, end)| end - start).sum();
        TimeDelta::minutes(i64::from(minutes))
    }

    /// Whether `time` lies inside one of the intervals.
    fn contains(&self, time: NaiveTime) -> bool {
        let since_midnight = time.signed_duration_since(NaiveTime::MIN);
        self.spans
            .iter()
            .any(|&(start, end)| minutes(start) <= since_midnight && since_midnight < minutes(end))
    }

    /// The intervals of this day as instants on `date`.
    fn instants(&self, date: NaiveDate) -> impl Iterator<Item = (NaiveDateTime, NaiveDateTime)> {
        let midnight = date.and_time(NaiveTime::MIN);
        self.spans.iter().map(move |&(start, end)| {
            // Only 24:00 of the last representable date can overflow; it then stands for "never".
            let at = |m: u32| {
                midnight
                    .checked_add_signed(minutes(m))
                    .unwrap_or(NaiveDateTime::MAX)
            };
            (at(start), at(end))
        })
    }
}

fn minutes(m: u32) -> TimeDelta {
    TimeDelta::minutes(i64::from(m))
}

/// Hours as people write them: `09:00-12:00,13:00-17:30`; an empty string is a closed day.
impl FromStr for DayHours {
    type Err = CalendarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || CalendarError::BadHours(s.to_owned());
        let clock = |t: &str| -> Option<u32> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
        };
        let spans = s
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (start, end) = part.split_once('-').ok_or_else(bad)?;
                Ok((clock(start).ok_or_else(bad)?, clock(end).ok_or_else(bad)?))
            })
            .collect::<Result<Vec<_>, CalendarError>>()?;
        Self::from_minutes(&spans)
    }
}

impl fmt::Display for DayHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(start, end)) in self.spans.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(
                f,
                "{:02}:{:02}-{:02}:{:02}",
                start / 60,
                start % 60,
                end / 60,
                end % 60
            )?;
        }
        Ok(())
    }
}

/// Working hours for each weekday, Monday first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeeklyHours {
    days: [DayHours; 7],
}

impl WeeklyHours {
    /// No day worked; add days with [`WeeklyHours::with`].
    pub fn closed() -> Self {
        Self::default()
    }

    /// The same hours Monday to Friday, weekends off (an office).
    pub fn weekdays(hours: DayHours) -> Self {
        let mut week = Self::closed();
        for day in &mut week.days[..5] {
            *day = hours.clone();
        }
        week
    }

    /// The same hours every day of the week (a store floor).
    pub fn every_day(hours: DayHours) -> Self {
        Self {
            days: std::array::from_fn(|_| hours.clone()),
        }
    }

    /// These hours, with `weekday` set to `hours`.
    pub fn with(mut self, weekday: Weekday, hours: DayHours) -> Self {
        self.days[weekday.num_days_from_monday() as usize] = hours;
        self
    }

    /// The hours of `weekday`.
    pub fn on(&self, weekday: Weekday) -> &DayHours {
        &self.days[weekday.num_days_from_monday() as usize]
    }

    fn is_closed(&self) -> bool {
        self.days.iter().all(DayHours::is_closed)
    }
}

/// Weekly hours plus dated overrides: see the module documentation for the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessCalendar {
    weekly: WeeklyHours,
    /// Dates whose hours replace the weekly pattern; closed hours are a holiday.
    overrides: BTreeMap<NaiveDate, DayHours>,
}

impl BusinessCalendar {
    /// A calendar following `weekly` on every date, with no overrides yet.
    pub fn new(weekly: WeeklyHours) -> Self {
        Self {
            weekly,
            overrides: BTreeMap::new(),
        }
    }

    /// Marks `date` as a holiday: not worked, whatever its weekday.
    pub fn set_holiday(&mut self, date: NaiveDate) {
        self.overrides.insert(date, DayHours::closed());
    }

    /// Gives `date` its own hours: a make-up workday (调休) on a weekend, or shortened hours on a
    /// holiday's eve. Closed hours make it a holiday.
    pub fn set_hours(&mut self, date: NaiveDate, hours: DayHours) {
        self.overrides.insert(date, hours);
    }

    /// Drops the override of `date`, so the weekly pattern applies again.
    pub fn clear_override(&mut self, date: NaiveDate) {
        self.overrides.remove(&date);
    }

    /// The weekly pattern.
    pub fn weekly(&self) -> &WeeklyHours {
        &self.weekly
    }

    /// The hours that apply on `date`, overrides first.
    pub fn hours_on(&self, date: NaiveDate) -> &DayHours {
        self.overrides
            .get(&date)
            .unwrap_or_else(|| self.weekly.on(date.weekday()))
    }

    /// Whether `date` has any working time.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !self.hours_on(date).is_closed()
    }

    /// Whether the calendar is working at the instant `at`.
    pub fn is_working(&self, at: NaiveDateTime) -> bool {
        self.hours_on(at.date()).contains(at.time())
    }

    /// The `n`-th working day strictly after `date` (`n = 0` answers `date` itself). `None` when
    /// the calendar never works again or the date leaves chrono's range.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            if self.never_works_after(day) {
                return None;
            }
            day = day.succ_opt()?;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        Some(day)
    }

    /// The earliest instant at which `duration` of working time has passed since `start`: the
    /// clock runs only during working hours. A zero or negative duration answers `start`. `None`
    /// when the calendar never works enough again.
    pub fn add_working_duration(
        &self,
        start: NaiveDateTime,
        duration: TimeDelta,
    ) -> Option<NaiveDateTime> {
        if duration <= TimeDelta::zero() {
            return Some(start);
        }
        let mut left = duration;
        let mut day = start.date();
        loop {
            for (from, until) in self.hours_on(day).instants(day) {
                let from = from.max(start);
                if until <= from {
                    continue;
                }
                let available = until - from;
                if left <= available {
                    return Some(from + left);
                }
                left -= available;
            }
            if self.never_works_after(day) {
                return None;
            }
            day = day.succ_opt()?;
        }
    }

    /// The working time in `[a, b)`; negative when `b` is before `a` (how late something is).
    pub fn working_duration_between(&self, a: NaiveDateTime, b: NaiveDateTime) -> TimeDelta {
        if b < a {
            return -self.working_duration_between(b, a);
        }
        let mut total = TimeDelta::zero();
        let mut day = a.date();
        while day <= b.date() {
            for (from, until) in self.hours_on(day).instants(day) {
                let (from, until) = (from.max(a), until.min(b));
                if from < until {
                    total += until - from;
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        total
    }

    /// Whether no date after `date` has working time.
    fn never_works_after(&self, date: NaiveDate) -> bool {
        use std::ops::Bound::{Excluded, Unbounded};
        self.weekly.is_closed()
            && self
                .overrides
                .range((Excluded(date), Unbounded))
                .all(|(_, hours)| hours.is_closed())
    }
}

/// The festivals the group-buy desk and the campaigns plan around.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FestivalCode {
    /// 元旦, 1 January.
    NewYear,
    /// 春节, lunar 1/1.
    SpringFestival,
    /// 元宵节, lunar 1/15.
    Lantern,
    /// 三八妇女节, 8 March.
    WomensDay,
    /// 端午节, lunar 5/5.
    DragonBoat,
    /// 中秋节, lunar 8/15.
    MidAutumn,
    /// 国庆节, 1 October.
    NationalDay,
}

/// How a festival's date is found.
enum DateRule {
    Solar { month: u32, day: u32 },
    Lunar { month: isize, day: usize },
}

impl FestivalCode {
    /// Every festival, in the order they usually fall in a year.
    pub const ALL: [FestivalCode; 7] = [
        FestivalCode::NewYear,
        FestivalCode::SpringFestival,
        FestivalCode::Lantern,
        FestivalCode::WomensDay,
        FestivalCode::DragonBoat,
        FestivalCode::MidAutumn,
        FestivalCode::NationalDay,
    ];

    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            FestivalCode::NewYear => "new_year",
            FestivalCode::SpringFestival => "spring_festival",
            FestivalCode::Lantern => "lantern",
            FestivalCode::WomensDay => "womens_day",
            FestivalCode::DragonBoat => "dragon_boat",
            FestivalCode::MidAutumn => "mid_autumn",
            FestivalCode::NationalDay => "national_day",
        }
    }

    /// The festival with this stable code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The name the staff use (zh-CN).
    pub fn name_zh(self) -> &'static str {
        match self {
            FestivalCode::NewYear => "元旦",
            FestivalCode::SpringFestival => "春节",
            FestivalCode::Lantern => "元宵节",
            FestivalCode::WomensDay => "三八妇女节",
            FestivalCode::DragonBoat => "端午节",
            FestivalCode::MidAutumn => "中秋节",
            FestivalCode::NationalDay => "国庆节",
        }
    }

    /// The English name.
    pub fn name_en(self) -> &'static str {
        match self {
            FestivalCode::NewYear => "New Year's Day",
            FestivalCode::SpringFestival => "Spring Festival",
            FestivalCode::Lantern => "Lantern Festival",
            FestivalCode::WomensDay => "International Women's Day",
            FestivalCode::DragonBoat => "Dragon Boat Festival",
            FestivalCode::MidAutumn => "Mid-Autumn Festival",
            FestivalCode::NationalDay => "National Day",
        }
    }

    fn rule(self) -> DateRule {
        match self {
            FestivalCode::NewYear => DateRule::Solar { month: 1, day: 1 },
            FestivalCode::WomensDay => DateRule::Solar { month: 3, day: 8 },
            FestivalCode::NationalDay => DateRule::Solar { month: 10, day: 1 },
            FestivalCode::SpringFestival => DateRule::Lunar { month: 1, day: 1 },
            FestivalCode::Lantern => DateRule::Lunar { month: 1, day: 15 },
            FestivalCode::DragonBoat => DateRule::Lunar { month: 5, day: 5 },
            FestivalCode::MidAutumn => DateRule::Lunar { month: 8, day: 15 },
        }
    }

    /// The date of this festival in the Gregorian `year`. Each lunar festival falls within the
    /// same Gregorian year as its lunar year (春节 between 21 January and 20 February).
    pub fn date_in(self, year: i32) -> Result<NaiveDate, CalendarError> {
        let out_of_range = || CalendarError::YearOutOfRange(year);
        if !FESTIVAL_YEARS.contains(&year) {
            return Err(out_of_range());
        }
        match self.rule() {
            DateRule::Solar { month, day } => {
                NaiveDate::from_ymd_opt(year, month, day).ok_or_else(out_of_range)
            }
            DateRule::Lunar { month, day } => {
                let lunar_year = year as isize;
                // `LunarDay::new` itself unwraps on a year outside the tables; check it first.
                LunarYear::new(lunar_year).map_err(|_| out_of_range())?;
                let solar = LunarDay::new(lunar_year, month, day)
                    .map_err(|_| out_of_range())?
                    .get_solar_day();
                let (y, m, d) = (solar.get_year(), solar.get_month(), solar.get_day());
                NaiveDate::from_ymd_opt(
                    i32::try_from(y).map_err(|_| out_of_range())?,
                    u32::try_from(m).map_err(|_| out_of_range())?,
                    u32::try_from(d).map_err(|_| out_of_range())?,
                )
                .ok_or_else(out_of_range)
            }
        }
    }
}

/// Gregorian years whose festivals can be computed (the lunar tables run to 9999).
pub const FESTIVAL_YEARS: std::ops::RangeInclusive<i32> = 1..=9998;

/// One festival on its date in a given year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Festival {
    pub code: FestivalCode,
    pub date: NaiveDate,
}

/// The festivals of the Gregorian `year`, by date.
pub fn festivals(year: i32) -> Result<Vec<Festival>, CalendarError> {
    let mut all = FestivalCode::ALL
        .into_iter()
        .map(|code| {
            Ok(Festival {
                code,
                date: code.date_in(year)?,
            })
        })
        .collect::<Result<Vec<_>, CalendarError>>()?;
    all.sort_by_key(|f| (f.date, f.code));
    Ok(all)
}

#[cfg(test)]
mod tests;
