//! A PACT (Partnership for Carbon Transparency) host endpoint per
//! organisation, at `/pact/{credit code}`: the OAuth2 client-credentials
//! token endpoint, v3 `ListFootprints` / `GetFootprint` / `Events` and the
//! v2 read endpoints for older peers. Only published footprints are
//! served, to partners the organisation registered. Responses follow the
//! PACT error format (`{code, message}`), never Egret's.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use egret_domain::pact::{
    self, ApiVersion, ErrorBody, ErrorCode, Event, EventData, FootprintFilter, FootprintMeta,
    Paging, ProductFootprintV3, VerificationInfo, link_header, page_range, parse_date_time,
    parse_event,
};
use egret_store::{PACT_TOKEN_SECONDS, PcfRecord};
use serde_json::json;

use crate::AppState;

/// Footprints per page at most.
const MAX_PAGE: usize = 100;

fn error(version: ApiVersion, code: ErrorCode, message: &str) -> Response {
    let body = ErrorBody::new(code, message);
    let status = StatusCode::from_u16(body.http_status(version))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

/// 401 for a missing, unknown or expired access token.
fn unauthorised(version: ApiVersion) -> Response {
    let mut r = error(
        version,
        ErrorCode::BadRequest,
        "Missing, invalid or expired access token",
    );
    *r.status_mut() = StatusCode::UNAUTHORIZED;
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut r = (
        status,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic"));
    }
    r
}

async fn org_of(st: &AppState, uscc: &str) -> Option<String> {
    st.store.org_id_of_uscc(uscc).await.ok().flatten()
}

/// `POST /pact/{uscc}/auth/token`: client credentials in HTTP Basic (or
/// `client_id` / `client_secret` in the form), `grant_type=client_credentials`.
pub async fn token(
    State(st): State<AppState>,
    Path(uscc): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(u, p)| (u.to_string(), p.to_string()))
        });
    let creds = basic.or_else(|| field("client_id").zip(field("client_secret")));
    let Some((client, secret)) = creds else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    };
    if field("grant_type").as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only grant_type=client_credentials is supported",
        );
    }
    let Some(org) = org_of(&st, &uscc).await else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    };
    match st.store.pact_token(&org, &client, &secret).await {
        Ok(Some(t)) => (
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(json!({
                "access_token": t,
                "token_type": "Bearer",
                "expires_in": PACT_TOKEN_SECONDS,
            })),
        )
            .into_response(),
        Ok(None) => oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        ),
        Err(e) => {
            tracing::error!(error = %e, "pact token");
            oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "Internal error",
            )
        }
    }
}

/// The organisation whose endpoint is called and the partner calling, if
/// the bearer token is one of its partners' live tokens.
async fn caller(
    st: &AppState,
    uscc: &str,
    headers: &HeaderMap,
    version: ApiVersion,
) -> Result<(String, String), Response> {
    let org = org_of(st, uscc)
        .await
        .ok_or_else(|| unauthorised(version))?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| unauthorised(version))?;
    match st.store.pact_client_of_token(&org, token).await {
        Ok(Some(client)) => Ok((org, client)),
        Ok(None) => Err(unauthorised(version)),
        Err(e) => {
            tracing::error!(error = %e, "pact token check");
            Err(error(version, ErrorCode::InternalError, "Internal error"))
        }
    }
}

/// The scheme and host the client used, for absolute links.
fn origin(st: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .unwrap_or(if st.config.secure_cookies {
            "https"
        } else {
            "http"
        });
    format!("{scheme}://{host}")
}

/// A published footprint with what PACT needs to know about it.
type Published = Vec<(PcfRecord, FootprintMeta)>;

/// For a partner's read: the organisation's published footprints and the
/// origin the partner used (for absolute links).
async fn published(
    st: &AppState,
    uscc: &str,
    headers: &HeaderMap,
    version: ApiVersion,
) -> Result<(String, Published), Response> {
    let (org, _) = caller(st, uscc, headers, version).await?;
    let base = origin(st, headers);
    let all = footprints(st, &org, &base, version).await?;
    Ok((base, all))
}

/// The organisation's published footprints with their PACT metadata.
async fn footprints(
    st: &AppState,
    org: &str,
    base: &str,
    version: ApiVersion,
) -> Result<Published, Response> {
    let internal = |e: egret_store::StoreError| {
        tracing::error!(error = %e, "pact footprints");
        error(version, ErrorCode::InternalError, "Internal error")
    };
    let sys = egret_domain::access::Principal::system("pact");
    let profile = st.store.get_org(&sys, org).await.map_err(internal)?.profile;
    let certs = st.store.certificates_of(org).await.map_err(internal)?;
    let pcfs = st.store.published_pcfs(Some(org)).await.map_err(internal)?;
    let mut out = Vec::with_capacity(pcfs.len());
    for p in pcfs {
        let cert = certs.iter().find(|c| c.pcf_id == p.pcf_id);
        let meta = FootprintMeta {
            id: p.pcf_id.clone(),
            version: u32::try_from(p.version).unwrap_or(u32::MAX),
            created: parse_date_time(&p.created_at).unwrap_or_default(),
            updated: None,
            status: if p.superseded {
                pact::FootprintStatus::Deprecated
            } else {
                pact::FootprintStatus::Active
            },
            preceding_pf_ids: p.preceding_pcf_id.iter().cloned().collect(),
            company_name: profile
                .name_en
                .clone()
                .unwrap_or_else(|| profile.name_zh.clone()),
            company_ids: vec![format!("urn:uscc:{}", profile.uscc)],
            validity: None,
            verification: cert.map(|c| VerificationInfo {
                certificate_number: c.certificate.number.clone(),
                standard_id: c.certificate.standard.clone(),
                provider_name: c.institution_name.clone(),
                completed_at: parse_date_time(&c.signed_at).unwrap_or_default(),
                coverage: pact::v3::VerificationCoverage::ProductLevel,
                scope: c.certificate.scope.clone(),
                valid_from: c.certificate.valid_from,
                valid_to: c.certificate.valid_to,
                verification_url: Some(format!("{base}/certificates/{}", c.digest)),
            }),
        };
        out.push((p, meta));
    }
    Ok(out)
}

fn json_response(v: serde_json::Value) -> Response {
    axum::Json(v).into_response()
}

/// One page of a list as `{"data": [...]}`, with the RFC 8288 `Link`
/// header (absolute URLs) when there are more pages.
fn page_of<T: serde::Serialize>(
    items: &[T],
    paging: Paging,
    list_url: &str,
    query: &[(String, String)],
) -> Response {
    let limit = paging.page_size(MAX_PAGE);
    let page = &items[page_range(items.len(), limit, paging.offset)];
    let mut r = json_response(json!({ "data": page }));
    if let Some(link) = link_header(list_url, query, items.len(), limit, paging.offset)
        && let Ok(v) = HeaderValue::from_str(&link)
    {
        r.headers_mut().insert(header::LINK, v);
    }
    r
}

/// `GET /pact/{uscc}/3/footprints`: filters (`productId`, `companyId`,
/// `geography`, `classification`, `validOn`, `validAfter`, `validBefore`,
/// `status`), `limit` / `offset`, RFC 8288 `Link` to the next page.
pub async fn list_v3(
    State(st): State<AppState>,
    Path(uscc): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = uri.query().unwrap_or("");
    let (filter, paging) = match (
        FootprintFilter::from_query(query),
        Paging::from_query(query),
    ) {
        (Ok(f), Ok(p)) => (f, p),
        (Err(e), _) | (_, Err(e)) => {
            return error(ApiVersion::V3, ErrorCode::BadRequest, &e.to_string());
        }
    };
    let (base, all) = match published(&st, &uscc, &headers, ApiVersion::V3).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let matching: Vec<ProductFootprintV3> = all
        .iter()
        .map(|(p, m)| pact::to_v3(&p.input, m))
        .filter(|fp| filter.matches(fp))
        .collect();
    page_of(
        &matching,
        paging,
        &format!("{base}/pact/{uscc}/3/footprints"),
        &filter.to_pairs(),
    )
}

/// `GET /pact/{uscc}/3/footprints/{id}`.
pub async fn get_v3(
    State(st): State<AppState>,
    Path((uscc, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (_, all) = match published(&st, &uscc, &headers, ApiVersion::V3).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match all.iter().find(|(p, _)| p.pcf_id == id) {
        Some((p, m)) => json_response(json!({ "data": pact::to_v3(&p.input, m) })),
        None => error(
            ApiVersion::V3,
            ErrorCode::not_found(ApiVersion::V3),
            "No footprint with this id",
        ),
    }
}

/// `GET /pact/{uscc}/2/footprints` (`limit`, `Link`); footprints that
/// cannot be expressed in v2 are left out.
pub async fn list_v2(
    State(st): State<AppState>,
    Path(uscc): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let paging = match Paging::from_query(uri.query().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return error(ApiVersion::V2, ErrorCode::BadRequest, &e.to_string()),
    };
    let (base, all) = match published(&st, &uscc, &headers, ApiVersion::V2).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let v2: Vec<pact::ProductFootprintV2> = all
        .iter()
        .filter_map(|(p, m)| pact::to_v2(&p.input, m).ok())
        .collect();
    page_of(
        &v2,
        paging,
        &format!("{base}/pact/{uscc}/2/footprints"),
        &[],
    )
}

/// `GET /pact/{uscc}/2/footprints/{id}`.
pub async fn get_v2(
    State(st): State<AppState>,
    Path((uscc, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (_, all) = match published(&st, &uscc, &headers, ApiVersion::V2).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match all
        .iter()
        .find(|(p, _)| p.pcf_id == id)
        .and_then(|(p, m)| pact::to_v2(&p.input, m).ok())
    {
        Some(fp) => json_response(json!({ "data": fp })),
        None => error(
            ApiVersion::V2,
            ErrorCode::not_found(ApiVersion::V2),
            "No footprint with this id",
        ),
    }
}

async fn events(
    st: AppState,
    uscc: String,
    headers: HeaderMap,
    body: Bytes,
    v: ApiVersion,
) -> Response {
    let (org, client) = match caller(&st, &uscc, &headers, v).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return error(v, ErrorCode::BadRequest, "The body is not JSON");
    };
    let event = match parse_event(&value) {
        Ok(e) => e,
        Err(why) => return error(v, ErrorCode::BadRequest, &why),
    };
    if event.data.version() != v {
        return error(
            v,
            ErrorCode::BadRequest,
            "The event type belongs to another version of the API",
        );
    }
    let kind = value["type"].as_str().unwrap_or_default().to_string();
    match st
        .store
        .record_pact_event(&org, &client, &event.id, &kind, &value)
        .await
    {
        Ok(_) => {
            // Requests are answered asynchronously, as PACT prescribes.
            if matches!(
                event.data,
                EventData::RequestCreated { .. } | EventData::V2RequestCreated { .. }
            ) {
                let base = origin(&st, &headers);
                tokio::spawn(answer(st.clone(), org, uscc, client, base, event));
            }
            StatusCode::OK.into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "pact event");
            error(v, ErrorCode::InternalError, "Internal error")
        }
    }
}

/// `POST /pact/{uscc}/3/events`: CloudEvents from partners (footprint
/// requests, publications); malformed events are refused.
pub async fn events_v3(
    State(st): State<AppState>,
    Path(uscc): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    events(st, uscc, headers, body, ApiVersion::V3).await
}

/// `POST /pact/{uscc}/2/events`.
pub async fn events_v2(
    State(st): State<AppState>,
    Path(uscc): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    events(st, uscc, headers, body, ApiVersion::V2).await
}

/// Answers a partner's footprint request at the partner's own endpoint
/// (when the organisation recorded where): the published footprints that
/// match, or a rejection when none does. Failures are logged.
async fn answer(
    st: AppState,
    org: String,
    uscc: String,
    client: String,
    base: String,
    event: Event,
) {
    let callback = match st.store.pact_callback(&org, &client).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            tracing::info!(%org, %client, "pact request kept; the partner has no callback endpoint");
            return;
        }
        Err(e) => {
            tracing::error!(error = %e, "pact callback");
            return;
        }
    };
    let Ok(all) = footprints(&st, &org, &base, event.data.version()).await else {
        return;
    };
    let v = event.data.version();
    let data = match &event.data {
        EventData::RequestCreated { filter, .. } => {
            let pfs: Vec<ProductFootprintV3> = all
                .iter()
                .map(|(p, m)| pact::to_v3(&p.input, m))
                .filter(|fp| !filter.is_empty() && filter.matches(fp))
                .collect();
            if pfs.is_empty() {
                EventData::RequestRejected {
                    request_event_id: event.id.clone(),
                    error: ErrorBody::new(ErrorCode::NotFound, "No footprint matches the request"),
                }
            } else {
                EventData::RequestFulfilled {
                    request_event_id: event.id.clone(),
                    pfs,
                }
            }
        }
        EventData::V2RequestCreated { .. } => {
            let wanted = event.data.requested_product_ids();
            let pfs: Vec<pact::ProductFootprintV2> = all
                .iter()
                .filter_map(|(p, m)| pact::to_v2(&p.input, m).ok())
                .filter(|fp| fp.product_ids.iter().any(|id| wanted.contains(id)))
                .collect();
            if pfs.is_empty() {
                EventData::V2RequestRejected {
                    request_event_id: event.id.clone(),
                    error: ErrorBody::new(
                        ErrorCode::NoSuchFootprint,
                        "No footprint matches the request",
                    ),
                }
            } else {
                EventData::V2RequestFulfilled {
                    request_event_id: event.id.clone(),
                    pfs,
                }
            }
        }
        _ => return,
    };
    let n = if v == ApiVersion::V3 { 3 } else { 2 };
    let reply = Event {
        id: uuid::Uuid::now_v7().to_string(),
        source: format!("{base}/pact/{uscc}/{n}/events"),
        time: chrono::Utc::now(),
        data,
    };
    let http = match reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()
    {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "pact callback client");
            return;
        }
    };
    let token: Result<serde_json::Value, reqwest::Error> = async {
        http.post(format!("{}/auth/token", callback.url))
            .basic_auth(&callback.client_id, Some(&callback.secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }
    .await;
    let Some(token) = token
        .ok()
        .and_then(|t| t["access_token"].as_str().map(str::to_string))
    else {
        tracing::warn!(url = %callback.url, "pact callback: no token from the partner");
        return;
    };
    let sent = http
        .post(format!("{}/{n}/events", callback.url))
        .bearer_auth(token)
        .header(
            header::CONTENT_TYPE,
            "application/cloudevents+json; charset=UTF-8",
        )
        .body(reply.to_json().to_string())
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => {
            tracing::info!(url = %callback.url, kind = reply.data.type_str(), "pact request answered");
        }
        Ok(r) => tracing::warn!(url = %callback.url, status = %r.status(), "pact callback refused"),
        Err(e) => tracing::warn!(url = %callback.url, error = %e, "pact callback failed"),
    }
}
