//! Reading customer files (F1): the lists (mine, everyone's for managers, the shared pool) with
//! their filters, and one customer's file with contacts, owner history, purchase history from
//! group-buy sales (each sale credited to its seller) and the latest callbacks.

use patron_core::Permission;
use patron_core::identity::organisation_key;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store::{
    self, CallbackLine, ContactRow, CustomerRow, ListFilter, OwnerRow, PurchaseRow,
};
use crate::areas::customers::CustomersError;
use crate::kernel::ctx::{Ctx, Forbidden};
use crate::kernel::validation::Invalid;

/// Rows per page of a list.
pub const PAGE: i64 = 100;

/// Which customers a list shows, and its filters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
pub struct ListIn {
    /// `mine` (default), `all` (managers who assign customers) or `pool` (the shared pool).
    #[serde(default)]
    pub tab: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub grade: String,
    /// An owner's user name (tab `all`).
    #[serde(default)]
    pub owner: String,
    /// Part of the name.
    #[serde(default)]
    pub q: String,
    /// Page number from 1.
    #[serde(default)]
    pub page: Option<i64>,
}

impl ListIn {
    /// The tab shown (an unknown one is `mine`).
    pub fn tab(&self) -> &'static str {
        match self.tab.as_str() {
            "all" => "all",
            "pool" => "pool",
            _ => "mine",
        }
    }
}

/// A page of a list (`limit` rows; `None` = every row, for exports).
pub async fn list(ctx: &Ctx, q: &ListIn, paged: bool) -> Result<Vec<CustomerRow>, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    let mut f = ListFilter {
        kind: q.kind.trim().to_owned(),
        grade: q.grade.trim().to_ascii_uppercase(),
        name_key: organisation_key(&q.q),
        limit: if paged { PAGE } else { 100_000 },
        offset: if paged {
            (q.page.unwrap_or(1).max(1) - 1) * PAGE
        } else {
            0
        },
        ..ListFilter::default()
    };
    match q.tab() {
        "all" => {
            ctx.require(Permission::AssignCustomers)?;
            if !q.owner.trim().is_empty() {
                let owner = store::staff_by_username(ctx.db(), &q.owner)
                    .await?
                    .ok_or_else(|| Invalid::one("owner", "customers.invalid.owner"))?;
                f.owner_id = Some(owner.0);
            }
        }
        "pool" => f.pool = true,
        _ => {
            let me = ctx
                .actor
                .staff()
                .ok_or(CustomersError::Forbidden(Forbidden(
                    Permission::ViewCustomers,
                )))?;
            f.owner_id = Some(me.id);
        }
    }
    Ok(store::list(ctx.db(), &f).await?)
}

/// Everything on one customer's file.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = customers::CustomerFile)]
pub struct CustomerFile {
    #[schema(value_type = Object)]
    pub customer: CustomerRow,
    #[schema(value_type = Vec<Object>)]
    pub contacts: Vec<ContactRow>,
    #[schema(value_type = Vec<Object>)]
    pub owners: Vec<OwnerRow>,
    /// Group-buy sales to the organisation; `seller` keeps the credit whoever owns it now.
    #[schema(value_type = Vec<Object>)]
    pub purchases: Vec<PurchaseRow>,
    /// The latest callbacks (the full log is on the callbacks page).
    #[schema(value_type = Vec<Object>)]
    pub callbacks: Vec<CallbackLine>,
    /// The sum of the purchases, in fen.
    pub purchased_fen: i64,
}

pub async fn file(ctx: &Ctx, id: i64) -> Result<CustomerFile, CustomersError> {
    ctx.require(Permission::ViewCustomers)?;
    let db = ctx.db();
    let customer = store::get(db, id).await?.ok_or(CustomersError::NotFound)?;
    let purchases = store::purchases(db, &customer.name_key).await?;
    Ok(CustomerFile {
        contacts: store::contacts(db, id).await?,
        owners: store::owners(db, id).await?,
        callbacks: store::latest_callbacks(db, id, 10).await?,
        purchased_fen: purchases
            .iter()
            .filter(|p| p.state != "bounced")
            .map(|p| p.amount_fen)
            .sum(),
        purchases,
        customer,
    })
}
