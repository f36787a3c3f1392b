//! Pagination of `ListFootprints`: `limit`/`offset` and the RFC 8288 `Link`
//! header with absolute URLs.

use std::fmt::Write;
use std::ops::Range;

use super::filter::{FilterError, decode_query};

/// The `limit` and `offset` of a list request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Paging {
    /// At most this many footprints; `None` leaves the page size to the
    /// server.
    pub limit: Option<usize>,
    /// Footprints to skip (0 when absent).
    pub offset: usize,
}

fn number(name: &str, value: &str) -> Result<usize, FilterError> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|c| c.is_ascii_digit()) {
        return Err(FilterError::new(
            name,
            format!("{value:?} is not a whole number"),
        ));
    }
    v.parse()
        .map_err(|_| FilterError::new(name, "is too large"))
}

impl Paging {
    /// Reads `limit` and `offset` (names case-insensitive) from decoded
    /// query parameters and ignores every other parameter. `limit=0` is
    /// refused: a page that can never advance is no page.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self, FilterError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut p = Paging::default();
        let (mut seen_limit, mut seen_offset) = (false, false);
        for (k, v) in pairs {
            let (name, value) = (k.as_ref(), v.as_ref());
            if name.eq_ignore_ascii_case("limit") {
                if seen_limit {
                    return Err(FilterError::new(name, "may be given only once"));
                }
                seen_limit = true;
                let n = number(name, value)?;
                if n == 0 {
                    return Err(FilterError::new(name, "must be at least 1"));
                }
                p.limit = Some(n);
            } else if name.eq_ignore_ascii_case("offset") {
                if seen_offset {
                    return Err(FilterError::new(name, "may be given only once"));
                }
                seen_offset = true;
                p.offset = number(name, value)?;
            }
        }
        Ok(p)
    }

    /// The same from a raw query string.
    pub fn from_query(raw: &str) -> Result<Self, FilterError> {
        Self::from_pairs(decode_query(raw)?)
    }

    /// The effective page size: the requested limit, capped at `max`.
    pub fn page_size(&self, max: usize) -> usize {
        self.limit.map_or(max, |l| l.min(max)).max(1)
    }
}

/// The indices of the page's items among `total`.
pub fn page_range(total: usize, limit: usize, offset: usize) -> Range<usize> {
    let start = offset.min(total);
    start..start.saturating_add(limit).min(total)
}

/// Percent-encodes a query component: everything but unreserved characters
/// and `:`, `/`, `@` (so URNs and dates stay readable).
fn encode(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'@')
        {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn url(base: &str, query: &[(String, String)], limit: usize, offset: usize) -> String {
    let mut u = String::from(base);
    let mut sep = if base.contains('?') { '&' } else { '?' };
    for (k, v) in query {
        u.push(sep);
        encode(k, &mut u);
        u.push('=');
        encode(v, &mut u);
        sep = '&';
    }
    let _ = write!(u, "{sep}limit={limit}&offset={offset}");
    u
}

/// The `Link` header value for a page of a list of `total` items, or
/// `None` when everything fits on one page.
///
/// `base_url` is the absolute URL of the list endpoint exactly as the
/// client reached it (scheme, host and port of the request, e.g.
/// `https://egret.example:8443/3/footprints`; the specification requires
/// the link's host to equal the request's `Host`), `query` the filter
/// parameters to carry over (e.g. [`FootprintFilter::to_pairs`]; without
/// `limit`/`offset`, which are appended). Links are written in the order
/// `next`, `prev`, `first`, `last`, separated by `", "`; `next` comes first
/// because clients (the conformance tool among them) follow the first link.
///
/// [`FootprintFilter::to_pairs`]: super::FootprintFilter::to_pairs
pub fn link_header(
    base_url: &str,
    query: &[(String, String)],
    total: usize,
    limit: usize,
    offset: usize,
) -> Option<String> {
    let limit = limit.max(1);
    if offset == 0 && total <= limit {
        return None;
    }
    let mut links: Vec<(String, &str)> = Vec::new();
    if offset.saturating_add(limit) < total {
        links.push((url(base_url, query, limit, offset + limit), "next"));
    }
    if offset > 0 {
        links.push((
            url(base_url, query, limit, offset.saturating_sub(limit)),
            "prev",
        ));
    }
    links.push((url(base_url, query, limit, 0), "first"));
    let last = if total == 0 {
        0
    } else {
        (total - 1) / limit * limit
    };
    links.push((url(base_url, query, limit, last), "last"));
    Some(
        links
            .iter()
            .map(|(u, rel)| format!("<{u}>; rel=\"{rel}\""))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pact::FootprintFilter;

    const BASE: &str = "https://127.0.0.1:8443/3/footprints";

    /// Parses a Link header the way the conformance tool does: split at
    /// `", "`, then `<url>; rel="x"`.
    fn parse(header: &str) -> Vec<(String, String)> {
        header
            .split(", ")
            .map(|l| {
                let (u, rel) = l.split_once(">; rel=\"").unwrap();
                (
                    u.trim_start_matches('<').to_string(),
                    rel.trim_end_matches('"').to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn one_page_has_no_links() {
        assert_eq!(link_header(BASE, &[], 2, 10, 0), None);
        assert_eq!(link_header(BASE, &[], 0, 10, 0), None);
        assert_eq!(link_header(BASE, &[], 10, 10, 0), None);
    }

    #[test]
    fn the_first_page_links_next_first() {
        let h = link_header(BASE, &[], 5, 1, 0).unwrap();
        assert_eq!(
            parse(&h),
            [
                (format!("{BASE}?limit=1&offset=1"), "next".to_string()),
                (format!("{BASE}?limit=1&offset=0"), "first".to_string()),
                (format!("{BASE}?limit=1&offset=4"), "last".to_string()),
            ]
        );
        // The tool strips the base URL and prefixes it again.
        let first = &parse(&h)[0].0;
        assert!(first.starts_with("https://127.0.0.1:8443/3/footprints?"));
    }

    #[test]
    fn middle_and_last_pages() {
        let h = link_header(BASE, &[], 25, 10, 10).unwrap();
        let rels: Vec<String> = parse(&h)
            .into_iter()
            .map(|(u, r)| format!("{r} {}", u.rsplit('?').next().unwrap()))
            .collect();
        assert_eq!(
            rels,
            [
                "next limit=10&offset=20",
                "prev limit=10&offset=0",
                "first limit=10&offset=0",
                "last limit=10&offset=20"
            ]
        );
        let h = link_header(BASE, &[], 25, 10, 20).unwrap();
        assert!(!h.contains("rel=\"next\""));
        assert!(h.starts_with(&format!("<{BASE}?limit=10&offset=10>; rel=\"prev\"")));
        // Past the end still links back.
        assert!(
            link_header(BASE, &[], 3, 10, 50)
                .unwrap()
                .contains("rel=\"first\"")
        );
    }

    #[test]
    fn filters_are_carried_and_encoded() {
        let f = FootprintFilter::from_query(
            "productId=urn:eclass:0173-1%2301&geography=DE&status=Active&validOn=2026-01-01T00:00:00%2B08:00",
        )
        .unwrap();
        let h = link_header(BASE, &f.to_pairs(), 3, 1, 0).unwrap();
        let next = &parse(&h)[0].0;
        assert_eq!(
            next,
            &format!(
                "{BASE}?productId=urn:eclass:0173-1%2301&geography=DE\
                 &validOn=2025-12-31T16:00:00Z&status=Active&limit=1&offset=1"
            )
        );
        // The link's query reads back to the same filter and the next page.
        let query = next.split_once('?').unwrap().1;
        assert_eq!(FootprintFilter::from_query(query).unwrap(), f);
        assert_eq!(
            Paging::from_query(query).unwrap(),
            Paging {
                limit: Some(1),
                offset: 1
            }
        );
        // A comma-space inside a value cannot break the header apart.
        let h = link_header(BASE, &[("x-note".into(), "a, b".into())], 3, 1, 0).unwrap();
        assert_eq!(parse(&h).len(), 3);
    }

    #[test]
    fn paging_parameters() {
        assert_eq!(Paging::from_query("").unwrap(), Paging::default());
        assert_eq!(
            Paging::from_query("productId=x&LIMIT=5&offset=10").unwrap(),
            Paging {
                limit: Some(5),
                offset: 10
            }
        );
        assert_eq!(
            Paging::from_query("limit=0").unwrap_err().message,
            "must be at least 1"
        );
        assert_eq!(
            Paging::from_query("limit=-1").unwrap_err().parameter,
            "limit"
        );
        assert_eq!(
            Paging::from_query("offset=ten").unwrap_err().parameter,
            "offset"
        );
        assert_eq!(
            Paging::from_query("limit=1&limit=2").unwrap_err().message,
            "may be given only once"
        );
        assert!(Paging::from_query("limit=99999999999999999999999").is_err());
        let p = Paging::from_query("limit=500").unwrap();
        assert_eq!(p.page_size(100), 100);
        assert_eq!(Paging::default().page_size(100), 100);
        assert_eq!(page_range(5, 2, 4), 4..5);
        assert_eq!(page_range(5, 2, 9), 5..5);
        assert_eq!(page_range(5, usize::MAX, 1), 1..5);
    }
}
