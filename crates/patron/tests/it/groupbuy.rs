//! Group-buy vouchers (SPEC E) through the real server: a whole month of the department's paper
//! process as one story, the prepaid-card limits, cheques that clear and bounce, the till
//! endpoints with check codes and their rate limit, a closed month, and 10,000 concurrent
//! redeems of 100 vouchers.

use patron_core::vouchers::{Serial, check_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, goto, hq_token, ok, spawn_app};

/// The people of the story, each with an API token, and a till.
pub struct Desk {
    pub clerk: String,
    pub supervisor: String,
    pub manager: String,
    pub cashier: String,
    pub finance_manager: String,
    pub till: String,
}

pub async fn desk(t: &TestApp) -> Desk {
    Desk {
        clerk: hq_token(t, "gb_clerk", "clerk").await,
        supervisor: hq_token(t, "gb_super", "supervisor").await,
        manager: hq_token(t, "gb_manager", "manager").await,
        cashier: hq_token(t, "fin_cashier", "cashier").await,
        finance_manager: hq_token(t, "fin_manager", "finance_manager").await,
        till: t.till_key(t.hq, "T01").await,
    }
}

pub async fn series(t: &TestApp, d: &Desk, code: &str, face: &str, count: i64) -> Value {
    ok(
        t,
        "/api/v1/groupbuy/series",
        &d.cashier,
        json!({"code": code, "name": format!("团购券 {code}"), "face_value": face, "expires_on": "2030-12-31", "count": count.to_string()}),
    )
    .await
}

/// Requests, approves, prepares, hands over and receives a requisition; returns its id.
pub async fn requisition(t: &TestApp, d: &Desk, lines: &[(&str, i64)], ranges: &str) -> i64 {
    let r = ok(
        t,
        "/api/v1/groupbuy/requisitions",
        &d.clerk,
        json!({"store_code": "HQ", "purpose": "节日团购备券", "lines": lines.iter().map(|(f, q)| json!({"face_value": f, "quantity": q.to_string()})).collect::<Vec<_>>()}),
    )
    .await;
    let id = r["id"].as_i64().expect("id");
    let approval = r["approval_id"].as_i64().expect("approval");
    ok(
        t,
        &format!("/api/v1/groupbuy/approvals/{approval}"),
        &d.manager,
        json!({"decision": "approve"}),
    )
    .await;
    let today = t
        .app
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    ok(
        t,
        &format!("/api/v1/groupbuy/requisitions/{id}/prepare"),
        &d.cashier,
        json!({"ranges": ranges, "pickup_on": today.to_string()}),
    )
    .await;
    ok(
        t,
        &format!("/api/v1/groupbuy/requisitions/{id}/hand-over"),
        &d.cashier,
        json!({}),
    )
    .await;
    ok(
        t,
        &format!("/api/v1/groupbuy/requisitions/{id}/receive"),
        &d.clerk,
        json!({"serials_checked": true, "seal_checked": true, "quantity_checked": true}),
    )
    .await;
    id
}

pub async fn stamp(t: &TestApp, d: &Desk, ranges: &str) {
    ok(
        t,
        "/api/v1/groupbuy/stamp",
        &d.clerk,
        json!({"store_code": "HQ", "ranges": ranges}),
    )
    .await;
}

fn org(name: &str) -> Value {
    json!({"kind": "organisation", "organisation": name, "contact": "王经理", "phone": "010-65001234"})
}

fn person(name: &str) -> Value {
    json!({"kind": "person", "contact": name, "phone": "13900001111"})
}

fn sale(buyer: Value, payment: &str, lines: &[(&str, &str, &str)]) -> Value {
    json!({
        "store_code": "HQ", "buyer": buyer, "payment": payment,
        "lines": lines.iter().map(|(r, f, why)| json!({"range": r, "face_value": f, "change_reason": why})).collect::<Vec<_>>(),
    })
}

fn with(mut v: Value, extra: Value) -> Value {
    if let (Some(a), Some(b)) = (v.as_object_mut(), extra.as_object()) {
        for (k, x) in b {
            a.insert(k.clone(), x.clone());
        }
    }
    v
}

fn bank() -> Value {
    json!({"cheque_no": "10203040", "bank": "工商银行王府井支行", "account_name": "北京某某科技有限公司", "account_no": "0200001009000123456"})
}

fn real_name() -> Value {
    json!({"real_name": "王小明", "id_number": "11010519491231002X"})
}

async fn count_in(t: &TestApp, state: &'static str) -> i64 {
    let sql: &'static str = match state {
        "stock" => {
            "select count(*) from vouchers where store_id = $1 and state in ('received', 'stamped', 'reserved')"
        }
        "sold" => "select count(*) from vouchers where store_id = $1 and state = 'sold'",
        "redeemed" => "select count(*) from vouchers where store_id = $1 and state = 'redeemed'",
        "stamped" => "select count(*) from vouchers where store_id = $1 and state = 'stamped'",
        "reserved" => "select count(*) from vouchers where store_id = $1 and state = 'reserved'",
        _ => panic!("state {state}"),
    };
    t.scalar(sql, t.hq).await
}

async fn movements(t: &TestApp) -> i64 {
    t.scalar("select count(*) + 0 * $1 from voucher_movements", 0)
        .await
}

async fn redeem(t: &TestApp, d: &Desk, serial: i64, receipt: &str) -> (StatusCode, Value) {
    let code = check_code(&t.app.secrets.voucher_key, Serial(serial));
    t.post(
        &format!("/api/v1/pos/vouchers/{}/redeem", Serial(serial)),
        &d.till,
        json!({"store_code": "HQ", "till_id": "T01", "receipt_no": receipt, "check_code": code}),
    )
    .await
}

both!(
    a_month_of_group_buying_reconciles_to_figures_computed_independently,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        // Finance prints three series: ¥100 and ¥500 for sale, ¥100 for rebates.
        let a = series(&t, &d, "A26", "100", 2000).await;
        assert_eq!(
            (a["first_serial"].as_str(), a["last_serial"].as_str()),
            (Some("00000001"), Some("00002000"))
        );
        series(&t, &d, "B26", "500", 1000).await;
        series(&t, &d, "R26", "100", 500).await;

        // September: 500 × ¥100 and 200 × ¥500 received, 300 stamped, 50 sold for cash.
        goto(&t, "2026-09-28T10:00:00");
        requisition(&t, &d, &[("100", 500), ("500", 200)], "1-500\n2001-2200").await;
        stamp(&t, &d, "1-300").await;
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            sale(person("李女士"), "cash", &[("1-50", "", "")]),
        )
        .await;

        // October.
        goto(&t, "2026-10-08T10:00:00");
        requisition(&t, &d, &[("100", 400)], "501-800\n3001-3100").await;
        stamp(&t, &d, "301-800\n2001-2200\n3001-3100").await;

        goto(&t, "2026-10-10T10:00:00");
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            sale(org("北京某某商贸公司"), "cash", &[("51-99", "", "")]),
        )
        .await;
        // ¥5,000 in cash from an organisation is refused, naming the rule; nothing is written.
        let before = movements(&t).await;
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/sales",
                &d.clerk,
                sale(org("北京某某商贸公司"), "cash", &[("100-149", "", "")]),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "prepaid_rule");
        assert_eq!(body["errors"][0]["code"], "e12.cash_organisation");
        assert_eq!(body["errors"][0]["field"], "payment");
        assert_eq!(movements(&t).await, before);

        // A ¥60,000 cheque: reserved until it clears three days later.
        goto(&t, "2026-10-12T10:00:00");
        let buyer = org("北京某某科技有限公司");
        let cheque = ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            with(
                with(
                    sale(buyer.clone(), "cheque", &[("2001-2120", "", "")]),
                    bank(),
                ),
                real_name(),
            ),
        )
        .await;
        assert_eq!(cheque["state"], "reserved");
        assert_eq!(cheque["due_on"], "2026-10-15");
        assert_eq!(cheque["amount_fen"], 6_000_000);
        let cheque_id = cheque["sale_id"].as_i64().expect("sale id");
        let buyer_id = t
            .scalar("select buyer_id from gb_sales where id = $1", cheque_id)
            .await;
        // The tills cannot take a reserved voucher.
        let (status, body) = redeem(&t, &d, 2001, "R-EARLY").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_not_sold"))
        );
        goto(&t, "2026-10-13T10:00:00");
        let (status, body) = t
            .post(
                &format!("/api/v1/groupbuy/sales/{cheque_id}/release"),
                &d.clerk,
                json!({"reason": "cleared"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "not before the cheque is due: {body}"
        );
        // Another cheque that will bounce.
        goto(&t, "2026-10-14T10:00:00");
        let bouncing = ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            with(
                with(
                    sale(org("某某物流公司"), "cheque", &[("2121-2160", "", "")]),
                    bank(),
                ),
                real_name(),
            ),
        )
        .await;
        goto(&t, "2026-10-15T10:00:00");
        ok(
            &t,
            &format!("/api/v1/groupbuy/sales/{cheque_id}/release"),
            &d.clerk,
            json!({"reason": "cleared"}),
        )
        .await;
        goto(&t, "2026-10-16T10:00:00");
        ok(
            &t,
            &format!("/api/v1/groupbuy/sales/{}/bounce", bouncing["sale_id"]),
            &d.clerk,
            json!({"reason": "余额不足退票"}),
        )
        .await;
        // A transfer by the same buyer, released at once on a counter-deposit slip.
        goto(&t, "2026-10-18T10:00:00");
        let transfer = ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            with(with(json!({"store_code": "HQ", "buyer_id": buyer_id, "payment": "transfer", "lines": [{"range": "100-399"}]}), bank()), real_name()),
        )
        .await;
        ok(
            &t,
            &format!("/api/v1/groupbuy/sales/{}/release", transfer["sale_id"]),
            &d.clerk,
            json!({"reason": "counter_deposit", "counter_slip_no": "YH-20261018-7"}),
        )
        .await;
        // Ten ¥100 vouchers sold at ¥50: the face value changes, with the reason.
        goto(&t, "2026-10-20T10:00:00");
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/sales",
                &d.clerk,
                sale(person("赵先生"), "cash", &[("400-409", "50", "")]),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "lines[0].change_reason");
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            sale(
                person("赵先生"),
                "cash",
                &[("400-409", "50", "店庆活动改面值")],
            ),
        )
        .await;

        goto(&t, "2026-10-21T16:00:00");
        let cash_slip = ok(
            &t,
            "/api/v1/groupbuy/deposits",
            &d.clerk,
            json!({"store_code": "HQ", "kind": "cash"}),
        )
        .await;
        // The Sept and Oct cash sales not yet paid in: ¥5,000 + ¥4,900 + ¥500.
        assert_eq!(cash_slip["amount_fen"], 1_040_000);
        let cheque_slip = ok(
            &t,
            "/api/v1/groupbuy/deposits",
            &d.clerk,
            json!({"store_code": "HQ", "kind": "cheque"}),
        )
        .await;
        assert_eq!(cheque_slip["amount_fen"], 6_000_000 + 3_000_000);

        // A rebate on ¥90,000 of purchases: 3% → ¥2,700, paid in 27 rebate vouchers.
        goto(&t, "2026-10-22T10:00:00");
        let rebate = ok(
            &t,
            "/api/v1/groupbuy/rebates",
            &d.clerk,
            json!({"store_code": "HQ", "buyer_id": buyer_id}),
        )
        .await;
        assert_eq!(
            (
                rebate["purchase_fen"].as_i64(),
                rebate["rebate_fen"].as_i64()
            ),
            (Some(9_000_000), Some(270_000))
        );
        let rebate_id = rebate["id"].as_i64().expect("rebate");
        // The clerk cannot approve; the manager does, and the slip gets its reconciliation number.
        let approval = rebate["approval_id"].as_i64().expect("approval");
        let (status, _) = t
            .post(
                &format!("/api/v1/groupbuy/approvals/{approval}"),
                &d.clerk,
                json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        ok(
            &t,
            &format!("/api/v1/groupbuy/approvals/{approval}"),
            &d.manager,
            json!({"decision": "approve"}),
        )
        .await;
        ok(
            &t,
            &format!("/api/v1/groupbuy/rebates/{rebate_id}/notify"),
            &d.clerk,
            json!({"how": "phone"}),
        )
        .await;
        // Vouchers worth more than the rebate are refused and nothing moves.
        let (status, body) = t
            .post(
                &format!("/api/v1/groupbuy/rebates/{rebate_id}/pay"),
                &d.clerk,
                json!({"ranges": "3001-3028", "signed_name": "王经理"}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_state"))
        );
        let paid = ok(
            &t,
            &format!("/api/v1/groupbuy/rebates/{rebate_id}/pay"),
            &d.clerk,
            json!({"ranges": "3001-3027", "signed_name": "王经理"}),
        )
        .await;
        assert_eq!(paid["state"], "paid");
        let recon_no = paid["recon_no"]
            .as_str()
            .expect("reconciliation number")
            .to_string();
        assert!(recon_no.starts_with("DZ2026-"), "{recon_no}");

        // Write-offs: 5 damaged, 2 lost, each approved.
        goto(&t, "2026-10-25T10:00:00");
        for (kind, ranges) in [("damage", "410-414"), ("lose", "415-416")] {
            let w = ok(&t, "/api/v1/groupbuy/writeoffs", &d.clerk, json!({"store_code": "HQ", "kind": kind, "ranges": ranges, "reason": "柜台清点发现"})).await;
            let approval = t
                .scalar(
                    "select approval_id from gb_writeoffs where id = $1",
                    w["id"].as_i64().expect("id"),
                )
                .await;
            ok(
                &t,
                &format!("/api/v1/groupbuy/approvals/{approval}"),
                &d.supervisor,
                json!({"decision": "approve"}),
            )
            .await;
        }

        // The tills use six vouchers; a second use names when and where the first was.
        goto(&t, "2026-10-26T12:00:00");
        for (i, serial) in [51, 52, 53, 54, 55, 3001].into_iter().enumerate() {
            let (status, body) = redeem(&t, &d, serial, &format!("POS-{i}")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let (status, again) = redeem(&t, &d, 51, "POS-0").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the same receipt again gets the first answer"
        );
        let (status, used) = redeem(&t, &d, 51, "POS-99").await;
        assert_eq!(
            (status, used["code"].as_str()),
            (StatusCode::CONFLICT, Some("voucher_used"))
        );
        assert!(
            used["detail"].as_str().unwrap_or("").contains("HQ"),
            "{used}"
        );
        assert_eq!(again["face_value_fen"], 10_000);

        // The 17:00 report of the 15th lists the released cheque's serials.
        let (_, report) = t
            .get_json(
                "/api/v1/groupbuy/reports/daily?store_code=HQ&date=2026-10-15",
                &d.clerk,
            )
            .await;
        assert_eq!(report["sales"][0]["ranges"][0], "00002001-00002120");
        assert_eq!(report["amount_fen"], 6_000_000);
        // The 17:00 job stores the day's report once per store.
        let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 18).expect("date");
        let run = patron::jobs::run(&t.app, "groupbuy-daily-report", day, None)
            .await
            .expect("job");
        assert_eq!((run.processed, run.already_done), (1, false));
        let again = patron::jobs::run(&t.app, "groupbuy-daily-report", day, None)
            .await
            .expect("job");
        assert!(again.already_done);
        let stored = patron::areas::groupbuy::report::stored(&t.app.db, t.hq, day)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!((stored.count, stored.amount_fen), (300, 3_000_000));
        assert_eq!(stored.sales[0].ranges, ["00000100-00000399"]);
        assert_eq!(
            stored.journal.len(),
            2,
            "the transfer received and its vouchers handed over"
        );

        // Month end: the figures, computed here from what the story did.
        let opening = 700 - 50;
        let received = 400;
        let sold = 49 + 120 + 300 + 10;
        let rebated = 27;
        let written_off = 5 + 2;
        let closing = opening + received - sold - rebated - written_off;
        assert_eq!(closing, 537);
        assert_eq!(
            count_in(&t, "stock").await,
            closing,
            "the vouchers held agree"
        );
        goto(&t, "2026-11-02T09:30:00");
        let (status, figs) = t
            .get_json("/api/v1/groupbuy/reconciliations/HQ/2026-10", &d.clerk)
            .await;
        assert_eq!(status, StatusCode::OK, "{figs}");
        assert_eq!(
            figs["counts"],
            json!({"opening": opening, "received": received, "sold": sold, "rebated": rebated, "written_off": written_off, "reissued": 0, "closing": closing})
        );
        assert_eq!(figs["received_fen"], 400 * 10_000);
        assert_eq!(figs["sold_fen"], 490_000 + 6_000_000 + 3_000_000 + 50_000);
        assert_eq!(
            figs["sold_printed_fen"],
            490_000 + 6_000_000 + 3_000_000 + 100_000
        );
        assert_eq!(figs["face_changes"][0]["reason"], "店庆活动改面值");
        assert_eq!(figs["face_changes"][0]["range"], "00000400-00000409");
        assert_eq!(figs["rebate_fen"], 270_000);
        assert_eq!(figs["rebate_slips"][0]["recon_no"], recon_no.as_str());
        assert_eq!(
            (
                figs["damaged"].as_i64(),
                figs["lost"].as_i64(),
                figs["void"].as_i64()
            ),
            (Some(5), Some(2), Some(0))
        );
        assert_eq!(figs["redeemed"], 6);
        assert_eq!(figs["deposited_fen"], 1_040_000 + 9_000_000);

        // Finance cannot sign first; the department signs, then finance; the month is closed.
        let (status, _) = t
            .post(
                "/api/v1/groupbuy/reconciliations/HQ/2026-10/finance",
                &d.finance_manager,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = t
            .post(
                "/api/v1/groupbuy/reconciliations/HQ/2026-10/department",
                &d.finance_manager,
                json!({}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "finance does not sign for the department"
        );
        ok(
            &t,
            "/api/v1/groupbuy/reconciliations/HQ/2026-10/department",
            &d.manager,
            json!({}),
        )
        .await;
        let signed = ok(
            &t,
            "/api/v1/groupbuy/reconciliations/HQ/2026-10/finance",
            &d.finance_manager,
            json!({}),
        )
        .await;
        assert_eq!(signed["counts"]["closing"], closing);
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/reconciliations/HQ/2026-10/department",
                &d.manager,
                json!({}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("month_closed"))
        );
        assert_eq!(
            t.scalar(
                "select count(*) from gb_reconciliations where closed and store_id = $1",
                t.hq
            )
            .await,
            1
        );

        let check = patron::areas::groupbuy::check::verify(&t.app.db)
            .await
            .expect("check");
        assert!(check.ok(), "{check:?}");
        assert_eq!(check.months_checked, 1);
        t.stop().await;
    }
);

both!(a_signed_month_never_changes, |backend| async move {
    let t = spawn_app(backend).await;
    let d = desk(&t).await;
    series(&t, &d, "A26", "100", 100).await;
    goto(&t, "2026-09-28T10:00:00");
    requisition(&t, &d, &[("100", 100)], "1-100").await;
    stamp(&t, &d, "1-100").await;
    ok(
        &t,
        "/api/v1/groupbuy/sales",
        &d.clerk,
        sale(person("李女士"), "cash", &[("1-10", "", "")]),
    )
    .await;
    // September cannot be signed before it has ended.
    let (status, _) = t
        .post(
            "/api/v1/groupbuy/reconciliations/HQ/2026-09/department",
            &d.manager,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    goto(&t, "2026-10-01T09:00:00");
    ok(
        &t,
        "/api/v1/groupbuy/reconciliations/HQ/2026-09/department",
        &d.manager,
        json!({}),
    )
    .await;
    ok(
        &t,
        "/api/v1/groupbuy/reconciliations/HQ/2026-09/finance",
        &d.finance_manager,
        json!({}),
    )
    .await;
    // The database itself refuses to change or delete a closed month.
    let tamper = t
        .app
        .db
        .write(|tx| {
            Box::pin(async move {
                patron::on_tx!(tx, |c| {
                    sqlx::query("update gb_reconciliations set figures = '{}'")
                        .execute(c)
                        .await
                        .map(|r| r.rows_affected())
                })
                .map_err(patron::kernel::db::DbError::from)
            })
        })
        .await;
    assert!(tamper.is_err(), "a closed month was changed");
    // A write dated inside a closed month is refused (here: a movement booked on 30 Sept
    // by a clock set back, as a wrong server time would).
    t.clock.advance(chrono::Duration::days(-2));
    let (status, body) = t
        .post(
            "/api/v1/groupbuy/stamp",
            &d.clerk,
            json!({"store_code": "HQ", "ranges": "50-60"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("month_closed")),
        "{body}"
    );
    t.clock.advance(chrono::Duration::days(2));
    // October's activity leaves September's figures as signed.
    ok(
        &t,
        "/api/v1/groupbuy/sales",
        &d.clerk,
        sale(person("张先生"), "cash", &[("11-20", "", "")]),
    )
    .await;
    let row = patron::areas::groupbuy::reconcile::get(&t.app.db, t.hq, "2026-09")
        .await
        .expect("read")
        .expect("row");
    let (_, now) = t
        .get_json("/api/v1/groupbuy/reconciliations/HQ/2026-09", &d.clerk)
        .await;
    let signed: Value = serde_json::from_str(&row.figures).expect("json");
    assert_eq!(signed, now);
    assert_eq!(now["counts"]["sold"], 10);
    let check = patron::areas::groupbuy::check::verify(&t.app.db)
        .await
        .expect("check");
    assert!(check.ok(), "{check:?}");
    t.stop().await;
});

both!(
    a_bounced_cheque_returns_its_serials_to_stock,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "B26", "500", 100).await;
        requisition(&t, &d, &[("500", 100)], "1-100").await;
        stamp(&t, &d, "1-100").await;
        let s = ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            with(
                with(sale(org("某某公司"), "cheque", &[("1-40", "", "")]), bank()),
                real_name(),
            ),
        )
        .await;
        assert_eq!(count_in(&t, "reserved").await, 40);
        // Reserved vouchers cannot be sold again.
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/sales",
                &d.clerk,
                sale(person("李"), "cash", &[("30-45", "", "")]),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_state")),
            "{body}"
        );
        assert_eq!(body["errors"][0]["field"], "lines[0].range");
        // Paid in to finance the same day (E6), then it bounces: the desk's journal does not
        // lose the amount twice.
        ok(
            &t,
            "/api/v1/groupbuy/deposits",
            &d.clerk,
            json!({"store_code": "HQ", "kind": "cheque"}),
        )
        .await;
        ok(
            &t,
            &format!("/api/v1/groupbuy/sales/{}/bounce", s["sale_id"]),
            &d.clerk,
            json!({"reason": "印鉴不符"}),
        )
        .await;
        assert_eq!(
            t.scalar("select cast(coalesce(sum(debit_fen - credit_fen), 0) as bigint) from gb_journal where store_id = $1", t.hq).await,
            0,
            "nothing is left on hand after the deposit and the bounce"
        );
        assert_eq!(count_in(&t, "reserved").await, 0);
        assert_eq!(count_in(&t, "stamped").await, 100);
        assert_eq!(count_in(&t, "sold").await, 0);
        // A bounced sale releases nothing.
        let (status, _) = t
            .post(
                &format!("/api/v1/groupbuy/sales/{}/release", s["sale_id"]),
                &d.clerk,
                json!({"reason": "counter_deposit", "counter_slip_no": "X"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        // The serials can be sold again.
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            sale(person("李"), "cash", &[("30-45", "", "")]),
        )
        .await;
        assert_eq!(count_in(&t, "sold").await, 16);
        let check = patron::areas::groupbuy::check::verify(&t.app.db)
            .await
            .expect("check");
        assert!(check.ok(), "{check:?}");
        t.stop().await;
    }
);

both!(
    every_prepaid_card_limit_at_below_and_above_its_threshold,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        // 600 × ¥100 anonymous, valid into 2030; 10 named ¥2,000 vouchers; 10 anonymous ¥100
        // vouchers that expire too soon.
        series(&t, &d, "A26", "100", 600).await;
        ok(&t, "/api/v1/groupbuy/series", &d.cashier, json!({"code": "N26", "name": "记名券", "face_value": "2000", "named": true, "expires_on": "2030-12-31", "count": "10"})).await;
        ok(&t, "/api/v1/groupbuy/series", &d.cashier, json!({"code": "S26", "name": "短期券", "face_value": "100", "expires_on": "2027-06-30", "count": "10"})).await;
        // An anonymous ¥1,000.01 series cannot even be printed; ¥1,000 can.
        let (status, body) = t.post("/api/v1/groupbuy/series", &d.cashier, json!({"code": "X", "name": "x", "face_value": "1000.01", "expires_on": "2030-12-31", "count": "1"})).await;
        assert_eq!(
            (status, body["errors"][0]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("e12.anonymous_face"))
        );
        ok(&t, "/api/v1/groupbuy/series", &d.cashier, json!({"code": "K26", "name": "千元券", "face_value": "1000", "expires_on": "2030-12-31", "count": "1"})).await;
        requisition(
            &t,
            &d,
            &[("100", 610), ("2000", 10), ("1000", 1)],
            "1-600\n601-610\n611-620\n621",
        )
        .await;
        stamp(&t, &d, "1-621").await;
        let check = |body: Value| {
            let t = &t;
            let key = d.clerk.clone();
            async move {
                let (status, out) = t.post("/api/v1/groupbuy/sales/check", &key, body).await;
                assert_eq!(status, StatusCode::OK, "{out}");
                out["rules"].as_array().cloned().unwrap_or_default()
            }
        };
        let rules = |v: &[&str]| v.iter().map(|s| json!(s)).collect::<Vec<_>>();
        // Organisations: cash below ¥5,000 is fine; at and above it is refused.
        assert_eq!(
            check(sale(org("甲"), "cash", &[("1-49", "", "")])).await,
            rules(&[])
        );
        assert_eq!(
            check(sale(org("甲"), "cash", &[("1-50", "", "")])).await,
            rules(&["e12.cash_organisation"])
        );
        assert_eq!(
            check(sale(org("甲"), "cash", &[("1-51", "", "")])).await,
            rules(&["e12.cash_organisation"])
        );
        // Persons: cash up to ¥49,999.99; ¥50,000 and more refused (real name given, as it must
        // be from ¥10,000).
        let p = |r: &str, f: &str| with(sale(person("钱"), "cash", &[(r, f, "批量")]), real_name());
        assert_eq!(check(p("1-500", "99.99")).await, rules(&[]));
        assert_eq!(check(p("1-500", "100")).await, rules(&["e12.cash_person"]));
        assert_eq!(check(p("1-501", "")).await, rules(&["e12.cash_person"]));
        // Real name and ID from ¥10,000: below, at, above.
        let tr = |r: &str| with(sale(org("乙"), "transfer", &[(r, "", "")]), bank());
        assert_eq!(check(tr("1-99")).await, rules(&[]));
        assert_eq!(check(tr("1-100")).await, rules(&["e12.real_name"]));
        assert_eq!(check(tr("1-101")).await, rules(&["e12.real_name"]));
        assert_eq!(check(with(tr("1-101"), real_name())).await, rules(&[]));
        // Named vouchers need the real name whatever the amount.
        assert_eq!(
            check(sale(person("孙"), "cash", &[("601", "", "")])).await,
            rules(&["e12.real_name"])
        );
        // Transfers and cheques record the paying account.
        assert_eq!(
            check(sale(org("丙"), "transfer", &[("1-10", "", "")])).await,
            rules(&["e12.paying_account"])
        );
        assert_eq!(
            check(sale(org("丙"), "cheque", &[("1-10", "", "")]))
                .await
                .len(),
            0,
            "a cheque without its number is a field error"
        );
        // No credit cards, ever.
        assert_eq!(
            check(sale(person("周"), "credit_card", &[("1", "", "")])).await,
            rules(&["e12.no_credit_card"])
        );
        // Anonymous face value: ¥1,000 is the most; a changed face value above it is refused.
        assert_eq!(
            check(sale(person("吴"), "cash", &[("621", "", "")])).await,
            rules(&[])
        );
        assert_eq!(
            check(sale(person("吴"), "cash", &[("1", "1000.01", "改面值")])).await,
            rules(&["e12.anonymous_face"])
        );
        // Validity: the short series (June 2027) is less than three years from today.
        assert_eq!(
            check(sale(person("郑"), "cash", &[("611", "", "")])).await,
            rules(&["e12.anonymous_validity"])
        );
        // A refused sale writes nothing.
        let before = movements(&t).await;
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/sales",
                &d.clerk,
                sale(org("甲"), "cash", &[("1-50", "", "")]),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("prepaid_rule"))
        );
        assert_eq!(movements(&t).await, before);
        assert_eq!(
            t.scalar("select count(*) + 0 * $1 from gb_buyers", 0).await,
            0
        );
        t.stop().await;
    }
);

both!(
    tills_need_the_check_code_and_wrong_codes_are_rate_limited,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 20).await;
        requisition(&t, &d, &[("100", 20)], "1-20").await;
        stamp(&t, &d, "1-20").await;
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            sale(person("李"), "cash", &[("1-10", "", "")]),
        )
        .await;
        let key = t.app.secrets.voucher_key;
        let right = check_code(&key, Serial(3));
        let (status, v) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00000003?check_code={right}"),
                &d.till,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            v,
            json!({"serial": "00000003", "face_value_fen": 10000, "state": "sold", "expires_on": "2030-12-31"})
        );
        // Missing code: a field error. Unknown serial and wrong code: the same 404.
        let (status, body) = t.get_json("/api/v1/pos/vouchers/00000003", &d.till).await;
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("check_code"))
        );
        let wrong = if right == "000000" {
            "000001"
        } else {
            "000000"
        };
        let (s1, b1) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00000003?check_code={wrong}"),
                &d.till,
            )
            .await;
        let (s2, b2) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00099999?check_code={right}"),
                &d.till,
            )
            .await;
        assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
        assert_eq!(
            (b1["code"].clone(), b1["detail"].clone()),
            (b2["code"].clone(), b2["detail"].clone())
        );
        // Three more wrong codes reach the limit of five a minute: then even a right code waits.
        for _ in 0..3 {
            let (s, _) = t
                .get_json(
                    &format!("/api/v1/pos/vouchers/00000004?check_code={wrong}"),
                    &d.till,
                )
                .await;
            assert_eq!(s, StatusCode::NOT_FOUND);
        }
        let (status, body) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00000003?check_code={right}"),
                &d.till,
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
        );
        // Guesses sent in parallel are checked one at a time: the limit holds.
        let guesser = t.till_key(t.hq, "T09").await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let (http, base, key) = (t.http.clone(), t.base.clone(), guesser.clone());
            tasks.push(tokio::spawn(async move {
                http.get(format!(
                    "{base}/api/v1/pos/vouchers/00000003?check_code={:06}",
                    900_000 + i
                ))
                .bearer_auth(&key)
                .send()
                .await
                .expect("send")
                .status()
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.expect("task"));
        }
        let evaluated = statuses
            .iter()
            .filter(|s| **s != StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(evaluated, 5, "{statuses:?}");
        // Another till is not held up; the first one is free again a minute later.
        let other = t.till_key(t.hq, "T02").await;
        let (status, _) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00000003?check_code={right}"),
                &other,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        t.clock.advance(chrono::Duration::seconds(61));
        let (status, _) = t
            .get_json(
                &format!("/api/v1/pos/vouchers/00000003?check_code={right}"),
                &d.till,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // Unsold and expired vouchers are refused with their codes.
        let (status, body) = redeem(&t, &d, 15, "R-1").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_not_sold"))
        );
        goto(&t, "2031-01-01T10:00:00");
        let (status, body) = redeem(&t, &d, 5, "R-2").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::GONE, Some("voucher_expired"))
        );
        // E12: the expired, unused voucher is exchanged at the desk for a new one of the same
        // face value; the till takes the new one and refuses the old.
        ok(&t, "/api/v1/groupbuy/series", &d.cashier, json!({"code": "S31", "name": "新券", "face_value": "100", "expires_on": "2035-12-31", "count": "5"})).await;
        requisition(&t, &d, &[("100", 5)], "21-25").await;
        stamp(&t, &d, "21-25").await;
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/exchanges",
                &d.clerk,
                json!({"store_code": "HQ", "old_serial": "00000005", "new_serial": "00000021"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["face_value_fen"], 10_000);
        let (status, _) = redeem(&t, &d, 21, "R-3").await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = redeem(&t, &d, 5, "R-4").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_void"))
        );
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/exchanges",
                &d.clerk,
                json!({"store_code": "HQ", "old_serial": "00000005", "new_serial": "00000022"}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_state")),
            "exchanged once only"
        );
        let check = patron::areas::groupbuy::check::verify(&t.app.db)
            .await
            .expect("check");
        assert!(check.ok(), "{check:?}");
        t.stop().await;
    }
);

both!(
    ten_thousand_concurrent_redeems_of_a_hundred_vouchers_succeed_a_hundred_times,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        requisition(&t, &d, &[("100", 100)], "1-100").await;
        stamp(&t, &d, "1-100").await;
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            with(
                sale(person("李"), "cash", &[("1-100", "", "")]),
                real_name(),
            ),
        )
        .await;
        let key = t.app.secrets.voucher_key;
        let tills: Vec<String> = {
            let mut v = Vec::new();
            for i in 0..10 {
                v.push(t.till_key(t.hq, &format!("C{i:02}")).await);
            }
            v
        };
        let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(400));
        let mut tasks = Vec::new();
        for i in 0..10_000usize {
            let serial = Serial(i64::try_from(i % 100).unwrap_or(0) + 1);
            let (http, base, till, gate) = (
                t.http.clone(),
                t.base.clone(),
                tills[i % 10].clone(),
                gate.clone(),
            );
            let code = check_code(&key, serial);
            tasks.push(tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.expect("permit");
                let res = http
                    .post(format!("{base}/api/v1/pos/vouchers/{serial}/redeem"))
                    .bearer_auth(&till)
                    .json(&json!({"store_code": "HQ", "receipt_no": format!("CR-{i}"), "check_code": code}))
                    .send()
                    .await
                    .expect("send");
                let status = res.status();
                let body: Value = res.json().await.expect("json");
                (status, body)
            }));
        }
        let (mut used, mut refused) = (0, 0);
        for task in tasks {
            let (status, body) = task.await.expect("task");
            match status {
                StatusCode::OK => used += 1,
                StatusCode::CONFLICT => {
                    assert_eq!(body["code"], "voucher_used");
                    refused += 1;
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        eprintln!(
            "10,000 concurrent redeems of 100 vouchers: {used} succeeded, {refused} refused as used"
        );
        assert_eq!((used, refused), (100, 9_900));
        assert_eq!(count_in(&t, "redeemed").await, 100);
        assert_eq!(
            t.scalar(
                "select count(*) from voucher_movements where kind = 'redeem' and $1 = $1",
                0
            )
            .await,
            100
        );
        let check = patron::areas::groupbuy::check::verify(&t.app.db)
            .await
            .expect("check");
        assert!(check.ok(), "{check:?}");
        t.stop().await;
    }
);

both!(
    a_range_partly_elsewhere_moves_nothing_and_names_what_its_vouchers_are,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        requisition(&t, &d, &[("100", 50)], "1-50").await;
        // 51-100 are still at finance: stamping 40-60 stamps nothing.
        let (status, body) = t
            .post(
                "/api/v1/groupbuy/stamp",
                &d.clerk,
                json!({"store_code": "HQ", "ranges": "40-60"}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voucher_state"))
        );
        let detail = body["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("11 received") && detail.contains("10 finance"),
            "{detail}"
        );
        assert_eq!(count_in(&t, "stamped").await, 0);
        // Unstamped vouchers cannot be sold.
        let (status, _) = t
            .post(
                "/api/v1/groupbuy/sales",
                &d.clerk,
                sale(person("李"), "cash", &[("1-10", "", "")]),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Finance cannot sell; the clerk cannot print.
        let (status, _) = t
            .post(
                "/api/v1/groupbuy/stamp",
                &d.cashier,
                json!({"store_code": "HQ", "ranges": "1-10"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = t.post("/api/v1/groupbuy/series", &d.clerk, json!({"code": "Z", "name": "z", "face_value": "100", "expires_on": "2030-12-31", "count": "1"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The hand-over needs all three checks, and names the missing one.
        let r = ok(&t, "/api/v1/groupbuy/requisitions", &d.clerk, json!({"store_code": "HQ", "purpose": "补券", "lines": [{"face_value": "100", "quantity": "50"}]})).await;
        let (id, approval) = (
            r["id"].as_i64().expect("id"),
            r["approval_id"].as_i64().expect("approval"),
        );
        ok(
            &t,
            &format!("/api/v1/groupbuy/approvals/{approval}"),
            &d.manager,
            json!({"decision": "approve"}),
        )
        .await;
        // Finance must set aside exactly what was asked.
        let (status, body) = t
            .post(
                &format!("/api/v1/groupbuy/requisitions/{id}/prepare"),
                &d.cashier,
                json!({"ranges": "51-90", "pickup_on": "2026-09-26"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        // Two finance clerks preparing at once: one wins, the other's ranges stay free.
        let path = format!("/api/v1/groupbuy/requisitions/{id}/prepare");
        let (a, b) = tokio::join!(
            t.post(
                &path,
                &d.cashier,
                json!({"ranges": "51-100", "pickup_on": "2026-09-26"})
            ),
            t.post(
                &path,
                &d.finance_manager,
                json!({"ranges": "51-100", "pickup_on": "2026-09-27"})
            ),
        );
        let wins = [a.0, b.0].iter().filter(|s| s.is_success()).count();
        assert_eq!(wins, 1, "{a:?} {b:?}");
        assert_eq!(
            t.scalar(
                "select count(*) from vouchers where requisition_id = $1",
                id
            )
            .await,
            50
        );
        ok(
            &t,
            &format!("/api/v1/groupbuy/requisitions/{id}/hand-over"),
            &d.cashier,
            json!({}),
        )
        .await;
        let (status, body) = t
            .post(
                &format!("/api/v1/groupbuy/requisitions/{id}/receive"),
                &d.clerk,
                json!({"serials_checked": true, "quantity_checked": true}),
            )
            .await;
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("seal_checked"))
        );
        assert_eq!(count_in(&t, "stock").await, 50);
        t.stop().await;
    }
);

both!(
    the_console_pages_forms_and_paper_forms_of_the_desk,
    |backend| async move {
        let t = spawn_app(backend).await;
        let d = desk(&t).await;
        series(&t, &d, "A26", "100", 100).await;
        requisition(&t, &d, &[("100", 100)], "1-100").await;
        stamp(&t, &d, "1-60").await;
        let buyer = org("北京某某科技有限公司");
        let sale = ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            with(sale(buyer, "cheque", &[("1-20", "", "")]), bank()),
        )
        .await;
        let sale_id = sale["sale_id"].as_i64().expect("sale");
        let clerk = t.login("gb_clerk").await;
        for path in [
            "/groupbuy",
            "/groupbuy/requisitions",
            "/groupbuy/sales/new",
            "/groupbuy/sales",
            "/groupbuy/sales?state=reserved",
            &format!("/groupbuy/sales/{sale_id}"),
            "/groupbuy/report",
            "/groupbuy/rebates",
            "/groupbuy/reconcile",
            "/groupbuy/register",
            "/groupbuy/requisitions/1/report.print",
            "/groupbuy/pickup-register/print",
            &format!("/groupbuy/sales/{sale_id}/cheque.print"),
            "/groupbuy/report.print",
            "/groupbuy/rebate-register/print",
            "/groupbuy/reconcile.print",
        ] {
            let page = clerk.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        }
        // The paper forms carry their own titles.
        assert!(
            clerk
                .get("/groupbuy/requisitions/1/report.print")
                .await
                .body
                .contains("请示报告单")
        );
        assert!(
            clerk
                .get("/groupbuy/pickup-register/print")
                .await
                .body
                .contains("领券登记表")
        );
        assert!(
            clerk
                .get(&format!("/groupbuy/sales/{sale_id}/cheque.print"))
                .await
                .body
                .contains("第二联")
        );
        assert!(
            clerk
                .get("/groupbuy/report.print")
                .await
                .body
                .contains("现金日记帐")
        );
        assert!(
            clerk
                .get("/groupbuy/reconcile.print")
                .await
                .body
                .contains("上月结存团购券张数")
        );
        // The register is confidential: exports carry the phone; finance cannot read it.
        let csv = clerk.get("/groupbuy/register.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains("010-65001234") && csv.body.contains("北京某某科技有限公司"));
        assert_eq!(
            clerk.get("/groupbuy/sales.xlsx").await.status,
            StatusCode::OK
        );
        let (fin, _) = t.add_staff("fin_reader", &[("cashier", t.hq)], false).await;
        let _ = fin;
        let finance = t.login("fin_reader").await;
        assert_eq!(
            finance.get("/groupbuy/register").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(finance.get("/groupbuy").await.status, StatusCode::OK);
        // A refused form comes back with what was typed and the reason, in Chinese.
        let before = movements(&t).await;
        let page = clerk
            .post(
                "/groupbuy/stamp",
                "/groupbuy",
                &[("store_code", "HQ"), ("ranges", "55-70")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("55-70"), "the input is re-shown");
        assert!(
            page.body.contains("券号段中有券不在所需状态"),
            "{}",
            page.body
        );
        assert_eq!(movements(&t).await, before);
        let page = clerk
            .post(
                "/groupbuy/sales",
                "/groupbuy/sales/new",
                &[
                    ("store_code", "HQ"),
                    ("buyer.kind", "organisation"),
                    ("buyer.organisation", "甲公司"),
                    ("buyer.contact", "张"),
                    ("buyer.phone", "13900001111"),
                    ("payment", "cash"),
                    ("lines[0].range", "21-70"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.body
                .contains("单位一次性购买5000元（含）以上，不得使用现金"),
            "the rule is named"
        );
        assert!(page.body.contains("甲公司") && page.body.contains("21-70"));
        // A good cash sale from the console, then its 17:00 notice.
        let page = clerk
            .post(
                "/groupbuy/sales",
                "/groupbuy/sales/new",
                &[
                    ("store_code", "HQ"),
                    ("buyer.kind", "person"),
                    ("buyer.contact", "李女士"),
                    ("buyer.phone", "13900001111"),
                    ("payment", "cash"),
                    ("lines[0].range", "21-30"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let notice = clerk.get("/groupbuy/report.print").await.body;
        assert!(
            notice.contains("00000021-00000030")
                && notice.contains("财务总收")
                && notice.contains("收银部")
        );
        // Deposit slips from the console print with the amount in capitals.
        let page = clerk
            .post(
                "/groupbuy/deposits",
                "/groupbuy/sales",
                &[("store_code", "HQ"), ("kind", "cash")],
            )
            .await;
        let slip = page.location.expect("to the slip");
        let slip = clerk.get(&slip).await.body;
        assert!(
            slip.contains("内部进帐单") && slip.contains("壹仟元整"),
            "{slip}"
        );
        t.stop().await;
    }
);
