//! The clocks of a case (I3, I4) and their breaches. Each clock has its own start event and
//! length (settings page, `complaint_settings`):
//!
//! | clock        | starts when                  | met when            | length (default)            |
//! |--------------|------------------------------|---------------------|-----------------------------|
//! | acknowledge  | received                     | acknowledged        | 5 min                       |
//! | route        | received                     | routed              | 30 min                      |
//! | answer       | routed (each re-route, reopen)| answered / resolved | 1 h (2 h product quality) of the service calendar's working time |
//! | report       | became major                 | reported to the head| 10 min                      |
//! | resolve      | became major                 | resolved            | 12 h                        |
//! | feedback     | received                     | resolved            | 24 h                        |
//! | callback     | resolved (each resolution)   | called back         | 24 h                        |
//!
//! A breach is recorded once per run of a clock, against the department that held it: by the
//! job when the clock runs out, or by the step that meets (or stops) a clock already late when
//! the job has not seen it yet. Nothing erases one: a re-route stops the old department's run and
//! starts a new one; a later answer fills in the breach's `met_at`.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use patron_core::calendar::BusinessCalendar;
use serde_json::json;

use super::store::{self, ClockRow, SettingsRow};
use crate::kernel::db::{DbError, Tx};
use crate::notify::{Notice, To, notice};
use crate::web::i18n::Lang;

/// Every clock, in the order the board shows them.
pub const CLOCKS: [&str; 7] = [
    "acknowledge",
    "route",
    "answer",
    "report",
    "resolve",
    "feedback",
    "callback",
];

/// The outbox kind of the notice that a clock ran out.
pub const BREACH_KIND: &str = "complaint_breach";
/// The outbox kind of the notice that a case is major (to be reported to the head).
pub const MAJOR_KIND: &str = "complaint_major";

/// The clocks' lengths (`complaint_settings`).
#[derive(Debug, Clone)]
pub struct Settings(pub SettingsRow);

impl Default for Settings {
    fn default() -> Self {
        Settings(SettingsRow {
            acknowledge_minutes: 5,
            route_minutes: 30,
            plan_minutes: 60,
            result_minutes: 120,
            report_minutes: 10,
            resolve_minutes: 720,
            feedback_minutes: 1440,
            callback_minutes: 1440,
            escalate_days: 10,
            archive_months: 24,
        })
    }
}

impl Settings {
    pub async fn load(db: impl Into<crate::kernel::db::Exec<'_>>) -> Result<Settings, DbError> {
        Ok(store::settings(db).await?.map(Settings).unwrap_or_default())
    }

    /// The wall-clock length of `clock` (the answer clock is in working time: `answer_minutes`).
    pub fn minutes(&self, clock: &str) -> i64 {
        let s = &self.0;
        match clock {
            "acknowledge" => s.acknowledge_minutes,
            "route" => s.route_minutes,
            "report" => s.report_minutes,
            "resolve" => s.resolve_minutes,
            "feedback" => s.feedback_minutes,
            _ => s.callback_minutes,
        }
    }

    /// The department's working minutes to answer: a result for product quality, a plan else.
    pub fn answer_minutes(&self, category: &str) -> i64 {
        if category == "product_quality" {
            self.0.result_minutes
        } else {
            self.0.plan_minutes
        }
    }
}

/// When a wall-clock `clock` started at `start` is due.
pub fn wall_due(settings: &Settings, clock: &str, start: DateTime<Utc>) -> DateTime<Utc> {
    start + TimeDelta::minutes(settings.minutes(clock))
}

/// When the answer clock started at `start` is due: `minutes` of the calendar's working time,
/// counted in the store's local time (a case routed on Friday evening is due on Monday, or on a
/// make-up Saturday 调休). A calendar that never works again gives the wall-clock length.
pub fn working_due(
    calendar: &BusinessCalendar,
    tz: Tz,
    start: DateTime<Utc>,
    minutes: i64,
) -> DateTime<Utc> {
    let local = start.with_timezone(&tz).naive_local();
    calendar
        .add_working_duration(local, TimeDelta::minutes(minutes))
        .and_then(|due| due.and_local_timezone(tz).earliest())
        .map_or(start + TimeDelta::minutes(minutes), |d| {
            d.with_timezone(&Utc)
        })
}

/// Whether a clock run is late at `now` (running past its due time, or met after it).
pub fn late(k: &ClockRow, now: DateTime<Utc>) -> bool {
    match k.met_at {
        Some(met) => met > k.due_at,
        None => now > k.due_at,
    }
}

/// Ends the running run of `clock` on the case at `at` (met, or stopped when `met` is false),
/// recording its breach when it is late and not yet recorded. Whether a run was running.
pub async fn end(
    tx: &mut Tx,
    complaint_id: i64,
    store_id: i64,
    clock: &str,
    at: DateTime<Utc>,
    met: bool,
) -> Result<bool, DbError> {
    let Some(k) = store::running(tx, complaint_id, clock).await? else {
        return Ok(false);
    };
    if !store::end_clock(tx, k.id, at, met).await? {
        return Ok(false);
    }
    if at > k.due_at {
        if store::mark_breached(tx, k.id, at).await? {
            store::insert_breach(tx, &k, store_id, met.then_some(at), at).await?;
        } else if met {
            store::breach_met(tx, k.id, at).await?;
        }
    }
    Ok(true)
}

/// A catalog label in both languages, for a notice's payload (the inbox shows the reader's).
fn both(key: &str) -> (&'static str, &'static str) {
    (Lang::ZhCn.t(key), Lang::En.t(key))
}

/// Records the breach of a clock that ran out (the job): once, and tells the store.
/// `department` is the department's name, `due` the due time as the store reads it. Whether this
/// call recorded it.
pub async fn breach(
    tx: &mut Tx,
    k: &ClockRow,
    store_id: i64,
    words: (&str, &str),
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    if !store::mark_breached(tx, k.id, now).await? {
        return Ok(false);
    }
    if !store::insert_breach(tx, k, store_id, None, now).await? {
        return Ok(false);
    }
    notice(
        tx,
        &Notice {
            to: To::Store(store_id),
            kind: BREACH_KIND,
            dedupe_key: format!("complaint-breach:{}", k.id),
            payload: {
                let (zh, en) = both(&format!("complaints.clock.{}", k.clock));
                json!({
                    "to_store_id": store_id,
                    "complaint_id": k.complaint_id.to_string(),
                    "clock": k.clock,
                    "clock_zh": zh,
                    "clock_en": en,
                    "department": words.0,
                    "due_at": words.1,
                })
            },
            at: now,
        },
    )
    .await?;
    Ok(true)
}

/// Tells the store's people that a case is major and must be reported to the head.
pub async fn tell_major(
    tx: &mut Tx,
    complaint_id: i64,
    store_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    notice(
        tx,
        &Notice {
            to: To::Store(store_id),
            kind: MAJOR_KIND,
            dedupe_key: format!("complaint-major:{complaint_id}"),
            payload: {
                let (zh, en) = both(&format!("complaints.major_reason.{reason}"));
                json!({
                    "to_store_id": store_id,
                    "complaint_id": complaint_id.to_string(),
                    "reason": reason,
                    "reason_zh": zh,
                    "reason_en": en,
                })
            },
            at: now,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use patron_core::calendar::{DayHours, WeeklyHours};

    fn service() -> BusinessCalendar {
        let hours = "09:00-17:00".parse::<DayHours>().expect("hours");
        BusinessCalendar::new(WeeklyHours::weekdays(hours))
    }

    fn sh(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn an_answer_routed_late_on_friday_is_due_on_monday_morning() {
        // 2026-10-16 is a Friday: 16:30 leaves 30 working minutes, the rest runs from Monday 09:00.
        let due = working_due(
            &service(),
            chrono_tz::Asia::Shanghai,
            sh(2026, 10, 16, 16, 30),
            60,
        );
        assert_eq!(due, sh(2026, 10, 19, 9, 30));
    }

    #[test]
    fn a_make_up_saturday_counts_as_working_time() {
        let mut cal = service();
        let sat = NaiveDate::from_ymd_opt(2026, 10, 17).expect("date");
        cal.set_hours(sat, "09:00-17:00".parse().expect("hours"));
        let due = working_due(
            &cal,
            chrono_tz::Asia::Shanghai,
            sh(2026, 10, 16, 16, 30),
            60,
        );
        assert_eq!(due, sh(2026, 10, 17, 9, 30));
    }

    #[test]
    fn wall_clocks_run_through_the_night() {
        let s = Settings::default();
        assert_eq!(
            wall_due(&s, "acknowledge", sh(2026, 10, 16, 23, 58)),
            sh(2026, 10, 17, 0, 3)
        );
        assert_eq!(s.answer_minutes("product_quality"), 120);
        assert_eq!(s.answer_minutes("service"), 60);
    }
}
