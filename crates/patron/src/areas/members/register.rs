//! Registering a member (B1, B5–B6): duplicates by phone or ID refused naming the existing
//! member, the card issued in the store's sequence, the welcome message with the portal
//! account, and the referrer's points.

use chrono::{Months, NaiveDate};
use patron_core::Permission;
use patron_core::identity::{CardNo, IdNumber};
use serde::Serialize;

use super::input::{MemberIn, ValidMember};
use super::{MembersError, store};
use crate::areas::points::settings::Loyalty;
use crate::areas::points::{PointsError, ledger};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::db::{DbError, Tx};
use crate::kernel::validation::Invalid;

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
    register_at(ctx, store_code, input, activate, None).await
}

/// As `register`, joining `tier` (`None`: the lowest tier). A tier that needs a manager's
/// approval (platinum) is not given at registration: it is asked for on the member page. The
/// referrer earns by the tier joined (C5).
pub async fn register_at(
    ctx: &Ctx,
    store_code: &str,
    input: &MemberIn,
    activate: bool,
    tier: Option<&str>,
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
    let loyalty = ctx.app.cache.get::<Loyalty>(ctx.db()).await?;
    let months = loyalty.settings.card_valid_months;
    if let Some(code) = tier
        && loyalty.tier(code).is_none_or(|t| t.needs_approval)
    {
        return Err(Invalid::one("tier", "invalid.tier").into());
    }
    let tier_code = tier.map(str::to_string);
    let referral = Referral::of(&loyalty, tier, today);
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
            let (c, valid, store, portal_hash, first_password, tier_code) = (
                c.clone(),
                valid.clone(),
                store.clone(),
                portal_hash.clone(),
                first_password.clone(),
                tier_code.clone(),
            );
            Box::pin(async move {
                let issue = Issue {
                    store_id: store.id,
                    card_no: None,
                    joined_on: today,
                    expires_on: None,
                    activate,
                    opening_receipt_no: None,
                    tier_code,
                    portal_password_hash: Some(portal_hash.clone()),
                };
                let r = register_in(&c, tx, &valid, &issue, months, &store.code).await?;
                queue_welcome(tx, &r, valid.email.is_some(), &first_password, c.now()).await?;
                if valid.referrer.is_some() {
                    referral_points(tx, r.member_id, &referral, c.now()).await?;
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

/// What referring a new member earns (C5): the points the new member's tier names — the tier
/// they register or apply with (100/300/500/800 by default across the tiers) — expiring as
/// points earned on `today` do.
#[derive(Debug, Clone, Copy)]
pub struct Referral {
    pub points: i64,
    pub today: NaiveDate,
    pub points_valid_months: u32,
}

impl Referral {
    /// For a new member joining with `tier` (`None`: the lowest tier, where members start).
    pub fn of(loyalty: &Loyalty, tier: Option<&str>, today: NaiveDate) -> Referral {
        let table: Vec<(&str, i64)> = loyalty
            .tiers
            .iter()
            .map(|t| (t.code.as_str(), t.referral_points))
            .collect();
        let joined = tier
            .or_else(|| loyalty.lowest().map(|t| t.code.as_str()))
            .unwrap_or("");
        Referral {
            points: patron_core::tiers::referral_points(&table, joined),
            today,
            points_valid_months: loyalty.settings.points_valid_months.max(1) as u32,
        }
    }
}

/// Referral points (C5): the referrer of a new member earns the referral's points, through the
/// points ledger.
pub async fn referral_points(
    tx: &mut Tx,
    new_member_id: i64,
    referral: &Referral,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), MembersError> {
    let Some(Some(referrer)) = store::referrer_of(tx, new_member_id).await? else {
        return Ok(());
    };
    if referral.points <= 0 {
        return Ok(());
    }
    let source = format!("member #{new_member_id}");
    let change = ledger::Change {
        member_id: referrer,
        points: referral.points,
        kind: "referral",
        store_id: None,
        source_ref: &source,
        staff_id: None,
        note: "",
        today: referral.today,
        now: at,
    };
    ledger::credit_in(tx, &change, referral.points_valid_months)
        .await
        .map_err(|e| match e {
            // A database error stays one (a retryable one is retried).
            PointsError::Db(e) => MembersError::Db(e),
            e => e.into(),
        })?;
    Ok(())
}
