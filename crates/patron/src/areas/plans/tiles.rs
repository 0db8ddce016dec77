//! What the dashboard shows of plans and targets (see `web::tiles`): one's own plans and
//! summaries waiting to be written, the team's missing ones for reviewers, and one's progress
//! against this month's targets.

use patron_core::Permission;

use super::periods::Period;
use super::{board, period_view, team_view};
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::error::AppError;
use crate::web::i18n::Lang;
use crate::web::tiles::{Figure, Tile, TileLine, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[
    TileSource {
        permission: Permission::WritePlans,
        per_store: false,
        tiles: mine,
    },
    TileSource {
        permission: Permission::ReviewPlans,
        per_store: true,
        tiles: team,
    },
    TileSource {
        permission: Permission::ViewTargets,
        per_store: true,
        tiles: progress,
    },
];

/// The last day before `today` that expected papers (a working day), within a fortnight.
async fn last_working_day(ctx: &Ctx) -> Result<Option<chrono::NaiveDate>, AppError> {
    let cal = crate::areas::calendar::load(ctx.db(), crate::areas::calendar::OFFICE).await?;
    let today = ctx.today();
    Ok(today
        .pred_opt()
        .into_iter()
        .flat_map(|d| (0..14).filter_map(move |i| d.checked_sub_days(chrono::Days::new(i))))
        .find(|d| cal.is_working_day(*d)))
}

fn mine<'a>(ctx: &'a Ctx, _: Option<&'a StoreInfo>, lang: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        if ctx.actor.staff().is_none() {
            return Ok(Vec::new());
        }
        let today = ctx.today();
        let mut lines = Vec::new();
        let waiting = |s: &str| matches!(s, "open" | "missing");
        for period in Period::ALL {
            let start = period.start(today);
            let v = period_view(ctx, None, period.code(), &start.to_string()).await?;
            if v.dues.expected && waiting(v.plan_standing) {
                lines.push((period, start, "plans.plan"));
            }
            let before = match period {
                Period::Day => last_working_day(ctx).await?,
                _ => Some(period.previous(start)),
            };
            if let Some(b) = before {
                let p = period_view(ctx, None, period.code(), &b.to_string()).await?;
                if waiting(p.summary_standing) {
                    lines.push((period, p.starts_on, "plans.summary"));
                }
            }
        }
        let shown = lines
            .iter()
            .map(|(period, start, what)| TileLine {
                text: format!(
                    "{} {} {}",
                    lang.t(&format!("plans.period.{}", period.code())),
                    start,
                    lang.t(what)
                ),
                href: format!("/plans/{}/{start}", period.code()),
            })
            .collect();
        if lines.is_empty() {
            return Ok(Vec::new());
        }
        let n = i64::try_from(lines.len()).unwrap_or(0);
        Ok(vec![
            Tile::waiting("plans.tile.mine", n, "/plans").with_lines(shown),
        ])
    })
}

fn team<'a>(ctx: &'a Ctx, store: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let Some(store) = store else {
            return Ok(Vec::new());
        };
        let today = ctx.today_at(store);
        let now = team_view(ctx, store, Period::Day, today).await?;
        let before = match last_working_day(ctx).await? {
            Some(d) => Some(team_view(ctx, store, Period::Day, d).await?),
            None => None,
        };
        let mut names = Vec::new();
        for row in &now.rows {
            let summary_missing = before.as_ref().is_some_and(|b| {
                b.rows
                    .iter()
                    .any(|r| r.member.id == row.member.id && r.summary == "missing")
            });
            if row.plan == "missing" || summary_missing {
                names.push(TileLine {
                    text: row.member.display_name.clone(),
                    href: format!("/plans/team/{}/day/{today}", row.member.id),
                });
            }
        }
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let n = i64::try_from(names.len()).unwrap_or(0);
        names.truncate(5);
        Ok(vec![
            Tile::waiting("plans.tile.team", n, "/plans/team").with_lines(names),
        ])
    })
}

fn progress<'a>(ctx: &'a Ctx, store: Option<&'a StoreInfo>, lang: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let (Some(store), Some(me)) = (store, ctx.actor.staff()) else {
            return Ok(Vec::new());
        };
        let month = crate::kernel::dates::month_key(ctx.today_at(store));
        let b = board(ctx, store, &month).await?;
        let mine: Vec<_> = b
            .rows
            .iter()
            .filter(|r| r.staff_id == me.id && r.target.is_some())
            .collect();
        if mine.is_empty() {
            return Ok(Vec::new());
        }
        let percents: Vec<i64> = mine.iter().filter_map(|r| r.percent).collect();
        let average = if percents.is_empty() {
            0
        } else {
            percents.iter().sum::<i64>() / i64::try_from(percents.len()).unwrap_or(1)
        };
        let lines = mine
            .iter()
            .map(|r| TileLine {
                text: format!(
                    "{} {}",
                    lang.t(&format!("plans.metric.{}", r.metric)),
                    r.percent.map(|p| format!("{p}%")).unwrap_or_default()
                ),
                href: format!("/targets?month={month}"),
            })
            .collect();
        Ok(vec![
            Tile::figure("plans.tile.progress", Figure::Count(average), "/targets")
                .with_lines(lines),
        ])
    })
}
