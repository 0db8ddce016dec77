//! `patron bench search`: member search at scale (issue 18). Loads `members` members with
//! Chinese names, phone lookup hashes and active cards (set-based SQL), then times the console's
//! search one query at a time: by card, by phone and by part of a name (a whole name, two
//! characters from inside one, one character). Not a test.

use std::sync::Arc;
use std::time::Instant;

use crate::areas::members::store as members;
use crate::bench::store::backup::run as run_statement;
use crate::bench::store::search as sql;
use crate::kernel::clock::SystemClock;
use crate::kernel::config::Secrets;
use crate::kernel::ctx::App;
use crate::kernel::db::testing::TestBackend;
use crate::kernel::db::{Backend, Db};

#[derive(Debug, Clone)]
pub struct SearchBench {
    pub backend: TestBackend,
    pub members: u64,
    /// Searches of each kind.
    pub queries: u64,
}

/// Rows per loading statement.
const CHUNK: u64 = 250_000;

/// The latencies' p50, p99 and worst, in ms, from µs.
fn spread(mut lat: Vec<u64>) -> (f64, f64, f64) {
    lat.sort_unstable();
    let at = |p: f64| {
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len().max(1)) - 1;
        lat.get(i).copied().unwrap_or(0) as f64 / 1000.0
    };
    (at(0.50), at(0.99), at(1.0))
}

async fn load(db: &Db, store_id: i64, n: u64) -> anyhow::Result<()> {
    let pg = db.backend() == Backend::Postgres;
    let run = |statement: String| run_statement(db, statement);
    let mut done = 0;
    while done < n {
        let k = (n - done).min(CHUNK);
        run(sql::members_statement(pg, store_id, done, k)).await?;
        run(sql::cards_statement(pg, store_id, done, k)).await?;
        done += k;
    }
    if pg {
        crate::bench::store::reset_member_ids(db).await?;
    }
    // The statistics a database in use has (PostgreSQL's autovacuum gathers them after a load).
    run("analyze".to_owned()).await?;
    Ok(())
}

/// One kind of search: `query` makes the search for a sampled member.
struct Kind {
    what: &'static str,
    query: fn(&sql::Sample) -> Option<Query>,
}

enum Query {
    Card(String),
    Phone(String),
    Name(String),
}

const KINDS: [Kind; 5] = [
    Kind {
        what: "by card",
        query: |s| Some(Query::Card(s.card_no.clone())),
    },
    Kind {
        what: "by phone",
        query: |s| Some(Query::Phone(s.phone_hash.clone())),
    },
    Kind {
        what: "by name: the whole name",
        query: |s| Some(Query::Name(s.name.clone())),
    },
    Kind {
        what: "by name: two characters from inside",
        query: |s| {
            let c: Vec<char> = s.name.chars().collect();
            (c.len() >= 3).then(|| Query::Name(c[1..3].iter().collect()))
        },
    },
    Kind {
        what: "by name: one character",
        query: |s| s.name.chars().last().map(|c| Query::Name(c.to_string())),
    },
];

pub async fn run_search(b: &SearchBench) -> anyhow::Result<String> {
    let (_tdb, db, config) = crate::bench::database(b.backend).await?;
    let app = App::new(
        db.clone(),
        Arc::new(SystemClock),
        config,
        Secrets::generate(),
    );
    let ctx = crate::bench::cli(&app);
    let store = crate::bench::create_hq(&ctx)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let backend = if db.backend() == Backend::Postgres {
        "postgres"
    } else {
        "sqlite"
    };
    let mut lines = vec![format!("patron bench search ({backend})")];
    let started = Instant::now();
    load(&db, store.id, b.members).await?;
    lines.push(format!(
        "loaded {} members with cards and name grams in {:.1} s",
        b.members,
        started.elapsed().as_secs_f64()
    ));
    let mut samples = Vec::new();
    for k in 0..b.queries {
        let id = (k.wrapping_mul(2_654_435_761) % b.members.max(1)) + 1;
        if let Some(s) = sql::sample(&db, id as i64).await? {
            samples.push(s);
        }
    }
    for kind in &KINDS {
        let (mut lat, mut hits, mut misses) = (Vec::new(), 0usize, 0u64);
        for s in &samples {
            let Some(q) = (kind.query)(s) else { continue };
            let t0 = Instant::now();
            let found = match &q {
                Query::Card(c) => members::search(&db, Some(c), None, None, 50).await?,
                Query::Phone(h) => members::search(&db, None, Some(h), None, 50).await?,
                Query::Name(n) => members::search(&db, None, None, Some(n), 50).await?,
            };
            lat.push(t0.elapsed().as_micros() as u64);
            hits += found.len();
            if found.is_empty() {
                misses += 1;
            }
        }
        let n = lat.len();
        let (p50, p99, max) = spread(lat);
        lines.push(format!(
            "search {:<36} {n:>6} queries  p50 {p50:>7.2} ms  p99 {p99:>7.2} ms  max {max:>7.2} ms  \
             ({:.1} members found on average{})",
            kind.what,
            hits as f64 / n.max(1) as f64,
            if misses > 0 {
                format!(", {misses} found none")
            } else {
                String::new()
            }
        ));
    }
    db.close().await;
    Ok(lines.join("\n"))
}
