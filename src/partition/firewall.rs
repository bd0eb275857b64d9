//! Partitions: nftables rules in the containers' network namespaces, entered from the host
//! (`nsenter -t PID -n nft -f -`: the images are `FROM scratch`, so the host's `nft` runs).
//!
//! The backend keeps the set of directed cuts; each change rewrites, in one nft transaction,
//! the table `inet shakedown` of every running container from that set. Rewriting is
//! idempotent, and it also serves a restarted container (new namespace, maybe a new IP).
//!
//! A cut `x → y` means "x cannot reach y": in x's namespace, packets to y's IP that belong to
//! connections x opened (`ct direction original`) are dropped, and in y's namespace, y's
//! answers on those connections (`ct direction reply`). Connections y opens towards x still
//! work, which is what a one-way partition means for TCP. A two-way partition is both cuts,
//! which drops every packet between the groups.
//!
//! Entering another process's namespace needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN), and
//! the host needs `nsenter` (util-linux) and `nft` (nftables). Runs without partitions need
//! neither: nothing here runs until the first partition.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// The table shakedown owns in each container's network namespace.
const TABLE: &str = "inet shakedown";
/// How long one `nsenter … nft` may take.
const NFT_TIMEOUT: Duration = Duration::from_secs(10);

/// The directed cuts in force: `(from, to)` = `from` cannot reach `to`.
#[derive(Debug, Default)]
pub struct Cuts(BTreeSet<(String, String)>);

impl Cuts {
    /// Cuts group `a` from group `b` (and `b` from `a` unless `one_way`).
    pub fn add(&mut self, a: &[String], b: &[String], one_way: bool) {
        self.0.extend(pairs(a, b, one_way));
    }

    /// Undoes [`Cuts::add`] with the same groups.
    pub fn remove(&mut self, a: &[String], b: &[String], one_way: bool) {
        for pair in pairs(a, b, one_way) {
            self.0.remove(&pair);
        }
    }

    /// No cut is in force (the testcontainers guards then drop a container's fence).
    #[cfg_attr(not(feature = "testcontainers"), allow(dead_code))]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The nft script that gives `service`'s namespace exactly its rules, given the current
    /// IP of every running service.
    pub fn script(&self, service: &str, ips: &BTreeMap<String, String>) -> String {
        let own = ips.get(service);
        let ip_of = |name: &String| ips.get(name).filter(|ip| Some(*ip) != own).cloned();
        let opened: BTreeSet<String> = self
            .0
            .iter()
            .filter(|(from, _)| from == service)
            .filter_map(|(_, to)| ip_of(to))
            .collect();
        let answered: BTreeSet<String> = self
            .0
            .iter()
            .filter(|(_, to)| to == service)
            .filter_map(|(from, _)| ip_of(from))
            .collect();
        script(&opened, &answered)
    }
}

fn pairs(a: &[String], b: &[String], one_way: bool) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for x in a {
        for y in b.iter().filter(|y| *y != x) {
            pairs.push((x.clone(), y.clone()));
            if !one_way {
                pairs.push((y.clone(), x.clone()));
            }
        }
    }
    pairs
}

/// Creates-then-deletes the table (so deleting never fails), then fills it if needed.
fn script(opened: &BTreeSet<String>, answered: &BTreeSet<String>) -> String {
    let mut text = format!("table {TABLE}\ndelete table {TABLE}\n");
    if opened.is_empty() && answered.is_empty() {
        return text;
    }
    text.push_str(&format!(
        "table {TABLE} {{\n  chain output {{\n    type filter hook output priority 0; policy accept;\n"
    ));
    for (ips, direction) in [(opened, "original"), (answered, "reply")] {
        if !ips.is_empty() {
            let set = ips.iter().cloned().collect::<Vec<_>>().join(", ");
            text.push_str(&format!(
                "    ip daddr {{ {set} }} ct direction {direction} drop\n"
            ));
        }
    }
    text.push_str("  }\n}\n");
    text
}

/// Runs `script` with the host's `nft` inside the network namespace of process `pid`.
pub async fn install(pid: i64, script: &str) -> Result<(), String> {
    let mut child = Command::new(tool("nsenter", &["/usr/bin", "/bin"]))
        .args([
            "-t",
            &pid.to_string(),
            "-n",
            &tool("nft", &["/usr/sbin", "/sbin"]),
        ])
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("partitions need nsenter (util-linux) and nft (nftables): {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .await
            .map_err(|e| format!("writing to nft: {e}"))?;
    }
    let output = tokio::time::timeout(NFT_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| format!("nft did not finish within {NFT_TIMEOUT:?}"))?
        .map_err(|e| format!("nft: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!("nft failed ({}): {}", output.status, stderr.trim()))
    }
}

/// A system tool: its usual place when it is there (`/usr/sbin` may not be on PATH), else
/// its bare name for PATH to resolve.
fn tool(name: &str, dirs: &[&str]) -> String {
    dirs.iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.exists())
        .map(|path| path.display().to_string())
        .unwrap_or_else(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn ips() -> BTreeMap<String, String> {
        [("a", "10.0.0.1"), ("b", "10.0.0.2"), ("c", "10.0.0.3")]
            .into_iter()
            .map(|(n, ip)| (n.to_string(), ip.to_string()))
            .collect()
    }

    #[test]
    fn should_cut_both_directions_unless_one_way() {
        let mut cuts = Cuts::default();
        cuts.add(&names(&["a"]), &names(&["b", "c"]), false);
        let a = cuts.script("a", &ips());
        assert!(a.contains("ip daddr { 10.0.0.2, 10.0.0.3 } ct direction original drop"));
        assert!(a.contains("ip daddr { 10.0.0.2, 10.0.0.3 } ct direction reply drop"));

        let mut one_way = Cuts::default();
        one_way.add(&names(&["a"]), &names(&["b"]), true);
        assert!(one_way
            .script("a", &ips())
            .contains("ip daddr { 10.0.0.2 } ct direction original drop"));
        assert!(!one_way.script("a", &ips()).contains("reply"));
        assert!(one_way
            .script("b", &ips())
            .contains("ip daddr { 10.0.0.1 } ct direction reply drop"));
        assert!(!one_way.script("b", &ips()).contains("original"));
    }

    #[test]
    fn should_only_delete_the_table_once_healed() {
        let mut cuts = Cuts::default();
        cuts.add(&names(&["a"]), &names(&["b"]), false);
        cuts.remove(&names(&["a"]), &names(&["b"]), false);
        let expected = "table inet shakedown\ndelete table inet shakedown\n";
        assert_eq!(cuts.script("a", &ips()), expected);
        assert_eq!(cuts.script("c", &ips()), expected);
    }

    #[test]
    fn should_skip_services_without_an_ip_and_a_service_cut_from_itself() {
        let mut cuts = Cuts::default();
        cuts.add(&names(&["a", "b"]), &names(&["a", "d"]), true);
        let a = cuts.script("a", &ips());
        assert!(a.contains("ip daddr { 10.0.0.2 } ct direction reply drop"));
        assert!(!a.contains("original"));
    }
}
