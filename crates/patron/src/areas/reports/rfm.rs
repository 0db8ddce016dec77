//! RFM segments (M1): each open member's recency, frequency and money in the window, judged
//! against the breakpoints set at `/admin/reports` (the rule is `patron_core::rfm`), give one of
//! eight named segments, or dormant with no purchase in the window. The figures per member are
//! made by the `reports-rfm` job (daily, or "refresh now"): it sums each range of members'
//! receipts on the read pool and writes the range's rows in one short write, so tills are never
//! kept waiting. Changing a breakpoint needs no new figures; changing the window does.

use std::sync::Arc;

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use patron_core::Permission;
use patron_core::rfm::{Breakpoints, Segment};

use super::sheet::{Row, Series, Sheet, percent};
use super::store::{self, SegmentQuery, SettingsRow};
use super::{Filter, ReportError};
use crate::jobs::Progress;
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::Invalid;
use crate::web::export::Cell;
use crate::web::i18n::Lang;

/// Members per range the job sums at once.
const RANGE: i64 = 20_000;

impl SettingsRow {
    pub fn breakpoints(&self) -> Breakpoints {
        Breakpoints {
            recent_days: self.recent_days,
            frequent_purchases: self.frequent_purchases,
            high_spend_fen: self.high_spend_fen,
        }
    }
}

pub async fn settings(ctx: &Ctx) -> Result<SettingsRow, ReportError> {
    ctx.require(Permission::ViewReports)?;
    Ok(store::settings(ctx.db()).await?)
}

/// The settings as typed at `/admin/reports` (yuan for the money breakpoint).
#[derive(Debug, Clone, Default)]
pub struct SettingsIn {
    pub window_months: String,
    pub recent_days: String,
    pub frequent_purchases: String,
    pub high_spend_yuan: String,
}

fn whole(text: &str, min: i64, max: i64) -> Result<i64, &'static str> {
    let t = patron_core::typed::fold_width(text.trim()).into_owned();
    if t.is_empty() {
        return Err("invalid.required");
    }
    match t.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err("reports.invalid.number"),
    }
}

/// Saves the window and the breakpoints (managers of the loyalty scheme; audited). A new
/// window takes effect when the figures are next made.
pub async fn save_settings(ctx: &Ctx, input: &SettingsIn) -> Result<(), ReportError> {
    ctx.require(Permission::ManageLoyalty)?;
    let mut bad = Invalid::new();
    let window = bad.check("window_months", whole(&input.window_months, 1, 36));
    let recent = bad.check("recent_days", whole(&input.recent_days, 1, 1095));
    let frequent = bad.check(
        "frequent_purchases",
        whole(&input.frequent_purchases, 1, 10_000),
    );
    let high = bad.check(
        "high_spend_yuan",
        patron_core::money::Fen::parse_yuan(&input.high_spend_yuan)
            .ok()
            .filter(|f| f.0 >= 100)
            .map(|f| f.0)
            .ok_or("reports.invalid.money"),
    );
    let (Some(window_months), Some(recent_days), Some(frequent_purchases), Some(high_spend_fen)) =
        (window, recent, frequent, high)
    else {
        return Err(bad.into());
    };
    let row = SettingsRow {
        window_months,
        recent_days,
        frequent_purchases,
        high_spend_fen,
    };
    let before = store::settings(ctx.db()).await?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, row, before) = (c.clone(), row.clone(), before.clone());
            Box::pin(async move {
                store::save_settings(tx, &row, c.actor.staff().map(|s| s.id), c.now()).await?;
                tx.audit(
                    c.audit("reports.settings", "report_settings", 1)
                        .before(&serde_json::json!({
                            "window_months": before.window_months, "recent_days": before.recent_days,
                            "frequent_purchases": before.frequent_purchases,
                            "high_spend_fen": before.high_spend_fen,
                        }))
                        .after(&serde_json::json!({
                            "window_months": row.window_months, "recent_days": row.recent_days,
                            "frequent_purchases": row.frequent_purchases,
                            "high_spend_fen": row.high_spend_fen,
                        })),
                );
                Ok::<_, ReportError>(())
            })
        })
        .await?;
    Ok(())
}

/// The first moment of `day` in `tz`, in UTC.
fn start_of(day: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// Makes every open member's figures afresh as of `today`: (members with a purchase, members
/// looked at). Resumable: a range is replaced whole, so a rerun after a stop is correct.
pub async fn refresh(
    ctx: &Ctx,
    today: NaiveDate,
    progress: Option<Progress>,
) -> Result<(u64, u64), ReportError> {
    let db = ctx.db();
    let s = store::settings(db).await?;
    let tz = ctx.app.config.tz();
    let window_start = today
        .checked_sub_months(Months::new(u32::try_from(s.window_months).unwrap_or(12)))
        .unwrap_or(today);
    let since = start_of(window_start + Duration::days(1), tz);
    let max = store::max_member_id(db).await?;
    let (mut from, mut with) = (1i64, 0u64);
    while from <= max {
        let to = from + RANGE - 1;
        let rows = Arc::new(store::rfm_compute(db, from, to, since).await?);
        with += rows.len() as u64;
        db.write(move |tx| {
            let rows = rows.clone();
            Box::pin(async move { store::rfm_replace(tx, from, to, &rows, today).await })
        })
        .await?;
        if let Some(p) = &progress {
            p(to.min(max).max(0) as u64, max as u64);
        }
        from = to + 1;
    }
    let now = ctx.now();
    db.write(move |tx| Box::pin(async move { store::rfm_done(tx, now).await }))
        .await?;
    Ok((with, max.max(0) as u64))
}

/// The breakpoints and the day the members' figures were made (if they ever were): what every
/// segment count and list reads, loaded once.
pub struct Basis {
    pub settings: SettingsRow,
    pub made_on: Option<NaiveDate>,
}

impl Basis {
    pub async fn load(ctx: &Ctx) -> Result<Basis, ReportError> {
        let tz = ctx.app.config.tz();
        Ok(Basis {
            settings: store::settings(ctx.db()).await?,
            made_on: store::rfm_made_at(ctx.db())
                .await?
                .map(|t| crate::kernel::dates::business_date(t, tz)),
        })
    }

    /// "Active: a purchase in the last N months (figures of …)".
    pub fn active_note(&self, lang: Lang) -> String {
        match self.made_on {
            Some(day) => crate::web::said::Said::new("reports.note.active")
                .text("months", self.settings.window_months)
                .text("day", day)
                .say(lang),
            None => lang.t("reports.note.no_figures").to_string(),
        }
    }

    /// The query that picks out `segment`'s members (recency counted from the figures' day).
    pub fn query(&self, ctx: &Ctx, segment: Segment, store_id: Option<i64>) -> SegmentQuery {
        let day = self.made_on.unwrap_or_else(|| ctx.today());
        let s = &self.settings;
        SegmentQuery {
            flags: segment.flags(),
            recent_since: start_of(day - Duration::days(s.recent_days), ctx.app.config.tz()),
            frequent: s.frequent_purchases,
            high_fen: s.high_spend_fen,
            store_id,
        }
    }
}

/// The query that picks out `segment`'s members for the current breakpoints.
pub async fn segment_query(
    ctx: &Ctx,
    segment: Segment,
    store_id: Option<i64>,
) -> Result<SegmentQuery, ReportError> {
    Ok(Basis::load(ctx).await?.query(ctx, segment, store_id))
}

/// The segments with their members, share, purchases and spend; each row leads to its members.
pub async fn report(ctx: &Ctx, f: &Filter, lang: Lang) -> Result<Sheet, ReportError> {
    let db = ctx.db();
    let basis = Basis::load(ctx).await?;
    let s = &basis.settings;
    let q = basis.query(ctx, Segment::Champion, None);
    let groups = store::rfm_groups(db, q.recent_since, q.frequent, q.high_fen).await?;
    let mut per: Vec<(i64, i64, i64)> = vec![(0, 0, 0); Segment::ALL.len()];
    let index = |seg: Segment| Segment::ALL.iter().position(|s| *s == seg).unwrap_or(0);
    let mut with = 0;
    for g in groups
        .iter()
        .filter(|g| f.counts(g.store_id) && f.counts_tier(&g.tier_code))
    {
        let i = index(Segment::of_flags(g.recent, g.frequent, g.high));
        per[i].0 += g.n;
        per[i].1 += g.purchases;
        per[i].2 += g.spend_fen;
        with += g.n;
    }
    let open: i64 = store::open_by_store_tier(db)
        .await?
        .into_iter()
        .filter(|(store_id, tier, _)| f.counts(*store_id) && f.counts_tier(tier))
        .map(|(_, _, n)| n)
        .sum();
    per[index(Segment::Dormant)].0 = (open - with).max(0);
    let store_q = f
        .store
        .as_ref()
        .map(|s| format!("?store={}", s.code))
        .unwrap_or_default();
    let rows: Vec<Row> = Segment::ALL
        .iter()
        .zip(&per)
        .map(|(seg, (n, purchases, spend))| {
            Row::linked(
                vec![
                    Cell::Text(lang.t(&format!("reports.segment.{}", seg.code())).into()),
                    Cell::Int(*n),
                    percent(*n, open),
                    Cell::Int(if *n > 0 { purchases / n } else { 0 }),
                    Cell::Money(if *n > 0 { spend / n } else { 0 }),
                    Cell::Money(*spend),
                    Cell::Text(lang.t(&format!("reports.segment_do.{}", seg.code())).into()),
                ],
                format!("/reports/rfm/{}{store_q}", seg.code()),
            )
        })
        .collect();
    let total_spend: i64 = per.iter().map(|p| p.2).sum();
    let total_purchases: i64 = per.iter().map(|p| p.1).sum();
    let b = s.breakpoints();
    Ok(Sheet {
        columns: vec![
            "reports.rfm.col.segment",
            "reports.rfm.col.members",
            "reports.members.col.share",
            "reports.rfm.col.purchases",
            "reports.rfm.col.spend_avg",
            "reports.rfm.col.spend",
            "reports.rfm.col.action",
        ],
        chart: Some(super::sheet::Chart {
            kind: "bar",
            labels: Segment::ALL
                .iter()
                .map(|seg| {
                    lang.t(&format!("reports.segment.{}", seg.code()))
                        .to_string()
                })
                .collect(),
            series: vec![Series {
                name: lang.t("reports.rfm.col.members").into(),
                data: per.iter().map(|p| p.0 as f64).collect(),
            }],
        }),
        rows,
        totals: Some(vec![
            Cell::Text(lang.t("reports.total").into()),
            Cell::Int(open),
            percent(open, open),
            Cell::Int(if with > 0 { total_purchases / with } else { 0 }),
            Cell::Money(if with > 0 { total_spend / with } else { 0 }),
            Cell::Money(total_spend),
            Cell::Text(String::new()),
        ]),
        notes: vec![
            crate::web::said::Said::new("reports.note.rfm")
                .text("months", s.window_months)
                .text("days", b.recent_days)
                .text("purchases", b.frequent_purchases)
                .text("spend", patron_core::money::Fen(b.high_spend_fen))
                .say(lang),
            basis.active_note(lang),
        ],
    })
}
