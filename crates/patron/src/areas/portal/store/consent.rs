//! SQL of the member's marketing consent per channel (`marketing_consents`, with the
//! application's answer in `members` where a channel has no row).

use chrono::{DateTime, Utc};

use crate::kernel::db::{DbError, Exec, Tx, ts};
use crate::{on_exec, on_tx};

/// One channel's answer: yes or no, when and how (none: the application's answer, unrecorded).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Answer {
    pub channel: String,
    pub consent: bool,
    pub at: Option<DateTime<Utc>>,
    pub source: String,
}

/// The member's answer for SMS and for e-mail, in that order.
pub async fn answers(ex: impl Into<Exec<'_>>, member_id: i64) -> Result<Vec<Answer>, DbError> {
    let mut ex = ex.into();
    Ok(on_exec!(&mut ex, |c| {
        sqlx::query_as(
            "select ch.channel, coalesce(k.consent, m.marketing_consent) as consent, \
             case when k.member_id is null then m.consent_at else k.at end as at, \
             coalesce(k.source, m.consent_source) as source \
             from members m cross join (select 'sms' as channel union all select 'email') ch \
             left join marketing_consents k on k.member_id = m.id and k.channel = ch.channel \
             where m.id = $1 order by ch.channel desc",
        )
        .bind(member_id)
        .fetch_all(c)
        .await?
    }))
}

/// Records the member's answer for one channel.
pub async fn set(
    tx: &mut Tx,
    member_id: i64,
    channel: &str,
    consent: bool,
    at: DateTime<Utc>,
    source: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into marketing_consents (member_id, channel, consent, at, source) \
             values ($1, $2, $3, $4, $5) on conflict (member_id, channel) do update set \
             consent = excluded.consent, at = excluded.at, source = excluded.source",
        )
        .bind(member_id)
        .bind(channel)
        .bind(consent)
        .bind(ts(at))
        .bind(source)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}
