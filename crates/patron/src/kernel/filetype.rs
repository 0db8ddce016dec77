//! What an uploaded file is, judged by its first bytes rather than the name it was sent with,
//! and the name it is kept under. Shared by every area that keeps files (research attachments,
//! partners' scanned contracts); each area decides which of these types it accepts.

/// What a file's first bytes say it is: (content type, the extensions it may be named with).
pub fn sniff(data: &[u8]) -> Option<(&'static str, &'static [&'static str])> {
    let contains = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
    if data.starts_with(b"%PDF-") {
        Some(("application/pdf", &["pdf"]))
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", &["jpg", "jpeg"]))
    } else if data.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("image/png", &["png"]))
    } else if data.starts_with(b"PK\x03\x04") && contains(b"[Content_Types].xml") {
        if contains(b"xl/") {
            Some((
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &["xlsx"],
            ))
        } else if contains(b"word/") {
            Some((
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                &["docx"],
            ))
        } else {
            None
        }
    } else {
        None
    }
}

/// The name a file is kept under: its last path part, without control characters.
pub fn clean_name(name: &str) -> String {
    name.trim()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// The extension of a name, in lower case (empty when it has none).
pub fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default()
}

/// The content type of `data` when its bytes are one of `allowed` and `name` ends with one of
/// that type's extensions.
pub fn matching(name: &str, data: &[u8], allowed: &[&str]) -> Option<&'static str> {
    let ext = extension(name);
    sniff(data)
        .filter(|(kind, exts)| allowed.contains(kind) && exts.contains(&ext.as_str()))
        .map(|(kind, _)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_named_pdf_matches_and_an_exe_named_pdf_does_not() {
        let pdf = ["application/pdf"];
        assert_eq!(
            matching("合同.PDF", b"%PDF-1.7 x", &pdf),
            Some("application/pdf")
        );
        assert_eq!(matching("contract.pdf", b"MZ\x90\x00", &pdf), None);
        assert_eq!(matching("scan.png", b"%PDF-1.7", &pdf), None);
    }

    #[test]
    fn a_name_keeps_only_its_last_part() {
        assert_eq!(clean_name(" C:\\scans\\a\u{7}.pdf "), "a.pdf");
        assert_eq!(clean_name("../../etc/x.png"), "x.png");
    }
}
