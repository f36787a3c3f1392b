//! `egret bench bank-api`: the bank API's grade endpoint under load from
//! `wrk` on loopback, with every call logged.

use std::process::Command;

use anyhow::{Context, Result, bail};
use egret_domain::access::Principal;
use egret_store::{Page, Store};

use crate::bench::spawn_server;

/// A wrk latency figure ("850.00us", "2.02ms", "1.20s") in milliseconds.
fn wrk_ms(v: &str) -> Option<f64> {
    let (num, scale) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    num.parse::<f64>().ok().map(|x| x * scale)
}

/// What wrk printed: (requests, requests/s, p50 ms, p99 ms, non-2xx).
fn parse_wrk(out: &str) -> Option<(u64, f64, f64, f64, u64)> {
    let mut requests = None;
    let mut rps = None;
    let mut p50 = None;
    let mut p99 = None;
    let mut bad = 0;
    for line in out.lines().map(str::trim) {
        let mut w = line.split_whitespace();
        match (w.next(), w.next()) {
            (Some("50%"), Some(v)) => p50 = wrk_ms(v),
            (Some("99%"), Some(v)) => p99 = wrk_ms(v),
            (Some("Requests/sec:"), Some(v)) => rps = v.parse().ok(),
            (Some(n), Some("requests")) => requests = n.parse().ok(),
            _ => {}
        }
        if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            bad = n.trim().parse().ok()?;
        }
    }
    Some((requests?, rps?, p50?, p99?, bad))
}

pub async fn bank_api(
    db: Option<&str>,
    seconds: u32,
    connections: u32,
    threads: u32,
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let url = match db {
        Some(u) => u.to_string(),
        None => format!("sqlite:{}", dir.path().join("bench.db").display()),
    };
    let store = Store::open(&url).await?;
    if db.is_none() {
        egret_demo::load(&store, &egret_demo::DemoPlan::shipped()?).await?;
    }
    let system = Principal::system("bench");
    let bank_user = store
        .list_users(&system)
        .await?
        .into_iter()
        .find(|u| u.email == "bank@demo.egret.city")
        .context("the demo bank account is missing; is the demo city loaded?")?;
    let bank = store.principal(&bank_user).await?;
    let (token, _) = store.create_api_token(&bank, "bench bank-api").await?;
    let runs = store.rating_runs().await?;
    let run = runs.first().context("no rating run in the database")?;
    let rated = store.rating_results(&run.run_id).await?;
    let org = rated.first().context("the run rated nobody")?;
    let uscc = store
        .get_org(&system, &org.org_id)
        .await?
        .profile
        .uscc
        .to_string();
    let before = store
        .bank_calls(&bank, Page::new(Some(1), Some(1)))
        .await?
        .total;
    store.close().await;

    // The limiter still runs on every call; it is set high so the figure
    // is the server's capacity, not the quota.
    let (server, base, _) = spawn_server(
        &url,
        &[
            ("EGRET_BANK_RATE_PER_SECOND", "100000000"),
            ("EGRET_BANK_BURST", "100000000"),
        ],
    )?;
    let target = format!("{base}/api/bank/v1/orgs/{uscc}/grade");
    let http = reqwest::Client::new();
    let warm = http.get(&target).bearer_auth(&token).send().await?;
    if !warm.status().is_success() {
        bail!("{target} answered {}", warm.status());
    }
    let out = Command::new("wrk")
        .args([
            &format!("-t{threads}"),
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-H",
            &format!("Authorization: Bearer {token}"),
            &target,
        ])
        .output()
        .context("running wrk (install the Debian package `wrk`)")?;
    if !out.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let (requests, rps, p50, p99, bad) =
        parse_wrk(&text).with_context(|| format!("unexpected wrk output:\n{text}"))?;
    server.terminate()?;
    let store = Store::open(&url).await?;
    let logged = store
        .bank_calls(&bank, Page::new(Some(1), Some(1)))
        .await?
        .total
        - before;
    store.close().await;
    println!(
        "bench=bank-api endpoint=/api/bank/v1/orgs/{{uscc}}/grade tool=wrk threads={threads} connections={connections} seconds={seconds}"
    );
    println!("requests={requests} non_2xx={bad} requests_per_second={rps:.0}");
    println!("p50_ms={p50:.2} p99_ms={p99:.2}");
    // wrk counts completed responses; the warm-up call and calls cut off
    // at the end are logged too.
    println!(
        "calls_logged={logged} (completed requests + 1 warm-up: {})",
        requests + 1
    );
    if bad > 0 {
        bail!("{bad} responses were not 2xx");
    }
    if (logged as u64) < requests + 1 {
        bail!("only {logged} of {} calls were logged", requests + 1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_output_is_read() {
        let out = "Running 5s test @ http://127.0.0.1:1/x\n  1 threads and 16 connections\n  Latency Distribution\n     50%  850.00us\n     75%    2.65ms\n     99%    4.49ms\n  38723 requests in 5.00s, 31.43MB read\nRequests/sec:   7743.66\n";
        let (n, rps, p50, p99, bad) = parse_wrk(out).unwrap();
        assert_eq!((n, bad), (38723, 0));
        assert!((rps - 7743.66).abs() < 1e-9);
        assert!((p50 - 0.85).abs() < 1e-9 && (p99 - 4.49).abs() < 1e-9);
        assert_eq!(wrk_ms("1.5s"), Some(1500.0));
        assert!(parse_wrk("nothing").is_none());
    }
}
