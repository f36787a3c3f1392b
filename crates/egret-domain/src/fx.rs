//! Foreign-currency amounts and exchange rates per reporting period.
//!
//! Currencies other than the renminbi are data (`data/reference/currencies.toml`)
//! with reference rates per year. An amount keeps the currency it was
//! entered in; where renminbi are needed (checks, intensities, totals) it is
//! converted at the period's rate: the organisation's own rate for the
//! period (the one its financial statements use) if it entered one, else the
//! reference rate for the year in which the period ends. Without either the
//! amount is left unconverted and a finding says which rate is missing —
//! a rate is never guessed.

use std::collections::{BTreeMap, HashSet};

use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::checks::{Finding, Severity, ValueSet};
use crate::refdata::{Confidence, Meta, RefDataError, RefDataProblem, ReferenceData};
use crate::value::Value;

/// The renminbi unit every rate converts to.
pub const CNY: &str = "CNY";

/// A currency amounts may be entered in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Currency {
    /// ISO 4217 code.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A reference rate for a currency and calendar year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceRate {
    pub currency: String,
    pub year: i32,
    /// Yuan per one unit of the currency.
    #[serde(with = "rust_decimal::serde::str")]
    pub cny_per_unit: Decimal,
    /// "annual average", "year-end", ...
    pub basis: String,
    pub confidence: Confidence,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FxTable {
    currencies: Vec<Currency>,
    rates: Vec<ReferenceRate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CurrenciesFile {
    meta: Meta,
    currency: Vec<Currency>,
    #[serde(default)]
    rate: Vec<ReferenceRate>,
}

/// Parses and checks `currencies.toml`.
pub(crate) fn load(file: &str, text: &str) -> Result<(Meta, FxTable), RefDataError> {
    let raw: CurrenciesFile = toml::from_str(text)
        .map_err(|e| RefDataError::new(file, "", RefDataProblem::Syntax(e.to_string())))?;
    let mut names = HashSet::new();
    for (i, c) in raw.currency.iter().enumerate() {
        let at = |f: &str| format!("currency[{}].{f}", i + 1);
        if c.code.len() != 3 || !c.code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(RefDataError::new(
                file,
                at("code"),
                RefDataProblem::Invalid {
                    value: c.code.clone(),
                    rule: "ISO 4217 code (three capital letters)",
                },
            ));
        }
        if c.code == CNY {
            return Err(RefDataError::new(
                file,
                at("code"),
                RefDataProblem::Invalid {
                    value: c.code.clone(),
                    rule: "the renminbi is a unit (units.toml), not a foreign currency",
                },
            ));
        }
        for name in std::iter::once(&c.code).chain(&c.aliases) {
            if !names.insert(name.to_lowercase()) {
                return Err(RefDataError::new(
                    file,
                    at("code"),
                    RefDataProblem::Duplicate(name.clone()),
                ));
            }
        }
        if c.name_zh.trim().is_empty() || c.name_en.trim().is_empty() {
            return Err(RefDataError::new(file, at("name"), RefDataProblem::Missing));
        }
    }
    let mut seen = HashSet::new();
    for (i, r) in raw.rate.iter().enumerate() {
        let at = |f: &str| format!("rate[{}].{f}", i + 1);
        if !raw.currency.iter().any(|c| c.code == r.currency) {
            return Err(RefDataError::new(
                file,
                at("currency"),
                RefDataProblem::UnknownRef(r.currency.clone()),
            ));
        }
        if r.cny_per_unit <= Decimal::ZERO {
            return Err(RefDataError::new(
                file,
                at("cny_per_unit"),
                RefDataProblem::Invalid {
                    value: r.cny_per_unit.to_string(),
                    rule: "a positive decimal",
                },
            ));
        }
        if !seen.insert((r.currency.clone(), r.year)) {
            return Err(RefDataError::new(
                file,
                at("year"),
                RefDataProblem::Duplicate(format!("{} {}", r.currency, r.year)),
            ));
        }
    }
    Ok((
        raw.meta,
        FxTable {
            currencies: raw.currency,
            rates: raw.rate,
        },
    ))
}

impl ReferenceData {
    /// A foreign currency by code or alias (any letter case).
    pub fn currency(&self, code: &str) -> Option<&Currency> {
        let code = code.trim();
        self.fx_table().currencies.iter().find(|c| {
            c.code.eq_ignore_ascii_case(code)
                || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(code))
        })
    }

    pub fn currencies(&self) -> impl Iterator<Item = &Currency> {
        self.fx_table().currencies.iter()
    }

    /// The shipped reference rate for a currency in a calendar year.
    pub fn reference_rate(&self, currency: &str, year: i32) -> Option<&ReferenceRate> {
        self.fx_table()
            .rates
            .iter()
            .find(|r| r.currency == currency && r.year == year)
    }
}

/// Where the rate used for a conversion came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RateSource {
    /// Entered by the organisation for the period.
    Organisation { note: String },
    /// The shipped reference rate for the year.
    Reference {
        year: i32,
        basis: String,
        confidence: Confidence,
    },
}

impl RateSource {
    /// Where the rate came from, for people.
    pub fn msg(&self) -> Msg {
        match self {
            RateSource::Organisation { note } => Msg::new("fx-rate-own").arg("note", note),
            RateSource::Reference { year, basis, .. } => Msg::new("fx-rate-reference")
                .arg("year", year)
                .arg("basis", basis),
        }
    }
}

/// A rate applied to one currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateUsed {
    pub currency: String,
    pub cny_per_unit: Decimal,
    pub source: RateSource,
}

/// The exchange rates that apply to one reporting period.
#[derive(Debug, Clone)]
pub struct PeriodRates<'a> {
    rd: &'a ReferenceData,
    /// Year in which the period ends (selects reference rates).
    pub year: i32,
    own: BTreeMap<String, (Decimal, String)>,
}

impl<'a> PeriodRates<'a> {
    /// `own`: the organisation's rates for the period as (currency,
    /// yuan per unit, note).
    pub fn new(
        rd: &'a ReferenceData,
        year: i32,
        own: impl IntoIterator<Item = (String, Decimal, String)>,
    ) -> Self {
        PeriodRates {
            rd,
            year,
            own: own.into_iter().map(|(c, r, n)| (c, (r, n))).collect(),
        }
    }

    /// The rate for `currency`: the organisation's, else the reference.
    pub fn rate(&self, currency: &str) -> Option<RateUsed> {
        if let Some((r, note)) = self.own.get(currency) {
            return Some(RateUsed {
                currency: currency.to_string(),
                cny_per_unit: *r,
                source: RateSource::Organisation { note: note.clone() },
            });
        }
        self.rd
            .reference_rate(currency, self.year)
            .map(|r| RateUsed {
                currency: currency.to_string(),
                cny_per_unit: r.cny_per_unit,
                source: RateSource::Reference {
                    year: r.year,
                    basis: r.basis.clone(),
                    confidence: r.confidence,
                },
            })
    }

    /// An amount in a foreign currency in yuan, with the rate used. `None`
    /// if `value` is not a foreign-currency amount; `Some(Err)` names the
    /// missing rate.
    pub fn to_cny(&self, value: &Value) -> Option<Result<(Decimal, RateUsed), Msg>> {
        let Value::Amount { amount, unit } = value else {
            return None;
        };
        self.rd.currency(unit)?;
        Some(match self.rate(unit) {
            Some(r) => amount
                .checked_mul(r.cny_per_unit)
                .map(|x| (x, r))
                .ok_or_else(|| {
                    Msg::new("unit-overflow")
                        .arg("value", amount)
                        .arg("unit", CNY)
                }),
            None => Err(Msg::new("fx-rate-missing")
                .arg("currency", unit)
                .arg("year", self.year)),
        })
    }

    /// `values` with every foreign-currency amount in yuan, so checks and
    /// totals compare like with like. Amounts whose rate is missing are left
    /// out of the result and reported as warnings.
    pub fn in_cny(&self, values: &ValueSet) -> (ValueSet, Vec<Finding>) {
        let mut out = ValueSet::new();
        let mut findings = Vec::new();
        for ((dp, bk), v) in values {
            match self.to_cny(v) {
                None => {
                    out.insert((dp.clone(), bk.clone()), v.clone());
                }
                Some(Ok((amount, _))) => {
                    out.insert(
                        (dp.clone(), bk.clone()),
                        Value::Amount {
                            amount,
                            unit: CNY.into(),
                        },
                    );
                }
                Some(Err(msg)) => findings.push(Finding {
                    rule: "fx-rate-missing".into(),
                    datapoint: dp.clone(),
                    breakdown: bk.clone(),
                    severity: Severity::Warning,
                    msg,
                }),
            }
        }
        (out, findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rd() -> &'static ReferenceData {
        ReferenceData::embedded()
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn usd(x: &str) -> Value {
        Value::Amount {
            amount: d(x),
            unit: "USD".into(),
        }
    }

    #[test]
    fn currencies_are_found_by_code_or_alias() {
        assert_eq!(rd().currency("usd").unwrap().code, "USD");
        assert_eq!(rd().currency("港币").unwrap().code, "HKD");
        assert!(rd().currency("CNY").is_none());
        assert!(rd().currency("XYZ").is_none());
    }

    #[test]
    fn reference_rate_converts_exactly() {
        let rates = PeriodRates::new(rd(), 2023, []);
        let (cny, used) = rates.to_cny(&usd("1000")).unwrap().unwrap();
        assert_eq!(cny, d("7046.7"));
        assert!(matches!(
            used.source,
            RateSource::Reference { year: 2023, .. }
        ));
    }

    #[test]
    fn organisation_rate_wins_over_reference() {
        let rates = PeriodRates::new(rd(), 2023, [("USD".into(), d("7.1"), "FS note 5".into())]);
        let (cny, used) = rates.to_cny(&usd("10")).unwrap().unwrap();
        assert_eq!(cny, d("71.0"));
        assert_eq!(
            used.source,
            RateSource::Organisation {
                note: "FS note 5".into()
            }
        );
    }

    #[test]
    fn missing_rate_is_named_not_guessed() {
        let rates = PeriodRates::new(rd(), 2023, []);
        let hkd = Value::Amount {
            amount: d("5"),
            unit: "HKD".into(),
        };
        let err = rates.to_cny(&hkd).unwrap().unwrap_err();
        assert_eq!(err.key, "fx-rate-missing");
        let mut set = ValueSet::new();
        set.insert(("a".into(), String::new()), hkd);
        set.insert(("b".into(), String::new()), usd("2"));
        set.insert(("c".into(), String::new()), Value::Count(3));
        let (cny, findings) = rates.in_cny(&set);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].datapoint, "a");
        assert_eq!(
            cny.get(&("b".into(), String::new())),
            Some(&Value::Amount {
                amount: d("14.0934"),
                unit: "CNY".into()
            })
        );
        assert_eq!(
            cny.get(&("c".into(), String::new())),
            Some(&Value::Count(3))
        );
        assert!(!cny.contains_key(&("a".into(), String::new())));
    }

    #[test]
    fn renminbi_amounts_pass_through() {
        let rates = PeriodRates::new(rd(), 2023, []);
        let v = Value::Amount {
            amount: d("5"),
            unit: "CNY_10k".into(),
        };
        assert!(rates.to_cny(&v).is_none());
    }

    #[test]
    fn bad_files_are_refused_with_location() {
        let base = "[meta]\nversion='1'\nsource='s'\nconfidence='L'\n";
        let e = load(
            "c.toml",
            &format!("{base}[[currency]]\ncode='usd'\nname_zh='美元'\nname_en='USD'\n"),
        )
        .unwrap_err();
        assert_eq!(e.location, "currency[1].code");
        let e = load(
            "c.toml",
            &format!(
                "{base}[[currency]]\ncode='USD'\nname_zh='美元'\nname_en='USD'\n\
                 [[rate]]\ncurrency='EUR'\nyear=2023\ncny_per_unit='7'\nbasis='x'\nconfidence='L'\n"
            ),
        )
        .unwrap_err();
        assert_eq!(e.location, "rate[1].currency");
        let e = load(
            "c.toml",
            &format!(
                "{base}[[currency]]\ncode='USD'\nname_zh='美元'\nname_en='USD'\n\
                 [[rate]]\ncurrency='USD'\nyear=2023\ncny_per_unit='-7'\nbasis='x'\nconfidence='L'\n"
            ),
        )
        .unwrap_err();
        assert_eq!(e.location, "rate[1].cny_per_unit");
    }
}
