//! The command line and the served demo city over HTTP.

use std::process::Stdio;

use crate::server::{DEMO_PASSWORD, TempDir, demo_server, egret};

fn run(args: &[&str]) -> (i32, String, String) {
    let out = egret().args(args).stdin(Stdio::null()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn uscc_check_accepts_real_codes_and_names_the_wrong_check_character() {
    // Published codes of well-known companies.
    for code in ["914403001922038216", "91330100799655058B"] {
        let (rc, out, _) = run(&["--lang", "en", "uscc", "check", code]);
        assert_eq!(rc, 0, "{code}: {out}");
        assert!(out.starts_with("valid"), "{out}");
    }
    let (rc, out, _) = run(&["--lang", "en", "uscc", "check", "914403001922038217"]);
    assert_eq!(rc, 1);
    assert!(
        out.starts_with("invalid") && out.contains('6'),
        "names the expected character: {out}"
    );
    let (rc, out, _) = run(&["--lang", "zh-CN", "uscc", "check", "91440300192203821"]);
    assert_eq!(rc, 1);
    assert!(out.starts_with("无效") && out.contains("18"), "{out}");
    let (rc, out, _) = run(&["--lang", "en", "uscc", "check", "9144030019220382IO"]);
    assert_eq!(rc, 1);
    assert!(out.contains("position"), "{out}");
}

#[test]
fn import_command_reports_rows_and_columns_and_is_all_or_nothing() {
    let dir = TempDir::new("import");
    let db = dir.db_url();
    let (rc, _, _) = run(&["--db", &db, "migrate"]);
    assert_eq!(rc, 0);
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/");
    let bad = format!("{samples}orgs-bad.csv");
    let (rc, out, err) = run(&["--lang", "en", "--db", &db, "import", &bad]);
    assert_eq!(rc, 1, "{out}{err}");
    assert!(
        err.contains("orgs-bad.csv:3 [uscc]"),
        "errors name file, row and column: {err}"
    );
    assert!(err.contains("orgs-bad.csv:6 [ownership]"), "{err}");
    assert!(out.contains("Nothing was stored"), "{out}");
    let good = format!("{samples}orgs-sample-synthetic.csv");
    let (rc, out, err) = run(&["--lang", "en", "--db", &db, "import", &good]);
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.contains("5 organisations registered"), "{out}");
    // Importing again: every row is a duplicate; nothing changes.
    let (rc, _, err) = run(&["--lang", "en", "--db", &db, "import", &good]);
    assert_eq!(rc, 1);
    assert!(err.contains("already registered"), "{err}");
}

#[test]
fn demo_serves_a_signed_in_page_for_every_role() {
    let server = demo_server(150);
    let banner = server.banner.join("\n");
    assert!(banner.contains("synthetic"), "{banner}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let health: serde_json::Value = reqwest::get(format!("{}/healthz", server.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["status"], "ok");
        for who in [
            "admin", "city", "analyst", "bank", "assurer", "soe", "listed", "sme",
        ] {
            let http = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let email = format!("{who}@demo.egret.city");
            assert!(banner.contains(&email), "log-in {email} printed");
            let r = http
                .post(format!("{}/login", server.base))
                .form(&[("email", email.as_str()), ("password", DEMO_PASSWORD)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER, "{who}");
            let r = http
                .get(format!("{}/dashboard", server.base))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), reqwest::StatusCode::OK, "{who}");
            let page = r.text().await.unwrap();
            assert!(page.contains("id=\"whoami\""), "{who} is signed in");
            if matches!(who, "soe" | "listed" | "sme" | "assurer") {
                assert!(
                    page.contains("class=\"org-link\""),
                    "{who} sees their organisation"
                );
            }
        }
    });
}

#[test]
fn demo_is_loaded_once_and_refuses_foreign_data() {
    let dir = TempDir::new("demo-twice");
    let db = dir.db_url();
    let (rc, out, err) = run(&["--lang", "en", "--db", &db, "demo", "--orgs", "120"]);
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.contains("120 organisations"), "{out}");
    let (rc, out, _) = run(&["--lang", "en", "--db", &db, "demo"]);
    assert_eq!(rc, 0);
    assert!(out.contains("already"), "{out}");
    let other = TempDir::new("demo-foreign");
    let samples = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/samples/orgs-sample-synthetic.csv"
    );
    let (rc, _, _) = run(&["--db", &other.db_url(), "import", samples]);
    assert_eq!(rc, 0);
    let (rc, _, err) = run(&["--lang", "en", "--db", &other.db_url(), "demo"]);
    assert_ne!(rc, 0);
    assert!(err.contains("not demo data"), "{err}");
}

#[test]
fn bad_configuration_is_refused_with_the_key() {
    let dir = TempDir::new("config");
    let cfg = dir.0.join("egret.toml");
    std::fs::write(&cfg, "adress = \"127.0.0.1:1\"\n").unwrap();
    let (rc, _, err) = run(&["--config", cfg.to_str().unwrap(), "migrate"]);
    assert_eq!(rc, 2);
    assert!(err.contains("adress"), "{err}");
}

#[test]
fn catalog_list_and_check() {
    let (rc, out, _) = run(&["--lang", "en", "catalog", "list"]);
    assert_eq!(rc, 0);
    for key in [
        "cn-exchange-sr@2024",
        "cn-mof-basic@2024",
        "cn-mof-climate@2025",
        "issb-s1s2@2023",
        "gri-core@2021",
        "xm-lite@1",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(key) && l.contains("data points")),
            "{key}: {out}"
        );
    }
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/catalogs");
    let (rc, out, err) = run(&["--lang", "en", "catalog", "check", "--dir", shipped]);
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.contains("are valid"), "{out}");
    // A copy with a requirement pointing nowhere fails, naming file and entry.
    let dir = TempDir::new("catalogs");
    for e in std::fs::read_dir(shipped).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.0.join(e.file_name())).unwrap();
    }
    let f = dir.0.join("xm-lite@1.toml");
    let text = std::fs::read_to_string(&f).unwrap();
    let broken = text.replacen("datapoint = \"", "datapoint = \"no.such.", 1);
    std::fs::write(&f, broken).unwrap();
    let (rc, _, err) = run(&[
        "--lang",
        "en",
        "catalog",
        "check",
        "--dir",
        dir.0.to_str().unwrap(),
    ]);
    assert_eq!(rc, 1);
    assert!(
        err.contains("xm-lite@1.toml: requirement[") && err.contains("no.such."),
        "{err}"
    );
}

#[test]
fn carbon_calc_writes_results_summary_and_errors_and_finishes() {
    let dir = TempDir::new("carbon");
    let input = dir.0.join("activities.csv");
    std::fs::write(
        &input,
        "id,org,site,period,category,quantity,unit,factor,instrument\n\
         r1,o1,s1,2025,scope1.stationary,1000,t,cn.fuel.bituminous-coal,\n\
         r2,o1,s1,2025,scope1.stationary,100,万立方米,cn.fuel.natural-gas,\n\
         r3,o1,s1,2025,scope1.mobile,50,t,cn.fuel.diesel,\n\
         r4,o1,s2,2025,scope2.heat,5000,GJ,cn.heat.default,\n\
         r5,o1,s2,2025,scope2.electricity,10000,MWh,cn.grid.fujian.2022,\n\
         r6,o1,s2,2025,scope3.c1,3,t,supplier.steel,\n\
         bad1,o1,s2,2025,scope1.mobile,lots,t,cn.fuel.diesel,\n\
         bad2,o1,s2,2025,scope1.mobile,5,kWh,cn.fuel.diesel,\n",
    )
    .unwrap();
    let factors = dir.0.join("factors.csv");
    std::fs::write(
        &factors,
        "id,gas,value,unit,source\nsupplier.steel,CO2,1.85,t/t,supplier EPD 2025\n",
    )
    .unwrap();
    let out = dir.0.join("results.csv");
    let (rc, stdout, stderr) = run(&[
        "--lang",
        "zh-CN",
        "carbon",
        "calc",
        "--activities",
        input.to_str().unwrap(),
        "--factors",
        factors.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(rc, 2, "some rows failed: {stdout} {stderr}");
    assert!(stdout.contains("rows=8 failed=2"), "{stdout}");
    let results = std::fs::read_to_string(&out).unwrap();
    assert_eq!(results.lines().count(), 7, "{results}");
    assert!(results.contains("r6,o1,s2,2025,3,scope3.c1,supplier.steel,ar6,5.55,"));
    let summary = std::fs::read_to_string(dir.0.join("results.summary.csv")).unwrap();
    let row = summary.lines().nth(1).unwrap();
    // factors.md §6 Test 1: scope 1 4,058.7339 (to 4 decimals); scope 2
    // location-based heat 550 + Fujian 2022 electricity 4,092 t;
    // market-based with the 2022 residual factor 550 + 5,856.
    assert!(row.starts_with("o1,2025,6,4058.7338608"), "{row}");
    assert!(row.contains(",4642,6406,5.55,"), "{row}");
    let errors = std::fs::read_to_string(dir.0.join("results.errors.csv")).unwrap();
    let lines: Vec<&str> = errors.lines().collect();
    assert!(lines[1].starts_with("8,bad1,quantity,"), "{errors}");
    assert!(lines[2].starts_with("9,bad2,unit,"), "{errors}");
    assert!(lines[2].contains("kWh"), "{errors}");
    // A file without the required columns stops with a message naming it.
    let (rc, _, stderr) = run(&[
        "--lang",
        "en",
        "carbon",
        "calc",
        "--activities",
        factors.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(rc, 1);
    assert!(stderr.contains("column “org” is missing"), "{stderr}");
}

#[test]
fn verify_passes_on_the_demo_city_and_names_a_tampered_submission() {
    let dir = TempDir::new("verify");
    let db = dir.db_url();
    let (rc, out, err) = run(&["demo", "--orgs", "400", "--db", &db]);
    assert_eq!(rc, 0, "{out}{err}");
    let (rc, out, _) = run(&["verify", "--db", &db]);
    assert_eq!(rc, 0, "{out}");
    let checked: usize = out
        .split_whitespace()
        .find_map(|w| w.strip_prefix("submissions="))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(checked > 0, "the demo city has submissions: {out}");
    // Edit a submitted row behind the platform's back.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let victim = rt.block_on(async {
        let store = egret_store::Store::connect(&db).await.unwrap();
        let id = some_submission(&store).await;
        store
            .execute_admin(&format!(
                "UPDATE submissions SET snapshot = REPLACE(snapshot, '\"version\":1', '\"version\":9') \
                 WHERE submission_id = '{id}'"
            ))
            .await
            .unwrap();
        id
    });
    let (rc, out, _) = run(&["verify", "--db", &db]);
    assert_eq!(rc, 1, "{out}");
    assert!(
        out.contains("BROKEN org=") && out.contains(&victim),
        "{out}"
    );
}

/// The id of some submission (through the store's public API).
async fn some_submission(store: &egret_store::Store) -> String {
    let admin = egret_domain::access::Principal::system("test");
    let orgs = store
        .list_orgs(
            &admin,
            &Default::default(),
            egret_store::Page::new(None, Some(200)),
        )
        .await
        .unwrap();
    for o in orgs.items {
        if let Some(s) = store
            .list_submissions(&admin, &o.org_id)
            .await
            .unwrap()
            .into_iter()
            .next()
        {
            return s.submission_id;
        }
    }
    panic!("no submission in the demo city");
}

#[test]
fn published_reports_download_as_typeset_pdf() {
    let server = demo_server(150);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let list = http
            .get(format!("{}/reports", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let link = list
            .split("href=\"")
            .filter_map(|s| s.split('"').next())
            .find(|h| h.contains("/submissions/"))
            .expect("a published report");
        let r = http
            .get(format!("{}{link}/report.pdf", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let pdf = r.bytes().await.unwrap();
        assert!(
            pdf.starts_with(b"%PDF") && pdf.len() > 10_000,
            "{} bytes",
            pdf.len()
        );
    });
}
