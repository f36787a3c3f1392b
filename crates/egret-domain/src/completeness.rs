//! Completeness of an organisation's answers against one catalog: what is
//! required, answered, explained (comply-or-explain) or missing.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::catalog::{
    Catalog, Catalogs, DataPoint, Obligation, ReportingDuty, Requirement, Section,
};
use crate::org::OrgProfile;
use crate::refdata::ReferenceData;

/// The state of a stored total answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AnswerState {
    Value,
    NotApplicable,
    NotDisclosed,
}

/// The status of one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReqStatus {
    Answered,
    Explained,
    Missing,
    /// The requirement does not apply to this organisation.
    OutOfScope,
}

impl ReqStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReqStatus::Answered => "answered",
            ReqStatus::Explained => "explained",
            ReqStatus::Missing => "missing",
            ReqStatus::OutOfScope => "out_of_scope",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ReqStatus::Answered => "completeness-answered",
            ReqStatus::Explained => "completeness-explained",
            ReqStatus::Missing => "completeness-missing",
            ReqStatus::OutOfScope => "completeness-out-of-scope",
        }
    }
}

/// One requirement with its status.
#[derive(Debug, Clone)]
pub struct ReqRow<'a> {
    pub requirement: &'a Requirement,
    pub section: &'a Section,
    pub datapoint: &'a DataPoint,
    pub status: ReqStatus,
}

/// Totals over the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub applicable: usize,
    pub required: usize,
    pub answered: usize,
    pub explained: usize,
    pub missing: usize,
    pub required_missing: usize,
}

/// The completeness of one organisation against one catalog.
#[derive(Debug, Clone)]
pub struct Completeness<'a> {
    pub catalog: &'a Catalog,
    pub duty: ReportingDuty,
    pub rows: Vec<ReqRow<'a>>,
}

impl Completeness<'_> {
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            total: self.rows.len(),
            ..Counts::default()
        };
        for r in &self.rows {
            if r.status == ReqStatus::OutOfScope {
                continue;
            }
            c.applicable += 1;
            let required = r.requirement.obligation == Obligation::Required;
            if required {
                c.required += 1;
            }
            match r.status {
                ReqStatus::Answered => c.answered += 1,
                ReqStatus::Explained => c.explained += 1,
                ReqStatus::Missing => {
                    c.missing += 1;
                    if required {
                        c.required_missing += 1;
                    }
                }
                ReqStatus::OutOfScope => {}
            }
        }
        c
    }

    /// Answered or explained, over applicable, in per cent (1 dp).
    pub fn percent_complete(&self) -> Decimal {
        let c = self.counts();
        if c.applicable == 0 {
            return Decimal::ONE_HUNDRED;
        }
        (Decimal::from(c.answered + c.explained) * Decimal::ONE_HUNDRED
            / Decimal::from(c.applicable))
        .round_dp(1)
    }
}

/// Computes the status of every requirement of `catalog` from the states
/// of the stored totals (keyed by data point id).
pub fn completeness<'a>(
    cats: &'a Catalogs,
    catalog: &'a Catalog,
    profile: &OrgProfile,
    rd: &ReferenceData,
    answers: &BTreeMap<String, AnswerState>,
) -> Completeness<'a> {
    let rows = catalog
        .requirements
        .iter()
        .filter_map(|r| {
            let dp = cats.datapoint(&r.datapoint)?;
            let section = catalog.section(&r.section)?;
            let status = if !r.applies.applies_to(profile, rd) {
                ReqStatus::OutOfScope
            } else {
                match answers.get(&r.datapoint) {
                    Some(AnswerState::Value) => ReqStatus::Answered,
                    Some(AnswerState::NotApplicable | AnswerState::NotDisclosed) => {
                        ReqStatus::Explained
                    }
                    None => ReqStatus::Missing,
                }
            };
            Some(ReqRow {
                requirement: r,
                section,
                datapoint: dp,
                status,
            })
        })
        .collect();
    Completeness {
        catalog,
        duty: catalog.duty(profile, rd),
        rows,
    }
}
