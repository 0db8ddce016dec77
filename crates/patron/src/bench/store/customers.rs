//! SQL of `patron bench customers`: salespeople, customers and a year of callbacks loaded
//! straight into the tables in set-based statements.

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// Runs one of the load statements (built here from numbers only, never from input).
pub async fn execute(tx: &mut Tx, sql: &str) -> Result<u64, DbError> {
    let sql = sql.to_owned();
    Ok(on_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut *c)
            .await?
            .rows_affected()
    }))
}

/// The statements that load `customers` customers owned by 50 salespeople, each with
/// `per_customer` callbacks, the last one 0–29 days before 2027-08-24 (so about half are past
/// the 14-day cadence), and `last_contact_at` set from them.
pub fn load_statements(pg: bool, customers: u64, per_customer: u64) -> Vec<String> {
    let last = per_customer.saturating_sub(1);
    let (series_c, series_k) = if pg {
        (
            format!("generate_series(1, {customers}) as n(i)"),
            format!("generate_series(0, {last}) as k(j)"),
        )
    } else {
        (
            format!(
                "(with recursive s(i) as (select 1 union all select i + 1 from s \
                 where i < {customers}) select i from s) as n"
            ),
            format!(
                "(with recursive s(j) as (select 0 union all select j + 1 from s \
                 where j < {last}) select j from s) as k"
            ),
        )
    };
    // The moment `days` days before 2027-08-24 10:00 in Beijing, as each backend stores it.
    let ts = |days: &str| {
        if pg {
            format!(
                "(timestamptz '2027-08-24 10:00:00+08' - make_interval(days => CAST({days} AS INT)))"
            )
        } else {
            format!(
                "strftime('%Y-%m-%dT%H:%M:%S+00:00', '2027-08-24 02:00:00', '-' || ({days}) || ' days')"
            )
        }
    };
    let staff_series = if pg {
        "generate_series(1, 50) as n(i)".to_owned()
    } else {
        "(with recursive s(i) as (select 1 union all select i + 1 from s where i < 50) select i from s) as n".to_owned()
    };
    let cb_days = "(c.id % 30) + 18 * k.j";
    let cb_biz = if pg {
        format!("CAST({} AS date)", ts(cb_days))
    } else {
        format!("substr({}, 1, 10)", ts(cb_days))
    };
    vec![
        format!(
            "insert into staff (username, display_name, password_hash, created_at) \
             select 'bench_sales_' || n.i, '业务员' || n.i, 'x', {} from {staff_series}",
            ts("400")
        ),
        "insert into staff_roles (staff_id, role, store_id) select s.id, 'clerk', \
         (select id from stores where code = 'HQ') from staff s where s.username like 'bench_sales_%'"
            .to_owned(),
        format!(
            "insert into customers (name, name_key, kind, grade, store_id, owner_staff_id, \
             owned_since, created_at) select '客户' || n.i, 'bench客户' || n.i, \
             case n.i % 4 when 0 then 'enterprise' when 1 then 'government' when 2 then 'collective' \
             else 'individual' end, case when n.i % 10 = 0 then 'A' when n.i % 10 < 4 then 'B' \
             else 'C' end, (select id from stores where code = 'HQ'), \
             (select min(id) from staff where username like 'bench_sales_%') + n.i % 50, {}, {} \
             from {series_c}",
            ts("400"),
            ts("400")
        ),
        format!(
            "insert into customer_callbacks (customer_id, at, way, summary, outcome, next_step, \
             caller_staff_id, owner_staff_id, store_id, biz_date, created_at) \
             select c.id, {at}, case k.j % 3 when 0 then 'phone' when 1 then 'visit' else 'mail' end, \
             '节前例行回访', '', '', c.owner_staff_id, c.owner_staff_id, c.store_id, {cb_biz}, {at} \
             from customers c, {series_k}",
            at = ts(cb_days)
        ),
        "update customers set last_contact_at = (select max(b.at) from customer_callbacks b \
         where b.customer_id = customers.id)"
            .to_owned(),
        "analyze".to_owned(),
    ]
}

/// How many rows a table holds (for the report).
pub async fn count(db: &Db, table: &'static str) -> Result<i64, DbError> {
    let sql = match table {
        "customers" => "select CAST(COUNT(*) AS BIGINT) from customers",
        _ => "select CAST(COUNT(*) AS BIGINT) from customer_callbacks",
    };
    Ok(on_db!(db, |p| sqlx::query_scalar(sql).fetch_one(p).await?))
}

/// The first bench salesperson's staff id.
pub async fn first_salesperson(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select CAST(COALESCE(MIN(id), 0) AS BIGINT) from staff where username like 'bench_sales_%'",
        )
        .fetch_one(p)
        .await?
    }))
}
