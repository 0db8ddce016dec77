//! The care part of `patron demo` (J1, J2, B9): six platinum members of the Wangfujing store
//! with advisors (the clerk and customer service), their till purchases over the past five
//! weeks so that a week of calls falls due — some done, some overdue, some today — with the
//! messages before them, a schedule restarted by a newer purchase, one member's profile
//! filled in for the top-member file, and a few receptions and desk services.
//!
//! Everything goes through the use cases, on a clock that walks from 36 days ago to now.

use std::sync::Arc;

use anyhow::Context;
use chrono::{Duration, FixedOffset};

use crate::areas::care::receptions::{self, ReceptionIn};
use crate::areas::care::tasks::{self, CompleteIn};
use crate::areas::care::{CareError, advisors, schedule, store};
use crate::areas::points::receipts::{ReceiptIn, ReceiptLineIn, accrue};
use crate::kernel::clock::{Clock, ManualClock};
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};

fn fail(e: CareError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// (days before now, amount in yuan) of each member's purchases, by member.
const PURCHASES: &[&[(i64, i64)]] = &[
    &[(36, 12_800)],
    &[(35, 8_600)],
    &[(33, 26_000), (2, 3_200)],
    &[(32, 5_400)],
    &[(31, 9_900)],
    &[(30, 15_000), (12, 2_600)],
];

/// Adds the demo's care data; `actor` finds a demo account.
pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let now = app.clock.now();
    let start = now - Duration::days(36) - Duration::hours(2);
    let clock = Arc::new(ManualClock::new(start));
    let demo = App {
        clock: clock.clone(),
        ..app.clone()
    };
    let who = |n: &str| actor(n).with_context(|| format!("demo user {n}"));
    let as_ = |s: StaffActor| Ctx::new(demo.clone(), Actor::Staff(s), None);
    let manager = as_(who("manager")?);
    let clerk = as_(who("clerk")?);
    let service = as_(who("service")?);
    let system = Ctx::new(demo.clone(), Actor::System, None);
    let cli = Ctx::new(
        demo.clone(),
        Actor::Cli {
            os_user: "demo".into(),
        },
        None,
    );
    let window = (
        (start - Duration::days(2)).date_naive(),
        now.date_naive() + Duration::days(1),
    );
    let members = store::members_of_tier(&demo.db, "platinum", "WFJ", window, 6).await?;
    for (i, (id, _)) in members.iter().enumerate() {
        let advisor = if i % 2 == 0 { "clerk" } else { "service" };
        advisors::set_advisor(&manager, *id, advisor, "铂金会员建档")
            .await
            .map_err(fail)?;
    }
    // The purchases in time order, the care job running as the clock walks.
    let mut events: Vec<(i64, usize, i64)> = Vec::new();
    for (m, list) in PURCHASES.iter().enumerate().take(members.len()) {
        for (days, yuan) in list.iter() {
            events.push((*days, m, *yuan));
        }
    }
    events.sort_by_key(|e| std::cmp::Reverse(e.0));
    let tz = FixedOffset::east_opt(8 * 3600).context("offset")?;
    for (n, (days, m, yuan)) in events.iter().enumerate() {
        let at = now - Duration::days(*days);
        if at > clock.now() {
            clock.advance(at - clock.now());
        }
        let (_, card) = &members[*m];
        accrue(
            &cli,
            &ReceiptIn {
                store_code: "WFJ".into(),
                till_id: Some("01".into()),
                receipt_no: format!("WFJ-CARE-{:03}", n + 1),
                card_no: card.clone(),
                occurred_at: at.with_timezone(&tz),
                lines: vec![ReceiptLineIn {
                    line_no: 1,
                    sku: "VIP-001".into(),
                    amount_fen: yuan * 100,
                    promotional: false,
                }],
            },
            "till",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        clock.advance(Duration::minutes(5));
        schedule::run(&system).await.map_err(fail)?;
    }
    // Four days ago the advisors made the calls that were due then; today's and the overdue
    // ones wait.
    let four_days_ago = now - Duration::days(4);
    if four_days_ago > clock.now() {
        clock.advance(four_days_ago - clock.now());
    }
    schedule::run(&system).await.map_err(fail)?;
    let mut done = 0;
    for (ctx, outcome, remarks) in [
        (&clerk, "reached", "告知秋冬新款到店，顾客周末来看"),
        (&service, "not_reached", "电话无人接听，改日再打"),
    ] {
        for t in tasks::mine(ctx).await.map_err(fail)?.into_iter().take(1) {
            tasks::complete(
                ctx,
                t.id,
                &CompleteIn {
                    outcome: outcome.into(),
                    remarks: remarks.into(),
                },
            )
            .await
            .map_err(fail)?;
            done += 1;
        }
    }
    clock.advance(now - clock.now().min(now));
    schedule::run(&system).await.map_err(fail)?;
    receptions_of(&clerk, &service, &members).await?;
    if let Some((first, _)) = members.first() {
        let fields: std::collections::BTreeMap<String, String> = [
            ("size", "上衣 M / 鞋 37"),
            ("personality", "爽朗，重视细节"),
            ("hobbies", "高尔夫、茶艺"),
            ("favourite_brands", "羊绒、真丝类品牌"),
            ("clothing_style", "简约通勤"),
            ("body_type", "偏瘦"),
            ("spending_status", "每季换新，偏好大衣与配饰"),
            ("companions", "常与母亲同来"),
            ("advisor_suggestions", "新款到店先电话预约试穿"),
            ("care_dates", "生日、母亲生日前两周"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        crate::areas::members::save_profile(&manager, *first, &fields, "")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let open = tasks::everyone(&manager, None, false)
        .await
        .map_err(fail)?
        .len();
    out.push_str(&format!(
        "\nMember care (/care): {} platinum members with advisors, {open} calls waiting, {done} done; receptions at /care/receptions.\n",
        members.len()
    ));
    Ok(())
}

/// A few receptions and desk services, two of them for the demo's top members.
async fn receptions_of(
    clerk: &Ctx,
    service: &Ctx,
    members: &[(i64, String)],
) -> anyhow::Result<()> {
    let card = |i: usize| members.get(i).map(|m| m.1.clone()).unwrap_or_default();
    let entries = [
        (
            clerk,
            "reception",
            card(0),
            "",
            "为母亲挑选生日礼物（羊绒披肩）",
            "陪同至三层精品区试选，安排礼品包装",
            "所选颜色缺货，已从西单店调货",
            "丝巾一条",
            "调货到店后电话通知",
        ),
        (
            service,
            "needs",
            card(2),
            "",
            "希望新款到店时优先通知",
            "已登记需求，加入新品通知名单",
            "",
            "",
            "新品到店当天短信通知",
        ),
        (
            service,
            "tickets",
            String::new(),
            "刘女士",
            "代订周六北京至上海高铁票两张",
            "已代订并告知取票方式",
            "",
            "",
            "",
        ),
        (
            clerk,
            "groupbuy",
            String::new(),
            "宏达科技 王经理",
            "咨询中秋员工福利团购",
            "介绍团购券面值与返利，转团购组跟进",
            "",
            "",
            "团购组三日内回电",
        ),
        (
            service,
            "invoice",
            card(1),
            "",
            "开具上周消费发票",
            "开具增值税普通发票",
            "",
            "",
            "",
        ),
    ];
    for (ctx, kind, card_no, visitor, needs, service_given, problems, gift, follow_up) in entries {
        if kind != "tickets" && kind != "groupbuy" && card_no.is_empty() {
            continue;
        }
        receptions::record(
            ctx,
            &ReceptionIn {
                kind: kind.into(),
                card_no,
                visitor: visitor.into(),
                needs: needs.into(),
                service: service_given.into(),
                problems: problems.into(),
                gift: gift.into(),
                follow_up: follow_up.into(),
                ..ReceptionIn::default()
            },
        )
        .await
        .map_err(fail)?;
    }
    Ok(())
}
