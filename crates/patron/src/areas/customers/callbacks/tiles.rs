//! What the dashboard shows of this topic (see `web::tiles`).

use crate::web::tiles::TileSource;

pub const TILES: &[TileSource] = &[];
