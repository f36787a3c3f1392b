//! Persistence for Egret on SQLite (embedded default) or PostgreSQL
//! (production, and the path to Citus), through sqlx's `Any` driver.
//!
//! Every public function that touches organisation data takes the acting
//! [`Principal`] and enforces the access rules of
//! [`egret_domain::access`] itself: callers (web handlers, CLI commands,
//! the demo generator) cannot bypass them. Every write runs in one
//! transaction together with its audit-log entry.

mod accounts;
mod assurance;
mod audit;
mod awards;
mod bank;
mod carbon;
mod cases;
mod data;
mod db;
mod error;
mod factors;
mod fx;
mod institutions;
mod narratives;
mod orgs;
mod pact;
mod pcf;
mod plan;
mod product_systems;
mod ratings;
mod statistics;
mod submissions;

pub use accounts::{ApiTokenInfo, MIN_PASSWORD_LEN, NewUser, SessionInfo, User, hash_password};
pub use assurance::{Conclusion, CoverageYear, Engagement, EngagementInput, Finding};
pub use audit::AuditEntry;
pub use awards::AwardApplication;
pub use bank::{
    BankCall, DisclosureSummary, Facility, FacilityInput, GradeCard, RuleSetRecord, bank_of,
};
pub use carbon::{
    ActivityInput, ActivityRecord, OutputRecord, ResultRecord, RunRecord, by_category,
};
pub use cases::{CaseInput, CaseRecord};
pub use data::{
    EvidenceInfo, MAX_EVIDENCE_BYTES, PendingUpload, PutReport, Source, ValueInput, ValueRecord,
    answer_map, answer_states, value_set,
};
pub use db::{Backend, Store};
pub use error::StoreError;
pub use factors::{FactorInput, FactorOwner, GasInput};
pub use fx::{FxRateRecord, findings};
pub use institutions::{InstitutionRecord, QualificationRecord, ServiceRecord};
pub use narratives::{MAX_NARRATIVE_CHARS, NarrativeRecord};
pub use orgs::{
    Bucket, ImportMode, ImportReport, OrgFilter, OrgRecord, Page, PageOf, PeriodRecord,
    RegisterSummary, SiteRecord, Tx,
};
pub use pact::{PACT_TOKEN_SECONDS, PactCallback, PactClient, PactEventRecord};
pub use pcf::{CertificateRecord, PcfRecord};
pub use plan::{Adjustment, Evaluation, MeasureReport, PlanRecord};
pub use product_systems::{
    CalculationRecord, PactSupplier, ReceivedFootprint, SystemSummary, SystemVersion, VersionInfo,
};
pub use ratings::{ControversyRecord, Objection, RatingRun};
pub use statistics::{CityFacts, PublishedFigure};
pub use submissions::{BrokenLink, GENESIS, SubmissionRecord, canonical, chain_digest};

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
