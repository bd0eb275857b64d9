//! What some tests need from the machine — the example shop built, nats-server, prometheus, Docker and
//! images, the reference `pact` tools, the Pact specification's cases: [`Need`], checked when
//! a test runs (the tools found once per process). Missing, the test is reported ignored with
//! the reason (`harness.rs`); a failure instead where a variable says it must run here
//! (`CI=true`, `SHAKEDOWN_REQUIRE_DOCKER=1`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// One thing a test needs from the machine.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// The example shop's `orders`, `payments` and `shipping` in `target/debug`, built
    /// first if need be.
    ShopBuilt,
    /// `nats-server` (see [`nats_server`]).
    NatsServer,
    /// Debian's `prometheus` server (see [`prometheus`]).
    Prometheus,
    /// Docker answers and has these local images.
    Images(&'static [&'static str]),
    /// Docker and the example shop's images (`scripts/images.sh`).
    ShopImages,
    /// Debian's `docker-compose` (v1) on `PATH`, answering `version`.
    DockerCompose,
    /// Docker and the busybox test image (`common::busybox`, from the host's busybox-static).
    #[cfg(feature = "scenario")]
    Busybox,
    /// The Pact specification's conformance cases (see [`pact_spec`]).
    PactSpec,
    /// The Chaos Mesh CRD schemas and examples (see [`chaos_mesh`]).
    ChaosMesh,
    /// The reference Pact mock server (see [`pact_mock_server`]).
    PactMockServer,
    /// The reference Pact verifier (see [`pact_verifier`]).
    PactVerifier,
    /// The reference Pact Broker client (see [`pact_broker_client`]).
    PactBrokerClient,
    /// The Pact Broker's contract and API pages (see [`pact_broker`]).
    PactBroker,
}

/// The example shop's images, which `scripts/images.sh` builds.
pub const SHOP_IMAGES: &[&str] = &[
    "shakedown-example/orders:latest",
    "shakedown-example/payments:latest",
    "shakedown-example/shipping:latest",
    "shakedown-example/nats:latest",
];

impl Need {
    /// Why the need is not met here, or `None` when it is.
    pub fn missing(self) -> Option<String> {
        let ok = match self {
            Need::ShopBuilt => shop_built(),
            Need::NatsServer => nats_server().is_some(),
            Need::Prometheus => prometheus().is_some(),
            Need::Images(images) => docker_images(images),
            Need::ShopImages => docker_images(SHOP_IMAGES),
            Need::DockerCompose => answers("docker-compose", &["version"]),
            #[cfg(feature = "scenario")]
            Need::Busybox => return super::busybox::build().err(),
            Need::PactSpec => pact_spec().is_some(),
            Need::ChaosMesh => chaos_mesh().is_some(),
            Need::PactMockServer => pact_mock_server().is_some(),
            Need::PactVerifier => pact_verifier().is_some(),
            Need::PactBrokerClient => pact_broker_client().is_some(),
            Need::PactBroker => pact_broker().is_some(),
        };
        (!ok).then(|| self.hint().to_string())
    }

    /// What is missing and how to get it.
    fn hint(self) -> &'static str {
        match self {
            Need::ShopBuilt => "the example shop could not be built: cargo build -p shakedown-shop",
            Need::NatsServer => "nats-server is missing: apt-get install nats-server",
            Need::Prometheus => "prometheus is missing: apt-get install prometheus",
            Need::Images(_) | Need::ShopImages => {
                "Docker or the example images are missing: run scripts/images.sh"
            }
            Need::DockerCompose => "docker-compose is missing: apt-get install docker-compose",
            #[cfg(feature = "scenario")]
            Need::Busybox => "Docker or busybox-static is missing", // busybox::build says which
            Need::PactSpec => {
                "the Pact specification cases are missing: set SHAKEDOWN_PACT_SPEC or use ../shared/pact-spec"
            }
            Need::ChaosMesh => {
                "the Chaos Mesh schemas and examples are missing: set SHAKEDOWN_CHAOS_MESH or use ../shared/chaos-mesh"
            }
            Need::PactBroker => {
                "the Pact Broker material is missing: set SHAKEDOWN_PACT_BROKER or use ../shared/pact-broker"
            }
            Need::PactMockServer | Need::PactVerifier | Need::PactBrokerClient => {
                "the reference Pact tools are missing: pip install pact-python-cli"
            }
        }
    }

    /// The setting (`VAR=value`) that makes this need's absence a failure, when it is set.
    pub fn required_by(self) -> Option<&'static str> {
        let setting = match self {
            Need::Images(_) | Need::ShopImages | Need::DockerCompose => {
                "SHAKEDOWN_REQUIRE_DOCKER=1"
            }
            #[cfg(feature = "scenario")]
            Need::Busybox => "SHAKEDOWN_REQUIRE_DOCKER=1",
            _ => "CI=true",
        };
        let (var, value) = setting.split_once('=')?;
        std::env::var(var)
            .is_ok_and(|v| v == value)
            .then_some(setting)
    }
}

/// The example shop's services in `target/debug`, built once per process.
fn shop_built() -> bool {
    // Where cargo puts them, as the scenarios' `{{ env.CARGO_TARGET_DIR | default: … }}` does.
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| "target".into(), PathBuf::from);
    super::shop::build_debug()
        && ["orders", "payments", "shipping"]
            .iter()
            .all(|s| target.join("debug").join(s).exists())
}

/// `nats-server` (in `/usr/sbin`, where Debian puts it, or on `PATH`), if installed.
pub fn nats_server() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::iter::once(PathBuf::from("/usr/sbin/nats-server"))
        .chain(std::env::split_paths(&path).map(|d| d.join("nats-server")))
        .find(|p| p.is_file())
}

/// The `prometheus` server (`$PROMETHEUS`, else `/usr/bin/prometheus` where Debian puts it,
/// else on `PATH`), if it answers `--version`; found once per process.
pub fn prometheus() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let path = std::env::var_os("PATH").unwrap_or_default();
            std::env::var_os("PROMETHEUS")
                .map(PathBuf::from)
                .into_iter()
                .chain(std::iter::once(PathBuf::from("/usr/bin/prometheus")))
                .chain(std::env::split_paths(&path).map(|d| d.join("prometheus")))
                .find(|p| p.is_file() && answers(&p.to_string_lossy(), &["--version"]))
        })
        .clone()
}

/// The folder of the Pact specification's cases: `$SHAKEDOWN_PACT_SPEC`, or
/// `../shared/pact-spec` beside the checkout; `None` when it is not a folder.
pub fn pact_spec() -> Option<PathBuf> {
    let dir = std::env::var_os("SHAKEDOWN_PACT_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pact-spec"));
    dir.is_dir().then_some(dir)
}

/// The folder of the Pact Broker material (its contract `Pact Broker Client V2-Pact
/// Broker.json` and API pages): `$SHAKEDOWN_PACT_BROKER`, or `../shared/pact-broker` beside
/// the checkout; `None` when the contract is not there.
pub fn pact_broker() -> Option<PathBuf> {
    let dir = std::env::var_os("SHAKEDOWN_PACT_BROKER")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pact-broker"));
    dir.join("Pact Broker Client V2-Pact Broker.json")
        .is_file()
        .then_some(dir)
}

/// Whether `program args` runs and succeeds.
fn answers(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The folder of the Chaos Mesh CRD schemas (`crds/`) and examples (`examples/`):
/// `$SHAKEDOWN_CHAOS_MESH`, or `../shared/chaos-mesh` beside the checkout; `None` when it
/// has no `crds` folder.
pub fn chaos_mesh() -> Option<PathBuf> {
    let dir = std::env::var_os("SHAKEDOWN_CHAOS_MESH")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/chaos-mesh"));
    dir.join("crds").is_dir().then_some(dir)
}

/// Whether Docker answers and has these local images.
fn docker_images(images: &[&str]) -> bool {
    Command::new("docker")
        .args(["image", "inspect"])
        .args(images)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The reference mock server as a command line: `$PACT_MOCK_SERVER`, else `pact mock`
/// (`pip install pact-python-cli`), else `pact-mock-server` (`cargo install
/// pact_mock_server_cli`); found once per process.
pub fn pact_mock_server() -> Option<&'static [String]> {
    static FOUND: OnceLock<Option<Vec<String>>> = OnceLock::new();
    FOUND
        .get_or_init(|| reference_tool("PACT_MOCK_SERVER", "mock", "pact-mock-server"))
        .as_deref()
}

/// The reference verifier as a command line: `$PACT_VERIFIER`, else `pact verifier`, else
/// `pact-verifier` (`cargo install pact_verifier_cli`); found once per process.
pub fn pact_verifier() -> Option<&'static [String]> {
    static FOUND: OnceLock<Option<Vec<String>>> = OnceLock::new();
    FOUND
        .get_or_init(|| reference_tool("PACT_VERIFIER", "verifier", "pact-verifier"))
        .as_deref()
}

/// The reference Pact Broker client as a command line: `$PACT_BROKER_CLIENT`, else `pact
/// broker`, else `pact-broker-cli` (`cargo install pact-broker-cli`); found once per process.
pub fn pact_broker_client() -> Option<&'static [String]> {
    static FOUND: OnceLock<Option<Vec<String>>> = OnceLock::new();
    FOUND
        .get_or_init(|| reference_tool("PACT_BROKER_CLIENT", "broker", "pact-broker-cli"))
        .as_deref()
}

/// The first of `$var`, `pact <sub>` (on `PATH` or in Python's scripts folder) and `legacy`
/// that answers `--version`.
fn reference_tool(var: &str, sub: &str, legacy: &str) -> Option<Vec<String>> {
    let mut candidates = vec![];
    if let Ok(bin) = std::env::var(var) {
        candidates.push(vec![bin]);
    }
    for pact in ["pact".to_string()]
        .into_iter()
        .chain(python_scripts("pact"))
    {
        candidates.push(vec![pact, sub.to_string()]);
    }
    candidates.push(vec![legacy.to_string()]);
    candidates.into_iter().find(|c| answers_version(c))
}

/// `name` in the scripts folder of `python3`, where pip puts the binaries of packages.
fn python_scripts(name: &str) -> Option<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ])
        .output()
        .ok()?;
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let path = Path::new(&dir).join(name);
    path.is_file().then(|| path.display().to_string())
}

fn answers_version(command: &[String]) -> bool {
    Command::new(&command[0])
        .args(&command[1..])
        .arg("--version")
        .env("PACT_DO_NOT_TRACK", "true")
        .output()
        .is_ok_and(|o| o.status.success())
}
