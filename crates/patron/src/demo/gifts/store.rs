//! The gifts demo's own reads (seeding only).

use chrono::NaiveDate;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// Up to `limit` live cards of active members with at least `points`, oldest member first.
pub async fn cards_with_points(
    db: &Db,
    points: i64,
    valid_after: NaiveDate,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select c.card_no from cards c join members m on m.id = c.member_id \
             where c.state = 'active' and m.status = 'active' and m.points_balance >= $2 \
             and c.expires_on > $1 order by m.id limit $3",
        )
        .bind(valid_after)
        .bind(points)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}
