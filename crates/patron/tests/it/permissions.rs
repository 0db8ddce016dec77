//! Every role × every permission, allowed and refused, through the real server (and through the
//! use cases for the approval permissions, which have no page yet).

use patron::approvals::{self, NewRequest};
use patron::kernel::ctx::Ctx;
use patron_core::access::allows;
use patron_core::approvals::Decision;
use patron_core::{Permission, Role};
use reqwest::StatusCode;

use crate::both;
use crate::support::{add_store, spawn_app};

/// The console page that needs each permission.
fn probe(p: Permission) -> Option<&'static str> {
    match p {
        Permission::ViewDashboard => Some("/"),
        Permission::ManageStores => Some("/admin/stores"),
        Permission::ManageStaff => Some("/admin/staff"),
        Permission::ViewPermissions => Some("/admin/roles"),
        Permission::ManageTillKeys => Some("/admin/tills"),
        Permission::ManageApiTokens => Some("/admin/tokens"),
        Permission::ViewAudit => Some("/admin/audit"),
        Permission::ViewMembers => Some("/members"),
        Permission::ViewApprovals => Some("/approvals"),
        Permission::ManageLoyalty => Some("/admin/loyalty"),
        Permission::ViewPointsLiability => Some("/points/liability"),
        Permission::ViewEvents => Some("/events"),
        Permission::ViewRewards => Some("/rewards"),
        Permission::ViewPartners => Some("/partners"),
        Permission::ManageNotifications => Some("/admin/outbox"),
        Permission::TillStandIn => Some("/till"),
        Permission::ManageCalendar => Some("/admin/calendar"),
        Permission::ManageBackups => Some("/admin/backups"),
        Permission::ViewReports => Some("/reports"),
        Permission::ViewCustomers => Some("/customers"),
        Permission::WritePlans => Some("/plans"),
        Permission::ViewTargets => Some("/targets"),
        Permission::UseRotation => Some("/rotation"),
        Permission::ManageRotation => None,
        Permission::HandleComplaints => Some("/complaints"),
        Permission::ManageComplaints => Some("/admin/complaints"),
        Permission::CareForMembers => Some("/care"),
        Permission::ManageCare => Some("/admin/care"),
        Permission::ManageEvents
        | Permission::IssueRewards
        | Permission::ClaimRewards
        | Permission::ManageGiftStock
        | Permission::ManageRewardSettings
        | Permission::ManagePartners => None,
        Permission::ManageCustomers
        | Permission::AssignCustomers
        | Permission::ReviewPlans
        | Permission::ManageTargets
        | Permission::TakeComplaints => None,
        Permission::DecideApprovals
        | Permission::ManageMembers
        | Permission::ReviewApplications
        | Permission::ViewPersonalData
        | Permission::AdjustPoints
        | Permission::ViewGroupBuy
        | Permission::SellVouchers
        | Permission::ManageVoucherStock
        | Permission::ViewBuyerRegister
        | Permission::SignForDepartment
        | Permission::SignForFinance
        | Permission::ManageGroupBuySettings => None,
    }
}

/// A group-buy use case that needs `p`: `Err(true)` when refused for the permission, `Ok` when
/// it went past the permission check (whatever it then found).
async fn groupbuy_probe(ctx: &Ctx, p: Permission) -> Option<Result<(), bool>> {
    use patron::areas::groupbuy::{self, GroupBuyError};
    let result: Result<(), GroupBuyError> = match p {
        Permission::ViewGroupBuy => groupbuy::stock::overview(ctx, "HQ").await.map(|_| ()),
        Permission::SellVouchers => groupbuy::stock::stamp(
            ctx,
            &groupbuy::stock::StampIn {
                store_code: "HQ".into(),
                ranges: "1".into(),
            },
        )
        .await
        .map(|_| ()),
        Permission::ManageVoucherStock => {
            groupbuy::stock::print_file(ctx, 999_999).await.map(|_| ())
        }
        Permission::ViewBuyerRegister => {
            let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default();
            groupbuy::sales::register(ctx, "HQ", day, day)
                .await
                .map(|_| ())
        }
        Permission::SignForDepartment => groupbuy::reconcile::sign_department(ctx, "HQ", "2026-09")
            .await
            .map(|_| ()),
        Permission::SignForFinance => groupbuy::reconcile::sign_finance(ctx, "HQ", "2026-09")
            .await
            .map(|_| ()),
        Permission::ManageGroupBuySettings => {
            groupbuy::settings::set_check_code(ctx, 999_999, true).await
        }
        _ => return rewards_probe(ctx, p).await,
    };
    Some(match result {
        Err(GroupBuyError::Forbidden(_)) => Err(true),
        _ => Ok(()),
    })
}

/// A rewards use case that needs `p`: `Err(true)` when refused for the permission.
async fn rewards_probe(ctx: &Ctx, p: Permission) -> Option<Result<(), bool>> {
    use patron::areas::rewards::{self, RewardsError};
    let result: Result<(), RewardsError> = match p {
        Permission::IssueRewards => {
            let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
            rewards::lists::build_month_end(ctx, day).await.map(|_| ())
        }
        Permission::ClaimRewards => rewards::slips::claim(
            ctx,
            &rewards::slips::ClaimIn {
                store_code: "HQ".into(),
                slip_no: "FLHQ20260101-999".into(),
                id_checked: true,
            },
        )
        .await
        .map(|_| ()),
        Permission::ManageGiftStock => return gifts_probe(ctx).await,
        Permission::ManageRewardSettings => {
            rewards::settings::save(ctx, &rewards::settings::SettingsForm::default()).await
        }
        _ => return None,
    };
    Some(match result {
        Err(RewardsError::Forbidden(_)) => Err(true),
        _ => Ok(()),
    })
}

/// The gifts use case that needs ManageGiftStock: `Err(true)` when refused for it.
async fn gifts_probe(ctx: &Ctx) -> Option<Result<(), bool>> {
    use patron::areas::gifts::{GiftsError, stock};
    let result = stock::receive(
        ctx,
        &stock::DeliveryIn {
            store_code: "HQ".into(),
            ..Default::default()
        },
    )
    .await;
    Some(match result {
        Err(GiftsError::Forbidden(_)) => Err(true),
        _ => Ok(()),
    })
}

both!(
    every_role_gets_exactly_its_permissions,
    |backend| async move {
        let t = spawn_app(backend).await;
        // A requester for the approval probes, who holds no decision right.
        let (clerk_id, _) = t.add_staff("requester", &[("clerk", t.hq)], false).await;
        let clerk = t.staff_ctx(clerk_id, "requester", Role::Clerk, t.hq);
        let (probe_member, _) = t.add_member("探针会员", "13900009999", "").await;
        let mut checked = 0;
        for role in Role::ALL {
            let username = format!("r-{}", role.code().replace('_', "-"));
            let (id, _) = t.add_staff(&username, &[(role.code(), t.hq)], false).await;
            let b = t.login(&username).await;
            let dashboard = b.get("/").await.body;
            for p in Permission::ALL {
                let expected = allows(role, p);
                if let Some(path) = probe(p) {
                    let page = b.get(path).await;
                    let want = if expected {
                        StatusCode::OK
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(page.status, want, "{role:?} × {p:?} at {path}");
                    if !expected {
                        assert!(
                            page.body.contains("您的岗位无权执行此操作"),
                            "the refusal says why"
                        );
                        assert!(
                            page.body.contains("id=\"logout\""),
                            "and keeps the user's own navigation"
                        );
                        assert!(
                            page.body.contains(&format!("所需权限：{}", p.name_zh())),
                            "and names the missing permission in Chinese"
                        );
                    }
                    // The navigation shows a section exactly when the role may open it.
                    if path != "/" {
                        assert_eq!(
                            dashboard.contains(&format!("href=\"{path}\"")),
                            expected,
                            "nav link {path} for {role:?}"
                        );
                    }
                } else {
                    let ctx = t.staff_ctx(id, &username, role, t.hq);
                    let member_probe = match p {
                        Permission::ManageMembers => Some(
                            patron::areas::members::register(
                                &ctx,
                                "HQ",
                                &patron::areas::members::MemberIn {
                                    name: "探针".into(),
                                    phone: format!("1390000{:04}", checked),
                                    ..Default::default()
                                },
                                true,
                            )
                            .await
                            .map(|_| ())
                            .map_err(|e| {
                                matches!(e, patron::areas::members::MembersError::Forbidden(_))
                            }),
                        ),
                        Permission::ReviewApplications => Some(
                            match patron::areas::members::applications::review(
                                &ctx,
                                999_999,
                                patron::areas::members::applications::Review::Approve,
                            )
                            .await
                            {
                                Err(patron::areas::members::MembersError::Forbidden(_)) => {
                                    Err(true)
                                }
                                Err(patron::areas::members::MembersError::NotFound) => Ok(()),
                                Ok(_) => Ok(()),
                                Err(_) => Err(false),
                            },
                        ),
                        Permission::ViewPersonalData => Some(
                            patron::areas::members::reveal(&ctx, probe_member)
                                .await
                                .map(|_| ())
                                .map_err(|e| {
                                    matches!(e, patron::areas::members::MembersError::Forbidden(_))
                                }),
                        ),
                        Permission::AdjustPoints => Some(
                            patron::areas::points::adjust::request_adjustment(
                                &ctx,
                                probe_member,
                                1,
                                "probe",
                            )
                            .await
                            .map(|_| ())
                            .map_err(|e| {
                                matches!(e, patron::areas::points::PointsError::Forbidden(_))
                            }),
                        ),
                        Permission::ManageEvents => Some(
                            match patron::areas::events::create(
                                &ctx,
                                &patron::areas::events::EventIn::default(),
                            )
                            .await
                            {
                                Err(patron::areas::events::EventsError::Forbidden(_)) => Err(true),
                                _ => Ok(()),
                            },
                        ),
                        // Areas whose own probes come with their use cases: the grant as held.
                        Permission::ManagePartners => Some(
                            match patron::areas::partners::create_partner(
                                &ctx,
                                &patron::areas::partners::PartnerIn::default(),
                            )
                            .await
                            {
                                Err(patron::areas::partners::PartnersError::Forbidden(_)) => {
                                    Err(true)
                                }
                                _ => Ok(()),
                            },
                        ),
                        Permission::ManageCustomers => Some(
                            match patron::areas::customers::record(
                                &ctx,
                                &patron::areas::customers::CustomerIn::default(),
                            )
                            .await
                            {
                                Err(patron::areas::customers::CustomersError::Forbidden(_)) => {
                                    Err(true)
                                }
                                _ => Ok(()),
                            },
                        ),
                        Permission::ManageRotation => Some(
                            match patron::areas::rotation::set_team(
                                &ctx,
                                "probe",
                                &patron::areas::rotation::TeamIn::default(),
                            )
                            .await
                            {
                                Err(patron::areas::rotation::RotationError::Forbidden(_)) => {
                                    Err(true)
                                }
                                _ => Ok(()),
                            },
                        ),
                        Permission::TakeComplaints => Some(match patron::areas::complaints::take(
                            &ctx,
                            &patron::areas::complaints::Intake::default(),
                        )
                        .await
                        {
                            Err(patron::areas::complaints::ComplaintError::Forbidden(_)) => {
                                Err(true)
                            }
                            _ => Ok(()),
                        }),
                        // Permissions whose pages come in later steps: the grant as held.
                        Permission::ViewCustomers
                        | Permission::AssignCustomers
                        | Permission::WritePlans
                        | Permission::ReviewPlans
                        | Permission::ViewTargets
                        | Permission::ManageTargets => Some(ctx.require(p).map_err(|_| true)),
                        _ => groupbuy_probe(&ctx, p).await,
                    };
                    if let Some(result) = member_probe {
                        match result {
                            Ok(()) => assert!(expected, "{role:?} must not hold {p:?}"),
                            Err(true) => assert!(!expected, "{role:?} must hold {p:?}"),
                            Err(false) => panic!("{role:?} × {p:?}: unexpected error"),
                        }
                        checked += 1;
                        continue;
                    }
                    let outcome = {
                        let req = NewRequest {
                            kind: "test.permission".into(),
                            store_id: Some(t.hq),
                            subject_kind: "test".into(),
                            subject_id: role.code().into(),
                            summary: format!("probe for {role:?}"),
                            payload: serde_json::json!({}),
                            previous_id: None,
                        };
                        let clerk = clerk.clone();
                        let row = t
                            .app
                            .db
                            .write(move |tx| {
                                let (clerk, req) = (clerk.clone(), req.clone());
                                Box::pin(async move { approvals::submit(&clerk, tx, &req).await })
                            })
                            .await
                            .expect("submit");
                        let ctx = ctx.clone();
                        t.app
                            .db
                            .write(move |tx| {
                                let ctx = ctx.clone();
                                Box::pin(async move {
                                    approvals::decide(
                                        &ctx,
                                        tx,
                                        row.id,
                                        &Decision::Approve,
                                        TEST_KINDS,
                                    )
                                    .await
                                    .map(|_| ())
                                })
                            })
                            .await
                    };
                    match outcome {
                        Ok(()) => assert!(expected, "{role:?} must not hold {p:?}"),
                        Err(approvals::ApprovalsError::Forbidden(_)) => {
                            assert!(!expected, "{role:?} must hold {p:?}")
                        }
                        Err(e) => panic!("{role:?} × {p:?}: unexpected {e}"),
                    }
                }
                checked += 1;
            }
        }
        assert_eq!(checked, Role::ALL.len() * Permission::ALL.len());
        t.stop().await;
    }
);

both!(
    a_role_held_at_one_store_does_not_decide_at_another,
    |backend| async move {
        let t = spawn_app(backend).await;
        let other = add_store(&t, "WFJ").await;
        let (clerk_id, _) = t.add_staff("clerk1", &[("clerk", other)], false).await;
        let (sup_id, _) = t.add_staff("sup-hq", &[("supervisor", t.hq)], false).await;
        let clerk = t.staff_ctx(clerk_id, "clerk1", Role::Clerk, other);
        let sup = t.staff_ctx(sup_id, "sup-hq", Role::Supervisor, t.hq);
        let req = NewRequest {
            kind: "test.store".into(),
            store_id: Some(other),
            subject_kind: "t".into(),
            subject_id: "1".into(),
            summary: "at WFJ".into(),
            payload: serde_json::json!({}),
            previous_id: None,
        };
        let row = t
            .app
            .db
            .write(move |tx| {
                let (clerk, req) = (clerk.clone(), req.clone());
                Box::pin(async move { approvals::submit(&clerk, tx, &req).await })
            })
            .await
            .expect("submit");
        let r = t
            .app
            .db
            .write(move |tx| {
                let sup = sup.clone();
                Box::pin(async move {
                    approvals::decide(&sup, tx, row.id, &Decision::Approve, TEST_KINDS).await
                })
            })
            .await;
        assert!(
            matches!(r, Err(approvals::ApprovalsError::Forbidden(_))),
            "{r:?}"
        );
        t.stop().await;
    }
);

/// Kinds for probing the approval permission itself: every role holding `DecideApprovals`
/// may decide them.
const TEST_KINDS: &[approvals::ApprovalKind] = &[
    approvals::ApprovalKind {
        kind: "test.permission",
        label: "approval.kind.other",
        deciders: &[
            Role::Manager,
            Role::Supervisor,
            Role::FinanceManager,
            Role::Service,
        ],
        decide: no_consequence,
        record: |_| "/".to_string(),
        record_permission: Permission::ViewDashboard,
    },
    approvals::ApprovalKind {
        kind: "test.store",
        label: "approval.kind.other",
        deciders: &[
            Role::Manager,
            Role::Supervisor,
            Role::FinanceManager,
            Role::Service,
        ],
        decide: no_consequence,
        record: |_| "/".to_string(),
        record_permission: Permission::ViewDashboard,
    },
];

fn no_consequence(
    _ctx: &patron::kernel::ctx::Ctx,
    _id: i64,
    _d: Decision,
) -> approvals::DecideFuture<'_> {
    Box::pin(async { Err(patron::web::error::AppError::not_found()) })
}
