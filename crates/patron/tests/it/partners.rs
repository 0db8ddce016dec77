//! Partner merchants (SPEC G1–G4) through the real server: the whole pipeline with dates and
//! notes, a refused skip, two clerks moving the same partner at once, the contract expiry
//! reminder job (one message per contract, idempotent) and expiry, the portal's list of active
//! partners' benefits, the callbacks due, exports and print views, and a bad form re-shown.

use reqwest::StatusCode;

use crate::both;
use crate::support::{Browser, Page, TestApp, day, goto, spawn_app, welcome_password};

/// The test clock starts at 2026-09-25 17:00 in Shanghai.
const TODAY: &str = "2026-09-25";

async fn manager(t: &TestApp, name: &str) -> Browser {
    t.add_staff(name, &[("manager", t.hq)], false).await;
    t.login(name).await
}

/// Records a partner; returns its id.
async fn create(b: &Browser, name: &str, on: &str, note: &str) -> i64 {
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
                ("note", note),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let to = res.location.expect("location");
    to.trim_start_matches("/partners/")
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("partner id")
}

async fn step(b: &Browser, id: i64, to: &str, on: &str, note: &str) -> Page {
    let page = format!("/partners/{id}");
    b.post(
        &format!("/partners/{id}/stage"),
        &page,
        &[("to", to), ("on_date", on), ("note", note)],
    )
    .await
}

async fn step_ok(b: &Browser, id: i64, to: &str, on: &str, note: &str) {
    let res = step(b, id, to, on, note).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{to}: {}", res.body);
}

async fn contract(b: &Browser, id: i64, no: &str, starts: &str, ends: &str, benefit: &str) -> Page {
    let page = format!("/partners/{id}");
    b.post(
        &format!("/partners/{id}/contracts"),
        &page,
        &[
            ("contract_no", no),
            ("starts_on", starts),
            ("ends_on", ends),
            ("benefit_zh", benefit),
            ("benefit_en", "10% off with the member card"),
            ("discount_permille", "900"),
            ("settlement_terms", "月结，商户返点3%"),
            ("stores", "HQ"),
        ],
    )
    .await
}

/// Takes a partner from screened to active with a contract from `starts` to `ends`.
async fn active_partner(
    b: &Browser,
    name: &str,
    no: &str,
    starts: &str,
    ends: &str,
    benefit: &str,
) -> i64 {
    let id = create(b, name, "2026-09-01", "筛选").await;
    step_ok(b, id, "contacted", "2026-09-02", "电话联系").await;
    step_ok(b, id, "negotiating", "2026-09-03", "上门洽谈").await;
    step_ok(b, id, "agreed", "2026-09-04", "达成协议").await;
    let k = contract(b, id, no, starts, ends, benefit).await;
    assert_eq!(k.status, StatusCode::SEE_OTHER, "{}", k.body);
    step_ok(b, id, "signed", "2026-09-05", "签约").await;
    step_ok(b, id, "active", starts, "开始合作").await;
    id
}

async fn count(t: &TestApp, sql: &'static str, id: i64) -> i64 {
    t.scalar(sql, id).await
}

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
    the_reminder_job_queues_one_message_per_contract_and_expires_contracts,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = manager(&t, "partner_mgr").await;
        let soon = active_partner(
            &b,
            "鸿运大酒店",
            "TY-1",
            "2026-09-06",
            "2026-10-20",
            "凭卡住宿八五折",
        )
        .await;
        let later = active_partner(
            &b,
            "康辉旅行社",
            "TY-2",
            "2026-09-06",
            "2027-09-05",
            "线路立减200元",
        )
        .await;
        let run = |d: &str| {
            let app = t.app.clone();
            let d = day(d);
            async move {
                patron::jobs::run(&app, "partner-contract-reminders", d, None)
                    .await
                    .expect("job")
            }
        };
        let messages = || async {
            count(&t, "select cast(count(*) as bigint) from outbox where kind = 'partner_contract_expiry' and id > $1", 0).await
        };
        let r = run(TODAY).await;
        assert_eq!(r.processed, 1);
        assert_eq!(
            messages().await,
            1,
            "one reminder: only TY-1 ends within 30 days"
        );
        let payload: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select payload from outbox where kind = 'partner_contract_expiry'")
                .fetch_one(p)
                .await
                .expect("msg")
        });
        assert!(
            payload.contains("TY-1")
                && payload.contains("鸿运大酒店")
                && payload.contains("会员部")
        );
        assert!(run(TODAY).await.already_done);
        goto(&t, "2026-09-26T10:00:00");
        assert_eq!(run("2026-09-26").await.processed, 0);
        assert_eq!(
            messages().await,
            1,
            "a rerun on a later day queues nothing more"
        );
        // The list shows the reminder (signed in again: a day has passed).
        let b = t.login("partner_mgr").await;
        let list = b.get("/partners?expiring=30").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body.contains("鸿运大酒店") && list.body.contains("已提醒"),
            "{}",
            list.body
        );
        assert!(!list.body.contains("康辉旅行社"), "the expiring filter");
        // Past the end the contract expires, the partner moves to expired with a dated history row.
        goto(&t, "2026-10-21T10:00:00");
        assert_eq!(run("2026-10-21").await.processed, 1);
        let stage: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select stage from partners where id = $1")
                .bind(soon)
                .fetch_one(p)
                .await
                .expect("row")
        });
        assert_eq!(stage, "expired");
        assert_eq!(
        count(&t, "select cast(count(*) as bigint) from partner_stages where partner_id = $1 and to_stage = 'expired' and on_date = '2026-10-21'", soon).await,
        1
    );
        let other: String = patron::on_db!(t.app.db, |p| {
            sqlx::query_scalar("select stage from partners where id = $1")
                .bind(later)
                .fetch_one(p)
                .await
                .expect("row")
        });
        assert_eq!(other, "active");
        assert_eq!(messages().await, 1);
        t.stop().await;
    }
);

/// A member who may sign in to the portal (first password changed already): (login, password).
async fn portal_member(t: &TestApp) -> (String, String) {
    let (id, card) = t.add_member("特约会员", "13600002222", "").await;
    let password = welcome_password(t, id).await;
    t.exec(
        "update members set portal_must_change = false where id = $1",
        id,
    )
    .await;
    (card, password)
}

both!(
    the_portal_shows_active_partners_benefits_only,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = manager(&t, "partner_mgr").await;
        active_partner(
            &b,
            "鸿运大酒店",
            "TY-1",
            "2026-09-06",
            "2026-10-20",
            "凭卡住宿八五折",
        )
        .await;
        // Agreed with a contract, not active yet; another still negotiating.
        let agreed = create(&b, "华联影城", "2026-09-01", "").await;
        step_ok(&b, agreed, "contacted", "2026-09-02", "").await;
        step_ok(&b, agreed, "negotiating", "2026-09-03", "").await;
        step_ok(&b, agreed, "agreed", "2026-09-04", "").await;
        let k = contract(&b, agreed, "TY-3", "2026-09-06", "2027-09-05", "观影半价").await;
        assert_eq!(k.status, StatusCode::SEE_OTHER);
        let talking = create(&b, "爱车汽修", "2026-09-01", "").await;
        step_ok(&b, talking, "contacted", "2026-09-02", "").await;

        let (card, password) = portal_member(&t).await;
        let m = t.portal_login(&card, &password).await;
        let home = m.get("/portal").await;
        assert!(
            home.body.contains("/portal/partners"),
            "the portal links to the partners"
        );
        let page = m.get("/portal/partners").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("鸿运大酒店")
                && page.body.contains("凭卡住宿八五折")
                && page.body.contains("9折")
        );
        for hidden in [
            "华联影城",
            "观影半价",
            "爱车汽修",
            "月结",
            "返点",
            "13800138000",
            "138****8000",
            "王经理",
            "TY-1",
        ] {
            assert!(
                !page.body.contains(hidden),
                "the portal does not show {hidden}"
            );
        }
        // Staff pages are not for members.
        assert_ne!(m.get("/partners").await.status, StatusCode::OK);
        // Once the contract has expired the partner is gone from the portal.
        goto(&t, "2026-10-21T10:00:00");
        patron::jobs::run(
            &t.app,
            "partner-contract-reminders",
            day("2026-10-21"),
            None,
        )
        .await
        .expect("job");
        let m = t.portal_login(&card, &password).await;
        let page = m.get("/portal/partners").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("鸿运大酒店"));
        t.stop().await;
    }
);

both!(
    callbacks_are_logged_and_the_due_list_shows_who_to_call,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = manager(&t, "partner_mgr").await;
        let due = active_partner(
            &b,
            "鸿运大酒店",
            "TY-1",
            "2026-09-06",
            "2027-09-05",
            "凭卡住宿八五折",
        )
        .await;
        let fine = active_partner(
            &b,
            "康辉旅行社",
            "TY-2",
            "2026-09-06",
            "2027-09-05",
            "线路立减200元",
        )
        .await;
        let log = |id: i64, on: &'static str, next: &'static str, content: &'static str| {
            let b = &b;
            async move {
                b.post(
                    &format!("/partners/{id}/callbacks"),
                    &format!("/partners/{id}"),
                    &[
                        ("on_date", on),
                        ("way", "phone"),
                        ("content", content),
                        ("issues", "会员反映周末不能用"),
                        ("follow_up", "与商户协商周末适用"),
                        ("next_due_on", next),
                    ],
                )
                .await
            }
        };
        let r = log(due, "2026-09-20", "2026-09-24", "了解会员使用情况").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = log(fine, "2026-09-21", "2026-12-01", "回访合作情况").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // A next date before the callback is refused.
        let bad = log(fine, "2026-09-22", "2026-09-01", "回访").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = b.get("/partners/callbacks").await;
        assert_eq!(page.status, StatusCode::OK);
        let (due_part, log_part) = page.body.split_once("id=\"log\"").expect("two tables");
        assert!(due_part.contains("鸿运大酒店"), "due since 2026-09-24");
        assert!(!due_part.contains("康辉旅行社"), "due on 2026-12-01 only");
        assert!(log_part.contains("了解会员使用情况") && log_part.contains("会员反映周末不能用"));
        assert_eq!(
            count(
                &t,
                "select cast(count(*) as bigint) from partner_callbacks where partner_id = $1",
                fine
            )
            .await,
            1
        );
        // Exports of the callbacks and the list; the list's print view.
        let csv = b
            .client
            .get(format!("{}/partners/callbacks.csv", b.base))
            .send()
            .await
            .expect("csv");
        assert_eq!(csv.status(), StatusCode::OK);
        let text = csv.text().await.expect("text");
        assert!(text.contains("了解会员使用情况") && text.contains("回访日期"));
        let xlsx = b
            .client
            .get(format!("{}/partners.xlsx?stage=active", b.base))
            .send()
            .await
            .expect("xlsx");
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert!(xlsx.bytes().await.expect("bytes").starts_with(b"PK"));
        let csv = b
            .client
            .get(format!("{}/partners.csv?stage=active", b.base))
            .send()
            .await
            .expect("csv");
        let text = csv.text().await.expect("text");
        assert!(
            text.contains("鸿运大酒店")
                && text.contains("138****8000")
                && !text.contains("13800138000")
        );
        let print = b.get("/partners/print?stage=active").await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(print.body.contains("康辉旅行社"));
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
