//! Stock listings and their index memberships.

use egret_i18n::Msg;
use serde::{Deserialize, Serialize};

use super::{Exchange, FieldError};
use crate::refdata::ReferenceData;

/// A listing as entered: exchange code, ticker and index ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListingInput {
    pub exchange: String,
    pub ticker: String,
    #[serde(default)]
    pub indices: Vec<String>,
}

/// A validated listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Listing {
    pub exchange: Exchange,
    pub ticker: String,
    /// Ids of indices (see `indices.toml`) the security is a constituent of.
    pub indices: Vec<String>,
}

/// Whether `ticker` has the shape of a security code on `exchange`:
/// SSE 6 digits starting 60/68/90, SZSE 6 digits starting 00/30/20,
/// BSE 6 digits starting 8/4/92, HKEX 4–5 digits, overseas 1–10 characters
/// without spaces.
pub fn ticker_ok(exchange: Exchange, ticker: &str) -> bool {
    let six_digits = ticker.len() == 6 && ticker.bytes().all(|b| b.is_ascii_digit());
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| ticker.starts_with(p));
    match exchange {
        Exchange::Sse => six_digits && starts(&["60", "68", "90"]),
        Exchange::Szse => six_digits && starts(&["00", "30", "20"]),
        Exchange::Bse => six_digits && starts(&["8", "4", "92"]),
        Exchange::Hkex => {
            (4..=5).contains(&ticker.len()) && ticker.bytes().all(|b| b.is_ascii_digit())
        }
        Exchange::Overseas => {
            (1..=10).contains(&ticker.chars().count())
                && !ticker.chars().any(|c| c.is_whitespace() || c.is_control())
        }
    }
}

impl ListingInput {
    /// Validates the listing. Field names in errors are relative
    /// (`exchange`, `ticker`, `indices[0]`); the organisation prefixes them.
    pub fn validate(&self, rd: &ReferenceData) -> Result<Listing, Vec<FieldError>> {
        let mut errors = Vec::new();
        let ticker = self.ticker.trim().to_string();
        let exchange = match Exchange::parse_lenient(&self.exchange) {
            Ok(e) => Some(e),
            Err(e) => {
                errors.push(FieldError::new("exchange", e.msg()));
                None
            }
        };
        if ticker.is_empty() {
            errors.push(FieldError::new("ticker", Msg::new("domain-required")));
        } else if let Some(ex) = exchange
            && !ticker_ok(ex, &ticker)
        {
            errors.push(FieldError::new(
                "ticker",
                Msg::new("domain-ticker-format")
                    .arg("exchange", ex.as_str())
                    .arg("ticker", &ticker),
            ));
        }
        let mut indices: Vec<String> = Vec::new();
        for (i, id) in self.indices.iter().enumerate() {
            let field = format!("indices[{i}]");
            let id = id.trim();
            match rd.index(id) {
                None => errors.push(FieldError::new(
                    field,
                    Msg::new("domain-index-unknown").arg("id", id),
                )),
                Some(index) if indices.contains(&index.id) => errors.push(FieldError::new(
                    field,
                    Msg::new("domain-index-duplicate").arg("id", &index.id),
                )),
                Some(index) => {
                    if let Some(ex) = exchange
                        && !index.exchanges.contains(&ex)
                    {
                        errors.push(FieldError::new(
                            field,
                            Msg::new("domain-index-exchange")
                                .arg("id", &index.id)
                                .arg("exchange", ex.as_str()),
                        ));
                    }
                    indices.push(index.id.clone());
                }
            }
        }
        match exchange {
            Some(exchange) if errors.is_empty() => Ok(Listing {
                exchange,
                ticker,
                indices,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(exchange: &str, ticker: &str, indices: &[&str]) -> ListingInput {
        ListingInput {
            exchange: exchange.into(),
            ticker: ticker.into(),
            indices: indices.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn ticker_shapes() {
        for (ex, ok, bad) in [
            (
                Exchange::Sse,
                ["600153", "688001", "900905"],
                ["000001", "60015", "601a53"],
            ),
            (
                Exchange::Szse,
                ["000001", "300750", "200011"],
                ["600000", "3007501", "100001"],
            ),
            (
                Exchange::Bse,
                ["830799", "430047", "920001"],
                ["600000", "930001", "83079"],
            ),
            (
                Exchange::Hkex,
                ["2020", "02020", "00700"],
                ["700", "002020", "0700A"],
            ),
            (
                Exchange::Overseas,
                ["LK", "BRK.A", "AAPL"],
                ["", "TOO LONG", "ABCDEFGHIJK"],
            ),
        ] {
            for t in ok {
                assert!(ticker_ok(ex, t), "{ex} {t}");
            }
            for t in bad {
                assert!(!ticker_ok(ex, t), "{ex} {t}");
            }
        }
    }

    #[test]
    fn validates_indices_against_the_exchange() {
        let rd = ReferenceData::embedded();
        let l = input("SSE", " 600153 ", &["sse-180", "csi-300"])
            .validate(rd)
            .unwrap();
        assert_eq!(l.exchange, Exchange::Sse);
        assert_eq!(l.ticker, "600153");
        assert_eq!(l.indices, ["sse-180", "csi-300"]);

        let errs = input("hkex", "02020", &["csi-300", "nope", "hsi", "HSI"])
            .validate(rd)
            .unwrap_err();
        let fields: Vec<_> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.msg.key.as_ref()))
            .collect();
        assert_eq!(
            fields,
            [
                ("indices[0]", "domain-index-exchange"),
                ("indices[1]", "domain-index-unknown"),
                ("indices[3]", "domain-index-duplicate"),
            ]
        );

        let errs = input("nyse", "", &[]).validate(rd).unwrap_err();
        let fields: Vec<_> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.msg.key.as_ref()))
            .collect();
        assert_eq!(
            fields,
            [
                ("exchange", "domain-code-unknown"),
                ("ticker", "domain-required")
            ]
        );

        let errs = input("szse", "600000", &[]).validate(rd).unwrap_err();
        assert_eq!(errs[0].msg.key, "domain-ticker-format");
        assert_eq!(
            errs[0].msg.render(egret_i18n::Lang::En),
            "Shenzhen tickers are 6 digits starting with 00, 30 or 20; found “600000”."
        );
        let errs = input("hkex", "02020", &["csi-300"])
            .validate(rd)
            .unwrap_err();
        assert_eq!(
            errs[0].msg.render(egret_i18n::Lang::ZhCn),
            "指数“csi-300”不包含香港联合交易所上市的证券。"
        );
    }
}
