//! The annual tier review (SPEC B7): each member above the lowest tier keeps it while the
//! rolling window still reaches its threshold; otherwise, when the configured rule downgrades,
//! they move to the tier the window reaches and are told what keeping a tier needs.

use std::sync::Arc;

use chrono::NaiveDate;
use patron_core::money::Fen;
use patron_core::tiers;
use serde_json::json;

use super::PointsError;
use super::standing::window_start;
use super::store;
use crate::jobs::{Progress, RunReport};
use crate::kernel::ctx::Ctx;
use crate::notify::{self, NewMessage};

const CHUNK: i64 = 500;

pub async fn review(
    ctx: &Ctx,
    today: NaiveDate,
    progress: Option<Progress>,
) -> Result<RunReport, PointsError> {
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let Some(lowest) = loyalty.lowest().cloned() else {
        return Ok(RunReport::default());
    };
    let from = window_start(today, loyalty.settings.tier_window_months);
    let to = crate::kernel::dates::month_key(today);
    let total = store::count_above_tier(ctx.db(), &lowest.code).await?;
    let mut report = RunReport::default();
    let mut after = 0i64;
    loop {
        let rows = store::review_batch(ctx.db(), (&from, &to), after, &lowest.code, CHUNK).await?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        report.seen += rows.len() as u64;
        let rules = loyalty.rules();
        let moves: Vec<(i64, String, String, Fen)> = rows
            .iter()
            .filter_map(|(id, code, spend, count)| {
                let current = loyalty.tier(code)?;
                let kept = tiers::on_review(
                    &rules,
                    current.rank,
                    Fen(*spend),
                    *count,
                    loyalty.settings.annual_downgrade,
                )?;
                (kept.rank < current.rank).then(|| {
                    let needed = tiers::needed_for(&current.rule(), Fen(*spend), *count);
                    (*id, code.clone(), kept.code.clone(), needed.spend)
                })
            })
            .collect();
        if !moves.is_empty() {
            let moves = Arc::new(moves);
            let now = ctx.now();
            let moved = ctx
                .db()
                .write(move |tx| {
                    let moves = moves.clone();
                    Box::pin(async move {
                        // Only the members this write moved: a run overlapping this one may
                        // have moved some already (`set_tier` is guarded by the old tier).
                        let mut moved_here = 0u64;
                        for (id, from, to, needed) in moves.iter() {
                            let moved =
                                store::set_tier(tx, *id, from, to, now, today, "annual review", None)
                                    .await?;
                            if !moved {
                                continue;
                            }
                            moved_here += 1;
                            notify::queue(
                                tx,
                                &NewMessage {
                                    member_id: Some(*id),
                                    kind: "tier_change",
                                    channel: "sms",
                                    dedupe_key: format!("review:{id}:{}", today.format("%Y")),
                                    payload: json!({ "from": from, "to": to, "needed_to_keep_fen": needed.0 }),
                                    marketing: false,
                                    at: now,
                                },
                            )
                            .await?;
                        }
                        Ok::<_, PointsError>(moved_here)
                    })
                })
                .await?;
            report.processed += moved;
        }
        if let Some(p) = &progress {
            p(report.seen, total.max(0) as u64);
        }
    }
    Ok(report)
}
