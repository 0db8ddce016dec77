//! Checks of the OpenAPI document that `super::api` assembles.

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
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
}
