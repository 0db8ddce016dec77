//! The zh-CN page scan: the demo is built once (the README's first command), served, and every
//! console page each demo account can reach by following links is read in Chinese. A page that
//! shows an English word, a lowercase code or a field path outside a short allow-list fails the
//! test, naming the page and the words. SQLite only: it is the demo's backend.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::path::Path;
use std::process::Command;

use reqwest::redirect::Policy;

/// ASCII words a Chinese page may show: the product's name, the language switch, file formats
/// and units staff use in Chinese too.
const ALLOWED: &[&str] = &[
    "Patron", "English", "Excel", "xlsx", "csv", "CSV", "PDF", "ID", "VIP", "SMS", "No", "kg",
];

/// Pages per demo account; a path pattern (digits folded) is read once for all accounts, except
/// the dashboard, which differs by role; pages of each store are read.
const MAX_PAGES_PER_ACCOUNT: usize = 300;

/// The README's first command builds every area's demo data (it once stopped at the events
/// step when only a manager could decide an event plan), and every page it leads to reads in
/// Chinese.
#[test]
fn the_demo_builds_every_area_and_its_pages_read_in_chinese() {
    let dir = std::env::temp_dir().join(format!("patron-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_patron"))
        .arg("demo")
        .arg("--dir")
        .arg(&dir)
        .env_remove("PATRON_DATABASE_URL")
        .env("PATRON_LOG", "error")
        .output()
        .expect("run patron demo");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "demo failed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    for part in [
        "Membership:",
        "Group-buy (WFJ):",
        "Gifts:",
        "Rewards:",
        "Member events (/events): EV1 closed",
        "Partners: 6",
        "Member portal with a reward slip",
    ] {
        assert!(
            text.contains(part),
            "the demo's summary lacks {part:?}:\n{text}"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let findings = rt.block_on(scan(&dir, &text));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        findings.is_empty(),
        "pages show English or codes in zh-CN:\n{}",
        findings
            .iter()
            .map(|(page, words)| format!("  {page}: {}", words.join(" | ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The staff accounts the demo prints: (user name, password).
fn accounts(text: &str) -> Vec<(String, String)> {
    let staff = text
        .split_once("Staff accounts")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    staff
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            Some((parts.next()?.to_string(), parts.next()?.to_string()))
        })
        .collect()
}

/// The demo member's portal sign-in: (card, password).
fn portal_account(text: &str) -> (String, String) {
    let line = text
        .lines()
        .find(|l| l.contains("Member portal"))
        .expect("the demo prints a portal account");
    let card = line
        .split_once("card ")
        .and_then(|(_, r)| r.split(',').next())
        .expect("card");
    let password = line
        .split_once("password ")
        .map(|(_, r)| r.trim())
        .expect("password");
    (card.to_string(), password.to_string())
}

/// A browser-like client that asks for Chinese.
fn zh_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .default_headers(
            [(
                reqwest::header::ACCEPT_LANGUAGE,
                reqwest::header::HeaderValue::from_static("zh-CN"),
            )]
            .into_iter()
            .collect(),
        )
        .build()
        .expect("client")
}

async fn scan(dir: &Path, demo_text: &str) -> BTreeMap<String, Vec<String>> {
    let app = patron::demo::open(dir).await.expect("open the demo");
    let sender = app.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = patron::app::serve(app, listener, async {
            let _ = stopped.await;
        })
        .await;
    });
    let mut findings = BTreeMap::new();
    let mut seen_patterns = HashSet::new();
    let people = accounts(demo_text);
    assert!(people.len() >= 10, "demo accounts: {people:?}");
    for (user, password) in &people {
        let client = zh_client();
        let res = client
            .post(format!("{base}/login"))
            .form(&[
                ("username", user.as_str()),
                ("password", password.as_str()),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 303, "login of {user}");
        crawl(&client, &base, user, "/", &mut seen_patterns, &mut findings).await;
    }
    // The member portal, as the demo's member.
    let (card, password) = portal_account(demo_text);
    let client = zh_client();
    let res = client
        .post(format!("{base}/portal/login"))
        .form(&[("login", card.as_str()), ("password", password.as_str())])
        .send()
        .await
        .expect("portal login");
    assert_eq!(res.status(), 303, "portal login of {card}");
    crawl(
        &client,
        &base,
        "member",
        "/portal",
        &mut seen_patterns,
        &mut findings,
    )
    .await;
    let _ = stop.send(());
    let _ = server.await;
    // The messages members and stores receive: the demo's outbox sent to the trial file.
    let ctx = crate::support::cli(&sender);
    patron::notify::send::send_due(&ctx, None)
        .await
        .expect("send the demo's messages");
    let mut sent = 0;
    for entry in std::fs::read_dir(dir.join("outbox")).expect("the outbox folder") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default();
        for line in text.lines() {
            let m: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            sent += 1;
            let said = format!(
                "{} {}",
                m["subject"].as_str().unwrap_or_default(),
                m["body"].as_str().unwrap_or_default()
            );
            let words = stray_words(&said);
            if !words.is_empty() {
                findings.insert(
                    format!("message {} #{}", m["kind"], m["id"]),
                    words.into_iter().collect(),
                );
            }
        }
    }
    assert!(sent > 0, "the demo sends messages");
    findings
}

async fn crawl(
    client: &reqwest::Client,
    base: &str,
    user: &str,
    start: &str,
    seen_patterns: &mut HashSet<String>,
    findings: &mut BTreeMap<String, Vec<String>>,
) {
    let portal = start.starts_with("/portal");
    let mut queue = VecDeque::from([String::from(start)]);
    let mut visited = HashSet::new();
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if pages >= MAX_PAGES_PER_ACCOUNT || !visited.insert(path.clone()) {
            continue;
        }
        let res = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("GET");
        let html = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        if !html || status.is_redirection() {
            continue;
        }
        if !status.is_success() && path != start {
            // A link that answers 403 is another test's business; read the page as whoever
            // may open it.
            seen_patterns.remove(&path_pattern(&path));
        }
        pages += 1;
        eprintln!("read {user} {path} {status}");
        let words = stray_words(&body);
        if !words.is_empty() {
            findings.insert(
                format!("{user} {path} ({status})"),
                words.into_iter().collect(),
            );
        }
        // The store is chosen in a form: the demo's records are at WFJ and XD, so every
        // page of HQ is read for them too.
        let found = links(&body, portal).into_iter().flat_map(|link| {
            let others = ["WFJ", "XD"].map(|s| link.replace("store=HQ", &format!("store={s}")));
            std::iter::once(link.clone()).chain(others.into_iter().filter(move |o| *o != link))
        });
        for link in found {
            if link != start && !seen_patterns.insert(path_pattern(&link)) {
                continue;
            }
            queue.push_back(link);
        }
    }
}

/// The same page for another record: digits and query values folded, so one member page
/// stands for all.
fn path_pattern(path: &str) -> String {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    // The store is kept: each store's pages show its own records.
    let mut names: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            if kv.starts_with("store=") {
                kv
            } else {
                kv.split('=').next().unwrap_or_default()
            }
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut out = String::new();
    let mut in_digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('0');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    if !names.is_empty() {
        out.push('?');
        out.push_str(&names.join("&"));
    }
    out
}

/// The links on a page worth following: same site and same part (console or portal), HTML
/// pages, no downloads, no language switch, no sign-out.
fn links(html: &str, portal: bool) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let Some((href, _)) = part.split_once('"') else {
            continue;
        };
        let href = decode(href);
        let href = href.split('#').next().unwrap_or_default().to_string();
        if !href.starts_with('/')
            || href.starts_with("//")
            || href.starts_with("/assets")
            || href.contains("logout")
            || href.contains("lang=")
            || href.contains(".csv")
            || href.contains(".xlsx")
            || href.contains("/api/")
            || href.starts_with("/portal") != portal
        {
            continue;
        }
        out.push(href);
    }
    out
}

/// The text a reader sees: text between tags and the placeholder, title and label attributes,
/// without scripts, styles and comments.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let after = &rest[open..];
        let skip_to = |end: &str| after.find(end).map_or(after.len(), |i| i + end.len());
        let lower = after.get(..8).unwrap_or(after).to_ascii_lowercase();
        let consumed = if lower.starts_with("<!--") {
            skip_to("-->")
        } else if lower.starts_with("<script") {
            skip_to("</script>")
        } else if lower.starts_with("<style") {
            skip_to("</style>")
        } else if let Some(skip) = untranslated(after) {
            skip
        } else {
            let end = after.find('>').map_or(after.len(), |i| i + 1);
            let tag = &after[..end];
            for attr in ["placeholder=\"", "title=\"", "aria-label=\"", "alt=\""] {
                if let Some((_, v)) = tag.split_once(attr)
                    && let Some((v, _)) = v.split_once('"')
                {
                    text.push(' ');
                    text.push_str(v);
                    text.push(' ');
                }
            }
            end
        };
        rest = &after[consumed..];
    }
    text.push_str(rest);
    decode(&text)
}

/// An element marked `translate="no"` holds data shown as it is (a user name, a key prefix, a
/// time zone, an audit entry's recorded fields): the length to skip past its end tag.
fn untranslated(after: &str) -> Option<usize> {
    let end = after.find('>')?;
    if !after[..end].contains("translate=\"no\"") {
        return None;
    }
    let name: String = after[1..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let close = format!("</{name}>");
    Some(after.find(&close).map_or(after.len(), |i| i + close.len()))
}

fn decode(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Words in ASCII letters with a lowercase letter (English words, codes such as `cash`, field
/// paths such as `buyer.phone`) that are not allowed; e-mail addresses and web addresses are
/// data, not words.
fn stray_words(html: &str) -> BTreeSet<String> {
    let text = visible_text(html);
    let mut out = BTreeSet::new();
    for token in text.split(|c: char| {
        !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '[' | ']' | '/' | ':' | '-'))
    }) {
        let token = token.trim_matches(|c: char| matches!(c, '.' | ':' | '-' | '/'));
        let hex_id = token.len() >= 8 && token.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if token.contains('@') || token.contains("://") || hex_id {
            continue;
        }
        let letters = token.chars().filter(char::is_ascii_alphabetic).count();
        if letters < 2 || !token.chars().any(|c| c.is_ascii_lowercase()) {
            continue;
        }
        if ALLOWED.contains(&token) {
            continue;
        }
        out.insert(token.to_string());
    }
    out
}

#[test]
fn the_scan_finds_codes_and_english_and_passes_chinese() {
    let page = "<html><head><style>a{color:red}</style><script>var x=1;</script></head>\
        <body><h1>现金日记帐</h1><td>cash</td><p>buyer.phone: 必填</p>\
        <input placeholder=\"card or phone\"><!-- a comment -->\
        <td>¥1,200.00</td><td>SHHQ20261203-001</td><td>WFJ</td><td translate=\"no\">cashier.wu</td><p>错误编号 88fe94a2-2552-4234</p><a href=\"/x?lang=en\">English</a></body></html>";
    let words = stray_words(page);
    assert_eq!(
        words.into_iter().collect::<Vec<_>>(),
        vec!["buyer.phone", "card", "cash", "or", "phone"]
    );
    assert_eq!(
        path_pattern("/members/123?store=HQ&page=2"),
        "/members/0?page&store=HQ"
    );
    assert_eq!(
        links("<a href=\"/members/1\">x</a><a href=\"/a.csv\">", false),
        vec!["/members/1"]
    );
}
