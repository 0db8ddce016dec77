//! The OpenAPI document tells the truth about request bodies: each operation's documented
//! example, posted to the real server with a key that may do it, is read as documented. The
//! answer may be a success or a refusal for a business reason (an unknown card, a state, a rule),
//! never a refusal of the body's shape.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, spawn_app};

/// Why an answer refuses the request's shape (the JSON could not be read as the handler's
/// type), or None. The readers (`ApiJson`, axum's extractors) answer `validation` with the
/// parser's message in `detail`, or 400/415 before the finishing middleware; a business
/// validation names its fields and has no `detail`.
fn shape_refusal(status: StatusCode, answer: &Value) -> Option<String> {
    let code = answer["code"].as_str().unwrap_or_default();
    let unreadable = answer["errors"]
        .as_array()
        .is_some_and(|e| e.iter().any(|f| f["code"] == "invalid.json"));
    if status == StatusCode::BAD_REQUEST
        || status == StatusCode::UNSUPPORTED_MEDIA_TYPE
        || code == "bad_request"
        || (code == "validation" && (answer.get("detail").is_some() || unreadable))
    {
        Some(format!("{status} {answer}"))
    } else {
        None
    }
}

/// The schema a `$ref` names (or the schema itself).
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// A value for a path parameter: its documented type, else what the name says.
fn path_value(op: &Value, name: &str) -> String {
    let documented = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["in"] == "path" && p["name"] == name)
        .map(|p| p["schema"]["type"].clone());
    if documented.is_some_and(|t| t == "integer") {
        return "1".into();
    }
    match name {
        "store_code" => "HQ",
        "month" => "2026-08",
        "serial" => "00010001",
        "slip_no" => "FLHQ20260925-001",
        _ => "1",
    }
    .into()
}

/// `path` with each `{name}` filled in.
fn fill_path(op: &Value, path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some((before, after)) = rest.split_once('{') {
        let (name, after) = after.split_once('}').expect("a closed path parameter");
        out.push_str(before);
        out.push_str(&path_value(op, name));
        rest = after;
    }
    out.push_str(rest);
    out
}

async fn send(
    t: &TestApp,
    method: &str,
    url: &str,
    key: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
    t.call(method, url, key, Some(body)).await
}

both!(
    every_documented_request_body_is_read_as_documented,
    |backend| async move {
        let t = spawn_app(backend).await;
        // What the examples name: a second store (made before anything reads the store cache,
        // which creating a store does not clear), a member with card HQ00000001, a till T01.
        patron::areas::staff::create_store(
            &t.ctx(),
            &patron::areas::staff::StoreInput {
                code: "NJ".into(),
                name: "南京店".into(),
                time_zone: "Asia/Shanghai".into(),
                active: true,
                email: String::new(),
            },
        )
        .await
        .expect("store NJ");
        let (_, card) = t.add_member("李文静", "13800001234", "1990-09-25").await;
        assert_eq!(card, "HQ00000001", "the examples use the first card of HQ");
        let till = t.till_key(t.hq, "T01").await;
        let roles = [
            "manager",
            "finance_manager",
            "cashier",
            "reward_desk",
            "marketing",
        ];
        let grants: Vec<(&str, i64)> = roles.iter().map(|r| (*r, t.hq)).collect();
        let (staff_id, _) = t.add_staff("openapi", &grants, false).await;
        let token = patron::areas::staff::keys::issue_token(&t.ctx(), "openapi", staff_id, None)
            .await
            .expect("token")
            .1;

        let (status, doc) = t.get_json("/api/v1/openapi.json", "").await;
        assert_eq!(status, StatusCode::OK);
        let base = doc["servers"][0]["url"]
            .as_str()
            .expect("server url")
            .to_string();
        let mut outcomes = Vec::new();
        let mut failures = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let Some(body) = op.get("requestBody") else {
                    continue;
                };
                let at = format!("{} {path}", method.to_uppercase());
                let schema = resolve(&doc, &body["content"]["application/json"]["schema"]);
                let Some(example) = schema["examples"].get(0) else {
                    failures.push(format!("{at}: the request body has no example"));
                    continue;
                };
                let url = format!("{base}{}", fill_path(op, path));
                // The till API takes till keys; the rest takes the staff token.
                let key = if path.starts_with("/pos/") {
                    &till
                } else {
                    &token
                };
                let (status, answer) = send(&t, method, &url, key, example).await;
                if let Some(why) = shape_refusal(status, &answer) {
                    failures.push(format!("{at}: the example's shape was refused: {why}"));
                } else if status == StatusCode::UNAUTHORIZED || status.is_server_error() {
                    failures.push(format!("{at}: {status} {answer}"));
                } else if !status.is_success() && answer["code"].as_str().is_none() {
                    failures.push(format!("{at}: {status} is not problem+json: {answer}"));
                } else if !op["responses"]
                    .as_object()
                    .is_some_and(|r| r.contains_key(status.as_str()))
                {
                    failures.push(format!("{at}: {status} is not documented: {answer}"));
                }
                let fields: Vec<String> = answer["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| format!("{}={}", f["field"], f["code"]))
                    .collect();
                outcomes.push(format!(
                    "{at} -> {} {} {}",
                    status.as_u16(),
                    answer["code"].as_str().unwrap_or(""),
                    fields.join(" ")
                ));
                // And the same route does refuse a body of the wrong shape, as such.
                let (status, answer) = send(&t, method, &url, key, &json!("not an object")).await;
                if shape_refusal(status, &answer).is_none() {
                    failures.push(format!(
                        "{at}: a string body was not refused for its shape: {status} {answer}"
                    ));
                }
            }
        }
        println!("{}", outcomes.join("\n"));
        assert!(
            outcomes.len() >= 30,
            "only {} request bodies in the document",
            outcomes.len()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        t.stop().await;
    }
);

/// Sends `body` raw with `content_type` (none if None); the status, the answer's content type
/// and its JSON.
async fn send_raw(
    t: &TestApp,
    url: &str,
    key: &str,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, String, Value) {
    let mut req = t.http.post(url).bearer_auth(key).body(body.to_string());
    if let Some(ct) = content_type {
        req = req.header(reqwest::header::CONTENT_TYPE, ct);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let ct = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, res.json().await.unwrap_or(Value::Null))
}

both!(
    every_write_refuses_a_body_that_is_not_json_and_nothing_is_written,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (_, card) = t.add_member("李文静", "13800001234", "1990-09-25").await;
        let till = t.till_key(t.hq, "T01").await;
        let (staff_id, _) = t.add_staff("ctype", &[("manager", t.hq)], false).await;
        let token = patron::areas::staff::keys::issue_token(&t.ctx(), "ctype", staff_id, None)
            .await
            .expect("token")
            .1;
        let receipt = json!({"store_code": "HQ", "till_id": "T01", "receipt_no": "R-1",
            "card_no": card, "occurred_at": "2026-09-25T17:00:00+08:00",
            "lines": [{"line_no": 1, "sku": "A", "amount_fen": 10_000, "promotional": false}]})
        .to_string();
        let url = format!("{}/api/v1/pos/receipts", t.base);
        // A receipt sent as text, or with no Content-Type, is refused and not recorded.
        for ct in [
            Some("text/plain"),
            None,
            Some("application/json; charset=gbk"),
        ] {
            let (status, answer_ct, answer) = send_raw(&t, &url, &till, ct, &receipt).await;
            assert_eq!(
                status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{ct:?}: {answer}"
            );
            assert_eq!(answer_ct, "application/problem+json");
            assert_eq!(answer["code"], "unsupported_media_type", "{answer}");
        }
        assert_eq!(
            t.scalar("select count(*) from receipts where $1 > 0", 1)
                .await,
            0
        );
        let (status, _, answer) = send_raw(
            &t,
            &url,
            &till,
            Some("application/json; charset=utf-8"),
            &receipt,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");

        // Every write of the document: one that takes a body refuses text; one that takes none
        // refuses a body that is not JSON, by its type (415) or its form (422), and reads on
        // when nothing is sent.
        let (_, doc) = t.get_json("/api/v1/openapi.json", "").await;
        let mut failures = Vec::new();
        let mut no_body = 0;
        for (path, item) in doc["paths"].as_object().expect("paths") {
            let Some(op) = item.get("post") else { continue };
            let url = format!("{}/api/v1{}", t.base, fill_path(op, path));
            let key = if path.starts_with("/pos/") {
                &till
            } else {
                &token
            };
            let mut expect =
                |what: &str, got: (StatusCode, String, Value), want: u16, code: &str| {
                    let (status, ct, answer) = got;
                    if status.as_u16() != want
                        || answer["code"] != code
                        || ct != "application/problem+json"
                    {
                        failures.push(format!("POST {path} {what}: {status} {ct} {answer}"));
                    }
                    if !op["responses"]
                        .as_object()
                        .is_some_and(|r| r.contains_key(&want.to_string()))
                    {
                        failures.push(format!("POST {path}: {want} is not documented"));
                    }
                };
            if op.get("requestBody").is_some() {
                let got = send_raw(&t, &url, key, Some("text/plain"), "{}").await;
                expect("as text/plain", got, 415, "unsupported_media_type");
                let got = send_raw(&t, &url, key, None, "").await;
                expect("with no Content-Type", got, 415, "unsupported_media_type");
            } else {
                no_body += 1;
                let got = send_raw(&t, &url, key, Some("application/json"), "{oops").await;
                expect("malformed", got, 422, "validation");
                let got = send_raw(&t, &url, key, Some("text/plain"), "hello").await;
                expect("text", got, 415, "unsupported_media_type");
                let (status, _, answer) = send_raw(&t, &url, key, None, "").await;
                let body_refused = answer["errors"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|f| f["field"] == "body"));
                if status == StatusCode::UNSUPPORTED_MEDIA_TYPE || body_refused {
                    failures.push(format!("POST {path} with nothing: {status} {answer}"));
                }
            }
        }
        assert!(no_body >= 6, "only {no_body} writes without a body");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        t.stop().await;
    }
);
