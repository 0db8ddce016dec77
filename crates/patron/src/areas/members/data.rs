//! One member's data as a file the member can read (B11): who they are, their cards, their
//! points with every ledger entry, and their receipts — labelled in the reader's language, with
//! amounts in yuan and times in the store's time zone. `member_data` gathers it (phone and ID
//! number masked); the desk fills in the full ones through the audited `reveal` before handing
//! the file over (`/members/{id}/data.txt`); the member portal can give a member their own.

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::money::Fen;
use serde::Serialize;

use super::{MembersError, store};
use crate::areas::points::settings::Loyalty;
use crate::kernel::cache::Cached;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::Db;
use crate::web::i18n::Lang;

/// A card of the member.
#[derive(Debug, Clone, Serialize)]
pub struct CardLine {
    pub card_no: String,
    pub state: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
}

/// A points ledger entry.
#[derive(Debug, Clone, Serialize)]
pub struct EntryLine {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub points: i64,
    pub balance_after: i64,
    pub source: String,
}

/// A receipt accrued to the member.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptLine {
    pub receipt_no: String,
    pub occurred_at: DateTime<Utc>,
    pub total_fen: i64,
    pub points: i64,
}

/// Everything Patron holds about one member that is theirs to see.
#[derive(Debug, Clone, Serialize)]
pub struct MemberData {
    pub member_id: i64,
    pub name: String,
    pub gender: Option<String>,
    pub birthday: Option<NaiveDate>,
    /// Masked unless filled in full by `with_personal`.
    pub phone: String,
    pub id_type: Option<String>,
    /// Masked unless filled in full by `with_personal`.
    pub id_no: String,
    pub email: String,
    pub address: String,
    pub occupation: String,
    pub channel: String,
    pub joined_on: NaiveDate,
    pub tier_code: String,
    /// The tier's names (zh-CN, en).
    pub tier_names: (String, String),
    pub points_balance: i64,
    pub status: String,
    pub marketing_consent: bool,
    pub cards: Vec<CardLine>,
    pub entries: Vec<EntryLine>,
    pub receipts: Vec<ReceiptLine>,
    /// When it was gathered.
    pub made_at: DateTime<Utc>,
}

/// Gathers one member's data (personal numbers masked). `None` for an unknown member.
pub async fn member_data(
    db: &Db,
    member_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<MemberData>, MembersError> {
    let Some(m) = store::get_member(db, member_id).await? else {
        return Ok(None);
    };
    let loyalty = Loyalty::load(db).await?;
    let tier_names = loyalty
        .tier(&m.tier_code)
        .map(|t| (t.name_zh.clone(), t.name_en.clone()))
        .unwrap_or_else(|| (m.tier_code.clone(), m.tier_code.clone()));
    let cards = store::cards_of(db, member_id)
        .await?
        .into_iter()
        .map(|(card_no, state, issued_on, expires_on)| CardLine {
            card_no,
            state,
            issued_on,
            expires_on,
        })
        .collect();
    let entries = store::entries(db, member_id, i64::MAX / 4, 0)
        .await?
        .into_iter()
        .map(|e| EntryLine {
            at: e.at,
            kind: e.kind,
            points: e.points,
            balance_after: e.balance_after,
            source: e.source_ref.unwrap_or_default(),
        })
        .collect();
    let receipts = store::receipts_of(db, member_id)
        .await?
        .into_iter()
        .map(|(receipt_no, occurred_at, total_fen, points)| ReceiptLine {
            receipt_no,
            occurred_at,
            total_fen,
            points,
        })
        .collect();
    Ok(Some(MemberData {
        member_id,
        name: m.name,
        gender: m.gender,
        birthday: m.birthday,
        phone: m.phone_masked.unwrap_or_default(),
        id_type: m.id_type,
        id_no: m.id_masked.unwrap_or_default(),
        email: m.email.unwrap_or_default(),
        address: m.address,
        occupation: m.occupation,
        channel: m.channel,
        joined_on: m.joined_on,
        tier_code: m.tier_code,
        tier_names,
        points_balance: m.points_balance,
        status: m.status,
        marketing_consent: m.marketing_consent,
        cards,
        entries,
        receipts,
        made_at: now,
    }))
}

/// The desk's copy for the member (B11): their data with the phone and ID number in full.
/// Needs the right to see personal data; the full view is audited (`member.reveal`).
pub async fn for_member(ctx: &Ctx, member_id: i64) -> Result<MemberData, MembersError> {
    let (phone, id_no) = super::reveal(ctx, member_id).await?;
    let mut data = member_data(ctx.db(), member_id, ctx.now())
        .await?
        .ok_or(MembersError::NotFound)?;
    if let Some(p) = phone {
        data.phone = p;
    }
    if let Some(i) = id_no {
        data.id_no = i;
    }
    Ok(data)
}

impl MemberData {
    /// The data as plain text a person reads: labelled sections in `lang`, times in `tz`.
    pub fn render(&self, lang: Lang, tz: chrono_tz::Tz) -> String {
        let t = |k: &str| lang.t(k);
        let or = |key: String, code: &str| {
            if Lang::has(&key) {
                lang.t(&key).to_string()
            } else {
                code.to_string()
            }
        };
        let time = |at: &DateTime<Utc>| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
        let mut out = String::new();
        let mut line = |label: &str, value: &str| {
            out.push_str(label);
            out.push_str(if lang == Lang::En { ": " } else { "：" });
            out.push_str(value);
            out.push('\n');
        };
        line(t("member.data.title"), &self.name);
        line(t("member.data.made_at"), &time(&self.made_at));
        line(t("member.data.name"), &self.name);
        let gender = match self.gender.as_deref() {
            Some("F") | Some("female") => t("member.female").to_string(),
            Some("M") | Some("male") => t("member.male").to_string(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        line(t("member.gender"), &gender);
        line(
            t("member.data.birthday"),
            &self.birthday.map(|d| d.to_string()).unwrap_or_default(),
        );
        line(t("member.data.phone"), &self.phone);
        if let Some(k) = &self.id_type {
            line(
                t("member.data.id"),
                &format!("{} {}", or(format!("id_type.{k}"), k), self.id_no),
            );
        }
        line(t("member.data.email"), &self.email);
        line(t("member.data.address"), &self.address);
        line(t("member.data.occupation"), &self.occupation);
        line(
            t("member.data.channel"),
            &or(format!("channel.{}", self.channel), &self.channel),
        );
        line(t("member.data.joined_on"), &self.joined_on.to_string());
        let tier = if lang == Lang::En {
            &self.tier_names.1
        } else {
            &self.tier_names.0
        };
        line(t("member.data.tier"), tier);
        line(
            t("member.data.balance"),
            &patron_core::money::grouped(self.points_balance),
        );
        line(
            t("member.marketing_consent"),
            t(if self.marketing_consent {
                "member.consent_yes"
            } else {
                "member.consent_no"
            }),
        );
        out.push('\n');
        out.push_str(&format!("== {} ==\n", t("member.data.cards")));
        for c in &self.cards {
            out.push_str(&format!(
                "{}  {}  {} → {}\n",
                c.card_no,
                or(format!("card.state.{}", c.state), &c.state),
                c.issued_on,
                c.expires_on
            ));
        }
        out.push_str(&format!("\n== {} ==\n", t("member.data.entries")));
        for e in &self.entries {
            let kind = or(format!("points.kind.{}", e.kind), &e.kind);
            out.push_str(&format!(
                "{}  {}  {}{}  {} {}  {}\n",
                time(&e.at),
                kind,
                if e.points > 0 { "+" } else { "" },
                patron_core::money::grouped(e.points),
                t("member.data.balance_after"),
                patron_core::money::grouped(e.balance_after),
                e.source
            ));
        }
        out.push_str(&format!("\n== {} ==\n", t("member.data.receipts")));
        for r in &self.receipts {
            out.push_str(&format!(
                "{}  {}  ¥{}  {} {}\n",
                time(&r.occurred_at),
                r.receipt_no,
                Fen(r.total_fen).plain(),
                patron_core::money::grouped(r.points),
                t("member.data.points"),
            ));
        }
        out
    }
}

/// The catalog rows of the data file.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "member.data.title",
        "会员个人信息副本",
        "Copy of the member's data",
    ),
    ("member.data.made_at", "生成时间", "Made at"),
    ("member.data.name", "姓名", "Name"),
    ("member.data.birthday", "生日", "Birthday"),
    ("member.data.phone", "手机", "Mobile phone"),
    ("member.data.id", "证件", "ID"),
    ("member.data.email", "电子邮箱", "E-mail"),
    ("member.data.address", "地址", "Address"),
    ("member.data.occupation", "职业", "Occupation"),
    ("member.data.channel", "入会渠道", "Joined through"),
    ("member.data.joined_on", "入会日期", "Joined on"),
    ("member.data.tier", "会员等级", "Tier"),
    ("member.data.balance", "积分余额", "Points balance"),
    ("member.data.cards", "会员卡", "Cards"),
    ("member.data.entries", "积分明细", "Points history"),
    ("member.data.balance_after", "余额", "balance"),
    ("member.data.receipts", "消费小票", "Receipts"),
    ("member.data.points", "积分", "points"),
    (
        "member.data.download",
        "下载个人信息副本",
        "Download the member's data",
    ),
];
