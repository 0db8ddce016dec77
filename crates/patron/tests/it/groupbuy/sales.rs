//! Sales: a cheque that bounces and gives its serials back, and every prepaid-card limit at,
//! below and above its threshold.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    bank, cash, count_in, desk, movements, org, person, real_name, requisition, sale, series,
    stamp, with,
};
use crate::both;
use crate::support::{ok, spawn_app};

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
            cash(sale(person("李"), "cash", &[("30-45", "", "")]), "8000"),
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
