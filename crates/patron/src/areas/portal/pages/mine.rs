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
            let tier = match s
                .app
                .cache
                .get::<crate::areas::points::settings::Loyalty>(&s.app.db)
                .await
            {
                Ok(l) => l
                    .tier(&data.member.tier_code)
                    .map(|t| t.name(s.lang).to_string())
                    .unwrap_or_default(),
                Err(e) => return AppError::from(e).into_response(),
            };
            let text = data_text(&page, &data, &tier);
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

fn line(out: &mut String, page: &Page, key: &str, value: &str) {
    out.push_str(page.t(key));
    out.push_str(": ");
    out.push_str(value);
    out.push('\n');
}

fn heading(out: &mut String, page: &Page, key: &str) {
    out.push('\n');
    out.push_str("== ");
    out.push_str(page.t(key));
    out.push_str(" ==\n");
}

/// The readable file: labelled lines per section, dates and times in the store's time zone.
fn data_text(page: &Page, d: &MyData, tier: &str) -> String {
    let m = &d.member;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let yes_no = |b: bool| {
        page.t(if b { "portal.yes" } else { "portal.no" })
            .to_string()
    };
    let mut out = String::new();
    out.push_str(page.t("portal.data_title"));
    out.push('\n');
    heading(&mut out, page, "portal.data_profile");
    line(&mut out, page, "member.name", &m.name);
    line(&mut out, page, "portal.data_gender", &opt(&m.gender));
    line(
        &mut out,
        page,
        "portal.data_birthday",
        &m.birthday.map(|b| b.to_string()).unwrap_or_default(),
    );
    line(&mut out, page, "portal.code_phone", &opt(&m.phone_masked));
    line(&mut out, page, "portal.data_email", &opt(&m.email));
    line(&mut out, page, "portal.data_address", &m.address);
    line(&mut out, page, "member.tier", tier);
    line(
        &mut out,
        page,
        "member.points",
        &page.pts(&m.points_balance),
    );
    line(
        &mut out,
        page,
        "portal.data_joined",
        &m.joined_on.to_string(),
    );
    for a in &d.consents {
        let key = format!("portal.channel.{}", a.channel);
        let when = a.at.as_ref().map(|t| page.time(t)).unwrap_or_default();
        out.push_str(&format!(
            "{} · {}: {} {when}\n",
            page.t("portal.consent_title"),
            page.t_or(&key, "portal.channel.sms"),
            yes_no(a.consent)
        ));
    }
    heading(&mut out, page, "portal.data_cards");
    for c in &d.cards {
        out.push_str(&format!(
            "{} · {} · {} – {} · {}\n",
            c.card_no,
            c.store_name,
            c.issued_on,
            c.expires_on,
            page.t_or(&format!("card.state.{}", c.state), "card.state.closed")
        ));
    }
    heading(&mut out, page, "points.statement");
    for e in &d.entries {
        out.push_str(&format!(
            "{} · {} · {} · {} {}\n",
            page.time(&e.at),
            page.entry_kind(&e.kind),
            page.pts(&e.points),
            page.t("points.balance_after"),
            page.pts(&e.balance_after)
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
    out
}
