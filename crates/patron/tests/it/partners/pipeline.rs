//! The partner pipeline: every step dated with its note, a refused skip, two clerks moving the
//! same partner at once, and a bad form re-shown.

use reqwest::StatusCode;

use super::{TODAY, contract, count, create, manager, step, step_ok};
use crate::both;
use crate::support::{Browser, spawn_app};

both!(
    the_whole_pipeline_is_dated_with_notes_and_a_skip_is_refused,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = manager(&t, "partner_mgr").await;
        let id = create(&b, "金鼎轩酒楼", "2026-09-01", "商圈内口碑好的餐饮").await;

        // A skip (screened → agreed) is refused, names the field, and writes nothing.
        let skip = step(&b, id, "agreed", "2026-09-02", "跳步").await;
        assert_eq!(skip.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(skip.body.contains("只能逐步推进"), "{}", skip.body);
        assert!(skip.body.contains("跳步"), "the note is re-shown");
        assert_eq!(
            count(
                &t,
                "select cast(count(*) as bigint) from partner_stages where partner_id = $1",
                id
            )
            .await,
            1
        );

        step_ok(
            &b,
            id,
            "contacted",
            "2026-09-05",
            "初次电话联系，对方有意向",
        )
        .await;
        step_ok(&b, id, "negotiating", "2026-09-10", "洽谈折扣与结算方式").await;
        // A date before the last step is refused.
        let early = step(&b, id, "agreed", "2026-09-08", "倒填").await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
        step_ok(&b, id, "agreed", "2026-09-15", "同意会员九折").await;
        // Signing needs the contract on file.
        let unsigned = step(&b, id, "signed", "2026-09-16", "签约").await;
        assert_eq!(unsigned.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unsigned.body.contains("须先登记合同"));
        let k = contract(
            &b,
            id,
            "TY-2026-001",
            "2026-09-20",
            "2027-09-19",
            "凭会员卡九折",
        )
        .await;
        assert_eq!(k.status, StatusCode::SEE_OTHER, "{}", k.body);
        step_ok(&b, id, "signed", "2026-09-18", "签订合作合同").await;
        step_ok(&b, id, "active", "2026-09-20", "开始合作").await;
        // A document on file.
        let doc = b
            .post(
                &format!("/partners/{id}/documents"),
                &format!("/partners/{id}"),
                &[
                    ("doc_no", "DA-001"),
                    ("title", "合作合同正本"),
                    ("kept_at", "会员部档案柜 A-3"),
                    ("contract_no", "TY-2026-001"),
                ],
            )
            .await;
        assert_eq!(doc.status, StatusCode::SEE_OTHER, "{}", doc.body);

        let page = b.get(&format!("/partners/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        for text in [
            "2026-09-01",
            "商圈内口碑好的餐饮",
            "2026-09-05",
            "初次电话联系，对方有意向",
            "2026-09-10",
            "2026-09-15",
            "2026-09-18",
            "签订合作合同",
            "2026-09-20",
            "合作中",
            "TY-2026-001",
            "9折",
            "月结，商户返点3%",
            "DA-001",
            "会员部档案柜 A-3",
            "138****8000",
        ] {
            assert!(page.body.contains(text), "the partner file shows {text}");
        }
        assert!(!page.body.contains("13800138000"), "the phone is masked");
        assert_eq!(
            count(
                &t,
                "select cast(count(*) as bigint) from partner_stages where partner_id = $1",
                id
            )
            .await,
            6
        );
        // The phone is stored encrypted and never audited in full.
        let stored: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select contact_phone_enc from partners where id = $1")
                .bind(id)
                .fetch_one(p)
                .await
                .expect("row")
        });
        assert!(!stored.contains("13800138000"));
        assert_eq!(count(&t, "select cast(count(*) as bigint) from audit_log where after like '%13800138000%' and seq > $1", 0).await, 0);
        // The history is append-only.
        let tampered = patron::on_db!(t.app.db, |p| {
            sqlx::query("update partner_stages set note = 'x' where partner_id = $1")
                .bind(id)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        });
        assert!(tampered.is_err(), "history rows cannot be changed");
        // Ended from any stage; nothing moves after.
        step_ok(&b, id, "ended", TODAY, "商户停业").await;
        let after = step(&b, id, "active", TODAY, "").await;
        assert_eq!(after.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The print view of the file.
        let print = b.get(&format!("/partners/{id}/print")).await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(print.body.contains("特约商户档案") && print.body.contains("商户停业"));
        t.stop().await;
    }
);

both!(
    two_parallel_step_changes_have_one_winner,
    |backend| async move {
        let t = spawn_app(backend).await;
        let a = manager(&t, "partner_a").await;
        let b = manager(&t, "partner_b").await;
        let id = create(&a, "同仁堂药店", "2026-09-01", "").await;
        let page = format!("/partners/{id}");
        // Both clerks open the page (stage screened), then both press "contacted" at once.
        let ta = a.get(&page).await.csrf();
        let tb = b.get(&page).await.csrf();
        let send = |br: &Browser, token: String, note: &'static str| {
            let req = br
                .client
                .post(format!("{}/partners/{id}/stage", br.base))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("from", "screened"),
                    ("to", "contacted"),
                    ("on_date", "2026-09-02"),
                    ("note", note),
                ]);
            async move { req.send().await.expect("post").status() }
        };
        let (ra, rb) = tokio::join!(send(&a, ta, "甲联系"), send(&b, tb, "乙联系"));
        let statuses = [ra, rb];
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::SEE_OTHER)
                .count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
                .count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(
        count(&t, "select cast(count(*) as bigint) from partner_stages where partner_id = $1 and to_stage = 'contacted'", id).await,
        1
    );
        // The loser is told why, in their language.
        let again = b
            .post(
                &format!("/partners/{id}/stage"),
                &page,
                &[
                    ("from", "screened"),
                    ("to", "contacted"),
                    ("on_date", "2026-09-02"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("已被他人更新"), "{}", again.body);
        t.stop().await;
    }
);

both!(
    a_bad_partner_form_is_reshown_with_422_in_the_users_language,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = manager(&t, "partner_mgr").await;
        let fields = [
            ("name", ""),
            ("category", "catering"),
            ("address", "西单北大街 120 号"),
            ("contact_phone", "12345"),
            ("callback_every_days", "0"),
        ];
        let res = b.post("/partners", "/partners", &fields).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("西单北大街 120 号"),
            "the input is re-shown"
        );
        assert!(
            res.body.contains("必填") && res.body.contains("带区号的固定电话"),
            "{}",
            res.body
        );
        assert_eq!(
            count(
                &t,
                "select cast(count(*) as bigint) from partners where id > $1",
                0
            )
            .await,
            0
        );
        // In English after switching the language.
        let sw = b
            .post("/account/lang", "/partners", &[("lang", "en")])
            .await;
        assert_eq!(sw.status, StatusCode::SEE_OTHER);
        let res = b.post("/partners", "/partners", &fields).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("Required") && res.body.contains("landline"),
            "{}",
            res.body
        );
        // A bad contract form too.
        let id = create(&b, "爱车汽修", "2026-09-01", "").await;
        let k = contract(&b, id, "TY-9", "2026-09-06", "2026-09-01", "").await;
        assert_eq!(k.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            k.body.contains("Record the contract")
                || k.body.contains("agreed")
                || k.body.contains("before the start"),
            "{}",
            k.body
        );
        t.stop().await;
    }
);
