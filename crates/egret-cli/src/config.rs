//! Configuration: defaults, then a TOML file (`--config` or ./egret.toml),
//! then `EGRET_*` environment variables, then command-line flags.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite:FILE` or `postgres://...`.
    pub database_url: String,
    /// HOST:PORT to listen on.
    pub addr: String,
    /// Largest ordinary request body, bytes.
    pub body_limit: usize,
    /// Largest upload (imports), bytes.
    pub upload_limit: usize,
    /// `text` or `json` logs.
    pub log_format: String,
    /// Mark cookies Secure even without TLS here (behind a TLS proxy).
    pub secure_cookies: bool,
    /// Serve HTTPS with this certificate and key.
    pub tls: Option<TlsConfig>,
    /// Bank API calls allowed per token and second, sustained.
    pub bank_rate_per_second: u32,
    /// Bank API calls a token may make at once above the rate.
    pub bank_burst: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite:egret.db".into(),
            addr: "127.0.0.1:8080".into(),
            body_limit: 256 * 1024,
            upload_limit: 20 * 1024 * 1024,
            log_format: "text".into(),
            secure_cookies: false,
            tls: None,
            bank_rate_per_second: 50,
            bank_burst: 100,
        }
    }
}

/// Values given on the command line, which win over everything else.
#[derive(Debug, Default)]
pub struct Overrides {
    pub database_url: Option<String>,
    pub addr: Option<String>,
}

impl Config {
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => {
                if !f.exists() {
                    bail!("configuration file {} does not exist", f.display());
                }
                fig = fig.merge(Toml::file(f));
            }
            None if Path::new("egret.toml").exists() => fig = fig.merge(Toml::file("egret.toml")),
            None => {}
        }
        fig = fig
            .merge(Env::prefixed("EGRET_").only(&[
                "database_url",
                "addr",
                "body_limit",
                "upload_limit",
                "log_format",
                "secure_cookies",
                "bank_rate_per_second",
                "bank_burst",
            ]))
            .merge(
                Env::prefixed("EGRET_TLS_")
                    .only(&["cert", "key"])
                    .map(|k| format!("tls.{k}").into()),
            );
        let mut c: Config = fig.extract().context("reading configuration")?;
        if let Some(db) = overrides.database_url {
            c.database_url = db;
        }
        if let Some(a) = overrides.addr {
            c.addr = a;
        }
        if c.log_format != "text" && c.log_format != "json" {
            bail!(
                "log_format must be \"text\" or \"json\", not {:?}",
                c.log_format
            );
        }
        Ok(c)
    }

    /// The database URL without its password, for messages.
    pub fn redacted_db_url(&self) -> String {
        match (self.database_url.find("://"), self.database_url.rfind('@')) {
            (Some(s), Some(at)) if at > s => {
                let creds = &self.database_url[s + 3..at];
                match creds.split_once(':') {
                    Some((user, _)) => format!(
                        "{}{user}:***{}",
                        &self.database_url[..s + 3],
                        &self.database_url[at..]
                    ),
                    None => self.database_url.clone(),
                }
            }
            _ => self.database_url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_wins_and_passwords_are_hidden() {
        let c = Config::load(
            None,
            Overrides {
                database_url: Some("postgres://egret:secret@localhost/egret".into()),
                addr: Some("0.0.0.0:9000".into()),
            },
        )
        .unwrap();
        assert_eq!(c.addr, "0.0.0.0:9000");
        assert_eq!(c.redacted_db_url(), "postgres://egret:***@localhost/egret");
    }

    #[test]
    fn file_values_are_read_and_unknown_keys_refused() {
        let dir = std::env::temp_dir().join(format!("egret-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(
            &good,
            "upload_limit = 1000\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&good), Overrides::default()).unwrap();
        assert_eq!(c.upload_limit, 1000);
        assert!(c.tls.is_some());
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "uplod_limit = 1000\n").unwrap();
        let err = Config::load(Some(&bad), Overrides::default()).unwrap_err();
        assert!(format!("{err:#}").contains("uplod_limit"), "{err:#}");
    }
}
