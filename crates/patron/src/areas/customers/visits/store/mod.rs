//! The SQL of visits, outreach, the directory review and research; one file per topic. Every
//! query here reads or writes only the customers area's own tables (and names staff, stores and
//! partners for display).

pub mod outreach;
pub mod research;
pub mod review;
pub mod visits;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// A customer to choose in a form.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// Active customers to choose from, by name (at most 1,000).
pub async fn customer_choices(db: &Db) -> Result<Vec<Choice>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, name from customers where state = 'active' order by name, id limit 1000",
        )
        .fetch_all(p)
        .await?
    }))
}

/// Partners to choose from, by name (at most 1,000).
pub async fn partner_choices(db: &Db) -> Result<Vec<Choice>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select id, name from partners order by name, id limit 1000")
            .fetch_all(p)
            .await?
    }))
}

/// Staff who may be given research (any enabled account), by name.
pub async fn staff_choices(db: &Db) -> Result<Vec<(i64, String, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, username, display_name from staff where disabled = false \
             order by display_name, id limit 1000",
        )
        .fetch_all(p)
        .await?
    }))
}
