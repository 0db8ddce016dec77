//! Messages every customers topic shares: (key, zh-CN, en). Each topic has its own catalog in
//! its folder.

pub const CUSTOMERS: &[(&str, &str, &str)] = &[
    (
        "customers.kind.enterprise",
        "企事业单位",
        "Enterprise or institution",
    ),
    ("customers.kind.government", "行政机关", "Government office"),
    ("customers.kind.collective", "集体", "Collective"),
    ("customers.kind.individual", "个人", "Individual"),
    ("customers.grade.A", "A 类", "Grade A"),
    ("customers.grade.B", "B 类", "Grade B"),
    ("customers.grade.C", "C 类", "Grade C"),
    ("customers.way.visit", "走访", "Visit"),
    ("customers.way.phone", "电话", "Phone"),
    ("customers.way.mail", "邮寄", "Mailing"),
    ("customers.recorded", "登记客户", "Customer recorded"),
    ("customers.menu.callbacks", "客户回访登记本", "Callback log"),
    ("customers.menu.overdue", "逾期未回访", "Overdue callbacks"),
    ("customers.menu.campaigns", "节日回访", "Holiday campaigns"),
    (
        "customers.menu.escalations",
        "问题待答复",
        "Problems to answer",
    ),
    ("customers.menu.outreach", "外联计划与总结", "Outreach plan"),
    ("customers.menu.visits", "客户走访", "Visits"),
    ("customers.menu.review", "名录核查", "Directory review"),
    ("customers.menu.research", "市场调研", "Market research"),
    ("audit.kind.customer", "客户", "Customer"),
    (
        "customers.exists_owned",
        "该客户已由 {owner} 登记，按先登记者归属；如需转移请找经理。",
        "This customer is already on file, owned by {owner}; ask a manager to reassign it.",
    ),
    (
        "customers.exists_in_pool",
        "该客户已登记，目前在公海中，可以直接认领。",
        "This customer is already on file and in the shared pool: claim it instead.",
    ),
    (
        "invalid.credit_code",
        "统一社会信用代码应为 18 位，且校验位正确。",
        "A unified social credit code has 18 characters with a correct check character.",
    ),
    (
        "error.customer_exists",
        "该客户已登记，归属业务员见说明；如需转移请找经理。",
        "This customer is already on file (see who owns it); ask a manager to reassign it.",
    ),
];
