//! Browser tests: the real server driven by headless Chromium through
//! chromedriver (Debian `chromium` and `chromium-driver`). In CI these must
//! run; on a machine without the driver they are skipped with a notice.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::server::{DEMO_PASSWORD, TempDir, demo_server};

const DRIVER: &str = "/usr/bin/chromedriver";
const BROWSER: &str = "/usr/bin/chromium";

struct Driver {
    child: Child,
    url: String,
    _profile: TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver, or returns None (outside CI) when it is missing.
fn driver() -> Option<Driver> {
    if !std::path::Path::new(DRIVER).exists() || !std::path::Path::new(BROWSER).exists() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install chromium and chromium-driver for the browser tests"
        );
        eprintln!("browser tests skipped: {DRIVER} or {BROWSER} not installed");
        return None;
    }
    let port = free_port();
    let child = Command::new(DRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: TempDir::new("chromium-profile"),
    })
}

async fn browser(d: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": BROWSER,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--lang=zh-CN",
                format!("--user-data-dir={}", d._profile.0.display()),
            ]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("a WebDriver session")
}

async fn text_of(c: &Client, loc: Locator<'_>) -> String {
    c.find(loc).await.unwrap().text().await.unwrap()
}

async fn html_lang(c: &Client) -> String {
    c.find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn log_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(DEMO_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("whoami")).await.unwrap();
}

/// From the organisation list, opens the user's organisation and follows
/// the link with the given id.
async fn open_from_own_org(c: &Client, link: &str) {
    c.find(Locator::Css("a.org-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id(link))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn log_out(c: &Client) {
    c.find(Locator::Id("logout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("login-link"))
        .await
        .unwrap();
}

#[test]
fn enterprise_user_opens_own_organisation_switches_language_and_cannot_open_another() {
    let Some(d) = driver() else { return };
    let server = demo_server(150);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d).await;
        let base = &server.base;

        // An enterprise user signs in and opens their organisation.
        log_in(&c, base, "soe@demo.egret.city").await;
        let link = c.find(Locator::Css("a.org-link")).await.unwrap();
        let own_url = format!("{base}{}", link.attr("href").await.unwrap().unwrap());
        link.click().await.unwrap();
        c.wait().for_element(Locator::Id("org-name")).await.unwrap();
        // The first language follows the browser's Accept-Language; the
        // switch must flip it, keep the page, and flip it back.
        let first = html_lang(&c).await;
        let (zh, en) = (
            ("zh-CN", "统一社会信用代码", "厦门"),
            ("en", "Unified social credit code", "Xiamen"),
        );
        let (now, next) = if first == "zh-CN" { (zh, en) } else { (en, zh) };
        for (lang, label, name_prefix) in [now, next, now] {
            if html_lang(&c).await != lang {
                c.find(Locator::Id("lang-switch"))
                    .await
                    .unwrap()
                    .click()
                    .await
                    .unwrap();
                c.wait()
                    .for_element(Locator::Css(&format!("html[lang='{lang}']")))
                    .await
                    .unwrap();
                assert_eq!(c.current_url().await.unwrap().as_str(), own_url);
            }
            assert!(c.source().await.unwrap().contains(label), "{lang} labels");
            let name = text_of(&c, Locator::Id("org-name")).await;
            assert!(name.starts_with(name_prefix), "{lang}: {name}");
        }

        // Log out: the organisation page now asks for a sign-in.
        log_out(&c).await;
        c.goto(&own_url).await.unwrap();
        c.wait()
            .for_element(Locator::Id("login-submit"))
            .await
            .unwrap();

        // Another enterprise cannot open the first one's page.
        log_in(&c, base, "sme@demo.egret.city").await;
        c.goto(&own_url).await.unwrap();
        let msg = text_of(&c, Locator::Id("error-message")).await;
        assert!(msg.contains("未找到") || msg.contains("not found"), "{msg}");
        assert!(
            c.find(Locator::Id("org-name")).await.is_err(),
            "no organisation data shown"
        );
        c.close().await.unwrap();
    });
}

#[test]
fn enterprise_user_enters_esg_data_and_sees_completeness() {
    let Some(d) = driver() else { return };
    let server = demo_server(150);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d).await;
        let base = &server.base;
        log_in(&c, base, "listed@demo.egret.city").await;
        open_from_own_org(&c, "org-data").await;
        c.wait()
            .for_element(Locator::Id("percent-complete"))
            .await
            .unwrap();
        // Pick the exchange guideline and the latest year explicitly.
        let url = c.current_url().await.unwrap();
        c.goto(&format!("{url}?year=2025&catalog=cn-exchange-sr@2024"))
            .await
            .unwrap();
        let row = c
            .wait()
            .for_element(Locator::Css("#dp-ghg-scope1"))
            .await
            .unwrap();
        let form = row.find(Locator::Css("form.value-form")).await.unwrap();
        form.find(Locator::Css("select[name=answer] option[value=value]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let input = form.find(Locator::Css("input[name=value]")).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys("4,321.5").await.unwrap();
        form.find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The form posts and the page reloads; poll until the new page
        // shows the stored value (the old page's elements go stale).
        let start = std::time::Instant::now();
        let shown = loop {
            let text = match c.find(Locator::Css("#dp-ghg-scope1 .value-display")).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains("4,321.5") || start.elapsed() > std::time::Duration::from_secs(15) {
                break text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        assert!(shown.contains("4,321.5"), "{shown}");
        assert!(c.current_url().await.unwrap().as_str().contains("saved=1"));
        // The same stored value answers the ISSB catalog.
        c.goto(
            &c.current_url()
                .await
                .unwrap()
                .as_str()
                .replace("cn-exchange-sr@2024", "issb-s1s2@2023")
                .replace("/data?", "/completeness?"),
        )
        .await
        .unwrap();
        c.wait()
            .for_element(Locator::Id("completeness"))
            .await
            .unwrap();
        let page = c.source().await.unwrap();
        let row = page
            .split("<tr")
            .find(|r| r.contains("ghg.scope1"))
            .expect("scope 1 row");
        assert!(row.contains("status-answered"), "{row}");
        c.close().await.unwrap();
    });
}

#[test]
fn enterprise_user_records_activity_calculates_inventory_and_traces_a_tonne_to_its_source() {
    let Some(d) = driver() else { return };
    let server = demo_server(150);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d).await;
        let base = &server.base;
        log_in(&c, base, "listed@demo.egret.city").await;
        open_from_own_org(&c, "org-carbon").await;
        c.wait()
            .for_element(Locator::Id("carbon-title"))
            .await
            .unwrap();
        let url = c.current_url().await.unwrap();
        c.goto(&format!("{url}?year=2025")).await.unwrap();
        // The demo company already has a calculated inventory.
        c.wait()
            .for_element(Locator::Id("total-scope1"))
            .await
            .unwrap();

        // Record 1,000 MWh of grid electricity at the 2022 Fujian factor.
        let pick = |select: &'static str, value: &'static str| {
            let c = c.clone();
            async move {
                c.find(Locator::Css(&format!("#{select} option[value='{value}']")))
                    .await
                    .unwrap()
                    .click()
                    .await
                    .unwrap();
            }
        };
        pick("activity-category", "scope2.electricity").await;
        pick("activity-factor", "cn.grid.fujian.2022").await;
        for (id, text) in [
            ("activity-description", "新厂房用电 / new hall"),
            ("activity-quantity", "1000"),
            ("activity-unit", "MWh"),
        ] {
            c.find(Locator::Id(id))
                .await
                .unwrap()
                .send_keys(text)
                .await
                .unwrap();
        }
        c.find(Locator::Id("activity-save"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::XPath(
                "//table[@id='activities']//td[contains(., '新厂房用电')]",
            ))
            .await
            .unwrap();

        // Calculate: a new run; its record for this activity is 409.2 t.
        let before = text_of(&c, Locator::Id("run-info")).await;
        c.find(Locator::Id("calculate"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::XPath(
                "//table[@id='results']//td[normalize-space(.)='409.2']",
            ))
            .await
            .unwrap();
        assert_ne!(
            text_of(&c, Locator::Id("run-info")).await,
            before,
            "a new run"
        );

        // From the tonne to the factor and its source document.
        c.find(Locator::XPath(
            "//table[@id='results']//tr[td[normalize-space(.)='409.2']]//a[@class='factor-link']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        c.wait()
            .for_element(Locator::Id("factor-facts"))
            .await
            .unwrap();
        let source = text_of(&c, Locator::Id("factor-source")).await;
        assert!(
            source.contains("MEE") && source.contains("2022"),
            "{source}"
        );
        assert!(
            text_of(&c, Locator::Id("factor-gases"))
                .await
                .contains("0.4092"),
            "the factor's value is shown"
        );

        // The inventory's totals are the disclosure's values, marked calculated.
        c.goto(&format!(
            "{}?year=2025&catalog=cn-exchange-sr@2024",
            url.as_str().replace("/carbon", "/data")
        ))
        .await
        .unwrap();
        let row = c
            .wait()
            .for_element(Locator::Css("#dp-ghg-scope2-location"))
            .await
            .unwrap();
        let text = row.text().await.unwrap();
        assert!(text.contains("calculated"), "{text}");
        c.close().await.unwrap();
    });
}

#[test]
fn enterprise_corrects_and_publishes_a_report_that_the_public_can_read() {
    let Some(d) = driver() else { return };
    let server = demo_server(150);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d).await;
        let base = &server.base;
        log_in(&c, base, "listed@demo.egret.city").await;
        open_from_own_org(&c, "org-submissions").await;
        c.wait()
            .for_element(Locator::Css("table#submissions a.report-link"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Id("report-index"))
            .await
            .unwrap();
        // Correct: back to the data, submit again with a reason.
        c.find(Locator::Id("report-data-link"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("#submit-form input[name=reason]"))
            .await
            .unwrap()
            .send_keys("更正口径 / corrected scope")
            .await
            .unwrap();
        c.find(Locator::Id("submit-report"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Id("report-status"))
            .await
            .unwrap();
        let digest = text_of(&c, Locator::Id("report-digest")).await;
        assert!(digest.starts_with("SHA-256 "), "{digest}");
        let page = c.current_url().await.unwrap().to_string();
        let sid = page.rsplit('/').next().unwrap().to_string();
        c.find(Locator::Id("publish"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("#report-status.status-published"))
            .await
            .unwrap();
        log_out(&c).await;
        // Anyone can find and read the published report.
        c.goto(&format!("{base}/reports")).await.unwrap();
        c.wait()
            .for_element(Locator::Css(&format!("a.report-link[href$='{sid}']")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Id("report-index"))
            .await
            .unwrap();
        assert!(c.find(Locator::Id("xbrl-link")).await.is_ok());
        assert!(
            c.find(Locator::Id("publish")).await.is_err(),
            "no actions for the public"
        );
        c.close().await.unwrap();
    });
}

#[test]
fn city_government_drills_from_the_city_rate_to_a_districts_missing_organisations_and_exports_them()
{
    let Some(d) = driver() else { return };
    let server = demo_server(300);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d).await;
        let base = &server.base;
        log_in(&c, base, "city@demo.egret.city").await;
        c.find(Locator::Id("nav-cockpit"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Id("cockpit-title"))
            .await
            .unwrap();
        // The city's rate of listed companies against the 70% target.
        let rate = text_of(
            &c,
            Locator::Css("#city-table tbody tr:first-child td:nth-child(5)"),
        )
        .await;
        assert!(rate.ends_with('%'), "{rate}");
        assert!(c.source().await.unwrap().contains("<svg"), "charts drawn");
        // Open a district and follow its listed companies not disclosing.
        c.find(Locator::Css("details.district summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let link = c
            .wait()
            .for_element(Locator::Css(
                "details.district[open] tbody tr:first-child a.missing",
            ))
            .await
            .unwrap();
        let n: usize = link.text().await.unwrap().trim().parse().unwrap();
        link.click().await.unwrap();
        c.wait()
            .for_element(Locator::Id("list-title"))
            .await
            .unwrap();
        let rows = c
            .find_all(Locator::Css("#org-list tbody tr"))
            .await
            .unwrap()
            .len();
        assert_eq!(rows, n, "the list behind the figure");
        assert_eq!(text_of(&c, Locator::Id("list-count")).await, n.to_string());
        // Export it: the CSV link returns the same organisations.
        let href = c
            .find(Locator::Id("export-csv"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        let session = c.get_named_cookie("egret_session").await.unwrap();
        let csv = reqwest::Client::new()
            .get(format!("{base}{href}"))
            .header("cookie", format!("egret_session={}", session.value()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(csv.trim_end().lines().count(), n + 1, "{csv}");
        c.close().await.unwrap();
    });
}

/// Waits until the page shows `text` (after a form posts and redirects).
async fn wait_for_text(c: &Client, text: &str) {
    let start = Instant::now();
    while !c.source().await.unwrap().contains(text) {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{text} never shown"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Reads a figure as the page prints it ("48.27", "−1.50").
fn figure(s: &str) -> rust_decimal::Decimal {
    s.trim().replace('−', "-").parse().unwrap()
}

#[test]
fn an_enterprise_objects_to_its_rating_the_analyst_resolves_and_publishes_and_a_bank_checks_eligibility()
 {
    let Some(d) = driver() else { return };
    let server = demo_server(300);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d).await;
        let base = &server.base;
        // The latest year's ratings are in their review window: not yet
        // in the public rankings.
        c.goto(&format!("{base}/rankings?year=2025&by=ownership"))
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Id("no-ranking"))
            .await
            .unwrap();
        // The enterprise reads its rating: the contributions add up.
        log_in(&c, base, "soe@demo.egret.city").await;
        c.goto(&format!("{base}/orgs")).await.unwrap();
        open_from_own_org(&c, "org-rating").await;
        c.wait()
            .for_element(Locator::Id("rating-title"))
            .await
            .unwrap();
        let rating_url = c.current_url().await.unwrap().to_string();
        let org_name = text_of(&c, Locator::Id("rating-org")).await;
        let score = figure(&text_of(&c, Locator::Id("rating-score")).await);
        let mut sum = rust_decimal::Decimal::ZERO;
        for td in c
            .find_all(Locator::Css("#rating-indicators td.contribution"))
            .await
            .unwrap()
        {
            sum += figure(&td.text().await.unwrap());
        }
        let deduction =
            figure(&text_of(&c, Locator::Css("#pillars tbody td:nth-last-child(2)")).await);
        assert_eq!(sum + deduction, score, "contributions − deduction = score");
        assert!(!text_of(&c, Locator::Id("rating-grade")).await.is_empty());
        // It objects, with evidence.
        c.find(Locator::Css("#objection-form textarea[name=objection]"))
            .await
            .unwrap()
            .send_keys("可再生能源比例漏计了屋顶光伏 / rooftop PV left out")
            .await
            .unwrap();
        c.find(Locator::Css("#objection-form input[name=evidence]"))
            .await
            .unwrap()
            .send_keys("2025 电费结算单 / 2025 power bills")
            .await
            .unwrap();
        c.find(Locator::Id("objection-save"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_text(&c, "2025 power bills").await;
        log_out(&c).await;
        // The analyst answers the objection and publishes the run.
        log_in(&c, base, "analyst@demo.egret.city").await;
        c.goto(&rating_url).await.unwrap();
        c.find(Locator::Css(
            "form[action*='/rating/objections/'] input[name=response]",
        ))
        .await
        .unwrap()
        .send_keys("已核对，下次评级更新 / checked, corrected in the next run")
        .await
        .unwrap();
        c.find(Locator::Css("form[action*='/rating/objections/'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_text(&c, "checked, corrected in the next run").await;
        c.goto(&format!("{base}/ratings")).await.unwrap();
        let publish = c.find(Locator::Css("button.publish-run")).await.unwrap();
        let id = publish.attr("id").await.unwrap().unwrap();
        publish.click().await.unwrap();
        let start = Instant::now();
        while c.find(Locator::Id(&id)).await.is_ok() {
            assert!(start.elapsed() < Duration::from_secs(15), "not published");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        log_out(&c).await;
        // The public now finds the organisation in the rankings.
        c.goto(&format!("{base}/rankings?year=2025&by=ownership"))
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Id("rankings-title"))
            .await
            .unwrap();
        assert!(c.find(Locator::Id("no-ranking")).await.is_err());
        assert!(
            c.source().await.unwrap().contains(&org_name),
            "{org_name} ranked"
        );
        // A bank checks the organisation against its own rules.
        log_in(&c, base, "bank@demo.egret.city").await;
        c.goto(&rating_url.replace("/rating", "")).await.unwrap();
        let uscc = text_of(&c, Locator::Id("org-uscc")).await;
        c.find(Locator::Id("nav-bank"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Id("eligibility-uscc"))
            .await
            .unwrap()
            .send_keys(uscc.trim())
            .await
            .unwrap();
        c.find(Locator::Id("eligibility-check"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Id("eligibility-rules"))
            .await
            .unwrap();
        let rules = c
            .find_all(Locator::Css("#eligibility-rules tbody tr"))
            .await
            .unwrap()
            .len();
        assert_eq!(rules, 3, "every rule of the demo bank, explained");
        let shown = text_of(&c, Locator::Id("eligibility-org")).await;
        assert!(shown.contains(&org_name), "{shown} / {org_name}");
        c.close().await.unwrap();
    });
}

/// Fills a form field by CSS selector.
async fn fill(c: &Client, css: &str, text: &str) {
    let el = c.find(Locator::Css(css)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

/// Submits one of the product-system page's edit forms after filling it.
async fn edit_system(c: &Client, form: &str, fields: &[(&str, &str)], selects: &[(&str, &str)]) {
    // The edit forms sit in <details>; open them all.
    c.execute(
        "document.querySelectorAll('details').forEach(d => d.open = true);",
        vec![],
    )
    .await
    .unwrap();
    for (name, value) in fields {
        fill(c, &format!("#{form} [name={name}]"), value).await;
    }
    for (name, value) in selects {
        c.find(Locator::Css(&format!("#{form} select[name={name}]")))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }
    let before = c.source().await.unwrap().matches("<tr").count();
    c.find(Locator::Css(&format!("#{form} button[type=submit]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Each edit saves a version: the versions table grows by a row.
    let start = Instant::now();
    while c.source().await.unwrap().matches("<tr").count() <= before {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{form} not saved"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn an_enterprise_models_a_product_records_its_footprint_a_certifier_signs_it_and_anyone_checks_it()
{
    let Some(d) = driver() else { return };
    let server = demo_server(300);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d).await;
        let base = &server.base;
        // The enterprise models its product: an assembly (own data) using
        // cited battery cells and East China grid electricity.
        log_in(&c, base, "listed@demo.egret.city").await;
        c.goto(&format!("{base}/orgs")).await.unwrap();
        open_from_own_org(&c, "org-footprints").await;
        c.wait().for_element(Locator::Id("pcf-title")).await.unwrap();
        let footprints_url = c.current_url().await.unwrap().to_string();
        c.find(Locator::Id("ps-link")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Id("ps-new-form")).await.unwrap();
        for (name, value) in [
            ("name", "储能电池柜（测试）"),
            ("process_name", "电池柜组装 / Cabinet assembly"),
            ("product", "cabinet"),
            ("unit", "piece"),
            ("amount", "1"),
        ] {
            fill(&c, &format!("#ps-new-form [name={name}]"), value).await;
        }
        c.find(Locator::Id("ps-create")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Id("ps-processes")).await.unwrap();
        edit_system(
            &c,
            "ps-process-form",
            &[
                ("name", "Battery cells"),
                ("product", "cells"),
                ("unit", "kWh"),
                ("output", "1"),
                ("citation", "EPD 2025 (test)"),
            ],
            &[],
        )
        .await;
        edit_system(
            &c,
            "ps-emission-form",
            &[("amount", "85")],
            &[("process", "battery-cells"), ("flow", "CO2e"), ("kind", "fossil")],
        )
        .await;
        edit_system(
            &c,
            "ps-input-form",
            &[("amount", "215")],
            &[("process", "cabinet"), ("product", "cells")],
        )
        .await;
        edit_system(
            &c,
            "ps-factor-form",
            &[("amount", "0.9")],
            &[("process", "cabinet"), ("factor", "cn.grid.east.2023")],
        )
        .await;
        assert!(c.find(Locator::Id("ps-problems")).await.is_err(), "complete");
        // Calculated: 215 kWh × 85 + 0.9 MWh × 550 kg CO2 = 18,770 kgCO2e.
        fill(&c, "#ps-calc-form [name=draws]", "200").await;
        c.find(Locator::Id("ps-calc")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Id("calc-score")).await.unwrap();
        assert_eq!(text_of(&c, Locator::Id("calc-score")).await, "18770");
        assert!(c.find(Locator::Id("calc-mc")).await.is_ok(), "Monte Carlo shown");
        let processes = text_of(&c, Locator::Id("calc-processes")).await;
        assert!(processes.contains("EPD 2025 (test)"), "{processes}");
        assert!(processes.contains("cn.grid.east.2023"), "{processes}");
        // The footprint form takes the calculation's figures and names it.
        c.find(Locator::Id("calc-to-footprint")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Id("pcf-from-calc")).await.unwrap();
        let excl = c
            .find(Locator::Css("#pcf-new-form [name=pcf_excluding_biogenic_uptake]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        assert_eq!(excl, "18770");
        let product = "urn:pact:demo.egret.city:product-id:browser-test";
        for (name, value) in [
            ("product_name_zh", "储能电池柜（测试）"),
            ("product_name_en", "Battery cabinet (test)"),
            ("product_id", product),
            ("product_description", "215 kWh outdoor cabinet"),
            ("product_mass_per_declared_unit", "2450"),
            ("geography", "CN-FJ"),
            ("exempted_emissions_percent", "1.2"),
        ] {
            fill(&c, &format!("#pcf-new-form [name={name}]"), value).await;
        }
        for (name, value) in [
            ("reference_period_start", "2025-01-01"),
            ("reference_period_end", "2026-01-01"),
        ] {
            // Date inputs take the value through script, whatever the locale.
            c.execute(
                &format!("document.querySelector('#pcf-new-form [name={name}]').value = arguments[0];"),
                vec![serde_json::json!(value)],
            )
            .await
            .unwrap();
        }
        c.find(Locator::Id("pcf-save")).await.unwrap().click().await.unwrap();
        wait_for_text(&c, "browser-test").await;
        let row = c
            .find(Locator::XPath(&format!(
                "//tr[td/span[contains(., '{product}')]]"
            )))
            .await
            .unwrap();
        assert!(row.find(Locator::Css("a.pcf-calc")).await.is_ok(), "links its calculation");
        row.find(Locator::Css("button.pcf-publish"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let start = Instant::now();
        loop {
            // While the page reloads the row may be missing for a moment.
            if let Ok(row) = c
                .find(Locator::XPath(&format!(
                    "//tr[td/span[contains(., '{product}')]]"
                )))
                .await
                && row.find(Locator::Css("button.pcf-publish")).await.is_err()
                && row.text().await.is_ok_and(|t| !t.is_empty())
            {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(15), "not published");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        log_out(&c).await;
        // The demo certifier (its firm is qualified for PCF certification)
        // signs a certificate and lands on the public check page.
        log_in(&c, base, "assurer@demo.egret.city").await;
        c.goto(&footprints_url).await.unwrap();
        let row = c
            .wait()
            .for_element(Locator::XPath(&format!(
                "//tr[td/span[contains(., '{product}')]]"
            )))
            .await
            .unwrap();
        row.find(Locator::Css("details.certify summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let form = row.find(Locator::Css("form.certify-form")).await.unwrap();
        for (name, value) in [
            ("number", "JH-PCF-TEST-0001"),
            ("scope", "储能电池柜 摇篮到大门 / battery cabinet, cradle to gate"),
            ("statement", "经核查符合 ISO 14067 / verified against ISO 14067"),
        ] {
            form.find(Locator::Css(&format!("[name={name}]")))
                .await
                .unwrap()
                .send_keys(value)
                .await
                .unwrap();
        }
        for (name, value) in [("valid_from", "2026-01-01"), ("valid_to", "2099-12-31")] {
            c.execute(
                &format!("document.querySelectorAll('form.certify-form [name={name}]').forEach(e => e.value = arguments[0]);"),
                vec![serde_json::json!(value)],
            )
            .await
            .unwrap();
        }
        form.find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait().for_element(Locator::Id("cert-status")).await.unwrap();
        let cert_url = c.current_url().await.unwrap().to_string();
        assert!(text_of(&c, Locator::Id("cert-number")).await.contains("JH-PCF-TEST-0001"));
        log_out(&c).await;
        // Anyone checks it.
        c.goto(&cert_url).await.unwrap();
        let status = c
            .find(Locator::Id("cert-status"))
            .await
            .unwrap()
            .attr("class")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(status.contains("cert-valid"), "{status}");
        c.goto(&format!("{base}/certificates?digest={}", "0".repeat(64)))
            .await
            .unwrap();
        let status = c
            .find(Locator::Id("cert-status"))
            .await
            .unwrap()
            .attr("class")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(status.contains("cert-unknown"), "{status}");
        c.close().await.unwrap();
    });
}
