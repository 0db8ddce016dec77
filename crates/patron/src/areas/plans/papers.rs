//! Writing and reading one period's plan and summary (A3).

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::periods::{Dues, Period, dues, standing};
use super::store::{self, Member, NewPlan, PlanRow};
use super::{PlansError, me};
use crate::areas::calendar;
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::Invalid;

/// At most this many items in a plan, each at most `ITEM_MAX` characters.
const ITEMS_MAX: usize = 30;
const ITEM_MAX: usize = 200;
const NOTES_MAX: usize = 2000;

/// One item of a plan, and in a summary what became of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = plans::Item)]
pub struct Item {
    pub text: String,
    /// (summary) It was done.
    #[serde(default)]
    pub done: bool,
    /// (summary) It carries into the next plan.
    #[serde(default)]
    pub carry: bool,
    /// (summary) What the writer says about it.
    #[serde(default)]
    pub note: String,
}

/// A plan as written: its items (one per line on the form) and notes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = plans::PlanIn, examples(json!({"items": ["回访三家大宗客户", "整理会员登记资料"], "notes": ""})))]
pub struct PlanIn {
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

/// One of the plan's items as the summary marks it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = plans::SummaryItemIn)]
pub struct SummaryItemIn {
    pub text: String,
    #[serde(default)]
    pub done: bool,
    /// Not done and not carried into the next plan.
    #[serde(default)]
    pub dropped: bool,
    #[serde(default)]
    pub note: String,
}

/// A summary as written: the plan's items marked, what else goes into the next plan, and the
/// reflection (总结反省).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = plans::SummaryIn, examples(json!({"items": [{"text": "回访三家大宗客户", "done": true}], "next": ["跟进某某公司团购意向"], "notes": "两家已确认"})))]
pub struct SummaryIn {
    #[serde(default)]
    pub items: Vec<SummaryItemIn>,
    #[serde(default)]
    pub next: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

/// A written plan or summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = plans::Paper)]
pub struct Paper {
    pub items: Vec<Item>,
    pub notes: String,
    /// (summary) What carries into the next plan.
    pub next: Vec<String>,
    pub written_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub late: bool,
}

impl Paper {
    fn of(row: &PlanRow) -> Paper {
        Paper {
            items: serde_json::from_str(&row.items).unwrap_or_default(),
            notes: row.notes.clone(),
            next: serde_json::from_str(&row.next_items).unwrap_or_default(),
            written_at: row.first_at,
            updated_at: row.updated_at,
            late: row.late,
        }
    }
}

/// One person's period: its dates, due times, plan and summary and their standing, and what the
/// previous summary carried into this plan.
#[derive(Debug, Clone)]
pub struct PeriodView {
    pub staff: Member,
    pub period: Period,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub dues: Dues,
    pub plan: Option<Paper>,
    pub summary: Option<Paper>,
    /// From the last summary before this period: the items this plan opens with.
    pub carried: Vec<String>,
    pub plan_standing: &'static str,
    pub summary_standing: &'static str,
    /// The period has begun: its summary may be written.
    pub begun: bool,
}

impl PeriodView {
    /// What a new plan's form opens with: the plan as written, else what was carried.
    pub fn plan_lines(&self) -> String {
        match &self.plan {
            Some(p) => p
                .items
                .iter()
                .map(|i| i.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            None => self.carried.join("\n"),
        }
    }

    /// The items a summary form marks: the summary's own when written, else the plan's.
    pub fn summary_items(&self) -> Vec<Item> {
        match (&self.summary, &self.plan) {
            (Some(s), _) => s.items.clone(),
            (None, Some(p)) => p.items.clone(),
            (None, None) => Vec::new(),
        }
    }
}

fn parse_period(bad: &mut Invalid, period: &str) -> Option<Period> {
    let p = Period::parse(period);
    if p.is_none() {
        bad.add("period", "invalid.choice");
    }
    p
}

fn parse_date(bad: &mut Invalid, date: &str) -> Option<NaiveDate> {
    let folded = patron_core::typed::fold_width(date.trim()).to_string();
    bad.check(
        "date",
        NaiveDate::parse_from_str(&folded, "%Y-%m-%d").map_err(|_| "invalid.date"),
    )
}

fn where_(period: &str, date: &str) -> Result<(Period, NaiveDate), PlansError> {
    let mut bad = Invalid::new();
    let p = parse_period(&mut bad, period);
    let d = parse_date(&mut bad, date);
    bad.into_result()?;
    match (p, d) {
        (Some(p), Some(d)) => Ok((p, p.start(d))),
        _ => Err(Invalid::one("date", "invalid.date").into()),
    }
}

/// A period of `staff_id` (None: the reader's own): a reviewer may read their team's.
pub async fn period_view(
    ctx: &Ctx,
    staff_id: Option<i64>,
    period: &str,
    date: &str,
) -> Result<PeriodView, PlansError> {
    let staff = match staff_id {
        None => me(ctx, Permission::WritePlans)?,
        Some(id) => super::team::reviewable(ctx, id).await?,
    };
    let (period, start) = where_(period, date)?;
    load(ctx, staff, period, start).await
}

async fn load(
    ctx: &Ctx,
    staff_id: i64,
    period: Period,
    start: NaiveDate,
) -> Result<PeriodView, PlansError> {
    let db = ctx.db();
    let staff = store::names(db)
        .await?
        .into_iter()
        .find(|m| m.id == staff_id)
        .ok_or(PlansError::NotFound)?;
    let cal = calendar::load(db, calendar::OFFICE).await?;
    let tz = ctx.app.config.tz();
    let mut d = dues(&cal, tz, period, start);
    d.expected = d.expected && super::periods::owed(staff.created_at, tz, start);
    let rows = store::of_period(db, staff_id, period.code(), start).await?;
    let plan = rows.iter().find(|r| r.kind == "plan").map(Paper::of);
    let summary = rows.iter().find(|r| r.kind == "summary").map(Paper::of);
    let carried = match store::summary_before(db, staff_id, period.code(), start).await? {
        Some(prev) => Paper::of(&prev).next,
        None => Vec::new(),
    };
    let now = ctx.now();
    Ok(PeriodView {
        plan_standing: standing(d.expected, d.plan_due, plan.as_ref().map(|p| p.late), now),
        summary_standing: standing(
            d.expected,
            d.summary_due,
            summary.as_ref().map(|p| p.late),
            now,
        ),
        staff,
        period,
        starts_on: start,
        ends_on: period.end(start),
        dues: d,
        plan,
        summary,
        carried,
        begun: ctx.today() >= start,
    })
}

fn text(bad: &mut Invalid, field: &str, t: &str, max: usize) -> String {
    let t = t.trim();
    if t.chars().count() > max {
        bad.add(field, "invalid.too_long");
    }
    t.to_string()
}

/// Lines given, blank ones left out.
fn lines(bad: &mut Invalid, field: &str, given: &[String]) -> Vec<String> {
    let out: Vec<String> = given
        .iter()
        .map(|l| text(bad, field, l, ITEM_MAX))
        .filter(|l| !l.is_empty())
        .collect();
    if out.len() > ITEMS_MAX {
        bad.add(field, "invalid.too_many");
    }
    out
}

/// Writes (or rewrites) the reader's plan of a period.
pub async fn write_plan(
    ctx: &Ctx,
    period: &str,
    date: &str,
    input: &PlanIn,
) -> Result<PeriodView, PlansError> {
    let staff = me(ctx, Permission::WritePlans)?;
    let (period, start) = where_(period, date)?;
    let mut bad = Invalid::new();
    let items = lines(&mut bad, "items", &input.items);
    if items.is_empty() {
        bad.add("items", "invalid.required");
    }
    let notes = text(&mut bad, "notes", &input.notes, NOTES_MAX);
    bad.into_result()?;
    let items: Vec<Item> = items
        .into_iter()
        .map(|text| Item {
            text,
            ..Item::default()
        })
        .collect();
    save(
        ctx,
        staff,
        period,
        start,
        "plan",
        (items.as_slice(), notes.as_str(), &[]),
    )
    .await?;
    load(ctx, staff, period, start).await
}

/// Writes (or rewrites) the reader's summary of a period that has begun.
pub async fn write_summary(
    ctx: &Ctx,
    period: &str,
    date: &str,
    input: &SummaryIn,
) -> Result<PeriodView, PlansError> {
    let staff = me(ctx, Permission::WritePlans)?;
    let (period, start) = where_(period, date)?;
    let mut bad = Invalid::new();
    if ctx.today() < start {
        bad.add("date", "plans.invalid.summary_early");
    }
    if input.items.len() > ITEMS_MAX {
        bad.add("items", "invalid.too_many");
    }
    let mut items = Vec::new();
    for (i, it) in input.items.iter().enumerate() {
        let t = text(&mut bad, &format!("items[{i}].text"), &it.text, ITEM_MAX);
        let note = text(&mut bad, &format!("items[{i}].note"), &it.note, ITEM_MAX);
        if t.is_empty() {
            continue;
        }
        items.push(Item {
            text: t,
            done: it.done,
            carry: !it.done && !it.dropped,
            note,
        });
    }
    let next_given = lines(&mut bad, "next", &input.next);
    let notes = text(&mut bad, "notes", &input.notes, NOTES_MAX);
    if items.is_empty() && notes.is_empty() {
        bad.add("notes", "invalid.required");
    }
    bad.into_result()?;
    let mut next: Vec<String> = items
        .iter()
        .filter(|i| i.carry)
        .map(|i| i.text.clone())
        .collect();
    for n in next_given {
        if !next.contains(&n) {
            next.push(n);
        }
    }
    next.truncate(ITEMS_MAX);
    save(
        ctx,
        staff,
        period,
        start,
        "summary",
        (items.as_slice(), notes.as_str(), next.as_slice()),
    )
    .await?;
    load(ctx, staff, period, start).await
}

async fn save(
    ctx: &Ctx,
    staff_id: i64,
    period: Period,
    start: NaiveDate,
    kind: &'static str,
    (items, notes, next): (&[Item], &str, &[String]),
) -> Result<(), PlansError> {
    let cal = calendar::load(ctx.db(), calendar::OFFICE).await?;
    let d = dues(&cal, ctx.app.config.tz(), period, start);
    let due_at = if kind == "plan" {
        d.plan_due
    } else {
        d.summary_due
    };
    let items_json = serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
    let next_json = serde_json::to_string(next).unwrap_or_else(|_| "[]".into());
    let notes = notes.to_string();
    let count = items.len();
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, items_json, next_json, notes) = (
                c.clone(),
                items_json.clone(),
                next_json.clone(),
                notes.clone(),
            );
            Box::pin(async move {
                let (id, late) = store::upsert(
                    tx,
                    &NewPlan {
                        staff_id,
                        period: period.code(),
                        starts_on: start,
                        kind,
                        items: &items_json,
                        notes: &notes,
                        next_items: &next_json,
                        due_at,
                        at: c.now(),
                    },
                )
                .await?;
                tx.audit(
                    c.audit(&format!("plans.{kind}_written"), "plan", id)
                        .after(&json!({
                            "period": period.code(), "starts_on": start, "kind": kind,
                            "items": count, "late": late,
                        })),
                );
                Ok::<_, PlansError>(())
            })
        })
        .await
}
