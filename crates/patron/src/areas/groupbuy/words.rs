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
    // a form field's name, where a message names it
    ("gb.field.line", "第 {n} 行{what}", "line {n}, {what}"),
    ("gb.field.form", "本表", "this form"),
];
