//! Static assets, embedded in the binary: the stylesheet, our small script, and htmx 2 and
//! ECharts vendored from the npm registry (`scripts/refresh-assets.sh`). URLs carry a content
//! hash, so browsers may cache them forever.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
}

const FILES: &[Asset] = &[
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/app.css"),
    },
    Asset {
        name: "app.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/app.js"),
    },
    Asset {
        name: "print.css",
        mime: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/print.css"),
    },
    Asset {
        name: "print.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/print.js"),
    },
    Asset {
        name: "htmx.min.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/vendor/htmx.min.js"),
    },
    Asset {
        name: "echarts.min.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/vendor/echarts.min.js"),
    },
];

/// `name` → hashed file name, e.g. `app.css` → `app.3f2a9c1b.css`.
static HASHED: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|a| {
            let digest = hex::encode(&Sha256::digest(a.bytes)[..4]);
            let hashed = match a.name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{digest}.{ext}"),
                None => format!("{}.{digest}", a.name),
            };
            (a.name, hashed)
        })
        .collect()
});

/// The URL of an asset, for templates.
pub fn url(name: &str) -> String {
    HASHED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, h)| format!("/assets/{h}"))
        .unwrap_or_else(|| format!("/assets/{name}"))
}

/// `GET /assets/{file}`: the hashed name is cached forever; the plain name for an hour.
pub async fn serve(Path(file): Path<String>) -> Response {
    let found = HASHED
        .iter()
        .zip(FILES)
        .find(|((name, hashed), _)| *hashed == file || *name == file);
    let Some(((name, _), asset)) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if file == **name {
        "public, max-age=3600"
    } else {
        "public, max-age=31536000, immutable"
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.mime)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.bytes,
    )
        .into_response()
}
