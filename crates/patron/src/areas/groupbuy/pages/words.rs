//! The words of the desk's pages: a form field named by its label (never its path such as
//! `lines[0].range`), payment methods and buyers by their labels.

use crate::kernel::lang::Lang;
use crate::web::said::Said;

/// The label of a field of the desk's forms, e.g. `lines[1].range` → "第 2 行券号段".
pub(super) fn field_label(lang: Lang, field: &str) -> String {
    if let Some(rest) = field.strip_prefix("lines[")
        && let Some((n, part)) = rest.split_once("].")
        && let Ok(n) = n.parse::<usize>()
    {
        let what = match part {
            "range" => "gb.ranges",
            "face_value" => "gb.changed_face",
            _ => "gb.change_reason",
        };
        return Said::new("gb.field.line")
            .text("n", n + 1)
            .label("what", what)
            .say(lang);
    }
    let key = match field {
        "buyer_id" => "gb.known_buyer",
        "buyer.kind" => "gb.buyer_kind",
        "buyer.organisation" => "gb.organisation",
        "buyer.contact" => "gb.contact",
        "buyer.phone" => "gb.phone",
        "payment" => "gb.payment",
        "cheque_no" => "gb.cheque_no",
        "bank" => "gb.bank",
        "account_name" => "gb.account_name",
        "account_no" => "gb.account_no",
        "real_name" => "gb.real_name",
        "id_number" => "gb.id_number",
        "ranges" => "gb.ranges",
        "counted" => "gb.counted",
        "seals.name" => "gb.seal.name",
        "seals.activity" => "gb.seal.activity",
        "seals.date" => "gb.seal.date",
        _ => "gb.field.form",
    };
    lang.t(key).to_string()
}

/// A payment method's label (a stored report of an older version holds the Chinese word itself:
/// it is shown as it is).
pub(crate) fn payment_label(lang: Lang, code: &str) -> String {
    let key = format!("gb.pay.{code}");
    if Lang::has(&key) {
        lang.t(&key).to_string()
    } else {
        code.to_string()
    }
}

/// A buyer as a notice names them: the organisation, or "a person" (the register is
/// confidential).
pub(crate) fn buyer_label(lang: Lang, organisation: &str) -> String {
    if organisation.is_empty() || organisation == "个人" {
        lang.t("gb.kind.person").to_string()
    } else {
        organisation.to_string()
    }
}

/// A business day whose cash was not paid in by day close, said for the desk: the day, the
/// sales, the amount and whether it has been paid in since (with the slip). The flag is `true`
/// while the cash is still held.
pub(super) fn unpaid_lines(
    lang: Lang,
    days: &[crate::areas::groupbuy::report::UnpaidDay],
) -> Vec<(String, bool)> {
    days.iter()
        .map(|u| {
            let status = match (&u.paid_on, &u.deposit_no) {
                (Some(d), Some(no)) => Said::new("gb.unpaid_paid").text("date", d).text("no", no),
                _ => Said::new("gb.unpaid_open"),
            };
            let line = Said::new("gb.unpaid_day")
                .text("date", u.date)
                .text("n", u.sales.len())
                .text("amount", patron_core::Fen(u.amount_fen))
                .text("sales", u.sales.join(", "))
                .list("status", vec![status])
                .say(lang);
            (line, u.paid_on.is_none())
        })
        .collect()
}
