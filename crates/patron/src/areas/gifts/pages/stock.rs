//! The stock page (per store and gift), its forms (delivery, transfer, stock-take) and export.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use super::shared::{Names, Q, lines_of, names, reshow, with_status};
use crate::areas::gifts::catalogue::{self, GiftRow};
use crate::areas::gifts::stock::{self, DocRow};
use crate::areas::gifts::{GiftsError, stocktake};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, store_choice};
use crate::web::layout::Page;

pub struct StockLine {
    pub gift: GiftRow,
    pub per_store: Vec<i64>,
    pub total: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "gifts/stock.html")]
struct StockPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    all_stores: Vec<StoreInfo>,
    lines: Vec<StockLine>,
    /// (gift, on hand here) of the gifts to count here.
    here: Vec<(GiftRow, i64)>,
    docs: Vec<DocRow>,
    n: Names,
    can_manage: bool,
    r: Reshow,
}

impl StockPage {
    fn gift_name(&self, g: &GiftRow) -> String {
        g.name(self.page.is_en()).to_string()
    }

    fn line_field(&self, i: &usize, name: &str) -> String {
        format!("lines[{i}].{name}")
    }
}

pub(super) async fn stock_lines(
    c: &Ctx,
    stores: &[StoreInfo],
) -> Result<(Vec<GiftRow>, Vec<StockLine>), AppError> {
    let gifts = catalogue::list_gifts(c.db()).await?;
    let stock = stock::stock_all(c.db()).await?;
    let lines = gifts
        .iter()
        .map(|g| {
            let per_store: Vec<i64> = stores
                .iter()
                .map(|s| {
                    stock
                        .iter()
                        .find(|(sid, gid, _)| *sid == s.id && *gid == g.id)
                        .map(|x| x.2)
                        .unwrap_or(0)
                })
                .collect();
            StockLine {
                gift: g.clone(),
                total: per_store.iter().sum(),
                per_store,
            }
        })
        .collect();
    Ok((gifts, lines))
}

async fn render_stock(c: &Console, want: Option<&str>, flash: Option<&str>, r: Reshow) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let loaded = async {
        let (_, lines) = stock_lines(&c.ctx, &stores).await?;
        let idx = stores.iter().position(|s| s.id == store.id).unwrap_or(0);
        let here: Vec<(GiftRow, i64)> = lines
            .iter()
            .filter(|l| l.gift.active || l.per_store.get(idx).copied().unwrap_or(0) > 0)
            .map(|l| (l.gift.clone(), l.per_store.get(idx).copied().unwrap_or(0)))
            .collect();
        let docs = stock::list_docs(c.ctx.db(), store.id).await?;
        let n = names(&c.ctx, c.lang.code() == "en").await?;
        Ok::<_, AppError>((lines, here, docs, n))
    }
    .await;
    let (lines, here, docs, n) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let status = r.status();
    let all_stores = n.stores.clone();
    with_status(
        StockPage {
            page: Page::console(c, "gift.stock_title").with_flash("success", flash),
            can_manage: c.ctx.can_at(Permission::ManageGiftStock, store.id),
            store,
            stores,
            all_stores,
            lines,
            here,
            docs,
            n,
            r,
        }
        .into_response(),
        status,
    )
}

pub(super) async fn stock_page(c: Console, Query(q): Query<Q>) -> Response {
    render_stock(&c, q.store.as_deref(), q.ok.as_deref(), Reshow::default()).await
}

async fn stock_form<T, F>(v: Verified<Form>, form: &str, ok: &str, run: F) -> Response
where
    F: AsyncFnOnce(&Ctx, &Form) -> Result<T, GiftsError>,
{
    let c = v.console;
    let store = field(&v.form, "store_code");
    match run(&c.ctx, &v.form).await {
        Ok(_) => Redirect::to(&format!("/rewards/stock?store={store}&ok={ok}")).into_response(),
        Err(e) => match reshow(e, &Page::console(&c, "gift.stock_title"), form, v.form) {
            Ok(r) => render_stock(&c, Some(&store), None, r).await,
            Err(res) => *res,
        },
    }
}

pub(super) async fn delivery_submit(v: Verified<Form>) -> Response {
    stock_form(v, "delivery", "flash.saved", async |ctx, f| {
        stock::receive(
            ctx,
            &stock::DeliveryIn {
                store_code: field(f, "store_code"),
                note_no: field(f, "note_no"),
                supplier: field(f, "supplier"),
                lines: lines_of(f),
                note: field(f, "note"),
            },
        )
        .await
    })
    .await
}

pub(super) async fn transfer_submit(v: Verified<Form>) -> Response {
    stock_form(v, "transfer", "flash.saved", async |ctx, f| {
        stock::transfer(
            ctx,
            &stock::TransferIn {
                store_code: field(f, "store_code"),
                to_store_code: field(f, "to_store_code"),
                lines: lines_of(f),
                note: field(f, "note"),
            },
        )
        .await
    })
    .await
}

pub(super) async fn stocktake_submit(v: Verified<Form>) -> Response {
    stock_form(v, "stocktake", "flash.submitted", async |ctx, f| {
        stocktake::stocktake(
            ctx,
            &stocktake::StocktakeIn {
                store_code: field(f, "store_code"),
                month: field(f, "month"),
                lines: (0..500)
                    .map(|i| stocktake::CountIn {
                        gift_code: field(f, &format!("lines[{i}].gift_code")),
                        counted: field(f, &format!("lines[{i}].counted")),
                        explanation: field(f, &format!("lines[{i}].explanation")),
                    })
                    .take_while(|l| !l.gift_code.is_empty())
                    .collect(),
            },
        )
        .await
    })
    .await
}

async fn stock_export(c: Console, format: ExportFormat) -> Response {
    let (_, stores) = match store_choice(&c, None, Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let lines = match stock_lines(&c.ctx, &stores).await {
        Ok((_, l)) => l,
        Err(e) => return e.into_response(),
    };
    let page = Page::console(&c, "gift.stock_title");
    let mut headers: Vec<&'static str> = vec![
        page.t("gift.code"),
        page.t("gift.name"),
        page.t("gift.kind"),
    ];
    for s in &stores {
        headers.push(Box::leak(s.code.clone().into_boxed_str()));
    }
    headers.push(page.t("gift.total"));
    let rows = lines
        .into_iter()
        .map(|l| {
            let mut row: Vec<Cell> = vec![
                l.gift.code.clone().into(),
                l.gift.name(page.is_en()).to_string().into(),
                page.t_or(&format!("gift.kind.{}", l.gift.kind), "gift.kind")
                    .into(),
            ];
            row.extend(l.per_store.iter().map(|n| Cell::Int(*n)));
            row.push(Cell::Int(l.total));
            row
        })
        .collect();
    let t = Table {
        name: "gift-stock",
        headers,
        rows,
        totals: Vec::new(),
    };
    export::respond(&t, format).unwrap_or_else(IntoResponse::into_response)
}

pub(super) async fn stock_csv(c: Console) -> Response {
    stock_export(c, ExportFormat::Csv).await
}

pub(super) async fn stock_xlsx(c: Console) -> Response {
    stock_export(c, ExportFormat::Xlsx).await
}
