//! The languages Patron speaks: Chinese (zh-CN) first, English second. The catalog that gives
//! each message in a language is the toolkit's (`web::i18n`, which re-exports this type).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim() {
            "zh-CN" | "zh" | "zh-cn" => Some(Lang::ZhCn),
            "en" | "en-US" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header that Patron speaks.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .find_map(|tag| {
                let tag = tag.trim().to_ascii_lowercase();
                if tag.starts_with("zh") {
                    Some(Lang::ZhCn)
                } else if tag.starts_with("en") {
                    Some(Lang::En)
                } else {
                    None
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_known_language() {
        assert_eq!(
            Lang::from_accept_language("fr, en;q=0.8, zh"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9"),
            Some(Lang::ZhCn)
        );
        assert_eq!(Lang::from_accept_language("fr"), None);
    }
}
