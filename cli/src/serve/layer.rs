//! The service layer every role gets, in one place: `/healthz`, `/readyz`
//! (database reachable, role ready), Prometheus `/metrics`, `/openapi.json`
//! and `/docs` (both from [`super::routes`]), a request body limit (413), a
//! request timeout (408), request metrics and one structured log line per
//! request.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use scms_ca::store::Store;
use sqlx::Row;

use super::config::Role;
use super::routes;

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A role's own readiness (beyond the database): `Err(reason)` while not ready.
pub type ReadyCheck = Arc<dyn Fn() -> BoxFuture<Result<(), String>> + Send + Sync>;

/// A role's gauges at scrape time: `(name, help, labels, value)`.
pub type GaugeProbe = Arc<dyn Fn() -> BoxFuture<Vec<Gauge>> + Send + Sync>;

#[derive(Clone, Debug)]
pub struct Gauge {
    pub name: &'static str,
    pub help: &'static str,
    pub labels: Vec<(&'static str, String)>,
    pub value: f64,
}

/// What the layer needs of a role.
pub struct RoleService {
    pub role: Role,
    /// The role's `/v3/` (and `/v1/`) endpoints.
    pub router: Router,
    pub store: Store,
    pub ready: Option<ReadyCheck>,
    pub gauges: Option<GaugeProbe>,
    /// The `certificates.role` values this role issues (counted from the database).
    pub issues: &'static [&'static str],
}

/// Limits applied to every request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub body_limit: usize,
    pub request_timeout: Duration,
}

/// Latency buckets (seconds).
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Counters {
    /// (method, route, status) -> requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, route) -> latency.
    latency: BTreeMap<(String, String), Histogram>,
}

/// Request metrics of one role.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Counters>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let Ok(mut c) = self.inner.lock() else { return };
        *c.requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let h = c
            .latency
            .entry((method.to_string(), route.to_string()))
            .or_default();
        let s = elapsed.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if s <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += s;
        h.count += 1;
    }

    /// The requests counted for `route` with `status`.
    #[cfg(test)]
    pub fn requests(&self, route: &str, status: u16) -> u64 {
        self.inner.lock().map_or(0, |c| {
            c.requests
                .iter()
                .filter(|((_, r, s), _)| r == route && *s == status)
                .map(|(_, n)| n)
                .sum()
        })
    }

    fn render(&self, role: &str, out: &mut String) {
        let Ok(c) = self.inner.lock() else { return };
        out.push_str("# HELP scms_http_requests_total HTTP requests answered, by route and status.\n# TYPE scms_http_requests_total counter\n");
        for ((m, r, s), n) in &c.requests {
            out.push_str(&format!(
                "scms_http_requests_total{{role=\"{role}\",method=\"{m}\",route=\"{}\",status=\"{s}\"}} {n}\n",
                escape(r)
            ));
        }
        out.push_str("# HELP scms_http_request_duration_seconds Time to answer, by route.\n# TYPE scms_http_request_duration_seconds histogram\n");
        for ((m, r), h) in &c.latency {
            let labels = format!("role=\"{role}\",method=\"{m}\",route=\"{}\"", escape(r));
            for (i, b) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "scms_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}\n",
                    h.counts[i]
                ));
            }
            out.push_str(&format!(
                "scms_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n",
                h.count
            ));
            out.push_str(&format!(
                "scms_http_request_duration_seconds_sum{{{labels}}} {}\n",
                h.sum
            ));
            out.push_str(&format!(
                "scms_http_request_duration_seconds_count{{{labels}}} {}\n",
                h.count
            ));
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

struct Shared {
    role: Role,
    store: Store,
    ready: Option<ReadyCheck>,
    gauges: Option<GaugeProbe>,
    issues: &'static [&'static str],
    metrics: Arc<Metrics>,
    limits: Limits,
    openapi: String,
    docs: String,
}

/// A plain-text answer with a reason (every refusal of the layer).
pub fn text(status: StatusCode, reason: impl Into<String>) -> Response {
    let mut line = reason.into().replace(['\n', '\r'], " ");
    line.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        line,
    )
        .into_response()
}

/// The role's router wrapped in the layer; its metrics.
pub fn app(s: RoleService, limits: Limits) -> (Router, Arc<Metrics>) {
    let metrics = Arc::new(Metrics::default());
    let shared = Arc::new(Shared {
        role: s.role,
        store: s.store,
        ready: s.ready,
        gauges: s.gauges,
        issues: s.issues,
        metrics: metrics.clone(),
        limits,
        openapi: routes::openapi(s.role),
        docs: routes::docs_html(s.role),
    });
    let common = Router::new()
        .route("/healthz", get(|| async { text(StatusCode::OK, "ok") }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_handler))
        .route("/openapi.json", get(openapi))
        .route("/docs", get(docs))
        .with_state(shared.clone());
    let router = common
        .merge(s.router)
        .fallback(|| async { text(StatusCode::NOT_FOUND, "no such endpoint (see /docs)") })
        .layer(middleware::from_fn_with_state(shared, guard));
    (router, metrics)
}

/// A declared `Content-Type` other than `application/octet-stream` (every
/// request body of the `/v3/` interfaces is COER); no header is accepted.
fn wrong_content_type(req: &Request) -> Option<String> {
    let v = req.headers().get(header::CONTENT_TYPE)?;
    let v = v.to_str().unwrap_or("(not text)");
    let media = v.split(';').next().unwrap_or("").trim();
    (!media.eq_ignore_ascii_case("application/octet-stream")).then(|| v.chars().take(80).collect())
}

/// Content type, body limit, timeout, metrics and the log line.
async fn guard(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let t0 = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let bad_type = if req.method() == axum::http::Method::POST {
        wrong_content_type(&req)
    } else {
        None
    };
    let resp = match declared {
        _ if bad_type.is_some() => text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type {} is not application/octet-stream (the body is COER)",
                bad_type.unwrap_or_default()
            ),
        ),
        Some(n) if n > s.limits.body_limit as u64 => text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "request body of {n} bytes is over the limit of {} bytes",
                s.limits.body_limit
            ),
        ),
        _ => {
            let deadline = tokio::time::Instant::now() + s.limits.request_timeout;
            let (parts, body) = req.into_parts();
            // The body is read here, within the request's time and the body
            // limit (also for bodies without a Content-Length): a client that
            // trickles it gets 408 and its connection closed, and the
            // handler's task below never waits on the network.
            match tokio::time::timeout_at(deadline, axum::body::to_bytes(body, s.limits.body_limit))
                .await
            {
                Err(_) => request_timeout(&s),
                Ok(Err(e)) => {
                    let e = e.into_inner();
                    if e.downcast_ref::<http_body_util::LengthLimitError>()
                        .is_some()
                    {
                        text(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            format!(
                                "request body is over the limit of {} bytes",
                                s.limits.body_limit
                            ),
                        )
                    } else {
                        text(StatusCode::BAD_REQUEST, format!("request body: {e}"))
                    }
                }
                Ok(Ok(bytes)) => {
                    let req = Request::from_parts(parts, Body::from(bytes));
                    // The handler runs in a task of its own, to its end:
                    // neither a client that goes away (hyper drops the
                    // request's future) nor the timeout below cancels it
                    // half-way through its database work. A cancelled sqlx
                    // `begin()` on PostgreSQL (0.8) returns its connection to
                    // the pool inside a transaction sqlx does not know of,
                    // where the next borrower's writes would wait for a
                    // commit that may never come. What the handler commits
                    // after its client left is what the same request again
                    // gets.
                    let work = tokio::spawn(next.run(req));
                    match tokio::time::timeout_at(deadline, work).await {
                        Ok(Ok(r)) => r,
                        Ok(Err(e)) => text(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            format!("request handler failed: {e}"),
                        ),
                        Err(_) => request_timeout(&s),
                    }
                }
            }
        }
    };
    let status = resp.status().as_u16();
    let elapsed = t0.elapsed();
    s.metrics.record(&method, &route, status, elapsed);
    tracing::info!(
        target: "scms::http",
        role = s.role.as_str(),
        method = %method,
        route = %route,
        status,
        ms = elapsed.as_secs_f64() * 1e3,
        "request"
    );
    resp
}

/// 408, closing the connection: the client may still be sending a body
/// nobody reads.
fn request_timeout(s: &Shared) -> Response {
    let mut r = text(
        StatusCode::REQUEST_TIMEOUT,
        format!(
            "request not received and answered within {} ms",
            s.limits.request_timeout.as_millis()
        ),
    );
    r.headers_mut().insert(
        header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    r
}

async fn readyz(State(s): State<Arc<Shared>>) -> Response {
    let db = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query("SELECT 1").fetch_one(s.store.pool()),
    )
    .await;
    match db {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            return text(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("database unreachable: {e}"),
            )
        }
        Err(_) => {
            return text(
                StatusCode::SERVICE_UNAVAILABLE,
                "database did not answer within 2 s",
            )
        }
    }
    if let Some(r) = &s.ready {
        if let Err(why) = r().await {
            return text(StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {why}"));
        }
    }
    text(StatusCode::OK, "ready")
}

async fn metrics_handler(State(s): State<Arc<Shared>>) -> Response {
    let role = s.role.as_str();
    let mut out = String::new();
    s.metrics.render(role, &mut out);
    if !s.issues.is_empty() {
        out.push_str("# HELP scms_certificates_issued_total Certificates in the database, by type (every node of the installation).\n# TYPE scms_certificates_issued_total counter\n");
        let mut counts: BTreeMap<&str, i64> = s.issues.iter().map(|k| (*k, 0)).collect();
        let rows = sqlx::query("SELECT role, COUNT(*) FROM certificates GROUP BY role")
            .fetch_all(s.store.pool())
            .await;
        for r in rows.iter().flatten() {
            let (Ok(kind), Ok(n)) = (r.try_get::<String, _>(0), r.try_get::<i64, _>(1)) else {
                continue;
            };
            if let Some(c) = counts.get_mut(kind.as_str()) {
                *c = n;
            }
        }
        for (kind, n) in counts {
            out.push_str(&format!(
                "scms_certificates_issued_total{{role=\"{role}\",type=\"{kind}\"}} {n}\n"
            ));
        }
    }
    if let Some(g) = &s.gauges {
        let mut seen = std::collections::BTreeSet::new();
        for gauge in g().await {
            if seen.insert(gauge.name) {
                out.push_str(&format!(
                    "# HELP {} {}\n# TYPE {} gauge\n",
                    gauge.name, gauge.help, gauge.name
                ));
            }
            let mut labels = format!("role=\"{role}\"");
            for (k, v) in &gauge.labels {
                labels.push_str(&format!(",{k}=\"{}\"", escape(v)));
            }
            out.push_str(&format!("{}{{{labels}}} {}\n", gauge.name, gauge.value));
        }
    }
    let mut r = out.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

async fn openapi(State(s): State<Arc<Shared>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        s.openapi.clone(),
    )
        .into_response()
}

async fn docs(State(s): State<Arc<Shared>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        s.docs.clone(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slow_requests_get_408_and_are_counted() {
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (base, metrics, _dir) = slow_role(500, done).await;
        let r = scms_ra::http::call(&base, "GET", "/v3/ctl", &[], &[])
            .await
            .expect("call");
        assert_eq!(r.status, 408);
        assert!(r.text().contains("within 50 ms"), "{}", r.text());
        assert_eq!(metrics.requests("/v3/ctl", 408), 1);
    }

    /// A role whose `/v3/ctl` handler takes `ms` and then sets `done`, served
    /// with a request timeout of 50 ms: its base URL, its metrics (and its
    /// database's directory, to keep).
    async fn slow_role(
        ms: u64,
        done: Arc<std::sync::atomic::AtomicBool>,
    ) -> (String, Arc<Metrics>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_sqlite(&dir.path().join("t.db"))
            .await
            .expect("store");
        let router = Router::new().route(
            "/v3/ctl",
            get(move || async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                done.store(true, std::sync::atomic::Ordering::SeqCst);
                "late"
            }),
        );
        let (app, metrics) = app(
            RoleService {
                role: Role::Root,
                router,
                store,
                ready: None,
                gauges: None,
                issues: &[],
            },
            Limits {
                body_limit: 1024,
                request_timeout: Duration::from_millis(50),
            },
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", l.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(l, app).await });
        (base, metrics, dir)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_handler_runs_to_its_end_after_the_timeout() {
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (base, _, _dir) = slow_role(200, done.clone()).await;
        let r = scms_ra::http::call(&base, "GET", "/v3/ctl", &[], &[])
            .await
            .expect("call");
        assert_eq!(r.status, 408);
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(done.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_handler_runs_to_its_end_when_the_client_goes_away() {
        use tokio::io::AsyncWriteExt;
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (base, _, _dir) = slow_role(30, done.clone()).await;
        let mut c = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
            .await
            .expect("connect");
        c.write_all(b"GET /v3/ctl HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        // The request is read, then the client is gone.
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(c);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(done.load(std::sync::atomic::Ordering::SeqCst));
    }
}
