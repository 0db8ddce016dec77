//! SQL of the member portal: the portal account's columns of `members` (password hash, must
//! change); `codes.rs` the one-time SMS codes, `consent.rs` marketing consent per channel,
//! `rights.rs` close requests and the member's own data for the download.

pub mod codes;
pub mod consent;
pub mod rights;

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// A member's portal account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Account {
    pub id: i64,
    pub portal_password_hash: Option<String>,
    pub portal_must_change: bool,
}

const ACCOUNT: &str = "m.id, m.portal_password_hash, m.portal_must_change";

/// The account of the active member with this phone lookup hash.
pub async fn account_by_phone(db: &Db, phone_hash: &str) -> Result<Option<Account>, DbError> {
    let sql =
        format!("select {ACCOUNT} from members m where m.phone_hash = $1 and m.status = 'active'");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(phone_hash)
            .fetch_optional(p)
            .await?
    }))
}

/// The account of the active member whose card (issued, active or frozen) has this number.
pub async fn account_by_card(db: &Db, card_no: &str) -> Result<Option<Account>, DbError> {
    let sql = format!(
        "select {ACCOUNT} from cards c join members m on m.id = c.member_id \
         where c.card_no = $1 and c.state in ('issued', 'active', 'frozen') and m.status = 'active'"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(card_no)
            .fetch_optional(p)
            .await?
    }))
}

/// The member's password hash (`None`: no such member; `Some(None)`: no portal password).
pub async fn password_hash(db: &Db, member_id: i64) -> Result<Option<Option<String>>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select portal_password_hash from members where id = $1")
            .bind(member_id)
            .fetch_optional(p)
            .await?
    }))
}

/// Sets a new password chosen by the member (no change required any more).
pub async fn set_password(tx: &mut Tx, member_id: i64, hash: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update members set portal_password_hash = $1, portal_must_change = false where id = $2",
        )
        .bind(hash)
        .bind(member_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A member's status and whether they must change their password, for the session check.
pub async fn session_state(db: &Db, member_id: i64) -> Result<Option<(String, bool)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select status, portal_must_change from members where id = $1")
            .bind(member_id)
            .fetch_optional(p)
            .await?
    }))
}
