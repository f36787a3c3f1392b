//! Starting the real binary as a server for a test.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub const DEMO_PASSWORD: &str = "Egret-demo-2025";

pub fn egret() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_egret"));
    c.env("EGRET_LOG", "warn").env_remove("EGRET_CONFIG");
    c
}

/// A temporary directory removed at drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "egret-e2e-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn db_url(&self) -> String {
        format!("sqlite:{}", self.0.join("egret.db").display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `egret` server, killed at drop.
pub struct Server {
    child: Child,
    pub base: String,
    /// The database URL it serves.
    pub db: String,
    /// Everything the command printed before it started serving.
    pub banner: Vec<String>,
    _dir: TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `egret demo --serve` with a small city on a fresh SQLite file.
pub fn demo_server(orgs: usize) -> Server {
    let dir = TempDir::new("server");
    let mut child = egret()
        .args([
            "demo",
            "--serve",
            "--addr",
            "127.0.0.1:0",
            "--orgs",
            &orgs.to_string(),
            "--db",
            &dir.db_url(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("egret binary starts");
    let out = child.stdout.take().unwrap();
    let mut banner = Vec::new();
    let mut base = None;
    let mut lines = BufReader::new(out).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Egret is running at ") {
            base = Some(rest.trim().trim_end_matches('/').to_string());
        }
        let done = base.is_some() && line.contains("sme@demo");
        banner.push(line);
        if done {
            break;
        }
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        db: dir.db_url(),
        base: base.unwrap_or_else(|| panic!("no address printed; got {banner:?}")),
        banner,
        _dir: dir,
    }
}
