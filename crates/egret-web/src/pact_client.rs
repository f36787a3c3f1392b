//! Egret as a PACT *data recipient*: reads a supplier's footprints from the
//! supplier's own PACT v3 endpoint (WBCSD PACT Technical Specifications
//! v3.0).
//!
//! [`fetch_v3`] takes the supplier's base URL (the part before
//! `/auth/token` and `/3/footprints`, e.g.
//! `https://egret.example/pact/91350203LNMX553N5H`) and the client id and
//! secret the supplier issued, then
//!
//! 1. `POST {base}/auth/token` with the credentials in HTTP Basic and the
//!    form body `grant_type=client_credentials`; the answer must carry an
//!    `access_token` of `token_type` `Bearer`;
//! 2. `GET {base}/3/footprints` with that bearer token, and follows the
//!    RFC 8288 `Link` header's `rel="next"` target page by page (several
//!    links in one header or over several headers; the target resolved
//!    against the page's URL, on the supplier's host only; at most
//!    [`MAX_PAGES`] pages);
//! 3. checks each page's structure (`{"data": [...]}`, as
//!    [`check_v3_list_response`]) and each footprint on its own with
//!    [`received_from_v3`]: valid ones are [`Fetched::received`], the
//!    others [`Fetched::rejected`] with their schema violations.
//!
//! Every request has a timeout ([`REQUEST_TIMEOUT`]) and every answer a
//! size limit ([`MAX_BODY`]). A PACT error body (`{code, message}`) from
//! the supplier becomes [`FetchError::Supplier`]. Nothing here stores
//! anything: the caller keeps what was received.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use egret_domain::pact::{Received, check_v3_list_response, received_from_v3};
use egret_i18n::{Lang, Msg};
use reqwest::header::{ACCEPT, LINK};
use reqwest::{StatusCode, Url};
use serde_json::Value;

/// Pages read at most before giving up with [`FetchError::TooManyPages`].
pub const MAX_PAGES: usize = 100;
/// Time allowed for each request, from connecting to the end of the body.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// The largest answer read (bytes).
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// How [`fetch_v3_with`] reads the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// `limit` asked of the first page (`None`: the supplier's page size).
    pub limit: Option<usize>,
    /// Pages read at most.
    pub max_pages: usize,
    /// Time allowed for each request.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            limit: None,
            max_pages: MAX_PAGES,
            timeout: REQUEST_TIMEOUT,
        }
    }
}

/// What a supplier's endpoint gave.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fetched {
    /// Footprints that pass the v3 schema checks, in the supplier's order,
    /// each once (a footprint listed again on a later page is skipped).
    pub received: Vec<Received>,
    /// Footprints that do not: the footprint's `id` (or, without one,
    /// where it was: `page 2, data[3]`) and every schema violation.
    pub rejected: Vec<(String, Vec<String>)>,
    /// Pages read.
    pub pages: usize,
}

/// Why a supplier's footprints could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The base URL is not an absolute http(s) URL without query.
    InvalidUrl { url: String },
    /// No answer from `url`: connection refused, name unknown, TLS, timeout.
    Connect { url: String, detail: String },
    /// The token endpoint refused the credentials (HTTP 400, 401 or 403).
    AuthRefused { url: String, status: u16 },
    /// The token endpoint answered, but without a usable bearer token.
    BadToken { url: String, what: String },
    /// The supplier answered with a PACT error body.
    Supplier {
        url: String,
        status: u16,
        code: String,
        message: String,
    },
    /// An answer Egret cannot use: not JSON, not a footprint list, a bad
    /// `Link` header, an unexpected status.
    BadResponse { url: String, what: String },
    /// The list goes on beyond this many pages.
    TooManyPages { max: usize },
}

impl FetchError {
    /// The message for the reader (keys `exch-fetch-…`).
    pub fn msg(&self) -> Msg {
        match self {
            FetchError::InvalidUrl { url } => Msg::new("exch-fetch-url").arg("url", url),
            FetchError::Connect { url, detail } => Msg::new("exch-fetch-connect")
                .arg("url", url)
                .arg("detail", detail),
            FetchError::AuthRefused { url, status } => Msg::new("exch-fetch-auth")
                .arg("url", url)
                .arg("status", status),
            FetchError::BadToken { url, what } => Msg::new("exch-fetch-token")
                .arg("url", url)
                .arg("what", what),
            FetchError::Supplier {
                url,
                status,
                code,
                message,
            } => Msg::new("exch-fetch-supplier")
                .arg("url", url)
                .arg("status", status)
                .arg("code", code)
                .arg("message", message),
            FetchError::BadResponse { url, what } => Msg::new("exch-fetch-response")
                .arg("url", url)
                .arg("what", what),
            FetchError::TooManyPages { max } => Msg::new("exch-fetch-pages").arg("max", max),
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().render(Lang::En))
    }
}

impl std::error::Error for FetchError {}

/// Reads every footprint the supplier's PACT v3 endpoint at `base_url`
/// lists for these credentials (see the module documentation), with the
/// default [`FetchOptions`].
pub async fn fetch_v3(
    http: &reqwest::Client,
    base_url: &str,
    client_id: &str,
    client_secret: &str,
) -> Result<Fetched, FetchError> {
    fetch_v3_with(
        http,
        base_url,
        client_id,
        client_secret,
        &FetchOptions::default(),
    )
    .await
}

/// [`fetch_v3`] with a page size, a page cap and a timeout of one's own.
pub async fn fetch_v3_with(
    http: &reqwest::Client,
    base_url: &str,
    client_id: &str,
    client_secret: &str,
    options: &FetchOptions,
) -> Result<Fetched, FetchError> {
    let (base, origin) = parse_base(base_url)?;
    let token = access_token(http, &base, client_id, client_secret, options.timeout).await?;
    let first = match options.limit {
        Some(n) => format!("{base}/3/footprints?limit={}", n.max(1)),
        None => format!("{base}/3/footprints"),
    };
    let mut next = Some(Url::parse(&first).map_err(|_| FetchError::InvalidUrl {
        url: base_url.to_string(),
    })?);
    let mut out = Fetched::default();
    let mut read: HashSet<Url> = HashSet::new();
    let mut ids: HashSet<String> = HashSet::new();
    while let Some(url) = next.take() {
        if out.pages >= options.max_pages {
            return Err(FetchError::TooManyPages {
                max: options.max_pages,
            });
        }
        let here = url.to_string();
        if !read.insert(url.clone()) {
            return Err(FetchError::BadResponse {
                url: here,
                what: "the next link leads back to a page already read".into(),
            });
        }
        let (body, links) = get_page(http, &url, &token, options.timeout).await?;
        out.pages += 1;
        let bad = |what: String| FetchError::BadResponse {
            url: here.clone(),
            what,
        };
        // The page itself; its footprints are judged one by one below.
        let structure: Vec<String> = check_v3_list_response(&body)
            .into_iter()
            .filter(|e| !e.starts_with("data["))
            .collect();
        if !structure.is_empty() {
            return Err(bad(structure.join("; ")));
        }
        let items = body["data"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        for (i, doc) in items.iter().enumerate() {
            match received_from_v3(doc) {
                Ok(r) => {
                    if ids.insert(r.pf_id.clone()) {
                        out.received.push(r);
                    }
                }
                Err(errors) => {
                    let at = doc
                        .get("id")
                        .and_then(Value::as_str)
                        .filter(|s| !s.trim().is_empty())
                        .map_or_else(|| format!("page {}, data[{i}]", out.pages), str::to_string);
                    out.rejected.push((at, errors));
                }
            }
        }
        next = next_page(&links, &url, &origin).map_err(bad)?;
    }
    Ok(out)
}

/// The base URL without a trailing `/`, and parsed (for the host check).
fn parse_base(base_url: &str) -> Result<(String, Url), FetchError> {
    let invalid = || FetchError::InvalidUrl {
        url: base_url.to_string(),
    };
    let base = base_url.trim().trim_end_matches('/');
    let url = Url::parse(base).map_err(|_| invalid())?;
    let usable = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !usable {
        return Err(invalid());
    }
    Ok((base.to_string(), url))
}

/// What went wrong on the wire, for the reader: a timeout, or the
/// innermost cause (`Connection refused`, a DNS or TLS failure).
fn transport(url: &str, e: &reqwest::Error, timeout: Duration) -> FetchError {
    let detail = if e.is_timeout() {
        format!("no answer within {} s", timeout.as_secs())
    } else {
        let mut cause: &dyn std::error::Error = e;
        while let Some(inner) = cause.source() {
            cause = inner;
        }
        cause.to_string()
    };
    FetchError::Connect {
        url: url.to_string(),
        detail,
    }
}

/// The whole body, at most [`MAX_BODY`] bytes.
async fn read_body(
    mut r: reqwest::Response,
    url: &str,
    timeout: Duration,
) -> Result<Vec<u8>, FetchError> {
    let mut body = Vec::new();
    while let Some(chunk) = r.chunk().await.map_err(|e| transport(url, &e, timeout))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(FetchError::BadResponse {
                url: url.to_string(),
                what: format!("the answer is larger than {} MiB", MAX_BODY >> 20),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A bearer token (RFC 6750 `b64token`), usable as a header value.
fn is_b64token(t: &str) -> bool {
    let body = t.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._~+/".contains(&c))
}

/// The access token of an OAuth2 client-credentials grant.
async fn access_token(
    http: &reqwest::Client,
    base: &str,
    client_id: &str,
    client_secret: &str,
    timeout: Duration,
) -> Result<String, FetchError> {
    let url = format!("{base}/auth/token");
    let r = http
        .post(&url)
        .timeout(timeout)
        .basic_auth(client_id, Some(client_secret))
        .header(ACCEPT, "application/json")
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .map_err(|e| transport(&url, &e, timeout))?;
    let status = r.status();
    if matches!(
        status,
        StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    ) {
        return Err(FetchError::AuthRefused {
            url,
            status: status.as_u16(),
        });
    }
    let bad = |what: String| FetchError::BadToken {
        url: url.clone(),
        what,
    };
    if !status.is_success() {
        return Err(bad(format!("HTTP {status}")));
    }
    let body = read_body(r, &url, timeout).await?;
    let v: Value =
        serde_json::from_slice(&body).map_err(|e| bad(format!("the answer is not JSON ({e})")))?;
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no access_token".into()))?;
    if !is_b64token(token) {
        return Err(bad(
            "the access_token is not a bearer token (RFC 6750)".into()
        ));
    }
    // RFC 6749 §5.1: the type is case-insensitive.
    match v.get("token_type").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("bearer") => Ok(token.to_string()),
        Some(t) => Err(bad(format!("token_type is {t:?}, not Bearer"))),
        None => Err(bad("no token_type".into())),
    }
}

/// One page: its JSON body and the values of its `Link` headers.
async fn get_page(
    http: &reqwest::Client,
    url: &Url,
    token: &str,
    timeout: Duration,
) -> Result<(Value, Vec<String>), FetchError> {
    let here = url.to_string();
    let r = http
        .get(url.clone())
        .timeout(timeout)
        .bearer_auth(token)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| transport(&here, &e, timeout))?;
    let status = r.status();
    let bad = |what: String| FetchError::BadResponse {
        url: here.clone(),
        what,
    };
    let links = r
        .headers()
        .get_all(LINK)
        .iter()
        .map(|v| v.to_str().map(str::to_string))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| bad("the Link header is not ASCII text".into()))?;
    let body = read_body(r, &here, timeout).await?;
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    if status != StatusCode::OK && status != StatusCode::ACCEPTED {
        // The PACT error body: {"code": "...", "message": "..."}.
        let text = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_string);
        return Err(
            match json
                .as_ref()
                .and_then(|v| text(v, "code").zip(text(v, "message")))
            {
                Some((code, message)) => FetchError::Supplier {
                    url: here.clone(),
                    status: status.as_u16(),
                    code,
                    message,
                },
                None => bad(format!("HTTP {status} without a PACT error body")),
            },
        );
    }
    let json = json.ok_or_else(|| bad("the answer is not JSON".into()))?;
    Ok((json, links))
}

/// The `next` page, if the `Link` headers name one: resolved against the
/// page's URL and on the supplier's host (the specification requires the
/// link's host to be the request's; the bearer token goes nowhere else).
fn next_page(links: &[String], page: &Url, origin: &Url) -> Result<Option<Url>, String> {
    for value in links {
        let parsed = parse_link_header(value).map_err(|e| format!("bad Link header: {e}"))?;
        let Some(next) = parsed
            .into_iter()
            .find(|l| l.rels.iter().any(|r| r == "next"))
        else {
            continue;
        };
        let url = page
            .join(&next.target)
            .map_err(|_| format!("the next link {:?} is not a URL", next.target))?;
        let same_scheme = url.scheme() == origin.scheme()
            && url.port_or_known_default() == origin.port_or_known_default();
        let upgrade = origin.scheme() == "http" && url.scheme() == "https";
        if url.host_str() != origin.host_str() || !(same_scheme || upgrade) {
            return Err(format!("the next link {url} leaves the supplier's host"));
        }
        return Ok(Some(url));
    }
    Ok(None)
}

/// One link of a `Link` header: its target (as written, possibly
/// relative) and its relation types (lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkValue {
    pub target: String,
    pub rels: Vec<String>,
}

/// Parses a `Link` header value (RFC 8288 §3): comma-separated
/// `<target>; param=value; …`, values as tokens or quoted strings (with
/// `\` escapes), `rel` holding space-separated relation types (only its
/// first occurrence counts). Empty list elements are skipped; anything
/// else malformed is an error.
pub fn parse_link_header(value: &str) -> Result<Vec<LinkValue>, String> {
    let b = value.as_bytes();
    let ws = |c: u8| c == b' ' || c == b'\t';
    let skip_ws = |mut i: usize| {
        while i < b.len() && ws(b[i]) {
            i += 1;
        }
        i
    };
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && (ws(b[i]) || b[i] == b',') {
            i += 1;
        }
        if i == b.len() {
            return Ok(out);
        }
        if b[i] != b'<' {
            return Err(format!("expected “<” at character {}", i + 1));
        }
        let close = value[i + 1..]
            .find('>')
            .ok_or_else(|| "a “<” without its “>”".to_string())?;
        let target = value[i + 1..i + 1 + close].trim().to_string();
        i += close + 2;
        let mut rels: Option<Vec<String>> = None;
        loop {
            i = skip_ws(i);
            if i == b.len() || b[i] == b',' {
                break;
            }
            if b[i] != b';' {
                return Err(format!("expected “;” or “,” at character {}", i + 1));
            }
            i = skip_ws(i + 1);
            let start = i;
            while i < b.len() && !ws(b[i]) && !b"=;,".contains(&b[i]) {
                i += 1;
            }
            let name = value[start..i].to_ascii_lowercase();
            i = skip_ws(i);
            let mut param = String::new();
            if i < b.len() && b[i] == b'=' {
                i = skip_ws(i + 1);
                if i < b.len() && b[i] == b'"' {
                    let mut text = Vec::new();
                    i += 1;
                    loop {
                        match b.get(i) {
                            None => return Err("a quoted string without its end".into()),
                            Some(b'"') => break,
                            Some(b'\\') => {
                                let c = b.get(i + 1).ok_or("a quoted string without its end")?;
                                text.push(*c);
                                i += 2;
                            }
                            Some(c) => {
                                text.push(*c);
                                i += 1;
                            }
                        }
                    }
                    i += 1;
                    param = String::from_utf8_lossy(&text).into_owned();
                } else {
                    let start = i;
                    while i < b.len() && !ws(b[i]) && !b";,".contains(&b[i]) {
                        i += 1;
                    }
                    param = value[start..i].to_string();
                }
            }
            if name.is_empty() && !param.is_empty() {
                return Err(format!(
                    "a parameter without a name before character {}",
                    i + 1
                ));
            }
            if name == "rel" && rels.is_none() {
                rels = Some(
                    param
                        .split_ascii_whitespace()
                        .map(str::to_ascii_lowercase)
                        .collect(),
                );
            }
        }
        out.push(LinkValue {
            target,
            rels: rels.unwrap_or_default(),
        });
    }
}
