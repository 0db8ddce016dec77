//! Paper: what every print template uses to write money, dates and times the way the
//! department's paper forms do (`¥1,234.50`, 大写金额, `2026年11月22日`, times in the store's zone).
//! A form about one store takes a `StorePaper`, which is a `Paper` with the store.

use std::ops::Deref;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use patron_core::Fen;

use crate::kernel::lang::Lang;
use crate::kernel::stores::StoreInfo;

/// The helpers of a print template.
pub struct Paper {
    pub tz: Tz,
    pub lang: Lang,
}

impl Paper {
    /// A label in the paper's language.
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn yuan(&self, fen: &i64) -> String {
        Fen(*fen).to_string()
    }

    /// The amount in capitals (大写), as cheques and receipts write it.
    pub fn capitals(&self, fen: &i64) -> String {
        Fen(*fen).in_capitals()
    }

    /// Face value × quantity.
    pub fn total(&self, face: &i64, quantity: &i64) -> String {
        Fen(face * quantity).to_string()
    }

    pub fn time(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    pub fn time_opt(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref().map(|t| self.time(t)).unwrap_or_default()
    }

    pub fn date(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz).format("%Y年%m月%d日").to_string()
    }

    pub fn date_opt(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref().map(|t| self.date(t)).unwrap_or_default()
    }

    pub fn day(&self, d: &NaiveDate) -> String {
        d.format("%Y年%m月%d日").to_string()
    }
}

/// The paper of a form about one store (its name heads the form, its zone dates it). The
/// department's paper forms are Chinese.
pub struct StorePaper {
    pub paper: Paper,
    pub store: StoreInfo,
}

impl StorePaper {
    pub fn at(store: StoreInfo) -> StorePaper {
        StorePaper {
            paper: Paper {
                tz: store.tz,
                lang: Lang::ZhCn,
            },
            store,
        }
    }
}

impl Deref for StorePaper {
    type Target = Paper;

    fn deref(&self) -> &Paper {
        &self.paper
    }
}
