//! `egret carbon calc` (batch inventories from CSV/XLSX activity files) and
//! `egret bench carbon` (kernel and end-to-end throughput, peak memory).

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use egret_carbon::batch::{read_factors, run_csv, run_xlsx, synthetic_csv, write_summary};
use egret_carbon::calc::{Category, Engine, kernel};
use egret_carbon::library::Library;
use egret_domain::refdata::ReferenceData;
use egret_i18n::Lang;
use rust_decimal::Decimal;

/// Options of `egret carbon calc`.
pub struct CalcArgs<'a> {
    pub activities: &'a Path,
    pub out: &'a Path,
    pub factors: Option<&'a Path>,
    pub gwp: &'a str,
    pub errors: Option<&'a Path>,
    pub summary: Option<&'a Path>,
}

/// Peak resident memory of this process, in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("out");
    path.with_file_name(format!("{stem}.{suffix}.csv"))
}

pub fn calc(a: &CalcArgs, lang: Lang) -> Result<ExitCode> {
    let rd = ReferenceData::embedded();
    let shipped = Library::embedded();
    let owned;
    let lib = match a.factors {
        Some(p) => {
            let f = File::open(p).with_context(|| format!("{}", p.display()))?;
            owned = read_factors(&p.display().to_string(), BufReader::new(f), shipped, rd)
                .map_err(|e| anyhow::anyhow!("{}: {}", e.file, e.msg.render(lang)))?;
            &owned
        }
        None => shipped,
    };
    let mut engine =
        Engine::new(lib, rd, a.gwp).map_err(|m| anyhow::anyhow!("--gwp: {}", m.render(lang)))?;
    let out_is_null = a.out == Path::new("/dev/null");
    let errors_path = a.errors.map(Path::to_path_buf).unwrap_or_else(|| {
        if out_is_null {
            PathBuf::from("/dev/null")
        } else {
            sibling(a.out, "errors")
        }
    });
    let summary_path = a.summary.map(Path::to_path_buf).unwrap_or_else(|| {
        if out_is_null {
            PathBuf::from("/dev/null")
        } else {
            sibling(a.out, "summary")
        }
    });
    let out = BufWriter::with_capacity(
        1 << 20,
        File::create(a.out).with_context(|| format!("{}", a.out.display()))?,
    );
    let errors = BufWriter::new(
        File::create(&errors_path).with_context(|| format!("{}", errors_path.display()))?,
    );
    let name = a.activities.display().to_string();
    let tty = std::io::stderr().is_terminal();
    let t0 = Instant::now();
    let is_xlsx = a
        .activities
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let summary = if is_xlsx {
        let bytes = std::fs::read(a.activities).with_context(|| name.clone())?;
        run_xlsx(&name, &bytes, &mut engine, out, errors)
    } else {
        let f = File::open(a.activities).with_context(|| name.clone())?;
        let mut progress = |n: u64| {
            if tty {
                let secs = t0.elapsed().as_secs_f64().max(1e-9);
                eprint!("\r{n} rows · {:.0} rows/s   ", n as f64 / secs);
            }
        };
        run_csv(&name, f, &mut engine, out, errors, &mut progress)
    }
    .map_err(|e| anyhow::anyhow!("{}: {}", e.file, e.msg.render(lang)))?;
    if tty {
        eprintln!();
    }
    let secs = t0.elapsed().as_secs_f64();
    let sfile =
        File::create(&summary_path).with_context(|| format!("{}", summary_path.display()))?;
    write_summary(&summary.inventory, BufWriter::new(sfile))
        .map_err(|e| anyhow::anyhow!("{}", e.msg.render(lang)))?;
    let total: Decimal = summary
        .inventory
        .values()
        .map(|t| t.scope1() + t.scope2_location() + t.scope3())
        .sum();
    println!(
        "rows={} failed={} organisations_periods={} gwp={} total_co2e_t={}",
        summary.rows,
        summary.failed,
        summary.inventory.len(),
        a.gwp,
        total.round_dp(6).normalize()
    );
    println!(
        "seconds={secs:.3} rows_per_sec={:.0} peak_rss_mib={:.1}",
        summary.rows as f64 / secs.max(1e-9),
        peak_rss_mib().unwrap_or(0.0)
    );
    if summary.failed > 0 {
        println!("errors: {}", errors_path.display());
    }
    println!(
        "results: {} summary: {}",
        a.out.display(),
        summary_path.display()
    );
    Ok(if summary.failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Kernel throughput in memory, then end-to-end runs of the real binary on
/// synthetic CSV files of 1 and 10 million rows (or `rows`).
pub fn bench(rows: Option<u64>) -> Result<()> {
    let rd = ReferenceData::embedded();
    let lib = Library::embedded();
    let mut engine = Engine::new(lib, rd, "ar6").map_err(|m| anyhow::anyhow!("{m:?}"))?;

    // Kernel: 10 million records with resolved coefficients.
    let n = 10_000_000usize;
    let mut csv = Vec::new();
    synthetic_csv(6, &mut csv)?;
    let mut rdr = csv::Reader::from_reader(&csv[..]);
    let mut kinds = Vec::new();
    for r in rdr.records() {
        let r = r?;
        let i = engine
            .resolve(&r[7], &r[6], "factor")
            .map_err(|e| anyhow::anyhow!("{:?}", e.msg))?;
        kinds.push((i, Category::parse(&r[4]).context("category")?));
    }
    let quantities: Vec<Decimal> = (0..n as i64)
        .map(|i| Decimal::new(1 + (i * 7919) % 10_000_000, 2))
        .collect();
    let coef: Vec<usize> = (0..n).map(|i| kinds[i % kinds.len()].0).collect();
    let cats: Vec<Category> = (0..n).map(|i| kinds[i % kinds.len()].1).collect();
    let t = Instant::now();
    let sums = kernel(&engine, &quantities, &coef, &cats);
    let secs = t.elapsed().as_secs_f64();
    let total: Decimal = sums.iter().sum();
    println!("bench=carbon-kernel rows={n} threads=1");
    println!(
        "kernel_seconds={secs:.3} kernel_rows_per_sec={:.0} total_co2e_t={}",
        n as f64 / secs,
        total.round_dp(3)
    );
    drop((quantities, coef, cats));

    // End to end through the binary, one process per size.
    let dir = tempfile::tempdir()?;
    let exe = std::env::current_exe()?;
    let sizes = match rows {
        Some(r) => vec![r],
        None => vec![1_000_000, 10_000_000],
    };
    for size in sizes {
        let input = dir.path().join(format!("activities-{size}.csv"));
        synthetic_csv(size, BufWriter::new(File::create(&input)?))?;
        let bytes = std::fs::metadata(&input)?.len();
        let out = Command::new(&exe)
            .args(["carbon", "calc", "--activities"])
            .arg(&input)
            .args(["--out", "/dev/null"])
            .stderr(Stdio::null())
            .output()
            .context("running egret carbon calc")?;
        if !out.status.success() {
            bail!(
                "egret carbon calc failed: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let field = |k: &str| {
            text.split_whitespace()
                .find_map(|w| w.strip_prefix(&format!("{k}=")).map(str::to_string))
                .unwrap_or_default()
        };
        println!(
            "bench=carbon-e2e rows={size} input_mib={:.0} seconds={} rows_per_sec={} peak_rss_mib={}",
            bytes as f64 / 1048576.0,
            field("seconds"),
            field("rows_per_sec"),
            field("peak_rss_mib")
        );
        std::fs::remove_file(&input)?;
    }
    std::io::stdout().flush()?;
    Ok(())
}
