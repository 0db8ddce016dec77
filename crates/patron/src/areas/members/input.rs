//! A member's details as the desk, the import or an application gives them, and their checks
//! (B1, B6): name, gender, birthday, phone, e-mail, ID, channel, referrer.

use chrono::{Datelike, NaiveDate};
use patron_core::identity::{CardNo, IdNumber, IdType, Phone};
use serde::{Deserialize, Serialize};

use crate::kernel::validation::{Invalid, required_text};

/// Recruitment channels (B1).
pub const CHANNELS: [&str; 7] = [
    "desk",
    "website",
    "social",
    "ecommerce",
    "event",
    "partner",
    "referral",
];

/// A member's details as the desk, the import or an application gives them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MemberIn {
    pub name: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birthday: String,
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub id_type: String,
    #[serde(default)]
    pub id_no: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub referrer_card_no: String,
    #[serde(default)]
    pub marketing_consent: bool,
}

/// Details that passed validation.
#[derive(Debug, Clone)]
pub struct ValidMember {
    pub name: String,
    pub gender: Option<&'static str>,
    pub birthday: Option<NaiveDate>,
    pub phone: Phone,
    pub email: Option<String>,
    pub id: Option<IdNumber>,
    pub address: String,
    pub occupation: String,
    pub channel: &'static str,
    pub referrer: Option<CardNo>,
    pub marketing_consent: bool,
}

pub fn parse_gender(input: &str) -> Result<Option<&'static str>, &'static str> {
    match input.trim() {
        "" => Ok(None),
        "F" | "f" | "女" => Ok(Some("F")),
        "M" | "m" | "男" => Ok(Some("M")),
        _ => Err("invalid.gender"),
    }
}

pub fn parse_date(input: &str) -> Result<Option<NaiveDate>, &'static str> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .map(Some)
        .map_err(|_| {
            // Written as a date (1990-02-30) but no such day: say that, not "bad format".
            let parts: Vec<u32> = s.split(['-', '/']).filter_map(|p| p.parse().ok()).collect();
            match parts.as_slice() {
                [y, m, d] if *y >= 1000 && (1..=12).contains(m) && (1..=31).contains(d) => {
                    "invalid.no_such_date"
                }
                _ => "invalid.date",
            }
        })
}

pub fn parse_channel(input: &str) -> Result<&'static str, &'static str> {
    let s = input.trim();
    if s.is_empty() {
        return Ok("desk");
    }
    let zh = [
        ("门店", "desk"),
        ("服务台", "desk"),
        ("网站", "website"),
        ("社交媒体", "social"),
        ("电商", "ecommerce"),
        ("活动", "event"),
        ("展会", "event"),
        ("特约商户", "partner"),
        ("推荐", "referral"),
    ];
    CHANNELS
        .iter()
        .find(|c| **c == s)
        .copied()
        .or_else(|| zh.iter().find(|(z, _)| *z == s).map(|(_, c)| *c))
        .ok_or("invalid.channel")
}

impl MemberIn {
    /// Checks every field and names each bad one.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidMember, Invalid> {
        let mut bad = Invalid::new();
        let name = bad.check("name", required_text(&self.name, 50));
        let gender = bad.check("gender", parse_gender(&self.gender));
        let birthday = bad.check("birthday", parse_date(&self.birthday)).flatten();
        if birthday.is_some_and(|b| b > today || b.year_ce().1 < 1900) {
            bad.add("birthday", "invalid.date");
        }
        let phone = bad.check("phone", Phone::parse(&self.phone));
        let email = self.email.trim();
        if !email.is_empty() && (!email.contains('@') || email.len() > 120) {
            bad.add("email", "invalid.email");
        }
        let id = if self.id_no.trim().is_empty() {
            None
        } else {
            bad.check("id_type", IdType::parse(&self.id_type))
                .and_then(|t| bad.check("id_no", IdNumber::parse(t, &self.id_no)))
        };
        if self.address.len() > 200 {
            bad.add("address", "invalid.too_long");
        }
        if self.occupation.len() > 60 {
            bad.add("occupation", "invalid.too_long");
        }
        let channel = bad.check("channel", parse_channel(&self.channel));
        let referrer = if self.referrer_card_no.trim().is_empty() {
            None
        } else {
            bad.check("referrer_card_no", CardNo::parse(&self.referrer_card_no))
        };
        bad.into_result()?;
        match (name, gender, phone, channel) {
            (Some(name), Some(gender), Some(phone), Some(channel)) => Ok(ValidMember {
                name,
                gender,
                birthday,
                phone,
                email: (!email.is_empty()).then(|| email.to_string()),
                id,
                address: self.address.trim().to_string(),
                occupation: self.occupation.trim().to_string(),
                channel,
                referrer,
                marketing_consent: self.marketing_consent,
            }),
            _ => Err(Invalid::one("name", "invalid.required")),
        }
    }
}
