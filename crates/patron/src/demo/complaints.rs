//! The complaints part of `patron demo` (I1–I5): two weeks at the Wangfujing service desk. Cases
//! at every stage — one just received, one acknowledged, one routed whose department is late (a
//! breach), one answered, one resolved waiting for its callback, a major one not yet reported to
//! the head (a breach), one left unresolved for thirteen days (made major by the job) — and
//! closed ones with their callbacks, one reopened after an unsatisfied callback, one marked as a
//! typical case. The clock job runs at the end, so the board shows the breaches.
//!
//! Everything goes through the use cases, on a clock that walks from two weeks ago to now.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};

use crate::areas::complaints::steps::{self, AnswerIn, CallbackIn, ResolveIn, RouteIn, TypicalIn};
use crate::areas::complaints::{self, Intake, store};
use crate::kernel::clock::{Clock, ManualClock};
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};

struct Desk {
    service: Ctx,
    clerk: Ctx,
    manager: Ctx,
    clock: Arc<ManualClock>,
}

impl Desk {
    fn walk(&self, to: DateTime<Utc>) {
        let now = self.clock.now();
        if to > now {
            self.clock.advance(to - now);
        }
    }

    fn mins(&self, m: i64) {
        self.clock.advance(Duration::minutes(m));
    }

    #[allow(clippy::too_many_arguments)]
    async fn take(
        &self,
        channel: &str,
        who: &str,
        card: Option<&str>,
        category: &str,
        content: &str,
        wants: &str,
        serious: bool,
    ) -> anyhow::Result<i64> {
        let c = complaints::take(
            &self.service,
            &Intake {
                channel: channel.into(),
                complainant: who.into(),
                content: content.into(),
                category: category.into(),
                wants: wants.into(),
                card_no: card.unwrap_or_default().into(),
                store: "WFJ".into(),
                serious,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("taking a demo complaint: {e}"))?;
        Ok(c.id)
    }

    async fn to_department(&self, id: i64, dept: &str, after: i64) -> anyhow::Result<()> {
        self.mins(2);
        steps::acknowledge(&self.service, id).await.map_err(err)?;
        self.mins(after);
        steps::route(
            &self.service,
            id,
            &RouteIn {
                department: dept.into(),
            },
        )
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn answered(&self, id: i64, plan: &str, after: i64) -> anyhow::Result<()> {
        self.mins(after);
        steps::answer(&self.clerk, id, &AnswerIn { plan: plan.into() })
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn resolved(&self, id: i64, result: &str, after: i64) -> anyhow::Result<()> {
        self.mins(after);
        steps::resolve(
            &self.clerk,
            id,
            &ResolveIn {
                result: result.into(),
            },
        )
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn called_back(
        &self,
        id: i64,
        satisfied: bool,
        remarks: &str,
        after: i64,
    ) -> anyhow::Result<()> {
        self.mins(after);
        let input = CallbackIn {
            satisfied: Some(satisfied),
            remarks: remarks.into(),
        };
        steps::callback(&self.service, id, &input)
            .await
            .map_err(err)?;
        Ok(())
    }
}

fn err(e: complaints::ComplaintError) -> anyhow::Error {
    anyhow::anyhow!("demo complaint step: {e}")
}

#[allow(clippy::too_many_lines)] // a demo or bench script: one scene, read top to bottom
pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let now = app.clock.now();
    let clock = Arc::new(ManualClock::new(now - Duration::days(14)));
    let demo = App {
        clock: clock.clone(),
        ..app.clone()
    };
    let who = |n: &str| actor(n).with_context(|| format!("demo user {n}"));
    let as_ = |s: StaffActor| Ctx::new(demo.clone(), Actor::Staff(s), None);
    let d = Desk {
        service: as_(who("service")?),
        clerk: as_(who("clerk")?),
        manager: as_(who("manager")?),
        clock: clock.clone(),
    };
    let member = store::some_card(&app.db, false).await?;
    let top = store::some_card(&app.db, true).await?;

    // Two weeks ago: a quality complaint handled on time, closed, and kept as a typical case.
    let typical = d
        .take(
            "hotline",
            "刘女士",
            member.as_deref(),
            "product_quality",
            "新买的电饭煲第二天就不加热，内胆有裂纹。",
            "换新并检测",
            false,
        )
        .await?;
    d.to_department(typical, "quality", 10).await?;
    d.answered(typical, "今日上门取件检测；确认质量问题后当场换新。", 45)
        .await?;
    d.resolved(
        typical,
        "检测确认内胆裂纹为出厂缺陷，已为顾客换新并赠送购物券 50 元致歉。",
        50,
    )
    .await?;
    d.called_back(typical, true, "顾客对换新及时表示满意。", 60 * 20)
        .await?;
    steps::mark_typical(
        &d.manager,
        typical,
        &TypicalIn {
            typical: true,
            note: "质量投诉 2 小时内出鉴定结果并换新：及时检测、当场换新、致歉补偿。".into(),
        },
    )
    .await
    .map_err(err)?;

    // Thirteen days ago: an "other" complaint left unresolved (the job makes it major).
    d.walk(now - Duration::days(13));
    let overdue = d
        .take(
            "email",
            "周女士",
            None,
            "other",
            "停车场出口收费与公告不符，多收 10 元。",
            "退还多收费用",
            false,
        )
        .await?;
    d.to_department(overdue, "logistics", 20).await?;

    // A service complaint: the customer was not satisfied the first time; reopened, then closed.
    d.walk(now - Duration::days(12));
    let reopened = d
        .take(
            "in_store",
            "陈先生",
            None,
            "service",
            "收银员态度生硬，找零时把钱扔在柜台上。",
            "要求道歉",
            false,
        )
        .await?;
    d.to_department(reopened, "sales_floor", 15).await?;
    d.answered(reopened, "约谈当班收银员，由营业部主管电话致歉。", 40)
        .await?;
    d.resolved(reopened, "营业部主管已电话致歉。", 120).await?;
    d.called_back(reopened, false, "顾客希望当事收银员本人道歉。", 60 * 22)
        .await?;
    d.answered(reopened, "安排当事收银员当面致歉，并纳入本月服务培训。", 50)
        .await?;
    d.resolved(reopened, "当事收银员已当面致歉，顾客接受。", 60 * 3)
        .await?;
    d.called_back(reopened, true, "顾客满意。", 60 * 20).await?;

    // Yesterday: resolved, waiting for its callback.
    d.walk(now - Duration::hours(20));
    let waiting = d
        .take(
            "online",
            "吴先生",
            None,
            "service",
            "网上预约的会员活动名额被取消，未收到通知。",
            "恢复名额",
            false,
        )
        .await?;
    d.to_department(waiting, "member_centre", 12).await?;
    d.answered(waiting, "核实后恢复名额并短信告知。", 30)
        .await?;
    d.resolved(waiting, "名额已恢复，已短信告知顾客。", 40)
        .await?;

    // This morning: routed to purchasing, whose answer is late; and one answered.
    d.walk(now - Duration::hours(5));
    let late = d
        .take(
            "hotline",
            "郑女士",
            top.as_deref(),
            "product_quality",
            "羊绒大衣洗涤一次后严重缩水。",
            "退货",
            false,
        )
        .await?;
    d.to_department(late, "purchasing", 8).await?;
    d.walk(now - Duration::hours(3));
    let answered = d
        .take(
            "hotline",
            "孙先生",
            None,
            "service",
            "导购承诺的赠品在收银台领不到。",
            "补领赠品",
            false,
        )
        .await?;
    d.to_department(answered, "sales_floor", 10).await?;
    d.answered(answered, "核实导购承诺属实，今日补发赠品。", 35)
        .await?;

    // The last hour: a major complaint not yet reported, one acknowledged, one just received.
    d.walk(now - Duration::minutes(50));
    let major = d
        .take(
            "in_store",
            "何女士",
            None,
            "service",
            "自动扶梯急停导致摔倒，膝盖擦伤。",
            "赔偿医药费",
            true,
        )
        .await?;
    d.to_department(major, "service_desk", 5).await?;
    d.walk(now - Duration::minutes(20));
    let acked = d
        .take(
            "hotline",
            "马先生",
            None,
            "other",
            "商场广播音量过大。",
            "调低音量",
            false,
        )
        .await?;
    d.mins(3);
    steps::acknowledge(&d.service, acked).await.map_err(err)?;
    d.walk(now - Duration::minutes(2));
    d.take(
        "email",
        "林女士",
        member.as_deref(),
        "product_quality",
        "购买的保温杯漏水。",
        "退换",
        false,
    )
    .await?;

    d.walk(now);
    let report = crate::app::jobs::run(&demo, "complaints-clocks", d.manager.today(), None)
        .await
        .map_err(|e| anyhow::anyhow!("complaint clocks: {e}"))?;
    let _ = writeln!(
        out,
        "\nComplaints (/complaints, WFJ): 10 cases; breaches recorded by the clock job: {}; \
         case {overdue} made major after 10 days; case {typical} in the case library \
         (/complaints/library); analysis at /complaints/analysis.",
        report.processed
    );
    Ok(())
}
