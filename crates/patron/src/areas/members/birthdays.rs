//! Birthday greetings (L1; the gift entitlement comes with the reward desk): each member whose
//! birthday is today (29 February counts on 28 February in other years) gets one greeting a
//! year, through the outbox, as a marketing message (members who opted out get none).

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use crate::jobs::RunReport;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::DbError;
use crate::notify::{self, NewMessage};

pub async fn greet(ctx: &Ctx, today: NaiveDate) -> Result<RunReport, DbError> {
    let mut days = vec![today.format("%m-%d").to_string()];
    if today.month() == 2
        && today.day() == 28
        && NaiveDate::from_ymd_opt(today.year(), 2, 29).is_none()
    {
        days.push("02-29".into());
    }
    let mut ids: Vec<i64> = Vec::new();
    for md in &days {
        let found = super::store::born_on(ctx.db(), md).await?;
        ids.extend(found);
    }
    let mut report = RunReport {
        seen: ids.len() as u64,
        ..Default::default()
    };
    let now = ctx.now();
    let year = today.year();
    for chunk in ids.chunks(500) {
        let chunk = chunk.to_vec();
        let queued = ctx
            .db()
            .write(move |tx| {
                let chunk = chunk.clone();
                Box::pin(async move {
                    let mut n = 0u64;
                    for id in &chunk {
                        let new = notify::queue(
                            tx,
                            &NewMessage {
                                member_id: Some(*id),
                                kind: "birthday",
                                channel: "sms",
                                dedupe_key: format!("birthday:{id}:{year}"),
                                payload: json!({}),
                                marketing: true,
                                at: now,
                            },
                        )
                        .await?;
                        n += u64::from(new);
                    }
                    Ok::<_, DbError>(n)
                })
            })
            .await?;
        report.processed += queued;
    }
    Ok(report)
}
