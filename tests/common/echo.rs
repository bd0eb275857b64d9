//! TCP echo servers on loopback: every byte received is sent back.

use std::io::{Read, Write};
use std::net::TcpListener;

/// An echo server on `127.0.0.1` that serves at most `connections` connections (so its
/// thread ends by itself); returns its address.
pub fn echo_server(connections: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 16 * 1024];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 || s.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}
