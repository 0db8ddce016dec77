//! Marketing messages by SMS and by e-mail (L1): the member says yes or no to each in the portal;
//! the answer is recorded with its date and source (`marketing_consents`) and audited. The
//! outbox sender reads the same rows for every marketing message it sends (campaigns, event
//! invitations, birthday greetings), so a change holds at once for all that is not yet sent.
//! The desk's answer on the member's details form sets both channels.

use serde_json::json;

use super::PortalError;
use super::store::consent::{self, Answer};
use crate::kernel::ctx::{Actor, App, Ctx};

/// The channels a member decides about, in the order shown.
pub const CHANNELS: [&str; 2] = ["sms", "email"];

/// The member's answer for each channel.
pub async fn answers(app: &App, member_id: i64) -> Result<Vec<Answer>, PortalError> {
    Ok(consent::answers(&app.db, member_id).await?)
}

/// The member says yes or no to marketing on one channel (from the portal).
pub async fn set(app: &App, member_id: i64, channel: &str, yes: bool) -> Result<(), PortalError> {
    let Some(channel) = CHANNELS.iter().copied().find(|c| *c == channel) else {
        return Err(PortalError::BadChannel);
    };
    let ctx = Ctx::new(app.clone(), Actor::System, None);
    let now = app.clock.now();
    app.db
        .write(move |tx| {
            let ctx = ctx.clone();
            Box::pin(async move {
                let before = consent::answers(&mut *tx, member_id)
                    .await?
                    .into_iter()
                    .find(|a| a.channel == channel)
                    .map(|a| a.consent);
                consent::set(tx, member_id, channel, yes, now, "portal").await?;
                tx.audit(
                    ctx.audit("portal.consent", "member", member_id)
                        .before(&json!({ "channel": channel, "consent": before }))
                        .after(&json!({ "channel": channel, "consent": yes, "source": "portal" })),
                );
                Ok::<_, PortalError>(())
            })
        })
        .await
}
