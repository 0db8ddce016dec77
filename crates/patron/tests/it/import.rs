//! The member import (SPEC N3) from CSV and xlsx, through the library, the CLI's use case and the
//! console: a clean file is imported whole; a file with bad rows names each and imports nothing.

use reqwest::StatusCode;

use crate::both;
use crate::support::spawn_app;

const GOOD: &str = "\u{feff}name,phone,card_no,gender,birthday,tier,points,channel,referrer_card_no,joined_on\n\
赵一,13511110001,OLD0001,女,1980-01-02,金卡,1200,网站,,2020-05-01\n\
钱二,135-1111-0002,,M,,silver,0,,OLD0001,\n\
孙三,13511110003,,,,,,desk,,\n";

both!(
    a_clean_file_is_imported_whole_with_opening_balances,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (header, rows) =
            patron::areas::members::import::read_file("members.csv", GOOD.as_bytes())
                .expect("read");
        let report = patron::areas::members::import::import(&t.ctx(), "HQ", &header, &rows, None)
            .await
            .expect("import");
        assert_eq!(
            (report.rows, report.imported, report.bad.len()),
            (3, 3, 0),
            "{:?}",
            report.bad
        );
        // Kept card number, tier by Chinese name, opening balance as one marked entry.
        let (id, tier, balance): (i64, String, i64) = patron::on_db!(t.app.db, |p| {
            sqlx::query_as("select m.id, m.tier_code, m.points_balance from members m join cards c on c.member_id = m.id where c.card_no = 'OLD0001'")
                .fetch_one(p)
                .await
                .expect("member")
        });
        assert_eq!((tier.as_str(), balance), ("gold", 1200));
        assert_eq!(
            t.scalar(
                "select count(*) from point_entries where kind = 'opening' and member_id = $1",
                id
            )
            .await,
            1
        );
        assert_eq!(
            t.scalar("select count(*) from members where referrer_id = $1", id)
                .await,
            1
        );
        // Rows without a card number got the store's next numbers.
        assert_eq!(
            t.scalar(
                "select count(*) from cards where card_no like 'HQ%' and $1 > 0",
                1
            )
            .await,
            2
        );
        // The phone is found through its lookup hash like any member's.
        let found = patron::areas::members::search(&t.ctx(), "13511110002")
            .await
            .expect("search");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "钱二");
        // Importing the same file again: every row is already a member, nothing changes.
        let again = patron::areas::members::import::import(&t.ctx(), "HQ", &header, &rows, None)
            .await
            .expect("import");
        assert_eq!(again.imported, 0);
        assert!(
            again
                .bad
                .iter()
                .all(|b| b.reason == "import.already_member" || b.reason == "invalid.duplicate")
        );
        assert_eq!(
            t.scalar("select count(*) from members where $1 > 0", 1)
                .await,
            3
        );
        t.stop().await;
    }
);

both!(
    every_bad_row_is_named_and_nothing_is_half_imported,
    |backend| async move {
        let t = spawn_app(backend).await;
        let csv = "name,phone,birthday,tier,points\n\
好人,13522220001,1990-01-01,,100\n\
,13522220002,,,\n\
坏电话,12345,,,\n\
坏日期,13522220004,1990-13-01,,\n\
坏等级,13522220005,,钻石卡,\n\
重复,13522220001,,,-5\n";
        let (header, rows) =
            patron::areas::members::import::read_file("bad.csv", csv.as_bytes()).expect("read");
        let report = patron::areas::members::import::import(&t.ctx(), "HQ", &header, &rows, None)
            .await
            .expect("import");
        let got: Vec<(usize, &str, &str)> = report
            .bad
            .iter()
            .map(|b| (b.line, b.field.as_str(), b.reason))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "name", "invalid.required"),
                (4, "phone", "invalid.phone"),
                (5, "birthday", "invalid.date"),
                (6, "tier", "import.unknown_tier"),
                (7, "phone", "import.duplicate_in_file"),
                (7, "points", "invalid.points"),
            ]
        );
        assert_eq!(report.imported, 0);
        assert_eq!(
            t.scalar("select count(*) from members where $1 > 0", 1)
                .await,
            0,
            "not even the good row"
        );
        // An unknown column is refused before any row is read.
        let (header, rows) = patron::areas::members::import::read_file(
            "x.csv",
            "name,phone,mobile2\nA,13522220009,1\n".as_bytes(),
        )
        .expect("read");
        let r = patron::areas::members::import::import(&t.ctx(), "HQ", &header, &rows, None)
            .await
            .expect("import");
        assert_eq!(r.bad[0].reason, "import.unknown_column");
        t.stop().await;
    }
);

both!(the_console_imports_an_xlsx_file, |backend| async move {
    let t = spawn_app(backend).await;
    t.add_staff("clerk", &[("clerk", t.hq)], false).await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["name", "phone", "birthday", "points"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("write");
    }
    ws.write_string(1, 0, "周一").expect("write");
    ws.write_number(1, 1, 13533330001.0).expect("write");
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(1988, 8, 8).expect("date");
    ws.write_datetime_with_format(1, 2, &date, &fmt)
        .expect("write");
    ws.write_number(1, 3, 300.0).expect("write");
    let bytes = wb.save_to_buffer().expect("xlsx");
    let b = t.login("clerk").await;
    let csrf = b.get("/members/import").await.csrf();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("store", "HQ")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("members.xlsx"),
        );
    let res = b
        .client
        .post(format!("{}/members/import", b.base))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    assert!(body.contains("已导入: 1"), "{body}");
    let found = patron::areas::members::search(&t.ctx(), "13533330001")
        .await
        .expect("search");
    assert_eq!(
        found[0].birthday.map(|d| d.to_string()).as_deref(),
        Some("1988-08-08")
    );
    assert_eq!(found[0].points_balance, 300);
    t.stop().await;
});
