//! Benchmark: reading a filled 100,000-value data template and computing
//! its changes (target: under 3 s on 2 cores). Run with
//! `cargo bench -p egret-import --bench datasheet`.
//!
//! The workbook is a real template (written by `write_template`) for a
//! synthetic catalog of 1,000 data points, each with a total and 99 site
//! rows, pre-filled with a value in every row: quantities, amounts, counts,
//! percentages, texts, choices and yes/no in rotation. The stored map the
//! upload is compared with differs in one value out of ten.

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use std::collections::BTreeMap;
use std::time::Instant;

use egret_domain::catalog::{DataPoint, ValueKind};
use egret_domain::value::{Answer, Value};
use egret_import::datasheet::{Expect, TemplateContext, diff, read_filled, write_template};
use rust_decimal::Decimal;

const DATAPOINTS: usize = 1000;
const SITES: usize = 99;
const RUNS: usize = 5;

/// The value of row `n` of a data point; `bump` gives a different one.
fn value(dp: &DataPoint, n: usize, bump: bool) -> Value {
    let k = n as i64 + i64::from(bump) * 7;
    match dp.kind {
        ValueKind::Quantity => Value::Quantity {
            amount: Decimal::new(k * 123_457 + 1, 3),
            unit: if n.is_multiple_of(5) { "GWh" } else { "MWh" }.into(),
        },
        ValueKind::Amount => Value::Amount {
            amount: Decimal::new(k * 98_765 + 3, 2),
            unit: "CNY_10k".into(),
        },
        ValueKind::Count => Value::Count(k * 3 + 1),
        ValueKind::Percentage => Value::Percentage(Decimal::new((k * 37) % 1000, 1)),
        ValueKind::Text => Value::Text(format!(
            "厂区{k}已建立能源管理体系并通过第三方认证；the site reports monthly to the board ({k})."
        )),
        ValueKind::Choice => Value::Choice(["a", "b", "c"][k as usize % 3].into()),
        ValueKind::Boolean => Value::Boolean(k % 2 == 0),
        ValueKind::Date | ValueKind::Table => unreachable!("not in the benchmark catalog"),
    }
}

fn main() {
    let cats = fixture::large(DATAPOINTS);
    let profile = fixture::profile();
    let sites: Vec<(String, String)> = (1..=SITES)
        .map(|i| (format!("s{i}"), format!("厂区{i}")))
        .collect();
    let mut current = BTreeMap::new();
    let mut stored = BTreeMap::new();
    for dp in cats.datapoints() {
        let keys =
            std::iter::once(String::new()).chain(sites.iter().map(|(id, _)| format!("site:{id}")));
        for (n, bk) in keys.enumerate() {
            let comment = n.is_multiple_of(4).then(|| format!("数据来源：台账{n}"));
            current.insert(
                (dp.id.clone(), bk.clone()),
                (Answer::Value(value(dp, n, false)), comment.clone()),
            );
            // One stored value in ten differs from the upload.
            stored.insert(
                (dp.id.clone(), bk),
                (Answer::Value(value(dp, n, n % 10 == 3)), comment),
            );
        }
    }
    let prior = BTreeMap::new();
    let t = Instant::now();
    let bytes = write_template(&TemplateContext {
        cats: &cats,
        catalog: cats.catalog("bench@1").unwrap(),
        profile: &profile,
        rd: fixture::rd(),
        fiscal_year: 2025,
        sites: &sites,
        current: &current,
        prior: &prior,
    })
    .unwrap();
    let write_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "template: rows={} bytes={} write_ms={write_ms:.0} (not part of the target)",
        current.len(),
        bytes.len()
    );
    let site_ids: Vec<String> = sites.iter().map(|(id, _)| id.clone()).collect();
    let expect = Expect {
        uscc: profile.uscc.as_str(),
        catalog_key: "bench@1",
        fiscal_year: 2025,
    };
    let mut totals = Vec::new();
    for run in 1..=RUNS {
        let t = Instant::now();
        let filled = read_filled(&bytes, &expect, &cats, fixture::rd(), &site_ids)
            .unwrap_or_else(|e| panic!("{:?}", &e[..e.len().min(3)]));
        let read_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let changes = diff(&stored, &filled);
        let diff_ms = t.elapsed().as_secs_f64() * 1000.0;
        let values = filled.iter().filter(|f| f.answer.is_some()).count();
        assert_eq!(values, DATAPOINTS * (SITES + 1));
        assert_eq!(changes.len(), DATAPOINTS * (SITES + 1) / 10);
        let total = read_ms + diff_ms;
        totals.push(total);
        println!(
            "run={run} values={values} changes={} read_ms={read_ms:.0} diff_ms={diff_ms:.0} total_ms={total:.0}",
            changes.len()
        );
    }
    totals.sort_by(f64::total_cmp);
    println!(
        "values={} best_total_ms={:.0} median_total_ms={:.0} worst_total_ms={:.0} target_ms=3000",
        DATAPOINTS * (SITES + 1),
        totals[0],
        totals[totals.len() / 2],
        totals[totals.len() - 1]
    );
}
