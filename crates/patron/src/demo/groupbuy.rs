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

use crate::areas::groupbuy::{self, rebates, reconcile, redeem, requisitions, sales, stock};
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

const ORGS: &[(&str, &str, &str)] = &[
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
    let known: Option<i64> = crate::on_db!(d.app.db, |p| {
        sqlx::query_scalar("select min(id) from gb_buyers where organisation = $1 and contact = $2")
            .bind(&s.buyer.organisation)
            .bind(&s.buyer.contact)
            .fetch_one(p)
            .await?
    });
    sales::sell(
        &d.as_(&d.clerk),
        &sales::SaleIn {
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
            request_key: String::new(),
        },
    )
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
    let d = Desk {
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
    };
    let day = |month: u32, day: u32| {
        start
            .checked_add_months(Months::new(month))
            .and_then(|m| m.with_day(day))
            .unwrap_or(start)
    };
    // Finance prints the year's vouchers: ¥100 (1–5000), ¥500 (5001–7000), ¥100 rebate
    // vouchers (7001–8000), valid four years.
    d.at(day(0, 2), 0);
    let expires = (today + Duration::days(4 * 366)).to_string();
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
                expires_on: expires.clone(),
                count: count.to_string(),
                first_serial: String::new(),
            },
        )
        .await
        .map_err(err("series"))?;
    }
    requisition(
        &d,
        day(0, 3),
        &[("100", 2300), ("500", 1000)],
        "1-2000\n5001-6000\n7001-7300",
    )
    .await?;
    // Month one: cash sales to persons and small organisations, cheques from organisations.
    let mut next_a = 1i64;
    let mut next_b = 5001i64;
    let mut sold_a: Vec<i64> = Vec::new();
    let mut pending_cheques = Vec::new();
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
            d.at(when, 1);
            let k = (m as usize) * 10 + i;
            // A small cash sale: 10–45 × ¥100.
            let n = 10 + (k as i64 * 7) % 36;
            let s = sell(
                &d,
                Sale {
                    buyer: if k.is_multiple_of(2) {
                        person(k)
                    } else {
                        org(k)
                    },
                    payment: "cash",
                    range: format!("{next_a}-{}", next_a + n - 1),
                    face: "",
                    reason: "",
                },
            )
            .await?;
            sold_a.extend(next_a..next_a + n);
            next_a += n;
            let _ = s;
            // Every other day a cheque for 40–100 × ¥500.
            if i.is_multiple_of(2) {
                let n = 40 + (k as i64 * 13) % 61;
                let s = sell(
                    &d,
                    Sale {
                        buyer: org(k),
                        payment: "cheque",
                        range: format!("{next_b}-{}", next_b + n - 1),
                        face: "",
                        reason: "",
                    },
                )
                .await?;
                next_b += n;
                pending_cheques.push((s.sale_id, when, k));
            }
            d.at(when, 6);
            deposit(&d, "cash").await?;
            deposit(&d, "cheque").await?;
            // Cheques three days old clear (one bounces).
            let mut still = Vec::new();
            for (id, taken, kk) in pending_cheques.drain(..) {
                if when >= taken + Duration::days(3) {
                    let ctx = d.as_(&d.clerk);
                    if kk == 12 {
                        sales::bounce(
                            &ctx,
                            id,
                            &sales::BounceIn {
                                reason: "余额不足退票".into(),
                            },
                        )
                        .await
                        .map_err(err("bounce"))?;
                    } else {
                        sales::release(
                            &ctx,
                            id,
                            &sales::ReleaseIn {
                                reason: "cleared".into(),
                                counter_slip_no: String::new(),
                            },
                        )
                        .await
                        .map_err(err("release"))?;
                    }
                } else {
                    still.push((id, taken, kk));
                }
            }
            pending_cheques = still;
        }
        if m == 0 {
            // A transfer released at once on a counter-deposit slip, and a face-value change.
            let when = day(0, 26);
            d.at(when, 0);
            let s = sell(
                &d,
                Sale {
                    buyer: org(1),
                    payment: "transfer",
                    range: format!("{next_a}-{}", next_a + 199),
                    face: "",
                    reason: "",
                },
            )
            .await?;
            next_a += 200;
            sales::release(
                &d.as_(&d.clerk),
                s.sale_id,
                &sales::ReleaseIn {
                    reason: "counter_deposit".into(),
                    counter_slip_no: "ICBC-0926-0017".into(),
                },
            )
            .await
            .map_err(err("counter-deposit"))?;
            sell(
                &d,
                Sale {
                    buyer: person(1),
                    payment: "cash",
                    range: format!("{next_a}-{}", next_a + 9),
                    face: "50",
                    reason: "店庆活动半价改面值",
                },
            )
            .await?;
            next_a += 10;
            // Five vouchers found damaged at the counter.
            let w = stock::request_writeoff(
                &d.as_(&d.clerk),
                &stock::WriteOffIn {
                    store_code: "WFJ".into(),
                    kind: "damage".into(),
                    ranges: format!("{}-{}", next_a, next_a + 4),
                    reason: "柜台受潮损坏".into(),
                },
            )
            .await
            .map_err(err("write-off"))?;
            next_a += 5;
            let approval: Option<i64> = crate::on_db!(d.app.db, |p| {
                sqlx::query_scalar("select approval_id from gb_writeoffs where id = $1")
                    .bind(w)
                    .fetch_one(p)
                    .await?
            });
            approve(&d, &d.supervisor, approval).await?;
            deposit(&d, "cash").await?;
            deposit(&d, "cheque").await?;
        }
        // The tills use about a third of what was sold in cash.
        let upto = sold_a.len() / 3;
        let batch: Vec<i64> = sold_a.drain(..upto).collect();
        d.at(day(m, 27).min(today), 0);
        redeem_some(&d, batch.into_iter(), &format!("GB{m}")).await?;
        if m == 1 {
            // A rebate for the biggest buyer, approved, told and paid in rebate vouchers.
            d.at(day(1, 25), 0);
            let open: Option<(i64, i64)> = crate::on_db!(d.app.db, |p| {
                sqlx::query_as(
                    "select buyer_id, cast(sum(amount_fen) as bigint) as total from gb_sales \
                     where state = 'sold' and rebate_id is null group by buyer_id order by total desc limit 1",
                )
                .fetch_optional(p)
                .await?
            });
            if let Some((buyer, _)) = open {
                let r = rebates::request(
                    &d.as_(&d.clerk),
                    &rebates::RebateIn {
                        store_code: "WFJ".into(),
                        buyer_id: buyer,
                    },
                )
                .await
                .map_err(err("rebate"))?;
                approve(&d, &d.manager, r.approval_id).await?;
                rebates::notify(
                    &d.as_(&d.clerk),
                    r.id,
                    &rebates::NotifyIn {
                        how: "phone".into(),
                    },
                )
                .await
                .map_err(err("notify"))?;
                let n = r.rebate_fen / 10_000;
                rebates::pay(
                    &d.as_(&d.clerk),
                    r.id,
                    &rebates::PayIn {
                        ranges: format!("7001-{}", 7000 + n),
                        signed_name: "王经理".into(),
                    },
                )
                .await
                .map_err(err("rebate payment"))?;
            }
        }
        if m < 2 {
            // On the 2nd of the next month both sides sign the month.
            d.at(day(m + 1, 2), 0);
            let month = groupbuy::month_of(day(m, 1));
            reconcile::sign_department(&d.as_(&d.manager), "WFJ", &month)
                .await
                .map_err(err("department signature"))?;
            reconcile::sign_finance(&d.as_(&d.finance), "WFJ", &month)
                .await
                .map_err(err("finance signature"))?;
        }
    }
    // Waiting today: a cheque to release and a requisition to approve.
    let behind = now - d.app.clock.now();
    if behind > Duration::zero() {
        d.clock.advance(behind);
    }
    let s = sell(
        &d,
        Sale {
            buyer: org(3),
            payment: "cheque",
            range: format!("{next_b}-{}", next_b + 39),
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
    let closed: i64 = crate::on_db!(d.app.db, |p| {
        sqlx::query_scalar("select count(*) from gb_reconciliations where closed")
            .fetch_one(p)
            .await?
    });
    let sales_n: i64 = crate::on_db!(d.app.db, |p| {
        sqlx::query_scalar("select count(*) from gb_sales")
            .fetch_one(p)
            .await?
    });
    let _ = writeln!(
        out,
        "\nGroup-buy (WFJ): 8,000 vouchers printed, {sales_n} sales over three months, {closed} months reconciled and closed; cheque {} waits to be released.",
        s.sale_no
    );
    Ok(())
}
