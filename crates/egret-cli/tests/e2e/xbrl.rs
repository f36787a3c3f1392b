//! Published xBRL-JSON checked by Arelle, the open-source XBRL validator,
//! offline: Egret's extension taxonomy and the stand-in for the IFRS
//! taxonomy are put where Arelle's cache resolves their URLs. Arelle is
//! named by `EGRET_ARELLE` (path to `arelleCmdLine`; `.ci/run` installs
//! it); without it the test is skipped, except in CI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use egret_domain::catalog::Catalogs;
use egret_domain::refdata::ReferenceData;
use egret_domain::xbrl;

use crate::server::{TempDir, demo_server};

/// Most published reports checked.
const MAX_REPORTS: usize = 6;

/// `arelleCmdLine`, or None (outside CI) when `EGRET_ARELLE` is not set.
fn arelle() -> Option<PathBuf> {
    match std::env::var_os("EGRET_ARELLE") {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(p.exists(), "EGRET_ARELLE={} does not exist", p.display());
            Some(p)
        }
        None => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must install Arelle (EGRET_ARELLE=path to arelleCmdLine)"
            );
            eprintln!("xBRL validation skipped: EGRET_ARELLE not set");
            None
        }
    }
}

/// Where Arelle's cache directory `cache` holds the document of `url`.
fn cached(cache: &Path, url: &str) -> PathBuf {
    let (scheme, rest) = url.split_once("://").unwrap();
    cache.join(scheme).join(rest)
}

/// Runs Arelle on a document; returns the problems (warnings and errors)
/// and the whole log.
fn validate(arelle: &Path, dir: &Path, cache: &Path, doc: &Path) -> (Vec<String>, String) {
    let log = doc.with_extension("log");
    let out = Command::new(arelle)
        .arg("--file")
        .arg(doc)
        .args(["--validate", "--utr", "--workOffline"])
        .arg("--cacheDirectory")
        .arg(cache)
        .arg("--logFile")
        .arg(&log)
        .args(["--logFileMode", "w"])
        // The level first, so that warnings and errors are recognisable
        // (the default format shows only the message code).
        .args([
            "--logFormat",
            "[%(levelname)s] [%(messageCode)s] %(message)s - %(file)s",
        ])
        // Arelle's configuration stays out of the user's home.
        .env("HOME", dir.join("home"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdin(Stdio::null())
        .output()
        .expect("arelleCmdLine runs");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let mut problems: Vec<String> = text
        .lines()
        .filter(|l| {
            l.strip_prefix('[')
                .and_then(|r| r.split_once("] ["))
                .is_some_and(|(level, _)| {
                    level.chars().all(|c| c.is_ascii_uppercase() || c == '-')
                        && !matches!(level, "INFO" | "DEBUG")
                })
        })
        .map(str::to_string)
        .collect();
    if !out.status.success() {
        problems.push(format!(
            "arelleCmdLine exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if !text.contains("[info] validated in") {
        problems.push("Arelle did not report the document validated".into());
    }
    (problems, text)
}

#[test]
fn published_xbrl_json_passes_arelle_offline() {
    let Some(arelle) = arelle() else {
        return;
    };
    let started = Instant::now();
    let (cats, rd) = (Catalogs::embedded(), ReferenceData::embedded());
    let dir = TempDir::new("arelle");
    for d in ["home", "config", "docs"] {
        std::fs::create_dir_all(dir.0.join(d)).unwrap();
    }
    let cache = dir.0.join("cache");
    for (url, text) in [
        (xbrl::EGRET_SCHEMA_URL, xbrl::extension_schema(cats, rd)),
        (xbrl::IFRS_SDS_ENTRY, xbrl::ifrs_stub_schema(cats)),
    ] {
        let path = cached(&cache, url);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    // Published reports: one of each catalog first, then other
    // organisations', up to MAX_REPORTS.
    let server = demo_server(150);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut docs: Vec<(String, PathBuf)> = rt.block_on(async {
        let http = reqwest::Client::new();
        let reports: Vec<serde_json::Value> = http
            .get(format!("{}/api/v1/reports", server.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut first_of: BTreeMap<String, &serde_json::Value> = BTreeMap::new();
        for r in &reports {
            first_of
                .entry(r["catalog"].as_str().unwrap_or_default().to_string())
                .or_insert(r);
        }
        assert!(!first_of.is_empty(), "the demo publishes reports");
        // Then other organisations' reports.
        let mut chosen: Vec<&serde_json::Value> = first_of.values().copied().collect();
        for r in &reports {
            if chosen.len() >= MAX_REPORTS.max(first_of.len()) {
                break;
            }
            if !chosen.iter().any(|c| c["org_id"] == r["org_id"]) {
                chosen.push(r);
            }
        }
        let mut docs = Vec::new();
        for r in chosen {
            let (org, sid) = (
                r["org_id"].as_str().unwrap(),
                r["submission_id"].as_str().unwrap(),
            );
            let resp = http
                .get(format!(
                    "{}/orgs/{org}/submissions/{sid}/xbrl.json",
                    server.base
                ))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "{org}/{sid}: published, so public");
            let doc: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(xbrl::check_structure(&doc), Vec::<String>::new());
            let facts = doc["facts"].as_object().map_or(0, |f| f.len());
            assert!(facts > 0, "{org}/{sid} has facts");
            let path = dir.0.join("docs").join(format!("{sid}.json"));
            std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
            docs.push((
                format!(
                    "{} {org}/{sid} ({facts} facts)",
                    r["catalog"].as_str().unwrap_or_default()
                ),
                path,
            ));
        }
        docs
    });
    drop(server);
    let fetched = started.elapsed();

    // And a synthetic document with every data point and breakdown member
    // (including a site, a typed axis the demo does not use).
    let example = xbrl::from_snapshot(&xbrl::example_snapshot(cats), cats, rd);
    let path = dir.0.join("docs").join("example.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&example).unwrap()).unwrap();
    docs.push(("synthetic: every data point and member".into(), path));

    // One Arelle process per document, side by side.
    let results: Vec<(Vec<String>, String)> = std::thread::scope(|s| {
        let runs: Vec<_> = docs
            .iter()
            .map(|(_, doc)| s.spawn(|| validate(&arelle, &dir.0, &cache, doc)))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let mut failures = Vec::new();
    for ((what, _), (problems, log)) in docs.iter().zip(results) {
        if problems.is_empty() {
            eprintln!("Arelle: valid: {what}");
        } else {
            failures.push(format!(
                "{what}: {} problem(s):\n{}\nfull log:\n{log}",
                problems.len(),
                problems.join("\n")
            ));
        }
    }
    eprintln!(
        "demo and documents in {:.1}s; {} documents validated by Arelle in {:.1}s",
        fetched.as_secs_f64(),
        docs.len(),
        (started.elapsed() - fetched).as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
