//! A timer with microsecond precision for latency toxics. Tokio's timer works in whole
//! milliseconds and its worker sleeps in `epoll_wait`, whose timeout is rounded up to the
//! next millisecond too: a 100 ms toxic then adds 100.5–102 ms. Here one thread keeps the
//! deadlines in a heap and sleeps on a condition variable to the microsecond (with the
//! kernel's timer slack for that thread set to its minimum), waking each task when its
//! time has come.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// Completes at `deadline` (soon after: by the wake-up time of a thread, not a millisecond).
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        entry: None,
    }
}

/// The future [`sleep_until`] returns.
pub struct Sleep {
    deadline: Instant,
    entry: Option<Arc<Entry>>,
}

struct Entry {
    done: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        match &self.entry {
            Some(entry) if entry.done.load(Ordering::Acquire) => Poll::Ready(()),
            Some(entry) => {
                *lock(&entry.waker) = Some(cx.waker().clone());
                // The timer may have fired between the check and the store.
                if entry.done.load(Ordering::Acquire) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }
            None => {
                let entry = Arc::new(Entry {
                    done: AtomicBool::new(false),
                    waker: Mutex::new(Some(cx.waker().clone())),
                });
                timer().add(self.deadline, entry.clone());
                self.entry = Some(entry);
                Poll::Pending
            }
        }
    }
}

/// The deadlines waiting, earliest first; an entry whose future was dropped just fires into
/// nothing when its time comes.
struct Timer {
    heap: Mutex<BinaryHeap<Reverse<Due>>>,
    changed: Condvar,
}

struct Due(Instant, Arc<Entry>);

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl Timer {
    fn add(&self, deadline: Instant, entry: Arc<Entry>) {
        let mut heap = lock(&self.heap);
        let earliest = heap.peek().is_none_or(|Reverse(d)| deadline < d.0);
        heap.push(Reverse(Due(deadline, entry)));
        drop(heap);
        if earliest {
            self.changed.notify_one();
        }
    }

    /// The timer thread: fires what is due, then sleeps until the next deadline.
    fn run(&self) {
        let _ = nix::sys::prctl::set_timerslack(1);
        let mut heap = lock(&self.heap);
        loop {
            let now = Instant::now();
            while heap.peek().is_some_and(|Reverse(d)| d.0 <= now) {
                if let Some(Reverse(Due(_, entry))) = heap.pop() {
                    entry.done.store(true, Ordering::Release);
                    if let Some(waker) = lock(&entry.waker).take() {
                        waker.wake();
                    }
                }
            }
            heap = match heap.peek().map(|Reverse(d)| d.0 - now) {
                Some(wait) => match self.changed.wait_timeout(heap, wait) {
                    Ok((heap, _)) => heap,
                    Err(poisoned) => poisoned.into_inner().0,
                },
                None => self.changed.wait(heap).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}

fn timer() -> &'static Timer {
    static TIMER: OnceLock<&'static Timer> = OnceLock::new();
    TIMER.get_or_init(|| {
        let timer: &'static Timer = Box::leak(Box::new(Timer {
            heap: Mutex::new(BinaryHeap::new()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("shakedown-timer".into())
            .spawn(move || timer.run())
            .unwrap_or_else(|e| panic!("cannot start the timer thread: {e}"));
        timer
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn wakes_each_sleep_soon_after_its_deadline_and_not_before() {
        let start = Instant::now();
        let waits = [30u64, 10, 20, 15, 25];
        let tasks: Vec<_> = waits
            .iter()
            .map(|&ms| {
                tokio::spawn(async move {
                    let deadline = start + Duration::from_millis(ms);
                    sleep_until(deadline).await;
                    Instant::now().checked_duration_since(deadline)
                })
            })
            .collect();
        for t in tasks {
            let late = t.await.unwrap().expect("not before the deadline");
            // Soon, not precisely: a loaded machine (CI, parallel builds) delays any thread by
            // milliseconds; the proxy benchmark measures the precision.
            assert!(late < Duration::from_millis(250), "late by {late:?}");
        }
    }

    #[tokio::test]
    async fn a_dropped_sleep_does_not_hold_up_the_others() {
        let start = Instant::now();
        let dropped = sleep_until(start + Duration::from_millis(5));
        tokio::select! {
            _ = dropped => panic!("the dropped sleep is not due first"),
            _ = tokio::time::sleep(Duration::from_millis(1)) => {}
        }
        sleep_until(start + Duration::from_millis(10)).await;
        assert!(start.elapsed() >= Duration::from_millis(10));
    }
}
