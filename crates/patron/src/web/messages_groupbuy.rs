//! The message catalog of the group-buy area (SPEC E): key, zh-CN, en. Merged with the other
//! catalogs into one index.

pub const GROUPBUY: &[(&str, &str, &str)] = &[
    // errors of the till API and the desk
    (
        "error.voucher_not_found",
        "券号或校验码不正确",
        "Unknown serial or wrong check code",
    ),
    (
        "error.voucher_used",
        "该券已使用",
        "The voucher has been used",
    ),
    (
        "error.voucher_expired",
        "该券已过期",
        "The voucher has expired",
    ),
    (
        "error.voucher_not_sold",
        "该券尚未售出，不能使用",
        "The voucher has not been sold",
    ),
    (
        "error.voucher_void",
        "该券已作废、损坏或遗失",
        "The voucher is void, damaged or lost",
    ),
    (
        "error.voucher_state",
        "券号段中有券不在所需状态，未作任何更改",
        "Some vouchers of the range are not where this needs them; nothing was changed",
    ),
    (
        "error.prepaid_rule",
        "违反单用途预付卡管理规定",
        "The sale breaks the prepaid-card rules",
    ),
    (
        "error.month_closed",
        "该月已对帐签字结帐，不能再更改",
        "The month is reconciled and closed; it cannot change",
    ),
    // the prepaid-card rules (E12), each named for the clerk
    (
        "e12.no_credit_card",
        "不得使用信用卡购买预付卡",
        "Prepaid vouchers may not be bought by credit card",
    ),
    (
        "e12.cash_organisation",
        "单位一次性购买5000元（含）以上，不得使用现金，须转账",
        "An organisation paying ¥5,000 or more at once must pay by transfer, not cash",
    ),
    (
        "e12.cash_person",
        "个人一次性购买5万元（含）以上，不得使用现金，须转账",
        "A person paying ¥50,000 or more at once must pay by transfer, not cash",
    ),
    (
        "e12.paying_account",
        "转账或支票付款须登记付款账户名称和账号",
        "Transfers and cheques record the paying account's name and number",
    ),
    (
        "e12.real_name",
        "一次性购买1万元（含）以上或购买记名券，须登记购买人实名及证件号码",
        "From ¥10,000, or for named vouchers, the buyer's real name and ID are recorded",
    ),
    (
        "e12.anonymous_face",
        "不记名券单张面值不得超过1000元",
        "An anonymous voucher's face value may not exceed ¥1,000",
    ),
    (
        "e12.anonymous_validity",
        "不记名券自售出之日起有效期不得少于3年",
        "An anonymous voucher must stay valid at least three years after its sale",
    ),
    // field errors
    (
        "invalid.serial",
        "券号应为1至12位数字",
        "A serial is 1 to 12 digits",
    ),
    (
        "invalid.serial_range",
        "券号段格式应为 起始号-终止号",
        "Write a range as first-last",
    ),
    (
        "invalid.serial_range_order",
        "终止号不能小于起始号",
        "The last serial is before the first",
    ),
    (
        "invalid.serial_range_overlap",
        "券号段重叠",
        "The ranges overlap",
    ),
    (
        "invalid.serial_range_taken",
        "该券号段已被其他批次使用",
        "Another series has serials in this range",
    ),
    (
        "invalid.serial_unknown",
        "券号段中有不存在的券号",
        "The range has serials that were never printed",
    ),
    (
        "invalid.mixed_face_values",
        "券号段内面值不同，请分段填写",
        "The range mixes face values; enter one range per face value",
    ),
    ("invalid.choice", "请选择一项", "Choose one of the options"),
    ("invalid.number", "请输入正确的数字", "Enter a valid number"),
    (
        "invalid.time",
        "时间格式应为 时:分",
        "Enter a time as HH:MM",
    ),
    (
        "invalid.month",
        "月份格式应为 年-月",
        "Enter a month as YYYY-MM",
    ),
    (
        "invalid.rebate_tiers",
        "返奖标准每行一档：金额 比例，如 10000 2%",
        "One tier a line: amount rate, e.g. 10000 2%",
    ),
    (
        "invalid.must_check",
        "交接时须核对此项",
        "This must be checked at hand-over",
    ),
    ("invalid.not_found", "找不到该记录", "No such record"),
    (
        "invalid.nothing_to_deposit",
        "没有待交财务的款项",
        "Nothing is waiting to be paid in",
    ),
    (
        "invalid.below_rebate_tier",
        "该客户未返扣的购券金额未达到返奖标准",
        "The buyer's purchases not yet rebated do not reach a rebate tier",
    ),
];
