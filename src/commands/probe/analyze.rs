//! From raw observations to findings: pure functions, no I/O.

use super::net::TlsInfo;
use super::observe::{EndKind, EventObs, Observations, StreamObs, WsObs};
use crate::profile::InlineHop;
use crate::rules::Knowledge;
use serde::Serialize;

/// The probe's report: JSON v1 of `rtadvisor probe`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProbeReport {
    pub format_version: u32,
    pub url: String,
    /// `probe-serve` (the reference endpoint's schedule) or `other` (any endpoint).
    pub endpoint: &'static str,
    pub proxy: Option<String>,
    pub max_idle_s: f64,
    pub elapsed_s: f64,
    pub interrupted: bool,
    pub protocol: Protocol,
    pub buffering: Buffering,
    pub idle: Idle,
    pub lifetime: Lifetime,
    pub websocket: WebSocket,
    pub findings: Vec<Finding>,
    /// Each fact about the path, and whether it was measured, assumed or not known.
    pub facts: Vec<Fact>,
    /// The inline hop `--save-hop` writes.
    pub hop: InlineHop,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Protocol {
    pub status: Option<u16>,
    pub http_version: Option<String>,
    pub tls: Option<TlsInfo>,
    /// HTTP/2 between the client and the first hop (what browsers get).
    pub http2: Option<bool>,
    /// The HTTP version that reached the origin (probe endpoint only).
    pub origin_http_version: Option<String>,
    /// Response headers that matter for streaming, as they reached the client.
    pub headers: Vec<(String, String)>,
    /// Request headers that reached the origin and name the hops (`Via`, …).
    pub origin_saw: Vec<(String, String)>,
    pub time_to_headers_ms: Option<f64>,
    pub time_to_first_event_ms: Option<f64>,
    pub poll_rtt_ms: Option<Percentiles>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Events held until a buffer fills or the stream ends (half a second or more).
    Buffers,
    /// Events merged and held briefly (100–500 ms): small writes coalesced on a hop.
    Delays,
    Streams,
    Unknown,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Buffering {
    pub verdict: Verdict,
    pub events: usize,
    /// Delay of each event against the schedule (the best-delivered event is 0).
    pub delay_ms: Option<Percentiles>,
    /// The most bytes that arrived at once after being held.
    pub bytes_held: usize,
    /// Events that arrived together though sent apart (the largest such group).
    pub largest_release: usize,
    /// The hop the response headers point at (`nginx`, `Varnish`, …).
    pub likely_hop: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Idle {
    /// The silence after which the path cut the stream (s).
    pub timeout_s: Option<f64>,
    /// Which stream it was measured on: `sse` or `websocket` (the smaller wins).
    pub measured_on: Option<&'static str>,
    pub sse_timeout_s: Option<f64>,
    pub websocket_timeout_s: Option<f64>,
    /// The longest silence that was survived (s).
    pub survived_s: Option<f64>,
    /// A heartbeat interval strictly under the timeout.
    pub heartbeat_s: Option<f64>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Lifetime {
    /// A cut at a fixed age whatever the traffic (s).
    pub cap_s: Option<f64>,
    /// How long a busy stream was watched without a cut (s).
    pub watched_s: Option<f64>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WebSocket {
    pub url: Option<String>,
    /// `passes`, `blocked`, `failed` or `not-tried`.
    pub upgrade: &'static str,
    pub status: Option<u16>,
    pub rtt_ms: Option<Percentiles>,
    pub largest_message_bytes: Option<usize>,
    pub failed_message_bytes: Option<usize>,
    pub close_codes: Vec<u16>,
    pub note: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub n: usize,
}

/// How bad a finding is: `breaks` fails the probe (exit 1).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Breaks,
    Warn,
    Info,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    pub text: String,
    pub fix: Option<String>,
}

/// How a fact is known.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    Measured,
    Assumed,
    NotKnown,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fact {
    /// The inline-hop field it feeds (`buffers`, `idle_timeout_s`, …) or a topic.
    pub field: &'static str,
    pub value: String,
    pub basis: Basis,
    pub how: String,
}

/// Percentiles by nearest rank.
pub fn percentiles(values: &[f64]) -> Option<Percentiles> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let i = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
        round1(v[i])
    };
    Some(Percentiles {
        p50: rank(0.50),
        p90: rank(0.90),
        p99: rank(0.99),
        max: round1(v[v.len() - 1]),
        n: v.len(),
    })
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// An event this late (ms, against the best-delivered one) was held by a buffer.
const BUFFERED_MS: f64 = 500.0;
/// An event this late was held briefly (write coalescing, Nagle).
const DELAYED_MS: f64 = 100.0;

/// A cut this soon (s) after the last byte is not an idle timeout.
const MIN_IDLE_S: f64 = 0.2;

/// Response headers worth showing, in this order.
const SHOWN_HEADERS: &[&str] = &[
    "content-type",
    "cache-control",
    "content-encoding",
    "x-accel-buffering",
    "transfer-encoding",
    "via",
    "server",
    "x-varnish",
    "x-cache",
    "age",
];

/// The hop a response's headers point at: (knowledge hop id if any, display name).
pub fn likely_hop(headers: &[(String, String)]) -> Option<(Option<&'static str>, String)> {
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let via = get("via").unwrap_or_default();
    let server = get("server").unwrap_or_default();
    if get("x-varnish").is_some() || via.contains("varnish") {
        return Some((None, "Varnish".into()));
    }
    if via.contains("squid") || server.contains("squid") {
        return Some((Some("corporate-proxy"), "Squid (a forward proxy)".into()));
    }
    if get("cf-ray").is_some() || server == "cloudflare" {
        return Some((Some("cloudflare"), "Cloudflare".into()));
    }
    if get("x-amz-cf-id").is_some() {
        return Some((Some("cloudfront"), "CloudFront".into()));
    }
    if get("x-azure-ref").is_some() {
        return Some((Some("azure-front-door"), "Azure Front Door".into()));
    }
    if server.starts_with("awselb") {
        return Some((Some("aws-alb"), "AWS ALB".into()));
    }
    if server.starts_with("nginx") {
        return Some((Some("nginx"), "nginx".into()));
    }
    if server.starts_with("caddy") || via.contains("caddy") {
        return Some((None, "Caddy".into()));
    }
    if server.starts_with("envoy") {
        return Some((Some("envoy"), "Envoy".into()));
    }
    if server.contains("haproxy") {
        return Some((Some("haproxy"), "HAProxy".into()));
    }
    None
}

/// The offset from the server's clock to the client's (ms), from the best-delivered
/// event or the response headers (which even a buffering hop passes at once).
fn clock_offset(o: &Observations, s: &StreamObs) -> Option<f64> {
    let mut best: Option<f64> = None;
    for e in &s.events {
        if let Some(sent) = e.sent_ms {
            let d = o.started_epoch_ms + e.at_ms - sent;
            best = Some(best.map_or(d, |b: f64| b.min(d)));
        }
    }
    if let Some(sent) = s.schedule_sent_ms {
        let d = o.started_epoch_ms + s.headers_ms - sent;
        best = Some(best.map_or(d, |b: f64| b.min(d)));
    }
    best
}

/// Groups events that arrived together (within 5 ms).
fn releases(events: &[&EventObs]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if g.last().is_some_and(|&j| e.at_ms - events[j].at_ms <= 5.0) => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    groups
}

fn buffering(o: &Observations, knowledge: &Knowledge) -> Buffering {
    let hop = o
        .main
        .as_ref()
        .and_then(|m| likely_hop(&m.headers))
        .map(|(_, n)| n);
    let mut b = Buffering {
        verdict: Verdict::Unknown,
        events: 0,
        delay_ms: None,
        bytes_held: 0,
        largest_release: 0,
        likely_hop: hop,
        note: String::new(),
    };
    let Some(m) = &o.main else {
        b.note = "no SSE stream was opened".into();
        return b;
    };
    if m.header("content-encoding")
        .is_some_and(|e| !e.eq_ignore_ascii_case("identity"))
    {
        b.note = "the stream came compressed, so its events could not be read; compression makes hops and servers hold bytes until a block fills".into();
        b.verdict = Verdict::Buffers;
        return b;
    }
    let _ = knowledge;
    match &m.schedule {
        Some(s) if s.busy_ms.is_none() => {
            let burst: Vec<&EventObs> = m
                .events
                .iter()
                .filter(|e| e.kind == "burst" || e.kind == "tick")
                .collect();
            b.events = burst.len();
            let Some(offset) = clock_offset(o, m) else {
                b.note = "no timestamped event arrived".into();
                return b;
            };
            let delays: Vec<f64> = burst
                .iter()
                .filter_map(|e| {
                    e.sent_ms
                        .map(|sent| o.started_epoch_ms + e.at_ms - sent - offset)
                })
                .collect();
            b.delay_ms = percentiles(&delays);
            let gap = s.burst_gap_ms.max(1) as f64;
            let mut held = 0usize;
            let mut largest = 0usize;
            for g in releases(&burst) {
                let sent: Vec<f64> = g.iter().filter_map(|&i| burst[i].sent_ms).collect();
                let span = sent.iter().copied().fold(f64::MIN, f64::max)
                    - sent.iter().copied().fold(f64::MAX, f64::min);
                if g.len() >= 2 && span >= 2.0 * gap {
                    held = held.max(g.iter().map(|&i| burst[i].bytes).sum());
                    largest = largest.max(g.len());
                }
            }
            b.bytes_held = held;
            b.largest_release = largest;
            let max_delay = b.delay_ms.map_or(0.0, |p| p.max);
            let got_burst = burst.iter().filter(|e| e.kind == "burst").count();
            if got_burst == 0 {
                let end = m.end.as_ref().map_or(o.elapsed_ms, |e| e.at_ms);
                let waited = (end - m.headers_ms) / 1000.0;
                if waited >= (s.burst as f64 * gap / 1000.0) + 1.0 {
                    b.verdict = Verdict::Buffers;
                    b.note = format!(
                        "none of the {} burst events arrived in {waited:.1} s: the path holds the stream",
                        s.burst
                    );
                } else {
                    b.note = "the stream ended before the burst arrived".into();
                }
            } else if max_delay >= BUFFERED_MS {
                b.verdict = Verdict::Buffers;
                b.note = format!(
                    "events sent {gap:.0} ms apart arrived late and in bursts: up to {largest} at once ({held} bytes held), {:.1} s late at worst",
                    max_delay / 1000.0
                );
            } else if max_delay >= DELAYED_MS {
                b.verdict = Verdict::Delays;
                b.note = format!(
                    "events were held up to {max_delay:.0} ms and merged (up to {largest} at once, {held} bytes): a hop coalesces small writes, but no buffer holds the stream"
                );
            } else {
                b.verdict = Verdict::Streams;
                b.note = format!(
                    "each event arrived as it was sent (worst {max_delay:.0} ms behind the best one)"
                );
            }
        }
        _ => {
            // Another endpoint: no schedule, only arrival patterns.
            let evs: Vec<&EventObs> = m.events.iter().filter(|e| e.kind != "comment").collect();
            b.events = evs.len();
            let groups = releases(&evs);
            let largest = groups.iter().map(Vec::len).max().unwrap_or(0);
            b.largest_release = if largest >= 2 { largest } else { 0 };
            b.note = if evs.is_empty() {
                "no event arrived, so buffering could not be judged".into()
            } else if evs.len() < 5 {
                format!(
                    "{} event{} arrived: too few to judge buffering without the probe's schedule",
                    evs.len(),
                    if evs.len() == 1 { "" } else { "s" }
                )
            } else if largest >= 5 {
                format!("{largest} events arrived within 5 ms of each other: a buffer on the path, or a server that writes them together (without the probe's schedule this cannot be told apart)")
            } else {
                "events arrived spread out; without the probe's schedule a small buffer cannot be ruled out".into()
            };
        }
    }
    b
}

/// The SSE idle timeout: (timeout, longest silence survived, note, was it a cut at all).
fn sse_idle(o: &Observations, m: &StreamObs) -> (Option<f64>, Option<f64>, String) {
    let Some(s) = m.schedule.as_ref().filter(|s| s.busy_ms.is_none()) else {
        // Another endpoint: the longest gap survived, and any cut after silence.
        let mut last = m.headers_ms;
        let mut longest: f64 = 0.0;
        for c in &m.chunks {
            longest = longest.max(c.at_ms - last);
            last = c.at_ms;
        }
        return match &m.end {
            Some(e) if matches!(e.how, EndKind::Cut(_)) && (e.at_ms - last) / 1000.0 < MIN_IDLE_S => (
                None,
                Some(longest / 1000.0),
                format!(
                    "the endpoint ended the response itself, {:.1} s after it opened: a stream that ends on its own says nothing about idle timeouts",
                    (e.at_ms - m.headers_ms) / 1000.0
                ),
            ),
            Some(e) if matches!(e.how, EndKind::Cut(_)) => {
                let gap = (e.at_ms - last) / 1000.0;
                (
                    None,
                    Some(longest / 1000.0),
                    format!(
                        "the stream was cut {gap:.1} s after its last byte, at {:.1} s of age: an idle timeout of about {gap:.1} s or a lifetime cap; without the probe's schedule it cannot be told which",
                        (e.at_ms - m.headers_ms) / 1000.0
                    ),
                )
            }
            _ => (
                None,
                Some(longest / 1000.0),
                format!(
                    "the stream survived gaps of up to {:.1} s; the endpoint chose its silences, so longer ones were not tried",
                    longest / 1000.0
                ),
            ),
        };
    };
    let survived = m
        .events
        .iter()
        .filter(|e| e.kind == "tick")
        .filter_map(|e| e.after_silence_s)
        .fold(None, |a: Option<f64>, x| Some(a.map_or(x, |a| a.max(x))));
    match &m.end {
        Some(e) if e.how == EndKind::Done => (
            None,
            survived,
            format!(
                "no idle timeout up to {} s (the longest silence tried)",
                s.silences_s.iter().copied().fold(0.0, f64::max)
            ),
        ),
        Some(e) if matches!(e.how, EndKind::Cut(_)) => {
            // The server's clock time of the cut, and the last event sent before it.
            // Events a buffering hop dropped at the cut still left the server on
            // schedule: walk the schedule on from the last event that arrived.
            let offset = clock_offset(o, m).unwrap_or(0.0);
            let cut_server = o.started_epoch_ms + e.at_ms - offset;
            let at = |seq: u64| scheduled_ms(s, seq);
            let (anchor_seq, anchor_sent) = m
                .events
                .iter()
                .filter_map(|ev| Some((ev.seq?, ev.sent_ms?)))
                .rfind(|(_, t)| *t <= cut_server)
                .or(m.schedule_sent_ms.map(|t| (1, t)))
                .unwrap_or((1, cut_server));
            let last_seq = u64::from(s.burst) + s.silences_s.len() as u64;
            let mut seq = anchor_seq;
            while seq < last_seq && anchor_sent + at(seq + 1) - at(anchor_seq) <= cut_server {
                seq += 1;
            }
            let last_sent = anchor_sent + at(seq) - at(anchor_seq);
            let gap = (cut_server - last_sent) / 1000.0;
            if seq < u64::from(s.burst) {
                return (
                    None,
                    survived,
                    format!(
                        "the stream was cut during the burst, {:.1} s after it opened",
                        (e.at_ms - m.headers_ms) / 1000.0
                    ),
                );
            }
            let ticks = (seq - u64::from(s.burst)) as usize;
            let survived = ticks
                .checked_sub(1)
                .and_then(|i| s.silences_s.get(i).copied())
                .or(survived);
            let arrived = m.events.iter().filter(|e| e.kind == "tick").count();
            (
                Some(round2(gap)),
                survived,
                format!(
                    "cut {gap:.2} s into a silence{}{}",
                    survived.map_or(String::new(), |s| format!(" after surviving one of {s} s")),
                    if arrived < ticks {
                        " (the ticks before it were held by a buffer; their send times come from the schedule)"
                    } else {
                        ""
                    }
                ),
            )
        }
        _ => (
            None,
            survived,
            match survived {
                Some(s) => format!("survived silences up to {s} s before the probe stopped"),
                None => "the probe stopped before any silence ended".into(),
            },
        ),
    }
}

/// When event `seq` (1-based) leaves the server, in ms after the first one.
fn scheduled_ms(s: &super::schedule::Schedule, seq: u64) -> f64 {
    let burst = u64::from(s.burst);
    let gap = s.burst_gap_ms as f64;
    if seq <= burst {
        return seq.saturating_sub(1) as f64 * gap;
    }
    let ticks = (seq - burst) as usize;
    burst.saturating_sub(1) as f64 * gap + s.silences_s.iter().take(ticks).sum::<f64>() * 1000.0
}

fn age_at_cut(s: &StreamObs) -> Option<f64> {
    match &s.end {
        Some(e) if matches!(e.how, EndKind::Cut(_)) => Some((e.at_ms - s.headers_ms) / 1000.0),
        _ => None,
    }
}

fn websocket(o: &Observations) -> WebSocket {
    let Some(w) = &o.ws else {
        return WebSocket {
            url: None,
            upgrade: "not-tried",
            status: None,
            rtt_ms: None,
            largest_message_bytes: None,
            failed_message_bytes: None,
            close_codes: Vec::new(),
            note: "not tried".into(),
        };
    };
    let (upgrade, note) = ws_verdict(w);
    WebSocket {
        url: Some(w.url.clone()),
        upgrade,
        status: if w.upgraded {
            Some(101)
        } else {
            w.refused_status
        },
        rtt_ms: percentiles(&w.rtt_ms),
        largest_message_bytes: w.passed_sizes.iter().copied().max(),
        failed_message_bytes: w.failed_size,
        close_codes: w.close_codes.clone(),
        note,
    }
}

fn ws_verdict(w: &WsObs) -> (&'static str, String) {
    if w.upgraded {
        return (
            "passes",
            "the Upgrade passed (101 Switching Protocols)".into(),
        );
    }
    match (w.refused_status, w.refused_by_proxy, &w.error) {
        (Some(code), true, _) => (
            "blocked",
            format!("the forward proxy refused the CONNECT tunnel a WebSocket needs (status {code})"),
        ),
        (Some(code), false, _) => (
            "blocked",
            format!("the Upgrade was answered with status {code} instead of 101: a hop on the path does not pass WebSockets"),
        ),
        (None, _, Some(e)) => ("failed", format!("the Upgrade failed: {e}")),
        _ => ("failed", "the Upgrade did not complete".into()),
    }
}

/// Builds the report; `knowledge` supplies fixes, the heartbeat policy and sources.
pub fn analyze(o: &Observations, knowledge: &Knowledge) -> ProbeReport {
    let probe = o.main.as_ref().is_some_and(|m| m.schedule.is_some());
    let mut protocol = Protocol::default();
    if let Some(m) = &o.main {
        protocol.status = Some(m.status);
        protocol.http_version = Some(m.version.clone());
        protocol.tls = m.conn.tls.clone();
        protocol.http2 = Some(m.version == "HTTP/2");
        protocol.headers = SHOWN_HEADERS
            .iter()
            .filter_map(|h| m.header(h).map(|v| ((*h).to_string(), v.to_string())))
            .collect();
        protocol.time_to_headers_ms = Some(round1(m.headers_ms));
        protocol.time_to_first_event_ms = m
            .events
            .iter()
            .find(|e| e.kind != "comment" && e.kind != "schedule")
            .or(m.events.first())
            .map(|e| round1(e.at_ms - m.headers_ms));
    }
    if let Some(p) = &o.poll {
        protocol.origin_http_version = p.origin_version.clone();
        protocol.origin_saw = p.origin_headers.clone();
        protocol.poll_rtt_ms = percentiles(&p.rtt_ms);
    }

    let buffering = buffering(o, knowledge);

    // Idle timeouts and lifetime caps.
    let (sse_timeout, survived, sse_note) = match &o.main {
        Some(m) => sse_idle(o, m),
        None => (None, None, "no SSE stream".into()),
    };
    let busy_cut = o.busy.as_ref().and_then(age_at_cut);
    let main_age = o.main.as_ref().and_then(age_at_cut);
    let busy_watched = o.busy.as_ref().map(|b| {
        let end = b.end.as_ref().map_or(o.elapsed_ms, |e| e.at_ms);
        round1((end - b.headers_ms) / 1000.0)
    });
    let mut lifetime = Lifetime {
        cap_s: None,
        watched_s: busy_watched,
        note: String::new(),
    };
    let mut sse_timeout = sse_timeout;
    let mut sse_note = sse_note;
    match (busy_cut, main_age) {
        (Some(b), Some(m)) if m >= 0.9 * b => {
            lifetime.cap_s = Some(round2(b.min(m)));
            lifetime.note = format!(
                "a stream busy with an event every second was cut at {b:.1} s of age, and the silent one at {m:.1} s: a lifetime cap, not an idle timeout"
            );
            sse_timeout = None;
            sse_note = "the silent stream's cut came from the lifetime cap (see lifetime)".into();
        }
        (Some(b), _) => {
            lifetime.cap_s = Some(round2(b));
            lifetime.note =
                format!("a stream busy with an event every second was cut at {b:.1} s of age");
        }
        (None, _) => {
            lifetime.note = match busy_watched {
                Some(w) => format!(
                    "no cap: a busy stream lived {w:.1} s uncut (longer caps are not known)"
                ),
                None if probe => match &o.busy_error {
                    Some(e) => format!("not measured: the busy stream failed ({e})"),
                    None => "not measured (the busy stream did not run)".into(),
                },
                None => "not measured: needs the probe endpoint (rtadvisor probe serve)".into(),
            };
        }
    }
    // A cut right after an event left the server is not a silence running out.
    if sse_timeout.is_some_and(|t| t < MIN_IDLE_S) {
        sse_timeout = None;
        sse_note = "the stream was cut right after an event was sent, so not by an idle timeout (a cap enforced when data is written?)".into();
    }

    let ws = websocket(o);
    let mut ws_timeout = o.ws.as_ref().and_then(|w| w.cut_after_s).map(round2);
    let ws_age = o.ws.as_ref().and_then(|w| w.cut_age_s);
    let mut ws_note = None;
    if let (Some(cap), Some(age)) = (lifetime.cap_s, ws_age) {
        if age >= 0.9 * cap {
            ws_timeout = None;
            ws_note = Some(format!(
                "; the WebSocket was cut at {age:.1} s of age, by the lifetime cap"
            ));
        }
    }
    if ws_timeout.is_some_and(|t| t < MIN_IDLE_S) {
        ws_timeout = None;
        ws_note =
            Some("; the WebSocket was cut right after a message, not by an idle timeout".into());
    }
    let (timeout_s, measured_on) = match (sse_timeout, ws_timeout) {
        (Some(a), Some(b)) if b < a => (Some(b), Some("websocket")),
        (Some(a), _) => (Some(a), Some("sse")),
        (None, Some(b)) => (Some(b), Some("websocket")),
        (None, None) => (None, None),
    };
    let heartbeat_s =
        timeout_s.map(|t| crate::engine::facts::heartbeat_s(&knowledge.policy, Some(t)));
    let mut idle_note = sse_note;
    if let Some(n) = ws_note {
        idle_note.push_str(&n);
    } else if let Some(w) = &o.ws {
        if let (Some(c), Some(s)) = (w.cut_after_s, w.cut_in_silence_s) {
            idle_note.push_str(&format!(
                "; the WebSocket was cut {c:.2} s into a {s} s silence"
            ));
        } else if w.finished {
            idle_note.push_str(&format!(
                "; the WebSocket survived silences up to {} s",
                w.survived_s.iter().copied().fold(0.0, f64::max)
            ));
        }
    }
    let idle = Idle {
        timeout_s,
        measured_on,
        sse_timeout_s: sse_timeout,
        websocket_timeout_s: ws_timeout,
        survived_s: survived,
        heartbeat_s,
        note: idle_note,
    };

    let mut report = ProbeReport {
        format_version: 1,
        url: o.url.clone(),
        endpoint: if probe { "probe-serve" } else { "other" },
        proxy: o.proxy.clone(),
        max_idle_s: o.max_idle_s,
        elapsed_s: round1(o.elapsed_ms / 1000.0),
        interrupted: o.interrupted,
        protocol,
        buffering,
        idle,
        lifetime,
        websocket: ws,
        findings: Vec::new(),
        facts: Vec::new(),
        hop: InlineHop::default(),
    };
    report.findings = findings(&report, o, knowledge);
    report.facts = facts(&report, o);
    report.hop = hop(&report, o);
    report
}

fn hop_fix(
    knowledge: &Knowledge,
    id: Option<&str>,
    pick: impl Fn(&crate::rules::HopInfo) -> Option<String>,
) -> Option<String> {
    id.and_then(|id| knowledge.hops.iter().find(|h| h.id == id))
        .and_then(pick)
}

fn add_on_build(knowledge: &Knowledge, id: &str, heartbeat_s: Option<f64>) -> Option<String> {
    knowledge.add_ons.iter().find(|a| a.id == id).map(|a| {
        a.build.replace(
            "{heartbeat_s}",
            &heartbeat_s.map_or_else(|| "N".into(), |h| format!("{h}")),
        )
    })
}

fn findings(r: &ProbeReport, o: &Observations, k: &Knowledge) -> Vec<Finding> {
    let mut out = Vec::new();
    let hop = o.main.as_ref().and_then(|m| likely_hop(&m.headers));
    let hop_id = hop.as_ref().and_then(|(id, _)| *id);
    let hop_name = hop
        .as_ref()
        .map_or_else(|| "a hop on the path".to_string(), |(_, n)| n.clone());
    if let Some(m) = &o.main {
        if let Some(enc) = m
            .header("content-encoding")
            .filter(|e| !e.eq_ignore_ascii_case("identity"))
        {
            out.push(Finding {
                id: "sse-compressed",
                severity: Severity::Breaks,
                text: format!("the event stream arrives compressed (Content-Encoding: {enc}): compression holds events until a block fills"),
                fix: Some("leave text/event-stream out of compression on every hop and in the app, or flush after each event".into()),
            });
        }
        if !m
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/event-stream"))
            && (200..300).contains(&m.status)
        {
            out.push(Finding {
                id: "not-an-event-stream",
                severity: Severity::Info,
                text: format!(
                    "the URL answered with Content-Type {}, not text/event-stream: only headers and protocol were measured",
                    m.header("content-type").unwrap_or("(none)")
                ),
                fix: None,
            });
        }
        for name in ["cache-control", "content-type"] {
            let Some((_, sent)) = m.sent_headers.iter().find(|(k, _)| k == name) else {
                continue;
            };
            let got = m.header(name);
            if got != Some(sent.as_str()) {
                out.push(Finding {
                    id: "header-rewritten",
                    severity: Severity::Warn,
                    text: format!(
                        "the stream left the probe with {name}: {sent} but arrived with {}: a hop rewrites it",
                        got.map_or_else(|| "none".to_string(), |c| format!("`{c}`"))
                    ),
                    fix: None,
                });
            }
        }
    }
    if r.buffering.verdict == Verdict::Buffers && !out.iter().any(|f| f.id == "sse-compressed") {
        let fix = hop_fix(k, hop_id, |h| {
            h.buffering
                .as_ref()
                .and_then(|b| b.how.as_deref().map(String::from))
        })
        .or_else(|| add_on_build(k, "disable-buffering", None));
        out.push(Finding {
            id: "sse-buffered",
            severity: Severity::Breaks,
            text: format!(
                "this path buffers SSE: {} (likely {hop_name})",
                r.buffering.note
            ),
            fix,
        });
    }
    if r.buffering.verdict == Verdict::Delays {
        out.push(Finding {
            id: "sse-delayed",
            severity: Severity::Warn,
            text: format!("events are delayed on this path: {}", r.buffering.note),
            fix: Some("HAProxy does this by default (typical delays around 200 ms) unless `option http-no-delay` is set: https://docs.haproxy.org/2.6/configuration.html#4-option%20http-no-delay ; on other hops, check that TCP_NODELAY is on".into()),
        });
    }
    if let Some(t) = r.idle.timeout_s {
        let mut fix = add_on_build(k, "heartbeat", r.idle.heartbeat_s).unwrap_or_default();
        if let Some(setting) = hop_fix(k, hop_id, |h| {
            h.idle_timeout
                .as_ref()
                .and_then(|t| t.setting.as_deref().map(String::from))
        }) {
            fix.push_str(&format!(" Or raise the timeout on {hop_name}: {setting}."));
        }
        let fix = (!fix.is_empty()).then_some(fix);
        out.push(Finding {
            id: "idle-timeout",
            severity: Severity::Warn,
            text: format!(
                "the path closes a connection after {t} s of silence (measured on the {} stream); a heartbeat every {} s keeps it open",
                r.idle.measured_on.unwrap_or("sse"),
                r.idle.heartbeat_s.map_or_else(|| "?".into(), |h| h.to_string())
            ),
            fix,
        });
    }
    if let Some(c) = r.lifetime.cap_s {
        out.push(Finding {
            id: "lifetime-cap",
            severity: Severity::Breaks,
            text: format!("the path ends every stream at about {c} s of age, busy or not: heartbeats do not help"),
            fix: Some("reconnect before the cap (EventSource reconnects by itself; resume from Last-Event-ID), or raise the hop's request/route timeout".into()),
        });
    }
    match r.websocket.upgrade {
        "blocked" => out.push(Finding {
            id: "websocket-blocked",
            severity: Severity::Breaks,
            text: format!("WebSockets do not pass: {}", r.websocket.note),
            fix: hop_fix(k, hop_id, |h| h.websocket.as_ref().and_then(|w| w.how.as_deref().map(String::from)))
                .or(Some("pass the Upgrade and Connection headers on every hop (HTTP/1.1 to the upstream), or use SSE + POST, which needs no Upgrade".into())),
        }),
        "failed" => out.push(Finding {
            id: "websocket-failed",
            severity: Severity::Warn,
            text: r.websocket.note.clone(),
            fix: None,
        }),
        _ => {}
    }
    if let Some(size) = r.websocket.failed_message_bytes {
        out.push(Finding {
            id: "websocket-message-size",
            severity: Severity::Warn,
            text: format!(
                "a {} WebSocket message did not come back (largest that did: {})",
                super::ws::human_bytes(size),
                r.websocket
                    .largest_message_bytes
                    .map_or_else(|| "none".into(), super::ws::human_bytes)
            ),
            fix: None,
        });
    }
    if r.protocol.http2 == Some(false) {
        out.push(Finding {
            id: "http1",
            severity: Severity::Info,
            text: if r.protocol.tls.is_none() {
                "HTTP/1.1 to the first hop (cleartext: browsers use HTTP/2 only over TLS), so a browser holds at most 6 SSE streams per origin across all its tabs".into()
            } else {
                "the first hop did not negotiate HTTP/2 (ALPN), so a browser holds at most 6 SSE streams per origin across all its tabs".into()
            },
            fix: None,
        });
    }
    out.sort_by_key(|f| f.severity);
    out
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn facts(r: &ProbeReport, o: &Observations) -> Vec<Fact> {
    let probe = r.endpoint == "probe-serve";
    let mut out = Vec::new();
    out.push(match r.buffering.verdict {
        Verdict::Unknown => Fact {
            field: "buffers",
            value: "not known".into(),
            basis: Basis::NotKnown,
            how: r.buffering.note.clone(),
        },
        v => Fact {
            field: "buffers",
            value: yes_no(v == Verdict::Buffers),
            basis: Basis::Measured,
            how: r.buffering.note.clone(),
        },
    });
    out.push(match r.idle.timeout_s {
        Some(t) => Fact {
            field: "idle_timeout_s",
            value: format!("{t}"),
            basis: Basis::Measured,
            how: r.idle.note.clone(),
        },
        None => Fact {
            field: "idle_timeout_s",
            value: if probe
                && r.lifetime.cap_s.is_none()
                && o.main
                    .as_ref()
                    .and_then(|m| m.end.as_ref())
                    .is_some_and(|e| e.how == EndKind::Done)
            {
                format!("none up to {} s", r.max_idle_s)
            } else {
                "not known".into()
            },
            basis: if probe
                && o.main
                    .as_ref()
                    .and_then(|m| m.end.as_ref())
                    .is_some_and(|e| e.how == EndKind::Done)
            {
                Basis::Measured
            } else {
                Basis::NotKnown
            },
            how: r.idle.note.clone(),
        },
    });
    out.push(Fact {
        field: "lifetime_s",
        value: match (r.lifetime.cap_s, r.lifetime.watched_s) {
            (Some(c), _) => format!("{c}"),
            (None, Some(w)) => format!("none within {w} s"),
            (None, None) => "not known".into(),
        },
        basis: if r.lifetime.cap_s.is_some() || r.lifetime.watched_s.is_some() {
            Basis::Measured
        } else {
            Basis::NotKnown
        },
        how: r.lifetime.note.clone(),
    });
    out.push(Fact {
        field: "websocket",
        value: match r.websocket.upgrade {
            "passes" => "yes".into(),
            "blocked" => "no".into(),
            _ => "not known".into(),
        },
        basis: if matches!(r.websocket.upgrade, "passes" | "blocked") {
            Basis::Measured
        } else {
            Basis::NotKnown
        },
        how: r.websocket.note.clone(),
    });
    out.push(match r.protocol.http2 {
        Some(h2) => Fact {
            field: "http2",
            value: yes_no(h2),
            basis: Basis::Measured,
            how: format!(
                "{} negotiated with the first hop{}",
                r.protocol.http_version.as_deref().unwrap_or("?"),
                r.protocol
                    .origin_http_version
                    .as_ref()
                    .map_or(String::new(), |v| format!("; {v} reached the origin"))
            ),
        },
        None => Fact {
            field: "http2",
            value: "not known".into(),
            basis: Basis::NotKnown,
            how: "no response".into(),
        },
    });
    out.push(Fact {
        field: "sse",
        value: if o.main.as_ref().is_some_and(|m| !m.events.is_empty()) {
            "yes".into()
        } else {
            "not known".into()
        },
        basis: if o.main.as_ref().is_some_and(|m| !m.events.is_empty()) {
            Basis::Measured
        } else {
            Basis::NotKnown
        },
        how: format!(
            "{} events arrived",
            o.main.as_ref().map_or(0, |m| m.events.len())
        ),
    });
    out.push(Fact {
        field: "path",
        value: "the probe's path is your users' path".into(),
        basis: Basis::Assumed,
        how: format!(
            "measured from this machine{}; users on other networks (mobile, corporate proxies) may cross other hops",
            o.proxy.as_ref().map_or(String::new(), |p| format!(" through the proxy {p}"))
        ),
    });
    if r.idle.timeout_s.is_some() {
        out.push(Fact {
            field: "idle_timeout_s",
            value: "applies to both transports".into(),
            basis: Basis::Assumed,
            how: "the inline hop has one idle timeout; the smaller of the SSE and WebSocket ones is saved".into(),
        });
    }
    out
}

/// The measured path as an inline hop: only what was measured is set.
fn hop(r: &ProbeReport, o: &Observations) -> InlineHop {
    let _ = o;
    let fact = |field: &str| {
        r.facts
            .iter()
            .find(|f| f.field == field && f.basis == Basis::Measured)
    };
    InlineHop {
        name: super::save_hop::HOP_NAME.into(),
        idle_timeout_s: r.idle.timeout_s.map(|t| (t * 10.0).floor() / 10.0),
        lifetime_s: r.lifetime.cap_s.map(|t| (t * 10.0).floor() / 10.0),
        buffers: fact("buffers").map(|f| f.value == "yes"),
        websocket: fact("websocket").map(|f| f.value == "yes"),
        sse: fact("sse").map(|_| true),
        http2: fact("http2").map(|f| f.value == "yes"),
    }
}

/// Exit 1 when a finding breaks a transport.
pub fn breaks(r: &ProbeReport) -> bool {
    r.findings.iter().any(|f| f.severity == Severity::Breaks)
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::observe::{Chunk, StreamEnd};
    use super::super::schedule::Schedule;
    use super::*;

    pub(crate) fn k() -> Knowledge {
        match Knowledge::embedded() {
            Ok(k) => k,
            Err(e) => panic!("embedded rules: {e:?}"),
        }
    }

    /// A probe stream whose burst events arrive `arrive(i)` ms after the start.
    pub(crate) fn stream(
        schedule: Schedule,
        arrive: impl Fn(usize) -> f64,
        end: Option<StreamEnd>,
    ) -> StreamObs {
        let t0 = 1_000_000.0;
        let mut s = StreamObs {
            status: 200,
            version: "HTTP/1.1".into(),
            headers: vec![
                ("content-type".into(), "text/event-stream".into()),
                ("cache-control".into(), "no-cache".into()),
                ("server".into(), "nginx/1.22.1".into()),
            ],
            headers_ms: 1.0,
            schedule_sent_ms: Some(t0),
            schedule: Some(schedule.clone()),
            end,
            ..StreamObs::default()
        };
        for i in 0..schedule.burst as usize {
            let at = arrive(i);
            s.chunks.push(Chunk {
                at_ms: at,
                bytes: 256,
            });
            s.events.push(EventObs {
                at_ms: at,
                kind: "burst".into(),
                seq: Some(i as u64 + 1),
                sent_ms: Some(t0 + i as f64 * schedule.burst_gap_ms as f64),
                bytes: 256,
                after_silence_s: None,
            });
        }
        s
    }

    pub(crate) fn obs(main: StreamObs) -> Observations {
        Observations {
            url: "http://127.0.0.1:1/".into(),
            max_idle_s: 6.0,
            // The client's clock equals the server's: t0 arrives at 1 ms.
            started_epoch_ms: 1_000_000.0 - 1.0,
            main: Some(main),
            elapsed_ms: 20_000.0,
            ..Observations::default()
        }
    }

    #[test]
    fn events_on_schedule_stream() {
        let s = Schedule::for_max_idle(6.0);
        let o = obs(stream(s, |i| 2.0 + i as f64 * 50.0, None));
        let r = analyze(&o, &k());
        assert_eq!(r.buffering.verdict, Verdict::Streams, "{:?}", r.buffering);
        assert!(!r.findings.iter().any(|f| f.id == "sse-buffered"));
    }

    #[test]
    fn events_released_together_are_a_buffer_with_its_size() {
        let s = Schedule::for_max_idle(6.0);
        // Held until 16 events (4 KiB) filled a buffer, then released at once.
        let o = obs(stream(s, |i| (i / 16 + 1) as f64 * 800.0 + 2.0, None));
        let r = analyze(&o, &k());
        assert_eq!(r.buffering.verdict, Verdict::Buffers);
        assert_eq!(r.buffering.bytes_held, 16 * 256);
        assert_eq!(r.buffering.likely_hop.as_deref(), Some("nginx"));
        let f = r.findings.iter().find(|f| f.id == "sse-buffered");
        assert!(
            f.is_some_and(|f| f
                .fix
                .as_deref()
                .is_some_and(|x| x.contains("proxy_buffering off"))),
            "{f:?}"
        );
        assert_eq!(r.hop.buffers, Some(true));
        assert!(breaks(&r));
    }

    #[test]
    fn a_cut_in_a_silence_measures_the_idle_timeout_from_the_last_byte() {
        let s = Schedule::for_max_idle(6.0);
        let burst_end = 1.0 + 39.0 * 50.0;
        // Ticks after 1 s and 2 s arrive; the cut comes 3 s into the 4 s silence.
        let mut m = stream(
            s.clone(),
            |i| 2.0 + i as f64 * 50.0,
            Some(StreamEnd {
                at_ms: burst_end + 1000.0 + 2000.0 + 3000.0 + 1.0,
                how: EndKind::Cut("closed".into()),
            }),
        );
        for (n, (after, at)) in [(1.0, burst_end + 1000.0), (2.0, burst_end + 3000.0)]
            .into_iter()
            .enumerate()
        {
            m.events.push(EventObs {
                at_ms: at + 1.0,
                kind: "tick".into(),
                seq: Some(41 + n as u64),
                sent_ms: Some(1_000_000.0 + at - 1.0),
                bytes: 60,
                after_silence_s: Some(after),
            });
        }
        let r = analyze(&obs(m), &k());
        let t = r.idle.timeout_s.unwrap_or_default();
        assert!((t - 3.0).abs() < 0.05, "{:?}", r.idle);
        assert_eq!(r.idle.survived_s, Some(2.0));
        let hb = r.idle.heartbeat_s.unwrap_or(99.0);
        assert!(hb < 3.0 && hb > 0.0, "{hb}");
        assert_eq!(r.hop.idle_timeout_s, Some(3.0));
        // An idle timeout alone is fixed by a heartbeat: not a failure.
        assert!(!breaks(&r));
    }

    #[test]
    fn a_busy_stream_cut_at_the_same_age_is_a_lifetime_cap() {
        let s = Schedule::for_max_idle(6.0);
        let cut = |at| {
            Some(StreamEnd {
                at_ms: at,
                how: EndKind::Cut("closed".into()),
            })
        };
        let mut o = obs(stream(s, |i| 2.0 + i as f64 * 50.0, cut(5001.0)));
        let mut busy = stream(Schedule::busy(1000, 20.0), |_| 0.0, cut(5000.0));
        busy.events.clear();
        o.busy = Some(busy);
        let r = analyze(&o, &k());
        assert_eq!(r.lifetime.cap_s, Some(5.0));
        assert_eq!(r.idle.timeout_s, None);
        assert!(r.findings.iter().any(|f| f.id == "lifetime-cap"));
    }

    #[test]
    fn a_websocket_cut_at_the_lifetime_cap_is_not_an_idle_timeout() {
        let s = Schedule::for_max_idle(6.0);
        let cut = |at| {
            Some(StreamEnd {
                at_ms: at,
                how: EndKind::Cut("closed".into()),
            })
        };
        let mut o = obs(stream(s, |i| 2.0 + i as f64 * 50.0, cut(5001.0)));
        let mut busy = stream(Schedule::busy(1000, 20.0), |_| 0.0, cut(5000.0));
        busy.events.clear();
        o.busy = Some(busy);
        let mut ws = WsObs {
            upgraded: true,
            cut_after_s: Some(1.5),
            cut_in_silence_s: Some(2.0),
            cut_age_s: Some(5.0),
            ..WsObs::default()
        };
        o.ws = Some(ws.clone());
        let r = analyze(&o, &k());
        assert_eq!(r.idle.websocket_timeout_s, None, "{:?}", r.idle);
        assert_eq!(r.idle.timeout_s, None);
        // Cut young: an idle timeout.
        ws.cut_age_s = Some(2.5);
        o.ws = Some(ws);
        let r = analyze(&o, &k());
        assert_eq!(r.idle.websocket_timeout_s, Some(1.5));
    }

    #[test]
    fn a_refused_upgrade_is_blocked_and_measured() {
        let mut o = obs(stream(
            Schedule::for_max_idle(6.0),
            |i| 2.0 + i as f64 * 50.0,
            None,
        ));
        o.ws = Some(WsObs {
            url: "ws://127.0.0.1:1/ws".into(),
            refused_status: Some(403),
            refused_by_proxy: true,
            ..WsObs::default()
        });
        let r = analyze(&o, &k());
        assert_eq!(r.websocket.upgrade, "blocked");
        assert_eq!(r.hop.websocket, Some(false));
        assert!(breaks(&r));
    }

    #[test]
    fn a_header_rewritten_on_the_way_is_a_finding() {
        let mut m = stream(Schedule::for_max_idle(6.0), |i| 2.0 + i as f64 * 50.0, None);
        m.sent_headers = vec![
            ("content-type".into(), "text/event-stream".into()),
            ("cache-control".into(), "no-cache".into()),
        ];
        let r = analyze(&obs(m.clone()), &k());
        assert!(!r.findings.iter().any(|f| f.id == "header-rewritten"));
        m.headers[1].1 = "public, max-age=60".into();
        let r = analyze(&obs(m), &k());
        let f = r.findings.iter().find(|f| f.id == "header-rewritten");
        assert!(
            f.is_some_and(|f| f.text.contains("`public, max-age=60`")),
            "{f:?}"
        );
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let p = percentiles(&(1..=100).map(f64::from).collect::<Vec<_>>());
        assert_eq!(
            p.map(|p| (p.p50, p.p90, p.p99, p.max)),
            Some((50.0, 90.0, 99.0, 100.0))
        );
        assert_eq!(percentiles(&[]), None);
    }
}
