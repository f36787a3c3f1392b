//! Closed code lists with stable snake_case codes. The code is what is
//! stored, exchanged and serialised; the display label comes from the
//! catalogs via [`label_key`](Ownership::label_key).

use std::fmt;

use egret_i18n::{Lang, Msg};

/// A string that is not one of a code list's codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseCodeError {
    /// Which list (`"ownership"`, `"exchange"`, ...).
    pub kind: &'static str,
    pub value: String,
    /// The accepted codes, comma separated.
    pub allowed: String,
}

impl ParseCodeError {
    pub fn msg(&self) -> Msg {
        Msg::new("domain-code-unknown")
            .arg("value", &self.value)
            .arg("allowed", &self.allowed)
    }
}

impl fmt::Display for ParseCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().render(Lang::En))
    }
}

impl std::error::Error for ParseCodeError {}

/// Defines a code-list enum with `ALL`, `as_str`, `label_key`, `parse`,
/// `parse_lenient`, `Display`, `FromStr` and serde as the code string.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($kind:literal) {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $code:literal, $label:literal, [$($alias:literal),*];
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Catalog key of the display label.
            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            fn aliases(self) -> &'static [&'static str] {
                match self { $($name::$variant => &[$($alias),*]),+ }
            }

            /// Parses a code; case-insensitive, surrounding space ignored,
            /// `-` or space accepted for `_`.
            pub fn parse(s: &str) -> Result<Self, ParseCodeError> {
                let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == norm)
                    .ok_or_else(|| ParseCodeError {
                        kind: $kind,
                        value: s.trim().to_string(),
                        allowed: Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    })
            }

            /// Like [`parse`](Self::parse), but also accepts the display
            /// label in either language and common short forms (e.g. 民企).
            pub fn parse_lenient(s: &str) -> Result<Self, ParseCodeError> {
                Self::parse(s).or_else(|e| {
                    let t = s.trim();
                    Self::ALL
                        .iter()
                        .copied()
                        .find(|v| {
                            v.aliases().iter().any(|a| a.eq_ignore_ascii_case(t))
                                || Lang::ALL.iter().any(|l| {
                                    egret_i18n::t(*l, v.label_key()).eq_ignore_ascii_case(t)
                                })
                        })
                        .ok_or(e)
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseCodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

code_enum! {
    /// Who ultimately owns or controls the organisation.
    pub enum Ownership ("ownership") {
        /// Controlled by the central government (央企).
        CentralSoe = "central_soe", "domain-ownership-central-soe", ["央企", "中央企业"];
        /// Controlled by a provincial or local government (地方国企).
        LocalSoe = "local_soe", "domain-ownership-local-soe", ["地方国企", "国企"];
        Private = "private", "domain-ownership-private", ["民企", "民营"];
        ForeignInvested = "foreign_invested", "domain-ownership-foreign-invested", ["外资", "外企"];
        HkMacaoTaiwan = "hk_macao_taiwan", "domain-ownership-hk-macao-taiwan", ["港澳台"];
        Other = "other", "domain-ownership-other", [];
    }
}

impl Ownership {
    /// Central or local state-owned/controlled.
    pub fn is_state_controlled(self) -> bool {
        matches!(self, Ownership::CentralSoe | Ownership::LocalSoe)
    }
}

code_enum! {
    /// A stock exchange.
    pub enum Exchange ("exchange") {
        /// Shanghai Stock Exchange (incl. STAR Market).
        Sse = "sse", "domain-exchange-sse", ["上交所", "SH"];
        /// Shenzhen Stock Exchange (incl. ChiNext).
        Szse = "szse", "domain-exchange-szse", ["深交所", "SZ"];
        /// Beijing Stock Exchange.
        Bse = "bse", "domain-exchange-bse", ["北交所", "BJ"];
        /// Hong Kong Exchanges (Main Board, GEM).
        Hkex = "hkex", "domain-exchange-hkex", ["港交所", "HK"];
        /// Any exchange outside mainland China and Hong Kong.
        Overseas = "overseas", "domain-exchange-overseas", ["境外"];
    }
}

impl Exchange {
    /// Shanghai, Shenzhen or Beijing.
    pub fn is_mainland(self) -> bool {
        matches!(self, Exchange::Sse | Exchange::Szse | Exchange::Bse)
    }
}

code_enum! {
    /// Enterprise size class (统计上大中小微型企业划分办法).
    pub enum SizeClass ("size_class") {
        Large = "large", "domain-size-large", ["大型"];
        Medium = "medium", "domain-size-medium", ["中型"];
        Small = "small", "domain-size-small", ["小型"];
        Micro = "micro", "domain-size-micro", ["微型"];
    }
}

impl SizeClass {
    /// 0 (micro) … 3 (large), for comparisons.
    pub fn rank(self) -> u8 {
        match self {
            SizeClass::Micro => 0,
            SizeClass::Small => 1,
            SizeClass::Medium => 2,
            SizeClass::Large => 3,
        }
    }
}

code_enum! {
    /// What a site is used for.
    pub enum SiteKind ("site_kind") {
        Factory = "factory", "domain-site-factory", ["工厂"];
        Office = "office", "domain-site-office", ["办公"];
        Warehouse = "warehouse", "domain-site-warehouse", ["仓库"];
        Store = "store", "domain-site-store", ["门店"];
        Port = "port", "domain-site-port", ["港口", "码头"];
        DataCenter = "data_center", "domain-site-data-center", ["机房"];
        Other = "other", "domain-site-other", [];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egret_i18n::has_key;

    fn check_all<T: Copy + std::fmt::Debug + PartialEq>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        label: fn(T) -> &'static str,
        parse: fn(&str) -> Result<T, ParseCodeError>,
        lenient: fn(&str) -> Result<T, ParseCodeError>,
    ) {
        for &v in all {
            assert_eq!(parse(as_str(v)).unwrap(), v);
            assert_eq!(parse(&as_str(v).to_uppercase()).unwrap(), v);
            for lang in Lang::ALL {
                assert!(has_key(lang, label(v)), "{}", label(v));
                assert_eq!(lenient(&egret_i18n::t(lang, label(v))).unwrap(), v);
            }
        }
    }

    #[test]
    fn codes_round_trip_and_labels_exist() {
        check_all(
            Ownership::ALL,
            Ownership::as_str,
            Ownership::label_key,
            Ownership::parse,
            Ownership::parse_lenient,
        );
        check_all(
            Exchange::ALL,
            Exchange::as_str,
            Exchange::label_key,
            Exchange::parse,
            Exchange::parse_lenient,
        );
        check_all(
            SizeClass::ALL,
            SizeClass::as_str,
            SizeClass::label_key,
            SizeClass::parse,
            SizeClass::parse_lenient,
        );
        check_all(
            SiteKind::ALL,
            SiteKind::as_str,
            SiteKind::label_key,
            SiteKind::parse,
            SiteKind::parse_lenient,
        );
    }

    #[test]
    fn serde_uses_the_codes() {
        assert_eq!(
            serde_json::to_string(&Ownership::HkMacaoTaiwan).unwrap(),
            "\"hk_macao_taiwan\""
        );
        assert_eq!(
            serde_json::from_str::<SiteKind>("\"data_center\"").unwrap(),
            SiteKind::DataCenter
        );
        assert!(serde_json::from_str::<Exchange>("\"nyse\"").is_err());
    }

    #[test]
    fn lenient_parsing_and_errors() {
        assert_eq!(
            Ownership::parse("Central-SOE").unwrap(),
            Ownership::CentralSoe
        );
        assert_eq!(
            Ownership::parse_lenient("民企").unwrap(),
            Ownership::Private
        );
        assert_eq!(Exchange::parse_lenient("港交所").unwrap(), Exchange::Hkex);
        let e = Ownership::parse("state").unwrap_err();
        assert_eq!(e.value, "state");
        assert!(e.allowed.contains("central_soe"));
        assert!(has_key(Lang::ZhCn, &e.msg().key));
        assert!(
            Ownership::LocalSoe.is_state_controlled() && !Ownership::Private.is_state_controlled()
        );
        assert!(Exchange::Bse.is_mainland() && !Exchange::Hkex.is_mainland());
        assert!(SizeClass::Large.rank() > SizeClass::Micro.rank());
    }
}
