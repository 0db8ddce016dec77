//! The OpenAPI document's error answers. The routes say which statuses they can answer; this
//! gives each error answer its `application/problem+json` body (`Problem`) and a description when
//! the route gave none, and gives every bearer-secured operation its 401.

use utoipa::openapi::content::Content;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{PartialSchema, ToSchema};

use crate::web::error::Problem;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Finishes the error answers of every operation of `doc` (see the module's documentation).
pub fn finish_problems(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    let mut schemas = vec![(Problem::name().into_owned(), Problem::schema())];
    <Problem as ToSchema>::schemas(&mut schemas);
    components.schemas.extend(schemas);
    for item in doc.paths.paths.values_mut() {
        // Whatever a write is sent is read (`web::json`): a body that is not JSON by its
        // Content-Type is 415; one sent where none is taken must still be well-formed JSON.
        for op in [&mut item.post, &mut item.put, &mut item.patch]
            .into_iter()
            .filter_map(Option::as_mut)
        {
            let takes_no_body = op.request_body.is_none();
            let responses = &mut op.responses.responses;
            responses
                .entry("415".into())
                .or_insert_with(|| RefOr::T(ResponseBuilder::new().build()));
            if takes_no_body {
                responses.entry("422".into()).or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(
                                "`validation`: this takes no body, and the one sent is not JSON",
                            )
                            .build(),
                    )
                });
            }
        }
        for op in operations_mut(item) {
            let responses = &mut op.responses.responses;
            if bearer_secured(op.security.as_deref()) && !responses.contains_key("401") {
                responses.insert("401".into(), RefOr::T(ResponseBuilder::new().build()));
            }
            for (status, response) in responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                if response.description.is_empty() {
                    response.description = default_description(status).into();
                }
                if response.content.is_empty() {
                    let body = Content::new(Some(Ref::from_schema_name(Problem::name())));
                    response.content.insert(PROBLEM_JSON.into(), RefOr::T(body));
                }
            }
        }
    }
}

/// What an error status means when a route does not say more.
fn default_description(status: &str) -> &'static str {
    match status {
        "401" => "`unauthorized`: no bearer key, or an unknown, expired or revoked one",
        "403" => "`forbidden`: the key's owner lacks the permission this needs (`detail` names it)",
        "404" => "`not_found`: no such record",
        "409" => "A conflict with the current state: `code` and `detail` say which",
        "422" => {
            "`validation`: a field is missing, malformed or breaks a rule; `errors` names each field"
        }
        "415" => "`unsupported_media_type`: a body without `Content-Type: application/json`",
        "429" => "`rate_limited`",
        _ => "An error: `code` says which",
    }
}

fn bearer_secured(security: Option<&[utoipa::openapi::security::SecurityRequirement]>) -> bool {
    security.unwrap_or_default().iter().any(|requirement| {
        serde_json::to_value(requirement)
            .ok()
            .is_some_and(|v| v.get("bearer").is_some())
    })
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use serde_json::Value;

    /// The document as served.
    fn doc() -> Value {
        serde_json::to_value(super::super::api().1).expect("the document serialises")
    }

    /// Every type of the crate that derives `ToSchema`, by the schema name it produces: the
    /// type's name, or its `#[schema(as = a::B)]` as `a.B`. (Read from the source: the derive
    /// leaves no list of types behind.)
    fn schema_types() -> BTreeMap<String, Vec<String>> {
        let mut found = BTreeMap::<String, Vec<String>>::new();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("read a source file");
                    let file = path
                        .strip_prefix(&root)
                        .unwrap_or(&path)
                        .display()
                        .to_string();
                    for (name, ty) in schema_types_in(&text) {
                        found.entry(name).or_default().push(format!("{file}: {ty}"));
                    }
                }
            }
        }
        found
    }

    /// (schema name, type name) of each `ToSchema` derive in one file.
    fn schema_types_in(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find("#[derive(") {
            // Only an attribute that begins a line (not one inside a string).
            let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
            if !rest[line_start..at].trim().is_empty() {
                rest = &rest[at + 1..];
                continue;
            }
            let (attr, after) = split_attribute(&rest[at..]);
            rest = after;
            if !attr.contains("ToSchema") {
                continue;
            }
            // Further attributes and doc comments up to the item itself.
            let mut alias = None;
            let mut item = rest.trim_start();
            loop {
                if item.starts_with("//") {
                    item = item.split_once('\n').map_or("", |(_, r)| r).trim_start();
                } else if item.starts_with("#[") {
                    let (attr, after) = split_attribute(item);
                    if let Some(args) = attr.strip_prefix("#[schema(") {
                        alias = alias.or_else(|| schema_alias(args));
                    }
                    item = after.trim_start();
                } else {
                    break;
                }
            }
            let item = item
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            let Some(item) = item
                .strip_prefix("struct ")
                .or_else(|| item.strip_prefix("enum "))
            else {
                continue;
            };
            let ty: String = item
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push((alias.unwrap_or_else(|| ty.clone()), ty));
        }
        out
    }

    /// The attribute at the start of `text` (brackets matched, strings skipped) and the rest.
    fn split_attribute(text: &str) -> (&str, &str) {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for (i, c) in text.char_indices() {
            match (in_string, c) {
                (true, _) if escaped => escaped = false,
                (true, '\\') => escaped = true,
                (true, '"') => in_string = false,
                (true, _) => {}
                (false, '"') => in_string = true,
                (false, '[') => depth += 1,
                (false, ']') => {
                    depth -= 1;
                    if depth == 0 {
                        return text.split_at(i + 1);
                    }
                }
                _ => {}
            }
        }
        (text, "")
    }

    /// `a.B` for the `as = a::B` of a `#[schema(...)]`'s arguments.
    fn schema_alias(args: &str) -> Option<String> {
        let start = args.find("as = ")? + "as = ".len();
        let path: String = args[start..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        Some(path.replace("::", "."))
    }

    #[test]
    fn the_source_scan_reads_names_and_aliases() {
        // Each line of the text starts with `"`: this file's own scan must not find them.
        let text = concat!(
            "/// A.\n",
            "#[derive(Debug, utoipa::ToSchema)]\n",
            "#[schema(as = area::Thing, examples(json!({\"a\": \"]\"})))]\n",
            "#[serde(default)]\n",
            "pub struct Thing<'a> {}\n",
            "#[derive(Serialize)]\n",
            "struct NotASchema;\n",
            "    #[derive(ToSchema)]\n",
            "    enum Kind { A }\n",
            "let s = \"#[derive(ToSchema)]\";\n",
        );
        assert_eq!(
            schema_types_in(text),
            vec![
                ("area.Thing".to_string(), "Thing".to_string()),
                ("Kind".to_string(), "Kind".to_string())
            ]
        );
    }

    /// Two types under one name overwrite each other in `components.schemas`: the document
    /// then shows one type's fields for the other's requests.
    #[test]
    fn every_schema_name_belongs_to_one_type() {
        let types = schema_types();
        let shared: Vec<String> = types
            .iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(name, v)| format!("{name}: {}", v.join(", ")))
            .collect();
        assert!(
            shared.is_empty(),
            "schema names used by more than one type (give each `#[schema(as = area::Name)]`):\n{}",
            shared.join("\n")
        );
        // The scan sees every schema of the document (or it would miss collisions).
        let doc = doc();
        let unseen: Vec<&String> = doc["components"]["schemas"]
            .as_object()
            .expect("schemas")
            .keys()
            .filter(|name| !types.contains_key(*name))
            .collect();
        assert!(
            unseen.is_empty(),
            "schemas the source scan did not find: {unseen:?}"
        );
    }

    fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                out.push((method.to_uppercase(), path.clone(), op));
            }
        }
        out
    }

    fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
        match schema["$ref"].as_str() {
            Some(r) => {
                let name = r
                    .strip_prefix("#/components/schemas/")
                    .expect("a schema reference");
                let target = &doc["components"]["schemas"][name];
                assert!(target.is_object(), "{r} does not resolve");
                target
            }
            None => schema,
        }
    }

    /// Every `$ref` in `v` names a schema of the document; no schema is a bare boolean.
    fn check_schemas(doc: &Value, v: &Value, at: &str, problems: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (key, value) in map {
                    let here = format!("{at}/{key}");
                    if key == "$ref"
                        && let Some(name) = value
                            .as_str()
                            .and_then(|r| r.strip_prefix("#/components/schemas/"))
                        && !doc["components"]["schemas"][name].is_object()
                    {
                        problems.push(format!("{here}: {value} does not resolve"));
                    }
                    if matches!(key.as_str(), "items" | "schema" | "additionalProperties")
                        && value.is_boolean()
                    {
                        problems.push(format!("{here}: a boolean schema"));
                    }
                    check_schemas(doc, value, &here, problems);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_schemas(doc, item, &format!("{at}/{i}"), problems);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn the_document_is_complete_and_consistent() {
        let doc = doc();
        let mut problems = Vec::new();
        check_schemas(&doc, &doc, "", &mut problems);
        let mut ids = BTreeSet::new();
        for (method, path, op) in operations(&doc) {
            let at = format!("{method} {path}");
            match op["operationId"].as_str() {
                Some(id) if !ids.insert(id.to_string()) => {
                    problems.push(format!("{at}: operationId {id} is used twice"));
                }
                Some(_) => {}
                None => problems.push(format!("{at}: no operationId")),
            }
            let responses = op["responses"].as_object().expect("responses");
            for (status, response) in responses {
                if response["description"].as_str().unwrap_or("").is_empty() {
                    problems.push(format!("{at} {status}: no description"));
                }
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"][super::PROBLEM_JSON]["schema"]["$ref"];
                    if schema != "#/components/schemas/Problem" {
                        problems.push(format!("{at} {status}: not a problem+json answer"));
                    }
                }
            }
            let secured = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if secured && !responses.contains_key("401") {
                problems.push(format!("{at}: bearer-secured without a 401"));
            }
            if let Some(body) = op.get("requestBody") {
                let schema = resolve(&doc, &body["content"]["application/json"]["schema"]);
                if schema["examples"].as_array().is_none_or(Vec::is_empty) {
                    problems.push(format!("{at}: the request body has no example"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // `field_errors` is `[field, message key]` pairs, told as plain arrays of strings.
        let pairs = &doc["components"]["schemas"]["SaleCheck"]["properties"]["field_errors"];
        assert_eq!(pairs["items"]["items"]["type"], "string", "{pairs}");
        assert_eq!(pairs["items"]["minItems"], 2, "{pairs}");
        assert_eq!(pairs["items"]["maxItems"], 2, "{pairs}");
    }

    /// Each request body's example has what its schema requires and no field the schema lacks
    /// (the integration test `openapi` posts them to the server).
    #[test]
    fn request_examples_match_their_schemas() {
        let doc = doc();
        let mut problems = Vec::new();
        for (method, path, op) in operations(&doc) {
            let Some(body) = op.get("requestBody") else {
                continue;
            };
            let schema = resolve(&doc, &body["content"]["application/json"]["schema"]);
            if let Some(example) = schema["examples"].get(0) {
                fits(
                    &doc,
                    schema,
                    example,
                    &format!("{method} {path}"),
                    &mut problems,
                );
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    fn fits(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
        let schema = resolve(doc, schema);
        if let Some(one_of) = schema["oneOf"].as_array() {
            // `Option<T>`: T or null.
            if !value.is_null() {
                for s in one_of.iter().filter(|s| s["type"] != "null") {
                    fits(doc, s, value, at, problems);
                }
            }
            return;
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return,
        };
        let ok = match value {
            Value::Null => types.contains(&"null"),
            Value::Bool(_) => types.contains(&"boolean"),
            Value::Number(n) => {
                types.contains(&"number") || (types.contains(&"integer") && n.is_i64())
            }
            Value::String(_) => types.contains(&"string"),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    fits(doc, &schema["items"], item, &format!("{at}[{i}]"), problems);
                }
                types.contains(&"array")
            }
            Value::Object(map) => {
                let properties = schema["properties"].as_object();
                for required in schema["required"].as_array().into_iter().flatten() {
                    let name = required.as_str().unwrap_or_default();
                    if !map.contains_key(name) {
                        problems.push(format!("{at}: the example lacks required `{name}`"));
                    }
                }
                for (name, v) in map {
                    match properties.and_then(|p| p.get(name)) {
                        Some(s) => fits(doc, s, v, &format!("{at}.{name}"), problems),
                        None => problems.push(format!("{at}: `{name}` is not in the schema")),
                    }
                }
                types.contains(&"object")
            }
        };
        if !ok {
            problems.push(format!("{at}: {value} is not of type {types:?}"));
        }
    }
}
