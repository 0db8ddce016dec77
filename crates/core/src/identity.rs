//! Personal identifiers parsed at the edge (SPEC B2, N1): mobile phone numbers, ID documents,
//! card numbers, and how each is shown masked.

use serde::{Deserialize, Serialize};

/// A mainland mobile number: 11 digits starting 1[3-9]. Spaces, dashes and a +86 prefix are
/// accepted on input and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, &'static str> {
        let digits: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits)
            .to_string();
        if digits.is_empty() {
            return Err("invalid.required");
        }
        let ok = digits.len() == 11
            && digits.chars().all(|c| c.is_ascii_digit())
            && digits.starts_with('1')
            && matches!(digits.as_bytes()[1], b'3'..=b'9');
        if ok {
            Ok(Phone(digits))
        } else {
            Err("invalid.phone")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// The kind of ID document (证件类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// 居民身份证: 18 characters with the GB 11643 check character.
    ResidentCard,
    Passport,
    /// 港澳台居民来往内地通行证 and others: 5–20 letters and digits.
    Other,
}

impl IdType {
    pub const ALL: [IdType; 3] = [IdType::ResidentCard, IdType::Passport, IdType::Other];

    pub fn code(self) -> &'static str {
        match self {
            IdType::ResidentCard => "resident_card",
            IdType::Passport => "passport",
            IdType::Other => "other",
        }
    }

    pub fn parse(input: &str) -> Result<IdType, &'static str> {
        match input.trim() {
            "" | "resident_card" | "身份证" | "居民身份证" => Ok(IdType::ResidentCard),
            "passport" | "护照" => Ok(IdType::Passport),
            "other" | "其他" => Ok(IdType::Other),
            _ => Err("invalid.id_type"),
        }
    }
}

/// An ID document number, checked for its type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdNumber {
    pub kind: IdType,
    number: String,
}

impl IdNumber {
    pub fn parse(kind: IdType, input: &str) -> Result<IdNumber, &'static str> {
        let n: String = input.trim().to_ascii_uppercase();
        if n.is_empty() {
            return Err("invalid.required");
        }
        let ok = match kind {
            IdType::ResidentCard => resident_card_ok(&n),
            IdType::Passport | IdType::Other => {
                (5..=20).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric())
            }
        };
        if ok {
            Ok(IdNumber { kind, number: n })
        } else {
            Err("invalid.id_no")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The first three and last four characters, the rest starred.
    pub fn masked(&self) -> String {
        let n = &self.number;
        let stars = "*".repeat(n.len().saturating_sub(7));
        format!(
            "{}{}{}",
            &n[..3.min(n.len())],
            stars,
            &n[n.len().saturating_sub(4)..]
        )
    }
}

fn resident_card_ok(n: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = n.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] == b[17]
}

/// A VIP card number: 4–20 letters and digits, kept upper-case. Issued cards are the store
/// code followed by an 8-digit sequence (`WFJ00000042`, B5 按序发卡).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CardNo(String);

impl CardNo {
    pub fn parse(input: &str) -> Result<CardNo, &'static str> {
        let n = input.trim().to_ascii_uppercase();
        if n.is_empty() {
            return Err("invalid.required");
        }
        if (4..=20).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(CardNo(n))
        } else {
            Err("invalid.card_no")
        }
    }

    /// The `seq`th card of the store with `store_code`.
    pub fn issued(store_code: &str, seq: i64) -> CardNo {
        CardNo(format!("{}{:08}", store_code.to_ascii_uppercase(), seq))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name shown to the till: the family name and stars (`张**`).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// The characters of a unified social credit code (统一社会信用代码, GB 32100-2015), in value order.
const CREDIT_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A unified social credit code: 18 characters of `0-9A-Z` without I, O, S, V, Z, the last one a
/// check character (GB 32100-2015). Input is trimmed, folded to half width and upper case.
pub fn parse_credit_code(input: &str) -> Result<String, &'static str> {
    let code: String = crate::typed::fold_width(input.trim())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if code.chars().count() != 18 {
        return Err("invalid.credit_code");
    }
    let values = code
        .chars()
        .map(|c| CREDIT_CHARS.find(c).map(|v| v as u32))
        .collect::<Option<Vec<u32>>>()
        .ok_or("invalid.credit_code")?;
    let sum: u32 = values.iter().zip(CREDIT_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    if values.get(17) != Some(&check) {
        return Err("invalid.credit_code");
    }
    Ok(code)
}

/// An organisation's name folded for comparison: half width, no spaces or brackets, lower case.
/// "某某有限公司" and "某某 有限公司（）" are the same organisation.
pub fn organisation_key(name: &str) -> String {
    crate::typed::fold_width(name)
        .chars()
        .filter(|c| !c.is_whitespace() && !"()[]【】〔〕<>《》\"'·.,，。".contains(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_and_masked() {
        let p = Phone::parse("+86 138-0013-8000").expect("phone");
        assert_eq!(p.as_str(), "13800138000");
        assert_eq!(p.masked(), "138****8000");
        assert_eq!(Phone::parse("12800138000"), Err("invalid.phone"));
        assert_eq!(Phone::parse("1380013800"), Err("invalid.phone"));
        assert_eq!(Phone::parse(" "), Err("invalid.required"));
    }

    #[test]
    fn resident_card_numbers_carry_their_check_character() {
        assert!(IdNumber::parse(IdType::ResidentCard, "11010519491231002x").is_ok());
        assert_eq!(
            IdNumber::parse(IdType::ResidentCard, "110105194912310021"),
            Err("invalid.id_no")
        );
        let id = IdNumber::parse(IdType::ResidentCard, "11010519491231002X").expect("id");
        assert_eq!(id.masked(), "110***********002X");
        assert!(IdNumber::parse(IdType::Passport, "E12345678").is_ok());
    }

    #[test]
    fn card_numbers_are_issued_in_sequence_per_store() {
        assert_eq!(CardNo::issued("wfj", 42).as_str(), "WFJ00000042");
        assert_eq!(
            CardNo::parse(" wfj00000042 ").expect("card").as_str(),
            "WFJ00000042"
        );
        assert_eq!(CardNo::parse("WFJ-1"), Err("invalid.card_no"));
    }

    #[test]
    fn names_show_only_the_first_character() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "李*");
    }

    #[test]
    fn credit_codes_are_checked_by_their_last_character() {
        assert_eq!(
            parse_credit_code(" 91350100m000100y43 ").as_deref(),
            Ok("91350100M000100Y43")
        );
        assert!(parse_credit_code("91350100M000100Y44").is_err());
        assert!(parse_credit_code("91350100M000100Y4").is_err());
        assert!(parse_credit_code("91350100I000100Y43").is_err());
    }

    #[test]
    fn organisation_names_fold_spaces_brackets_and_width() {
        assert_eq!(
            organisation_key("华东电力（集团） 有限公司"),
            organisation_key("华东电力(集团)有限公司")
        );
        assert_eq!(organisation_key("ＡＢＣ Ltd."), "abcltd");
    }
}
