//! Members and VIP cards (SPEC B1–B6, B9–B11): registration with personal data encrypted,
//! cards issued in sequence per store, duplicates refused with the existing member named.

pub mod applications;
pub mod birthdays;
pub mod cards;
mod error;
pub mod import;
pub mod messages;
pub mod pages;
pub mod store;

pub use error::MembersError;

use chrono::{Months, NaiveDate};
use patron_core::Permission;
use patron_core::identity::{CardNo, IdNumber, IdType, Phone};
use serde::{Deserialize, Serialize};

use crate::areas::points::{PointsError, business_date};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, Tx, WriteError};
use crate::kernel::validation::{Invalid, required_text};

/// Recruitment channels (B1).
pub const CHANNELS: [&str; 7] = [
    "desk",
    "website",
    "social",
    "ecommerce",
    "event",
    "partner",
    "referral",
];

/// A member's details as the desk, the import or an application gives them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MemberIn {
    pub name: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birthday: String,
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub id_type: String,
    #[serde(default)]
    pub id_no: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub referrer_card_no: String,
    #[serde(default)]
    pub marketing_consent: bool,
}

/// Details that passed validation.
#[derive(Debug, Clone)]
pub struct ValidMember {
    pub name: String,
    pub gender: Option<&'static str>,
    pub birthday: Option<NaiveDate>,
    pub phone: Phone,
    pub email: Option<String>,
    pub id: Option<IdNumber>,
    pub address: String,
    pub occupation: String,
    pub channel: &'static str,
    pub referrer: Option<CardNo>,
    pub marketing_consent: bool,
}

pub fn parse_gender(input: &str) -> Result<Option<&'static str>, &'static str> {
    match input.trim() {
        "" => Ok(None),
        "F" | "f" | "女" => Ok(Some("F")),
        "M" | "m" | "男" => Ok(Some("M")),
        _ => Err("invalid.gender"),
    }
}

pub fn parse_date(input: &str) -> Result<Option<NaiveDate>, &'static str> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .map(Some)
        .map_err(|_| "invalid.date")
}

pub fn parse_channel(input: &str) -> Result<&'static str, &'static str> {
    let s = input.trim();
    if s.is_empty() {
        return Ok("desk");
    }
    let zh = [
        ("门店", "desk"),
        ("服务台", "desk"),
        ("网站", "website"),
        ("社交媒体", "social"),
        ("电商", "ecommerce"),
        ("活动", "event"),
        ("展会", "event"),
        ("特约商户", "partner"),
        ("推荐", "referral"),
    ];
    CHANNELS
        .iter()
        .find(|c| **c == s)
        .copied()
        .or_else(|| zh.iter().find(|(z, _)| *z == s).map(|(_, c)| *c))
        .ok_or("invalid.channel")
}

impl MemberIn {
    /// Checks every field and names each bad one.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidMember, Invalid> {
        let mut bad = Invalid::new();
        let name = bad.check("name", required_text(&self.name, 50));
        let gender = bad.check("gender", parse_gender(&self.gender));
        let birthday = bad.check("birthday", parse_date(&self.birthday)).flatten();
        if birthday.is_some_and(|b| b > today || b.year_ce().1 < 1900) {
            bad.add("birthday", "invalid.date");
        }
        let phone = bad.check("phone", Phone::parse(&self.phone));
        let email = self.email.trim();
        if !email.is_empty() && (!email.contains('@') || email.len() > 120) {
            bad.add("email", "invalid.email");
        }
        let id = if self.id_no.trim().is_empty() {
            None
        } else {
            bad.check("id_type", IdType::parse(&self.id_type))
                .and_then(|t| bad.check("id_no", IdNumber::parse(t, &self.id_no)))
        };
        if self.address.len() > 200 {
            bad.add("address", "invalid.too_long");
        }
        if self.occupation.len() > 60 {
            bad.add("occupation", "invalid.too_long");
        }
        let channel = bad.check("channel", parse_channel(&self.channel));
        let referrer = if self.referrer_card_no.trim().is_empty() {
            None
        } else {
            bad.check("referrer_card_no", CardNo::parse(&self.referrer_card_no))
        };
        bad.into_result()?;
        match (name, gender, phone, channel) {
            (Some(name), Some(gender), Some(phone), Some(channel)) => Ok(ValidMember {
                name,
                gender,
                birthday,
                phone,
                email: (!email.is_empty()).then(|| email.to_string()),
                id,
                address: self.address.trim().to_string(),
                occupation: self.occupation.trim().to_string(),
                channel,
                referrer,
                marketing_consent: self.marketing_consent,
            }),
            _ => Err(Invalid::one("name", "invalid.required")),
        }
    }
}

use chrono::Datelike;

/// How a card is issued with a new member.
#[derive(Debug, Clone)]
pub struct Issue {
    pub store_id: i64,
    /// Keep this card number (imports); otherwise the store's next number.
    pub card_no: Option<CardNo>,
    pub joined_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    /// Handed over now: the card is active at once.
    pub activate: bool,
    pub opening_receipt_no: Option<String>,
    pub tier_code: Option<String>,
    /// The argon2 hash of the initial portal password, when a portal account is made.
    pub portal_password_hash: Option<String>,
}

/// A new member and their card.
#[derive(Debug, Clone, Serialize)]
pub struct Registered {
    pub member_id: i64,
    pub card_no: String,
}

/// Inserts a member and issues their card inside the caller's write: duplicates by phone or ID
/// are refused naming the existing member (B6).
pub async fn register_in(
    ctx: &Ctx,
    tx: &mut Tx,
    m: &ValidMember,
    issue: &Issue,
    card_valid_months: i64,
    store_code: &str,
) -> Result<Registered, MembersError> {
    let pii = &ctx.app.pii;
    let phone_hash = pii.lookup("phone", m.phone.as_str());
    if let Some((member_id, name)) = store::find_by_hash_in(tx, "phone_hash", &phone_hash).await? {
        return Err(MembersError::Duplicate {
            field: "phone",
            member_id,
            name,
        });
    }
    let id_hash = m.id.as_ref().map(|id| pii.lookup("id", id.as_str()));
    if let Some(h) = &id_hash
        && let Some((member_id, name)) = store::find_by_hash_in(tx, "id_hash", h).await?
    {
        return Err(MembersError::Duplicate {
            field: "id_no",
            member_id,
            name,
        });
    }
    let referrer_id = match &m.referrer {
        Some(card) => Some(
            store::member_of_card_in(tx, card.as_str())
                .await?
                .ok_or_else(|| Invalid::one("referrer_card_no", "invalid.no_such_card"))?,
        ),
        None => None,
    };
    let now = ctx.now();
    let tier = issue.tier_code.as_deref().unwrap_or("normal");
    let phone_enc = pii.encrypt(m.phone.as_str());
    let id_enc = m.id.as_ref().map(|id| pii.encrypt(id.as_str()));
    let id_masked = m.id.as_ref().map(IdNumber::masked);
    let member_id = store::insert_member(
        tx,
        &store::NewMemberRow {
            name: &m.name,
            gender: m.gender,
            birthday: m.birthday,
            phone_enc: &phone_enc,
            phone_hash: &phone_hash,
            phone_masked: &m.phone.masked(),
            email: m.email.as_deref(),
            id_type: m.id.as_ref().map(|i| i.kind.code()),
            id_enc: id_enc.as_deref(),
            id_hash: id_hash.as_deref(),
            id_masked: id_masked.as_deref(),
            address: &m.address,
            occupation: &m.occupation,
            channel: m.channel,
            referrer_id,
            marketing_consent: m.marketing_consent,
            store_id: issue.store_id,
            tier_code: tier,
            joined_on: issue.joined_on,
            created_at: now,
            portal_password_hash: issue.portal_password_hash.as_deref(),
        },
    )
    .await
    .map_err(|e| {
        let e = DbError::from(e);
        if e.is_unique_violation() {
            MembersError::Duplicate {
                field: "phone",
                member_id: 0,
                name: String::new(),
            }
        } else {
            e.into()
        }
    })?;
    let card_no = match &issue.card_no {
        Some(c) => c.clone(),
        None => CardNo::issued(store_code, store::next_card_seq(tx, issue.store_id).await?),
    };
    let expires_on = issue.expires_on.unwrap_or_else(|| {
        issue
            .joined_on
            .checked_add_months(Months::new(card_valid_months.max(1) as u32))
            .unwrap_or(issue.joined_on)
    });
    store::insert_card(
        tx,
        &store::NewCard {
            card_no: card_no.as_str(),
            member_id,
            store_id: issue.store_id,
            issued_on: issue.joined_on,
            expires_on,
            activated_at: issue.activate.then_some(now),
            opening_receipt_no: issue.opening_receipt_no.as_deref(),
            created_at: now,
        },
    )
    .await
    .map_err(|e| {
        let e = DbError::from(e);
        if e.is_unique_violation() {
            MembersError::from(Invalid::one("card_no", "invalid.duplicate"))
        } else {
            e.into()
        }
    })?;
    Ok(Registered {
        member_id,
        card_no: card_no.as_str().to_string(),
    })
}

/// Registers a member at the desk directly (the desk's own card issue; applications go through
/// `applications`). Used by the CLI, imports, the demo and tests.
pub async fn register(
    ctx: &Ctx,
    store_code: &str,
    input: &MemberIn,
    activate: bool,
) -> Result<Registered, MembersError> {
    ctx.require(Permission::ManageMembers)?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let store = stores
        .by_code(store_code)
        .cloned()
        .ok_or_else(|| Invalid::one("store_code", "invalid.store_code"))?;
    ctx.require_at(Permission::ManageMembers, store.id)?;
    let today = business_date(ctx.now(), store.tz);
    let valid = input.validate(today)?;
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let months = loyalty.settings.card_valid_months;
    let referral = loyalty.tiers.first().map_or(0, |t| t.referral_points);
    let referral_expires =
        patron_core::points::lot_expiry(today, loyalty.settings.points_valid_months.max(1) as u32);
    // The portal account (B5, B10): a random first password, sent to the member, changed at
    // first login. Hashed before the write (hashing is slow).
    let first_password = crate::auth::password::random_password();
    let portal_hash = crate::auth::password::hash(&first_password)
        .await
        .map_err(|e| MembersError::Db(DbError::Batch(e.to_string())))?;
    let c = ctx.clone();
    let r = ctx
        .db()
        .write(move |tx| {
            let (c, valid, store, portal_hash, first_password) = (
                c.clone(),
                valid.clone(),
                store.clone(),
                portal_hash.clone(),
                first_password.clone(),
            );
            Box::pin(async move {
                let issue = Issue {
                    store_id: store.id,
                    card_no: None,
                    joined_on: today,
                    expires_on: None,
                    activate,
                    opening_receipt_no: None,
                    tier_code: None,
                    portal_password_hash: Some(portal_hash.clone()),
                };
                let r = register_in(&c, tx, &valid, &issue, months, &store.code).await?;
                queue_welcome(tx, &r, valid.email.is_some(), &first_password, c.now()).await?;
                if valid.referrer.is_some() {
                    referral_points(tx, r.member_id, referral, referral_expires, c.now()).await?;
                }
                tx.audit(c.audit("member.register", "member", r.member_id).after(
                    &serde_json::json!({
                        "card_no": r.card_no,
                        "name": valid.name,
                        "phone": valid.phone.masked(),
                        "channel": valid.channel,
                    }),
                ));
                Ok::<_, MembersError>(r)
            })
        })
        .await?;
    Ok(r)
}

/// The welcome message with the portal account (B5): by SMS, and by e-mail when there is an
/// address. The first password leaves the outbox once sent.
pub async fn queue_welcome(
    tx: &mut Tx,
    r: &Registered,
    email: bool,
    first_password: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbError> {
    let channels: &[&str] = if email { &["sms", "email"] } else { &["sms"] };
    for channel in channels {
        crate::notify::queue(
            tx,
            &crate::notify::NewMessage {
                member_id: Some(r.member_id),
                kind: "welcome",
                channel,
                dedupe_key: format!("welcome:{}:{channel}", r.member_id),
                payload: serde_json::json!({ "card_no": r.card_no, "password": first_password }),
                marketing: false,
                at,
            },
        )
        .await?;
    }
    Ok(())
}

/// Referral points (C5): the referrer of a new member earns the points the new member's tier
/// names (100/300/500/800 by default).
pub async fn referral_points(
    tx: &mut Tx,
    new_member_id: i64,
    points: i64,
    expires_on: NaiveDate,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), MembersError> {
    let referrer: Option<Option<i64>> = crate::on_tx!(tx, |c| {
        sqlx::query_scalar("select referrer_id from members where id = $1")
            .bind(new_member_id)
            .fetch_optional(c)
            .await?
    });
    let Some(Some(referrer)) = referrer else {
        return Ok(());
    };
    if points <= 0 {
        return Ok(());
    }
    let balance = crate::areas::points::store::add_balance(tx, referrer, points).await?;
    crate::areas::points::store::add_to_lot(tx, referrer, expires_on, points).await?;
    let source = format!("member #{new_member_id}");
    crate::areas::points::store::insert_entry(
        tx,
        &crate::areas::points::store::NewEntry {
            member_id: referrer,
            at,
            kind: "referral",
            points,
            balance_after: balance,
            store_id: None,
            source_ref: Some(&source),
            till_id: None,
            staff_id: None,
            note: "",
        },
    )
    .await?;
    Ok(())
}

/// Finds members by card number, phone (exact, through its lookup hash) or name prefix.
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
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
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
    let (phone_enc, id_enc): (Option<String>, Option<String>) = crate::on_db!(ctx.db(), |p| {
        sqlx::query_as("select phone_enc, id_enc from members where id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?
    })
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
                crate::on_tx!(tx, |conn| {
                    sqlx::query("update members set profile = $1, notes = $2 where id = $3 and status = 'active'")
                        .bind(&after)
                        .bind(&notes)
                        .bind(id)
                        .execute(conn)
                        .await
                        .map(|r| r.rows_affected())
                })?;
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
    let cards: Vec<(String, String, NaiveDate, NaiveDate)> = crate::on_db!(ctx.db(), |p| {
        sqlx::query_as("select card_no, state, issued_on, expires_on from cards where member_id = $1 order by created_at")
            .bind(id)
            .fetch_all(p)
            .await?
    });
    let entries = store::entries(ctx.db(), id, i64::MAX / 4, 0).await?;
    let receipts: Vec<(String, chrono::DateTime<chrono::Utc>, i64, i64)> = crate::on_db!(
        ctx.db(),
        |p| {
            sqlx::query_as("select receipt_no, occurred_at, total_fen, points from receipts where member_id = $1 order by occurred_at")
            .bind(id)
            .fetch_all(p)
            .await?
        }
    );
    Ok(serde_json::json!({
        "member": m,
        "phone": phone,
        "id_no": id_no,
        "cards": cards.iter().map(|(c, s, i, e)| serde_json::json!({"card_no": c, "state": s, "issued_on": i, "expires_on": e})).collect::<Vec<_>>(),
        "points_entries": entries,
        "receipts": receipts.iter().map(|(n, at, t, p)| serde_json::json!({"receipt_no": n, "occurred_at": at, "total_fen": t, "points": p})).collect::<Vec<_>>(),
    }))
}
