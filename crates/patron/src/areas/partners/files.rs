//! Scanned contract files (G2): staff attach the signed contract as a PDF, JPEG or PNG of at
//! most 10 MB to one of the partner's contracts. The type is judged by the file's first bytes
//! (`kernel::filetype`), and its name must say the same type: a program renamed `.pdf` is
//! refused, and so is a file too large — nothing is stored then. Files are kept in the database
//! (`partner_files`), so every backup holds them. Adding needs `ManagePartners`, a download
//! `ViewPartners`; both are audited (the audit names the file, never its content).

use patron_core::Permission;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::store::files::{self as store, FileRow, NewFile};
use super::{PartnersError, staff_id};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::kernel::filetype;
use crate::kernel::validation::Invalid;

/// The largest file accepted: 10 MB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The types a scanned contract may be.
pub const TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// Checks a file: its name, size and type. Returns (the name kept, content type).
pub fn check_file(name: &str, data: &[u8]) -> Result<(String, &'static str), Invalid> {
    let name = filetype::clean_name(name);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Invalid::one("file", "partners.invalid.file_name"));
    }
    if data.is_empty() {
        return Err(Invalid::one("file", "invalid.required"));
    }
    if data.len() > MAX_FILE_BYTES {
        return Err(Invalid::one("file", "partners.invalid.file_too_big"));
    }
    filetype::matching(&name, data, &TYPES)
        .map(|kind| (name, kind))
        .ok_or_else(|| Invalid::one("file", "partners.invalid.file_type"))
}

/// Attaches a scanned file to the partner's contract `contract_no`; the file's id.
pub async fn attach(
    ctx: &Ctx,
    partner_id: i64,
    contract_no: &str,
    name: &str,
    data: Vec<u8>,
) -> Result<i64, PartnersError> {
    ctx.require(Permission::ManagePartners)?;
    let contract_no = contract_no.trim().to_string();
    if contract_no.is_empty() {
        return Err(Invalid::one("contract_no", "invalid.required").into());
    }
    let (name, kind) = check_file(name, &data)?;
    let sha = hex::encode(Sha256::digest(&data));
    let shared = std::sync::Arc::new((name, sha, data, contract_no));
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, shared) = (c.clone(), shared.clone());
            Box::pin(async move {
                let (name, sha, data, contract_no) = &*shared;
                super::store::stage(tx, partner_id)
                    .await?
                    .ok_or(PartnersError::NotFound)?;
                let contract_id = super::store::contract_id(tx, partner_id, contract_no)
                    .await?
                    .ok_or_else(|| Invalid::one("contract_no", "invalid.not_found"))?;
                let id = store::insert_file(
                    tx,
                    &NewFile {
                        partner_id,
                        contract_id,
                        file_name: name,
                        content_type: kind,
                        sha256: sha,
                        data,
                        by: staff_id(&c),
                        at: ts(c.now()),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("partners.file_added", "partner", partner_id)
                        .after(&json!({
                            "file_id": id, "contract_no": contract_no, "file_name": name,
                            "content_type": kind, "size_bytes": data.len(), "sha256": sha,
                        })),
                );
                Ok(id)
            })
        })
        .await
}

/// A partner's files (without their bytes).
pub async fn list(ctx: &Ctx, partner_id: i64) -> Result<Vec<FileRow>, PartnersError> {
    ctx.require(Permission::ViewPartners)?;
    Ok(store::files(ctx.db(), partner_id).await?)
}

/// One file with its bytes; the download is audited.
pub async fn download(ctx: &Ctx, file_id: i64) -> Result<(FileRow, Vec<u8>), PartnersError> {
    ctx.require(Permission::ViewPartners)?;
    let (row, data) = store::file(ctx.db(), file_id)
        .await?
        .ok_or(PartnersError::NotFound)?;
    let c = ctx.clone();
    let partner_id = row.partner_id;
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                tx.audit(
                    c.audit("partners.file_downloaded", "partner", partner_id)
                        .after(&json!({ "file_id": file_id })),
                );
                Ok::<(), PartnersError>(())
            })
        })
        .await?;
    Ok((row, data))
}
