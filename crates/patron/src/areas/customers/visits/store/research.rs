//! Market research tasks (市场调研), their findings and attachments.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = visits::ResearchRow)]
pub struct ResearchRow {
    pub id: i64,
    pub title: String,
    pub scope: String,
    pub due_on: Option<NaiveDate>,
    pub assignee_staff_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub partner_id: Option<i64>,
    pub partner_name: Option<String>,
    pub findings: String,
    pub state: String,
    pub store_id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "select r.id, r.title, r.scope, r.due_on, r.assignee_staff_id, \
     s.display_name as assignee_name, r.customer_id, c.name as customer_name, r.partner_id, \
     p.name as partner_name, r.findings, r.state, r.store_id, r.created_at, r.updated_at \
     from customer_research r left join staff s on s.id = r.assignee_staff_id \
     left join customers c on c.id = r.customer_id left join partners p on p.id = r.partner_id";

pub async fn get<'a>(exec: impl Into<Exec<'a>>, id: i64) -> Result<Option<ResearchRow>, DbError> {
    let sql = format!("{SELECT} where r.id = $1");
    Ok(on_exec!(exec.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(x)
            .await?
    }))
}

/// Tasks whose title, scope or findings contain `words` (every word; empty: all), newest first.
pub async fn search(db: &Db, words: &[String]) -> Result<Vec<ResearchRow>, DbError> {
    let mut sql = format!("{SELECT} where 1 = 1");
    for i in 1..=words.len() {
        sql.push_str(&format!(
            " and (lower(r.title) like ${i} escape '\\' or lower(r.scope) like ${i} escape '\\' \
             or lower(r.findings) like ${i} escape '\\')"
        ));
    }
    sql.push_str(" order by r.id desc limit 2000");
    let patterns: Vec<String> = words
        .iter()
        .map(|w| {
            let escaped = w
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        })
        .collect();
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        for pat in &patterns {
            q = q.bind(pat.clone());
        }
        q.fetch_all(p).await?
    }))
}

/// A task as inserted.
pub struct NewResearch<'a> {
    pub title: &'a str,
    pub scope: &'a str,
    pub due_on: Option<NaiveDate>,
    pub assignee_staff_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub partner_id: Option<i64>,
    pub store_id: i64,
    pub created_by: Option<i64>,
    pub at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, r: &NewResearch<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_research (title, scope, due_on, assignee_staff_id, customer_id, \
             partner_id, store_id, created_by, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning id",
        )
        .bind(r.title)
        .bind(r.scope)
        .bind(r.due_on)
        .bind(r.assignee_staff_id)
        .bind(r.customer_id)
        .bind(r.partner_id)
        .bind(r.store_id)
        .bind(r.created_by)
        .bind(ts(r.at))
        .fetch_one(x)
        .await?
    }))
}

/// Whether a customer / partner / staff member exists (to link a task to it).
pub async fn exists(tx: &mut Tx, table: Linked, id: i64) -> Result<bool, DbError> {
    let sql = match table {
        Linked::Customer => "select cast(count(*) as bigint) from customers where id = $1",
        Linked::Partner => "select cast(count(*) as bigint) from partners where id = $1",
        Linked::Staff => {
            "select cast(count(*) as bigint) from staff where id = $1 and disabled = false"
        }
    };
    let n: i64 = on_tx!(tx, |x| {
        sqlx::query_scalar(sql).bind(id).fetch_one(x).await?
    });
    Ok(n > 0)
}

/// What a research task may be linked to.
#[derive(Debug, Clone, Copy)]
pub enum Linked {
    Customer,
    Partner,
    Staff,
}

/// Writes the findings (and files the task when `filed`); false when there is no such task.
pub async fn set_findings(
    tx: &mut Tx,
    id: i64,
    findings: &str,
    state: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customer_research set findings = $1, state = $2, updated_at = $3 where id = $4",
        )
        .bind(findings)
        .bind(state)
        .bind(ts(at))
        .bind(id)
        .execute(x)
        .await?
        .rows_affected()
    }) == 1)
}

/// An attachment as listed (without its bytes).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = visits::FileRow)]
pub struct FileRow {
    pub id: i64,
    pub research_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn files(db: &Db, research_id: i64) -> Result<Vec<FileRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, research_id, file_name, content_type, size_bytes, sha256, uploaded_at \
             from customer_research_files where research_id = $1 order by id",
        )
        .bind(research_id)
        .fetch_all(p)
        .await?
    }))
}

/// One attachment with its bytes.
pub async fn file(db: &Db, id: i64) -> Result<Option<(FileRow, Vec<u8>)>, DbError> {
    let row: Option<FileRow> = on_db!(db, |p| {
        sqlx::query_as(
            "select id, research_id, file_name, content_type, size_bytes, sha256, uploaded_at \
             from customer_research_files where id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?
    });
    let Some(row) = row else { return Ok(None) };
    let data: Vec<u8> = on_db!(db, |p| {
        sqlx::query_scalar("select data from customer_research_files where id = $1")
            .bind(id)
            .fetch_one(p)
            .await?
    });
    Ok(Some((row, data)))
}

/// An attachment as stored.
pub struct NewFile<'a> {
    pub research_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub data: &'a [u8],
    pub by: Option<i64>,
    pub at: DateTime<Utc>,
}

pub async fn insert_file(tx: &mut Tx, f: &NewFile<'_>) -> Result<i64, DbError> {
    let size = i64::try_from(f.data.len()).unwrap_or(i64::MAX);
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_research_files (research_id, file_name, content_type, size_bytes, \
             sha256, data, uploaded_by, uploaded_at) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(f.research_id)
        .bind(f.file_name)
        .bind(f.content_type)
        .bind(size)
        .bind(f.sha256)
        .bind(f.data)
        .bind(f.by)
        .bind(ts(f.at))
        .fetch_one(x)
        .await?
    }))
}

/// Open tasks past their due date (of one assignee, 0 = all).
pub async fn count_late(db: &Db, today: NaiveDate, assignee: i64) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from customer_research where state = 'open' \
             and due_on < $1 and ($2 = 0 or assignee_staff_id = $2)",
        )
        .bind(today)
        .bind(assignee)
        .fetch_one(p)
        .await?
    }))
}
