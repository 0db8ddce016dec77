//! The group-buy desk's catalog rows for what the desk is told (key, zh-CN, en): why serials are
//! not on hand, refusals with their numbers, the form fields' labels, the three seals and the
//! cash not paid in. Merged with the other catalogs into one index (beside `messages.rs`).

pub const WORDS: &[(&str, &str, &str)] = &[
    // a refused range: the code's message, then what its vouchers are
    ("gb.range_refused", "{head}：{said}", "{head}: {said}"),
    // the sale screen: what is on hand
    ("gb.on_hand", "待售券号段", "Serials on hand"),
    (
        "gb.on_hand_hint",
        "已盖活动章、可以售出的券，按面值列出。在券号段栏中可直接选用。",
        "Stamped vouchers you may sell, by face value. Pick one in a serial range field.",
    ),
    (
        "gb.on_hand_none",
        "本部门没有已盖章待售的券。请先领券并加盖活动章。",
        "No stamped vouchers on hand. Receive vouchers and stamp them first.",
    ),
    // the sale screen's live check: why a run of serials cannot be sold here
    (
        "gb.refuse.not_on_hand",
        "{runs}。请从待售券号段中选择。",
        "{runs}. Pick from the serials on hand.",
    ),
    (
        "gb.not_on_hand_run",
        "第 {line} 行 {range}（{n} 张）不能售出：{why}",
        "Line {line}, {range} ({n}): cannot be sold, {why}",
    ),
    (
        "gb.why.missing",
        "没有这些券号（未印制）",
        "no such serials were printed",
    ),
    (
        "gb.why.finance",
        "仍在财务，尚未领用",
        "still at finance, never handed over",
    ),
    (
        "gb.why.received",
        "已领用但未盖活动章",
        "received but not stamped",
    ),
    ("gb.why.stamped", "已盖章待售", "stamped, for sale"),
    (
        "gb.why.reserved",
        "已留给支票销售，等待到帐",
        "reserved for a cheque sale",
    ),
    ("gb.why.sold", "已售出", "already sold"),
    ("gb.why.redeemed", "已使用", "already redeemed"),
    ("gb.why.exchanged", "已换新", "exchanged for a new voucher"),
    ("gb.why.void", "已作废", "void"),
    ("gb.why.damaged", "已报损（损坏）", "written off as damaged"),
    ("gb.why.lost", "已报失", "reported lost"),
    (
        "gb.why.elsewhere",
        "在其他门店的团购部",
        "held by another store's desk",
    ),
    // the cash journal
    (
        "gb.cheques_not_cash",
        "支票和转账到帐前不是现金，不计入现金日记帐的结余。",
        "Cheques and transfers are not cash until they clear: they are not in the cash balance.",
    ),
    // refusals of a range, with their numbers
    (
        "gb.refuse.range",
        "券号 {range} 共 {total} 张，只有 {ok} 张可以{action}（须为：{needed}）。其中 {parts}。请核对券号后重新输入。",
        "Serials {range}: only {ok} of {total} vouchers can be {action} (they must be: {needed}). Of them {parts}. Check the serials and enter them again.",
    ),
    ("gb.refuse.state", "{state}", "{state}"),
    ("gb.refuse.part", "{n} 张{state}", "{n} {state}"),
    (
        "gb.refuse.part_elsewhere",
        "{n} 张{state}（不在本部门）",
        "{n} {state} (held elsewhere)",
    ),
    (
        "gb.refuse.part_missing",
        "{n} 张没有这个券号",
        "{n} do not exist",
    ),
    (
        "gb.refuse.writeoff",
        "券号 {range} 共 {total} 张，只有 {ok} 张在本部门且可以报损。请核对券号。",
        "Serials {range}: only {ok} of {total} vouchers are held here and can be written off. Check the serials.",
    ),
    (
        "gb.refuse.set_aside",
        "券号 {range} 共 {total} 张，只有 {ok} 张在财务且未被预留。请另选券号。",
        "Serials {range}: only {ok} of {total} vouchers are at finance and not set aside. Choose other serials.",
    ),
    (
        "gb.refuse.faces",
        "所选券号为 {got}，申请单要的是 {want}。请按申请单备券。",
        "The serials hold {got}; the requisition asks for {want}. Prepare what it asks for.",
    ),
    ("gb.refuse.face_count", "{face} × {n} 张", "{n} × {face}"),
    (
        "gb.refuse.rebate_total",
        "所选返扣券合计 {got}，返扣金额是 {want}。请重新选择券号。",
        "The vouchers come to {got}; the rebate is {want}. Choose the serials again.",
    ),
    // what a movement does, as a refusal names it
    ("gb.act.handover", "交接", "handed over"),
    ("gb.act.stamp", "盖章", "stamped"),
    ("gb.act.sell", "售出", "sold"),
    ("gb.act.reserve", "留给支票销售", "reserved for a cheque"),
    ("gb.act.release", "付券", "released"),
    ("gb.act.bounce", "退回库存", "returned to stock"),
    ("gb.act.rebate", "作返扣券", "paid as a rebate"),
    ("gb.act.redeem", "使用", "redeemed"),
    ("gb.act.exchange", "换新", "exchanged"),
    ("gb.act.reissue", "换发", "reissued"),
    ("gb.act.void", "作废", "voided"),
    ("gb.act.damage", "报损", "written off as damaged"),
    ("gb.act.lose", "报失", "reported lost"),
    // a cash sale (E5): the money counted and the three seals
    (
        "error.cash_count_mismatch",
        "点收现金与所售券金额不符，未售出",
        "The cash counted does not match the vouchers' total; nothing was sold",
    ),
    (
        "gb.refuse.counted",
        "点收现金 {counted}，所售券合计 {amount}，{more_less} {diff}。请与客户当面重新清点后再售券。",
        "Cash counted {counted}, vouchers total {amount}: {more_less} {diff}. Count the money again with the buyer.",
    ),
    ("gb.counted_more", "多", "over by"),
    ("gb.counted_less", "少", "short by"),
    (
        "gb.invalid.counted_mismatch",
        "与所售券金额不符",
        "Does not match the vouchers' total",
    ),
    (
        "gb.invalid.counted_required",
        "现金付款须填写点收金额",
        "Enter the cash you counted",
    ),
    (
        "gb.invalid.seal_unchecked",
        "未核对：券上须盖有此章才能售出",
        "Not checked: the vouchers must carry this seal",
    ),
    ("gb.cash_check", "现金：点收与印章", "Cash: count and seals"),
    ("gb.counted", "点收金额", "Cash counted"),
    (
        "gb.counted_hint",
        "与客户当面清点现金，填写实收金额（元），须与所售券合计相同。",
        "Count the money with the buyer and enter what you received (yuan); it must equal the vouchers' total.",
    ),
    ("gb.seals", "印章核对", "Seals checked"),
    (
        "gb.seals_hint",
        "付券前检查每张券所盖印章是否齐全：人名章、活动章、日期章。",
        "Before handing the vouchers over, check each carries all three seals: name, activity and date seal.",
    ),
    ("gb.seal.name", "人名章", "Name seal"),
    ("gb.seal.activity", "活动章", "Activity seal"),
    ("gb.seal.date", "日期章", "Date seal"),
    (
        "gb.seals_ok",
        "三章齐全（人名章、活动章、日期章）",
        "All three seals checked (name, activity, date)",
    ),
    // cash not paid in by day close (E5)
    (
        "gb.unpaid_cash",
        "现金未按时交财务",
        "Cash not paid in by day close",
    ),
    (
        "gb.unpaid_cash_hint",
        "以下营业日的现金售券在当日结帐前没有填内部进帐单交财务。请尽快补交，并报主管。",
        "The cash sales of these business days were not paid in to finance before day close. Pay them in now and tell your supervisor.",
    ),
    (
        "gb.unpaid_day",
        "{date}：现金售券 {n} 笔，共 {amount}（{sales}），{status}",
        "{date}: {n} cash sales, {amount} ({sales}), {status}",
    ),
    ("gb.unpaid_open", "仍未交", "still not paid in"),
    (
        "gb.unpaid_paid",
        "已于 {date} 补交（{no}）",
        "paid in late on {date} ({no})",
    ),
    // the customer register (E4): confidential, phones masked
    ("gb.reveal_phone", "查看完整电话", "Show full phone"),
    (
        "gb.register_masked",
        "电话号码已隐去中间几位。查看完整号码会记入审计日志。",
        "Phone numbers are masked. Showing one in full is written to the audit log.",
    ),
    (
        "gb.export_full",
        "导出（含完整电话，记入审计）",
        "Export with full phones (audited)",
    ),
    (
        "gb.print.register",
        "打印客户资料登记表",
        "Print the customer register",
    ),
    // a form field's name, where a message names it
    ("gb.field.line", "第 {n} 行{what}", "line {n}, {what}"),
    ("gb.field.form", "本表", "this form"),
];
