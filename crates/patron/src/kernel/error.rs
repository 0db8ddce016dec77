//! Error codes as typed constants: the stable machine word a client sees (`api/pos.md`: codes
//! never change once published), its HTTP status and the message key of its text. A handler
//! names a constant, so a misspelt code cannot compile into a 500. The codes every area may
//! answer live here; each area declares its own in its `error.rs` and lists them in `CODES`, and
//! `app/catalogs.rs` gathers every list so a test can check that names are unique and that every
//! key has a text in both languages.

/// One error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The machine word, e.g. `voucher_used`.
    pub name: &'static str,
    /// The HTTP status it answers with.
    pub status: u16,
    /// The message key of its text, e.g. `error.voucher_used`.
    pub key: &'static str,
    /// Whether a console form shows the error's own detail after the message (off where the
    /// marked fields already say it all).
    pub detail_shown: bool,
}

impl Code {
    /// A code whose message key is `error.{name}`.
    pub const fn new(name: &'static str, status: u16, key: &'static str) -> Code {
        Code {
            name,
            status,
            key,
            detail_shown: true,
        }
    }

    /// The same code, its detail left off console forms.
    pub const fn detail_hidden(self) -> Code {
        Code {
            detail_shown: false,
            ..self
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

pub const VALIDATION: Code = Code::new("validation", 422, "error.validation");
pub const NOT_FOUND: Code = Code::new("not_found", 404, "error.not_found");
pub const UNAUTHORIZED: Code = Code::new("unauthorized", 401, "error.unauthorized");
pub const FORBIDDEN: Code = Code::new("forbidden", 403, "error.forbidden");
pub const CSRF: Code = Code::new("csrf", 403, "error.csrf");
pub const CONFLICT: Code = Code::new("conflict", 409, "error.conflict");
pub const DUPLICATE: Code = Code::new("duplicate", 409, "error.duplicate");
pub const ACCOUNT_LOCKED: Code = Code::new("account_locked", 423, "error.account_locked");
pub const RATE_LIMITED: Code = Code::new("rate_limited", 429, "error.rate_limited");
pub const METHOD_NOT_ALLOWED: Code =
    Code::new("method_not_allowed", 405, "error.method_not_allowed");
pub const TOO_LARGE: Code = Code::new("too_large", 413, "error.too_large");
pub const UNSUPPORTED_MEDIA_TYPE: Code = Code::new(
    "unsupported_media_type",
    415,
    "error.unsupported_media_type",
);
pub const BAD_REQUEST: Code = Code::new("bad_request", 400, "error.bad_request");
/// A page address with a value that names nothing (a store, a date, a month): said, not
/// silently replaced.
pub const BAD_PARAMETER: Code = Code::new("bad_parameter", 400, "error.bad_parameter");
pub const INTERNAL: Code = Code::new("internal", 500, "error.internal");

// The till contract's codes (`api/pos.md`), answered by members, points, events and group-buy.
pub const MEMBER_NOT_FOUND: Code = Code::new("member_not_found", 404, "error.member_not_found");
pub const CARD_FROZEN: Code = Code::new("card_frozen", 409, "error.card_frozen");
pub const CARD_EXPIRED: Code = Code::new("card_expired", 409, "error.card_expired");
pub const CARD_INACTIVE: Code = Code::new("card_inactive", 409, "error.card_inactive");
pub const RECEIPT_CONFLICT: Code = Code::new("receipt_conflict", 409, "error.receipt_conflict");
pub const RECEIPT_NOT_FOUND: Code = Code::new("receipt_not_found", 404, "error.receipt_not_found");
pub const INSUFFICIENT_POINTS: Code =
    Code::new("insufficient_points", 422, "error.insufficient_points");

/// The codes of the kernel, the web layer, authentication and the till contract.
pub const CODES: &[Code] = &[
    BAD_PARAMETER,
    VALIDATION,
    NOT_FOUND,
    UNAUTHORIZED,
    FORBIDDEN,
    CSRF,
    CONFLICT,
    DUPLICATE,
    ACCOUNT_LOCKED,
    RATE_LIMITED,
    METHOD_NOT_ALLOWED,
    TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    BAD_REQUEST,
    INTERNAL,
    MEMBER_NOT_FOUND,
    CARD_FROZEN,
    CARD_EXPIRED,
    CARD_INACTIVE,
    RECEIPT_CONFLICT,
    RECEIPT_NOT_FOUND,
    INSUFFICIENT_POINTS,
];
