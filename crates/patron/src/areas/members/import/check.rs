//! Checking an import file's rows: each field of each row, duplicates within the file, and then
//! phones, ID numbers and card numbers against the members already there.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use patron_core::Permission;
use patron_core::identity::{CardNo, IdNumber, IdType, Phone};
use serde::Serialize;

use crate::areas::members::{MembersError, parse_channel, parse_date, parse_gender, store};
use crate::areas::points::settings::Loyalty;
use crate::kernel::ctx::Ctx;
use crate::kernel::pii::Pii;
use crate::kernel::stores::{StoreInfo, Stores};

/// A rejected row: its line in the file (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    pub line: usize,
    pub field: String,
    pub reason: &'static str,
}

/// A checked row, ready to insert.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub line: usize,
    pub card_no: Option<CardNo>,
    pub name: String,
    pub gender: Option<&'static str>,
    pub birthday: Option<NaiveDate>,
    pub phone: Phone,
    pub id: Option<IdNumber>,
    pub store_id: i64,
    pub store_code: String,
    pub tier: String,
    pub joined_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub points: i64,
    pub channel: &'static str,
    pub referrer: Option<CardNo>,
    /// Marketing consent as the file gives it; `None` without the column or with a blank cell.
    pub consent: Option<bool>,
}

/// Checks rows one by one, remembering what the file has used so far.
pub(super) struct Checker<'a> {
    pub ctx: &'a Ctx,
    pub index: &'a HashMap<String, usize>,
    pub stores: &'a Stores,
    pub loyalty: &'a Loyalty,
    pub default_store: &'a str,
    pub today: NaiveDate,
    pub seen_phone: HashSet<String>,
    pub seen_id: HashSet<String>,
    pub seen_card: HashSet<String>,
}

/// One row's cells by column name, and the problems found in it.
struct Cells<'a> {
    index: &'a HashMap<String, usize>,
    cells: &'a [String],
    line: usize,
    bad: Vec<BadRow>,
}

impl<'a> Cells<'a> {
    fn get(&self, col: &str) -> &'a str {
        self.index
            .get(col)
            .and_then(|k| self.cells.get(*k))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    fn fail(&mut self, field: &str, reason: &'static str) {
        self.bad.push(BadRow {
            line: self.line,
            field: field.into(),
            reason,
        });
    }

    /// The cell's value through `parse`, or `None` with the problem noted.
    fn parsed<T>(
        &mut self,
        col: &str,
        parse: impl Fn(&str) -> Result<T, &'static str>,
    ) -> Option<T> {
        let v = self.get(col);
        parse(v).map_err(|k| self.fail(col, k)).ok()
    }

    /// As `parsed`, for an optional cell: `None` when it is empty.
    fn optional<T>(
        &mut self,
        col: &str,
        parse: impl Fn(&str) -> Result<T, &'static str>,
    ) -> Option<T> {
        if self.get(col).is_empty() {
            None
        } else {
            self.parsed(col, parse)
        }
    }
}

impl Checker<'_> {
    /// Checks the (not blank) row at `line`; its problems go to `bad`. `None` for a bad row.
    pub fn check(&mut self, line: usize, cells: &[String], bad: &mut Vec<BadRow>) -> Option<Row> {
        let mut c = Cells {
            index: self.index,
            cells,
            line,
            bad: Vec::new(),
        };
        let name = c.get("name").to_string();
        if name.is_empty() {
            c.fail("name", "invalid.required");
        } else if name.chars().count() > 50 {
            c.fail("name", "invalid.too_long");
        }
        let phone = c.parsed("phone", Phone::parse);
        if let Some(p) = &phone
            && !self.seen_phone.insert(p.as_str().to_string())
        {
            c.fail("phone", "import.duplicate_in_file");
        }
        let gender = c.parsed("gender", parse_gender).flatten();
        let birthday = c.parsed("birthday", parse_date).flatten();
        let id = self.id_number(&mut c);
        let store = self.store(&mut c);
        let tier = self.tier(&mut c);
        let joined_on = match parse_date(c.get("joined_on")) {
            Ok(d) => d.unwrap_or(self.today),
            Err(k) => {
                c.fail("joined_on", k);
                self.today
            }
        };
        let expires_on = c.parsed("card_expires_on", parse_date).flatten();
        let points = if c.get("points").is_empty() {
            0
        } else {
            c.get("points")
                .replace(',', "")
                .parse::<i64>()
                .ok()
                .filter(|p| *p >= 0)
                .unwrap_or_else(|| {
                    c.fail("points", "invalid.points");
                    0
                })
        };
        let channel = c.parsed("channel", parse_channel);
        let card_no = c.optional("card_no", CardNo::parse);
        if let Some(no) = &card_no
            && !self.seen_card.insert(no.as_str().to_string())
        {
            c.fail("card_no", "import.duplicate_in_file");
        }
        let referrer = c.optional("referrer_card_no", CardNo::parse);
        let consent = c.optional("marketing_consent", parse_consent);
        let clean = c.bad.is_empty();
        bad.append(&mut c.bad);
        let (true, Some(phone), Some(store), Some(tier), Some(channel)) =
            (clean, phone, store, tier, channel)
        else {
            return None;
        };
        Some(Row {
            line,
            card_no,
            name,
            gender,
            birthday,
            phone,
            id,
            store_id: store.id,
            store_code: store.code.clone(),
            tier,
            joined_on,
            expires_on,
            points,
            channel,
            referrer,
            consent,
        })
    }

    fn id_number(&mut self, c: &mut Cells<'_>) -> Option<IdNumber> {
        let id = if c.get("id_no").is_empty() {
            None
        } else {
            match IdType::parse(c.get("id_type")) {
                Ok(t) => c.parsed("id_no", |s| IdNumber::parse(t, s)),
                Err(k) => {
                    c.fail("id_type", k);
                    None
                }
            }
        };
        if let Some(idn) = &id
            && !self.seen_id.insert(idn.as_str().to_string())
        {
            c.fail("id_no", "import.duplicate_in_file");
        }
        id
    }

    fn store(&self, c: &mut Cells<'_>) -> Option<StoreInfo> {
        let store_code = if c.get("store_code").is_empty() {
            self.default_store
        } else {
            c.get("store_code")
        };
        let store = self.stores.by_code(store_code).cloned();
        match &store {
            None => c.fail("store_code", "invalid.store_code"),
            Some(st) if !self.ctx.can_at(Permission::ManageMembers, st.id) => {
                c.fail("store_code", "import.not_your_store")
            }
            Some(_) => {}
        }
        store
    }

    fn tier(&self, c: &mut Cells<'_>) -> Option<String> {
        let tier_text = c.get("tier");
        let tier = if tier_text.is_empty() {
            self.loyalty.lowest().map(|t| t.code.clone())
        } else {
            self.loyalty
                .tiers
                .iter()
                .find(|t| {
                    t.code == tier_text
                        || t.name_zh == tier_text
                        || t.name_en.eq_ignore_ascii_case(tier_text)
                })
                .map(|t| t.code.clone())
        };
        if tier.is_none() {
            c.fail("tier", "import.unknown_tier");
        }
        tier
    }
}

/// A consent cell: yes or no in either language.
fn parse_consent(s: &str) -> Result<bool, &'static str> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" | "同意" => Ok(true),
        "no" | "n" | "false" | "0" | "否" | "不同意" => Ok(false),
        _ => Err("import.bad_consent"),
    }
}

/// The lookup hashes of the good rows' phones and ID numbers, in row order.
pub(super) fn hashes(pii: &Pii, good: &[Row]) -> (Vec<String>, Vec<Option<String>>) {
    let phones = good
        .iter()
        .map(|r| pii.lookup("phone", r.phone.as_str()))
        .collect();
    let ids = good
        .iter()
        .map(|r| r.id.as_ref().map(|i| pii.lookup("id", i.as_str())))
        .collect();
    (phones, ids)
}

/// Against the database: phones, ID numbers and card numbers already taken, referrers known.
pub(super) async fn against_members(
    ctx: &Ctx,
    good: &[Row],
    phone_hashes: &[String],
    id_hashes: &[Option<String>],
    bad: &mut Vec<BadRow>,
) -> Result<(), MembersError> {
    let taken_phones = store::taken_phone_hashes(ctx.db()).await?;
    let taken_ids = store::taken_id_hashes(ctx.db()).await?;
    let taken_cards = store::taken_card_nos(ctx.db()).await?;
    let file_cards: HashSet<String> = good
        .iter()
        .filter_map(|r| r.card_no.as_ref().map(|c| c.as_str().to_string()))
        .collect();
    for (k, r) in good.iter().enumerate() {
        let mut fail = |field: &str, reason: &'static str| {
            bad.push(BadRow {
                line: r.line,
                field: field.into(),
                reason,
            })
        };
        if taken_phones.contains(&phone_hashes[k]) {
            fail("phone", "import.already_member");
        }
        if let Some(h) = &id_hashes[k]
            && taken_ids.contains(h)
        {
            fail("id_no", "import.already_member");
        }
        if let Some(c) = &r.card_no
            && taken_cards.contains(c.as_str())
        {
            fail("card_no", "invalid.duplicate");
        }
        if let Some(rc) = &r.referrer
            && !taken_cards.contains(rc.as_str())
            && !file_cards.contains(rc.as_str())
        {
            fail("referrer_card_no", "invalid.no_such_card");
        }
    }
    Ok(())
}
