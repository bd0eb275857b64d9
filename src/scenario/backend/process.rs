//! The process backend: each service a local process on loopback, in its own process group,
//! killed with the group; crash = SIGKILL, pause = SIGSTOP/SIGCONT. Output goes to
//! `LOG_DIR/NAME.log`. Teardown kills every group after the grace period whatever its leader
//! did, then every process still carrying the run's id (one that left its group).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::process::{Child, Command};

use super::address::{self, free_port, Address, BackendError, Launch};
use crate::scenario::model::Service;
use crate::scenario::sweep;

struct Running {
    launch: Launch,
    child: Child,
    /// The service's process group (its leader's pid, known even once the leader is reaped).
    group: Pid,
}

/// How long services have to exit after SIGTERM before their groups get SIGKILL.
const GRACE: Duration = Duration::from_millis(500);
/// How long a SIGKILLed leader may take to be reaped.
const REAP_TIMEOUT: Duration = Duration::from_secs(2);

/// Local processes on 127.0.0.1.
pub struct ProcessBackend {
    workdir: PathBuf,
    /// Each service's own folder (the root of the file that defines it), else `workdir`.
    folders: BTreeMap<String, PathBuf>,
    log_dir: PathBuf,
    running: BTreeMap<String, Running>,
}

impl ProcessBackend {
    /// A backend whose services run in `workdir` (relative programs resolve from there) and
    /// whose logs go to `log_dir`.
    pub fn new(workdir: PathBuf, log_dir: PathBuf) -> Self {
        ProcessBackend {
            workdir,
            folders: BTreeMap::new(),
            log_dir,
            running: BTreeMap::new(),
        }
    }

    /// Runs each named service in its own folder instead (a scenario's services: the root
    /// of the file that defines each, [`crate::scenario::Service::dir`]).
    pub fn with_folders(mut self, folders: BTreeMap<String, PathBuf>) -> Self {
        self.folders = folders;
        self
    }

    /// Where link proxies listen so that services reach them.
    pub fn proxy_host(&self) -> String {
        "127.0.0.1".into()
    }

    /// Nothing to prepare: processes need no network of their own.
    pub async fn prepare(&mut self) -> Result<(), BackendError> {
        Ok(())
    }

    /// What a service runs here: its `command` (a service without one cannot run here).
    pub fn argv<'s>(&self, name: &str, service: &'s Service) -> Result<&'s [String], BackendError> {
        service
            .command
            .as_deref()
            .ok_or_else(|| BackendError::Missing {
                service: name.into(),
                what: "command",
                backend: "process",
            })
    }

    /// A port for a service: a free one on loopback (given as `PORT` and `{{ port }}`).
    pub fn port(&self, _name: &str, _service: &Service) -> Result<u16, BackendError> {
        free_port()
    }

    /// The address services listen on: loopback.
    pub fn bind_host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The log file of a service (refused for a name that is not a plain word).
    pub fn log_file(&self, name: &str) -> Result<PathBuf, BackendError> {
        address::log_file(&self.log_dir, name)
    }

    /// Starts a service and returns its address (not yet checked for readiness).
    pub async fn start(&mut self, launch: &Launch) -> Result<Address, BackendError> {
        let child = self.spawn(launch)?;
        let group = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .map(Pid::from_raw)
            .ok_or_else(|| BackendError::Start {
                service: launch.name.clone(),
                message: "no process id".into(),
            })?;
        self.running.insert(
            launch.name.clone(),
            Running {
                launch: launch.clone(),
                child,
                group,
            },
        );
        Ok(Address {
            host: "127.0.0.1".into(),
            port: launch.port,
        })
    }

    fn spawn(&self, launch: &Launch) -> Result<Child, BackendError> {
        let fail = |message: String| BackendError::Start {
            service: launch.name.clone(),
            message,
        };
        let (program, args) = launch
            .argv
            .split_first()
            .ok_or_else(|| fail("empty command".into()))?;
        let path = self.log_file(&launch.name)?;
        std::fs::create_dir_all(&self.log_dir).map_err(|e| fail(format!("log directory: {e}")))?;
        let log = crate::file::open_append(&path)
            .map_err(|e| fail(format!("log file {}: {e}", path.display())))?;
        let err_log = log.try_clone().map_err(|e| fail(e.to_string()))?;
        let dir = self.folders.get(&launch.name).unwrap_or(&self.workdir);
        let mut cmd = Command::new(crate::scenario::programs::resolve(program, dir));
        cmd.args(args)
            .envs(&launch.env)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err_log)
            .process_group(0)
            .kill_on_drop(true);
        // SAFETY: only async-signal-safe work between fork and exec: one prctl call.
        unsafe {
            cmd.pre_exec(|| {
                nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(std::io::Error::from)
            });
        }
        cmd.spawn().map_err(|e| fail(format!("{program}: {e}")))
    }

    /// If the service's process has exited: how (for readiness errors).
    pub async fn exited(&mut self, name: &str) -> Option<String> {
        let r = self.running.get_mut(name)?;
        match r.child.try_wait() {
            Ok(Some(status)) => Some(format!("exited with {status}")),
            _ => None,
        }
    }

    /// Process group ids of every service (for the run's state file).
    pub fn pids(&self) -> Vec<u32> {
        self.running
            .values()
            .filter_map(|r| u32::try_from(r.group.as_raw()).ok())
            .collect()
    }

    /// Sends `signal` to a service's process group, leader alive or not.
    fn signal(&self, name: &str, signal: Signal) -> Result<(), BackendError> {
        let r = self
            .running
            .get(name)
            .ok_or_else(|| BackendError::Unknown(name.into()))?;
        killpg(r.group, signal)
            .map_err(|e| BackendError::System(format!("{signal} to {name}: {e}")))
    }

    /// The run id the services carry in their environment.
    fn run_id(&self) -> Option<String> {
        self.running
            .values()
            .find_map(|r| r.launch.env.get(sweep::RUN_ID_VAR).cloned())
    }

    /// SIGKILL to every group (after SIGCONT: a frozen process cannot exit), then to every
    /// process still carrying the run's id.
    fn kill_everything(&self) {
        for r in self.running.values() {
            let _ = killpg(r.group, Signal::SIGCONT);
            let _ = killpg(r.group, Signal::SIGKILL);
        }
        if let Some(run_id) = self.run_id() {
            sweep::kill_marked(&run_id);
        }
    }

    /// Kills a service (SIGKILL to its process group); it is reaped on restart or shutdown.
    pub async fn kill(&mut self, name: &str) -> Result<(), BackendError> {
        self.signal(name, Signal::SIGKILL)
    }

    async fn reap(&mut self, name: &str) {
        if let Some(r) = self.running.get_mut(name) {
            let _ = r.child.wait().await;
        }
    }

    /// Starts a killed service again, same command and port.
    pub async fn restart(&mut self, name: &str) -> Result<Address, BackendError> {
        let launch = self
            .running
            .get(name)
            .map(|r| r.launch.clone())
            .ok_or_else(|| BackendError::Unknown(name.into()))?;
        let _ = self.kill(name).await;
        self.reap(name).await;
        self.start(&launch).await
    }

    /// Freezes a service (SIGSTOP).
    pub async fn pause(&mut self, name: &str) -> Result<(), BackendError> {
        self.signal(name, Signal::SIGSTOP)
    }

    /// Thaws a frozen service (SIGCONT).
    pub async fn resume(&mut self, name: &str) -> Result<(), BackendError> {
        self.signal(name, Signal::SIGCONT)
    }

    /// Processes reach each other only through links, which the system closes itself:
    /// nothing more to cut.
    pub async fn partition(
        &mut self,
        _: &[String],
        _: &[String],
        _: bool,
    ) -> Result<(), BackendError> {
        Ok(())
    }

    /// Undoes [`ProcessBackend::partition`]: nothing to do.
    pub async fn heal_partition(
        &mut self,
        _: &[String],
        _: &[String],
        _: bool,
    ) -> Result<(), BackendError> {
        Ok(())
    }

    /// Stops every service: SIGCONT (a frozen process cannot exit), SIGTERM, and after a
    /// grace period SIGKILL to every group, whatever its leader did (a member that ignores
    /// SIGTERM outlives its leader), then to every process that left its group but still
    /// carries the run's id. Returns the names stopped.
    pub async fn shutdown(&mut self) -> Vec<String> {
        for name in self.running.keys() {
            let _ = self.signal(name, Signal::SIGCONT);
            let _ = self.signal(name, Signal::SIGTERM);
        }
        let deadline = tokio::time::Instant::now() + GRACE;
        for r in self.running.values_mut() {
            let _ = tokio::time::timeout_at(deadline, r.child.wait()).await;
        }
        self.kill_everything();
        for r in self.running.values_mut() {
            let _ = tokio::time::timeout(REAP_TIMEOUT, r.child.wait()).await;
        }
        let names: Vec<String> = self.running.keys().cloned().collect();
        self.running.clear();
        names
    }
}

impl Drop for ProcessBackend {
    fn drop(&mut self) {
        self.kill_everything();
    }
}
