//! What people are told, in the reader's words: a catalog key with the values it names (counts,
//! serials, state labels, nested messages), said in Chinese or English when a page or the API
//! shows it. Codes and English never reach a Chinese page through these. A refusal carries one
//! (`AppError::note`), and the form re-show and the error page say it.

use super::i18n::Lang;

/// One value named in a message.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Shown as it is (a number, a serial range, an amount).
    Text(String),
    /// A catalog key, shown as its label.
    Label(String),
    /// Several messages, joined into a list.
    List(Vec<Said>),
}

/// A message of the catalog with its values: `{name}` in the text is replaced by the value.
#[derive(Debug, Clone)]
pub struct Said {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Said {
    pub fn new(key: &'static str) -> Said {
        Said {
            key,
            args: Vec::new(),
        }
    }

    pub fn text(mut self, name: &'static str, value: impl ToString) -> Said {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    pub fn label(mut self, name: &'static str, key: impl Into<String>) -> Said {
        self.args.push((name, Arg::Label(key.into())));
        self
    }

    pub fn list(mut self, name: &'static str, items: Vec<Said>) -> Said {
        self.args.push((name, Arg::List(items)));
        self
    }

    /// The message in `lang`.
    pub fn say(&self, lang: Lang) -> String {
        let mut out = lang.t(self.key).to_string();
        for (name, arg) in &self.args {
            let value = match arg {
                Arg::Text(t) => t.clone(),
                Arg::Label(k) => lang.t(k).to_string(),
                Arg::List(items) => items
                    .iter()
                    .map(|s| s.say(lang))
                    .collect::<Vec<_>>()
                    .join(if lang == Lang::En { "; " } else { "；" }),
            };
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        out
    }
}

impl std::fmt::Display for Said {
    /// The API's words (English).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.say(Lang::En))
    }
}
