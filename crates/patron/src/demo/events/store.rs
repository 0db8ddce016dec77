//! The demo events' reads: members with a live card, to sign up and check in.

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// (member id, card number, tier) of up to 400 active members with an active card, by id.
pub async fn members_with_cards(db: &Db) -> Result<Vec<(i64, String, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.id, c.card_no, m.tier_code from members m join cards c on c.member_id = m.id \
             where m.status = 'active' and c.state = 'active' order by m.id limit 400",
        )
        .fetch_all(p)
        .await?
    }))
}
