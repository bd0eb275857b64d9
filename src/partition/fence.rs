//! A fence: a thread that lives in one container's network namespace, entered when the
//! container starts, and rewrites that namespace's nftables table when asked, through
//! libnftables. A partition then costs a message and a netlink transaction per container,
//! not an `nsenter … nft` process (tens of milliseconds on two cores).

use std::fs::File;
use std::os::fd::AsRawFd;
use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::nftables::Context;

/// A script to run and where to say how it went.
type Job = (String, oneshot::Sender<Result<(), String>>);

/// The thread's stack: libnftables' parser needs little.
const STACK: usize = 512 * 1024;
/// How long one change may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A thread in a container's network namespace; dropping the fence ends the thread.
pub struct Fence {
    jobs: mpsc::Sender<Job>,
}

impl Fence {
    /// Enters the network namespace of host process `pid` on a thread of its own, with an
    /// nftables context ready. Needs CAP_SYS_ADMIN and libnftables.
    pub fn enter(pid: i64) -> Result<Fence, String> {
        let namespace = File::open(format!("/proc/{pid}/ns/net"))
            .map_err(|e| format!("the network namespace of process {pid}: {e}"))?;
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, is_ready) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("fence-{pid}"))
            .stack_size(STACK)
            .spawn(move || match settle(namespace) {
                Ok(context) => {
                    let _ = ready.send(Ok(()));
                    serve(context, inbox);
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                }
            })
            .map_err(|e| format!("a fence thread: {e}"))?;
        is_ready
            .recv()
            .map_err(|_| "the fence thread ended early".to_string())??;
        Ok(Fence { jobs })
    }

    /// Runs an nft script in the container's namespace.
    pub async fn install(&self, script: String) -> Result<(), String> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((script, reply))
            .map_err(|_| "the fence thread has ended".to_string())?;
        match tokio::time::timeout(TIMEOUT, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err("the fence thread has ended".into()),
            Err(_) => Err(format!("nft did not finish within {TIMEOUT:?}")),
        }
    }
}

/// Moves this thread into `namespace` (only this thread: `setns` is per thread) and opens
/// an nftables context there.
fn settle(namespace: File) -> Result<Context, String> {
    // SAFETY: a valid namespace fd and a namespace type; affects only the calling thread.
    let entered = unsafe { libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) };
    if entered != 0 {
        return Err(format!(
            "entering a network namespace: {}",
            std::io::Error::last_os_error()
        ));
    }
    Context::new()
}

fn serve(mut context: Context, inbox: mpsc::Receiver<Job>) {
    for (script, reply) in inbox {
        let _ = reply.send(context.run(&script));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command, Stdio};

    /// A process in a network namespace of its own (`unshare -n`), killed on drop.
    struct Namespace(Child);

    impl Drop for Namespace {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn namespace() -> Option<Namespace> {
        let child = Command::new("unshare")
            .args(["-n", "sleep", "30"])
            .stdin(Stdio::null())
            .spawn()
            .ok()?;
        let ns = Namespace(child);
        let pid = ns.0.id();
        // Wait (bounded) until `unshare` has moved into its namespace and exec'd sleep.
        for _ in 0..100 {
            let mine = std::fs::read_link("/proc/self/ns/net").ok()?;
            let theirs = std::fs::read_link(format!("/proc/{pid}/ns/net")).ok();
            if theirs.is_some_and(|t| t != mine) {
                return Some(ns);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    fn tables_in(pid: u32) -> String {
        let out = Command::new("nsenter")
            .args(["-t", &pid.to_string(), "-n", "nft", "list", "tables"])
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .output()
            .expect("nsenter nft");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[tokio::test]
    async fn should_change_the_rules_of_the_namespace_it_entered_only() {
        let Some(ns) = namespace().filter(|_| Fence::enter(std::process::id() as i64).is_ok())
        else {
            assert!(
                std::env::var("CI").is_err(),
                "CI runs as root with unshare, nsenter and libnftables: fences must work there"
            );
            eprintln!("fence test skipped: needs root, unshare and libnftables");
            return;
        };
        let pid = ns.0.id();
        let fence = Fence::enter(pid as i64).expect("enter");
        fence
            .install("table inet shakedown_fence_test\n".into())
            .await
            .expect("install");
        assert!(tables_in(pid).contains("shakedown_fence_test"));
        assert!(!tables_in(std::process::id()).contains("shakedown_fence_test"));

        let refused = fence.install("table inet {\n".into()).await;
        assert!(refused.is_err_and(|e| e.contains("nft failed")));
    }
}
