//! The till API (`api/pos.md`) through the real server: lookups, quotes, receipts, returns,
//! redemptions, their idempotency, and the races that could double-spend.

use serde_json::{Value, json};

use crate::support::TestApp;

mod races;
mod receipts;
mod redemptions;

/// The test clock's business date is 2026-09-25 (17:00 in Shanghai).
const NOW: &str = "2026-09-25T16:30:00+08:00";

fn receipt(no: &str, card: &str, lines: &[(i64, i64, bool)]) -> Value {
    json!({
        "store_code": "HQ", "till_id": "01", "receipt_no": no, "card_no": card,
        "occurred_at": NOW,
        "lines": lines.iter().map(|(n, a, p)| json!({"line_no": n, "sku": format!("SKU{n}"), "amount_fen": a, "promotional": p})).collect::<Vec<_>>(),
    })
}

/// The balance recomputed from the ledger, and the sum of the lots.
async fn ledger_and_lots(t: &TestApp, member_id: i64) -> (i64, i64) {
    let ledger = t
        .scalar(
            "select cast(coalesce(sum(points), 0) as bigint) from point_entries where member_id = $1",
            member_id,
        )
        .await;
    let lots = t
        .scalar(
            "select cast(coalesce(sum(remaining), 0) as bigint) from point_lots where member_id = $1",
            member_id,
        )
        .await;
    (ledger, lots)
}
