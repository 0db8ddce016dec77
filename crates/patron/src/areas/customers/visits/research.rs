//! Market research (市场调研, F9; S0 §1.1 定期市场调研的组织、分析, §2.1 做好市场调研的资料汇总、归档):
//! tasks with a scope, a due date and an assignee, linked to a customer and/or a partner
//! merchant; findings written as text; attachments kept in the database.
//!
//! An attachment is at most 5 MB and must be a PDF, JPEG, PNG, xlsx or docx — judged by its
//! first bytes (and, for the two zip-based Office formats, the part names inside), not by the
//! name it was sent with; a file whose name says one type and whose bytes say another is
//! refused. Downloads need `ViewCustomers` and are audited.

use chrono::NaiveDate;
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::input::{optional_date, optional_id, text};
use super::store::research::{self as store, FileRow, Linked, NewFile, NewResearch, ResearchRow};
use crate::areas::customers::CustomersError;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::kernel::validation::{Invalid, required_text};

/// The largest attachment accepted.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// A research task as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = visits::ResearchIn, examples(json!({
    "title": "中秋团购市场调研", "scope": "本市前二十家国企的节日福利采购",
    "due_on": "2026-10-20", "assignee": "sales_wang", "customer_id": 1
})))]
pub struct ResearchIn {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub due_on: String,
    /// The assignee's user name (empty: the caller).
    #[serde(default)]
    pub assignee: String,
    #[serde(default, deserialize_with = "super::input::id_text")]
    #[schema(value_type = Option<i64>)]
    pub customer_id: String,
    #[serde(default, deserialize_with = "super::input::id_text")]
    #[schema(value_type = Option<i64>)]
    pub partner_id: String,
}

/// Records a research task; its id.
pub async fn create(ctx: &Ctx, input: &ResearchIn) -> Result<i64, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let mut bad = Invalid::new();
    let title = bad.check("title", required_text(&input.title, 200));
    let scope = text(&mut bad, "scope", &input.scope, 2000);
    let due_on = optional_date(&mut bad, "due_on", &input.due_on);
    let customer_id = optional_id(&mut bad, "customer_id", &input.customer_id);
    let partner_id = optional_id(&mut bad, "partner_id", &input.partner_id);
    let assignee_name = input.assignee.trim().to_lowercase();
    bad.into_result()?;
    let title = title.unwrap_or_default();
    let me = ctx.actor.staff().map(|s| s.id);
    let store = crate::areas::customers::files::record::desk_store(ctx, "").await?;
    let assignee = if assignee_name.is_empty() {
        me
    } else {
        let found = super::store::staff_choices(ctx.db())
            .await?
            .into_iter()
            .find(|(_, u, _)| u.to_lowercase() == assignee_name)
            .map(|(id, _, _)| id);
        Some(found.ok_or_else(|| Invalid::one("assignee", "invalid.staff"))?)
    };
    let shared = std::sync::Arc::new((title, scope));
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, shared) = (c.clone(), shared.clone());
            Box::pin(async move {
                let mut bad = Invalid::new();
                if let Some(id) = customer_id
                    && !store::exists(tx, Linked::Customer, id).await?
                {
                    bad.add("customer_id", "invalid.not_found");
                }
                if let Some(id) = partner_id
                    && !store::exists(tx, Linked::Partner, id).await?
                {
                    bad.add("partner_id", "invalid.not_found");
                }
                bad.into_result()?;
                let (title, scope) = &*shared;
                let id = store::insert(
                    tx,
                    &NewResearch {
                        title,
                        scope,
                        due_on,
                        assignee_staff_id: assignee,
                        customer_id,
                        partner_id,
                        store_id: store.id,
                        created_by: me,
                        at: ts(c.now()),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("customers.research_created", "customer_research", id)
                        .after(&json!({
                            "title": title, "due_on": due_on, "assignee": assignee,
                            "customer_id": customer_id, "partner_id": partner_id,
                        })),
                );
                Ok(id)
            })
        })
        .await
}

/// The findings as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = visits::FindingsIn, examples(json!({"findings": "七成单位仍发实物福利，偏好购物卡", "filed": true})))]
pub struct FindingsIn {
    #[serde(default)]
    pub findings: String,
    /// File the task (归档): the research is finished.
    #[serde(default)]
    pub filed: bool,
}

/// Writes a task's findings (and files it).
pub async fn set_findings(ctx: &Ctx, id: i64, input: &FindingsIn) -> Result<(), CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let findings =
        required_text(&input.findings, 20_000).map_err(|k| Invalid::one("findings", k))?;
    let state = if input.filed { "filed" } else { "open" };
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, findings) = (c.clone(), findings.clone());
            Box::pin(async move {
                let before = store::get(&mut *tx, id)
                    .await?
                    .ok_or(CustomersError::NotFound)?;
                store::set_findings(tx, id, &findings, state, ts(c.now())).await?;
                tx.audit(
                    c.audit("customers.research_findings", "customer_research", id)
                        .before(&json!({ "state": before.state, "findings": before.findings }))
                        .after(&json!({ "state": state, "findings": findings })),
                );
                Ok(())
            })
        })
        .await
}

pub use crate::kernel::filetype::sniff;

/// Checks an attachment: its name, size and type. Returns (clean name, content type).
pub fn check_file(name: &str, data: &[u8]) -> Result<(String, &'static str), Invalid> {
    let name = crate::kernel::filetype::clean_name(name);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Invalid::one("file", "customers.visits.invalid.file_name"));
    }
    if data.is_empty() {
        return Err(Invalid::one("file", "invalid.required"));
    }
    if data.len() > MAX_FILE_BYTES {
        return Err(Invalid::one(
            "file",
            "customers.visits.invalid.file_too_big",
        ));
    }
    let ext = crate::kernel::filetype::extension(&name);
    match sniff(data) {
        Some((kind, exts)) if exts.contains(&ext.as_str()) => Ok((name, kind)),
        _ => Err(Invalid::one("file", "customers.visits.invalid.file_type")),
    }
}

/// Attaches a file to a research task; its id. Refused (nothing stored) when too big or not
/// one of the allowed types.
pub async fn attach(ctx: &Ctx, id: i64, name: &str, data: Vec<u8>) -> Result<i64, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let (name, kind) = check_file(name, &data)?;
    let sha = hex::encode(Sha256::digest(&data));
    let shared = std::sync::Arc::new((name, sha, data));
    let by = ctx.actor.staff().map(|s| s.id);
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, shared) = (c.clone(), shared.clone());
            Box::pin(async move {
                store::get(&mut *tx, id)
                    .await?
                    .ok_or(CustomersError::NotFound)?;
                let (name, sha, data) = &*shared;
                let file_id = store::insert_file(
                    tx,
                    &NewFile {
                        research_id: id,
                        file_name: name,
                        content_type: kind,
                        sha256: sha,
                        data,
                        by,
                        at: ts(c.now()),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("customers.research_file", "customer_research", id)
                        .after(&json!({
                            "file_id": file_id, "file_name": name, "content_type": kind,
                            "size_bytes": data.len(), "sha256": sha,
                        })),
                );
                Ok(file_id)
            })
        })
        .await
}

/// One attachment with its bytes, for someone who may see customers; the download is audited.
pub async fn download(ctx: &Ctx, file_id: i64) -> Result<(FileRow, Vec<u8>), CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    let (row, data) = store::file(ctx.db(), file_id)
        .await?
        .ok_or(CustomersError::NotFound)?;
    let c = ctx.clone();
    let research_id = row.research_id;
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                tx.audit(
                    c.audit(
                        "customers.research_download",
                        "customer_research",
                        research_id,
                    )
                    .after(&json!({ "file_id": file_id })),
                );
                Ok::<(), CustomersError>(())
            })
        })
        .await?;
    Ok((row, data))
}

/// Tasks containing every word of `q` (in the title, scope or findings); all when empty.
pub async fn search(ctx: &Ctx, q: &str) -> Result<Vec<ResearchRow>, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    let words: Vec<String> = q
        .split_whitespace()
        .take(8)
        .map(|w| w.chars().take(50).collect())
        .collect();
    Ok(store::search(ctx.db(), &words).await?)
}

/// One task with its attachments.
pub async fn get(ctx: &Ctx, id: i64) -> Result<(ResearchRow, Vec<FileRow>), CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    let row = store::get(ctx.db(), id)
        .await?
        .ok_or(CustomersError::NotFound)?;
    let files = store::files(ctx.db(), id).await?;
    Ok((row, files))
}

/// Open tasks past due.
pub async fn late_count(ctx: &Ctx, today: NaiveDate, assignee: i64) -> Result<i64, CustomersError> {
    Ok(store::count_late(ctx.db(), today, assignee).await?)
}

#[cfg(test)]
mod tests {
    use super::{check_file, sniff};

    #[test]
    fn a_file_is_judged_by_its_first_bytes_not_its_name() {
        assert!(check_file("报告.pdf", b"%PDF-1.7 hello").is_ok());
        assert!(check_file("photo.PNG", b"\x89PNG\r\n\x1a\nrest").is_ok());
        assert!(check_file("report.pdf", b"MZ\x90\x00 an executable").is_err());
        assert!(check_file("report.png", b"%PDF-1.7").is_err());
        assert!(sniff(b"PK\x03\x04 [Content_Types].xml word/document.xml").is_some());
    }
}
