//! The calendar's fixed route (`api/care.md`): the festivals of a year.

use axum::Json;
use axum::extract::Query;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::CalendarError;
use crate::kernel::ctx::App;
use crate::web::error::AppError;
use crate::web::extract::ApiCaller;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(list_festivals))
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// The Gregorian year (default: this year).
    pub year: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(examples(json!({"code": "mid_autumn", "name": "中秋节", "name_en": "Mid-Autumn Festival", "date": "2027-09-15", "corrected": false})))]
pub struct FestivalOut {
    /// `new_year`, `spring_festival`, `lantern`, `womens_day`, `dragon_boat`, `mid_autumn`,
    /// `national_day`.
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub date: NaiveDate,
    /// The computed date was corrected in the festival table.
    pub corrected: bool,
}

/// The festivals of a year with their dates (lunar ones computed, corrections applied).
#[utoipa::path(get, path = "/calendar/festivals", tag = "calendar", params(YearQuery),
    responses(
        (status = 200, body = Vec<FestivalOut>, description = "The festivals, by date"),
        (status = 401),
        (status = 422, description = "`validation`: `year` is not a year between 1 and 9998"),
    ), security(("bearer" = [])))]
async fn list_festivals(
    ApiCaller(ctx): ApiCaller,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<FestivalOut>>, AppError> {
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => ctx.today().year(),
        Some(text) => text
            .parse::<i32>()
            .map_err(|_| CalendarError::YearOutOfRange)?,
    };
    let all = super::festivals(ctx.db(), year).await?;
    Ok(Json(
        all.into_iter()
            .map(|f| FestivalOut {
                code: f.code.code().to_owned(),
                name: f.code.name_zh().to_owned(),
                name_en: f.code.name_en().to_owned(),
                date: f.date,
                corrected: f.corrected,
            })
            .collect(),
    ))
}
