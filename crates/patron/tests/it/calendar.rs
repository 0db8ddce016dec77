//! The business calendar: the festivals of a year through the fixed route (`api/care.md`).

use reqwest::StatusCode;

use crate::both;
use crate::support::{hq_token, spawn_app};

both!(
    festivals_of_a_year_have_their_lunar_dates,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = hq_token(&t, "cal_clerk", "clerk").await;
        let (status, body) = t
            .get_json("/api/v1/calendar/festivals?year=2027", &key)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let date = |code: &str| {
            body.as_array()
                .and_then(|a| a.iter().find(|f| f["code"] == code))
                .map(|f| f["date"].as_str().unwrap_or_default().to_owned())
        };
        assert_eq!(date("mid_autumn").as_deref(), Some("2027-09-15"));
        assert_eq!(date("spring_festival").as_deref(), Some("2027-02-06"));
        assert_eq!(date("new_year").as_deref(), Some("2027-01-01"));
        assert_eq!(date("womens_day").as_deref(), Some("2027-03-08"));
        assert_eq!(date("national_day").as_deref(), Some("2027-10-01"));
        let names: Vec<&str> = body
            .as_array()
            .map(|a| a.iter().filter_map(|f| f["name"].as_str()).collect())
            .unwrap_or_default();
        assert!(names.contains(&"中秋节"), "{names:?}");

        // A year that is not one is refused naming the field.
        let (status, body) = t
            .get_json("/api/v1/calendar/festivals?year=abc", &key)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "validation");
        assert_eq!(body["errors"][0]["field"], "year", "{body}");
        t.stop().await;
    }
);

both!(
    the_calendar_page_sets_holidays_make_up_days_and_festival_dates,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("cal_mgr", &[("manager", t.hq)], false).await;
        let b = t.login("cal_mgr").await;
        let page = b.get("/admin/calendar?year=2026").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("部门办公"), "the calendars are listed");
        assert!(
            page.body.contains("2026-09-25"),
            "Mid-Autumn 2026 is computed"
        );

        // A holiday and a make-up workday (调休) on the office calendar.
        let ok = b
            .post(
                "/admin/calendar/office/days",
                "/admin/calendar?year=2026",
                &[
                    ("date", "2026-10-01"),
                    ("kind", "off"),
                    ("hours", ""),
                    ("note", "国庆节"),
                    ("year", "2026"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let ok = b
            .post(
                "/admin/calendar/office/days",
                "/admin/calendar?year=2026",
                &[
                    ("date", "2026-10-10"),
                    ("kind", "work"),
                    ("hours", "09:00-17:30"),
                    ("note", "调休上班"),
                    ("year", "2026"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let cal = patron::areas::calendar::load(&t.app.db, "office")
            .await
            .expect("calendar");
        let d = crate::support::day;
        assert!(!cal.is_working_day(d("2026-10-01")), "the holiday is off");
        assert!(
            cal.is_working_day(d("2026-10-10")),
            "the Saturday make-up day is worked"
        );
        // Two working days after Wednesday 30 September: 1 October is off, so Friday 2 October and
        // Monday 5 October.
        assert_eq!(
            cal.add_working_days(d("2026-09-30"), 2),
            Some(d("2026-10-05"))
        );

        // Bad hours are refused, the input re-shown, nothing written.
        let bad = b
            .post(
                "/admin/calendar/office/days",
                "/admin/calendar?year=2026",
                &[
                    ("date", "2026-10-11"),
                    ("kind", "work"),
                    ("hours", "九点到五点"),
                    ("note", ""),
                    ("year", "2026"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("工作时间格式不对"), "{}", bad.body);
        assert!(bad.body.contains("九点到五点"), "the input is re-shown");
        assert!(
            !patron::areas::calendar::load(&t.app.db, "office")
                .await
                .expect("calendar")
                .is_working_day(d("2026-10-11"))
        );

        // A festival date corrected by hand replaces the computed one in the API.
        let ok = b
            .post(
                "/admin/calendar/festivals",
                "/admin/calendar?year=2027",
                &[
                    ("year", "2027"),
                    ("festival", "mid_autumn"),
                    ("date", "2027-09-16"),
                    ("cal", "office"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let key = hq_token(&t, "cal_reader", "clerk").await;
        let (_, body) = t
            .get_json("/api/v1/calendar/festivals?year=2027", &key)
            .await;
        let mid = body
            .as_array()
            .and_then(|a| a.iter().find(|f| f["code"] == "mid_autumn").cloned())
            .unwrap_or_default();
        assert_eq!(mid["date"], "2027-09-16");
        assert_eq!(mid["corrected"], true);
        // A date outside the year is refused beside the field.
        let bad = b
            .post(
                "/admin/calendar/festivals",
                "/admin/calendar?year=2027",
                &[
                    ("year", "2027"),
                    ("festival", "national_day"),
                    ("date", "2028-10-01"),
                    ("cal", "office"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("日期应在所选年份内"), "{}", bad.body);

        // A clerk may not edit the calendar.
        t.add_staff("cal_clerk2", &[("clerk", t.hq)], false).await;
        let clerk = t.login("cal_clerk2").await;
        assert_eq!(
            clerk.get("/admin/calendar").await.status,
            StatusCode::FORBIDDEN
        );
        t.stop().await;
    }
);
