//! The records a month's actuals are counted from — other areas' tables, read here and nowhere
//! else in this area, never written (areas/mod.rs: plans reads them for its actuals):
//! - group-buy sales `gb_sales` (the seller is `created_by`; a sale counts while it is `sold` or
//!   `reserved` — a bounced cheque's sale does not);
//! - new members `members` (`joined_on`, the registering store, `channel`); the person who
//!   recruited one is the submitter of the application that made the member
//!   (`member_applications.submitted_by`), else the staff member who registered them at the desk
//!   (the audit entry `member.register`, by a person or their API token); imports have nobody;
//! - callbacks `customer_callbacks` (the caller, `biz_date`).

use chrono::NaiveDate;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// Group-buy sales of a store in `from..=to`: (seller, amount in fen).
pub async fn sales_by_seller(
    db: &Db,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select created_by, cast(coalesce(sum(amount_fen), 0) as bigint) from gb_sales \
             where store_id = $1 and biz_date >= $2 and biz_date <= $3 and state in ('sold', 'reserved') \
             group by created_by",
        )
        .bind(store_id)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// Callbacks logged at a store in `from..=to`: (caller, count).
pub async fn callbacks_by_caller(
    db: &Db,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select caller_staff_id, cast(count(*) as bigint) from customer_callbacks \
             where store_id = $1 and biz_date >= $2 and biz_date <= $3 group by caller_staff_id",
        )
        .bind(store_id)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// A member who joined: the channel and who recruited them (none for imports).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NewMember {
    pub channel: String,
    pub recruiter: Option<i64>,
}

/// The members who joined at a store in `from..=to`.
pub async fn new_members(
    db: &Db,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NewMember>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.channel, coalesce(\
               (select min(a.submitted_by) from member_applications a where a.member_id = m.id), \
               (select min(l.actor_id) from audit_log l where l.entity_kind = 'member' \
                  and l.entity_id = cast(m.id as text) and l.action = 'member.register' \
                  and l.actor_kind = 'staff'), \
               (select min(k.staff_id) from audit_log l join api_tokens k on k.id = l.actor_id \
                  where l.entity_kind = 'member' and l.entity_id = cast(m.id as text) \
                  and l.action = 'member.register' and l.actor_kind = 'token')) as recruiter \
             from members m where m.store_id = $1 and m.joined_on >= $2 and m.joined_on <= $3",
        )
        .bind(store_id)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}
