//! The organisation-customer import (SPEC N3, F1): customers from an older system in CSV or
//! xlsx with a header row (English or Chinese column names, any order), one customer per row
//! with its first contact. Each row passes the record rules of `record.rs` (name, kind, grade,
//! credit code by its check character, contact phone); the same organisation twice — in the
//! file or already on file (the folded name or the credit code) — is refused naming the line;
//! the owner is given by user name (someone who may hold customers) or left empty for the
//! shared pool. Every row is checked first and every bad row reported with its line and reason
//! (the member import's reader and row report); only a clean file is written, in one
//! transaction, so nothing is ever half-imported.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use patron_core::Permission;
use serde::Serialize;
use serde_json::json;

use super::record::{ContactIn, CustomerIn, check};
use super::store::{self, NewContact, NewCustomer};
use crate::areas::customers::{CustomersError, GRADES, KINDS};
use crate::areas::members::import::BadRow;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::web::i18n::Lang;

pub use crate::areas::members::import::read_file;

pub const COLUMNS: [&str; 12] = [
    "name",
    "kind",
    "grade",
    "credit_code",
    "address",
    "credit_note",
    "notes",
    "store_code",
    "owner",
    "contact_name",
    "contact_title",
    "contact_phone",
];

/// The Chinese column names, one per column above (the template offers these).
pub const COLUMNS_ZH: [&str; 12] = [
    "客户名称",
    "类型",
    "等级",
    "统一社会信用代码",
    "地址",
    "信用备注",
    "备注",
    "门店",
    "负责人",
    "联系人",
    "职务",
    "联系电话",
];

const ALIASES: [(&str, &str); 8] = [
    ("单位名称", "name"),
    ("客户类型", "kind"),
    ("客户等级", "grade"),
    ("信用代码", "credit_code"),
    ("业务员", "owner"),
    ("负责人用户名", "owner"),
    ("电话", "contact_phone"),
    ("手机", "contact_phone"),
];

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

/// The template file: the Chinese header row and one example row.
pub fn template_csv() -> String {
    format!(
        "\u{feff}{}\r\n华东电力有限公司,企业,A,,上海市浦东新区,,,HQ,,王主任,办公室主任,13800138000\r\n",
        COLUMNS_ZH.join(",")
    )
}

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CustomerImportReport {
    pub rows: usize,
    pub imported: usize,
    pub bad: Vec<BadRow>,
}

/// A checked row ready to insert.
struct Ready {
    line: usize,
    input: CustomerIn,
    store_id: i64,
    owner: Option<i64>,
}

/// A kind as its code or its Chinese or English label (企业, 行政机关, …).
fn kind_code(s: &str) -> String {
    let t = match s.trim() {
        "企业" | "事业单位" => "enterprise",
        "政府" | "机关" => "government",
        other => other,
    };
    KINDS
        .iter()
        .find(|k| {
            let key = format!("customers.kind.{k}");
            k.eq_ignore_ascii_case(t)
                || Lang::ZhCn.t(&key) == t
                || Lang::En.t(&key).eq_ignore_ascii_case(t)
        })
        .map_or_else(|| t.to_string(), |k| (*k).to_string())
}

/// A grade as `A`, `a`, `A类`, `A 类`.
fn grade_code(s: &str) -> String {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && !"类级".contains(*c))
        .collect();
    GRADES
        .iter()
        .find(|g| g.eq_ignore_ascii_case(&t))
        .map_or(t, |g| (*g).to_string())
}

/// Checks and (when every row is good) imports. `default_store` is used where a row names none.
pub async fn import(
    ctx: &Ctx,
    default_store: &str,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<CustomerImportReport, CustomersError> {
    ctx.require(Permission::AssignCustomers)?;
    let mut report = CustomerImportReport {
        rows: rows
            .iter()
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .count(),
        ..Default::default()
    };
    let index: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (canonical(h), i))
        .collect();
    for h in index.keys() {
        if !COLUMNS.contains(&h.as_str()) {
            report.bad.push(bad(1, h, "import.unknown_column"));
        }
    }
    for required in ["name", "kind", "grade"] {
        if !index.contains_key(required) {
            report.bad.push(bad(1, required, "import.missing_column"));
        }
    }
    if !report.bad.is_empty() {
        return Ok(report);
    }
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let owners = super::owners::holders(ctx, Permission::ManageCustomers).await?;
    let (mut seen_name, mut seen_code) = (HashSet::new(), HashSet::new());
    let mut ready = Vec::new();
    for (i, cells) in rows.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = i + 2;
        let get = |col: &str| {
            index
                .get(col)
                .and_then(|k| cells.get(*k))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let input = CustomerIn {
            name: get("name"),
            kind: kind_code(&get("kind")),
            grade: grade_code(&get("grade")),
            credit_code: get("credit_code"),
            address: get("address"),
            credit_note: get("credit_note"),
            notes: get("notes"),
            store_code: get("store_code"),
            contacts: vec![ContactIn {
                name: get("contact_name"),
                title: get("contact_title"),
                phone: get("contact_phone"),
            }],
        };
        let before = report.bad.len();
        let checked = match check(&input) {
            Ok(k) => Some(k),
            Err(inv) => {
                for f in inv.0 {
                    let field = match f.field.as_str() {
                        "contacts[0].name" => "contact_name".to_string(),
                        "contacts[0].title" => "contact_title".to_string(),
                        "contacts[0].phone" => "contact_phone".to_string(),
                        other => other.to_string(),
                    };
                    report.bad.push(bad(line, &field, f.key));
                }
                None
            }
        };
        let code = if input.store_code.is_empty() {
            default_store
        } else {
            input.store_code.as_str()
        };
        let store_id = match stores.by_code(code).filter(|s| s.active) {
            None => {
                report
                    .bad
                    .push(bad(line, "store_code", "invalid.store_code"));
                0
            }
            Some(s) if !ctx.can_at(Permission::ManageCustomers, s.id) => {
                report
                    .bad
                    .push(bad(line, "store_code", "import.not_your_store"));
                0
            }
            Some(s) => s.id,
        };
        let owner_name = get("owner");
        let owner = if owner_name.is_empty() {
            None
        } else {
            match owners.get(owner_name.as_str()) {
                Some((id, _)) => Some(*id),
                None => {
                    report
                        .bad
                        .push(bad(line, "owner", "customers.invalid.owner"));
                    None
                }
            }
        };
        if let Some(k) = &checked {
            if !seen_name.insert(k.name_key.clone()) {
                report
                    .bad
                    .push(bad(line, "name", "import.duplicate_in_file"));
            }
            if let Some(cc) = &k.credit_code
                && !seen_code.insert(cc.clone())
            {
                report
                    .bad
                    .push(bad(line, "credit_code", "import.duplicate_in_file"));
            }
            if let Some(found) =
                store::find_duplicate(ctx.db(), &k.name_key, k.credit_code.as_deref()).await?
            {
                report
                    .bad
                    .push(bad(line, found.field, "import.customer_exists"));
            }
        }
        if report.bad.len() == before {
            ready.push(Ready {
                line,
                input,
                store_id,
                owner,
            });
        }
    }
    report
        .bad
        .sort_by(|a, b| a.line.cmp(&b.line).then(a.field.cmp(&b.field)));
    if !report.bad.is_empty() || ready.is_empty() {
        return Ok(report);
    }
    report.imported = write(ctx, ready).await?;
    Ok(report)
}

fn bad(line: usize, field: &str, reason: &'static str) -> BadRow {
    BadRow {
        line,
        field: field.into(),
        reason,
    }
}

/// One contact's phone encrypted and hashed, and its masked form.
type Secret = Option<(String, String, String)>;

/// Writes every checked row in one transaction.
async fn write(ctx: &Ctx, ready: Vec<Ready>) -> Result<usize, CustomersError> {
    let mut prepared = Vec::with_capacity(ready.len());
    for r in ready {
        let k = check(&r.input)?;
        let contact = k.contacts.first().map(|c| {
            let secret: Secret = c.phone.as_ref().map(|(n, m)| {
                (
                    ctx.app.pii.encrypt(n),
                    ctx.app.pii.lookup("phone", n),
                    m.clone(),
                )
            });
            (c.name.clone(), c.title.clone(), secret)
        });
        prepared.push((r.line, r.store_id, r.owner, k, contact));
    }
    let n = prepared.len();
    let shared = Arc::new(prepared);
    let by = ctx.actor.staff().map(|s| s.id);
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, shared) = (c.clone(), shared.clone());
            Box::pin(async move {
                let now = ts(c.now());
                for (_, store_id, owner, k, contact) in shared.iter() {
                    let id = store::insert_customer(
                        tx,
                        &NewCustomer {
                            name: &k.name,
                            name_key: &k.name_key,
                            credit_code: k.credit_code.as_deref(),
                            kind: k.kind,
                            grade: k.grade,
                            address: &k.address,
                            credit_note: &k.credit_note,
                            notes: &k.notes,
                            store_id: *store_id,
                            owner_staff_id: *owner,
                            created_by: by,
                            at: now,
                        },
                    )
                    .await?;
                    if let Some((name, title, secret)) = contact {
                        store::insert_contact(
                            tx,
                            &NewContact {
                                customer_id: id,
                                name,
                                title,
                                phone_enc: secret.as_ref().map(|s| s.0.as_str()),
                                phone_masked: secret.as_ref().map_or("", |s| s.2.as_str()),
                                phone_hash: secret.as_ref().map(|s| s.1.as_str()),
                                is_primary: true,
                                created_by: by,
                                at: now,
                            },
                        )
                        .await?;
                    }
                    if owner.is_some() {
                        store::insert_owner_change(
                            tx,
                            &store::OwnerChange {
                                customer_id: id,
                                from_staff_id: None,
                                to_staff_id: *owner,
                                reason: "recorded",
                                note: "",
                                by_staff_id: by,
                                at: now,
                            },
                        )
                        .await?;
                    }
                }
                tx.audit(
                    c.audit("customers.import", "customer", "import")
                        .after(&json!({ "rows": shared.len() })),
                );
                Ok::<_, CustomersError>(())
            })
        })
        .await?;
    Ok(n)
}

/// The catalog rows of the customer import.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("customers.import", "导入大宗客户", "Customers imported"),
    (
        "import.customer_exists",
        "该单位已在客户档案中（名称或信用代码相同）",
        "This organisation is on file already (same name or credit code)",
    ),
    // the console page (/customers/import)
    ("customers.import.title", "导入大宗客户", "Import customers"),
    (
        "customers.import.hint",
        "每行一个单位及其第一位联系人；类型、等级可填中文（企业、A类）；负责人填系统用户名，留空则放入公共客户池。",
        "One organisation per row with its first contact; kind and grade as codes or words (enterprise, A); the owner is a user name, empty for the shared pool.",
    ),
    (
        "customers.import.template",
        "下载客户导入模板",
        "Download the customer import template",
    ),
    ("customers.import.done", "已导入客户", "Customers imported"),
];
