//! What a Prometheus scrapes of a run: its fault proxies' metrics, served by the run on a
//! loopback port (`GET /metrics`), and the run's file-SD targets file
//! (`<state dir>/targets/<run id>.json`: every service and that endpoint, labelled with
//! `job` and `shakedown_run`), which a Prometheus with `file_sd_configs` over
//! `<state dir>/targets/*.json` picks up while the run lasts (file SD takes a pattern in the
//! file name only, so the files of every run share one folder). The file is removed when
//! the run ends.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tokio::task::JoinHandle;

use super::cancel::{cancel_pair, Canceller};
use crate::chaos::{serve_metrics, Proxy};

/// The `job` label of the run's proxies' metrics endpoint.
pub const PROXIES_JOB: &str = "shakedown-proxies";

/// The folder of the runs' targets files, in the state folder.
pub const TARGETS_DIR: &str = "targets";

/// The proxies' metrics endpoint of a run; stops when dropped.
pub struct ProxyMetrics {
    addr: SocketAddr,
    stop: Option<Canceller>,
    task: JoinHandle<()>,
}

impl ProxyMetrics {
    /// Serves the Prometheus text of `proxies` (bytes and connections, by `proxy`) at
    /// `http://127.0.0.1:PORT/metrics`, on a free port.
    pub async fn serve(proxies: Vec<(String, Proxy)>) -> std::io::Result<ProxyMetrics> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = cancel_pair();
        let task = tokio::spawn(async move {
            serve_metrics(listener, proxies, async move { stopped.cancelled().await }).await;
        });
        Ok(ProxyMetrics {
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for ProxyMetrics {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.cancel();
        }
        self.task.abort();
    }
}

/// The file-SD target groups of a run: one per service (`job` = its name) and one for the
/// proxies' metrics (`job` = [`PROXIES_JOB`]), each labelled `shakedown_run` = `run_id`.
pub fn targets(run_id: &str, services: &[(String, String)], proxies: Option<SocketAddr>) -> Value {
    let group = |addr: String, job: &str| json!({"targets": [addr], "labels": {"job": job, "shakedown_run": run_id}});
    let mut groups: Vec<Value> = services
        .iter()
        .map(|(name, addr)| group(addr.clone(), name))
        .collect();
    if let Some(addr) = proxies {
        groups.push(group(addr.to_string(), PROXIES_JOB));
    }
    Value::Array(groups)
}

/// The targets file of run `run_id` under the state folder `state_dir`.
pub fn targets_path(state_dir: &Path, run_id: &str) -> PathBuf {
    state_dir.join(TARGETS_DIR).join(format!("{run_id}.json"))
}

/// Writes `groups` to run `run_id`'s targets file whole (a temporary file renamed over it,
/// so that Prometheus never reads half a file).
pub fn write_targets(state_dir: &Path, run_id: &str, groups: &Value) -> std::io::Result<()> {
    let path = targets_path(state_dir, run_id);
    std::fs::create_dir_all(state_dir.join(TARGETS_DIR))?;
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, format!("{groups:#}\n"))?;
    std::fs::rename(&partial, path)
}

/// Removes run `run_id`'s targets file (the run is over: nothing left to scrape).
pub fn remove_targets(state_dir: &Path, run_id: &str) {
    let _ = std::fs::remove_file(targets_path(state_dir, run_id));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_group_per_service_and_one_for_the_proxies() {
        let services = [("orders".to_string(), "127.0.0.1:4100".to_string())];
        let proxies: SocketAddr = "127.0.0.1:4200".parse().unwrap();
        let groups = targets("abc123", &services, Some(proxies));
        assert_eq!(
            groups,
            json!([
                {"targets": ["127.0.0.1:4100"], "labels": {"job": "orders", "shakedown_run": "abc123"}},
                {"targets": ["127.0.0.1:4200"], "labels": {"job": "shakedown-proxies", "shakedown_run": "abc123"}},
            ])
        );
        let dir = tempfile::tempdir().unwrap();
        write_targets(dir.path(), "abc123", &groups).unwrap();
        let file = dir.path().join("targets/abc123.json");
        let read: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(read, groups);
        remove_targets(dir.path(), "abc123");
        assert!(!file.exists());
    }

    #[tokio::test]
    async fn serves_the_proxies_metrics_until_dropped() {
        let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy = Proxy::start(
            "orders-payments",
            "127.0.0.1:0",
            &upstream.local_addr().unwrap().to_string(),
            1,
        )
        .unwrap();
        let endpoint = ProxyMetrics::serve(vec![("orders-payments".into(), proxy.clone())])
            .await
            .unwrap();
        let url = format!("http://{}/metrics", endpoint.addr());
        let text = reqwest::get(&url).await.unwrap().text().await.unwrap();
        assert!(
            text.contains("shakedown_proxy_connections_total{proxy=\"orders-payments\"} 0"),
            "{text}"
        );
        drop(endpoint);
        proxy.stop();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(reqwest::get(&url).await.is_err(), "stopped when dropped");
    }
}
