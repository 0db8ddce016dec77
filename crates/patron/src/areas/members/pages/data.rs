//! One member's data as a text file the member can read (B11): the desk's copy, with the phone
//! and ID number in full (the right to see personal data; the full view is audited).

use axum::extract::Path;
use axum::response::{IntoResponse, Response};

use crate::areas::members::data;
use crate::web::error::AppError;
use crate::web::extract::Console;

pub(super) async fn data_txt(c: Console, Path(id): Path<i64>) -> Response {
    match data::for_member(&c.ctx, id).await {
        Ok(d) => {
            let text = d.render(c.lang, c.ctx.app.config.tz());
            (
                [
                    (
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; charset=utf-8".to_string(),
                    ),
                    (
                        axum::http::header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"member-{id}.txt\""),
                    ),
                ],
                format!("\u{feff}{text}"),
            )
                .into_response()
        }
        Err(e) => AppError::from(e).into_response(),
    }
}
