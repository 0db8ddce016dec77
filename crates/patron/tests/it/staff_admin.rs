//! The administrator's console pages: stores, staff accounts, the permission matrix.

use reqwest::StatusCode;

use crate::both;
use crate::support::spawn_app;

both!(
    a_bad_store_form_is_shown_again_with_messages_and_nothing_is_saved,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = t.login("admin").await;
        let page = b
            .post(
                "/admin/stores",
                "/admin/stores",
                &[
                    ("code", "王府井"),
                    ("name", "  "),
                    ("time_zone", "Mars/Olympus"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.body.contains("value=\"王府井\""),
            "the input is shown again"
        );
        assert!(page.body.contains("门店代码为2–16位字母、数字或连字符"));
        assert!(page.body.contains("必填"));
        assert!(page.body.contains("不是有效的时区"));
        let stores = patron::areas::staff::list_stores(&t.ctx())
            .await
            .expect("stores");
        assert_eq!(stores.len(), 1, "nothing was saved");
        // The same in English for a user who chose English.
        b.post("/account/lang", "/", &[("lang", "en")]).await;
        let page = b
            .post(
                "/admin/stores",
                "/admin/stores",
                &[("code", "x"), ("name", "A"), ("time_zone", "UTC")],
            )
            .await;
        assert!(
            page.body
                .contains("A store code is 2–16 letters, digits or hyphens"),
            "{}",
            page.body
        );
        // A good one is saved, and a second with the same code is refused by name.
        let page = b
            .post(
                "/admin/stores",
                "/admin/stores",
                &[
                    ("code", "wfj"),
                    ("name", "王府井店"),
                    ("time_zone", "Asia/Shanghai"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let page = b
            .post(
                "/admin/stores",
                "/admin/stores",
                &[
                    ("code", "WFJ"),
                    ("name", "又一个"),
                    ("time_zone", "Asia/Shanghai"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("Already taken"), "{}", page.body);
        t.stop().await;
    }
);

both!(
    an_administrator_creates_staff_with_roles_and_a_one_time_password,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = t.login("admin").await;
        let hq = t.hq.to_string();
        let clerk = format!("clerk@{hq}");
        let service = format!("service@{hq}");
        let page = b
            .post(
                "/admin/staff",
                "/admin/staff/new",
                &[
                    ("username", "Zhou.Min"),
                    ("display_name", "周敏"),
                    ("lang", "zh-CN"),
                    ("grant", clerk.as_str()),
                    ("grant", service.as_str()),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let pw = page.text_of("one-time-password").expect("password shown");
        let list = b.get("/admin/staff").await.body;
        assert!(
            list.contains("zhou.min") && list.contains("职员@HQ") && list.contains("客服@HQ"),
            "{list}"
        );
        // The one-time password works once, and must be changed.
        let res = t.browser().login("zhou.min", &pw).await;
        assert_eq!(res.headers()["location"], "/account/password");
        // No roles at all is refused with the reason.
        let page = b
            .post(
                "/admin/staff",
                "/admin/staff/new",
                &[
                    ("username", "nobody"),
                    ("display_name", "无"),
                    ("lang", "zh-CN"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("请至少选择一个岗位和门店"));
        // The last administrator keeps the admin role.
        let me = patron::areas::staff::find_by_username(&t.ctx(), "admin")
            .await
            .expect("admin");
        let page = b
            .post(
                &format!("/admin/staff/{}/roles", me.id),
                &format!("/admin/staff/{}", me.id),
                &[("grant", clerk.as_str())],
            )
            .await;
        assert_eq!(page.status, StatusCode::CONFLICT);
        assert!(page.body.contains("不能停用或撤销最后一位系统管理员"));
        t.stop().await;
    }
);

both!(
    the_permission_matrix_page_shows_the_table_read_only,
    |backend| async move {
        let t = spawn_app(backend).await;
        let b = t.login("admin").await;
        let page = b.get("/admin/roles").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"permission-matrix\""));
        for role in patron_core::Role::ALL {
            assert!(page.body.contains(role.name_zh()), "{role:?}");
        }
        assert!(
            !page
                .body
                .contains("<form method=\"post\" action=\"/admin/roles"),
            "no way to change it"
        );
        t.stop().await;
    }
);

both!(
    two_administrators_disabling_each_other_at_once_leave_one,
    |backend| async move {
        let t = spawn_app(backend).await;
        for round in 0..5 {
            let a = format!("adm-a{round}");
            let b = format!("adm-b{round}");
            let (ida, _) = t.add_staff(&a, &[("admin", t.hq)], false).await;
            let (idb, _) = t.add_staff(&b, &[("admin", t.hq)], false).await;
            // Leave only these two as administrators.
            let ctx = t.ctx();
            for other in patron::areas::staff::list_staff(&ctx).await.expect("list") {
                let id = other.staff.id;
                if id != ida
                    && id != idb
                    && !other.staff.disabled
                    && other
                        .grants
                        .iter()
                        .any(|g| g.role == patron_core::Role::Admin)
                {
                    patron::areas::staff::set_disabled(&ctx, id, true)
                        .await
                        .expect("disable others");
                }
            }
            let (c1, c2) = (t.ctx(), t.ctx());
            let (r1, r2) = tokio::join!(
                patron::areas::staff::set_disabled(&c1, ida, true),
                patron::areas::staff::set_disabled(&c2, idb, true),
            );
            let outcomes = [r1.is_ok(), r2.is_ok()];
            assert_eq!(
                outcomes.iter().filter(|ok| **ok).count(),
                1,
                "round {round}: exactly one may go"
            );
            assert!(matches!(
                r1,
                Ok(()) | Err(patron::areas::staff::StaffError::LastAdmin)
            ));
            assert!(matches!(
                r2,
                Ok(()) | Err(patron::areas::staff::StaffError::LastAdmin)
            ));
        }
        t.stop().await;
    }
);

both!(
    the_staff_list_filters_pages_and_exports_what_it_shows,
    |backend| async move {
        let t = spawn_app(backend).await;
        t.add_staff("wang.fang", &[("clerk", t.hq)], false).await;
        t.add_staff("li.qiang", &[("service", t.hq)], false).await;
        let (gone, _) = t.add_staff("zhao.lei", &[("clerk", t.hq)], false).await;
        patron::areas::staff::set_disabled(&t.ctx(), gone, true)
            .await
            .expect("disable");
        let b = t.login("admin").await;
        let page = b.get("/admin/staff?role=clerk&state=active").await;
        assert!(page.body.contains("wang.fang"));
        assert!(!page.body.contains(">li.qiang<") && !page.body.contains(">zhao.lei<"));
        assert!(
            b.get("/admin/staff?q=%E6%B5%8B%E8%AF%95%20li")
                .await
                .body
                .contains("li.qiang"),
            "search by name"
        );
        // CSV: BOM, Chinese headers, the filtered rows only.
        let res = b
            .client
            .get(format!("{}/admin/staff.csv?role=clerk", t.base))
            .send()
            .await
            .expect("csv");
        let bytes = res.bytes().await.expect("body");
        assert!(bytes.starts_with("\u{feff}".as_bytes()));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("用户名,姓名,岗位角色,状态"), "{text}");
        assert!(
            text.contains("wang.fang") && text.contains("zhao.lei") && !text.contains("li.qiang")
        );
        assert!(text.contains("已停用"));
        // xlsx: a real workbook with the same rows.
        let res = b
            .client
            .get(format!("{}/admin/staff.xlsx?role=clerk", t.base))
            .send()
            .await
            .expect("xlsx");
        assert_eq!(
            res.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let bytes = res.bytes().await.expect("body").to_vec();
        use calamine::Reader;
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
        let range = wb.worksheet_range("staff").expect("sheet");
        let cells: Vec<String> = range.rows().map(|r| r[0].to_string()).collect();
        assert_eq!(cells, vec!["用户名", "wang.fang", "zhao.lei"]);
        // The audit log exports to xlsx too.
        let res = b
            .client
            .get(format!("{}/admin/audit.xlsx?entity=staff", t.base))
            .send()
            .await
            .expect("xlsx");
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(
            res.bytes().await.expect("body").to_vec(),
        ))
        .expect("workbook");
        let range = wb.worksheet_range("audit-log").expect("sheet");
        assert!(
            range
                .rows()
                .any(|r| r[4] == "staff.create" && r[3] == "新建员工账号")
        );
        t.stop().await;
    }
);

both!(
    an_administrator_corrects_a_name_and_language,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (id, _) = t.add_staff("chen", &[("clerk", t.hq)], false).await;
        let b = t.login("admin").await;
        let edit = format!("/admin/staff/{id}");
        let profile = format!("/admin/staff/{id}/profile");
        let page = b
            .post(&profile, &edit, &[("display_name", "  "), ("lang", "en")])
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("必填"));
        let page = b
            .post(&profile, &edit, &[("display_name", "陈静"), ("lang", "fr")])
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("语言只能是中文或英文"));
        let unchanged = patron::areas::staff::get_staff(&t.ctx(), id)
            .await
            .expect("staff");
        assert_eq!(
            unchanged.staff.display_name, "测试 chen",
            "a refused form changes nothing"
        );
        let page = b
            .post(&profile, &edit, &[("display_name", "陈静"), ("lang", "en")])
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let chen = t.login("chen").await;
        let home = chen.get("/").await.body;
        assert!(home.contains("<html lang=\"en\">") && home.contains("陈静"));
        let (rows, _) = patron::kernel::audit::list(
            &t.app.db,
            &patron::kernel::audit::AuditFilter {
                entity_kind: Some("staff".into()),
                entity_id: Some(id.to_string()),
                ..Default::default()
            },
            0,
            50,
        )
        .await
        .expect("audit");
        let change = rows
            .iter()
            .find(|r| r.action == "staff.profile_changed")
            .expect("audited");
        assert!(change.before.as_deref().unwrap_or("").contains("测试 chen"));
        assert!(change.after.as_deref().unwrap_or("").contains("陈静"));
        t.stop().await;
    }
);
