//! What the probe saw, raw: every chunk and event with its arrival time, every
//! WebSocket exchange. The measuring tasks fill it in as they go (so Ctrl-C can
//! report what was measured so far); `analyze` turns it into findings.

use super::net::ConnInfo;
use super::schedule::Schedule;
use std::sync::{Arc, Mutex, MutexGuard};

/// Observations shared between the measuring tasks, the progress line and Ctrl-C.
#[derive(Debug, Clone, Default)]
pub struct Shared(Arc<Mutex<Observations>>);

impl Shared {
    pub fn new(o: Observations) -> Self {
        Shared(Arc::new(Mutex::new(o)))
    }

    /// The observations (a panicked task cannot poison them for the others).
    pub fn lock(&self) -> MutexGuard<'_, Observations> {
        match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn snapshot(&self) -> Observations {
        self.lock().clone()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Observations {
    pub url: String,
    pub proxy: Option<String>,
    pub max_idle_s: f64,
    /// When the probe started, client clock, ms since the epoch.
    pub started_epoch_ms: f64,
    /// The scheduled (or, against another endpoint, the only) SSE stream.
    pub main: Option<StreamObs>,
    /// A stream kept busy to tell lifetime caps from idle timeouts.
    pub busy: Option<StreamObs>,
    /// Why the busy stream could not be opened.
    pub busy_error: Option<String>,
    pub poll: Option<PollObs>,
    pub ws: Option<WsObs>,
    /// What each task is waiting for now (the progress line).
    pub waiting: Vec<Waiting>,
    /// Ctrl-C ended the probe early.
    pub interrupted: bool,
    /// How long the probe ran (ms).
    pub elapsed_ms: f64,
}

/// One task's wait: what, since when (ms since the start), for how long at most.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub task: &'static str,
    pub what: String,
    pub since_ms: f64,
    pub for_s: Option<f64>,
}

impl Observations {
    pub fn set_waiting(
        &mut self,
        task: &'static str,
        what: String,
        now_ms: f64,
        for_s: Option<f64>,
    ) {
        self.waiting.retain(|w| w.task != task);
        self.waiting.push(Waiting {
            task,
            what,
            since_ms: now_ms,
            for_s,
        });
    }

    pub fn done_waiting(&mut self, task: &'static str) {
        self.waiting.retain(|w| w.task != task);
    }
}

/// One SSE stream.
#[derive(Debug, Clone, Default)]
pub struct StreamObs {
    pub status: u16,
    pub version: String,
    /// Response headers, names lower-case, in arrival order.
    pub headers: Vec<(String, String)>,
    pub conn: ConnInfo,
    /// When the response headers arrived (ms since the probe start).
    pub headers_ms: f64,
    /// The schedule the reference endpoint announced (None: another endpoint).
    pub schedule: Option<Schedule>,
    /// The response headers the probe endpoint sent (names lower-case).
    pub sent_headers: Vec<(String, String)>,
    /// The schedule event's send time (server clock, ms since the epoch).
    pub schedule_sent_ms: Option<f64>,
    pub chunks: Vec<Chunk>,
    pub events: Vec<EventObs>,
    pub end: Option<StreamEnd>,
}

impl StreamObs {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chunk {
    pub at_ms: f64,
    pub bytes: usize,
}

/// One parsed event.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventObs {
    pub at_ms: f64,
    pub kind: String,
    pub seq: Option<u64>,
    /// Server clock, ms since the epoch (probe endpoint only).
    pub sent_ms: Option<f64>,
    /// Bytes of the event on the wire.
    pub bytes: usize,
    pub after_silence_s: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StreamEnd {
    pub at_ms: f64,
    pub how: EndKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EndKind {
    /// The schedule's `done` event arrived.
    Done,
    /// The connection closed (cleanly or not) before the schedule ended.
    Cut(String),
    /// The probe stopped reading (enough seen, or its own deadline).
    Stopped,
}

/// The plain polling endpoint.
#[derive(Debug, Clone, Default)]
pub struct PollObs {
    pub status: u16,
    pub version: String,
    pub rtt_ms: Vec<f64>,
    pub headers: Vec<(String, String)>,
    /// The HTTP version the origin saw.
    pub origin_version: Option<String>,
    /// `Via`, `X-Forwarded-*`, … as they reached the origin.
    pub origin_headers: Vec<(String, String)>,
    pub error: Option<String>,
}

/// The WebSocket endpoint.
#[derive(Debug, Clone, Default)]
pub struct WsObs {
    pub url: String,
    /// The Upgrade passed (101 and a valid accept key).
    pub upgraded: bool,
    /// The status answered instead of 101, or a refused CONNECT tunnel.
    pub refused_status: Option<u16>,
    pub refused_by_proxy: bool,
    pub error: Option<String>,
    /// The endpoint is the probe's echo (it answers with server timestamps).
    pub echo: bool,
    pub rtt_ms: Vec<f64>,
    /// Message sizes that came back intact, and the first that did not.
    pub passed_sizes: Vec<usize>,
    pub failed_size: Option<usize>,
    /// Silences survived (s), and the cut: seconds after the last frame.
    pub survived_s: Vec<f64>,
    pub cut_after_s: Option<f64>,
    pub cut_in_silence_s: Option<f64>,
    /// The connection's age at the cut (s), to tell a lifetime cap from idleness.
    pub cut_age_s: Option<f64>,
    pub close_codes: Vec<u16>,
    /// The schedule of silences ran to its end.
    pub finished: bool,
}
