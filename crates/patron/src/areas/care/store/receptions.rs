//! The SQL of the reception record and service desk log (`care_receptions`, append-only).

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// A reception or desk service as recorded.
pub struct NewReception<'a> {
    pub store_id: i64,
    pub kind: &'a str,
    pub member_id: Option<i64>,
    pub visitor: &'a str,
    pub arrived_at: DateTime<Utc>,
    pub needs: &'a str,
    pub service: &'a str,
    pub problems: &'a str,
    pub gift: &'a str,
    pub follow_up: &'a str,
    pub follow_up_on: Option<NaiveDate>,
    pub staff_id: i64,
    pub created_at: DateTime<Utc>,
    pub request_key: Option<&'a str>,
}

/// Records it; none when its request key was used already.
pub async fn insert(tx: &mut Tx, r: &NewReception<'_>) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into care_receptions (store_id, kind, member_id, visitor, arrived_at, needs, \
             service, problems, gift, follow_up, follow_up_on, staff_id, created_at, request_key) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             on conflict (request_key) do nothing returning id",
        )
        .bind(r.store_id)
        .bind(r.kind)
        .bind(r.member_id)
        .bind(r.visitor)
        .bind(ts(r.arrived_at))
        .bind(r.needs)
        .bind(r.service)
        .bind(r.problems)
        .bind(r.gift)
        .bind(r.follow_up)
        .bind(r.follow_up_on)
        .bind(r.staff_id)
        .bind(ts(r.created_at))
        .bind(r.request_key)
        .fetch_optional(c)
        .await?
    }))
}

/// One line of the log.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
#[schema(as = care::Reception)]
pub struct ReceptionRow {
    pub id: i64,
    pub store_id: i64,
    pub kind: String,
    pub member_id: Option<i64>,
    pub member_name: Option<String>,
    pub card_no: Option<String>,
    pub visitor: String,
    pub arrived_at: DateTime<Utc>,
    pub needs: String,
    pub service: String,
    pub problems: String,
    pub gift: String,
    pub follow_up: String,
    pub follow_up_on: Option<NaiveDate>,
    pub staff_name: String,
}

const ROW: &str = "select r.id, r.store_id, r.kind, r.member_id, m.name as member_name, \
     c.card_no, r.visitor, r.arrived_at, r.needs, r.service, r.problems, r.gift, r.follow_up, \
     r.follow_up_on, s.display_name as staff_name from care_receptions r \
     left join members m on m.id = r.member_id \
     left join cards c on c.member_id = r.member_id and c.state in ('issued', 'active', 'frozen') \
     join staff s on s.id = r.staff_id";

pub async fn by_key(ex: impl Into<Exec<'_>>, key: &str) -> Result<Option<ReceptionRow>, DbError> {
    let sql = format!("{ROW} where r.request_key = $1");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(key)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn reception(db: &Db, id: i64) -> Result<Option<ReceptionRow>, DbError> {
    let sql = format!("{ROW} where r.id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// Which lines to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub kind: Option<String>,
    pub member_id: Option<i64>,
    pub limit: i64,
}

/// The lines the filter selects, the latest first.
pub async fn list(db: &Db, f: &Filter) -> Result<Vec<ReceptionRow>, DbError> {
    let sql = format!(
        "{ROW} where ($1 is null or r.arrived_at >= $1) and ($2 is null or r.arrived_at < $2) \
         and ($3 is null or r.kind = $3) and ($4 is null or r.member_id = $4) \
         order by r.arrived_at desc, r.id desc limit $5"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(f.from.map(ts))
            .bind(f.until.map(ts))
            .bind(f.kind.clone())
            .bind(f.member_id)
            .bind(f.limit)
            .fetch_all(p)
            .await?
    }))
}
