//! The measuring tasks for HTTP: the SSE streams and the polling endpoint.

use super::net::{version_name, Client, Target};
use super::observe::{Chunk, EndKind, EventObs, PollObs, Shared, StreamEnd, StreamObs};
use super::schedule::{Schedule, HEADER};
use http_body_util::BodyExt;
use hyper::header::{HeaderName, HeaderValue};
use std::time::{Duration, Instant};

/// The probe's clock: ms since it started.
#[derive(Debug, Clone, Copy)]
pub struct Clock(pub Instant);

impl Clock {
    pub fn ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }
}

/// Which stream a task fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Main,
    Busy,
}

fn slot(o: &mut super::observe::Observations, which: Which) -> &mut Option<StreamObs> {
    match which {
        Which::Main => &mut o.main,
        Which::Busy => &mut o.busy,
    }
}

/// Splits SSE text into events (WHATWG §9.2.6: blank line ends an event; lines
/// starting with `:` are comments). Only the fields the probe reads are kept.
#[derive(Debug, Default)]
pub struct EventSplitter {
    buf: Vec<u8>,
}

/// One event as it came off the wire.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawEvent {
    pub event: String,
    pub data: String,
    pub bytes: usize,
}

impl EventSplitter {
    /// Feeds bytes; returns the events they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<RawEvent> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some((end, sep)) = find_blank_line(&self.buf) {
            let block: Vec<u8> = self.buf.drain(..end + sep).collect();
            let text = String::from_utf8_lossy(&block[..end]);
            let mut ev = RawEvent {
                event: "message".into(),
                bytes: block.len(),
                ..RawEvent::default()
            };
            let mut data_lines = Vec::new();
            let mut only_comments = true;
            for line in text.split('\n').map(|l| l.trim_end_matches('\r')) {
                if line.is_empty() || line.starts_with(':') {
                    continue;
                }
                only_comments = false;
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "event" => ev.event = value.to_string(),
                    "data" => data_lines.push(value.to_string()),
                    _ => {}
                }
            }
            if only_comments {
                ev.event = "comment".into();
            }
            ev.data = data_lines.join("\n");
            out.push(ev);
        }
        out
    }
}

/// The end of the first event block: its length and the blank line's length.
fn find_blank_line(buf: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < buf.len() {
        if buf[i] == b'\n' {
            if buf.get(i + 1) == Some(&b'\n') {
                return Some((i + 1, 1));
            }
            if buf.get(i + 1) == Some(&b'\r') && buf.get(i + 2) == Some(&b'\n') {
                return Some((i + 1, 2));
            }
        }
        i += 1;
    }
    None
}

/// What one stream task needs.
pub struct StreamJob {
    pub client: Client,
    pub target: Target,
    /// The schedule asked of the probe endpoint.
    pub asked: Schedule,
    pub which: Which,
    pub shared: Shared,
    pub clock: Clock,
    /// When to stop reading at the latest (moved on when the schedule is announced).
    pub deadline: Instant,
    /// Against another endpoint: stop after this much silence.
    pub stop_after_silence_s: Option<f64>,
    /// Told once whether the endpoint is the probe's.
    pub on_mode: Option<tokio::sync::oneshot::Sender<bool>>,
}

/// Opens one SSE stream and records it until it ends, `stop_after_silence_s` of
/// silence passes (another endpoint), or `deadline` is reached.
pub async fn stream(job: StreamJob) -> Result<(), String> {
    let StreamJob {
        client,
        target,
        asked,
        which,
        shared,
        clock,
        deadline,
        stop_after_silence_s,
        on_mode,
    } = job;
    let label = match which {
        Which::Main => "sse",
        Which::Busy => "busy",
    };
    // A hop that holds the whole response holds its headers too: wait as long as
    // the schedule runs (plus a margin) before calling the endpoint unreachable.
    let header_wait = match which {
        Which::Main => asked.total_s() + 30.0,
        Which::Busy => asked.total_s() + 10.0,
    };
    shared.lock().set_waiting(
        label,
        format!("response headers from {}", target.uri),
        clock.ms(),
        Some(header_wait),
    );
    let extra = match HeaderValue::from_str(&asked.to_query()) {
        Ok(v) => vec![(HeaderName::from_static(HEADER), v)],
        Err(_) => Vec::new(),
    };
    let (resp, conn) = match client
        .get(&target, &extra, Duration::from_secs_f64(header_wait))
        .await
    {
        Ok(r) => r,
        Err(e) => {
            let mut g = shared.lock();
            g.done_waiting(label);
            if which == Which::Busy {
                g.busy_error = Some(e.clone());
            }
            return Err(e);
        }
    };
    let obs = StreamObs {
        status: resp.status().as_u16(),
        version: version_name(resp.version()).to_string(),
        headers: resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        conn,
        headers_ms: clock.ms(),
        ..StreamObs::default()
    };
    let is_stream = obs
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/event-stream"));
    let ok = resp.status().is_success();
    *slot(&mut shared.lock(), which) = Some(obs.clone());
    if !ok || !is_stream {
        shared.lock().done_waiting(label);
        if let Some(tx) = on_mode {
            let _ = tx.send(false);
        }
        return Ok(());
    }
    let compressed = obs
        .header("content-encoding")
        .is_some_and(|e| !e.eq_ignore_ascii_case("identity"));
    let mut on_mode = on_mode;
    if obs.header(HEADER).is_some() {
        if let Some(tx) = on_mode.take() {
            let _ = tx.send(true);
        }
    }
    let mut body = resp.into_body();
    let mut splitter = EventSplitter::default();
    let mut last_byte = Instant::now();
    let mode_wait = Instant::now() + Duration::from_secs(5);
    let mut silence_no = 0usize;
    let mut deadline = deadline;
    let mut scheduled = false;
    loop {
        let now = Instant::now();
        let mut wait_until = deadline;
        if let (Some(s), false) = (stop_after_silence_s, scheduled) {
            wait_until = wait_until.min(last_byte + Duration::from_secs_f64(s));
        }
        if on_mode.is_some() {
            wait_until = wait_until.min(mode_wait);
        }
        if now >= wait_until {
            if on_mode.is_some() && now >= mode_wait && now < deadline {
                if let Some(tx) = on_mode.take() {
                    let _ = tx.send(false);
                }
                continue;
            }
            let end = StreamEnd {
                at_ms: clock.ms(),
                how: EndKind::Stopped,
            };
            if let Some(o) = slot(&mut shared.lock(), which) {
                o.end = Some(end);
            }
            break;
        }
        let frame = tokio::time::timeout(wait_until - now, body.frame()).await;
        let Ok(frame) = frame else {
            continue;
        };
        let at = clock.ms();
        let how = match frame {
            None => Some(EndKind::Cut("the connection closed".into())),
            Some(Err(e)) => Some(EndKind::Cut(describe_body_error(&e))),
            Some(Ok(f)) => {
                let Ok(data) = f.into_data() else { continue };
                if data.is_empty() {
                    continue;
                }
                last_byte = Instant::now();
                let events = if compressed {
                    Vec::new()
                } else {
                    splitter.push(&data)
                };
                let mut g = shared.lock();
                let Some(o) = slot(&mut g, which) else { break };
                o.chunks.push(Chunk {
                    at_ms: at,
                    bytes: data.len(),
                });
                let mut done = false;
                for ev in events {
                    let parsed = serde_json::from_str::<serde_json::Value>(&ev.data).ok();
                    let num = |k: &str| parsed.as_ref().and_then(|v| v.get(k)?.as_f64());
                    if ev.event == "schedule" {
                        let sched = parsed
                            .as_ref()
                            .filter(|v| {
                                v.get("probe").and_then(|p| p.as_str()) == Some("rtadvisor")
                            })
                            .and_then(|v| {
                                serde_json::from_value::<Schedule>(v.get("schedule")?.clone()).ok()
                            });
                        if let Some(sc) = &sched {
                            scheduled = true;
                            deadline =
                                Instant::now() + Duration::from_secs_f64(sc.total_s() + 30.0);
                            o.schedule = sched;
                            o.schedule_sent_ms = num("sent_ms");
                            if let Some(h) = parsed
                                .as_ref()
                                .and_then(|v| v.get("headers")?.as_object().cloned())
                            {
                                o.sent_headers = h
                                    .into_iter()
                                    .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                                    .collect();
                            }
                        }
                    }
                    if ev.event == "done" && o.schedule.is_some() {
                        done = true;
                    }
                    o.events.push(EventObs {
                        at_ms: at,
                        kind: ev.event.clone(),
                        seq: num("seq").map(|s| s as u64),
                        sent_ms: num("sent_ms"),
                        bytes: ev.bytes,
                        after_silence_s: num("after_silence_s"),
                    });
                    silence_no += usize::from(ev.event == "tick");
                }
                let probe = o.schedule.clone();
                if !o.events.is_empty() {
                    if let Some(tx) = on_mode.take() {
                        let _ = tx.send(probe.is_some());
                    }
                }
                let (what, for_s) = match &probe {
                    Some(s) if s.busy_ms.is_some() => (
                        format!(
                            "the busy SSE stream (lifetime caps, up to {:.0} s)",
                            s.busy_for_s
                        ),
                        None,
                    ),
                    Some(s) => {
                        let bursts = o.events.iter().filter(|e| e.kind == "burst").count();
                        if bursts < s.burst as usize {
                            (
                                format!("the SSE burst ({bursts} of {} events)", s.burst),
                                Some(f64::from(s.burst) * s.burst_gap_ms as f64 / 1000.0),
                            )
                        } else {
                            match s.silences_s.get(silence_no) {
                                Some(next) => (
                                    format!(
                                        "SSE silence {} of {}: {next} s",
                                        silence_no + 1,
                                        s.silences_s.len()
                                    ),
                                    Some(*next),
                                ),
                                None => ("the end of the SSE schedule".to_string(), None),
                            }
                        }
                    }
                    None => ("the next SSE bytes".to_string(), stop_after_silence_s),
                };
                let since = if what.starts_with("the SSE burst") {
                    o.headers_ms
                } else {
                    at
                };
                drop(g);
                shared.lock().set_waiting(label, what, since, for_s);
                if done {
                    Some(EndKind::Done)
                } else {
                    None
                }
            }
        };
        if let Some(how) = how {
            if let Some(o) = slot(&mut shared.lock(), which) {
                o.end = Some(StreamEnd { at_ms: at, how });
            }
            break;
        }
    }
    shared.lock().done_waiting(label);
    if let Some(tx) = on_mode {
        let _ = tx.send(false);
    }
    Ok(())
}

fn describe_body_error(e: &hyper::Error) -> String {
    let mut text = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        text.push_str(": ");
        text.push_str(&s.to_string());
        src = s.source();
    }
    text
}

/// Polls the reference endpoint's plain JSON answer a few times.
pub async fn poll(client: Client, target: Target, shared: Shared, clock: Clock) {
    let mut obs = PollObs::default();
    shared
        .lock()
        .set_waiting("poll", "the polling endpoint".into(), clock.ms(), None);
    for i in 0..5 {
        let started = Instant::now();
        match client.get(&target, &[], super::net::CONNECT_TIMEOUT).await {
            Ok((resp, _)) => {
                obs.status = resp.status().as_u16();
                obs.version = version_name(resp.version()).to_string();
                if i == 0 {
                    obs.headers = resp
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect();
                }
                let body =
                    tokio::time::timeout(super::net::CONNECT_TIMEOUT, resp.into_body().collect())
                        .await;
                obs.rtt_ms.push(started.elapsed().as_secs_f64() * 1000.0);
                if let Ok(Ok(b)) = body {
                    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&b.to_bytes()) {
                        obs.origin_version = v
                            .get("origin_http_version")
                            .and_then(|x| x.as_str())
                            .map(|s| s.replace("HTTP/2.0", "HTTP/2"));
                        if let Some(m) = v.get("request_headers").and_then(|h| h.as_object()) {
                            obs.origin_headers = m
                                .iter()
                                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                                .collect();
                        }
                    }
                }
            }
            Err(e) => {
                obs.error = Some(e);
                break;
            }
        }
    }
    let mut g = shared.lock();
    g.poll = Some(obs);
    g.done_waiting("poll");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_events_across_chunks_and_line_endings() {
        let mut s = EventSplitter::default();
        assert!(s.push(b"event: tick\ndata: {\"seq\"").is_empty());
        let evs = s.push(b":1}\n\n: ping\n\ndata: a\r\ndata: b\r\n\r\n");
        assert_eq!(evs.len(), 3);
        assert_eq!(evs[0].event, "tick");
        assert_eq!(evs[0].data, "{\"seq\":1}");
        assert_eq!(evs[0].bytes, "event: tick\ndata: {\"seq\":1}\n\n".len());
        assert_eq!(evs[1].event, "comment");
        assert_eq!(evs[2].event, "message");
        assert_eq!(evs[2].data, "a\nb");
    }
}
