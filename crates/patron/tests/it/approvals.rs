//! The approval mechanism (SPEC A2) on the real database.

use std::sync::Arc;

use patron::approvals::{self, ApprovalsError, NewRequest};
use patron::kernel::ctx::Ctx;
use patron_core::Role;
use patron_core::approvals::{ApprovalError, Decision};

use crate::both;
use crate::support::{TestApp, spawn_app};

fn request(kind: &str, previous_id: Option<i64>) -> NewRequest {
    NewRequest {
        kind: kind.into(),
        store_id: None,
        subject_kind: "member".into(),
        subject_id: "8800001".into(),
        summary: "补积分 3,000 分".into(),
        payload: serde_json::json!({ "points": 3000 }),
        previous_id,
    }
}

async fn submit(
    t: &TestApp,
    who: &Ctx,
    req: NewRequest,
) -> Result<approvals::ApprovalRow, ApprovalsError> {
    let who = who.clone();
    t.app
        .db
        .write(move |tx| {
            let (who, req) = (who.clone(), req.clone());
            Box::pin(async move { approvals::submit(&who, tx, &req).await })
        })
        .await
}

async fn decide(
    t: &TestApp,
    who: &Ctx,
    id: i64,
    d: Decision,
) -> Result<approvals::ApprovalRow, ApprovalsError> {
    let who = who.clone();
    t.app
        .db
        .write(move |tx| {
            let (who, d) = (who.clone(), d.clone());
            Box::pin(async move {
                approvals::decide(&who, tx, id, &d, patron::app::approvals::all()).await
            })
        })
        .await
}

both!(
    a_supervisor_who_requested_cannot_approve_but_another_can,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (a, _) = t.add_staff("sup-a", &[("supervisor", t.hq)], false).await;
        let (b, _) = t.add_staff("sup-b", &[("supervisor", t.hq)], false).await;
        let sup_a = t.staff_ctx(a, "sup-a", Role::Supervisor, t.hq);
        let sup_b = t.staff_ctx(b, "sup-b", Role::Supervisor, t.hq);
        let row = submit(&t, &sup_a, request("points.adjust", None))
            .await
            .expect("submit");
        assert_eq!(row.status, "pending");
        let own = decide(&t, &sup_a, row.id, Decision::Approve).await;
        assert!(
            matches!(own, Err(ApprovalsError::Rule(ApprovalError::OwnRequest))),
            "{own:?}"
        );
        let ok = decide(&t, &sup_b, row.id, Decision::Approve)
            .await
            .expect("approve");
        assert_eq!(ok.status, "approved");
        assert_eq!(ok.decided_by, Some(b));
        // A decided request stays decided.
        let again = decide(
            &t,
            &sup_b,
            row.id,
            Decision::Reject {
                reason: "改主意".into(),
            },
        )
        .await;
        assert!(matches!(
            again,
            Err(ApprovalsError::Rule(ApprovalError::NotPending(_)))
        ));
        // Both steps are in the audit log.
        let (rows, _) = patron::kernel::audit::list(
            &t.app.db,
            &patron::kernel::audit::AuditFilter {
                entity_kind: Some("approval".into()),
                entity_id: Some(row.id.to_string()),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .expect("audit");
        let actions: Vec<&str> = rows.iter().rev().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, vec!["approval.submit", "approval.approved"]);
        t.stop().await;
    }
);

both!(
    a_rejection_needs_a_reason_and_the_request_can_be_resubmitted,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (c, _) = t.add_staff("clerk", &[("clerk", t.hq)], false).await;
        let (s, _) = t.add_staff("service", &[("service", t.hq)], false).await;
        let clerk = t.staff_ctx(c, "clerk", Role::Clerk, t.hq);
        let service = t.staff_ctx(s, "service", Role::Service, t.hq);
        let row = submit(&t, &clerk, request("points.adjust", None))
            .await
            .expect("submit");
        let no_reason = decide(
            &t,
            &service,
            row.id,
            Decision::Reject { reason: " ".into() },
        )
        .await;
        assert!(matches!(
            no_reason,
            Err(ApprovalsError::Rule(ApprovalError::ReasonRequired))
        ));
        let rejected = decide(
            &t,
            &service,
            row.id,
            Decision::Reject {
                reason: "身份证号码不符".into(),
            },
        )
        .await
        .expect("reject");
        assert_eq!(rejected.reason.as_deref(), Some("身份证号码不符"));
        let second = submit(&t, &clerk, request("points.adjust", Some(row.id)))
            .await
            .expect("resubmit");
        assert_eq!(second.previous_id, Some(row.id));
        // Only a rejected request of the same kind can be corrected and resubmitted.
        let wrong = submit(&t, &clerk, request("other.kind", Some(row.id))).await;
        assert!(matches!(wrong, Err(ApprovalsError::Invalid(_))));
        let approved_prev = submit(&t, &clerk, request("points.adjust", Some(second.id))).await;
        assert!(matches!(approved_prev, Err(ApprovalsError::Invalid(_))));
        t.stop().await;
    }
);

both!(two_deciders_at_once_one_wins, |backend| async move {
    let t = spawn_app(backend).await;
    let (c, _) = t.add_staff("clerk", &[("clerk", t.hq)], false).await;
    let clerk = t.staff_ctx(c, "clerk", Role::Clerk, t.hq);
    let mut deciders = Vec::new();
    for i in 0..8 {
        let (id, _) = t
            .add_staff(&format!("mgr{i}"), &[("manager", t.hq)], false)
            .await;
        deciders.push(t.staff_ctx(id, &format!("mgr{i}"), Role::Manager, t.hq));
    }
    let t = Arc::new(t);
    for round in 0..5 {
        let row = submit(&t, &clerk, request("points.adjust", None))
            .await
            .expect("submit");
        let mut tasks = Vec::new();
        for (i, d) in deciders.iter().enumerate() {
            let (t, d) = (t.clone(), d.clone());
            let decision = if i % 2 == 0 {
                Decision::Approve
            } else {
                Decision::Reject {
                    reason: "不同意".into(),
                }
            };
            tasks.push(tokio::spawn(async move {
                decide(&t, &d, row.id, decision).await
            }));
        }
        let mut wins = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(_) => wins += 1,
                Err(ApprovalsError::Rule(ApprovalError::NotPending(_))) => {}
                Err(e) => panic!("round {round}: {e}"),
            }
        }
        assert_eq!(wins, 1, "round {round}: exactly one decision stands");
    }
    if let Ok(t) = Arc::try_unwrap(t) {
        t.stop().await;
    }
});

both!(
    each_kind_is_decided_only_by_the_roles_it_names,
    |backend| async move {
        let t = spawn_app(backend).await;
        let (c, _) = t.add_staff("clerk-a", &[("clerk", t.hq)], false).await;
        let (s, _) = t.add_staff("sup-a", &[("supervisor", t.hq)], false).await;
        let (m, _) = t.add_staff("mgr-a", &[("manager", t.hq)], false).await;
        let clerk = t.staff_ctx(c, "clerk-a", Role::Clerk, t.hq);
        let sup = t.staff_ctx(s, "sup-a", Role::Supervisor, t.hq);
        let mgr = t.staff_ctx(m, "mgr-a", Role::Manager, t.hq);
        // A tier change (platinum is the company's decision) goes to a manager, not any approver.
        let row = submit(&t, &clerk, request("members.tier", None))
            .await
            .expect("submit");
        let refused = decide(&t, &sup, row.id, Decision::Approve).await;
        assert!(
            matches!(refused, Err(ApprovalsError::NotDecider { .. })),
            "{refused:?}"
        );
        let ok = decide(&t, &mgr, row.id, Decision::Approve)
            .await
            .expect("the manager decides");
        assert_eq!(ok.status, "approved");
        // A kind no area declares is decided by nobody.
        let stray = submit(&t, &clerk, request("nobody.knows", None))
            .await
            .expect("submit");
        let refused = decide(&t, &mgr, stray.id, Decision::Approve).await;
        assert!(
            matches!(refused, Err(ApprovalsError::UnknownKind(_))),
            "{refused:?}"
        );
        t.stop().await;
    }
);
