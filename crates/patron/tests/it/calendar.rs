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
