//! Docker partition latency: how long `DockerBackend::partition` and `heal_partition` take
//! from the call to rules in force in every container, i.e. how late after its schedule a
//! partition fault takes effect (the engine applies it at its scheduled instant).
//!
//! Run with `cargo bench --bench partition` (needs Docker, root, nftables and the host's
//! `busybox-static`, from which it builds a `FROM scratch` image). `BENCH_CONTAINERS`
//! (default 4) busybox web servers; `BENCH_ROUNDS` (default 30) rounds of cut-then-heal of
//! the first container from the others. Reports the median, p90 and maximum of each, then
//! checks once from inside a container that the cut is real.

#[path = "support/measure.rs"]
mod measure;

use measure::env_count;

#[path = "../tests/common/busybox.rs"]
mod busybox;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use shakedown::scenario::backend::{Address, DockerBackend, Launch};

fn web(name: &str, image: &str) -> Launch {
    Launch {
        name: name.into(),
        argv: vec![],
        image: Some(image.into()),
        env: BTreeMap::new(),
        port: 8080,
        healthcheck: None,
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, p90 and maximum, in milliseconds.
fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| millis(samples[((samples.len() - 1) as f64 * q).round() as usize]);
    format!(
        "median {:6.2} ms   p90 {:6.2} ms   max {:6.2} ms",
        at(0.5),
        at(0.9),
        at(1.0)
    )
}

/// `GET /` from inside `from`'s container to `to`: whether it answered.
fn reaches(backend: &DockerBackend, from: &str, to: &Address) -> bool {
    let script = format!(
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc -w 1 {} {}",
        to.host, to.port
    );
    let container = backend.container_name(from);
    let args = ["exec", &container, "/bin/busybox", "sh", "-c", &script];
    busybox::docker(&args, Duration::from_secs(10))
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).contains("200 OK"))
}

async fn rounds(backend: &mut DockerBackend, names: &[String], n: usize) {
    let (left, right) = (names[..1].to_vec(), names[1..].to_vec());
    let (mut cuts, mut heals) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let t = Instant::now();
        backend.partition(&left, &right, false).await.expect("cut");
        cuts.push(t.elapsed());
        let t = Instant::now();
        backend
            .heal_partition(&left, &right, false)
            .await
            .expect("heal");
        heals.push(t.elapsed());
    }
    println!("partition       {}", summary(cuts));
    println!("heal_partition  {}", summary(heals));
}

#[tokio::main]
async fn main() {
    let Some(image) = busybox::image("the partition bench") else {
        return;
    };
    let (containers, n) = (
        env_count("BENCH_CONTAINERS", 4).max(2),
        env_count("BENCH_ROUNDS", 30),
    );
    let logs = tempfile::tempdir().expect("log directory");
    let run = format!("bench{:x}", std::process::id());
    let mut backend = DockerBackend::new(&run, logs.path().to_path_buf());
    backend
        .prepare()
        .await
        .expect("prepare (is Docker running?)");
    let names: Vec<String> = (0..containers).map(|i| format!("s{i}")).collect();
    let mut addresses = Vec::new();
    for name in &names {
        addresses.push(backend.start(&web(name, image)).await.expect("start"));
    }
    println!("{containers} containers, {n} rounds of cut s0 | rest, then heal");
    rounds(&mut backend, &names, n).await;
    let (left, right) = (names[..1].to_vec(), names[1..].to_vec());
    backend.partition(&left, &right, false).await.expect("cut");
    let cut = !reaches(&backend, &names[0], &addresses[1]);
    backend
        .heal_partition(&left, &right, false)
        .await
        .expect("heal");
    let healed = reaches(&backend, &names[0], &addresses[1]);
    println!("check: cut stops traffic: {cut}; heal restores it: {healed}");
    backend.shutdown().await;
    assert!(cut && healed, "the partition did not take effect");
}
