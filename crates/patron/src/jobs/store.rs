//! SQL of `job_runs`: one row per job and run key, `running` until it is `finished`.

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// The status of a run (`running`, `finished`), if it was ever started.
pub async fn status(db: &Db, job: &str, run_key: &str) -> Result<Option<String>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select status from job_runs where job = $1 and run_key = $2")
            .bind(job)
            .bind(run_key)
            .fetch_optional(p)
            .await?
    }))
}

/// Marks a run started (again, if an earlier start did not finish).
pub async fn mark_running(
    tx: &mut Tx,
    job: &str,
    run_key: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into job_runs (job, run_key, status, started_at) values ($1, $2, 'running', $3) \
             on conflict (job, run_key) do update set status = 'running', started_at = excluded.started_at",
        )
        .bind(job)
        .bind(run_key)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Marks a run finished and adds what it changed to the count of its run key: two runs that
/// overlapped (two instances, or a hand run beside the scheduler) each add their own part.
pub async fn mark_finished(
    tx: &mut Tx,
    job: &str,
    run_key: &str,
    now: DateTime<Utc>,
    processed: i64,
    detail: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update job_runs set status = 'finished', finished_at = $1, processed = processed + $2, detail = $3 \
             where job = $4 and run_key = $5",
        )
        .bind(now)
        .bind(processed)
        .bind(detail)
        .bind(job)
        .bind(run_key)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}
