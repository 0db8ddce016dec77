//! Customer files: recording a customer, and the first to record it owning it — also when two
//! salespeople record the same organisation at the same moment.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{hq_token, spawn_app};

both!(
    a_customer_is_owned_by_who_recorded_it_first,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        let li = hq_token(&t, "sales_li", "clerk").await;
        let (status, body) = t
            .post(
                "/api/v1/customers",
                &wang,
                json!({"name": "华东电力（集团）有限公司", "kind": "enterprise", "grade": "A",
                   "credit_code": "91350100M000100Y43",
                   "contacts": [{"name": "王主任", "phone": "13800138000"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["owner"], "sales_wang");
        let id = body["id"].as_i64().unwrap_or_default();
        // The phone is stored encrypted, with a masked copy.
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from customer_contacts where phone_masked = $1 \
             and phone_enc is not null and phone_enc not like '%13800138000%'",
                "138****8000"
            )
            .await,
            1
        );

        // The same name written differently is the same organisation: refused, naming the owner.
        let (status, body) = t
            .post(
                "/api/v1/customers",
                &li,
                json!({"name": "华东电力(集团) 有限公司", "kind": "enterprise", "grade": "B"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "customer_exists");
        assert_eq!(body["errors"][0]["field"], "name");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("sales_wang"),
            "{body}"
        );
        // So is the same credit code under another name.
        let (status, body) = t
            .post(
                "/api/v1/customers",
                &li,
                json!({"name": "华东电力公司", "kind": "enterprise", "grade": "B",
                   "credit_code": "91350100m000100y43"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["errors"][0]["field"], "credit_code");
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from customers where id >= $1",
                id
            )
            .await,
            1,
            "nothing was written by the refusals"
        );

        // Bad input names every bad field.
        let (status, body) = t
            .post(
                "/api/v1/customers",
                &li,
                json!({"name": "", "kind": "company", "grade": "D", "credit_code": "123",
                   "contacts": [{"name": "", "phone": "12"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        for f in [
            "name",
            "kind",
            "grade",
            "credit_code",
            "contacts[0].name",
            "contacts[0].phone",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        t.stop().await;
    }
);

both!(
    two_salespeople_recording_the_same_customer_at_once_one_wins,
    |backend| async move {
        let t = spawn_app(backend).await;
        let mut keys = Vec::new();
        for i in 0..8 {
            keys.push(hq_token(&t, &format!("race_{i}"), "clerk").await);
        }
        let mut tasks = Vec::new();
        for key in &keys {
            let (http, base, key) = (t.http.clone(), t.base.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                let res = http
                    .post(format!("{base}/api/v1/customers"))
                    .bearer_auth(key)
                    .json(&json!({"name": "市第一中学", "kind": "government", "grade": "B"}))
                    .send()
                    .await
                    .expect("request");
                let status = res.status();
                (
                    status,
                    res.json::<serde_json::Value>().await.unwrap_or_default(),
                )
            }));
        }
        let mut won = Vec::new();
        let mut refused = 0;
        for task in tasks {
            let (status, body) = task.await.expect("task");
            match status {
                StatusCode::CREATED => {
                    won.push(body["owner"].as_str().unwrap_or_default().to_owned())
                }
                StatusCode::CONFLICT => {
                    assert_eq!(body["code"], "customer_exists", "{body}");
                    refused += 1;
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(won.len(), 1, "exactly one wins");
        assert_eq!(refused, 7);
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from customers where name = $1",
                "市第一中学"
            )
            .await,
            1
        );
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from customer_owners where reason = $1",
                "recorded"
            )
            .await,
            1
        );
        t.stop().await;
    }
);
