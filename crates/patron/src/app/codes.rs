//! Every error code a client may receive, one line per area: checked here for unique names and
//! for a message in both languages. (Kept apart from `catalogs.rs`, which the toolkit reads.)

/// Every error code a client may receive: the kernel's and each area's, one line per list.
pub const CODES: &[&[crate::kernel::error::Code]] = &[
    crate::kernel::error::CODES,
    crate::approvals::CODES,
    crate::areas::staff::error::CODES,
    crate::areas::groupbuy::error::CODES,
    crate::areas::gifts::error::CODES,
    crate::areas::events::error::CODES,
    crate::areas::partners::error::CODES,
    crate::areas::calendar::error::CODES,
    crate::areas::customers::error::CODES,
    crate::areas::plans::error::CODES,
    crate::areas::rotation::error::CODES,
    crate::areas::complaints::error::CODES,
    crate::areas::care::error::CODES,
    crate::areas::backup::error::CODES,
    crate::areas::reports::error::CODES,
];

#[cfg(test)]
mod tests {
    use super::CODES;
    use crate::web::i18n::Lang;

    /// A code's name is unique, its status is an error status, and its message exists in both
    /// languages (the catalog has no half-empty rows, `web::i18n`'s test checks that).
    #[test]
    fn error_codes_are_unique_and_have_messages() {
        let mut seen = std::collections::HashSet::new();
        for code in CODES.iter().flat_map(|c| c.iter()) {
            assert!(seen.insert(code.name), "duplicate error code {}", code.name);
            assert!(
                (400..600).contains(&code.status),
                "{} has status {}",
                code.name,
                code.status
            );
            assert!(
                Lang::has(code.key),
                "{} has no message {}",
                code.name,
                code.key
            );
            assert_ne!(Lang::ZhCn.t(code.key), Lang::En.t(code.key), "{}", code.key);
        }
    }

    /// Every code the source names is listed here, so none escapes the check above.
    #[test]
    fn every_code_defined_is_listed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        collect(&root, &mut files);
        let listed: std::collections::HashSet<&str> = CODES
            .iter()
            .flat_map(|c| c.iter())
            .map(|c| c.name)
            .collect();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for piece in text.split("Code::new(\"").skip(1) {
                let name = piece.split('"').next().unwrap_or_default();
                assert!(
                    listed.contains(name),
                    "{name} ({}) is not in app::catalogs::CODES",
                    f.display()
                );
            }
        }
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                collect(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
}
