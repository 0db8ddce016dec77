//! The member portal part of `patron demo` (B10, B11, L1, I1 online): one member who holds a
//! reward slip gets a known portal password, has answered about marketing (SMS yes, e-mail no)
//! and has complained online about the service — acknowledged, routed and answered by the
//! service desk — so `/portal/slips`, `/portal/privacy`, `/portal/complaints` and the data
//! download all have something to show. Runs after the rewards and complaints demos.
//!
//! Everything goes through the use cases: the portal's own (consent, the online complaint) and
//! the complaints area's steps as the demo's manager.

mod store;

use std::fmt::Write as _;

use anyhow::Context;

use crate::areas::complaints::steps::{self, AnswerIn, RouteIn};
use crate::areas::portal::complaints::{self, OnlineComplaint};
use crate::areas::portal::consent;
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};

pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let Some((member_id, card)) = store::member_with_slip(&app.db).await? else {
        let _ = writeln!(
            out,
            "\nMember portal: no member holds a slip; nothing added."
        );
        return Ok(());
    };
    let password = crate::demo::members::portal_account(app, &card).await?;
    let fail = |e: crate::areas::portal::PortalError| anyhow::anyhow!("demo portal: {e}");
    consent::set(app, member_id, "sms", true)
        .await
        .map_err(fail)?;
    consent::set(app, member_id, "email", false)
        .await
        .map_err(fail)?;
    let case = complaints::file(
        app,
        member_id,
        &OnlineComplaint {
            category: "service".into(),
            content: "周六下午在一楼服务台办理积分兑换，排队四十分钟，只有一个窗口开放。".into(),
            wants: "周末多开一个窗口，或者可以线上预约。".into(),
            key: "demo-portal-complaint".into(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo online complaint: {e}"))?;
    let manager = Ctx::new(
        app.clone(),
        Actor::Staff(actor("manager").context("demo user manager")?),
        None,
    );
    let step = |e: crate::areas::complaints::ComplaintError| {
        anyhow::anyhow!("demo online complaint step: {e}")
    };
    steps::acknowledge(&manager, case.id).await.map_err(step)?;
    steps::route(
        &manager,
        case.id,
        &RouteIn {
            department: "service_desk".into(),
        },
    )
    .await
    .map_err(step)?;
    steps::answer(
        &manager,
        case.id,
        &AnswerIn {
            plan: "自下周起周六、周日 13:00–18:00 服务台开放两个窗口；积分兑换可在会员门户预约到店时间。"
                .into(),
        },
    )
    .await
    .map_err(step)?;
    let _ = writeln!(
        out,
        "\nMember portal with a reward slip, marketing answers and an answered online complaint \
         (/portal/slips, /portal/privacy, /portal/complaints): card {card}, password {password}"
    );
    Ok(())
}
