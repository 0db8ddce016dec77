//! The `patron` command line, run as a process against a data directory on each backend.

use std::path::Path;
use std::process::{Command, Output};

use patron::kernel::db::testing::TestDb;

use crate::both;
use crate::support::Backend;

fn patron(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_patron"))
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env_remove("PATRON_DATABASE_URL")
        .env("PATRON_LOG", "error")
        .output()
        .expect("run patron")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn init(backend: Backend) -> (TestDb, std::path::PathBuf) {
    let db = TestDb::new(backend).await.expect("test db");
    let dir = db.dir.join("data");
    let mut args = vec!["init", "--store-code", "HQ"];
    let url = db.url.clone();
    if backend == Backend::Postgres {
        args.extend(["--database-url", url.as_str()]);
    }
    let out = patron(&dir, &args);
    assert!(out.status.success(), "init failed: {}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("One-time password"), "{text}");
    (db, dir)
}

both!(
    init_makes_a_data_directory_with_owner_only_secrets,
    |backend| async move {
        let (_db, dir) = init(backend).await;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secrets.toml"))
                .expect("secrets")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The data directory and the database are the owner's alone, whatever the umask.
        #[cfg(unix)]
        owner_only_files(&dir, backend).await;
        // A command that ends cleanly leaves the SQLite database whole (the WAL checkpointed).
        if backend == Backend::Sqlite {
            assert!(dir.join("patron.db").exists());
            assert!(
                !dir.join("patron.db-wal").exists(),
                "the WAL is folded in at close"
            );
        }
        // Initialising again refuses and changes nothing.
        let again = patron(&dir, &["init"]);
        assert!(!again.status.success());
        assert!(stderr(&again).contains("already holds a Patron data directory"));
        let list = patron(&dir, &["user", "list"]);
        assert!(stdout(&list).contains("admin"), "{}", stdout(&list));
    }
);

/// After `init`: the data directory 0700, the SQLite file 0600; opened again after someone
/// opened them up, they are narrowed back, and the WAL and shared-memory files SQLite makes
/// while the database is open are 0600 too.
#[cfg(unix)]
async fn owner_only_files(dir: &Path, backend: Backend) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let chmod = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod");
    };
    assert_eq!(mode(dir), 0o700, "the data directory after init");
    let db = dir.join("patron.db");
    if backend == Backend::Sqlite {
        assert_eq!(mode(&db), 0o600, "the database after init");
        chmod(&db, 0o644);
    }
    chmod(dir, 0o755);
    let app = patron::cli::open(dir).await.expect("open");
    assert_eq!(mode(dir), 0o700, "the data directory after open");
    if backend == Backend::Sqlite {
        assert_eq!(mode(&db), 0o600, "the database after open");
        for side in ["patron.db-wal", "patron.db-shm"] {
            let p = dir.join(side);
            assert!(p.exists(), "{side} exists while the database is open");
            assert_eq!(mode(&p), 0o600, "{side}");
        }
    }
    app.db.close().await;
}

both!(
    cli_user_and_till_commands_work_and_fail_with_one_clear_line,
    |backend| async move {
        let (_db, dir) = init(backend).await;
        let out = patron(
            &dir,
            &[
                "user",
                "add",
                "li.na",
                "--name",
                "李娜",
                "--role",
                "clerk@HQ",
                "--role",
                "service@hq",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("one-time password"));
        let list = stdout(&patron(&dir, &["user", "list"]));
        assert!(
            list.contains("li.na") && list.contains("clerk@HQ") && list.contains("service@HQ"),
            "{list}"
        );
        let bad = patron(
            &dir,
            &["user", "add", "x1x", "--name", "X", "--role", "nope@HQ"],
        );
        assert!(!bad.status.success());
        let err = stderr(&bad);
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.contains("roles"), "{err}");
        let dup = patron(
            &dir,
            &[
                "user", "add", "li.na", "--name", "李娜", "--role", "clerk@HQ",
            ],
        );
        assert!(!dup.status.success());
        assert!(stderr(&dup).contains("username"), "{}", stderr(&dup));
        let till = patron(&dir, &["till", "add", "HQ", "01", "--label", "1号台"]);
        assert!(till.status.success(), "{}", stderr(&till));
        assert!(stdout(&till).contains("ptk_"));
        let listed = stdout(&patron(&dir, &["till", "list"]));
        assert!(listed.contains("active"), "{listed}");
        let id = listed
            .split_whitespace()
            .next()
            .unwrap_or("#1")
            .trim_start_matches('#')
            .to_string();
        assert!(patron(&dir, &["till", "revoke", &id]).status.success());
        assert!(stdout(&patron(&dir, &["till", "list"])).contains("revoked"));
        // An API token for a script acting as li.na, shown once; a bad expiry is one clear line.
        let issued = patron(&dir, &["token", "issue", "li.na", "--days", "30"]);
        assert!(issued.status.success(), "{}", stderr(&issued));
        assert!(stdout(&issued).contains("pat_"), "{}", stdout(&issued));
        let bad_days = patron(&dir, &["token", "issue", "li.na", "--days", "0"]);
        assert!(!bad_days.status.success());
        assert_eq!(
            stderr(&bad_days).trim().lines().count(),
            1,
            "{}",
            stderr(&bad_days)
        );
        let nobody = patron(&dir, &["token", "issue", "no.body"]);
        assert!(!nobody.status.success());
        let reset = patron(&dir, &["user", "reset-password", "li.na"]);
        assert!(stdout(&reset).contains("new one-time password"));
        assert!(patron(&dir, &["user", "disable", "li.na"]).status.success());
        assert!(stdout(&patron(&dir, &["user", "list"])).contains("disabled"));
        // The last administrator cannot be disabled.
        let last = patron(&dir, &["user", "disable", "admin"]);
        assert!(!last.status.success());
        assert!(stderr(&last).contains("administrator"), "{}", stderr(&last));
    }
);

both!(
    audit_verify_reports_the_first_broken_link_after_a_hand_edit,
    |backend| async move {
        let (db, dir) = init(backend).await;
        patron(
            &dir,
            &["user", "add", "wang", "--name", "王", "--role", "clerk@HQ"],
        );
        let ok = patron(&dir, &["audit", "verify"]);
        assert!(ok.status.success());
        assert!(stdout(&ok).contains("the chain is intact"));
        // Edit entry 2 by hand, bypassing the append-only protection.
        let sql = match backend {
            Backend::Sqlite => {
                "drop trigger audit_log_no_update; update audit_log set actor_name = 'x' where seq = 2;"
            }
            Backend::Postgres => {
                "alter table audit_log disable trigger audit_log_no_update; update audit_log set actor_name = 'x' where seq = 2;"
            }
        };
        match backend {
            Backend::Sqlite => {
                let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
                    "sqlite:{}",
                    dir.join("patron.db").display()
                ))
                .await
                .expect("connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect("edit");
            }
            Backend::Postgres => {
                let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
                    .await
                    .expect("connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect("edit");
            }
        }
        let broken = patron(&dir, &["audit", "verify"]);
        assert!(!broken.status.success());
        assert!(
            stdout(&broken).contains("BROKEN at entry 2"),
            "{}",
            stdout(&broken)
        );
        let check = patron(&dir, &["check"]);
        assert!(!check.status.success());
        assert!(stdout(&check).contains("differences found"));
    }
);

both!(
    a_bad_or_missing_setting_stops_start_up_with_one_line_naming_it,
    |backend| async move {
        let (_db, dir) = init(backend).await;
        let config = std::fs::read_to_string(dir.join("patron.toml")).expect("config");
        std::fs::write(
            dir.join("patron.toml"),
            config.replace("max_failures = 5", "max_failures = \"many\""),
        )
        .expect("write");
        let out = patron(&dir, &["serve"]);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("login.max_failures"), "{err}");
        std::fs::write(dir.join("patron.toml"), &config).expect("restore");
        // A bad value from the environment is named too.
        let out = Command::new(env!("CARGO_BIN_EXE_patron"))
            .arg("--dir")
            .arg(&dir)
            .arg("serve")
            .env("PATRON_LISTEN", "nowhere")
            .output()
            .expect("run");
        assert!(!out.status.success());
        assert!(stderr(&out).contains("`listen`"), "{}", stderr(&out));
        // No data directory at all says how to make one.
        let out = patron(&dir.join("not-here"), &["serve"]);
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("patron init --dir"),
            "{}",
            stderr(&out)
        );
        // Missing secrets are named.
        std::fs::rename(dir.join("secrets.toml"), dir.join("secrets.bak")).expect("move");
        let out = patron(&dir, &["serve"]);
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("setting `session_key`"),
            "{}",
            stderr(&out)
        );
        // Secrets readable by others are refused.
        std::fs::rename(dir.join("secrets.bak"), dir.join("secrets.toml")).expect("move back");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                dir.join("secrets.toml"),
                std::fs::Permissions::from_mode(0o644),
            )
            .expect("chmod");
            let out = patron(&dir, &["serve"]);
            assert!(!out.status.success());
            assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
        }
    }
);

both!(
    check_recomputes_every_points_balance_and_names_a_member_that_disagrees,
    |backend| async move {
        let (_db, dir) = init(backend).await;
        {
            let app = patron::cli::open(&dir).await.expect("open");
            let ctx = patron::cli::cli_ctx(&app);
            let r = patron::areas::members::register(
                &ctx,
                "HQ",
                &patron::areas::members::MemberIn {
                    name: "陈一".into(),
                    phone: "13500000001".into(),
                    ..Default::default()
                },
                true,
            )
            .await
            .expect("member");
            let (_, out) = patron::areas::points::receipts::accrue(
                &ctx,
                &patron::areas::points::receipts::ReceiptIn {
                    store_code: "HQ".into(),
                    till_id: None,
                    receipt_no: "C-1".into(),
                    card_no: r.card_no.clone(),
                    occurred_at: chrono::Utc::now().fixed_offset(),
                    lines: vec![patron::areas::points::receipts::ReceiptLineIn {
                        line_no: 1,
                        sku: "X".into(),
                        amount_fen: 12_300,
                        promotional: false,
                    }],
                },
                "import",
            )
            .await
            .expect("receipt");
            assert_eq!(out.points_awarded, 123);
            let ok = patron(&dir, &["check"]);
            assert!(ok.status.success(), "{}", stdout(&ok));
            assert!(
                stdout(&ok).contains("1 balances recomputed"),
                "{}",
                stdout(&ok)
            );
            // A balance changed behind the ledger's back.
            app.db
                .write(move |tx| {
                    Box::pin(async move {
                        patron::on_tx!(tx, |c| {
                            sqlx::query("update members set points_balance = points_balance + 5")
                                .execute(c)
                                .await
                                .map(|r| r.rows_affected())
                        })?;
                        Ok::<_, patron::kernel::db::DbError>(())
                    })
                })
                .await
                .expect("tamper");
            let member_id = r.member_id;
            app.db.close().await;
            let bad = patron(&dir, &["check"]);
            assert!(!bad.status.success());
            let text = stdout(&bad);
            assert!(
                text.contains(&format!(
                    "member #{member_id} stores 128 but the ledger sums to 123 and the lots to 123"
                )),
                "{text}"
            );
        }
    }
);

/// Rows of a member file for the import tests: new phones, a third with opening balances, every
/// tenth referred by the row before it (by its old card number).
fn member_file(rows: usize) -> String {
    let mut s = String::from("name,phone,card_no,points,referrer_card_no\n");
    for k in 0..rows {
        let referrer = if k % 10 == 5 {
            format!("OLD{:07}", k - 1)
        } else {
            String::new()
        };
        let points = if k % 3 == 0 { 100 + k % 900 } else { 0 };
        s.push_str(&format!(
            "会员{k},137{k:08},OLD{k:07},{points},{referrer}\n"
        ));
    }
    s
}

both!(
    a_member_import_killed_while_publishing_is_finished_whole_and_its_phones_are_claimed_meanwhile,
    |backend| async move {
        use patron::areas::members::{MemberIn, import::finish_unfinished, register};
        const ROWS: usize = 30_000;
        let (_db, dir) = init(backend).await;
        let file = dir.join("members.csv");
        std::fs::write(&file, member_file(ROWS)).expect("write file");
        let app = patron::cli::open(&dir).await.expect("open");
        let mut child = Command::new(env!("CARGO_BIN_EXE_patron"))
            .arg("--dir")
            .arg(&dir)
            .args(["import", "members"])
            .arg(&file)
            .env_remove("PATRON_DATABASE_URL")
            .env("PATRON_LOG", "error")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run patron import");
        // Killed (SIGKILL) once some of the rows are published and some are not.
        let published = loop {
            let row: Option<(String, i64)> = patron::on_db!(app.db, |p| {
                sqlx::query_as("select state, published from member_imports")
                    .fetch_optional(p)
                    .await
                    .expect("import state")
            });
            if let Some((state, n)) = row
                && state == "publishing"
                && n > 0
            {
                child.kill().expect("kill");
                break n;
            }
            assert!(
                child.try_wait().expect("child").is_none(),
                "the import ended before it could be killed while publishing"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        };
        let _ = child.wait();
        let count = |sql: &'static str| {
            let db = app.db.clone();
            async move {
                let n: i64 = patron::on_db!(db, |p| {
                    sqlx::query_scalar(sql).fetch_one(p).await.expect("count")
                });
                n
            }
        };
        let at_kill = count("select cast(count(*) as bigint) from members").await;
        assert!(
            at_kill >= published && at_kill < ROWS as i64,
            "{at_kill} members when killed"
        );
        // Meanwhile a phone of a row not yet published cannot be given to anyone else: the
        // desk is told to wait for the import.
        let ctx = patron::cli::cli_ctx(&app);
        let desk = MemberIn {
            name: "抢先".into(),
            phone: format!("137{:08}", ROWS - 1),
            ..Default::default()
        };
        let err = register(&ctx, "HQ", &desk, true)
            .await
            .expect_err("the phone is being imported");
        let err = patron::web::error::AppError::from(err);
        assert_eq!(
            err.fields
                .iter()
                .map(|f| (f.field.as_str(), f.key))
                .collect::<Vec<_>>(),
            vec![("phone", "member.being_imported")]
        );
        // A process looking now leaves it: it was heard from too recently to be known stopped.
        assert_eq!(finish_unfinished(&ctx).await.expect("look"), 1);
        // Two minutes later it is known stopped, and is finished whole.
        let mut later = app.clone();
        later.clock = std::sync::Arc::new(patron::kernel::clock::ManualClock::new(
            chrono::Utc::now() + chrono::Duration::minutes(3),
        ));
        let later = patron::cli::cli_ctx(&later);
        assert_eq!(finish_unfinished(&later).await.expect("finish"), 0);
        assert_eq!(
            count("select cast(count(*) as bigint) from members").await,
            ROWS as i64
        );
        assert_eq!(
            count("select cast(count(*) as bigint) from cards where card_no like 'OLD%'").await,
            ROWS as i64
        );
        assert_eq!(
            count("select cast(count(*) as bigint) from members where referrer_id is not null")
                .await,
            (ROWS / 10) as i64
        );
        assert_eq!(
            count("select cast(count(*) as bigint) from point_entries where kind = 'opening'")
                .await,
            ROWS.div_ceil(3) as i64
        );
        assert_eq!(
            count("select cast(count(*) as bigint) from member_import_rows").await,
            0
        );
        assert_eq!(
            count("select cast(count(*) as bigint) from member_imports where state = 'done' and running is null")
                .await,
            1
        );
        assert_eq!(
            count("select cast(count(*) as bigint) from audit_log where action = 'member.import'")
                .await,
            1
        );
        let (_, diffs) = patron::areas::points::check::verify_balances(&app.db, 10)
            .await
            .expect("verify");
        assert!(diffs.is_empty(), "{diffs:?}");
        // Now the phone is a member's, and the desk is told so.
        let again = register(&ctx, "HQ", &desk, true)
            .await
            .expect_err("already a member");
        assert!(
            matches!(
                again,
                patron::areas::members::MembersError::Duplicate { field: "phone", .. }
            ),
            "{again:?}"
        );
        app.db.close().await;
        // `patron check` agrees.
        let out = patron(&dir, &["check"]);
        assert!(out.status.success(), "{}", stdout(&out));
    }
);
