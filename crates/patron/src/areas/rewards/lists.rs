//! The lists of D2 and the 核分 and notice of D3.
//!
//! The month-end list (下月到期并到分值的会员卡) is built once per month and stored: every member
//! whose live card expires in the next month and whose balance reaches a threshold, with the
//! highest threshold reached, the points and the card's expiry, under the card's issuing store.
//! It is one `insert … select` (set-based, served by `cards_expires`), so it takes one statement
//! whatever the number of members. The information desk's list of everyone at a threshold is
//! computed on demand. Each stored row records its 核分 (ledger sum = balance = lots remaining,
//! still at the threshold) and its notice (who, when, how).

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use patron_core::Permission;
use serde::{Deserialize, Serialize};

use super::{RewardsError, staff_id};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, ts};
use crate::kernel::validation::Invalid;
use crate::{on_db, on_tx};

/// What the month-end build did.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListSummary {
    pub list_id: i64,
    /// The month whose expiring cards are listed (`2026-12`).
    pub month: String,
    pub rows: i64,
    /// (store code, rows) per issuing store.
    #[schema(schema_with = store_row_pairs)]
    pub per_store: Vec<(String, i64)>,
    /// The list had been built before: nothing was written.
    pub already_built: bool,
}

/// How the OpenAPI document shows `ListSummary::per_store` (a list of `(String, i64)`): arrays of
/// a string then an integer, without the boolean `items` schema many OpenAPI tools refuse.
fn store_row_pairs() -> utoipa::openapi::Array {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let int64 = SchemaFormat::KnownFormat(KnownFormat::Int64);
    ArrayBuilder::new()
        .items(
            ArrayBuilder::new()
                .prefix_items([
                    ObjectBuilder::new().schema_type(Type::String).build(),
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .format(Some(int64))
                        .build(),
                ])
                .min_items(Some(2))
                .max_items(Some(2))
                .description(Some("`[store code, rows]`.")),
        )
        .description(Some("(store code, rows) per issuing store."))
        .build()
}

/// The first and last day of the month after `date`'s month.
pub fn next_month(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(date.year(), date.month(), 1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .unwrap_or(date);
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    (first, last)
}

/// Whether `date` is the last day of its month (the scheduler builds the list then).
pub fn is_month_end(date: NaiveDate) -> bool {
    date.succ_opt().is_some_and(|d| d.month() != date.month())
}

/// Builds and stores the month-end list for the month after `date` (once per month: a second
/// build answers the stored list). Called by the `reward-month-end` job and by hand.
pub async fn build_month_end(ctx: &Ctx, date: NaiveDate) -> Result<ListSummary, RewardsError> {
    ctx.require(Permission::IssueRewards)?;
    let (first, last) = next_month(date);
    let month = first.format("%Y-%m").to_string();
    let now = ts(ctx.now());
    let by = ctx.actor.audit_name();
    let (ctx2, month2) = (ctx.clone(), month.clone());
    let (list_id, built) = ctx
        .db()
        .write(move |tx| {
            let (ctx, month, by) = (ctx2.clone(), month2.clone(), by.clone());
            Box::pin(async move {
                let id: Option<i64> = on_tx!(tx, |c| {
                    sqlx::query_scalar(
                        "insert into reward_lists (kind, month, built_on, built_at, built_by) \
                         values ('month_end', $1, $2, $3, $4) on conflict (kind, month) do nothing returning id",
                    )
                    .bind(&month)
                    .bind(date)
                    .bind(now)
                    .bind(&by)
                    .fetch_optional(c)
                    .await?
                });
                let Some(id) = id else {
                    let id: i64 = on_tx!(tx, |c| {
                        sqlx::query_scalar(
                            "select id from reward_lists where kind = 'month_end' and month = $1",
                        )
                        .bind(&month)
                        .fetch_one(c)
                        .await?
                    });
                    return Ok::<_, RewardsError>((id, false));
                };
                let n = on_tx!(tx, |c| {
                    sqlx::query(
                        "insert into reward_list_rows (list_id, member_id, card_no, store_id, points, \
                         threshold_points, card_expires_on) \
                         select $1, m.id, c.card_no, c.store_id, m.points_balance, \
                           (select max(t.points) from reward_thresholds t where t.points <= m.points_balance), \
                           c.expires_on \
                         from cards c join members m on m.id = c.member_id \
                         where c.expires_on >= $2 and c.expires_on <= $3 \
                           and c.state in ('issued', 'active', 'frozen') and m.status = 'active' \
                           and m.points_balance >= (select min(points) from reward_thresholds)",
                    )
                    .bind(id)
                    .bind(first)
                    .bind(last)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                let n = i64::try_from(n).unwrap_or(i64::MAX);
                on_tx!(tx, |c| {
                    sqlx::query("update reward_lists set row_count = $1 where id = $2")
                        .bind(n)
                        .bind(id)
                        .execute(c)
                        .await
                        .map(|r| r.rows_affected())
                })?;
                tx.audit(
                    ctx.audit("reward.audit.month_end", "reward_list", id)
                        .after(&serde_json::json!({ "month": month, "rows": n })),
                );
                Ok((id, true))
            })
        })
        .await?;
    let per_store: Vec<(String, i64)> = on_db!(ctx.db(), |p| {
        sqlx::query_as(
            "select s.code, CAST(COUNT(*) AS BIGINT) from reward_list_rows r join stores s on s.id = r.store_id \
             where r.list_id = $1 group by s.code order by s.code",
        )
        .bind(list_id)
        .fetch_all(p)
        .await?
    });
    Ok(ListSummary {
        list_id,
        month,
        rows: per_store.iter().map(|(_, n)| n).sum(),
        per_store,
        already_built: !built,
    })
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListInfo {
    pub id: i64,
    pub kind: String,
    pub month: String,
    pub built_on: NaiveDate,
    pub built_at: DateTime<Utc>,
    pub built_by: String,
    pub row_count: i64,
}

pub async fn lists(db: &Db) -> Result<Vec<ListInfo>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, kind, month, built_on, built_at, built_by, row_count from reward_lists \
             order by month desc limit 36",
        )
        .fetch_all(p)
        .await?
    }))
}

pub async fn list_info(db: &Db, id: i64) -> Result<Option<ListInfo>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, kind, month, built_on, built_at, built_by, row_count from reward_lists where id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?
    }))
}

/// One row of a stored list as shown (name and masked phone to call the member).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListRow {
    pub list_id: i64,
    pub member_id: i64,
    pub name: String,
    pub phone_masked: Option<String>,
    pub card_no: String,
    pub store_code: String,
    pub points: i64,
    pub threshold_points: i64,
    pub card_expires_on: NaiveDate,
    pub checked_at: Option<DateTime<Utc>>,
    pub checked_by_name: Option<String>,
    pub check_ok: Option<bool>,
    pub check_detail: String,
    pub notified_at: Option<DateTime<Utc>>,
    pub notified_by_name: Option<String>,
    pub notice_how: Option<String>,
    pub notice_note: String,
    /// The slip made for this member from this list, if any.
    pub slip_no: Option<String>,
}

/// The rows of a stored list, of one store (or all).
pub async fn rows(db: &Db, list_id: i64, store_id: Option<i64>) -> Result<Vec<ListRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select r.list_id, r.member_id, m.name, m.phone_masked, r.card_no, s.code as store_code, r.points, \
             r.threshold_points, r.card_expires_on, r.checked_at, cs.display_name as checked_by_name, r.check_ok, \
             r.check_detail, r.notified_at, ns.display_name as notified_by_name, r.notice_how, r.notice_note, \
             (select min(x.slip_no) from reward_slips x where x.list_id = r.list_id and x.member_id = r.member_id) as slip_no \
             from reward_list_rows r join members m on m.id = r.member_id join stores s on s.id = r.store_id \
             left join staff cs on cs.id = r.checked_by left join staff ns on ns.id = r.notified_by \
             where r.list_id = $1 and ($2 = 0 or r.store_id = $2) order by s.code, r.card_expires_on, r.card_no",
        )
        .bind(list_id)
        .bind(store_id.unwrap_or(0))
        .fetch_all(p)
        .await?
    }))
}

/// A member at a threshold now (the information desk's list).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AtThreshold {
    pub member_id: i64,
    pub name: String,
    pub phone_masked: Option<String>,
    pub card_no: String,
    pub store_code: String,
    pub points: i64,
    pub threshold_points: i64,
    pub card_expires_on: NaiveDate,
}

/// Everyone whose balance reaches a threshold now, with a live card (of one store, or all);
/// highest balance first, at most `limit` rows.
pub async fn at_threshold(
    db: &Db,
    store_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AtThreshold>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.id as member_id, m.name, m.phone_masked, c.card_no, s.code as store_code, m.points_balance as points, \
             (select max(t.points) from reward_thresholds t where t.points <= m.points_balance) as threshold_points, \
             c.expires_on as card_expires_on \
             from members m join cards c on c.member_id = m.id and c.state in ('issued', 'active', 'frozen') \
             join stores s on s.id = c.store_id \
             where m.status = 'active' and m.points_balance >= (select min(points) from reward_thresholds) \
             and ($1 = 0 or c.store_id = $1) order by m.points_balance desc, c.card_no limit $2",
        )
        .bind(store_id.unwrap_or(0))
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// The outcome of a 核分.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Check {
    pub ok: bool,
    pub ledger_sum: i64,
    pub balance: i64,
    pub lots_remaining: i64,
    pub threshold_points: i64,
    pub detail: String,
}

/// 核分: checks a listed member's points against the ledger (sum of entries = balance = lots
/// remaining, and still at the row's threshold) and records the outcome on the row (audited).
pub async fn verify(ctx: &Ctx, list_id: i64, member_id: i64) -> Result<Check, RewardsError> {
    ctx.require(Permission::IssueRewards)?;
    let now = ts(ctx.now());
    let who = staff_id(ctx);
    let ctx2 = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let ctx = ctx2.clone();
            Box::pin(async move {
                let threshold: Option<i64> = on_tx!(tx, |c| {
                    sqlx::query_scalar(
                        "select threshold_points from reward_list_rows where list_id = $1 and member_id = $2",
                    )
                    .bind(list_id)
                    .bind(member_id)
                    .fetch_optional(c)
                    .await?
                });
                let threshold = threshold.ok_or(RewardsError::NotFound)?;
                let (ledger_sum, balance, lots_remaining): (i64, i64, i64) = on_tx!(tx, |c| {
                    sqlx::query_as(
                        "select CAST(COALESCE((select SUM(points) from point_entries where member_id = $1), 0) AS BIGINT), \
                         m.points_balance, \
                         CAST(COALESCE((select SUM(remaining) from point_lots where member_id = $1), 0) AS BIGINT) \
                         from members m where m.id = $1",
                    )
                    .bind(member_id)
                    .fetch_one(c)
                    .await?
                });
                let ok = ledger_sum == balance && balance == lots_remaining && balance >= threshold;
                let detail = format!(
                    "ledger {ledger_sum} / balance {balance} / lots {lots_remaining} / threshold {threshold}"
                );
                on_tx!(tx, |c| {
                    sqlx::query(
                        "update reward_list_rows set checked_at = $1, checked_by = $2, check_ok = $3, check_detail = $4 \
                         where list_id = $5 and member_id = $6",
                    )
                    .bind(now)
                    .bind(who)
                    .bind(ok)
                    .bind(&detail)
                    .bind(list_id)
                    .bind(member_id)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                tx.audit(
                    ctx.audit("reward.audit.check", "reward_list_row", format!("{list_id}:{member_id}"))
                        .after(&serde_json::json!({ "ok": ok, "detail": detail })),
                );
                Ok::<_, RewardsError>(Check {
                    ok,
                    ledger_sum,
                    balance,
                    lots_remaining,
                    threshold_points: threshold,
                    detail,
                })
            })
        })
        .await
}

/// How a member was told.
pub const NOTICE_HOW: &[&str] = &["phone", "sms", "letter"];

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(examples(json!({"how": "phone", "note": "本人接听，周末来领"})))]
pub struct NoticeIn {
    /// phone | sms | letter
    pub how: String,
    #[serde(default)]
    pub note: String,
}

/// Records that the member was told (only after a 核分 that agreed: the seed's rule).
pub async fn record_notice(
    ctx: &Ctx,
    list_id: i64,
    member_id: i64,
    input: &NoticeIn,
) -> Result<(), RewardsError> {
    ctx.require(Permission::IssueRewards)?;
    let mut bad = Invalid::new();
    if !NOTICE_HOW.contains(&input.how.as_str()) {
        bad.add("how", "reward.invalid.notice_how");
    }
    let note = input.note.trim().to_string();
    if note.chars().count() > 200 {
        bad.add("note", "reward.invalid.note");
    }
    bad.into_result()?;
    let how = input.how.clone();
    let now = ts(ctx.now());
    let who = staff_id(ctx);
    let ctx2 = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (ctx, how, note) = (ctx2.clone(), how.clone(), note.clone());
            Box::pin(async move {
                let n = on_tx!(tx, |c| {
                    sqlx::query(
                        "update reward_list_rows set notified_at = $1, notified_by = $2, notice_how = $3, notice_note = $4 \
                         where list_id = $5 and member_id = $6 and check_ok = $7",
                    )
                    .bind(now)
                    .bind(who)
                    .bind(&how)
                    .bind(&note)
                    .bind(list_id)
                    .bind(member_id)
                    .bind(true)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                if n == 0 {
                    return Err(RewardsError::Conflict(
                        "verify the points (核分) before notifying".into(),
                    ));
                }
                tx.audit(
                    ctx.audit("reward.audit.notice", "reward_list_row", format!("{list_id}:{member_id}"))
                        .after(&serde_json::json!({ "how": how })),
                );
                Ok::<_, RewardsError>(())
            })
        })
        .await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn next_month_and_month_end() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            next_month(d("2026-11-30")),
            (d("2026-12-01"), d("2026-12-31"))
        );
        assert_eq!(
            next_month(d("2026-12-31")),
            (d("2027-01-01"), d("2027-01-31"))
        );
        assert_eq!(
            next_month(d("2027-01-15")),
            (d("2027-02-01"), d("2027-02-28"))
        );
        assert!(is_month_end(d("2026-11-30")));
        assert!(!is_month_end(d("2026-11-29")));
        assert!(is_month_end(d("2028-02-29")));
    }
}
