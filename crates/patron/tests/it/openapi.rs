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
