//! 工作台 gives each role its day (the tiles each area contributes), and the 审批 inbox says
//! who asked, at which store, what kind of request it is, links to the record, and keeps the
//! decided history.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::{ok, spawn_app};

/// The HTML of the dashboard tile whose label key is `key`, if the page has it.
fn tile<'a>(body: &'a str, key: &str) -> Option<&'a str> {
    let marker = format!("data-tile=\"{key}\"");
    let start = body.find(&marker)?;
    let end = body[start..].find("</section>")? + start;
    Some(&body[start..end])
}

/// The figure a tile shows.
fn figure(body: &str, key: &str) -> String {
    let t = tile(body, key).unwrap_or_else(|| panic!("no tile {key}"));
    let start = t.find("class=\"stat-value\">").expect("figure") + "class=\"stat-value\">".len();
    t[start..start + t[start..].find('<').expect("end")].to_string()
}

both!(
    each_role_sees_the_work_of_its_own_day_on_the_dashboard,
    |backend| async move {
        let t = spawn_app(backend).await;
        for (user, role) in [
            ("clerk", "clerk"),
            ("boss", "supervisor"),
            ("desk", "reward_desk"),
            ("promo", "marketing"),
            ("admin2", "admin"),
        ] {
            t.add_staff(user, &[(role, t.hq)], false).await;
        }
        let d = crate::groupbuy::desk(&t).await;
        // A missed receipt above the approval amount waits for a supervisor.
        let (member, _) = t.add_member("黄磊", "13800000013", "").await;
        let clerk = t.login("clerk").await;
        let path = format!("/members/{member}");
        let sent = clerk
            .post(
                &format!("{path}/missed"),
                &path,
                &[
                    ("store_code", "HQ"),
                    ("receipt_no", "M-2"),
                    ("amount", "6000"),
                    ("occurred_at", "2026-09-25T15:30"),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        // The desk sells five vouchers for cash and three against a cheque today; one more
        // requisition is approved and waits for finance.
        crate::groupbuy::series(&t, &d, "D26", "100", 100).await;
        crate::groupbuy::requisition(&t, &d, &[("100", 20)], "1-20").await;
        crate::groupbuy::stamp(&t, &d, "1-20").await;
        ok(
            &t,
            "/api/v1/groupbuy/sales",
            &d.clerk,
            crate::groupbuy::cash(
                json!({"store_code": "HQ", "payment": "cash",
                "buyer": {"kind": "person", "contact": "李", "phone": "13900001111"},
                "lines": [{"range": "1-5", "face_value": "", "change_reason": ""}]}),
                "500",
            ),
        )
        .await;
        ok(&t, "/api/v1/groupbuy/sales", &d.clerk, json!({"store_code": "HQ", "payment": "cheque",
            "buyer": {"kind": "organisation", "organisation": "北京某某科技有限公司", "contact": "王经理", "phone": "010-65001234"},
            "cheque_no": "10203040", "bank": "工商银行王府井支行", "account_name": "北京某某科技有限公司", "account_no": "0200001009000123456",
            "lines": [{"range": "6-8", "face_value": "", "change_reason": ""}]})).await;
        let r = ok(
            &t,
            "/api/v1/groupbuy/requisitions",
            &d.clerk,
            json!({"store_code": "HQ", "purpose": "补券",
            "lines": [{"face_value": "100", "quantity": "10"}]}),
        )
        .await;
        let approval = r["approval_id"].as_i64().expect("approval");
        ok(
            &t,
            &format!("/api/v1/groupbuy/approvals/{approval}"),
            &d.manager,
            json!({"decision": "approve"}),
        )
        .await;

        // The clerk: the missed receipt waiting (linked to the member), today's sales and the
        // cheques; no administrator's counts, no decision to make.
        let page = clerk.get("/").await.body;
        assert_eq!(figure(&page, "dash.points.missed_waiting"), "1");
        let missed = tile(&page, "dash.points.missed_waiting").unwrap_or_default();
        assert!(
            missed.contains(&format!("href=\"/members/{member}\""))
                && missed.contains("黄磊 M-2 ¥6,000.00"),
            "{missed}"
        );
        assert_eq!(figure(&page, "dash.gb.sales_today"), "¥800.00");
        assert!(page.contains("2 笔，8 张"), "{page}");
        assert!(page.contains("待到帐共 1 笔，¥300.00"), "{page}");
        assert!(
            tile(&page, "dash.gb.sales_today")
                .unwrap_or_default()
                .contains("/groupbuy/sales?from=")
        );
        assert!(tile(&page, "dash.member.applications").is_some());
        for absent in [
            "dash.stores",
            "dash.approvals_mine",
            "dash.reward.to_claim",
            "dash.gb.requisitions_to_prepare",
        ] {
            assert!(tile(&page, absent).is_none(), "the clerk sees {absent}");
        }
        // The supervisor: the request to decide, linked into the inbox.
        let page = t.login("boss").await.get("/").await.body;
        assert_eq!(figure(&page, "dash.approvals_mine"), "1");
        assert!(
            tile(&page, "dash.approvals_mine")
                .unwrap_or_default()
                .contains("/approvals#approval-")
        );
        // The reward desk: slips to hand over and to follow up, nothing of group-buy.
        let page = t.login("desk").await.get("/").await.body;
        assert_eq!(figure(&page, "dash.reward.to_claim"), "0");
        assert!(tile(&page, "dash.reward.follow_up").is_some());
        assert!(tile(&page, "dash.gb.sales_today").is_none());
        // Finance: the requisition to set vouchers aside for.
        t.add_staff("fin", &[("cashier", t.hq)], false).await;
        let page = t.login("fin").await.get("/").await.body;
        assert_eq!(figure(&page, "dash.gb.requisitions_to_prepare"), "1");
        assert!(tile(&page, "dash.gb.sales_today").is_none());
        // The administrator keeps the system's counts; marketing is told nothing waits.
        let page = t.login("admin2").await.get("/").await.body;
        assert!(tile(&page, "dash.stores").is_some() && tile(&page, "dash.staff").is_some());
        let page = t.login("promo").await.get("/").await.body;
        assert!(page.contains("今天没有等待您处理的事项。"), "{page}");
        t.stop().await;
    }
);

both!(
    the_inbox_names_who_asked_where_and_what_and_keeps_what_was_decided,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("boss", &[("manager", t.hq)], false).await;
        t.add_staff("agent", &[("service", t.hq)], false).await;
        let d = crate::groupbuy::desk(&t).await;
        let r = ok(
            &t,
            "/api/v1/groupbuy/requisitions",
            &d.clerk,
            json!({"store_code": "HQ", "purpose": "节日备券",
            "lines": [{"face_value": "100", "quantity": "250"}]}),
        )
        .await;
        let (req_id, approval) = (
            r["id"].as_i64().expect("id"),
            r["approval_id"].as_i64().expect("approval"),
        );
        let boss = t.login("boss").await;
        let inbox = boss.get("/approvals").await.body;
        let row_start = inbox
            .find(&format!("id=\"approval-{approval}\""))
            .expect("the row");
        let row = &inbox[row_start..row_start + inbox[row_start..].find("</tr>").expect("row end")];
        assert!(
            row.contains("团购券领用申请"),
            "filed under its kind: {row}"
        );
        assert!(!row.contains("其他"), "{row}");
        assert!(row.contains("gb_clerk"), "the submitter: {row}");
        assert!(row.contains("HQ "), "the store: {row}");
        assert!(row.contains("¥25,000.00") && !row.contains("¥¥"), "{row}");
        assert!(
            row.contains(&format!(
                "href=\"/groupbuy/requisitions/{req_id}/report.print\""
            )),
            "a link to the record: {row}"
        );
        // Customer service sees the request but not a link to a page it may not open.
        let seen = t.login("agent").await.get("/approvals").await.body;
        assert!(seen.contains(&format!("id=\"approval-{approval}\"")));
        assert!(
            !seen.contains("/groupbuy/requisitions/"),
            "no link service cannot open"
        );
        // Decided: it leaves the pending list and shows who decided, when, and how.
        let done = boss
            .post(
                &format!("/approvals/{approval}/decide"),
                "/approvals",
                &[("decision", "reject"), ("reason", "数量过多")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let inbox = boss.get("/approvals").await.body;
        assert!(!inbox.contains(&format!("id=\"approval-{approval}\"")));
        let row_start = inbox
            .find(&format!("id=\"decided-{approval}\""))
            .expect("the decided row");
        let row = &inbox[row_start..row_start + inbox[row_start..].find("</tr>").expect("row end")];
        assert!(row.contains("已驳回：数量过多"), "{row}");
        assert!(row.contains("class=\"decider\">测试 boss<"), "{row}");
        assert!(
            row.contains("gb_clerk") && row.contains("团购券领用申请"),
            "{row}"
        );
        t.stop().await;
    }
);
