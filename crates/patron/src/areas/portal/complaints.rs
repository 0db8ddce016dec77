//! Online complaints and feedback (SPEC I1, channel `online`): a signed-in member complains from
//! the portal, and sees their complaints' state and the answer. The case enters the complaints
//! area through its one intake (`complaints::intake::take`), on the system's account, with the
//! member's card and store, so its clocks run as for any case. The form's one-time key is scoped
//! to the member: a double submit takes one case, and another member's key never finds it.

use crate::areas::complaints::{self, Complaint, ComplaintError, Intake, MemberComplaint};
use crate::areas::members::store as mstore;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::DbError;

/// What the member typed.
#[derive(Debug, Clone, Default)]
pub struct OnlineComplaint {
    /// `product_quality`, `service` or `other`.
    pub category: String,
    pub content: String,
    /// What the member wants done.
    pub wants: String,
    /// The form's one-time key.
    pub key: String,
}

/// The member files a complaint: one case, channel `online`, for their card and store.
pub async fn file(
    app: &App,
    member_id: i64,
    input: &OnlineComplaint,
) -> Result<Complaint, ComplaintError> {
    let m = mstore::get_member(&app.db, member_id)
        .await?
        .ok_or(ComplaintError::NotFound)?;
    let stores = app.cache.stores(&app.db).await?;
    let store = stores
        .by_id(m.store_id)
        .map(|s| s.code.clone())
        .unwrap_or_default();
    let key = input.key.trim();
    let intake = Intake {
        channel: "online".into(),
        complainant: m.name.clone(),
        content: input.content.clone(),
        category: input.category.clone(),
        wants: input.wants.clone(),
        card_no: m.card_no.clone().unwrap_or_default(),
        phone: String::new(),
        store,
        received_at: String::new(),
        serious: false,
        key: if key.is_empty() {
            String::new()
        } else {
            format!("portal:{member_id}:{key}")
        },
    };
    let ctx = Ctx::new(app.clone(), Actor::System, None);
    complaints::take(&ctx, &intake).await
}

/// The member's own complaints, newest first, with state and answer.
pub async fn mine(app: &App, member_id: i64) -> Result<Vec<MemberComplaint>, DbError> {
    complaints::for_member(&app.db, member_id).await
}
