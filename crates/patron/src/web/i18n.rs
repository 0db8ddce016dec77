//! The console's languages and message catalog. Chinese (zh-CN) first, English second.
//!
//! Every label a page shows comes from `messages::CATALOG` by key. Both languages sit side by
//! side in one row, so a message cannot exist in one language only; a test checks that every
//! key the templates and code use is in the catalog.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::messages::CATALOG;

pub use crate::kernel::lang::Lang;

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    // The areas' catalogs come from the composition root (the documented exception to the
    // layer rule: a pure-data list that the toolkit reads from `app`).
    CATALOG
        .iter()
        .chain(crate::app::catalogs::AREAS.iter().flat_map(|c| c.iter()))
        .map(|(k, zh, en)| (*k, (*zh, *en)))
        .collect()
});

impl Lang {
    /// The message for `key` in this language (the key itself if it is missing, so a gap shows
    /// on screen rather than an empty label).
    pub fn t(self, key: &str) -> &'static str {
        match INDEX.get(key) {
            Some((zh, en)) => match self {
                Lang::ZhCn => zh,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "missing message key");
                "⟦missing message⟧"
            }
        }
    }

    /// The catalog's own copy of `key`, if it is a known key.
    pub fn known(key: &str) -> Option<&'static str> {
        INDEX.get_key_value(key).map(|(k, _)| *k)
    }

    pub fn has(key: &str) -> bool {
        INDEX.contains_key(key)
    }

    /// The catalog's keys under `prefix` (a family of labels, such as the audited kinds),
    /// sorted.
    pub fn keys_with_prefix(prefix: &str) -> Vec<&'static str> {
        let mut keys: Vec<&'static str> = INDEX
            .keys()
            .copied()
            .filter(|k| k.starts_with(prefix))
            .collect();
        keys.sort_unstable();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_keys_are_unique_and_both_languages_are_filled() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in CATALOG
            .iter()
            .chain(crate::app::catalogs::AREAS.iter().flat_map(|c| c.iter()))
        {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(
                !zh.trim().is_empty() && !en.trim().is_empty(),
                "{k} is empty"
            );
        }
    }

    /// Every `t("…")` in the templates and every message key in the code is in the catalog.
    #[test]
    fn every_audited_action_has_a_label() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        collect(&root.join("src"), &mut files);
        let mut missing = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for piece in text.split(".audit(").skip(1) {
                let Some(action) = piece
                    .trim_start()
                    .strip_prefix('"')
                    .and_then(|r| r.split_once('"'))
                    .map(|(a, _)| a)
                else {
                    continue;
                };
                let is_name = !action.is_empty()
                    && action
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
                if is_name && !Lang::has(action) && !Lang::has(&format!("audit.action.{action}")) {
                    missing.push(format!("{action} ({})", f.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "audited actions without a label: {missing:#?}"
        );
    }

    #[test]
    fn every_key_used_is_in_the_catalog() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        collect(&root.join("templates"), &mut files);
        collect(&root.join("src"), &mut files);
        // The prefixes come from the catalog itself, so a new area's keys are checked too.
        let prefixes: std::collections::BTreeSet<String> = INDEX
            .keys()
            .filter_map(|k| k.split_once('.').map(|(p, _)| format!("{p}.")))
            .collect();
        let mut missing = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for piece in text.split('"').skip(1).step_by(2) {
                let looks_like_key = prefixes.iter().any(|p| piece.starts_with(p.as_str()))
                    && piece.len() > 4
                    && !piece.ends_with('.')
                    && piece.chars().all(|c| {
                        c.is_ascii_lowercase() || c == '.' || c == '_' || c.is_ascii_digit()
                    });
                // File names and configuration paths that look like keys.
                let not_a_key = ["error.html", "login.max_failures"].contains(&piece);
                if looks_like_key && !not_a_key && !Lang::has(piece) {
                    missing.push(format!("{piece} ({})", f.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalog: {missing:#?}"
        );
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                collect(&p, out);
            } else if p.extension().is_some_and(|x| x == "html" || x == "rs")
                && !p.ends_with("messages.rs")
            {
                out.push(p);
            }
        }
    }
}
