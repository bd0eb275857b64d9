//! The recorder: stamps events with the time since the run began, keeps them for the
//! journal, and tells the live view.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::report::{Event, EventKind};

/// Something that wants to see events as they happen (the live view).
pub type Listener = Arc<dyn Fn(&Event) + Send + Sync>;

/// Collects the events of one run. Cheap to clone; clones share the journal.
#[derive(Clone)]
pub struct Recorder {
    start: Instant,
    events: Arc<Mutex<Vec<Event>>>,
    listener: Option<Listener>,
}

impl Recorder {
    /// A recorder whose clock starts now.
    pub fn new(listener: Option<Listener>) -> Self {
        Recorder {
            start: Instant::now(),
            events: Arc::default(),
            listener,
        }
    }

    /// Milliseconds since the start.
    pub fn now_ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }

    /// Milliseconds from the start to `t`.
    pub fn ms_at(&self, t: Instant) -> f64 {
        t.saturating_duration_since(self.start).as_secs_f64() * 1000.0
    }

    /// Records an event now.
    pub fn record(&self, what: EventKind) {
        self.record_at(self.now_ms(), what);
    }

    /// Records an event at a given time.
    pub fn record_at(&self, at_ms: f64, what: EventKind) {
        let event = Event { at_ms, what };
        if let Some(l) = &self.listener {
            l(&event);
        }
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.push(event);
    }

    /// Every event so far, in time order.
    pub fn events(&self) -> Vec<Event> {
        let mut events = self
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        events.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms));
        events
    }
}
