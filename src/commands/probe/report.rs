//! Rendering a probe report: pure functions of a [`ProbeReport`].

use super::analyze::{Basis, Percentiles, ProbeReport, Severity, Verdict};
use super::ws::human_bytes;
use crate::commands::md_cell;
use crate::report::strip_controls;
use anstyle::{AnsiColor, Style};
use comfy_table::Table;
use std::fmt::Write;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)))
    .bold();
const YELLOW: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));

fn pct(p: &Option<Percentiles>) -> String {
    p.map_or_else(
        || "-".into(),
        |p| {
            format!(
                "p50 {} ms · p90 {} ms · p99 {} ms · max {} ms ({} samples)",
                p.p50, p.p90, p.p99, p.max, p.n
            )
        },
    )
}

fn basis(b: Basis) -> &'static str {
    match b {
        Basis::Measured => "measured",
        Basis::Assumed => "assumed",
        Basis::NotKnown => "not known",
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Breaks => "breaks",
        Severity::Warn => "warn",
        Severity::Info => "info",
    }
}

fn verdict(r: &ProbeReport) -> String {
    match r.buffering.verdict {
        Verdict::Buffers => format!(
            "buffers{}",
            r.buffering
                .likely_hop
                .as_ref()
                .map_or(String::new(), |h| format!(" (likely {h})"))
        ),
        Verdict::Delays => format!(
            "streams, but events are held up to {} ms and merged",
            r.buffering.delay_ms.map_or(0.0, |d| d.max)
        ),
        Verdict::Streams => "streams (no buffering)".into(),
        Verdict::Unknown => "not known".into(),
    }
}

fn idle_line(r: &ProbeReport) -> String {
    match (r.idle.timeout_s, r.idle.heartbeat_s) {
        (Some(t), Some(h)) => format!("{t} s → heartbeat every {h} s"),
        (Some(t), None) => format!("{t} s"),
        _ => r
            .facts
            .iter()
            .find(|f| f.field == "idle_timeout_s")
            .map_or_else(|| "not known".into(), |f| f.value.clone()),
    }
}

fn lifetime_line(r: &ProbeReport) -> String {
    match (r.lifetime.cap_s, r.lifetime.watched_s) {
        (Some(c), _) => format!("cut at {c} s of age"),
        (None, Some(w)) => format!("none within {w} s"),
        _ => "not known".into(),
    }
}

fn ws_line(r: &ProbeReport) -> String {
    let w = &r.websocket;
    let mut s = match w.upgrade {
        "passes" => "Upgrade passes".to_string(),
        "blocked" => format!(
            "Upgrade blocked{}",
            w.status.map_or(String::new(), |c| format!(" (status {c})"))
        ),
        "failed" => "Upgrade failed".to_string(),
        _ => "not tried".to_string(),
    };
    if let Some(b) = w.largest_message_bytes {
        s.push_str(&format!(" · largest message {}", human_bytes(b)));
    }
    if !w.close_codes.is_empty() {
        let codes: Vec<String> = w.close_codes.iter().map(u16::to_string).collect();
        s.push_str(&format!(" · close codes {}", codes.join(", ")));
    }
    s
}

fn protocol_line(r: &ProbeReport) -> String {
    let p = &r.protocol;
    let mut s = p.http_version.clone().unwrap_or_else(|| "-".into());
    match &p.tls {
        Some(t) => s.push_str(&format!(
            " over {} ({}{})",
            t.version,
            t.cipher,
            t.alpn
                .as_ref()
                .map_or(String::new(), |a| format!(", ALPN {a}"))
        )),
        None => s.push_str(" (cleartext)"),
    }
    if let Some(o) = &p.origin_http_version {
        s.push_str(&format!("; {o} at the origin"));
    }
    s
}

/// A table as wide as the terminal (120 columns when there is none).
fn new_table() -> Table {
    crate::report::terminal_table()
}

/// The terminal report.
pub fn table(r: &ProbeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{BOLD}probe {}{BOLD:#}  {DIM}{} endpoint · {} s{}{}{DIM:#}",
        strip_controls(&r.url),
        if r.endpoint == "probe-serve" {
            "rtadvisor probe serve"
        } else {
            "other"
        },
        r.elapsed_s,
        r.proxy.as_ref().map_or(String::new(), |p| format!(
            " · via proxy {}",
            strip_controls(p)
        )),
        if r.interrupted {
            " · interrupted: what was measured so far"
        } else {
            ""
        },
    );
    let mut t = new_table();
    t.set_header(vec!["", "result"]);
    t.add_row(vec!["buffering".to_string(), verdict(r)]);
    if let Some(d) = &r.buffering.delay_ms {
        t.add_row(vec!["event delay".to_string(), pct(&Some(*d))]);
    }
    t.add_row(vec!["idle timeout".to_string(), idle_line(r)]);
    t.add_row(vec!["lifetime cap".to_string(), lifetime_line(r)]);
    t.add_row(vec!["WebSocket".to_string(), ws_line(r)]);
    if r.websocket.rtt_ms.is_some() {
        t.add_row(vec!["WebSocket RTT".to_string(), pct(&r.websocket.rtt_ms)]);
    }
    t.add_row(vec!["protocol".to_string(), protocol_line(r)]);
    if let Some(ms) = r.protocol.time_to_first_event_ms {
        t.add_row(vec![
            "first event".to_string(),
            format!("{ms} ms after the headers"),
        ]);
    }
    for (k, v) in &r.protocol.headers {
        t.add_row(vec![k.clone(), strip_controls(v)]);
    }
    for (k, v) in &r.protocol.origin_saw {
        t.add_row(vec![format!("origin saw {k}"), strip_controls(v)]);
    }
    let _ = writeln!(out, "{t}");

    if !r.findings.is_empty() {
        let _ = writeln!(out, "\n{BOLD}Findings{BOLD:#}");
        for f in &r.findings {
            let style = match f.severity {
                Severity::Breaks => RED,
                Severity::Warn => YELLOW,
                Severity::Info => DIM,
            };
            let _ = writeln!(
                out,
                "  {style}{:<6}{style:#} {}",
                severity(f.severity),
                strip_controls(&f.text)
            );
            if let Some(fix) = &f.fix {
                let _ = writeln!(out, "         {GREEN}fix:{GREEN:#} {}", strip_controls(fix));
            }
        }
    }

    let _ = writeln!(out, "\n{BOLD}Measured and assumed{BOLD:#}");
    let mut t = new_table();
    t.set_header(vec!["fact", "value", "how known", "why"]);
    for f in &r.facts {
        t.add_row(vec![
            f.field.to_string(),
            strip_controls(&f.value),
            basis(f.basis).to_string(),
            strip_controls(&f.how),
        ]);
    }
    let _ = writeln!(out, "{t}");
    let _ = writeln!(
        out,
        "\n{DIM}as an inline hop (--save-hop FILE): {}{DIM:#}",
        super::save_hop::hop_yaml(&r.hop)
    );
    out
}

/// Stable machine output (probe JSON v1).
pub fn json(r: &ProbeReport) -> String {
    let mut s =
        serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// Text for a markdown code span: one line, no backticks, no controls.
fn code_span(text: &str) -> String {
    format!("`{}`", strip_controls(text).replace('`', "'"))
}

/// A markdown section for a design doc or an incident note; the title at
/// `heading_level` (1–6), the subsections one level below.
pub fn markdown(r: &ProbeReport, heading_level: u8) -> String {
    let level = usize::from(heading_level.clamp(1, 5));
    let h = "#".repeat(level);
    let sub = "#".repeat(level + 1);
    let mut out = String::new();
    let _ = writeln!(out, "{h} Path probe: {}\n", code_span(&r.url));
    let _ = writeln!(
        out,
        "Measured with `rtadvisor probe` against {} in {} s{}{}.\n",
        if r.endpoint == "probe-serve" {
            "the reference endpoint (`rtadvisor probe serve`)"
        } else {
            "an endpoint that is not the probe's (only what needs no schedule was measured)"
        },
        r.elapsed_s,
        r.proxy.as_ref().map_or(String::new(), |p| format!(
            ", through the proxy `{}`",
            md_cell(p)
        )),
        if r.interrupted {
            "; interrupted, so this is what was measured so far"
        } else {
            ""
        },
    );
    let _ = writeln!(out, "| check | result |\n| --- | --- |");
    let _ = writeln!(out, "| buffering | {} |", md_cell(&verdict(r)));
    if let Some(d) = &r.buffering.delay_ms {
        let _ = writeln!(out, "| event delay | {} |", md_cell(&pct(&Some(*d))));
    }
    let _ = writeln!(out, "| idle timeout | {} |", md_cell(&idle_line(r)));
    let _ = writeln!(out, "| lifetime cap | {} |", md_cell(&lifetime_line(r)));
    let _ = writeln!(out, "| WebSocket | {} |", md_cell(&ws_line(r)));
    if r.websocket.rtt_ms.is_some() {
        let _ = writeln!(
            out,
            "| WebSocket RTT | {} |",
            md_cell(&pct(&r.websocket.rtt_ms))
        );
    }
    let _ = writeln!(out, "| protocol | {} |", md_cell(&protocol_line(r)));
    for (k, v) in &r.protocol.headers {
        let _ = writeln!(out, "| `{}` | {} |", md_cell(k), md_cell(v));
    }
    if !r.findings.is_empty() {
        let _ = writeln!(out, "\n{sub} Findings\n");
        for f in &r.findings {
            let _ = write!(out, "- **{}**: {}", severity(f.severity), md_cell(&f.text));
            if let Some(fix) = &f.fix {
                let _ = write!(out, " — fix: {}", md_cell(fix));
            }
            let _ = writeln!(out);
        }
    }
    let _ = writeln!(out, "\n{sub} Measured and assumed\n");
    let _ = writeln!(
        out,
        "| fact | value | how known | why |\n| --- | --- | --- | --- |"
    );
    for f in &r.facts {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            f.field,
            md_cell(&f.value),
            basis(f.basis),
            md_cell(&f.how)
        );
    }
    let _ = writeln!(
        out,
        "\nAs an inline hop for the profile's `path`:\n\n```yaml\n- {}\n```",
        super::save_hop::hop_yaml(&r.hop)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::super::analyze::tests::{k, obs, stream};
    use super::super::analyze::{analyze, ProbeReport};
    use super::super::observe::{EndKind, EventObs, StreamEnd, WsObs};
    use super::super::schedule::Schedule;

    /// nginx's defaults as the probe sees them: a 4 KiB buffer, a 3 s idle
    /// timeout, the Upgrade refused.
    fn buffered_report() -> ProbeReport {
        let s = Schedule::for_max_idle(6.0);
        let burst_end = 1.0 + 39.0 * 50.0;
        let mut m = stream(
            s,
            |i| (i / 16 + 1) as f64 * 800.0 + 2.0,
            Some(StreamEnd {
                at_ms: burst_end + 1000.0 + 2000.0 + 3000.0 + 1.0,
                how: EndKind::Cut("closed".into()),
            }),
        );
        m.events.push(EventObs {
            at_ms: burst_end + 1001.0,
            kind: "tick".into(),
            seq: Some(41),
            sent_ms: Some(1_000_000.0 + burst_end + 999.0),
            bytes: 60,
            after_silence_s: Some(1.0),
        });
        let mut o = obs(m);
        o.ws = Some(WsObs {
            url: "ws://127.0.0.1:1/ws".into(),
            refused_status: Some(400),
            ..WsObs::default()
        });
        analyze(&o, &k())
    }

    #[test]
    fn table_report() {
        let text = super::table(&buffered_report());
        insta::assert_snapshot!(anstream::adapter::strip_str(&text).to_string());
    }

    #[test]
    fn markdown_report() {
        insta::assert_snapshot!(super::markdown(&buffered_report(), 2));
    }

    #[test]
    fn json_report() {
        insta::assert_snapshot!(super::json(&buffered_report()));
    }

    #[test]
    fn markdown_escapes_what_came_from_the_network() {
        let mut r = buffered_report();
        r.url = "http://x/<script>|".into();
        r.protocol.headers = vec![("server".into(), "evil|<b>".into())];
        let md = super::markdown(&r, 1);
        assert!(
            md.starts_with("# Path probe: `http://x/<script>|`\n"),
            "{md}"
        );
        assert!(md.contains("\n## Findings\n"), "{md}");
        assert!(md.contains("evil\\|&lt;b&gt;"), "{md}");
        assert!(!md.contains("<b>"), "{md}");
    }
}
