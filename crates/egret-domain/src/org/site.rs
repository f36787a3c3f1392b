//! Sites: the physical places an organisation operates (factories,
//! offices, warehouses...), used to attribute ESG data to locations.

use egret_i18n::Msg;
use serde::{Deserialize, Serialize};

use super::{FieldError, SiteKind, check_name, optional};
use crate::refdata::ReferenceData;

/// Longest accepted address, in characters.
pub const MAX_ADDRESS_CHARS: usize = 500;

/// A site as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteInput {
    pub name_zh: String,
    pub name_en: Option<String>,
    /// Site-kind code (`factory`, `office`, ...; labels accepted).
    pub kind: String,
    /// District code or name.
    pub district: String,
    pub address: Option<String>,
    /// Zone id, if the site lies in a pilot zone.
    pub zone: Option<String>,
}

/// A validated site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    pub name_zh: String,
    pub name_en: Option<String>,
    pub kind: SiteKind,
    /// District code.
    pub district: String,
    pub address: Option<String>,
    pub zone: Option<String>,
}

impl SiteInput {
    /// Validates every field and returns the site, or all field errors.
    pub fn validate(&self, rd: &ReferenceData) -> Result<Site, Vec<FieldError>> {
        let mut e = Vec::new();
        let name_zh = check_name(&mut e, "name_zh", &self.name_zh, true);
        let name_en = check_name(
            &mut e,
            "name_en",
            self.name_en.as_deref().unwrap_or(""),
            false,
        );
        let kind = if self.kind.trim().is_empty() {
            e.push(FieldError::new("kind", Msg::new("domain-required")));
            None
        } else {
            SiteKind::parse_lenient(&self.kind)
                .map_err(|err| e.push(FieldError::new("kind", err.msg())))
                .ok()
        };
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
        let address = optional(self.address.as_deref());
        if let Some(a) = &address {
            let n = a.chars().count();
            if n > MAX_ADDRESS_CHARS {
                e.push(FieldError::new(
                    "address",
                    Msg::new("domain-too-long")
                        .arg("max", MAX_ADDRESS_CHARS)
                        .arg("found", n),
                ));
            }
        }
        let zone = optional(self.zone.as_deref());
        let zone = match zone.as_deref().map(|z| (z, rd.zone(z))) {
            None => None,
            Some((_, Some(z))) => Some(z.id.clone()),
            Some((z, None)) => {
                e.push(FieldError::new(
                    "zone",
                    Msg::new("domain-zone-unknown").arg("value", z),
                ));
                None
            }
        };
        match (name_zh, kind, district) {
            (Some(name_zh), Some(kind), Some(district)) if e.is_empty() => Ok(Site {
                name_zh,
                name_en,
                kind,
                district,
                address,
                zone,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_sites() {
        let rd = ReferenceData::embedded();
        let s = SiteInput {
            name_zh: "海沧工厂".into(),
            name_en: None,
            kind: "工厂".into(),
            district: "Haicang".into(),
            address: Some("  ".into()),
            zone: Some("ftz-xiamen".into()),
        }
        .validate(rd)
        .unwrap();
        assert_eq!(s.kind, SiteKind::Factory);
        assert_eq!(s.district, "350205");
        assert_eq!(s.address, None);

        let errs = SiteInput {
            name_zh: "".into(),
            name_en: None,
            kind: "castle".into(),
            district: "350299".into(),
            address: Some("路".repeat(501)),
            zone: Some("moon".into()),
        }
        .validate(rd)
        .unwrap_err();
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.msg.key.as_ref()))
            .collect();
        assert_eq!(
            got,
            [
                ("name_zh", "domain-required"),
                ("kind", "domain-code-unknown"),
                ("district", "domain-district-unknown"),
                ("address", "domain-too-long"),
                ("zone", "domain-zone-unknown"),
            ]
        );
    }
}
