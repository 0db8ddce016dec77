//! Gift stock (SPEC D6), the points exchange catalogue (C7) and birthday gifts (J3) through the
//! real server: delivery notes, transfers and a stock-take approved in the inbox with the
//! ledger balancing; exchanges that debit points and stock together or not at all; 40 parallel
//! exchanges for 10 gifts; the birthday job run twice; the console pages in both languages; and
//! the portal exchange in Chromium.

use crate::support::TestApp;

mod birthday;
mod console;
mod exchanges;
mod portal;
mod stock;

pub async fn gift(t: &TestApp, code: &str, name: &str, value: &str, price: &str) {
    patron::areas::gifts::catalogue::save_gift(
        &t.ctx(),
        &patron::areas::gifts::catalogue::GiftIn {
            code: code.into(),
            name_zh: name.into(),
            name_en: format!("{code} gift"),
            kind: "gift".into(),
            value: value.into(),
            points_price: price.into(),
            active: true,
        },
    )
    .await
    .expect("save gift");
}

/// Every (store, gift): the movements add up to the stock, and each movement's "after" is the
/// running sum.
async fn assert_ledger_balances(t: &TestApp) {
    let rows: Vec<(i64, i64, i64, i64)> = patron::on_db!(t.app.db, |p| {
        sqlx::query_as(
            "select store_id, gift_id, qty, on_hand_after from gift_movements order by id",
        )
        .fetch_all(p)
        .await
        .expect("movements")
    });
    let mut sums: std::collections::HashMap<(i64, i64), i64> = Default::default();
    for (s, g, q, after) in rows {
        let e = sums.entry((s, g)).or_default();
        *e += q;
        assert_eq!(*e, after, "running stock of gift {g} at store {s}");
    }
    let stock: Vec<(i64, i64, i64)> = patron::on_db!(t.app.db, |p| {
        sqlx::query_as("select store_id, gift_id, on_hand from gift_stock")
            .fetch_all(p)
            .await
            .expect("stock")
    });
    for (s, g, n) in stock {
        assert_eq!(
            sums.get(&(s, g)).copied().unwrap_or(0),
            n,
            "gift {g} at {s}"
        );
    }
}
