//! ESG data collection through the real server: one stored value serves
//! every catalog's completeness, and the Excel template round trip
//! (download → fill → upload → confirm), including a file refused whole.

use reqwest::StatusCode;
use serde_json::Value as Json;

use crate::server::{DEMO_PASSWORD, demo_server};

struct Session {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Session {
    async fn login(base: &str, email: &str) -> Session {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = http
            .post(format!("{base}/login"))
            .form(&[("email", email), ("password", DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = http
            .get(format!("{base}/dashboard"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = page
            .split_once("name=\"csrf-token\" content=\"")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(v, _)| v.to_string())
            .unwrap();
        Session {
            http,
            base: base.to_string(),
            csrf,
        }
    }

    async fn json(&self, path: &str) -> Json {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.json().await.unwrap()
    }

    async fn upload(&self, org: &str, catalog: &str, bytes: Vec<u8>) -> (StatusCode, String) {
        let form = reqwest::multipart::Form::new()
            .text("csrf", self.csrf.clone())
            .text("catalog", catalog.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("filled.xlsx"),
            );
        let r = self
            .http
            .post(format!("{}/orgs/{org}/data/2025/upload", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
}

fn status_of(c: &Json, dp: &str) -> String {
    c["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["datapoint"] == dp)
        .map(|r| r["status"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("{dp} not in {}", c["catalog"]))
}

/// A copy of `bytes` with the value cell (column F) of the data point's
/// total row set as a user would type it.
fn filled(bytes: &[u8], dp: &str, cell: Cell) -> Vec<u8> {
    use calamine::{Data, Reader, Xlsx};
    let mut src: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let mut found = false;
    for name in src.sheet_names().to_vec() {
        let range = src.worksheet_range(&name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let ws = wb.add_worksheet();
        ws.set_name(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            let (rr, is_target) = (
                r0 + r as u32,
                row.first()
                    .is_some_and(|c| matches!(c, Data::String(s) if s == dp))
                    && row.get(1).is_none_or(|c| c.to_string().is_empty()),
            );
            for (c, cell) in row.iter().enumerate() {
                let cc = (c0 as usize + c) as u16;
                match cell {
                    Data::String(s) => drop(ws.write_string(rr, cc, s)),
                    Data::Float(f) => drop(ws.write_number(rr, cc, *f)),
                    Data::Int(i) => drop(ws.write_number(rr, cc, *i as f64)),
                    _ => {}
                }
            }
            if is_target {
                found = true;
                match &cell {
                    Cell::Num(n) => drop(ws.write_number(rr, c0 as u16 + 5, *n)),
                    Cell::Text(t) => drop(ws.write_string(rr, c0 as u16 + 5, *t)),
                }
            }
        }
    }
    assert!(found, "{dp} has a row in the template");
    wb.save_to_buffer().unwrap()
}

enum Cell {
    Num(f64),
    Text(&'static str),
}

#[test]
fn one_value_serves_every_catalog_and_the_excel_round_trip_works() {
    let server = demo_server(150);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = Session::login(&server.base, "listed@demo.egret.city").await;
        let me = s.json("/api/v1/me").await;
        let org = me["organizations"][0].as_str().unwrap().to_string();
        let comp = |cat: &'static str| {
            let path = format!("/api/v1/organizations/{org}/periods/2025/completeness/{cat}");
            let s = &s;
            async move { s.json(&path).await }
        };

        // Remove the stored Scope 1 value: both catalogs now miss it.
        let r = s
            .http
            .post(format!("{}/orgs/{org}/data/2025/values", s.base))
            .form(&[
                ("csrf", s.csrf.as_str()),
                ("catalog", "cn-exchange-sr@2024"),
                ("datapoint", "ghg.scope1"),
                ("answer", "clear"),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_redirection()
                || r.status().is_success()
                || r.status() == StatusCode::NOT_FOUND,
            "{}",
            r.status()
        );
        assert_eq!(
            status_of(&comp("cn-exchange-sr@2024").await, "ghg.scope1"),
            "missing"
        );
        assert_eq!(
            status_of(&comp("issb-s1s2@2023").await, "ghg.scope1"),
            "missing"
        );

        // Enter it once on the data page: both catalogs count it.
        let r = s
            .http
            .post(format!("{}/orgs/{org}/data/2025/values", s.base))
            .form(&[
                ("csrf", s.csrf.as_str()),
                ("catalog", "cn-exchange-sr@2024"),
                ("datapoint", "ghg.scope1"),
                ("answer", "value"),
                ("value", "1,234.5"),
                ("unit", "tCO2e"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            status_of(&comp("cn-exchange-sr@2024").await, "ghg.scope1"),
            "answered"
        );
        assert_eq!(
            status_of(&comp("issb-s1s2@2023").await, "ghg.scope1"),
            "answered"
        );

        // Excel: download the template, upload it unchanged: no changes.
        let template = s
            .http
            .get(format!(
                "{}/orgs/{org}/data/2025/template.xlsx?catalog=cn-exchange-sr@2024",
                s.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(template.status(), StatusCode::OK);
        let template = template.bytes().await.unwrap().to_vec();
        let (status, page) = s
            .upload(&org, "cn-exchange-sr@2024", template.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            page.contains("id=\"upload-nochange\""),
            "unchanged template has no changes"
        );

        // A file with an invalid cell is refused whole, naming the cell.
        let (status, page) = s
            .upload(
                &org,
                "cn-exchange-sr@2024",
                filled(&template, "ghg.scope1", Cell::Text("lots")),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("id=\"sheet-errors\"") && page.contains("<td>F"),
            "names the column: {page}"
        );

        // A filled value: preview shows the change, confirming stores it.
        let (status, page) = s
            .upload(
                &org,
                "cn-exchange-sr@2024",
                filled(&template, "ghg.scope1", Cell::Num(2000.25)),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("id=\"upload-changes\"") && page.contains("ghg.scope1"),
            "{page}"
        );
        let confirm = page
            .split_once("action=\"")
            .map(|(_, r)| r)
            .and_then(|r| r.split("action=\"").find(|p| p.contains("/confirm")))
            .and_then(|r| r.split_once('"'))
            .map(|(a, _)| a.to_string())
            .or_else(|| {
                page.split("action=\"")
                    .find(|p| p.contains("/confirm"))
                    .and_then(|r| r.split_once('"'))
                    .map(|(a, _)| a.to_string())
            })
            .expect("a confirm form");
        let r = s
            .http
            .post(format!("{}{confirm}", s.base))
            .form(&[("csrf", s.csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let values = s
            .json(&format!("/api/v1/organizations/{org}/periods/2025/values"))
            .await;
        let v = values
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["datapoint"] == "ghg.scope1" && v["breakdown"] == "")
            .unwrap();
        assert_eq!(v["answer"]["value"]["amount"], "2000.25");
        assert_eq!(v["source"], "import");
        assert_eq!(v["version"], 2);
    });
}
