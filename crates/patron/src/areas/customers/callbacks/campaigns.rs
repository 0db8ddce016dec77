//! Holiday call campaigns (F3, S0 §1.6.3): before 元旦, 三八, 中秋, 国庆 and 春节 the desk calls its
//! customers — do they give staff benefits before the holiday, in what, how much. Half a month
//! before the festival, over one week, large state-owned organisations and frequent long-term
//! buyers first; before 中秋 and 国庆 also gift visits to the top customers.
//!
//! A campaign is built once per festival and year (a unique key): by the daily job when the
//! festival is 22 days away or nearer (so the list exists a week before calls begin), or by a
//! manager at once. Each owned active customer gets one call; each salesperson's calls are
//! spread evenly over the working days of the seven (the office calendar; all seven when none
//! is a working day), the most important first. A callback logged during the campaign is its
//! call (see `log.rs`), which gives the progress: called, reached, intends to buy, the amount
//! expected, and the group-buy sales that followed until the festival.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use patron_core::Permission;
use patron_core::calendar::{BusinessCalendar, FestivalCode};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::store::{self, CallRow, CampaignRow, Candidate, NewCall, NewCampaign};
use crate::areas::calendar;
use crate::areas::customers::CustomersError;
use crate::jobs::RunReport;
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::Invalid;

/// The festivals with a call campaign.
pub const FESTIVALS: [FestivalCode; 5] = [
    FestivalCode::NewYear,
    FestivalCode::WomensDay,
    FestivalCode::MidAutumn,
    FestivalCode::NationalDay,
    FestivalCode::SpringFestival,
];
/// The list is built this many days before the festival.
pub const LIST_DAYS: u64 = 22;
/// Calls begin this many days before the festival …
pub const CALLS_START_DAYS: u64 = 15;
/// … and run over this many days.
pub const CALL_DAYS: u64 = 7;
/// Gift visits (before 中秋 and 国庆) go to each salesperson's top customers by purchases.
pub const GIFT_TOP: usize = 5;
/// The history that ranks customers: group-buy sales of the last two years …
const HISTORY_DAYS: u64 = 730;
/// … and last year's holiday purchase: the 30 days before last year's same festival.
const HOLIDAY_WINDOW_DAYS: u64 = 30;

/// Whether a festival's campaign plans gift visits.
pub fn has_gift_visits(code: FestivalCode) -> bool {
    matches!(code, FestivalCode::MidAutumn | FestivalCode::NationalDay)
}

/// A festival code of a campaign (`mid_autumn`), or a refusal naming `festival`.
pub fn festival_code(text: &str) -> Result<FestivalCode, Invalid> {
    FestivalCode::parse(text.trim())
        .filter(|f| FESTIVALS.contains(f))
        .ok_or_else(|| {
            let key = if text.trim().is_empty() {
                "invalid.required"
            } else {
                "invalid.choice"
            };
            Invalid::one("festival", key)
        })
}

/// The first and last call day of a festival on `date`.
pub fn call_window(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let from = date - Days::new(CALLS_START_DAYS);
    (from, from + Days::new(CALL_DAYS - 1))
}

/// The days calls are made on: the working days of the window, or all of it when none works.
fn call_days(office: &BusinessCalendar, from: NaiveDate) -> Vec<NaiveDate> {
    let all: Vec<NaiveDate> = (0..CALL_DAYS).map(|i| from + Days::new(i)).collect();
    let working: Vec<NaiveDate> = all
        .iter()
        .copied()
        .filter(|d| office.is_working_day(*d))
        .collect();
    if working.is_empty() { all } else { working }
}

fn is_large(c: &Candidate) -> bool {
    matches!(c.kind.as_str(), "government" | "enterprise") && c.grade == "A"
}

/// The call list: large state-owned organisations first, then the most frequent and largest
/// buyers, then by grade; each salesperson's calls spread evenly over the call days in that
/// order; gift visits to each salesperson's top buyers a week after their call.
pub fn plan(mut candidates: Vec<Candidate>, days: &[NaiveDate], gifts: bool) -> Vec<NewCall> {
    candidates.sort_by(|a, b| {
        is_large(b)
            .cmp(&is_large(a))
            .then(b.purchases.cmp(&a.purchases))
            .then(b.purchase_fen.cmp(&a.purchase_fen))
            .then(a.grade.cmp(&b.grade))
            .then(a.id.cmp(&b.id))
    });
    let mut by_owner: BTreeMap<i64, Vec<(usize, Candidate)>> = BTreeMap::new();
    for (rank, c) in candidates.into_iter().enumerate() {
        by_owner
            .entry(c.owner_staff_id)
            .or_default()
            .push((rank, c));
    }
    let mut out = Vec::new();
    for list in by_owner.values() {
        let n = list.len();
        let mut top: Vec<&(usize, Candidate)> =
            list.iter().filter(|(_, c)| c.purchase_fen > 0).collect();
        top.sort_by(|a, b| b.1.purchase_fen.cmp(&a.1.purchase_fen).then(a.0.cmp(&b.0)));
        let top: Vec<i64> = top.iter().take(GIFT_TOP).map(|(_, c)| c.id).collect();
        for (i, (rank, c)) in list.iter().enumerate() {
            let day = days[(i * days.len()) / n.max(1)];
            out.push(NewCall {
                customer_id: c.id,
                owner_staff_id: c.owner_staff_id,
                call_on: day,
                list_no: i64::try_from(*rank + 1).unwrap_or(i64::MAX),
                large: is_large(c),
                purchases: c.purchases,
                purchase_fen: c.purchase_fen,
                last_holiday_fen: c.last_holiday_fen,
                gift_visit_on: (gifts && top.contains(&c.id)).then(|| day + Days::new(CALL_DAYS)),
            });
        }
    }
    out.sort_by_key(|k| k.list_no);
    out
}

/// What a build did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Built {
    pub campaign_id: i64,
    /// False when the campaign had been built before (nothing was written).
    pub new: bool,
    pub calls: u64,
}

/// Builds the campaign of `code` in `year` (idempotent: once built, it is answered as it is).
pub async fn build(ctx: &Ctx, code: FestivalCode, year: i32) -> Result<Built, CustomersError> {
    ctx.require(Permission::AssignCustomers)?;
    if let Some(id) = store::campaign_of(ctx.db(), code.code(), i64::from(year)).await? {
        return Ok(Built {
            campaign_id: id,
            new: false,
            calls: 0,
        });
    }
    let day = calendar::festival(ctx.db(), code, year)
        .await
        .map_err(|_| Invalid::one("year", "invalid.number"))?
        .date;
    let (from, to) = call_window(day);
    let office = calendar::load(ctx.db(), calendar::OFFICE).await?;
    let last = calendar::festival(ctx.db(), code, year - 1)
        .await
        .map_err(|_| Invalid::one("year", "invalid.number"))?
        .date;
    let today = ctx.today();
    let candidates = store::candidates(
        ctx.db(),
        today - Days::new(HISTORY_DAYS),
        last - Days::new(HOLIDAY_WINDOW_DAYS),
        last,
    )
    .await?;
    let calls = std::sync::Arc::new(plan(
        candidates,
        &call_days(&office, from),
        has_gift_visits(code),
    ));
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, calls) = (c.clone(), calls.clone());
            Box::pin(async move {
                let built = store::insert_campaign(
                    tx,
                    &NewCampaign {
                        festival: code.code(),
                        year: i64::from(year),
                        festival_date: day,
                        calls_from: from,
                        calls_to: to,
                        built_by: c.actor.staff().map(|s| s.id),
                        at: c.now(),
                    },
                )
                .await?;
                let Some(id) = built else {
                    let id = store::campaign_of(&mut *tx, code.code(), i64::from(year))
                        .await?
                        .ok_or(CustomersError::NotFound)?;
                    return Ok(Built {
                        campaign_id: id,
                        new: false,
                        calls: 0,
                    });
                };
                let n = store::insert_calls(tx, id, &calls).await?;
                tx.audit(
                    c.audit("customers.campaign_built", "customer_campaign", id)
                        .after(&json!({
                            "festival": code.code(), "year": year, "festival_date": day,
                            "calls_from": from, "calls_to": to, "calls": n,
                        })),
                );
                Ok(Built {
                    campaign_id: id,
                    new: true,
                    calls: n,
                })
            })
        })
        .await
}

/// The daily job's work: builds each festival's campaign once it is `LIST_DAYS` away or nearer
/// (and not yet past).
pub async fn run(ctx: &Ctx, today: NaiveDate) -> Result<RunReport, CustomersError> {
    let mut report = RunReport::default();
    for code in FESTIVALS {
        report.seen += 1;
        let next = calendar::next_festival(ctx.db(), code, today)
            .await
            .map_err(|e| CustomersError::Conflict(e.to_string()))?;
        if next.date <= today || next.date - Days::new(LIST_DAYS) > today {
            continue;
        }
        if build(ctx, code, next.date.year()).await?.new {
            report.processed += 1;
        }
    }
    Ok(report)
}

/// A campaign with its calls (of the caller, or everyone's for those who assign customers).
pub struct CampaignView {
    pub campaign: CampaignRow,
    pub calls: Vec<CallRow>,
}

pub async fn list(ctx: &Ctx) -> Result<Vec<CampaignRow>, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    Ok(store::campaigns(ctx.db()).await?)
}

pub async fn view(ctx: &Ctx, id: i64) -> Result<CampaignView, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    let campaign = store::campaign(ctx.db(), id)
        .await?
        .ok_or(CustomersError::NotFound)?;
    let owner = if ctx.can(Permission::AssignCustomers) {
        None
    } else {
        Some(ctx.actor.staff().map_or(-1, |s| s.id))
    };
    let calls = store::calls(ctx.db(), id, owner).await?;
    Ok(CampaignView { campaign, calls })
}

/// The holiday calls of a festival and year as the API gives them (`api/care.md`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = customers::HolidayCalls)]
pub struct HolidayCalls {
    pub festival_date: NaiveDate,
    pub calls: Vec<HolidayCall>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = customers::HolidayCall)]
pub struct HolidayCall {
    pub customer_id: i64,
    /// The salesperson's user name.
    pub owner: String,
    pub call_on: NaiveDate,
    /// Planned gift visit (before 中秋 and 国庆).
    pub gift_visit_on: Option<NaiveDate>,
    pub called: bool,
}

/// The calls of the campaign of `festival` in `year`; nothing is built.
pub async fn holiday_calls(
    ctx: &Ctx,
    festival: &str,
    year: &str,
) -> Result<HolidayCalls, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    let code = festival_code(festival);
    let year_n = year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2200).contains(y));
    let mut bad = Invalid::new();
    if let Err(e) = &code {
        bad.0.extend(e.0.iter().cloned());
    }
    if year_n.is_none() {
        bad.add("year", "invalid.number");
    }
    bad.into_result()?;
    let (Ok(code), Some(year_n)) = (code, year_n) else {
        return Err(Invalid::one("year", "invalid.number").into());
    };
    let id = store::campaign_of(ctx.db(), code.code(), i64::from(year_n))
        .await?
        .ok_or(CustomersError::CampaignNotBuilt(code.code(), year_n))?;
    let view = view(ctx, id).await?;
    Ok(HolidayCalls {
        festival_date: view.campaign.festival_date,
        calls: view
            .calls
            .into_iter()
            .map(|k| HolidayCall {
                customer_id: k.customer_id,
                owner: k.owner,
                call_on: k.call_on,
                gift_visit_on: k.gift_visit_on,
                called: k.callback_id.is_some(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: i64, owner: i64, kind: &str, grade: &str, purchases: i64, fen: i64) -> Candidate {
        Candidate {
            id,
            kind: kind.into(),
            grade: grade.into(),
            owner_staff_id: owner,
            purchases,
            purchase_fen: fen,
            last_holiday_fen: 0,
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_mid_autumn_2027_calls_run_from_31_august_to_6_september() {
        assert_eq!(
            call_window(d("2027-09-15")),
            (d("2027-08-31"), d("2027-09-06"))
        );
    }

    #[test]
    fn large_organisations_come_first_and_each_salesperson_is_spread_over_the_days() {
        let days = [d("2027-08-31"), d("2027-09-01")];
        let calls = plan(
            vec![
                cand(1, 10, "individual", "C", 9, 900),
                cand(2, 10, "government", "A", 0, 0),
                cand(3, 10, "enterprise", "B", 3, 300),
                cand(4, 20, "collective", "B", 1, 100),
            ],
            &days,
            true,
        );
        let order: Vec<i64> = calls.iter().map(|k| k.customer_id).collect();
        assert_eq!(order, vec![2, 1, 3, 4]);
        let on = |id| {
            calls
                .iter()
                .find(|k| k.customer_id == id)
                .map(|k| k.call_on)
        };
        assert_eq!(on(2), Some(days[0]));
        assert_eq!(on(1), Some(days[0]));
        assert_eq!(on(3), Some(days[1]));
        assert_eq!(
            on(4),
            Some(days[0]),
            "another salesperson starts on the first day"
        );
        let gift = |id| {
            calls
                .iter()
                .find(|k| k.customer_id == id)
                .and_then(|k| k.gift_visit_on)
        };
        assert_eq!(gift(2), None, "no purchases, no gift visit");
        assert_eq!(gift(1), Some(d("2027-09-07")));
    }
}
