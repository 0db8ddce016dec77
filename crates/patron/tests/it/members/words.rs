//! What members and staff read from the members area is in words, not codes: the tier-change
//! SMS names the tiers in Chinese; the import takes the Chinese column names staff use, offers a
//! template, reads a consent column and calls 1990-02-30 a day that does not exist.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::spawn_app;

both!(
    the_tier_change_sms_names_the_tiers_in_chinese,
    |backend| async move {
        let t = spawn_app(backend).await;
        let key = t.till_key(t.hq, "01").await;
        let (id, card) = t.add_member("王芳", "13800000041", "").await;
        let (status, r) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                json!({"store_code": "HQ", "receipt_no": "T-1", "card_no": card,
                       "occurred_at": "2026-09-25T16:00:00+08:00",
                       "lines": [{"line_no": 1, "amount_fen": 1_200_000}]}),
            )
            .await;
        assert!(status.is_success(), "{r}");
        assert_eq!(r["tier_changed"], true, "{r}");
        let payload: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar(
                "select payload from outbox where member_id = $1 and kind = 'tier_change'",
            )
            .bind(id)
            .fetch_one(p)
            .await
            .expect("outbox")
        });
        let payload: serde_json::Value = serde_json::from_str(&payload).expect("json");
        let (_, text) = patron::notify::templates::render(
            &patron::notify::templates::Edited::default(),
            "tier_change",
            "王芳",
            &payload,
            patron::web::i18n::Lang::ZhCn,
        );
        assert_eq!(text, "王芳您好，您的会员等级已由普通会员调整为银卡。");
        t.stop().await;
    }
);

both!(
    the_import_takes_chinese_headers_a_consent_column_and_names_a_day_that_does_not_exist,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let import = |text: &'static str| {
            let ctx = t.ctx();
            async move {
                let (header, rows) =
                    patron::areas::members::import::read_file("m.csv", text.as_bytes())
                        .expect("read");
                patron::areas::members::import::import(&ctx, "HQ", &header, &rows, None)
                    .await
                    .expect("import")
            }
        };
        let r = import(
            "\u{feff}姓名,手机,生日,等级,积分,同意接收营销信息\n\
             李雷,13566660001,1990-03-01,银卡,500,是\n\
             韩梅梅,13566660002,,普通会员,0,否\n",
        )
        .await;
        assert_eq!((r.imported, r.bad.len()), (2, 0), "{:?}", r.bad);
        let consenting = t
            .scalar(
                "select count(*) from members where marketing_consent and consent_source = 'import' \
                 and consent_at is not null and $1 > 0",
                1,
            )
            .await;
        assert_eq!(consenting, 1, "李雷 said yes; 韩梅梅 said no");
        // A date that cannot exist is named as such, not as a bad format.
        let r = import("姓名,手机,生日\n张三,13566660003,1990-02-30\n").await;
        assert_eq!(r.bad.len(), 1);
        assert_eq!(
            (r.bad[0].field.as_str(), r.bad[0].reason),
            ("birthday", "invalid.no_such_date")
        );
        let r = import("姓名,手机,生日\n张三,13566660003,1990/2/xx\n").await;
        assert_eq!(r.bad[0].reason, "invalid.date");
        // The console offers the template; its example row imports as it is.
        let clerk = t.login("clerk").await;
        let page = clerk.get("/members/import").await;
        assert!(page.body.contains("下载导入模板"));
        assert!(
            page.text_of("columns")
                .is_some_and(|c| c.contains("姓名") && c.contains("手机"))
        );
        let res = clerk
            .client
            .get(format!("{}/members/import/template.csv", clerk.base))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::OK);
        let template = res.text().await.expect("body");
        assert!(
            template.starts_with("\u{feff}卡号,姓名,性别,生日,手机"),
            "{template}"
        );
        let (header, rows) =
            patron::areas::members::import::read_file("t.csv", template.as_bytes()).expect("read");
        let r = patron::areas::members::import::import(&t.ctx(), "HQ", &header, &rows, None)
            .await
            .expect("import");
        assert_eq!((r.imported, r.bad.len()), (1, 0), "{:?}", r.bad);
        t.stop().await;
    }
);
