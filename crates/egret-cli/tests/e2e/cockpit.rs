//! The city's cockpit on the served demo city: every figure equals the
//! list behind it, in every year, and `egret stats disclosure` agrees.

use crate::server::{DEMO_PASSWORD, demo_server, egret};

/// Signs in a demo account.
pub async fn signed_in(base: &str, who: &str) -> reqwest::Client {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .post(format!("{base}/login"))
        .form(&[
            ("email", format!("{who}@demo.egret.city").as_str()),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER, "{who} signs in");
    http
}

/// The body of a page that must answer.
async fn get_text(http: &reqwest::Client, url: String) -> String {
    let r = http.get(&url).send().await.unwrap();
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.text().await.unwrap()
}

/// Every `<a class="figure…" href="H">N</a>` of a page: (H, N).
fn figures(html: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<a class=\"figure") {
        rest = &rest[i..];
        let h = rest.find("href=\"").unwrap() + 6;
        let h_end = h + rest[h..].find('"').unwrap();
        let href = rest[h..h_end].replace("&amp;", "&").replace("&#38;", "&");
        let n_start = h_end + rest[h_end..].find('>').unwrap() + 1;
        let n_end = n_start + rest[n_start..].find("</a>").unwrap();
        out.push((href, rest[n_start..n_end].trim().parse().unwrap()));
        rest = &rest[n_end..];
    }
    out
}

async fn csv_rows(http: &reqwest::Client, base: &str, href: &str) -> usize {
    let r = http
        .get(format!("{base}{href}&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK, "{href}");
    let text = r.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader.records().count()
}

#[test]
fn cockpit_figures_equal_their_lists_in_every_year_and_the_cli_agrees() {
    let server = demo_server(400);
    let base = &server.base;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let city = signed_in(base, "city").await;
        // Enterprises and banks do not see the cockpit.
        for who in ["listed", "bank"] {
            let r = signed_in(base, who)
                .await
                .get(format!("{base}/cockpit"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), reqwest::StatusCode::FORBIDDEN, "{who}");
        }
        let mut checked = 0;
        for year in [2023, 2024, 2025] {
            let html = get_text(&city, format!("{base}/cockpit?year={year}")).await;
            let figs = figures(&html);
            assert!(figs.len() > 100, "{year}: {} figures", figs.len());
            for (href, n) in &figs {
                assert_eq!(csv_rows(&city, base, href).await, *n, "{year}: {href}");
                checked += 1;
            }
            // The CLI prints the same city figures.
            let out = egret()
                .args([
                    "--db",
                    &server.db,
                    "stats",
                    "disclosure",
                    "--year",
                    &year.to_string(),
                ])
                .output()
                .unwrap();
            assert!(out.status.success());
            let csv = String::from_utf8(out.stdout).unwrap();
            let mut lines = csv.lines();
            assert_eq!(lines.next(), Some("segment,eligible,disclosed,rate,target"));
            let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
            for seg in [
                "listed",
                "listed-soe-foreign",
                "private",
                "foreign-related",
                "financial",
            ] {
                let row = rows.iter().find(|r| r[0] == seg).unwrap();
                for (col, status) in [(1, "eligible"), (2, "disclosed")] {
                    let href = format!(
                        "/cockpit/list?year={year}&segment={seg}&scope=city&status={status}"
                    );
                    let shown = figs.iter().find(|(h, _)| *h == href).unwrap().1;
                    assert_eq!(row[col].parse::<usize>().unwrap(), shown, "{year} {seg}");
                }
            }
            assert!(rows.iter().any(|r| r[0] == "ftz-xiamen:listed"));
            assert!(rows.iter().any(|r| r[0] == "torch-hitech:listed"));
            let listed = rows.iter().find(|r| r[0] == "listed").unwrap();
            assert_eq!(listed[4], "70");
        }
        assert!(checked > 300, "{checked} figures checked");
        // A rated organisation's explanation is open to the city.
        let rated = get_text(
            &city,
            format!("{base}/cockpit/list?year=2025&status=rated&format=csv"),
        )
        .await;
        assert!(rated.lines().count() > 1, "the demo is rated: {rated}");
        let html = get_text(&city, format!("{base}/cockpit/list?year=2025&status=rated")).await;
        let i = html.find("<a href=\"/orgs/").expect("a rated organisation");
        let org = &html[i + 15..i + 15 + html[i + 15..].find('"').unwrap()];
        let page = get_text(&city, format!("{base}/orgs/{org}/rating")).await;
        assert!(
            page.contains("id=\"rating-grade\"") && page.contains("rating-indicators"),
            "{page}"
        );
        // Published ratings are ranked in public; the latest year is still
        // in its review window.
        let ranks = get_text(
            &reqwest::Client::new(),
            format!("{base}/rankings?year=2024&by=district"),
        )
        .await;
        assert!(
            ranks.contains("class=\"ranking\"") && ranks.contains("<td>1</td>"),
            "{ranks}"
        );
        let latest = get_text(
            &reqwest::Client::new(),
            format!("{base}/rankings?year=2025"),
        )
        .await;
        assert!(latest.contains("id=\"no-ranking\""));
        // The demo's excellent case is public, linked to its report.
        let cases = get_text(&reqwest::Client::new(), format!("{base}/cases")).await;
        assert!(
            cases.contains("class=\"case\"") && cases.contains("/submissions/"),
            "{cases}"
        );
        // The public page shows headline figures without lists.
        let public = get_text(&reqwest::Client::new(), format!("{base}/city")).await;
        assert!(public.contains("id=\"public-rates\"") && !public.contains("class=\"figure"));
    });
}
