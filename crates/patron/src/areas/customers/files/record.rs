//! Recording a customer (F1, F2): the first to record an organisation owns it. The same name
//! (folded: spaces, brackets and width do not count) or the same unified social credit code is
//! refused naming the current owner — also when two salespeople record it at the same moment,
//! because the unique indexes decide inside the write, not a read before it.

use chrono::{DateTime, Utc};
use patron_core::Permission;
use patron_core::identity::{organisation_key, parse_credit_code};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::store::{self, NewContact, NewCustomer};
use crate::areas::customers::{CustomersError, GRADES, KINDS};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::kernel::stores::StoreInfo;
use crate::kernel::validation::{Invalid, required_text};

/// A contact of a customer as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = customers::ContactIn)]
pub struct ContactIn {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    /// A mobile (`13800138000`) or a landline with area code (`010-65881234`); may be empty.
    #[serde(default)]
    pub phone: String,
}

/// A customer as entered at the desk or sent by a script.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = customers::CustomerIn, examples(json!({
    "name": "华东电力有限公司", "kind": "enterprise", "grade": "A",
    "contacts": [{"name": "王主任", "phone": "13800138000"}]
})))]
pub struct CustomerIn {
    #[serde(default)]
    pub name: String,
    /// `enterprise`, `government`, `collective` or `individual`.
    #[serde(default)]
    pub kind: String,
    /// `A`, `B` or `C`.
    #[serde(default)]
    pub grade: String,
    /// The unified social credit code (统一社会信用代码), when known.
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub address: String,
    /// Credit notes (信用备注): payment habits, cheques returned, …
    #[serde(default)]
    pub credit_note: String,
    #[serde(default)]
    pub notes: String,
    /// The desk's store (empty: the first store where the caller records customers).
    #[serde(default)]
    pub store_code: String,
    #[serde(default)]
    pub contacts: Vec<ContactIn>,
}

/// A customer recorded: its id and owner.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = customers::Recorded)]
pub struct Recorded {
    pub id: i64,
    /// The owner's user name.
    pub owner: String,
    /// The owner's name as shown.
    pub owner_name: String,
    pub name: String,
    pub kind: String,
    pub grade: String,
}

/// The checked input (the import checks its rows by the same rules).
pub(super) struct Checked {
    pub(super) name: String,
    pub(super) name_key: String,
    pub(super) credit_code: Option<String>,
    pub(super) kind: &'static str,
    pub(super) grade: &'static str,
    pub(super) address: String,
    pub(super) credit_note: String,
    pub(super) notes: String,
    pub(super) contacts: Vec<CheckedContact>,
}

pub(super) struct CheckedContact {
    pub(super) name: String,
    pub(super) title: String,
    /// The number as stored and its masked form.
    pub(super) phone: Option<(String, String)>,
}

fn text(bad: &mut Invalid, field: &str, input: &str, max: usize) -> String {
    let t = input.trim();
    if t.chars().count() > max {
        bad.add(field, "invalid.too_long");
    }
    t.to_owned()
}

fn choice(bad: &mut Invalid, field: &str, input: &str, allowed: &[&'static str]) -> &'static str {
    let t = input.trim();
    match allowed.iter().find(|a| a.eq_ignore_ascii_case(t)) {
        Some(a) => a,
        None => {
            bad.add(
                field,
                if t.is_empty() {
                    "invalid.required"
                } else {
                    "invalid.choice"
                },
            );
            ""
        }
    }
}

pub(super) fn check(input: &CustomerIn) -> Result<Checked, Invalid> {
    let mut bad = Invalid::new();
    let name = bad
        .check("name", required_text(&input.name, 100))
        .unwrap_or_default();
    let kind = choice(&mut bad, "kind", &input.kind, &KINDS);
    let grade = choice(&mut bad, "grade", &input.grade, &GRADES);
    let credit_code = if input.credit_code.trim().is_empty() {
        None
    } else {
        bad.check("credit_code", parse_credit_code(&input.credit_code))
    };
    let address = text(&mut bad, "address", &input.address, 200);
    let credit_note = text(&mut bad, "credit_note", &input.credit_note, 1000);
    let notes = text(&mut bad, "notes", &input.notes, 2000);
    if input.contacts.len() > 20 {
        bad.add("contacts", "invalid.too_long");
    }
    let mut contacts = Vec::new();
    for (i, c) in input.contacts.iter().enumerate() {
        let field = |f: &str| format!("contacts[{i}].{f}");
        if c.name.trim().is_empty() && c.phone.trim().is_empty() && c.title.trim().is_empty() {
            continue;
        }
        let name = bad
            .check(&field("name"), required_text(&c.name, 50))
            .unwrap_or_default();
        let title = text(&mut bad, &field("title"), &c.title, 50);
        let phone = if c.phone.trim().is_empty() {
            None
        } else {
            bad.check(
                &field("phone"),
                crate::areas::partners::parse_phone(&c.phone),
            )
        };
        contacts.push(CheckedContact { name, title, phone });
    }
    bad.into_result()?;
    Ok(Checked {
        name_key: organisation_key(&name),
        name,
        credit_code,
        kind,
        grade,
        address,
        credit_note,
        notes,
        contacts,
    })
}

/// The store a customer is recorded at: the one named, where the caller may record customers,
/// or the first such store of theirs.
pub async fn desk_store(ctx: &Ctx, store_code: &str) -> Result<StoreInfo, CustomersError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    if !store_code.trim().is_empty() {
        let store = stores
            .by_code(store_code)
            .filter(|s| s.active)
            .cloned()
            .ok_or_else(|| Invalid::one("store_code", "invalid.store"))?;
        ctx.require_at(Permission::ManageCustomers, store.id)?;
        return Ok(store);
    }
    let mut all = stores.all();
    all.retain(|s| s.active && ctx.can_at(Permission::ManageCustomers, s.id));
    all.sort_by_key(|s| s.id);
    all.into_iter()
        .next()
        .ok_or(CustomersError::Forbidden(crate::kernel::ctx::Forbidden(
            Permission::ManageCustomers,
        )))
}

/// Records a customer owned by the caller. A duplicate is refused with [`CustomersError::Exists`]
/// naming the owner; nothing is written.
pub async fn record(ctx: &Ctx, input: &CustomerIn) -> Result<Recorded, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let checked = check(input)?;
    let store = desk_store(ctx, &input.store_code).await?;
    let Some(staff) = ctx.actor.staff().cloned() else {
        return Err(CustomersError::Forbidden(crate::kernel::ctx::Forbidden(
            Permission::ManageCustomers,
        )));
    };
    let contacts: Vec<(CheckedContact, Option<String>)> = checked
        .contacts
        .into_iter()
        .map(|c| {
            let enc = c.phone.as_ref().map(|(n, _)| ctx.app.pii.encrypt(n));
            let hash = c
                .phone
                .as_ref()
                .map(|(n, _)| ctx.app.pii.lookup("phone", n));
            (c, enc.zip(hash).map(|(e, h)| format!("{e}\n{h}")))
        })
        .collect();
    let shared = std::sync::Arc::new((
        Checked {
            contacts: Vec::new(),
            ..checked
        },
        contacts,
        staff.clone(),
        store.clone(),
    ));
    let c = ctx.clone();
    let written = ctx
        .db()
        .write(move |tx| {
            let (c, shared) = (c.clone(), shared.clone());
            Box::pin(async move {
                let (k, contacts, staff, store) = &*shared;
                if let Some(found) =
                    store::find_duplicate(&mut *tx, &k.name_key, k.credit_code.as_deref()).await?
                {
                    return Err(CustomersError::Exists {
                        customer_id: found.id,
                        owner: found.owner_name.unwrap_or_default(),
                        field: found.field,
                    });
                }
                let now: DateTime<Utc> = ts(c.now());
                let id = store::insert_customer(
                    tx,
                    &NewCustomer {
                        name: &k.name,
                        name_key: &k.name_key,
                        credit_code: k.credit_code.as_deref(),
                        kind: k.kind,
                        grade: k.grade,
                        address: &k.address,
                        credit_note: &k.credit_note,
                        notes: &k.notes,
                        store_id: store.id,
                        owner_staff_id: Some(staff.id),
                        created_by: Some(staff.id),
                        at: now,
                    },
                )
                .await?;
                for (i, (contact, secret)) in contacts.iter().enumerate() {
                    let (enc, hash) = match secret.as_deref().and_then(|s| s.split_once('\n')) {
                        Some((e, h)) => (Some(e), Some(h)),
                        None => (None, None),
                    };
                    store::insert_contact(
                        tx,
                        &NewContact {
                            customer_id: id,
                            name: &contact.name,
                            title: &contact.title,
                            phone_enc: enc,
                            phone_masked: contact
                                .phone
                                .as_ref()
                                .map(|(_, m)| m.as_str())
                                .unwrap_or(""),
                            phone_hash: hash,
                            is_primary: i == 0,
                            created_by: Some(staff.id),
                            at: now,
                        },
                    )
                    .await?;
                }
                store::insert_owner_change(
                    tx,
                    &store::OwnerChange {
                        customer_id: id,
                        from_staff_id: None,
                        to_staff_id: Some(staff.id),
                        reason: "recorded",
                        note: "",
                        by_staff_id: Some(staff.id),
                        at: now,
                    },
                )
                .await?;
                // Contacts' phones are personal data: only their masked form is audited.
                let masked: Vec<_> = contacts
                    .iter()
                    .map(|(ct, _)| {
                        json!({"name": ct.name, "phone": ct.phone.as_ref().map(|(_, m)| m)})
                    })
                    .collect();
                tx.audit(
                    c.audit("customers.recorded", "customer", id)
                        .store(store.id)
                        .after(&json!({
                            "name": k.name, "kind": k.kind, "grade": k.grade,
                            "credit_code": k.credit_code, "owner": staff.username,
                            "contacts": masked,
                        })),
                );
                Ok(id)
            })
        })
        .await;
    let id = match written {
        Ok(id) => id,
        // Two recorded it at once: the other insert won the unique index; name its owner.
        Err(CustomersError::Db(e)) if e.is_unique_violation() => {
            let k = &shared_key(input)?;
            let found = store::find_duplicate(ctx.db(), &k.0, k.1.as_deref())
                .await?
                .ok_or(CustomersError::Db(e))?;
            return Err(CustomersError::Exists {
                customer_id: found.id,
                owner: found.owner_name.unwrap_or_default(),
                field: found.field,
            });
        }
        Err(e) => return Err(e),
    };
    Ok(Recorded {
        id,
        owner: staff.username,
        owner_name: staff.display_name,
        name: input.name.trim().to_owned(),
        kind: input.kind.trim().to_owned(),
        grade: input.grade.trim().to_ascii_uppercase(),
    })
}

/// The duplicate keys of an input that has been checked already.
fn shared_key(input: &CustomerIn) -> Result<(String, Option<String>), CustomersError> {
    let credit = if input.credit_code.trim().is_empty() {
        None
    } else {
        parse_credit_code(&input.credit_code).ok()
    };
    Ok((organisation_key(&input.name), credit))
}
