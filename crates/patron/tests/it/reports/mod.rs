//! Reports (SPEC M3, M4) through the real server, each on its own data made through the API or
//! the console: the group-buy sales by customer and salesperson (`groupbuy.rs`), complaints and
//! their time limits (`complaints.rs`), organisation customers' callbacks against their cadence
//! (`callbacks.rs`), member events (`events.rs`), partner merchants (`partners.rs`). Each checks
//! the figures on the page, the same figures as numbers in the xlsx, a refusal for a reader
//! without the report's permission, and a period typed backwards re-shown in Chinese. Also the
//! dashboard's way in (`dashboard.rs`) and an RFM segment invited to an event (`invite.rs`).

mod callbacks;
mod complaints;
mod dashboard;
mod events;
mod groupbuy;
mod invite;
mod partners;

use calamine::{Data, Reader};
use reqwest::StatusCode;

use crate::support::{Browser, TestApp};

/// The report table's rows as the page shows them: the header, the body rows, the totals row;
/// each cell's text.
pub fn table(body: &str) -> Vec<Vec<String>> {
    let start = body
        .find("id=\"report-table\"")
        .expect("the report's table");
    let html = &body[start..];
    let html = &html[..html.find("</table>").expect("the table's end")];
    html.split("<tr")
        .skip(1)
        .map(|tr| {
            let mut cells: Vec<String> = Vec::new();
            let (mut in_tag, mut tag) = (false, String::new());
            for ch in tr.chars() {
                match ch {
                    '<' => {
                        in_tag = true;
                        tag.clear();
                    }
                    '>' if in_tag => {
                        in_tag = false;
                        if matches!(tag.split_whitespace().next(), Some("td" | "th")) {
                            cells.push(String::new());
                        }
                    }
                    _ if in_tag => tag.push(ch),
                    _ => {
                        if let Some(c) = cells.last_mut() {
                            c.push(ch);
                        }
                    }
                }
            }
            cells.into_iter().map(|c| c.trim().to_string()).collect()
        })
        .collect()
}

/// The row of `rows` whose first cell is `first`.
pub fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.first().is_some_and(|c| c == first))
        .unwrap_or_else(|| panic!("no row {first} in {rows:?}"))
}

/// The report's page for a signed-in reader, which must be shown.
pub async fn page(b: &Browser, path: &str) -> Vec<Vec<String>> {
    let p = b.get(path).await;
    assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
    table(&p.body)
}

/// The first sheet of the report's xlsx, header included.
pub async fn xlsx(b: &Browser, t: &TestApp, path: &str) -> Vec<Vec<Data>> {
    let res = b
        .client
        .get(format!("{}{path}", t.base))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let bytes = res.bytes().await.expect("body").to_vec();
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let range = wb
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range.rows().map(<[Data]>::to_vec).collect()
}

/// The xlsx row whose first cell is the text `first`.
pub fn xrow<'a>(rows: &'a [Vec<Data>], first: &str) -> &'a [Data] {
    rows.iter()
        .find(|r| r.first() == Some(&Data::String(first.to_string())))
        .unwrap_or_else(|| panic!("no row {first} in {rows:?}"))
}

/// Numbers as the xlsx holds them.
pub fn nums(cells: &[f64]) -> Vec<Data> {
    cells.iter().map(|n| Data::Float(*n)).collect()
}

/// A reader holding `role` (without the report's permission) is refused its page, file and print
/// view; a period typed backwards is re-shown to `reader`, with the message in Chinese and what
/// was typed kept.
pub async fn refusals(t: &TestApp, name: &str, reader: &Browser, role: &str) {
    t.add_staff("outsider", &[(role, t.hq)], false).await;
    let b = t.login("outsider").await;
    for path in [
        format!("/reports/{name}"),
        format!("/reports/{name}/file?format=xlsx"),
        format!("/reports/{name}/print"),
    ] {
        let p = b.get(&path).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{role} opened {path}");
    }
    let p = reader
        .get(&format!("/reports/{name}?from=2026-09-20&to=2026-09-01"))
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("结束日期不能早于开始日期"), "{}", p.body);
    assert!(
        p.body.contains("value=\"2026-09-20\""),
        "what was typed is kept"
    );
    assert!(
        !p.body.contains("id=\"report-table\""),
        "no figures for a bad period"
    );
}
