//! SQL of changing a member's details after registration.

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{DbError, Tx, ts};
use crate::on_tx;

/// The encrypted, hashed and masked form of a phone or ID number.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub enc: String,
    pub hash: String,
    pub masked: String,
}

/// The details the desk may change; `None` for the phone or ID leaves it as it is.
#[derive(Debug, Clone)]
pub struct DetailsRow {
    pub phone: Option<Sealed>,
    /// The ID type code with the sealed number.
    pub id: Option<(&'static str, Sealed)>,
    pub email: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub address: String,
    pub occupation: String,
    /// The new consent, when it changed: yes or no, when and how.
    pub consent: Option<(bool, DateTime<Utc>, &'static str)>,
}

/// Writes the details of an active member; the number of rows changed (0 or 1).
pub async fn update_details(tx: &mut Tx, id: i64, d: &DetailsRow) -> Result<u64, DbError> {
    let birth_md = d.birthday.map(|b| b.format("%m-%d").to_string());
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update members set email = $1, birthday = $2, birth_md = $3, address = $4, \
             occupation = $5 where id = $6 and status = 'active'",
        )
        .bind(d.email.as_deref())
        .bind(d.birthday)
        .bind(birth_md.as_deref())
        .bind(&d.address)
        .bind(&d.occupation)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if let Some(p) = &d.phone {
        on_tx!(tx, |c| {
            sqlx::query(
                "update members set phone_enc = $1, phone_hash = $2, phone_masked = $3 where id = $4",
            )
            .bind(&p.enc)
            .bind(&p.hash)
            .bind(&p.masked)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    if let Some((kind, s)) = &d.id {
        on_tx!(tx, |c| {
            sqlx::query(
                "update members set id_type = $1, id_enc = $2, id_hash = $3, id_masked = $4 \
                 where id = $5",
            )
            .bind(*kind)
            .bind(&s.enc)
            .bind(&s.hash)
            .bind(&s.masked)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    if let Some((yes, at, source)) = d.consent {
        on_tx!(tx, |c| {
            sqlx::query(
                "update members set marketing_consent = $1, consent_at = $2, consent_source = $3 \
                 where id = $4",
            )
            .bind(yes)
            .bind(ts(at))
            .bind(source)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
        // The desk's answer holds for both channels (the portal sets each one on its own).
        on_tx!(tx, |c| {
            sqlx::query(
                "insert into marketing_consents (member_id, channel, consent, at, source) \
                 select $1, ch.channel, $2, $3, $4 from (select 'sms' as channel union all \
                 select 'email') ch where true \
                 on conflict (member_id, channel) do update set consent = excluded.consent, \
                 at = excluded.at, source = excluded.source",
            )
            .bind(id)
            .bind(yes)
            .bind(ts(at))
            .bind(source)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(n)
}

/// Sets a portal password the desk issued: the member must change it at first login. Returns
/// whether the member had one before (a reset rather than a first issue); `None` when the
/// member is not active.
pub async fn set_issued_portal_password(
    tx: &mut Tx,
    member_id: i64,
    hash: &str,
) -> Result<Option<bool>, DbError> {
    let had: Option<(Option<String>,)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "select portal_password_hash from members where id = $1 and status = 'active'",
        )
        .bind(member_id)
        .fetch_optional(c)
        .await?
    });
    let Some((had,)) = had else {
        return Ok(None);
    };
    on_tx!(tx, |c| {
        sqlx::query(
            "update members set portal_password_hash = $1, portal_must_change = true \
             where id = $2 and status = 'active'",
        )
        .bind(hash)
        .bind(member_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(Some(had.is_some()))
}
