//! Busy polling (its own test binary: it shapes the process's proxy runtime, which starts
//! once): set before the first proxy, proxies work as before, an idle proxy does not spin,
//! and setting it late is refused.
#![cfg(feature = "chaos")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use shakedown::chaos::{set_busy_poll, BusyPollError, Proxy};

/// CPU seconds this process has used (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = stat.rsplit_once(')').unwrap().1;
    // Fields from the state on: utime and stime are the 12th and 13th, in ticks of 10 ms.
    let f: Vec<&str> = rest.split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

#[test]
fn should_busy_poll_only_after_traffic_and_only_if_set_before_the_first_proxy() {
    set_busy_poll(Duration::from_micros(500)).unwrap();
    let echo = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream = echo.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let (mut s, _) = echo.accept().unwrap();
        let mut b = [0u8; 1];
        while s.read_exact(&mut b).is_ok() && s.write_all(&b).is_ok() {}
    });
    let proxy = Proxy::start("spin", "127.0.0.1:0", &upstream, 1).unwrap();
    let mut s = TcpStream::connect(proxy.listen_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    for i in 0..200u8 {
        let mut b = [0u8; 1];
        s.write_all(&[i]).unwrap();
        s.read_exact(&mut b).unwrap();
        assert_eq!(b[0], i, "the proxy forwards while busy polling");
    }
    std::thread::sleep(Duration::from_millis(50));
    let before = cpu_seconds();
    std::thread::sleep(Duration::from_millis(1000));
    let idle = cpu_seconds() - before;
    assert!(
        idle < 0.2,
        "an idle proxy sleeps: {idle:.2} s of CPU in 1 s"
    );
    assert!(matches!(
        set_busy_poll(Duration::from_micros(100)),
        Err(BusyPollError::TooLate)
    ));
    proxy.stop();
}
