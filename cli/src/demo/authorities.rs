//! The demo's authorities: a hierarchy (keys in memory), committed to a
//! SQLite database in the data directory, its certificates written to
//! `DIR/certs`, and every role served by `scms serve`'s code on loopback.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scms_asn1::ieee1609dot2::time::{time64_from_unix_micros, unix_from_time32};
use scms_asn1::ieee1609dot2::Time64;
use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::profile::Family;
use scms_ca::store::{Batch, Store};
use scms_hsm::{KeyStore, MemoryKeyStore};
use sqlx::Row;

use crate::serve::config::{Config, FileConfig, Role};
use crate::serve::{self, Running};

/// The authorities of a demo run.
pub struct Authorities {
    pub family: Family,
    pub hierarchy: Hierarchy,
    pub store: Store,
    pub running: Running,
    /// When the vehicles start driving, in simulated time (µs, 1609.2 Time64):
    /// the real time at setup.
    pub start_time64: Time64,
}

impl Authorities {
    pub fn url(&self, role: Role) -> Result<&str, String> {
        self.running
            .urls
            .get(&role)
            .map(String::as_str)
            .ok_or_else(|| format!("the {} is not running", role.as_str()))
    }

    pub fn certificate(&self, role: &str) -> Result<&[u8], String> {
        self.hierarchy.certificate(role).map_err(|e| e.to_string())
    }

    /// Certificates of `role` in the database (`enrollment`, `pseudonym`...).
    pub async fn certificates_of_role(&self, role: &str) -> Result<i64, String> {
        let r = sqlx::query("SELECT COUNT(*) FROM certificates WHERE role = $1")
            .bind(role)
            .fetch_one(self.store.pool())
            .await
            .map_err(|e| format!("database: {e}"))?;
        r.try_get::<i64, _>(0).map_err(|e| format!("database: {e}"))
    }

    /// The start of i-period `i` (Unix seconds), by the pseudonym profile.
    pub fn iperiod_start_unix(&self, i: u32) -> Result<i64, String> {
        let p = scms_ca::profile::builtin(self.family, "pseudonym").map_err(|e| e.to_string())?;
        let epoch = p
            .iperiod_epoch_unix
            .ok_or("the pseudonym profile has no i-period epoch")?;
        Ok(epoch + i64::from(i) * 7 * 86_400)
    }

    /// Stops the services and closes the database.
    pub async fn stop(self) {
        self.running.shutdown(Duration::from_secs(5)).await;
        self.store.close().await;
    }
}

fn unix_now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Builds the hierarchy, stores it in `dir` and serves every role.
pub async fn start(family: Family, dir: &Path, vehicles: usize) -> Result<Authorities, String> {
    let keys = Arc::new(MemoryKeyStore::new());
    // The hierarchy starts 8 days ago: the pseudonym certificates of the
    // current i-period (a week) start at its beginning, inside the ACA's validity.
    let now = scms_ca::eca::system_now();
    let opts = HierarchyOptions::new(family, now.saturating_sub(8 * 86_400));
    let hierarchy = build(keys.as_ref(), &opts).map_err(|e| format!("hierarchy: {e}"))?;
    let url = crate::serve::config::sqlite_url(dir)?;
    let store = Store::connect(&url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let batch = Batch::hierarchy(&hierarchy, &opts).map_err(|e| e.to_string())?;
    store
        .commit(&batch, unix_from_time32(now))
        .await
        .map_err(|e| format!("database: {e}"))?;
    let certs = dir.join("certs");
    std::fs::create_dir_all(&certs).map_err(|e| format!("{}: {e}", certs.display()))?;
    for (name, bytes) in hierarchy.export_files() {
        let p = certs.join(name);
        std::fs::write(&p, bytes).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    let crl = dir.join("crl");
    std::fs::create_dir_all(&crl).map_err(|e| format!("{}: {e}", crl.display()))?;

    let mut file = FileConfig {
        family: Some(family.as_str().to_string()),
        ..FileConfig::default()
    };
    for role in Role::ALL {
        file.serve
            .listen
            .insert(role.as_str().to_string(), "127.0.0.1:0".to_string());
    }
    // The RA mixes every vehicle's requests (or waits a second), and the
    // batches are ready a second later: a demo does not wait an hour.
    file.ra.shuffle_min_devices = Some(vehicles);
    file.ra.shuffle_max_wait_secs = Some(1);
    file.ra.download_delay_secs = Some(1);
    file.ra.retry_secs = Some(1);
    file.ra.worker_period_ms = Some(100);
    // The demo ignores SCMS_* variables: it is one process on loopback.
    let cfg = Config::resolve_with(file, dir.to_path_buf(), &|_| None)?;
    let roles = serve::available_roles();
    let keys: Arc<dyn KeyStore> = keys;
    let running = serve::start(&cfg, &roles, keys, store.clone()).await?;
    let a = Authorities {
        family,
        hierarchy,
        store,
        running,
        start_time64: time64_from_unix_micros(unix_now_micros()),
    };
    a.wait_ready(Duration::from_secs(20)).await?;
    Ok(a)
}

impl Authorities {
    /// Every service's `/readyz` answers 200.
    async fn wait_ready(&self, limit: Duration) -> Result<(), String> {
        let t0 = Instant::now();
        for (role, url) in &self.running.urls {
            loop {
                let r = scms_ra::http::call(url, "GET", "/readyz", &[], &[]).await;
                match r {
                    Ok(r) if r.status == 200 => break,
                    Ok(r) if t0.elapsed() > limit => {
                        return Err(format!("{} not ready: {}", role.as_str(), r.text()))
                    }
                    Err(e) if t0.elapsed() > limit => {
                        return Err(format!("{} not ready: {e}", role.as_str()))
                    }
                    _ => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        }
        Ok(())
    }
}
