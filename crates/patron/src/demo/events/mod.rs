//! The member-events part of `patron demo` (SPEC H): at the Wangfujing store, a themed
//! experience six weeks ago (approved, signed up, checked in with event points, closed with its
//! analysis archived — the demo members' receipts give the spending before and after), an
//! approved member-only sale in two weeks with invitations queued and sign-ups taken, and a
//! birthday party waiting for approval.
//!
//! Everything goes through the use cases, on a clock that walks from nine weeks ago to now.

mod store;

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use chrono::{DateTime, Duration, Utc};
use patron_core::approvals::Decision;

use crate::areas::events::{self, EventIn, TierIn};
use crate::kernel::clock::ManualClock;
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};

fn err(what: &str) -> impl Fn(events::EventsError) -> anyhow::Error + '_ {
    move |e| anyhow!("demo events, {what}: {e}")
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:00")
        .to_string()
}

#[allow(clippy::too_many_arguments)]
fn plan(
    theme: &str,
    kind: &str,
    starts: DateTime<Utc>,
    hours: i64,
    place: &str,
    content: &str,
    capacity: i64,
    budget: &str,
    points: i64,
    opens: DateTime<Utc>,
    tiers: &[(&str, i64)],
) -> EventIn {
    EventIn {
        store_code: "WFJ".into(),
        theme: theme.into(),
        kind: kind.into(),
        starts_at: local(starts),
        ends_at: local(starts + Duration::hours(hours)),
        place: place.into(),
        content: content.into(),
        capacity: capacity.to_string(),
        budget: budget.into(),
        points: points.to_string(),
        analysis_weeks: "4".into(),
        signup_opens: local(opens),
        tiers: tiers
            .iter()
            .map(|(c, d)| TierIn {
                code: (*c).into(),
                offset_days: d.to_string(),
            })
            .collect(),
        ..Default::default()
    }
}

/// The demo's walking clock and the two people who plan and approve.
struct Desk {
    clock: Arc<ManualClock>,
    demo: App,
    clerk: Ctx,
    boss: Ctx,
}

impl Desk {
    /// Moves the demo clock forward to `to` (never back).
    fn walk(&self, to: DateTime<Utc>) {
        let at = self.demo.clock.now();
        if to > at {
            self.clock.advance(to - at);
        }
    }

    /// Submits a plan and has the manager approve it (an event plan is decided by a manager).
    async fn approve(&self, id: i64, what: &str) -> anyhow::Result<()> {
        let approval = events::submit(&self.clerk, id)
            .await
            .map_err(|e| anyhow!("demo events, {what} submit: {e}"))?;
        events::decide(&self.boss, approval, Decision::Approve)
            .await
            .map_err(|e| anyhow!("demo events, {what} approval: {e}"))?;
        Ok(())
    }
}

/// (member id, card number, tier) of members with a live card.
type Members = [(i64, String, String)];

/// Adds the demo's events; `actor` finds a demo account by user name.
pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let now = app.clock.now();
    let clock = Arc::new(ManualClock::new(now - Duration::weeks(9)));
    let demo = App {
        clock: clock.clone(),
        ..app.clone()
    };
    let who = |n: &str| actor(n).with_context(|| format!("demo user {n}"));
    let as_ = |s: StaffActor| Ctx::new(demo.clone(), Actor::Staff(s), None);
    let desk = Desk {
        clerk: as_(who("clerk")?),
        boss: as_(who("manager")?),
        clock,
        demo: demo.clone(),
    };
    let members = store::members_with_cards(&app.db).await?;
    let (past, came, analysis) = past_event(&desk, now, &members).await?;
    let (upcoming, invited, taken) = upcoming_event(&desk, now, &members).await?;
    let pending = pending_event(&desk, now).await?;
    let _ = writeln!(
        out,
        "\nMember events (/events): EV{past} closed ({} signed up, {came} came, {} points, \
         cost per attendee ¥{}); EV{upcoming} approved ({invited} invitations queued, {taken} \
         signed up); EV{pending} waiting for approval",
        analysis.signups,
        analysis.points_awarded,
        patron_core::Fen(analysis.cost_per_attendee_fen.unwrap_or(0)).plain(),
    );
    Ok(())
}

/// The target tiers of the past event and the birthday party, with their delays in days.
const ALL: [(&str, i64); 4] = [("platinum", 0), ("gold", 0), ("silver", 1), ("normal", 2)];

/// The first event: a themed experience six weeks ago, closed with its analysis. Returns (id,
/// attendees, analysis).
async fn past_event(
    desk: &Desk,
    now: DateTime<Utc>,
    members: &Members,
) -> anyhow::Result<(i64, i64, events::Analysis)> {
    let clerk = &desk.clerk;
    let start = now - Duration::weeks(6);
    let past = events::create(
        clerk,
        &plan(
            "秋冬护肤主题体验沙龙",
            "experience",
            start,
            3,
            "五楼会员之家",
            "品牌护肤顾问一对一肌肤测试，现场体验新品，到场赠送活动积分。",
            20,
            "6000",
            200,
            now - Duration::weeks(8),
            &ALL,
        ),
    )
    .await
    .map_err(err("past plan"))?;
    desk.approve(past, "past").await?;
    desk.walk(now - Duration::weeks(8) + Duration::days(3));
    let mut signed = Vec::new();
    for (id, card, _) in members.iter().take(40) {
        if signed.len() >= 16 {
            break;
        }
        if events::signup_card(clerk, past, card).await.is_ok() {
            signed.push((*id, card.clone()));
        }
    }
    desk.walk(start + Duration::minutes(20));
    let mut came = 0;
    for (_, card) in signed.iter().take(signed.len() * 3 / 4) {
        if events::checkin(clerk, past, card).await.is_ok() {
            came += 1;
        }
    }
    desk.walk(now - Duration::days(10));
    let analysis = events::close(clerk, past, "5280.00")
        .await
        .map_err(err("past close"))?;
    Ok((past, came, analysis))
}

/// The second event: a member-only sale in two weeks, approved, invitations queued, sign-ups
/// taken. Returns (id, invitations, sign-ups).
async fn upcoming_event(
    desk: &Desk,
    now: DateTime<Utc>,
    members: &Members,
) -> anyhow::Result<(i64, u64, i64)> {
    let clerk = &desk.clerk;
    desk.walk(now - Duration::days(3));
    let start = now + Duration::weeks(2);
    let upcoming = events::create(
        clerk,
        &plan(
            "金卡白金卡会员专场夜",
            "member_sale",
            start,
            4,
            "一至六楼全场",
            "闭店后会员专场，全场会员专享折扣，金卡白金卡优先报名，银卡次日开放。",
            60,
            "12000",
            100,
            now - Duration::days(2),
            &[("platinum", 0), ("gold", 0), ("silver", 1)],
        ),
    )
    .await
    .map_err(err("upcoming plan"))?;
    desk.approve(upcoming, "upcoming").await?;
    let invited = events::invite(clerk, upcoming)
        .await
        .map_err(err("invitations"))?;
    desk.walk(now - Duration::hours(2));
    let mut taken = 0;
    for (_, card, tier) in members {
        if taken >= 12 {
            break;
        }
        if ["platinum", "gold", "silver"].contains(&tier.as_str())
            && events::signup_card(clerk, upcoming, card).await.is_ok()
        {
            taken += 1;
        }
    }
    Ok((upcoming, invited, taken))
}

/// The third event: a birthday party waiting for approval: its id.
async fn pending_event(desk: &Desk, now: DateTime<Utc>) -> anyhow::Result<i64> {
    let clerk = &desk.clerk;
    let start = now + Duration::weeks(5);
    let pending = events::create(
        clerk,
        &plan(
            "会员生日会",
            "birthday",
            start,
            2,
            "七楼多功能厅",
            "当月生日会员生日会：蛋糕、合影与生日礼。",
            40,
            "4000",
            100,
            now + Duration::weeks(2),
            &ALL,
        ),
    )
    .await
    .map_err(err("pending plan"))?;
    events::submit(clerk, pending)
        .await
        .map_err(err("pending submit"))?;
    Ok(pending)
}
