//! The group-buy part of `patron demo` (SPEC E): three months at the Wangfujing desk — series
//! printed by finance, requisitions picked up and stamped, sales by cash, cheque and transfer
//! (one cheque bounces, one face value is changed), deposit slips, till redemptions, a rebate,
//! a write-off, two months reconciled and signed by both sides, and work waiting today.
//!
//! Everything goes through the use cases, on a clock that walks from three months ago to now.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use chrono::{Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use patron_core::approvals::Decision;
use patron_core::vouchers::Serial;

mod steps;
mod store;

use crate::areas::groupbuy::{self, redeem, requisitions, sales, stock};
use crate::kernel::clock::ManualClock;
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};

struct Desk {
    app: App,
    clock: Arc<ManualClock>,
    clerk: StaffActor,
    supervisor: StaffActor,
    manager: StaffActor,
    cashier: StaffActor,
    finance: StaffActor,
    till: Actor,
}

impl Desk {
    fn as_(&self, who: &StaffActor) -> Ctx {
        Ctx::new(self.app.clone(), Actor::Staff(who.clone()), None)
    }

    /// Moves the clock to 10:00 + `hour` on `day` (Shanghai).
    fn at(&self, day: NaiveDate, hour: u32) {
        let Some(target) = chrono_tz::Asia::Shanghai
            .from_local_datetime(&day.and_hms_opt(10 + hour, 0, 0).unwrap_or_default())
            .single()
        else {
            return;
        };
        let target = target.with_timezone(&Utc);
        let now = self.app.clock.now();
        if target > now {
            self.clock.advance(target - now);
        }
    }
}

fn err(what: &str) -> impl Fn(groupbuy::GroupBuyError) -> anyhow::Error + '_ {
    move |e| anyhow!("demo {what}: {e}")
}

async fn approve(d: &Desk, by: &StaffActor, approval: Option<i64>) -> anyhow::Result<()> {
    let id = approval.context("an approval")?;
    groupbuy::decide(&d.as_(by), id, Decision::Approve)
        .await
        .map_err(err("approval"))?;
    Ok(())
}

async fn requisition(
    d: &Desk,
    day: NaiveDate,
    lines: &[(&str, i64)],
    ranges: &str,
) -> anyhow::Result<()> {
    d.at(day, 0);
    let r = requisitions::request(
        &d.as_(&d.clerk),
        &requisitions::RequisitionIn {
            store_code: "WFJ".into(),
            purpose: "节日团购备券".into(),
            lines: lines
                .iter()
                .map(|(f, q)| requisitions::RequisitionLine {
                    face_value: (*f).into(),
                    quantity: q.to_string(),
                })
                .collect(),
        },
    )
    .await
    .map_err(err("requisition"))?;
    approve(d, &d.manager, r.approval_id).await?;
    d.at(day, 2);
    requisitions::prepare(
        &d.as_(&d.cashier),
        r.id,
        &requisitions::PrepareIn {
            ranges: ranges.into(),
            pickup_on: (day + Duration::days(1)).to_string(),
        },
    )
    .await
    .map_err(err("prepare"))?;
    d.at(day + Duration::days(1), 0);
    requisitions::hand_over(&d.as_(&d.cashier), r.id)
        .await
        .map_err(err("hand-over"))?;
    requisitions::receive(
        &d.as_(&d.clerk),
        r.id,
        &requisitions::ReceiveIn {
            serials_checked: true,
            seal_checked: true,
            quantity_checked: true,
        },
    )
    .await
    .map_err(err("receive"))?;
    stock::stamp(
        &d.as_(&d.clerk),
        &stock::StampIn {
            store_code: "WFJ".into(),
            ranges: ranges.into(),
        },
    )
    .await
    .map_err(err("stamp"))?;
    Ok(())
}

pub(crate) const ORGS: &[(&str, &str, &str)] = &[
    ("北京华联科技有限公司", "王经理", "010-65128801"),
    ("东城区教育委员会工会", "刘老师", "010-64032255"),
    ("中信建设集团办公室", "陈主任", "010-85201177"),
    ("首都医科大学后勤处", "杨处长", "010-83911230"),
    ("北京燕山石化物业公司", "高会计", "010-69341888"),
];

const PERSONS: &[(&str, &str)] = &[
    ("李女士", "13901012345"),
    ("赵先生", "13801078901"),
    ("孙女士", "13611122233"),
];

struct Sale<'a> {
    buyer: sales::BuyerIn,
    payment: &'a str,
    range: String,
    face: &'a str,
    reason: &'a str,
}

async fn sell(d: &Desk, s: Sale<'_>) -> anyhow::Result<sales::SaleOut> {
    let bank = s.payment != "cash";
    // A returning buyer is picked from the register, so rebates add up their purchases.
    let known = store::known_buyer(&d.app.db, &s.buyer.organisation, &s.buyer.contact).await?;
    let mut input = sales::SaleIn {
        store_code: "WFJ".into(),
        buyer_id: known,
        buyer: known.is_none().then_some(s.buyer),
        payment: s.payment.into(),
        lines: vec![sales::LineIn {
            range: s.range,
            face_value: s.face.into(),
            change_reason: s.reason.into(),
        }],
        cheque_no: if s.payment == "cheque" {
            "30104471".into()
        } else {
            String::new()
        },
        bank: if bank {
            "中国工商银行北京王府井支行".into()
        } else {
            String::new()
        },
        account_name: if bank {
            "付款单位基本户".into()
        } else {
            String::new()
        },
        account_no: if bank {
            "0200000709200123456".into()
        } else {
            String::new()
        },
        real_name: "刘建国".into(),
        id_number: "11010519491231002X".into(),
        counted: String::new(),
        seals: sales::SealsIn::default(),
        request_key: String::new(),
    };
    if s.payment == "cash" {
        // The clerk counts the money against the vouchers' total and checks the three seals.
        let check = sales::check(&d.as_(&d.clerk), &input)
            .await
            .map_err(err("sale check"))?;
        input.counted = patron_core::Fen(check.amount_fen).plain();
        input.seals = sales::SealsIn {
            name: true,
            activity: true,
            date: true,
        };
    }
    sales::sell(&d.as_(&d.clerk), &input)
        .await
        .map_err(err("sale"))
}

fn org(i: usize) -> sales::BuyerIn {
    let (o, c, p) = ORGS[i % ORGS.len()];
    sales::BuyerIn {
        kind: "organisation".into(),
        organisation: o.into(),
        contact: c.into(),
        phone: p.into(),
    }
}

fn person(i: usize) -> sales::BuyerIn {
    let (c, p) = PERSONS[i % PERSONS.len()];
    sales::BuyerIn {
        kind: "person".into(),
        organisation: String::new(),
        contact: c.into(),
        phone: p.into(),
    }
}

async fn deposit(d: &Desk, kind: &str) -> anyhow::Result<()> {
    match sales::deposit(
        &d.as_(&d.clerk),
        &sales::DepositIn {
            store_code: "WFJ".into(),
            kind: kind.into(),
        },
    )
    .await
    {
        Ok(_) | Err(groupbuy::GroupBuyError::Invalid(_)) => Ok(()),
        Err(e) => Err(anyhow!("demo deposit: {e}")),
    }
}

async fn redeem_some(
    d: &Desk,
    serials: impl Iterator<Item = i64>,
    tag: &str,
) -> anyhow::Result<u64> {
    let ctx = Ctx::new(d.app.clone(), d.till.clone(), None);
    let key = d.app.secrets.voucher_key;
    let mut n = 0;
    for (i, s) in serials.enumerate() {
        let serial = Serial(s);
        redeem::redeem(
            &ctx,
            &serial.to_string(),
            &redeem::RedeemVoucherIn {
                store_code: "WFJ".into(),
                till_id: Some("02".into()),
                receipt_no: format!("{tag}-{i:04}"),
                check_code: Some(patron_core::vouchers::check_code(&key, serial)),
            },
        )
        .await
        .map_err(err("redeem"))?;
        n += 1;
    }
    Ok(n)
}

/// The first day of the demo's month `month` (0 = three months ago) moved to `day`.
fn day_of(start: NaiveDate, month: u32, day: u32) -> NaiveDate {
    start
        .checked_add_months(Months::new(month))
        .and_then(|m| m.with_day(day))
        .unwrap_or(start)
}

/// The desk on a clock set to the start (three months ago), with the demo's staff and a till key.
async fn desk(
    app: &App,
    start: NaiveDate,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<Desk> {
    let clock = Arc::new(ManualClock::new(
        Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0).unwrap_or_default()),
    ));
    let demo_app = App {
        clock: clock.clone(),
        ..app.clone()
    };
    let cli = crate::cli::cli_ctx(app);
    let stores = demo_app.cache.stores(&demo_app.db).await?;
    let wfj = stores.by_code("WFJ").context("store WFJ")?.id;
    let (till_row, _) =
        crate::areas::staff::keys::issue_till_key(&cli, wfj, "02", "团购演示收银台")
            .await
            .map_err(|e| anyhow!("demo till key: {e}"))?;
    let who = |n: &str| actor(n).with_context(|| format!("demo user {n}"));
    Ok(Desk {
        app: demo_app,
        clock,
        clerk: who("clerk")?,
        supervisor: who("supervisor")?,
        manager: who("manager")?,
        cashier: who("cashier")?,
        finance: who("finance")?,
        till: Actor::Till {
            key_id: till_row.id,
            store_id: wfj,
            till_id: "02".into(),
        },
    })
}

/// Finance prints the year's vouchers: ¥100 (1–5000), ¥500 (5001–7000), ¥100 rebate vouchers
/// (7001–8000), valid four years.
async fn print_series(d: &Desk, expires: &str) -> anyhow::Result<()> {
    for (code, name, face, count) in [
        ("WFJ-A", "王府井团购券 100元", "100", 5000),
        ("WFJ-B", "王府井团购券 500元", "500", 2000),
        ("WFJ-R", "王府井返扣券 100元", "100", 1000),
    ] {
        stock::create_series(
            &d.as_(&d.cashier),
            &stock::SeriesIn {
                code: code.into(),
                name: name.into(),
                face_value: face.into(),
                named: false,
                expires_on: expires.into(),
                count: count.to_string(),
                first_serial: String::new(),
            },
        )
        .await
        .map_err(err("series"))?;
    }
    Ok(())
}

/// Where the demo's sales have got to.
struct Run {
    next_a: i64,
    next_b: i64,
    sold_a: Vec<i64>,
    /// (sale, day taken, its number among the sale days).
    pending_cheques: Vec<(i64, NaiveDate, usize)>,
}

/// Waiting today: a cheque to release and a requisition to approve. The cheque sale's number.
async fn waiting_today(d: &Desk, run: &Run) -> anyhow::Result<String> {
    let s = sell(
        d,
        Sale {
            buyer: org(3),
            payment: "cheque",
            range: format!("{}-{}", run.next_b, run.next_b + 39),
            face: "",
            reason: "",
        },
    )
    .await?;
    requisitions::request(
        &d.as_(&d.clerk),
        &requisitions::RequisitionIn {
            store_code: "WFJ".into(),
            purpose: "元旦春节团购备券".into(),
            lines: vec![requisitions::RequisitionLine {
                face_value: "100".into(),
                quantity: "1000".into(),
            }],
        },
    )
    .await
    .map_err(err("requisition"))?;
    Ok(s.sale_no)
}

/// Adds the group-buy demo; `actors` are the demo's staff by user name.
pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let now = app.clock.now();
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let first_of_this = today.with_day(1).context("first of the month")?;
    let start = first_of_this
        .checked_sub_months(Months::new(3))
        .context("three months back")?;
    let d = desk(app, start, actor).await?;
    let day = |month: u32, day: u32| day_of(start, month, day);
    d.at(day(0, 2), 0);
    print_series(&d, &(today + Duration::days(4 * 366)).to_string()).await?;
    requisition(
        &d,
        day(0, 3),
        &[("100", 2300), ("500", 1000)],
        "1-2000\n5001-6000\n7001-7300",
    )
    .await?;
    // Month one: cash sales to persons and small organisations, cheques from organisations.
    let mut run = Run {
        next_a: 1,
        next_b: 5001,
        sold_a: Vec::new(),
        pending_cheques: Vec::new(),
    };
    for (m, month_days) in [
        (0u32, [6u32, 9, 13, 17, 21, 24]),
        (1, [3, 8, 12, 16, 20, 23]),
        (2, [4, 7, 11, 15, 19, 22]),
    ] {
        for (i, dd) in month_days.iter().enumerate() {
            let when = day(m, *dd);
            if when >= today {
                break;
            }
            steps::sale_day(&d, &mut run, when, i, (m as usize) * 10 + i).await?;
        }
        if m == 0 {
            steps::month_one_end(&d, &mut run, day(0, 26)).await?;
        }
        // The tills use about a third of what was sold in cash.
        let upto = run.sold_a.len() / 3;
        let batch: Vec<i64> = run.sold_a.drain(..upto).collect();
        d.at(day(m, 27).min(today), 0);
        redeem_some(&d, batch.into_iter(), &format!("GB{m}")).await?;
        if m == 1 {
            steps::rebate(&d, day(1, 25)).await?;
        }
        if m < 2 {
            // On the 2nd of the next month both sides sign the month.
            steps::sign_month(
                &d,
                day(m + 1, 2),
                &crate::kernel::dates::month_key(day(m, 1)),
            )
            .await?;
        }
    }
    let behind = now - d.app.clock.now();
    if behind > Duration::zero() {
        d.clock.advance(behind);
    }
    let cheque_no = waiting_today(&d, &run).await?;
    let closed = store::closed_months(&d.app.db).await?;
    let sales_n = store::sales(&d.app.db).await?;
    let _ = writeln!(
        out,
        "\nGroup-buy (WFJ): 8,000 vouchers printed, {sales_n} sales over three months, {closed} months reconciled and closed; cheque {} waits to be released.",
        cheque_no
    );
    Ok(())
}
