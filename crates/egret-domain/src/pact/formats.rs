//! The string formats the PACT schemas use: UUIDs, URNs, URIs, RFC 3339
//! date-times, decimal strings and ISO 3166 codes.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};

/// Whether `s` is a UUID in its canonical text form: 32 hexadecimal digits
/// in groups 8-4-4-4-12, either case (RFC 9562; any version, as the
/// schemas' `format: uuid`).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether `s` is a URN as RFC 8141 writes one: `urn:` (any case), a
/// namespace identifier of 2–32 letters, digits or hyphens that starts
/// with a letter or digit and does not end with a hyphen, `:`, and a
/// non-empty namespace-specific string without whitespace or control
/// characters. This is stricter than the schemas' bare `^urn:` pattern,
/// which every such string also satisfies.
pub fn is_urn(s: &str) -> bool {
    let Some(prefix) = s.get(..4) else {
        return false;
    };
    if !prefix.eq_ignore_ascii_case("urn:") {
        return false;
    }
    let rest = &s[4..];
    let Some((nid, nss)) = rest.split_once(':') else {
        return false;
    };
    let nid_ok = (2..=32).contains(&nid.len())
        && nid.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        && nid.as_bytes()[0].is_ascii_alphanumeric()
        && !nid.ends_with('-');
    nid_ok && !nss.is_empty() && !nss.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `s` is an absolute URI: a scheme (letter, then letters, digits,
/// `+`, `-`, `.`), `:`, and at least one more character, with no whitespace
/// or control characters.
pub(crate) fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut sc = scheme.bytes();
    sc.next().is_some_and(|c| c.is_ascii_alphabetic())
        && sc.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        && !rest.is_empty()
        && no_space(s)
}

/// Whether `s` could be a URI reference (absolute or relative): non-empty,
/// with no whitespace or control characters.
pub(crate) fn is_uri_reference(s: &str) -> bool {
    !s.is_empty() && no_space(s)
}

fn no_space(s: &str) -> bool {
    !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn digits(s: &str) -> Option<u32> {
    if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Parses an RFC 3339 `date-time` (`2025-01-01T00:00:00Z`,
/// `2025-04-30T08:00:00.5+08:00`; `T` and `Z` in either case) exactly as
/// the grammar writes it: four-digit year, two-digit fields, a real calendar
/// day, seconds 00–59, optional fraction, and `Z` or a `±hh:mm` offset.
/// Returns the instant in UTC.
pub fn parse_date_time(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        digits(&s[0..4])? as i32,
        digits(&s[5..7])?,
        digits(&s[8..10])?,
    )?;
    let (h, m, sec) = (
        digits(&s[11..13])?,
        digits(&s[14..16])?,
        digits(&s[17..19])?,
    );
    let mut rest = &s[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let mut padded: String = frac[..n.min(9)].to_string();
        while padded.len() < 9 {
            padded.push('0');
        }
        nanos = padded.parse().ok()?;
        rest = &frac[n..];
    }
    let offset_secs = match rest {
        "Z" | "z" => 0,
        _ => {
            let ob = rest.as_bytes();
            if ob.len() != 6 || !matches!(ob[0], b'+' | b'-') || ob[3] != b':' {
                return None;
            }
            let (oh, om) = (digits(&rest[1..3])?, digits(&rest[4..6])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = (oh * 3600 + om * 60) as i32;
            if ob[0] == b'-' { -secs } else { secs }
        }
    };
    if sec > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(h, m, sec, nanos)?;
    let offset = FixedOffset::east_opt(offset_secs)?;
    let local = offset.from_local_datetime(&date.and_time(time)).single()?;
    Some(local.with_timezone(&Utc))
}

/// Parses a date-time given as a query parameter, more leniently than
/// [`parse_date_time`]: a space where the offset's `+` was (form decoding
/// turns an unescaped `+` into a space), a missing seconds field
/// (`2025-04-01T00:00Z`, as the specification's own example), or a bare
/// date (`2025-04-01`, meaning midnight UTC).
pub(crate) fn parse_query_date_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim_start();
    if let Some(t) = parse_date_time(s) {
        return Some(t);
    }
    let fixed = s.replace(' ', "+");
    if let Some(t) = parse_date_time(&fixed) {
        return Some(t);
    }
    // hh:mm without seconds: insert ":00" after the minutes.
    let b = fixed.as_bytes();
    if b.len() >= 17 && matches!(b[10], b'T' | b't') && b[13] == b':' && b[16] != b':' {
        let with_secs = format!("{}:00{}", &fixed[..16], &fixed[16..]);
        if let Some(t) = parse_date_time(&with_secs) {
            return Some(t);
        }
    }
    if s.len() == 10 {
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        return Some(d.and_time(NaiveTime::MIN).and_utc());
    }
    None
}

/// Formats an instant as Egret writes every PACT date-time: RFC 3339 in
/// UTC with `Z`, whole seconds unless there is a fraction.
pub fn format_date_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Serde for `DateTime<Utc>` as an RFC 3339 string ([`format_date_time`] /
/// [`parse_date_time`]).
pub(crate) mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_date_time(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_date_time(&s)
            .ok_or_else(|| D::Error::custom(format!("not an RFC 3339 date-time: {s:?}")))
    }

    /// The same for `Option<DateTime<Utc>>`.
    pub mod option {
        use chrono::{DateTime, Utc};
        use serde::{Deserialize, Deserializer, Serializer, de::Error};

        pub fn serialize<S: Serializer>(
            t: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&super::super::format_date_time(*t)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(s) => super::super::parse_date_time(&s)
                    .map(Some)
                    .ok_or_else(|| D::Error::custom(format!("not an RFC 3339 date-time: {s:?}"))),
            }
        }
    }
}

/// The sign constraint a decimal string of the v3 schema carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sign {
    /// `Decimal`: `^[+-]?\d+(\.\d+)?$`.
    Any,
    /// `PositiveNonZeroDecimal`: no minus sign, not zero.
    Positive,
    /// `PositiveOrZeroDecimal`: `^[+]?\d+(\.\d+)?$`.
    PositiveOrZero,
    /// `NegativeOrZeroDecimal`: a minus sign, or zero written without sign.
    NegativeOrZero,
}

/// Why a decimal string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalFault {
    /// Not `^[+-]?\d+(\.\d+)?$`.
    Syntax,
    /// Well-formed, but the sign constraint fails.
    Sign,
}

/// Checks a decimal string against the decimal grammar and a sign
/// constraint (the intent of the schema's patterns).
pub(crate) fn check_decimal(s: &str, sign: Sign) -> Result<(), DecimalFault> {
    let (sign_char, body) = match s.as_bytes().first() {
        Some(b'+') => (Some('+'), &s[1..]),
        Some(b'-') => (Some('-'), &s[1..]),
        _ => (None, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let all_digits = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err(DecimalFault::Syntax);
    }
    let zero = body.bytes().all(|c| c == b'0' || c == b'.');
    let ok = match sign {
        Sign::Any => true,
        Sign::Positive => sign_char != Some('-') && !zero,
        Sign::PositiveOrZero => sign_char != Some('-'),
        Sign::NegativeOrZero => sign_char == Some('-') || (sign_char.is_none() && zero),
    };
    if ok { Ok(()) } else { Err(DecimalFault::Sign) }
}

/// ISO 3166-1 alpha-2 country codes (officially assigned), sorted.
const COUNTRIES: &str = "\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Whether `s` is an officially assigned ISO 3166-1 alpha-2 code
/// (upper case).
pub fn is_country_code(s: &str) -> bool {
    s.len() == 2
        && s.bytes().all(|c| c.is_ascii_uppercase())
        && COUNTRIES.split(' ').any(|c| c == s)
}

/// Whether `s` is an ISO 3166-2 subdivision code: an assigned country code,
/// `-`, and one to three upper-case letters or digits (the schema's
/// `^[A-Z]{2}-[A-Z0-9]{1,3}$`).
pub(crate) fn is_subdivision_code(s: &str) -> bool {
    match s.split_once('-') {
        Some((country, sub)) => {
            is_country_code(country)
                && (1..=3).contains(&sub.len())
                && sub
                    .bytes()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        }
        None => false,
    }
}

/// Whether `s` names an IPCC assessment report: `^AR\d+$`.
pub(crate) fn is_ipcc_report(s: &str) -> bool {
    s.strip_prefix("AR")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
}

/// Whether `s` matches the `specVersion` pattern `^\d+\.\d+\.\d+(-\d{8})?$`
/// with the given major version.
pub(crate) fn is_spec_version(s: &str, major: u32) -> bool {
    let (core, suffix) = match s.split_once('-') {
        Some((c, d)) => (c, Some(d)),
        None => (s, None),
    };
    if suffix.is_some_and(|d| d.len() != 8 || !d.bytes().all(|c| c.is_ascii_digit())) {
        return false;
    }
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        && parts[0].parse::<u32>() == Ok(major)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids() {
        assert!(is_uuid("079e425a-464f-528d-341d-4a944a1dfd70"));
        assert!(is_uuid("00000000-0000-0000-0000-000000000000"));
        assert!(is_uuid("F4B1225A-BD44-4C8E-861D-079E4E1DFD69"));
        assert!(!is_uuid("urn:gtin:4712345060507"));
        assert!(!is_uuid("079e425a464f528d341d4a944a1dfd70"));
        assert!(!is_uuid("079e425a-464f-528d-341d-4a944a1dfd7g"));
        assert!(!is_uuid("1934405d-4f9b-4b3b-9c05bc35-68f8"));
    }

    #[test]
    fn urns() {
        for ok in [
            "urn:pact:sample.com:product-id:44055-9c05bc35-68f8",
            "URN:gtin:1234567890123",
            "urn:uuid:abc12345-6789-4def-0123-456789abcdef",
            "urn:eclass:0173-1#01-AAA123#005",
            "urn:pact:null",
            "urn:cpc:0151",
        ] {
            assert!(is_urn(ok), "{ok}");
        }
        for bad in [
            "gtin:123",
            "urn:",
            "urn:x:abc",
            "urn:-ab:c",
            "urn:ab-:c",
            "urn:gtin:",
            "urn:gtin",
            "urn:gtin:12 34",
            "abc12345",
        ] {
            assert!(!is_urn(bad), "{bad}");
        }
    }

    #[test]
    fn uris() {
        assert!(is_uri("https://example.com/schema.json"));
        assert!(is_uri("urn:isbn:123"));
        assert!(!is_uri("example.com/schema.json"));
        assert!(!is_uri("1http://x"));
        assert!(!is_uri("https://exa mple.com"));
        assert!(is_uri_reference("/3/events"));
        assert!(!is_uri_reference(""));
    }

    #[test]
    fn date_times() {
        let t = parse_date_time("2025-04-30T08:00:00+08:00").unwrap();
        assert_eq!(format_date_time(t), "2025-04-30T00:00:00Z");
        assert_eq!(
            format_date_time(parse_date_time("2023-05-19T10:30:00.123Z").unwrap()),
            "2023-05-19T10:30:00.123Z"
        );
        assert!(parse_date_time("2024-02-29t23:59:59z").is_some());
        for bad in [
            "2025-02-29T00:00:00Z",
            "2025-01-01",
            "2025-01-01T00:00Z",
            "2025-01-01 00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T00:00:60Z",
            "2025-01-01T00:00:00",
            "2025-01-01T00:00:00+0800",
            "2025-01-01T00:00:00.Z",
            "25-01-01T00:00:00Z",
            "tomorrow",
        ] {
            assert!(parse_date_time(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn query_date_times_are_lenient_but_not_careless() {
        let want = parse_date_time("2025-04-01T00:00:00Z").unwrap();
        for s in [
            "2025-04-01T00:00:00Z",
            "2025-04-01T00:00Z",
            "2025-04-01",
            "2025-04-01T00:00:00 00:00",
            "2025-04-01T00:00:00.000Z",
        ] {
            assert_eq!(parse_query_date_time(s), Some(want), "{s}");
        }
        assert_eq!(
            parse_query_date_time("2025-04-01T08:00 08:00"),
            Some(want),
            "space for + and no seconds"
        );
        assert!(parse_query_date_time("2025-13-01").is_none());
        assert!(parse_query_date_time("yesterday").is_none());
    }

    #[test]
    fn decimals() {
        use DecimalFault::{Sign as SignFault, Syntax};
        let c = check_decimal;
        assert_eq!(c("12.5", Sign::Any), Ok(()));
        assert_eq!(c("-14.22", Sign::Any), Ok(()));
        assert_eq!(c("+3", Sign::Any), Ok(()));
        for bad in ["", "1.", ".5", "1e5", "1,5", "--1", "0x10", " 1", "NaN"] {
            assert_eq!(c(bad, Sign::Any), Err(Syntax), "{bad}");
        }
        assert_eq!(c("0", Sign::Positive), Err(SignFault));
        assert_eq!(c("0.000", Sign::Positive), Err(SignFault));
        assert_eq!(c("-1", Sign::Positive), Err(SignFault));
        assert_eq!(c("0.001", Sign::Positive), Ok(()));
        assert_eq!(c("0", Sign::PositiveOrZero), Ok(()));
        assert_eq!(c("-0", Sign::PositiveOrZero), Err(SignFault));
        assert_eq!(c("-4.34", Sign::NegativeOrZero), Ok(()));
        assert_eq!(c("-0", Sign::NegativeOrZero), Ok(()));
        assert_eq!(c("0.0", Sign::NegativeOrZero), Ok(()));
        assert_eq!(c("+0", Sign::NegativeOrZero), Err(SignFault));
        assert_eq!(c("1", Sign::NegativeOrZero), Err(SignFault));
    }

    #[test]
    fn country_codes() {
        let all: Vec<&str> = COUNTRIES.split(' ').collect();
        assert_eq!(all.len(), 249);
        assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        assert!(is_country_code("CN"));
        assert!(is_country_code("DE"));
        assert!(!is_country_code("XX"));
        assert!(!is_country_code("cn"));
        assert!(is_subdivision_code("CN-FJ"));
        assert!(is_subdivision_code("US-CA"));
        assert!(is_subdivision_code("FR-75C"));
        assert!(!is_subdivision_code("XX-FJ"));
        assert!(!is_subdivision_code("CN-FJAN"));
        assert!(!is_subdivision_code("CN"));
    }

    #[test]
    fn small_patterns() {
        assert!(is_ipcc_report("AR6"));
        assert!(is_ipcc_report("AR10"));
        assert!(!is_ipcc_report("AR"));
        assert!(!is_ipcc_report("ar6"));
        assert!(is_spec_version("3.0.3", 3));
        assert!(is_spec_version("3.0.0-20250430", 3));
        assert!(!is_spec_version("3.0", 3));
        assert!(!is_spec_version("2.3.0", 3));
        assert!(!is_spec_version("3.0.0-2025", 3));
    }
}
