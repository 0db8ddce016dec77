//! `spawn_app()`, the `TestApp` it returns, and the `both!` macro that runs a test on both
//! backends.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use patron::kernel::clock::ManualClock;
use patron::kernel::config::{Config, Secrets};
use patron::kernel::ctx::{Actor, App, Ctx, Grant, StaffActor};
use patron::kernel::db::testing::{TestBackend, TestDb};
use patron::{areas::staff, auth};
use patron_core::Role;
use reqwest::StatusCode;

/// Runs an async test body once per backend: `both!(name, |t| async move { … })` defines
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let f = $body;
                f($crate::support::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::support::require_pg();
                let f = $body;
                f($crate::support::Backend::Postgres).await;
            }
        }
    };
}

pub use patron::kernel::db::testing::TestBackend as Backend;

/// PostgreSQL tests fail loudly, never pass silently, when there is no server to run on.
pub fn require_pg() {
    if std::env::var("PATRON_TEST_PG").map_or(true, |v| v.is_empty()) {
        panic!(
            "PATRON_TEST_PG is not set: run `bash .ci/run`, or set it (postgres://postgres@127.0.0.1:5432/postgres), \
             or run SQLite only with -E 'not test(/postgres$/)'"
        );
    }
}

/// The known password every test account gets.
pub const PASSWORD: &str = "Autumn-Moon-2026";

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
    /// The first store (code HQ).
    pub hq: i64,
    /// A JSON client whose connections are reused within the test.
    pub http: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

pub fn test_config(dir: &std::path::Path, url: &str) -> Config {
    let mut c = Config::load_from(dir, figment::providers::Env::prefixed("PATRON_NOTHING_"))
        .expect("default configuration is valid");
    c.database_url = url.to_string();
    c.login.max_failures = 5;
    c.login.lock_minutes = 15;
    c
}

/// Starts Patron on a random port with a fresh database, a manual clock, store HQ and an
/// administrator `admin` with password `PASSWORD`.
pub async fn spawn_app(backend: TestBackend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: TestBackend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let db_handle = TestDb::new(backend).await.expect("test database");
    let db = db_handle.open().await.expect("open and migrate");
    let mut config = test_config(&db_handle.dir, &db_handle.url);
    tweak(&mut config);
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 9, 25, 9, 0, 0)
            .single()
            .expect("valid time"),
    ));
    let app = App::new(db, clock.clone(), config, Secrets::generate());
    let ctx = cli(&app);
    let hq = staff::create_store(
        &ctx,
        &staff::StoreInput {
            code: "HQ".into(),
            name: "总部".into(),
            time_zone: "Asia/Shanghai".into(),
            active: true,
            email: String::new(),
        },
    )
    .await
    .expect("store HQ")
    .id;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let served = app.clone();
    let server = tokio::spawn(async move {
        let _ = patron::app::serve(served, listener, async {
            let _ = rx.await;
        })
        .await;
    });
    let t = TestApp {
        base,
        app,
        clock,
        db: db_handle,
        hq,
        http: reqwest::Client::new(),
        shutdown: Some(tx),
        server: Some(server),
    };
    t.add_staff("admin", &[("admin", hq)], false).await;
    t
}

/// A second Patron instance serving the same database (another machine behind the same
/// PostgreSQL): its address, and the sender that stops it.
pub async fn second_instance(t: &TestApp) -> (String, tokio::sync::oneshot::Sender<()>) {
    let db = t.db.open().await.expect("open the same database");
    let app = App::new(
        db,
        t.clock.clone(),
        (*t.app.config).clone(),
        (*t.app.secrets).clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = patron::app::serve(app, listener, async {
            let _ = rx.await;
        })
        .await;
    });
    (base, tx)
}

pub fn cli(app: &App) -> Ctx {
    Ctx::new(
        app.clone(),
        Actor::Cli {
            os_user: "test".into(),
        },
        None,
    )
}

impl TestApp {
    pub fn ctx(&self) -> Ctx {
        cli(&self.app)
    }

    /// A context acting as staff member `id` holding one role at one store (for use cases
    /// called directly, without a session).
    pub fn staff_ctx(&self, id: i64, username: &str, role: Role, store_id: i64) -> Ctx {
        Ctx::new(
            self.app.clone(),
            Actor::Staff(StaffActor {
                id,
                username: username.into(),
                display_name: username.into(),
                grants: vec![Grant { role, store_id }],
            }),
            None,
        )
    }

    /// Adds a staff member holding `roles` (role code, store id). With `must_change` false the
    /// password is `PASSWORD`; otherwise the one-time password is returned.
    pub async fn add_staff(
        &self,
        username: &str,
        roles: &[(&str, i64)],
        must_change: bool,
    ) -> (i64, String) {
        let ctx = self.ctx();
        let (id, one_time) = staff::create_staff(
            &ctx,
            &staff::StaffInput {
                username: username.into(),
                display_name: format!("测试 {username}"),
                lang: "zh-CN".into(),
                grants: roles
                    .iter()
                    .map(|(r, s)| staff::GrantInput {
                        role: (*r).into(),
                        store_id: *s,
                    })
                    .collect(),
            },
        )
        .await
        .expect("create staff");
        if must_change {
            return (id, one_time);
        }
        let hash = auth::password::hash(PASSWORD).await.expect("hash");
        self.app
            .db
            .write(move |tx| {
                let hash = hash.clone();
                Box::pin(async move {
                    staff::store::set_password(tx, id, &hash, false).await?;
                    Ok::<_, patron::kernel::db::DbError>(())
                })
            })
            .await
            .expect("set password");
        (id, PASSWORD.to_string())
    }

    /// Registers a member at HQ with an active card; returns (member id, card number).
    pub async fn add_member(&self, name: &str, phone: &str, birthday: &str) -> (i64, String) {
        let r = patron::areas::members::register(
            &self.ctx(),
            "HQ",
            &patron::areas::members::MemberIn {
                name: name.into(),
                phone: phone.into(),
                birthday: birthday.into(),
                ..Default::default()
            },
            true,
        )
        .await
        .expect("register member");
        (r.member_id, r.card_no)
    }

    /// A key for till `till_id` at `store_id`.
    pub async fn till_key(&self, store_id: i64, till_id: &str) -> String {
        patron::areas::staff::keys::issue_till_key(&self.ctx(), store_id, till_id, "test till")
            .await
            .expect("till key")
            .1
    }

    /// Sends JSON with a bearer key; the status and the JSON answer.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<&serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(key);
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn post(
        &self,
        path: &str,
        key: &str,
        body: serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        self.call(reqwest::Method::POST, path, key, Some(&body))
            .await
    }

    pub async fn get_json(&self, path: &str, key: &str) -> (StatusCode, serde_json::Value) {
        self.call(reqwest::Method::GET, path, key, None).await
    }

    /// One query's single integer answer, on either backend.
    /// A count (or other integer) with one text argument.
    pub async fn scalar_text(&self, sql: &'static str, arg: &str) -> i64 {
        let arg = arg.to_string();
        patron::on_db!(self.app.db, |p| {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(arg)
                .fetch_one(p)
                .await
                .expect("scalar query")
        })
    }

    pub async fn scalar(&self, sql: &'static str, arg: i64) -> i64 {
        patron::on_db!(self.app.db, |p| {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(arg)
                .fetch_one(p)
                .await
                .expect("scalar query")
        })
    }

    /// Runs one statement through the write path (tests that change data behind Patron's back).
    pub async fn exec(&self, sql: &'static str, arg: i64) {
        self.app
            .db
            .write(move |tx| {
                Box::pin(async move {
                    patron::on_tx!(tx, |c| {
                        sqlx::query(sql)
                            .bind(arg)
                            .execute(c)
                            .await
                            .map(|r| r.rows_affected())
                    })?;
                    Ok::<_, patron::kernel::db::DbError>(())
                })
            })
            .await
            .expect("exec");
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
        self.app.db.close().await;
    }
}

/// Posts JSON with a bearer key, asserts a 2xx answer and returns the JSON.
pub async fn ok(t: &TestApp, path: &str, key: &str, body: serde_json::Value) -> serde_json::Value {
    let (status, out) = t.post(path, key, body).await;
    assert!(status.is_success(), "{path} answered {status}: {out}");
    out
}
