//! ESG service institutions: assurance providers, GHG verifiers, footprint
//! certifiers, rating agencies and consultancies registered with the city.
//! Services and qualification kinds are data
//! (`data/institutions/qualifications.toml`); an institution offers a
//! service that needs a qualification only while it holds a valid one of a
//! kind that covers the service.

use std::collections::HashSet;
use std::sync::OnceLock;

use chrono::NaiveDate;
use egret_i18n::Msg;
use serde::{Deserialize, Serialize};

use crate::org::FieldError;
use crate::refdata::{Meta, ReferenceData};
use crate::uscc::Uscc;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub requires_qualification: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualificationKind {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub issuer: String,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionCatalog {
    pub meta: Meta,
    pub service: Vec<Service>,
    pub kind: Vec<QualificationKind>,
}

impl InstitutionCatalog {
    /// Parses and checks the file: unique ids, kinds naming known services.
    pub fn parse(text: &str) -> Result<InstitutionCatalog, String> {
        let c: InstitutionCatalog = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut services = HashSet::new();
        for (i, s) in c.service.iter().enumerate() {
            if !services.insert(s.id.as_str()) {
                return Err(format!("service[{}].id: duplicate {}", i + 1, s.id));
            }
        }
        let mut kinds = HashSet::new();
        for (i, k) in c.kind.iter().enumerate() {
            if !kinds.insert(k.id.as_str()) {
                return Err(format!("kind[{}].id: duplicate {}", i + 1, k.id));
            }
            if let Some(s) = k.services.iter().find(|s| !services.contains(s.as_str())) {
                return Err(format!("kind[{}].services: unknown service {s}", i + 1));
            }
        }
        Ok(c)
    }

    /// The shipped file.
    pub fn embedded() -> &'static InstitutionCatalog {
        static C: OnceLock<InstitutionCatalog> = OnceLock::new();
        C.get_or_init(|| {
            InstitutionCatalog::parse(include_str!(
                "../../../data/institutions/qualifications.toml"
            ))
            .unwrap_or_else(|e| panic!("data/institutions/qualifications.toml: {e}"))
        })
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.service.iter().find(|s| s.id == id)
    }

    pub fn kind(&self, id: &str) -> Option<&QualificationKind> {
        self.kind.iter().find(|k| k.id == id)
    }

    /// Whether `qualifications` allow offering `service` on `day`.
    pub fn qualified(
        &self,
        service: &str,
        qualifications: &[Qualification],
        day: NaiveDate,
    ) -> bool {
        let Some(s) = self.service(service) else {
            return false;
        };
        !s.requires_qualification
            || qualifications.iter().any(|q| {
                q.valid_on(day)
                    && self
                        .kind(&q.kind)
                        .is_some_and(|k| k.services.iter().any(|x| x == service))
            })
    }
}

/// A qualification as held (validated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Qualification {
    pub kind: String,
    /// Certificate or accreditation number.
    pub number: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub valid_from: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_to: Option<NaiveDate>,
    /// What the accreditation covers, as issued (free text).
    pub scope: String,
}

impl Qualification {
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }
}

/// Registration input of an institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstitutionInput {
    pub uscc: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: Option<String>,
    /// Service ids of `qualifications.toml`.
    pub services: Vec<String>,
    /// District code of the city, when the institution is based in it.
    #[serde(default)]
    pub district: Option<String>,
}

/// A validated registration.
#[derive(Debug, Clone, PartialEq)]
pub struct InstitutionProfile {
    pub uscc: Uscc,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub services: Vec<String>,
    pub district: Option<String>,
}

const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 2_000;

fn text(field: &str, v: &str, max: usize, e: &mut Vec<FieldError>) -> Option<String> {
    let t = v.trim();
    if t.is_empty() {
        e.push(FieldError::new(field, Msg::new("domain-required")));
        None
    } else if t.chars().count() > max {
        e.push(FieldError::new(
            field,
            Msg::new("domain-too-long")
                .arg("max", max)
                .arg("found", t.chars().count()),
        ));
        None
    } else {
        Some(t.to_string())
    }
}

impl InstitutionInput {
    /// Validates every field and returns the profile, or all field errors.
    pub fn validate(
        &self,
        cat: &InstitutionCatalog,
        rd: &ReferenceData,
    ) -> Result<InstitutionProfile, Vec<FieldError>> {
        let mut e = Vec::new();
        let uscc = Uscc::parse_with(self.uscc.trim(), rd)
            .map_err(|err| e.push(FieldError::new("uscc", err.msg())))
            .ok();
        let name_zh = text("name_zh", &self.name_zh, MAX_NAME, &mut e);
        let name_en = match self.name_en.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => text("name_en", n, MAX_NAME, &mut e),
            _ => None,
        };
        let mut services: Vec<String> = Vec::new();
        for (i, s) in self.services.iter().enumerate() {
            if cat.service(s).is_none() {
                e.push(FieldError::new(
                    format!("services[{}]", i + 1),
                    Msg::new("domain-institution-service").arg("value", s),
                ));
            } else if !services.contains(s) {
                services.push(s.clone());
            }
        }
        if self.services.is_empty() {
            e.push(FieldError::new("services", Msg::new("domain-required")));
        }
        let district = match self.district.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => {
                if rd.district(d).is_none() {
                    e.push(FieldError::new(
                        "district",
                        Msg::new("domain-district-unknown").arg("value", d),
                    ));
                }
                Some(d.to_string())
            }
            _ => None,
        };
        match (uscc, name_zh) {
            (Some(uscc), Some(name_zh)) if e.is_empty() => Ok(InstitutionProfile {
                uscc,
                name_zh,
                name_en,
                services,
                district,
            }),
            _ => Err(e),
        }
    }
}

/// Input of a qualification (dates as ISO 8601 text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QualificationInput {
    pub kind: String,
    pub number: String,
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub scope: String,
}

impl QualificationInput {
    pub fn validate(&self, cat: &InstitutionCatalog) -> Result<Qualification, Vec<FieldError>> {
        let mut e = Vec::new();
        if cat.kind(self.kind.trim()).is_none() {
            e.push(FieldError::new(
                "kind",
                Msg::new("domain-institution-kind").arg("value", &self.kind),
            ));
        }
        let number = text("number", &self.number, MAX_NAME, &mut e);
        let date = |field: &str, v: &str, e: &mut Vec<FieldError>| {
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                .map_err(|_| {
                    e.push(FieldError::new(
                        field,
                        Msg::new("domain-date").arg("value", v),
                    ))
                })
                .ok()
        };
        let from = date("valid_from", &self.valid_from, &mut e);
        let to = match self.valid_to.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => date("valid_to", t, &mut e),
            _ => None,
        };
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            e.push(FieldError::new(
                "valid_to",
                Msg::new("domain-institution-dates"),
            ));
        }
        let scope = self.scope.trim();
        if scope.chars().count() > MAX_TEXT {
            e.push(FieldError::new(
                "scope",
                Msg::new("domain-too-long")
                    .arg("max", MAX_TEXT)
                    .arg("found", scope.chars().count()),
            ));
        }
        match (number, from) {
            (Some(number), Some(valid_from)) if e.is_empty() => Ok(Qualification {
                kind: self.kind.trim().to_string(),
                number,
                valid_from,
                valid_to: to,
                scope: scope.to_string(),
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn shipped_catalog_loads_and_bad_files_are_refused() {
        let c = InstitutionCatalog::embedded();
        assert!(c.service("assurance").unwrap().requires_qualification);
        assert!(!c.service("rating").unwrap().requires_qualification);
        let text = include_str!("../../../data/institutions/qualifications.toml");
        let bad = text.replacen("services = [\"assurance\"]", "services = [\"audit\"]", 1);
        assert!(
            InstitutionCatalog::parse(&bad)
                .unwrap_err()
                .contains("unknown service audit")
        );
    }

    #[test]
    fn qualification_must_be_valid_on_the_day_and_cover_the_service() {
        let c = InstitutionCatalog::embedded();
        let q = QualificationInput {
            kind: "cnca-certification-body".into(),
            number: "CNCA-R-2020-001".into(),
            valid_from: "2020-01-01".into(),
            valid_to: Some("2025-12-31".into()),
            scope: String::new(),
        }
        .validate(c)
        .unwrap();
        let qs = [q];
        assert!(c.qualified("pcf-certification", &qs, day("2025-06-01")));
        assert!(!c.qualified("pcf-certification", &qs, day("2026-01-01")));
        assert!(!c.qualified("assurance", &qs, day("2025-06-01")));
        assert!(c.qualified("rating", &[], day("2025-06-01")));
        assert!(!c.qualified("no-such", &qs, day("2025-06-01")));
    }

    #[test]
    fn bad_inputs_name_each_field() {
        let c = InstitutionCatalog::embedded();
        let e = QualificationInput {
            kind: "x".into(),
            number: " ".into(),
            valid_from: "2025-02-30".into(),
            valid_to: None,
            scope: String::new(),
        }
        .validate(c)
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "number", "valid_from"]);
        let e = QualificationInput {
            kind: "cpa-firm".into(),
            number: "1".into(),
            valid_from: "2025-02-01".into(),
            valid_to: Some("2024-01-01".into()),
            scope: String::new(),
        }
        .validate(c)
        .unwrap_err();
        assert_eq!(e[0].field, "valid_to");
        let rd = ReferenceData::embedded();
        let e = InstitutionInput {
            uscc: "91350200X".into(),
            name_zh: String::new(),
            name_en: None,
            services: vec!["assurance".into(), "astrology".into()],
            district: Some("999999".into()),
        }
        .validate(c, rd)
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["uscc", "name_zh", "services[2]", "district"]);
    }
}
