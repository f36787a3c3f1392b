//! Reporting periods (fiscal years).

use chrono::{Datelike, NaiveDate};
use egret_i18n::Msg;
use serde::{Deserialize, Serialize};

use super::{FieldError, check_year};

/// Shortest and longest accepted fiscal year, in days (both dates included).
pub const SPAN_DAYS: std::ops::RangeInclusive<i64> = 360..=372;

/// A reporting period as entered. `end` is the last day of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodInput {
    pub fiscal_year: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub end: NaiveDate,
}

/// A validated reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub fiscal_year: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub end: NaiveDate,
}

impl Period {
    /// Length in days, both ends included.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

impl PeriodInput {
    /// The calendar year `year` (1 January – 31 December), the usual
    /// fiscal year in China. Years outside chrono's range are clamped to
    /// an invalid-but-harmless date that `validate` rejects.
    pub fn calendar(year: i32) -> PeriodInput {
        let date = |m, d| NaiveDate::from_ymd_opt(year, m, d).unwrap_or(NaiveDate::MIN);
        PeriodInput {
            fiscal_year: year,
            start: date(1, 1),
            end: date(12, 31),
        }
    }

    /// Checks: year in 1990..=2100; start before end; a span of 360–372
    /// days (a calendar year is 365/366); `fiscal_year` is the end date's
    /// year.
    pub fn validate(&self) -> Result<Period, Vec<FieldError>> {
        let mut e = Vec::new();
        check_year(&mut e, "fiscal_year", self.fiscal_year);
        if self.start >= self.end {
            e.push(FieldError::new("end", Msg::new("domain-period-order")));
        } else {
            let days = (self.end - self.start).num_days() + 1;
            if !SPAN_DAYS.contains(&days) {
                e.push(FieldError::new(
                    "end",
                    Msg::new("domain-period-span")
                        .arg("days", days)
                        .arg("min", SPAN_DAYS.start())
                        .arg("max", SPAN_DAYS.end()),
                ));
            }
        }
        if self.end.year() != self.fiscal_year {
            e.push(FieldError::new(
                "fiscal_year",
                Msg::new("domain-period-year").arg("year", self.end.year()),
            ));
        }
        if e.is_empty() {
            Ok(Period {
                fiscal_year: self.fiscal_year,
                start: self.start,
                end: self.end,
            })
        } else {
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn keys(r: Result<Period, Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.msg.key.into_owned()))
            .collect()
    }

    #[test]
    fn calendar_and_fiscal_years() {
        let p = PeriodInput::calendar(2024).validate().unwrap();
        assert_eq!(
            (p.start, p.end, p.days()),
            (d(2024, 1, 1), d(2024, 12, 31), 366)
        );
        // A July–June fiscal year is named after its end.
        let fy = PeriodInput {
            fiscal_year: 2025,
            start: d(2024, 7, 1),
            end: d(2025, 6, 30),
        };
        assert!(fy.validate().is_ok());
    }

    #[test]
    fn rejects_bad_periods() {
        let k = |field: &str, key: &str| (field.to_string(), key.to_string());
        assert_eq!(
            keys(PeriodInput::calendar(1989).validate()),
            [k("fiscal_year", "domain-year-range")]
        );
        let backwards = PeriodInput {
            fiscal_year: 2024,
            start: d(2024, 12, 31),
            end: d(2024, 1, 1),
        };
        assert_eq!(
            keys(backwards.validate()),
            [k("end", "domain-period-order")]
        );
        let short = PeriodInput {
            fiscal_year: 2024,
            start: d(2024, 1, 1),
            end: d(2024, 6, 30),
        };
        assert_eq!(keys(short.validate()), [k("end", "domain-period-span")]);
        let mislabelled = PeriodInput {
            fiscal_year: 2024,
            start: d(2024, 7, 1),
            end: d(2025, 6, 30),
        };
        assert_eq!(
            keys(mislabelled.validate()),
            [k("fiscal_year", "domain-period-year")]
        );
    }
}
