//! Two servers on one database (another machine behind the same PostgreSQL; on SQLite, a second
//! process's connections to the same file): walk-ins sent to both are decided once each, by
//! distinct representatives, and a board stream served by the second server shows an assignment
//! the first made within a second.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{floor, rep};
use crate::both;
use crate::support::{second_instance, spawn_app};

/// A board stream: the server-sent `board` events as JSON.
pub struct BoardStream {
    res: reqwest::Response,
    buf: String,
}

impl BoardStream {
    pub async fn open(base: &str, key: &str) -> BoardStream {
        let res = reqwest::Client::new()
            .get(format!("{base}/api/v1/rotation/floor/stream"))
            .bearer_auth(key)
            .send()
            .await
            .expect("stream");
        assert_eq!(res.status(), StatusCode::OK);
        BoardStream {
            res,
            buf: String::new(),
        }
    }

    /// The next board sent, waiting at most `within`.
    pub async fn next(&mut self, within: Duration) -> Option<Value> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                if block.contains("event: board") || block.contains("event:board") {
                    return serde_json::from_str(&data).ok();
                }
                continue;
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.res.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }
}

both!(
    two_servers_decide_walk_ins_once_and_stream_each_others_assignments,
    |backend| async move {
        let t = spawn_app(backend).await;
        let boss = floor(&t).await;
        let (second, stop) = second_instance(&t).await;
        let mut screen = BoardStream::open(&second, &boss).await;
        let first = screen
            .next(Duration::from_secs(2))
            .await
            .expect("the board at once");
        assert_eq!(first["next"], "rep1");

        // An assignment made by the first server reaches the second server's screen within a second.
        let sent = Instant::now();
        let (status, a) = t
            .post("/api/v1/rotation/floor/walk-ins", &boss, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{a}");
        let mut seen = None;
        while let Some(b) = screen.next(Duration::from_secs(1)).await {
            if b["visits"].as_array().is_some_and(|v| !v.is_empty()) {
                seen = Some(b);
                break;
            }
        }
        let took = sent.elapsed();
        let seen = seen.expect("the second server's stream showed the assignment");
        assert_eq!(seen["visits"][0]["representative"], rep(&a));
        assert!(took < Duration::from_secs(1), "took {took:?}");

        // Walk-ins sent at once to both servers: each decided once, by distinct representatives.
        let client = reqwest::Client::new();
        let post = |base: String| {
            let (client, boss) = (client.clone(), boss.clone());
            async move {
                let res = client
                    .post(format!("{base}/api/v1/rotation/floor/walk-ins"))
                    .bearer_auth(&boss)
                    .json(&json!({}))
                    .send()
                    .await
                    .expect("send");
                (
                    res.status(),
                    res.json::<Value>().await.unwrap_or(Value::Null),
                )
            }
        };
        let answers = futures::future::join_all([
            post(t.base.clone()),
            post(second.clone()),
            post(t.base.clone()),
        ])
        .await;
        let mut reps: HashSet<String> = answers
            .iter()
            .map(|(s, v)| {
                assert_eq!(*s, StatusCode::OK, "{v}");
                rep(v).to_string()
            })
            .collect();
        reps.insert(rep(&a).to_string());
        assert_eq!(reps.len(), 4, "{answers:?}");
        let seqs = t
            .scalar(
                "select count(distinct seq) from rotation_visits where team_id = $1",
                1,
            )
            .await;
        assert_eq!(seqs, 4);
        assert!(
            patron::areas::rotation::replays(&t.ctx(), "floor")
                .await
                .expect("replay")
        );
        let _ = stop.send(());
        t.stop().await;
    }
);
