//! The error page a console request gets: the message in the user's language, the code and the
//! request id to quote.

use askama::Template;
use askama_web::WebTemplate;

use super::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: Page,
    pub message_key: &'static str,
    pub code: &'static str,
    pub detail: Option<String>,
    pub request_id: Option<String>,
}
