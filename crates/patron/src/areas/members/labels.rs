//! The members area's labels for the codes it stores (channels, ID types, consent sources, card
//! and member states) and its refusals that name something: key, zh-CN, en (DESIGN.md "The
//! words people see"). Merged with the other catalogs into one index.

pub const LABELS: &[(&str, &str, &str)] = &[
    // recruitment channels (B1)
    ("channel.desk", "门店服务台", "Store desk"),
    ("channel.website", "网站", "Website"),
    ("channel.social", "社交媒体", "Social media"),
    ("channel.ecommerce", "电商平台", "E-commerce"),
    ("channel.event", "活动/展会", "Event or exhibition"),
    ("channel.partner", "特约商户", "Partner merchant"),
    ("channel.referral", "会员推荐", "Referral"),
    // ID types (B2)
    ("id_type.resident_card", "居民身份证", "Resident ID card"),
    ("id_type.passport", "护照", "Passport"),
    ("id_type.other", "其他证件", "Other ID"),
    // the printed application form (B1)
    ("member.form_title", "会员申请表", "Membership application"),
    ("member.form_no", "编号", "No."),
    ("member.form_submitted", "提交", "Submitted"),
    ("member.form_amount", "金额", "Amount"),
    ("member.form_signature", "会员签名", "Member's signature"),
    ("member.form_clerk", "经办", "Clerk"),
    ("member.form_review", "客服审核", "Reviewed by"),
    ("member.form_date", "日期", "Date"),
    (
        "member.form_privacy",
        "个人信息仅用于会员服务，依法保护。",
        "Personal data is used for membership services only and protected by law.",
    ),
    // marketing consent (B2)
    ("member.marketing_consent", "营销信息", "Marketing messages"),
    ("member.consent_yes", "同意接收", "Agreed"),
    ("member.consent_no", "不接收", "Declined"),
    (
        "member.consent_source",
        "意愿来源",
        "How the member said so",
    ),
    (
        "consent_source.desk",
        "服务台当面确认",
        "In person at the desk",
    ),
    ("consent_source.form", "书面签字", "Signed form"),
    ("consent_source.phone_call", "电话确认", "By telephone"),
    ("consent_source.registration", "入会时", "At registration"),
    ("consent_source.import", "导入", "Import"),
    ("consent_source.portal", "会员网站", "Member portal"),
    // changing details (B2, B6)
    (
        "member.details_title",
        "修改会员资料",
        "Change member details",
    ),
    (
        "member.new_phone",
        "新手机号（不改请留空）",
        "New phone (blank keeps it)",
    ),
    (
        "member.new_id_no",
        "新证件号码（不改请留空）",
        "New ID number (blank keeps it)",
    ),
    (
        "member.details_hint",
        "修改会被记录在审计日志中；新的手机号或证件号若已属于其他会员，将不予保存。",
        "Changes are recorded in the audit log; a phone or ID number that belongs to another member is refused.",
    ),
    (
        "member.details_changed",
        "修改会员资料",
        "Member details changed",
    ),
    // refusals that name something
    (
        "member.duplicate_phone",
        "该手机号已属于会员 {name}（#{id}）",
        "That phone number belongs to member {name} (#{id})",
    ),
    (
        "member.duplicate_id_no",
        "该证件号码已属于会员 {name}（#{id}）",
        "That ID number belongs to member {name} (#{id})",
    ),
    (
        "member.card_state_refused",
        "卡当前状态为“{state}”，不能执行此操作",
        "The card is {state}; this cannot be done to it",
    ),
    // the import (N3)
    (
        "invalid.no_such_date",
        "没有这一天（请检查月份和日期）",
        "There is no such day (check the month and day)",
    ),
    ("import.bad_consent", "请填“是”或“否”", "Write yes or no"),
    (
        "import.template",
        "下载导入模板",
        "Download the import template",
    ),
    // closing a member (B11)
    ("approval.kind.members_close", "注销会员", "Close a member"),
    ("points.kind.forfeit", "注销作废", "Forfeited on closing"),
    ("member.close_title", "注销会员", "Close the membership"),
    (
        "member.close_effect_before",
        "注销后，会员的姓名、手机号和证件号码将被删除，会员卡作废；剩余",
        "Closing erases the member's name, phone and ID number and ends the card; the remaining",
    ),
    (
        "member.close_effect_after",
        "积分将作废（记入积分明细）。须由主管或经理批准后执行。",
        "points are forfeited (booked in the statement). A supervisor or manager must approve it first.",
    ),
    ("member.close_reason", "注销原因", "Reason for closing"),
    (
        "member.close_confirm",
        "已向会员说明：剩余积分作废、个人信息删除，且不可恢复",
        "The member was told: the remaining points are forfeited and the personal data erased, for good",
    ),
    (
        "member.close_confirm_required",
        "请确认已向会员说明注销的后果",
        "Confirm the member was told what closing means",
    ),
    (
        "member.close_pending",
        "该会员的注销申请已在审批中",
        "A request to close this member is already waiting for approval",
    ),
    ("member.close_submit", "提交注销申请", "Ask to close"),
    (
        "flash.close_requested",
        "注销申请已提交，待主管批准",
        "The request to close was submitted for a supervisor's approval",
    ),
    // card states (B5, B6)
    ("card.state.replaced", "已挂失换卡", "Replaced after loss"),
    ("card.state.expired", "已过期", "Expired"),
    ("card.choose", "请选择操作…", "Choose…"),
];
