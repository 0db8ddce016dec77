//! Changing a customer file (F1): its details (a new name or credit code is checked against the
//! other files like a new record), its contacts (phones sealed and masked), the audited view of a
//! contact's full phone, and the settings of the pool and the callback cadence. Every change is
//! audited with what was before and after.

use patron_core::Permission;
use patron_core::identity::{organisation_key, parse_credit_code};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::owners::me;
use super::record::{ContactIn, CustomerIn};
use super::store::{self, CustomerRow, Details, NewContact, Settings};
use crate::areas::customers::{CustomersError, GRADES, KINDS};
use crate::kernel::ctx::{Ctx, Forbidden};
use crate::kernel::db::ts;
use crate::kernel::validation::{Invalid, required_text};

/// Who may change a file: its owner, or a manager who assigns customers.
async fn editable(ctx: &Ctx, id: i64) -> Result<CustomerRow, CustomersError> {
    ctx.require(Permission::ManageCustomers)?;
    let me = me(ctx, Permission::ManageCustomers)?;
    let c = store::get(ctx.db(), id)
        .await?
        .ok_or(CustomersError::NotFound)?;
    if c.owner_staff_id != Some(me.id) && !ctx.can(Permission::AssignCustomers) {
        return Err(CustomersError::Forbidden(Forbidden(
            Permission::AssignCustomers,
        )));
    }
    Ok(c)
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
            bad.add(field, "invalid.choice");
            ""
        }
    }
}

/// Changes a customer's details (its contacts are added one by one, see [`add_contact`]).
pub async fn update(ctx: &Ctx, id: i64, input: &CustomerIn) -> Result<(), CustomersError> {
    let before = editable(ctx, id).await?;
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
    bad.into_result()?;
    let name_key = organisation_key(&name);
    let c = ctx.clone();
    let written = ctx
        .db()
        .write(move |tx| {
            let (c, before) = (c.clone(), before.clone());
            let (name, name_key, credit_code) =
                (name.clone(), name_key.clone(), credit_code.clone());
            let (address, credit_note, notes) =
                (address.clone(), credit_note.clone(), notes.clone());
            Box::pin(async move {
                if let Some(found) =
                    store::find_other(&mut *tx, &name_key, credit_code.as_deref(), id).await?
                {
                    return Err(CustomersError::Exists {
                        customer_id: found.id,
                        owner: found.owner_name.unwrap_or_default(),
                        field: found.field,
                    });
                }
                let d = Details {
                    name: &name,
                    name_key: &name_key,
                    credit_code: credit_code.as_deref(),
                    kind,
                    grade,
                    address: &address,
                    credit_note: &credit_note,
                    notes: &notes,
                };
                store::update_details(tx, id, &d).await?;
                tx.audit(
                    c.audit("customers.updated", "customer", id)
                        .store(before.store_id)
                        .before(&json!({
                            "name": before.name, "kind": before.kind, "grade": before.grade,
                            "credit_code": before.credit_code, "address": before.address,
                            "credit_note": before.credit_note, "notes": before.notes,
                        }))
                        .after(&json!({
                            "name": name, "kind": kind, "grade": grade,
                            "credit_code": credit_code, "address": address,
                            "credit_note": credit_note, "notes": notes,
                        })),
                );
                Ok(())
            })
        })
        .await;
    match written {
        // Another file took the name at the same moment: the unique index refused this one.
        Err(CustomersError::Db(e)) if e.is_unique_violation() => Err(CustomersError::Conflict(
            format!("customer {id}: the name or credit code was just recorded by another file"),
        )),
        other => other,
    }
}

/// Adds a contact to a customer (the first one is the primary contact).
pub async fn add_contact(ctx: &Ctx, id: i64, input: &ContactIn) -> Result<i64, CustomersError> {
    let customer = editable(ctx, id).await?;
    let staff_id = me(ctx, Permission::ManageCustomers)?.id;
    let store_id = customer.store_id;
    let mut bad = Invalid::new();
    let name = bad
        .check("name", required_text(&input.name, 50))
        .unwrap_or_default();
    let title = text(&mut bad, "title", &input.title, 50);
    let phone = if input.phone.trim().is_empty() {
        None
    } else {
        bad.check("phone", crate::areas::partners::parse_phone(&input.phone))
    };
    bad.into_result()?;
    let sealed = phone.as_ref().map(|(n, m)| {
        (
            ctx.app.pii.encrypt(n),
            m.clone(),
            ctx.app.pii.lookup("phone", n),
        )
    });
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, name, title, sealed) = (c.clone(), name.clone(), title.clone(), sealed.clone());
            Box::pin(async move {
                let first = store::count_contacts(tx, id).await? == 0;
                let now = ts(c.now());
                let contact = store::insert_contact(
                    tx,
                    &NewContact {
                        customer_id: id,
                        name: &name,
                        title: &title,
                        phone_enc: sealed.as_ref().map(|s| s.0.as_str()),
                        phone_masked: sealed.as_ref().map(|s| s.1.as_str()).unwrap_or(""),
                        phone_hash: sealed.as_ref().map(|s| s.2.as_str()),
                        is_primary: first,
                        created_by: Some(staff_id),
                        at: now,
                    },
                )
                .await?;
                // Only the masked phone is audited.
                tx.audit(
                    c.audit("customers.contact_added", "customer", id)
                        .store(store_id)
                        .after(&json!({
                            "contact_id": contact, "name": name, "title": title,
                            "phone": sealed.as_ref().map(|s| &s.1),
                        })),
                );
                Ok(contact)
            })
        })
        .await
}

/// A contact's phone in full, for staff who may see personal data (audited, never logged).
pub async fn reveal_phone(
    ctx: &Ctx,
    customer_id: i64,
    contact_id: i64,
) -> Result<String, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    ctx.require(Permission::ViewPersonalData)?;
    let contact = store::contacts(ctx.db(), customer_id)
        .await?
        .into_iter()
        .find(|k| k.id == contact_id)
        .ok_or(CustomersError::NotFound)?;
    let phone = contact
        .phone_enc
        .as_deref()
        .and_then(|e| ctx.app.pii.decrypt(e).ok())
        .unwrap_or_default();
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                tx.audit(
                    c.audit("customers.reveal_phone", "customer", customer_id)
                        .after(&json!({ "contact_id": contact_id })),
                );
                Ok::<_, CustomersError>(())
            })
        })
        .await?;
    Ok(phone)
}

/// The settings as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = customers::SettingsIn)]
pub struct SettingsIn {
    pub cadence_a_days: String,
    pub cadence_b_days: String,
    pub cadence_c_days: String,
    pub first_contact_days: String,
    pub warn_days: String,
    pub claim_cap: String,
}

fn days(bad: &mut Invalid, field: &str, input: &str, min: i64, max: i64) -> i64 {
    match input.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            bad.add(field, "customers.invalid.range");
            0
        }
    }
}

/// The pool rules and cadence now.
pub async fn settings(ctx: &Ctx) -> Result<Settings, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    Ok(store::settings(ctx.db()).await?)
}

/// Saves the pool rules and the callback cadence (audited with before and after).
pub async fn save_settings(ctx: &Ctx, input: &SettingsIn) -> Result<Settings, CustomersError> {
    ctx.require(Permission::AssignCustomers)?;
    let mut bad = Invalid::new();
    let s = Settings {
        cadence_a_days: days(&mut bad, "cadence_a_days", &input.cadence_a_days, 1, 366),
        cadence_b_days: days(&mut bad, "cadence_b_days", &input.cadence_b_days, 1, 366),
        cadence_c_days: days(&mut bad, "cadence_c_days", &input.cadence_c_days, 1, 366),
        first_contact_days: days(
            &mut bad,
            "first_contact_days",
            &input.first_contact_days,
            1,
            366,
        ),
        warn_days: days(&mut bad, "warn_days", &input.warn_days, 0, 30),
        claim_cap: days(&mut bad, "claim_cap", &input.claim_cap, 0, 100_000),
    };
    bad.into_result()?;
    let by = ctx.actor.staff().map(|s| s.id);
    let c = ctx.clone();
    let saved = s.clone();
    ctx.db()
        .write(move |tx| {
            let (c, s) = (c.clone(), s.clone());
            Box::pin(async move {
                let before = store::settings(&mut *tx).await?;
                store::save_settings(tx, &s, by, ts(c.now())).await?;
                tx.audit(
                    c.audit("customers.settings", "customer_settings", 1)
                        .before(&before)
                        .after(&s),
                );
                Ok::<_, CustomersError>(())
            })
        })
        .await?;
    Ok(saved)
}
