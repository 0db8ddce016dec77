//! The rewards part of `patron demo` (SPEC D1–D5): the default thresholds, a stored month-end
//! list for next month with verified and notified rows, slips made at Wangfujing — one claimed
//! there, one claimed at Xidan (its issuing store is told), one waiting in its follow-up month
//! with a follow-up logged, one expired with its points returned — and a little gift stock.
//!
//! Everything goes through the use cases. Two slips are back-dated in SQL (the demo's clock only
//! moves forward) so the follow-up list and the expiry job have something to show.

mod store;

use std::fmt::Write as _;

use anyhow::{Context, anyhow};
use chrono::{Duration, Months, NaiveDate};

use crate::areas::gifts::{Movement, put_in};
use crate::areas::points::ledger::{Change, credit_in};
use crate::areas::rewards::{RewardsError, lists, settings, slips};
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};
use crate::kernel::db::DbError;

fn err(what: &str) -> impl Fn(RewardsError) -> anyhow::Error + '_ {
    move |e| anyhow!("demo rewards {what}: {e}")
}

async fn store_id(app: &App, code: &str) -> anyhow::Result<i64> {
    let stores = app.cache.stores(&app.db).await?;
    Ok(stores.by_code(code).context("demo store")?.id)
}

/// Puts a little stock of each reward gift at `store` if it has none.
async fn ensure_stock(app: &App, store: i64, qty: i64, today: NaiveDate) -> anyhow::Result<()> {
    let gifts = store::reward_gift_stock(&app.db, store).await?;
    let now = app.clock.now();
    for (gift_id, on_hand) in gifts.into_iter().filter(|g| g.1 == 0) {
        let _ = on_hand;
        app.db
            .write(move |tx| {
                Box::pin(async move {
                    put_in(
                        tx,
                        &Movement {
                            store_id: store,
                            gift_id,
                            kind: "receive",
                            qty,
                            doc_kind: "delivery",
                            doc_no: "DEMO-REWARD",
                            note: "演示数据：返礼奖品入库",
                            staff_id: None,
                            business_date: today,
                            at: now,
                        },
                    )
                    .await
                })
            })
            .await?;
    }
    Ok(())
}

/// Tops a member up to `target` points through the ledger (kind `adjust`).
async fn top_up(
    app: &App,
    member_id: i64,
    have: i64,
    target: i64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    if have >= target {
        return Ok(());
    }
    let now = app.clock.now();
    app.db
        .write(move |tx| {
            Box::pin(async move {
                credit_in(
                    tx,
                    &Change {
                        member_id,
                        points: target - have,
                        kind: "adjust",
                        store_id: None,
                        source_ref: "demo",
                        staff_id: None,
                        note: "演示数据：返礼积分",
                        today,
                        now,
                    },
                    24,
                )
                .await
            })
        })
        .await?;
    Ok(())
}

/// Moves a slip's dates back (the demo's clock cannot go back).
async fn backdate(
    app: &App,
    slip_no: &str,
    issued: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<()> {
    let no = slip_no.to_string();
    app.db
        .write(move |tx| {
            let no = no.clone();
            Box::pin(async move {
                store::backdate(tx, &no, issued, until).await?;
                Ok::<_, DbError>(())
            })
        })
        .await?;
    Ok(())
}

/// Adds the demo's rewards; `actor` finds a demo account by user name.
pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let as_ = |name: &str| -> anyhow::Result<Ctx> {
        let a = actor(name).with_context(|| format!("demo account {name}"))?;
        Ok(Ctx::new(app.clone(), Actor::Staff(a), None))
    };
    let (manager, clerk, desk) = (as_("manager")?, as_("clerk")?, as_("reward")?);
    let today = crate::kernel::dates::business_date(app.clock.now(), chrono_tz::Asia::Shanghai);
    let (wfj, xd) = (store_id(app, "WFJ").await?, store_id(app, "XD").await?);

    // D1: the default thresholds; expired slips give their points back.
    let s = settings::load(&app.db).await?;
    let mut form = settings::SettingsForm::from_settings(&s);
    form.return_points_on_expiry = true;
    settings::save(&manager, &form)
        .await
        .map_err(err("settings"))?;
    ensure_stock(app, wfj, 5, today).await?;
    ensure_stock(app, xd, 2, today).await?;

    // Members whose cards expire next month: a few are brought to a threshold.
    let (first, last) = crate::kernel::dates::next_month(today);
    let expiring = store::expiring(&app.db, first, last).await?;
    for ((member, have), target) in expiring
        .iter()
        .zip([16_000, 10_500, 8_200, 5_600, 5_100, 6_000])
    {
        top_up(app, *member, *have, target, today).await?;
    }

    // D2: the month-end list, stored.
    let summary = lists::build_month_end(&manager, today)
        .await
        .map_err(err("month-end list"))?;
    let rows = lists::rows(&app.db, summary.list_id, None).await?;
    // D3: 核分 and notices for the first rows.
    for (i, r) in rows.iter().take(5).enumerate() {
        let check = lists::verify(&clerk, r.list_id, r.member_id)
            .await
            .map_err(err("verify"))?;
        if check.ok && i < 4 {
            let how = ["phone", "sms", "phone", "letter"][i];
            lists::record_notice(
                &clerk,
                r.list_id,
                r.member_id,
                &lists::NoticeIn {
                    how: how.into(),
                    note: "告知返礼期三个月".into(),
                },
            )
            .await
            .map_err(err("notice"))?;
        }
    }

    // D4–D5: slips made at Wangfujing for the notified members.
    let mut made = Vec::new();
    for r in rows.iter().take(4) {
        let out = slips::issue(
            &clerk,
            &slips::SlipIn {
                store_code: "WFJ".into(),
                card_no: r.card_no.clone(),
                threshold: String::new(),
                id_checked: true,
                id_type: "id_card".into(),
                id_last4: format!("{:04}", 1000 + r.member_id % 9000),
                list_id: Some(r.list_id),
            },
        )
        .await
        .map_err(err("slip"))?;
        made.push((out.slip_no, r.store_code.clone()));
    }
    let mut lines = Vec::new();
    if let Some((no, _)) = made.first() {
        slips::claim(
            &desk,
            &slips::ClaimIn {
                store_code: "WFJ".into(),
                slip_no: no.clone(),
                id_checked: true,
            },
        )
        .await
        .map_err(err("claim"))?;
        lines.push(format!("{no} claimed at WFJ"));
    }
    if let Some((no, card_store)) = made.get(1) {
        // Claimed at a store other than the card's: the issuing store is told.
        let at = if card_store == "XD" { "WFJ" } else { "XD" };
        slips::claim(
            &manager,
            &slips::ClaimIn {
                store_code: at.into(),
                slip_no: no.clone(),
                id_checked: true,
            },
        )
        .await
        .map_err(err("claim elsewhere"))?;
        lines.push(format!("{no} claimed at {at} (card of {card_store})"));
    }
    if let Some((no, _)) = made.get(2) {
        // Two months old, in its follow-up month, followed up once.
        let issued = today.checked_sub_months(Months::new(2)).unwrap_or(today);
        backdate(app, no, issued, today + Duration::days(20)).await?;
        slips::follow_up(
            &clerk,
            no,
            &slips::FollowUpIn {
                how: "phone".into(),
                result: "顾客答应本周来领".into(),
                note: String::new(),
            },
        )
        .await
        .map_err(err("follow-up"))?;
        lines.push(format!("{no} unclaimed, followed up"));
    }
    if let Some((no, _)) = made.get(3) {
        // Past its three months: the expiry job voids it and returns the points.
        let issued = today.checked_sub_months(Months::new(3)).unwrap_or(today) - Duration::days(2);
        backdate(app, no, issued, today - Duration::days(1)).await?;
        let system = Ctx::new(app.clone(), Actor::System, None);
        slips::expire_due(&system, today)
            .await
            .map_err(err("expiry"))?;
        lines.push(format!("{no} expired, points returned"));
    }
    let _ = writeln!(
        out,
        "\nRewards: month-end list {} ({} cards), slips: {}",
        summary.month,
        summary.rows,
        lines.join("; ")
    );
    Ok(())
}
