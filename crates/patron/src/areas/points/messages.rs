//! Messages of the points area's refusals and ledger notes: (key, zh-CN, en). (Most points
//! labels are in the members catalog, where the member pages that show them live.)

pub const POINTS: &[(&str, &str, &str)] = &[
    // the dashboard's points tile
    (
        "dash.points.missed_waiting",
        "补积分待审批",
        "Missed receipts awaiting approval",
    ),
    (
        "error.insufficient_points.have",
        "积分不足：现有 {available} 积分",
        "Not enough points: {available} available",
    ),
    (
        "points.note.opening_balance",
        "开户结转积分",
        "Opening balance",
    ),
    (
        "points.note.birthday",
        "生日双倍积分",
        "Birthday: double points",
    ),
    (
        "points.invalid.tier_pending",
        "该会员已有待审批的等级调整申请，请等审批结果",
        "A tier change for this member is already waiting for approval",
    ),
    ("points.source.approval", "审批 {no}", "Approval {no}"),
    (
        "points.source.lot",
        "{date} 到期批次",
        "Lot expiring {date}",
    ),
    (
        "points.source.member",
        "推荐会员 {no}",
        "Referred member {no}",
    ),
    ("points.source.event", "会员活动 {no}", "Member event {no}"),
    ("points.source.import", "导入", "Import"),
    ("points.source.demo", "演示数据", "Demo data"),
    (
        "points.note.reversed",
        "小票 {receipt} 退货，扣回 {points} 积分",
        "Receipt {receipt} returned: {points} points taken back",
    ),
    (
        "points.missed.already_credited",
        "小票 {receipt} 已于 {when} 入账 {points} 积分，不能重复补录",
        "Receipt {receipt} was already credited on {when} with {points} points; it cannot be entered again",
    ),
    (
        "points.missed.pending",
        "小票 {receipt} 已提交审批（第 {id} 号），正在等待主管审批",
        "Receipt {receipt} is already waiting for a supervisor (request #{id})",
    ),
    (
        "points.missed.before_card",
        "小票日期 {on} 早于办卡日期 {joined}：办卡前的消费不能补积分",
        "The receipt of {on} is from before the card was issued on {joined}: purchases before the card earn no points",
    ),
    (
        "points.card_expired_on",
        "会员卡 {card_no}（{name}）已于 {date} 到期，到期后的消费不能积分",
        "Card {card_no} ({name}) expired on {date}: purchases after that earn no points",
    ),
];
