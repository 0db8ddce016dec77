//! SQL of the group-buy sales report (M3). Reads, read-only: `gb_sales` (sold sales: store,
//! day handed over, vouchers, amount, who recorded it), `gb_buyers` (the organisation, or the
//! contact's name for a person) and `staff` (the salesperson's display name).

use chrono::NaiveDate;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// One sale handed over in the period.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SaleRow {
    pub store_id: i64,
    pub buyer_id: i64,
    /// The organisation, or the contact's name when the buyer is a person.
    pub buyer: String,
    pub seller_id: i64,
    pub seller: String,
    pub vouchers: i64,
    pub amount_fen: i64,
}

/// The sales handed over (`sold`, by the day the vouchers were handed over: a cash sale's day,
/// a cheque's clearing day — as the daily report counts them) from `from` to `to`.
pub async fn sold(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<SaleRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.store_id, s.buyer_id, \
             case when b.organisation <> '' then b.organisation else b.contact end as buyer, \
             s.created_by as seller_id, st.display_name as seller, \
             cast(s.count as bigint) as vouchers, cast(s.amount_fen as bigint) as amount_fen \
             from gb_sales s join gb_buyers b on b.id = s.buyer_id \
             join staff st on st.id = s.created_by \
             where s.state = 'sold' and s.released_on >= $1 and s.released_on <= $2 \
             order by s.id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}
