//! SQL of the composition root: the health check's round trip to the database.

use crate::kernel::db::Db;

/// Whether the database answers a trivial query.
pub async fn ping(db: &Db) -> bool {
    crate::on_db!(db, |p| sqlx::query("select 1").execute(p).await.is_ok())
}
