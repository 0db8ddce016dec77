use super::*;
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, min, 0).expect("time")
}

fn hours(s: &str) -> DayHours {
    s.parse().expect("hours")
}

/// An office: Monday to Friday, 09:00–12:00 and 13:00–17:30.
fn office() -> BusinessCalendar {
    BusinessCalendar::new(WeeklyHours::weekdays(hours("09:00-12:00,13:00-17:30")))
}

#[test]
fn the_festivals_fall_on_their_known_dates() {
    let on = |code: FestivalCode, year| code.date_in(year).expect("festival date");
    assert_eq!(on(FestivalCode::MidAutumn, 2027), date(2027, 9, 15));
    assert_eq!(on(FestivalCode::SpringFestival, 2027), date(2027, 2, 6));
    assert_eq!(on(FestivalCode::MidAutumn, 2026), date(2026, 9, 25));
    assert_eq!(on(FestivalCode::SpringFestival, 2026), date(2026, 2, 17));
    assert_eq!(on(FestivalCode::NewYear, 2027), date(2027, 1, 1));
    assert_eq!(on(FestivalCode::WomensDay, 2027), date(2027, 3, 8));
    assert_eq!(on(FestivalCode::NationalDay, 2027), date(2027, 10, 1));
}

#[test]
fn the_lantern_festival_is_the_fifteenth_day_of_the_spring_festival() {
    for year in [2024, 2025, 2026, 2027, 2028] {
        let spring = FestivalCode::SpringFestival.date_in(year).expect("spring");
        let lantern = FestivalCode::Lantern.date_in(year).expect("lantern");
        assert_eq!(lantern - spring, TimeDelta::days(14), "{year}");
    }
}

#[test]
fn the_other_lunar_festivals_fall_on_their_known_dates() {
    let on = |code: FestivalCode, year| code.date_in(year).expect("festival date");
    assert_eq!(on(FestivalCode::DragonBoat, 2026), date(2026, 6, 19));
    assert_eq!(on(FestivalCode::DragonBoat, 2027), date(2027, 6, 9));
    assert_eq!(on(FestivalCode::Lantern, 2026), date(2026, 3, 3));
    assert_eq!(on(FestivalCode::Lantern, 2027), date(2027, 2, 20));
}

#[test]
fn the_spring_and_mid_autumn_festivals_stay_in_their_seasons() {
    for year in 1901..2100 {
        let spring = FestivalCode::SpringFestival.date_in(year).expect("spring");
        assert!(
            (date(year, 1, 21)..=date(year, 2, 20)).contains(&spring),
            "{year}: {spring}"
        );
        let mid_autumn = FestivalCode::MidAutumn.date_in(year).expect("mid-autumn");
        assert!(
            (date(year, 9, 7)..=date(year, 10, 8)).contains(&mid_autumn),
            "{year}: {mid_autumn}"
        );
    }
}

#[test]
fn a_year_lists_every_festival_once_by_date() {
    let year = festivals(2027).expect("festivals");
    assert_eq!(year.len(), FestivalCode::ALL.len());
    assert!(year.windows(2).all(|w| w[0].date <= w[1].date));
    assert_eq!(year[0].code, FestivalCode::NewYear);
    assert_eq!(year.last().map(|f| f.code), Some(FestivalCode::NationalDay));
}

#[test]
fn a_year_outside_the_tables_is_refused_not_a_panic() {
    for year in [0, -5, 9999, i32::MAX, i32::MIN] {
        assert_eq!(festivals(year), Err(CalendarError::YearOutOfRange(year)));
    }
}

#[test]
fn festival_codes_read_back_and_have_names_in_both_languages() {
    for code in FestivalCode::ALL {
        assert_eq!(FestivalCode::parse(code.code()), Some(code));
        assert!(!code.name_zh().is_empty() && !code.name_en().is_empty());
    }
    assert_eq!(FestivalCode::parse("christmas"), None);
    assert_eq!(FestivalCode::MidAutumn.name_zh(), "中秋节");
}

#[test]
fn hours_read_and_print_as_people_write_them() {
    let day = hours(" 13:00-17:30, 09:00-12:00 ");
    assert_eq!(day.to_string(), "09:00-12:00,13:00-17:30");
    assert_eq!(day.total(), TimeDelta::minutes(3 * 60 + 4 * 60 + 30));
    assert_eq!(hours("18:00-24:00").spans(), &[(18 * 60, DAY_MINUTES)]);
    assert!(hours("").is_closed());
    // Overlapping and touching intervals are one interval.
    assert_eq!(
        hours("09:00-12:00,11:00-13:00,13:00-14:00").to_string(),
        "09:00-14:00"
    );
}

#[test]
fn hours_that_are_not_an_interval_of_the_day_are_refused() {
    for bad in [
        "9-17",
        "09:00",
        "17:00-09:00",
        "09:00-09:00",
        "24:30-25:00",
        "09:60-10:00",
        "x",
    ] {
        assert!(bad.parse::<DayHours>().is_err(), "{bad}");
    }
    assert_eq!(
        DayHours::from_minutes(&[(600, 1441)]),
        Err(CalendarError::BadInterval {
            start: 600,
            end: 1441
        })
    );
}

#[test]
fn the_office_works_its_hours_and_not_over_lunch() {
    let cal = office();
    // 2026-06-19 is a Friday.
    assert!(cal.is_working(at(2026, 6, 19, 9, 0)));
    assert!(cal.is_working(at(2026, 6, 19, 11, 59)));
    assert!(!cal.is_working(at(2026, 6, 19, 12, 0)));
    assert!(!cal.is_working(at(2026, 6, 19, 17, 30)));
    assert!(!cal.is_working(at(2026, 6, 20, 10, 0)), "Saturday");
}

#[test]
fn a_saturday_make_up_workday_counts_as_a_working_day() {
    let mut cal = office();
    // Friday 2026-10-09; the Saturday after is worked (调休).
    cal.set_hours(date(2026, 10, 10), hours("09:00-12:00,13:00-17:30"));
    assert!(cal.is_working_day(date(2026, 10, 10)));
    assert_eq!(
        cal.add_working_days(date(2026, 10, 9), 1),
        Some(date(2026, 10, 10))
    );
    assert_eq!(
        cal.add_working_days(date(2026, 10, 9), 2),
        Some(date(2026, 10, 12))
    );
    // An hour asked for at Friday 17:00 is answered on the Saturday morning.
    assert_eq!(
        cal.add_working_duration(at(2026, 10, 9, 17, 0), TimeDelta::hours(1)),
        Some(at(2026, 10, 10, 9, 30))
    );
}

#[test]
fn a_holiday_monday_does_not_count() {
    let mut cal = office();
    cal.set_holiday(date(2026, 6, 22));
    assert!(!cal.is_working(at(2026, 6, 22, 10, 0)));
    // Two working days from Friday 2026-06-19: Tuesday, Wednesday.
    assert_eq!(
        cal.add_working_days(date(2026, 6, 19), 1),
        Some(date(2026, 6, 23))
    );
    assert_eq!(
        cal.add_working_days(date(2026, 6, 19), 2),
        Some(date(2026, 6, 24))
    );
    assert_eq!(
        cal.add_working_duration(at(2026, 6, 19, 17, 0), TimeDelta::hours(1)),
        Some(at(2026, 6, 23, 9, 30))
    );
    cal.clear_override(date(2026, 6, 22));
    assert_eq!(
        cal.add_working_days(date(2026, 6, 19), 1),
        Some(date(2026, 6, 22))
    );
}

#[test]
fn the_working_clock_stops_over_lunch_and_overnight() {
    let cal = office();
    let hour = TimeDelta::hours(1);
    assert_eq!(
        cal.add_working_duration(at(2026, 6, 18, 11, 30), hour),
        Some(at(2026, 6, 18, 13, 30))
    );
    assert_eq!(
        cal.add_working_duration(at(2026, 6, 18, 7, 0), hour),
        Some(at(2026, 6, 18, 10, 0))
    );
    // Ending exactly at closing time is 17:30, not the next morning.
    assert_eq!(
        cal.add_working_duration(at(2026, 6, 18, 16, 30), hour),
        Some(at(2026, 6, 18, 17, 30))
    );
    assert_eq!(
        cal.working_duration_between(at(2026, 6, 19, 17, 0), at(2026, 6, 22, 9, 30)),
        hour
    );
    assert_eq!(
        cal.working_duration_between(at(2026, 6, 22, 9, 30), at(2026, 6, 19, 17, 0)),
        -hour
    );
    assert_eq!(
        cal.add_working_duration(at(2026, 6, 20, 3, 0), TimeDelta::zero()),
        Some(at(2026, 6, 20, 3, 0))
    );
}

#[test]
fn a_store_open_past_midnight_runs_on_into_the_next_day() {
    let cal = BusinessCalendar::new(WeeklyHours::every_day(hours("00:00-02:00,10:00-24:00")));
    assert_eq!(
        cal.add_working_duration(at(2026, 12, 31, 23, 30), TimeDelta::hours(1)),
        Some(at(2027, 1, 1, 0, 30))
    );
    assert_eq!(
        cal.add_working_days(date(2026, 12, 31), 1),
        Some(date(2027, 1, 1))
    );
}

#[test]
fn a_calendar_that_never_works_again_has_no_answer() {
    let mut cal = BusinessCalendar::new(WeeklyHours::closed());
    cal.set_hours(date(2026, 6, 20), hours("10:00-11:00"));
    assert_eq!(
        cal.add_working_days(date(2026, 6, 1), 1),
        Some(date(2026, 6, 20))
    );
    assert_eq!(cal.add_working_days(date(2026, 6, 1), 2), None);
    assert_eq!(
        cal.add_working_duration(at(2026, 6, 1, 0, 0), TimeDelta::minutes(60)),
        Some(at(2026, 6, 20, 11, 0))
    );
    assert_eq!(
        cal.add_working_duration(at(2026, 6, 1, 0, 0), TimeDelta::minutes(61)),
        None
    );
}

#[test]
fn weekly_hours_can_differ_by_weekday() {
    let week = WeeklyHours::weekdays(hours("09:00-17:30")).with(Weekday::Sat, hours("10:00-12:00"));
    assert_eq!(week.on(Weekday::Sat).to_string(), "10:00-12:00");
    assert!(week.on(Weekday::Sun).is_closed());
    assert_eq!(week.on(Weekday::Wed).to_string(), "09:00-17:30");
}

// ---- Property tests: the arithmetic agrees with a naive walk. ----

/// First day of the random calendars; the starts and overrides fall in the weeks after it.
fn origin() -> NaiveDate {
    date(2026, 9, 28)
}

fn day_hours() -> impl Strategy<Value = DayHours> {
    proptest::collection::vec((0u32..DAY_MINUTES, 1u32..=300), 0..3).prop_map(|spans| {
        let spans: Vec<(u32, u32)> = spans
            .into_iter()
            .map(|(start, len)| (start.min(DAY_MINUTES - 1), (start + len).min(DAY_MINUTES)))
            .collect();
        DayHours::from_minutes(&spans).expect("valid spans")
    })
}

/// Random weekly hours (one weekday has at least two hours, so every walk ends within weeks),
/// with random holidays and make-up days over the first 60 days.
fn calendars() -> impl Strategy<Value = BusinessCalendar> {
    (
        proptest::collection::vec(day_hours(), 7),
        0usize..7,
        0u32..(DAY_MINUTES - 120),
        proptest::collection::vec(
            (0u64..60, prop_oneof![Just(DayHours::closed()), day_hours()]),
            0..12,
        ),
    )
        .prop_map(|(days, busy, busy_start, overrides)| {
            let mut week = WeeklyHours::closed();
            for (i, mut hours) in days.into_iter().enumerate() {
                if i == busy {
                    let mut spans = hours.spans().to_vec();
                    spans.push((busy_start, busy_start + 120));
                    hours = DayHours::from_minutes(&spans).expect("valid spans");
                }
                week.days[i] = hours;
            }
            let mut cal = BusinessCalendar::new(week);
            for (offset, hours) in overrides {
                cal.set_hours(origin() + chrono::Days::new(offset), hours);
            }
            cal
        })
}

fn minute_starts() -> impl Strategy<Value = NaiveDateTime> {
    (0u64..45, 0i64..i64::from(DAY_MINUTES)).prop_map(|(day, minute)| {
        (origin() + chrono::Days::new(day)).and_time(NaiveTime::MIN) + TimeDelta::minutes(minute)
    })
}

/// Whether any minute of `day` is worked, asked minute by minute.
fn naive_is_working_day(cal: &BusinessCalendar, day: NaiveDate) -> bool {
    let midnight = day.and_time(NaiveTime::MIN);
    (0..i64::from(DAY_MINUTES)).any(|m| cal.is_working(midnight + TimeDelta::minutes(m)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn adding_working_days_agrees_with_a_day_by_day_walk(
        cal in calendars(),
        start in minute_starts(),
        n in 0u32..8,
    ) {
        let mut day = start.date();
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().expect("date");
            if naive_is_working_day(&cal, day) {
                left -= 1;
            }
        }
        prop_assert_eq!(cal.add_working_days(start.date(), n), Some(day));
    }

    #[test]
    fn adding_working_time_agrees_with_a_minute_by_minute_walk(
        cal in calendars(),
        start in minute_starts(),
        minutes in 0i64..480,
    ) {
        let mut t = start;
        let mut counted = 0;
        while counted < minutes {
            if cal.is_working(t) {
                counted += 1;
            }
            t += TimeDelta::minutes(1);
        }
        prop_assert_eq!(cal.add_working_duration(start, TimeDelta::minutes(minutes)), Some(t));
    }

    #[test]
    fn the_working_time_between_a_start_and_its_deadline_is_the_time_added(
        cal in calendars(),
        start in minute_starts(),
        seconds_in in 0i64..60,
        seconds in 0i64..(3 * 24 * 3600),
    ) {
        let start = start + TimeDelta::seconds(seconds_in);
        let duration = TimeDelta::seconds(seconds);
        let end = cal.add_working_duration(start, duration).expect("the calendar works weekly");
        prop_assert!(end >= start);
        prop_assert_eq!(cal.working_duration_between(start, end), duration);
    }

    #[test]
    fn the_working_time_between_two_instants_agrees_with_a_minute_count(
        cal in calendars(),
        a in minute_starts(),
        b in minute_starts(),
    ) {
        let (from, to) = (a.min(b), a.max(b));
        let mut worked = 0;
        let mut t = from;
        while t < to {
            if cal.is_working(t) {
                worked += 1;
            }
            t += TimeDelta::minutes(1);
        }
        let sign = if a <= b { 1 } else { -1 };
        prop_assert_eq!(cal.working_duration_between(a, b), TimeDelta::minutes(sign * worked));
    }
}
