//! The message catalog of the loyalty areas (members, cards, tiers, points, the portal, imports,
//! jobs): key, zh-CN, en. Merged with `messages::CATALOG` into one index.

pub const LOYALTY: &[(&str, &str, &str)] = &[
    // errors of the till API and the desk
    ("error.member_not_found", "找不到该会员", "Member not found"),
    ("error.card_frozen", "该卡已冻结", "The card is frozen"),
    ("error.card_expired", "该卡已过期", "The card has expired"),
    (
        "error.card_inactive",
        "该卡不可用（未激活、挂失、已换卡或已注销）",
        "The card cannot be used (not activated, reported lost, replaced or closed)",
    ),
    (
        "error.receipt_conflict",
        "该单号已用于内容不同的单据",
        "This number was already used with different content",
    ),
    (
        "error.receipt_not_found",
        "找不到原销售单",
        "The original receipt was not found",
    ),
    ("error.insufficient_points", "积分不足", "Not enough points"),
    // field errors
    (
        "invalid.phone",
        "手机号码应为11位数字",
        "A mobile number has 11 digits starting with 13–19",
    ),
    ("invalid.id_type", "没有这种证件类型", "No such ID type"),
    (
        "invalid.id_no",
        "证件号码不正确",
        "The ID number is not valid",
    ),
    (
        "invalid.card_no",
        "卡号应为4–20位字母或数字",
        "A card number has 4–20 letters or digits",
    ),
    ("invalid.no_such_card", "没有这张卡", "No such card"),
    ("invalid.gender", "性别应为男或女", "Gender is M or F"),
    ("invalid.email", "电子邮箱不正确", "Not an e-mail address"),
    (
        "invalid.channel",
        "没有这个招募渠道",
        "No such recruitment channel",
    ),
    ("invalid.amount", "金额不正确", "Not a valid amount"),
    (
        "invalid.points",
        "积分应为正整数",
        "Points must be a positive whole number",
    ),
    (
        "invalid.points_too_few",
        "积分不足以兑换最小金额",
        "Too few points to be worth anything",
    ),
    ("invalid.too_many", "条目过多", "Too many items"),
    (
        "invalid.no_such_line",
        "原销售单没有这一行",
        "The receipt has no such line",
    ),
    (
        "invalid.return_exceeds",
        "退货金额超过该行购买金额",
        "More returned than was bought on this line",
    ),
    (
        "invalid.json",
        "无法读取该字段",
        "This field could not be read",
    ),
];
