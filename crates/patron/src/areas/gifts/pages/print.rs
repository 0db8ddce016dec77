//! Print views: a stock document, the blank counting sheet of a store, an exchange slip.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use patron_core::Permission;

use super::shared::{Names, Q, fail, names, paper, staff_name};
use super::stock::stock_lines;
use crate::areas::gifts::catalogue::GiftRow;
use crate::areas::gifts::exchange::{self, ExchangeRow};
use crate::areas::gifts::stock::{self, DocLine, DocRow};
use crate::web::error::AppError;
use crate::web::extract::Console;
use crate::web::forms::store_choice;
use crate::web::print::StorePaper as Paper;

#[derive(Template, WebTemplate)]
#[template(path = "gifts/print_doc.html")]
struct DocPrint {
    p: Paper,
    d: DocRow,
    lines: Vec<DocLine>,
    n: Names,
    by: String,
    total: i64,
}

pub(super) async fn doc_print(c: Console, Path(id): Path<i64>) -> Response {
    let d = match stock::get_doc(c.ctx.db(), id).await {
        Ok(Some(d)) => d,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return fail(e),
    };
    let p = match paper(&c, d.store_id).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    let n = match names(&c.ctx, false).await {
        Ok(n) => n,
        Err(e) => return e.into_response(),
    };
    let lines = d.doc_lines();
    let total = lines.iter().map(|l| l.qty).sum();
    DocPrint {
        by: staff_name(c.ctx.db(), d.created_by).await,
        p,
        d,
        lines,
        n,
        total,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "gifts/print_count_sheet.html")]
struct CountSheet {
    p: Paper,
    month: String,
    here: Vec<(GiftRow, i64)>,
}

/// The blank counting sheet of a store: every gift with its book stock now.
pub(super) async fn count_sheet(c: Console, Query(q): Query<Q>) -> Response {
    let (store, stores) = match store_choice(&c, q.store.as_deref(), Permission::ViewRewards).await
    {
        Ok(x) => x,
        Err(res) => return res,
    };
    let idx = stores.iter().position(|s| s.id == store.id).unwrap_or(0);
    let lines = match stock_lines(&c.ctx, &stores).await {
        Ok((_, l)) => l,
        Err(e) => return e.into_response(),
    };
    let here = lines
        .into_iter()
        .map(|l| (l.gift, l.per_store.get(idx).copied().unwrap_or(0)))
        .filter(|(g, n)| g.active || *n > 0)
        .collect();
    let month =
        crate::kernel::dates::month_key(crate::kernel::dates::business_date(c.ctx.now(), store.tz));
    CountSheet {
        p: Paper::at(store),
        month,
        here,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "gifts/print_exchange.html")]
struct ExchangePrint {
    p: Paper,
    e: ExchangeRow,
    by: String,
}

pub(super) async fn exchange_print(c: Console, Path(id): Path<i64>) -> Response {
    let e = match exchange::get_exchange(c.ctx.db(), id).await {
        Ok(Some(e)) => e,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return fail(e),
    };
    let p = match paper(&c, e.store_id).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    ExchangePrint {
        by: staff_name(c.ctx.db(), e.staff_id).await,
        p,
        e,
    }
    .into_response()
}
