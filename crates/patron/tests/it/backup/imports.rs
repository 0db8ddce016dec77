//! The receipt import (through the till's rules and idempotency) and the organisation-customer
//! import (through the record rules), each all or nothing with every bad row named.

use patron::areas::customers::files::import as customers;
use patron::areas::points::import as receipts;
use patron::web::i18n::Lang;

use crate::both;
use crate::support::spawn_app;

const RECEIPTS: &str = "\u{feff}门店,小票号,卡号,消费时间,行号,商品编码,金额,特价\n\
HQ,IM-0001,{card},2026-09-25 10:00,1,SKU1,128.00,否\n\
HQ,IM-0001,{card},2026-09-25 10:00,2,SKU2,35.00,是\n\
HQ,IM-0002,{card},2026/09/25 11:30,,SKU3,\"1,000.50\",\n";

fn rows(text: &str, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    receipts::read_file(name, text.as_bytes()).expect("read")
}

fn reasons_are_worded(bad: &[patron::areas::members::import::BadRow]) {
    for b in bad {
        assert!(Lang::has(b.reason), "{} has no words", b.reason);
        assert_ne!(Lang::ZhCn.t(b.reason), Lang::En.t(b.reason), "{}", b.reason);
    }
}

both!(
    receipts_import_once_through_the_till_rules_and_repeat_as_nothing,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (member, card) = t.add_member("王芳", "13800001111", "1980-03-01").await;
        let text = RECEIPTS.replace("{card}", &card);
        let (header, data) = rows(&text, "receipts.csv");
        let r = receipts::import(&t.ctx(), "HQ", &header, &data)
            .await
            .expect("import");
        assert!(r.bad.is_empty(), "{:?}", r.bad);
        assert_eq!((r.rows, r.receipts, r.imported, r.repeats), (3, 2, 2, 0));
        // 128 yuan counts, the promotional line does not, 1,000.50 yuan counts.
        assert_eq!(r.points, 128 + 1000);
        assert_eq!(
            crate::support::balance(&t, member).await,
            r.points,
            "the balance is the ledger's"
        );
        assert_eq!(
            t.scalar(
                "select count(*) from receipts where source = 'import' and member_id = $1",
                member
            )
            .await,
            2
        );
        // The same file again: two repeats, nothing written.
        let again = receipts::import(&t.ctx(), "HQ", &header, &data)
            .await
            .expect("import");
        assert_eq!((again.imported, again.repeats, again.bad.len()), (0, 2, 0));
        assert_eq!(crate::support::balance(&t, member).await, r.points);
        // The till sending an imported receipt gets the recorded answer (same key).
        let key = t.till_key(t.hq, "T01").await;
        let (status, _) = t
            .post(
                "/api/v1/pos/receipts",
                &key,
                serde_json::json!({
                    "store_code": "HQ", "till_id": "T01", "receipt_no": "IM-0002", "card_no": card,
                    "occurred_at": "2026-09-25T11:30:00+08:00",
                    "lines": [{"line_no": 1, "sku": "SKU3", "amount_fen": 100_050, "promotional": false}],
                }),
            )
            .await;
        assert!(status.is_success(), "{status}");
        assert_eq!(crate::support::balance(&t, member).await, r.points);
        t.stop().await;
    }
);

both!(
    a_receipt_file_with_bad_rows_names_each_and_writes_nothing,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (member, card) = t.add_member("李雷", "13800002222", "1985-06-01").await;
        let text = RECEIPTS.replace("{card}", &card);
        let (header, data) = rows(&text, "receipts.csv");
        receipts::import(&t.ctx(), "HQ", &header, &data)
            .await
            .expect("import");
        let before = crate::support::balance(&t, member).await;
        let bad = format!(
            "store_code,receipt_no,card_no,occurred_at,amount,promotional\n\
HQ,IM-0003,{card},2026-09-25 12:00,50.00,\n\
HQ,IM-0001,{card},2026-09-25 10:00,999.00,\n\
HQ,IM-0004,HQ99999999,2026-09-25 12:00,10.00,\n\
HQ,IM-0005,{card},昨天,10.00,\n\
XX,IM-0006,{card},2026-09-25 12:00,10.00,\n\
HQ,IM-0007,{card},2026-09-25 12:00,-3,\n\
HQ,IM-0008,{card},2026-09-25 12:00,3,也许\n"
        );
        let (header, data) = rows(&bad, "bad.csv");
        let r = receipts::import(&t.ctx(), "HQ", &header, &data)
            .await
            .expect("import");
        let got: Vec<(usize, &str, &str)> = r
            .bad
            .iter()
            .map(|b| (b.line, b.field.as_str(), b.reason))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "receipt_no", "import.receipt_conflict"),
                (4, "card_no", "invalid.no_such_card"),
                (5, "occurred_at", "import.bad_time"),
                (6, "store_code", "invalid.store_code"),
                (7, "amount", "invalid.amount"),
                (8, "promotional", "import.bad_flag"),
            ]
        );
        reasons_are_worded(&r.bad);
        assert_eq!(r.imported, 0);
        assert_eq!(
            crate::support::balance(&t, member).await,
            before,
            "not even IM-0003"
        );
        assert_eq!(
            t.scalar_text(
                "select count(*) from receipts where receipt_no = $1",
                "IM-0003"
            )
            .await,
            0
        );
        // A missing required column is named before any row is read.
        let (header, data) = rows("receipt_no,card_no,amount\nA,B,1\n", "x.csv");
        let r = receipts::import(&t.ctx(), "HQ", &header, &data)
            .await
            .expect("import");
        assert_eq!(
            r.bad
                .iter()
                .map(|b| (b.line, b.field.as_str(), b.reason))
                .collect::<Vec<_>>(),
            vec![(1, "occurred_at", "import.missing_column")]
        );
        t.stop().await;
    }
);

both!(
    receipts_import_from_xlsx_with_chinese_headers,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (member, card) = t.add_member("周一", "13800003333", "1990-01-01").await;
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["小票号", "卡号", "消费时间", "金额"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).expect("write");
        }
        ws.write_string(1, 0, "X-1").expect("write");
        ws.write_string(1, 1, &card).expect("write");
        let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let at =
            rust_xlsxwriter::ExcelDateTime::parse_from_str("2026-09-25 14:20:00").expect("time");
        ws.write_datetime_with_format(1, 2, &at, &fmt)
            .expect("write");
        ws.write_number(1, 3, 88.0).expect("write");
        let bytes = wb.save_to_buffer().expect("xlsx");
        let (header, data) = receipts::read_file("r.xlsx", &bytes).expect("read");
        let r = receipts::import(&t.ctx(), "HQ", &header, &data)
            .await
            .expect("import");
        assert!(r.bad.is_empty(), "{:?}", r.bad);
        assert_eq!(r.imported, 1);
        assert_eq!(crate::support::balance(&t, member).await, 88);
        t.stop().await;
    }
);

const CUSTOMERS: &str = "\u{feff}客户名称,类型,等级,统一社会信用代码,负责人,联系人,联系电话\n\
华东电力有限公司,企业,A,,sales1,王主任,13800138000\n\
上海市教育局,行政机关,B类,,,李老师,021-12345678\n";

both!(
    customers_import_under_the_record_rules_all_or_nothing,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (sales, _) = t.add_staff("sales1", &[("clerk", t.hq)], false).await;
        let (header, data) = customers::read_file("c.csv", CUSTOMERS.as_bytes()).expect("read");
        let r = customers::import(&t.ctx(), "HQ", &header, &data)
            .await
            .expect("import");
        assert!(r.bad.is_empty(), "{:?}", r.bad);
        assert_eq!((r.rows, r.imported), (2, 2));
        assert_eq!(
            t.scalar_text(
                "select owner_staff_id from customers where name = $1",
                "华东电力有限公司"
            )
            .await,
            sales
        );
        assert_eq!(
            t.scalar_text(
                "select count(*) from customers where owner_staff_id is null and name = $1",
                "上海市教育局"
            )
            .await,
            1,
            "no owner: the shared pool"
        );
        // Again: both are on file already; nothing is written.
        let again = customers::import(&t.ctx(), "HQ", &header, &data)
            .await
            .expect("import");
        assert_eq!(again.imported, 0);
        assert_eq!(
            again
                .bad
                .iter()
                .map(|b| (b.line, b.reason))
                .collect::<Vec<_>>(),
            vec![(2, "import.customer_exists"), (3, "import.customer_exists")]
        );
        // Bad rows, each named; the good one is not written either.
        let bad = "name,kind,grade,owner,contact_name,contact_phone\n\
新客户有限公司,enterprise,A,,张三,13900001111\n\
新客户 有限公司,enterprise,A,,,\n\
某局,部队,A,,,\n\
某厂,enterprise,D,,,\n\
某店,individual,C,nobody,,\n\
某所,collective,B,,赵四,123\n";
        let (header, data) = customers::read_file("bad.csv", bad.as_bytes()).expect("read");
        let r = customers::import(&t.ctx(), "HQ", &header, &data)
            .await
            .expect("import");
        let got: Vec<(usize, &str, &str)> = r
            .bad
            .iter()
            .map(|b| (b.line, b.field.as_str(), b.reason))
            .collect();
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(got[0], (3, "name", "import.duplicate_in_file"));
        assert_eq!(got[1].0, 4);
        assert_eq!(got[1].1, "kind");
        assert_eq!(got[2].0, 5);
        assert_eq!(got[2].1, "grade");
        assert_eq!(got[3], (6, "owner", "customers.invalid.owner"));
        assert_eq!((got[4].0, got[4].1), (7, "contact_phone"));
        reasons_are_worded(&r.bad);
        assert_eq!(
            t.scalar("select count(*) from customers where $1 > 0", 1)
                .await,
            2
        );
        t.stop().await;
    }
);

both!(customers_import_from_xlsx, |backend| async move {
    let t = spawn_app(backend).await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["单位名称", "客户类型", "客户等级"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("write");
    }
    ws.write_string(1, 0, "江南造船厂").expect("write");
    ws.write_string(1, 1, "企业").expect("write");
    ws.write_string(1, 2, "C").expect("write");
    let bytes = wb.save_to_buffer().expect("xlsx");
    let (header, data) = customers::read_file("c.xlsx", &bytes).expect("read");
    let r = customers::import(&t.ctx(), "HQ", &header, &data)
        .await
        .expect("import");
    assert_eq!((r.imported, r.bad.len()), (1, 0), "{:?}", r.bad);
    t.stop().await;
});
