//! Tracking the programme's measures: departments report progress each
//! quarter (progress text, reported indicator values, milestone status,
//! evidence); the coordinating department evaluates each measure (on
//! track / at risk / off track) and may move a milestone's due date with a
//! reason. Overdue items follow from the milestones, their latest status
//! and adjustments, and the quarters without a report.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use egret_i18n::Msg;
use serde::{Deserialize, Serialize};

use crate::org::FieldError;
use crate::programme::{Measure, Milestone, Programme};

pub const RATINGS: [&str; 3] = ["on_track", "at_risk", "off_track"];
pub const MILESTONE_STATUSES: [&str; 3] = ["not_started", "in_progress", "done"];
const MAX_TEXT: usize = 20_000;

/// The quarter of a day, `YYYY-Qn`.
pub fn quarter(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), (day.month0() / 3) + 1)
}

/// The last day of a `YYYY-Qn` quarter.
pub fn quarter_end(q: &str) -> Option<NaiveDate> {
    let (y, n) = q.split_once("-Q")?;
    let (y, n): (i32, u32) = (y.parse().ok()?, n.parse().ok()?);
    if !(1..=4).contains(&n) || !(2000..=2100).contains(&y) {
        return None;
    }
    let (ny, nm) = if n == 4 { (y + 1, 1) } else { (y, n * 3 + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

/// The quarter before `q`.
pub fn previous_quarter(q: &str) -> Option<String> {
    let end = quarter_end(q)?;
    let start = NaiveDate::from_ymd_opt(end.year(), end.month() - 2, 1)?;
    Some(quarter(start.pred_opt()?))
}

/// A department's progress report on a measure for a quarter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub measure: u32,
    /// `YYYY-Qn`
    pub period: String,
    pub progress: String,
    /// Reported indicator values: indicator id → value.
    #[serde(default)]
    pub indicators: BTreeMap<String, String>,
    /// Milestone id → not_started | in_progress | done.
    #[serde(default)]
    pub milestones: BTreeMap<String, String>,
    /// What backs it (documents, links).
    #[serde(default)]
    pub evidence: String,
}

fn too_long(field: &str, v: &str, e: &mut Vec<FieldError>) {
    let n = v.chars().count();
    if n > MAX_TEXT {
        e.push(FieldError::new(
            field,
            Msg::new("domain-too-long")
                .arg("max", MAX_TEXT)
                .arg("found", n),
        ));
    }
}

impl ReportInput {
    /// Checks the report against the programme: a known measure, a valid
    /// quarter within the programme, the measure's own non-computed
    /// indicators and its milestones with known statuses.
    pub fn validate<'p>(&self, p: &'p Programme) -> Result<&'p Measure, Vec<FieldError>> {
        let mut e = Vec::new();
        let Some(m) = p.measure(self.measure) else {
            return Err(vec![FieldError::new(
                "measure",
                Msg::new("domain-plan-measure").arg("value", self.measure),
            )]);
        };
        match quarter_end(&self.period) {
            Some(end) if end.year() >= p.info.start_year && end.year() <= p.info.end_year => {}
            _ => e.push(FieldError::new(
                "period",
                Msg::new("domain-plan-period").arg("value", &self.period),
            )),
        }
        if self.progress.trim().is_empty() {
            e.push(FieldError::new("progress", Msg::new("domain-required")));
        }
        too_long("progress", &self.progress, &mut e);
        too_long("evidence", &self.evidence, &mut e);
        for (id, v) in &self.indicators {
            match m.indicator.iter().find(|i| &i.id == id) {
                Some(i) if i.computed.is_none() => {
                    if i.unit != "text"
                        && !v.trim().is_empty()
                        && crate::value::parse_decimal(v).is_err()
                    {
                        e.push(FieldError::new(
                            format!("indicators.{id}"),
                            Msg::new("domain-plan-number").arg("value", v),
                        ));
                    }
                    too_long(&format!("indicators.{id}"), v, &mut e);
                }
                _ => e.push(FieldError::new(
                    format!("indicators.{id}"),
                    Msg::new("domain-plan-indicator").arg("value", id),
                )),
            }
        }
        for (id, status) in &self.milestones {
            if !m.milestone.iter().any(|x| &x.id == id) {
                e.push(FieldError::new(
                    format!("milestones.{id}"),
                    Msg::new("domain-plan-milestone").arg("value", id),
                ));
            } else if !MILESTONE_STATUSES.contains(&status.as_str()) {
                e.push(FieldError::new(
                    format!("milestones.{id}"),
                    Msg::new("domain-plan-status").arg("value", status),
                ));
            }
        }
        if e.is_empty() { Ok(m) } else { Err(e) }
    }
}

/// A milestone as it stands: its due date after adjustments and its latest
/// reported status.
#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneState<'a> {
    pub milestone: &'a Milestone,
    pub due: NaiveDate,
    pub status: String,
    pub overdue: bool,
}

/// The state of every milestone of a measure on `today`: `due` holds
/// adjusted due dates, `status` the latest reported statuses.
pub fn milestone_states<'a>(
    m: &'a Measure,
    due: &BTreeMap<String, NaiveDate>,
    status: &BTreeMap<String, String>,
    today: NaiveDate,
) -> Vec<MilestoneState<'a>> {
    m.milestone
        .iter()
        .map(|x| {
            let due = due.get(&x.id).copied().unwrap_or(x.due);
            let status = status
                .get(&x.id)
                .cloned()
                .unwrap_or_else(|| "not_started".into());
            MilestoneState {
                milestone: x,
                overdue: due < today && status != "done",
                due,
                status,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn quarters() {
        assert_eq!(quarter(day("2025-11-28")), "2025-Q4");
        assert_eq!(quarter_end("2025-Q4"), Some(day("2025-12-31")));
        assert_eq!(quarter_end("2026-Q1"), Some(day("2026-03-31")));
        assert_eq!(quarter_end("2026-Q5"), None);
        assert_eq!(quarter_end("x"), None);
        assert_eq!(previous_quarter("2026-Q1").as_deref(), Some("2025-Q4"));
        assert_eq!(previous_quarter("2026-Q3").as_deref(), Some("2026-Q2"));
    }

    #[test]
    fn reports_are_checked_against_the_measure() {
        let p = Programme::embedded();
        let m = p.measure(2).unwrap();
        let reported = m.indicator.iter().find(|i| i.computed.is_none());
        let computed = m.indicator.iter().find(|i| i.computed.is_some()).unwrap();
        let mut input = ReportInput {
            measure: 2,
            period: "2025-Q4".into(),
            progress: "已召开专题会 / held a meeting".into(),
            indicators: BTreeMap::new(),
            milestones: BTreeMap::from([(m.milestone[0].id.clone(), "in_progress".into())]),
            evidence: String::new(),
        };
        assert!(input.validate(p).is_ok());
        input.indicators.insert(computed.id.clone(), "50".into());
        input.milestones.insert("nope".into(), "done".into());
        input.period = "2031-Q1".into();
        let e = input.validate(p).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"period"), "{fields:?}");
        assert!(fields.contains(&format!("indicators.{}", computed.id).as_str()));
        assert!(fields.contains(&"milestones.nope"));
        if let Some(r) = reported.filter(|r| r.unit != "text") {
            let ok = ReportInput {
                indicators: BTreeMap::from([(r.id.clone(), "十二".into())]),
                ..ReportInput {
                    measure: 2,
                    period: "2025-Q4".into(),
                    progress: "x".into(),
                    indicators: BTreeMap::new(),
                    milestones: BTreeMap::new(),
                    evidence: String::new(),
                }
            };
            assert!(ok.validate(p).is_err(), "not a number");
        }
    }

    #[test]
    fn milestones_are_overdue_when_past_due_and_not_done() {
        let p = Programme::embedded();
        let m = p.measure(1).unwrap();
        let first = &m.milestone[0];
        let after = first.due.succ_opt().unwrap();
        let s = milestone_states(m, &BTreeMap::new(), &BTreeMap::new(), after);
        assert!(s[0].overdue);
        let done = BTreeMap::from([(first.id.clone(), "done".to_string())]);
        assert!(!milestone_states(m, &BTreeMap::new(), &done, after)[0].overdue);
        let moved = BTreeMap::from([(first.id.clone(), after.succ_opt().unwrap())]);
        assert!(!milestone_states(m, &moved, &BTreeMap::new(), after)[0].overdue);
    }
}
