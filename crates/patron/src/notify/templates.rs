//! Message texts (SPEC L1): one template per event and language, with named placeholders
//! (`{name}`, `{points}`). The built-in texts live here; staff may replace them in the console
//! (`message_templates`), and sending uses the edited text, falling back to the built-in one.
//! A text naming a placeholder its event does not have is refused, so nothing is ever sent with a
//! hole in it.

use std::collections::HashMap;

use serde_json::Value;

use crate::kernel::cache::Cached;
use crate::kernel::db::{Db, DbError};
use crate::web::i18n::Lang;
use crate::web::said::Said;

/// A placeholder: its name, what it means (catalog key) and a sample value per language.
pub struct Placeholder {
    pub name: &'static str,
    pub label: &'static str,
    pub sample_zh: &'static str,
    pub sample_en: &'static str,
}

const fn ph(
    name: &'static str,
    label: &'static str,
    sample_zh: &'static str,
    sample_en: &'static str,
) -> Placeholder {
    Placeholder {
        name,
        label,
        sample_zh,
        sample_en,
    }
}

/// A built-in text: subject (e-mail, inbox title) and body.
pub struct Text {
    pub subject: &'static str,
    pub body: &'static str,
}

/// A kind of message the outbox sends.
pub struct Event {
    /// The outbox `kind`.
    pub kind: &'static str,
    /// Its name (catalog key).
    pub label: &'static str,
    /// Who receives it (catalog key).
    pub audience: &'static str,
    pub placeholders: &'static [Placeholder],
    pub zh: Text,
    pub en: Text,
}

const NAME: Placeholder = ph("name", "notify.ph.name", "王芳", "Wang Fang");
const CARD: Placeholder = ph("card_no", "notify.ph.card_no", "HQ00001234", "HQ00001234");
const PASSWORD: Placeholder = ph(
    "password",
    "notify.ph.password",
    "abcd-efgh-jkmn",
    "abcd-efgh-jkmn",
);

/// Every message event, in the order the console lists them.
pub const EVENTS: &[Event] = &[
    Event {
        kind: "welcome",
        label: "notify.event.welcome",
        audience: "notify.to.member",
        placeholders: &[NAME, CARD, PASSWORD],
        zh: Text {
            subject: "欢迎加入会员",
            body: "{name}您好，欢迎成为我们的会员！卡号{card_no}。会员网站登录初始密码：{password}（首次登录须修改）。",
        },
        en: Text {
            subject: "Welcome to the membership",
            body: "Dear {name}, welcome! Your card number is {card_no}. Your first password for the member site is {password} (change it at first login).",
        },
    },
    Event {
        kind: "portal_password",
        label: "notify.event.portal_password",
        audience: "notify.to.member",
        placeholders: &[NAME, CARD, PASSWORD],
        zh: Text {
            subject: "会员网站密码",
            body: "{name}您好，您的会员网站登录密码已重置为{password}（卡号{card_no}，首次登录须修改）。",
        },
        en: Text {
            subject: "Member site password",
            body: "Dear {name}, your member site password has been reset to {password} (card {card_no}; change it at first login).",
        },
    },
    Event {
        kind: "tier_change",
        label: "notify.event.tier_change",
        audience: "notify.to.member",
        placeholders: &[
            NAME,
            ph("from", "notify.ph.from", "银卡", "Silver"),
            ph("to", "notify.ph.to", "金卡", "Gold"),
        ],
        zh: Text {
            subject: "会员等级变更",
            body: "{name}您好，您的会员等级已由{from}调整为{to}。",
        },
        en: Text {
            subject: "Your membership tier changed",
            body: "Dear {name}, your membership tier has changed from {from} to {to}.",
        },
    },
    Event {
        kind: "expiry_reminder",
        label: "notify.event.expiry_reminder",
        audience: "notify.to.member",
        placeholders: &[
            NAME,
            ph("points", "notify.ph.points", "1,200", "1,200"),
            ph(
                "expires_on",
                "notify.ph.expires_on",
                "2026-12-31",
                "2026-12-31",
            ),
        ],
        zh: Text {
            subject: "积分即将到期",
            body: "{name}您好，您有{points}积分将于{expires_on}到期，请及时使用。",
        },
        en: Text {
            subject: "Points about to expire",
            body: "Dear {name}, {points} of your points expire on {expires_on}. Please use them in time.",
        },
    },
    Event {
        kind: "birthday",
        label: "notify.event.birthday",
        audience: "notify.to.member",
        placeholders: &[NAME],
        zh: Text {
            subject: "生日快乐",
            body: "{name}您好，祝您生日快乐！本月可到服务台领取生日礼。",
        },
        en: Text {
            subject: "Happy birthday",
            body: "Dear {name}, happy birthday! Your birthday gift is waiting at the service desk this month.",
        },
    },
    Event {
        kind: "event_invite",
        label: "notify.event.event_invite",
        audience: "notify.to.member",
        placeholders: &[
            NAME,
            ph(
                "theme",
                "notify.ph.theme",
                "中秋赏月茶话会",
                "Mid-Autumn tea party",
            ),
            ph(
                "starts_at",
                "notify.ph.starts_at",
                "2026-10-03 14:00",
                "2026-10-03 14:00",
            ),
            ph(
                "place",
                "notify.ph.place",
                "总部六楼会议厅",
                "HQ, 6th floor hall",
            ),
            ph(
                "opens_at",
                "notify.ph.opens_at",
                "2026-09-26 10:00",
                "2026-09-26 10:00",
            ),
        ],
        zh: Text {
            subject: "会员活动邀请：{theme}",
            body: "{name}您好，诚邀您参加会员活动「{theme}」，时间{starts_at}，地点{place}。您可于{opens_at}起在会员网站或服务台报名，名额有限。",
        },
        en: Text {
            subject: "Invitation: {theme}",
            body: "Dear {name}, you are invited to \"{theme}\" on {starts_at} at {place}. Sign up from {opens_at} on the member site or at the service desk; places are limited.",
        },
    },
    Event {
        kind: "reward_claimed_elsewhere",
        label: "notify.event.reward_claimed_elsewhere",
        audience: "notify.to.store",
        placeholders: &[
            ph("name", "notify.ph.store", "总部", "HQ"),
            ph(
                "slip_no",
                "notify.ph.slip_no",
                "FLHQ20261001-001",
                "FLHQ20261001-001",
            ),
            ph(
                "claimed_at",
                "notify.ph.claimed_at",
                "西单店",
                "Xidan store",
            ),
            ph("gift", "notify.ph.gift", "电饭煲", "Rice cooker"),
        ],
        zh: Text {
            subject: "返礼单已在其它店面领取：{slip_no}",
            body: "{name}：贵店开卡会员的返礼单{slip_no}已在{claimed_at}领取奖品「{gift}」，请核对本店返礼记录。",
        },
        en: Text {
            subject: "Reward slip claimed at another store: {slip_no}",
            body: "{name}: reward slip {slip_no} of a member whose card you issued was claimed at {claimed_at} (gift: {gift}). Please update your slip records.",
        },
    },
    Event {
        kind: "partner_contract_expiry",
        label: "notify.event.partner_contract_expiry",
        audience: "notify.to.staff",
        placeholders: &[
            ph("name", "notify.ph.staff", "李明", "Li Ming"),
            ph(
                "partner",
                "notify.ph.partner",
                "悦来茶庄",
                "Yuelai Tea House",
            ),
            ph(
                "contract_no",
                "notify.ph.contract_no",
                "TY2026-007",
                "TY2026-007",
            ),
            ph("ends_on", "notify.ph.ends_on", "2026-10-31", "2026-10-31"),
            ph("days_left", "notify.ph.days_left", "30", "30"),
        ],
        zh: Text {
            subject: "特约商户合同即将到期：{partner}",
            body: "{name}您好，特约商户「{partner}」的合同{contract_no}将于{ends_on}到期（还有{days_left}天），请及时续签。",
        },
        en: Text {
            subject: "Partner contract ending: {partner}",
            body: "Dear {name}, the contract {contract_no} with partner \"{partner}\" ends on {ends_on} ({days_left} days left). Please renew it in time.",
        },
    },
    Event {
        kind: "customer_escalation",
        label: "notify.event.customer_escalation",
        audience: "notify.to.store",
        placeholders: &[
            ph("name", "notify.ph.store", "总部", "HQ"),
            ph(
                "customer",
                "notify.ph.customer",
                "华东电力有限公司",
                "East China Power Co.",
            ),
            ph("caller", "notify.ph.caller", "王职员", "Wang"),
            ph(
                "problem",
                "notify.ph.problem",
                "去年所购团购券部分过期，要求换券",
                "Some vouchers bought last year have expired; they ask for an exchange",
            ),
            ph("due_on", "notify.ph.due_on", "2026-10-09", "2026-10-09"),
        ],
        zh: Text {
            subject: "客户问题待经理答复：{customer}",
            body: "{name}：业务员{caller}回访「{customer}」时遇到当天无法解决的问题：{problem}。请于{due_on}前答复。",
        },
        en: Text {
            subject: "A customer's problem awaits a manager: {customer}",
            body: "{name}: while calling back \"{customer}\", {caller} met a problem that could not be solved the same day: {problem}. Please answer by {due_on}.",
        },
    },
    Event {
        kind: "customer_pool_warning",
        label: "notify.event.customer_pool_warning",
        audience: "notify.to.staff",
        placeholders: &[
            ph("name", "notify.ph.staff", "李明", "Li Ming"),
            ph(
                "customer",
                "notify.ph.customer",
                "华东电力有限公司",
                "East China Power Co.",
            ),
            ph(
                "returns_after",
                "notify.ph.returns_after",
                "2026-12-10",
                "2026-12-10",
            ),
            ph("days_left", "notify.ph.days_left", "3", "3"),
        ],
        zh: Text {
            subject: "客户即将退回公海：{customer}",
            body: "{name}您好，客户「{customer}」如在{returns_after}前仍未回访联系（还有{days_left}天），将退回公海，由其他业务员认领。",
        },
        en: Text {
            subject: "Customer about to return to the pool: {customer}",
            body: "Dear {name}, if customer \"{customer}\" is not contacted by {returns_after} ({days_left} days left), it returns to the shared pool for others to claim.",
        },
    },
    Event {
        kind: "complaint_breach",
        label: "notify.event.complaint_breach",
        audience: "notify.to.store",
        placeholders: &[
            ph("name", "notify.ph.store", "总部", "HQ"),
            ph("complaint_id", "notify.ph.complaint_id", "42", "42"),
            ph("clock_zh", "notify.ph.clock", "受理", "Acknowledge"),
            ph("clock_en", "notify.ph.clock", "受理", "Acknowledge"),
            ph("department", "notify.ph.department", "质检部", "质检部"),
            ph(
                "due_at",
                "notify.ph.due_at",
                "2026-10-16 10:35",
                "2026-10-16 10:35",
            ),
        ],
        zh: Text {
            subject: "投诉处理超时：第{complaint_id}号",
            body: "{name}：第{complaint_id}号投诉的「{clock_zh}」时限已于{due_at}到期，仍未完成（{department}），已记录超时，请立即处理。",
        },
        en: Text {
            subject: "Complaint clock ran out: no. {complaint_id}",
            body: "{name}: the \"{clock_en}\" clock of complaint no. {complaint_id} ran out at {due_at} ({department}). The breach is recorded; please act now.",
        },
    },
    Event {
        kind: "complaint_major",
        label: "notify.event.complaint_major",
        audience: "notify.to.store",
        placeholders: &[
            ph("name", "notify.ph.store", "总部", "HQ"),
            ph("complaint_id", "notify.ph.complaint_id", "42", "42"),
            ph(
                "reason_zh",
                "notify.ph.major_reason",
                "严重损失或人身伤害",
                "Serious loss or injury",
            ),
            ph(
                "reason_en",
                "notify.ph.major_reason",
                "严重损失或人身伤害",
                "Serious loss or injury",
            ),
        ],
        zh: Text {
            subject: "重大投诉：第{complaint_id}号",
            body: "{name}：第{complaint_id}号投诉为重大投诉（{reason_zh}），须在 10 分钟内上报负责人，12 小时内解决。",
        },
        en: Text {
            subject: "Major complaint: no. {complaint_id}",
            body: "{name}: complaint no. {complaint_id} is major ({reason_en}): report it to the head within 10 minutes andresolve it within 12 hours.",
        },
    },
    // The care schedule's messages (J2: 3 minutes, 3 days, 2 weeks after a top member's purchase).
    Event {
        kind: "care_thank_you",
        label: "notify.event.care_thank_you",
        audience: "notify.to.member",
        placeholders: &[NAME],
        zh: Text {
            subject: "感谢您的光临",
            body: "{name}您好，感谢您今天的光临与惠顾！如有任何需要，请随时联系您的专属顾问。",
        },
        en: Text {
            subject: "Thank you for your visit",
            body: "Dear {name}, thank you for shopping with us today! Your personal advisor is always glad to help.",
        },
    },
    Event {
        kind: "care_message",
        label: "notify.event.care_message",
        audience: "notify.to.member",
        placeholders: &[NAME],
        zh: Text {
            subject: "商品保养提示",
            body: "{name}您好，您日前选购的商品请注意按标签说明保养，如需清洗、修改等服务，欢迎到店。",
        },
        en: Text {
            subject: "Caring for your purchase",
            body: "Dear {name}, please care for your recent purchase as its label says; for cleaning or alterations you are welcome in store.",
        },
    },
    Event {
        kind: "care_greeting",
        label: "notify.event.care_greeting",
        audience: "notify.to.member",
        placeholders: &[NAME],
        zh: Text {
            subject: "问候",
            body: "{name}您好，近来可好？新一季商品已陆续到店，期待您再次光临。",
        },
        en: Text {
            subject: "Greetings",
            body: "Dear {name}, we hope you are well. The new season has started arriving; we look forward to seeing you again.",
        },
    },
    Event {
        kind: "portal_code",
        label: "notify.event.portal_code",
        audience: "notify.to.member",
        placeholders: &[
            NAME,
            ph("code", "notify.ph.code", "384912", "384912"),
            ph("minutes", "notify.ph.minutes", "10", "10"),
        ],
        zh: Text {
            subject: "会员网站验证码",
            body: "{name}您好，您的会员网站验证码为{code}，{minutes}分钟内有效，仅可使用一次。如非本人操作，请忽略本短信。",
        },
        en: Text {
            subject: "Member site code",
            body: "Dear {name}, your member site code is {code}. It is valid for {minutes} minutes and works once. If you did not ask for it, ignore this message.",
        },
    },
    Event {
        kind: "portal_close_request",
        label: "notify.event.portal_close_request",
        audience: "notify.to.store",
        placeholders: &[
            ph("name", "notify.ph.store", "总部", "HQ"),
            ph("member", "notify.ph.member", "王芳", "Wang Fang"),
            CARD,
        ],
        zh: Text {
            subject: "会员申请注销账户：{member}",
            body: "{name}：会员{member}（卡号{card_no}）在会员网站申请注销账户，请联系会员确认后按注销流程办理。",
        },
        en: Text {
            subject: "A member asks to close their account: {member}",
            body: "{name}: member {member} (card {card_no}) asked on the member site to close their account. Please confirm with the member and follow the closing procedure.",
        },
    },
];

/// The event of an outbox kind.
pub fn event(kind: &str) -> Option<&'static Event> {
    EVENTS.iter().find(|e| e.kind == kind)
}

impl Event {
    pub fn builtin(&self, lang: Lang) -> &Text {
        match lang {
            Lang::ZhCn => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// The sample values of a preview.
    pub fn samples(&self, lang: Lang) -> Vec<(String, String)> {
        self.placeholders
            .iter()
            .map(|p| {
                let v = if lang == Lang::En {
                    p.sample_en
                } else {
                    p.sample_zh
                };
                (p.name.to_string(), v.to_string())
            })
            .collect()
    }
}

/// The texts staff edited, by (event, language code).
#[derive(Debug, Default)]
pub struct Edited {
    pub texts: HashMap<(String, String), (String, String)>,
}

impl Cached for Edited {
    async fn load(db: &Db) -> Result<Self, DbError> {
        let rows = super::store::templates(db).await?;
        Ok(Edited {
            texts: rows
                .into_iter()
                .map(|r| ((r.event, r.lang), (r.subject, r.body)))
                .collect(),
        })
    }
}

impl Edited {
    /// The text of `kind` in `lang`: the edited one, else the built-in one.
    pub fn text(&self, kind: &str, lang: Lang) -> Option<(String, String)> {
        if let Some((s, b)) = self.texts.get(&(kind.to_string(), lang.code().to_string())) {
            return Some((s.clone(), b.clone()));
        }
        event(kind).map(|e| {
            let t = e.builtin(lang);
            (t.subject.to_string(), t.body.to_string())
        })
    }

    pub fn is_edited(&self, kind: &str, lang: Lang) -> bool {
        self.texts
            .contains_key(&(kind.to_string(), lang.code().to_string()))
    }
}

/// One piece of a template: text, or a placeholder's name.
enum Piece<'a> {
    Text(&'a str),
    Slot(&'a str),
}

/// Splits a template into text and placeholders; a brace that opens no placeholder is refused.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, Said> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let open = rest.find('{');
        let close = rest.find('}');
        match (open, close) {
            (None, None) => {
                out.push(Piece::Text(rest));
                break;
            }
            (Some(o), Some(c)) if o < c => {
                let name = &rest[o + 1..c];
                let ok = !name.is_empty()
                    && name
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
                if !ok {
                    return Err(Said::new("notify.template.brace"));
                }
                out.push(Piece::Text(&rest[..o]));
                out.push(Piece::Slot(name));
                rest = &rest[c + 1..];
            }
            _ => return Err(Said::new("notify.template.brace")),
        }
    }
    Ok(out)
}

/// Whether `text` is a template for `event`: only its placeholders, braces closed.
pub fn check(event: &Event, text: &str) -> Result<(), Said> {
    for p in pieces(text)? {
        if let Piece::Slot(name) = p
            && !event.placeholders.iter().any(|ph| ph.name == name)
        {
            let allowed = event
                .placeholders
                .iter()
                .map(|ph| format!("{{{}}}", ph.name))
                .collect::<Vec<_>>()
                .join(" ");
            return Err(Said::new("notify.template.unknown")
                .text("placeholder", format!("{{{name}}}"))
                .text("allowed", allowed));
        }
    }
    Ok(())
}

/// Fills a template with `values`; a placeholder without a value becomes empty.
pub fn fill(text: &str, values: &[(String, String)]) -> String {
    let Ok(pieces) = pieces(text) else {
        return text.to_string();
    };
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Slot(name) => {
                if let Some((_, v)) = values.iter().find(|(k, _)| k == name) {
                    out.push_str(v);
                }
            }
        }
    }
    out
}

/// The default name of a standard tier, for messages queued before tier names were sent.
fn tier_name(code: &str, lang: Lang) -> String {
    let (zh, en) = match code {
        "normal" => ("普通会员", "Standard"),
        "silver" => ("银卡", "Silver"),
        "gold" => ("金卡", "Gold"),
        "platinum" => ("白金卡", "Platinum"),
        other => (other, other),
    };
    if lang == Lang::En { en } else { zh }.to_string()
}

/// The values of a queued message: `name` (the recipient), each value of its payload (numbers
/// grouped by thousands), and the names an event shows instead of codes.
pub fn values(kind: &str, name: &str, payload: &Value, lang: Lang) -> Vec<(String, String)> {
    let mut out = vec![("name".to_string(), name.to_string())];
    if let Some(map) = payload.as_object() {
        for (k, v) in map {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n
                    .as_i64()
                    .map(patron_core::money::grouped)
                    .unwrap_or_else(|| n.to_string()),
                _ => continue,
            };
            out.push((k.clone(), text));
        }
    }
    let get = |k: &str| {
        payload
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut set = |k: &str, v: String| {
        out.retain(|(key, _)| key != k);
        out.push((k.to_string(), v));
    };
    match kind {
        "tier_change" => {
            for k in ["from", "to"] {
                let named = get(&format!("{k}_name"))
                    .unwrap_or_else(|| tier_name(&get(k).unwrap_or_default(), lang));
                set(k, named);
            }
        }
        "reward_claimed_elsewhere" => {
            let at = get("claimed_at_store_name").or_else(|| get("claimed_at_store"));
            set("claimed_at", at.unwrap_or_default());
            if let Some(g) = get("gift_name") {
                set("gift", g);
            }
        }
        _ => {}
    }
    out
}

/// The subject and body of a message of `kind` to `name`, in `lang`, from the edited texts.
pub fn render(
    edited: &Edited,
    kind: &str,
    name: &str,
    payload: &Value,
    lang: Lang,
) -> (String, String) {
    let values = values(kind, name, payload, lang);
    match edited.text(kind, lang) {
        Some((subject, body)) => (fill(&subject, &values), fill(&body, &values)),
        None => (kind.to_string(), format!("{name}您好。")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_text_uses_only_its_own_placeholders() {
        for e in EVENTS {
            for lang in [Lang::ZhCn, Lang::En] {
                let t = e.builtin(lang);
                assert!(check(e, t.subject).is_ok(), "{} subject", e.kind);
                assert!(check(e, t.body).is_ok(), "{} body", e.kind);
            }
        }
    }

    #[test]
    fn an_unknown_placeholder_is_refused_and_names_the_allowed_ones() {
        let e = event("birthday").expect("birthday");
        let err = check(e, "{name}您好，{gift}").expect_err("unknown");
        let said = err.say(Lang::En);
        assert!(said.contains("{gift}") && said.contains("{name}"), "{said}");
        assert!(check(e, "{name 您好").is_err());
        assert!(check(e, "您好}").is_err());
    }

    #[test]
    fn a_tier_change_names_the_tiers_not_their_codes() {
        let payload = serde_json::json!({"from": "normal", "to": "silver"});
        let (_, body) = render(
            &Edited::default(),
            "tier_change",
            "王芳",
            &payload,
            Lang::ZhCn,
        );
        assert_eq!(body, "王芳您好，您的会员等级已由普通会员调整为银卡。");
    }
}
