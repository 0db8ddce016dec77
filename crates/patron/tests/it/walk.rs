//! Each role is shown only what it may use: signed in as each role, every page reachable from
//! its navigation is opened, and every link, every address an htmx attribute names and every
//! form on them is followed (GET forms with their values, POST forms with their hidden fields);
//! none may answer 403.

use std::collections::{BTreeSet, VecDeque};

use patron_core::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{Browser, give_points, ok, spawn_app};

/// The value of attribute `name` in the tag text `tag` (`<a href="…" …>`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].replace("&amp;", "&"))
}

/// Every tag of `kind` (`a`, `form`, `input`) in `html`, as the text between `<` and `>`.
fn tags<'a>(html: &'a str, kind: &str) -> Vec<&'a str> {
    let open = format!("<{kind} ");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i..];
        let Some(end) = after.find('>') else { break };
        out.push(&after[..end]);
        rest = &after[end..];
    }
    out
}

/// A form found on a page: method, action and the fields it sends without anyone typing.
struct FormSeen {
    post: bool,
    action: String,
    fields: Vec<(String, String)>,
}

fn forms(html: &str, page_path: &str) -> Vec<FormSeen> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<form ") {
        let after = &rest[i..];
        let end = after.find("</form>").unwrap_or(after.len());
        let body = &after[..end];
        let head = &body[..body.find('>').unwrap_or(body.len())];
        let hx_post = attr(head, "hx-post");
        let post = hx_post.is_some()
            || attr(head, "method").is_some_and(|m| m.eq_ignore_ascii_case("post"));
        let action = hx_post
            .or_else(|| attr(head, "action"))
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| page_path.split('?').next().unwrap_or("/").to_string());
        let mut fields = Vec::new();
        for input in tags(body, "input") {
            let kind = attr(input, "type").unwrap_or_else(|| "text".into());
            let Some(name) = attr(input, "name") else {
                continue;
            };
            let value = attr(input, "value").unwrap_or_default();
            // A POST sends the hidden fields only (nothing typed, nothing chosen); a GET
            // form (a filter) sends what it shows.
            let sent = match kind.as_str() {
                "hidden" => true,
                "checkbox" | "radio" | "submit" | "file" => false,
                _ => !post,
            };
            if sent {
                fields.push((name, value));
            }
        }
        out.push(FormSeen {
            post,
            action,
            fields,
        });
        if end >= after.len() {
            break;
        }
        rest = &after[end..];
    }
    out
}

/// Addresses not to follow: other sites, signing out, one's own account (language, password),
/// the assets, the API's documentation, and the administrator's buttons that lock a colleague
/// out (disable, reset a password, revoke a key) — those are walked as links to their pages.
fn followed(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && ![
            "/logout",
            "/account/",
            "/assets/",
            "/api/",
            "/portal",
            "/login",
        ]
        .iter()
        .any(|p| path.starts_with(p))
        && !["/disable", "/enable", "/reset-password", "/revoke"]
            .iter()
            .any(|p| path.contains(p))
}

async fn post_form(b: &Browser, action: &str, fields: &[(String, String)]) -> StatusCode {
    b.client
        .post(format!("{}{action}", b.base))
        .form(fields)
        .send()
        .await
        .expect("POST")
        .status()
}

/// Walks `role`'s console; returns the pages seen and every refusal as "what → where (from)".
async fn walk(b: &Browser) -> (usize, Vec<String>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut posted: BTreeSet<String> = BTreeSet::new();
    let mut queue = VecDeque::from([("/".to_string(), "sign-in".to_string())]);
    let mut refused = Vec::new();
    while let Some((path, from)) = queue.pop_front() {
        if seen.len() >= 150 || !seen.insert(path.clone()) {
            continue;
        }
        let page = b.get(&path).await;
        if page.status == StatusCode::FORBIDDEN {
            refused.push(format!("link {path} (on {from})"));
            continue;
        }
        let is_html = page.body.trim_start().starts_with("<!DOCTYPE")
            || page.body.trim_start().starts_with("<!doctype");
        if !page.status.is_success() || !is_html {
            continue;
        }
        let body = &page.body;
        let mut links: Vec<String> = tags(body, "a")
            .into_iter()
            .filter_map(|a| attr(a, "href"))
            .collect();
        for kind in ["button", "input", "div", "select", "span", "a", "form"] {
            for t in tags(body, kind) {
                if let Some(h) = attr(t, "hx-get") {
                    links.push(h);
                }
            }
        }
        for link in links {
            let link = link.split('#').next().unwrap_or_default().to_string();
            if followed(&link) && !seen.contains(&link) {
                queue.push_back((link, path.clone()));
            }
        }
        for f in forms(body, &path) {
            if !followed(&f.action) {
                continue;
            }
            if f.post {
                if !posted.insert(f.action.clone()) {
                    continue;
                }
                let status = post_form(b, &f.action, &f.fields).await;
                if status == StatusCode::FORBIDDEN {
                    refused.push(format!("form POST {} (on {path})", f.action));
                }
            } else {
                let query = serde_urlencoded::to_string(&f.fields).unwrap_or_default();
                let target = if query.is_empty() {
                    f.action.clone()
                } else {
                    format!("{}?{query}", f.action)
                };
                if !seen.contains(&target) {
                    queue.push_back((target, path.clone()));
                }
            }
        }
    }
    (seen.len(), refused)
}

both!(
    every_role_is_shown_only_links_and_forms_it_may_use,
    |backend| async move {
        let t = spawn_app(backend).await;
        // Something on each desk's pages: a member with points and a request waiting, a
        // voucher series with a requisition on its way.
        let (member, _) = t.add_member("走查会员", "13900001234", "1990-05-01").await;
        give_points(&t, member, 5_000).await;
        let d = crate::groupbuy::desk(&t).await;
        crate::groupbuy::series(&t, &d, "W26", "100", 50).await;
        ok(
            &t,
            "/api/v1/groupbuy/requisitions",
            &d.clerk,
            json!({"store_code": "HQ", "purpose": "走查", "lines": [{"face_value": "100", "quantity": "10"}]}),
        )
        .await;
        let mut report = Vec::new();
        let mut pages = 0;
        for role in Role::ALL {
            let username = format!("w-{}", role.code().replace('_', "-"));
            t.add_staff(&username, &[(role.code(), t.hq)], false).await;
            let b = t.login(&username).await;
            let (n, refused) = walk(&b).await;
            pages += n;
            report.extend(refused.into_iter().map(|r| format!("{role:?}: {r}")));
        }
        assert!(pages > 100, "the walk opened only {pages} pages");
        assert!(
            report.is_empty(),
            "shown but refused:\n{}",
            report.join("\n")
        );
        t.stop().await;
    }
);
