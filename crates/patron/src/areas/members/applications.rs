//! Applications (SPEC B2–B5): a clerk fills in the application (会员申请表) with the qualifying
//! receipt; the store's eligibility rule is checked and the receipt reserved (one receipt
//! qualifies one card); customer service approves — which issues the card in the store's
//! sequence and sends the welcome message — or rejects with a reason, after which the clerk
//! corrects and resubmits.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use patron_core::Permission;
use patron_core::money::Fen;
use serde::{Deserialize, Serialize};

use super::{Issue, MemberIn, MembersError, Registered, register_in};
use crate::areas::points::business_date;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, Tx, ts};
use crate::kernel::validation::Invalid;
use crate::{on_db, on_tx};

/// The store's eligibility rule (B3).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CardRule {
    pub store_id: i64,
    pub min_receipt_fen: i64,
    pub counter_min_fen: Option<i64>,
    /// Comma-separated counter codes where `counter_min_fen` applies.
    pub counters: String,
}

impl CardRule {
    pub fn default_for(store_id: i64) -> CardRule {
        CardRule {
            store_id,
            min_receipt_fen: 100_000,
            counter_min_fen: None,
            counters: String::new(),
        }
    }

    /// Whether a receipt of `amount` (at `counter`, if any) qualifies.
    pub fn qualifies(&self, amount: Fen, counter: &str) -> bool {
        if amount.0 >= self.min_receipt_fen {
            return true;
        }
        let at_listed = !counter.trim().is_empty()
            && self
                .counters
                .split(',')
                .any(|c| c.trim().eq_ignore_ascii_case(counter.trim()));
        at_listed && self.counter_min_fen.is_some_and(|m| amount.0 >= m)
    }
}

pub async fn card_rule(db: &crate::kernel::db::Db, store_id: i64) -> Result<CardRule, DbError> {
    let found: Option<CardRule> = on_db!(db, |p| {
        sqlx::query_as(
            "select store_id, min_receipt_fen, counter_min_fen, counters from card_rules where store_id = $1",
        )
        .bind(store_id)
        .fetch_optional(p)
        .await?
    });
    Ok(found.unwrap_or_else(|| CardRule::default_for(store_id)))
}

/// What the clerk submits.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ApplicationIn {
    pub store_code: String,
    pub member: MemberIn,
    pub receipt_no: String,
    /// The receipt's amount in yuan, as typed.
    pub receipt_amount: String,
    #[serde(default)]
    pub counter: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ApplicationRow {
    pub id: i64,
    pub store_id: i64,
    pub status: String,
    pub name: String,
    pub data: String,
    pub receipt_no: Option<String>,
    pub receipt_fen: Option<i64>,
    pub counter: Option<String>,
    pub submitted_by: i64,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub member_id: Option<i64>,
}

const COLUMNS: &str = "id, store_id, status, name, data, receipt_no, receipt_fen, counter, submitted_by, \
     submitted_at, reviewed_by, reviewed_at, reason, member_id";

impl ApplicationRow {
    /// The form as submitted (personal fields decrypted), for the reviewer and for corrections.
    pub fn form(&self, pii: &crate::kernel::pii::Pii) -> Option<ApplicationIn> {
        let plain = pii.decrypt(&self.data).ok()?;
        serde_json::from_str(&plain).ok()
    }
}

pub async fn get(db: &crate::kernel::db::Db, id: i64) -> Result<Option<ApplicationRow>, DbError> {
    let sql = format!("select {COLUMNS} from member_applications where id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// Applications waiting for review, and rejected ones waiting for a correction.
pub async fn queue(ctx: &Ctx) -> Result<Vec<ApplicationRow>, MembersError> {
    ctx.require(Permission::ViewMembers)?;
    let sql = format!(
        "select {COLUMNS} from member_applications where status in ('submitted', 'rejected') order by id"
    );
    Ok(on_db!(ctx.db(), |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?
    }))
}

async fn reserve_receipt(
    tx: &mut Tx,
    store_id: i64,
    receipt_no: &str,
    application_id: i64,
) -> Result<(), MembersError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into qualifying_receipts (store_id, receipt_no, application_id) values ($1, $2, $3)",
        )
        .bind(store_id)
        .bind(receipt_no)
        .bind(application_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| {
        let e = DbError::from(e);
        if e.is_unique_violation() {
            MembersError::from(Invalid::one("receipt_no", "invalid.receipt_used"))
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// Submits an application (or, with `previous`, the correction of a rejected one).
pub async fn submit(
    ctx: &Ctx,
    input: &ApplicationIn,
    previous: Option<i64>,
) -> Result<i64, MembersError> {
    ctx.require(Permission::ManageMembers)?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let mut bad = Invalid::new();
    let store = stores.by_code(&input.store_code).cloned();
    if store.is_none() {
        bad.add("store_code", "invalid.store_code");
    }
    let today = business_date(ctx.now(), ctx.app.config.tz());
    let valid = match input.member.validate(today) {
        Ok(v) => Some(v),
        Err(i) => {
            bad.0.extend(i.0);
            None
        }
    };
    let receipt_no =
        crate::areas::points::receipts::parse_no("receipt_no", &input.receipt_no, &mut bad);
    let amount = bad.check(
        "receipt_amount",
        Fen::parse_yuan(&input.receipt_amount).map_err(|_| "invalid.amount"),
    );
    if let (Some(store), Some(amount)) = (&store, amount) {
        ctx.require_at(Permission::ManageMembers, store.id)?;
        let rule = card_rule(ctx.db(), store.id).await?;
        if !rule.qualifies(amount, &input.counter) {
            bad.add("receipt_amount", "invalid.not_eligible");
        }
    }
    bad.into_result()?;
    let (Some(store), Some(valid), Some(receipt_no), Some(amount)) =
        (store, valid, receipt_no, amount)
    else {
        return Err(Invalid::one("name", "invalid.required").into());
    };
    let pii = ctx.app.pii.clone();
    let phone_hash = pii.lookup("phone", valid.phone.as_str());
    let id_hash = valid.id.as_ref().map(|i| pii.lookup("id", i.as_str()));
    let data = pii.encrypt(&serde_json::to_string(input).unwrap_or_default());
    let c = ctx.clone();
    let staff_id = ctx
        .actor
        .staff()
        .map(|s| s.id)
        .ok_or(MembersError::Forbidden(crate::kernel::ctx::Forbidden(
            Permission::ManageMembers,
        )))?;
    let name = valid.name.clone();
    let counter = input.counter.trim().to_string();
    let now = ts(ctx.now());
    ctx.db()
        .write(move |tx| {
            let (c, phone_hash, id_hash, data, name, receipt_no, counter, store) = (
                c.clone(),
                phone_hash.clone(),
                id_hash.clone(),
                data.clone(),
                name.clone(),
                receipt_no.clone(),
                counter.clone(),
                store.clone(),
            );
            Box::pin(async move {
                if let Some((member_id, existing)) =
                    super::store::find_by_hash_in(tx, "phone_hash", &phone_hash).await?
                {
                    return Err(MembersError::Duplicate {
                        field: "phone",
                        member_id,
                        name: existing,
                    });
                }
                if let Some(h) = &id_hash
                    && let Some((member_id, existing)) =
                        super::store::find_by_hash_in(tx, "id_hash", h).await?
                {
                    return Err(MembersError::Duplicate {
                        field: "id_no",
                        member_id,
                        name: existing,
                    });
                }
                if let Some(prev) = previous {
                    // The corrected application replaces the rejected one.
                    let n = on_tx!(tx, |conn| {
                        sqlx::query(
                            "update member_applications set status = 'resubmitted' where id = $1 and status = 'rejected'",
                        )
                        .bind(prev)
                        .execute(conn)
                        .await
                        .map(|r| r.rows_affected())
                    })?;
                    if n != 1 {
                        return Err(Invalid::one("previous", "invalid.resubmit").into());
                    }
                }
                let id: i64 = on_tx!(tx, |conn| {
                    sqlx::query_scalar(
                        "insert into member_applications (store_id, status, name, data, phone_hash, id_hash, \
                         receipt_no, receipt_fen, counter, submitted_by, submitted_at) \
                         values ($1, 'submitted', $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
                    )
                    .bind(store.id)
                    .bind(&name)
                    .bind(&data)
                    .bind(&phone_hash)
                    .bind(&id_hash)
                    .bind(&receipt_no)
                    .bind(amount.0)
                    .bind(&counter)
                    .bind(staff_id)
                    .bind(now)
                    .fetch_one(conn)
                    .await?
                });
                reserve_receipt(tx, store.id, &receipt_no, id).await?;
                tx.audit(
                    c.audit("member.apply", "application", id)
                        .after(&serde_json::json!({ "name": name, "receipt_no": receipt_no, "previous": previous })),
                );
                Ok(id)
            })
        })
        .await
}

/// The reviewer's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    Approve,
    Reject { reason: String },
}

/// Approves (issuing the card) or rejects an application; never one's own (four eyes, A2).
pub async fn review(
    ctx: &Ctx,
    id: i64,
    decision: Review,
) -> Result<Option<Registered>, MembersError> {
    ctx.require(Permission::ReviewApplications)?;
    let reviewer = ctx
        .actor
        .staff()
        .map(|s| s.id)
        .ok_or(MembersError::Forbidden(crate::kernel::ctx::Forbidden(
            Permission::ReviewApplications,
        )))?;
    let app_row = get(ctx.db(), id).await?.ok_or(MembersError::NotFound)?;
    ctx.require_at(Permission::ReviewApplications, app_row.store_id)?;
    if app_row.submitted_by == reviewer {
        return Err(MembersError::Approvals(
            crate::approvals::ApprovalsError::Rule(
                patron_core::approvals::ApprovalError::OwnRequest,
            ),
        ));
    }
    if let Review::Reject { reason } = &decision
        && reason.trim().is_empty()
    {
        return Err(Invalid::one("reason", "invalid.required").into());
    }
    let form = app_row.form(&ctx.app.pii).ok_or(MembersError::NotFound)?;
    let today = business_date(ctx.now(), ctx.app.config.tz());
    let valid = form.member.validate(today)?;
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let store = stores
        .by_id(app_row.store_id)
        .cloned()
        .ok_or(MembersError::NotFound)?;
    let first_password = crate::auth::password::random_password();
    let portal_hash = crate::auth::password::hash(&first_password)
        .await
        .map_err(|e| MembersError::Db(DbError::Batch(e.to_string())))?;
    let c = ctx.clone();
    let now = ts(ctx.now());
    let shared = Arc::new((valid, store, app_row, decision, first_password, portal_hash));
    let months = loyalty.settings.card_valid_months;
    let referral = loyalty.tiers.first().map_or(0, |t| t.referral_points);
    let referral_expires =
        patron_core::points::lot_expiry(today, loyalty.settings.points_valid_months.max(1) as u32);
    ctx.db()
        .write(move |tx| {
            let (c, shared) = (c.clone(), shared.clone());
            Box::pin(async move {
                let (valid, store, app_row, decision, first_password, portal_hash) = &*shared;
                let (status, reason) = match decision {
                    Review::Approve => ("approved", None),
                    Review::Reject { reason } => ("rejected", Some(reason.trim().to_string())),
                };
                let n = on_tx!(tx, |conn| {
                    sqlx::query(
                        "update member_applications set status = $1, reviewed_by = $2, reviewed_at = $3, reason = $4 \
                         where id = $5 and status = 'submitted'",
                    )
                    .bind(status)
                    .bind(reviewer)
                    .bind(now)
                    .bind(&reason)
                    .bind(id)
                    .execute(conn)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                if n != 1 {
                    return Err(MembersError::CardState(app_row.status.clone()));
                }
                let mut registered = None;
                if *decision == Review::Approve {
                    let issue = Issue {
                        store_id: store.id,
                        card_no: None,
                        joined_on: today,
                        expires_on: None,
                        activate: false,
                        opening_receipt_no: app_row.receipt_no.clone(),
                        tier_code: None,
                        portal_password_hash: Some(portal_hash.clone()),
                    };
                    let r = register_in(&c, tx, valid, &issue, months, &store.code).await?;
                    on_tx!(tx, |conn| {
                        sqlx::query("update member_applications set member_id = $1 where id = $2")
                            .bind(r.member_id)
                            .bind(id)
                            .execute(conn)
                            .await
                            .map(|r| r.rows_affected())
                    })?;
                    super::queue_welcome(tx, &r, valid.email.is_some(), first_password, now).await?;
                    if valid.referrer.is_some() {
                        super::referral_points(tx, r.member_id, referral, referral_expires, now).await?;
                    }
                    registered = Some(r);
                } else {
                    // The receipt may qualify the corrected application.
                    on_tx!(tx, |conn| {
                        sqlx::query("delete from qualifying_receipts where application_id = $1")
                            .bind(id)
                            .execute(conn)
                            .await
                            .map(|r| r.rows_affected())
                    })?;
                }
                tx.audit(
                    c.audit(&format!("member.application_{status}"), "application", id)
                        .after(&serde_json::json!({ "reason": reason, "member": registered.as_ref().map(|r| r.member_id) })),
                );
                Ok(registered)
            })
        })
        .await
}
