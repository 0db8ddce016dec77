//! The customers part of `patron demo` (F1–F4, issue 14): a real year at the Wangfujing desk and
//! at head office. Fourteen customers of every kind and grade, among them the five organisations
//! the demo group-buy sells to (their purchases show once `customers-link-sales` has run);
//! callbacks from August to now, four of them overdue today; one escalated problem answered and
//! one still open; the 2026 Mid-Autumn campaign built on 3 September with part of its calls
//! logged and the 2027 New Year campaign built today; one customer reassigned by the manager,
//! one returned to the shared pool by the pool job and one claimed back from it.
//!
//! Everything goes through the use cases, on a clock that walks from 3 August 2026 to now.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use patron_core::calendar::FestivalCode;

use crate::areas::customers::callbacks::{CallbackIn, campaigns, escalations, log_callback};
use crate::areas::customers::files::owners::{self, ReassignIn};
use crate::areas::customers::files::record::ContactIn;
use crate::areas::customers::visits::requests::{self, VisitIn};
use crate::areas::customers::visits::{outreach, research};
use crate::areas::customers::{self, CustomerIn};
use crate::areas::plans::{self as papers, targets};
use crate::kernel::clock::ManualClock;
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};
use patron_core::approvals::Decision;

/// Who owns a demo customer first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    Clerk,
    Marketing,
}

/// (name, kind, grade, contact, title, phone, first owner)
type Seed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Owner,
);

/// The customers besides the group-buy's organisations.
const OTHERS: &[Seed] = &[
    (
        "王府井街道办事处",
        "government",
        "B",
        "赵主任",
        "办公室主任",
        "010-65252101",
        Owner::Clerk,
    ),
    (
        "北京协和医院工会",
        "collective",
        "A",
        "周主席",
        "工会主席",
        "13910012288",
        Owner::Clerk,
    ),
    (
        "李秀英",
        "individual",
        "C",
        "李秀英",
        "",
        "13701155667",
        Owner::Clerk,
    ),
    (
        "国家电网北京电力公司工会",
        "enterprise",
        "A",
        "吴部长",
        "工会部长",
        "010-63129900",
        Owner::Marketing,
    ),
    (
        "北京市东城区人民政府办公室",
        "government",
        "A",
        "郑科长",
        "行政科科长",
        "010-64012345",
        Owner::Marketing,
    ),
    (
        "中国银行北京分行工会",
        "collective",
        "B",
        "冯女士",
        "工会干事",
        "13601188990",
        Owner::Marketing,
    ),
    (
        "陈建国",
        "individual",
        "C",
        "陈建国",
        "",
        "13501234321",
        Owner::Marketing,
    ),
];

/// Recorded in November and never called: both go back to the pool; the second is claimed.
const LATE: &[Seed] = &[
    (
        "东方广场物业管理有限公司",
        "enterprise",
        "C",
        "孙经理",
        "行政经理",
        "010-85186688",
        Owner::Clerk,
    ),
    (
        "北京新华书店有限公司",
        "enterprise",
        "B",
        "何主任",
        "办公室主任",
        "010-65132842",
        Owner::Marketing,
    ),
];

/// The group-buy organisations' kinds and grades (in the order of `groupbuy::ORGS`).
const ORG_KINDS: [(&str, &str); 5] = [
    ("enterprise", "A"),
    ("collective", "A"),
    ("enterprise", "A"),
    ("government", "B"),
    ("enterprise", "B"),
];

/// Customers not called after mid-November: overdue today (names).
const OVERDUE: [&str; 4] = [
    "首都医科大学后勤处",
    "李秀英",
    "中国银行北京分行工会",
    "陈建国",
];

/// A time on a local (Beijing) day.
fn at(day: &str, hour: u32) -> anyhow::Result<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").with_context(|| format!("day {day}"))?;
    let t = d
        .and_hms_opt(hour, 0, 0)
        .with_context(|| format!("hour {hour}"))?;
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&t)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .with_context(|| format!("local time {day} {hour}:00"))
}

fn e<E: std::fmt::Debug>(what: &str) -> impl Fn(E) -> anyhow::Error + '_ {
    move |err| anyhow!("demo customers, {what}: {err:?}")
}

/// One demo customer as it stands.
struct Cust {
    id: i64,
    name: &'static str,
    owner: Owner,
    pooled: bool,
}

struct Desk {
    clock: Arc<ManualClock>,
    demo: App,
    clerk: Ctx,
    marketing: Ctx,
    manager: Ctx,
}

impl Desk {
    fn walk(&self, to: DateTime<Utc>) {
        let now = self.demo.clock.now();
        if to > now {
            self.clock.advance(to - now);
        }
    }

    fn of(&self, o: Owner) -> &Ctx {
        match o {
            Owner::Clerk => &self.clerk,
            Owner::Marketing => &self.marketing,
        }
    }

    async fn record(&self, s: &Seed, when: DateTime<Utc>) -> anyhow::Result<Cust> {
        let (name, kind, grade, contact, title, phone, owner) = *s;
        self.walk(when);
        let input = CustomerIn {
            name: name.into(),
            kind: kind.into(),
            grade: grade.into(),
            address: "北京市东城区".into(),
            store_code: if owner == Owner::Clerk { "WFJ" } else { "HQ" }.into(),
            contacts: vec![ContactIn {
                name: contact.into(),
                title: title.into(),
                phone: phone.into(),
            }],
            ..Default::default()
        };
        let r = customers::record(self.of(owner), &input)
            .await
            .map_err(e(name))?;
        Ok(Cust {
            id: r.id,
            name,
            owner,
            pooled: false,
        })
    }

    async fn call(&self, c: &Cust, when: DateTime<Utc>, input: CallbackIn) -> anyhow::Result<i64> {
        self.walk(when);
        let logged = log_callback(self.of(c.owner), c.id, &input)
            .await
            .map_err(e(c.name))?;
        Ok(logged.escalation.map(|x| x.id).unwrap_or(0))
    }
}

fn plain(way: &str, summary: &str, outcome: &str, next: &str) -> CallbackIn {
    CallbackIn {
        way: way.into(),
        summary: summary.into(),
        outcome: outcome.into(),
        next_step: next.into(),
        ..Default::default()
    }
}

/// The regular rounds of calls: (day, way, summary, outcome, next step).
const ROUNDS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "2026-08-05",
        "visit",
        "上门拜访，介绍本店团购与购物卡业务",
        "对方有意了解节日福利方案",
        "八月中旬电话跟进",
    ),
    (
        "2026-08-19",
        "phone",
        "电话询问中秋职工福利安排",
        "预算尚未定，九月初开会决定",
        "九月初再联系",
    ),
    (
        "2026-09-02",
        "phone",
        "询问福利预算是否确定",
        "预算已报领导审批",
        "中秋前两周电话确认",
    ),
    (
        "2026-09-29",
        "phone",
        "中秋节后回访，了解购物卡使用情况",
        "员工反映良好",
        "国庆后继续联系",
    ),
    (
        "2026-10-14",
        "mail",
        "寄送年终福利商品目录",
        "已收到目录",
        "月底电话跟进",
    ),
    (
        "2026-10-28",
        "phone",
        "询问年终福利采购计划",
        "计划十二月确定",
        "十一月中旬再联系",
    ),
    (
        "2026-11-11",
        "visit",
        "上门拜访，送年终福利方案",
        "对方将方案报领导",
        "月底前答复",
    ),
    (
        "2026-11-26",
        "phone",
        "询问年终福利方案审批进度",
        "方案已批，元旦前采购",
        "十二月中旬确定数量",
    ),
];

/// Adds the demo's customers, callbacks and campaigns; `actor` finds a demo account.
#[allow(clippy::too_many_lines)]
pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let now = app.clock.now();
    let start = at("2026-08-03", 9)?.min(now - Duration::days(120));
    let clock = Arc::new(ManualClock::new(start));
    let demo = App {
        clock: clock.clone(),
        ..app.clone()
    };
    let who = |n: &str| actor(n).with_context(|| format!("demo user {n}"));
    let as_ = |s: StaffActor| Ctx::new(demo.clone(), Actor::Staff(s), None);
    let desk = Desk {
        clerk: as_(who("clerk")?),
        marketing: as_(who("marketing")?),
        manager: as_(who("manager")?),
        clock,
        demo: demo.clone(),
    };

    // August: the customers are recorded.
    let mut all: Vec<Cust> = Vec::new();
    for (i, (name, contact, phone)) in crate::demo::groupbuy::ORGS.iter().enumerate() {
        let (kind, grade) = ORG_KINDS[i % ORG_KINDS.len()];
        let seed: Seed = (name, kind, grade, contact, "联系人", phone, Owner::Clerk);
        all.push(desk.record(&seed, at("2026-08-03", 10)?).await?);
    }
    for s in OTHERS {
        all.push(desk.record(s, at("2026-08-04", 10)?).await?);
    }

    // Regular calls; the Mid-Autumn campaign between them; a reassignment in October.
    let mut escalated = 0;
    let mut mid_autumn = 0;
    let mut reached = 0;
    for (round, (day, way, summary, outcome, next)) in ROUNDS.iter().enumerate() {
        if *day == "2026-09-29" {
            // The purchases of the group-buy's buyers are linked to their organisations.
            desk.walk(at("2026-09-03", 8)?);
            crate::app::jobs::run(&demo, "customers-link-sales", desk.manager.today(), None)
                .await
                .map_err(e("link sales"))?;
            desk.walk(at("2026-09-03", 9)?);
            let built = campaigns::build(&desk.manager, FestivalCode::MidAutumn, 2026)
                .await
                .map_err(e("Mid-Autumn campaign"))?;
            mid_autumn = built.campaign_id;
            // Calls start fifteen days before the festival; about half are made.
            for (i, c) in all.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
                let intends = i % 4 == 0;
                let input = CallbackIn {
                    reached: true,
                    intends,
                    expected_fen: if intends {
                        2_000_000 + 500_000 * i as i64
                    } else {
                        0
                    },
                    ..plain(
                        "phone",
                        "中秋节前电话问候，询问节日福利采购",
                        if intends {
                            "节前采购购物卡和月饼礼盒"
                        } else {
                            "今年福利已在别处采购"
                        },
                        "节后回访",
                    )
                };
                desk.call(
                    c,
                    at("2026-09-14", 10)? + Duration::minutes(10 * i as i64),
                    input,
                )
                .await?;
                reached += 1;
            }
            // An escalated problem, answered by the manager two days later.
            if let Some(c) = all.iter().find(|c| c.name == "北京协和医院工会") {
                let input = CallbackIn {
                    escalate: true,
                    problem: "对方要求购物卡发票按部门分开开具，本店需确认能否办理".into(),
                    ..plain(
                        "phone",
                        "确认中秋购物卡开票要求",
                        "开票要求当天无法答复",
                        "等经理答复",
                    )
                };
                escalated = desk.call(c, at("2026-09-15", 15)?, input).await?;
                if escalated > 0 {
                    desk.walk(at("2026-09-17", 10)?);
                    escalations::answer(
                        &desk.manager,
                        escalated,
                        "可以按部门分开开具，请财务部按清单办理",
                    )
                    .await
                    .map_err(e("answer"))?;
                }
            }
        }
        if *day == "2026-10-28"
            && let Some(c) = all.iter_mut().find(|c| c.name == "中信建设集团办公室")
        {
            desk.walk(at("2026-10-20", 11)?);
            owners::reassign(
                &desk.manager,
                c.id,
                &ReassignIn {
                    to: "marketing".into(),
                    note: "该客户总部迁至东城区，改由市场部统一对接".into(),
                    from: Some("clerk".into()),
                },
            )
            .await
            .map_err(e("reassign"))?;
            c.owner = Owner::Marketing;
        }
        if *day == "2026-11-26" {
            // November: two customers recorded and never called; the pool job takes them back.
            desk.walk(at("2026-11-20", 7)?);
            crate::app::jobs::run(&demo, "customers-pool-return", desk.manager.today(), None)
                .await
                .map_err(e("pool return"))?;
            for c in all.iter_mut() {
                if LATE.iter().any(|s| s.0 == c.name) {
                    c.pooled = true;
                }
            }
            // The clerk claims one back and calls it the next day.
            if let Some(c) = all.iter_mut().find(|c| c.name == LATE[1].0) {
                desk.walk(at("2026-11-24", 10)?);
                owners::claim(&desk.clerk, c.id).await.map_err(e("claim"))?;
                c.owner = Owner::Clerk;
                c.pooled = false;
            }
        }
        if *day == "2026-11-11" {
            for s in LATE {
                all.push(desk.record(s, at("2026-11-05", 10)?).await?);
            }
        }
        for (i, c) in all.iter().enumerate() {
            if c.pooled || (round == ROUNDS.len() - 1 && OVERDUE.contains(&c.name)) {
                continue;
            }
            if LATE.iter().any(|s| s.0 == c.name) && *day != "2026-11-26" {
                continue;
            }
            let when = at(day, 9)? + Duration::minutes(15 * i as i64);
            desk.call(c, when, plain(way, summary, outcome, next))
                .await?;
        }
    }

    let work = later(&desk, &all, now).await?;

    // An open escalation, due in two working days.
    let mut open = 0;
    if let Some(c) = all.iter().find(|c| c.name == "国家电网北京电力公司工会") {
        let input = CallbackIn {
            escalate: true,
            problem: "对方希望年终团购按季度分期结算，需经理决定".into(),
            ..plain(
                "phone",
                "商谈年终团购结算方式",
                "结算方式当天无法答复",
                "等经理答复",
            )
        };
        open = desk.call(c, at("2026-12-02", 15)?.min(now), input).await?;
    }

    // Today: the manager builds the New Year campaign (its calls are still to come).
    desk.walk(now);
    let new_year = campaigns::build(&desk.manager, FestivalCode::NewYear, 2027)
        .await
        .map_err(e("New Year campaign"))?;
    let today = desk.clerk.today().to_string();
    for (c, purpose) in all
        .iter()
        .filter(|c| c.owner == Owner::Clerk)
        .zip(["送元旦福利商品目录", "确认年终购物卡数量"])
    {
        outreach::plan(
            &desk.clerk,
            &outreach::PlanIn {
                on_date: today.clone(),
                customer_id: c.id.to_string(),
                contact: String::new(),
                purpose: purpose.into(),
                ..Default::default()
            },
        )
        .await
        .map_err(e("outreach plan"))?;
    }
    papers::write_plan(
        &desk.clerk,
        "day",
        &today,
        &papers::PlanIn {
            items: vec!["上门送元旦福利目录".into(), "回访逾期客户".into()],
            notes: String::new(),
        },
    )
    .await
    .map_err(e("today's plan"))?;

    let _ = writeln!(
        out,
        "\nCustomers (/customers): {} customers at WFJ and HQ with callbacks since August, {} \
         overdue (/customers/callbacks/overdue); escalations answered #{escalated} and open \
         #{open} (/customers/escalations); Mid-Autumn 2026 campaign #{mid_autumn} \
         ({reached} calls logged) and New Year 2027 campaign #{} ({} calls to come) \
         (/customers/campaigns); 中信建设集团办公室 reassigned to marketing, \
         {} in the pool, {} claimed back. Visits (/customers/visits): {work}",
        all.len(),
        OVERDUE.len(),
        new_year.campaign_id,
        new_year.calls,
        LATE[0].0,
        LATE[1].0,
    );
    Ok(())
}

/// Visits, research, plans and targets in the last week (after the last round of calls).
async fn later(desk: &Desk, all: &[Cust], now: DateTime<Utc>) -> anyhow::Result<String> {
    let find = |name: &str| {
        all.iter()
            .find(|c| c.name == name)
            .with_context(|| format!("demo customer {name}"))
    };
    let visit = |c: &Cust, on: &str, purpose: &str| VisitIn {
        customer_id: c.id.to_string(),
        visit_on: on.into(),
        purpose: purpose.into(),
        participants: "王职员".into(),
        gifts: "元旦礼盒一份".into(),
        budget: "300.00".into(),
    };
    // Two visits approved for the next day.
    desk.walk(at("2026-11-26", 13)?);
    let a = requests::request(
        &desk.clerk,
        &visit(
            find("北京华联科技有限公司")?,
            "2026-11-27",
            "洽谈年终福利采购",
        ),
    )
    .await
    .map_err(e("visit request"))?;
    let b = requests::request(
        &desk.clerk,
        &visit(find("北京协和医院工会")?, "2026-11-27", "送元旦团购方案"),
    )
    .await
    .map_err(e("visit request"))?;
    desk.walk(at("2026-11-26", 14)?);
    for v in [&a, &b] {
        requests::decide(&desk.manager, v.approval_id, Decision::Approve)
            .await
            .map_err(e("visit approval"))?;
    }
    // A research task for marketing, and November's targets.
    desk.walk(at("2026-11-26", 15)?);
    let research_id = research::create(
        &desk.manager,
        &research::ResearchIn {
            title: "元旦春节团购市场调研".into(),
            scope: "东城区机关和大型国企的节日福利采购方式与预算".into(),
            due_on: "2026-12-10".into(),
            assignee: "marketing".into(),
            ..Default::default()
        },
    )
    .await
    .map_err(e("research"))?;
    set_targets(desk, "2026-11").await?;
    // 27 November: the clerk's day, both visits made, minutes of one written.
    desk.walk(at("2026-11-27", 8)?);
    day_plan(desk, "2026-11-27").await?;
    desk.walk(at("2026-11-27", 16)?);
    requests::mark_done(&desk.clerk, b.id)
        .await
        .map_err(e("visit done"))?;
    desk.walk(at("2026-11-27", 17)?);
    requests::write_minutes(
        &desk.clerk,
        a.id,
        &requests::MinutesIn {
            attendees: "对方：王经理；我方：王职员".into(),
            discussion: "年终职工福利采购，倾向购物卡".into(),
            agreements: "十二月中旬确定数量和面值".into(),
            follow_ups: "十二月十日前送报价单".into(),
        },
    )
    .await
    .map_err(e("minutes"))?;
    day_summary(desk, "2026-11-27", at("2026-11-27", 18)?).await?;
    // 30 November: the week's plan and the day's; its summary comes a day late.
    desk.walk(at("2026-11-30", 8)?);
    papers::write_plan(
        &desk.clerk,
        "week",
        "2026-11-30",
        &papers::PlanIn {
            items: vec![
                "回访全部 A 级客户".into(),
                "送出三份元旦团购方案".into(),
                "补写走访纪要".into(),
            ],
            notes: String::new(),
        },
    )
    .await
    .map_err(e("week plan"))?;
    day_plan(desk, "2026-11-30").await?;
    // 1 December: November's targets are frozen; December's are set; findings are written.
    desk.walk(at("2026-12-01", 7)?);
    crate::app::jobs::run(
        &desk.demo,
        "plans-freeze-targets",
        NaiveDate::from_ymd_opt(2026, 12, 1).context("date")?,
        None,
    )
    .await
    .map_err(e("freeze targets"))?;
    day_summary(desk, "2026-11-30", at("2026-12-01", 8)?).await?;
    desk.walk(at("2026-12-01", 9)?);
    day_plan(desk, "2026-12-01").await?;
    set_targets(desk, "2026-12").await?;
    desk.walk(at("2026-12-01", 10)?);
    research::set_findings(
        &desk.marketing,
        research_id,
        &research::FindingsIn {
            findings: "七成单位仍发实物福利，偏好购物卡；预算多在十二月中旬确定".into(),
            filed: true,
        },
    )
    .await
    .map_err(e("findings"))?;
    // 2 December: a visit waiting for approval.
    desk.walk(at("2026-12-02", 8)?);
    day_plan(desk, "2026-12-02").await?;
    desk.walk(at("2026-12-02", 10)?);
    let waiting_on = (desk.clerk.today() + Duration::days(5)).to_string();
    let mut c = visit(
        find("国家电网北京电力公司工会")?,
        &waiting_on,
        "商谈年终团购结算",
    );
    c.participants = "钱市场".into();
    let w = requests::request(&desk.marketing, &c)
        .await
        .map_err(e("visit request"))?;
    day_summary(desk, "2026-12-02", at("2026-12-02", 18)?.min(now)).await?;
    Ok(format!(
        "visit #{} approved with minutes, #{} done with minutes overdue, #{} waiting for \
         approval; research #{research_id} filed; the clerk's plans (/plans) for 27 Nov–2 Dec \
         (30 Nov's summary late, 1 Dec's missing) and this week; targets for November (frozen) \
         and December at WFJ (/targets)",
        a.id, b.id, w.id
    ))
}

async fn day_plan(desk: &Desk, day: &str) -> anyhow::Result<()> {
    papers::write_plan(
        &desk.clerk,
        "day",
        day,
        &papers::PlanIn {
            items: vec!["回访两家 A 级客户".into(), "整理团购报价单".into()],
            notes: String::new(),
        },
    )
    .await
    .map_err(e("day plan"))?;
    Ok(())
}

async fn day_summary(desk: &Desk, day: &str, when: DateTime<Utc>) -> anyhow::Result<()> {
    desk.walk(when);
    papers::write_summary(
        &desk.clerk,
        "day",
        day,
        &papers::SummaryIn {
            items: vec![
                papers::SummaryItemIn {
                    text: "回访两家 A 级客户".into(),
                    done: true,
                    ..Default::default()
                },
                papers::SummaryItemIn {
                    text: "整理团购报价单".into(),
                    note: "等采购部价格".into(),
                    ..Default::default()
                },
            ],
            next: vec!["送报价单".into()],
            notes: "两家客户均确认年终采购意向".into(),
        },
    )
    .await
    .map_err(e("day summary"))?;
    Ok(())
}

/// A month's targets at Wangfujing: the department's and the clerk's.
async fn set_targets(desk: &Desk, month: &str) -> anyhow::Result<()> {
    for (staff, sales, calls, members) in [
        ("", "300000.00", "80", "120"),
        ("clerk", "150000.00", "40", "60"),
    ] {
        targets::set_targets(
            &desk.manager,
            &targets::TargetsIn {
                month: month.into(),
                store_code: "WFJ".into(),
                staff: staff.into(),
                targets: [
                    ("gb_sales", sales),
                    ("callbacks", calls),
                    ("new_members", members),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            },
        )
        .await
        .map_err(e("targets"))?;
    }
    Ok(())
}
