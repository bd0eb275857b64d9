//! Child processes a test starts: killed and reaped when the guard drops, so that a failing
//! test leaves nothing running; servers that print their URL on the first line.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

/// A child process, killed and reaped on drop.
pub struct Guard(pub Child);

impl Guard {
    /// Sends SIGINT (as Ctrl-C does); returns the exit code and the rest of stdout.
    pub fn interrupt(mut self) -> (Option<i32>, String) {
        let status = Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "SIGINT sent");
        let mut rest = String::new();
        if let Some(out) = self.0.stdout.as_mut() {
            let _ = out.read_to_string(&mut rest);
        }
        let code = self.0.wait().expect("the child is reaped").code();
        (code, rest)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A server process and the `http://` URL it announced.
pub struct Server {
    /// The process.
    pub process: Guard,
    /// The first `http://…` word of its first line of stdout.
    pub url: String,
}

/// Starts `command` with stdout piped and stderr discarded, and reads the URL it prints on
/// its first line.
pub fn announcing(command: &mut Command) -> Server {
    announcing_keeping_stderr(command.stderr(Stdio::null()))
}

/// [`announcing`], leaving stderr where `command` sends it.
pub fn announcing_keeping_stderr(command: &mut Command) -> Server {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout is piped"))
        .read_line(&mut line)
        .expect("the server prints its address");
    let process = Guard(child);
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in the first line: {line:?}"))
        .to_string();
    Server { process, url }
}
