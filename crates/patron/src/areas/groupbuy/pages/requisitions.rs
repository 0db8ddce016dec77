//! Requisitions: the department's request, finance's preparation and hand-over, and the
//! department's signature on receipt.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use patron_core::Permission;

use crate::areas::groupbuy::requisitions::{self, RequisitionRow};
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, StoreQuery, field, reshow, store_choice};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/requisitions.html")]
struct RequisitionsPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    rows: Vec<RequisitionRow>,
    can_sell: bool,
    can_finance: bool,
    r: Reshow,
}

impl RequisitionsPage {
    fn wanted(&self, row: &RequisitionRow) -> String {
        row.wanted()
            .iter()
            .map(|w| {
                format!(
                    "¥{} × {}",
                    patron_core::Fen(w.face_value_fen).plain(),
                    w.quantity
                )
            })
            .collect::<Vec<_>>()
            .join("，")
    }
}

async fn render_requisitions(
    c: &Console,
    want: Option<&str>,
    flash: Option<&str>,
    r: Reshow,
) -> Response {
    let (store, stores) = match store_choice(c, want, Permission::ViewGroupBuy).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let rows = match requisitions::list(c.ctx.db(), Some(store.id)).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = if r.form.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut res = RequisitionsPage {
        page: Page::console(c, "gb.requisitions").with_flash("success", flash),
        can_sell: c.ctx.can_at(Permission::SellVouchers, store.id),
        can_finance: c.ctx.can(Permission::ManageVoucherStock),
        store,
        stores,
        rows,
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn requisitions_page(c: Console, Query(q): Query<StoreQuery>) -> Response {
    render_requisitions(&c, q.store.as_deref(), q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn requisition_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let input = requisitions::RequisitionIn {
        store_code: store.clone(),
        purpose: field(&f, "purpose"),
        lines: (0..4)
            .map(|i| requisitions::RequisitionLine {
                face_value: field(&f, &format!("lines[{i}].face_value")),
                quantity: field(&f, &format!("lines[{i}].quantity")),
            })
            .collect(),
    };
    match requisitions::request(&c.ctx, &input).await {
        Ok(_) => Redirect::to(&format!(
            "/groupbuy/requisitions?store={store}&ok=flash.submitted"
        ))
        .into_response(),
        Err(e) => {
            let page = Page::console(&c, "gb.requisitions");
            match reshow(e, &page, "new", f) {
                Ok(r) => render_requisitions(&c, Some(&store), None, r).await,
                Err(res) => *res,
            }
        }
    }
}

pub(super) async fn requisition_step(
    Path((id, step)): Path<(i64, String)>,
    v: Verified<Form>,
) -> Response {
    let c = v.console;
    let f = v.form;
    let store = field(&f, "store_code");
    let result = match step.as_str() {
        "prepare" => {
            requisitions::prepare(
                &c.ctx,
                id,
                &requisitions::PrepareIn {
                    ranges: field(&f, "ranges"),
                    pickup_on: field(&f, "pickup_on"),
                },
            )
            .await
        }
        "hand-over" => requisitions::hand_over(&c.ctx, id).await,
        "receive" => {
            requisitions::receive(
                &c.ctx,
                id,
                &requisitions::ReceiveIn {
                    serials_checked: f.contains_key("serials_checked"),
                    seal_checked: f.contains_key("seal_checked"),
                    quantity_checked: f.contains_key("quantity_checked"),
                },
            )
            .await
        }
        _ => return AppError::not_found().into_response(),
    };
    match result {
        Ok(()) => Redirect::to(&format!(
            "/groupbuy/requisitions?store={store}&ok=flash.saved"
        ))
        .into_response(),
        Err(e) => {
            let page = Page::console(&c, "gb.requisitions");
            match reshow(e, &page, &format!("{step}:{id}"), f) {
                Ok(r) => render_requisitions(&c, Some(&store), None, r).await,
                Err(res) => *res,
            }
        }
    }
}
