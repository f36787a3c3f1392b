//! Organisations: the registry profile of a company or institution, its
//! listings, sites and reporting periods.
//!
//! Inputs (`*Input`) are what a form, an API call or an import row provides:
//! plain strings and numbers. `validate` turns them into the validated types
//! or returns every problem at once as [`FieldError`]s whose `field` is the
//! input's field name (`listings[1].ticker` for list items, 0-based).

mod codes;
mod listing;
mod period;
mod site;

use std::fmt;

use egret_i18n::{Lang, Msg};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use codes::{Exchange, Ownership, ParseCodeError, SiteKind, SizeClass};
pub use listing::{Listing, ListingInput, ticker_ok};
pub use period::{Period, PeriodInput};
pub use site::{Site, SiteInput};

use crate::refdata::ReferenceData;
use crate::size::{self, SizeOutcome};
use crate::uscc::Uscc;

/// Longest accepted name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Employees must be below this.
pub const MAX_EMPLOYEES: i64 = 10_000_000;
/// Accepted years (basis years, fiscal years).
pub const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// A problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The input's field name, e.g. `name_zh` or `listings[1].ticker`.
    pub field: String,
    pub msg: Msg,
}

impl FieldError {
    pub fn new(field: impl Into<String>, msg: Msg) -> Self {
        FieldError {
            field: field.into(),
            msg,
        }
    }

    fn prefixed(self, prefix: &str) -> Self {
        FieldError {
            field: format!("{prefix}.{}", self.field),
            msg: self.msg,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.msg.render(Lang::En))
    }
}

impl std::error::Error for FieldError {}

/// An organisation as entered. Money is in yuan (CNY).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgInput {
    pub uscc: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// GB/T 4754 code of 2–4 digits, optionally with the section letter.
    pub industry_code: String,
    /// Cluster id (`clusters.toml`).
    pub cluster: Option<String>,
    /// Ownership code (labels and short forms such as 民企 are accepted).
    pub ownership: String,
    #[serde(default)]
    pub listings: Vec<ListingInput>,
    #[serde(default)]
    pub foreign_business: bool,
    #[serde(default)]
    pub financial_institution: bool,
    /// District code (the Chinese or English name is accepted).
    pub district: String,
    /// Zone ids (`zones.toml`).
    #[serde(default)]
    pub zones: Vec<String>,
    pub employees: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "12345678.90"))]
    pub revenue_cny: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "12345678.90"))]
    pub total_assets_cny: Option<Decimal>,
    /// Year the size figures refer to.
    pub size_basis_year: Option<i32>,
}

/// A validated organisation profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgProfile {
    pub uscc: Uscc,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// Digits only (`"3914"`).
    pub industry_code: String,
    pub cluster: Option<String>,
    pub ownership: Ownership,
    pub listings: Vec<Listing>,
    pub foreign_business: bool,
    pub financial_institution: bool,
    /// District code.
    pub district: String,
    pub zones: Vec<String>,
    pub employees: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "12345678.90"))]
    pub revenue_cny: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "12345678.90"))]
    pub total_assets_cny: Option<Decimal>,
    pub size_basis_year: Option<i32>,
    /// Computed from industry, employees, revenue and assets; `None` when
    /// the data are insufficient or for financial institutions.
    pub size_class: Option<SizeClass>,
}

impl OrgProfile {
    pub fn is_listed(&self) -> bool {
        !self.listings.is_empty()
    }

    pub fn is_state_controlled(&self) -> bool {
        self.ownership.is_state_controlled()
    }

    /// Whether the exchanges require a sustainability report: a listing is a
    /// constituent of a mandating index (SSE 180, STAR 50, SZSE 100,
    /// ChiNext), or the company is listed both on a mainland exchange and in
    /// Hong Kong or overseas.
    pub fn sr_mandatory(&self, rd: &ReferenceData) -> bool {
        let in_mandating_index = self.listings.iter().any(|l| {
            l.indices
                .iter()
                .any(|id| rd.index(id).is_some_and(|i| i.mandates_sr))
        });
        let mainland = self.listings.iter().any(|l| l.exchange.is_mainland());
        let abroad = self.listings.iter().any(|l| !l.exchange.is_mainland());
        in_mandating_index || (mainland && abroad)
    }

    /// The size classification with its reason (why a class, or why none).
    pub fn size_outcome(&self, rd: &ReferenceData) -> SizeOutcome {
        size_outcome(
            rd,
            &self.industry_code,
            self.financial_institution,
            self.employees,
            self.revenue_cny,
            self.total_assets_cny,
        )
    }
}

fn size_outcome(
    rd: &ReferenceData,
    industry_code: &str,
    financial_institution: bool,
    employees: Option<i64>,
    revenue_cny: Option<Decimal>,
    assets_cny: Option<Decimal>,
) -> SizeOutcome {
    if financial_institution {
        return SizeOutcome::separate_standard();
    }
    size::classify(
        rd,
        industry_code,
        employees,
        revenue_cny.map(size::yuan_to_wan),
        assets_cny.map(size::yuan_to_wan),
    )
}

impl OrgInput {
    /// Validates every field and returns the profile, or all field errors.
    pub fn validate(&self, rd: &ReferenceData) -> Result<OrgProfile, Vec<FieldError>> {
        let mut e = Vec::new();

        let uscc = if self.uscc.trim().is_empty() {
            e.push(FieldError::new("uscc", Msg::new("domain-required")));
            None
        } else {
            Uscc::parse_with(&self.uscc, rd)
                .map_err(|err| e.push(FieldError::new("uscc", err.msg())))
                .ok()
        };

        let name_zh = check_name(&mut e, "name_zh", &self.name_zh, true);
        if let Some(n) = &name_zh
            && !n.chars().any(is_cjk)
        {
            e.push(FieldError::new(
                "name_zh",
                Msg::new("domain-name-needs-cjk"),
            ));
        }
        let name_en = check_name(
            &mut e,
            "name_en",
            self.name_en.as_deref().unwrap_or(""),
            false,
        );

        let industry_code = if self.industry_code.trim().is_empty() {
            e.push(FieldError::new(
                "industry_code",
                Msg::new("domain-required"),
            ));
            None
        } else {
            let code = rd.normalize_industry_code(&self.industry_code);
            if code.is_none() {
                e.push(FieldError::new(
                    "industry_code",
                    Msg::new("domain-industry-unknown").arg("code", self.industry_code.trim()),
                ));
            }
            code
        };

        let cluster = optional(self.cluster.as_deref());
        if let Some(c) = &cluster
            && rd.cluster(c).is_none()
        {
            e.push(FieldError::new(
                "cluster",
                Msg::new("domain-cluster-unknown").arg("value", c),
            ));
        }

        let ownership = if self.ownership.trim().is_empty() {
            e.push(FieldError::new("ownership", Msg::new("domain-required")));
            None
        } else {
            Ownership::parse_lenient(&self.ownership)
                .map_err(|err| e.push(FieldError::new("ownership", err.msg())))
                .ok()
        };

        let mut listings: Vec<Listing> = Vec::new();
        for (i, l) in self.listings.iter().enumerate() {
            let prefix = format!("listings[{i}]");
            match l.validate(rd) {
                Ok(l) => {
                    if listings
                        .iter()
                        .any(|o| o.exchange == l.exchange && o.ticker == l.ticker)
                    {
                        e.push(FieldError::new(
                            format!("{prefix}.ticker"),
                            Msg::new("domain-listing-duplicate")
                                .arg("exchange", l.exchange.as_str())
                                .arg("ticker", &l.ticker),
                        ));
                    }
                    listings.push(l);
                }
                Err(errs) => e.extend(errs.into_iter().map(|x| x.prefixed(&prefix))),
            }
        }

        let district = if self.district.trim().is_empty() {
            e.push(FieldError::new("district", Msg::new("domain-required")));
            None
        } else {
            let d = rd.find_district(&self.district).map(|d| d.code.clone());
            if d.is_none() {
                e.push(FieldError::new(
                    "district",
                    Msg::new("domain-district-unknown").arg("value", self.district.trim()),
                ));
            }
            d
        };

        let mut zones: Vec<String> = Vec::new();
        for (i, z) in self.zones.iter().enumerate() {
            let field = format!("zones[{i}]");
            match rd.zone(z) {
                None => e.push(FieldError::new(
                    field,
                    Msg::new("domain-zone-unknown").arg("value", z.trim()),
                )),
                Some(zone) if zones.contains(&zone.id) => e.push(FieldError::new(
                    field,
                    Msg::new("domain-zone-duplicate").arg("value", &zone.id),
                )),
                Some(zone) => zones.push(zone.id.clone()),
            }
        }

        if let Some(n) = self.employees
            && !(0..MAX_EMPLOYEES).contains(&n)
        {
            e.push(FieldError::new(
                "employees",
                Msg::new("domain-employees-range").arg("max", MAX_EMPLOYEES),
            ));
        }
        check_money(&mut e, "revenue_cny", self.revenue_cny);
        check_money(&mut e, "total_assets_cny", self.total_assets_cny);
        if let Some(y) = self.size_basis_year {
            check_year(&mut e, "size_basis_year", y);
        }

        if let Some(code) = &industry_code
            && rd.division(code).is_some_and(|d| d.section == "J")
            && !self.financial_institution
        {
            e.push(FieldError::new(
                "financial_institution",
                Msg::new("domain-financial-required"),
            ));
        }

        match (uscc, name_zh, industry_code, ownership, district) {
            (Some(uscc), Some(name_zh), Some(industry_code), Some(ownership), Some(district))
                if e.is_empty() =>
            {
                let size_class = size_outcome(
                    rd,
                    &industry_code,
                    self.financial_institution,
                    self.employees,
                    self.revenue_cny,
                    self.total_assets_cny,
                )
                .class;
                Ok(OrgProfile {
                    uscc,
                    name_zh,
                    name_en,
                    industry_code,
                    cluster,
                    ownership,
                    listings,
                    foreign_business: self.foreign_business,
                    financial_institution: self.financial_institution,
                    district,
                    zones,
                    employees: self.employees,
                    revenue_cny: self.revenue_cny.map(|d| d.normalize()),
                    total_assets_cny: self.total_assets_cny.map(|d| d.normalize()),
                    size_basis_year: self.size_basis_year,
                    size_class,
                })
            }
            _ => Err(e),
        }
    }
}

/// Trims an optional string; empty means absent.
fn optional(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Checks a name: trimmed, non-empty if required, at most
/// [`MAX_NAME_CHARS`]. Returns the trimmed name if present and valid.
fn check_name(e: &mut Vec<FieldError>, field: &str, value: &str, required: bool) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        if required {
            e.push(FieldError::new(field, Msg::new("domain-required")));
        }
        return None;
    }
    let n = v.chars().count();
    if n > MAX_NAME_CHARS {
        e.push(FieldError::new(
            field,
            Msg::new("domain-too-long")
                .arg("max", MAX_NAME_CHARS)
                .arg("found", n),
        ));
        return None;
    }
    if v.chars().any(char::is_control) {
        e.push(FieldError::new(field, Msg::new("domain-control-chars")));
        return None;
    }
    Some(v.to_string())
}

/// A CJK unified ideograph (basic block, extensions A–F, compatibility).
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{3134F}')
}

fn check_money(e: &mut Vec<FieldError>, field: &str, value: Option<Decimal>) {
    let Some(v) = value else { return };
    if v.is_sign_negative() && !v.is_zero() {
        e.push(FieldError::new(field, Msg::new("domain-money-negative")));
    } else if v.normalize().scale() > 2 {
        e.push(FieldError::new(
            field,
            Msg::new("domain-money-scale").arg("value", v),
        ));
    }
}

fn check_year(e: &mut Vec<FieldError>, field: &str, year: i32) {
    if !YEARS.contains(&year) {
        e.push(FieldError::new(
            field,
            Msg::new("domain-year-range")
                .arg("min", YEARS.start())
                .arg("max", YEARS.end()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uscc::check_char;
    use std::str::FromStr;

    pub(crate) fn code(prefix: &str) -> String {
        format!("{prefix}{}", check_char(prefix).unwrap())
    }

    fn good() -> OrgInput {
        OrgInput {
            uscc: code("91350203MAEGRET01"),
            name_zh: " 厦门白鹭电子有限公司 ".into(),
            name_en: Some("Xiamen Egret Electronics Co., Ltd.".into()),
            industry_code: "C3914".into(),
            cluster: Some("electronic-info".into()),
            ownership: "private".into(),
            listings: vec![],
            foreign_business: true,
            financial_institution: false,
            district: "思明区".into(),
            zones: vec!["torch-hitech".into()],
            employees: Some(450),
            revenue_cny: Some(Decimal::from_str("350000000.50").unwrap()),
            total_assets_cny: None,
            size_basis_year: Some(2024),
        }
    }

    #[test]
    fn a_good_input_validates() {
        let rd = ReferenceData::embedded();
        let p = good().validate(rd).unwrap();
        assert_eq!(p.name_zh, "厦门白鹭电子有限公司");
        assert_eq!(p.industry_code, "3914");
        assert_eq!(p.district, "350203");
        // Industry: 450 employees (medium band), 35,000 万元 revenue (medium band).
        assert_eq!(p.size_class, Some(SizeClass::Medium));
        assert!(!p.is_listed() && !p.is_state_controlled() && !p.sr_mandatory(rd));
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<OrgProfile>(&json).unwrap(), p);
    }

    #[test]
    fn inputs_deserialize_strictly() {
        let json = r#"{"uscc":"x","name_zh":"甲","name_en":null,"industry_code":"39","cluster":null,
            "ownership":"private","district":"350203","employees":null,"revenue_cny":null,
            "total_assets_cny":null,"size_basis_year":null}"#;
        let i: OrgInput = serde_json::from_str(json).unwrap();
        assert!(i.listings.is_empty() && !i.foreign_business);
        let bad = json.replace("\"uscc\"", "\"usc\"");
        assert!(serde_json::from_str::<OrgInput>(&bad).is_err());
    }

    #[test]
    fn all_field_errors_are_collected() {
        let rd = ReferenceData::embedded();
        let input = OrgInput {
            uscc: "914403001922038217".into(),
            name_zh: "Egret Ltd".into(),
            name_en: Some("x".repeat(201)),
            industry_code: "98".into(),
            cluster: Some("space".into()),
            ownership: "state".into(),
            listings: vec![
                ListingInput {
                    exchange: "sse".into(),
                    ticker: "600153".into(),
                    indices: vec![],
                },
                ListingInput {
                    exchange: "sse".into(),
                    ticker: "000001".into(),
                    indices: vec![],
                },
                ListingInput {
                    exchange: "sse".into(),
                    ticker: "600153".into(),
                    indices: vec![],
                },
            ],
            foreign_business: false,
            financial_institution: false,
            district: "鼓浪屿区".into(),
            zones: vec!["ftz-xiamen".into(), "moon".into(), "ftz-xiamen".into()],
            employees: Some(-1),
            revenue_cny: Some(Decimal::from_str("-5").unwrap()),
            total_assets_cny: Some(Decimal::from_str("1.234").unwrap()),
            size_basis_year: Some(1989),
        };
        let errs = input.validate(rd).unwrap_err();
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.msg.key.as_ref()))
            .collect();
        assert_eq!(
            got,
            [
                ("uscc", "domain-uscc-check"),
                ("name_zh", "domain-name-needs-cjk"),
                ("name_en", "domain-too-long"),
                ("industry_code", "domain-industry-unknown"),
                ("cluster", "domain-cluster-unknown"),
                ("ownership", "domain-code-unknown"),
                ("listings[1].ticker", "domain-ticker-format"),
                ("listings[2].ticker", "domain-listing-duplicate"),
                ("district", "domain-district-unknown"),
                ("zones[1]", "domain-zone-unknown"),
                ("zones[2]", "domain-zone-duplicate"),
                ("employees", "domain-employees-range"),
                ("revenue_cny", "domain-money-negative"),
                ("total_assets_cny", "domain-money-scale"),
                ("size_basis_year", "domain-year-range"),
            ]
        );
        for e in &errs {
            for lang in Lang::ALL {
                assert!(egret_i18n::has_key(lang, &e.msg.key), "{}", e.msg.key);
            }
        }

        let empty = OrgInput::default().validate(rd).unwrap_err();
        let fields: Vec<&str> = empty.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["uscc", "name_zh", "industry_code", "ownership", "district"]
        );
        assert!(empty.iter().all(|e| e.msg.key == "domain-required"));
        assert!(empty[0].to_string().starts_with("uscc: "));
    }

    #[test]
    fn finance_needs_the_flag_and_gets_no_size_class() {
        let rd = ReferenceData::embedded();
        let mut bank = good();
        bank.industry_code = "6620".into();
        bank.cluster = None;
        let errs = bank.validate(rd).unwrap_err();
        assert_eq!(errs[0].field, "financial_institution");
        assert_eq!(errs[0].msg.key, "domain-financial-required");
        bank.financial_institution = true;
        let p = bank.validate(rd).unwrap();
        assert_eq!(p.size_class, None);
        assert_eq!(p.size_outcome(rd).reason.key, "domain-size-reason-finance");
        // The flag alone is allowed outside section J (e.g. a fintech lessor).
        let mut lessor = good();
        lessor.financial_institution = true;
        assert!(lessor.validate(rd).is_ok());
    }

    #[test]
    fn sustainability_report_obligation() {
        let rd = ReferenceData::embedded();
        let listing = |ex: &str, t: &str, idx: &[&str]| ListingInput {
            exchange: ex.into(),
            ticker: t.into(),
            indices: idx.iter().map(|s| s.to_string()).collect(),
        };
        let mut org = good();
        org.listings = vec![listing("sse", "600153", &["csi-300"])];
        let p = org.validate(rd).unwrap();
        assert!(p.is_listed() && !p.sr_mandatory(rd));

        org.listings = vec![listing("szse", "300750", &["chinext"])];
        assert!(org.validate(rd).unwrap().sr_mandatory(rd));

        org.listings = vec![listing("sse", "600153", &[]), listing("hkex", "02020", &[])];
        assert!(org.validate(rd).unwrap().sr_mandatory(rd));

        org.listings = vec![listing("hkex", "02020", &["hsi"])];
        assert!(!org.validate(rd).unwrap().sr_mandatory(rd));
    }
}
