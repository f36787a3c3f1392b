//! `egret`: the one binary. Subcommands serve the platform, load the demo
//! city, run migrations, import registers, check credit codes and manage
//! accounts.

mod bench;
mod bench_bank;
mod carbon;
mod config;
mod lca;
mod tls;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use egret_domain::access::{Principal, Role};
use egret_domain::refdata::ReferenceData;
use egret_domain::uscc::Uscc;
use egret_i18n::{Lang, Msg};
use egret_store::{ImportMode, NewUser, Store};

use crate::config::{Config, Overrides};

#[derive(Parser)]
#[command(
    name = "egret",
    version,
    about = "Egret: a city's ESG programme, end to end"
)]
struct Cli {
    /// Configuration file (TOML). Defaults to ./egret.toml when present.
    #[arg(long, global = true, env = "EGRET_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite:FILE or postgres://USER:PASS@HOST/DB.
    #[arg(long, global = true)]
    db: Option<String>,
    /// Language of messages printed by the CLI (zh-CN or en).
    #[arg(long, global = true, env = "EGRET_LANG")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web platform and API.
    Serve {
        /// Address to listen on, HOST:PORT.
        #[arg(long)]
        addr: Option<String>,
    },
    /// Write the synthetic demo city into the database (skipped if the
    /// database already holds it); with --serve, serve it afterwards.
    Demo {
        /// Serve the platform after loading.
        #[arg(long)]
        serve: bool,
        /// Address to listen on when serving.
        #[arg(long)]
        addr: Option<String>,
        /// Number of organisations (default from data/demo/city.toml).
        #[arg(long)]
        orgs: Option<usize>,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Recompute every organisation's submission hash chain; exit 0 when
    /// all hold, 1 naming every record that does not.
    Verify,
    /// Unified social credit codes (GB 32100-2015).
    Uscc {
        #[command(subcommand)]
        command: UsccCommand,
    },
    /// Import organisations from a CSV or XLSX file.
    Import {
        /// The file (.csv or .xlsx).
        file: PathBuf,
        /// Store the good rows even if some rows are wrong.
        #[arg(long)]
        skip_bad: bool,
        /// Check only; store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Disclosure catalogs (standards).
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Carbon accounting in batch.
    Carbon {
        #[command(subcommand)]
        command: CarbonCommand,
    },
    /// Rate every organisation with a published report of a fiscal year;
    /// prints the run id, the number rated and a SHA-256 over the
    /// canonical results (equal inputs give equal digests).
    Rate {
        #[arg(long)]
        year: i32,
        /// Methodology key (id@version); default: the first shipped one.
        #[arg(long)]
        methodology: Option<String>,
    },
    /// The city's statistics, as CSV on standard output.
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
    /// Measure speed and memory (prints figures; see docs/benchmarks.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Life cycle assessment from matrix files (docs/lca.md).
    Lca {
        #[command(subcommand)]
        command: lca::LcaCommand,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum CarbonCommand {
    /// Calculate emissions for every row of an activity file (CSV or XLSX;
    /// columns in docs/carbon-format.md). Writes per-row results, a summary
    /// per organisation and period, and failed rows with the reason; exits
    /// 2 when some rows failed.
    Calc {
        #[arg(long)]
        activities: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Extra factors (id,gas,value,unit[,source]); they never replace
        /// library factors.
        #[arg(long)]
        factors: Option<PathBuf>,
        /// GWP set: ar4, ar5 or ar6.
        #[arg(long, default_value = "ar6")]
        gwp: String,
        /// Failed rows (default: OUT's name with .errors.csv).
        #[arg(long)]
        errors: Option<PathBuf>,
        /// Totals (default: OUT's name with .summary.csv).
        #[arg(long)]
        summary: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum StatsCommand {
    /// Disclosure for a fiscal year: `segment,eligible,disclosed,rate,target`
    /// for every segment of the programme (data/programme/programme.toml),
    /// then every segment within each pilot zone (`<zone>:<segment>`).
    /// Counted from published reports, as on the cockpit.
    Disclosure {
        #[arg(long)]
        year: i32,
    },
}

#[derive(Subcommand)]
enum UsccCommand {
    /// Check a code: prints valid/invalid and the reason; exit 0 if valid.
    Check { code: String },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// One line per catalog: key, data points, requirements, name.
    List,
    /// Validate catalog files and their mappings; exit non-zero naming
    /// every error. Without --dir, checks the catalogs built into Egret.
    Check {
        /// A directory of catalog files (datapoints.toml, breakdowns.toml,
        /// rules.toml, <id>@<version>.toml), e.g. data/catalogs.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Time loading the demo city into an empty database (a temporary
    /// SQLite file unless --db names one).
    Demo {
        #[arg(long)]
        orgs: Option<usize>,
    },
    /// Time to typeset a complete report PDF (10 sections × 12 data
    /// points with tables, contents and index).
    Report {
        /// Repetitions (the first one loads the fonts).
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Carbon kernel rows/s in memory, and end-to-end rows/s and peak

    /// memory of `egret carbon calc` on 1 and 10 million synthetic rows.
    Carbon {
        /// One end-to-end size instead of 1 and 10 million.
        #[arg(long)]
        rows: Option<u64>,
    },
    /// Time server start-up to /healthz and the first page, request
    /// latencies and memory, on the demo city.
    Serve {
        /// Requests to time after start-up.
        #[arg(long, default_value_t = 200)]
        requests: usize,
    },
    /// Rating engine speed on synthetic organisations (default 50,000).
    Rating {
        #[arg(long, default_value_t = 50_000)]
        orgs: usize,
    },
    /// Request latency of the city's cockpit (each demo year) and of its
    /// longest list, as the city user, on the demo city.
    Cockpit {
        #[arg(long, default_value_t = 60)]
        requests: usize,
    },
    /// Throughput and latency of the bank API's grade endpoint under load
    /// from `wrk` on loopback (demo city in a temporary SQLite file unless
    /// --db names a database holding it); checks every call was logged.
    BankApi {
        #[arg(long, default_value_t = 20)]
        seconds: u32,
        #[arg(long, default_value_t = 64)]
        connections: u32,
        #[arg(long, default_value_t = 2)]
        threads: u32,
    },
    /// LCA engine on a synthetic background database: first solve,
    /// re-solve with a new demand, one Monte Carlo draw, N draws on all
    /// cores (docs/lca.md).
    Lca {
        #[arg(long, default_value_t = 20_000)]
        processes: usize,
        #[arg(long, default_value_t = 1000)]
        draws: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// auto, block-triangular, colamd or supernodal.
        #[arg(long, default_value = "auto")]
        ordering: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (e.g. the first platform administrator).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// platform_admin, city_gov, analyst, bank, assurer or enterprise.
        #[arg(long)]
        role: String,
        /// Password; read from EGRET_PASSWORD if omitted.
        #[arg(long, env = "EGRET_PASSWORD", hide_env_values = true)]
        password: String,
        /// Credit code of an organisation to bind (repeatable).
        #[arg(long = "org")]
        orgs: Vec<String>,
    },
    /// Issue an API token for an account (printed once; the account's
    /// owner can revoke it on the account page).
    Token {
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .or_else(|| std::env::var("LANG").ok().as_deref().and_then(Lang::parse))
        .unwrap_or(Lang::En);
    // Pure commands need no runtime, configuration or database.
    match &cli.command {
        Command::Uscc {
            command: UsccCommand::Check { code },
        } => return uscc_check(code, lang),
        Command::Catalog { command } => return catalog_command(command, lang),
        Command::Lca { command } => return lca::run(command),
        Command::Bench {
            command:
                BenchCommand::Lca {
                    processes,
                    draws,
                    seed,
                    ordering,
                },
        } => return lca::bench(*processes, *draws, *seed, ordering),
        Command::Carbon {
            command:
                CarbonCommand::Calc {
                    activities,
                    out,
                    factors,
                    gwp,
                    errors,
                    summary,
                },
        } => {
            let args = carbon::CalcArgs {
                activities,
                out,
                factors: factors.as_deref(),
                gwp,
                errors: errors.as_deref(),
                summary: summary.as_deref(),
            };
            return carbon::calc(&args, lang).unwrap_or_else(|e| {
                eprintln!("{e:#}");
                ExitCode::FAILURE
            });
        }
        Command::Bench {
            command: BenchCommand::Rating { orgs },
        } => {
            bench::rating(*orgs);
            return ExitCode::SUCCESS;
        }
        Command::Bench {
            command: BenchCommand::Report { runs },
        } => {
            return match bench::report(*runs) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{e:#}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::Bench {
            command: BenchCommand::Carbon { rows },
        } => {
            return match carbon::bench(*rows) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{e:#}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {}
    }
    let config = match Config::load(
        cli.config.as_deref(),
        Overrides {
            database_url: cli.db.clone(),
            addr: match &cli.command {
                Command::Serve { addr } | Command::Demo { addr, .. } => addr.clone(),
                _ => None,
            },
        },
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("egret: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&config);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("egret: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config, cli.db, lang)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("egret: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("EGRET_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn uscc_check(code: &str, lang: Lang) -> ExitCode {
    match Uscc::parse(code) {
        Ok(u) => {
            let rd = ReferenceData::embedded();
            let district = rd
                .district(u.division_code())
                .map(|d| match lang {
                    Lang::ZhCn => d.name_zh.clone(),
                    Lang::En => d.name_en.clone(),
                })
                .unwrap_or_else(|| u.division_code().to_string());
            println!(
                "{}",
                Msg::new("cli-uscc-valid")
                    .arg("code", u.as_str())
                    .arg("type", u.type_code())
                    .arg("division", district)
                    .render(lang)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!(
                "{}",
                Msg::new("cli-uscc-invalid")
                    .arg("code", code.trim())
                    .arg("reason", e.msg().render(lang))
                    .render(lang)
            );
            ExitCode::from(1)
        }
    }
}

fn catalog_command(command: &CatalogCommand, lang: Lang) -> ExitCode {
    use egret_domain::catalog::Catalogs;
    let rd = ReferenceData::embedded();
    match command {
        CatalogCommand::List => {
            let cats = Catalogs::embedded();
            for c in cats.catalogs() {
                let mut dps: Vec<&str> = c
                    .requirements
                    .iter()
                    .map(|r| r.datapoint.as_str())
                    .collect();
                dps.sort();
                dps.dedup();
                let name = match lang {
                    Lang::ZhCn => &c.name_zh,
                    Lang::En => &c.name_en,
                };
                println!(
                    "{:<24} {:>4} data points {:>4} requirements  {name}",
                    c.key(),
                    dps.len(),
                    c.requirements.len()
                );
            }
            ExitCode::SUCCESS
        }
        CatalogCommand::Check { dir } => {
            let result = match dir {
                Some(d) => Catalogs::load_dir(d, rd),
                None => Ok(Catalogs::embedded().clone()),
            };
            match result {
                Ok(cats) => {
                    println!(
                        "{}",
                        Msg::new("cli-catalog-ok")
                            .arg("catalogs", cats.catalogs().count())
                            .arg("datapoints", cats.datapoints().count())
                            .render(lang)
                    );
                    ExitCode::SUCCESS
                }
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{}: {}: {}", e.file, e.location, e.msg.render(lang));
                    }
                    eprintln!(
                        "{}",
                        Msg::new("cli-catalog-errors")
                            .arg("count", errors.len())
                            .render(lang)
                    );
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// The disclosure statistics of a year as CSV.
async fn stats_disclosure(store: &egret_store::Store, year: i32) -> Result<String> {
    use egret_domain::programme::{Programme, Scope, disclosed_by_year};
    let facts = store.city_facts(&Principal::system("cli"), &[]).await?;
    let p = Programme::embedded();
    let rd = egret_domain::refdata::ReferenceData::embedded();
    let disclosed = disclosed_by_year(&facts.published);
    let mut out = String::from("segment,eligible,disclosed,rate,target\n");
    let scopes = std::iter::once((String::new(), Scope::City)).chain(
        rd.zones()
            .map(|z| (format!("{}:", z.id), Scope::Zone(z.id.clone()))),
    );
    for (prefix, scope) in scopes {
        for r in p.disclosure(&facts.orgs, &disclosed, year, &scope) {
            out.push_str(&format!(
                "{prefix}{},{},{},{},{}\n",
                r.segment.id,
                r.count.eligible.len(),
                r.count.disclosed.len(),
                r.count.rate().map(|d| d.to_string()).unwrap_or_default(),
                r.target.map(|d| d.to_string()).unwrap_or_default(),
            ));
        }
    }
    Ok(out)
}

async fn run(
    command: Command,
    config: Config,
    db_flag: Option<String>,
    lang: Lang,
) -> Result<ExitCode> {
    match command {
        Command::Uscc { .. }
        | Command::Catalog { .. }
        | Command::Carbon { .. }
        | Command::Bench {
            command:
                BenchCommand::Carbon { .. }
                | BenchCommand::Report { .. }
                | BenchCommand::Rating { .. }
                | BenchCommand::Lca { .. },
        }
        | Command::Lca { .. } => {
            unreachable!("handled before the runtime starts")
        }
        Command::Migrate => {
            let store = open(&config).await?;
            println!("schema up to date ({:?})", store.backend());
            Ok(ExitCode::SUCCESS)
        }
        Command::Rate { year, methodology } => {
            let store = open(&config).await?;
            let key = methodology.unwrap_or_else(egret_domain::rating::Methodology::default_key);
            let (run, _) = store
                .run_rating(&Principal::system("cli"), year, &key)
                .await?;
            println!(
                "run={} methodology={} year={} rated={} sha256={}",
                run.run_id, run.methodology, run.fiscal_year, run.organisations, run.digest
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats {
            command: StatsCommand::Disclosure { year },
        } => {
            let store = open(&config).await?;
            print!("{}", stats_disclosure(&store, year).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            let store = open(&config).await?;
            let (checked, broken) = store.verify_chains().await?;
            for b in &broken {
                println!(
                    "BROKEN org={} submission={} seq={}: {}",
                    b.org_id, b.submission_id, b.seq, b.problem
                );
            }
            println!("submissions={checked} broken={}", broken.len());
            Ok(if broken.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Serve { .. } => {
            let store = open(&config).await?;
            serve(store, &config, Vec::new(), false).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            serve: and_serve,
            orgs,
            ..
        } => {
            let store = open(&config).await?;
            let mut plan = egret_demo::DemoPlan::shipped()?;
            if let Some(n) = orgs {
                plan.organizations = n;
            }
            let started = Instant::now();
            match egret_demo::load_with_lca(&store, &plan, Some(&egret_lca::model::solve_matrices))
                .await?
            {
                egret_demo::Outcome::Loaded(stats) => println!(
                    "{}",
                    Msg::new("cli-demo-loaded")
                        .arg("orgs", stats.organizations)
                        .arg("sites", stats.sites)
                        .arg("periods", stats.periods)
                        .arg("users", stats.users)
                        .arg("values", stats.values)
                        .arg("seconds", format!("{:.1}", started.elapsed().as_secs_f64()))
                        .render(lang)
                ),
                egret_demo::Outcome::AlreadyPresent => {
                    println!("{}", Msg::new("cli-demo-present").render(lang))
                }
                egret_demo::Outcome::NotEmpty => {
                    bail!("{}", Msg::new("cli-demo-not-empty").render(lang))
                }
            }
            if and_serve {
                let logins = plan
                    .accounts
                    .iter()
                    .map(|a| (a.role.clone(), a.email.clone(), plan.password.clone()))
                    .collect();
                serve(store, &config, logins, true).await?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command: BenchCommand::Demo { orgs },
        } => {
            bench::demo(db_flag.as_deref(), orgs).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command: BenchCommand::Cockpit { requests },
        } => {
            bench::serve(
                db_flag.as_deref(),
                requests,
                "cockpit",
                &bench::COCKPIT_PAGES,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command:
                BenchCommand::BankApi {
                    seconds,
                    connections,
                    threads,
                },
        } => {
            bench_bank::bank_api(db_flag.as_deref(), seconds, connections, threads).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command: BenchCommand::Serve { requests },
        } => {
            bench::serve(db_flag.as_deref(), requests, "serve", &bench::SERVE_PAGES).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            skip_bad,
            dry_run,
        } => import(&config, &file, skip_bad, dry_run, lang).await,
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    name,
                    role,
                    password,
                    orgs,
                },
        } => {
            let store = open(&config).await?;
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            let system = Principal::system("cli");
            let mut ids = Vec::new();
            for code in &orgs {
                ids.push(
                    store
                        .find_org_by_uscc(&system, code)
                        .await
                        .map_err(|e| anyhow::anyhow!(e.msg().render(lang)))?
                        .org_id,
                );
            }
            let id = store
                .create_user(
                    &system,
                    &NewUser {
                        email,
                        display_name: name,
                        role,
                        password,
                        orgs: ids,
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!(e.msg().render(lang)))?;
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command: UserCommand::Token { email, name },
        } => {
            let store = open(&config).await?;
            let system = Principal::system("cli");
            let email = email.trim().to_lowercase();
            let Some(user) = store
                .list_users(&system)
                .await?
                .into_iter()
                .find(|u| u.email == email)
            else {
                bail!("no account with the e-mail {email}");
            };
            let owner = store.principal(&user).await?;
            let (secret, _) = store
                .create_api_token(&owner, &name)
                .await
                .map_err(|e| anyhow::anyhow!(e.msg().render(lang)))?;
            println!("{secret}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn open(config: &Config) -> Result<Store> {
    Store::open(&config.database_url)
        .await
        .with_context(|| format!("opening database {}", config.redacted_db_url()))
}

async fn serve(
    store: Store,
    config: &Config,
    demo_logins: Vec<(String, String, String)>,
    demo: bool,
) -> Result<()> {
    let web = egret_web::WebConfig {
        body_limit: config.body_limit,
        upload_limit: config.upload_limit,
        secure_cookies: config.tls.is_some() || config.secure_cookies,
        demo_notice: demo || store.has_synthetic_data().await?,
        demo_logins: demo_logins.clone(),
        bank_rate_per_second: config.bank_rate_per_second,
        bank_burst: config.bank_burst,
    };
    let state = egret_web::AppState::new(store, web)
        .with_pdf(std::sync::Arc::new(|data| {
            egret_report::render_pdf(egret_report::TEMPLATE, data, egret_report::Fonts::shared())
        }))
        .with_lca(std::sync::Arc::new(egret_lca::model::solve_matrices));
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let local = listener.local_addr()?;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let host = if local.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        local.ip().to_string()
    };
    println!("Egret is running at {scheme}://{host}:{}/", local.port());
    if !demo_logins.is_empty() {
        println!("Demo log-ins (synthetic city):");
        for (role, email, pw) in &demo_logins {
            println!("  {role:<15} {email:<32} {pw}");
        }
    }
    match &config.tls {
        Some(tls) => tls::serve(state, listener, tls).await?,
        None => egret_web::serve(state, listener).await?,
    }
    Ok(())
}

async fn import(
    config: &Config,
    file: &std::path::Path,
    skip_bad: bool,
    dry_run: bool,
    lang: Lang,
) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let rd = ReferenceData::embedded();
    let name = file.display().to_string();
    let parsed = if name.to_lowercase().ends_with(".xlsx") {
        egret_import::read_orgs_xlsx(&bytes, rd)
    } else {
        egret_import::read_orgs_csv(&bytes, rd)
    };
    for e in &parsed.errors {
        eprintln!(
            "{}:{}{}: {}",
            name,
            e.row,
            e.column
                .as_deref()
                .map(|c| format!(" [{c}]"))
                .unwrap_or_default(),
            e.msg.render(lang)
        );
    }
    let rows: Vec<_> = parsed.rows.into_iter().map(|r| (r.row, r.org)).collect();
    if dry_run || (!parsed.errors.is_empty() && !skip_bad) {
        println!(
            "{}",
            Msg::new(if dry_run {
                "upload-dry-summary"
            } else {
                "upload-refused"
            })
            .arg("file", &name)
            .arg("good", rows.len())
            .arg("bad", parsed.errors.len())
            .render(lang)
        );
        return Ok(if parsed.errors.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let store = open(config).await?;
    let mode = if skip_bad {
        ImportMode::SkipBad
    } else {
        ImportMode::AllOrNothing
    };
    let report = store
        .import_orgs(&Principal::system("cli"), &rows, mode)
        .await?;
    for (row, m) in &report.refused {
        eprintln!("{name}:{row} [uscc]: {}", m.render(lang));
    }
    let bad = parsed.errors.len() + report.refused.len();
    if report.committed {
        println!(
            "{}",
            Msg::new("upload-done")
                .arg("file", &name)
                .arg("created", report.created.len())
                .arg("skipped", bad)
                .render(lang)
        );
    } else {
        println!(
            "{}",
            Msg::new("upload-refused")
                .arg("file", &name)
                .arg("bad", bad)
                .render(lang)
        );
    }
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
