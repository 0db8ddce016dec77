//! Group-buy vouchers (团购券, SPEC E): serials and ranges, check codes, the states a voucher
//! moves through, the prepaid-card rules (E12), rebate tiers (E9) and the month-end identity
//! (E10).
//!
//! A voucher's serial (券号) is a number printed with eight digits (`00012345`). Every operation
//! takes ranges of serials (`00010001-00011000`), so selling 1,000 vouchers is one operation.

use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::money::Fen;

/// The largest serial: twelve digits.
pub const MAX_SERIAL: i64 = 999_999_999_999;

/// A voucher's serial number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Serial(pub i64);

impl Serial {
    /// Digits only (spaces ignored), 1–12 of them, not zero.
    pub fn parse(input: &str) -> Result<Serial, &'static str> {
        let t: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            return Err("invalid.required");
        }
        if t.len() > 12 || !t.chars().all(|c| c.is_ascii_digit()) {
            return Err("invalid.serial");
        }
        match t.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Serial(n)),
            _ => Err("invalid.serial"),
        }
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08}", self.0)
    }
}

/// A contiguous run of serials, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SerialRange {
    pub first: Serial,
    pub last: Serial,
}

impl SerialRange {
    pub fn new(first: i64, last: i64) -> SerialRange {
        SerialRange {
            first: Serial(first),
            last: Serial(last),
        }
    }

    pub fn count(&self) -> i64 {
        self.last.0 - self.first.0 + 1
    }

    pub fn contains(&self, s: Serial) -> bool {
        self.first <= s && s <= self.last
    }

    pub fn overlaps(&self, other: &SerialRange) -> bool {
        self.first <= other.last && other.first <= self.last
    }

    /// `00010001-00011000`, `00010001 - 00011000`, `00010001~00011000`, `00010001至00011000`, or
    /// one serial.
    pub fn parse(input: &str) -> Result<SerialRange, &'static str> {
        let t = input.trim();
        let parts: Vec<&str> = t
            .split(['-', '~', '至', '－', '—', '–'])
            .map(str::trim)
            .collect();
        let range = match parts.as_slice() {
            [one] => {
                let s = Serial::parse(one)?;
                SerialRange { first: s, last: s }
            }
            [a, b] => SerialRange {
                first: Serial::parse(a)?,
                last: Serial::parse(b)?,
            },
            _ => return Err("invalid.serial_range"),
        };
        if range.last < range.first {
            return Err("invalid.serial_range_order");
        }
        Ok(range)
    }

    /// Several ranges, one per line or separated by commas or semicolons; they may not overlap.
    pub fn parse_list(input: &str) -> Result<Vec<SerialRange>, &'static str> {
        let mut out: Vec<SerialRange> = Vec::new();
        for piece in input.split(['\n', ',', ';', '，', '；']) {
            if piece.trim().is_empty() {
                continue;
            }
            let r = SerialRange::parse(piece)?;
            if out.iter().any(|o| o.overlaps(&r)) {
                return Err("invalid.serial_range_overlap");
            }
            out.push(r);
        }
        if out.is_empty() {
            return Err("invalid.required");
        }
        Ok(out)
    }
}

impl fmt::Display for SerialRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

/// Joins sorted serials into the fewest ranges (for reports and notices).
pub fn compress(mut serials: Vec<i64>) -> Vec<SerialRange> {
    serials.sort_unstable();
    serials.dedup();
    let mut out: Vec<SerialRange> = Vec::new();
    for s in serials {
        match out.last_mut() {
            Some(r) if r.last.0 + 1 == s => r.last = Serial(s),
            _ => out.push(SerialRange::new(s, s)),
        }
    }
    out
}

/// The check code printed beside a serial (E13): six digits from an HMAC of the serial under
/// the secret voucher key. Nothing stores it; the till's entry is compared with a fresh one.
pub fn check_code(key: &[u8; 32], serial: Serial) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(b"patron/voucher/");
    mac.update(serial.to_string().as_bytes());
    let bytes = mac.finalize().into_bytes();
    let n = u64::from_be_bytes([
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
    ]);
    format!("{:06}", n % 1_000_000)
}

/// Whether `entered` is the check code of `serial` (compared in constant time).
pub fn code_matches(key: &[u8; 32], serial: Serial, entered: &str) -> bool {
    let expected = check_code(key, serial);
    let entered: String = entered.chars().filter(|c| !c.is_whitespace()).collect();
    if entered.len() != expected.len() {
        return false;
    }
    entered
        .bytes()
        .zip(expected.bytes())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// Where a voucher is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoucherState {
    /// Printed, held by finance (财务).
    Finance,
    /// Handed over to the department, not yet stamped.
    Received,
    /// Stamped with the activity seal: ready to sell.
    Stamped,
    /// Set aside for a cheque sale until the cheque clears.
    Reserved,
    Sold,
    Redeemed,
    /// Expired with its value unused, and exchanged for a new voucher (E12).
    Exchanged,
    Void,
    Damaged,
    Lost,
}

impl VoucherState {
    pub const ALL: [VoucherState; 10] = [
        VoucherState::Finance,
        VoucherState::Received,
        VoucherState::Stamped,
        VoucherState::Reserved,
        VoucherState::Sold,
        VoucherState::Redeemed,
        VoucherState::Exchanged,
        VoucherState::Void,
        VoucherState::Damaged,
        VoucherState::Lost,
    ];

    pub fn code(self) -> &'static str {
        match self {
            VoucherState::Finance => "finance",
            VoucherState::Received => "received",
            VoucherState::Stamped => "stamped",
            VoucherState::Reserved => "reserved",
            VoucherState::Sold => "sold",
            VoucherState::Redeemed => "redeemed",
            VoucherState::Exchanged => "exchanged",
            VoucherState::Void => "void",
            VoucherState::Damaged => "damaged",
            VoucherState::Lost => "lost",
        }
    }

    pub fn from_code(code: &str) -> Option<VoucherState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Held by the department: counted in its stock at month end (E10).
    pub fn in_department_stock(self) -> bool {
        matches!(
            self,
            VoucherState::Received | VoucherState::Stamped | VoucherState::Reserved
        )
    }
}

/// A recorded movement of a range from one state to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// Finance hands vouchers to the department (领券).
    Handover,
    /// The activity seal (活动专用章).
    Stamp,
    /// A cash sale: sold at once, date-sealed.
    Sell,
    /// A cheque or transfer sale: set aside until the money has arrived.
    Reserve,
    /// The cheque cleared, or was counter-deposited (倒存): the reserved vouchers are sold.
    Release,
    /// The cheque bounced: the reserved vouchers go back to stock.
    Bounce,
    /// Paid out as a rebate (返扣).
    Rebate,
    /// Used at a till.
    Redeem,
    /// An expired, unused voucher taken back (E12)…
    Exchange,
    /// …and the new voucher handed out for it.
    Reissue,
    Void,
    Damage,
    Lose,
}

impl Movement {
    pub fn code(self) -> &'static str {
        match self {
            Movement::Handover => "handover",
            Movement::Stamp => "stamp",
            Movement::Sell => "sell",
            Movement::Reserve => "reserve",
            Movement::Release => "release",
            Movement::Bounce => "bounce",
            Movement::Rebate => "rebate",
            Movement::Redeem => "redeem",
            Movement::Exchange => "exchange",
            Movement::Reissue => "reissue",
            Movement::Void => "void",
            Movement::Damage => "damage",
            Movement::Lose => "lose",
        }
    }

    /// The states a voucher may be in for this movement, and the state it moves to.
    pub fn path(self) -> (&'static [VoucherState], VoucherState) {
        use VoucherState as S;
        match self {
            Movement::Handover => (&[S::Finance], S::Received),
            Movement::Stamp => (&[S::Received], S::Stamped),
            Movement::Sell => (&[S::Stamped], S::Sold),
            Movement::Reserve => (&[S::Stamped], S::Reserved),
            Movement::Release => (&[S::Reserved], S::Sold),
            Movement::Bounce => (&[S::Reserved], S::Stamped),
            Movement::Rebate => (&[S::Stamped], S::Sold),
            Movement::Redeem => (&[S::Sold], S::Redeemed),
            Movement::Exchange => (&[S::Sold], S::Exchanged),
            Movement::Reissue => (&[S::Stamped], S::Sold),
            Movement::Void => (&[S::Received, S::Stamped], S::Void),
            Movement::Damage => (&[S::Received, S::Stamped], S::Damaged),
            Movement::Lose => (&[S::Received, S::Stamped], S::Lost),
        }
    }

    /// The write-offs of E11, which need a reason and an approval. They take vouchers from the
    /// department's unsold stock.
    pub fn write_off(code: &str) -> Option<Movement> {
        match code {
            "void" => Some(Movement::Void),
            "damage" => Some(Movement::Damage),
            "lose" => Some(Movement::Lose),
            _ => None,
        }
    }
}

/// Who buys (E4, E12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyerKind {
    Organisation,
    Person,
}

impl BuyerKind {
    pub fn code(self) -> &'static str {
        match self {
            BuyerKind::Organisation => "organisation",
            BuyerKind::Person => "person",
        }
    }

    pub fn from_code(code: &str) -> Option<BuyerKind> {
        match code {
            "organisation" => Some(BuyerKind::Organisation),
            "person" => Some(BuyerKind::Person),
            _ => None,
        }
    }
}

/// How a sale is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payment {
    Cash,
    /// A transfer cheque (转账支票): vouchers are reserved until it clears.
    Cheque,
    /// A bank transfer: vouchers are reserved until finance sees the money.
    Transfer,
    /// Never accepted (E12); listed so the refusal can name the rule.
    CreditCard,
}

impl Payment {
    pub fn code(self) -> &'static str {
        match self {
            Payment::Cash => "cash",
            Payment::Cheque => "cheque",
            Payment::Transfer => "transfer",
            Payment::CreditCard => "credit_card",
        }
    }

    pub fn from_code(code: &str) -> Option<Payment> {
        [
            Payment::Cash,
            Payment::Cheque,
            Payment::Transfer,
            Payment::CreditCard,
        ]
        .into_iter()
        .find(|p| p.code() == code)
    }

    /// Paid through a bank: the paying account is recorded (E12).
    pub fn through_bank(self) -> bool {
        matches!(self, Payment::Cheque | Payment::Transfer)
    }
}

/// The prepaid-card limits (E12). Defaults are the national rules; all are configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepaidLimits {
    /// An organisation paying this much or more at once may not pay cash.
    pub cash_limit_organisation: Fen,
    /// A person paying this much or more at once may not pay cash.
    pub cash_limit_person: Fen,
    /// From this amount on, the buyer's real name and ID are recorded.
    pub real_name_from: Fen,
    /// An anonymous voucher's face value may not exceed this.
    pub anonymous_max_face: Fen,
    /// An anonymous voucher must stay valid at least this many months after its sale.
    pub anonymous_min_validity_months: u32,
}

impl Default for PrepaidLimits {
    fn default() -> Self {
        PrepaidLimits {
            cash_limit_organisation: Fen(500_000),
            cash_limit_person: Fen(5_000_000),
            real_name_from: Fen(1_000_000),
            anonymous_max_face: Fen(100_000),
            anonymous_min_validity_months: 36,
        }
    }
}

/// What a sale looks like to the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleFacts {
    pub buyer: BuyerKind,
    pub payment: Payment,
    pub amount: Fen,
    /// Any of the vouchers is a named (记名) voucher.
    pub any_named: bool,
    pub has_real_name_and_id: bool,
    pub has_paying_account: bool,
    /// The largest face value among anonymous vouchers in the sale.
    pub max_anonymous_face: Fen,
    /// The earliest expiry among anonymous vouchers, and the sale date.
    pub earliest_anonymous_expiry: Option<chrono::NaiveDate>,
    pub sale_date: chrono::NaiveDate,
}

/// A rule a sale breaks, named for the clerk (the code is a message-catalog key) and tied to the
/// form field that has to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Breach {
    pub rule: &'static str,
    pub field: &'static str,
}

/// Every E12 rule the sale breaks; empty when it may go ahead.
pub fn breaches(limits: &PrepaidLimits, f: &SaleFacts) -> Vec<Breach> {
    let mut out = Vec::new();
    if f.payment == Payment::CreditCard {
        out.push(Breach {
            rule: "e12.no_credit_card",
            field: "payment",
        });
    }
    if f.payment == Payment::Cash {
        let (limit, rule) = match f.buyer {
            BuyerKind::Organisation => (limits.cash_limit_organisation, "e12.cash_organisation"),
            BuyerKind::Person => (limits.cash_limit_person, "e12.cash_person"),
        };
        if f.amount >= limit {
            out.push(Breach {
                rule,
                field: "payment",
            });
        }
    }
    if f.payment.through_bank() && !f.has_paying_account {
        out.push(Breach {
            rule: "e12.paying_account",
            field: "account_no",
        });
    }
    if (f.amount >= limits.real_name_from || f.any_named) && !f.has_real_name_and_id {
        out.push(Breach {
            rule: "e12.real_name",
            field: "real_name",
        });
    }
    if f.max_anonymous_face > limits.anonymous_max_face {
        out.push(Breach {
            rule: "e12.anonymous_face",
            field: "ranges",
        });
    }
    if let Some(expiry) = f.earliest_anonymous_expiry {
        let needed = f
            .sale_date
            .checked_add_months(chrono::Months::new(limits.anonymous_min_validity_months));
        if needed.is_none_or(|n| expiry < n) {
            out.push(Breach {
                rule: "e12.anonymous_validity",
                field: "ranges",
            });
        }
    }
    out
}

/// A rebate tier (返奖标准): from this purchase amount on, this rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebateTier {
    pub min_purchase: Fen,
    pub rate_permille: i64,
}

/// The rebate a purchase earns: the highest tier reached, rate applied and rounded down to a
/// whole `unit` (the smallest rebate voucher). `None` below the lowest tier.
pub fn rebate_for(tiers: &[RebateTier], purchase: Fen, unit: Fen) -> Option<(RebateTier, Fen)> {
    let tier = tiers
        .iter()
        .filter(|t| purchase >= t.min_purchase)
        .max_by_key(|t| t.min_purchase)
        .copied()?;
    let raw = purchase.mul_permille_floor(tier.rate_permille)?;
    let unit = unit.0.max(1);
    let amount = Fen(raw.0.div_euclid(unit) * unit);
    (amount.0 > 0).then_some((tier, amount))
}

/// A month's counts for the reconciliation with finance (E10). Counts of vouchers; amounts at
/// the face value they were sold at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthCounts {
    pub opening: i64,
    pub received: i64,
    pub sold: i64,
    pub rebated: i64,
    pub written_off: i64,
    /// New vouchers handed out for expired ones (E12).
    #[serde(default)]
    pub reissued: i64,
    pub closing: i64,
}

impl MonthCounts {
    /// Opening + received − sold − rebated − written off − reissued, which must equal the
    /// closing count.
    pub fn expected_closing(&self) -> i64 {
        self.opening + self.received - self.sold - self.rebated - self.written_off - self.reissued
    }

    pub fn balances(&self) -> bool {
        self.expected_closing() == self.closing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn serials_print_with_eight_digits_and_parse_back() {
        assert_eq!(Serial(12345).to_string(), "00012345");
        assert_eq!(Serial::parse("00012345"), Ok(Serial(12345)));
        assert_eq!(Serial::parse(" 0001 2345 "), Ok(Serial(12345)));
        assert_eq!(Serial::parse("0"), Err("invalid.serial"));
        assert_eq!(Serial::parse("12a"), Err("invalid.serial"));
        assert_eq!(Serial::parse("1234567890123"), Err("invalid.serial"));
        assert_eq!(Serial::parse(""), Err("invalid.required"));
    }

    #[test]
    fn ranges_parse_in_the_ways_clerks_write_them() {
        let r = SerialRange::new(10001, 11000);
        assert_eq!(SerialRange::parse("00010001-00011000"), Ok(r));
        assert_eq!(SerialRange::parse("10001 ~ 11000"), Ok(r));
        assert_eq!(SerialRange::parse("10001至11000"), Ok(r));
        assert_eq!(r.count(), 1000);
        assert_eq!(
            SerialRange::parse("5"),
            Ok(SerialRange::new(5, 5)),
            "one serial is a range of one"
        );
        assert_eq!(
            SerialRange::parse("11000-10001"),
            Err("invalid.serial_range_order")
        );
        assert_eq!(SerialRange::parse("1-2-3"), Err("invalid.serial_range"));
        assert_eq!(
            SerialRange::parse_list("1-10\n11-20, 30"),
            Ok(vec![
                SerialRange::new(1, 10),
                SerialRange::new(11, 20),
                SerialRange::new(30, 30)
            ])
        );
        assert_eq!(
            SerialRange::parse_list("1-10\n5-20"),
            Err("invalid.serial_range_overlap")
        );
        assert_eq!(SerialRange::parse_list(" \n"), Err("invalid.required"));
        assert_eq!(SerialRange::new(1, 10).to_string(), "00000001-00000010");
    }

    #[test]
    fn compress_joins_neighbours_only() {
        assert_eq!(
            compress(vec![5, 3, 4, 9, 10, 1]),
            vec![
                SerialRange::new(1, 1),
                SerialRange::new(3, 5),
                SerialRange::new(9, 10)
            ]
        );
        assert!(compress(vec![]).is_empty());
    }

    #[test]
    fn check_codes_are_six_digits_and_depend_on_serial_and_key() {
        let a = check_code(&KEY, Serial(1));
        assert_eq!(a.len(), 6);
        assert!(a.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(a, check_code(&KEY, Serial(1)));
        assert_ne!(a, check_code(&[8; 32], Serial(1)));
        let distinct: std::collections::HashSet<String> =
            (1..=1000).map(|n| check_code(&KEY, Serial(n))).collect();
        assert!(distinct.len() > 990, "codes spread: {}", distinct.len());
        assert!(code_matches(&KEY, Serial(1), &a));
        assert!(!code_matches(&KEY, Serial(2), &a) || check_code(&KEY, Serial(2)) == a);
        assert!(!code_matches(&KEY, Serial(1), ""));
        assert!(!code_matches(&KEY, Serial(1), &format!("{a}0")));
    }

    #[test]
    fn each_movement_starts_from_its_states_only() {
        use VoucherState as S;
        assert_eq!(Movement::Stamp.path(), (&[S::Received][..], S::Stamped));
        assert!(
            !Movement::Sell.path().0.contains(&S::Received),
            "unstamped vouchers cannot be sold"
        );
        assert!(
            !Movement::Redeem.path().0.contains(&S::Reserved),
            "a reserved voucher is not usable"
        );
        assert_eq!(Movement::Bounce.path().1, S::Stamped);
        assert!(S::Reserved.in_department_stock());
        assert!(!S::Sold.in_department_stock());
        for s in S::ALL {
            assert_eq!(S::from_code(s.code()), Some(s));
        }
    }

    fn facts(buyer: BuyerKind, payment: Payment, yuan: i64) -> SaleFacts {
        SaleFacts {
            buyer,
            payment,
            amount: Fen(yuan * 100),
            any_named: false,
            has_real_name_and_id: false,
            has_paying_account: false,
            max_anonymous_face: Fen(10_000),
            earliest_anonymous_expiry: NaiveDate::from_ymd_opt(2030, 1, 1),
            sale_date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default(),
        }
    }

    fn rules(f: &SaleFacts) -> Vec<&'static str> {
        breaches(&PrepaidLimits::default(), f)
            .into_iter()
            .map(|b| b.rule)
            .collect()
    }

    #[test]
    fn organisations_may_not_pay_5000_yuan_or_more_in_cash() {
        use BuyerKind::Organisation as O;
        assert!(rules(&facts(O, Payment::Cash, 4_999)).is_empty());
        assert_eq!(
            rules(&facts(O, Payment::Cash, 5_000)),
            ["e12.cash_organisation"]
        );
        assert_eq!(
            rules(&facts(O, Payment::Cash, 5_001)),
            ["e12.cash_organisation"]
        );
    }

    #[test]
    fn persons_may_not_pay_50000_yuan_or_more_in_cash() {
        use BuyerKind::Person as P;
        let mut f = facts(P, Payment::Cash, 49_999);
        f.has_real_name_and_id = true;
        assert!(rules(&f).is_empty());
        f.amount = Fen(5_000_000);
        assert_eq!(rules(&f), ["e12.cash_person"]);
        f.amount = Fen(5_000_100);
        assert_eq!(rules(&f), ["e12.cash_person"]);
    }

    #[test]
    fn bank_payments_record_the_paying_account() {
        let mut f = facts(BuyerKind::Organisation, Payment::Cheque, 3_000);
        assert_eq!(rules(&f), ["e12.paying_account"]);
        f.has_paying_account = true;
        assert!(rules(&f).is_empty());
    }

    #[test]
    fn real_name_and_id_from_10000_yuan_or_for_named_vouchers() {
        let mut f = facts(BuyerKind::Organisation, Payment::Transfer, 9_999);
        f.has_paying_account = true;
        assert!(rules(&f).is_empty());
        f.amount = Fen(1_000_000);
        assert_eq!(rules(&f), ["e12.real_name"]);
        f.amount = Fen(1_000_100);
        assert_eq!(rules(&f), ["e12.real_name"]);
        f.has_real_name_and_id = true;
        assert!(rules(&f).is_empty());
        let mut small = facts(BuyerKind::Person, Payment::Cash, 100);
        small.any_named = true;
        assert_eq!(rules(&small), ["e12.real_name"]);
    }

    #[test]
    fn credit_cards_are_never_accepted() {
        assert_eq!(
            rules(&facts(BuyerKind::Person, Payment::CreditCard, 100)),
            ["e12.no_credit_card"]
        );
    }

    #[test]
    fn anonymous_vouchers_are_at_most_1000_yuan_and_valid_three_years() {
        let mut f = facts(BuyerKind::Person, Payment::Cash, 1_000);
        f.max_anonymous_face = Fen(100_000);
        assert!(rules(&f).is_empty());
        f.max_anonymous_face = Fen(100_001);
        assert_eq!(rules(&f), ["e12.anonymous_face"]);
        f.max_anonymous_face = Fen(100_000);
        f.earliest_anonymous_expiry = NaiveDate::from_ymd_opt(2029, 11, 22);
        assert!(rules(&f).is_empty(), "exactly three years");
        f.earliest_anonymous_expiry = NaiveDate::from_ymd_opt(2029, 11, 21);
        assert_eq!(rules(&f), ["e12.anonymous_validity"]);
    }

    #[test]
    fn rebates_take_the_highest_tier_reached_rounded_down_to_a_voucher() {
        let tiers = [
            RebateTier {
                min_purchase: Fen(1_000_000),
                rate_permille: 20,
            },
            RebateTier {
                min_purchase: Fen(5_000_000),
                rate_permille: 30,
            },
        ];
        let unit = Fen(10_000);
        assert_eq!(rebate_for(&tiers, Fen(999_900), unit), None);
        assert_eq!(
            rebate_for(&tiers, Fen(1_000_000), unit).map(|r| r.1),
            Some(Fen(20_000))
        );
        assert_eq!(
            rebate_for(&tiers, Fen(1_490_000), unit).map(|r| r.1),
            Some(Fen(20_000)),
            "¥298 rounds down to ¥200"
        );
        assert_eq!(
            rebate_for(&tiers, Fen(5_000_000), unit).map(|r| (r.0.rate_permille, r.1)),
            Some((30, Fen(150_000)))
        );
    }

    proptest! {
        #[test]
        fn a_rebate_never_exceeds_its_rate_and_is_whole_units(purchase in 0i64..1_000_000_000, unit in 1i64..100_000) {
            let tiers = [RebateTier { min_purchase: Fen(100), rate_permille: 25 }];
            if let Some((_, amount)) = rebate_for(&tiers, Fen(purchase), Fen(unit)) {
                prop_assert!(amount.0 * 1000 <= purchase * 25);
                prop_assert_eq!(amount.0 % unit, 0);
                prop_assert!(amount.0 > 0);
            }
        }

        #[test]
        fn compressed_ranges_cover_exactly_the_serials(serials in proptest::collection::vec(1i64..500, 0..200)) {
            let ranges = compress(serials.clone());
            let mut expanded: Vec<i64> = ranges.iter().flat_map(|r| r.first.0..=r.last.0).collect();
            let mut want = serials;
            want.sort_unstable();
            want.dedup();
            expanded.sort_unstable();
            prop_assert_eq!(expanded, want);
            for w in ranges.windows(2) {
                prop_assert!(w[0].last.0 + 1 < w[1].first.0, "neighbours are joined");
            }
        }

        #[test]
        fn a_serial_range_round_trips_through_its_text(a in 1i64..100_000_000, len in 0i64..10_000) {
            let r = SerialRange::new(a, a + len);
            prop_assert_eq!(SerialRange::parse(&r.to_string()), Ok(r));
        }
    }
}
