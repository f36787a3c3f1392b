//! HTTP tests against the real router on a loopback port: the route × role
//! authorisation matrix, CSRF, error bodies, language switching.

use std::collections::{BTreeMap, HashSet};

use egret_domain::access::{Principal, Role};
use egret_domain::org::OrgInput;
use egret_domain::product_system::{
    CalcOptions, Calculation, EmissionKind, Matrices, ProcessShare, ProductSystemModel, SolveError,
};
use egret_domain::refdata::ReferenceData;
use egret_domain::uscc;
use egret_store::{NewUser, Store};
use egret_web::{AppState, WebConfig, route_table};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};

const PW: &str = "password-123456";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anon,
    Admin,
    City,
    Analyst,
    Bank,
    Assurer,
    Ent,
}
use Who::*;

const ALL: &[Who] = &[Anon, Admin, City, Analyst, Bank, Assurer, Ent];
const AUTHED: &[Who] = &[Admin, City, Analyst, Bank, Assurer, Ent];
const REGISTER: &[Who] = &[Admin, City];
const READ_A: &[Who] = &[Admin, City, Analyst, Bank, Assurer, Ent];
const READ_B: &[Who] = &[Admin, City, Analyst, Bank];
const WRITE_A: &[Who] = &[Admin, Ent];
const WRITE_B: &[Who] = &[Admin];
const ESG_A: &[Who] = &[Admin, Assurer, Ent];
const ESG_B: &[Who] = &[Admin];
const BANK: &[Who] = &[Bank];

struct Fixture {
    base: String,
    org_a: String,
    org_b: String,
    evidence_a: String,
    evidence_b: String,
    /// A registered service institution (a rating agency).
    institution: String,
    /// A product footprint of each organisation (unpublished).
    pcf_a: String,
    pcf_b: String,
    /// A PACT partner of each organisation.
    pact_a: String,
    pact_b: String,
    /// A product system, a calculation of it and a PACT supplier of each
    /// organisation.
    system_a: String,
    system_b: String,
    calc_a: String,
    calc_b: String,
    supplier_a: String,
    supplier_b: String,
    analyst_id: String,
    store: Store,
    _dir: std::path::PathBuf,
}

fn code(n: u32) -> String {
    let first17 = format!("91350206MA{:07}", n);
    format!("{first17}{}", uscc::check_char(&first17).unwrap())
}

/// A complete product footprint (kgCO2e per piece) of a product id.
fn footprint(product: &str) -> egret_domain::pcf::PcfInput {
    serde_json::from_value(footprint_json(product)).unwrap()
}

fn footprint_json(product: &str) -> serde_json::Value {
    serde_json::json!({
        "product_name_zh": "光伏组件",
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
    })
}

/// The footprint form with every field.
fn footprint_form(product: &str) -> Body {
    form(&[
        ("product_name_zh", "光伏组件"),
        (
            "product_id",
            &format!("urn:pact:test.example:product-id:{product}"),
        ),
        ("product_description", "550 W module"),
        ("declared_unit", "piece"),
        ("declared_unit_amount", "1"),
        ("product_mass_per_declared_unit", "27.5"),
        ("boundary", "cradle-to-gate"),
        ("reference_period_start", "2025-01-01"),
        ("reference_period_end", "2026-01-01"),
        ("geography", "CN-FJ"),
        ("standard", "iso-14067"),
        ("gwp_set", "AR6"),
        ("pcf_excluding_biogenic_uptake", "412.5"),
        ("pcf_including_biogenic_uptake", "410.1"),
        ("fossil_ghg_emissions", "405"),
        ("fossil_carbon_content", "0"),
        ("exempted_emissions_percent", "0.8"),
    ])
}

fn gwp_ar6(gas: &str) -> Option<rust_decimal::Decimal> {
    egret_carbon::library::Library::embedded()
        .gwp
        .value("AR6", gas)
}

/// A bottle: blow moulding (own data) from PET resin (cited data).
fn bottle_model() -> ProductSystemModel {
    toml::from_str(
        r#"
name = "Bottle"
reference_product = "bottle"
amount = "1000"
gwp_set = "AR6"
[[processes]]
id = "blow"
name = "Blow moulding"
product = "bottle"
unit = "piece"
output = "1"
inputs = [{ product = "pet", amount = "0.02" }]
emissions = [{ flow = "CO2", amount = "0.001" }]
[[processes]]
id = "pet"
name = "PET resin"
product = "pet"
unit = "kg"
output = "1"
source = { kind = "secondary", citation = "EPD" }
emissions = [{ flow = "CO2e", amount = "2.2" }, { flow = "CO2", amount = "-0.5", kind = "uptake" }]
"#,
    )
    .unwrap()
}

/// A stand-in engine for tree-shaped systems without uncertainty: pushes
/// the demand down the inputs in exact decimals.
fn stand_in_engine(m: &Matrices, _: &CalcOptions) -> Result<Calculation, SolveError> {
    use rust_decimal::Decimal;
    let fail = |msg: &str| SolveError {
        msg: egret_i18n::Msg::new("psys-no-engine").arg("detail", msg),
        process: None,
        product: None,
    };
    let producer: BTreeMap<&str, (&str, Decimal)> = m
        .technosphere
        .iter()
        .filter(|e| e.amount > Decimal::ZERO)
        .map(|e| (e.row.as_str(), (e.col.as_str(), e.amount)))
        .collect();
    let mut scaling: BTreeMap<&str, Decimal> = BTreeMap::new();
    let mut todo = vec![(m.demand_product.as_str(), m.demand_amount)];
    let mut steps = 0;
    while let Some((product, amount)) = todo.pop() {
        steps += 1;
        if steps > 10_000 {
            return Err(fail("loop"));
        }
        let (process, output) = producer.get(product).ok_or_else(|| fail(product))?;
        let runs = amount / output;
        *scaling.entry(process).or_default() += runs;
        for e in m
            .technosphere
            .iter()
            .filter(|e| e.col == *process && e.amount < Decimal::ZERO)
        {
            todo.push((e.row.as_str(), -e.amount * runs));
        }
    }
    let factor: BTreeMap<&str, Decimal> = m.factors.iter().map(|(f, v)| (f.as_str(), *v)).collect();
    let mut processes = Vec::new();
    let mut by_kind: BTreeMap<EmissionKind, Decimal> = BTreeMap::new();
    for (process, runs) in &scaling {
        let mut direct = Decimal::ZERO;
        for e in m.biosphere.iter().filter(|e| e.col == *process) {
            let impact = e.amount * runs * factor[e.row.as_str()];
            direct += impact;
            *by_kind
                .entry(
                    egret_domain::product_system::split_flow_row(&e.row)
                        .unwrap()
                        .1,
                )
                .or_default() += impact;
        }
        processes.push(ProcessShare {
            process: process.to_string(),
            scaling: runs.normalize(),
            direct: direct.normalize(),
        });
    }
    Ok(Calculation {
        score: processes
            .iter()
            .map(|p| p.direct)
            .sum::<Decimal>()
            .normalize(),
        by_kind: by_kind
            .into_iter()
            .map(|(k, v)| (k, v.normalize()))
            .collect(),
        processes,
        flows: vec![],
        tree: vec![],
        mc: None,
        engine: "test stand-in".into(),
    })
}

fn org_input(n: u32) -> OrgInput {
    OrgInput {
        uscc: code(n),
        name_zh: format!("厦门测试{n}有限公司"),
        name_en: Some(format!("Xiamen Test {n} Co., Ltd.")),
        industry_code: "39".into(),
        ownership: "private".into(),
        district: "350206".into(),
        ..Default::default()
    }
}

async fn fixture(config: WebConfig) -> Fixture {
    let dir = std::env::temp_dir().join(format!(
        "egret-web-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite:{}", dir.join("web.db").display());
    let store = Store::open(&url).await.unwrap();
    let sys = Principal::system("fixture");
    let rd = ReferenceData::embedded();
    let a = store
        .create_org(&sys, &org_input(1).validate(rd).unwrap())
        .await
        .unwrap();
    let b = store
        .create_org(&sys, &org_input(2).validate(rd).unwrap())
        .await
        .unwrap();
    let mut analyst_id = String::new();
    for (who, role, orgs) in [
        ("admin", Role::PlatformAdmin, vec![]),
        ("city", Role::CityGov, vec![]),
        ("analyst", Role::Analyst, vec![]),
        // The bank's staff work for organisation B (its bank).
        ("bank", Role::Bank, vec![b.org_id.clone()]),
        ("assurer", Role::Assurer, vec![a.org_id.clone()]),
        ("ent", Role::Enterprise, vec![a.org_id.clone()]),
        ("entb", Role::Enterprise, vec![b.org_id.clone()]),
    ] {
        let id = store
            .create_user(
                &sys,
                &NewUser {
                    email: format!("{who}@test.example"),
                    display_name: who.to_string(),
                    role,
                    password: PW.into(),
                    orgs,
                },
            )
            .await
            .unwrap();
        if who == "analyst" {
            analyst_id = id;
        }
    }
    // A reporting period with one answer and one evidence file each.
    let mut evidence = Vec::new();
    for org in [&a.org_id, &b.org_id] {
        let period = store
            .add_period(&sys, org, &egret_domain::org::PeriodInput::calendar(2025))
            .await
            .unwrap();
        store
            .put_values(
                &sys,
                org,
                &period,
                &[egret_store::ValueInput {
                    datapoint: "ghg.scope1".into(),
                    breakdown: String::new(),
                    answer: egret_domain::value::Answer::Value(
                        egret_domain::value::Value::Quantity {
                            amount: "12.5".parse().unwrap(),
                            unit: "tCO2e".into(),
                        },
                    ),
                    comment: None,
                }],
                &egret_store::Source::Manual,
            )
            .await
            .unwrap();
        evidence.push(
            store
                .attach_evidence(
                    &sys,
                    org,
                    &period,
                    "ghg.scope1",
                    "",
                    "bill.pdf",
                    "application/pdf",
                    org.as_bytes(),
                )
                .await
                .unwrap(),
        );
    }
    let institution = store
        .register_institution(
            &sys,
            &egret_domain::institution::InstitutionInput {
                uscc: code(9_001),
                name_zh: "测试评级公司".into(),
                name_en: None,
                services: vec!["rating".into()],
                district: None,
            },
        )
        .await
        .unwrap()
        .institution_id;
    let mut pcfs = Vec::new();
    for org in [&a.org_id, &b.org_id] {
        pcfs.push(
            store
                .create_pcf(&sys, org, &footprint("fixture"), None)
                .await
                .unwrap()
                .pcf_id,
        );
    }
    let mut partners = Vec::new();
    for org in [&a.org_id, &b.org_id] {
        partners.push(
            store
                .create_pact_client(&sys, org, "partner")
                .await
                .unwrap()
                .0
                .client_id,
        );
    }
    let mut systems = Vec::new();
    for org in [&a.org_id, &b.org_id] {
        let v = store
            .create_product_system(&sys, org, &bottle_model(), "fixture")
            .await
            .unwrap();
        let m = v.model.matrices(gwp_ar6).unwrap();
        let result = stand_in_engine(&m, &Default::default()).unwrap();
        let c = store
            .record_calculation(
                &sys,
                org,
                &v.system_id,
                v.version,
                &Default::default(),
                &result,
            )
            .await
            .unwrap();
        let sup = store
            .add_pact_supplier(
                &sys,
                org,
                "Supplier",
                "http://127.0.0.1:9/pact/x",
                "id",
                "secret",
            )
            .await
            .unwrap();
        systems.push((v.system_id, c.calculation_id, sup.supplier_id));
    }
    // Stand-ins for the typesetter and the LCA engine: the real ones
    // (typst in egret-report, faer in egret-lca) are exercised by their own
    // crates' tests and the binary's.
    let state = AppState::new(store.clone(), config)
        .with_pdf(std::sync::Arc::new(|data| {
            Ok(format!("%PDF-test {}", data["title"]).into_bytes())
        }))
        .with_lca(std::sync::Arc::new(stand_in_engine));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(egret_web::serve(state, listener));
    Fixture {
        base: format!("http://{addr}"),
        org_a: a.org_id,
        org_b: b.org_id,
        evidence_a: evidence[0].clone(),
        evidence_b: evidence[1].clone(),
        institution,
        pcf_a: pcfs[0].clone(),
        pcf_b: pcfs[1].clone(),
        pact_a: partners[0].clone(),
        pact_b: partners[1].clone(),
        system_a: systems[0].0.clone(),
        system_b: systems[1].0.clone(),
        calc_a: systems[0].1.clone(),
        calc_b: systems[1].1.clone(),
        supplier_a: systems[0].2.clone(),
        supplier_b: systems[1].2.clone(),
        analyst_id,
        store,
        _dir: dir,
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Client {
    async fn new(f: &Fixture, who: Who) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut c = Client {
            http,
            base: f.base.clone(),
            csrf: String::new(),
        };
        let email = match who {
            Anon => return c,
            Admin => "admin",
            City => "city",
            Analyst => "analyst",
            Bank => "bank",
            Assurer => "assurer",
            Ent => "ent",
        };
        c.login(&format!("{email}@test.example")).await;
        c
    }

    async fn login(&mut self, email: &str) {
        let r = self
            .http
            .post(format!("{}/login", self.base))
            .form(&[("email", email), ("password", PW), ("next", "/dashboard")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login {email}");
        let page = self.get("/dashboard").await.text().await.unwrap();
        self.csrf = meta_csrf(&page);
        assert!(!self.csrf.is_empty());
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    async fn send(&self, method: &str, path: &str, body: &Body) -> reqwest::Response {
        let url = format!("{}{path}", self.base);
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let req = self.http.request(m, url);
        let req = match body {
            Body::None => req,
            Body::Form(fields) => {
                let mut all: Vec<(String, String)> = fields.clone();
                all.push(("csrf".into(), self.csrf.clone()));
                req.body(serde_html_form_encode(&all))
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            }
            Body::Json(v) => req.header("x-csrf-token", &self.csrf).json(v),
            Body::Multipart(csv) => {
                let form = reqwest::multipart::Form::new()
                    .text("csrf", self.csrf.clone())
                    .text("mode", "all")
                    .part(
                        "file",
                        reqwest::multipart::Part::bytes(csv.clone().into_bytes())
                            .file_name("orgs.csv"),
                    );
                req.multipart(form)
            }
            Body::File(fields, name, bytes) => {
                let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf.clone());
                for (k, v) in fields {
                    form = form.text(k.clone(), v.clone());
                }
                req.multipart(form.part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.clone()),
                ))
            }
        };
        req.send().await.unwrap()
    }
}

fn serde_html_form_encode(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn meta_csrf(page: &str) -> String {
    let marker = "name=\"csrf-token\" content=\"";
    page.split_once(marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_string())
        .unwrap_or_default()
}

#[derive(Clone, Debug)]
enum Body {
    None,
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
    Multipart(String),
    File(Vec<(String, String)>, String, Vec<u8>),
}

struct Probe {
    path: String,
    body: Body,
    allow: &'static [Who],
}

fn form(pairs: &[(&str, &str)]) -> Body {
    Body::Form(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn org_form(n: u32) -> Body {
    form(&[
        ("uscc", &code(n)),
        ("name_zh", "厦门表单测试有限公司"),
        ("industry_code", "39"),
        ("ownership", "private"),
        ("district", "350206"),
    ])
}

fn org_json(n: u32) -> Body {
    Body::Json(serde_json::to_value(org_input(n)).unwrap())
}

/// The expectation for every route. A route missing here fails the test.
fn expectations(f: &Fixture) -> BTreeMap<(&'static str, &'static str), Vec<Probe>> {
    let (a, b) = (&f.org_a, &f.org_b);
    let p = |path: String, body: Body, allow: &'static [Who]| Probe { path, body, allow };
    let both = |pat: &str, body: Body, allow_a: &'static [Who], allow_b: &'static [Who]| {
        vec![
            p(pat.replace("{id}", a), body.clone(), allow_a),
            p(pat.replace("{id}", b), body, allow_b),
        ]
    };
    let site = form(&[
        ("name_zh", "新厂区"),
        ("kind", "factory"),
        ("district", "350205"),
    ]);
    let period = form(&[("fiscal_year", "2031")]);
    let mut m = BTreeMap::new();
    m.insert(("GET", "/"), vec![p("/".into(), Body::None, ALL)]);
    m.insert(
        ("GET", "/healthz"),
        vec![p("/healthz".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/metrics"),
        vec![p("/metrics".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/static/egret.css"),
        vec![p("/static/egret.css".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/lang/{lang}"),
        vec![p("/lang/en?next=/".into(), Body::None, ALL)],
    );
    m.insert(("GET", "/login"), vec![p("/login".into(), Body::None, ALL)]);
    // Wrong credentials are refused for everyone (tested as a denial).
    m.insert(
        ("POST", "/login"),
        vec![p(
            "/login".into(),
            form(&[("email", "x@y.z"), ("password", "nope")]),
            &[],
        )],
    );
    m.insert(("POST", "/logout"), vec![]); // exercised last, see below
    m.insert(
        ("GET", "/dashboard"),
        vec![p("/dashboard".into(), Body::None, AUTHED)],
    );
    m.insert(
        ("GET", "/orgs"),
        vec![p("/orgs".into(), Body::None, AUTHED)],
    );
    m.insert(
        ("GET", "/orgs/new"),
        vec![p("/orgs/new".into(), Body::None, REGISTER)],
    );
    m.insert(
        ("POST", "/orgs"),
        vec![p("/orgs".into(), org_form(100), REGISTER)],
    );
    m.insert(
        ("GET", "/orgs/{id}"),
        both("/orgs/{id}", Body::None, READ_A, READ_B),
    );
    m.insert(
        ("GET", "/orgs/{id}/edit"),
        both("/orgs/{id}/edit", Body::None, WRITE_A, WRITE_B),
    );
    m.insert(
        ("POST", "/orgs/{id}"),
        both("/orgs/{id}", org_form(1), WRITE_A, WRITE_B),
    );
    m.insert(
        ("POST", "/orgs/{id}/sites"),
        both("/orgs/{id}/sites", site, WRITE_A, WRITE_B),
    );
    m.insert(
        ("POST", "/orgs/{id}/periods"),
        both("/orgs/{id}/periods", period, WRITE_A, WRITE_B),
    );
    m.insert(
        ("GET", "/orgs/{id}/audit"),
        both("/orgs/{id}/audit", Body::None, WRITE_A, WRITE_B),
    );
    m.insert(
        ("GET", "/import"),
        vec![p("/import".into(), Body::None, REGISTER)],
    );
    m.insert(("POST", "/import"), vec![p("/import".into(), Body::Multipart(format!("uscc,name_zh,industry_code,ownership,district\n{},厦门导入测试有限公司,39,private,350206\n", code(200))), REGISTER)]);
    m.insert(
        ("GET", "/account"),
        vec![p("/account".into(), Body::None, AUTHED)],
    );
    m.insert(
        ("POST", "/account/tokens"),
        vec![p("/account/tokens".into(), form(&[("name", "t")]), AUTHED)],
    );
    m.insert(("POST", "/account/tokens/{id}/revoke"), vec![]); // per-user token, see below
    m.insert(
        ("GET", "/admin/users"),
        vec![p("/admin/users".into(), Body::None, &[Admin])],
    );
    m.insert(
        ("POST", "/admin/users"),
        vec![p(
            "/admin/users".into(),
            form(&[
                ("display_name", "N"),
                ("email", "n@test.example"),
                ("role", "analyst"),
                ("password", "long-enough-pw"),
            ]),
            &[Admin],
        )],
    );
    // ESG data collection.
    let esg = |pat: &str, body: Body, allow_a: &'static [Who], allow_b: &'static [Who]| {
        vec![
            p(
                pat.replace("{id}", a).replace("{year}", "2025"),
                body.clone(),
                allow_a,
            ),
            p(
                pat.replace("{id}", b).replace("{year}", "2025"),
                body,
                allow_b,
            ),
        ]
    };
    let value_form = form(&[
        ("catalog", "xm-lite@1"),
        ("datapoint", "ghg.scope1"),
        ("answer", "value"),
        ("value", "13"),
        ("unit", "tCO2e"),
    ]);
    let file = |name: &str| {
        Body::File(
            vec![
                ("catalog".into(), "xm-lite@1".into()),
                ("datapoint".into(), "ghg.scope1".into()),
                ("breakdown".into(), String::new()),
            ],
            name.into(),
            b"proof".to_vec(),
        )
    };
    m.insert(
        ("GET", "/catalogs"),
        vec![p("/catalogs".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/catalogs/{key}"),
        vec![p("/catalogs/xm-lite@1".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/orgs/{id}/data"),
        esg("/orgs/{id}/data?year=2025", Body::None, ESG_A, ESG_B),
    );
    m.insert(
        ("POST", "/orgs/{id}/data/{year}/values"),
        esg(
            "/orgs/{id}/data/{year}/values",
            value_form,
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/data/{year}/review"),
        esg(
            "/orgs/{id}/data/{year}/review",
            form(&[("catalog", "xm-lite@1")]),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/data/{year}/fx"),
        esg(
            "/orgs/{id}/data/{year}/fx",
            form(&[
                ("catalog", "xm-lite@1"),
                ("currency", "USD"),
                ("cny_per_unit", "7.1"),
                ("note", "annual report note 5"),
            ]),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/data/{year}/evidence"),
        esg(
            "/orgs/{id}/data/{year}/evidence",
            file("proof.txt"),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("GET", "/orgs/{id}/evidence/{sha}"),
        vec![
            p(
                format!("/orgs/{a}/evidence/{}", f.evidence_a),
                Body::None,
                ESG_A,
            ),
            p(
                format!("/orgs/{b}/evidence/{}", f.evidence_b),
                Body::None,
                ESG_B,
            ),
        ],
    );
    m.insert(
        ("GET", "/orgs/{id}/completeness"),
        esg(
            "/orgs/{id}/completeness?year=2025&catalog=xm-lite@1",
            Body::None,
            ESG_A,
            ESG_B,
        ),
    );
    m.insert(
        ("GET", "/orgs/{id}/data/{year}/template.xlsx"),
        esg(
            "/orgs/{id}/data/{year}/template.xlsx?catalog=xm-lite@1",
            Body::None,
            ESG_A,
            ESG_B,
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/data/{year}/upload"),
        esg(
            "/orgs/{id}/data/{year}/upload",
            file("not-a-workbook.xlsx"),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/data/{year}/upload/{upload}/confirm"),
        vec![],
    ); // per-user upload, see below
    m.insert(
        ("GET", "/api/v1/catalogs"),
        vec![p("/api/v1/catalogs".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/api/v1/catalogs/{key}"),
        vec![p(
            "/api/v1/catalogs/cn-exchange-sr@2024".into(),
            Body::None,
            ALL,
        )],
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/periods/{year}/values"),
        esg(
            "/api/v1/organizations/{id}/periods/{year}/values",
            Body::None,
            ESG_A,
            ESG_B,
        ),
    );
    m.insert(("PUT", "/api/v1/organizations/{id}/periods/{year}/values"), esg("/api/v1/organizations/{id}/periods/{year}/values", Body::Json(serde_json::json!({"values": [{"datapoint": "ghg.scope1", "answer": {"answer": "value", "kind": "quantity", "value": {"amount": "14", "unit": "tCO2e"}}}]})), WRITE_A, WRITE_B));
    m.insert(
        (
            "GET",
            "/api/v1/organizations/{id}/periods/{year}/completeness/{catalog}",
        ),
        esg(
            "/api/v1/organizations/{id}/periods/{year}/completeness/xm-lite@1",
            Body::None,
            ESG_A,
            ESG_B,
        ),
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/periods/{year}/checks"),
        esg(
            "/api/v1/organizations/{id}/periods/{year}/checks",
            Body::None,
            ESG_A,
            ESG_B,
        ),
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/periods/{year}/fx-rates"),
        esg(
            "/api/v1/organizations/{id}/periods/{year}/fx-rates",
            Body::None,
            ESG_A,
            ESG_B,
        ),
    );
    m.insert(
        ("PUT", "/api/v1/organizations/{id}/periods/{year}/fx-rates"),
        esg(
            "/api/v1/organizations/{id}/periods/{year}/fx-rates",
            Body::Json(
                serde_json::json!({"currency": "HKD", "cny_per_unit": "0.91", "note": "FS note 5"}),
            ),
            WRITE_A,
            WRITE_B,
        ),
    );
    // Carbon inventories.
    let activity = form(&[
        ("category", "scope2.electricity"),
        ("quantity", "1000"),
        ("unit", "MWh"),
        ("factor", "cn.grid.fujian.2022"),
    ]);
    let inst = format!("/institutions/{}", f.institution);
    for (path, who) in [
        ("/institutions", ALL),
        ("/institutions/{id}", ALL),
        ("/api/v1/institutions", ALL),
    ] {
        let real = path.replace("{id}", &f.institution);
        m.insert(("GET", path), vec![p(real, Body::None, who)]);
    }
    m.insert(
        ("POST", "/institutions"),
        vec![p(
            "/institutions".into(),
            form(&[
                ("uscc", &code(9_002)),
                ("name_zh", "某咨询公司"),
                ("services", "consulting"),
            ]),
            REGISTER,
        )],
    );
    m.insert(
        ("POST", "/api/v1/institutions"),
        vec![p(
            "/api/v1/institutions".into(),
            Body::Json(serde_json::json!({
                "uscc": code(9_003), "name_zh": "某核查公司", "services": ["ghg-verification"],
            })),
            REGISTER,
        )],
    );
    let qual = serde_json::json!({
        "kind": "cnas-iso14065", "number": "CNAS-1", "valid_from": "2024-01-01",
    });
    m.insert(
        ("POST", "/institutions/{id}/qualifications"),
        vec![p(
            format!("{inst}/qualifications"),
            form(&[
                ("kind", "cnas-iso14065"),
                ("number", "CNAS-2"),
                ("valid_from", "2024-01-01"),
            ]),
            REGISTER,
        )],
    );
    m.insert(
        ("POST", "/api/v1/institutions/{id}/qualifications"),
        vec![p(
            format!("/api/v1{inst}/qualifications"),
            Body::Json(qual),
            REGISTER,
        )],
    );
    m.insert(
        ("POST", "/institutions/{id}/status"),
        vec![p(
            format!("{inst}/status"),
            form(&[("status", "active"), ("reason", "复核 / review")]),
            REGISTER,
        )],
    );
    m.insert(
        ("POST", "/institutions/{id}/members"),
        vec![p(
            format!("{inst}/members"),
            form(&[("user_id", &f.analyst_id)]),
            REGISTER,
        )],
    );
    m.insert(
        ("GET", "/cockpit"),
        vec![p("/cockpit?year=2025".into(), Body::None, REGISTER)],
    );
    m.insert(
        ("GET", "/cockpit/list"),
        vec![p(
            "/cockpit/list?year=2025&segment=listed&scope=district:350203&status=missing".into(),
            Body::None,
            REGISTER,
        )],
    );
    m.insert(("GET", "/city"), vec![p("/city".into(), Body::None, ALL)]);
    m.insert(
        ("GET", "/ratings"),
        vec![p("/ratings".into(), Body::None, AUTHED)],
    );
    m.insert(("GET", "/cases"), vec![p("/cases".into(), Body::None, ALL)]);
    // Product footprints: readers of the organisation see them; its
    // writers record and publish; only a bound assurer may try to certify
    // (the fixture's assurer has no qualified body: refused as invalid).
    m.insert(
        ("GET", "/orgs/{id}/footprints"),
        both("/orgs/{id}/footprints", Body::None, READ_A, READ_B),
    );
    m.insert(
        ("POST", "/orgs/{id}/footprints"),
        both(
            "/orgs/{id}/footprints",
            footprint_form("form"),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/footprints/{pcf}/publish"),
        vec![
            p(
                format!("/orgs/{a}/footprints/{}/publish", f.pcf_a),
                form(&[]),
                WRITE_A,
            ),
            p(
                format!("/orgs/{b}/footprints/{}/publish", f.pcf_b),
                form(&[]),
                WRITE_B,
            ),
        ],
    );
    let certify = form(&[
        ("number", "C-1"),
        ("standard", "iso-14067"),
        ("scope", "module"),
        ("valid_from", "2026-01-01"),
        ("valid_to", "2027-01-01"),
        ("statement", "ok"),
    ]);
    m.insert(
        ("POST", "/orgs/{id}/footprints/{pcf}/certify"),
        vec![
            p(
                format!("/orgs/{a}/footprints/{}/certify", f.pcf_a),
                certify.clone(),
                &[Assurer],
            ),
            p(
                format!("/orgs/{b}/footprints/{}/certify", f.pcf_b),
                certify,
                &[],
            ),
        ],
    );
    m.insert(
        ("GET", "/certificates"),
        vec![p("/certificates?digest=abc".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/certificates/{digest}"),
        vec![p("/certificates/-".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/footprints"),
        both(
            "/api/v1/organizations/{id}/footprints",
            Body::None,
            READ_A,
            READ_B,
        ),
    );
    m.insert(
        ("POST", "/api/v1/organizations/{id}/footprints"),
        both(
            "/api/v1/organizations/{id}/footprints",
            Body::Json(serde_json::json!({"footprint": footprint_json("api")})),
            WRITE_A,
            WRITE_B,
        ),
    );
    // Product systems: the organisation's ESG readers (staff, engaged
    // assurer) read models and calculations; its writers edit and
    // calculate; suppliers' credentials are for writers only.
    m.insert(
        ("GET", "/orgs/{id}/products"),
        both("/orgs/{id}/products", Body::None, ESG_A, ESG_B),
    );
    let new_system = form(&[
        ("name", "Cap"),
        ("process_name", "Moulding"),
        ("product", "cap"),
        ("unit", "piece"),
        ("amount", "1"),
        ("gwp_set", "AR6"),
    ]);
    m.insert(
        ("POST", "/orgs/{id}/products"),
        both("/orgs/{id}/products", new_system, WRITE_A, WRITE_B),
    );
    let model_file = Body::File(
        vec![],
        "bottle.toml".into(),
        toml::to_string(&bottle_model()).unwrap().into_bytes(),
    );
    m.insert(
        ("POST", "/orgs/{id}/products/import"),
        both("/orgs/{id}/products/import", model_file, WRITE_A, WRITE_B),
    );
    m.insert(
        ("GET", "/orgs/{id}/products/{sid}"),
        vec![
            p(
                format!("/orgs/{a}/products/{}", f.system_a),
                Body::None,
                ESG_A,
            ),
            p(
                format!("/orgs/{b}/products/{}", f.system_b),
                Body::None,
                ESG_B,
            ),
        ],
    );
    // Editing from version 1 is refused once someone saved on top of it
    // (a conflict, not a denial): each probe adds an emission at version 1.
    let edit = |base: &str| {
        form(&[
            ("base", base),
            ("op", "add_emission"),
            ("process", "blow"),
            ("flow", "N2O"),
            ("amount", "0.00001"),
            ("kind", "fossil"),
        ])
    };
    m.insert(
        ("POST", "/orgs/{id}/products/{sid}/edit"),
        vec![
            p(
                format!("/orgs/{a}/products/{}/edit", f.system_a),
                edit("1"),
                WRITE_A,
            ),
            p(
                format!("/orgs/{b}/products/{}/edit", f.system_b),
                edit("1"),
                WRITE_B,
            ),
        ],
    );
    m.insert(
        ("GET", "/orgs/{id}/products/{sid}/matrices.zip"),
        vec![
            p(
                format!("/orgs/{a}/products/{}/matrices.zip", f.system_a),
                Body::None,
                ESG_A,
            ),
            p(
                format!("/orgs/{b}/products/{}/matrices.zip", f.system_b),
                Body::None,
                ESG_B,
            ),
        ],
    );
    let calc = form(&[("version", "1"), ("draws", "0"), ("seed", "1")]);
    m.insert(
        ("POST", "/orgs/{id}/products/{sid}/calculate"),
        vec![
            p(
                format!("/orgs/{a}/products/{}/calculate", f.system_a),
                calc.clone(),
                WRITE_A,
            ),
            p(
                format!("/orgs/{b}/products/{}/calculate", f.system_b),
                calc,
                WRITE_B,
            ),
        ],
    );
    m.insert(
        ("GET", "/orgs/{id}/calculations/{cid}"),
        vec![
            p(
                format!("/orgs/{a}/calculations/{}", f.calc_a),
                Body::None,
                ESG_A,
            ),
            p(
                format!("/orgs/{b}/calculations/{}", f.calc_b),
                Body::None,
                ESG_B,
            ),
        ],
    );
    m.insert(
        ("GET", "/orgs/{id}/suppliers"),
        both("/orgs/{id}/suppliers", Body::None, WRITE_A, WRITE_B),
    );
    let supplier = form(&[
        ("name", "Glass Co"),
        ("base_url", "https://glass.example/pact"),
        ("client_id", "c"),
        ("client_secret", "s"),
    ]);
    m.insert(
        ("POST", "/orgs/{id}/suppliers"),
        both("/orgs/{id}/suppliers", supplier, WRITE_A, WRITE_B),
    );
    // Nothing listens at the fixture suppliers' address: writers get the
    // connection error as a page, others are denied before any call.
    m.insert(
        ("POST", "/orgs/{id}/suppliers/{sup}/fetch"),
        vec![
            p(
                format!("/orgs/{a}/suppliers/{}/fetch", f.supplier_a),
                form(&[]),
                WRITE_A,
            ),
            p(
                format!("/orgs/{b}/suppliers/{}/fetch", f.supplier_b),
                form(&[]),
                WRITE_B,
            ),
        ],
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/product-systems"),
        both(
            "/api/v1/organizations/{id}/product-systems",
            Body::None,
            ESG_A,
            ESG_B,
        ),
    );
    m.insert(
        ("POST", "/api/v1/organizations/{id}/product-systems"),
        both(
            "/api/v1/organizations/{id}/product-systems",
            Body::Json(serde_json::json!({ "model": bottle_model() })),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/product-systems/{sid}"),
        vec![
            p(
                format!("/api/v1/organizations/{a}/product-systems/{}", f.system_a),
                Body::None,
                ESG_A,
            ),
            p(
                format!("/api/v1/organizations/{b}/product-systems/{}", f.system_b),
                Body::None,
                ESG_B,
            ),
        ],
    );
    let api_calc = Body::Json(serde_json::json!({ "version": 1 }));
    m.insert(
        (
            "POST",
            "/api/v1/organizations/{id}/product-systems/{sid}/calculations",
        ),
        vec![
            p(
                format!(
                    "/api/v1/organizations/{a}/product-systems/{}/calculations",
                    f.system_a
                ),
                api_calc.clone(),
                WRITE_A,
            ),
            p(
                format!(
                    "/api/v1/organizations/{b}/product-systems/{}/calculations",
                    f.system_b
                ),
                api_calc,
                WRITE_B,
            ),
        ],
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/calculations/{cid}"),
        vec![
            p(
                format!("/api/v1/organizations/{a}/calculations/{}", f.calc_a),
                Body::None,
                ESG_A,
            ),
            p(
                format!("/api/v1/organizations/{b}/calculations/{}", f.calc_b),
                Body::None,
                ESG_B,
            ),
        ],
    );
    // PACT: the organisation's writers manage partners; the endpoint
    // itself takes only partners' tokens, never a session.
    m.insert(
        ("GET", "/orgs/{id}/pact"),
        both("/orgs/{id}/pact", Body::None, WRITE_A, WRITE_B),
    );
    m.insert(
        ("POST", "/orgs/{id}/pact/clients"),
        both(
            "/orgs/{id}/pact/clients",
            form(&[("name", "客户")]),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/pact/clients/{client}/revoke"),
        vec![
            p(
                format!("/orgs/{a}/pact/clients/{}/revoke", f.pact_a),
                form(&[]),
                WRITE_A,
            ),
            p(
                format!("/orgs/{b}/pact/clients/{}/revoke", f.pact_b),
                form(&[]),
                WRITE_B,
            ),
        ],
    );
    let callback = form(&[
        ("url", "https://partner.example/pact"),
        ("client_id", "egret"),
        ("secret", "s"),
    ]);
    m.insert(
        ("POST", "/orgs/{id}/pact/clients/{client}/callback"),
        vec![
            p(
                format!("/orgs/{a}/pact/clients/{}/callback", f.pact_a),
                callback.clone(),
                WRITE_A,
            ),
            p(
                format!("/orgs/{b}/pact/clients/{}/callback", f.pact_b),
                callback,
                WRITE_B,
            ),
        ],
    );
    let pact = |path: &str| path.replace("{uscc}", &code(1)).replace("{id}", "x");
    for (method, path) in [
        ("POST", "/pact/{uscc}/auth/token"),
        ("GET", "/pact/{uscc}/3/footprints"),
        ("GET", "/pact/{uscc}/3/footprints/{id}"),
        ("POST", "/pact/{uscc}/3/events"),
        ("GET", "/pact/{uscc}/2/footprints"),
        ("GET", "/pact/{uscc}/2/footprints/{id}"),
        ("POST", "/pact/{uscc}/2/events"),
    ] {
        m.insert(
            (method, path),
            vec![p(pact(path), Body::Json(serde_json::json!({})), &[])],
        );
    }
    // The bank API and pages: bank staff only (sessions work too).
    let a_code = code(1);
    for path in [
        "/api/bank/v1/orgs/{uscc}",
        "/api/bank/v1/orgs/{uscc}/grade",
        "/api/bank/v1/orgs/{uscc}/eligibility",
    ] {
        m.insert(
            ("GET", path),
            vec![p(path.replace("{uscc}", &a_code), Body::None, BANK)],
        );
    }
    for path in [
        "/api/bank/v1/rules",
        "/api/bank/v1/facilities",
        "/api/bank/v1/catalogues",
        "/api/bank/v1/calls",
        "/bank",
    ] {
        m.insert(("GET", path), vec![p(path.into(), Body::None, BANK)]);
    }
    m.insert(
        ("PUT", "/api/bank/v1/rules"),
        vec![p(
            "/api/bank/v1/rules".into(),
            Body::Json(serde_json::json!("not toml")),
            BANK,
        )],
    );
    let facility = serde_json::json!({
        "reference": "T-1", "kind": "loan", "borrower_uscc": a_code, "amount": "1000.00",
        "approved_on": "2026-02-01", "item": "1"
    });
    m.insert(
        ("POST", "/api/bank/v1/facilities"),
        vec![p(
            "/api/bank/v1/facilities".into(),
            Body::Json(facility),
            BANK,
        )],
    );
    m.insert(
        ("POST", "/bank/rules"),
        vec![p("/bank/rules".into(), form(&[("source", "x = 1")]), BANK)],
    );
    m.insert(
        ("POST", "/bank/facilities"),
        vec![p(
            "/bank/facilities".into(),
            form(&[
                ("reference", "T-2"),
                ("kind", "bond"),
                ("borrower_uscc", &code(1)),
                ("amount", "1000"),
                ("currency", "CNY"),
                ("approved_on", "2024-02-01"),
                ("edition", ""),
                ("item", "1"),
            ]),
            BANK,
        )],
    );
    // No published report in the fixture: refused as invalid (not denied)
    // for those who may publish cases.
    m.insert(
        ("POST", "/cases"),
        vec![p(
            "/cases".into(),
            form(&[
                ("report", "none none"),
                ("title_zh", "案例"),
                ("body_zh", "正文"),
            ]),
            &[Admin, City, Analyst],
        )],
    );
    m.insert(
        ("GET", "/rankings"),
        vec![p("/rankings?by=district".into(), Body::None, ALL)],
    );
    // No such run: not found for those who may publish; denied for others.
    m.insert(
        ("POST", "/ratings/{run}/publish"),
        vec![p("/ratings/no-such-run/publish".into(), form(&[]), &[])],
    );
    m.insert(
        ("POST", "/ratings/run"),
        vec![p(
            "/ratings/run".into(),
            form(&[("year", "2025"), ("methodology", "egret-esg@2026.1")]),
            &[Admin, Analyst],
        )],
    );
    // The fixture has no published reports, so no ratings: explanations and
    // objections are not found for anyone (the store tests cover access);
    // resolving checks the role first.
    m.insert(
        ("GET", "/orgs/{id}/rating"),
        esg("/orgs/{id}/rating", Body::None, &[], &[]),
    );
    m.insert(
        ("POST", "/orgs/{id}/controversies"),
        esg(
            "/orgs/{id}/controversies",
            form(&[
                ("kind", "safety-accident"),
                ("occurred_on", "2025-05-01"),
                ("description", "事故 / accident"),
                ("source", "应急管理局通报 / bureau notice"),
            ]),
            &[Admin, Analyst],
            &[Admin, Analyst],
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/rating/objections"),
        esg(
            "/orgs/{id}/rating/objections",
            form(&[("run_id", "none"), ("objection", "x"), ("evidence", "y")]),
            &[],
            &[],
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/rating/objections/{oid}"),
        esg(
            "/orgs/{id}/rating/objections/none",
            form(&[
                ("run_id", "none"),
                ("resolution", "upheld"),
                ("response", "ok"),
            ]),
            &[Admin, Analyst],
            &[Admin, Analyst],
        ),
    );
    m.insert(
        ("GET", "/xbrl/2026/egret.xsd"),
        vec![p("/xbrl/2026/egret.xsd".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/awards"),
        vec![p("/awards".into(), Body::None, AUTHED)],
    );
    // Applying checks the rules (org A is not eligible: refused as
    // invalid, not denied) for its staff and the city.
    m.insert(
        ("POST", "/awards/{award}/apply"),
        vec![p(
            "/awards/assured-report-2025/apply".into(),
            form(&[("org_id", a)]),
            &[Admin, City, Ent],
        )],
    );
    m.insert(
        ("POST", "/awards/applications/{id}"),
        vec![p(
            "/awards/applications/no-such-application".into(),
            form(&[("action", "approve")]),
            &[],
        )],
    );
    m.insert(
        ("GET", "/plan"),
        vec![p("/plan".into(), Body::None, REGISTER)],
    );
    m.insert(
        ("GET", "/plan/{n}"),
        vec![p("/plan/2".into(), Body::None, REGISTER)],
    );
    // Filing needs a department (none in the fixture: refused as invalid,
    // not denied); evaluating and moving milestones need the coordinating
    // department or the platform administrator.
    m.insert(
        ("POST", "/plan/{n}/reports"),
        vec![p(
            "/plan/2/reports".into(),
            form(&[("period", "2025-Q4"), ("progress", "进展")]),
            REGISTER,
        )],
    );
    m.insert(
        ("POST", "/plan/{n}/evaluations"),
        vec![p(
            "/plan/2/evaluations".into(),
            form(&[("period", "2025-Q4"), ("rating", "on_track")]),
            &[Admin],
        )],
    );
    m.insert(
        ("POST", "/plan/{n}/adjustments"),
        vec![p(
            "/plan/2/adjustments".into(),
            form(&[
                ("milestone", "2-m1"),
                ("new_due", "2026-12-31"),
                ("reason", "调整 / moved"),
            ]),
            &[Admin],
        )],
    );
    m.insert(
        ("GET", "/carbon/factors"),
        vec![p("/carbon/factors?q=fujian".into(), Body::None, ALL)],
    );
    let city_factor = form(&[
        ("id", "city.supplier-power"),
        ("name_zh", "售电公司电力因子"),
        ("per_unit", "MWh"),
        ("gas", "CO2"),
        ("value", "0.31"),
        ("gas_unit", "t"),
        ("source", "supplier letter 2025-03"),
    ]);
    let org_factor = form(&[
        ("id", "org.supplier-power"),
        ("name_zh", "售电公司电力因子"),
        ("per_unit", "MWh"),
        ("gas", "CO2"),
        ("value", "0.31"),
        ("gas_unit", "t"),
        ("source", "supplier letter 2025-03"),
    ]);
    let factor_json = |p: &str| {
        Body::Json(
            serde_json::json!({"id": format!("{p}.api"), "name_zh": "接口因子", "name_en": "API factor",
            "per_unit": "t", "gases": [{"gas": "CO2", "value": "1.2", "unit": "t"}], "source": "EPD 42"}),
        )
    };
    m.insert(
        ("POST", "/carbon/factors"),
        vec![p("/carbon/factors".into(), city_factor, REGISTER)],
    );
    m.insert(
        ("POST", "/orgs/{id}/carbon/factors"),
        esg("/orgs/{id}/carbon/factors", org_factor, WRITE_A, WRITE_B),
    );
    m.insert(
        ("POST", "/api/v1/carbon/factors"),
        vec![p(
            "/api/v1/carbon/factors".into(),
            factor_json("city"),
            REGISTER,
        )],
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/factors"),
        esg(
            "/api/v1/organizations/{id}/factors",
            Body::None,
            ESG_A,
            ESG_B,
        ),
    );
    m.insert(
        ("POST", "/api/v1/organizations/{id}/factors"),
        esg(
            "/api/v1/organizations/{id}/factors",
            factor_json("org"),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("GET", "/carbon/factors/{factor}"),
        vec![p("/carbon/factors/cn.fuel.diesel".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/orgs/{id}/carbon"),
        esg("/orgs/{id}/carbon?year=2025", Body::None, ESG_A, ESG_B),
    );
    m.insert(
        ("POST", "/orgs/{id}/carbon/{year}/activities"),
        esg(
            "/orgs/{id}/carbon/{year}/activities",
            activity,
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/carbon/{year}/outputs"),
        esg(
            "/orgs/{id}/carbon/{year}/outputs",
            form(&[
                ("description", "水泥"),
                ("quantity", "12000"),
                ("unit", "t"),
            ]),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/carbon/{year}/import"),
        esg(
            "/orgs/{id}/carbon/{year}/import",
            Body::File(
                vec![],
                "activities.csv".into(),
                b"category,quantity,unit,factor\nscope1.mobile,3,t,cn.fuel.diesel\n".to_vec(),
            ),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        (
            "POST",
            "/orgs/{id}/carbon/{year}/activities/{activity}/delete",
        ),
        vec![],
    ); // per-activity, see below
    m.insert(
        ("POST", "/orgs/{id}/carbon/{year}/calculate"),
        esg(
            "/orgs/{id}/carbon/{year}/calculate",
            form(&[("gwp", "ar6")]),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("GET", "/api/v1/carbon/factors"),
        vec![p("/api/v1/carbon/factors".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/api/v1/carbon/factors/{factor}"),
        vec![p(
            "/api/v1/carbon/factors/cn.grid.fujian.2022".into(),
            Body::None,
            ALL,
        )],
    );
    m.insert(
        (
            "GET",
            "/api/v1/organizations/{id}/periods/{year}/activities",
        ),
        esg(
            "/api/v1/organizations/{id}/periods/{year}/activities",
            Body::None,
            ESG_A,
            ESG_B,
        ),
    );
    m.insert(("PUT", "/api/v1/organizations/{id}/periods/{year}/activities"), esg("/api/v1/organizations/{id}/periods/{year}/activities", Body::Json(serde_json::json!({"activities": [{"category": "scope1.mobile", "quantity": "2.5", "unit": "t", "factor": "cn.fuel.diesel"}]})), WRITE_A, WRITE_B));
    m.insert(
        (
            "POST",
            "/api/v1/organizations/{id}/periods/{year}/inventory",
        ),
        esg(
            "/api/v1/organizations/{id}/periods/{year}/inventory",
            Body::Json(serde_json::json!({"gwp": "ar5"})),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/periods/{year}/inventory"),
        esg(
            "/api/v1/organizations/{id}/periods/{year}/inventory",
            Body::None,
            ESG_A,
            ESG_B,
        ),
    );
    // Submissions and reports.
    m.insert(
        ("GET", "/api/v1/city/assurance-coverage"),
        vec![p(
            "/api/v1/city/assurance-coverage".into(),
            Body::None,
            REGISTER,
        )],
    );
    m.insert(
        ("GET", "/reports"),
        vec![p("/reports".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/api/v1/reports"),
        vec![p("/api/v1/reports".into(), Body::None, ALL)],
    );
    m.insert(
        ("POST", "/orgs/{id}/data/{year}/submit"),
        esg(
            "/orgs/{id}/data/{year}/submit",
            form(&[("catalog", "xm-lite@1")]),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        (
            "POST",
            "/api/v1/organizations/{id}/periods/{year}/submissions",
        ),
        esg(
            "/api/v1/organizations/{id}/periods/{year}/submissions",
            Body::Json(serde_json::json!({"catalog": "xm-lite@1"})),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("GET", "/orgs/{id}/report/{year}/narrative"),
        esg(
            "/orgs/{id}/report/{year}/narrative?catalog=xm-lite@1",
            Body::None,
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("POST", "/orgs/{id}/report/{year}/narrative"),
        esg(
            "/orgs/{id}/report/{year}/narrative",
            form(&[
                ("catalog", "xm-lite@1"),
                ("section", "b3"),
                ("text_zh", "正文"),
            ]),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("GET", "/orgs/{id}/submissions"),
        both("/orgs/{id}/submissions", Body::None, ALL, ALL),
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/submissions"),
        both(
            "/api/v1/organizations/{id}/submissions",
            Body::None,
            AUTHED,
            AUTHED,
        ),
    );
    // Per submission, see submissions_are_private_until_published.
    m.insert(("GET", "/orgs/{id}/submissions/{sid}"), vec![]);
    m.insert(("GET", "/orgs/{id}/submissions/{sid}/xbrl.json"), vec![]);
    m.insert(("GET", "/orgs/{id}/submissions/{sid}/egret.json"), vec![]);
    m.insert(("GET", "/orgs/{id}/submissions/{sid}/annex.xlsx"), vec![]);
    m.insert(("GET", "/orgs/{id}/submissions/{sid}/report.pdf"), vec![]);
    m.insert(("POST", "/orgs/{id}/submissions/{sid}/publish"), vec![]);
    m.insert(("POST", "/orgs/{id}/submissions/{sid}/withdraw"), vec![]);
    // Per engagement, see the store's engagement test and
    // an_engagement_runs_through_the_pages.
    m.insert(("POST", "/orgs/{id}/submissions/{sid}/engage"), vec![]);
    m.insert(("POST", "/orgs/{id}/engagements/{eid}/findings"), vec![]);
    m.insert(
        (
            "POST",
            "/orgs/{id}/engagements/{eid}/findings/{fid}/respond",
        ),
        vec![],
    );
    m.insert(("POST", "/orgs/{id}/engagements/{eid}/conclude"), vec![]);
    m.insert(
        ("GET", "/api/openapi.json"),
        vec![p("/api/openapi.json".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/api/v1/me"),
        vec![p("/api/v1/me".into(), Body::None, AUTHED)],
    );
    m.insert(
        ("GET", "/api/v1/reference"),
        vec![p("/api/v1/reference".into(), Body::None, ALL)],
    );
    m.insert(
        ("GET", "/api/v1/organizations"),
        vec![p("/api/v1/organizations".into(), Body::None, AUTHED)],
    );
    m.insert(
        ("POST", "/api/v1/organizations"),
        vec![p("/api/v1/organizations".into(), org_json(300), REGISTER)],
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}"),
        both("/api/v1/organizations/{id}", Body::None, READ_A, READ_B),
    );
    m.insert(
        ("PUT", "/api/v1/organizations/{id}"),
        vec![
            p(format!("/api/v1/organizations/{a}"), org_json(1), WRITE_A),
            p(format!("/api/v1/organizations/{b}"), org_json(2), WRITE_B),
        ],
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/sites"),
        both(
            "/api/v1/organizations/{id}/sites",
            Body::None,
            READ_A,
            READ_B,
        ),
    );
    m.insert(
        ("POST", "/api/v1/organizations/{id}/sites"),
        both(
            "/api/v1/organizations/{id}/sites",
            Body::Json(
                serde_json::json!({"name_zh": "仓库", "kind": "warehouse", "district": "350206"}),
            ),
            WRITE_A,
            WRITE_B,
        ),
    );
    m.insert(
        ("GET", "/api/v1/organizations/{id}/periods"),
        both(
            "/api/v1/organizations/{id}/periods",
            Body::None,
            READ_A,
            READ_B,
        ),
    );
    m.insert(("POST", "/api/v1/organizations/{id}/periods"), both("/api/v1/organizations/{id}/periods", Body::Json(serde_json::json!({"fiscal_year": 2032, "start": "2032-01-01", "end": "2032-12-31"})), WRITE_A, WRITE_B));
    m
}

/// Whether a response is an authorisation refusal.
fn denied(r: &reqwest::Response) -> bool {
    let to_login = r.status() == StatusCode::SEE_OTHER
        && r.headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.starts_with("/login"));
    to_login
        || matches!(
            r.status(),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        )
}

#[tokio::test]
async fn every_route_has_an_authorisation_expectation_and_meets_it() {
    let f = fixture(WebConfig::default()).await;
    let table = expectations(&f);
    let routes: HashSet<(&str, &str)> = route_table().iter().map(|r| (r.method, r.path)).collect();
    let expected: HashSet<(&str, &str)> = table.keys().copied().collect();
    let missing: Vec<_> = routes.difference(&expected).collect();
    let stale: Vec<_> = expected.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes without an authorisation expectation: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "expectations for routes that do not exist: {stale:?}"
    );

    let mut failures = Vec::new();
    for who in ALL {
        let client = Client::new(&f, *who).await;
        for ((method, _), probes) in &table {
            for probe in probes {
                let r = client.send(method, &probe.path, &probe.body).await;
                let allowed = probe.allow.contains(who);
                let status = r.status();
                if denied(&r) == allowed {
                    failures.push(format!(
                        "{who:?} {method} {} → {status} (expected {})",
                        probe.path,
                        if allowed { "allowed" } else { "denied" }
                    ));
                }
                if status.is_server_error() {
                    failures.push(format!("{who:?} {method} {} → {status}", probe.path));
                }
            }
        }
        // Revoking a token: each signed-in user revokes their own.
        if *who != Anon {
            let r = client
                .send("POST", "/account/tokens", &form(&[("name", "to revoke")]))
                .await;
            let page = r.text().await.unwrap();
            assert!(page.contains("id=\"new-token\""));
            let tokens = f
                .store
                .list_api_tokens(&principal_of(&f, *who).await)
                .await
                .unwrap();
            let id = &tokens
                .iter()
                .find(|t| t.name == "to revoke" && t.revoked_at.is_none())
                .unwrap()
                .token_id;
            let r = client
                .send("POST", &format!("/account/tokens/{id}/revoke"), &form(&[]))
                .await;
            assert!(!denied(&r), "{who:?} revoke own token → {}", r.status());
        } else {
            let r = client
                .send("POST", "/account/tokens/x/revoke", &form(&[]))
                .await;
            assert!(denied(&r));
        }
        // Confirming an upload: only the uploader's own, only where they may write.
        for (org, allowed) in [(&f.org_a, WRITE_A), (&f.org_b, WRITE_B)] {
            let url_id = if allowed.contains(who) {
                let p = principal_of(&f, *who).await;
                let period = f.store.period_for_year(&p, org, 2025).await.unwrap();
                f.store
                    .save_pending_upload(&p, org, &period.period_id, "xm-lite@1", "t.xlsx", &[])
                    .await
                    .unwrap()
            } else {
                "not-yours".to_string()
            };
            let r = client
                .send(
                    "POST",
                    &format!("/orgs/{org}/data/2025/upload/{url_id}/confirm"),
                    &form(&[]),
                )
                .await;
            if denied(&r) == allowed.contains(who) {
                failures.push(format!("{who:?} confirm upload on {org} → {}", r.status()));
            }
        }
        // Deleting an activity: writers of the organisation only.
        for (org, allowed) in [(&f.org_a, WRITE_A), (&f.org_b, WRITE_B)] {
            let admin = principal_of(&f, Admin).await;
            let period = f.store.period_for_year(&admin, org, 2025).await.unwrap();
            let ids = f
                .store
                .put_activities(
                    &admin,
                    org,
                    &period.period_id,
                    &[egret_store::ActivityInput {
                        activity_id: None,
                        site_id: None,
                        category: "scope1.mobile".into(),
                        description: None,
                        quantity: "1".parse().unwrap(),
                        unit: "t".into(),
                        factor: "cn.fuel.diesel".into(),
                        instrument: None,
                        market_factor: None,
                    }],
                    &egret_store::Source::Manual,
                )
                .await
                .unwrap();
            let r = client
                .send(
                    "POST",
                    &format!("/orgs/{org}/carbon/2025/activities/{}/delete", ids[0]),
                    &form(&[]),
                )
                .await;
            if denied(&r) == allowed.contains(who) {
                failures.push(format!("{who:?} delete activity on {org} → {}", r.status()));
            }
        }
        // Logging out: allowed for the signed in, a redirect to login otherwise.
        let r = client.send("POST", "/logout", &form(&[])).await;
        assert_eq!(denied(&r), *who == Anon, "{who:?} logout → {}", r.status());
        if *who != Anon {
            let r = client.get("/dashboard").await;
            assert!(denied(&r), "{who:?} still signed in after logout");
        }
    }
    assert!(
        failures.is_empty(),
        "{} authorisation failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

async fn principal_of(f: &Fixture, who: Who) -> Principal {
    let email = format!("{}@test.example", format!("{who:?}").to_lowercase());
    let u = f.store.authenticate(&email, PW).await.unwrap().unwrap();
    f.store.principal(&u).await.unwrap()
}

#[tokio::test]
async fn forms_without_the_csrf_token_or_from_other_sites_are_refused() {
    let f = fixture(WebConfig::default()).await;
    let c = Client::new(&f, Admin).await;
    let url = format!("{}/orgs/{}/periods", f.base, f.org_a);
    let r = c
        .http
        .post(&url)
        .form(&[("fiscal_year", "2030")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .http
        .post(&url)
        .form(&[("fiscal_year", "2030"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .http
        .post(&url)
        .header("origin", "https://evil.example")
        .form(&[("fiscal_year", "2030"), ("csrf", c.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .http
        .post(&url)
        .header("sec-fetch-site", "cross-site")
        .form(&[("fiscal_year", "2030"), ("csrf", c.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The API from a browser session needs the header.
    let r = c
        .http
        .post(format!(
            "{}/api/v1/organizations/{}/periods",
            f.base, f.org_a
        ))
        .json(&serde_json::json!({"fiscal_year": 2030, "start": "2030-01-01", "end": "2030-12-31"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        f.store
            .list_periods(&Principal::system("t"), &f.org_a)
            .await
            .unwrap()
            .iter()
            .all(|p| p.fiscal_year != 2030),
        "nothing stored"
    );
    // With the token it works.
    let r = c
        .http
        .post(&url)
        .form(&[("fiscal_year", "2030"), ("csrf", c.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn token_for(f: &Fixture, who: Who) -> String {
    let p = principal_of(f, who).await;
    f.store.create_api_token(&p, "test").await.unwrap().0
}

#[tokio::test]
async fn api_errors_are_json_4xx_never_500() {
    let f = fixture(WebConfig {
        body_limit: 4096,
        ..WebConfig::default()
    })
    .await;
    let token = token_for(&f, Admin).await;
    let http = reqwest::Client::new();
    let post = |body: String, ct: &'static str| {
        http.post(format!("{}/api/v1/organizations", f.base))
            .bearer_auth(&token)
            .header(CONTENT_TYPE, ct)
            .body(body)
    };
    let cases = [
        (post("{not json".into(), "application/json"), StatusCode::BAD_REQUEST, "bad_request"),
        (post(r#"{"uscc": 5}"#.into(), "application/json"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_json_data"),
        (post(
            serde_json::json!({"uscc": code(9), "name_zh": "厦门某公司", "industry_code": "39", "ownership": "private", "district": "350206", "colour": "red"}).to_string(),
            "application/json",
        ), StatusCode::UNPROCESSABLE_ENTITY, "invalid_json_data"),
        (post("{}".into(), "text/plain"), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        (post(format!("{{\"name_zh\": \"{}\"}}", "x".repeat(10_000)), "application/json"), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
        (post(
            serde_json::json!({"uscc": "91350200MA2XXXXXX0", "name_zh": "Acme", "industry_code": "99", "ownership": "state", "district": "110000"}).to_string(),
            "application/json",
        ), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
    ];
    for (req, status, code) in cases {
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), status);
        assert!(
            r.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], code, "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        if code == "invalid" {
            let fields: Vec<&str> = body["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap())
                .collect();
            for expected in ["uscc", "industry_code", "ownership", "district"] {
                assert!(fields.contains(&expected), "{fields:?}");
            }
        }
    }
    // Unknown routes, bad tokens, unknown query parameters.
    let r = http
        .get(format!("{}/api/v1/nothing", f.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "not_found"
    );
    let r = http
        .get(format!("{}/api/v1/me", f.base))
        .bearer_auth("egt_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http
        .get(format!("{}/api/v1/organizations?colour=red", f.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Errors come in the caller's language.
    let r = http
        .get(format!("{}/api/v1/organizations/nope", f.base))
        .bearer_auth(&token)
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("未找到"),
        "{body}"
    );
}

#[tokio::test]
async fn api_round_trip_with_token_and_paging() {
    let f = fixture(WebConfig::default()).await;
    let token = token_for(&f, City).await;
    let http = reqwest::Client::new();
    let mut input = org_input(500);
    input.zones = vec!["ftz-xiamen".into()];
    let r = http
        .post(format!("{}/api/v1/organizations", f.base))
        .bearer_auth(&token)
        .json(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let loc = r.headers()[LOCATION].to_str().unwrap().to_string();
    let created: serde_json::Value = r.json().await.unwrap();
    assert_eq!(created["uscc"], code(500));
    let got: serde_json::Value = http
        .get(format!("{}{loc}", f.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["org_id"], created["org_id"]);
    let page: serde_json::Value = http
        .get(format!(
            "{}/api/v1/organizations?zone=ftz-xiamen&per_page=1",
            f.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1);
    // City government may register but not edit an enterprise's profile.
    let r = http
        .put(format!("{}{loc}", f.base))
        .bearer_auth(&token)
        .json(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The admin may, and a stale If-Match is a conflict.
    let admin = token_for(&f, Admin).await;
    let r = http
        .put(format!("{}{loc}", f.base))
        .bearer_auth(&admin)
        .header("if-match", "\"1\"")
        .json(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = http
        .put(format!("{}{loc}", f.base))
        .bearer_auth(&admin)
        .header("if-match", "\"1\"")
        .json(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn openapi_documents_every_api_route() {
    let f = fixture(WebConfig::default()).await;
    let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", f.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for r in route_table().iter().filter(|r| r.path.starts_with("/api/")) {
        let op = &doc["paths"][r.path][r.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is not in the OpenAPI document",
            r.method,
            r.path
        );
    }
    assert!(doc["components"]["schemas"]["OrgInput"].is_object());
}

#[tokio::test]
async fn pages_switch_language_and_health_metrics_answer() {
    let f = fixture(WebConfig {
        demo_notice: true,
        ..WebConfig::default()
    })
    .await;
    let c = Client::new(&f, Ent).await;
    let zh = c
        .get(&format!("/orgs/{}", f.org_a))
        .await
        .text()
        .await
        .unwrap();
    assert!(zh.contains("lang=\"zh-CN\"") && zh.contains("统一社会信用代码"));
    assert!(zh.contains("合成演示城市"), "demo banner");
    let r = c.get(&format!("/lang/en?next=/orgs/{}", f.org_a)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let en = c
        .get(&format!("/orgs/{}", f.org_a))
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("lang=\"en\"") && en.contains("Unified social credit code"));
    // No open redirect through the language switch.
    let r = c.get("/lang/zh-CN?next=//evil.example").await;
    assert_eq!(r.headers()[LOCATION], "/dashboard");
    let h: serde_json::Value = reqwest::get(format!("{}/healthz", f.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    let m = reqwest::get(format!("{}/metrics", f.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("egret_http_requests_total"), "{m}");
}

#[tokio::test]
async fn html_form_errors_name_the_field_and_store_nothing() {
    let f = fixture(WebConfig::default()).await;
    let c = Client::new(&f, Admin).await;
    let bad = form(&[
        ("uscc", "91350200MA2XXXXXX1"),
        ("name_zh", "ACME"),
        ("industry_code", "39"),
        ("ownership", "private"),
        ("district", "350206"),
        ("employees", "many"),
    ]);
    let r = c.send("POST", "/orgs", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("id=\"form-errors\"") && page.contains("<code>employees</code>"),
        "{page}"
    );
    assert_eq!(f.store.count_orgs().await.unwrap(), 2);
    let r = c.send("POST", "/orgs", &org_form(77)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(f.store.count_orgs().await.unwrap(), 3);
}

#[tokio::test]
async fn bad_imports_name_row_and_column_and_store_nothing() {
    let f = fixture(WebConfig::default()).await;
    let c = Client::new(&f, City).await;
    let csv = format!(
        "uscc,name_zh,industry_code,ownership,district\n{},厦门好行有限公司,39,private,350206\n{},厦门坏行有限公司,39,private,999999\n",
        code(601),
        code(602)
    );
    let r = c.send("POST", "/import", &Body::Multipart(csv)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("<td class=\"num\">3</td><td>district</td>"),
        "{page}"
    );
    assert_eq!(f.store.count_orgs().await.unwrap(), 2, "nothing imported");
}

#[tokio::test]
async fn activity_imports_name_row_and_column_and_store_nothing() {
    let f = fixture(WebConfig::default()).await;
    let c = Client::new(&f, Admin).await;
    let org = &f.org_a;
    let file = |body: &str| Body::File(vec![], "acts.csv".into(), body.as_bytes().to_vec());
    let r = c
        .send(
            "POST",
            &format!("/orgs/{org}/carbon/2025/import"),
            &file("category,quantity,unit,factor\nscope1.mobile,3,t,cn.fuel.diesel\nscope1.mobile,2,kWh,cn.fuel.diesel\nscope1.mobile,x,t,cn.fuel.diesel\n"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("acts.csv: row 4, quantity"), "{page}");
    // Shape is fine, meaning is not: the store's finding names the row.
    let r = c
        .send(
            "POST",
            &format!("/orgs/{org}/carbon/2025/import"),
            &file("category,quantity,unit,factor\nscope1.mobile,3,t,cn.fuel.diesel\nscope1.mobile,2,kWh,cn.fuel.diesel\n"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("acts.csv: row 3, unit"), "{page}");
    let admin = principal_of(&f, Admin).await;
    let p = f.store.period_for_year(&admin, org, 2025).await.unwrap();
    assert!(
        f.store
            .list_activities(&admin, org, &p.period_id)
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );
}

#[tokio::test]
async fn submissions_are_private_until_published() {
    let f = fixture(WebConfig::default()).await;
    let org = &f.org_a;
    let admin = principal_of(&f, Admin).await;
    let p = f.store.period_for_year(&admin, org, 2025).await.unwrap();
    // Explain every required point of the lightweight standard, submit.
    let cats = egret_domain::catalog::Catalogs::embedded();
    let required: std::collections::BTreeSet<String> = cats
        .catalog("xm-lite@1")
        .unwrap()
        .requirements
        .iter()
        .filter(|r| r.obligation == egret_domain::catalog::Obligation::Required)
        .map(|r| r.datapoint.clone())
        .collect();
    let inputs: Vec<egret_store::ValueInput> = required
        .into_iter()
        .map(|dp| egret_store::ValueInput {
            datapoint: dp,
            breakdown: String::new(),
            answer: egret_domain::value::Answer::NotDisclosed {
                reason: "尚未统计".into(),
            },
            comment: None,
        })
        .collect();
    f.store
        .put_values(
            &admin,
            org,
            &p.period_id,
            &inputs,
            &egret_store::Source::Manual,
        )
        .await
        .unwrap();
    let ent = Client::new(&f, Ent).await;
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/data/2025/submit"),
            &form(&[("catalog", "xm-lite@1")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = r
        .headers()
        .get(LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let sid = page.rsplit('/').next().unwrap().to_string();
    // Before publication only the organisation's readers see it.
    for (who, visible) in [(Anon, false), (City, false), (Ent, true), (Admin, true)] {
        for url in [
            page.clone(),
            format!("{page}/xbrl.json"),
            format!("{page}/egret.json"),
            format!("{page}/annex.xlsx"),
            format!("{page}/report.pdf"),
        ] {
            let r = Client::new(&f, who).await.get(&url).await;
            assert_eq!(
                !denied(&r),
                visible,
                "{who:?} {url} before publication → {}",
                r.status()
            );
        }
    }
    // Only its writers publish or withdraw.
    for who in [Anon, City, Analyst, Bank, Assurer] {
        let r = Client::new(&f, who)
            .await
            .send("POST", &format!("{page}/publish"), &form(&[]))
            .await;
        assert!(denied(&r), "{who:?} publish → {}", r.status());
    }
    let r = ent
        .send("POST", &format!("{page}/publish"), &form(&[]))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = Client::new(&f, Anon).await.get(&page).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("report-index") && html.contains("尚未统计"),
        "{html}"
    );
    let x: serde_json::Value = Client::new(&f, Anon)
        .await
        .get(&format!("{page}/xbrl.json"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        egret_domain::xbrl::check_structure(&x),
        Vec::<String>::new()
    );
    let annex = Client::new(&f, Anon)
        .await
        .get(&format!("{page}/annex.xlsx"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(annex.starts_with(b"PK"), "an xlsx workbook");
    let reports = Client::new(&f, Anon)
        .await
        .get("/reports")
        .await
        .text()
        .await
        .unwrap();
    assert!(reports.contains(&sid));
    let r = ent
        .send(
            "POST",
            &format!("{page}/withdraw"),
            &form(&[("reason", "数据有误")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = Client::new(&f, Anon).await.get(&page).await;
    assert!(denied(&r), "withdrawn reports are no longer public");
}

/// Scope 1 emissions of `t` tonnes.
fn scope1(t: &str) -> egret_store::ValueInput {
    egret_store::ValueInput {
        datapoint: "ghg.scope1".into(),
        breakdown: String::new(),
        answer: egret_domain::value::Answer::Value(egret_domain::value::Value::Quantity {
            amount: t.parse().unwrap(),
            unit: "tCO2e".into(),
        }),
        comment: None,
    }
}

/// A complete `xm-lite@1` disclosure: scope 1 emissions, every other
/// required data point explained.
fn lite_inputs(scope1_t: &str) -> Vec<egret_store::ValueInput> {
    let cats = egret_domain::catalog::Catalogs::embedded();
    let mut inputs: Vec<egret_store::ValueInput> = cats
        .catalog("xm-lite@1")
        .unwrap()
        .requirements
        .iter()
        .filter(|r| r.obligation == egret_domain::catalog::Obligation::Required)
        .map(|r| r.datapoint.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|d| d != "ghg.scope1")
        .map(|dp| egret_store::ValueInput {
            datapoint: dp,
            breakdown: String::new(),
            answer: egret_domain::value::Answer::NotDisclosed {
                reason: "尚未统计".into(),
            },
            comment: None,
        })
        .collect();
    inputs.push(scope1(scope1_t));
    inputs
}

/// The redirect target of a response, without its fragment.
fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_report_has_the_narrative_comparatives_and_both_languages() {
    let f = fixture(WebConfig::default()).await;
    let org = &f.org_a;
    let admin = principal_of(&f, Admin).await;
    let p = f.store.period_for_year(&admin, org, 2025).await.unwrap();
    f.store
        .put_values(
            &admin,
            org,
            &p.period_id,
            &lite_inputs("1200"),
            &egret_store::Source::Manual,
        )
        .await
        .unwrap();
    let p24 = f
        .store
        .add_period(&admin, org, &egret_domain::org::PeriodInput::calendar(2024))
        .await
        .unwrap();
    f.store
        .put_values(
            &admin,
            org,
            &p24,
            &[scope1("1350")],
            &egret_store::Source::Manual,
        )
        .await
        .unwrap();
    let ent = Client::new(&f, Ent).await;
    let editor = format!("/orgs/{org}/report/2025/narrative?catalog=xm-lite@1");
    let html = ent.get(&editor).await.text().await.unwrap();
    assert!(html.contains("id=\"narrative-b3\""), "{html}");
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/report/2025/narrative"),
            &form(&[
                ("catalog", "xm-lite@1"),
                ("section", "b3"),
                ("text_zh", "公司持续降低能耗。\n\n第二段：光伏项目投运。"),
                ("text_en", "We keep cutting energy use."),
            ]),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    // Too long a text is refused naming the field, and nothing changes.
    let long = "字".repeat(egret_store::MAX_NARRATIVE_CHARS + 1);
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/report/2025/narrative"),
            &form(&[
                ("catalog", "xm-lite@1"),
                ("section", "b3"),
                ("text_zh", "改了"),
                ("text_en", &long),
            ]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("text_en"));
    let html = ent.get(&editor).await.text().await.unwrap();
    assert!(html.contains("第二段") && !html.contains("改了"));
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/data/2025/submit"),
            &form(&[("catalog", "xm-lite@1")]),
        )
        .await;
    let v1 = location(&r);
    let both = ent
        .get(&format!("{v1}?langs=both"))
        .await
        .text()
        .await
        .unwrap();
    for want in [
        "公司持续降低能耗。</p>",
        "第二段：光伏项目投运。</p>",
        "We keep cutting energy use.",
        " / Gross Scope 1 GHG emissions",
        "1,350",
        "2024</th>",
    ] {
        assert!(both.contains(want), "{want}: {both}");
    }
    let en = ent
        .get(&format!("{v1}?langs=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("We keep cutting") && !en.contains("公司持续降低能耗"));
    let r = ent.get(&format!("{v1}/report.pdf?langs=both")).await;
    let pdf = r.text().await.unwrap();
    assert!(pdf.contains("%PDF-test"), "{pdf}");
    // Readers who may not write cannot open the editor.
    let r = Client::new(&f, Analyst).await.get(&editor).await;
    assert!(denied(&r));
}

#[tokio::test]
async fn an_engagement_runs_through_the_pages() {
    let f = fixture(WebConfig::default()).await;
    let org = &f.org_a;
    let admin = principal_of(&f, Admin).await;
    let assurer = principal_of(&f, Assurer).await;
    let p = f.store.period_for_year(&admin, org, 2025).await.unwrap();
    f.store
        .put_values(
            &admin,
            org,
            &p.period_id,
            &lite_inputs("1200"),
            &egret_store::Source::Manual,
        )
        .await
        .unwrap();
    let ent = Client::new(&f, Ent).await;
    let ass = Client::new(&f, Assurer).await;
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/data/2025/submit"),
            &form(&[("catalog", "xm-lite@1")]),
        )
        .await;
    let v1 = location(&r);
    // The city registers the assurer's firm, its qualification and the
    // practitioner in the public registry.
    let city = Client::new(&f, City).await;
    let firm_code = code(4_242);
    let r = city
        .send(
            "POST",
            "/institutions",
            &form(&[
                ("uscc", &firm_code),
                ("name_zh", "嘉禾鉴证事务所"),
                ("name_en", "Jiahe Assurance"),
                ("services", "assurance"),
                ("services", "ghg-verification"),
                ("district", ""),
            ]),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let firm = location(&r);
    for (path, body) in [
        (
            format!("{firm}/qualifications"),
            form(&[
                ("kind", "cpa-firm"),
                ("number", "35020001"),
                ("valid_from", "2015-01-01"),
                ("valid_to", ""),
                ("scope", "鉴证业务"),
            ]),
        ),
        (
            format!("{firm}/members"),
            form(&[("user_id", &assurer.user_id)]),
        ),
    ] {
        let r = city.send("POST", &path, &body).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{path}: {}",
            r.text().await.unwrap()
        );
    }
    // Enterprises cannot change the registry.
    let r = ent
        .send(
            "POST",
            &format!("{firm}/status"),
            &form(&[("status", "suspended"), ("reason", "x")]),
        )
        .await;
    assert!(denied(&r));
    let r = ent
        .send(
            "POST",
            &format!("{v1}/engage"),
            &form(&[
                ("assurer_id", &assurer.user_id),
                ("standard", "isae-3410"),
                ("level", "limited"),
                ("scope", "ghg.scope1"),
                ("criteria", "GHG Protocol"),
            ]),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let sid1 = v1.rsplit('/').next().unwrap().to_string();
    let eid = f.store.engagements_for(&admin, org, &sid1).await.unwrap()[0]
        .engagement_id
        .clone();
    // The enterprise cannot raise findings on its own engagement.
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/engagements/{eid}/findings"),
            &form(&[
                ("sid", &sid1),
                ("datapoint", "ghg.scope1"),
                ("finding", "x"),
            ]),
        )
        .await;
    assert!(denied(&r), "{}", r.status());
    let r = ass
        .send(
            "POST",
            &format!("/orgs/{org}/engagements/{eid}/findings"),
            &form(&[
                ("sid", &sid1),
                ("datapoint", "ghg.scope1"),
                ("finding", "柴油漏计"),
                ("requested_correction", "1250"),
            ]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Correction: a new version with a reason, then the answer.
    f.store
        .put_values(
            &admin,
            org,
            &p.period_id,
            &[scope1("1250")],
            &egret_store::Source::Manual,
        )
        .await
        .unwrap();
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/data/2025/submit"),
            &form(&[("catalog", "xm-lite@1"), ("reason", "按鉴证意见更正")]),
        )
        .await;
    let v2 = location(&r);
    let fid = f
        .store
        .engagement(&admin, org, &eid)
        .await
        .unwrap()
        .findings[0]
        .finding_id
        .clone();
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/engagements/{eid}/findings/{fid}/respond"),
            &form(&[("sid", &sid1), ("response", "已更正")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = ass
        .send(
            "POST",
            &format!("/orgs/{org}/engagements/{eid}/conclude"),
            &form(&[
                ("sid", &sid1),
                ("procedures", "询问、抽样"),
                (
                    "conclusion",
                    "我们未发现任何事项使我们认为范围一排放未按标准编制。",
                ),
                ("practitioner", "张三 CPA"),
            ]),
        )
        .await;
    assert_eq!(
        location(&r),
        v2,
        "the conclusion is on the corrected version"
    );
    // Published, the report shows the assured mark and the conclusion.
    ent.send("POST", &format!("{v2}/publish"), &form(&[])).await;
    let html = Client::new(&f, Anon)
        .await
        .get(&v2)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("class=\"assured ok\"") && html.contains("张三 CPA"),
        "{html}"
    );
    assert!(html.contains("1,250"), "the corrected value");
    let j: serde_json::Value = Client::new(&f, Anon)
        .await
        .get(&format!("{v2}/egret.json"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(j["assured"][0]["datapoint"], "ghg.scope1");
    assert_eq!(j["assured"][0]["level"], "limited");
    // The report links the provider to the public registry, which shows
    // the firm's service record.
    assert!(html.contains(&format!("href=\"{firm}\"")), "{html}");
    let reg: serde_json::Value = Client::new(&f, Anon)
        .await
        .get("/api/v1/institutions")
        .await
        .json()
        .await
        .unwrap();
    let rec = &reg
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name_zh"] == "嘉禾鉴证事务所")
        .unwrap()["record"];
    assert_eq!(
        (
            rec["engagements"].as_i64(),
            rec["concluded"].as_i64(),
            rec["findings"].as_i64()
        ),
        (Some(1), Some(1), Some(1)),
        "{reg}"
    );
    let page = Client::new(&f, Anon)
        .await
        .get(&firm)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("35020001") && !page.contains("qualification-form"),
        "{page}"
    );
}

#[tokio::test]
async fn the_bank_api_authenticates_limits_logs_and_explains() {
    let f = fixture(WebConfig {
        bank_rate_per_second: 1,
        bank_burst: 8,
        ..WebConfig::default()
    })
    .await;
    let http = reqwest::Client::new();
    let bank = token_for(&f, Bank).await;
    let city = token_for(&f, City).await;
    let url = |p: &str| format!("{}/api/bank/v1{p}", f.base);
    let get = |p: String, t: &str| http.get(url(&p)).bearer_auth(t.to_string()).send();
    // Only bank staff, only with a live token.
    assert_eq!(
        get("/catalogues".into(), "egt_nonsense")
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get("/catalogues".into(), &city).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // Rules are checked on upload; errors name the rule, condition and field.
    let sample = include_str!("../../../data/demo/bank-rules.toml");
    let bad = sample.replacen("field = \"grade\"", "field = \"colour\"", 1);
    let r = http
        .put(url("/rules"))
        .bearer_auth(&bank)
        .header("accept-language", "en")
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    let msg = body["fields"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("grade-a") && msg.contains("condition 1") && msg.contains("colour"),
        "{msg}"
    );
    let r = http
        .put(url("/rules"))
        .bearer_auth(&bank)
        .body(sample)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // Organisation A has no rating and no published report: nothing passes
    // on missing data, and each condition says so.
    let r = http
        .get(url(&format!("/orgs/{}/eligibility", code(1))))
        .bearer_auth(&bank)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["rule_set"]["version"], 1);
    let grade = e["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["conditions"].as_array().unwrap())
        .find(|c| c["field"] == "grade")
        .unwrap();
    assert_eq!(grade["met"], serde_json::Value::Null);
    assert_eq!(grade["note"], "No data on the platform.");
    assert!(e["products"].as_object().unwrap().is_empty());
    // A loan approved in 2024 cannot be tagged under the 2021 bond
    // catalogue; the message names the edition in force.
    let r = http
        .post(url("/facilities"))
        .bearer_auth(&bank)
        .header("accept-language", "en")
        .json(&serde_json::json!({"reference": "L-1", "kind": "bond",
            "borrower_uscc": code(1), "amount": "5,000,000.00", "approved_on": "2026-01-05",
            "edition": "cn-green-bond@2021", "item": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "edition");
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cn-green-finance@2025")
    );
    // The grade card of an unrated organisation.
    let r = get(format!("/orgs/{}/grade", code(1)), &bank)
        .await
        .unwrap();
    let card: serde_json::Value = r.json().await.unwrap();
    assert_eq!(card["uscc"], code(1));
    assert_eq!(card["grade"], serde_json::Value::Null);
    // The burst is spent: the next calls are refused with Retry-After.
    let mut limited = 0;
    for _ in 0..6 {
        let r = get("/catalogues".into(), &bank).await.unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().contains_key("retry-after"));
            limited += 1;
        }
    }
    assert!(limited >= 3, "{limited} calls limited");
    // Every call, refused or not, is in the bank's log.
    let p = principal_of(&f, Bank).await;
    let mut logged = 0;
    for _ in 0..50 {
        logged = f
            .store
            .bank_calls(&p, egret_store::Page::new(Some(1), Some(100)))
            .await
            .unwrap()
            .total;
        if logged >= 11 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The refused and accepted uploads, eligibility, facility, grade card
    // and six catalogue calls (unknown tokens and other roles have no bank
    // to log to).
    assert_eq!(logged, 11);
    let calls = f
        .store
        .bank_calls(&p, egret_store::Page::new(Some(1), Some(100)))
        .await
        .unwrap();
    assert!(calls.items.iter().any(|c| c.status == 429));
    assert!(calls.items.iter().all(|c| c.user_id == p.user_id));
    // A revoked token stops working at once.
    let id = f.store.list_api_tokens(&p).await.unwrap()[0]
        .token_id
        .clone();
    let c = Client::new(&f, Bank).await;
    let r = c
        .send("POST", &format!("/account/tokens/{id}/revoke"), &form(&[]))
        .await;
    assert!(!denied(&r));
    assert_eq!(
        get("/catalogues".into(), &bank).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn footprints_are_recorded_published_certified_and_checked_by_anyone() {
    let f = fixture(WebConfig::default()).await;
    let ent = Client::new(&f, Ent).await;
    let org = &f.org_a;
    // A wrong field is named; nothing is stored.
    let Body::Form(mut fields) = footprint_form("bad") else {
        unreachable!()
    };
    for (k, v) in fields.iter_mut() {
        if k == "geography" {
            *v = "Fujian".into();
        }
    }
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/footprints"),
            &Body::Form(fields),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("ISO 3166"));
    let p = principal_of(&f, Ent).await;
    assert_eq!(
        f.store.pcfs_of(&p, org).await.unwrap().len(),
        1,
        "the fixture's only"
    );
    // Recorded and published through the pages.
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/footprints"),
            &footprint_form("pv-1"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mine = f.store.pcfs_of(&p, org).await.unwrap();
    let pv = mine
        .iter()
        .find(|x| x.product_key.ends_with("pv-1"))
        .unwrap()
        .clone();
    let anon = Client::new(&f, Anon).await;
    let page = anon.get(&format!("/orgs/{org}/footprints")).await;
    assert!(denied(&page), "the register needs a sign-in");
    let bank = Client::new(&f, Bank).await;
    let page = bank
        .get(&format!("/orgs/{org}/footprints"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains(&pv.pcf_id),
        "unpublished footprints are private"
    );
    ent.send(
        "POST",
        &format!("/orgs/{org}/footprints/{}/publish", pv.pcf_id),
        &form(&[]),
    )
    .await;
    let page = bank
        .get(&format!("/orgs/{org}/footprints"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&pv.pcf_id));
    // The bound assurer's firm becomes qualified for PCF certification.
    let sys = Principal::system("test");
    let firm = f
        .store
        .register_institution(
            &sys,
            &egret_domain::institution::InstitutionInput {
                uscc: code(9_002),
                name_zh: "测试认证机构".into(),
                name_en: None,
                services: vec!["pcf-certification".into()],
                district: None,
            },
        )
        .await
        .unwrap();
    f.store
        .add_qualification(
            &sys,
            &firm.institution_id,
            &egret_domain::institution::QualificationInput {
                kind: "cnca-certification-body".into(),
                number: "CNCA-R-2020-001".into(),
                valid_from: "2020-01-01".into(),
                valid_to: None,
                scope: String::new(),
            },
        )
        .await
        .unwrap();
    let assurer = principal_of(&f, Assurer).await;
    f.store
        .add_institution_member(&sys, &firm.institution_id, &assurer.user_id)
        .await
        .unwrap();
    let a = Client::new(&f, Assurer).await;
    let r = a
        .send(
            "POST",
            &format!("/orgs/{org}/footprints/{}/certify", pv.pcf_id),
            &form(&[
                ("number", "CNCA-PCF-2026-0001"),
                ("standard", "iso-14067"),
                ("scope", "光伏组件 摇篮到大门 / PV module, cradle to gate"),
                ("valid_from", "2026-01-01"),
                ("valid_to", "2099-12-31"),
                ("statement", "经核查，碳足迹符合 ISO 14067。"),
            ]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()[LOCATION].to_str().unwrap().to_string();
    // Anyone can check it; an unknown digest and a changed footprint do
    // not match.
    let page = anon.get(&at).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("cert-valid") && page.contains("CNCA-PCF-2026-0001"),
        "{page}"
    );
    let r = anon.get(&format!("/certificates/{}", "a".repeat(64))).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("cert-unknown"));
    f.store
        .execute_admin(&format!(
            "UPDATE product_footprints SET record = REPLACE(record, '\"405\"', '\"4\"') \
             WHERE pcf_id = '{}'",
            pv.pcf_id
        ))
        .await
        .unwrap();
    let page = anon.get(&at).await.text().await.unwrap();
    assert!(page.contains("cert-mismatch"));
}

#[tokio::test]
async fn a_partner_reads_published_footprints_through_the_pact_endpoint() {
    use egret_domain::pact;
    let f = fixture(WebConfig::default()).await;
    let sys = Principal::system("test");
    let org = &f.org_a;
    // Three published footprints (one v2-expressible) and the fixture's
    // unpublished one.
    let mut published = Vec::new();
    for (i, product) in ["p1", "p2", "p3"].iter().enumerate() {
        let mut input = footprint(product);
        if i == 0 {
            input.biogenic_carbon_content = Some("0.5".parse().unwrap());
            input.product_classifications =
                vec!["urn:pact:productclassification:un-cpc:46410".into()];
        }
        let rec = f.store.create_pcf(&sys, org, &input, None).await.unwrap();
        f.store.publish_pcf(&sys, org, &rec.pcf_id).await.unwrap();
        published.push(rec.pcf_id);
    }
    let (client, secret) = f
        .store
        .create_pact_client(&sys, org, "buyer")
        .await
        .unwrap();
    let base = format!("{}/pact/{}", f.base, code(1));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Tokens: wrong credentials are refused as OAuth2 says.
    let r = http
        .post(format!("{base}/auth/token"))
        .basic_auth(&client.client_id, Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    let r = http
        .post(format!("{base}/auth/token"))
        .basic_auth(&client.client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let tok: serde_json::Value = r.json().await.unwrap();
    let token = tok["access_token"].as_str().unwrap().to_string();
    assert_eq!(tok["token_type"], "Bearer");
    // Without a token, or with a wrong one: 401 in the PACT error format.
    let r = http
        .get(format!("{base}/3/footprints"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        pact::check_error_body(&body, pact::ApiVersion::V3).is_empty(),
        "{body}"
    );
    // The list holds only published footprints, valid against the schema,
    // paged with absolute Link headers.
    let r = http
        .get(format!("{base}/3/footprints?limit=2"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let link = r.headers()["link"].to_str().unwrap().to_string();
    let page: serde_json::Value = r.json().await.unwrap();
    assert_eq!(pact::check_v3_list_response(&page), Vec::<String>::new());
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let next = link
        .split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .and_then(|l| l.split_once('>'))
        .map(|(u, _)| u.trim_start_matches('<').to_string())
        .unwrap();
    assert!(next.starts_with("http://127.0.0.1:"), "{next}");
    let page2: serde_json::Value = http
        .get(&next)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut ids: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2["data"].as_array().unwrap())
        .map(|fp| fp["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    let mut want = published.clone();
    want.sort();
    assert_eq!(ids, want);
    // Filters: by product id, and one that matches nothing.
    let one: serde_json::Value = http
        .get(format!(
            "{base}/3/footprints?productId=urn:pact:test.example:product-id:p2"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["data"].as_array().unwrap().len(), 1);
    assert_eq!(one["data"][0]["id"], published[1].as_str());
    let r = http
        .get(format!("{base}/3/footprints?validOn=not-a-date"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // One footprint, and an unknown id.
    let got: serde_json::Value = http
        .get(format!("{base}/3/footprints/{}", published[0]))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pact::check_v3_get_response(&got), Vec::<String>::new());
    assert_eq!(got["data"]["pcf"]["pcfExcludingBiogenicUptake"], "412.5");
    let r = http
        .get(format!("{base}/3/footprints/{}", f.pcf_a))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "unpublished");
    // v2 for older peers: what v2 can express.
    let v2: serde_json::Value = http
        .get(format!("{base}/2/footprints"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pact::check_v2_list_response(&v2), Vec::<String>::new());
    assert_eq!(v2["data"].as_array().unwrap().len(), 1);
    // Events: a request is kept for the organisation; a malformed
    // publication is refused.
    let event = |kind: &str, data: serde_json::Value| {
        serde_json::json!({"specversion": "1.0", "id": "e-1", "source": "https://buyer.example/3/events",
            "time": "2026-05-19T10:30:00Z", "type": kind, "data": data})
    };
    let r = http
        .post(format!("{base}/3/events"))
        .bearer_auth(&token)
        .header(
            "content-type",
            "application/cloudevents+json; charset=UTF-8",
        )
        .body(
            event(
                pact::V3_REQUEST_CREATED,
                serde_json::json!({"productId": ["urn:pact:test.example:product-id:p1"]}),
            )
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = http
        .post(format!("{base}/3/events"))
        .bearer_auth(&token)
        .body(
            event(
                pact::V3_PUBLISHED,
                serde_json::json!({"pfIds": ["urn:gtin:4712345060507"]}),
            )
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let ent = principal_of(&f, Ent).await;
    let events = f.store.pact_events(&ent, org).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, pact::V3_REQUEST_CREATED);
    // Revoking the partner ends its token at once.
    f.store
        .revoke_pact_client(&ent, org, &client.client_id)
        .await
        .unwrap();
    let r = http
        .get(format!("{base}/3/footprints"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_partners_request_is_answered_at_its_own_endpoint() {
    use axum::routing::post;
    use egret_domain::pact;
    let f = fixture(WebConfig::default()).await;
    let sys = Principal::system("test");
    let org = &f.org_a;
    let rec = f
        .store
        .create_pcf(&sys, org, &footprint("wanted"), None)
        .await
        .unwrap();
    f.store.publish_pcf(&sys, org, &rec.pcf_id).await.unwrap();
    // The partner's own PACT endpoint: hands out a token and keeps the
    // events it receives.
    let received: std::sync::Arc<tokio::sync::Mutex<Vec<serde_json::Value>>> = Default::default();
    let seen = received.clone();
    let partner = axum::Router::new()
        .route(
            "/auth/token",
            post(|| async { axum::Json(serde_json::json!({"access_token": "partner-token", "token_type": "Bearer", "expires_in": 60})) }),
        )
        .route(
            "/3/events",
            post(move |headers: axum::http::HeaderMap, body: String| {
                let seen = seen.clone();
                async move {
                    assert_eq!(headers["authorization"], "Bearer partner-token");
                    seen.lock().await.push(serde_json::from_str(&body).unwrap());
                    StatusCode::OK
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let partner_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, partner).await.unwrap() });
    let (client, secret) = f
        .store
        .create_pact_client(&sys, org, "buyer")
        .await
        .unwrap();
    f.store
        .set_pact_callback(
            &sys,
            org,
            &client.client_id,
            &egret_store::PactCallback {
                url: partner_url.clone(),
                client_id: "egret".into(),
                secret: "partner-secret".into(),
            },
        )
        .await
        .unwrap();
    let base = format!("{}/pact/{}", f.base, code(1));
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{base}/auth/token"))
        .basic_auth(&client.client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap();
    for (id, product) in [
        ("req-1", "urn:pact:test.example:product-id:wanted"),
        ("req-2", "urn:pact:null"),
    ] {
        let r = http
            .post(format!("{base}/3/events"))
            .bearer_auth(token)
            .json(&serde_json::json!({"specversion": "1.0", "id": id,
                "source": format!("{partner_url}/3/events"), "time": "2026-05-19T10:30:00Z",
                "type": pact::V3_REQUEST_CREATED, "data": {"productId": [product]}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let start = std::time::Instant::now();
    while received.lock().await.len() < 2 {
        assert!(start.elapsed().as_secs() < 10, "no answers");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let got = received.lock().await.clone();
    let by = |req: &str| {
        got.iter()
            .find(|e| e["data"]["requestEventId"] == req)
            .unwrap()
            .clone()
    };
    let fulfilled = by("req-1");
    assert_eq!(fulfilled["type"], pact::V3_REQUEST_FULFILLED);
    assert_eq!(fulfilled["data"]["pfs"][0]["id"], rec.pcf_id.as_str());
    assert!(pact::parse_event(&fulfilled).is_ok(), "{fulfilled}");
    let rejected = by("req-2");
    assert_eq!(rejected["type"], pact::V3_REQUEST_REJECTED);
    assert_eq!(rejected["data"]["error"]["code"], "NotFound");
}

#[tokio::test]
async fn a_product_system_is_built_in_pages_calculated_and_gives_a_traceable_footprint() {
    let f = fixture(WebConfig::default()).await;
    let ent = Client::new(&f, Ent).await;
    let org = &f.org_a;
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/products"),
            &form(&[
                ("name", "Bottle 500 ml"),
                ("process_name", "Blow moulding"),
                ("product", "bottle"),
                ("unit", "piece"),
                ("amount", "1000"),
                ("gwp_set", "AR6"),
            ]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let system = location(&r);
    let edit = |base: &str, fields: &[(&str, &str)]| {
        let mut all = vec![("base", base)];
        all.extend_from_slice(fields);
        form(&all)
    };
    let edits = [
        vec![
            ("op", "add_process"),
            ("name", "PET resin"),
            ("product", "pet"),
            ("unit", "kg"),
            ("output", "1"),
            ("citation", "supplier EPD 2025"),
        ],
        vec![
            ("op", "add_input"),
            ("process", "bottle"),
            ("product", "pet"),
            ("amount", "0.02"),
        ],
        vec![
            ("op", "add_emission"),
            ("process", "pet-resin"),
            ("flow", "CO2e"),
            ("amount", "2.2"),
            ("kind", "fossil"),
        ],
        vec![
            ("op", "add_factor"),
            ("process", "bottle"),
            ("factor", "cn.grid.national.2023"),
            ("amount", "0.0001"),
        ],
    ];
    for (i, fields) in edits.iter().enumerate() {
        let base = (i + 1).to_string();
        let r = ent
            .send("POST", &format!("{system}/edit"), &edit(&base, fields))
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "edit {i}");
    }
    // An edit made on an older version is refused; nothing is saved.
    let r = ent
        .send(
            "POST",
            &format!("{system}/edit"),
            &edit("2", &[("op", "remove_process"), ("process", "pet-resin")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // A wrong amount names its field.
    let r = ent
        .send(
            "POST",
            &format!("{system}/edit"),
            &edit(
                "5",
                &[
                    ("op", "add_input"),
                    ("process", "bottle"),
                    ("product", "pet"),
                    ("amount", "lots"),
                ],
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = ent.get(&system).await.text().await.unwrap();
    assert!(page.contains("v5"), "five versions");
    assert!(
        !page.contains("id=\"ps-problems\""),
        "the system is complete"
    );
    assert!(page.contains("supplier EPD 2025"));
    assert!(page.contains("cn.grid.national.2023"));
    // Calculated: 1,000 bottles = 20 kg PET × 2.2 + 0.1 MWh × 530.6 kg CO2.
    let r = ent
        .send(
            "POST",
            &format!("{system}/calculate"),
            &form(&[("version", "5"), ("draws", "0"), ("seed", "1")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let calc = location(&r);
    let cid = calc.rsplit('/').next().unwrap().to_string();
    let page = ent.get(&calc).await.text().await.unwrap();
    assert!(
        page.contains("<strong id=\"calc-score\">97.06</strong>"),
        "{page}"
    );
    assert!(page.contains("0.09706"), "per bottle");
    // The footprint form takes the figures per bottle and names the
    // calculation; the footprint then links back to it.
    let page = ent
        .get(&format!("/orgs/{org}/footprints?calculation={cid}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("value=\"lca:{cid}\"")));
    // Primary data: the grid electricity metered at the own process
    // (53.06 of 97.06); the cited PET resin is secondary.
    assert!(page.contains("name=\"primary_data_share\" inputmode=\"decimal\" value=\"54.67\""));
    assert!(page.contains(
        "name=\"pcf_excluding_biogenic_uptake\" required inputmode=\"decimal\" value=\"0.09706\""
    ));
    let Body::Form(mut fields) = footprint_form("bottle") else {
        unreachable!()
    };
    for (k, v) in fields.iter_mut() {
        match k.as_str() {
            "pcf_excluding_biogenic_uptake" | "pcf_including_biogenic_uptake" => {
                *v = "0.09706".into()
            }
            "fossil_ghg_emissions" => *v = "0.09706".into(),
            _ => {}
        }
    }
    let mut forged = fields.clone();
    forged.push(("calculation".into(), "lca:no-such-calculation".into()));
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/footprints"),
            &Body::Form(forged),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a calculation must exist"
    );
    fields.push(("calculation".into(), format!("lca:{cid}")));
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/footprints"),
            &Body::Form(fields),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = ent
        .get(&format!("/orgs/{org}/footprints"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/orgs/{org}/calculations/{cid}")));
    // The API gives the same calculation, and another calculation of the
    // same version gives the same figures.
    let sid = system.rsplit('/').next().unwrap();
    let r = ent
        .send(
            "POST",
            &format!("/api/v1/organizations/{org}/product-systems/{sid}/calculations"),
            &Body::Json(serde_json::json!({"version": 5})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let again: serde_json::Value = r.json().await.unwrap();
    let first: serde_json::Value = ent
        .get(&format!("/api/v1/organizations/{org}/calculations/{cid}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["result"], first["result"]);
    assert_eq!(first["result"]["score"], "97.06");
    // A model file imports as a new system; a broken one names the file.
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/products/import"),
            &Body::File(
                vec![],
                "bottle.toml".into(),
                toml::to_string(&bottle_model()).unwrap().into_bytes(),
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut broken = bottle_model();
    broken.processes[0].inputs[0].product = "nylon".into();
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/products/import"),
            &Body::File(
                vec![],
                "broken.toml".into(),
                toml::to_string(&broken).unwrap().into_bytes(),
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("broken.toml: processes[0].inputs[0].product")
    );
    // Exported as matrix files (what egret lca solve and Brightway read)
    // and imported back, it gives the same result.
    let r = ent.get(&format!("{system}/matrices.zip?v=5")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/zip");
    let zip = r.bytes().await.unwrap().to_vec();
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{org}/products/import"),
            &Body::File(vec![], "bottle-matrices.zip".into(), zip),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let again = location(&r);
    let r = ent
        .send(
            "POST",
            &format!("{again}/calculate"),
            &form(&[("version", "1"), ("draws", "0")]),
        )
        .await;
    let page = ent.get(&location(&r)).await.text().await.unwrap();
    assert!(page.contains("<strong id=\"calc-score\">97.06</strong>"));
    let p = principal_of(&f, Ent).await;
    assert_eq!(f.store.product_systems_of(&p, org).await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_suppliers_footprint_is_fetched_over_pact_and_used_in_a_product_system() {
    let f = fixture(WebConfig::default()).await;
    let sys = Principal::system("test");
    // Organisation B (on this same server) publishes its footprint and
    // gives organisation A credentials for its PACT endpoint.
    f.store.publish_pcf(&sys, &f.org_b, &f.pcf_b).await.unwrap();
    let (client, secret) = f
        .store
        .create_pact_client(&sys, &f.org_b, "customer A")
        .await
        .unwrap();
    let ent = Client::new(&f, Ent).await;
    let a = &f.org_a;
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{a}/suppliers"),
            &form(&[
                ("name", "Module supplier"),
                ("base_url", &format!("{}/pact/{}", f.base, code(2))),
                ("client_id", &client.client_id),
                ("client_secret", &secret),
            ]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let p = principal_of(&f, Ent).await;
    let supplier = f
        .store
        .pact_suppliers(&p, a)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Module supplier")
        .unwrap();
    let fetch = format!("/orgs/{a}/suppliers/{}/fetch", supplier.supplier_id);
    let r = ent.send("POST", &fetch, &form(&[])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // received : new : rejected
    assert!(location(&r).ends_with("fetched=1:1:0"), "{}", location(&r));
    let r = ent.send("POST", &fetch, &form(&[])).await;
    assert!(
        location(&r).ends_with("fetched=1:0:0"),
        "an unchanged refetch adds nothing"
    );
    let page = ent
        .get(&format!("/orgs/{a}/suppliers"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("412.5 kgCO2e / 1 piece"), "{page}");
    // A wrong secret is the supplier's refusal, shown as such.
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{a}/suppliers"),
            &form(&[
                ("name", "Wrong secret"),
                ("base_url", &format!("{}/pact/{}", f.base, code(2))),
                ("client_id", &client.client_id),
                ("client_secret", "not-it"),
            ]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let wrong = f
        .store
        .pact_suppliers(&p, a)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Wrong secret")
        .unwrap();
    let r = ent
        .send(
            "POST",
            &format!("/orgs/{a}/suppliers/{}/fetch", wrong.supplier_id),
            &form(&[]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The received footprint enters A's bottle: one module per 1,000
    // bottles (0.001 each).
    let received = f.store.received_footprints(&p, a).await.unwrap();
    assert_eq!(received.len(), 1);
    let system = format!("/orgs/{a}/products/{}", f.system_a);
    let r = ent
        .send(
            "POST",
            &format!("{system}/edit"),
            &form(&[
                ("base", "1"),
                ("op", "add_supplier"),
                ("process", "blow"),
                ("received", &received[0].received_id),
                ("amount", "0.001"),
            ]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = ent.get(&system).await.text().await.unwrap();
    assert!(
        page.contains(&received[0].received.pf_id),
        "the source names the footprint"
    );
    let r = ent
        .send(
            "POST",
            &format!("{system}/calculate"),
            &form(&[("version", "2"), ("draws", "0")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cid = location(&r).rsplit('/').next().unwrap().to_string();
    let c = f.store.calculation(&p, a, &cid).await.unwrap().unwrap();
    // Bottle alone: 1 (CO2) + 44 (PET) − 10 (uptake) = 35; the module:
    // 405 fossil + 7.5 biogenic − 2.4 uptake = 410.1.
    assert_eq!(c.result.score.to_string(), "445.1");
    assert_eq!(c.result.excluding_uptake().to_string(), "457.5");
}
