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

// ---------------------------------------------------------------------------------------------
// Pages, lists, ownership, the pool, purchase history.

use crate::support::{PASSWORD, TestApp, browser_skipped, day, goto, run_browser_flow};

/// Records a customer through the API as `key`'s holder; its id.
async fn record_customer(t: &TestApp, key: &str, name: &str) -> i64 {
    let (status, body) = t
        .post(
            "/api/v1/customers",
            key,
            json!({"name": name, "kind": "enterprise", "grade": "A",
                   "contacts": [{"name": "刘科长", "phone": "13900139000"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap_or_default()
}

/// Runs a job of this topic for a business date.
async fn run_job(t: &TestApp, name: &str, on: &str) -> patron::jobs::RunReport {
    patron::app::jobs::run(&t.app, name, day(on), None)
        .await
        .expect("job")
}

both!(
    a_customer_is_recorded_through_the_form_and_a_duplicate_names_its_owner,
    |backend| async move {
        let t = spawn_app(backend).await;
        hq_token(&t, "sales_wang", "clerk").await;
        hq_token(&t, "sales_li", "clerk").await;
        let wang = t.login("sales_wang").await;
        let page = wang.get("/customers").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("href=\"/customers/new\""),
            "a link to the form"
        );
        let fields = [
            ("name", "市第二人民医院"),
            ("kind", "government"),
            ("grade", "B"),
            ("contact_name", "赵主任"),
            ("contact_phone", "13712345678"),
            ("credit_note", "支票付款及时"),
        ];
        let done = wang.post("/customers/new", "/customers/new", &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let file_path = done.location.clone().unwrap_or_default();
        let path = file_path.split('?').next().unwrap_or_default().to_string();
        let file = wang.get(&path).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(file.body.contains("市第二人民医院"));
        assert!(file.body.contains("137****5678"), "the phone is masked");
        assert!(!file.body.contains("13712345678"), "never in full unasked");
        assert!(file.body.contains("支票付款及时"));
        assert_eq!(file.text_of("owner").as_deref(), Some("测试 sales_wang"));
        // Mine lists it; exports carry it.
        assert!(
            wang.get("/customers?tab=mine")
                .await
                .body
                .contains("市第二人民医院")
        );
        let csv = wang.get("/customers.csv?tab=mine").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body.contains("市第二人民医院") && csv.body.contains("B 类"),
            "{}",
            csv.body
        );
        let xlsx = wang
            .client
            .get(format!("{}/customers.xlsx?tab=mine", wang.base))
            .send()
            .await
            .expect("xlsx");
        assert_eq!(xlsx.status(), StatusCode::OK);

        // Li records the same hospital written differently: refused, naming Wang, form kept.
        let li = t.login("sales_li").await;
        let again = li
            .post(
                "/customers/new",
                "/customers/new",
                &[
                    ("name", "市第二人民医院 "),
                    ("kind", "government"),
                    ("grade", "A"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("测试 sales_wang"), "the owner is named");
        assert!(
            again.body.contains("value=\"市第二人民医院 \""),
            "what was typed is kept"
        );
        assert!(
            !li.get("/customers?tab=mine")
                .await
                .body
                .contains("市第二人民医院")
        );
        // A bad phone marks its field.
        let bad = li
            .post(
                "/customers/new",
                "/customers/new",
                &[
                    ("name", "某公司"),
                    ("kind", "enterprise"),
                    ("grade", "A"),
                    ("contact_name", "钱"),
                    ("contact_phone", "12"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body
                .contains("field invalid\"><label for=\"c-contact_phone\""),
            "{}",
            bad.body
        );
        t.stop().await;
    }
);

both!(
    a_manager_sees_the_full_phone_once_and_it_is_audited,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        hq_token(&t, "boss", "manager").await;
        let id = record_customer(&t, &wang, "远洋运输公司").await;
        let boss = t.login("boss").await;
        let file = boss.get(&format!("/customers/{id}")).await;
        let contact = t
            .scalar(
                "select id from customer_contacts where customer_id = $1",
                id,
            )
            .await;
        assert!(
            file.body
                .contains(&format!("/customers/{id}/contacts/{contact}/phone"))
        );
        let shown = boss
            .post(
                &format!("/customers/{id}/contacts/{contact}/phone"),
                &format!("/customers/{id}"),
                &[],
            )
            .await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(shown.body.contains("13900139000"));
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from audit_log where action = $1",
                "customers.reveal_phone"
            )
            .await,
            1
        );
        t.stop().await;
    }
);

both!(
    of_many_claims_of_one_pooled_customer_one_wins_and_the_cap_holds,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        let boss = hq_token(&t, "boss", "manager").await;
        let id = record_customer(&t, &wang, "钢铁集团").await;
        // The manager puts it in the pool.
        let (status, body) = t
            .post(
                &format!("/api/v1/customers/{id}/reassign"),
                &boss,
                json!({"to": "", "note": "调岗"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["owner"], "");
        let mut keys = Vec::new();
        for i in 0..6 {
            keys.push(hq_token(&t, &format!("claim_{i}"), "clerk").await);
        }
        let mut tasks = Vec::new();
        for key in &keys {
            let (http, base, key) = (t.http.clone(), t.base.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                let res = http
                    .post(format!("{base}/api/v1/customers/{id}/claim"))
                    .bearer_auth(key)
                    .send()
                    .await
                    .expect("request");
                res.status()
            }));
        }
        let mut won = 0;
        for task in tasks {
            match task.await.expect("task") {
                StatusCode::OK => won += 1,
                StatusCode::CONFLICT => {}
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!(won, 1, "exactly one claim wins");
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from customer_owners where reason = $1",
                "claimed"
            )
            .await,
            1
        );

        // The cap: with a cap of 1, Wang (holding one customer already) cannot claim another.
        let b = t.login("boss").await;
        let saved = b
            .post(
                "/admin/customers",
                "/admin/customers",
                &[
                    ("cadence_a_days", "14"),
                    ("cadence_b_days", "14"),
                    ("cadence_c_days", "30"),
                    ("first_contact_days", "7"),
                    ("warn_days", "3"),
                    ("claim_cap", "1"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let other = record_customer(&t, &wang, "纺织厂").await;
        t.post(
            &format!("/api/v1/customers/{other}/reassign"),
            &boss,
            json!({"to": ""}),
        )
        .await;
        record_customer(&t, &wang, "化工厂").await;
        let (status, body) = t
            .post(
                &format!("/api/v1/customers/{other}/claim"),
                &wang,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "claim_cap_reached");
        // Through the pool page the refusal is said beside the list.
        let w = t.login("sales_wang").await;
        let pool = w.get("/customers/pool").await;
        assert!(pool.body.contains(&format!("/customers/{other}/claim")));
        let refused = w
            .post(&format!("/customers/{other}/claim"), "/customers/pool", &[])
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(refused.body.contains("已达上限"), "{}", refused.body);
        t.stop().await;
    }
);

both!(
    reassigning_and_balancing_keep_the_owner_history_and_the_sellers_credit,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        hq_token(&t, "sales_li", "clerk").await;
        let boss = hq_token(&t, "boss", "manager").await;
        let a = record_customer(&t, &wang, "甲公司").await;
        record_customer(&t, &wang, "乙公司").await;
        record_customer(&t, &wang, "丙公司").await;
        // A clerk may not reassign.
        let (status, _) = t
            .post(
                &format!("/api/v1/customers/{a}/reassign"),
                &wang,
                json!({"to": "sales_li"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = t
            .post(
                &format!("/api/v1/customers/{a}/reassign"),
                &boss,
                json!({"to": "sales_li", "note": "王调往外地", "from": "sales_wang"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["owner"], "sales_li");
        // A manager who saw an older owner is refused; nothing is written.
        let (status, body) = t
            .post(
                &format!("/api/v1/customers/{a}/reassign"),
                &boss,
                json!({"to": "boss", "from": "sales_wang"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (_, file) = t.get_json(&format!("/api/v1/customers/{a}"), &boss).await;
        let reasons: Vec<&str> = file["owners"]
            .as_array()
            .map(|a| a.iter().filter_map(|o| o["reason"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(reasons, ["reassigned", "recorded"]);
        assert_eq!(file["owners"][0]["note"], "王调往外地");

        // Balance: move 2 of Wang's remaining 2 to Li.
        let b = t.login("boss").await;
        let view = b.get("/customers/balance").await;
        assert_eq!(view.status, StatusCode::OK);
        assert!(view.body.contains("id=\"load-sales_wang\""));
        let moved = b
            .post(
                "/customers/balance",
                "/customers/balance",
                &[
                    ("from", "sales_wang"),
                    ("to", "sales_li"),
                    ("count", "2"),
                    ("note", "均衡"),
                ],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        let (_, li_list) = t
            .get_json("/api/v1/customers?tab=all&owner=sales_li", &boss)
            .await;
        assert_eq!(li_list.as_array().map(Vec::len), Some(3));
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from customer_owners where reason = $1",
                "balanced"
            )
            .await,
            2
        );
        // A clerk cannot open the balance view or the settings.
        let w = t.login("sales_wang").await;
        assert_eq!(
            w.get("/customers/balance").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            w.get("/admin/customers").await.status,
            StatusCode::FORBIDDEN
        );
        assert!(
            !w.get("/customers")
                .await
                .body
                .contains("/customers/balance")
        );
        t.stop().await;
    }
);

both!(
    a_customer_not_contacted_in_time_returns_to_the_pool_once_after_one_warning,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        // Recorded 2026-09-25: the first contact is due by 10-02, the warning from 09-29.
        let id = record_customer(&t, &wang, "港务局").await;
        let warnings = || async {
            t.scalar_text(
                "select cast(count(*) as bigint) from outbox where kind = $1",
                "customer_pool_warning",
            )
            .await
        };
        let r = run_job(&t, "customers-pool-return", "2026-09-28").await;
        assert_eq!((r.seen, r.processed), (1, 0));
        assert_eq!(warnings().await, 0);
        run_job(&t, "customers-pool-return", "2026-09-29").await;
        assert_eq!(warnings().await, 1, "warned once");
        run_job(&t, "customers-pool-return", "2026-09-30").await;
        // The same date again is a run already done.
        assert!(
            run_job(&t, "customers-pool-return", "2026-09-30")
                .await
                .already_done
        );
        assert_eq!(
            warnings().await,
            1,
            "not warned again for the same deadline"
        );
        // The dashboard tile shows it to the owner.
        goto(&t, "2026-09-30T10:00:00");
        let w = t.login("sales_wang").await;
        assert!(w.get("/").await.body.contains("港务局"));
        run_job(&t, "customers-pool-return", "2026-10-02").await;
        assert_eq!(
        t.scalar("select cast(count(*) as bigint) from customers where id = $1 and owner_staff_id is not null", id)
            .await,
        1,
        "still owned on the last day"
    );
        let r = run_job(&t, "customers-pool-return", "2026-10-03").await;
        assert_eq!(r.processed, 1);
        run_job(&t, "customers-pool-return", "2026-10-04").await;
        assert_eq!(
        t.scalar("select cast(count(*) as bigint) from customers where id = $1 and owner_staff_id is null", id)
            .await,
        1,
        "back in the pool"
    );
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from customer_owners where reason = $1",
                "returned"
            )
            .await,
            1,
            "returned once"
        );
        // Run twice by hand (not through the job runner): nothing more.
        let again =
            patron::areas::customers::files::pool::return_to_pool(&t.ctx(), day("2026-10-04"))
                .await
                .expect("run");
        assert_eq!(again.processed, 0);
        let pool = w.get("/customers/pool").await;
        assert!(pool.body.contains("港务局"));
        t.stop().await;
    }
);

/// A group-buy sale to `organisation` by `seller`, recorded before sales were linked to
/// customers (the buyer's key left empty).
async fn old_sale(t: &TestApp, organisation: &str, sale_no: &str, seller: i64, amount_fen: i64) {
    let (org, no, store) = (organisation.to_string(), sale_no.to_string(), t.hq);
    let at = t.app.clock.now();
    t.app
        .db
        .write(move |tx| {
            let (org, no) = (org.clone(), no.clone());
            Box::pin(async move {
                let buyer: i64 = patron::on_tx!(tx, |c| {
                    sqlx::query_scalar(
                        "insert into gb_buyers (kind, organisation, contact, created_at, created_by) \
                         values ('organisation', $1, '孙会计', $2, $3) returning id",
                    )
                    .bind(&org)
                    .bind(at)
                    .bind(seller)
                    .fetch_one(c)
                    .await
                })?;
                patron::on_tx!(tx, |c| {
                    sqlx::query(
                        "insert into gb_sales (sale_no, store_id, buyer_id, buyer_kind, payment, state, \
                         count, amount_fen, biz_date, expires_on, created_by, created_at) \
                         values ($1, $2, $3, 'organisation', 'cash', 'sold', 10, $4, $5, $6, $7, $8)",
                    )
                    .bind(&no)
                    .bind(store)
                    .bind(buyer)
                    .bind(amount_fen)
                    .bind(day("2026-09-20"))
                    .bind(day("2029-09-20"))
                    .bind(seller)
                    .bind(at)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                Ok::<_, patron::kernel::db::DbError>(())
            })
        })
        .await
        .expect("sale");
}

both!(
    the_purchase_history_shows_sales_linked_by_the_organisation_name,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        let (seller, _) = t.add_staff("gb_seller", &[("clerk", t.hq)], false).await;
        old_sale(&t, "华北 电网（有限）公司", "GB-OLD-1", seller, 500_000).await;
        let id = record_customer(&t, &wang, "华北电网有限公司").await;
        let r = run_job(&t, "customers-link-sales", "2026-09-25").await;
        assert_eq!(r.processed, 1);
        let w = t.login("sales_wang").await;
        let file = w.get(&format!("/customers/{id}")).await;
        assert!(file.body.contains("GB-OLD-1"), "{}", file.body);
        assert!(
            file.body.contains("测试 gb_seller"),
            "the seller keeps the credit"
        );
        let (_, json) = t.get_json(&format!("/api/v1/customers/{id}"), &wang).await;
        assert_eq!(json["purchases"][0]["seller"], "gb_seller");
        assert_eq!(json["purchased_fen"], 500_000);
        // Linking again changes nothing.
        let again = patron::areas::customers::files::pool::link_sales(&t.ctx())
            .await
            .expect("link");
        assert_eq!(again.processed, 0);
        t.stop().await;
    }
);

both!(
    recording_a_customer_and_its_duplicate_in_chromium,
    |backend| async move {
        if browser_skipped() {
            return;
        }
        let t = spawn_app(backend).await;
        t.add_staff("desk.wang", &[("clerk", t.hq)], false).await;
        t.add_staff("desk.li", &[("clerk", t.hq)], false).await;
        let stdout = run_browser_flow(
            "customer_flow.mjs",
            &[
                ("BASE_URL", &t.base),
                ("FIRST", "desk.wang"),
                ("SECOND", "desk.li"),
                ("PASSWORD", PASSWORD),
                ("NAME", "滨江实验学校"),
                ("OWNER", "测试 desk.wang"),
            ],
        )
        .await;
        assert!(stdout.contains("browser: customer flow ok"), "{stdout}");
        t.stop().await;
    }
);
