//! The portal's list of active partners with their member benefits (G4).

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use crate::areas::partners::store::{self, PortalPartner};
use crate::areas::portal::pages::MemberSession;
use crate::web::error::AppError;
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "portal/partners.html")]
struct PortalPage {
    page: Page,
    partners: Vec<PortalPartner>,
}

impl PortalPage {
    fn discount(&self, p: &PortalPartner) -> String {
        store::discount_label(p.discount_permille, self.page.is_en())
    }

    fn benefit<'a>(&self, p: &'a PortalPartner) -> &'a str {
        if self.page.is_en() && !p.benefit_en.is_empty() {
            &p.benefit_en
        } else {
            &p.benefit_zh
        }
    }
}

/// The active partners and their member benefits (G4), for a signed-in member.
pub(super) async fn portal_page(s: MemberSession) -> Response {
    let today = crate::kernel::dates::business_date(s.app.clock.now(), s.app.config.tz());
    let mut partners = match store::for_members(&s.app.db, today).await {
        Ok(p) => p,
        Err(e) => return AppError::from(e).into_response(),
    };
    // One line per partner: its latest contract in force.
    let mut seen = std::collections::HashSet::new();
    partners.retain(|p| seen.insert(p.name.clone()));
    let mut page = Page::anonymous(s.lang, "partners.portal_title");
    page.csrf = s.csrf.clone();
    page.tz = s.app.config.tz();
    PortalPage { page, partners }.into_response()
}
