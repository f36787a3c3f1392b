//! The HTTP layer: a thin shell over the store. Handlers parse requests,
//! call the store with the caller's [`Principal`](egret_domain::access::Principal)
//! and render pages or JSON. No business rule lives here: access control is
//! enforced by the store, validation by the domain.

mod api;
mod api_data;
mod auth;
mod award_pages;
mod bank_api;
mod bank_pages;
mod carbon_pages;
pub mod charts;
mod cockpit_pages;
mod data_pages;
mod error;
mod institution_pages;
mod lca_pages;
mod openapi;
mod pact_api;
pub mod pact_client;
mod pact_pages;
mod pages;
mod pcf_pages;
mod plan_pages;
mod rating_pages;
mod report_pages;
mod report_view;
mod routes;
mod view;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use egret_store::Store;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use routes::{RouteInfo, route_table};

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest request body for ordinary requests (bytes).
    pub body_limit: usize,
    /// Largest upload (imports), bytes.
    pub upload_limit: usize,
    /// Mark cookies `Secure` (set when serving HTTPS or behind a TLS proxy).
    pub secure_cookies: bool,
    /// Shown on pages: the data is synthetic (demo city).
    pub demo_notice: bool,
    /// Printed demo log-ins to show on the login page (demo mode only).
    pub demo_logins: Vec<(String, String, String)>,
    /// Bank API calls allowed per token and second, sustained.
    pub bank_rate_per_second: u32,
    /// Bank API calls a token may make at once above the rate.
    pub bank_burst: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            body_limit: 256 * 1024,
            upload_limit: 20 * 1024 * 1024,
            secure_cookies: false,
            demo_notice: false,
            demo_logins: Vec::new(),
            bank_rate_per_second: 50,
            bank_burst: 100,
        }
    }
}

pub use egret_domain::product_system::SolveFn;

/// Typesets a report's content (JSON) into a PDF. Supplied by the binary
/// (egret-report, typst), so this crate builds and tests without typst.
pub type PdfRenderer = Arc<dyn Fn(&serde_json::Value) -> Result<Vec<u8>, String> + Send + Sync>;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub metrics: PrometheusHandle,
    pub started: Instant,
    /// PDF reports; without one the PDF route answers 404.
    pub pdf: Option<PdfRenderer>,
    /// The bank API's token cache, rate limiter and call log.
    pub bank: Arc<bank_api::BankGate>,
    /// The LCA engine; without one, product systems can be built and
    /// stored but not calculated.
    pub lca: Option<Arc<SolveFn>>,
    /// Outgoing HTTP (suppliers' PACT endpoints).
    pub http: reqwest::Client,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            bank: Arc::new(bank_api::BankGate::new(
                config.bank_rate_per_second,
                config.bank_burst,
            )),
            store,
            config: Arc::new(config),
            metrics: metrics_handle(),
            started: Instant::now(),
            pdf: None,
            lca: None,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .expect("an HTTP client with rustls builds"),
        }
    }

    /// The same state with an LCA engine.
    pub fn with_lca(mut self, lca: Arc<SolveFn>) -> AppState {
        self.lca = Some(lca);
        self
    }

    /// The same state with a PDF renderer.
    pub fn with_pdf(mut self, pdf: PdfRenderer) -> AppState {
        self.pdf = Some(pdf);
        self
    }
}

/// One Prometheus recorder per process (installing twice fails).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (tests in one
            // process); the handle still renders this recorder's metrics.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// The whole application router.
pub fn app(state: AppState) -> Router {
    routes::build(&state.config)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            bank_api::gate,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_origin_guard,
        ))
        .layer(middleware::from_fn(track_metrics))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(middleware::from_fn(error::render_errors))
        .layer(middleware::from_fn(security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().to_string();
    let resp = next.run(req).await;
    let labels = [
        ("method", method),
        ("path", path),
        ("status", resp.status().as_u16().to_string()),
    ];
    metrics::counter!("egret_http_requests_total", &labels).increment(1);
    metrics::histogram!("egret_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    resp
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'",
        ),
    );
    resp
}

/// Serves the app on a TCP listener until Ctrl-C / SIGTERM.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_on(state, listener).await
}

/// Serves the app on any axum listener (plain TCP, TLS) until Ctrl-C /
/// SIGTERM.
pub async fn serve_on<L>(state: AppState, listener: L) -> std::io::Result<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    let bank = state.bank.clone();
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await;
    // Every bank API call answered is in the log before the process ends.
    bank.flush().await;
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
