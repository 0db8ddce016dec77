//! A month of group buying end to end, reconciled against figures computed here, and a signed
//! month that nothing changes any more.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    bank, cash, count_in, desk, movements, org, person, real_name, redeem, requisition, sale,
    series, stamp, with,
};
use crate::both;
use crate::support::{goto, ok, spawn_app};

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
            cash(sale(person("李女士"), "cash", &[("1-50", "", "")]), "5000"),
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
            cash(
                sale(org("北京某某商贸公司"), "cash", &[("51-99", "", "")]),
                "4900",
            ),
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
            cash(
                sale(
                    person("赵先生"),
                    "cash",
                    &[("400-409", "50", "店庆活动改面值")],
                ),
                "500",
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
        let run = patron::app::jobs::run(&t.app, "groupbuy-daily-report", day, None)
            .await
            .expect("job");
        assert_eq!((run.processed, run.already_done), (1, false));
        let again = patron::app::jobs::run(&t.app, "groupbuy-daily-report", day, None)
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
        cash(sale(person("李女士"), "cash", &[("1-10", "", "")]), "1000"),
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
        cash(sale(person("张先生"), "cash", &[("11-20", "", "")]), "1000"),
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
