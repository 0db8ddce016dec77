//! What is checked on a backup's copy: the same as `patron check` (the audit chain, every points
//! balance against its ledger and lots, the vouchers against their movements), plus the
//! database's own integrity check and the migration version.

use serde::{Deserialize, Serialize};

use super::{BackupError, store};
use crate::kernel::db::{Db, DbError};

/// One check's outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckLine {
    /// `integrity`, `migration`, `audit`, `points`, `vouchers`, `archive`, `scratch`.
    pub what: String,
    pub ok: bool,
    /// What was found, in English (for the operator; the console shows the check's label).
    pub detail: String,
}

impl CheckLine {
    pub fn new(what: &str, ok: bool, detail: impl Into<String>) -> CheckLine {
        CheckLine {
            what: what.into(),
            ok,
            detail: detail.into(),
        }
    }
}

/// `patron check`'s checks on `db`.
pub async fn run_checks(db: &Db) -> Result<Vec<CheckLine>, DbError> {
    let mut out = Vec::new();
    let audit = crate::kernel::audit::verify(db).await?;
    out.push(match audit.broken {
        None => CheckLine::new(
            "audit",
            true,
            format!("{} entries, the chain is intact", audit.verified),
        ),
        Some(b) => CheckLine::new("audit", false, format!("broken at entry {}: {b}", b.seq())),
    });
    let (checked, diffs) = crate::areas::points::check::verify_balances(db, 10).await?;
    out.push(CheckLine::new(
        "points",
        diffs.is_empty(),
        if diffs.is_empty() {
            format!("{checked} balances agree with the ledger and the lots")
        } else {
            format!("{} of {checked} balances disagree", diffs.len())
        },
    ));
    let v = crate::areas::groupbuy::check::verify(db).await?;
    out.push(CheckLine::new(
        "vouchers",
        v.ok(),
        format!(
            "{} vouchers, {} movements, {} closed months{}",
            v.vouchers,
            v.movements,
            v.months_checked,
            if v.ok() { "" } else { ": differences found" }
        ),
    ));
    Ok(out)
}

/// The checks on an opened copy whose migration version should be `migration`.
pub(super) async fn on_copy(copy: &Db, migration: i64) -> Result<Vec<CheckLine>, BackupError> {
    let mut lines = Vec::new();
    let integrity = store::integrity_check(copy).await?;
    let ok = integrity.len() == 1 && integrity[0] == "ok";
    lines.push(CheckLine::new("integrity", ok, integrity.join("; ")));
    let m = store::migration_version(copy).await?;
    lines.push(CheckLine::new(
        "migration",
        m == migration,
        format!("copy {m}, database {migration}"),
    ));
    lines.extend(run_checks(copy).await?);
    Ok(lines)
}
