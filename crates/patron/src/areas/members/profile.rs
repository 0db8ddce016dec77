//! Finding and viewing members (B9–B11): search, the member page's data, revealing personal
//! data (audited), the top-member profile, and one member's data whole.

use patron_core::Permission;
use patron_core::identity::{CardNo, Phone};
use serde::Serialize;

use super::{MembersError, store};
use crate::areas::points::settings::Loyalty;
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::db::DbError;
use crate::kernel::validation::Invalid;

/// Finds members by card number, phone (exact, through its lookup hash) or any part of the name.
pub async fn search(ctx: &Ctx, q: &str) -> Result<Vec<store::MemberRow>, MembersError> {
    ctx.require(Permission::ViewMembers)?;
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    if let Ok(phone) = Phone::parse(q) {
        let hash = ctx.app.pii.lookup("phone", phone.as_str());
        return Ok(store::search(ctx.db(), None, Some(&hash), None, 50).await?);
    }
    if let Ok(card) = CardNo::parse(q) {
        let found = store::search(ctx.db(), Some(card.as_str()), None, None, 50).await?;
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Ok(store::search(ctx.db(), None, None, Some(q), 50).await?)
}

/// Everything the member page shows.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub member: store::MemberRow,
    pub entries: Vec<store::EntryRow>,
    /// Tier, window, what the next tier needs, lots.
    pub standing: crate::areas::points::standing::Standing,
    pub requests: Vec<crate::approvals::ApprovalRow>,
}

pub async fn view(ctx: &Ctx, id: i64, page: i64) -> Result<MemberView, MembersError> {
    ctx.require(Permission::ViewMembers)?;
    let member = store::get_member(ctx.db(), id)
        .await?
        .ok_or(MembersError::NotFound)?;
    let loyalty = ctx.app.cache.get::<Loyalty>(ctx.db()).await?;
    let today = business_date(ctx.now(), ctx.app.config.tz());
    let st =
        crate::areas::points::standing::standing(ctx.db(), &loyalty, id, &member.tier_code, today)
            .await?
            .ok_or(MembersError::NotFound)?;
    Ok(MemberView {
        entries: store::entries(ctx.db(), id, 50, page.max(0) * 50).await?,
        requests: crate::approvals::store::for_subject(ctx.db(), "member", &id.to_string()).await?,
        standing: st,
        member,
    })
}

/// The full phone and ID number, for a role that may see them; each view is audited (N1).
pub async fn reveal(ctx: &Ctx, id: i64) -> Result<(Option<String>, Option<String>), MembersError> {
    ctx.require(Permission::ViewPersonalData)?;
    let home = store::get_member(ctx.db(), id)
        .await?
        .ok_or(MembersError::NotFound)?
        .store_id;
    ctx.require_at(Permission::ViewPersonalData, home)?;
    let (phone_enc, id_enc) = store::encrypted_contacts(ctx.db(), id)
        .await?
        .ok_or(MembersError::NotFound)?;
    let pii = &ctx.app.pii;
    let phone = phone_enc
        .map(|e| pii.decrypt(&e))
        .transpose()
        .map_err(|e| MembersError::Db(DbError::Batch(e.to_string())))?;
    let id_no = id_enc
        .map(|e| pii.decrypt(&e))
        .transpose()
        .map_err(|e| MembersError::Db(DbError::Batch(e.to_string())))?;
    let entry = ctx
        .audit("member.reveal", "member", id)
        .after(&serde_json::json!({ "fields": ["phone", "id_no"] }));
    ctx.db()
        .write(move |tx| {
            let entry = entry.clone();
            Box::pin(async move {
                tx.audit(entry);
                Ok::<_, MembersError>(())
            })
        })
        .await?;
    Ok((phone, id_no))
}

/// The top-member profile (B9, 铂金会员档案本): free-text fields kept as one JSON object.
pub const PROFILE_FIELDS: [&str; 10] = [
    "size",
    "personality",
    "hobbies",
    "favourite_brands",
    "clothing_style",
    "body_type",
    "spending_status",
    "companions",
    "advisor_suggestions",
    "care_dates",
];

/// Saves the top-member profile and notes (audited, before and after).
pub async fn save_profile(
    ctx: &Ctx,
    id: i64,
    fields: &std::collections::BTreeMap<String, String>,
    notes: &str,
) -> Result<(), MembersError> {
    ctx.require(Permission::ManageMembers)?;
    let mut bad = Invalid::new();
    let mut profile = serde_json::Map::new();
    for f in PROFILE_FIELDS {
        let v = fields.get(f).map(|s| s.trim()).unwrap_or("");
        if v.chars().count() > 500 {
            bad.add(f, "invalid.too_long");
        }
        if !v.is_empty() {
            profile.insert(f.to_string(), serde_json::Value::String(v.to_string()));
        }
    }
    if notes.chars().count() > 2000 {
        bad.add("notes", "invalid.too_long");
    }
    bad.into_result()?;
    let before = store::get_member(ctx.db(), id)
        .await?
        .ok_or(MembersError::NotFound)?;
    let after = serde_json::Value::Object(profile).to_string();
    let notes = notes.trim().to_string();
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, after, notes, before) = (c.clone(), after.clone(), notes.clone(), before.clone());
            Box::pin(async move {
                store::update_profile(tx, id, &after, &notes).await?;
                tx.audit(
                    c.audit("member.profile_saved", "member", id)
                        .before(&serde_json::json!({ "profile": before.profile, "notes": before.notes }))
                        .after(&serde_json::json!({ "profile": after, "notes": notes })),
                );
                Ok::<_, MembersError>(())
            })
        })
        .await
}

/// One member's data, whole (B11): profile with personal fields in full, cards, every ledger
/// entry and receipt. Needs the right to see personal data; the export is audited.
pub async fn export_one(ctx: &Ctx, id: i64) -> Result<serde_json::Value, MembersError> {
    let (phone, id_no) = reveal(ctx, id).await?;
    let m = store::get_member(ctx.db(), id)
        .await?
        .ok_or(MembersError::NotFound)?;
    let cards = store::cards_of(ctx.db(), id).await?;
    let entries = store::entries(ctx.db(), id, i64::MAX / 4, 0).await?;
    let receipts = store::receipts_of(ctx.db(), id).await?;
    Ok(serde_json::json!({
        "member": m,
        "phone": phone,
        "id_no": id_no,
        "cards": cards.iter().map(|(c, s, i, e)| serde_json::json!({"card_no": c, "state": s, "issued_on": i, "expires_on": e})).collect::<Vec<_>>(),
        "points_entries": entries,
        "receipts": receipts.iter().map(|(n, at, t, p)| serde_json::json!({"receipt_no": n, "occurred_at": at, "total_fen": t, "points": p})).collect::<Vec<_>>(),
    }))
}
