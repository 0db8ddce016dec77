//! The member import (SPEC N3): a CSV or xlsx file from an older system, header row with the
//! columns below in any order (`name` and `phone` required). Every row is checked first and
//! every bad row reported with its line and reason; only a clean file is written, staged and
//! then published in short writes (`write`), so nothing is ever half-imported.

mod check;
mod read;
mod write;

pub use check::BadRow;
pub use read::read_file;
pub use write::finish_unfinished;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use patron_core::Permission;
use serde::Serialize;

use super::MembersError;
use crate::jobs::Progress;
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use check::{Checker, Row};
use write::{Plan, Written};

pub const COLUMNS: [&str; 15] = [
    "card_no",
    "name",
    "gender",
    "birthday",
    "phone",
    "id_type",
    "id_no",
    "store_code",
    "tier",
    "joined_on",
    "card_expires_on",
    "points",
    "channel",
    "referrer_card_no",
    "marketing_consent",
];

/// The Chinese column names staff use, one per column above, in the same order (the template
/// file offers these).
pub const COLUMNS_ZH: [&str; 15] = [
    "卡号",
    "姓名",
    "性别",
    "生日",
    "手机",
    "证件类型",
    "证件号码",
    "门店",
    "等级",
    "入会日期",
    "卡有效期",
    "积分",
    "招募渠道",
    "推荐人卡号",
    "同意接收营销信息",
];

/// Other Chinese names seen in older files for the same columns.
const ALIASES: [(&str, &str); 9] = [
    ("手机号", "phone"),
    ("手机号码", "phone"),
    ("出生日期", "birthday"),
    ("会员等级", "tier"),
    ("积分余额", "points"),
    ("会员卡号", "card_no"),
    ("身份证号", "id_no"),
    ("渠道", "channel"),
    ("营销同意", "marketing_consent"),
];

/// The canonical column a header cell names, in English or Chinese.
fn canonical(header: &str) -> String {
    let h = header.trim().trim_start_matches('\u{feff}').trim();
    if let Some(k) = COLUMNS_ZH.iter().position(|z| *z == h) {
        return COLUMNS[k].to_string();
    }
    if let Some((_, c)) = ALIASES.iter().find(|(z, _)| *z == h) {
        return (*c).to_string();
    }
    h.to_ascii_lowercase()
}

/// The template file: the header row in Chinese and one example row (CSV with a byte-order mark
/// so spreadsheet programs open it as UTF-8).
pub fn template_csv() -> String {
    format!(
        "\u{feff}{}\r\n,张三,女,1990-05-01,13800001234,身份证,,HQ,普通会员,,,0,服务台,,否\r\n",
        COLUMNS_ZH.join(",")
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    pub bad: Vec<BadRow>,
    /// Imported members sent a temporary portal password (the import's option).
    pub portal_passwords: usize,
}

/// What an import does besides writing the members.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Send every imported member a temporary portal password by SMS, as the desk's
    /// 发放门户密码 does (changed at first login).
    pub portal_passwords: bool,
}

/// Checks and (when every row is good) imports. `default_store` is used where a row names none.
pub async fn import(
    ctx: &Ctx,
    default_store: &str,
    header: &[String],
    rows: &[Vec<String>],
    progress: Option<Progress>,
) -> Result<ImportReport, MembersError> {
    import_with(
        ctx,
        default_store,
        header,
        rows,
        progress,
        ImportOptions::default(),
    )
    .await
}

/// As `import`, with `options`.
pub async fn import_with(
    ctx: &Ctx,
    default_store: &str,
    header: &[String],
    rows: &[Vec<String>],
    progress: Option<Progress>,
    options: ImportOptions,
) -> Result<ImportReport, MembersError> {
    ctx.require(Permission::ManageMembers)?;
    let refused = |bad| ImportReport {
        rows: rows.len(),
        imported: 0,
        bad,
        portal_passwords: 0,
    };
    let index = header_index(header);
    let mut bad = header_problems(&index);
    if !bad.is_empty() {
        return Ok(refused(bad));
    }
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let today = business_date(ctx.now(), ctx.app.config.tz());
    let mut checker = Checker {
        ctx,
        index: &index,
        stores: &stores,
        loyalty: &loyalty,
        default_store,
        today,
        seen_phone: HashSet::new(),
        seen_id: HashSet::new(),
        seen_card: HashSet::new(),
    };
    let mut good: Vec<Row> = Vec::with_capacity(rows.len());
    for (i, cells) in rows.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        good.extend(checker.check(i + 2, cells, &mut bad));
        if let Some(p) = &progress
            && i % 10_000 == 0
        {
            p(i as u64, rows.len() as u64);
        }
    }
    let pii = ctx.app.pii.clone();
    let (phone_hashes, id_hashes) = check::hashes(&pii, &good);
    check::against_members(ctx, &good, &phone_hashes, &id_hashes, &mut bad).await?;
    bad.sort_by(|a, b| a.line.cmp(&b.line).then(a.field.cmp(&b.field)));
    if !bad.is_empty() {
        return Ok(refused(bad));
    }
    // Everything is good: encrypt, then write it (staged, then published, in short writes).
    let prepared = write::prepare(&pii, &good, phone_hashes, id_hashes);
    let plan = Plan {
        card_months: loyalty.settings.card_valid_months.max(1) as u32,
        points_months: loyalty.settings.points_valid_months.max(1) as u32,
        today,
    };
    let n = prepared.len();
    let import_id = match commit(ctx, prepared, plan, progress).await? {
        Written::Done(id) => id,
        Written::Refused(bad) => return Ok(refused(bad)),
    };
    let portal_passwords = if options.portal_passwords {
        // The members it wrote, with their card numbers (read only when they are wanted).
        let written = crate::areas::members::store::import::written(ctx.db(), import_id).await?;
        issue_passwords(ctx, &written).await?
    } else {
        0
    };
    Ok(ImportReport {
        rows: rows.len(),
        imported: n,
        bad: Vec::new(),
        portal_passwords,
    })
}

/// Members whose passwords are hashed and written together.
const PASSWORD_CHUNK: usize = 64;

/// Sends each imported member a temporary portal password (B5), a chunk per write: hashed
/// before the write (slow on purpose), each member's SMS queued with their password, one audit
/// entry per chunk naming the members.
async fn issue_passwords(ctx: &Ctx, members: &[(i64, String)]) -> Result<usize, MembersError> {
    use super::portal_password::{Issued, issue_in};
    let mut n = 0;
    for chunk in members.chunks(PASSWORD_CHUNK) {
        let issued =
            futures::future::try_join_all(chunk.iter().map(|(id, card)| Issued::new(*id, card)))
                .await?;
        let issued = Arc::new(issued);
        let c = ctx.clone();
        ctx.db()
            .write(move |tx| {
                let (c, issued) = (c.clone(), issued.clone());
                Box::pin(async move {
                    for i in issued.iter() {
                        issue_in(tx, i, c.now()).await?;
                    }
                    let ids: Vec<i64> = issued.iter().map(|i| i.member_id).collect();
                    tx.audit(
                        c.audit("member.portal_password", "member", "import")
                            .after(&serde_json::json!({ "members": ids })),
                    );
                    Ok::<_, MembersError>(())
                })
            })
            .await?;
        n += chunk.len();
    }
    Ok(n)
}

/// Column name (trimmed, lower case, without a byte-order mark) → its position.
fn header_index(header: &[String]) -> HashMap<String, usize> {
    header
        .iter()
        .enumerate()
        .map(|(i, h)| (canonical(h), i))
        .collect()
}

/// Unknown columns and missing required ones (all on line 1).
fn header_problems(index: &HashMap<String, usize>) -> Vec<BadRow> {
    let mut bad = Vec::new();
    for h in index.keys() {
        if !COLUMNS.contains(&h.as_str()) {
            bad.push(BadRow {
                line: 1,
                field: h.clone(),
                reason: "import.unknown_column",
            });
        }
    }
    for required in ["name", "phone"] {
        if !index.contains_key(required) {
            bad.push(BadRow {
                line: 1,
                field: required.into(),
                reason: "import.missing_column",
            });
        }
    }
    bad
}

/// The write, with the progress reported every 200 ms while it runs (rows staged, then rows
/// published: twice the rows in all).
async fn commit(
    ctx: &Ctx,
    prepared: Vec<write::Prepared>,
    plan: Plan,
    progress: Option<Progress>,
) -> Result<Written, MembersError> {
    let steps = 2 * prepared.len() as u64;
    let done = Arc::new(AtomicU64::new(0));
    let ticker = progress.map(|p| {
        let done = done.clone();
        tokio::spawn(async move {
            loop {
                p(done.load(Ordering::Relaxed), steps);
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    });
    let result = write::write_all(ctx, prepared, &plan, done).await;
    if let Some(t) = ticker {
        t.abort();
    }
    result
}
