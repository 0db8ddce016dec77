//! Inviting a segment's members to an event (M1: segments staff can act on). The segment's page
//! offers, to those who manage events, the approved events still to start at their stores; the
//! segment's members (every page of them) go to `events::invite_members`, which invites those in
//! the event's tiers and segment, once each, through the events area's own queueing.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;
use patron_core::rfm::Segment;

use crate::areas::events::{self, Invited};
use crate::areas::reports::{rfm, store};
use crate::kernel::stores::StoreInfo;
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, field};
use crate::web::layout::Page;
use crate::web::said::Said;

/// Members read per step when the whole segment is gathered.
const STEP: i64 = 5_000;

/// The events the reader may invite to: approved, still to start, at a store where they manage
/// events — (id, theme and start as shown). None for a reader who does not manage events.
pub(super) async fn choices(c: &Console) -> Result<Vec<(i64, String)>, AppError> {
    if !c.ctx.can(Permission::ManageEvents) {
        return Ok(Vec::new());
    }
    let tz = c.ctx.app.config.tz();
    Ok(store::events::upcoming(c.ctx.db(), c.ctx.now())
        .await?
        .into_iter()
        .filter(|e| c.ctx.can_at(Permission::ManageEvents, e.store_id))
        .map(|e| {
            let at = e.starts_at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
            (e.id, format!("{} · {at}", e.theme))
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/invited.html")]
struct InvitedPage {
    page: Page,
    segment: Segment,
    store: Option<StoreInfo>,
    event_id: i64,
    said: String,
}

/// Invites the segment's members to the event chosen; the page says how many were invited.
pub(super) async fn invite_submit(Path(code): Path<String>, v: Verified<Form>) -> Response {
    let c = v.console;
    let answer = async {
        c.ctx
            .require(Permission::ManageEvents)
            .map_err(AppError::from)?;
        let store_code = field(&v.form, "store");
        let (segment, store) = super::exports::segment_of(
            &c,
            &code,
            Some(store_code.as_str()).filter(|s| !s.trim().is_empty()),
        )
        .await?;
        let chosen = field(&v.form, "event");
        let (event_id, event) = choices(&c)
            .await?
            .into_iter()
            .find(|(id, _)| id.to_string() == chosen.trim())
            .ok_or_else(|| Invalid::one("event", "reports.invalid.event"))?;
        let sq = rfm::segment_query(&c.ctx, segment, store.as_ref().map(|s| s.id)).await?;
        let mut ids = Vec::new();
        loop {
            let after = ids.last().copied().unwrap_or(0);
            let step = store::segment_members(c.ctx.db(), &sq, after, STEP).await?;
            ids.extend(step.iter().map(|m| m.id));
            if (step.len() as i64) < STEP {
                break;
            }
        }
        let done: Invited = events::invite_members(&c.ctx, event_id, &ids).await?;
        let said = Said::new("reports.invite.done")
            .text("event", event)
            .text("asked", done.asked)
            .text("targets", done.targets)
            .text("new", done.new)
            .say(c.lang);
        Ok::<_, AppError>(
            InvitedPage {
                page: Page::console(&c, "reports.invite.title"),
                segment,
                store,
                event_id,
                said,
            }
            .into_response(),
        )
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}
