//! The schedule both ends of the probe agree on: the client asks for it in a
//! request header, the reference endpoint announces it in its first event.

use serde::{Deserialize, Serialize};

/// The request header that carries the schedule the client asks for.
pub const HEADER: &str = "x-rtadvisor-probe";

/// Milliseconds since the Unix epoch, with sub-millisecond precision.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// What the SSE stream sends, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Events in the opening burst.
    pub burst: u32,
    /// Milliseconds between two burst events.
    pub burst_gap_ms: u64,
    /// Bytes on the wire of one burst event.
    pub burst_bytes: usize,
    /// Silences after the burst, each ended by a `tick` event.
    pub silences_s: Vec<f64>,
    /// A busy stream instead: one event every this many milliseconds…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy_ms: Option<u64>,
    /// …for this many seconds.
    #[serde(default)]
    pub busy_for_s: f64,
}

const MAX_SILENCES: usize = 32;
const MAX_SECONDS: f64 = 3600.0;
/// The longest a schedule may hold a connection, all silences together (s).
const MAX_TOTAL_S: f64 = 7200.0;
/// The most bytes a burst may send.
const MAX_BURST_BYTES: usize = 1 << 20;

impl Default for Schedule {
    fn default() -> Self {
        Schedule::for_max_idle(130.0)
    }
}

impl Schedule {
    /// A burst, then silences doubling from 1 s, the last one `max_idle` itself.
    pub fn for_max_idle(max_idle: f64) -> Self {
        let max_idle = max_idle.clamp(0.1, MAX_SECONDS);
        let mut silences = Vec::new();
        let mut s = 1.0;
        // Doubling, but no step of less than a third before the last one.
        while s < max_idle * 0.75 && silences.len() < MAX_SILENCES - 1 {
            silences.push(s);
            s *= 2.0;
        }
        silences.push(max_idle);
        Schedule {
            burst: 40,
            burst_gap_ms: 50,
            burst_bytes: 256,
            silences_s: silences,
            busy_ms: None,
            busy_for_s: 0.0,
        }
    }

    /// One small event every `every_ms` for `for_s` seconds (finds lifetime caps).
    pub fn busy(every_ms: u64, for_s: f64) -> Self {
        Schedule {
            burst: 0,
            burst_gap_ms: 0,
            // Big enough that a buffering hop still passes the headers and a few events.
            burst_bytes: 1024,
            silences_s: Vec::new(),
            busy_ms: Some(every_ms.clamp(50, 60_000)),
            busy_for_s: for_s.clamp(0.0, MAX_TOTAL_S),
        }
    }

    /// Seconds from the first event to the last, as scheduled.
    pub fn total_s(&self) -> f64 {
        if self.busy_ms.is_some() {
            return self.busy_for_s;
        }
        let burst = f64::from(self.burst.saturating_sub(1)) * self.burst_gap_ms as f64 / 1000.0;
        burst + self.silences_s.iter().sum::<f64>()
    }

    /// The schedule as the request header's value.
    pub fn to_query(&self) -> String {
        let mut q = format!(
            "burst={}&gap_ms={}&bytes={}&silences={}",
            self.burst,
            self.burst_gap_ms,
            self.burst_bytes,
            self.silences_s
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        if let Some(every) = self.busy_ms {
            q.push_str(&format!("&busy_ms={every}&busy_for_s={}", self.busy_for_s));
        }
        q
    }

    /// Reads the header's value; anything missing, unreadable or out of bounds
    /// falls back to the default (a probe endpoint must not be made to hold a
    /// connection for days or send gigabytes).
    pub fn from_query(q: &str) -> Self {
        let mut s = Schedule::default();
        for pair in q.split('&') {
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            match k.trim() {
                "burst" => {
                    if let Ok(n) = v.parse::<u32>() {
                        s.burst = n.min(1000);
                    }
                }
                "gap_ms" => {
                    if let Ok(n) = v.parse::<u64>() {
                        s.burst_gap_ms = n.min(10_000);
                    }
                }
                "bytes" => {
                    if let Ok(n) = v.parse::<usize>() {
                        s.burst_bytes = n.clamp(64, 65_536);
                    }
                }
                "silences" => {
                    let list: Vec<f64> = v
                        .split(',')
                        .filter_map(|x| x.parse::<f64>().ok())
                        .filter(|x| x.is_finite() && *x >= 0.0)
                        .map(|x| x.min(MAX_SECONDS))
                        .take(MAX_SILENCES)
                        .collect();
                    if !list.is_empty() || v.trim().is_empty() {
                        s.silences_s = list;
                    }
                }
                "busy_ms" => {
                    if let Ok(n) = v.parse::<u64>() {
                        s.busy_ms = Some(n.clamp(50, 60_000));
                    }
                }
                "busy_for_s" => {
                    if let Ok(n) = v.parse::<f64>() {
                        if n.is_finite() {
                            s.busy_for_s = n.clamp(0.0, MAX_TOTAL_S);
                        }
                    }
                }
                _ => {}
            }
        }
        // Bounds on the whole: time held and bytes sent.
        let mut total = 0.0;
        s.silences_s.retain(|x| {
            total += x;
            total <= MAX_TOTAL_S
        });
        if s.burst as usize * s.burst_bytes > MAX_BURST_BYTES {
            s.burst = (MAX_BURST_BYTES / s.burst_bytes.max(1)) as u32;
        }
        s
    }

    /// The data of one burst event, padded so the whole event is about
    /// `burst_bytes` on the wire.
    pub fn burst_data(&self, seq: u64, sent_ms: f64) -> String {
        let bare = format!("{{\"seq\":{seq},\"sent_ms\":{sent_ms:.3},\"pad\":\"\"}}");
        // `event: burst\ndata: ` + data + `\n\n`
        let overhead = "event: burst\ndata: \n\n".len() + bare.len();
        let pad = "x".repeat(self.burst_bytes.saturating_sub(overhead));
        format!("{{\"seq\":{seq},\"sent_ms\":{sent_ms:.3},\"pad\":\"{pad}\"}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silences_double_up_to_max_idle() {
        assert_eq!(
            Schedule::for_max_idle(6.0).silences_s,
            vec![1.0, 2.0, 4.0, 6.0]
        );
        assert_eq!(
            Schedule::for_max_idle(130.0).silences_s,
            vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 130.0]
        );
        assert_eq!(Schedule::for_max_idle(0.5).silences_s, vec![0.5]);
    }

    #[test]
    fn query_round_trips_and_is_bounded() {
        let s = Schedule::for_max_idle(6.0);
        assert_eq!(Schedule::from_query(&s.to_query()), s);
        let b = Schedule::busy(500, 12.0);
        assert_eq!(Schedule::from_query(&b.to_query()), b);
        let huge = Schedule::from_query("burst=99999999&bytes=1&silences=1e9,5");
        assert_eq!(huge.burst, 1000);
        assert_eq!(huge.burst_bytes, 64);
        assert_eq!(huge.silences_s, vec![3600.0, 5.0]);
        let long = Schedule::from_query("burst=1000&bytes=65536&silences=3600,3600,3600");
        assert_eq!(long.silences_s, vec![3600.0, 3600.0], "at most 2 h held");
        assert!(
            long.burst as usize * long.burst_bytes <= 1 << 20,
            "at most 1 MiB sent"
        );
        assert_eq!(Schedule::from_query("garbage"), Schedule::default());
    }

    #[test]
    fn burst_events_have_the_asked_size() {
        let s = Schedule::for_max_idle(6.0);
        let data = s.burst_data(7, 1_733_000_000_000.125);
        let frame = format!("event: burst\ndata: {data}\n\n");
        assert_eq!(frame.len(), s.burst_bytes);
        let v: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
        assert_eq!(v["seq"], 7);
    }
}
