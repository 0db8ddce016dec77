//! The receipt import page (`/points/import`, SPEC N3): a clean file is credited whole, a file
//! with one bad row credits nothing and the page names the line and reason in Chinese, an xlsx
//! with Chinese headers works, the same file twice adds nothing, and only the desk that enters
//! missed receipts may use it.

use patron::web::i18n::Lang;
use reqwest::StatusCode;

use crate::both;
use crate::support::{Browser, TestApp, balance, spawn_app};

const RECEIPTS: &str = "\u{feff}门店,小票号,卡号,消费时间,行号,商品编码,金额,特价\n\
HQ,WEB-0001,{card},2026-09-25 10:00,1,SKU1,128.00,否\n\
HQ,WEB-0001,{card},2026-09-25 10:00,2,SKU2,35.00,是\n\
HQ,WEB-0002,{card},2026/09/25 11:30,,SKU3,200,\n";

/// Uploads `bytes` as `name` to the receipt import with HQ as the store; status and body.
async fn upload(b: &Browser, name: &str, bytes: Vec<u8>) -> (StatusCode, String) {
    let csrf = b.get("/points/import").await.csrf();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("store", "HQ")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let res = b
        .client
        .post(format!("{}/points/import", b.base))
        .multipart(form)
        .send()
        .await
        .expect("post");
    let status = res.status();
    (status, res.text().await.expect("body"))
}

async fn receipts_of(t: &TestApp, member: i64) -> i64 {
    t.scalar(
        "select count(*) from receipts where source = 'import' and member_id = $1",
        member,
    )
    .await
}

both!(
    a_receipt_file_is_credited_once_and_a_repeat_adds_nothing,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("desk", &[("clerk", t.hq)], false).await;
        let (member, card) = t.add_member("王芳", "13800001111", "1980-03-01").await;
        let b = t.login("desk").await;
        // The members list leads to the page; the page offers the Chinese template.
        let list = b.get("/members").await;
        assert!(
            list.body.contains("href=\"/points/import\""),
            "{}",
            list.body
        );
        let page = b.get("/points/import").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("小票号"), "{}", page.body);
        let template = b.get("/points/import/template.csv").await;
        assert_eq!(template.status, StatusCode::OK);
        assert!(
            template
                .body
                .contains("门店,小票号,卡号,消费时间,行号,商品编码,金额,特价"),
            "{}",
            template.body
        );

        let file = RECEIPTS.replace("{card}", &card).into_bytes();
        let (status, body) = upload(&b, "receipts.csv", file.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // 128 yuan counts, the promotional line does not, 200 yuan counts.
        assert!(body.contains("已记积分的小票: 2"), "{body}");
        assert!(body.contains("共记积分: 328"), "{body}");
        assert_eq!(balance(&t, member).await, 328);
        assert_eq!(receipts_of(&t, member).await, 2);

        // The same file again: nothing new, and the page says so.
        let (status, body) = upload(&b, "receipts.csv", file).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("id=\"nothing-new\""), "{body}");
        assert!(
            body.contains("此前已记过、本次未重复记入的小票: 2"),
            "{body}"
        );
        assert_eq!(balance(&t, member).await, 328);
        assert_eq!(receipts_of(&t, member).await, 2);
        t.stop().await;
    }
);

both!(
    a_receipt_file_with_one_bad_row_credits_nothing_and_names_it,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("desk", &[("clerk", t.hq)], false).await;
        let (member, card) = t.add_member("李雷", "13800002222", "1985-05-05").await;
        let b = t.login("desk").await;
        let file = format!(
            "{}HQ,WEB-0003,{card},2026-09-25 12:00,1,SKU4,abc,否\n",
            RECEIPTS.replace("{card}", &card)
        );
        let (status, body) = upload(&b, "bad.csv", file.into_bytes()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let row = format!(
            "<td class=\"num\">5</td><td>金额</td><td>{}</td>",
            Lang::ZhCn.t("invalid.amount")
        );
        assert!(body.contains(&row), "{body}");
        assert!(body.contains(Lang::ZhCn.t("import.rejected")), "{body}");
        assert!(!body.contains(Lang::En.t("invalid.amount")), "{body}");
        assert!(!body.contains("invalid.amount"), "no codes: {body}");
        assert_eq!(balance(&t, member).await, 0, "nothing half-imported");
        assert_eq!(receipts_of(&t, member).await, 0);

        // A file that is not a CSV or xlsx is refused in words, not by a code.
        let (status, body) = upload(&b, "bad.xlsx", b"not a workbook".to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains(Lang::ZhCn.t("import.unreadable")), "{body}");
        t.stop().await;
    }
);

both!(
    a_receipt_xlsx_with_chinese_headers_keeps_the_time,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("desk", &[("clerk", t.hq)], false).await;
        let (member, card) = t.add_member("周一", "13800003333", "1990-01-01").await;
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["小票号", "卡号", "消费时间", "金额"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).expect("write");
        }
        ws.write_string(1, 0, "WX-1").expect("write");
        ws.write_string(1, 1, &card).expect("write");
        let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let at =
            rust_xlsxwriter::ExcelDateTime::parse_from_str("2026-09-25 14:20:00").expect("time");
        ws.write_datetime_with_format(1, 2, &at, &fmt)
            .expect("write");
        ws.write_number(1, 3, 88.0).expect("write");
        let bytes = wb.save_to_buffer().expect("xlsx");
        let b = t.login("desk").await;
        let (status, body) = upload(&b, "receipts.xlsx", bytes).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("已记积分的小票: 1"), "{body}");
        assert_eq!(balance(&t, member).await, 88);
        // The cell's time of day is kept, not only its date.
        let (header, rows) = patron::areas::points::import::read_file("r.xlsx", &{
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            ws.write_string(0, 0, "消费时间").expect("write");
            ws.write_datetime_with_format(1, 0, &at, &fmt)
                .expect("write");
            wb.save_to_buffer().expect("xlsx")
        })
        .expect("read");
        assert_eq!(header, vec!["消费时间".to_string()]);
        assert_eq!(rows[0][0], "2026-09-25 14:20:00");
        t.stop().await;
    }
);

both!(
    only_the_missed_receipt_desk_may_import_receipts,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("cash", &[("cashier", t.hq)], false).await;
        let b = t.login("cash").await;
        assert_eq!(b.get("/points/import").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            b.get("/points/import/template.csv").await.status,
            StatusCode::FORBIDDEN
        );
        // Nor does the outstanding-points page offer it to them.
        let liability = b.get("/points/liability").await;
        assert_eq!(liability.status, StatusCode::OK);
        assert!(
            !liability.body.contains("/points/import"),
            "{}",
            liability.body
        );
        t.stop().await;
    }
);
