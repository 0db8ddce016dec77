//! Changing a member's details after registration (B2, B6): phone, ID, e-mail, birthday,
//! address, occupation, and marketing consent with the date and source of the member's answer.
//! A new phone or ID number is refused when it belongs to another member, naming them, as at
//! registration. Every change is audited with what it was before (personal numbers masked).

use patron_core::Permission;
use patron_core::identity::{IdNumber, IdType, Phone};
use serde::{Deserialize, Serialize};

use super::input::parse_date;
use super::store::{self, DetailsRow, Sealed};
use super::{MembersError, store::MemberRow};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::validation::Invalid;

/// How a member gave or withdrew consent to marketing messages. The first three are what the
/// desk records; the rest are written by registration, the import and the portal.
pub const CONSENT_SOURCES: [&str; 6] = [
    "desk",
    "form",
    "phone_call",
    "registration",
    "import",
    "portal",
];

/// The details form. A blank phone or ID number leaves the one on file (the page shows them
/// masked); the other fields are taken as given.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DetailsIn {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub id_type: String,
    #[serde(default)]
    pub id_no: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub birthday: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub occupation: String,
    /// `yes` or `no`.
    #[serde(default)]
    pub consent: String,
    #[serde(default)]
    pub consent_source: String,
}

impl DetailsIn {
    /// The form filled with a member's details as they are.
    pub fn of(m: &MemberRow) -> DetailsIn {
        DetailsIn {
            id_type: m.id_type.clone().unwrap_or_default(),
            email: m.email.clone().unwrap_or_default(),
            birthday: m.birthday.map(|b| b.to_string()).unwrap_or_default(),
            address: m.address.clone(),
            occupation: m.occupation.clone(),
            consent: if m.marketing_consent { "yes" } else { "no" }.into(),
            consent_source: "desk".into(),
            ..DetailsIn::default()
        }
    }
}

struct Checked {
    phone: Option<Phone>,
    id: Option<IdNumber>,
    email: Option<String>,
    birthday: Option<chrono::NaiveDate>,
    consent: bool,
    source: &'static str,
}

fn check(d: &DetailsIn, today: chrono::NaiveDate) -> Result<Checked, Invalid> {
    let mut bad = Invalid::new();
    let phone = if d.phone.trim().is_empty() {
        None
    } else {
        bad.check("phone", Phone::parse(&d.phone))
    };
    let id = if d.id_no.trim().is_empty() {
        None
    } else {
        bad.check("id_type", IdType::parse(&d.id_type))
            .and_then(|t| bad.check("id_no", IdNumber::parse(t, &d.id_no)))
    };
    let email = d.email.trim();
    if !email.is_empty() && (!email.contains('@') || email.len() > 120) {
        bad.add("email", "invalid.email");
    }
    let birthday = bad.check("birthday", parse_date(&d.birthday)).flatten();
    if birthday.is_some_and(|b| b > today || chrono::Datelike::year(&b) < 1900) {
        bad.add("birthday", "invalid.date");
    }
    if d.address.chars().count() > 200 {
        bad.add("address", "invalid.too_long");
    }
    if d.occupation.chars().count() > 60 {
        bad.add("occupation", "invalid.too_long");
    }
    let consent = match d.consent.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            bad.add("consent", "invalid.required");
            None
        }
    };
    let source = CONSENT_SOURCES[..3]
        .iter()
        .find(|s| **s == d.consent_source.trim())
        .copied();
    if source.is_none() {
        bad.add("consent_source", "invalid.required");
    }
    bad.into_result()?;
    Ok(Checked {
        phone,
        id,
        email: (!email.is_empty()).then(|| email.to_string()),
        birthday,
        consent: consent.unwrap_or(false),
        source: source.unwrap_or("desk"),
    })
}

/// Changes an active member's details (staff of the member's home store).
pub async fn change_details(ctx: &Ctx, id: i64, d: &DetailsIn) -> Result<(), MembersError> {
    ctx.require(Permission::ManageMembers)?;
    let before = store::get_member(ctx.db(), id)
        .await?
        .filter(|m| m.status == "active")
        .ok_or(MembersError::NotFound)?;
    ctx.require_at(Permission::ManageMembers, before.store_id)?;
    let today = business_date(ctx.now(), ctx.app.config.tz());
    let ok = check(d, today)?;
    let pii = ctx.app.pii.clone();
    let now = ctx.now();
    let row = DetailsRow {
        phone: ok.phone.as_ref().map(|p| Sealed {
            enc: pii.encrypt(p.as_str()),
            hash: pii.lookup("phone", p.as_str()),
            masked: p.masked(),
        }),
        id: ok.id.as_ref().map(|i| {
            (
                i.kind.code(),
                Sealed {
                    enc: pii.encrypt(i.as_str()),
                    hash: pii.lookup("id", i.as_str()),
                    masked: i.masked(),
                },
            )
        }),
        email: ok.email.clone(),
        birthday: ok.birthday,
        address: d.address.trim().to_string(),
        occupation: d.occupation.trim().to_string(),
        consent: (ok.consent != before.marketing_consent).then_some((ok.consent, now, ok.source)),
    };
    let audit = ctx
        .audit("member.details_changed", "member", id)
        .before(&serde_json::json!({
            "phone": before.phone_masked, "id_no": before.id_masked, "email": before.email,
            "birthday": before.birthday, "address": before.address,
            "occupation": before.occupation, "marketing_consent": before.marketing_consent,
        }))
        .after(&serde_json::json!({
            "phone": row.phone.as_ref().map_or(before.phone_masked.clone(), |p| Some(p.masked.clone())),
            "id_no": row.id.as_ref().map_or(before.id_masked.clone(), |(_, s)| Some(s.masked.clone())),
            "email": row.email, "birthday": row.birthday, "address": row.address,
            "occupation": row.occupation, "marketing_consent": ok.consent,
            "consent_source": row.consent.map(|c| c.2),
        }));
    ctx.db()
        .write(move |tx| {
            let (row, audit) = (row.clone(), audit.clone());
            Box::pin(async move {
                if let Some(p) = &row.phone
                    && let Some((other, name)) =
                        store::find_by_hash_in(tx, "phone_hash", &p.hash).await?
                    && other != id
                {
                    return Err(MembersError::Duplicate {
                        field: "phone",
                        member_id: other,
                        name,
                    });
                }
                if let Some((_, s)) = &row.id
                    && let Some((other, name)) =
                        store::find_by_hash_in(tx, "id_hash", &s.hash).await?
                    && other != id
                {
                    return Err(MembersError::Duplicate {
                        field: "id_no",
                        member_id: other,
                        name,
                    });
                }
                if store::update_details(tx, id, &row).await? != 1 {
                    return Err(MembersError::NotFound);
                }
                tx.audit(audit);
                Ok::<_, MembersError>(())
            })
        })
        .await
}
