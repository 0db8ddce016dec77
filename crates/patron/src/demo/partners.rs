//! The demo's partners: six partner merchants across the pipeline, two active with member
//! benefits (one of them ending within the reminder period, so the reminder job queues its
//! message), callbacks, and one due.

use std::fmt::Write;

use anyhow::Context as _;
use chrono::NaiveDate;

use crate::areas::partners::{self, CallbackIn, ContractIn, DocumentIn, PartnerIn, StageIn};
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};

/// Adds the demo's partners; `actor` finds a demo account by user name.
pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let who = actor("marketing")
        .or_else(|| actor("manager"))
        .context("no demo marketing account")?;
    let ctx = Ctx::new(app.clone(), Actor::Staff(who), None);
    let today = ctx.today();
    let plan: [(&str, &str, &str, &str); 6] = [
        ("金鼎轩酒楼", "catering", "active", "13901234567"),
        ("鸿运大酒店", "hotel", "active", "010-65881234"),
        ("康辉旅行社", "travel", "agreed", "13801112222"),
        ("爱车汽车美容", "auto", "negotiating", ""),
        ("华联影城", "leisure", "contacted", "13602223333"),
        ("同仁堂药店", "health", "screened", ""),
    ];
    for (i, (name, category, goal, phone)) in plan.iter().enumerate() {
        let d = Days { today };
        let id = partners::create_partner(
            &ctx,
            &PartnerIn {
                name: (*name).into(),
                category: (*category).into(),
                address: format!("北京市东城区王府井大街 {} 号", 100 + i * 12),
                contact_person: "刘经理".into(),
                contact_phone: (*phone).into(),
                department: "会员部".into(),
                on_date: d.ago(120),
                note: "商圈内口碑好、会员常去".into(),
                ..Default::default()
            },
        )
        .await
        .with_context(|| format!("partner {name}"))?;
        walk_to(&ctx, d, i, id, name, goal).await?;
        if *goal == "active" {
            callback(&ctx, d, i, id).await?;
        }
    }
    let report = crate::app::jobs::run(app, "partner-contract-reminders", today, None)
        .await
        .context("partner reminders")?;
    let _ = writeln!(
        out,
        "\nPartners: 6 (2 active with member benefits, 1 contract ending in 20 days: {} reminder queued); /partners, /portal/partners",
        report.processed
    );
    Ok(())
}

/// Dates counted back from today, as typed into the forms.
#[derive(Clone, Copy)]
struct Days {
    today: NaiveDate,
}

impl Days {
    fn ago(self, days: i64) -> String {
        (self.today - chrono::Duration::days(days)).to_string()
    }
}

/// Moves the `i`-th demo partner along the pipeline up to `goal`, with its contract and
/// document at signing.
async fn walk_to(
    ctx: &Ctx,
    d: Days,
    i: usize,
    id: i64,
    name: &str,
    goal: &str,
) -> anyhow::Result<()> {
    let steps = ["contacted", "negotiating", "agreed", "signed", "active"];
    let notes = [
        "电话联系，对方有意向",
        "上门洽谈折扣与结算",
        "达成合作意向",
        "签订合作合同",
        "开始合作",
    ];
    for (n, step) in steps.iter().enumerate() {
        let reached = steps
            .iter()
            .position(|s| *s == goal)
            .is_some_and(|g| n <= g);
        if !reached {
            break;
        }
        if *step == "signed" {
            contract(ctx, d, i, id).await?;
        }
        let on = match *step {
            "active" => d.ago(60),
            "signed" => d.ago(65),
            _ => d.ago(110 - 10 * n as i64),
        };
        partners::change_stage(
            ctx,
            id,
            &StageIn {
                to: (*step).into(),
                from: String::new(),
                on_date: on,
                note: notes[n].into(),
            },
        )
        .await
        .with_context(|| format!("{name} to {step}"))?;
    }
    Ok(())
}

/// The contract of the `i`-th demo partner (the restaurant, or the hotel whose contract ends
/// within the reminder period) and its filed original.
async fn contract(ctx: &Ctx, d: Days, i: usize, id: i64) -> anyhow::Result<()> {
    let ends = if i == 1 {
        d.today + chrono::Duration::days(20)
    } else {
        d.today + chrono::Duration::days(300)
    };
    partners::add_contract(
        ctx,
        id,
        &ContractIn {
            contract_no: format!("TY-2026-{:03}", i + 1),
            starts_on: d.ago(60),
            ends_on: ends.to_string(),
            benefit_zh: if i == 0 {
                "凭会员卡用餐九折（酒水除外）".into()
            } else {
                "凭会员卡住宿八五折，含双早".into()
            },
            benefit_en: if i == 0 {
                "10% off meals with the member card (drinks excluded)".into()
            } else {
                "15% off rooms with breakfast for two".into()
            },
            discount_permille: if i == 0 { "900".into() } else { "850".into() },
            settlement_terms: "商户直接让利，每月对账一次".into(),
            stores: String::new(),
            remind_days: "30".into(),
        },
    )
    .await?;
    partners::add_document(
        ctx,
        id,
        &DocumentIn {
            doc_no: format!("DA-{:03}", i + 1),
            title: "特约合作合同正本".into(),
            kept_at: "会员部档案柜 A-3".into(),
            contract_no: format!("TY-2026-{:03}", i + 1),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// A callback of an active demo partner: the restaurant is due again already, the hotel in a
/// month.
async fn callback(ctx: &Ctx, d: Days, i: usize, id: i64) -> anyhow::Result<()> {
    partners::log_callback(
        ctx,
        id,
        &CallbackIn {
            on_date: d.ago(30),
            way: if i == 0 {
                "visit".into()
            } else {
                "phone".into()
            },
            content: "了解会员使用优惠的情况".into(),
            issues: if i == 0 {
                "会员反映周末不能使用".into()
            } else {
                String::new()
            },
            follow_up: if i == 0 {
                "与商户协商周末适用".into()
            } else {
                String::new()
            },
            next_due_on: if i == 0 {
                d.ago(2)
            } else {
                (d.today + chrono::Duration::days(30)).to_string()
            },
        },
    )
    .await?;
    Ok(())
}
