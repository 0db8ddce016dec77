//! Callbacks (F3, F4, F8) through the real server: the log and its idempotent repeats, the
//! overdue list changing at once and following each grade's cadence, a problem escalated to the
//! manager with its answer due two working days later (a weekend and a holiday skipped), and a
//! holiday campaign built once by the daily job with its schedule and progress.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, goto, hq_token, ok, spawn_app};

/// Records a customer owned by the key's holder; its id.
async fn customer(t: &TestApp, key: &str, name: &str, kind: &str, grade: &str) -> i64 {
    let body = ok(
        t,
        "/api/v1/customers",
        key,
        json!({"name": name, "kind": kind, "grade": grade}),
    )
    .await;
    body["id"].as_i64().expect("customer id")
}

async fn log(t: &TestApp, key: &str, id: i64, body: Value) -> (StatusCode, Value) {
    t.post(&format!("/api/v1/customers/{id}/callbacks"), key, body)
        .await
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .map(|a| a.iter().filter_map(|o| o["customer_id"].as_i64()).collect())
        .unwrap_or_default()
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

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// A group-buy sale of `fen` to the organisation `org` on `on` (written behind the API: the
/// campaign only reads sales).
async fn sale(t: &TestApp, org: &str, on: &str, fen: i64) {
    let admin = t
        .scalar_text("select id from staff where username = $1", "admin")
        .await;
    let (org, key, on, hq) = (
        org.to_owned(),
        patron_core::identity::organisation_key(org),
        day(on),
        t.hq,
    );
    let at = t.app.clock.now();
    t.app
        .db
        .write(move |tx| {
            let (org, key) = (org.clone(), key.clone());
            Box::pin(async move {
                let buyer: i64 = patron::on_tx!(tx, |c| {
                    sqlx::query_scalar(
                        "insert into gb_buyers (kind, organisation, contact, created_at, org_key) \
                         values ('organisation', $1, '王主任', $2, $3) returning id",
                    )
                    .bind(&org)
                    .bind(at)
                    .bind(&key)
                    .fetch_one(c)
                    .await?
                });
                patron::on_tx!(tx, |c| {
                    sqlx::query(
                        "insert into gb_sales (sale_no, store_id, buyer_id, buyer_kind, payment, \
                         state, count, amount_fen, biz_date, expires_on, created_by, created_at) \
                         values ($1, $2, $3, 'organisation', 'transfer', 'sold', 1, $4, $5, $5, $6, $7)",
                    )
                    .bind(format!("T{buyer}"))
                    .bind(hq)
                    .bind(buyer)
                    .bind(fen)
                    .bind(on)
                    .bind(admin)
                    .bind(at)
                    .execute(c)
                    .await?
                    .rows_affected()
                });
                Ok::<_, patron::kernel::db::DbError>(())
            })
        })
        .await
        .expect("sale");
}

both!(
    a_callback_is_logged_once_and_the_overdue_list_changes_at_once,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        let li = hq_token(&t, "sales_li", "clerk").await;
        let boss = hq_token(&t, "boss", "manager").await;
        let power = customer(&t, &wang, "华东电力有限公司", "enterprise", "B").await;
        let finance = customer(&t, &wang, "市财政局", "government", "A").await;

        // Recorded on 25 September, never called: overdue after 14 days.
        goto(&t, "2026-10-10T10:00:00");
        let (status, list) = t
            .get_json("/api/v1/customers/callbacks/overdue", &wang)
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(ids(&list), vec![power, finance]);
        assert_eq!(list[0]["owner"], "sales_wang");
        assert_eq!(list[0]["days_since"], 15);
        assert!(list[0]["last_contact_at"].is_null());
        let (_, mine) = t.get_json("/api/v1/customers/callbacks/overdue", &li).await;
        assert_eq!(
            ids(&mine),
            Vec::<i64>::new(),
            "a salesperson sees their own"
        );
        let (_, all) = t
            .get_json("/api/v1/customers/callbacks/overdue", &boss)
            .await;
        assert_eq!(ids(&all).len(), 2, "the manager sees everyone's");

        // Logged with a key: a repeat logs nothing more and answers the same callback.
        let body = json!({"way": "phone", "summary": "询问中秋节前是否发放职工福利",
            "outcome": "节前发购物卡，约五万元", "next_step": "九月五日前送报价", "key": "cb-1"});
        let (status, first) = log(&t, &wang, power, body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["customer_id"], power);
        assert_eq!(first["caller"], "sales_wang");
        assert_eq!(first["way"], "phone");
        assert!(first["escalation"].is_null());
        let (status, again) = log(&t, &wang, power, body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
        assert_eq!(again["id"], first["id"]);
        let count =
            "select cast(count(*) as bigint) from customer_callbacks where customer_id = $1";
        assert_eq!(t.scalar(count, power).await, 1);
        // The same repeat sent many times at once: still one callback.
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (http, base, key) = (t.http.clone(), t.base.clone(), wang.clone());
            let body = json!({"way": "visit", "summary": "同时重发", "key": "cb-race"});
            tasks.push(tokio::spawn(async move {
                let res = http
                    .post(format!("{base}/api/v1/customers/{power}/callbacks"))
                    .bearer_auth(key)
                    .json(&body)
                    .send()
                    .await
                    .expect("request");
                (res.status(), res.json::<Value>().await.unwrap_or_default())
            }));
        }
        let mut seen = std::collections::BTreeSet::new();
        for task in tasks {
            let (status, body) = task.await.expect("task");
            assert_eq!(status, StatusCode::CREATED, "{body}");
            seen.insert(body["id"].as_i64().unwrap_or_default());
        }
        assert_eq!(seen.len(), 1, "one callback answered to every repeat");
        assert_eq!(t.scalar(count, power).await, 2);
        let (status, other) = log(&t, &wang, finance, body).await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "the key belongs to another customer: {other}"
        );

        // The overdue list changed at once.
        let (_, list) = t
            .get_json("/api/v1/customers/callbacks/overdue", &wang)
            .await;
        assert_eq!(ids(&list), vec![finance]);
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from customers where id = $1 and last_contact_at is not null",
                power
            )
            .await,
            1
        );

        // Someone else's customer is refused; a manager may log it.
        let (status, body) = log(
            &t,
            &li,
            finance,
            json!({"way": "visit", "summary": "顺路拜访"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "not_customer_owner");
        let (status, body) = log(
            &t,
            &boss,
            finance,
            json!({"way": "visit", "summary": "经理拜访"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (_, list) = t
            .get_json("/api/v1/customers/callbacks/overdue", &wang)
            .await;
        assert_eq!(ids(&list), Vec::<i64>::new());

        // Bad input names its fields and writes nothing.
        let (status, body) = log(&t, &wang, power, json!({"way": "fax", "summary": ""})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let bad = fields(&body);
        assert!(
            bad.contains(&"way".into()) && bad.contains(&"summary".into()),
            "{bad:?}"
        );
        let (status, body) = log(
            &t,
            &wang,
            power,
            json!({"way": "phone", "summary": "明天的回访", "at": "2026-10-11T10:00:00+08:00"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), vec!["at".to_owned()]);
        assert_eq!(t.scalar(count, power).await, 2);

        // A customer in the pool is claimed first.
        t.exec(
            "update customers set owner_staff_id = null where id = $1",
            power,
        )
        .await;
        let (status, body) =
            log(&t, &boss, power, json!({"way": "phone", "summary": "回访"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "customer_in_pool");

        // The console: the customer's log with its form, everyone's log, exports and the book.
        let b = t.login("sales_wang").await;
        let page = b.get(&format!("/customers/{finance}/callbacks")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("经理拜访") && page.body.contains("callback-form"));
        let res = b
            .post(
                &format!("/customers/{finance}/callbacks"),
                &format!("/customers/{finance}/callbacks"),
                &[("way", "mail"), ("summary", "")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "re-shown");
        let res = b
            .post(
                &format!("/customers/{finance}/callbacks"),
                &format!("/customers/{finance}/callbacks"),
                &[
                    ("way", "mail"),
                    ("summary", "寄送节日礼品目录"),
                    ("outcome", "已收到"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = b.get("/customers/callbacks").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("寄送节日礼品目录") && page.body.contains("询问中秋节前"));
        let csv = b
            .client
            .get(format!("{}/customers/callbacks.csv", b.base))
            .send()
            .await
            .expect("csv");
        assert_eq!(csv.status(), StatusCode::OK);
        let text = csv.text().await.expect("text");
        assert!(
            text.contains("回访内容概括") && text.contains("寄送节日礼品目录"),
            "{text}"
        );
        let print = b.get("/customers/callbacks/print").await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(print.body.contains("客户回访登记本") && print.body.contains("市财政局"));
        let page = b.get("/customers/callbacks/overdue").await;
        assert_eq!(page.status, StatusCode::OK);
        // The manager's list, per salesperson.
        t.exec("update customers set owner_staff_id = (select id from staff where username = 'sales_li') where id = $1", finance)
            .await;
        goto(&t, "2026-10-30T10:00:00");
        let page = t
            .login("boss")
            .await
            .get("/customers/callbacks/overdue")
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let (per, _) = page.body.split_once("id=\"overdue\"").expect("two tables");
        assert!(per.contains("测试 sales_li"), "{per}");
        t.stop().await;
    }
);

both!(
    each_grade_is_called_back_within_its_own_cadence,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        t.exec(
            "update customer_settings set cadence_a_days = 7 where id = $1",
            1,
        )
        .await;
        let a = customer(&t, &wang, "市教育局", "government", "A").await;
        let c = customer(&t, &wang, "城东五金店", "individual", "C").await;
        goto(&t, "2026-10-02T10:00:00");
        let (_, list) = t
            .get_json("/api/v1/customers/callbacks/overdue", &wang)
            .await;
        assert_eq!(ids(&list), Vec::<i64>::new(), "seven days: not yet");
        goto(&t, "2026-10-03T10:00:00");
        let (_, list) = t
            .get_json("/api/v1/customers/callbacks/overdue", &wang)
            .await;
        assert_eq!(
            ids(&list),
            vec![a],
            "grade A every 7 days; grade C every 14"
        );
        assert_eq!(list[0]["days_since"], 8);
        goto(&t, "2026-10-10T10:00:00");
        let (_, list) = t
            .get_json("/api/v1/customers/callbacks/overdue", &wang)
            .await;
        assert_eq!(ids(&list), vec![a, c]);
        t.stop().await;
    }
);

both!(
    an_escalated_problem_is_due_two_working_days_later_skipping_a_holiday,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        let boss = hq_token(&t, "boss", "manager").await;
        let id = customer(&t, &wang, "市第一医院", "enterprise", "A").await;
        // Monday 28 September is a holiday in the office calendar.
        let at = t.app.clock.now();
        t.app
            .db
            .write(move |tx| {
                Box::pin(async move {
                    patron::areas::calendar::store::set_day(
                        tx,
                        "office",
                        &patron::areas::calendar::store::DayRow {
                            on_date: day("2026-09-28"),
                            hours: String::new(),
                            note: "调休".into(),
                        },
                        None,
                        at,
                    )
                    .await
                })
            })
            .await
            .expect("holiday");

        // Friday 25 September: Saturday, Sunday and the Monday holiday do not count.
        let (status, body) = log(
            &t,
            &wang,
            id,
            json!({"way": "visit", "summary": "洽谈节日福利采购", "outcome": "客户要求九折",
                   "escalate": true, "problem": "九折超出本人权限"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["escalation"]["due_on"], "2026-09-30", "{body}");
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from outbox where kind = 'customer_escalation' and to_store_id = $1",
                t.hq
            )
            .await,
            1,
            "the managers of the store are told"
        );

        let (status, _) = t.get_json("/api/v1/customers/escalations", &wang).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, open) = t.get_json("/api/v1/customers/escalations", &boss).await;
        assert_eq!(status, StatusCode::OK, "{open}");
        assert_eq!(open[0]["problem"], "九折超出本人权限");
        assert_eq!(open[0]["due_on"], "2026-09-30");
        let eid = open[0]["id"].as_i64().expect("id");
        let path = format!("/api/v1/customers/escalations/{eid}/answer");
        let (status, body) = t.post(&path, &boss, json!({"answer": " "})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) = t.post(&path, &boss, json!({"answer": "同意九五折"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = t.post(&path, &boss, json!({"answer": "再答一次"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(
            t.scalar_text(
                "select cast(count(*) as bigint) from audit_log where action = $1",
                "customers.escalation_answered"
            )
            .await,
            1
        );
        let (_, open) = t.get_json("/api/v1/customers/escalations", &boss).await;
        assert_eq!(open.as_array().map(Vec::len), Some(0));
        let b = t.login("boss").await;
        let page = b.get("/customers/escalations").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("同意九五折"));
        let csv = b
            .client
            .get(format!("{}/customers/escalations.csv", b.base))
            .send()
            .await
            .expect("csv");
        assert_eq!(csv.status(), StatusCode::OK);
        let text = csv.text().await.expect("text");
        assert!(
            text.contains("九折超出本人权限") && text.contains("2026-09-30"),
            "{text}"
        );
        t.stop().await;
    }
);

both!(
    the_mid_autumn_campaign_is_built_once_with_its_schedule_and_progress,
    |backend| async move {
        let t = spawn_app(backend).await;
        let wang = hq_token(&t, "sales_wang", "clerk").await;
        let li = hq_token(&t, "sales_li", "clerk").await;
        let boss = hq_token(&t, "boss", "manager").await;
        let shop = customer(&t, &wang, "城东五金店", "individual", "C").await;
        let power = customer(&t, &wang, "华东电力有限公司", "enterprise", "B").await;
        let finance = customer(&t, &wang, "市财政局", "government", "A").await;
        let school = customer(&t, &li, "市第一中学", "collective", "B").await;
        sale(&t, "华东电力有限公司", "2026-09-10", 3_000_000).await;
        sale(&t, "华东电力有限公司", "2026-09-20", 2_000_000).await;

        // 23 days before: no list yet; 22 days before (24 August): built, once.
        let job = "customers-holiday-campaigns";
        goto(&t, "2027-08-23T09:00:00");
        patron::app::jobs::run(&t.app, job, day("2027-08-23"), None)
            .await
            .expect("job");
        let (status, body) = t
            .get_json(
                "/api/v1/customers/holiday-calls?festival=mid_autumn&year=2027",
                &wang,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["code"], "campaign_not_built");
        goto(&t, "2027-08-24T09:00:00");
        let r = patron::app::jobs::run(&t.app, job, day("2027-08-24"), None)
            .await
            .expect("job");
        assert_eq!(r.processed, 1);
        let again = patron::app::jobs::run(&t.app, job, day("2027-08-24"), None)
            .await
            .expect("job");
        assert!(again.already_done);
        goto(&t, "2027-08-25T09:00:00");
        let next_day = patron::app::jobs::run(&t.app, job, day("2027-08-25"), None)
            .await
            .expect("job");
        assert_eq!(next_day.processed, 0, "built once per festival and year");
        assert_eq!(
            t.scalar(
                "select cast(count(*) as bigint) from customer_campaign_calls where campaign_id > $1",
                0
            )
            .await,
            4
        );

        let (status, body) = t
            .get_json(
                "/api/v1/customers/holiday-calls?festival=mid_autumn&year=2027",
                &boss,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["festival_date"], "2027-09-15");
        let calls = body["calls"].as_array().cloned().unwrap_or_default();
        assert_eq!(calls.len(), 4);
        let working = [
            "2027-08-31",
            "2027-09-01",
            "2027-09-02",
            "2027-09-03",
            "2027-09-06",
        ];
        for k in &calls {
            let on = k["call_on"].as_str().unwrap_or_default();
            assert!(
                working.contains(&on),
                "a working day of 31 Aug – 6 Sep: {k}"
            );
            assert!(k["owner"] == "sales_wang" || k["owner"] == "sales_li");
        }
        let of = |id: i64| {
            calls
                .iter()
                .find(|k| k["customer_id"] == id)
                .cloned()
                .unwrap_or_default()
        };
        // Large state-owned first, then the frequent buyer; spread over the week per person.
        assert_eq!(of(finance)["call_on"], "2027-08-31");
        assert_eq!(of(power)["call_on"], "2027-09-01");
        assert_eq!(of(shop)["call_on"], "2027-09-03");
        assert_eq!(
            of(school)["call_on"],
            "2027-08-31",
            "another salesperson's week"
        );
        assert_eq!(
            of(power)["gift_visit_on"],
            "2027-09-08",
            "a gift visit before 中秋"
        );
        assert!(of(shop)["gift_visit_on"].is_null());
        let (_, mine) = t
            .get_json(
                "/api/v1/customers/holiday-calls?festival=mid_autumn&year=2027",
                &li,
            )
            .await;
        assert_eq!(mine["calls"].as_array().map(Vec::len), Some(1));

        // Bad codes are refused clearly.
        let (status, body) = t
            .get_json(
                "/api/v1/customers/holiday-calls?festival=dragon_boat&year=2027",
                &wang,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), vec!["festival".to_owned()]);
        let (status, body) = t
            .get_json(
                "/api/v1/customers/holiday-calls?festival=national_day&year=abc",
                &wang,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // The call on 1 September: reached, intends to buy ¥50,000; a sale follows.
        goto(&t, "2027-09-01T10:00:00");
        let (status, body) = log(
            &t,
            &wang,
            power,
            json!({"way": "phone", "summary": "中秋福利", "outcome": "发购物卡",
                   "reached": true, "intends": true, "expected_fen": 5_000_000}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        sale(&t, "华东电力有限公司", "2027-09-03", 4_500_000).await;
        let campaign = t
            .scalar_text(
                "select id from customer_campaigns where festival = $1",
                "mid_autumn",
            )
            .await;
        let view = patron::areas::customers::callbacks::campaigns::view(&t.ctx(), campaign)
            .await
            .expect("view");
        assert_eq!(
            (
                view.campaign.called,
                view.campaign.reached,
                view.campaign.intends
            ),
            (1, 1, 1)
        );
        assert_eq!(view.campaign.expected_fen, 5_000_000);
        let call = view
            .calls
            .iter()
            .find(|k| k.customer_id == power)
            .expect("call");
        assert_eq!(call.sales_after_fen, 4_500_000);
        assert_eq!(call.purchases, 2);
        let (_, body) = t
            .get_json(
                "/api/v1/customers/holiday-calls?festival=mid_autumn&year=2027",
                &wang,
            )
            .await;
        let called: Vec<bool> = body["calls"]
            .as_array()
            .map(|a| a.iter().map(|k| k["called"] == true).collect())
            .unwrap_or_default();
        assert_eq!(called.iter().filter(|c| **c).count(), 1);

        let b = t.login("boss").await;
        let page = b.get(&format!("/customers/campaigns/{campaign}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("华东电力有限公司") && page.body.contains("2027-08-31"));
        let list = b.get("/customers/campaigns").await;
        assert_eq!(list.status, StatusCode::OK);
        // Building at once is idempotent too.
        let res = b
            .post(
                "/customers/campaigns",
                "/customers/campaigns",
                &[("festival", "mid_autumn")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(
            res.location.as_deref(),
            Some(format!("/customers/campaigns/{campaign}?ok=flash.saved").as_str())
        );
        t.stop().await;
    }
);
