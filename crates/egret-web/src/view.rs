//! What every page shares: the reader's language, who is signed in, the
//! CSRF token for forms, and formatting helpers for templates.

use axum::http::HeaderMap;
use axum_extra::extract::CookieJar;
use egret_domain::access::Role;
use egret_domain::refdata::ReferenceData;
use egret_domain::value::group_thousands;
use egret_i18n::{Lang, Msg};
use egret_store::User;
use rust_decimal::Decimal;

use crate::auth::LANG_COOKIE;

/// The reader's language: the `egret_lang` cookie, else `Accept-Language`,
/// else zh-CN.
pub fn lang_from_headers(headers: &HeaderMap) -> Lang {
    let jar = CookieJar::from_headers(headers);
    jar.get(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .or_else(|| {
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// Context of a rendered page.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    pub user: Option<User>,
    pub csrf: String,
    /// Path and query of the current page (for the language switch).
    pub here: String,
    /// Show the "synthetic demo data" banner.
    pub demo: bool,
}

impl PageCtx {
    /// Catalog text in the page's language.
    pub fn t(&self, key: &str) -> String {
        egret_i18n::t(self.lang, key)
    }

    /// A message in the page's language.
    pub fn m(&self, msg: &Msg) -> String {
        msg.render(self.lang)
    }

    pub fn lang_tag(&self) -> &'static str {
        self.lang.tag()
    }

    /// Link that switches to the other language and comes back here.
    pub fn switch_href(&self) -> String {
        format!(
            "/lang/{}?next={}",
            self.lang.other().tag(),
            urlencode(&self.here)
        )
    }

    pub fn switch_label(&self) -> &'static str {
        match self.lang {
            Lang::ZhCn => "English",
            Lang::En => "中文",
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }

    pub fn is(&self, role: &str) -> bool {
        self.role().is_some_and(|r| r.as_str() == role)
    }

    /// Whether the signed-in user may register organisations.
    pub fn can_register(&self) -> bool {
        matches!(self.role(), Some(Role::PlatformAdmin | Role::CityGov))
    }

    pub fn role_label(&self) -> String {
        self.role()
            .map(|r| self.t(r.label_key()))
            .unwrap_or_default()
    }

    /// A name in the page's language, falling back to Chinese.
    pub fn name<'a>(&self, zh: &'a str, en: &'a Option<String>) -> &'a str {
        match (self.lang, en) {
            (Lang::En, Some(en)) if !en.is_empty() => en,
            _ => zh,
        }
    }

    pub fn yes_no(&self, v: &bool) -> String {
        self.t(if *v { "yes" } else { "no" })
    }

    pub fn district_name(&self, code: &str) -> String {
        ReferenceData::embedded()
            .district(code)
            .map(|d| self.pick(&d.name_zh, &d.name_en))
            .unwrap_or_else(|| code.to_string())
    }

    pub fn zone_name(&self, id: &str) -> String {
        ReferenceData::embedded()
            .zone(id)
            .map(|z| self.pick(&z.name_zh, &z.name_en))
            .unwrap_or_else(|| id.to_string())
    }

    pub fn cluster_name(&self, id: &Option<String>) -> String {
        match id {
            Some(id) => ReferenceData::embedded()
                .cluster(id)
                .map(|c| self.pick(&c.name_zh, &c.name_en))
                .unwrap_or_else(|| id.clone()),
            None => self.t("none"),
        }
    }

    pub fn industry_name(&self, code: &str) -> String {
        ReferenceData::embedded()
            .division(code)
            .map(|d| format!("{} {}", code, self.pick(&d.name_zh, &d.name_en)))
            .unwrap_or_else(|| code.to_string())
    }

    fn pick(&self, zh: &str, en: &str) -> String {
        match self.lang {
            Lang::ZhCn => zh.to_string(),
            Lang::En => en.to_string(),
        }
    }

    /// An amount of yuan with thousands separators, or "—".
    pub fn cny(&self, v: &Option<Decimal>) -> String {
        match v {
            Some(d) => format!("¥{}", group_thousands(&d.round_dp(2).to_string())),
            None => "—".to_string(),
        }
    }

    pub fn opt_num(&self, v: &Option<i64>) -> String {
        v.map(|n| group_thousands(&n.to_string()))
            .unwrap_or_else(|| "—".to_string())
    }
}

/// Percent-encodes a string for use in a query parameter.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Only same-site relative paths are followed after login or a language
/// switch (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/dashboard".to_string(),
    }
}

/// The Chinese or English of a pair, by language.
pub fn by_lang<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(group_thousands("1234567.50"), "1,234,567.50");
        assert_eq!(group_thousands("-1000"), "-1,000");
        assert_eq!(group_thousands("999"), "999");
    }

    #[test]
    fn refuses_open_redirects() {
        assert_eq!(safe_next(Some("//evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("https://evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("/orgs?page=2")), "/orgs?page=2");
        assert_eq!(safe_next(None), "/dashboard");
    }
}
