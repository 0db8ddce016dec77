//! Monthly targets and their actuals (A4, B1): set per department (a store) and per person by a
//! manager; actuals counted from the records (`store/actuals.rs`), never typed; frozen at the
//! month's end by the job, after which neither moves.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use patron_core::{Fen, Permission};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::PlansError;
use super::store::{self, NewTarget};
use crate::jobs::RunReport;
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::month_bounds;
use crate::kernel::stores::StoreInfo;
use crate::kernel::validation::Invalid;

/// What is measured: group-buy sales (fen), new members, callbacks done, and new members by
/// recruitment channel (`recruit_` + the members' channel codes).
pub const METRICS: [&str; 10] = [
    "gb_sales",
    "new_members",
    "callbacks",
    "recruit_website",
    "recruit_social",
    "recruit_ecommerce",
    "recruit_desk",
    "recruit_event",
    "recruit_partner",
    "recruit_referral",
];

/// The metric's values are money (fen).
pub fn is_money(metric: &str) -> bool {
    metric == "gb_sales"
}

/// One line of the board: a metric of the department (`staff_id` 0) or of a person.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = plans::BoardRow)]
pub struct BoardRow {
    pub staff_id: i64,
    /// The person's name (empty for the department).
    pub staff: String,
    pub metric: String,
    pub target: Option<i64>,
    pub actual: i64,
    /// Actual as a percentage of the target, rounded down (none without a target above 0).
    pub percent: Option<i64>,
}

/// A store's month: targets against actuals, live or as frozen.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = plans::Board)]
pub struct Board {
    pub month: String,
    pub store: String,
    pub frozen_at: Option<DateTime<Utc>>,
    pub rows: Vec<BoardRow>,
}

fn percent(target: Option<i64>, actual: i64) -> Option<i64> {
    target
        .filter(|t| *t > 0)
        .map(|t| actual.saturating_mul(100) / t)
}

/// The month's actuals at a store, counted now: (staff id or 0, metric) → value.
async fn count(
    ctx: &Ctx,
    store_id: i64,
    month: &str,
) -> Result<HashMap<(i64, String), i64>, PlansError> {
    let Some((from, to)) = month_bounds(month) else {
        return Err(Invalid::one("month", "invalid.month").into());
    };
    let db = ctx.db();
    let mut out: HashMap<(i64, String), i64> = HashMap::new();
    let mut add = |staff: i64, metric: &str, n: i64| {
        *out.entry((staff, metric.to_string())).or_default() += n;
        *out.entry((0, metric.to_string())).or_default() += n;
    };
    for (seller, fen) in store::sales_by_seller(db, store_id, from, to).await? {
        add(seller, "gb_sales", fen);
    }
    for (caller, n) in store::callbacks_by_caller(db, store_id, from, to).await? {
        add(caller, "callbacks", n);
    }
    for m in store::new_members(db, store_id, from, to).await? {
        let who = m.recruiter.unwrap_or(-1);
        add(who, "new_members", 1);
        add(who, &format!("recruit_{}", m.channel), 1);
    }
    // Members nobody recruited (imports) count for the department only.
    out.retain(|(staff, _), _| *staff >= 0);
    Ok(out)
}

/// A store's month: every metric of the department, and each person's metrics that have a
/// target or an actual.
pub async fn board(ctx: &Ctx, store: &StoreInfo, month: &str) -> Result<Board, PlansError> {
    ctx.require_at(Permission::ViewTargets, store.id)?;
    if month_bounds(month).is_none() {
        return Err(Invalid::one("month", "invalid.month").into());
    }
    let db = ctx.db();
    let frozen_at = store::frozen_at(db, month, store.id).await?;
    let actuals: HashMap<(i64, String), i64> = if frozen_at.is_some() {
        store::frozen_actuals(db, month, store.id)
            .await?
            .into_iter()
            .map(|a| ((a.staff_id, a.metric), a.actual))
            .collect()
    } else {
        count(ctx, store.id, month).await?
    };
    let targets: HashMap<(i64, String), i64> = store::targets(db, month, store.id)
        .await?
        .into_iter()
        .map(|t| ((t.staff_id, t.metric), t.target))
        .collect();
    let names: HashMap<i64, String> = store::names(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.display_name))
        .collect();
    let mut people: Vec<i64> = actuals
        .keys()
        .chain(targets.keys())
        .map(|(s, _)| *s)
        .filter(|s| *s > 0)
        .collect();
    people.sort_by(|a, b| names.get(a).cmp(&names.get(b)).then(a.cmp(b)));
    people.dedup();
    let mut rows = Vec::new();
    for staff_id in std::iter::once(0).chain(people) {
        for metric in METRICS {
            let key = (staff_id, metric.to_string());
            let target = targets.get(&key).copied();
            let actual = actuals.get(&key).copied().unwrap_or(0);
            if staff_id != 0 && target.is_none() && actual == 0 {
                continue;
            }
            rows.push(BoardRow {
                staff_id,
                staff: names.get(&staff_id).cloned().unwrap_or_default(),
                metric: metric.to_string(),
                target,
                actual,
                percent: percent(target, actual),
            });
        }
    }
    Ok(Board {
        month: month.to_string(),
        store: store.code.clone(),
        frozen_at,
        rows,
    })
}

/// Targets as set: the month, the store, whose (a user name; empty for the department), and a
/// value per metric (yuan for `gb_sales`, whole numbers for the rest; empty: left as it is).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = plans::TargetsIn, examples(json!({"month": "2026-11", "store_code": "HQ", "staff": "", "targets": {"gb_sales": "500000.00", "new_members": "120", "recruit_desk": "60"}})))]
pub struct TargetsIn {
    pub month: String,
    pub store_code: String,
    #[serde(default)]
    pub staff: String,
    #[serde(default)]
    #[schema(value_type = TargetValues)]
    pub targets: BTreeMap<String, String>,
}

/// The values a `TargetsIn` may carry, one per metric (documentation of its `targets` map).
#[derive(ToSchema)]
#[schema(as = plans::TargetValues)]
#[allow(dead_code)]
pub struct TargetValues {
    /// Yuan, e.g. `500000.00`.
    gb_sales: Option<String>,
    new_members: Option<String>,
    callbacks: Option<String>,
    recruit_website: Option<String>,
    recruit_social: Option<String>,
    recruit_ecommerce: Option<String>,
    recruit_desk: Option<String>,
    recruit_event: Option<String>,
    recruit_partner: Option<String>,
    recruit_referral: Option<String>,
}

fn value(bad: &mut Invalid, metric: &str, text: &str) -> Option<i64> {
    let field = format!("targets.{metric}");
    if is_money(metric) {
        match Fen::parse_yuan(text) {
            Ok(f) if f.0 >= 0 => Some(f.0),
            _ => {
                bad.add(&field, "invalid.amount");
                None
            }
        }
    } else {
        match patron_core::typed::parse_int(text) {
            Some(n) if (0..=100_000_000).contains(&n) => Some(n),
            _ => {
                bad.add(&field, "invalid.number");
                None
            }
        }
    }
}

/// Sets a month's targets of a department or a person; refused once the month is frozen.
/// How many were set.
pub async fn set_targets(ctx: &Ctx, input: &TargetsIn) -> Result<usize, PlansError> {
    ctx.require(Permission::ManageTargets)?;
    let mut bad = Invalid::new();
    let month = input.month.trim().to_string();
    if month_bounds(&month).is_none() {
        bad.add("month", "invalid.month");
    }
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let store = stores.by_code(&input.store_code).cloned();
    if store.is_none() {
        bad.add("store_code", "invalid.store_code");
    }
    let mut values = Vec::new();
    for (metric, text) in &input.targets {
        let Some(m) = METRICS.iter().find(|m| **m == metric.as_str()) else {
            bad.add(&format!("targets.{metric}"), "invalid.choice");
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        if let Some(v) = value(&mut bad, m, text) {
            values.push((*m, v));
        }
    }
    bad.into_result()?;
    let Some(store) = store else {
        return Err(Invalid::one("store_code", "invalid.store_code").into());
    };
    ctx.require_at(Permission::ManageTargets, store.id)?;
    let staff_id = if input.staff.trim().is_empty() {
        0
    } else {
        store::team(ctx.db(), store.id)
            .await?
            .into_iter()
            .find(|m| m.username.eq_ignore_ascii_case(input.staff.trim()))
            .map(|m| m.id)
            .ok_or_else(|| Invalid::one("staff", "plans.invalid.staff"))?
    };
    if values.is_empty() {
        return Err(Invalid::one("targets", "invalid.required").into());
    }
    let c = ctx.clone();
    let n = values.len();
    ctx.db()
        .write(move |tx| {
            let (c, month, values, store) =
                (c.clone(), month.clone(), values.clone(), store.clone());
            Box::pin(async move {
                if store::frozen_at(&mut *tx, &month, store.id)
                    .await?
                    .is_some()
                {
                    return Err(PlansError::Frozen(month));
                }
                let mut before = serde_json::Map::new();
                let mut after = serde_json::Map::new();
                for (metric, v) in &values {
                    if let Some(old) =
                        store::target_of(tx, &month, store.id, staff_id, metric).await?
                    {
                        before.insert((*metric).into(), json!(old));
                    }
                    after.insert((*metric).into(), json!(v));
                    store::set_target(
                        tx,
                        &NewTarget {
                            month: &month,
                            store_id: store.id,
                            staff_id,
                            metric,
                            target: *v,
                            by: c.actor.staff().map(|s| s.id),
                            at: c.now(),
                        },
                    )
                    .await?;
                }
                let mut entry = c
                    .audit(
                        "plans.targets_set",
                        "target",
                        format!("{month}:{}:{staff_id}", store.code),
                    )
                    .after(&json!({ "month": month, "staff_id": staff_id, "targets": after }));
                entry.store_id = Some(store.id);
                if !before.is_empty() {
                    entry = entry.before(&json!({ "targets": before }));
                }
                tx.audit(entry);
                Ok(())
            })
        })
        .await?;
    Ok(n)
}

/// Freezes `month`'s actuals at every active store (job `plans-freeze-targets`): a store's month
/// is frozen once; a second run finds it done and writes nothing.
pub async fn freeze(ctx: &Ctx, month: &str) -> Result<RunReport, PlansError> {
    if month_bounds(month).is_none() {
        return Err(Invalid::one("month", "invalid.month").into());
    }
    let mut report = RunReport::default();
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    for s in stores.all().into_iter().filter(|s| s.active) {
        report.seen += 1;
        if store::frozen_at(ctx.db(), month, s.id).await?.is_some() {
            continue;
        }
        let targets = store::targets(ctx.db(), month, s.id).await?;
        let mut actuals = count(ctx, s.id, month).await?;
        // Every department metric and every person's targeted metric is kept, zeros too.
        for metric in METRICS {
            actuals.entry((0, metric.to_string())).or_default();
        }
        for t in targets {
            actuals.entry((t.staff_id, t.metric)).or_default();
        }
        let rows: Vec<(i64, String, i64)> =
            actuals.into_iter().map(|((s, m), v)| (s, m, v)).collect();
        let (c, key, store) = (ctx.clone(), month.to_string(), s.clone());
        let done = ctx
            .db()
            .write(move |tx| {
                let (c, month, store, rows) = (c.clone(), key.clone(), store.clone(), rows.clone());
                Box::pin(async move {
                    if !store::freeze_month(tx, &month, store.id, c.now()).await? {
                        return Ok::<_, PlansError>(false);
                    }
                    for (staff, metric, v) in &rows {
                        store::insert_actual(tx, &month, store.id, *staff, metric, *v).await?;
                    }
                    let mut entry = c
                        .audit(
                            "plans.targets_frozen",
                            "target",
                            format!("{month}:{}", store.code),
                        )
                        .after(&json!({ "month": month, "actuals": rows.len() }));
                    entry.store_id = Some(store.id);
                    tx.audit(entry);
                    Ok(true)
                })
            })
            .await?;
        if done {
            report.processed += 1;
        }
    }
    Ok(report)
}

/// The board of the store named (default: the reader's first where they may see targets) and
/// the month named (default: this month), as the API asks for it.
pub async fn board_at(
    ctx: &Ctx,
    store_code: Option<&str>,
    month: Option<&str>,
) -> Result<Board, PlansError> {
    ctx.require(Permission::ViewTargets)?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let want = store_code.map(str::trim).filter(|s| !s.is_empty());
    let store = match want {
        Some(code) => stores
            .by_code(code)
            .cloned()
            .ok_or_else(|| Invalid::one("store", "invalid.store_code"))?,
        None => {
            let mut mine: Vec<StoreInfo> = stores
                .all()
                .into_iter()
                .filter(|s| s.active && ctx.can_at(Permission::ViewTargets, s.id))
                .collect();
            mine.sort_by(|a, b| a.code.cmp(&b.code));
            mine.into_iter()
                .next()
                .ok_or(crate::kernel::ctx::Forbidden(Permission::ViewTargets))?
        }
    };
    let month = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => m.to_string(),
        None => crate::kernel::dates::month_key(ctx.today_at(&store)),
    };
    board(ctx, &store, &month).await
}
