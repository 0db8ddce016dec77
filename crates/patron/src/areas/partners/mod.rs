//! Partner merchants (特约商户, SPEC G1–G4): the pipeline from screened to ended, contracts and
//! their expiry reminders, callbacks, and the active partners members see in the portal.
//!
//! The seed's flow (S0 §2.4): 筛选VIP特约单位 → 前期联系与沟通 → 正式洽谈合作条件 → 达成协议 →
//! 签定合作合同 → 整理归档管理特约商户 → 定期回访特约商户. A partner's stage changes one step
//! forward at a time (or to ended from anywhere); each change is a dated row with its note in
//! `partner_stages` (append-only), and the partner row is moved by a guarded
//! `UPDATE … WHERE stage = $from`, so of two clerks moving the same partner at once one wins
//! and the other is told. Contracts past their end are expired by the daily job
//! `partner-contract-reminders`, which also queues one reminder per contract to the
//! responsible staff member `remind_days` before the end.
//!
//! The contact's phone is personal data: stored encrypted (`members/pii.rs`) with a masked copy
//! for pages; it never enters logs or audit entries.
//!
//! Files: `pipeline.rs` (screening, stage moves, the contact's phone), `contracts.rs` (contracts
//! and documents), `files.rs` (scanned contract files kept in the database), `callbacks.rs`,
//! `reminders.rs` (the daily job's work), `input.rs` (form reading), `api.rs` (the JSON
//! routes); SQL in `store/`.

pub mod api;
mod callbacks;
mod contracts;
pub mod error;
pub mod files;
mod input;
pub mod jobs;
pub mod messages;
pub mod pages;
mod pipeline;
pub mod reminders;
pub mod store;

pub use callbacks::{CallbackIn, log_callback};
pub use contracts::{ContractIn, DocumentIn, add_contract, add_contract_once, add_document};
pub use error::PartnersError;
pub use input::parse_phone;
pub use pipeline::{
    PartnerIn, StageIn, change_stage, create_partner, create_partner_once, reveal_phone,
};

use crate::kernel::ctx::Ctx;
use crate::kernel::db::DbError;
use crate::kernel::validation::Invalid;

/// The pipeline's stages in order; `expired` and `ended` are the two ends.
pub const STAGES: [&str; 8] = [
    "screened",
    "contacted",
    "negotiating",
    "agreed",
    "signed",
    "active",
    "expired",
    "ended",
];

/// The kinds of partner (for filters and labels `partners.category.<code>`).
pub const CATEGORIES: [&str; 9] = [
    "catering",
    "hotel",
    "travel",
    "auto",
    "health",
    "beauty",
    "education",
    "leisure",
    "other",
];

/// How a callback was made.
pub const WAYS: [&str; 2] = ["phone", "visit"];

fn stage_index(stage: &str) -> Option<usize> {
    STAGES.iter().position(|s| *s == stage)
}

/// Whether a desk may move a partner from `from` to `to`: one step forward up to active, to
/// ended from anything not ended, and from expired back to negotiating (a renewal) or to signed
/// (a renewal signed at once). Expired is set by the reminder job only.
pub fn step_allowed(from: &str, to: &str) -> bool {
    let (Some(f), Some(t)) = (stage_index(from), stage_index(to)) else {
        return false;
    };
    match to {
        "ended" => from != "ended",
        "expired" => false,
        _ if from == "expired" => matches!(to, "negotiating" | "signed"),
        _ => t == f + 1 && t <= 5,
    }
}

/// The stages a desk may move a partner to from `from`.
pub fn next_stages(from: &str) -> Vec<&'static str> {
    STAGES
        .iter()
        .copied()
        .filter(|to| step_allowed(from, to))
        .collect()
}

/// A unique violation becomes `Duplicate { field }`.
fn dup(field: &'static str) -> impl Fn(DbError) -> PartnersError {
    move |e| {
        if e.is_unique_violation() {
            PartnersError::Duplicate { field }
        } else {
            PartnersError::Db(e)
        }
    }
}

/// An idempotency key as sent (trimmed; at most 100 characters), or none.
fn request_key(key: Option<&str>) -> Result<Option<String>, PartnersError> {
    match key.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) if k.chars().count() > 100 => {
            Err(Invalid::one("Idempotency-Key", "invalid.too_long").into())
        }
        Some(k) => Ok(Some(k.to_string())),
    }
}

fn staff_id(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}

fn actor_name(ctx: &Ctx) -> String {
    ctx.actor
        .staff()
        .map(|s| s.display_name.clone())
        .unwrap_or_else(|| ctx.actor.audit_name())
}
