//! Partner merchants (M4): one partner taken from screening to active with a contract and a
//! callback, another only screened, counted by stage and by month.

use reqwest::StatusCode;

use super::{nums, page, refusals, row, xlsx, xrow};
use crate::both;
use crate::support::{Browser, spawn_app};

async fn create(b: &Browser, name: &str, on: &str) -> i64 {
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
                ("note", "筛选"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.location
        .expect("location")
        .trim_start_matches("/partners/")
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("partner id")
}

async fn post(b: &Browser, id: i64, what: &str, fields: &[(&str, &str)]) {
    let page = format!("/partners/{id}");
    let res = b.post(&format!("{page}/{what}"), &page, fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{what}: {}", res.body);
}

both!(
    partners_count_by_stage_and_month_with_contracts_and_callbacks,
    |backend| async move {
        let t = spawn_app(backend).await;
        let xd = crate::support::add_store(&t, "XD").await;
        t.add_staff("boss", &[("manager", t.hq), ("manager", xd)], false)
            .await;
        let b = t.login("boss").await;
        let hotel = create(&b, "鸿运大酒店", "2026-09-01").await;
        for (to, on) in [
            ("contacted", "2026-09-02"),
            ("negotiating", "2026-09-03"),
            ("agreed", "2026-09-04"),
        ] {
            post(
                &b,
                hotel,
                "stage",
                &[("to", to), ("on_date", on), ("note", "推进")],
            )
            .await;
        }
        post(
            &b,
            hotel,
            "contracts",
            &[
                ("contract_no", "HT-2026-01"),
                ("starts_on", "2026-09-10"),
                ("ends_on", "2027-09-09"),
                ("benefit_zh", "凭会员卡九折"),
                ("benefit_en", "10% off with the member card"),
                ("discount_permille", "900"),
                ("settlement_terms", "月结"),
                ("stores", "HQ"),
            ],
        )
        .await;
        for (to, on) in [("signed", "2026-09-05"), ("active", "2026-09-10")] {
            post(
                &b,
                hotel,
                "stage",
                &[("to", to), ("on_date", on), ("note", "签约")],
            )
            .await;
        }
        post(
            &b,
            hotel,
            "callbacks",
            &[
                ("on_date", "2026-09-22"),
                ("way", "phone"),
                ("content", "了解会员使用情况"),
                ("issues", ""),
                ("follow_up", ""),
                ("next_due_on", "2026-10-22"),
            ],
        )
        .await;
        create(&b, "康辉旅行社", "2026-09-20").await;

        let rows = page(&b, "/reports/partners").await;
        assert_eq!(rows[0][0], "合作阶段", "by stage first");
        assert_eq!(row(&rows, "筛选"), ["筛选", "1", "2", "0", "0", "0", "0"]);
        assert_eq!(row(&rows, "签约"), ["签约", "0", "1", "0", "0", "0", "0"]);
        assert_eq!(
            row(&rows, "合作中"),
            ["合作中", "1", "1", "1", "1", "0", "1"]
        );
        assert_eq!(row(&rows, "终止"), ["终止", "0", "0", "0", "0", "0", "0"]);
        assert_eq!(row(&rows, "合计"), ["合计", "2", "7", "1", "1", "0", "1"]);
        let rows = page(&b, "/reports/partners?by=month").await;
        assert_eq!(rows[0][0], "月份");
        assert_eq!(
            row(&rows, "2026-09"),
            ["2026-09", "2", "5", "1", "1", "0", "1"]
        );
        assert_eq!(row(&rows, "2026-08")[4], "0", "not yet in force in August");
        // The contract applies at HQ only: another store's figures have none.
        let rows = page(&b, "/reports/partners?store=XD").await;
        assert_eq!(row(&rows, "合计")[3..5], ["0", "0"]);

        let x = xlsx(&b, &t, "/reports/partners/file?format=xlsx").await;
        assert_eq!(
            xrow(&x, "合作中")[1..7],
            nums(&[1.0, 1.0, 1.0, 1.0, 0.0, 1.0])[..]
        );

        refusals(&t, "partners", &b, "cashier").await;
        t.stop().await;
    }
);
