//! A round-robin TCP proxy: several RA or ACA processes behind one address
//! (what a load balancer does in front of them). Connection-level: each
//! accepted connection goes to the next backend that accepts it; the bytes
//! are copied both ways untouched.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use tokio::net::{TcpListener, TcpStream};

/// The backends of a proxy and the connections each one got.
#[derive(Default)]
pub struct Backends {
    addrs: RwLock<Vec<SocketAddr>>,
    next: AtomicUsize,
    counts: RwLock<Vec<Arc<AtomicU64>>>,
    /// Connections no backend accepted.
    pub refused: AtomicU64,
}

impl Backends {
    /// Adds a backend (they may come after the proxy started listening).
    pub fn add(&self, addr: SocketAddr) {
        if let (Ok(mut a), Ok(mut c)) = (self.addrs.write(), self.counts.write()) {
            a.push(addr);
            c.push(Arc::new(AtomicU64::new(0)));
        }
    }

    /// Connections forwarded to each backend, in the order they were added.
    pub fn counts(&self) -> Vec<u64> {
        self.counts
            .read()
            .map(|c| c.iter().map(|n| n.load(Ordering::Relaxed)).collect())
            .unwrap_or_default()
    }

    /// The next backend that accepts a connection (round robin, skipping
    /// the ones that refuse).
    async fn connect(&self) -> Option<TcpStream> {
        let addrs = self.addrs.read().map(|a| a.clone()).unwrap_or_default();
        let counts = self.counts.read().map(|c| c.clone()).unwrap_or_default();
        for _ in 0..addrs.len() {
            let k = self.next.fetch_add(1, Ordering::Relaxed) % addrs.len();
            if let Ok(s) = TcpStream::connect(addrs[k]).await {
                if let Some(c) = counts.get(k) {
                    c.fetch_add(1, Ordering::Relaxed);
                }
                return Some(s);
            }
        }
        self.refused.fetch_add(1, Ordering::Relaxed);
        None
    }
}

/// Serves `listener` until the task is dropped: every connection is piped to
/// a backend of `backends` (closed at once when none accepts it).
pub async fn serve(listener: TcpListener, backends: Arc<Backends>) {
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            // Out of descriptors, say: let connections finish.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let b = backends.clone();
        tokio::spawn(async move {
            let _ = inbound.set_nodelay(true);
            if let Some(mut outbound) = b.connect().await {
                let _ = outbound.set_nodelay(true);
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

/// `http://HOST:PORT` -> the socket address.
pub fn socket_of(url: &str) -> Result<SocketAddr, String> {
    url.strip_prefix("http://")
        .map(|h| h.trim_end_matches('/'))
        .and_then(|h| h.parse().ok())
        .ok_or_else(|| format!("{url}: expected http://IP:PORT"))
}
