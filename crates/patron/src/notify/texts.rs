//! Editing the message texts (L1): both languages of one event are saved together, checked
//! first — a text naming a placeholder its event does not have, or with a stray brace, is
//! refused and nothing is saved. Saving the built-in text again, or restoring it, removes the
//! edit. Every change is audited with the text before and after.

use patron_core::Permission;
use serde_json::json;

use super::store::{self, TemplateRow};
use super::templates::{self, Edited, Event};
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::{Invalid, required_text};
use crate::web::error::AppError;
use crate::web::i18n::Lang;
use crate::web::said::Said;

const SUBJECT_MAX: usize = 100;
const BODY_MAX: usize = 500;

/// The texts of one event as a form sends them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TextsInput {
    #[serde(default)]
    pub zh_subject: String,
    #[serde(default)]
    pub zh_body: String,
    #[serde(default)]
    pub en_subject: String,
    #[serde(default)]
    pub en_body: String,
}

impl TextsInput {
    /// The texts in use for `event` now (edited or built-in).
    pub fn current(edited: &Edited, event: &Event) -> TextsInput {
        let zh = edited.text(event.kind, Lang::ZhCn).unwrap_or_default();
        let en = edited.text(event.kind, Lang::En).unwrap_or_default();
        TextsInput {
            zh_subject: zh.0,
            zh_body: zh.1,
            en_subject: en.0,
            en_body: en.1,
        }
    }

    fn fields(&self) -> [(&'static str, &str, usize); 4] {
        [
            ("zh_subject", &self.zh_subject, SUBJECT_MAX),
            ("zh_body", &self.zh_body, BODY_MAX),
            ("en_subject", &self.en_subject, SUBJECT_MAX),
            ("en_body", &self.en_body, BODY_MAX),
        ]
    }
}

/// The event of `kind`, or not found.
pub fn event_of(kind: &str) -> Result<&'static Event, AppError> {
    templates::event(kind).ok_or_else(AppError::not_found)
}

/// Checks the four texts: each present, not too long, only the event's placeholders. The first
/// bad placeholder is said with the ones allowed.
pub fn check(event: &Event, input: &TextsInput) -> Result<[String; 4], AppError> {
    let mut bad = Invalid::new();
    let mut note: Option<Said> = None;
    let mut out: [String; 4] = Default::default();
    for (i, (field, text, max)) in input.fields().into_iter().enumerate() {
        let Some(t) = bad.check(field, required_text(text, max)) else {
            continue;
        };
        if let Err(said) = templates::check(event, &t) {
            bad.add(field, "notify.template.bad");
            note.get_or_insert(said);
        }
        out[i] = t;
    }
    if bad.is_empty() {
        return Ok(out);
    }
    let err = AppError::from(bad);
    Err(match note {
        Some(said) => err.note(said),
        None => err,
    })
}

/// Saves the texts of one event (both languages in one write, audited).
pub async fn save(ctx: &Ctx, kind: &str, input: &TextsInput) -> Result<(), AppError> {
    ctx.require(Permission::ManageNotifications)?;
    let event = event_of(kind)?;
    let [zh_subject, zh_body, en_subject, en_body] = check(event, input)?;
    let rows = [
        (Lang::ZhCn, zh_subject, zh_body),
        (Lang::En, en_subject, en_body),
    ]
    .map(|(lang, subject, body)| {
        let built = event.builtin(lang);
        let is_builtin = subject == built.subject && body == built.body;
        (
            TemplateRow {
                event: event.kind.to_string(),
                lang: lang.code().to_string(),
                subject,
                body,
            },
            is_builtin,
        )
    });
    write(ctx, event, rows.to_vec()).await
}

/// Restores the built-in texts of one event (audited).
pub async fn restore(ctx: &Ctx, kind: &str) -> Result<(), AppError> {
    ctx.require(Permission::ManageNotifications)?;
    let event = event_of(kind)?;
    let rows = [Lang::ZhCn, Lang::En]
        .map(|lang| {
            let t = event.builtin(lang);
            (
                TemplateRow {
                    event: event.kind.to_string(),
                    lang: lang.code().to_string(),
                    subject: t.subject.to_string(),
                    body: t.body.to_string(),
                },
                true,
            )
        })
        .to_vec();
    write(ctx, event, rows).await
}

/// Writes each language's text (a built-in one as no row), with one audit entry.
async fn write(ctx: &Ctx, event: &Event, rows: Vec<(TemplateRow, bool)>) -> Result<(), AppError> {
    let (c, kind) = (ctx.clone(), event.kind);
    let who = ctx.actor.audit_id();
    let now = ctx.now();
    ctx.db()
        .write(move |tx| {
            let (c, rows) = (c.clone(), rows.clone());
            Box::pin(async move {
                let mut before = serde_json::Map::new();
                let mut after = serde_json::Map::new();
                for (row, is_builtin) in &rows {
                    let old = store::template_in(tx, &row.event, &row.lang).await?;
                    before.insert(
                        row.lang.clone(),
                        old.map_or(
                            json!("built-in"),
                            |o| json!({"subject": o.subject, "body": o.body}),
                        ),
                    );
                    if *is_builtin {
                        store::delete_template(tx, &row.event, &row.lang).await?;
                        after.insert(row.lang.clone(), json!("built-in"));
                    } else {
                        store::save_template(tx, row, who, now).await?;
                        after.insert(
                            row.lang.clone(),
                            json!({"subject": row.subject, "body": row.body}),
                        );
                    }
                }
                tx.audit(
                    c.audit("notify.audit.template", "message_template", kind)
                        .before(&before)
                        .after(&after),
                );
                Ok::<_, crate::kernel::db::DbError>(())
            })
        })
        .await?;
    ctx.app.cache.invalidate();
    Ok(())
}

/// A preview of one text filled with the event's sample values; a bad text is said instead.
pub fn preview(event: &Event, text: &str, lang: Lang) -> Result<String, Said> {
    templates::check(event, text)?;
    Ok(templates::fill(text, &event.samples(lang)))
}
