//! Every approval kind there is, one line per area. The `/approvals` inbox takes this list; an
//! area adds its kinds to its own `APPROVALS` and one line here.

use crate::approvals::ApprovalKind;

const AREAS: &[&[ApprovalKind]] = &[
    crate::areas::members::closing::APPROVALS,
    crate::areas::points::adjust::APPROVALS,
    crate::areas::groupbuy::APPROVALS,
    crate::areas::gifts::APPROVALS,
    crate::areas::events::APPROVALS,
    crate::areas::customers::APPROVALS,
];

/// The approval kinds of every area, in one list (built once).
pub fn all() -> &'static [ApprovalKind] {
    static ALL: std::sync::LazyLock<Vec<ApprovalKind>> = std::sync::LazyLock::new(|| {
        AREAS
            .iter()
            .flat_map(|kinds| kinds.iter().copied())
            .collect()
    });
    &ALL
}
