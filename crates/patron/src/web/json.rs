//! `ApiJson<T>`: a JSON body whose errors are problem+json naming the bad field
//! (`lines[2].amount_fen`), never the framework's plain-text rejection. `NoBody`: what a POST
//! that takes no body reads instead, so that nothing sent to the API goes unread.
//!
//! The API speaks JSON (`api/pos.md`): a body is `Content-Type: application/json` (or a
//! `+json` type), in UTF-8 when a charset is named. Anything else is refused with 415
//! `unsupported_media_type` before it is read, so a body a proxy or a client mislabelled is
//! never guessed at.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::kernel::error as codes;
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;

pub struct ApiJson<T>(pub T);

/// Turns a deserialisation error into the field it concerns and a message key.
pub fn field_error(path: &str, message: &str) -> (String, &'static str) {
    let join = |name: &str| {
        if path.is_empty() || path == "." {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some(name) = rest.split('`').next()
    {
        return (join(name), "invalid.required");
    }
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some(name) = rest.split('`').next()
    {
        return (join(name), "invalid.json");
    }
    let field = if path.is_empty() || path == "." {
        "body".to_string()
    } else {
        path.to_string()
    };
    (field, "invalid.json")
}

/// Whether a `Content-Type` value names JSON: `application/json` or `application/…+json`, with
/// no charset or UTF-8.
pub fn is_json(content_type: &str) -> bool {
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let json = essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"));
    let utf8 = parts.all(|p| match p.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            let v = value.trim().trim_matches('"');
            v.eq_ignore_ascii_case("utf-8") || v.eq_ignore_ascii_case("utf8")
        }
        _ => true,
    });
    json && utf8
}

/// Refuses a request whose `Content-Type` is missing or not JSON.
fn require_json(headers: &HeaderMap) -> Result<(), AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    match content_type {
        Some(t) if is_json(t) => Ok(()),
        Some(t) => Err(AppError::new(codes::UNSUPPORTED_MEDIA_TYPE)
            .detail(format!("Content-Type {t:?}: send application/json"))),
        None => Err(AppError::new(codes::UNSUPPORTED_MEDIA_TYPE)
            .detail("no Content-Type: send application/json")),
    }
}

/// The body as bytes (1 MiB at most, axum's limit).
async fn bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state)
        .await
        .map_err(|_| AppError::new(codes::TOO_LARGE))
}

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        require_json(req.headers())?;
        let bytes = bytes(req, state).await?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) => {
                let path = e.path().to_string();
                let message = e.inner().to_string();
                let (field, key) = field_error(&path, &message);
                let mut err: AppError = Invalid::one(&field, key).into();
                err.detail = Some(format!("{field}: {message}"));
                Err(err)
            }
        }
    }
}

/// The body of a POST that takes none. Nothing at all is the usual case; a body, if one is
/// sent, must still be JSON by its `Content-Type` (415 otherwise) and well formed (422
/// `validation` on `body` otherwise): it is then ignored (`{}` or `null` from a client that
/// always sends one). Put it last among a handler's arguments.
pub struct NoBody;

impl<S: Send + Sync> FromRequest<S> for NoBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let headers = req.headers().clone();
        let bytes = bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(NoBody);
        }
        require_json(&headers)?;
        if let Err(e) = serde_json::from_slice::<IgnoredAny>(&bytes) {
            let mut err: AppError = Invalid::one("body", "invalid.json").into();
            err.detail = Some(format!("body: {e} (this request takes no body)"));
            return Err(err);
        }
        Ok(NoBody)
    }
}

#[cfg(test)]
mod tests {
    use super::{field_error, is_json};

    #[test]
    fn json_content_types_are_told_from_others() {
        for yes in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=\"UTF-8\"",
            "application/problem+json",
        ] {
            assert!(is_json(yes), "{yes}");
        }
        for no in [
            "",
            "text/plain",
            "text/json",
            "application/x-www-form-urlencoded",
            "application/json; charset=gbk",
            "application/jsonp",
            "multipart/form-data; boundary=x",
        ] {
            assert!(!is_json(no), "{no}");
        }
    }

    #[test]
    fn the_bad_field_is_named() {
        assert_eq!(
            field_error(".", "missing field `card_no` at line 1 column 2"),
            ("card_no".to_string(), "invalid.required")
        );
        assert_eq!(
            field_error("lines[1]", "missing field `amount_fen`"),
            ("lines[1].amount_fen".to_string(), "invalid.required")
        );
        assert_eq!(
            field_error(
                "lines[0].amount_fen",
                "invalid type: string \"x\", expected i64"
            ),
            ("lines[0].amount_fen".to_string(), "invalid.json")
        );
    }
}
