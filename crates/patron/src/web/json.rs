//! `ApiJson<T>`: a JSON body whose errors are problem+json naming the bad field
//! (`lines[2].amount_fen`), never the framework's plain-text rejection.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

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

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::new(codes::TOO_LARGE))?;
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

#[cfg(test)]
mod tests {
    use super::field_error;

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
