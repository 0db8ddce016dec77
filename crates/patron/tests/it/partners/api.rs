//! The partners JSON API: list and get partners with their contracts, screen a partner, add a
//! contract; a refusal names its field with a stable code, a token without the permission is
//! refused, and a repeat under the same `Idempotency-Key` records nothing more.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::count;
use crate::both;
use crate::support::{TestApp, hq_token, spawn_app};

/// Posts `body` to `path` with a bearer key and an `Idempotency-Key`; (status, answer).
async fn post_keyed(
    t: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: Value,
) -> (StatusCode, Value) {
    let res = t
        .http
        .post(format!("{}/api/v1{path}", t.base))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn partner_body(name: &str) -> Value {
    json!({"name": name, "category": "hotel", "address": "上海市黄浦区南京东路 1 号",
           "contact_person": "陈经理", "contact_phone": "13900139000", "department": "会员部",
           "note": "五星酒店"})
}

fn contract_body(no: &str) -> Value {
    json!({"contract_no": no, "starts_on": "2026-10-01", "ends_on": "2027-09-30",
           "benefit_zh": "凭卡住宿八五折", "benefit_en": "15% off rooms", "discount_permille": "850",
           "settlement_terms": "季度结算", "stores": "HQ"})
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

both!(
    partners_are_screened_listed_and_contracted_through_the_api,
    |backend| async move {
        let t = spawn_app(backend).await;
        let token = hq_token(&t, "api_partners", "marketing").await;

        // Screen a partner; the same key again records nothing more.
        let (status, first) =
            post_keyed(&t, "/partners", &token, "p-1", partner_body("锦江饭店")).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["stage"], "screened");
        assert_eq!(
            first["contact_phone"], "139****9000",
            "the phone only masked"
        );
        let id = first["id"].as_i64().expect("id");
        let (status, again) =
            post_keyed(&t, "/partners", &token, "p-1", partner_body("锦江饭店")).await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
        assert_eq!(again["id"], first["id"]);
        assert_eq!(
            count(
                &t,
                "select cast(count(*) as bigint) from partners where id >= $1",
                0
            )
            .await,
            1
        );
        // Without a key, the same name is refused as a duplicate naming the field.
        let (status, dup) = t
            .post("/api/v1/partners", &token, partner_body("锦江饭店"))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{dup}");
        assert_eq!(dup["code"], "duplicate");
        assert_eq!(fields(&dup), vec!["name"]);
        // A bad category is refused, naming it.
        let mut bad = partner_body("新亚酒店");
        bad["category"] = json!("casino");
        let (status, refused) = t.post("/api/v1/partners", &token, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["code"], "validation");
        assert_eq!(fields(&refused), vec!["category"]);

        // A contract before the partner has agreed: refused, naming contract_no.
        let path = format!("/partners/{id}/contracts");
        let (status, early) = post_keyed(&t, &path, &token, "k-1", contract_body("JJ-1")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{early}");
        assert_eq!(fields(&early), vec!["contract_no"]);
        t.exec("update partners set stage = 'agreed' where id = $1", id)
            .await;
        // The same key may be used now: the refusal left nothing behind.
        let (status, k) = post_keyed(&t, &path, &token, "k-1", contract_body("JJ-1")).await;
        assert_eq!(status, StatusCode::CREATED, "{k}");
        assert_eq!(k["contract_no"], "JJ-1");
        assert_eq!(k["discount_permille"], 850);
        assert_eq!(k["stores"], json!(["HQ"]));
        let (status, k2) = post_keyed(&t, &path, &token, "k-1", contract_body("JJ-1")).await;
        assert_eq!(status, StatusCode::CREATED, "{k2}");
        assert_eq!(k2["id"], k["id"]);
        assert_eq!(
            count(
                &t,
                "select cast(count(*) as bigint) from partner_contracts where partner_id = $1",
                id
            )
            .await,
            1
        );
        // Ends before it starts: refused naming ends_on.
        let mut backwards = contract_body("JJ-2");
        backwards["ends_on"] = json!("2026-01-01");
        let (status, refused) = t.post(&format!("/api/v1{path}"), &token, backwards).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(fields(&refused), vec!["ends_on"]);

        // Reads.
        let (status, list) = t.get_json("/api/v1/partners", &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        assert_eq!(list[0]["name"], "锦江饭店");
        let (status, file) = t.get_json(&format!("/api/v1/partners/{id}"), &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(file["partner"]["stage"], "agreed");
        assert_eq!(file["contracts"][0]["contract_no"], "JJ-1");
        let (status, ks) = t.get_json(&format!("/api/v1{path}"), &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ks[0]["benefit_en"], "15% off rooms");
        let (status, missing) = t.get_json("/api/v1/partners/99999", &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(missing["code"], "not_found");
        let (status, missing) = t.get_json("/api/v1/partners/99999/contracts", &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");

        // A clerk may read but not write; a cashier may not even read.
        let clerk = hq_token(&t, "api_clerk", "clerk").await;
        assert_eq!(
            t.get_json("/api/v1/partners", &clerk).await.0,
            StatusCode::OK
        );
        let (status, refused) = t
            .post("/api/v1/partners", &clerk, partner_body("和平饭店"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert_eq!(refused["code"], "forbidden");
        let (status, _) = t
            .post(&format!("/api/v1{path}"), &clerk, contract_body("JJ-3"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let cashier = hq_token(&t, "api_cashier", "cashier").await;
        for url in [
            "/api/v1/partners".to_string(),
            format!("/api/v1/partners/{id}"),
            format!("/api/v1{path}"),
        ] {
            assert_eq!(
                t.get_json(&url, &cashier).await.0,
                StatusCode::FORBIDDEN,
                "{url}"
            );
        }
        // No key at all.
        assert_eq!(
            t.get_json("/api/v1/partners", "").await.0,
            StatusCode::UNAUTHORIZED
        );
        t.stop().await;
    }
);
