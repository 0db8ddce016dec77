//! A file upload from a console form (`multipart/form-data`): the form's text fields and its one
//! file, the CSRF token checked. The import pages read their files through this.

use std::collections::HashMap;

use axum::extract::Multipart;

use super::error::AppError;
use super::extract::Console;
use crate::kernel::error as codes;

/// What a multipart form carried.
#[derive(Debug, Default)]
pub struct Upload {
    /// The text fields by name (the CSRF token taken out).
    pub fields: HashMap<String, String>,
    /// The field named `file`: its name as the browser gave it and its bytes; `None` when no
    /// file was chosen (or it was empty).
    pub file: Option<(String, Vec<u8>)>,
}

impl Upload {
    /// A text field, empty when the form had none.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Reads the whole form; refuses a form without this session's CSRF token, a body over the
/// route's limit and a malformed body.
pub async fn read(c: &Console, mut form: Multipart) -> Result<Upload, AppError> {
    let mut up = Upload::default();
    let mut csrf = String::new();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let file_name = field.file_name().map(str::to_string);
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::new(codes::TOO_LARGE))?;
                match name.as_str() {
                    "_csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
                    "file" => {
                        if !bytes.is_empty() {
                            up.file = Some((file_name.unwrap_or_default(), bytes.to_vec()));
                        }
                    }
                    _ => {
                        up.fields
                            .insert(name, String::from_utf8_lossy(&bytes).into_owned());
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return Err(AppError::new(codes::BAD_REQUEST)),
        }
    }
    if csrf != c.csrf_token {
        return Err(AppError::new(codes::CSRF));
    }
    Ok(up)
}
