//! The layout of DESIGN.md ("Workspace and layers") holds: a file imports only from its own
//! layer or below, and SQL (`sqlx::`) lives in store files and the kernel. Each list of known
//! exceptions below may only shrink: a test fails when a listed exception is gone, so the list
//! is updated as the code is cleaned up.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers of `src/`, bottom to top.
const LAYERS: &[(&str, u8)] = &[
    ("kernel", 1),
    ("auth", 2),
    ("web", 3),
    ("approvals", 4),
    ("jobs", 4),
    ("notify", 4),
    ("areas", 5),
    ("app", 6),
    ("cli", 7),
    ("demo", 7),
    ("bench", 7),
];

/// Imports from a higher layer that are allowed: (file, module imported).
const UPWARD_ALLOWED: &[(&str, &str)] = &[
    // The documented exception: the toolkit reads the areas' catalogs from app (pure data).
    ("web/i18n.rs", "app"),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every source file as (path relative to `src/`, text), test modules left out.
fn sources() -> Vec<(String, String)> {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p).expect("read file");
            let code = match text.find("#[cfg(test)]") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
            (rel, code)
        })
        .collect()
}

fn layer_of(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

#[test]
fn src_has_the_folders_of_the_design_and_nothing_else() {
    let mut entries: Vec<String> = std::fs::read_dir(src())
        .expect("read src")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    let mut expected: Vec<String> = LAYERS.iter().map(|(m, _)| m.to_string()).collect();
    expected.extend(["lib.rs".to_string(), "main.rs".to_string()]);
    expected.sort();
    assert_eq!(entries, expected);
}

#[test]
fn no_file_imports_from_a_higher_layer() {
    let mut found = BTreeSet::new();
    let mut wrong = Vec::new();
    for (file, code) in sources() {
        let Some(own) = file.split('/').next().and_then(layer_of) else {
            continue;
        };
        for piece in code.split("crate::").skip(1) {
            let module: String = piece
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let Some(theirs) = layer_of(&module) else {
                continue;
            };
            if theirs > own {
                if UPWARD_ALLOWED.contains(&(file.as_str(), module.as_str())) {
                    found.insert((file.clone(), module));
                } else {
                    wrong.push(format!("{file} imports crate::{module}"));
                }
            }
        }
    }
    wrong.dedup();
    assert!(wrong.is_empty(), "imports from a higher layer: {wrong:#?}");
    for (file, module) in UPWARD_ALLOWED {
        assert!(
            found.contains(&(file.to_string(), module.to_string())),
            "{file} no longer imports crate::{module}: take it off UPWARD_ALLOWED"
        );
    }
}

#[test]
fn sql_lives_in_store_files_and_the_kernel() {
    let mut with_sql = BTreeSet::new();
    for (file, code) in sources() {
        let is_store = file.ends_with("/store.rs") || file.contains("/store/");
        if file.starts_with("kernel/") || is_store {
            continue;
        }
        // Converting the driver's error type is not SQL.
        if code.replace("sqlx::Error", "").contains("sqlx::") {
            with_sql.insert(file);
        }
    }
    assert!(
        with_sql.is_empty(),
        "SQL outside a store file (move it into the area's store.rs or store/): {with_sql:#?}"
    );
}
