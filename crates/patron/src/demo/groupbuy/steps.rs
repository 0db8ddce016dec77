//! The steps of the group-buy demo's months: a sale day, the end of month one, the rebate and
//! the month's two signatures.

use chrono::{Duration, NaiveDate};

use super::{Desk, Run, Sale, approve, deposit, err, org, person, sell, store};
use crate::areas::groupbuy::{rebates, reconcile, sales, stock};

/// One sale day: a cash sale, every other day a cheque, the day's deposits, and the cheques
/// three days old clearing (one bounces).
pub(super) async fn sale_day(
    d: &Desk,
    run: &mut Run,
    when: NaiveDate,
    i: usize,
    k: usize,
) -> anyhow::Result<()> {
    d.at(when, 1);
    // A small cash sale: 10–45 × ¥100.
    let n = 10 + (k as i64 * 7) % 36;
    let s = sell(
        d,
        Sale {
            buyer: if k.is_multiple_of(2) {
                person(k)
            } else {
                org(k)
            },
            payment: "cash",
            range: format!("{}-{}", run.next_a, run.next_a + n - 1),
            face: "",
            reason: "",
        },
    )
    .await?;
    run.sold_a.extend(run.next_a..run.next_a + n);
    run.next_a += n;
    let _ = s;
    // Every other day a cheque for 40–100 × ¥500.
    if i.is_multiple_of(2) {
        let n = 40 + (k as i64 * 13) % 61;
        let s = sell(
            d,
            Sale {
                buyer: org(k),
                payment: "cheque",
                range: format!("{}-{}", run.next_b, run.next_b + n - 1),
                face: "",
                reason: "",
            },
        )
        .await?;
        run.next_b += n;
        run.pending_cheques.push((s.sale_id, when, k));
    }
    d.at(when, 6);
    deposit(d, "cash").await?;
    deposit(d, "cheque").await?;
    clear_cheques(d, run, when).await
}

/// Cheques three days old clear; the one of sale day 12 bounces.
async fn clear_cheques(d: &Desk, run: &mut Run, when: NaiveDate) -> anyhow::Result<()> {
    let mut still = Vec::new();
    for (id, taken, kk) in run.pending_cheques.drain(..) {
        if when < taken + Duration::days(3) {
            still.push((id, taken, kk));
            continue;
        }
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
    }
    run.pending_cheques = still;
    Ok(())
}

/// The end of month one: a transfer released at once on a counter-deposit slip, a face-value
/// change, and five damaged vouchers written off.
pub(super) async fn month_one_end(d: &Desk, run: &mut Run, when: NaiveDate) -> anyhow::Result<()> {
    d.at(when, 0);
    let s = sell(
        d,
        Sale {
            buyer: org(1),
            payment: "transfer",
            range: format!("{}-{}", run.next_a, run.next_a + 199),
            face: "",
            reason: "",
        },
    )
    .await?;
    run.next_a += 200;
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
        d,
        Sale {
            buyer: person(1),
            payment: "cash",
            range: format!("{}-{}", run.next_a, run.next_a + 9),
            face: "50",
            reason: "店庆活动半价改面值",
        },
    )
    .await?;
    run.next_a += 10;
    // Five vouchers found damaged at the counter.
    let w = stock::request_writeoff(
        &d.as_(&d.clerk),
        &stock::WriteOffIn {
            store_code: "WFJ".into(),
            kind: "damage".into(),
            ranges: format!("{}-{}", run.next_a, run.next_a + 4),
            reason: "柜台受潮损坏".into(),
        },
    )
    .await
    .map_err(err("write-off"))?;
    run.next_a += 5;
    let approval = store::writeoff_approval(&d.app.db, w).await?;
    approve(d, &d.supervisor, approval).await?;
    deposit(d, "cash").await?;
    deposit(d, "cheque").await
}

/// A rebate for the biggest buyer, approved, told and paid in rebate vouchers.
pub(super) async fn rebate(d: &Desk, when: NaiveDate) -> anyhow::Result<()> {
    d.at(when, 0);
    let Some((buyer, _)) = store::biggest_open_buyer(&d.app.db).await? else {
        return Ok(());
    };
    let r = rebates::request(
        &d.as_(&d.clerk),
        &rebates::RebateIn {
            store_code: "WFJ".into(),
            buyer_id: buyer,
        },
    )
    .await
    .map_err(err("rebate"))?;
    approve(d, &d.manager, r.approval_id).await?;
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
    Ok(())
}

/// Both sides sign a month.
pub(super) async fn sign_month(d: &Desk, when: NaiveDate, month: &str) -> anyhow::Result<()> {
    d.at(when, 0);
    reconcile::sign_department(&d.as_(&d.manager), "WFJ", month)
        .await
        .map_err(err("department signature"))?;
    reconcile::sign_finance(&d.as_(&d.finance), "WFJ", month)
        .await
        .map_err(err("finance signature"))?;
    Ok(())
}
