//! Reads of the portal demo: the member it shows (one holding a reward slip, whose card is live).

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// A member with a reward slip and a live card: (member id, card number).
pub async fn member_with_slip(db: &Db) -> Result<Option<(i64, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.id, c.card_no from reward_slips s join members m on m.id = s.member_id \
             join cards c on c.member_id = m.id and c.state in ('issued', 'active') \
             where m.status = 'active' order by s.id limit 1",
        )
        .fetch_optional(p)
        .await?
    }))
}
