//! `patron bench rotation`: the sales-floor board (K1–K5) over HTTP against a fresh database.
//! A team of `reps` representatives; `clients` floor screens each send a walk-in and then free
//! the representative who received it, `walk_ins` walk-ins in all: assignments per second.
//! Then a second `patron serve` on the same database opens the board's event stream, and for
//! `samples` walk-ins sent to the first server one at a time, the time from sending the walk-in
//! to its assignment showing on the second server's stream. Not a test.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use crate::areas::staff::{self, GrantInput, StaffInput, keys};
use crate::kernel::clock::SystemClock;
use crate::kernel::config::Secrets;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::testing::TestBackend;

#[derive(Debug, Clone)]
pub struct RotationBench {
    pub backend: TestBackend,
    pub reps: usize,
    pub clients: usize,
    pub walk_ins: u64,
    pub samples: usize,
}

#[derive(Debug, Clone)]
pub struct RotationReport {
    pub backend: &'static str,
    pub reps: usize,
    pub clients: usize,
    pub walk_ins: u64,
    pub errors: u64,
    pub secs: f64,
    /// Sorted, ms.
    pub to_screen: Vec<f64>,
}

impl std::fmt::Display for RotationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rate = self.walk_ins as f64 / self.secs.max(1e-9);
        let pick = |p: f64| {
            self.to_screen
                .get(
                    ((self.to_screen.len() as f64 * p) as usize)
                        .min(self.to_screen.len().saturating_sub(1)),
                )
                .copied()
                .unwrap_or(0.0)
        };
        writeln!(f, "patron bench rotation ({})", self.backend)?;
        writeln!(
            f,
            "assignments                {} walk-ins by {} screens over {} representatives in {:.2} s: {:.0} assignments/s ({} refused)",
            self.walk_ins, self.clients, self.reps, self.secs, rate, self.errors
        )?;
        write!(
            f,
            "to a second screen         {} walk-ins sent to server 1, seen on server 2's stream: p50 {:.0} ms, p90 {:.0} ms, max {:.0} ms",
            self.to_screen.len(),
            pick(0.5),
            pick(0.9),
            self.to_screen.last().copied().unwrap_or(0.0)
        )
    }
}

async fn serve(app: App) -> anyhow::Result<(String, tokio::sync::oneshot::Sender<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = crate::app::serve(app, listener, async {
            let _ = stopped.await;
        })
        .await;
    });
    Ok((base, stop))
}

async fn walk_in_and_free(client: &reqwest::Client, base: &str, key: &str) -> anyhow::Result<()> {
    let res = client
        .post(format!("{base}/api/v1/rotation/bench/walk-ins"))
        .bearer_auth(key)
        .json(&json!({}))
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "walk-in answered {}",
        res.status()
    );
    let v: Value = res.json().await?;
    let rep = v["representative"].as_str().unwrap_or_default().to_string();
    let res = client
        .post(format!(
            "{base}/api/v1/rotation/bench/representatives/{rep}/state"
        ))
        .bearer_auth(key)
        .json(&json!({"state": "available"}))
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "state answered {}", res.status());
    Ok(())
}

#[allow(clippy::too_many_lines)] // a demo or bench script: one scene, read top to bottom
pub async fn run_rotation(b: &RotationBench) -> anyhow::Result<RotationReport> {
    let (tdb, db, config) = crate::bench::database(b.backend).await?;
    let app = App::new(
        db.clone(),
        Arc::new(SystemClock),
        config,
        Secrets::generate(),
    );
    let ctx = Ctx::new(
        app.clone(),
        Actor::Cli {
            os_user: "bench".into(),
        },
        None,
    );
    let hq = crate::bench::create_hq(&ctx)
        .await
        .map_err(crate::cli::explain)?
        .id;
    let mut reps = Vec::new();
    for i in 0..b.reps.max(1) {
        let name = format!("rep{i:03}");
        staff::create_staff(
            &ctx,
            &StaffInput {
                username: name.clone(),
                display_name: name.clone(),
                lang: "zh-CN".into(),
                grants: vec![GrantInput {
                    role: "clerk".into(),
                    store_id: hq,
                }],
            },
        )
        .await
        .map_err(crate::cli::explain)?;
        reps.push(name);
    }
    let (boss, _) = staff::create_staff(
        &ctx,
        &StaffInput {
            username: "boss".into(),
            display_name: "boss".into(),
            lang: "zh-CN".into(),
            grants: vec![GrantInput {
                role: "supervisor".into(),
                store_id: hq,
            }],
        },
    )
    .await
    .map_err(crate::cli::explain)?;
    let key = keys::issue_token(&ctx, "boss", boss, None)
        .await
        .map_err(crate::cli::explain)?
        .1;
    crate::areas::rotation::set_team(
        &ctx,
        "bench",
        &crate::areas::rotation::TeamIn {
            representatives: reps,
            store: "HQ".into(),
            reason: String::new(),
        },
    )
    .await
    .map_err(crate::cli::explain)?;
    let (base, stop) = serve(app.clone()).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(b.clients.max(1))
        .build()?;

    // Assignments per second.
    let sent = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..b.clients.max(1) {
        let (client, base, key, sent, errors, total) = (
            client.clone(),
            base.clone(),
            key.clone(),
            sent.clone(),
            errors.clone(),
            b.walk_ins,
        );
        tasks.push(tokio::spawn(async move {
            while sent.fetch_add(1, Ordering::Relaxed) < total {
                if walk_in_and_free(&client, &base, &key).await.is_err() {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let secs = started.elapsed().as_secs_f64();

    // From an assignment on server 1 to its appearance on server 2's stream.
    let second_db = tdb.open().await?;
    let second = App::new(
        second_db.clone(),
        Arc::new(SystemClock),
        (*app.config).clone(),
        (*app.secrets).clone(),
    );
    let (base2, stop2) = serve(second).await?;
    let mut stream = client
        .get(format!("{base2}/api/v1/rotation/bench/stream"))
        .bearer_auth(&key)
        .send()
        .await?;
    anyhow::ensure!(
        stream.status().is_success(),
        "stream answered {}",
        stream.status()
    );
    let mut buf = String::new();
    let mut last_seq = 0i64;
    // The board at once.
    next_board(&mut stream, &mut buf, Duration::from_secs(5))
        .await
        .context("first board")?;
    let mut to_screen = Vec::new();
    for _ in 0..b.samples {
        let t0 = Instant::now();
        let res = client
            .post(format!("{base}/api/v1/rotation/bench/walk-ins"))
            .bearer_auth(&key)
            .json(&json!({}))
            .send()
            .await?;
        let v: Value = res.json().await?;
        let seq = v["seq"].as_i64().unwrap_or(0);
        let rep = v["representative"].as_str().unwrap_or_default().to_string();
        loop {
            let board = next_board(&mut stream, &mut buf, Duration::from_secs(5))
                .await
                .context("the assignment never reached the second screen")?;
            let shown = board["visits"][0]["seq"].as_i64().unwrap_or(0);
            if shown >= seq && shown > last_seq {
                break;
            }
        }
        to_screen.push(t0.elapsed().as_secs_f64() * 1000.0);
        last_seq = seq;
        client
            .post(format!(
                "{base}/api/v1/rotation/bench/representatives/{rep}/state"
            ))
            .bearer_auth(&key)
            .json(&json!({"state": "available"}))
            .send()
            .await?;
        // Let the state change's own board event pass before the next sample.
        tokio::time::sleep(Duration::from_millis(400)).await;
        while next_board(&mut stream, &mut buf, Duration::from_millis(10))
            .await
            .is_some()
        {}
    }
    to_screen.sort_by(f64::total_cmp);
    drop(stream);
    let _ = stop2.send(());
    let _ = stop.send(());
    second_db.close().await;
    db.close().await;
    Ok(RotationReport {
        backend: match b.backend {
            TestBackend::Sqlite => "sqlite",
            TestBackend::Postgres => "postgres",
        },
        reps: b.reps,
        clients: b.clients,
        walk_ins: b.walk_ins,
        errors: errors.load(Ordering::Relaxed),
        secs,
        to_screen,
    })
}

/// The next `board` event of a stream, waiting at most `within`.
async fn next_board(
    res: &mut reqwest::Response,
    buf: &mut String,
    within: Duration,
) -> Option<Value> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if block.contains("event: board") || block.contains("event:board") {
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                return serde_json::from_str(&data).ok();
            }
            continue;
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, res.chunk()).await {
            Ok(Ok(Some(bytes))) => buf.push_str(&String::from_utf8_lossy(&bytes)),
            _ => return None,
        }
    }
}
