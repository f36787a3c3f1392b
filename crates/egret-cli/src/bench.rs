//! `egret bench`: measured figures for the speed and memory targets (run
//! by hand or in CI; never asserted by unit tests).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use egret_store::Store;

/// Loads the demo city into an empty database and reports the time.
pub async fn demo(db: Option<&str>, orgs: Option<usize>) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let url = match db {
        Some(u) => u.to_string(),
        None => format!("sqlite:{}", dir.path().join("bench.db").display()),
    };
    let mut plan = egret_demo::DemoPlan::shipped()?;
    if let Some(n) = orgs {
        plan.organizations = n;
    }
    let t0 = Instant::now();
    let store = Store::open(&url).await?;
    let migrated = t0.elapsed();
    let t1 = Instant::now();
    let outcome = egret_demo::load(&store, &plan).await?;
    let loaded = t1.elapsed();
    let egret_demo::Outcome::Loaded(stats) = outcome else {
        bail!("the database is not empty; benchmark needs an empty one");
    };
    println!("bench=demo backend={:?}", store.backend());
    println!(
        "organizations={} sites={} periods={} users={} values={} activities={} submissions={}",
        stats.organizations,
        stats.sites,
        stats.periods,
        stats.users,
        stats.values,
        stats.activities,
        stats.submissions
    );
    println!("migrate_seconds={:.3}", migrated.as_secs_f64());
    println!("demo_seconds={:.3}", loaded.as_secs_f64());
    println!("total_seconds={:.3}", t0.elapsed().as_secs_f64());
    Ok(())
}

pub(crate) struct Server(Child);

impl Server {
    /// Stops the server as an operator would (SIGTERM: graceful shutdown,
    /// logs flushed) and waits for it.
    pub(crate) fn terminate(mut self) -> Result<()> {
        let status = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status()
            .context("running kill")?;
        if !status.success() {
            bail!("kill -TERM failed");
        }
        self.0.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn proc_status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// Starts `egret serve` on a database holding the demo city (made first in
/// a temporary SQLite file unless `--db` is given), and reports time to
/// the first health check and page, request latencies, and memory.
/// Pages `bench serve` requests as the city user, in turn.
pub const SERVE_PAGES: [&str; 5] = [
    "/dashboard",
    "/orgs",
    "/orgs?page=20",
    "/orgs?district=350206&listed=true",
    "/api/v1/organizations?per_page=200",
];

/// Pages `bench cockpit` requests: the cockpit of each demo year and the
/// longest list behind a figure.
pub const COCKPIT_PAGES: [&str; 4] = [
    "/cockpit?year=2023",
    "/cockpit?year=2024",
    "/cockpit?year=2025",
    "/cockpit/list?year=2025&segment=private&scope=city&status=missing",
];

/// Starts `egret serve` on a free loopback port with extra environment
/// settings; returns the running server, its base URL and process id.
pub(crate) fn spawn_server(url: &str, env: &[(&str, &str)]) -> Result<(Server, String, u32)> {
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .args(["serve", "--db", url, "--addr", "127.0.0.1:0"])
        .env("EGRET_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting egret serve")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let pid = child.id();
    let server = Server(child);
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(rest) = line.strip_prefix("Egret is running at ") {
            return Ok((server, rest.trim().trim_end_matches('/').to_string(), pid));
        }
    }
    bail!("server did not print its address")
}

pub async fn serve(db: Option<&str>, requests: usize, name: &str, pages: &[&str]) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let url = match db {
        Some(u) => u.to_string(),
        None => {
            let url = format!("sqlite:{}", dir.path().join("bench.db").display());
            let store = Store::open(&url).await?;
            egret_demo::load(&store, &egret_demo::DemoPlan::shipped()?).await?;
            store.close().await;
            url
        }
    };
    let t0 = Instant::now();
    let (server, base, pid) = spawn_server(&url, &[])?;
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let healthz = loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            break t0.elapsed();
        }
        if t0.elapsed() > Duration::from_secs(30) {
            bail!("no healthy answer within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let r = http.get(format!("{base}/")).send().await?;
    if !r.status().is_success() {
        bail!("home page answered {}", r.status());
    }
    let first_page = t0.elapsed();
    let r = http
        .post(format!("{base}/login"))
        .form(&[
            ("email", "city@demo.egret.city"),
            ("password", "Egret-demo-2025"),
        ])
        .send()
        .await?;
    if r.status() != reqwest::StatusCode::SEE_OTHER {
        bail!(
            "demo login failed ({}); is the demo city loaded?",
            r.status()
        );
    }
    let mut latencies = Vec::new();
    for i in 0..requests {
        let p = pages[i % pages.len()];
        let t = Instant::now();
        let r = http.get(format!("{base}{p}")).send().await?;
        let ok = r.status().is_success();
        let _ = r.bytes().await?;
        if !ok {
            bail!("{p} failed");
        }
        latencies.push(t.elapsed());
    }
    latencies.sort();
    let pct = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "bench={name} db={} pages={}",
        if db.is_some() { "given" } else { "sqlite-demo" },
        pages.join(" ")
    );
    println!(
        "startup_to_healthz_ms={:.1}",
        healthz.as_secs_f64() * 1000.0
    );
    println!(
        "startup_to_first_page_ms={:.1}",
        first_page.as_secs_f64() * 1000.0
    );
    println!(
        "requests={} p50_ms={:.2} p95_ms={:.2} max_ms={:.2}",
        latencies.len(),
        pct(0.5).as_secs_f64() * 1000.0,
        pct(0.95).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    if let (Some(rss), Some(hwm)) = (
        proc_status_kib(pid, "VmRSS:"),
        proc_status_kib(pid, "VmHWM:"),
    ) {
        println!(
            "rss_mib={:.1} peak_rss_mib={:.1}",
            rss as f64 / 1024.0,
            hwm as f64 / 1024.0
        );
    }
    drop(server);
    Ok(())
}

/// The rating engine on `n` synthetic organisations (14 industry
/// clusters, every indicator's data point present or missing at random,
/// a third of the numbers assured, prior-year numbers for trends): time
/// to rate them and to digest the results, twice, and whether the two
/// digests agree.
pub fn rating(n: usize) {
    use egret_domain::rating::{Datum, Fact, Methodology, RatingInput, rate, results_digest};
    use rust_decimal::Decimal;
    let m = Methodology::find(&Methodology::default_key()).expect("shipped");
    let clusters: Vec<String> = egret_domain::refdata::ReferenceData::embedded()
        .clusters()
        .map(|c| c.id.clone())
        .collect();
    // A fixed linear congruential sequence: the same inputs every run.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    let t = Instant::now();
    let inputs: Vec<RatingInput> = (0..n)
        .map(|i| {
            let mut data = std::collections::BTreeMap::new();
            let mut prior = std::collections::BTreeMap::new();
            for ind in &m.indicator {
                if next() % 10 < 2 {
                    continue; // missing
                }
                let fact = match ind.scoring.as_str() {
                    "boolean" => Fact::Bool(next() % 2 == 0),
                    "disclosed" if next() % 5 == 0 => Fact::Explained,
                    _ => Fact::Number(Decimal::new((next() % 100_000) as i64, 2)),
                };
                if let Fact::Number(v) = &fact {
                    prior.insert(
                        ind.datapoint.clone(),
                        *v + Decimal::new((next() % 2_000) as i64 - 1_000, 2),
                    );
                }
                data.insert(
                    ind.datapoint.clone(),
                    Datum {
                        fact,
                        assured: next() % 3 == 0,
                    },
                );
            }
            RatingInput {
                org_id: format!("org-{i:06}"),
                cluster: Some(clusters[i % clusters.len()].clone()),
                revenue_wan: Some(Decimal::from(1_000 + (next() % 100_000) as i64)),
                data,
                prior,
                controversies: Vec::new(),
            }
        })
        .collect();
    let build = t.elapsed();
    let on = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
    let mut digests = Vec::new();
    let mut times = Vec::new();
    for _ in 0..2 {
        let mut batch = inputs.clone();
        let t = Instant::now();
        let results = rate(m, &mut batch, on);
        let rated = t.elapsed();
        let t = Instant::now();
        digests.push(results_digest(&results));
        times.push((rated, t.elapsed()));
    }
    println!(
        "bench=rating orgs={n} indicators={} methodology={}",
        m.indicator.len(),
        m.key()
    );
    println!("build_inputs_s={:.3}", build.as_secs_f64());
    for (i, (r, d)) in times.iter().enumerate() {
        println!(
            "run={} rate_s={:.3} digest_s={:.3} total_s={:.3}",
            i + 1,
            r.as_secs_f64(),
            d.as_secs_f64(),
            (*r + *d).as_secs_f64()
        );
    }
    println!(
        "identical={} sha256={}",
        digests[0] == digests[1],
        digests[0]
    );
}

/// Typesets a complete synthetic report `runs` times and prints the times.
pub fn report(runs: usize) -> Result<()> {
    let t = Instant::now();
    let fonts = egret_report::Fonts::shared();
    let fonts_ms = t.elapsed().as_secs_f64() * 1000.0;
    if fonts.directory_faces == 0 {
        bail!("no CJK font found (install fonts-wqy-microhei or set EGRET_FONT_DIR)");
    }
    let data = egret_report::sample_report(10, 12);
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let pdf = egret_report::render_pdf(egret_report::TEMPLATE, &data, fonts)
            .map_err(anyhow::Error::msg)?;
        times.push(t.elapsed().as_secs_f64());
        size = pdf.len();
    }
    let first = times[0];
    times.sort_by(f64::total_cmp);
    println!(
        "bench=report datapoints=120 index_rows=120 font_faces={}",
        fonts.directory_faces
    );
    println!(
        "fonts_ms={fonts_ms:.1} first_seconds={first:.3} median_seconds={:.3} pdf_kib={}",
        times[times.len() / 2],
        size / 1024
    );
    Ok(())
}
