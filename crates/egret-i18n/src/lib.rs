//! Translation catalogs and the message type that carries every user-facing text.
//!
//! Catalogs are Fluent files under `locales/<lang>/*.ftl`, one file per area
//! (`common.ftl`, `domain.ftl`, `import.ftl`, `web.ftl`, ...). They are compiled
//! into the binary and looked up with an explicit [`Lang`]: there is no global
//! "current language", so a request in English can never leak into another
//! request in Chinese.
//!
//! Domain and storage errors do not format text themselves; they carry a
//! [`Msg`] (a catalog key plus named arguments) and the edge (web page, JSON
//! error body, CLI) renders it in the reader's language.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};
use serde::{Deserialize, Serialize};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the platform speaks. zh-CN is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// The BCP 47 tag (`zh-CN`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses a tag leniently: `zh`, `zh-CN`, `zh_CN.UTF-8`, `en`, `en-US`...
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Picks the first supported language from an HTTP `Accept-Language` value.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .find_map(Lang::parse)
    }

    /// The other language (for the language switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::ZhCn => Lang::En,
            Lang::En => Lang::ZhCn,
        }
    }

    fn id(self) -> LanguageIdentifier {
        self.tag().parse().expect("static language tags are valid")
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// A user-facing message: a catalog key and its named arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Msg {
    pub key: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(Cow<'static, str>, String)>,
}

impl Msg {
    pub fn new(key: impl Into<Cow<'static, str>>) -> Self {
        Msg {
            key: key.into(),
            args: Vec::new(),
        }
    }

    /// Adds a named argument (`{ $name }` in the catalog).
    pub fn arg(mut self, name: impl Into<Cow<'static, str>>, value: impl ToString) -> Self {
        self.args.push((name.into(), value.to_string()));
        self
    }

    /// Renders the message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = self
            .args
            .iter()
            .map(|(k, v)| (k.clone(), FluentValue::from(v.as_str())))
            .collect();
        LOCALES
            .try_lookup_with_args(&lang.id(), &self.key, &args)
            .unwrap_or_else(|| missing(&self.key))
    }
}

fn missing(key: &str) -> String {
    format!("[{key}]")
}

/// Looks up a plain catalog entry.
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES
        .try_lookup(&lang.id(), key)
        .unwrap_or_else(|| missing(key))
}

/// Whether `key` exists in the catalog of `lang` (without falling back).
pub fn has_key(lang: Lang, key: &str) -> bool {
    catalog_keys(lang).iter().any(|k| k == key)
}

/// Every message key defined in the shipped catalog of `lang`, read from the
/// embedded `.ftl` sources. Used by completeness tests across crates.
pub fn catalog_keys(lang: Lang) -> Vec<String> {
    let mut keys = Vec::new();
    for (l, _, src) in SOURCES {
        if *l != lang.tag() {
            continue;
        }
        for line in src.lines() {
            if let Some((key, _)) = line.split_once('=') {
                let key = key.trim_end();
                let first = key.chars().next();
                if first.is_some_and(|c| c.is_ascii_alphabetic())
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    keys.push(key.to_string());
                }
            }
        }
    }
    keys.sort();
    keys
}

/// The `{ $name }` placeholders of one catalog entry (including its
/// indented continuation lines), sorted.
pub fn placeholders(lang: Lang, key: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (_, _, src) in SOURCES.iter().filter(|(l, _, _)| *l == lang.tag()) {
        let mut inside = false;
        for line in src.lines() {
            // Continuation: indented, or a select expression's closing brace.
            if line.starts_with([' ', '\t', '}']) {
                if !inside {
                    continue;
                }
            } else {
                inside = line
                    .split_once('=')
                    .is_some_and(|(k, _)| k.trim_end() == key);
                if !inside {
                    continue;
                }
            }
            names.extend(line.split('$').skip(1).map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect::<String>()
            }));
        }
    }
    names.sort();
    names.dedup();
    names
}

macro_rules! sources {
    ($($lang:literal / $file:literal),* $(,)?) => {
        &[$(($lang, $file, include_str!(concat!("../locales/", $lang, "/", $file)))),*]
    };
}

/// The raw catalog files, for key enumeration. Keep in step with `locales/`.
const SOURCES: &[(&str, &str, &str)] = sources![
    "en" / "common.ftl",
    "zh-CN" / "common.ftl",
    "en" / "domain.ftl",
    "zh-CN" / "domain.ftl",
    "en" / "import.ftl",
    "zh-CN" / "import.ftl",
    "en" / "store.ftl",
    "zh-CN" / "store.ftl",
    "en" / "web.ftl",
    "zh-CN" / "web.ftl",
    "en" / "cli.ftl",
    "zh-CN" / "cli.ftl",
    "en" / "datasheet.ftl",
    "zh-CN" / "datasheet.ftl",
    "en" / "catalog.ftl",
    "zh-CN" / "catalog.ftl",
    "en" / "carbon.ftl",
    "zh-CN" / "carbon.ftl",
    "en" / "lca.ftl",
    "zh-CN" / "lca.ftl",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_define_the_same_keys() {
        let zh = catalog_keys(Lang::ZhCn);
        let en = catalog_keys(Lang::En);
        let only_zh: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only in zh-CN: {only_zh:?}; only in en: {only_en:?}"
        );
        assert!(en.len() > 10);
    }

    #[test]
    fn every_entry_renders_and_both_languages_use_the_same_placeholders() {
        for lang in Lang::ALL {
            for key in catalog_keys(lang) {
                let names = placeholders(lang, &key);
                assert_eq!(
                    names,
                    placeholders(lang.other(), &key),
                    "{key}: placeholders differ between {lang} and {}",
                    lang.other()
                );
                let msg = names
                    .iter()
                    .fold(Msg::new(key.clone()), |m, n| m.arg(n.clone(), "X"));
                let text = msg.render(lang);
                assert!(
                    !text.starts_with('[') && !text.contains('{'),
                    "{key} in {lang}: {text}"
                );
            }
        }
    }

    #[test]
    fn no_duplicate_keys() {
        for lang in Lang::ALL {
            let mut keys = catalog_keys(lang);
            let n = keys.len();
            keys.dedup();
            assert_eq!(n, keys.len(), "duplicate key in {lang}");
        }
    }

    #[test]
    fn every_shipped_ftl_file_is_listed() {
        for lang in Lang::ALL {
            let dir = format!("{}/locales/{}", env!("CARGO_MANIFEST_DIR"), lang.tag());
            for entry in std::fs::read_dir(dir).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                assert!(
                    SOURCES
                        .iter()
                        .any(|(l, f, _)| *l == lang.tag() && *f == name),
                    "{}/{name} is not listed in SOURCES",
                    lang.tag()
                );
            }
        }
    }

    #[test]
    fn renders_arguments_in_each_language() {
        let m = Msg::new("test-greeting").arg("name", "厦门");
        assert_eq!(m.render(Lang::En), "Hello, 厦门");
        assert_eq!(m.render(Lang::ZhCn), "你好，厦门");
    }

    #[test]
    fn missing_key_is_visible_not_empty() {
        assert_eq!(t(Lang::En, "no-such-key"), "[no-such-key]");
    }

    #[test]
    fn parses_language_tags() {
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("en-US"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(
            Lang::from_accept_language("fr-FR,en;q=0.8,zh;q=0.5"),
            Some(Lang::En)
        );
    }
}
