//! Award and subsidy programmes as rules over the platform's records
//! (`data/programme/awards.toml`). Eligibility is computed, with every
//! reason it fails; the store keeps the applications, the approval
//! workflow and the guard against paying an award twice.

use std::collections::HashSet;
use std::sync::OnceLock;

use chrono::NaiveDate;
use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::programme::{OrgFacts, Programme};
use crate::refdata::Meta;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Award {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// The plan's measure it serves.
    pub measure: u32,
    /// The department that approves and pays it.
    pub department: String,
    pub amount_cny: Decimal,
    pub applications_from: NaiveDate,
    pub applications_to: NaiveDate,
    #[serde(default)]
    pub segment: Option<String>,
    #[serde(default)]
    pub assured_year: Option<i32>,
    #[serde(default)]
    pub first_assurance_from: Option<NaiveDate>,
    /// Needs a product carbon footprint certificate signed on or after
    /// this day and valid on the day of application.
    #[serde(default)]
    pub pcf_certified_from: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Awards {
    pub meta: Meta,
    pub award: Vec<Award>,
}

/// A certificate of one of the organisation's product footprints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcfCertificate {
    pub signed_on: NaiveDate,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// What the platform holds of an organisation for the award rules.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AwardRecord {
    pub assured: Vec<AssuredReport>,
    pub pcf_certificates: Vec<PcfCertificate>,
}

/// A signed assurance conclusion on one of the organisation's reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssuredReport {
    pub fiscal_year: i32,
    pub signed_on: NaiveDate,
    /// The assured report is published (not withdrawn).
    pub published: bool,
}

impl Awards {
    /// Parses and checks the file against the programme.
    pub fn parse(text: &str, p: &Programme) -> Result<Awards, String> {
        let a: Awards = toml::from_str(text).map_err(|e| format!("awards.toml: {e}"))?;
        let mut ids = HashSet::new();
        for (i, x) in a.award.iter().enumerate() {
            let at = format!("awards.toml award[{}]", i + 1);
            if !ids.insert(x.id.as_str()) {
                return Err(format!("{at}.id: duplicate {}", x.id));
            }
            if p.measure(x.measure).is_none() {
                return Err(format!("{at}.measure: unknown {}", x.measure));
            }
            if p.department(&x.department).is_none() {
                return Err(format!("{at}.department: unknown {}", x.department));
            }
            if let Some(s) = x.segment.as_deref().filter(|s| p.segment(s).is_none()) {
                return Err(format!("{at}.segment: unknown {s}"));
            }
            if x.amount_cny <= Decimal::ZERO || x.amount_cny.scale() > 2 {
                return Err(format!(
                    "{at}.amount_cny: a positive amount in yuan (fen at most)"
                ));
            }
            if x.applications_to < x.applications_from {
                return Err(format!("{at}: applications_to is before applications_from"));
            }
            if x.first_assurance_from.is_some() && x.assured_year.is_none() {
                return Err(format!("{at}: first_assurance_from needs assured_year"));
            }
        }
        Ok(a)
    }

    /// The shipped file.
    pub fn embedded() -> &'static Awards {
        static A: OnceLock<Awards> = OnceLock::new();
        A.get_or_init(|| {
            Awards::parse(
                include_str!("../../../data/programme/awards.toml"),
                Programme::embedded(),
            )
            .unwrap_or_else(|e| panic!("data/programme: {e}"))
        })
    }

    pub fn get(&self, id: &str) -> Option<&Award> {
        self.award.iter().find(|a| a.id == id)
    }
}

impl Award {
    /// Why `org` is not eligible on `today` (empty: eligible).
    pub fn refusals(&self, org: &OrgFacts, record: &AwardRecord, today: NaiveDate) -> Vec<Msg> {
        let assured = &record.assured;
        let mut out = Vec::new();
        if today < self.applications_from || today > self.applications_to {
            out.push(
                Msg::new("domain-award-window")
                    .arg("from", self.applications_from)
                    .arg("to", self.applications_to),
            );
        }
        if let Some(seg) = self.segment.as_deref()
            && let Some(s) = Programme::embedded().segment(seg)
            && !s.matches(org)
        {
            out.push(
                Msg::new("domain-award-segment")
                    .arg("zh", &s.name_zh)
                    .arg("en", &s.name_en),
            );
        }
        if let Some(y) = self.assured_year
            && !assured.iter().any(|a| a.fiscal_year == y && a.published)
        {
            out.push(Msg::new("domain-award-assured").arg("year", y));
        }
        if let Some(from) = self.first_assurance_from
            && let Some(before) = assured
                .iter()
                .map(|a| a.signed_on)
                .filter(|d| *d < from)
                .min()
        {
            out.push(
                Msg::new("domain-award-not-new")
                    .arg("date", before)
                    .arg("from", from),
            );
        }
        if let Some(from) = self.pcf_certified_from
            && !record
                .pcf_certificates
                .iter()
                .any(|c| c.signed_on >= from && c.valid_from <= today && today <= c.valid_to)
        {
            out.push(Msg::new("domain-award-pcf").arg("from", from));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn org(foreign: bool) -> OrgFacts {
        OrgFacts {
            org_id: "o".into(),
            uscc: String::new(),
            name_zh: "甲".into(),
            name_en: None,
            district: "350203".into(),
            cluster: None,
            ownership: "private".into(),
            size_class: None,
            listed: false,
            state_controlled: false,
            foreign_business: foreign,
            financial_institution: false,
            zones: vec![],
        }
    }

    #[test]
    fn shipped_awards_load_and_bad_files_are_refused() {
        let a = Awards::embedded();
        assert!(a.get("foreign-trade-new-esg-certification").is_some());
        let text = include_str!("../../../data/programme/awards.toml");
        let p = Programme::embedded();
        let bad = text.replacen("segment = \"foreign-related\"", "segment = \"aliens\"", 1);
        assert!(
            Awards::parse(&bad, p)
                .unwrap_err()
                .contains("segment: unknown aliens")
        );
        let bad = text.replacen("amount_cny = \"100000\"", "amount_cny = \"-1\"", 1);
        assert!(Awards::parse(&bad, p).unwrap_err().contains("amount_cny"));
    }

    fn rec(assured: &[AssuredReport]) -> AwardRecord {
        AwardRecord {
            assured: assured.to_vec(),
            pcf_certificates: vec![],
        }
    }

    #[test]
    fn a_pcf_certificate_award_needs_a_new_certificate_valid_today() {
        let a = Awards::embedded().get("pcf-certification-support").unwrap();
        let cert = |signed: &str, to: &str| PcfCertificate {
            signed_on: day(signed),
            valid_from: day(signed),
            valid_to: day(to),
        };
        let keys = |v: Vec<Msg>| v.into_iter().map(|m| m.key.to_string()).collect::<Vec<_>>();
        let today = day("2026-06-01");
        assert_eq!(
            keys(a.refusals(&org(false), &rec(&[]), today)),
            ["domain-award-pcf"]
        );
        let mut r = rec(&[]);
        r.pcf_certificates = vec![cert("2025-01-10", "2028-01-09")];
        assert_eq!(
            keys(a.refusals(&org(false), &r, today)),
            ["domain-award-pcf"],
            "too old"
        );
        r.pcf_certificates = vec![cert("2026-02-01", "2026-05-31")];
        assert_eq!(
            keys(a.refusals(&org(false), &r, today)),
            ["domain-award-pcf"],
            "expired"
        );
        r.pcf_certificates.push(cert("2026-03-01", "2029-02-28"));
        assert!(a.refusals(&org(false), &r, today).is_empty());
    }

    #[test]
    fn eligibility_names_every_reason() {
        let a = Awards::embedded()
            .get("foreign-trade-new-esg-certification")
            .unwrap();
        let fresh = [AssuredReport {
            fiscal_year: 2025,
            signed_on: day("2026-04-01"),
            published: true,
        }];
        assert!(
            a.refusals(&org(true), &rec(&fresh), day("2026-06-01"))
                .is_empty()
        );
        let keys = |v: Vec<Msg>| v.into_iter().map(|m| m.key.to_string()).collect::<Vec<_>>();
        assert_eq!(
            keys(a.refusals(&org(false), &rec(&[]), day("2028-01-01"))),
            [
                "domain-award-window",
                "domain-award-segment",
                "domain-award-assured"
            ]
        );
        let old = [
            fresh[0].clone(),
            AssuredReport {
                fiscal_year: 2023,
                signed_on: day("2024-04-01"),
                published: true,
            },
        ];
        assert_eq!(
            keys(a.refusals(&org(true), &rec(&old), day("2026-06-01"))),
            ["domain-award-not-new"]
        );
        let unpublished = [AssuredReport {
            published: false,
            ..fresh[0].clone()
        }];
        assert_eq!(
            keys(a.refusals(&org(true), &rec(&unpublished), day("2026-06-01"))),
            ["domain-award-assured"]
        );
    }
}
