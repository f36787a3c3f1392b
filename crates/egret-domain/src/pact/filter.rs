//! The v3 `ListFootprints` filters (also the criteria of a
//! `RequestCreatedEvent`). See [`FootprintFilter`] for how criteria combine.

use std::fmt;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::formats::{format_date_time, parse_date_time, parse_query_date_time};
use super::v3::ProductFootprintV3;

/// The filter criteria of a `ListFootprints` request or a
/// `RequestCreatedEvent`. Empty lists and `None` do not restrict.
///
/// # How filters combine
///
/// - **Within one criterion, values are ORed**: `productId=a&productId=b`
///   matches a footprint whose `productIds` contain `a` or `b`. This holds
///   for `productId`, `companyId`, `geography`, `classification` and
///   `status` (repeat the parameter; values are not split at commas).
/// - **Different criteria are ANDed**: `status=Active&productId=a` matches
///   only active footprints of product `a`.
/// - A criterion not given does not restrict; no criterion at all matches
///   every footprint.
///
/// Identifier, geography and status values match case-insensitively and
/// exactly (no prefix or containment: `geography=CN` does not match a
/// footprint given for `CN-FJ`, because each returned footprint must carry
/// the requested value in one of its geography properties). Values are
/// opaque: a value that is not a URN, or a status other than `Active` or
/// `Deprecated`, is not an error but matches nothing (the conformance
/// tool's cases #29 and #37 require `200` with the matching or empty list).
///
/// Validity criteria use the footprint's validity period
/// ([`ProductFootprintV3::validity`](super::ProductFootprintV3::validity): the given period, else
/// `referencePeriodEnd` plus three years): `validOn=t` matches
/// start ≤ t ≤ end, `validAfter=t` matches start > t, `validBefore=t`
/// matches end < t. Each may be given once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FootprintFilter {
    /// `productId`: matches `productIds`.
    pub product_ids: Vec<String>,
    /// `companyId`: matches `companyIds`.
    pub company_ids: Vec<String>,
    /// `geography`: matches the country, subdivision or region.
    pub geographies: Vec<String>,
    /// `classification`: matches `productClassifications`.
    pub classifications: Vec<String>,
    /// `validOn`.
    pub valid_on: Option<DateTime<Utc>>,
    /// `validAfter`.
    pub valid_after: Option<DateTime<Utc>>,
    /// `validBefore`.
    pub valid_before: Option<DateTime<Utc>>,
    /// `status` values as given (matched case-insensitively).
    pub statuses: Vec<String>,
}

/// A malformed query parameter: which one, and why (answer `400
/// BadRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// The parameter's name as given.
    pub parameter: String,
    /// What is wrong with it (English).
    pub message: String,
}

impl FilterError {
    pub(crate) fn new(parameter: &str, message: impl Into<String>) -> Self {
        FilterError {
            parameter: parameter.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "query parameter {}: {}", self.parameter, self.message)
    }
}

impl std::error::Error for FilterError {}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Param {
    ProductId,
    CompanyId,
    Geography,
    Classification,
    ValidOn,
    ValidAfter,
    ValidBefore,
    Status,
    /// `limit`, `offset` (see [`Paging`](super::Paging)) and `x-…`
    /// extension parameters: not filters.
    Ignored,
}

fn param(name: &str) -> Result<Param, FilterError> {
    let lower = name.to_ascii_lowercase();
    let bare = lower.strip_suffix("[]").unwrap_or(&lower);
    Ok(match bare {
        "productid" => Param::ProductId,
        "companyid" => Param::CompanyId,
        "geography" => Param::Geography,
        "classification" => Param::Classification,
        "validon" => Param::ValidOn,
        "validafter" => Param::ValidAfter,
        "validbefore" => Param::ValidBefore,
        "status" => Param::Status,
        "limit" | "offset" => Param::Ignored,
        x if x.starts_with("x-") => Param::Ignored,
        "$filter" => {
            return Err(FilterError::new(
                name,
                "the OData $filter of PACT v2 is not supported in v3; use productId, companyId, \
                 geography, classification, validOn, validAfter, validBefore and status",
            ));
        }
        _ => return Err(FilterError::new(name, "unknown query parameter")),
    })
}

/// Splits and decodes an `application/x-www-form-urlencoded` query string
/// (`+` is a space, `%XX` a byte; the result must be UTF-8).
pub(crate) fn decode_query(raw: &str) -> Result<Vec<(String, String)>, FilterError> {
    let raw = raw.strip_prefix('?').unwrap_or(raw);
    let mut out = Vec::new();
    for part in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let name = decode_component(k).map_err(|m| FilterError::new(k, m))?;
        let value = decode_component(v).map_err(|m| FilterError::new(&name, m))?;
        out.push((name, value));
    }
    Ok(out)
}

fn decode_component(s: &str) -> Result<String, &'static str> {
    let b = s.as_bytes();
    let mut bytes = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = b.get(i + 1..i + 3).ok_or("broken percent-encoding")?;
                let hex = std::str::from_utf8(hex).map_err(|_| "broken percent-encoding")?;
                bytes.push(u8::from_str_radix(hex, 16).map_err(|_| "broken percent-encoding")?);
                i += 2;
            }
            c => bytes.push(c),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 after percent-decoding")
}

fn set_once(slot: &mut Option<DateTime<Utc>>, name: &str, value: &str) -> Result<(), FilterError> {
    if slot.is_some() {
        return Err(FilterError::new(name, "may be given only once"));
    }
    let t = parse_query_date_time(value).ok_or_else(|| {
        FilterError::new(
            name,
            format!("{value:?} is not a date-time; use RFC 3339, e.g. 2025-04-01T00:00:00Z"),
        )
    })?;
    *slot = Some(t);
    Ok(())
}

fn any_eq(wanted: &[String], have: &[String]) -> bool {
    wanted
        .iter()
        .any(|w| have.iter().any(|h| h.eq_ignore_ascii_case(w)))
}

impl FootprintFilter {
    /// The filter of decoded query parameters, in order. Parameter names
    /// are case-insensitive (`productid`, `productId[]` work too); `limit`,
    /// `offset` and `x-…` parameters are skipped; `$filter`, unknown
    /// parameters, empty values, repeated or malformed dates are errors.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self, FilterError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut f = FootprintFilter::default();
        for (k, v) in pairs {
            let (name, value) = (k.as_ref(), v.as_ref());
            let p = param(name)?;
            if p == Param::Ignored {
                continue;
            }
            let value = value.trim();
            if value.is_empty() {
                return Err(FilterError::new(name, "must not be empty"));
            }
            match p {
                Param::ProductId => f.product_ids.push(value.to_string()),
                Param::CompanyId => f.company_ids.push(value.to_string()),
                Param::Geography => f.geographies.push(value.to_string()),
                Param::Classification => f.classifications.push(value.to_string()),
                Param::Status => f.statuses.push(value.to_string()),
                Param::ValidOn => set_once(&mut f.valid_on, name, value)?,
                Param::ValidAfter => set_once(&mut f.valid_after, name, value)?,
                Param::ValidBefore => set_once(&mut f.valid_before, name, value)?,
                Param::Ignored => {}
            }
        }
        Ok(f)
    }

    /// The filter of a raw query string (`productId=urn%3Agtin%3A1&…`,
    /// with or without the leading `?`).
    pub fn from_query(raw: &str) -> Result<Self, FilterError> {
        Self::from_pairs(decode_query(raw)?)
    }

    /// The criteria of a `RequestCreatedEvent`'s `data` that passed the
    /// event checks (lists of strings, RFC 3339 dates, status as a string
    /// or a list).
    pub(crate) fn from_event_data(data: &Map<String, Value>) -> Self {
        let strings = |name: &str| -> Vec<String> {
            match data.get(name) {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        let date = |name: &str| {
            data.get(name)
                .and_then(Value::as_str)
                .and_then(parse_date_time)
        };
        FootprintFilter {
            product_ids: strings("productId"),
            company_ids: strings("companyId"),
            geographies: strings("geography"),
            classifications: strings("classification"),
            valid_on: date("validOn"),
            valid_after: date("validAfter"),
            valid_before: date("validBefore"),
            statuses: strings("status"),
        }
    }

    /// The filter as query parameters, for pagination links and callbacks
    /// (values not encoded; [`link_header`](super::link_header) encodes).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut many = |name: &str, values: &[String]| {
            for v in values {
                out.push((name.to_string(), v.clone()));
            }
        };
        many("productId", &self.product_ids);
        many("companyId", &self.company_ids);
        many("geography", &self.geographies);
        many("classification", &self.classifications);
        for (name, t) in [
            ("validOn", self.valid_on),
            ("validAfter", self.valid_after),
            ("validBefore", self.valid_before),
        ] {
            if let Some(t) = t {
                out.push((name.to_string(), format_date_time(t)));
            }
        }
        for s in &self.statuses {
            out.push(("status".to_string(), s.clone()));
        }
        out
    }

    /// Whether no criterion is set.
    pub fn is_empty(&self) -> bool {
        *self == FootprintFilter::default()
    }

    /// Whether `fp` meets every criterion (see the module documentation).
    pub fn matches(&self, fp: &ProductFootprintV3) -> bool {
        if !self.product_ids.is_empty() && !any_eq(&self.product_ids, &fp.product_ids) {
            return false;
        }
        if !self.company_ids.is_empty() && !any_eq(&self.company_ids, &fp.company_ids) {
            return false;
        }
        if !self.classifications.is_empty()
            && !any_eq(&self.classifications, &fp.product_classifications)
        {
            return false;
        }
        if !self.geographies.is_empty()
            && !fp
                .geography()
                .is_some_and(|g| self.geographies.iter().any(|w| w.eq_ignore_ascii_case(g)))
        {
            return false;
        }
        if !self.statuses.is_empty()
            && !self
                .statuses
                .iter()
                .any(|s| s.eq_ignore_ascii_case(fp.status.as_str()))
        {
            return false;
        }
        let (start, end) = fp.validity();
        if self.valid_on.is_some_and(|t| !(start <= t && t <= end)) {
            return false;
        }
        if self.valid_after.is_some_and(|t| start <= t) {
            return false;
        }
        if self.valid_before.is_some_and(|t| end >= t) {
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pact::mapping::tests::meta;
    use crate::pact::{FootprintStatus, parse_date_time, to_v3};
    use crate::pcf::sample;
    use chrono::Duration;

    fn t(s: &str) -> DateTime<Utc> {
        parse_date_time(s).unwrap()
    }

    /// Three footprints like the conformance documentation's: Acme's diesel
    /// (DE, active, valid 2026–2028), Acme's ethanol (CN-FJ, deprecated,
    /// default validity 2026–2029), another company's biodiesel (global).
    fn footprints() -> Vec<ProductFootprintV3> {
        let base = to_v3(&sample(), &meta());
        let mut a = base.clone();
        a.id = "b1f8c0d2-7c4e-4e67-9a9c-2e4c12345678".into();
        a.product_ids = vec!["urn:gtin:1234567890123".into()];
        a.company_ids = vec!["urn:uuid:abc12345-6789-4def-0123-456789abcdef".into()];
        a.product_classifications = vec!["urn:eclass:0173-1#01-AAA123#005".into()];
        a.pcf.geography_country_subdivision = None;
        a.pcf.geography_country = Some("DE".into());
        a.validity_period_start = Some(t("2026-01-15T10:15:30Z"));
        a.validity_period_end = Some(t("2028-12-31T00:00:00Z"));

        let mut b = base.clone();
        b.id = "c2e9d1f3-8d5f-4f78-8b0d-3f5e23456789".into();
        b.product_ids = vec!["urn:gtin:1234567890456".into()];
        b.company_ids = a.company_ids.clone();
        b.product_classifications = vec!["urn:cpc:2422".into()];
        b.status = FootprintStatus::Deprecated;

        let mut c = base;
        c.id = "d3f0e2a4-9e6f-4a89-9c2d-4f6a78901234".into();
        c.product_ids = vec!["urn:gtin:1234567890789".into()];
        c.company_ids = vec!["urn:pact:other.example:company:7".into()];
        c.product_classifications = vec![];
        c.pcf.geography_country_subdivision = None;
        vec![a, b, c]
    }

    fn ids(query: &str) -> Vec<char> {
        let f = FootprintFilter::from_query(query).unwrap();
        footprints()
            .iter()
            .zip(['a', 'b', 'c'])
            .filter(|(fp, _)| f.matches(fp))
            .map(|(_, n)| n)
            .collect()
    }

    #[test]
    fn no_filter_matches_everything() {
        assert_eq!(ids(""), ['a', 'b', 'c']);
        assert_eq!(ids("limit=1&offset=1&x-egret-trace=1"), ['a', 'b', 'c']);
        assert!(FootprintFilter::from_query("").unwrap().is_empty());
    }

    #[test]
    fn conformance_cases_20_to_29_positive() {
        // #20 productId
        assert_eq!(ids("productId=urn:gtin:1234567890123"), ['a']);
        // #21 companyId
        assert_eq!(
            ids("companyId=urn:uuid:abc12345-6789-4def-0123-456789abcdef"),
            ['a', 'b']
        );
        // #22 geography, as country, subdivision and (for no one) region
        assert_eq!(ids("geography=DE"), ['a']);
        assert_eq!(ids("geography=CN-FJ"), ['b']);
        assert_eq!(ids("geography=CN"), Vec::<char>::new());
        // #23 classification ('#' percent-encoded)
        assert_eq!(
            ids("classification=urn:eclass:0173-1%2301-AAA123%23005"),
            ['a']
        );
        // #24 validOn the first footprint's validity start, and at its end
        assert_eq!(ids("validOn=2026-01-15T10:15:30Z"), ['a', 'b', 'c']);
        assert_eq!(ids("validOn=2028-12-31T00:00:00Z"), ['a', 'b', 'c']);
        assert_eq!(ids("validOn=2026-01-01T00:00:00Z"), ['b', 'c']);
        assert_eq!(ids("validOn=2028-12-31T00:00:01Z"), ['b', 'c']);
        // #25 validAfter one day before the start
        assert_eq!(ids("validAfter=2026-01-14T10:15:30.000Z"), ['a']);
        assert_eq!(ids("validAfter=2025-12-31T00:00:00Z"), ['a', 'b', 'c']);
        // #26 validBefore one day after the end
        assert_eq!(ids("validBefore=2029-01-01T00:00:00.000Z"), ['a']);
        assert_eq!(ids("validBefore=2029-01-01T00:00:01Z"), ['a', 'b', 'c']);
        // #27 status
        assert_eq!(ids("status=Active"), ['a', 'c']);
        assert_eq!(ids("status=Deprecated"), ['b']);
        // #28 status AND productId
        assert_eq!(ids("status=Active&productId=urn:gtin:1234567890123"), ['a']);
        assert_eq!(
            ids("status=Deprecated&productId=urn:gtin:1234567890123"),
            Vec::<char>::new()
        );
        // #29 companyId OR companyId OR companyId (non-URN values are fine)
        assert_eq!(
            ids("companyId=urn:uuid:abc12345-6789-4def-0123-456789abcdef\
                 &companyId=Xk3f9QzA&companyId=pL0wQ2rT"),
            ['a', 'b']
        );
        assert_eq!(
            ids("productId=urn:gtin:1234567890123&productId=urn:gtin:1234567890789"),
            ['a', 'c']
        );
    }

    #[test]
    fn conformance_cases_30_to_39_negative() {
        let none = Vec::<char>::new();
        assert_eq!(ids("productId=urn:bogus:product:nonexistent123"), none); // #30
        assert_eq!(ids("companyId=urn:bogus:company:nonexistent456"), none); // #31
        assert_eq!(ids("geography=XX"), none); // #32
        assert_eq!(ids("classification=urn:bogus:classification:x789"), none); // #33
        assert_eq!(ids("validOn=1900-01-01T00:00:00Z"), none); // #34
        assert_eq!(ids("validAfter=2099-12-31T23:59:59Z"), none); // #35
        assert_eq!(ids("validBefore=1900-01-01T00:00:00Z"), none); // #36
        assert_eq!(ids("status=BogusStatusQ2x8"), none); // #37
        assert_eq!(
            ids("companyId=urn:bogus:company:5FIi8zS3&productId=urn:bogus:product:n123"),
            none
        ); // #38
        assert_eq!(
            ids(
                "companyId=urn:bogus:company:n1&companyId=urn:bogus:company:n2\
                 &companyId=urn:bogus:company:n3"
            ),
            none
        ); // #39
        // AND: one criterion matching is not enough.
        assert_eq!(
            ids("companyId=urn:uuid:abc12345-6789-4def-0123-456789abcdef&geography=XX"),
            none
        );
    }

    #[test]
    fn names_and_values_match_case_insensitively() {
        assert_eq!(ids("PRODUCTID=URN:GTIN:1234567890123"), ['a']);
        assert_eq!(
            ids("productid=urn:gtin:1234567890123&productId[]=urn:gtin:1234567890456"),
            ['a', 'b']
        );
        assert_eq!(ids("status=active"), ['a', 'c']);
        assert_eq!(ids("geography=cn-fj&Geography=de"), ['a', 'b']);
        // The specification's own example date without seconds, and '+'
        // decoded as space.
        assert_eq!(ids("validon=2026-01-15T10:15Z"), ['b', 'c']);
        assert_eq!(ids("validOn=2026-01-15T18:15:30+08:00"), ['a', 'b', 'c']);
        assert_eq!(ids("validOn=2026-01-15T18:15:30%2B08:00"), ['a', 'b', 'c']);
    }

    #[test]
    fn malformed_parameters_are_errors_that_name_the_parameter() {
        let err = |q: &str| FootprintFilter::from_query(q).unwrap_err();
        assert_eq!(err("validOn=2026-13-01").parameter, "validOn");
        assert_eq!(err("validAfter=yesterday").parameter, "validAfter");
        assert!(err("validAfter=yesterday").to_string().contains("RFC 3339"));
        assert_eq!(
            err("validBefore=2026-01-01&validBefore=2027-01-01").message,
            "may be given only once"
        );
        assert_eq!(err("productId=").message, "must not be empty");
        assert_eq!(err("productId=%E4%B8").parameter, "productId");
        assert_eq!(err("productId=%zz").message, "broken percent-encoding");
        assert_eq!(err("sort=created").message, "unknown query parameter");
        assert!(
            err("$filter=created%20ge%20%272023-01-15T10:15:30Z%27")
                .message
                .contains("not supported in v3")
        );
    }

    #[test]
    fn a_filter_round_trips_through_its_pairs() {
        let q = "productId=urn:gtin:1&productId=urn:gtin:2&companyId=urn:x:y&geography=DE\
                 &classification=urn:cpc:1&validOn=2026-01-01T00:00:00Z\
                 &validAfter=2025-01-01&validBefore=2030-01-01T00:00:00Z&status=Active";
        let f = FootprintFilter::from_query(q).unwrap();
        assert_eq!(f.product_ids, ["urn:gtin:1", "urn:gtin:2"]);
        assert_eq!(f.valid_after, Some(t("2025-01-01T00:00:00Z")));
        assert_eq!(FootprintFilter::from_pairs(f.to_pairs()).unwrap(), f);
    }

    #[test]
    fn default_validity_is_three_years_from_the_reference_end() {
        let fp = &footprints()[1];
        let (start, end) = fp.validity();
        assert_eq!(start, t("2026-01-01T00:00:00Z"));
        assert_eq!(end, t("2029-01-01T00:00:00Z"));
        let f = FootprintFilter {
            valid_after: Some(start - Duration::days(1)),
            valid_before: Some(end + Duration::days(1)),
            ..Default::default()
        };
        assert!(f.matches(fp));
    }
}
