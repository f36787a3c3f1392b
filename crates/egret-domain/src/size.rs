//! Enterprise size classification by the national statistical rules
//! (统计上大中小微型企业划分办法(2017)); thresholds in `size-classes.toml`.
//!
//! The rule, exactly: large, medium and small must meet the lower bound of
//! every indicator the industry category lists, otherwise the enterprise
//! drops one class (and again, until a class fits: the result is the lowest
//! class reached by any indicator). Micro needs only one indicator below the
//! small bound, so it can be decided even when other indicators are missing.
//! Financial enterprises follow a separate standard and get no class here.

use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::org::SizeClass;
use crate::refdata::{ReferenceData, SizeCategory, Threshold};

/// An indicator of the size table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 从业人员 X, persons.
    Employees,
    /// 营业收入 Y, 万元.
    Revenue,
    /// 资产总额 Z, 万元.
    Assets,
}

impl Indicator {
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::Employees => "employees",
            Indicator::Revenue => "revenue",
            Indicator::Assets => "assets",
        }
    }
}

/// The result of a classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeOutcome {
    /// `None` when the data are insufficient, the industry is unknown or the
    /// enterprise is financial.
    pub class: Option<SizeClass>,
    /// Size-table category id (`industry`, `retail`, ...); empty if the
    /// industry code is unknown.
    pub category: String,
    /// Why this class (or why none).
    pub reason: Msg,
}

impl SizeOutcome {
    /// Financial enterprises: classified by a separate standard.
    pub fn separate_standard() -> SizeOutcome {
        SizeOutcome {
            class: None,
            category: "finance".into(),
            reason: Msg::new("domain-size-reason-finance"),
        }
    }
}

/// Converts yuan to 万元 (÷ 10,000), exactly.
pub fn yuan_to_wan(yuan: Decimal) -> Decimal {
    yuan.checked_div(Decimal::from(10_000)).unwrap_or(yuan)
}

/// Classifies an enterprise. Money is in 万元 (see [`yuan_to_wan`]).
pub fn classify(
    rd: &ReferenceData,
    industry_code: &str,
    employees: Option<i64>,
    revenue_wan: Option<Decimal>,
    assets_wan: Option<Decimal>,
) -> SizeOutcome {
    let Some(category) = rd.size_category_for(industry_code) else {
        return SizeOutcome {
            class: None,
            category: String::new(),
            reason: Msg::new("domain-size-reason-unknown-industry")
                .arg("code", industry_code.trim()),
        };
    };
    if category.separate_standard {
        return SizeOutcome {
            category: category.id.clone(),
            ..SizeOutcome::separate_standard()
        };
    }
    let value = |i: Indicator| match i {
        Indicator::Employees => employees.map(Decimal::from),
        Indicator::Revenue => revenue_wan,
        Indicator::Assets => assets_wan,
    };
    let (class, reason) = decide(category, value);
    SizeOutcome {
        class,
        category: category.id.clone(),
        reason,
    }
}

fn decide(
    category: &SizeCategory,
    value: impl Fn(Indicator) -> Option<Decimal>,
) -> (Option<SizeClass>, Msg) {
    let small = |t: &Threshold| Decimal::from(t.small);
    // Micro: one known indicator below the small bound is enough.
    if let Some(t) = category
        .indicators
        .iter()
        .find(|t| value(t.indicator).is_some_and(|v| v < small(t)))
    {
        return (
            Some(SizeClass::Micro),
            Msg::new("domain-size-reason-micro").arg("indicator", t.indicator.as_str()),
        );
    }
    if let Some(t) = category
        .indicators
        .iter()
        .find(|t| value(t.indicator).is_none())
    {
        return (
            None,
            Msg::new("domain-size-reason-missing").arg("indicator", t.indicator.as_str()),
        );
    }
    // Every indicator is known and at least small: the lowest level wins.
    let mut class = SizeClass::Large;
    let mut limiting = None;
    for t in &category.indicators {
        let v = value(t.indicator).unwrap_or_default();
        let level = if v >= Decimal::from(t.large) {
            SizeClass::Large
        } else if v >= Decimal::from(t.medium) {
            SizeClass::Medium
        } else {
            SizeClass::Small
        };
        if level.rank() < class.rank() {
            class = level;
            limiting = Some(t.indicator);
        }
    }
    let reason = match limiting {
        None => Msg::new("domain-size-reason-all-met").arg("class", class.as_str()),
        Some(i) => Msg::new("domain-size-reason-limited")
            .arg("class", class.as_str())
            .arg("indicator", i.as_str()),
    };
    (Some(class), reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn rd() -> &'static ReferenceData {
        ReferenceData::embedded()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn class(code: &str, x: Option<i64>, y: Option<&str>, z: Option<&str>) -> Option<SizeClass> {
        classify(rd(), code, x, y.map(dec), z.map(dec)).class
    }

    use SizeClass::*;

    #[test]
    fn industry_boundaries() {
        // Manufacturing: X 1000/300/20, Y 40000/2000/300.
        assert_eq!(class("39", Some(1000), Some("40000"), None), Some(Large));
        assert_eq!(class("39", Some(999), Some("40000"), None), Some(Medium));
        assert_eq!(
            class("39", Some(1000), Some("39999.99"), None),
            Some(Medium)
        );
        assert_eq!(class("39", Some(300), Some("2000"), None), Some(Medium));
        assert_eq!(class("39", Some(299), Some("2000"), None), Some(Small));
        // Large by staff but small by revenue: drops until every bound fits.
        assert_eq!(class("39", Some(5000), Some("300"), None), Some(Small));
        assert_eq!(class("39", Some(20), Some("300"), None), Some(Small));
        assert_eq!(class("39", Some(19), Some("300000"), None), Some(Micro));
        assert_eq!(class("39", Some(5000), Some("299.99"), None), Some(Micro));
    }

    #[test]
    fn other_categories() {
        // Retail X 300/50/10, Y 20000/500/100.
        assert_eq!(class("52", Some(300), Some("20000"), None), Some(Large));
        assert_eq!(class("5212", Some(50), Some("499"), None), Some(Small));
        assert_eq!(class("52", Some(9), Some("99999"), None), Some(Micro));
        // Construction Y 80000/6000/300, Z 80000/5000/300 (no employees).
        assert_eq!(class("47", None, Some("80000"), Some("80000")), Some(Large));
        assert_eq!(class("47", None, Some("80000"), Some("4999")), Some(Small));
        // Real-estate development: assets large bound below revenue's.
        assert_eq!(
            class("7010", None, Some("200000"), Some("10000")),
            Some(Large)
        );
        assert_eq!(class("70", None, Some("1000"), Some("10000")), Some(Medium));
        // Property management (group 702) uses its own row.
        assert_eq!(class("702", Some(1000), Some("5000"), None), Some(Large));
        assert_eq!(class("702", Some(99), Some("5000"), None), Some(Micro));
        // Other: employees only.
        assert_eq!(class("73", Some(300), None, None), Some(Large));
        assert_eq!(class("73", Some(10), None, None), Some(Small));
        // Agriculture: revenue only.
        assert_eq!(class("01", None, Some("49.99"), None), Some(Micro));
    }

    #[test]
    fn reasons() {
        let o = classify(rd(), "39", Some(5), None, None);
        assert_eq!((o.class, o.category.as_str()), (Some(Micro), "industry"));
        assert_eq!(
            o.reason,
            Msg::new("domain-size-reason-micro").arg("indicator", "employees")
        );

        let o = classify(rd(), "39", Some(500), None, None);
        assert_eq!(o.class, None);
        assert_eq!(
            o.reason,
            Msg::new("domain-size-reason-missing").arg("indicator", "revenue")
        );

        let o = classify(rd(), "67", Some(500), None, None);
        assert_eq!(
            (o.class, o.reason.key.as_ref()),
            (None, "domain-size-reason-finance")
        );

        let o = classify(rd(), "98", Some(500), None, None);
        assert_eq!(
            (o.class, o.reason.key.as_ref()),
            (None, "domain-size-reason-unknown-industry")
        );

        let o = classify(rd(), "39", Some(5000), Some(dec("3000")), None);
        assert_eq!(
            o.reason,
            Msg::new("domain-size-reason-limited")
                .arg("class", "medium")
                .arg("indicator", "revenue")
        );
        use egret_i18n::Lang;
        assert_eq!(
            o.reason.render(Lang::En),
            "Medium: limited by operating revenue, which does not reach the next class's lower bound."
        );
        assert_eq!(
            o.reason.render(Lang::ZhCn),
            "中型：受营业收入限制，未达到上一类型的下限。"
        );
        let o = classify(rd(), "39", Some(5000), Some(dec("50000")), None);
        assert_eq!(
            o.reason,
            Msg::new("domain-size-reason-all-met").arg("class", "large")
        );

        for o in [
            classify(rd(), "39", Some(5), None, None),
            classify(rd(), "39", Some(500), None, None),
            classify(rd(), "67", None, None, None),
            classify(rd(), "98", None, None, None),
            classify(rd(), "39", Some(5000), Some(dec("3000")), None),
            classify(rd(), "39", Some(5000), Some(dec("50000")), None),
        ] {
            for lang in egret_i18n::Lang::ALL {
                assert!(egret_i18n::has_key(lang, &o.reason.key), "{}", o.reason.key);
                assert!(!o.reason.render(lang).starts_with('['));
            }
        }
    }

    #[test]
    fn yuan_conversion_is_exact() {
        assert_eq!(yuan_to_wan(dec("3000000.01")), dec("300.000001"));
        // 2,999,999.99 yuan is just below the 300 万元 small bound.
        assert_eq!(
            class(
                "39",
                Some(100),
                Some(&yuan_to_wan(dec("2999999.99")).to_string()),
                None
            ),
            Some(Micro)
        );
    }

    proptest! {
        #[test]
        fn increasing_indicators_never_lowers_the_class(
            code in proptest::sample::select(vec!["01", "39", "47", "51", "52", "55", "59", "591", "60", "61", "63", "65", "70", "702", "72", "85"]),
            x in 0i64..5000, y in 0u64..300_000, z in 0u64..200_000,
            dx in 0i64..5000, dy in 0u64..300_000, dz in 0u64..200_000,
        ) {
            let before = classify(rd(), code, Some(x), Some(Decimal::from(y)), Some(Decimal::from(z)));
            let after = classify(rd(), code, Some(x + dx), Some(Decimal::from(y + dy)), Some(Decimal::from(z + dz)));
            let (b, a) = (before.class.unwrap(), after.class.unwrap());
            prop_assert!(a.rank() >= b.rank(), "{code}: {b:?} -> {a:?}");
        }
    }
}
