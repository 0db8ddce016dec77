//! Messages of callbacks and holiday campaigns: (key, zh-CN, en).

pub const CUSTOMER_CALLBACKS: &[(&str, &str, &str)] = &[
    // audited actions
    (
        "customers.callback_logged",
        "登记客户回访",
        "Callback logged",
    ),
    (
        "customers.escalated",
        "问题上报经理",
        "Problem escalated to the manager",
    ),
    (
        "customers.escalation_answered",
        "经理答复上报问题",
        "Escalated problem answered",
    ),
    (
        "customers.campaign_built",
        "生成节日回访名单",
        "Holiday call list built",
    ),
    (
        "audit.kind.customer_campaign",
        "节日回访",
        "Holiday campaign",
    ),
    // refusals
    (
        "error.customer_in_pool",
        "该客户在公海中，请先认领再登记回访。",
        "This customer is in the shared pool: claim it before logging a callback.",
    ),
    (
        "error.not_customer_owner",
        "只有客户的负责业务员或经理可以登记该客户的回访。",
        "Only the customer's salesperson or a manager may log its callbacks.",
    ),
    (
        "error.campaign_not_built",
        "该节日的回访名单尚未生成。",
        "No holiday call list has been built for that festival and year.",
    ),
    // the log
    (
        "customers.callbacks.customer_title",
        "客户回访",
        "Customer callbacks",
    ),
    ("customers.callbacks.log_title", "回访记录", "Callback log"),
    (
        "customers.callbacks.book",
        "客户回访登记本",
        "Customer callback log book",
    ),
    ("customers.callbacks.new", "登记回访", "Log a callback"),
    ("customers.callbacks.log", "登记", "Log"),
    ("customers.callbacks.way", "回访方式", "Way"),
    ("customers.callbacks.at", "回访时间", "Time"),
    ("customers.callbacks.summary", "回访内容概括", "Summary"),
    ("customers.callbacks.outcome", "回访结果", "Outcome"),
    ("customers.callbacks.next_step", "下一步", "Next step"),
    ("customers.callbacks.caller", "回访人", "Caller"),
    ("customers.callbacks.customer", "回访对象", "Customer"),
    (
        "customers.callbacks.customer_id",
        "客户编号",
        "Customer no.",
    ),
    ("customers.callbacks.grade", "客户级别", "Grade"),
    ("customers.callbacks.owner", "业务员", "Salesperson"),
    ("customers.callbacks.from", "从", "From"),
    ("customers.callbacks.to", "到", "To"),
    (
        "customers.callbacks.print",
        "打印登记本",
        "Print the log book",
    ),
    (
        "customers.callbacks.none",
        "没有回访记录。",
        "No callbacks.",
    ),
    (
        "customers.callbacks.holiday_call",
        "节日回访（如属节日回访名单）",
        "Holiday call (if the customer is on a holiday call list)",
    ),
    (
        "customers.callbacks.escalate_legend",
        "当天解决不了的问题",
        "A problem not solved today",
    ),
    (
        "customers.callbacks.escalate",
        "上报经理（两个工作日内答复）",
        "Send to the manager (answer due in two working days)",
    ),
    ("customers.callbacks.problem", "问题", "Problem"),
    // cadence and overdue
    (
        "customers.callbacks.overdue_title",
        "回访到期",
        "Callbacks due",
    ),
    (
        "customers.callbacks.last_contact",
        "上次联系",
        "Last contact",
    ),
    ("customers.callbacks.days_since", "距今天数", "Days since"),
    ("customers.callbacks.days_left", "剩余天数", "Days left"),
    ("customers.callbacks.days", "天", "days"),
    ("customers.callbacks.overdue_by", "已超期", "Overdue by"),
    ("customers.callbacks.never", "从未联系", "Never"),
    (
        "customers.callbacks.everyone",
        "全部业务员",
        "Every salesperson",
    ),
    ("customers.callbacks.mine", "我的客户", "My customers"),
    ("customers.callbacks.overdue_n", "超期", "Overdue"),
    (
        "customers.callbacks.none_due",
        "近期没有到期的回访。",
        "No callbacks due soon.",
    ),
    (
        "customers.callbacks.tile_overdue",
        "超期未回访客户",
        "Callbacks overdue",
    ),
    // escalations
    (
        "customers.escalations.title",
        "上报问题",
        "Escalated problems",
    ),
    ("customers.escalations.due_on", "答复期限", "Answer due"),
    ("customers.escalations.late", "已超期", "late"),
    ("customers.escalations.raised_by", "上报人", "Raised by"),
    ("customers.escalations.answer", "答复", "Answer"),
    ("customers.escalations.send", "答复", "Answer"),
    ("customers.escalations.answered", "已答复", "Answered"),
    ("customers.escalations.answered_by", "答复人", "Answered by"),
    (
        "customers.escalations.none",
        "没有待答复的问题。",
        "No problems wait for an answer.",
    ),
    (
        "customers.escalations.tile_open",
        "待答复的上报问题",
        "Escalations to answer",
    ),
    // holiday campaigns
    ("customers.campaigns.title", "节日回访", "Holiday calls"),
    (
        "customers.campaigns.intro",
        "元旦、三八、中秋、国庆、春节前半个月用一周时间回访；名单在节日前 22 天自动生成，大型国有单位和长期客户优先；中秋、国庆前另安排礼品拜访。",
        "Before New Year, Women's Day, Mid-Autumn, National Day and Spring Festival, customers are called over one week starting half a month before; the list is built 22 days before, large state-owned organisations and long-term buyers first; before Mid-Autumn and National Day gift visits are planned too.",
    ),
    ("customers.campaigns.festival", "节日", "Festival"),
    (
        "customers.campaigns.festival.new_year",
        "元旦",
        "New Year's Day",
    ),
    (
        "customers.campaigns.festival.womens_day",
        "三八妇女节",
        "Women's Day",
    ),
    (
        "customers.campaigns.festival.mid_autumn",
        "中秋节",
        "Mid-Autumn Festival",
    ),
    (
        "customers.campaigns.festival.national_day",
        "国庆节",
        "National Day",
    ),
    (
        "customers.campaigns.festival.spring_festival",
        "春节",
        "Spring Festival",
    ),
    (
        "customers.campaigns.festival_date",
        "节日日期",
        "Festival date",
    ),
    ("customers.campaigns.window", "回访时间段", "Call week"),
    ("customers.campaigns.calls", "应回访", "Calls"),
    ("customers.campaigns.called", "已回访", "Called"),
    ("customers.campaigns.reached", "已联系上", "Reached"),
    (
        "customers.campaigns.intends",
        "有购买意向",
        "Intends to buy",
    ),
    (
        "customers.campaigns.expected",
        "预计金额（元）",
        "Amount expected (yuan)",
    ),
    (
        "customers.campaigns.sales_after",
        "回访后成交",
        "Sales after the call",
    ),
    ("customers.campaigns.gift_visits", "礼品拜访", "Gift visits"),
    ("customers.campaigns.gift_visit", "礼品拜访日", "Gift visit"),
    ("customers.campaigns.call_on", "回访日", "Call on"),
    ("customers.campaigns.list_no", "顺序", "Order"),
    ("customers.campaigns.kind", "单位性质", "Kind"),
    (
        "customers.campaigns.purchases",
        "两年内购买次数",
        "Purchases (2 years)",
    ),
    (
        "customers.campaigns.last_holiday",
        "去年节前购买",
        "Last year's holiday purchase",
    ),
    (
        "customers.campaigns.large",
        "大型国有单位",
        "Large state-owned",
    ),
    ("customers.campaigns.yes", "是", "Yes"),
    (
        "customers.campaigns.none",
        "还没有节日回访名单。",
        "No holiday call lists yet.",
    ),
    (
        "customers.campaigns.no_calls",
        "名单为空。",
        "The list is empty.",
    ),
    (
        "customers.campaigns.build",
        "立即生成名单",
        "Build a list now",
    ),
    ("customers.campaigns.build_now", "生成", "Build"),
    (
        "customers.campaigns.tile_today",
        "今日节日回访",
        "Holiday calls today",
    ),
];
