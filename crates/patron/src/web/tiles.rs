//! The dashboard's tiles (工作台): each area says what waits for the people who work in it — a
//! count, an amount, a short list — and where to go to do it. An area declares its `TILES` (a
//! permission and a function); `app/dashboard.rs` lists every area's, and the dashboard shows
//! each source whose permission the signed-in user holds, for each of their stores. So a clerk
//! sees the applications and missed receipts waiting, the group-buy desk its cheques due, the
//! reward desk its slips, the manager the approvals, and nobody a tile whose page would refuse.

use std::future::Future;
use std::pin::Pin;

use patron_core::Permission;

use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::error::AppError;
use crate::web::i18n::Lang;

/// What a tile shows as its big figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Figure {
    /// A count of things (grouped by thousands when shown).
    Count(i64),
    /// An amount of money in fen.
    Money(i64),
    /// No figure: the tile is a way in to a page (the till stand-in's checks).
    None,
}

/// One line under a tile's figure: a thing that waits, linked to its page.
#[derive(Debug, Clone)]
pub struct TileLine {
    pub text: String,
    pub href: String,
}

/// One tile of the dashboard.
#[derive(Debug, Clone)]
pub struct Tile {
    /// The catalog key of what the figure counts.
    pub label: &'static str,
    pub figure: Figure,
    /// A second figure in words, already in the reader's language (e.g. "¥12,000.00").
    pub note: Option<String>,
    /// The page where the work is done.
    pub href: String,
    /// Something waits for the reader (the figure is drawn in the warning colour when not 0).
    pub waiting: bool,
    /// Up to a few of the things counted, each linked.
    pub lines: Vec<TileLine>,
}

impl Tile {
    /// A tile counting `n` things that wait, linked to `href`.
    pub fn waiting(label: &'static str, n: i64, href: impl Into<String>) -> Tile {
        Tile {
            label,
            figure: Figure::Count(n),
            note: None,
            href: href.into(),
            waiting: true,
            lines: Vec::new(),
        }
    }

    /// A tile with a figure of the day (nothing waits on it).
    pub fn figure(label: &'static str, figure: Figure, href: impl Into<String>) -> Tile {
        Tile {
            label,
            figure,
            note: None,
            href: href.into(),
            waiting: false,
            lines: Vec::new(),
        }
    }

    pub fn with_note(mut self, note: String) -> Tile {
        self.note = Some(note);
        self
    }

    pub fn with_lines(mut self, lines: Vec<TileLine>) -> Tile {
        self.lines = lines;
        self
    }

    /// The figure as shown.
    pub fn shown(&self) -> String {
        match self.figure {
            Figure::Count(n) => patron_core::money::grouped(n),
            Figure::Money(fen) => patron_core::Fen(fen).to_string(),
            Figure::None => String::new(),
        }
    }

    /// Whether the figure should catch the eye.
    pub fn alert(&self) -> bool {
        self.waiting && !matches!(self.figure, Figure::Count(0) | Figure::Money(0))
    }
}

/// A source's tiles, boxed so one list holds every area's.
pub type TilesFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<Tile>, AppError>> + Send + 'a>>;

/// What an area contributes: shown at each store where the user holds `permission` (or once,
/// with no store, when `per_store` is false).
#[derive(Clone, Copy)]
pub struct TileSource {
    pub permission: Permission,
    pub per_store: bool,
    /// The tiles for the user at a store (`None` when `per_store` is false), in `Lang`.
    pub tiles: for<'a> fn(&'a Ctx, Option<&'a StoreInfo>, Lang) -> TilesFuture<'a>,
}

/// The tiles of every source the user may see, in the order of `sources`; per-store sources
/// once for each active store where the user holds the permission, the store's code in the
/// link (`?store=`) when the user has more than one.
pub async fn collect(
    ctx: &Ctx,
    sources: &[TileSource],
    lang: Lang,
) -> Result<Vec<(Tile, Option<String>)>, AppError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let mut out = Vec::new();
    for source in sources.iter().filter(|s| ctx.can(s.permission)) {
        if !source.per_store {
            for t in (source.tiles)(ctx, None, lang).await? {
                out.push((t, None));
            }
            continue;
        }
        let mut mine: Vec<StoreInfo> = stores
            .all()
            .into_iter()
            .filter(|s| s.active && ctx.can_at(source.permission, s.id))
            .collect();
        mine.sort_by(|a, b| a.code.cmp(&b.code));
        let several = mine.len() > 1;
        for store in &mine {
            for mut t in (source.tiles)(ctx, Some(store), lang).await? {
                if several {
                    t.href = with_store(&t.href, &store.code);
                }
                out.push((t, several.then(|| store.code.clone())));
            }
        }
    }
    Ok(out)
}

/// `href` with `store=CODE` added to its query.
fn with_store(href: &str, code: &str) -> String {
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (href, None),
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = format!("{path}{sep}store={code}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_goes_into_the_query_before_the_fragment() {
        assert_eq!(
            with_store("/rewards/slips", "XD"),
            "/rewards/slips?store=XD"
        );
        assert_eq!(
            with_store("/rewards/slips?state=issued#list", "XD"),
            "/rewards/slips?state=issued&store=XD#list"
        );
    }

    #[test]
    fn only_waiting_work_catches_the_eye() {
        assert!(Tile::waiting("k", 3, "/").alert());
        assert!(!Tile::waiting("k", 0, "/").alert());
        assert!(!Tile::figure("k", Figure::Money(500), "/").alert());
        assert_eq!(
            Tile::figure("k", Figure::Money(2_500_000), "/").shown(),
            "¥25,000.00"
        );
        assert_eq!(Tile::waiting("k", 12_345, "/").shown(), "12,345");
    }
}
