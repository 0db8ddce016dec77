//! Partner merchants (SPEC G1–G4) through the real server: the whole pipeline with dates and
//! notes, a refused skip, two clerks moving the same partner at once, the contract expiry
//! reminder job (one message per contract, idempotent) and expiry, the portal's list of active
//! partners' benefits, the callbacks due, exports and print views, and a bad form re-shown;
//! scanned contract files (`files.rs`) and the JSON API (`api.rs`).

use reqwest::StatusCode;

use crate::support::{Browser, Page, TestApp};

mod api;
mod callbacks;
mod contracts;
mod files;
mod pipeline;
mod portal;

/// The test clock starts at 2026-09-25 17:00 in Shanghai.
const TODAY: &str = "2026-09-25";

async fn manager(t: &TestApp, name: &str) -> Browser {
    t.add_staff(name, &[("manager", t.hq)], false).await;
    t.login(name).await
}

/// Records a partner; returns its id.
async fn create(b: &Browser, name: &str, on: &str, note: &str) -> i64 {
    let res = b
        .post(
            "/partners",
            "/partners",
            &[
                ("name", name),
                ("category", "catering"),
                ("address", "北京市朝阳区建国路 88 号"),
                ("contact_person", "王经理"),
                ("contact_phone", "13800138000"),
                ("department", "会员部"),
                ("on_date", on),
                ("note", note),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let to = res.location.expect("location");
    to.trim_start_matches("/partners/")
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("partner id")
}

async fn step(b: &Browser, id: i64, to: &str, on: &str, note: &str) -> Page {
    let page = format!("/partners/{id}");
    b.post(
        &format!("/partners/{id}/stage"),
        &page,
        &[("to", to), ("on_date", on), ("note", note)],
    )
    .await
}

async fn step_ok(b: &Browser, id: i64, to: &str, on: &str, note: &str) {
    let res = step(b, id, to, on, note).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{to}: {}", res.body);
}

async fn contract(b: &Browser, id: i64, no: &str, starts: &str, ends: &str, benefit: &str) -> Page {
    let page = format!("/partners/{id}");
    b.post(
        &format!("/partners/{id}/contracts"),
        &page,
        &[
            ("contract_no", no),
            ("starts_on", starts),
            ("ends_on", ends),
            ("benefit_zh", benefit),
            ("benefit_en", "10% off with the member card"),
            ("discount_permille", "900"),
            ("settlement_terms", "月结，商户返点3%"),
            ("stores", "HQ"),
        ],
    )
    .await
}

/// Takes a partner from screened to active with a contract from `starts` to `ends`.
async fn active_partner(
    b: &Browser,
    name: &str,
    no: &str,
    starts: &str,
    ends: &str,
    benefit: &str,
) -> i64 {
    let id = create(b, name, "2026-09-01", "筛选").await;
    step_ok(b, id, "contacted", "2026-09-02", "电话联系").await;
    step_ok(b, id, "negotiating", "2026-09-03", "上门洽谈").await;
    step_ok(b, id, "agreed", "2026-09-04", "达成协议").await;
    let k = contract(b, id, no, starts, ends, benefit).await;
    assert_eq!(k.status, StatusCode::SEE_OTHER, "{}", k.body);
    step_ok(b, id, "signed", "2026-09-05", "签约").await;
    step_ok(b, id, "active", starts, "开始合作").await;
    id
}

async fn count(t: &TestApp, sql: &'static str, id: i64) -> i64 {
    t.scalar(sql, id).await
}
