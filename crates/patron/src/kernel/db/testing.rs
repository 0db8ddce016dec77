//! Fresh, throwaway databases for tests: an SQLite file in a temporary directory, or a new
//! PostgreSQL database on the server `PATRON_TEST_PG` names (dropped afterwards).

use std::path::PathBuf;

use crate::kernel::db::{Db, DbError};

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// The backends to run each integration test on: SQLite always, PostgreSQL when
/// `PATRON_TEST_PG` is set (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
pub fn backends() -> Vec<TestBackend> {
    let mut v = vec![TestBackend::Sqlite];
    if std::env::var("PATRON_TEST_PG").is_ok_and(|u| !u.is_empty()) {
        v.push(TestBackend::Postgres);
    }
    v
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    pub dir: PathBuf,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn new(backend: TestBackend) -> Result<TestDb, DbError> {
        let dir =
            std::env::temp_dir().join(format!("patron-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).map_err(|e| DbError::Sqlx(sqlx::Error::Io(e)))?;
        match backend {
            TestBackend::Sqlite => Ok(TestDb {
                url: format!("sqlite:{}", dir.join("patron.db").display()),
                dir,
                pg: None,
            }),
            TestBackend::Postgres => {
                let admin = std::env::var("PATRON_TEST_PG").unwrap_or_default();
                let name = format!("patron_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
                    .execute(&mut conn)
                    .await?;
                let mut url = url::Url::parse(&admin)
                    .map_err(|e| DbError::Sqlx(sqlx::Error::Configuration(e.into())))?;
                url.set_path(&format!("/{name}"));
                Ok(TestDb {
                    url: url.to_string(),
                    dir,
                    pg: Some((admin, name)),
                })
            }
        }
    }

    pub async fn open(&self) -> Result<Db, DbError> {
        let db = Db::open_url(&self.url).await?;
        db.migrate().await?;
        Ok(db)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin, name)) = self.pg.take() {
            // Drop runs outside async; a short-lived runtime on another thread does the work.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(mut conn) =
                        <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await
                    {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "drop database if exists {name} with (force)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}
