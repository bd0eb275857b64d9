//! The docker tests' (and the partition bench's) image: `FROM scratch` with the host's static
//! busybox, serving `/www` with httpd on port 8080. Built once per process; `None` (after one
//! notice past cargo's output capture) when Docker or busybox-static is missing, unless
//! `SHAKEDOWN_REQUIRE_DOCKER=1`, which turns the absence into a failure.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The image (kept between runs: rebuilding it is a cache hit).
pub const IMAGE: &str = "shakedown-test/busybox:latest";

/// Whether Docker tests must run (`SHAKEDOWN_REQUIRE_DOCKER=1`, as CI sets).
pub fn docker_required() -> bool {
    std::env::var("SHAKEDOWN_REQUIRE_DOCKER").is_ok_and(|v| v == "1")
}

/// The image, built once; `None` (after a notice naming `who` is skipped) when Docker or
/// busybox is missing.
pub fn image(who: &str) -> Option<&'static str> {
    match build() {
        Ok(()) => Some(IMAGE),
        Err(why) if docker_required() => panic!("SHAKEDOWN_REQUIRE_DOCKER=1, but {why}"),
        Err(why) => {
            static NOTICE: std::sync::Once = std::sync::Once::new();
            NOTICE.call_once(|| {
                let notice = format!("{who} skipped: {why}\n");
                let _ = std::io::stderr().write_all(notice.as_bytes());
            });
            None
        }
    }
}

/// Builds [`IMAGE`] once per process; why it could not be built.
pub fn build() -> Result<(), String> {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    BUILT.get_or_init(build_image).clone()
}

fn build_image() -> Result<(), String> {
    let info = docker(
        &["info", "--format", "{{.ServerVersion}}"],
        Duration::from_secs(20),
    );
    if !info.as_ref().is_some_and(|o| o.status.success()) {
        return Err("Docker is not available (is the daemon running?)".into());
    }
    let busybox = Path::new("/bin/busybox");
    if !is_static(busybox) {
        return Err("no static /bin/busybox (apt-get install busybox-static)".into());
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::copy(busybox, dir.path().join("busybox")).map_err(|e| e.to_string())?;
    std::fs::create_dir(dir.path().join("www")).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("www/index.html"), "busybox\n").map_err(|e| e.to_string())?;
    let dockerfile = "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n\
                      ENTRYPOINT [\"/bin/busybox\"]\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).map_err(|e| e.to_string())?;
    let context = dir.path().display().to_string();
    let built = docker(
        &["build", "-q", "-t", IMAGE, &context],
        Duration::from_secs(120),
    );
    match built {
        Some(o) if o.status.success() => Ok(()),
        Some(o) => Err(format!(
            "docker build: {}",
            String::from_utf8_lossy(&o.stderr)
        )),
        None => Err("docker build did not finish within 120s".into()),
    }
}

/// An ELF without a program interpreter (`ld-linux`), which a `FROM scratch` image can run.
fn is_static(binary: &Path) -> bool {
    let mut head = vec![0; 4096];
    let read = std::fs::File::open(binary).and_then(|mut f| f.read(&mut head));
    match read {
        Ok(n) => head[..n].starts_with(b"\x7fELF") && !contains(&head[..n], b"ld-linux"),
        Err(_) => false,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Runs the docker CLI; `None` if it could not run or took longer than `limit` (then killed).
pub fn docker(args: &[&str], limit: Duration) -> Option<Output> {
    let mut child = Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + limit;
    while child.try_wait().ok()?.is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().ok()
}
