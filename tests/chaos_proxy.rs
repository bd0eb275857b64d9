//! The fault proxy on real loopback sockets: data passes intact, each toxic does what it
//! says, toxics change live without losing bytes, and disabling refuses connections.
#![cfg(feature = "chaos")]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::echo::echo_server;
use shakedown::chaos::{Proxy, Stream, Toxic, ToxicKind};

fn proxy() -> Proxy {
    Proxy::start("test", "127.0.0.1:0", &echo_server(64), 42).unwrap()
}

fn connect(p: &Proxy) -> TcpStream {
    let s = TcpStream::connect(p.listen_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

fn round_trip(s: &mut TcpStream, payload: &[u8]) -> Vec<u8> {
    s.write_all(payload).unwrap();
    let mut got = vec![0u8; payload.len()];
    s.read_exact(&mut got).unwrap();
    got
}

/// Writes `len` patterned bytes to `s` from another thread (so that the echo can be read
/// meanwhile); returns what it writes and the thread.
fn send_in_background(s: &TcpStream, len: u32) -> (Vec<u8>, std::thread::JoinHandle<()>) {
    let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    let mut w = s.try_clone().unwrap();
    let data = payload.clone();
    (
        payload,
        std::thread::spawn(move || w.write_all(&data).unwrap()),
    )
}

fn latency(ms: u64) -> ToxicKind {
    ToxicKind::Latency {
        latency: Duration::from_millis(ms),
        jitter: Duration::ZERO,
    }
}

#[test]
fn should_pass_data_intact_without_toxics() {
    let p = proxy();
    let mut s = connect(&p);
    let (payload, writer) = send_in_background(&s, 1_000_000);
    let mut got = vec![0u8; payload.len()];
    s.read_exact(&mut got).unwrap();
    writer.join().unwrap();
    assert!(got == payload, "1 MB echoed byte for byte");
    p.stop();
}

#[test]
fn should_add_latency_and_remove_it_with_the_guard() {
    let p = proxy();
    let mut s = connect(&p);
    round_trip(&mut s, b"warm");
    {
        let _g = p
            .with_toxic(Toxic::new("lat", Stream::Downstream, latency(300)))
            .unwrap();
        let t = Instant::now();
        assert_eq!(round_trip(&mut s, b"ping"), b"ping");
        let took = t.elapsed();
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_millis(1500),
            "{took:?}"
        );
    }
    let t = Instant::now();
    round_trip(&mut s, b"pong");
    assert!(
        t.elapsed() < Duration::from_millis(250),
        "latency removed with the guard"
    );
    p.stop();
}

#[test]
fn should_limit_bandwidth() {
    let p = proxy();
    p.add_toxic(Toxic::new(
        "bw",
        Stream::Downstream,
        ToxicKind::Bandwidth { rate: 100 },
    ))
    .unwrap();
    let mut s = connect(&p);
    let t = Instant::now();
    let got = round_trip(&mut s, &[7u8; 30_000]);
    let took = t.elapsed();
    assert_eq!(got.len(), 30_000);
    assert!(
        took >= Duration::from_millis(250),
        "30 KB at 100 KB/s takes about 300 ms, took {took:?}"
    );
    p.stop();
}

#[test]
fn should_cut_the_connection_after_the_data_limit() {
    let p = proxy();
    p.add_toxic(Toxic::new(
        "limit",
        Stream::Downstream,
        ToxicKind::LimitData { bytes: 10 },
    ))
    .unwrap();
    let mut s = connect(&p);
    s.write_all(&[1u8; 100]).unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert_eq!(got.len(), 10);
    p.stop();
}

#[test]
fn should_hold_data_and_close_on_timeout() {
    let p = proxy();
    p.add_toxic(Toxic::new(
        "t",
        Stream::Upstream,
        ToxicKind::Timeout {
            timeout: Duration::from_millis(200),
        },
    ))
    .unwrap();
    let mut s = connect(&p);
    s.write_all(b"lost").unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 4];
    let n = s.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "nothing comes back, then the connection closes");
    assert!(
        t.elapsed() >= Duration::from_millis(180),
        "{:?}",
        t.elapsed()
    );
    p.stop();
}

#[test]
fn should_reset_the_peer() {
    let p = proxy();
    p.add_toxic(Toxic::new(
        "rst",
        Stream::Downstream,
        ToxicKind::ResetPeer {
            timeout: Duration::from_millis(50),
        },
    ))
    .unwrap();
    let mut s = connect(&p);
    let mut buf = [0u8; 4];
    let err = s.read(&mut buf).expect_err("a reset, not a clean close");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    p.stop();
}

#[test]
fn should_slice_data_without_losing_any() {
    let p = proxy();
    let slicer = ToxicKind::Slicer {
        average_size: 10,
        size_variation: 5,
        delay: Duration::from_micros(100),
    };
    p.add_toxic(Toxic::new("slice", Stream::Downstream, slicer))
        .unwrap();
    let mut s = connect(&p);
    let payload: Vec<u8> = (0..2000u32).map(|i| (i % 200) as u8).collect();
    assert_eq!(round_trip(&mut s, &payload), payload);
    p.stop();
}

#[test]
fn should_change_toxics_live_without_losing_bytes() {
    let p = proxy();
    let mut s = connect(&p);
    let mut expected: Vec<u8> = Vec::new();
    let mut got: Vec<u8> = Vec::new();
    for i in 0..40u32 {
        match i % 4 {
            0 => drop(p.add_toxic(Toxic::new("lat", Stream::Downstream, latency(5)))),
            1 => drop(p.add_toxic(Toxic::new(
                "slice",
                Stream::Upstream,
                ToxicKind::Slicer {
                    average_size: 3,
                    size_variation: 1,
                    delay: Duration::ZERO,
                },
            ))),
            2 => drop(p.remove_toxic("lat")),
            _ => drop(p.remove_toxic("slice")),
        }
        let chunk: Vec<u8> = (0..500).map(|j| ((i * 7 + j) % 256) as u8).collect();
        expected.extend(&chunk);
        got.extend(round_trip(&mut s, &chunk));
    }
    assert!(got == expected, "every byte arrived, in order");
    p.stop();
}

#[test]
fn should_apply_toxicity_per_connection_reproducibly() {
    let rolls = |seed| {
        let p = Proxy::start("t", "127.0.0.1:0", &echo_server(64), seed).unwrap();
        let mut t = Toxic::new("lat", Stream::Downstream, latency(400));
        t.toxicity = 0.5;
        p.add_toxic(t).unwrap();
        let slow: Vec<bool> = (0..12)
            .map(|_| {
                let mut s = connect(&p);
                let t = Instant::now();
                round_trip(&mut s, b"x");
                t.elapsed() >= Duration::from_millis(300)
            })
            .collect();
        p.stop();
        slow
    };
    let a = rolls(7);
    assert!(
        a.iter().any(|s| *s) && a.iter().any(|s| !*s),
        "about half the connections are slow: {a:?}"
    );
    assert_eq!(a, rolls(7), "the same seed rolls the same connections");
}

#[test]
fn should_refuse_connections_while_disabled_and_close_open_ones() {
    let p = proxy();
    let mut open = connect(&p);
    round_trip(&mut open, b"hi");
    p.disable();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        TcpStream::connect(p.listen_addr())
            .map_err(|e| e.kind())
            .err(),
        Some(ErrorKind::ConnectionRefused)
    );
    let mut buf = [0u8; 2];
    let closed =
        open.write_all(b"hi").is_err() || open.read(&mut buf).map(|n| n == 0).unwrap_or(true);
    assert!(closed, "open connections are closed");
    p.enable().unwrap();
    let mut again = connect(&p);
    assert_eq!(round_trip(&mut again, b"ok"), b"ok");
    p.stop();
}

#[test]
fn should_delay_lost_chunks_by_a_retransmission_timeout() {
    let p = proxy();
    let mut s = connect(&p);
    round_trip(&mut s, b"warm");
    let loss = |probability| ToxicKind::Loss {
        probability,
        retransmit: Duration::from_millis(300),
    };
    p.add_toxic(Toxic::new("loss", Stream::Downstream, loss(1.0)))
        .unwrap();
    let t = Instant::now();
    assert_eq!(
        round_trip(&mut s, b"lost"),
        b"lost",
        "loss delays, it never corrupts the stream"
    );
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    p.update_toxic(Toxic::new("loss", Stream::Downstream, loss(0.0)))
        .unwrap();
    let t = Instant::now();
    round_trip(&mut s, b"kept");
    assert!(
        t.elapsed() < Duration::from_millis(250),
        "{:?}",
        t.elapsed()
    );
    p.stop();
}

#[test]
fn should_carry_a_large_upload_and_the_answer_after_a_half_close() {
    let sink = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream = sink.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = sink.accept() {
            let mut total = 0usize;
            let mut buf = [0u8; 64 * 1024];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                total += n;
            }
            let _ = s.write_all(total.to_string().as_bytes());
        }
    });
    let p = Proxy::start("upload", "127.0.0.1:0", &upstream, 1).unwrap();
    let mut s = connect(&p);
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let chunk = vec![b'U'; 256 * 1024];
    for _ in 0..256 {
        s.write_all(&chunk).unwrap();
    }
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert_eq!(
        answer,
        (256 * 256 * 1024).to_string(),
        "64 MiB arrived, then the answer came back"
    );
    p.stop();
}

#[test]
fn should_keep_every_byte_of_a_bulk_transfer_while_toxics_come_and_go() {
    // Bulk reads move the link onto its zero-copy (spliced) path; toxics switch it onto the
    // timestamped pipeline and back while 24 MB are in flight both ways.
    let p = proxy();
    let mut s = connect(&p);
    let (payload, writer) = send_in_background(&s, 24_000_000);
    let toggler = {
        let p = p.clone();
        std::thread::spawn(move || {
            for i in 0..20 {
                std::thread::sleep(Duration::from_millis(15));
                let stream = if i % 2 == 0 {
                    Stream::Upstream
                } else {
                    Stream::Downstream
                };
                let name = format!("lat{i}");
                let _ = p.add_toxic(Toxic::new(&name, stream, latency(1)));
                std::thread::sleep(Duration::from_millis(15));
                let _ = p.remove_toxic(&name);
            }
        })
    };
    let mut got = vec![0u8; payload.len()];
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    if let Err(e) = s.read_exact(&mut got) {
        // A lost chunk shows as a stall, with fewer bytes forwarded than were sent.
        let m = p.metrics();
        let count = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
        panic!(
            "{e}: forwarded {} bytes up and {} down of {}",
            count(&m.bytes_upstream),
            count(&m.bytes_downstream),
            payload.len()
        );
    }
    writer.join().unwrap();
    toggler.join().unwrap();
    assert!(
        got == payload,
        "24 MB echoed byte for byte across the switches"
    );
    p.stop();
}

#[tokio::test(flavor = "current_thread")]
async fn should_wait_for_a_held_port_without_blocking_the_runtime_when_enabling() {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    let p = proxy();
    let addr = p.listen_addr();
    p.disable();
    // Something holds the port for a moment, as a listener that is shutting down does.
    let holder = (0..100)
        .find_map(|_| {
            TcpListener::bind(addr)
                .inspect_err(|_| std::thread::sleep(Duration::from_millis(10)))
                .ok()
        })
        .expect("the disabled proxy lets go of its port");
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(holder);
    });
    let ticks = Arc::new(AtomicU32::new(0));
    let counter = ticks.clone();
    let ticker = tokio::spawn(async move {
        for _ in 0..200 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    p.enable_async()
        .await
        .expect("enabled once the port is free");
    let ticked = ticks.load(Ordering::SeqCst);
    ticker.abort();
    release.join().unwrap();
    assert!(ticked >= 5, "the runtime was blocked: {ticked} ticks");
    assert_eq!(round_trip(&mut connect(&p), b"again"), b"again");
}
