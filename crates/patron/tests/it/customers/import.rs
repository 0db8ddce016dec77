//! The customer import page (`/customers/import`, SPEC N3, F1): a clean file is recorded whole
//! with its owners, a file with one bad row records nothing and the page names the line and
//! reason in Chinese, an xlsx with Chinese headers works, and only those who assign customers
//! may use it.

use patron::web::i18n::Lang;
use reqwest::StatusCode;

use crate::both;
use crate::support::{Browser, TestApp, spawn_app};

const CUSTOMERS: &str = "\u{feff}客户名称,类型,等级,统一社会信用代码,负责人,联系人,联系电话\n\
华东电力有限公司,企业,A,,sales1,王主任,13800138000\n\
上海市教育局,行政机关,B类,,,李老师,021-12345678\n";

/// Uploads `bytes` as `name` to the customer import with HQ as the store; status and body.
async fn upload(b: &Browser, name: &str, bytes: Vec<u8>) -> (StatusCode, String) {
    let csrf = b.get("/customers/import").await.csrf();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("store", "HQ")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let res = b
        .client
        .post(format!("{}/customers/import", b.base))
        .multipart(form)
        .send()
        .await
        .expect("post");
    let status = res.status();
    (status, res.text().await.expect("body"))
}

async fn customers(t: &TestApp) -> i64 {
    t.scalar("select count(*) from customers where $1 > 0", 1)
        .await
}

both!(
    a_customer_file_is_recorded_whole_with_its_owners,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (sales, _) = t.add_staff("sales1", &[("clerk", t.hq)], false).await;
        t.add_staff("boss", &[("supervisor", t.hq)], false).await;
        let b = t.login("boss").await;
        // The customer list leads to the page; the page offers the Chinese template.
        let list = b.get("/customers").await;
        assert!(
            list.body.contains("href=\"/customers/import\""),
            "{}",
            list.body
        );
        let template = b.get("/customers/import/template.csv").await;
        assert_eq!(template.status, StatusCode::OK);
        assert!(
            template.body.contains("客户名称,类型,等级"),
            "{}",
            template.body
        );

        let (status, body) = upload(&b, "customers.csv", CUSTOMERS.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("已导入客户: 2"), "{body}");
        assert_eq!(
            t.scalar_text(
                "select owner_staff_id from customers where name = $1",
                "华东电力有限公司"
            )
            .await,
            sales
        );
        let all = b.get("/customers?tab=all").await;
        assert!(all.body.contains("华东电力有限公司"), "{}", all.body);
        assert!(all.body.contains("上海市教育局"), "{}", all.body);
        let pool = b.get("/customers/pool").await;
        assert!(pool.body.contains("上海市教育局"), "no owner: the pool");
        t.stop().await;
    }
);

both!(
    a_customer_file_with_one_bad_row_records_nothing_and_names_it,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("sales1", &[("clerk", t.hq)], false).await;
        t.add_staff("boss", &[("supervisor", t.hq)], false).await;
        let b = t.login("boss").await;
        let file = format!("{CUSTOMERS}江南造船厂,企业,A,,nobody,,\n");
        let (status, body) = upload(&b, "bad.csv", file.into_bytes()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let row = format!(
            "<td class=\"num\">4</td><td>负责人</td><td>{}</td>",
            Lang::ZhCn.t("customers.invalid.owner")
        );
        assert!(body.contains(&row), "{body}");
        assert!(
            !body.contains("customers.invalid.owner"),
            "no codes: {body}"
        );
        assert!(
            !body.contains(Lang::En.t("customers.invalid.owner")),
            "{body}"
        );
        assert_eq!(customers(&t).await, 0, "nothing half-imported");

        // No file chosen: the page again, saying so.
        let csrf = b.get("/customers/import").await.csrf();
        let res = b
            .client
            .post(format!("{}/customers/import", b.base))
            .multipart(reqwest::multipart::Form::new().text("_csrf", csrf))
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.expect("body");
        assert!(body.contains(Lang::ZhCn.t("import.no_file")), "{body}");
        t.stop().await;
    }
);

both!(
    a_customer_xlsx_with_chinese_headers_is_recorded,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("boss", &[("supervisor", t.hq)], false).await;
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["客户名称", "类型", "等级", "联系人", "联系电话"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).expect("write");
        }
        ws.write_string(1, 0, "江南造船厂").expect("write");
        ws.write_string(1, 1, "企业").expect("write");
        ws.write_string(1, 2, "C").expect("write");
        ws.write_string(1, 3, "赵工").expect("write");
        ws.write_number(1, 4, 13900001111.0).expect("write");
        let bytes = wb.save_to_buffer().expect("xlsx");
        let b = t.login("boss").await;
        let (status, body) = upload(&b, "customers.xlsx", bytes).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("已导入客户: 1"), "{body}");
        assert_eq!(
            t.scalar_text(
                "select count(*) from customers where name = $1",
                "江南造船厂"
            )
            .await,
            1
        );
        t.stop().await;
    }
);

both!(
    only_those_who_assign_customers_may_import_them,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("sales1", &[("clerk", t.hq)], false).await;
        let b = t.login("sales1").await;
        assert_eq!(
            b.get("/customers/import").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            b.get("/customers/import/template.csv").await.status,
            StatusCode::FORBIDDEN
        );
        let list = b.get("/customers").await;
        assert!(!list.body.contains("/customers/import"), "{}", list.body);
        t.stop().await;
    }
);
