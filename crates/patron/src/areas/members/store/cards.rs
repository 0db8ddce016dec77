//! SQL of card life (B5–B6, B11): the live card, guarded state changes, renewal, replacement,
//! and erasing a closed member's personal data.

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{DbError, Tx, ts};
use crate::on_tx;

/// A member's card that is still in use (issued, active or frozen).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveCard {
    pub card_no: String,
    pub state: String,
    pub store_id: i64,
    pub expires_on: NaiveDate,
}

pub async fn live_card(tx: &mut Tx, member_id: i64) -> Result<Option<LiveCard>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
            "select card_no, state, store_id, expires_on from cards \
             where member_id = $1 and state in ('issued', 'active', 'frozen')",
        )
        .bind(member_id)
        .fetch_optional(conn)
        .await?
    }))
}

/// Moves a card from state `from` to `to` (stamping the activation when `activating`); how
/// many rows changed (0: the card was no longer in `from`).
pub async fn set_card_state(
    tx: &mut Tx,
    card_no: &str,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
    activating: bool,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query(
            "update cards set state = $1, \
             activated_at = case when $4 then $5 else activated_at end \
             where card_no = $2 and state = $3",
        )
        .bind(to)
        .bind(card_no)
        .bind(from)
        .bind(activating)
        .bind(ts(now))
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// Extends a card still in `state` to `until`; how many rows changed.
pub async fn extend_card(
    tx: &mut Tx,
    card_no: &str,
    state: &str,
    until: NaiveDate,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query("update cards set expires_on = $1 where card_no = $2 and state = $3")
            .bind(until)
            .bind(card_no)
            .bind(state)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?)
}

/// Records which card replaced a lost one.
pub async fn set_replaced_by(tx: &mut Tx, card_no: &str, new_no: &str) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("update cards set replaced_by = $1 where card_no = $2")
            .bind(new_no)
            .bind(card_no)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Erases a closed member's personal data (B11): from their application, their portal sessions,
/// their queued messages and the member row, which becomes `placeholder_name`.
pub async fn erase_member(
    tx: &mut Tx,
    member_id: i64,
    placeholder_name: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "update member_applications set name = '—', data = '', phone_hash = null, id_hash = null \
             where member_id = $1",
        )
        .bind(member_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |conn| {
        sqlx::query("delete from sessions where subject_kind = 'member' and subject_id = $1")
            .bind(member_id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |conn| {
        sqlx::query(
            "update outbox set status = 'skipped', last_error = 'member closed', payload = '{}' \
             where member_id = $1 and status = 'pending'",
        )
        .bind(member_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |conn| {
        sqlx::query(
            "update members set name = $1, gender = null, birthday = null, birth_md = null, \
             phone_enc = null, phone_hash = null, phone_masked = null, email = null, id_type = null, \
             id_enc = null, id_hash = null, id_masked = null, address = '', occupation = '', \
             profile = '{}', notes = '', marketing_consent = false, portal_password_hash = null, \
             status = 'closed', closed_at = $2 where id = $3",
        )
        .bind(placeholder_name)
        .bind(ts(now))
        .bind(member_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}
