//! Zero-copy forwarding between two TCP sockets through a kernel pipe (`splice(2)`): the
//! bytes of a bulk transfer never enter the proxy's memory.
//!
//! A pipe costs two file descriptors, so links take one only once they carry bulk data, and
//! at most [`MAX_PIPES`] exist at a time: idle and chatty connections keep to two
//! descriptors each, which is what lets a proxy hold many of them.

use std::io;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicUsize, Ordering};

use nix::fcntl::{fcntl, splice, FcntlArg, OFlag, SpliceFFlags};
use tokio::io::Interest;
use tokio::net::TcpStream;

/// The most pipes the process holds at once (two descriptors each).
pub const MAX_PIPES: usize = 512;

/// How much a pipe asks to hold (the kernel may grant less).
const PIPE_BYTES: i32 = 1 << 20;

/// A count of pipes in use, with a ceiling.
pub struct Budget {
    used: AtomicUsize,
    max: usize,
}

impl Budget {
    /// A budget of `max` pipes.
    pub const fn new(max: usize) -> Self {
        Budget {
            used: AtomicUsize::new(0),
            max,
        }
    }

    fn take(&self) -> bool {
        if self.used.fetch_add(1, Ordering::Relaxed) >= self.max {
            self.give_back();
            return false;
        }
        true
    }

    fn give_back(&self) {
        self.used.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The process's pipes.
pub static PIPES: Budget = Budget::new(MAX_PIPES);

/// A pipe and how many bytes it holds now.
pub struct Pipe {
    read: OwnedFd,
    write: OwnedFd,
    held: usize,
    capacity: usize,
    budget: &'static Budget,
}

impl Pipe {
    /// A new pipe counted against `budget`, or `None` when the budget is spent or the kernel
    /// refuses one (the caller then copies through memory instead).
    pub fn new(budget: &'static Budget) -> Option<Pipe> {
        if !budget.take() {
            return None;
        }
        let Ok((read, write)) = nix::unistd::pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC) else {
            budget.give_back();
            return None;
        };
        let capacity = fcntl(&write, FcntlArg::F_SETPIPE_SZ(PIPE_BYTES))
            .or_else(|_| fcntl(&write, FcntlArg::F_GETPIPE_SZ))
            .map_or(64 * 1024, |n| n as usize);
        Some(Pipe {
            read,
            write,
            held: 0,
            capacity,
            budget,
        })
    }

    /// Waits for `from` to have data and moves what it has (up to the pipe's size) into the
    /// pipe. `Ok(0)` at end of stream.
    pub async fn fill(&mut self, from: &TcpStream) -> io::Result<usize> {
        debug_assert_eq!(self.held, 0, "fill only an empty pipe");
        loop {
            from.readable().await?;
            let moved = from.try_io(Interest::READABLE, || {
                splice(from, None, &self.write, None, self.capacity, flags())
                    .map_err(io::Error::from)
            });
            match moved {
                Ok(n) => {
                    self.held = n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes everything the pipe holds to `to`.
    pub async fn drain(&mut self, to: &TcpStream) -> io::Result<()> {
        while self.held > 0 {
            to.writable().await?;
            let moved = to.try_io(Interest::WRITABLE, || {
                splice(&self.read, None, to, None, self.held, flags()).map_err(io::Error::from)
            });
            match moved {
                Ok(n) => self.held -= n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        self.budget.give_back();
    }
}

fn flags() -> SpliceFFlags {
    SpliceFFlags::SPLICE_F_MOVE | SpliceFFlags::SPLICE_F_NONBLOCK
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    async fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap());
        let (client, accepted) = tokio::join!(client, listener.accept());
        (client.unwrap(), accepted.unwrap().0)
    }

    #[tokio::test]
    async fn moves_every_byte_and_the_end_of_stream() {
        let (mut writer, from) = pair().await;
        let (to, mut reader) = pair().await;
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let sent = data.clone();
        let send = tokio::spawn(async move {
            writer.write_all(&sent).await.unwrap();
            writer.shutdown().await.unwrap();
        });
        let forward = tokio::spawn(async move {
            let mut pipe = Pipe::new(&PIPES).expect("a pipe");
            while pipe.fill(&from).await.unwrap() > 0 {
                pipe.drain(&to).await.unwrap();
            }
            drop(to);
        });
        let mut got = Vec::new();
        reader.read_to_end(&mut got).await.unwrap();
        send.await.unwrap();
        forward.await.unwrap();
        assert_eq!(got.len(), data.len());
        assert!(got == data, "bytes arrive in order and unchanged");
    }

    #[test]
    fn no_pipe_beyond_the_budget_and_one_again_after_a_drop() {
        static ONE: Budget = Budget::new(1);
        let pipe = Pipe::new(&ONE).expect("a pipe");
        assert!(pipe.capacity >= 64 * 1024);
        assert!(Pipe::new(&ONE).is_none());
        drop(pipe);
        assert!(Pipe::new(&ONE).is_some());
    }
}
