//! The member's own pages: `/portal/slips` (reward slips and thresholds), `/portal/privacy`
//! (marketing by SMS and e-mail, the data download, the close request), `/portal/my-data.txt`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::rights::{self, MyData};
use super::super::slips::{self, Standing};
use super::super::store::consent::Answer;
use super::super::store::rights::{CloseRequest, SlipRow};
use super::super::{PortalError, consent};
use super::{MemberSession, member_page};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "portal/slips.html")]
struct SlipsPage {
    page: Page,
    slips: Vec<SlipRow>,
    st: Standing,
    today: chrono::NaiveDate,
}

impl SlipsPage {
    fn gift(&self, zh: &str, en: &str) -> String {
        if self.page.is_en() && !en.is_empty() {
            en.to_string()
        } else {
            zh.to_string()
        }
    }

    /// The slip's state as the member reads it (an issued slip past its date is expired).
    fn state(&self, s: &SlipRow) -> &'static str {
        if s.state == "issued" && s.valid_until < self.today {
            return self.page.t("portal.slip_state.expired");
        }
        self.page.t_or(
            &format!("portal.slip_state.{}", s.state),
            "portal.slip_state.other",
        )
    }
}

pub(super) async fn slips_page(s: MemberSession) -> Response {
    match slips::mine(&s.app, s.member_id).await {
        Ok((slips, st)) => SlipsPage {
            page: member_page(&s, "portal.slips_title"),
            slips,
            st,
            today: crate::kernel::dates::business_date(s.app.clock.now(), s.app.config.tz()),
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/privacy.html")]
struct PrivacyPage {
    page: Page,
    answers: Vec<Answer>,
    request: Option<CloseRequest>,
    message: Option<&'static str>,
    ok: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct PrivacyQuery {
    ok: Option<String>,
}

async fn render_privacy(
    s: &MemberSession,
    message: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let result: Result<Response, PortalError> = async {
        let mut res = PrivacyPage {
            page: member_page(s, "portal.privacy_title"),
            answers: consent::answers(&s.app, s.member_id).await?,
            request: rights::my_close_request(&s.app, s.member_id).await?,
            message,
            ok: status.is_success(),
        }
        .into_response();
        *res.status_mut() = status;
        Ok(res)
    }
    .await;
    result.unwrap_or_else(|e| AppError::from(e).into_response())
}

pub(super) async fn privacy_page(s: MemberSession, Query(q): Query<PrivacyQuery>) -> Response {
    let message = match q.ok.as_deref() {
        Some("consent") => Some("portal.consent_saved"),
        Some("close") => Some("portal.close_sent"),
        _ => None,
    };
    render_privacy(&s, message, StatusCode::OK).await
}

#[derive(Deserialize)]
pub(super) struct ConsentForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    consent: String,
}

pub(super) async fn consent_submit(
    s: MemberSession,
    axum::Form(f): axum::Form<ConsentForm>,
) -> Response {
    if f.csrf != s.csrf {
        return AppError::new(codes::CSRF).into_response();
    }
    let yes = f.consent == "yes";
    match consent::set(&s.app, s.member_id, &f.channel, yes).await {
        Ok(()) => Redirect::to("/portal/privacy?ok=consent").into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub(super) struct CloseForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: Option<String>,
}

pub(super) async fn close_submit(
    s: MemberSession,
    axum::Form(f): axum::Form<CloseForm>,
) -> Response {
    if f.csrf != s.csrf {
        return AppError::new(codes::CSRF).into_response();
    }
    match rights::request_close(&s.app, s.member_id, &f.reason, f.confirm.is_some()).await {
        Ok(_) => Redirect::to("/portal/privacy?ok=close").into_response(),
        Err(PortalError::Invalid(_)) => {
            render_privacy(
                &s,
                Some("portal.close_confirm_required"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

/// The member's own data as a text file in their language.
pub(super) async fn my_data(s: MemberSession) -> Response {
    match rights::my_data(&s.app, s.member_id).await {
        Ok(data) => {
            let page = member_page(&s, "portal.data_title");
            let text = data_text(&page, &data);
            let name = if page.is_en() {
                "my-member-data.txt"
            } else {
                "my-member-data-zh.txt"
            };
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "text/plain; charset=utf-8".to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                text,
            )
                .into_response()
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

fn heading(out: &mut String, page: &Page, key: &str) {
    out.push('\n');
    out.push_str("== ");
    out.push_str(page.t(key));
    out.push_str(" ==\n");
}

/// The readable file: the desk's copy (`members::data`: profile, cards, points, receipts),
/// then what the member did in the portal — consents, slips, events, complaints — every code
/// as its label, times in the store's time zone.
fn data_text(page: &Page, d: &MyData) -> String {
    let mut out = d.data.render(page.lang, page.tz);
    let yes_no = |b: bool| page.t(if b { "portal.yes" } else { "portal.no" });
    heading(&mut out, page, "portal.consent_title");
    for a in &d.consents {
        let when = a.at.as_ref().map(|t| page.time(t)).unwrap_or_default();
        out.push_str(&format!(
            "{}: {} {when}\n",
            page.t_or(
                &format!("portal.channel.{}", a.channel),
                "portal.channel.sms"
            ),
            yes_no(a.consent)
        ));
    }
    heading(&mut out, page, "portal.slips_title");
    for s in &d.slips {
        let gift = if page.is_en() {
            &s.gift_name_en
        } else {
            &s.gift_name_zh
        };
        out.push_str(&format!(
            "{} · {gift} · {} · {} {} · {}\n",
            s.slip_no,
            page.pts(&s.points),
            page.t("portal.valid_until"),
            s.valid_until,
            page.t_or(
                &format!("portal.slip_state.{}", s.state),
                "portal.slip_state.other"
            )
        ));
    }
    heading(&mut out, page, "ev.portal_title");
    for e in &d.signups {
        out.push_str(&format!(
            "{} · {} · {} · {}{}\n",
            page.time(&e.starts_at),
            e.theme,
            e.place,
            page.t_or(
                &format!("portal.signup_state.{}", e.status),
                "portal.signup_state.other"
            ),
            if e.checked_in_at.is_some() {
                format!(
                    " · {} {}",
                    page.t("portal.checked_in"),
                    page.pts(&e.points_awarded)
                )
            } else {
                String::new()
            }
        ));
    }
    heading(&mut out, page, "portal.complaints_mine");
    for c in &d.complaints {
        out.push_str(&format!(
            "{} · {} · {} · {}\n",
            page.time(&c.received_at),
            page.t_or(
                &format!("complaints.category.{}", c.category),
                "complaints.category.other"
            ),
            c.content,
            page.t_or(
                &format!("complaints.state.{}", c.state),
                "portal.complaint_state_other"
            ),
        ));
        for (key, text) in [
            ("portal.complaint_plan", &c.plan),
            ("portal.complaint_result", &c.result),
        ] {
            if !text.is_empty() {
                out.push_str(&format!("    {}: {text}\n", page.t(key)));
            }
        }
    }
    out
}
