//! Console routes of gift stock, the exchange desk and birthday gifts, their print views and
//! exports, and the portal's exchange page. Forms are read as plain maps and re-shown with
//! their input and messages (422) when refused.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use patron_core::Permission;
use serde::Deserialize;

use super::RewardsError;
use super::birthday::{self, EntitlementRow, TierGift};
use super::catalogue::{self, CatalogueItem, ExchangeRow, GiftRow};
use super::stock::{self, DocLine, DocRow, MovementRow};
use crate::areas::groupbuy::pages::{Form, Reshow, field, store_choice};
use crate::areas::groupbuy::print::Paper;
use crate::areas::portal::pages::MemberSession;
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::layout::{FormErrors, Page};

pub fn router() -> Router<App> {
    Router::new()
        .route("/rewards/gifts", get(gifts_page).post(gift_submit))
        .route("/rewards/stock", get(stock_page))
        .route("/rewards/stock.csv", get(stock_csv))
        .route("/rewards/stock.xlsx", get(stock_xlsx))
        .route("/rewards/stock/delivery", post(delivery_submit))
        .route("/rewards/stock/transfer", post(transfer_submit))
        .route("/rewards/stock/stocktake", post(stocktake_submit))
        .route("/rewards/stock/movements", get(movements_page))
        .route("/rewards/stock/movements.csv", get(movements_csv))
        .route("/rewards/stock/movements.xlsx", get(movements_xlsx))
        .route("/rewards/stock/docs/{id}/print", get(doc_print))
        .route("/rewards/stock/count-sheet/print", get(count_sheet))
        .route(
            "/rewards/exchange",
            get(exchange_page).post(exchange_submit),
        )
        .route("/rewards/exchange/{id}/print", get(exchange_print))
        .route("/rewards/birthday", get(birthday_page))
        .route("/rewards/birthday/claim", post(claim_submit))
        .route("/rewards/birthday/settings", post(settings_submit))
        .route("/portal/exchange", get(portal_page).post(portal_submit))
}

/// Turns a refusal into a re-shown form; anything else becomes its own response.
fn reshow(e: RewardsError, page: &Page, form: &str, values: Form) -> Result<Reshow, Box<Response>> {
    let err = AppError::from(e);
    let status = err.status();
    if !status.is_client_error() || matches!(err.code, "forbidden" | "not_found") {
        return Err(Box::new(err.into_response()));
    }
    let msg = page.t(crate::web::error::message_key_of(err.code));
    let detail = match (&err.detail, err.code) {
        (_, "validation") => String::new(),
        (Some(d), _) => format!("{msg} {d}"),
        _ => msg.to_string(),
    };
    Ok(Reshow {
        form: form.to_string(),
        values,
        errors: FormErrors(err.fields),
        detail,
    })
}

fn status_of(r: &Reshow) -> StatusCode {
    if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn with_status(mut res: Response, status: StatusCode) -> Response {
    *res.status_mut() = status;
    res
}

fn fail(e: impl Into<AppError>) -> Response {
    e.into().into_response()
}

#[derive(Deserialize, Default)]
struct Q {
    store: Option<String>,
    ok: Option<String>,
    gift: Option<String>,
    card: Option<String>,
    edit: Option<String>,
    done: Option<i64>,
}

/// Lines `lines[i].gift_code` / `lines[i].qty` of a form.
fn lines_of(f: &Form) -> Vec<stock::LineIn> {
    (0..50)
        .map(|i| stock::LineIn {
            gift_code: field(f, &format!("lines[{i}].gift_code")),
            qty: field(f, &format!("lines[{i}].qty")),
        })
        .collect()
}

/// Helpers shared by the templates of this module.
pub struct Names {
    pub en: bool,
    pub gifts: Vec<GiftRow>,
    pub stores: Vec<StoreInfo>,
}

impl Names {
    pub fn gift(&self, id: &i64) -> String {
        self.gifts
            .iter()
            .find(|g| g.id == *id)
            .map(|g| format!("{} {}", g.code, g.name(self.en)))
            .unwrap_or_default()
    }

    pub fn store(&self, id: &i64) -> String {
        self.stores
            .iter()
            .find(|s| s.id == *id)
            .map(|s| s.code.clone())
            .unwrap_or_default()
    }

    pub fn store_opt(&self, id: &Option<i64>) -> String {
        id.map(|i| self.store(&i)).unwrap_or_default()
    }
}

async fn names(c: &Ctx, en: bool) -> Result<Names, AppError> {
    let gifts = catalogue::list_gifts(c.db()).await?;
    let cache = c.app.cache.stores(c.db()).await?;
    let stores = crate::areas::staff::store::list_stores(c.db())
        .await?
        .into_iter()
        .filter_map(|s| cache.by_id(s.id).cloned())
        .collect();
    Ok(Names { en, gifts, stores })
}

// ---------------------------------------------------------------- gift list

#[derive(Template, WebTemplate)]
#[template(path = "rewards/gift_list.html")]
struct GiftsPage {
    page: Page,
    gifts: Vec<GiftRow>,
    edit: Option<GiftRow>,
    can_manage: bool,
    r: Reshow,
}

impl GiftsPage {
    /// The value of a field of the form: what was typed, or the gift being edited.
    fn v(&self, name: &str) -> String {
        if self.r.is("gift") {
            return self.r.val("gift", name).to_string();
        }
        let Some(g) = &self.edit else {
            return String::new();
        };
        match name {
            "code" => g.code.clone(),
            "name_zh" => g.name_zh.clone(),
            "name_en" => g.name_en.clone(),
            "kind" => g.kind.clone(),
            "value" => patron_core::Fen(g.value_fen).plain(),
            "points_price" => g.points_price.map(|p| p.to_string()).unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn kind_is(&self, kind: &str) -> bool {
        let v = self.v("kind");
        v == kind || (v.is_empty() && kind == "gift")
    }

    fn active(&self) -> bool {
        if self.r.is("gift") {
            self.r.checked("gift", "active")
        } else {
            self.edit.as_ref().is_none_or(|g| g.active)
        }
    }
}

async fn render_gifts(c: &Console, edit: Option<&str>, flash: Option<&str>, r: Reshow) -> Response {
    if let Err(e) = c.ctx.require(Permission::ViewRewards) {
        return fail(e);
    }
    let gifts = match catalogue::list_gifts(c.ctx.db()).await {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    let edit = edit.and_then(|code| gifts.iter().find(|g| g.code == code).cloned());
    let status = status_of(&r);
    with_status(
        GiftsPage {
            page: Page::console(c, "gift.list_title").with_flash("success", flash),
            gifts,
            edit,
            can_manage: c.ctx.can(Permission::ManageRewardSettings),
            r,
        }
        .into_response(),
        status,
    )
}

async fn gifts_page(c: Console, Query(q): Query<Q>) -> Response {
    render_gifts(&c, q.edit.as_deref(), q.ok.as_deref(), Reshow::default()).await
}

async fn gift_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let input = catalogue::GiftIn {
        code: field(&f, "code"),
        name_zh: field(&f, "name_zh"),
        name_en: field(&f, "name_en"),
        kind: field(&f, "kind"),
        value: field(&f, "value"),
        points_price: field(&f, "points_price"),
        active: f.contains_key("active"),
    };
    match catalogue::save_gift(&c.ctx, &input).await {
        Ok(_) => Redirect::to("/rewards/gifts?ok=flash.saved").into_response(),
        Err(e) => match reshow(e, &Page::console(&c, "gift.list_title"), "gift", f) {
            Ok(r) => render_gifts(&c, None, None, r).await,
            Err(res) => *res,
        },
    }
}

// ---------------------------------------------------------------- stock

pub struct StockLine {
    pub gift: GiftRow,
    pub per_store: Vec<i64>,
    pub total: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/gift_stock.html")]
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

async fn stock_lines(
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
    let status = status_of(&r);
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

async fn stock_page(c: Console, Query(q): Query<Q>) -> Response {
    render_stock(&c, q.store.as_deref(), q.ok.as_deref(), Reshow::default()).await
}

async fn stock_form<T, F>(v: Verified<Form>, form: &str, ok: &str, run: F) -> Response
where
    F: AsyncFnOnce(&Ctx, &Form) -> Result<T, RewardsError>,
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

async fn delivery_submit(v: Verified<Form>) -> Response {
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

async fn transfer_submit(v: Verified<Form>) -> Response {
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

async fn stocktake_submit(v: Verified<Form>) -> Response {
    stock_form(v, "stocktake", "flash.submitted", async |ctx, f| {
        stock::stocktake(
            ctx,
            &stock::StocktakeIn {
                store_code: field(f, "store_code"),
                month: field(f, "month"),
                lines: (0..500)
                    .map(|i| stock::CountIn {
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
    };
    export::respond(&t, format).unwrap_or_else(IntoResponse::into_response)
}

async fn stock_csv(c: Console) -> Response {
    stock_export(c, ExportFormat::Csv).await
}

async fn stock_xlsx(c: Console) -> Response {
    stock_export(c, ExportFormat::Xlsx).await
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/gift_movements.html")]
struct MovementsPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    gifts: Vec<GiftRow>,
    gift: String,
    rows: Vec<MovementRow>,
}

async fn load_movements(
    c: &Console,
    q: &Q,
) -> Result<
    (
        StoreInfo,
        Vec<StoreInfo>,
        Vec<GiftRow>,
        String,
        Vec<MovementRow>,
    ),
    Response,
> {
    let (store, stores) = store_choice(c, q.store.as_deref(), Permission::ViewRewards).await?;
    let gifts = catalogue::list_gifts(c.ctx.db()).await.map_err(fail)?;
    let gift = q.gift.clone().unwrap_or_default().to_ascii_uppercase();
    let gift_id = gifts
        .iter()
        .find(|g| g.code == gift)
        .map(|g| g.id)
        .unwrap_or(0);
    let rows = stock::movements(c.ctx.db(), store.id, gift_id, 5000)
        .await
        .map_err(fail)?;
    Ok((store, stores, gifts, gift, rows))
}

async fn movements_page(c: Console, Query(q): Query<Q>) -> Response {
    match load_movements(&c, &q).await {
        Ok((store, stores, gifts, gift, rows)) => MovementsPage {
            page: Page::console(&c, "gift.movements_title"),
            store,
            stores,
            gifts,
            gift,
            rows,
        }
        .into_response(),
        Err(res) => res,
    }
}

async fn movements_export(c: Console, q: Q, format: ExportFormat) -> Response {
    let (store, _, _, _, rows) = match load_movements(&c, &q).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "gift.movements_title");
    let rows = rows
        .into_iter()
        .map(|m| {
            vec![
                Cell::from(page.time(&m.at)),
                store.code.clone().into(),
                m.gift_code.into(),
                page.t_or(&format!("gift.move.{}", m.kind), "gift.move.other")
                    .into(),
                Cell::Int(m.qty),
                Cell::Int(m.on_hand_after),
                m.doc_no.into(),
                m.note.into(),
            ]
        })
        .collect();
    let t = Table::new(
        "gift-movements",
        &page,
        &[
            "gift.at",
            "gift.store",
            "gift.code",
            "gift.movement",
            "gift.qty",
            "gift.on_hand_after",
            "gift.doc_no",
            "gift.note",
        ],
        rows,
    );
    export::respond(&t, format).unwrap_or_else(IntoResponse::into_response)
}

async fn movements_csv(c: Console, Query(q): Query<Q>) -> Response {
    movements_export(c, q, ExportFormat::Csv).await
}

async fn movements_xlsx(c: Console, Query(q): Query<Q>) -> Response {
    movements_export(c, q, ExportFormat::Xlsx).await
}

// ---------------------------------------------------------------- print views

async fn paper(c: &Console, store_id: i64) -> Result<Paper, Response> {
    c.ctx
        .require_at(Permission::ViewRewards, store_id)
        .map_err(fail)?;
    let stores = c.ctx.app.cache.stores(c.ctx.db()).await.map_err(fail)?;
    let store = stores
        .by_id(store_id)
        .cloned()
        .ok_or_else(|| AppError::not_found().into_response())?;
    Ok(Paper {
        tz: store.tz,
        store,
    })
}

async fn staff_name(db: &crate::kernel::db::Db, id: Option<i64>) -> String {
    match id {
        Some(id) => crate::areas::staff::store::get_staff(db, id)
            .await
            .ok()
            .flatten()
            .map(|s| s.display_name)
            .unwrap_or_default(),
        None => String::new(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/gift_print_doc.html")]
struct DocPrint {
    p: Paper,
    d: DocRow,
    lines: Vec<DocLine>,
    n: Names,
    by: String,
    total: i64,
}

async fn doc_print(c: Console, Path(id): Path<i64>) -> Response {
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
#[template(path = "rewards/gift_print_count_sheet.html")]
struct CountSheet {
    p: Paper,
    month: String,
    here: Vec<(GiftRow, i64)>,
}

/// The blank counting sheet of a store: every gift with its book stock now.
async fn count_sheet(c: Console, Query(q): Query<Q>) -> Response {
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
    let month = crate::areas::groupbuy::month_of(crate::areas::points::business_date(
        c.ctx.now(),
        store.tz,
    ));
    CountSheet {
        p: Paper {
            tz: store.tz,
            store,
        },
        month,
        here,
    }
    .into_response()
}

// ---------------------------------------------------------------- exchange desk

/// The member found at the desk.
pub struct Found {
    pub name: String,
    pub card_no: String,
    pub points_balance: i64,
    pub tier_code: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/gift_exchange.html")]
struct ExchangePage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    card: String,
    member: Option<Found>,
    items: Vec<CatalogueItem>,
    recent: Vec<ExchangeRow>,
    done: Option<i64>,
    can_issue: bool,
    r: Reshow,
}

impl ExchangePage {
    fn gift_name(&self, g: &GiftRow) -> String {
        g.name(self.page.is_en()).to_string()
    }

    fn row_gift(&self, e: &ExchangeRow) -> String {
        if self.page.is_en() {
            e.gift_name_en.clone()
        } else {
            e.gift_name_zh.clone()
        }
    }
}

async fn render_exchange(
    c: &Console,
    want: Option<&str>,
    card: &str,
    flash: Option<&str>,
    done: Option<i64>,
    r: Reshow,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let loaded = async {
        let items = catalogue::catalogue(c.ctx.db(), store.id).await?;
        let recent = catalogue::list_exchanges(c.ctx.db(), store.id, 0).await?;
        let card = card.trim().to_ascii_uppercase();
        let member = if card.is_empty() {
            None
        } else {
            crate::areas::points::store::card_member(c.ctx.db(), &card)
                .await?
                .map(|cm| Found {
                    name: cm.name,
                    card_no: cm.card_no,
                    points_balance: cm.points_balance,
                    tier_code: cm.tier_code,
                })
        };
        Ok::<_, AppError>((items, recent, member))
    }
    .await;
    let (items, recent, member) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let status = status_of(&r);
    with_status(
        ExchangePage {
            page: Page::console(c, "exchange.title").with_flash("success", flash),
            can_issue: c.ctx.can_at(Permission::IssueRewards, store.id),
            store,
            stores,
            card: card.to_string(),
            member,
            items,
            recent,
            done,
            r,
        }
        .into_response(),
        status,
    )
}

async fn exchange_page(c: Console, Query(q): Query<Q>) -> Response {
    render_exchange(
        &c,
        q.store.as_deref(),
        q.card.as_deref().unwrap_or(""),
        q.ok.as_deref(),
        q.done,
        Reshow::default(),
    )
    .await
}

async fn exchange_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let card = field(&f, "card_no");
    let input = catalogue::ExchangeIn {
        store_code: store.clone(),
        card_no: card.clone(),
        gift_code: field(&f, "gift_code"),
        qty: field(&f, "qty"),
        key: field(&f, "key"),
    };
    match catalogue::exchange(&c.ctx, &input).await {
        Ok(out) => Redirect::to(&format!(
            "/rewards/exchange?store={store}&card={card}&ok=flash.saved&done={}",
            out.id
        ))
        .into_response(),
        Err(e) => match reshow(e, &Page::console(&c, "exchange.title"), "exchange", f) {
            Ok(r) => render_exchange(&c, Some(&store), &card, None, None, r).await,
            Err(res) => *res,
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rewards/gift_print_exchange.html")]
struct ExchangePrint {
    p: Paper,
    e: ExchangeRow,
    by: String,
}

async fn exchange_print(c: Console, Path(id): Path<i64>) -> Response {
    let e = match catalogue::get_exchange(c.ctx.db(), id).await {
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

// ---------------------------------------------------------------- birthday gifts

#[derive(Template, WebTemplate)]
#[template(path = "rewards/gift_birthday.html")]
struct BirthdayPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    month: String,
    rows: Vec<EntitlementRow>,
    tiers: Vec<TierGift>,
    gifts: Vec<GiftRow>,
    n: Names,
    can_claim: bool,
    can_manage: bool,
    r: Reshow,
}

impl BirthdayPage {
    fn tier_name(&self, t: &TierGift) -> String {
        if self.page.is_en() {
            t.tier_en.clone()
        } else {
            t.tier_zh.clone()
        }
    }

    fn row_gift(&self, e: &EntitlementRow) -> String {
        if self.page.is_en() {
            e.gift_en.clone()
        } else {
            e.gift_zh.clone()
        }
    }

    fn gift_name(&self, g: &GiftRow) -> String {
        g.name(self.page.is_en()).to_string()
    }

    fn form_of(&self, t: &TierGift) -> String {
        format!("tier:{}", t.tier_code)
    }

    fn tier_gift_is(&self, t: &TierGift, g: &GiftRow) -> bool {
        let form = self.form_of(t);
        if self.r.is(&form) {
            self.r.has_val(&form, "gift_code", &g.code)
        } else {
            t.gift_code.as_deref() == Some(g.code.as_str())
        }
    }

    fn tier_qty(&self, t: &TierGift) -> String {
        let form = self.form_of(t);
        if self.r.is(&form) {
            self.r.val(&form, "qty").to_string()
        } else {
            t.qty.map(|q| q.to_string()).unwrap_or_else(|| "1".into())
        }
    }
}

async fn render_birthday(
    c: &Console,
    want: Option<&str>,
    flash: Option<&str>,
    r: Reshow,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewRewards).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let today = crate::areas::points::business_date(c.ctx.now(), store.tz);
    let loaded = async {
        let rows = birthday::month_list(
            c.ctx.db(),
            i64::from(today.year()),
            i64::from(today.month()),
        )
        .await?;
        let tiers = birthday::settings(c.ctx.db()).await?;
        let gifts = catalogue::list_gifts(c.ctx.db())
            .await?
            .into_iter()
            .filter(|g| g.active)
            .collect();
        let n = names(&c.ctx, c.lang.code() == "en").await?;
        Ok::<_, AppError>((rows, tiers, gifts, n))
    }
    .await;
    let (rows, tiers, gifts, n) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let status = status_of(&r);
    with_status(
        BirthdayPage {
            page: Page::console(c, "birthday.title").with_flash("success", flash),
            can_claim: c.ctx.can_at(Permission::ClaimRewards, store.id),
            can_manage: c.ctx.can(Permission::ManageRewardSettings),
            month: crate::areas::groupbuy::month_of(today),
            store,
            stores,
            rows,
            tiers,
            gifts,
            n,
            r,
        }
        .into_response(),
        status,
    )
}

async fn birthday_page(c: Console, Query(q): Query<Q>) -> Response {
    render_birthday(&c, q.store.as_deref(), q.ok.as_deref(), Reshow::default()).await
}

async fn claim_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let input = birthday::ClaimIn {
        store_code: store.clone(),
        card_no: field(&f, "card_no"),
    };
    match birthday::claim(&c.ctx, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/rewards/birthday?store={store}&ok=flash.saved")).into_response()
        }
        Err(e) => match reshow(e, &Page::console(&c, "birthday.title"), "claim", f) {
            Ok(r) => render_birthday(&c, Some(&store), None, r).await,
            Err(res) => *res,
        },
    }
}

async fn settings_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let tier = field(&f, "tier_code");
    let input = birthday::TierGiftIn {
        tier_code: tier.clone(),
        gift_code: field(&f, "gift_code"),
        qty: field(&f, "qty"),
    };
    match birthday::save_setting(&c.ctx, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/rewards/birthday?store={store}&ok=flash.saved")).into_response()
        }
        Err(e) => match reshow(
            e,
            &Page::console(&c, "birthday.title"),
            &format!("tier:{tier}"),
            f,
        ) {
            Ok(r) => render_birthday(&c, Some(&store), None, r).await,
            Err(res) => *res,
        },
    }
}

// ---------------------------------------------------------------- portal

#[derive(Template, WebTemplate)]
#[template(path = "portal/exchange.html")]
struct PortalPage {
    page: Page,
    name: String,
    balance: i64,
    stores: Vec<StoreInfo>,
    store: StoreInfo,
    items: Vec<CatalogueItem>,
    history: Vec<ExchangeRow>,
    birthday: Option<EntitlementRow>,
    key: String,
    done: Option<i64>,
    r: Reshow,
}

impl PortalPage {
    fn gift_name(&self, g: &GiftRow) -> String {
        g.name(self.page.is_en()).to_string()
    }

    fn row_gift(&self, e: &ExchangeRow) -> String {
        if self.page.is_en() {
            e.gift_name_en.clone()
        } else {
            e.gift_name_zh.clone()
        }
    }

    fn birthday_gift(&self, e: &EntitlementRow) -> String {
        if self.page.is_en() {
            e.gift_en.clone()
        } else {
            e.gift_zh.clone()
        }
    }

    fn store_code(&self, id: &i64) -> String {
        self.stores
            .iter()
            .find(|s| s.id == *id)
            .map(|s| format!("{} {}", s.code, s.name))
            .unwrap_or_default()
    }
}

fn portal_ctx(s: &MemberSession) -> Ctx {
    Ctx::new(s.app.clone(), Actor::System, None)
}

async fn render_portal(
    s: &MemberSession,
    want: Option<&str>,
    done: Option<i64>,
    r: Reshow,
) -> Response {
    let ctx = portal_ctx(s);
    let loaded = async {
        let m = crate::areas::members::store::get_member(&s.app.db, s.member_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let cache = s.app.cache.stores(&s.app.db).await?;
        let mut stores: Vec<StoreInfo> = crate::areas::staff::store::list_stores(&s.app.db)
            .await?
            .into_iter()
            .filter_map(|x| cache.by_id(x.id).cloned())
            .filter(|x| x.active)
            .collect();
        stores.sort_by(|a, b| a.code.cmp(&b.code));
        let store = want
            .and_then(|w| stores.iter().find(|x| x.code.eq_ignore_ascii_case(w)))
            .or_else(|| stores.iter().find(|x| x.id == m.store_id))
            .or(stores.first())
            .cloned()
            .ok_or_else(AppError::not_found)?;
        let items = catalogue::catalogue(&s.app.db, store.id).await?;
        let history = catalogue::list_exchanges(&s.app.db, 0, s.member_id).await?;
        let today = crate::areas::points::business_date(ctx.now(), store.tz);
        let birthday = birthday::open_for(&s.app.db, s.member_id, today).await?;
        Ok::<_, AppError>((m, stores, store, items, history, birthday))
    }
    .await;
    let (m, stores, store, items, history, birthday) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let status = status_of(&r);
    let mut page = Page::anonymous(s.lang, "exchange.portal_title");
    page.csrf = s.csrf.clone();
    page.tz = s.app.config.tz();
    with_status(
        PortalPage {
            page,
            name: m.name,
            balance: m.points_balance,
            stores,
            store,
            items,
            history,
            birthday,
            key: uuid::Uuid::new_v4().simple().to_string(),
            done,
            r,
        }
        .into_response(),
        status,
    )
}

async fn portal_page(s: MemberSession, Query(q): Query<Q>) -> Response {
    render_portal(&s, q.store.as_deref(), q.done, Reshow::default()).await
}

async fn portal_submit(s: MemberSession, axum::Form(f): axum::Form<Form>) -> Response {
    if field(&f, "_csrf") != s.csrf {
        return AppError::new("csrf").into_response();
    }
    let ctx = portal_ctx(&s);
    let store = field(&f, "store_code");
    let input = catalogue::ExchangeIn {
        store_code: store.clone(),
        card_no: String::new(),
        gift_code: field(&f, "gift_code"),
        qty: field(&f, "qty"),
        key: field(&f, "key"),
    };
    match catalogue::exchange_for_member(&ctx, s.member_id, &input).await {
        Ok(out) => Redirect::to(&format!(
            "/portal/exchange?store={}&done={}",
            out.store_code, out.id
        ))
        .into_response(),
        Err(e) => {
            let page = Page::anonymous(s.lang, "exchange.portal_title");
            match reshow(e, &page, "exchange", f) {
                Ok(r) => render_portal(&s, Some(&store), None, r).await,
                Err(res) => *res,
            }
        }
    }
}
