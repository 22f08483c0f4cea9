//! The connection loop of every role: HTTP/1.1 (hyper) with the limits that
//! `axum::serve` does not set. Without a timer hyper applies no header
//! timeout, so a client sending its headers one byte a minute (or nothing)
//! would hold a connection, a task and its buffers forever; enough of them
//! exhaust the process. Here:
//!
//! - the request headers must arrive within `header_timeout` (also on an
//!   idle kept-alive connection), else the connection is closed;
//! - headers are bounded (count and bytes: 431 above);
//! - at most `max_connections` connections are served at once; further
//!   clients wait in the kernel's accept queue (bounded memory);
//! - at shutdown, connections finish the request in progress and close.
//!
//! Body size and request time limits are the layer's ([`super::layer`]).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

/// Limits on connections (as opposed to requests).
#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    pub header_timeout: Duration,
    pub max_connections: usize,
}

/// At most this many request header fields.
const MAX_HEADERS: usize = 64;
/// At most this many bytes of request line and headers (hyper's buffer;
/// at least 8 KiB).
const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Serves `app` on the connections of `listener` until `stop` turns true;
/// then waits for the connections to finish their request in progress.
pub async fn serve<L>(
    mut listener: L,
    app: Router,
    limits: ConnLimits,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()>
where
    L: axum::serve::Listener,
    L::Io: Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut conns = JoinSet::new();
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stopped(&mut stop) => break,
        };
        let (io, _peer) = tokio::select! {
            c = listener.accept() => c,
            _ = stopped(&mut stop) => break,
        };
        // Finished connections leave the set as they go.
        while conns.try_join_next().is_some() {}
        let app = app.clone();
        let mut stop = stop.clone();
        conns.spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .max_headers(MAX_HEADERS)
                .max_buf_size(MAX_HEADER_BYTES);
            let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(target: "scms::serve", error = %e, "connection ended");
                    }
                }
                _ = stopped(&mut stop) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    while conns.join_next().await.is_some() {}
    Ok(())
}

/// Returns once `stop` is true (the borrow of the value ends here, so the
/// callers' futures stay `Send`).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
