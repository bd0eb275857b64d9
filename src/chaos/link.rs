//! A link: one direction of one proxied connection. A reader stamps chunks with their
//! arrival time; a writer applies the direction's toxics in order and forwards them. Every
//! wait can be interrupted by a change of toxics, and a chunk in hand is never dropped by a
//! reconfiguration.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rand::rngs::StdRng;
use rand::RngExt as _;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::tcp::{ReadHalf, WriteHalf};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::busy_poll;
use super::splice::{Pipe, PIPES};
use super::timer;
use super::toxic::{Stream, Toxic, ToxicKind};

/// A read this large (a full buffer) means a bulk transfer: the link moves on to splicing
/// through a pipe. Also the size of the copy buffer.
const BULK: usize = 64 * 1024;

/// A chunk of data and when it arrived.
struct Chunk {
    data: Bytes,
    at: Instant,
}

/// How a link ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkEnd {
    /// The source closed; the sink was closed in turn.
    Closed,
    /// A toxic (timeout, limit_data) closed the connection.
    Cut,
    /// A reset_peer toxic fired: the connection is to be reset.
    Reset,
    /// An I/O error ended it.
    Failed,
}

/// What a link needs from its connection.
pub struct LinkContext {
    /// The direction.
    pub stream: Stream,
    /// The proxy's current toxics.
    pub toxics: watch::Receiver<Arc<Vec<Toxic>>>,
    /// Decides, once per toxic name, whether this connection gets it (toxicity).
    pub roll: Box<dyn FnMut(&Toxic) -> bool + Send>,
    /// Randomness for jitter and slicing (seeded by the proxy).
    pub rng: StdRng,
    /// Bytes forwarded, for metrics.
    pub bytes: Arc<AtomicU64>,
}

/// Pumps `source` into `sink` through the toxics until the source closes or a toxic ends it.
/// On a clean end the sink is shut down (FIN); otherwise it is left for the caller to close
/// (or reset).
///
/// While no toxic applies, bytes are copied straight through (the fast path; spliced without
/// entering user space once the link carries bulk data); as soon as one does, chunks go
/// through the timestamped pipeline, and back once the toxics are gone and the pipeline is
/// empty. No byte is dropped by a switch.
pub async fn run(
    mut source: ReadHalf<'_>,
    mut sink: WriteHalf<'_>,
    mut ctx: LinkContext,
) -> LinkEnd {
    let mut state = State::default();
    let mut buf = vec![0u8; BULK];
    let mut pipe = None;
    loop {
        let clean = copy_while_clean(&mut source, &mut sink, &mut ctx, &mut buf, &mut pipe);
        if let Some(end) = clean.await {
            return end;
        }
        if let Some(end) = pipeline(&mut source, &mut sink, &mut ctx, &mut state).await {
            return end;
        }
    }
}

/// The fast path: copies while this link has no active toxic. `None` when a toxic became
/// active (nothing is held back), `Some` when the link ended.
async fn copy_while_clean(
    source: &mut ReadHalf<'_>,
    sink: &mut WriteHalf<'_>,
    ctx: &mut LinkContext,
    buf: &mut [u8],
    pipe: &mut Option<Pipe>,
) -> Option<LinkEnd> {
    if has_active_toxics(ctx) {
        return None;
    }
    loop {
        // Toxics are looked at again only when they change: nothing else on the hot path.
        let read = tokio::select! {
            biased;
            _ = changed(&mut ctx.toxics) => {
                if has_active_toxics(ctx) {
                    return None;
                }
                continue;
            }
            read = take_in(source, buf, pipe) => read,
        };
        let n = match read {
            Ok(0) | Err(_) => {
                let _ = sink.shutdown().await;
                return Some(LinkEnd::Closed);
            }
            Ok(n) => n,
        };
        let sent = match pipe {
            Some(pipe) => pipe.drain(sink.as_ref()).await,
            None => sink.write_all(&buf[..n]).await,
        };
        if sent.is_err() {
            return Some(LinkEnd::Failed);
        }
        ctx.bytes.fetch_add(n as u64, Ordering::Relaxed);
        busy_poll::traffic();
        if pipe.is_none() && n >= BULK {
            *pipe = Pipe::new(&PIPES);
        }
    }
}

/// The next bytes from `source`: into the pipe when the link has one, into `buf` otherwise.
async fn take_in(
    source: &mut ReadHalf<'_>,
    buf: &mut [u8],
    pipe: &mut Option<Pipe>,
) -> std::io::Result<usize> {
    match pipe {
        Some(pipe) => pipe.fill(source.as_ref()).await,
        None => source.read(buf).await,
    }
}

/// The toxic path: a reader stamps chunks, the writer applies the toxics. `None` once no
/// toxic applies and every chunk read has been written, `Some` when the link ended.
async fn pipeline<R, W>(
    source: &mut R,
    sink: &mut W,
    ctx: &mut LinkContext,
    state: &mut State,
) -> Option<LinkEnd>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (tx, mut rx) = mpsc::channel::<Chunk>(64);
    // True while the reader holds a chunk it has read but not yet queued: a send can wait
    // even on a channel with room (tokio's cooperative budget), and that chunk must not be
    // dropped by a switch back to the fast path.
    let holding = &AtomicBool::new(false);
    let reader = async move {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match source.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    busy_poll::traffic();
                    holding.store(true, Ordering::Relaxed);
                    let chunk = Chunk {
                        data: Bytes::copy_from_slice(&buf[..n]),
                        at: Instant::now(),
                    };
                    if tx.send(chunk).await.is_err() {
                        return;
                    }
                    holding.store(false, Ordering::Relaxed);
                }
            }
        }
    };
    let writer = async {
        loop {
            let active = active_toxics(ctx);
            if let Some(end) = state.deadline_passed(&active) {
                return Some(end);
            }
            if active.is_empty() && rx.is_empty() && !holding.load(Ordering::Relaxed) {
                // Clean again, nothing in flight: back to the fast path.
                return None;
            }
            tokio::select! {
                chunk = rx.recv() => match chunk {
                    Some(chunk) => {
                        if let Some(end) = forward(chunk, sink, ctx, state, active).await {
                            return Some(end);
                        }
                    }
                    None => {
                        slow_close(ctx).await;
                        let _ = sink.shutdown().await;
                        return Some(LinkEnd::Closed);
                    }
                },
                _ = changed(&mut ctx.toxics) => continue,
                _ = state.sleep_until_deadline(&active) => continue,
            }
        }
    };
    tokio::pin!(reader, writer);
    let mut reading = true;
    loop {
        tokio::select! {
            _ = &mut reader, if reading => reading = false,
            end = &mut writer => return end,
        }
    }
}

/// Per-link bookkeeping across chunks.
#[derive(Default)]
struct State {
    forwarded: u64,
    /// When a timeout or reset_peer toxic became active on this link.
    armed: Option<(String, Instant)>,
}

impl State {
    /// The end a timeout/reset_peer toxic forces once its time has come.
    fn deadline_passed(&mut self, active: &[Toxic]) -> Option<LinkEnd> {
        let (name, since) = self.arm(active)?;
        let toxic = active.iter().find(|t| t.name == name)?;
        let (timeout, end) = match toxic.kind {
            ToxicKind::Timeout { timeout } => (timeout, LinkEnd::Cut),
            ToxicKind::ResetPeer { timeout } => (timeout, LinkEnd::Reset),
            _ => return None,
        };
        let fires = !(toxic.kind.type_name() == "timeout" && timeout.is_zero());
        (fires && Instant::now() >= since + timeout).then_some(end)
    }

    fn arm(&mut self, active: &[Toxic]) -> Option<(String, Instant)> {
        let current = active.iter().find(|t| {
            matches!(
                t.kind,
                ToxicKind::Timeout { .. } | ToxicKind::ResetPeer { .. }
            )
        });
        match (current, &self.armed) {
            (None, _) => self.armed = None,
            (Some(t), Some((n, _))) if *n == t.name => {}
            (Some(t), _) => self.armed = Some((t.name.clone(), Instant::now())),
        }
        self.armed.clone()
    }

    async fn sleep_until_deadline(&self, active: &[Toxic]) {
        let deadline = self.armed.as_ref().and_then(|(name, since)| {
            active
                .iter()
                .find(|t| &t.name == name)
                .and_then(|t| match t.kind {
                    ToxicKind::Timeout { timeout } if !timeout.is_zero() => Some(*since + timeout),
                    ToxicKind::ResetPeer { timeout } => Some(*since + timeout),
                    _ => None,
                })
        });
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    }
}

/// Completes when the toxics change; never, once the proxy that owns them is gone (so that a
/// select on it cannot spin).
async fn changed(toxics: &mut watch::Receiver<Arc<Vec<Toxic>>>) {
    if toxics.changed().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// True when a toxic of this link's direction applies to this connection (no allocation:
/// this runs once per read on the fast path).
fn has_active_toxics(ctx: &mut LinkContext) -> bool {
    let all = ctx.toxics.borrow_and_update().clone();
    all.iter().any(|t| t.stream == ctx.stream && (ctx.roll)(t))
}

/// The toxics of this link's direction that this connection rolled into.
fn active_toxics(ctx: &mut LinkContext) -> Vec<Toxic> {
    let all = ctx.toxics.borrow_and_update().clone();
    all.iter()
        .filter(|t| t.stream == ctx.stream)
        .filter(|t| (ctx.roll)(t))
        .cloned()
        .collect()
}

/// Applies the toxics to one chunk and writes it; `Some` when the link must end. `active`
/// are the toxics as the caller last read them; they are read again only when they change.
async fn forward<W: AsyncWrite + Unpin>(
    chunk: Chunk,
    sink: &mut W,
    ctx: &mut LinkContext,
    state: &mut State,
    mut active: Vec<Toxic>,
) -> Option<LinkEnd> {
    let mut data = chunk.data;
    // The caller's toxics may be stale if they changed as the chunk arrived; after a wait
    // below that ended with a change, they are.
    let mut stale = ctx.toxics.has_changed().unwrap_or(false);
    loop {
        if std::mem::replace(&mut stale, true) {
            active = active_toxics(ctx);
        }
        if active
            .iter()
            .any(|t| matches!(t.kind, ToxicKind::Timeout { .. }))
        {
            // Data is held while a timeout toxic is active; closing comes from its deadline.
            tokio::select! {
                _ = changed(&mut ctx.toxics) => continue,
                _ = state.sleep_until_deadline(&active) => return state.deadline_passed(&active).or(Some(LinkEnd::Cut)),
            }
        }
        if let Some(wait) = latency(&active, chunk.at, &mut ctx.rng) {
            tokio::select! {
                _ = timer::sleep_until(wait.into_std()) => {}
                _ = changed(&mut ctx.toxics) => continue,
            }
        }
        if let Some(limit) = active.iter().find_map(|t| {
            if let ToxicKind::LimitData { bytes } = t.kind {
                Some(bytes)
            } else {
                None
            }
        }) {
            let room = limit.saturating_sub(state.forwarded) as usize;
            if room < data.len() {
                let _ = write_paced(sink, data.slice(..room), &active, ctx).await;
                state.forwarded += room as u64;
                return Some(LinkEnd::Cut);
            }
        }
        state.forwarded += data.len() as u64;
        return match write_paced(sink, std::mem::take(&mut data), &active, ctx).await {
            Ok(()) => None,
            Err(_) => Some(LinkEnd::Failed),
        };
    }
}

/// When a chunk that arrived `at` may leave, under latency toxics.
fn latency(active: &[Toxic], at: Instant, rng: &mut StdRng) -> Option<Instant> {
    let mut total = Duration::ZERO;
    for t in active {
        match t.kind {
            ToxicKind::Latency { latency, jitter } => {
                let j = i64::try_from(jitter.as_micros()).unwrap_or(i64::MAX);
                let spread = if j > 0 { rng.random_range(-j..=j) } else { 0 };
                let base = i64::try_from(latency.as_micros()).unwrap_or(i64::MAX);
                let micros = base.saturating_add(spread).max(0) as u64;
                total = total.saturating_add(Duration::from_micros(micros));
            }
            ToxicKind::Loss {
                probability,
                retransmit,
            } if rng.random::<f64>() < probability => total = total.saturating_add(retransmit),
            _ => {}
        }
    }
    // A departure beyond the clock's range waits "forever" (a day at a time) rather than
    // panicking; the API refuses such toxics anyway.
    (!total.is_zero()).then(|| {
        at.checked_add(total)
            .unwrap_or_else(|| at + Duration::from_secs(24 * 60 * 60))
    })
}

/// Writes data, sliced and rate-limited as the toxics say.
async fn write_paced<W: AsyncWrite + Unpin>(
    sink: &mut W,
    data: Bytes,
    active: &[Toxic],
    ctx: &mut LinkContext,
) -> std::io::Result<()> {
    let slicer = active.iter().find_map(|t| match t.kind {
        ToxicKind::Slicer {
            average_size,
            size_variation,
            delay,
        } if average_size > 0 => Some((average_size, size_variation, delay)),
        _ => None,
    });
    let rate = active
        .iter()
        .find_map(|t| {
            if let ToxicKind::Bandwidth { rate } = t.kind {
                Some(rate)
            } else {
                None
            }
        })
        .filter(|r| *r > 0);
    let mut rest = data;
    let started = Instant::now();
    let mut sent = 0usize;
    while !rest.is_empty() {
        let size = piece_size(slicer, rate, rest.len(), &mut ctx.rng);
        let piece = rest.split_to(size);
        if let Some(rate) = rate {
            // Bytes already sent decide when the next piece may go: rate KB/s, paced in slices.
            tokio::time::sleep_until(
                started + Duration::from_secs_f64(sent as f64 / (rate as f64 * 1000.0)),
            )
            .await;
        }
        sink.write_all(&piece).await?;
        sink.flush().await?;
        sent += piece.len();
        ctx.bytes.fetch_add(piece.len() as u64, Ordering::Relaxed);
        if let Some((_, _, delay)) = slicer.filter(|_| !rest.is_empty()) {
            tokio::time::sleep(delay).await;
        }
    }
    Ok(())
}

/// The next piece: a slicer's size, or about 20 ms worth of bandwidth, or all of it.
fn piece_size(
    slicer: Option<(usize, usize, Duration)>,
    rate: Option<u64>,
    left: usize,
    rng: &mut StdRng,
) -> usize {
    // The API takes any u64 for sizes and rates: the arithmetic saturates rather than
    // overflow (a panic in debug builds, a wrap to nonsense in release).
    let size = match (slicer, rate) {
        (Some((avg, var, _)), _) => {
            let avg = i64::try_from(avg).unwrap_or(i64::MAX);
            let v = i64::try_from(var)
                .unwrap_or(i64::MAX)
                .min(avg.saturating_sub(1));
            let spread = if v > 0 { rng.random_range(-v..=v) } else { 0 };
            usize::try_from(avg.saturating_add(spread).max(1)).unwrap_or(usize::MAX)
        }
        (None, Some(rate)) => usize::try_from(rate.saturating_mul(1000) / 50)
            .unwrap_or(usize::MAX)
            .max(1),
        (None, None) => left,
    };
    size.min(left)
}

async fn slow_close(ctx: &mut LinkContext) {
    let active = active_toxics(ctx);
    if let Some(delay) = active.iter().find_map(|t| {
        if let ToxicKind::SlowClose { delay } = t.kind {
            Some(delay)
        } else {
            None
        }
    }) {
        tokio::time::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chaos::Stream;
    use rand::SeedableRng as _;

    fn toxic(kind: ToxicKind) -> Toxic {
        Toxic::new("t", Stream::Downstream, kind)
    }

    #[test]
    fn a_departure_beyond_the_clock_neither_panics_nor_wraps_to_no_delay() {
        let mut rng = StdRng::seed_from_u64(1);
        let now = Instant::now();
        let huge = [
            toxic(ToxicKind::Latency {
                latency: Duration::MAX,
                jitter: Duration::MAX,
            }),
            toxic(ToxicKind::Latency {
                latency: Duration::from_secs(u64::MAX / 4),
                jitter: Duration::ZERO,
            }),
        ];
        for _ in 0..100 {
            let leaves = latency(&huge, now, &mut rng).expect("a delay");
            assert!(
                leaves >= now + Duration::from_secs(60 * 60),
                "{:?}",
                leaves - now
            );
        }
    }

    #[test]
    fn pieces_of_huge_slicer_sizes_and_rates_neither_overflow_nor_vanish() {
        let mut rng = StdRng::seed_from_u64(1);
        let no_delay = Duration::ZERO;
        for _ in 0..100 {
            let huge = Some((usize::MAX, usize::MAX, no_delay));
            assert_eq!(piece_size(huge, None, 10, &mut rng), 10);
            let near = Some((i64::MAX as usize, i64::MAX as usize - 1, no_delay));
            assert!((1..=10).contains(&piece_size(near, None, 10, &mut rng)));
        }
        assert_eq!(piece_size(None, Some(u64::MAX), 10, &mut rng), 10);
        assert_eq!(piece_size(None, Some(1), 10, &mut rng), 10);
        assert_eq!(piece_size(None, Some(1), 100, &mut rng), 20);
    }
}
