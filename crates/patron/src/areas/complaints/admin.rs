//! A manager's settings of complaints: the clocks' lengths and the departments a case may be
//! routed to (codes stay once used: a department is renamed or switched off, never removed).

use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::ComplaintError;
use super::clocks::Settings;
use super::store::{self, SettingsRow};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::DbError;
use crate::kernel::validation::{Invalid, required_text};

/// A department as the API lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = complaints::Department)]
pub struct Department {
    pub code: String,
    pub name: String,
}

/// The active departments, in their order.
pub async fn departments(ctx: &Ctx) -> Result<Vec<Department>, ComplaintError> {
    if !ctx.can(Permission::HandleComplaints) {
        ctx.require(Permission::TakeComplaints)?;
    }
    Ok(active_departments(ctx).await?)
}

pub async fn active_departments(ctx: &Ctx) -> Result<Vec<Department>, DbError> {
    Ok(store::departments(ctx.db())
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| Department {
            code: d.code,
            name: d.name,
        })
        .collect())
}

/// A department added or changed on the settings page.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = complaints::DepartmentIn)]
pub struct DepartmentIn {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub active: bool,
}

/// Adds a department or changes one's name or whether it takes cases.
pub async fn save_department(ctx: &Ctx, input: &DepartmentIn) -> Result<(), ComplaintError> {
    ctx.require(Permission::ManageComplaints)?;
    let mut bad = Invalid::new();
    let code = input.code.trim().to_ascii_lowercase();
    if code.is_empty() {
        bad.add("code", "invalid.required");
    } else if code.len() > 30
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
    {
        bad.add("code", "invalid.choice");
    }
    let name = bad.check("name", required_text(&input.name, 60));
    bad.into_result()?;
    let name = name.unwrap_or_default();
    let c = ctx.clone();
    let active = input.active;
    ctx.db()
        .write(move |tx| {
            let (c, code, name) = (c.clone(), code.clone(), name.clone());
            Box::pin(async move {
                store::save_department(tx, &code, &name, active).await?;
                tx.audit(
                    c.audit("complaints.department_saved", "complaint_department", &code)
                        .after(&json!({ "name": name, "active": active })),
                );
                Ok::<_, ComplaintError>(())
            })
        })
        .await
}

/// The settings fields, in the page's order.
pub const SETTING_FIELDS: [&str; 10] = [
    "acknowledge_minutes",
    "route_minutes",
    "plan_minutes",
    "result_minutes",
    "report_minutes",
    "resolve_minutes",
    "feedback_minutes",
    "callback_minutes",
    "escalate_days",
    "archive_months",
];

impl Settings {
    /// The value of one field of `SETTING_FIELDS`.
    pub fn value(&self, field: &str) -> i64 {
        let s = &self.0;
        match field {
            "acknowledge_minutes" => s.acknowledge_minutes,
            "route_minutes" => s.route_minutes,
            "plan_minutes" => s.plan_minutes,
            "result_minutes" => s.result_minutes,
            "report_minutes" => s.report_minutes,
            "resolve_minutes" => s.resolve_minutes,
            "feedback_minutes" => s.feedback_minutes,
            "callback_minutes" => s.callback_minutes,
            "escalate_days" => s.escalate_days,
            _ => s.archive_months,
        }
    }
}

/// The settings, for a manager.
pub async fn settings(ctx: &Ctx) -> Result<Settings, ComplaintError> {
    ctx.require(Permission::ManageComplaints)?;
    Ok(Settings::load(ctx.db()).await?)
}

/// Saves the settings: each a whole number from 1 to 100,000 (archive: at least 24 months, the
/// records are kept two years).
pub async fn save_settings(
    ctx: &Ctx,
    input: &std::collections::HashMap<String, String>,
) -> Result<Settings, ComplaintError> {
    ctx.require(Permission::ManageComplaints)?;
    let mut bad = Invalid::new();
    let mut v = [0i64; 10];
    for (i, f) in SETTING_FIELDS.iter().enumerate() {
        let raw = input.get(*f).map(|s| s.trim()).unwrap_or("");
        match raw.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) && (*f != "archive_months" || n >= 24) => v[i] = n,
            _ if raw.is_empty() => bad.add(f, "invalid.required"),
            _ => bad.add(f, "invalid.number"),
        }
    }
    bad.into_result()?;
    let row = SettingsRow {
        acknowledge_minutes: v[0],
        route_minutes: v[1],
        plan_minutes: v[2],
        result_minutes: v[3],
        report_minutes: v[4],
        resolve_minutes: v[5],
        feedback_minutes: v[6],
        callback_minutes: v[7],
        escalate_days: v[8],
        archive_months: v[9],
    };
    let before = Settings::load(ctx.db()).await?;
    let c = ctx.clone();
    let saved = row.clone();
    ctx.db()
        .write(move |tx| {
            let (c, row, before) = (c.clone(), row.clone(), before.clone());
            Box::pin(async move {
                let by = c.actor.staff().map(|s| s.id);
                store::save_settings(tx, &row, by, c.now()).await?;
                let as_json = |s: &Settings| {
                    SETTING_FIELDS
                        .iter()
                        .map(|f| ((*f).to_string(), json!(s.value(f))))
                        .collect::<serde_json::Map<_, _>>()
                };
                tx.audit(
                    c.audit("complaints.settings_saved", "complaint_settings", 1)
                        .before(&as_json(&before))
                        .after(&as_json(&Settings(row.clone()))),
                );
                Ok::<_, ComplaintError>(())
            })
        })
        .await?;
    Ok(Settings(saved))
}
