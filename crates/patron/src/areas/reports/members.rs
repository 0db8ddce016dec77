//! Members by tier, store, channel or month joined; growth; active and dormant (M1).
//!
//! Counted from `members` (store, tier and channel as they are now) in one grouped read, so two
//! million members take one pass. "Members" at a day are those joined by then and not closed
//! by then. Active means a purchase in the RFM window (the `reports-rfm` job's figures, as of the
//! day it last ran); dormant, the rest.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::sheet::{Chart, Row, Series, Sheet, percent};
use super::span::Groups;
use super::store::{self, JoinedDayRow, JoinedRow};
use super::{Filter, ReportError};
use crate::kernel::ctx::Ctx;
use crate::web::export::Cell;
use crate::web::i18n::Lang;

/// A member group's figures.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    members: i64,
    joined: i64,
    active: i64,
}

pub async fn report(ctx: &Ctx, f: &Filter, lang: Lang) -> Result<Sheet, ReportError> {
    let db = ctx.db();
    if f.by == "month" {
        return by_month(ctx, f, lang).await;
    }
    let mut rows = store::joined(db, f.from, f.to).await?;
    // Members closed after the period's end were still members at its end.
    for c in store::closed(db).await? {
        let closed_on = c
            .closed_at
            .map(|t| crate::kernel::dates::business_date(t, f.tz));
        if c.joined_on <= f.to && closed_on.is_none_or(|d| d > f.to) {
            rows.push(JoinedRow {
                store_id: c.store_id,
                tier_code: c.tier_code,
                channel: c.channel,
                n: 1,
                joined: i64::from(c.joined_on >= f.from),
            });
        }
    }
    rows.retain(|r| f.counts(r.store_id) && f.counts_tier(&r.tier_code));
    let loyalty = crate::areas::points::settings::load(db).await?;
    let key = |store_id: i64, tier: &str, channel: &str| -> (String, String) {
        match f.by {
            "store" => (format!("{store_id:020}"), f.store_name(store_id)),
            "channel" => (channel.to_string(), label(lang, "channel.", channel)),
            _ => {
                let t = loyalty.tier(tier);
                (
                    format!("{:04}", t.map_or(99, |t| t.rank)),
                    t.map_or_else(|| tier.to_string(), |t| t.name(lang).to_string()),
                )
            }
        }
    };
    let mut groups: Groups<Counts> = Groups::new();
    for r in &rows {
        let (k, name) = key(r.store_id, &r.tier_code, &r.channel);
        let g = groups.at(k, || name);
        g.members += r.n;
        g.joined += r.joined;
    }
    let active = store::rfm_groups(db, chrono::DateTime::UNIX_EPOCH, 1, 1).await?;
    for a in active {
        if !(f.counts(a.store_id) && f.counts_tier(&a.tier_code)) {
            continue;
        }
        let (k, name) = key(a.store_id, &a.tier_code, &a.channel);
        groups.at(k, || name).active += a.n;
    }
    let total = groups.rows().fold(Counts::default(), |t, (_, c)| Counts {
        members: t.members + c.members,
        joined: t.joined + c.joined,
        active: t.active + c.active,
    });
    let rows: Vec<Row> = groups
        .rows()
        .map(|(name, c)| {
            Row::new(vec![
                Cell::Text(name.clone()),
                Cell::Int(c.members),
                percent(c.members, total.members),
                Cell::Int(c.joined),
                Cell::Int(c.active),
                Cell::Int((c.members - c.active).max(0)),
                percent(c.active, c.members),
            ])
        })
        .collect();
    let chart = Chart::of(
        "bar",
        groups.rows(),
        &[
            ("reports.members.col.members", |c: &Counts| c.members),
            ("reports.members.col.active", |c: &Counts| c.active),
        ],
        lang,
    );
    Ok(Sheet {
        columns: vec![
            match f.by {
                "store" => "reports.by.store",
                "channel" => "reports.by.channel",
                _ => "reports.by.tier",
            },
            "reports.members.col.members",
            "reports.members.col.share",
            "reports.members.col.joined",
            "reports.members.col.active",
            "reports.members.col.dormant",
            "reports.members.col.active_share",
        ],
        rows,
        totals: Some(vec![
            Cell::Text(lang.t("reports.total").into()),
            Cell::Int(total.members),
            percent(total.members, total.members),
            Cell::Int(total.joined),
            Cell::Int(total.active),
            Cell::Int((total.members - total.active).max(0)),
            percent(total.active, total.members),
        ]),
        chart: Some(chart),
        notes: vec![
            period_note(f, lang),
            super::rfm::Basis::load(ctx).await?.active_note(lang),
        ],
    })
}

/// The months of the period: joined, closed, members at the month's end and the growth.
async fn by_month(ctx: &Ctx, f: &Filter, lang: Lang) -> Result<Sheet, ReportError> {
    let tz = f.tz;
    let mut rows = store::joined_days(ctx.db(), f.to, f.tier.as_deref()).await?;
    // Members closed after the period's end were still members at its end.
    for c in store::closed(ctx.db()).await? {
        let closed_on = c
            .closed_at
            .map(|t| crate::kernel::dates::business_date(t, tz));
        if c.joined_on <= f.to && closed_on.is_none_or(|d| d > f.to) && f.counts_tier(&c.tier_code)
        {
            rows.push(JoinedDayRow {
                store_id: c.store_id,
                joined_on: c.joined_on,
                n: 1,
            });
        }
    }
    rows.retain(|r| f.counts(r.store_id));
    let month = |d: NaiveDate| (d.year(), d.month());
    let mut joined: BTreeMap<(i32, u32), i64> = BTreeMap::new();
    let mut before = 0i64;
    for r in &rows {
        if r.joined_on < f.from {
            before += r.n;
        } else {
            *joined.entry(month(r.joined_on)).or_default() += r.n;
        }
    }
    let mut closed: BTreeMap<(i32, u32), i64> = BTreeMap::new();
    for c in store::closed(ctx.db()).await? {
        if !(f.counts(c.store_id) && f.counts_tier(&c.tier_code)) {
            continue;
        }
        if let Some(on) = c
            .closed_at
            .map(|t| crate::kernel::dates::business_date(t, tz))
            && on >= f.from
            && on <= f.to
            && c.joined_on < f.from
        {
            // Closed in the period: a member at its start; joined and closed inside it, the
            // member is neither at the start nor at the end.
            before += 1;
            *closed.entry(month(on)).or_default() += 1;
        } else if let Some(on) = c
            .closed_at
            .map(|t| crate::kernel::dates::business_date(t, tz))
            && on >= f.from
            && on <= f.to
        {
            *joined.entry(month(c.joined_on)).or_default() += 1;
            *closed.entry(month(on)).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    let mut labels = Vec::new();
    let mut totals = Vec::new();
    let mut at_end = before;
    let (mut sum_joined, mut sum_closed) = (0, 0);
    let mut m = NaiveDate::from_ymd_opt(f.from.year(), f.from.month(), 1).unwrap_or(f.from);
    while m <= f.to {
        let key = month(m);
        let j = joined.get(&key).copied().unwrap_or(0);
        let c = closed.get(&key).copied().unwrap_or(0);
        let start = at_end;
        at_end += j - c;
        sum_joined += j;
        sum_closed += c;
        let label = crate::kernel::dates::month_key(m);
        out.push(Row::new(vec![
            Cell::Text(label.clone()),
            Cell::Int(j),
            Cell::Int(c),
            Cell::Int(j - c),
            Cell::Int(at_end),
            percent(j - c, start),
        ]));
        labels.push(label);
        totals.push(at_end as f64);
        m = m
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(f.to.succ_opt().unwrap_or(f.to));
    }
    Ok(Sheet {
        columns: vec![
            "reports.by.month",
            "reports.members.col.joined",
            "reports.members.col.closed",
            "reports.members.col.net",
            "reports.members.col.at_end",
            "reports.members.col.growth",
        ],
        rows: out,
        totals: Some(vec![
            Cell::Text(lang.t("reports.total").into()),
            Cell::Int(sum_joined),
            Cell::Int(sum_closed),
            Cell::Int(sum_joined - sum_closed),
            Cell::Int(at_end),
            percent(sum_joined - sum_closed, before),
        ]),
        chart: Some(Chart {
            kind: "line",
            labels,
            series: vec![Series {
                name: lang.t("reports.members.col.at_end").into(),
                data: totals,
            }],
        }),
        notes: vec![period_note(f, lang)],
    })
}

/// The label of a stored code in `lang`, or the code when the catalog has none.
pub fn label(lang: Lang, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}{code}");
    if crate::web::i18n::Lang::has(&key) {
        lang.t(&key).to_string()
    } else {
        code.to_string()
    }
}

/// "From … to …, store …": what the figures cover.
pub fn period_note(f: &Filter, lang: Lang) -> String {
    let store = f.store.as_ref().map_or_else(
        || lang.t("reports.all_stores").to_string(),
        |s| s.name.clone(),
    );
    crate::web::said::Said::new("reports.note.period")
        .text("from", f.from.to_string())
        .text("to", f.to.to_string())
        .text("store", store)
        .say(lang)
}
