//! Egret as a PACT data recipient (`egret_web::pact_client`): reading a
//! supplier's footprints from Egret's own PACT endpoint, served in-process
//! by the real router on a loopback port, and from stand-in suppliers for
//! the answers Egret itself never gives.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use egret_domain::access::Principal;
use egret_domain::org::OrgInput;
use egret_domain::pact::{self, FootprintMeta, FootprintStatus};
use egret_domain::pcf::PcfInput;
use egret_domain::product_system::{EmissionKind, ProcessSource, ProductSystemModel};
use egret_domain::refdata::ReferenceData;
use egret_domain::uscc;
use egret_i18n::Lang;
use egret_store::Store;
use egret_web::pact_client::{
    FetchError, FetchOptions, LinkValue, fetch_v3, fetch_v3_with, parse_link_header,
};
use egret_web::{AppState, WebConfig};
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn code(n: u32) -> String {
    let first17 = format!("91350206MA{n:07}");
    format!("{first17}{}", uscc::check_char(&first17).unwrap())
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A complete footprint of a product: 412.5 kgCO2e per piece excluding
/// biogenic uptake, 405 of it fossil, 410.1 including the uptake.
fn footprint(product: &str) -> PcfInput {
    serde_json::from_value(json!({
        "product_name_zh": "光伏组件",
        "product_name_en": format!("PV module {product}"),
        "product_ids": [format!("urn:pact:test.example:product-id:{product}")],
        "product_description": "550 W module",
        "declared_unit": "piece",
        "declared_unit_amount": "1",
        "product_mass_per_declared_unit": "27.5",
        "boundary": "cradle-to-gate",
        "reference_period_start": "2025-01-01",
        "reference_period_end": "2026-01-01",
        "geography": "CN-FJ",
        "standards": ["iso-14067"],
        "gwp_set": "AR6",
        "pcf_excluding_biogenic_uptake": "412.5",
        "pcf_including_biogenic_uptake": "410.1",
        "fossil_ghg_emissions": "405",
        "fossil_carbon_content": "0",
        "exempted_emissions_percent": "0.8",
        "packaging_emissions_included": true,
        "calculation": "manual"
    }))
    .unwrap()
}

/// A supplier on Egret: an organisation with published footprints, a
/// registered partner (the buyer), the router serving on a loopback port.
struct Supplier {
    /// The organisation's PACT base URL.
    base: String,
    client_id: String,
    secret: String,
    /// Published footprint ids, in publication order.
    published: Vec<String>,
    /// The published version a correction replaced.
    deprecated: String,
    _dir: std::path::PathBuf,
}

async fn supplier() -> Supplier {
    let dir = std::env::temp_dir().join(format!(
        "egret-pact-client-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite:{}", dir.join("pact.db").display()))
        .await
        .unwrap();
    let sys = Principal::system("test");
    let input = OrgInput {
        uscc: code(1),
        name_zh: "厦门测试1有限公司".into(),
        name_en: Some("Xiamen Test 1 Co., Ltd.".into()),
        industry_code: "39".into(),
        ownership: "private".into(),
        district: "350206".into(),
        ..Default::default()
    };
    let org = store
        .create_org(&sys, &input.validate(ReferenceData::embedded()).unwrap())
        .await
        .unwrap()
        .org_id;
    let mut published = Vec::new();
    for product in ["p1", "p2", "p3"] {
        let rec = store
            .create_pcf(&sys, &org, &footprint(product), None)
            .await
            .unwrap();
        store.publish_pcf(&sys, &org, &rec.pcf_id).await.unwrap();
        published.push(rec.pcf_id);
    }
    // p1 corrected: the first version is served as Deprecated.
    let mut corrected = footprint("p1");
    corrected.fossil_ghg_emissions = d("400");
    let rec = store
        .create_pcf(&sys, &org, &corrected, Some(&published[0]))
        .await
        .unwrap();
    store.publish_pcf(&sys, &org, &rec.pcf_id).await.unwrap();
    published.push(rec.pcf_id);
    // Never published, never served.
    store
        .create_pcf(&sys, &org, &footprint("draft"), None)
        .await
        .unwrap();
    let (client, secret) = store.create_pact_client(&sys, &org, "buyer").await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(egret_web::serve(
        AppState::new(store, WebConfig::default()),
        listener,
    ));
    Supplier {
        base: format!("http://{addr}/pact/{}", code(1)),
        client_id: client.client_id,
        secret,
        deprecated: published[0].clone(),
        published,
        _dir: dir,
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn every_published_footprint_arrives_and_becomes_a_process() {
    let s = supplier().await;
    let http = reqwest::Client::new();
    // The server's page size: one page.
    let all = fetch_v3(&http, &s.base, &s.client_id, &s.secret)
        .await
        .unwrap();
    assert_eq!(all.pages, 1);
    assert!(all.rejected.is_empty(), "{:?}", all.rejected);
    let ids: Vec<String> = all.received.iter().map(|r| r.pf_id.clone()).collect();
    assert_eq!(sorted(ids.clone()), sorted(s.published.clone()));
    // Two per page: two pages, the same footprints in the same order (a
    // trailing slash on the base URL is fine).
    let two = FetchOptions {
        limit: Some(2),
        ..Default::default()
    };
    let paged = fetch_v3_with(
        &http,
        &format!("{}/", s.base),
        &s.client_id,
        &s.secret,
        &two,
    )
    .await
    .unwrap();
    assert_eq!(paged.pages, 2);
    assert_eq!(paged.received, all.received);
    // One per page: four pages.
    let one = FetchOptions {
        limit: Some(1),
        ..Default::default()
    };
    let single = fetch_v3_with(&http, &s.base, &s.client_id, &s.secret, &one)
        .await
        .unwrap();
    assert_eq!(single.pages, 4);
    assert_eq!(single.received, all.received);
    // The corrected footprint's first version arrives as Deprecated.
    for r in &all.received {
        let want = if r.pf_id == s.deprecated {
            "Deprecated"
        } else {
            "Active"
        };
        assert_eq!(r.status, want, "{}", r.pf_id);
        assert_eq!(r.spec_version, pact::V3_SPEC_VERSION);
        assert!(pact::check_v3_footprint(&r.document).is_empty());
    }
    // Each one makes a process for a product system.
    let mut processes = Vec::new();
    for (i, r) in all.received.iter().enumerate() {
        let p = pact::supplier_process(r, &format!("rcv-{i}"), &format!("supplier-{i}")).unwrap();
        assert_eq!(p.product, format!("pact:{}", r.pf_id));
        assert_eq!((p.unit.as_str(), p.output), ("piece", d("1")));
        assert!(
            p.name.starts_with("PV module p") && p.name.ends_with(" (Xiamen Test 1 Co., Ltd.)"),
            "{}",
            p.name
        );
        let ProcessSource::Supplier {
            pf_id,
            company,
            received_id,
            certificate,
        } = &p.source
        else {
            panic!("a supplier process")
        };
        assert_eq!(
            (pf_id, company.as_str(), received_id, certificate),
            (
                &r.pf_id,
                "Xiamen Test 1 Co., Ltd.",
                &format!("rcv-{i}"),
                &None
            )
        );
        let fossil = if r.pf_id == s.published[3] {
            "400"
        } else {
            "405"
        };
        let split: Vec<(EmissionKind, Decimal)> =
            p.emissions.iter().map(|e| (e.kind, e.amount)).collect();
        assert_eq!(
            split,
            vec![
                (EmissionKind::Fossil, d(fossil)),
                (EmissionKind::Biogenic, d("412.5") - d(fossil)),
                (EmissionKind::Uptake, d("-2.4")),
            ],
            "{}",
            r.pf_id
        );
        processes.push(p);
    }
    let reference = processes[0].product.clone();
    let system = ProductSystemModel {
        name: "Supplied modules".into(),
        reference_product: reference,
        amount: d("10"),
        gwp_set: "AR6".into(),
        processes,
        flows: vec![],
    };
    assert!(system.matrices(|_| None).is_ok());
}

#[tokio::test]
async fn refusals_and_unreachable_endpoints_are_named() {
    let s = supplier().await;
    let http = reqwest::Client::new();
    let token_url = format!("{}/auth/token", s.base);
    // The wrong secret.
    let e = fetch_v3(&http, &s.base, &s.client_id, "wrong")
        .await
        .unwrap_err();
    assert_eq!(
        e,
        FetchError::AuthRefused {
            url: token_url,
            status: 401
        }
    );
    // An organisation that is not on the platform.
    let elsewhere = s.base.replace(&code(1), &code(2));
    let e = fetch_v3(&http, &elsewhere, &s.client_id, &s.secret)
        .await
        .unwrap_err();
    assert!(
        matches!(e, FetchError::AuthRefused { status: 401, .. }),
        "{e:?}"
    );
    // A page cap below the pages there are.
    let capped = FetchOptions {
        limit: Some(1),
        max_pages: 3,
        ..Default::default()
    };
    let e = fetch_v3_with(&http, &s.base, &s.client_id, &s.secret, &capped)
        .await
        .unwrap_err();
    assert_eq!(e, FetchError::TooManyPages { max: 3 });
    // Nobody listening.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let nowhere = format!("http://127.0.0.1:{port}/pact/{}", code(1));
    let e = fetch_v3(&http, &nowhere, &s.client_id, &s.secret)
        .await
        .unwrap_err();
    let FetchError::Connect { url, detail } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(url, &format!("{nowhere}/auth/token"));
    assert!(!detail.is_empty());
    assert!(e.to_string().contains(&nowhere), "{e}");
    // Not a base URL at all.
    for bad in [
        "",
        "supplier.example/pact",
        "ftp://supplier.example/pact",
        "https://supplier.example/pact?x=1",
        "https://user:pw@supplier.example/pact",
    ] {
        let e = fetch_v3(&http, bad, "id", "secret").await.unwrap_err();
        assert_eq!(e, FetchError::InvalidUrl { url: bad.into() });
    }
}

/// What the stand-in suppliers serve.
#[derive(Clone)]
struct Standin {
    origin: String,
    good: Arc<Vec<Value>>,
}

fn valid_footprint(n: u8, product: &str) -> Value {
    let meta = FootprintMeta {
        id: format!("0194f6c2-7a1e-7c3d-9b2a-5e8f1d2c3b4{n}"),
        version: 1,
        created: pact::parse_date_time("2026-02-01T08:30:00Z").unwrap(),
        updated: None,
        status: FootprintStatus::Active,
        preceding_pf_ids: vec![],
        company_name: "Stand-in Supplier Ltd.".into(),
        company_ids: vec!["urn:pact:standin.example:company:1".into()],
        validity: None,
        verification: None,
    };
    serde_json::to_value(pact::to_v3(&footprint(product), &meta)).unwrap()
}

async fn standin_token(Path(kind): Path<String>) -> Response {
    match kind.as_str() {
        "mac" => axum::Json(json!({"access_token": "abc", "token_type": "mac"})).into_response(),
        "empty" => axum::Json(json!({"token_type": "Bearer"})).into_response(),
        "teapot" => StatusCode::IM_A_TEAPOT.into_response(),
        "forbidden" => StatusCode::FORBIDDEN.into_response(),
        _ => axum::Json(json!({"access_token": "abc.DEF-123", "token_type": "bearer"}))
            .into_response(),
    }
}

#[derive(serde::Deserialize)]
struct PageQuery {
    page: Option<u32>,
}

async fn standin_list(
    State(st): State<Standin>,
    Path(kind): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    assert_eq!(headers[header::AUTHORIZATION], "Bearer abc.DEF-123");
    let o = &st.origin;
    match (kind.as_str(), q.page) {
        // Page 1: links over two headers, a relative `next` among several
        // relation types; one good footprint and two bad ones.
        ("mixed", None) => {
            let mut bad = st.good[1].clone();
            bad["pcf"]
                .as_object_mut()
                .unwrap()
                .remove("fossilGhgEmissions");
            let mut anonymous = st.good[1].clone();
            anonymous.as_object_mut().unwrap().remove("id");
            (
                [
                    (header::LINK, format!("<{o}/mixed/3/footprints?page=0>; rel=\"prev first\"")),
                    (
                        header::LINK,
                        "</mixed/3/footprints?page=2>; title=\"more, and; more\"; REL=\"last NEXT\", <https://elsewhere.example/x>; rel=alternate"
                            .to_string(),
                    ),
                ],
                axum::Json(json!({"data": [st.good[0], bad, anonymous]})),
            )
                .into_response()
        }
        // Page 2: accepted (202), a new footprint and one already read.
        ("mixed", Some(2)) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({"data": [st.good[1], st.good[0]]})),
        )
            .into_response(),
        ("denied", _) => (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"code": "AccessDenied", "message": "Not for you"})),
        )
            .into_response(),
        ("away", _) => (
            [(
                header::LINK,
                "<http://elsewhere.example/3/footprints?page=2>; rel=next",
            )],
            axum::Json(json!({"data": []})),
        )
            .into_response(),
        ("loop", _) => (
            [(header::LINK, "<?>; rel=next")],
            axum::Json(json!({"data": []})),
        )
            .into_response(),
        ("broken", _) => (
            [(header::LINK, "https://no-brackets.example; rel=next")],
            axum::Json(json!({"data": []})),
        )
            .into_response(),
        ("object", _) => axum::Json(json!({"data": {}})).into_response(),
        ("html", _) => (StatusCode::INTERNAL_SERVER_ERROR, "<html>oops</html>").into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn standin() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let state = Standin {
        origin: origin.clone(),
        good: Arc::new(vec![valid_footprint(1, "a"), valid_footprint(2, "b")]),
    };
    let app = axum::Router::new()
        .route("/{kind}/auth/token", post(standin_token))
        .route("/{kind}/3/footprints", get(standin_list))
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    origin
}

#[tokio::test]
async fn other_suppliers_answers_are_read_or_refused_with_reasons() {
    let origin = standin().await;
    let http = reqwest::Client::new();
    let fetch = |kind: &str| {
        let base = format!("{origin}/{kind}");
        let http = http.clone();
        async move { fetch_v3(&http, &base, "id", "secret").await }
    };
    // Good footprints kept once each, bad ones named with their errors.
    let got = fetch("mixed").await.unwrap();
    assert_eq!(got.pages, 2);
    let ids: Vec<&str> = got.received.iter().map(|r| r.pf_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "0194f6c2-7a1e-7c3d-9b2a-5e8f1d2c3b41",
            "0194f6c2-7a1e-7c3d-9b2a-5e8f1d2c3b42"
        ]
    );
    assert_eq!(got.rejected.len(), 2);
    assert_eq!(got.rejected[0].0, "0194f6c2-7a1e-7c3d-9b2a-5e8f1d2c3b42");
    assert!(
        got.rejected[0].1[0].starts_with("pcf.fossilGhgEmissions: "),
        "{:?}",
        got.rejected[0].1
    );
    assert_eq!(got.rejected[1].0, "page 1, data[2]");
    assert!(got.rejected[1].1.iter().any(|e| e.starts_with("id: ")));
    let p = pact::supplier_process(&got.received[0], "r", "p").unwrap();
    assert_eq!(p.name, "PV module a (Stand-in Supplier Ltd.)");

    // A PACT error body.
    let e = fetch("denied").await.unwrap_err();
    assert_eq!(
        e,
        FetchError::Supplier {
            url: format!("{origin}/denied/3/footprints"),
            status: 403,
            code: "AccessDenied".into(),
            message: "Not for you".into()
        }
    );
    // Token answers that are no use.
    let e = fetch("mac").await.unwrap_err();
    assert!(
        matches!(&e, FetchError::BadToken { what, .. } if what.contains("mac")),
        "{e:?}"
    );
    let e = fetch("empty").await.unwrap_err();
    assert!(
        matches!(&e, FetchError::BadToken { what, .. } if what.contains("access_token")),
        "{e:?}"
    );
    let e = fetch("teapot").await.unwrap_err();
    assert!(
        matches!(&e, FetchError::BadToken { what, .. } if what.contains("418")),
        "{e:?}"
    );
    assert!(matches!(
        fetch("forbidden").await.unwrap_err(),
        FetchError::AuthRefused { status: 403, .. }
    ));
    // Lists that are no use.
    for (kind, says) in [
        ("away", "leaves the supplier's host"),
        ("loop", "already read"),
        ("broken", "bad Link header"),
        ("object", "data"),
        ("html", "HTTP 500"),
    ] {
        let e = fetch(kind).await.unwrap_err();
        assert!(
            matches!(&e, FetchError::BadResponse { what, .. } if what.contains(says)),
            "{kind}: {e:?}"
        );
    }
}

#[test]
fn link_headers_are_parsed_as_rfc_8288_says() {
    let links = parse_link_header(
        "<https://a.example/3/footprints?limit=2&offset=2>; rel=\"next\", \
         <https://a.example/3/footprints?x=1,2>;rel=prev;title=\"a, b; \\\"c\\\"\" ,, \
         </relative>; REL=Last; rel=next, <urn:x>",
    )
    .unwrap();
    assert_eq!(
        links,
        vec![
            LinkValue {
                target: "https://a.example/3/footprints?limit=2&offset=2".into(),
                rels: vec!["next".into()],
            },
            LinkValue {
                target: "https://a.example/3/footprints?x=1,2".into(),
                rels: vec!["prev".into()],
            },
            // Only the first rel counts.
            LinkValue {
                target: "/relative".into(),
                rels: vec!["last".into()],
            },
            LinkValue {
                target: "urn:x".into(),
                rels: vec![],
            },
        ]
    );
    assert_eq!(parse_link_header("").unwrap(), vec![]);
    assert_eq!(
        parse_link_header("<a>; rel=\"prev  next\"").unwrap()[0].rels,
        ["prev", "next"]
    );
    for bad in [
        "https://a.example; rel=next",
        "<https://a.example; rel=next",
        "<a>; rel=\"next",
        "<a> rel=next",
        "<a>; =next",
    ] {
        assert!(parse_link_header(bad).is_err(), "{bad}");
    }
}

#[test]
fn every_fetch_error_reads_in_both_languages() {
    let errors = [
        FetchError::InvalidUrl {
            url: "ftp://x".into(),
        },
        FetchError::Connect {
            url: "https://s.example/auth/token".into(),
            detail: "Connection refused".into(),
        },
        FetchError::AuthRefused {
            url: "https://s.example/auth/token".into(),
            status: 401,
        },
        FetchError::BadToken {
            url: "https://s.example/auth/token".into(),
            what: "no token_type".into(),
        },
        FetchError::Supplier {
            url: "https://s.example/3/footprints".into(),
            status: 403,
            code: "AccessDenied".into(),
            message: "Not for you".into(),
        },
        FetchError::BadResponse {
            url: "https://s.example/3/footprints".into(),
            what: "the answer is not JSON".into(),
        },
        FetchError::TooManyPages { max: 100 },
    ];
    for e in errors {
        let m = e.msg();
        assert!(m.key.starts_with("exch-fetch-"));
        for lang in Lang::ALL {
            let text = m.render(lang);
            assert!(!text.contains("exch-fetch"), "{lang}: {text}");
            for (name, value) in &m.args {
                assert!(text.contains(value.as_str()), "{lang}: {name} in {text}");
            }
            let mut want: Vec<String> = m.args.iter().map(|(k, _)| k.to_string()).collect();
            want.sort();
            assert_eq!(egret_i18n::placeholders(lang, &m.key), want, "{lang}");
        }
    }
}
