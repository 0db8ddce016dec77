//! Gift stock documents: deliveries, transfers and a stock-take approved in the inbox, with
//! the movement ledger balancing.

use reqwest::StatusCode;
use serde_json::json;

use super::{assert_ledger_balances, gift};
use crate::both;
use crate::support::{add_store, on_hand, spawn_app, token};

/// The document's number, checked to be `{prefix}{yyyymmdd}-{nnn}` with counter `n`.
fn department_no(doc: &serde_json::Value, prefix: &str, n: u32) -> String {
    let no = doc["doc_no"].as_str().unwrap_or_default().to_string();
    let date = no.get(prefix.len()..prefix.len() + 8).unwrap_or_default();
    assert!(
        no.starts_with(prefix)
            && date.chars().all(|c| c.is_ascii_digit())
            && no.ends_with(&format!("-{n:03}"))
            && no.len() == prefix.len() + 12,
        "{prefix}yyyymmdd-{n:03} expected: {doc}"
    );
    no
}

both!(
    deliveries_transfers_and_an_approved_stocktake_keep_the_ledger_balanced,
    |backend| async move {
        let t = spawn_app(backend).await;
        let xd = add_store(&t, "XD").await;
        let desk = token(
            &t,
            "gift.desk",
            &[("reward_desk", t.hq), ("reward_desk", xd)],
        )
        .await;
        t.add_staff("gift.boss", &[("manager", t.hq)], false).await;
        gift(&t, "TEA", "茶具", "200", "").await;
        gift(&t, "MUG", "马克杯", "50", "500").await;

        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/deliveries",
                &desk,
                json!({"store_code": "HQ", "note_no": "SD-7788", "supplier": "礼品公司",
                       "lines": [{"gift_code": "TEA", "qty": "20"}, {"gift_code": "MUG", "qty": "5"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(on_hand(&t, t.hq, "TEA").await, 20);
        // Numbered as the department numbers its papers: prefix, store, business date, counter.
        let first = department_no(&d, "SHHQ", 1);
        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/deliveries",
                &desk,
                json!({"store_code": "XD", "note_no": "SD-7789", "supplier": "礼品公司",
                       "lines": [{"gift_code": "TEA", "qty": "1"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        department_no(&d, "SHXD", 1);
        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/deliveries",
                &desk,
                json!({"store_code": "HQ", "note_no": "SD-7790", "supplier": "礼品公司",
                       "lines": [{"gift_code": "TEA", "qty": "１"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        // A quantity typed in full width by a Chinese input method counts as typed.
        let second = department_no(&d, "SHHQ", 2);
        assert_eq!(first[4..12], second[4..12], "one business date");
        assert_eq!(on_hand(&t, t.hq, "TEA").await, 21);
        let receipts_marked = t
            .scalar_text(
                "select count(*) from gift_movements where kind = 'receive' and doc_no = $1",
                first.as_str(),
            )
            .await;
        assert_eq!(receipts_marked, 2, "both lines carry the delivery's number");
        // A bad line names its field; nothing is written.
        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/deliveries",
                &desk,
                json!({"store_code": "HQ", "note_no": "", "supplier": "礼品公司",
                       "lines": [{"gift_code": "NOPE", "qty": "2"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = d["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            fields.contains(&"note_no") && fields.contains(&"lines[0].gift_code"),
            "{d}"
        );

        // Transfer: out at HQ and in at XD, one document.
        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/transfers",
                &desk,
                json!({"store_code": "HQ", "to_store_code": "XD", "lines": [{"gift_code": "TEA", "qty": "9"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        department_no(&d, "DBHQ", 1);
        assert_eq!(on_hand(&t, t.hq, "TEA").await, 12);
        assert_eq!(on_hand(&t, xd, "TEA").await, 10);
        let both_sides = t
            .scalar(
                "select count(*) from gift_movements where doc_kind = 'transfer' and qty <> $1",
                0,
            )
            .await;
        assert_eq!(both_sides, 2, "one movement out, one in");
        // More than the store has: refused whole.
        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/transfers",
                &desk,
                json!({"store_code": "HQ", "to_store_code": "XD",
                       "lines": [{"gift_code": "MUG", "qty": "1"}, {"gift_code": "TEA", "qty": "13"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{d}");
        assert_eq!(
            on_hand(&t, t.hq, "MUG").await,
            5,
            "the first line rolled back too"
        );

        // Stock-take: a difference without an explanation is refused.
        let (s, _) = t
            .post(
                "/api/v1/rewards/stock/stocktakes",
                &desk,
                json!({"store_code": "HQ", "lines": [{"gift_code": "TEA", "counted": "11"}, {"gift_code": "MUG", "counted": "5"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, d) = t
            .post(
                "/api/v1/rewards/stock/stocktakes",
                &desk,
                json!({"store_code": "HQ", "lines": [{"gift_code": "TEA", "counted": "11", "explanation": "一套破损"},
                                                      {"gift_code": "MUG", "counted": "5"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!(d["state"], "pending");
        let take_no = department_no(&d, "PDHQ", 1);
        assert_eq!(
            on_hand(&t, t.hq, "TEA").await,
            12,
            "nothing moves before approval"
        );
        let approval = d["approval_id"].as_i64().expect("approval");

        // The manager approves in the console inbox: the adjustment is written then.
        let boss = t.login("gift.boss").await;
        let inbox = boss.get("/approvals").await;
        assert!(
            inbox.body.contains("奖品盘点差异"),
            "the inbox names the kind"
        );
        let res = boss
            .post(
                &format!("/approvals/{approval}/decide"),
                "/approvals",
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(on_hand(&t, t.hq, "TEA").await, 11);
        let doc_state: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select state from gift_documents where approval_id = $1")
                .bind(approval)
                .fetch_one(p)
                .await
                .expect("doc")
        });
        assert_eq!(doc_state, "approved");
        let adjustments = t
            .scalar_text(
                "select count(*) from gift_movements where kind = 'stocktake' and doc_no = $1",
                take_no.as_str(),
            )
            .await;
        assert_eq!(adjustments, 1);
        assert_ledger_balances(&t).await;

        // The movement ledger can be changed by nobody.
        let tampered = patron::on_db!(t.app.db, |p| {
            sqlx::query("update gift_movements set qty = 99")
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        });
        assert!(tampered.is_err(), "gift_movements is append-only");
        t.stop().await;
    }
);
