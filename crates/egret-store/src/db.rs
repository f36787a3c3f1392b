use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, AssertSqlSafe, Executor, SqlSafeStr};
use tokio::sync::{Mutex, MutexGuard};

use crate::{Result, StoreError};

/// The migration history, shared by both backends (portable SQL only).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/0001_foundation.sql"),
    ),
    (
        2,
        "data values",
        include_str!("../migrations/0002_data_values.sql"),
    ),
    (
        3,
        "fx rates",
        include_str!("../migrations/0003_fx_rates.sql"),
    ),
    (4, "carbon", include_str!("../migrations/0004_carbon.sql")),
    (
        5,
        "submissions",
        include_str!("../migrations/0005_submissions.sql"),
    ),
    (
        6,
        "institutions",
        include_str!("../migrations/0006_institutions.sql"),
    ),
    (
        7,
        "narratives",
        include_str!("../migrations/0007_narratives.sql"),
    ),
    (
        8,
        "statistics",
        include_str!("../migrations/0008_statistics.sql"),
    ),
    (
        9,
        "action plan",
        include_str!("../migrations/0009_action_plan.sql"),
    ),
    (10, "awards", include_str!("../migrations/0010_awards.sql")),
    (
        11,
        "ratings",
        include_str!("../migrations/0011_ratings.sql"),
    ),
    (
        12,
        "rating objections",
        include_str!("../migrations/0012_rating_objections.sql"),
    ),
    (
        13,
        "controversies",
        include_str!("../migrations/0013_controversies.sql"),
    ),
    (
        14,
        "rating publications",
        include_str!("../migrations/0014_rating_publications.sql"),
    ),
    (
        15,
        "excellent cases",
        include_str!("../migrations/0015_excellent_cases.sql"),
    ),
    (16, "bank", include_str!("../migrations/0016_bank.sql")),
    (
        17,
        "product footprints",
        include_str!("../migrations/0017_product_footprints.sql"),
    ),
    (18, "pact", include_str!("../migrations/0018_pact.sql")),
    (
        19,
        "pact callbacks",
        include_str!("../migrations/0019_pact_callbacks.sql"),
    ),
    (
        20,
        "product systems",
        include_str!("../migrations/0020_product_systems.sql"),
    ),
];

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool plus what the store needs to know about the engine.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time; taking this lock before a write
    /// transaction turns "database is locked" errors into an orderly queue.
    write_lock: Arc<Mutex<()>>,
}

impl Store {
    /// Opens `url` (`sqlite:PATH`, `sqlite::memory:`, `postgres://...`).
    /// A SQLite file is created if missing and runs in WAL mode with
    /// foreign keys enforced.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            let url = if url.contains('?') || url.contains(":memory:") {
                url.to_string()
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::Conflict(
                egret_i18n::Msg::new("store-bad-url").arg("url", url),
            ));
        };
        let memory = url.contains(":memory:");
        let pool = AnyPoolOptions::new()
            // An in-memory SQLite database lives in one connection.
            .max_connections(match (backend, memory) {
                (Backend::Sqlite, true) => 1,
                (Backend::Sqlite, false) => 4,
                (Backend::Postgres, _) => 16,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if backend == Backend::Sqlite && !memory {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Store {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
        })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every migration not yet applied.
    pub async fn migrate(&self) -> Result<()> {
        migrator().run(&self.pool).await?;
        Ok(())
    }

    /// The migrations this build knows, as (version, description).
    pub fn known_migrations() -> Vec<(i64, &'static str)> {
        MIGRATIONS.iter().map(|(v, d, _)| (*v, *d)).collect()
    }

    /// Names and column lists of the tables, for schema comparisons.
    pub async fn schema_summary(&self) -> Result<Vec<(String, Vec<String>)>> {
        let tables: Vec<String> = match self.backend {
            Backend::Sqlite => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
                )
                .fetch_all(&self.pool)
                .await?
            }
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
                 ORDER BY table_name",
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        let mut out = Vec::new();
        for t in tables {
            let cols: Vec<String> = match self.backend {
                Backend::Sqlite => {
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                        .bind(&t)
                        .fetch_all(&self.pool)
                        .await?
                }
                Backend::Postgres => {
                    sqlx::query_scalar(
                        "SELECT column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                    )
                    .bind(&t)
                    .fetch_all(&self.pool)
                    .await?
                }
            };
            out.push((t, cols));
        }
        Ok(out)
    }

    /// Waits for the writer slot (SQLite only; PostgreSQL has row locks).
    pub(crate) async fn writer(&self) -> Option<MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().await),
            Backend::Postgres => None,
        }
    }

    /// Starts a database transaction for writing. On SQLite it takes the
    /// write lock at once (`BEGIN IMMEDIATE`), so it waits (busy timeout)
    /// for a writer still finishing, such as the rollback of a dropped
    /// transaction, instead of failing when a read turns into a write.
    pub(crate) async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn migrator() -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(version, desc, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*desc),
                    MigrationType::Simple,
                    AssertSqlSafe(*sql).into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// Current time as RFC 3339 UTC with milliseconds (sorts as text).
/// `($1, …, $cols), ($cols+1, …)` for a multi-row insert of `rows` rows.
pub(crate) fn placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An exact amount in hundredths (fen for yuan), if it has no finer part
/// and fits.
pub(crate) fn hundredths(d: rust_decimal::Decimal) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    let h = d * rust_decimal::Decimal::ONE_HUNDRED;
    h.fract().is_zero().then(|| h.to_i64()).flatten()
}

/// SQL condition on a submission `s`: its last event is a publication
/// (published and not withdrawn since).
pub(crate) const PUBLISHED: &str = "(SELECT e.action FROM submission_events e WHERE e.org_id = s.org_id \
    AND e.submission_id = s.submission_id ORDER BY e.at DESC, e.event_id DESC LIMIT 1) = 'publish'";

/// A new time-ordered id.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A bind value for dynamically built queries.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

/// A query built at run time with `$n` placeholders numbered as pushed.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// A copy of this query with `head` in front (placeholders keep their
    /// numbers, so more can be appended).
    pub fn prefixed(&self, head: &str) -> Sql {
        Sql {
            text: format!("{head}{}", self.text),
            args: self.args.clone(),
        }
    }

    pub async fn fetch_all<'e, E>(&self, ex: E) -> Result<Vec<AnyRow>>
    where
        E: Executor<'e, Database = sqlx::Any>,
    {
        let mut q = sqlx::query(AssertSqlSafe(self.text.clone()));
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        Ok(q.fetch_all(ex).await?)
    }
}

/// BIGINT 0/1 for booleans (the Any driver has no SQLite boolean).
pub(crate) fn b(v: bool) -> i64 {
    i64::from(v)
}

impl Store {
    /// Runs one administrative statement (CREATE/DROP DATABASE in tests and
    /// tooling). Never pass user input.
    pub async fn execute_admin(&self, sql: &str) -> Result<()> {
        sqlx::query(AssertSqlSafe(sql.to_string()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Primary-key columns of a table in key order (SQLite only; used by
    /// the schema tests).
    pub async fn primary_keys(&self, table: &str) -> Result<Vec<(String, i64)>> {
        let mut rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT name, pk FROM pragma_table_info($1) WHERE pk > 0")
                .bind(table)
                .fetch_all(&self.pool)
                .await?;
        rows.sort_by_key(|r| r.1);
        Ok(rows)
    }

    /// Column lists of a table's unique keys (primary key included when it
    /// is not the rowid), in key order (SQLite only; used by the schema
    /// tests).
    pub async fn unique_keys(&self, table: &str) -> Result<Vec<Vec<String>>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT il.name, ii.name FROM pragma_index_list($1) il \
             JOIN pragma_index_info(il.name) ii WHERE il.\"unique\" = 1 \
             ORDER BY il.name, ii.seqno",
        )
        .bind(table)
        .fetch_all(&self.pool)
        .await?;
        let mut keys: Vec<(String, Vec<String>)> = Vec::new();
        for (index, col) in rows {
            match keys.last_mut() {
                Some((i, cols)) if *i == index => cols.push(col),
                _ => keys.push((index, vec![col])),
            }
        }
        Ok(keys.into_iter().map(|(_, cols)| cols).collect())
    }
}
