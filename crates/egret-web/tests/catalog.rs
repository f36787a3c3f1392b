//! Every catalog key that any crate's code or any template uses exists in
//! both languages (so no page or error shows a raw key).

use std::path::Path;

use egret_domain::access::Role;
use egret_domain::org::{Exchange, Ownership, SiteKind, SizeClass};
use egret_i18n::{Lang, catalog_keys};

fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

/// Every string literal that looks like a catalog key: lowercase words
/// joined by `-` whose first word is the first word of some catalog key
/// (`web-…`, `field-…`, `store-…`). Ids such as `ftz-xiamen` or header
/// names such as `x-csrf-token` do not match a catalog prefix.
fn used_keys(text: &str, prefixes: &[String]) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|k| {
            k.contains('-')
                && k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && k.split('-').all(|w| !w.is_empty())
                && prefixes
                    .iter()
                    .any(|p| k.split('-').next() == Some(p.as_str()))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_key_used_in_code_and_templates_is_in_both_catalogs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sources = Vec::new();
    for krate in [
        "egret-web",
        "egret-store",
        "egret-cli",
        "egret-demo",
        "egret-domain",
        "egret-import",
    ] {
        files(&root.join(krate).join("src"), "rs", &mut sources);
    }
    files(&root.join("egret-web/templates"), "html", &mut sources);
    let mut prefixes: Vec<String> = catalog_keys(Lang::En)
        .iter()
        .filter_map(|k| k.split_once('-').map(|(p, _)| p.to_string()))
        .collect();
    prefixes.sort();
    prefixes.dedup();
    let mut used: Vec<String> = sources
        .iter()
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            if p.extension().is_some_and(|e| e == "html") {
                // In templates keys appear only as t("…"); other literals
                // are element ids and classes.
                text.split("t(\"")
                    .skip(1)
                    .filter_map(|rest| rest.split('"').next())
                    .map(str::to_string)
                    .collect()
            } else {
                used_keys(&text, &prefixes)
            }
        })
        .collect();
    used.extend(Role::ALL.iter().map(|r| r.label_key().to_string()));
    used.extend(Ownership::ALL.iter().map(|o| o.label_key().to_string()));
    used.extend(Exchange::ALL.iter().map(|o| o.label_key().to_string()));
    used.extend(SiteKind::ALL.iter().map(|o| o.label_key().to_string()));
    used.extend(SizeClass::ALL.iter().map(|o| o.label_key().to_string()));
    used.sort();
    used.dedup();
    assert!(used.len() > 150, "scan found too few keys ({})", used.len());
    for lang in Lang::ALL {
        let have = catalog_keys(lang);
        let missing: Vec<&String> = used.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "missing in {lang}: {missing:?}");
    }
}
