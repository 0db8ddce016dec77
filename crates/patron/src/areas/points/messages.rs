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
        "points.note.reversed",
        "小票 {receipt} 退货，扣回 {points} 积分",
        "Receipt {receipt} returned: {points} points taken back",
    ),
];
