//! Roles, permissions and the one table that joins them (SPEC A1–A2).
//!
//! The matrix below is the single source of truth: use cases ask `allows`, the console shows
//! `MATRIX` read-only, and the tests walk every role × permission pair. A later business area
//! adds its permissions here, with the roles the SPEC line names.

use serde::{Deserialize, Serialize};

/// A job a staff member holds (SPEC A1). A person may hold several; each is bound to stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Supervisor,
    Clerk,
    Service,
    Marketing,
    Cashier,
    FinanceManager,
    TillCashier,
    RewardDesk,
    Information,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Admin,
        Role::Manager,
        Role::Supervisor,
        Role::Clerk,
        Role::Service,
        Role::Marketing,
        Role::Cashier,
        Role::FinanceManager,
        Role::TillCashier,
        Role::RewardDesk,
        Role::Information,
    ];

    /// The stable code stored in the database and used on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Supervisor => "supervisor",
            Role::Clerk => "clerk",
            Role::Service => "service",
            Role::Marketing => "marketing",
            Role::Cashier => "cashier",
            Role::FinanceManager => "finance_manager",
            Role::TillCashier => "till_cashier",
            Role::RewardDesk => "reward_desk",
            Role::Information => "information",
        }
    }

    /// A role that serves the whole chain from head office (信息部: the list of all members at a
    /// threshold, SPEC D2): it sees every store's members in the lists it may read, whichever
    /// store it is bound to.
    pub fn serves_chain(self) -> bool {
        matches!(self, Role::Information)
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The name the staff use (zh-CN).
    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Manager => "经理",
            Role::Supervisor => "主管",
            Role::Clerk => "职员",
            Role::Service => "客服",
            Role::Marketing => "市场推广",
            Role::Cashier => "出纳",
            Role::FinanceManager => "财务经理",
            Role::TillCashier => "收银",
            Role::RewardDesk => "领奖处",
            Role::Information => "信息部",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Manager => "Department manager",
            Role::Supervisor => "Supervisor",
            Role::Clerk => "Clerk",
            Role::Service => "Customer service",
            Role::Marketing => "Marketing",
            Role::Cashier => "Finance cashier",
            Role::FinanceManager => "Finance manager",
            Role::TillCashier => "Till cashier",
            Role::RewardDesk => "Reward desk",
            Role::Information => "Information dept",
        }
    }
}

/// Something a use case may do. Each names the roles allowed in `MATRIX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the console's dashboard.
    ViewDashboard,
    /// Create and edit stores.
    ManageStores,
    /// Create staff accounts, grant roles, disable accounts, reset passwords.
    ManageStaff,
    /// See the role → permission matrix.
    ViewPermissions,
    /// Issue and revoke till keys.
    ManageTillKeys,
    /// Issue and revoke API tokens for scripts.
    ManageApiTokens,
    /// Read the audit log.
    ViewAudit,
    /// See approval requests waiting for a decision.
    ViewApprovals,
    /// Approve or reject a request (never one's own; see `approvals`).
    DecideApprovals,
    /// Search members and open their page (card, tier, ledger, notes).
    ViewMembers,
    /// Register members, submit applications, operate cards (activate, renew, loss, freeze, close).
    ManageMembers,
    /// Approve or reject member applications (B4; never one's own).
    ReviewApplications,
    /// See phone and ID numbers in full (each view is audited).
    ViewPersonalData,
    /// Enter missed receipts and request manual points adjustments.
    AdjustPoints,
    /// Change tiers, thresholds, benefits, points settings and card rules (audited).
    ManageLoyalty,
    /// See outstanding points and their money value (finance).
    ViewPointsLiability,
    /// See voucher stock, sales, cheques, rebates, reports and reconciliations (E).
    ViewGroupBuy,
    /// Request vouchers, stamp, sell, handle cheques, deposit slips, rebates and write-off
    /// requests (the group-buy desk).
    SellVouchers,
    /// Print voucher series, prepare requisitions and hand vouchers over (finance).
    ManageVoucherStock,
    /// Read the confidential customer register (客户资料登记表) and rebate register.
    ViewBuyerRegister,
    /// Sign the month-end reconciliation for the department.
    SignForDepartment,
    /// Sign the month-end reconciliation for finance.
    SignForFinance,
    /// Prepaid-card limits, rebate tiers, cheque days, report time, check codes per store.
    ManageGroupBuySettings,
    /// Reward lists, slips, gift stock, the exchange catalogue and birthday gifts (D, C7, J3).
    ViewRewards,
    /// Verify points (核分), record notices, make reward slips and exchange points for gifts at the desk.
    IssueRewards,
    /// Hand over a gift against a reward slip or a birthday entitlement (领奖处).
    ClaimRewards,
    /// Receive gifts on a delivery note, move them between stores, count the stock.
    ManageGiftStock,
    /// Thresholds, gifts and their points prices, birthday gifts per tier, slip rules; extend slips.
    ManageRewardSettings,
    /// See member events, sign-ups, attendance and analyses (H).
    ViewEvents,
    /// Plan events, invite, sign members up, check them in at the door, award event points.
    ManageEvents,
    /// See partner merchants, contracts and callbacks (G).
    ViewPartners,
    /// Move partners through the pipeline, record contracts and callbacks.
    ManagePartners,
    /// See the outbox (every message, its state and why) and edit the message texts (L1).
    ManageNotifications,
    /// When a till is down: check a voucher and look a member up at the console (收银台应急).
    TillStandIn,
    /// See organisation customers, their callbacks, visits and research (F).
    ViewCustomers,
    /// Record customers, log callbacks, plan visits and outreach, file research (F).
    ManageCustomers,
    /// Reassign customers between salespeople, balance their numbers, answer escalated problems (F2, F8).
    AssignCustomers,
    /// Edit working hours, holidays, make-up workdays and festival dates.
    ManageCalendar,
    /// Write one's own daily, weekly and monthly plans and summaries (A3).
    WritePlans,
    /// Read the team's plans and summaries and see the missing and late ones (A3).
    ReviewPlans,
    /// See monthly targets against actuals (A4, B1).
    ViewTargets,
    /// Set monthly targets per department and person (A4, B1).
    ManageTargets,
    /// Work the sales-floor rotation: record walk-ins, states, sales, "just browsing" (K1–K5).
    UseRotation,
    /// Set up rotation teams, reorder them with a reason, decide credit disputes (K4, K5).
    ManageRotation,
    /// Take complaints, acknowledge, route, report a major case, record the callback (I1–I4).
    TakeComplaints,
    /// See the complaints board and cases; answer and resolve a case routed to one's department (I3).
    HandleComplaints,
    /// Complaint settings and departments, the monthly analysis, the case library's choice (I3, I5).
    ManageComplaints,
    /// Care for members (J): the care tasks of one's members, receptions and the service desk
    /// log, the top-member file (advisors, customer service, information dept).
    CareForMembers,
    /// Manage care (J): the care tiers, members' advisors, cancelling a schedule, completion
    /// figures per advisor (managers).
    ManageCare,
    /// Make backups now, set their schedule, see the backups made (N2).
    ManageBackups,
    /// The reports (M): members, RFM segments, points as money, group-buy sales, service
    /// figures; export them and a segment's members for a campaign.
    ViewReports,
}

impl Permission {
    pub const ALL: [Permission; 51] = [
        Permission::ViewDashboard,
        Permission::ManageStores,
        Permission::ManageStaff,
        Permission::ViewPermissions,
        Permission::ManageTillKeys,
        Permission::ManageApiTokens,
        Permission::ViewAudit,
        Permission::ViewApprovals,
        Permission::DecideApprovals,
        Permission::ViewMembers,
        Permission::ManageMembers,
        Permission::ReviewApplications,
        Permission::ViewPersonalData,
        Permission::AdjustPoints,
        Permission::ManageLoyalty,
        Permission::ViewPointsLiability,
        Permission::ViewGroupBuy,
        Permission::SellVouchers,
        Permission::ManageVoucherStock,
        Permission::ViewBuyerRegister,
        Permission::SignForDepartment,
        Permission::SignForFinance,
        Permission::ManageGroupBuySettings,
        Permission::ViewRewards,
        Permission::IssueRewards,
        Permission::ClaimRewards,
        Permission::ManageGiftStock,
        Permission::ManageRewardSettings,
        Permission::ViewEvents,
        Permission::ManageEvents,
        Permission::ViewPartners,
        Permission::ManagePartners,
        Permission::ManageNotifications,
        Permission::TillStandIn,
        Permission::ViewCustomers,
        Permission::ManageCustomers,
        Permission::AssignCustomers,
        Permission::ManageCalendar,
        Permission::WritePlans,
        Permission::ReviewPlans,
        Permission::ViewTargets,
        Permission::ManageTargets,
        Permission::UseRotation,
        Permission::ManageRotation,
        Permission::TakeComplaints,
        Permission::HandleComplaints,
        Permission::ManageComplaints,
        Permission::CareForMembers,
        Permission::ManageCare,
        Permission::ManageBackups,
        Permission::ViewReports,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::ViewDashboard => "view_dashboard",
            Permission::ManageStores => "manage_stores",
            Permission::ManageStaff => "manage_staff",
            Permission::ViewPermissions => "view_permissions",
            Permission::ManageTillKeys => "manage_till_keys",
            Permission::ManageApiTokens => "manage_api_tokens",
            Permission::ViewAudit => "view_audit",
            Permission::ViewApprovals => "view_approvals",
            Permission::DecideApprovals => "decide_approvals",
            Permission::ViewMembers => "view_members",
            Permission::ManageMembers => "manage_members",
            Permission::ReviewApplications => "review_applications",
            Permission::ViewPersonalData => "view_personal_data",
            Permission::AdjustPoints => "adjust_points",
            Permission::ManageLoyalty => "manage_loyalty",
            Permission::ViewPointsLiability => "view_points_liability",
            Permission::ViewGroupBuy => "view_group_buy",
            Permission::SellVouchers => "sell_vouchers",
            Permission::ManageVoucherStock => "manage_voucher_stock",
            Permission::ViewBuyerRegister => "view_buyer_register",
            Permission::SignForDepartment => "sign_for_department",
            Permission::SignForFinance => "sign_for_finance",
            Permission::ManageGroupBuySettings => "manage_group_buy_settings",
            Permission::ViewRewards => "view_rewards",
            Permission::IssueRewards => "issue_rewards",
            Permission::ClaimRewards => "claim_rewards",
            Permission::ManageGiftStock => "manage_gift_stock",
            Permission::ManageRewardSettings => "manage_reward_settings",
            Permission::ViewEvents => "view_events",
            Permission::ManageEvents => "manage_events",
            Permission::ViewPartners => "view_partners",
            Permission::ManagePartners => "manage_partners",
            Permission::ManageNotifications => "manage_notifications",
            Permission::TillStandIn => "till_stand_in",
            Permission::ViewCustomers => "view_customers",
            Permission::ManageCustomers => "manage_customers",
            Permission::AssignCustomers => "assign_customers",
            Permission::ManageCalendar => "manage_calendar",
            Permission::WritePlans => "write_plans",
            Permission::ReviewPlans => "review_plans",
            Permission::ViewTargets => "view_targets",
            Permission::ManageTargets => "manage_targets",
            Permission::UseRotation => "use_rotation",
            Permission::ManageRotation => "manage_rotation",
            Permission::TakeComplaints => "take_complaints",
            Permission::HandleComplaints => "handle_complaints",
            Permission::ManageComplaints => "manage_complaints",
            Permission::CareForMembers => "care_for_members",
            Permission::ManageCare => "manage_care",
            Permission::ManageBackups => "manage_backups",
            Permission::ViewReports => "view_reports",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Permission::ViewDashboard => "查看工作台",
            Permission::ManageStores => "管理门店",
            Permission::ManageStaff => "管理员工账号",
            Permission::ViewPermissions => "查看权限表",
            Permission::ManageTillKeys => "管理收银机密钥",
            Permission::ManageApiTokens => "管理接口令牌",
            Permission::ViewAudit => "查看审计日志",
            Permission::ViewApprovals => "查看审批",
            Permission::DecideApprovals => "审批",
            Permission::ViewMembers => "查看会员",
            Permission::ManageMembers => "办理会员业务",
            Permission::ReviewApplications => "审核会员申请",
            Permission::ViewPersonalData => "查看完整个人信息",
            Permission::AdjustPoints => "积分调整与补积分",
            Permission::ManageLoyalty => "会员等级与积分设置",
            Permission::ViewPointsLiability => "查看积分负债",
            Permission::ViewGroupBuy => "查看团购券",
            Permission::SellVouchers => "团购售券业务",
            Permission::ManageVoucherStock => "团购券库存（财务）",
            Permission::ViewBuyerRegister => "查看客户资料登记表",
            Permission::SignForDepartment => "部门对帐签字",
            Permission::SignForFinance => "财务对帐签字",
            Permission::ManageGroupBuySettings => "团购设置",
            Permission::ViewRewards => "查看返礼与奖品",
            Permission::IssueRewards => "核分与开返礼单",
            Permission::ClaimRewards => "领奖处发放奖品",
            Permission::ManageGiftStock => "奖品库存",
            Permission::ManageRewardSettings => "返礼与奖品设置",
            Permission::ViewEvents => "查看会员活动",
            Permission::ManageEvents => "会员活动策划与执行",
            Permission::ViewPartners => "查看特约商户",
            Permission::ManagePartners => "特约商户管理",
            Permission::ManageNotifications => "通知发送记录与短信模板",
            Permission::TillStandIn => "收银台故障时查券、查会员",
            Permission::ViewCustomers => "查看大宗客户",
            Permission::ManageCustomers => "大宗客户与回访",
            Permission::AssignCustomers => "客户分配与调整",
            Permission::ManageCalendar => "工作日历与节日",
            Permission::WritePlans => "工作计划与总结",
            Permission::ReviewPlans => "查看团队计划与总结",
            Permission::ViewTargets => "查看业绩指标",
            Permission::ManageTargets => "设定业绩指标",
            Permission::UseRotation => "销售现场轮见",
            Permission::ManageRotation => "管理轮见小组与业绩争议",
            Permission::TakeComplaints => "受理投诉与回访",
            Permission::HandleComplaints => "投诉看板与部门处理",
            Permission::ManageComplaints => "投诉设置与分析",
            Permission::CareForMembers => "会员维护与接待",
            Permission::ManageCare => "会员维护管理",
            Permission::ManageBackups => "数据备份",
            Permission::ViewReports => "统计报表",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Permission::ViewDashboard => "View dashboard",
            Permission::ManageStores => "Manage stores",
            Permission::ManageStaff => "Manage staff accounts",
            Permission::ViewPermissions => "View permission matrix",
            Permission::ManageTillKeys => "Manage till keys",
            Permission::ManageApiTokens => "Manage API tokens",
            Permission::ViewAudit => "View audit log",
            Permission::ViewApprovals => "View approvals",
            Permission::DecideApprovals => "Approve or reject requests",
            Permission::ViewMembers => "View members",
            Permission::ManageMembers => "Handle members and cards",
            Permission::ReviewApplications => "Review member applications",
            Permission::ViewPersonalData => "See full personal data",
            Permission::AdjustPoints => "Adjust points and enter missed receipts",
            Permission::ManageLoyalty => "Loyalty settings and tiers",
            Permission::ViewPointsLiability => "See outstanding points",
            Permission::ViewGroupBuy => "View group-buy vouchers",
            Permission::SellVouchers => "Sell group-buy vouchers",
            Permission::ManageVoucherStock => "Voucher stock (finance)",
            Permission::ViewBuyerRegister => "Read the customer register",
            Permission::SignForDepartment => "Sign reconciliation (department)",
            Permission::SignForFinance => "Sign reconciliation (finance)",
            Permission::ManageGroupBuySettings => "Group-buy settings",
            Permission::ViewRewards => "View rewards and gifts",
            Permission::IssueRewards => "Verify points and issue reward slips",
            Permission::ClaimRewards => "Hand over gifts at the reward desk",
            Permission::ManageGiftStock => "Gift stock",
            Permission::ManageRewardSettings => "Reward and gift settings",
            Permission::ViewEvents => "View member events",
            Permission::ManageEvents => "Plan and run member events",
            Permission::ViewPartners => "View partner merchants",
            Permission::ManagePartners => "Manage partner merchants",
            Permission::ManageNotifications => "Outbox and message texts",
            Permission::TillStandIn => "Voucher check and member lookup when a till is down",
            Permission::ViewCustomers => "View organisation customers",
            Permission::ManageCustomers => "Record customers and callbacks",
            Permission::AssignCustomers => "Reassign and balance customers",
            Permission::ManageCalendar => "Working calendar and festivals",
            Permission::WritePlans => "Write work plans and summaries",
            Permission::ReviewPlans => "Read the team's plans and summaries",
            Permission::ViewTargets => "View targets and actuals",
            Permission::ManageTargets => "Set targets",
            Permission::UseRotation => "Work the sales-floor rotation",
            Permission::ManageRotation => "Manage rotation teams and credit disputes",
            Permission::TakeComplaints => "Take complaints and call back",
            Permission::HandleComplaints => "Complaints board and department answers",
            Permission::ManageComplaints => "Complaint settings and analysis",
            Permission::CareForMembers => "Member care and reception",
            Permission::ManageCare => "Manage member care",
            Permission::ManageBackups => "Backups",
            Permission::ViewReports => "Reports",
        }
    }
}

use Role::*;

const EVERYONE: &[Role] = &Role::ALL;

/// The role → permission matrix: for each permission, the roles that hold it.
pub const MATRIX: &[(Permission, &[Role])] = &[
    (Permission::ViewDashboard, EVERYONE),
    (Permission::ManageStores, &[Admin]),
    (Permission::ManageStaff, &[Admin]),
    (
        Permission::ViewPermissions,
        &[Admin, Manager, FinanceManager],
    ),
    (Permission::ManageTillKeys, &[Admin]),
    (Permission::ManageApiTokens, &[Admin]),
    (Permission::ViewAudit, &[Admin, Manager, FinanceManager]),
    (
        Permission::ViewApprovals,
        &[Admin, Manager, Supervisor, FinanceManager, Service],
    ),
    (
        Permission::DecideApprovals,
        &[Manager, Supervisor, FinanceManager, Service],
    ),
    (
        Permission::ViewMembers,
        &[
            Manager,
            Supervisor,
            Clerk,
            Service,
            Marketing,
            RewardDesk,
            Information,
        ],
    ),
    (
        Permission::ManageMembers,
        &[Manager, Supervisor, Clerk, Service],
    ),
    (
        Permission::ReviewApplications,
        &[Manager, Supervisor, Service],
    ),
    (Permission::ViewPersonalData, &[Manager, Service]),
    (
        Permission::AdjustPoints,
        &[Manager, Supervisor, Clerk, Service],
    ),
    (Permission::ManageLoyalty, &[Admin, Manager]),
    (
        Permission::ViewPointsLiability,
        &[Manager, FinanceManager, Cashier],
    ),
    (
        Permission::ViewGroupBuy,
        &[Manager, Supervisor, Clerk, Cashier, FinanceManager],
    ),
    (Permission::SellVouchers, &[Manager, Supervisor, Clerk]),
    (Permission::ManageVoucherStock, &[Cashier, FinanceManager]),
    (Permission::ViewBuyerRegister, &[Manager, Supervisor, Clerk]),
    (Permission::SignForDepartment, &[Manager, Supervisor]),
    (Permission::SignForFinance, &[FinanceManager]),
    (Permission::ManageGroupBuySettings, &[Admin, Manager]),
    (
        Permission::ViewRewards,
        &[Manager, Supervisor, Clerk, Service, RewardDesk, Information],
    ),
    (
        Permission::IssueRewards,
        &[Manager, Supervisor, Clerk, Service],
    ),
    (Permission::ClaimRewards, &[Manager, Supervisor, RewardDesk]),
    (
        Permission::ManageGiftStock,
        &[Manager, Supervisor, RewardDesk],
    ),
    (Permission::ManageRewardSettings, &[Admin, Manager]),
    (
        Permission::ViewEvents,
        &[Manager, Supervisor, Clerk, Service, Marketing, Information],
    ),
    (
        Permission::ManageEvents,
        &[Manager, Supervisor, Marketing, Clerk],
    ),
    (
        Permission::ViewPartners,
        &[Manager, Supervisor, Clerk, Service, Marketing],
    ),
    (
        Permission::ManagePartners,
        &[Manager, Supervisor, Marketing],
    ),
    (Permission::ManageNotifications, &[Admin, Manager]),
    (Permission::TillStandIn, &[TillCashier, Supervisor, Manager]),
    (
        Permission::ViewCustomers,
        &[Manager, Supervisor, Clerk, Marketing],
    ),
    (
        Permission::ManageCustomers,
        &[Manager, Supervisor, Clerk, Marketing],
    ),
    (Permission::AssignCustomers, &[Manager, Supervisor]),
    (Permission::ManageCalendar, &[Admin, Manager]),
    (Permission::WritePlans, EVERYONE),
    (Permission::ReviewPlans, &[Manager, Supervisor]),
    (
        Permission::ViewTargets,
        &[
            Manager,
            Supervisor,
            Clerk,
            Marketing,
            Service,
            FinanceManager,
        ],
    ),
    (Permission::ManageTargets, &[Manager]),
    (
        Permission::UseRotation,
        &[Manager, Supervisor, Clerk, Service],
    ),
    (Permission::ManageRotation, &[Manager, Supervisor]),
    (
        Permission::TakeComplaints,
        &[Manager, Supervisor, Service, Information],
    ),
    (
        Permission::HandleComplaints,
        &[Manager, Supervisor, Clerk, Service, Information],
    ),
    (Permission::ManageComplaints, &[Manager]),
    (
        Permission::CareForMembers,
        &[Manager, Supervisor, Clerk, Service, Information],
    ),
    (Permission::ManageCare, &[Manager]),
    (Permission::ManageBackups, &[Admin]),
    (
        Permission::ViewReports,
        &[Manager, Supervisor, Marketing, FinanceManager],
    ),
];

/// The roles that hold `permission`.
pub fn roles_for(permission: Permission) -> &'static [Role] {
    MATRIX
        .iter()
        .find(|(p, _)| *p == permission)
        .map(|(_, roles)| *roles)
        .unwrap_or(&[])
}

/// Whether `role` holds `permission`.
pub fn allows(role: Role, permission: Permission) -> bool {
    roles_for(permission).contains(&role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_appears_in_the_matrix_exactly_once() {
        for p in Permission::ALL {
            assert_eq!(MATRIX.iter().filter(|(q, _)| *q == p).count(), 1, "{p:?}");
        }
        assert_eq!(MATRIX.len(), Permission::ALL.len());
    }

    #[test]
    fn role_codes_round_trip_and_are_unique() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn only_administrators_manage_staff_stores_and_keys() {
        for r in Role::ALL {
            let admin = r == Admin;
            assert_eq!(allows(r, Permission::ManageStaff), admin, "{r:?}");
            assert_eq!(allows(r, Permission::ManageStores), admin, "{r:?}");
            assert_eq!(allows(r, Permission::ManageTillKeys), admin, "{r:?}");
        }
    }

    #[test]
    fn a_till_cashier_sees_only_the_dashboard_the_stand_in_page_and_their_own_plans() {
        // Every staff member writes their own daily plan and summary (A3); nothing else.
        let held: Vec<_> = Permission::ALL
            .into_iter()
            .filter(|p| allows(TillCashier, *p))
            .collect();
        assert_eq!(
            held,
            vec![
                Permission::ViewDashboard,
                Permission::TillStandIn,
                Permission::WritePlans
            ]
        );
    }

    #[test]
    fn finance_and_the_department_sign_for_themselves_only() {
        for r in Role::ALL {
            assert!(
                !(allows(r, Permission::SignForDepartment)
                    && allows(r, Permission::SignForFinance)),
                "{r:?} could sign both sides of a reconciliation"
            );
            assert!(
                !(allows(r, Permission::SellVouchers) && allows(r, Permission::ManageVoucherStock)),
                "{r:?} could both hand vouchers over and sell them"
            );
        }
    }

    #[test]
    fn administrators_do_not_decide_business_approvals() {
        // The administrator runs the system; approvals belong to the business line (four eyes
        // between people who do the work), so an admin can see but not decide them.
        assert!(allows(Admin, Permission::ViewApprovals));
        assert!(!allows(Admin, Permission::DecideApprovals));
    }
}
