//! Egret's domain model: the rules every other crate relies on.
//!
//! - [`uscc`]: the unified social credit code (GB 32100-2015), parsed and
//!   check-character verified.
//! - [`refdata`]: versioned reference data (districts, pilot zones, industry
//!   clusters, GB/T 4754 industries, size-class table, stock indices, credit
//!   code types), shipped under `data/reference/` and embedded in the binary.
//! - [`org`]: organisation, listing, site and reporting-period inputs and their
//!   validated forms.
//! - [`size`]: the national statistical enterprise size classification.
//! - [`access`]: who may do what.
//!
//! This crate is pure: no HTTP, SQL, async or network; the only I/O is reading
//! reference data files from a directory when asked to. Every user-facing
//! error carries an [`egret_i18n::Msg`] so the edge can render it in the
//! reader's language.

pub mod access;
pub mod assurance;
pub mod awards;
pub mod bank;
pub mod catalog;
pub mod checks;
pub mod completeness;
pub mod fx;
pub mod greenfin;
pub mod institution;
pub mod org;
pub mod pact;
pub mod pcf;
pub mod plan;
pub mod product_system;
pub mod programme;
pub mod rating;
pub mod refdata;
pub mod size;
pub mod units;
pub mod uscc;
pub mod value;
pub mod xbrl;

pub use org::{
    Exchange, FieldError, Listing, ListingInput, OrgInput, OrgProfile, Ownership, ParseCodeError,
    Period, PeriodInput, Site, SiteInput, SiteKind, SizeClass,
};
pub use refdata::{RefDataError, ReferenceData};
pub use size::{Indicator, SizeOutcome, classify};
pub use uscc::{Uscc, UsccError, check_char};

#[cfg(test)]
mod catalog_tests {
    //! Every catalog key this crate can produce must exist in both languages.

    use egret_i18n::{Lang, has_key};

    /// The crate's sources, scanned for `"domain-…"` string literals so a key
    /// added in code without a catalog entry fails here.
    const SOURCES: &[(&str, &str)] = &[
        ("lib.rs", include_str!("lib.rs")),
        ("uscc.rs", include_str!("uscc.rs")),
        ("refdata.rs", include_str!("refdata.rs")),
        ("size.rs", include_str!("size.rs")),
        ("org.rs", include_str!("org.rs")),
        ("org/codes.rs", include_str!("org/codes.rs")),
        ("org/listing.rs", include_str!("org/listing.rs")),
        ("org/site.rs", include_str!("org/site.rs")),
        ("org/period.rs", include_str!("org/period.rs")),
        ("bank.rs", include_str!("bank.rs")),
        ("greenfin.rs", include_str!("greenfin.rs")),
        ("pcf.rs", include_str!("pcf.rs")),
        ("product_system.rs", include_str!("product_system.rs")),
    ];

    fn literal_keys() -> Vec<String> {
        let mut keys = Vec::new();
        for (_, src) in SOURCES {
            let mut rest = *src;
            while let Some(i) = rest.find("\"domain-") {
                let tail = &rest[i + 1..];
                let end = tail.find('"').unwrap_or(tail.len());
                let key = &tail[..end];
                if key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    && !key.ends_with('-')
                {
                    keys.push(key.to_string());
                }
                rest = &tail[end..];
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    #[test]
    fn every_literal_key_is_in_both_catalogs() {
        let keys = literal_keys();
        assert!(keys.len() > 40, "scanner found only {keys:?}");
        for key in keys {
            for lang in Lang::ALL {
                assert!(has_key(lang, &key), "{key} missing in {lang}");
            }
        }
    }
}
