//! Exports (`web/export.rs`) on the lists of several areas: a text that a spreadsheet would run
//! as a formula is neutralised in CSV and xlsx alike; counts and amounts are numbers, dates are
//! dates, and the totals the screen shows under a list follow it.

use calamine::{Data, Reader};
use serde_json::json;

use crate::both;
use crate::support::{Browser, TestApp, spawn_app};

const LINK: &str = r#"=HYPERLINK("http://prize.example","点我领奖")"#;

async fn download(b: &Browser, t: &TestApp, path: &str) -> Vec<u8> {
    let res = b
        .client
        .get(format!("{}{path}", t.base))
        .send()
        .await
        .expect("download");
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.bytes().await.expect("body").to_vec()
}

/// The CSV's records (BOM and header line dropped).
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("utf-8");
    let text = text.strip_prefix('\u{feff}').expect("a BOM");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a record").iter().map(str::to_string).collect())
        .collect()
}

/// The first sheet's rows, header included.
fn sheet(bytes: Vec<u8>) -> Vec<Vec<Data>> {
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let range = wb
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range.rows().map(<[Data]>::to_vec).collect()
}

both!(
    exports_neutralise_formulas_and_keep_numbers_and_dates_typed,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member(LINK, "13912340001", "").await;
        t.add_member("-5", "13912340002", "").await;
        let (status, body) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                json!({"store_code": "HQ", "receipt_no": "X-1", "card_no": card,
                       "occurred_at": "2026-09-25T16:00:00+08:00",
                       "lines": [{"line_no": 1, "amount_fen": 12_345}]}),
            )
            .await;
        assert!(status.is_success(), "{body}");
        let points = t
            .scalar("select points_balance from members where id = $1", id)
            .await;
        assert!(points > 0);
        let b = t.login("boss").await;

        // Members: the name is text with an apostrophe in front, the points a number.
        let csv = csv_rows(&download(&b, &t, "/members.csv?q=13912340001").await);
        assert_eq!(csv.len(), 1, "{csv:?}");
        assert_eq!(csv[0][1], format!("'{LINK}"));
        assert_eq!(csv[0][4], points.to_string(), "points as a plain number");
        let csv = csv_rows(&download(&b, &t, "/members.csv?q=13912340002").await);
        assert_eq!(csv[0][1], "'-5", "a text that looks negative is text");
        let rows = sheet(download(&b, &t, "/members.xlsx?q=13912340001").await);
        assert_eq!(rows[1][1], Data::String(format!("'{LINK}")));
        assert_eq!(rows[1][4], Data::Float(points as f64));

        // The points liability: expiry dates are dates, points numbers.
        let rows = sheet(download(&b, &t, "/points/liability.xlsx").await);
        assert!(rows.len() >= 2, "{rows:?}");
        match &rows[1][0] {
            Data::DateTime(d) => assert!(d.is_datetime(), "{d:?}"),
            other => panic!("an expiry date as {other:?}"),
        }
        assert_eq!(rows[1][1], Data::Float(points as f64));

        // Group-buy stock: amounts are numbers of yuan, and the totals under the list add up.
        let d = crate::groupbuy::desk(&t).await;
        crate::groupbuy::series(&t, &d, "B26", "500", 10).await;
        crate::groupbuy::requisition(&t, &d, &[("500", 10)], "1-10").await;
        crate::groupbuy::stamp(&t, &d, "1-4").await;
        let rows = sheet(download(&b, &t, "/groupbuy/stock.xlsx?store=HQ").await);
        let amount = |r: &Vec<Data>| match &r[3] {
            Data::Float(f) => *f,
            other => panic!("an amount as {other:?} in {r:?}"),
        };
        let (body, totals): (Vec<_>, Vec<_>) =
            rows[1..].iter().partition(|r| !matches!(r[1], Data::Empty));
        assert!(!body.is_empty() && !totals.is_empty(), "{rows:?}");
        for r in &body {
            assert_eq!(r[1], Data::Float(500.0), "face value in yuan: {r:?}");
        }
        let listed: f64 = body.iter().map(|r| amount(r)).sum();
        let total: f64 = totals.iter().map(|r| amount(r)).sum();
        assert_eq!(listed, 5000.0, "{rows:?}");
        assert_eq!(total, listed, "{rows:?}");
        let csv = csv_rows(&download(&b, &t, "/groupbuy/stock.csv?store=HQ").await);
        assert_eq!(
            csv.len(),
            rows.len() - 1,
            "the CSV has the same rows and totals"
        );
        assert!(csv.iter().any(|r| r[3] == "2000.00"), "{csv:?}");
        t.stop().await;
    }
);
