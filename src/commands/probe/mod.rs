//! `rtadvisor probe`: measure the real network path instead of assuming it.
//!
//! `probe serve` is the reference endpoint (serve.rs); `probe URL` measures from the
//! client's side (measure.rs for HTTP, ws.rs for WebSockets) into raw observations
//! (observe.rs), which analyze.rs turns into a report (report.rs renders it) and
//! save_hop.rs writes into a profile as an inline hop.

mod analyze;
mod measure;
mod net;
mod observe;
mod report;
mod save_hop;
mod schedule;
mod serve;
mod ws;

pub use analyze::{ProbeReport, Severity};
pub use save_hop::{hop_yaml, insert_hop};
pub use schedule::Schedule;

use crate::cli::{Format, ProbeArgs, ProbeCommand, ProbeServeArgs};
use crate::output::{emit, emit_plain, Failure, Outcome};
use hyper::header::{HeaderName, HeaderValue};
use measure::{Clock, Which};
use observe::{EndKind, Observations, Shared, StreamEnd};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use crate::cli::parse_duration;

fn parse_headers(raw: &[String]) -> Result<Vec<(HeaderName, HeaderValue)>, Failure> {
    raw.iter()
        .map(|h| {
            let (k, v) = h.split_once(':').ok_or_else(|| {
                Failure::Usage(format!("--header `{h}`: write it as `Name: value`"))
            })?;
            let name = HeaderName::from_bytes(k.trim().as_bytes())
                .map_err(|e| Failure::Usage(format!("--header `{h}`: {e}")))?;
            let value = HeaderValue::from_str(v.trim())
                .map_err(|e| Failure::Usage(format!("--header `{h}`: {e}")))?;
            Ok((name, value))
        })
        .collect()
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Usage(format!("cannot start the network runtime: {e}")))
}

pub fn probe(a: ProbeArgs) -> Outcome {
    match a.command {
        Some(ProbeCommand::Serve(s)) => serve_command(s),
        None => probe_url(a),
    }
}

fn serve_command(a: ProbeServeArgs) -> Outcome {
    let headers = parse_headers(&a.headers)?;
    let rt = runtime()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(&a.listen)
            .await
            .map_err(|e| Failure::Usage(format!("--listen {}: {e}", a.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Failure::Usage(format!("--listen {}: {e}", a.listen)))?;
        // The address goes to stdout (scripts read the port from it), the rest to stderr.
        emit(&format!("listening on http://{addr}/\n"))?;
        let _ = writeln!(
            anstream::stderr(),
            "rtadvisor probe serve: SSE at any path, WebSocket echo at …/ws, polling at …/poll. \
             Put it behind your real path, then run `rtadvisor probe https://your.host/…/` from a client network. Ctrl-C stops it."
        );
        tokio::select! {
            r = serve::serve(listener, serve::ServeOptions { headers }) => {
                r.map_err(|e| Failure::Usage(format!("probe serve: {e}")))
            }
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })
}

fn read_cacert(
    path: &std::path::Path,
) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, Failure> {
    use rustls_pki_types::pem::PemObject;
    let certs: Result<Vec<_>, _> = rustls_pki_types::CertificateDer::pem_file_iter(path)
        .map_err(|e| Failure::Usage(format!("--cacert {}: {e}", path.display())))?
        .collect();
    let certs = certs.map_err(|e| Failure::Usage(format!("--cacert {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(Failure::Usage(format!(
            "--cacert {}: no PEM certificate in it",
            path.display()
        )));
    }
    Ok(certs)
}

/// The sibling of the probe URL's last path segment (`…/sse` → `…/ws`).
fn sibling(t: &net::Target, name: &str) -> Result<net::Target, String> {
    let path = t.uri.path();
    let dir = if path.ends_with('/') {
        path.to_string()
    } else if let Some(stripped) = path.strip_suffix("/sse") {
        format!("{stripped}/")
    } else {
        format!("{path}/")
    };
    t.with_path(&format!("{dir}{name}"))
}

fn probe_url(a: ProbeArgs) -> Outcome {
    let Some(url) = a.url.clone() else {
        return Err(Failure::Usage(
            "give the URL to probe, or `probe serve` to run the reference endpoint".into(),
        ));
    };
    if !url.contains("://") {
        return Err(Failure::Usage(format!(
            "`{}` has no scheme: write https://{0} (or http:// for cleartext)",
            crate::report::strip_controls(&url)
        )));
    }
    let k = crate::load::knowledge(&a.rules)?;
    let target = net::Target::parse(&url).map_err(Failure::Usage)?;
    let headers = parse_headers(&a.headers)?;
    let proxy = match &a.proxy {
        Some(p) => {
            let t = net::Target::parse(p).map_err(|e| Failure::Usage(format!("--proxy: {e}")))?;
            if t.https {
                return Err(Failure::Usage(
                    "--proxy: give the proxy as http://HOST:PORT (TLS to the proxy itself is not supported)".into(),
                ));
            }
            Some(t.uri)
        }
        None => None,
    };
    if let Some(ws) = &a.ws {
        net::Target::parse(ws).map_err(|e| Failure::Usage(format!("--ws: {e}")))?;
    }
    let roots = match &a.cacert {
        Some(p) => read_cacert(p)?,
        None => Vec::new(),
    };
    let tls = net::tls_config(&roots).map_err(Failure::Usage)?;
    if !save_hop::valid_hop_name(&a.hop_name) {
        return Err(Failure::Usage(format!(
            "--hop-name `{}`: use letters, digits, `-`, `_` and `.` (e.g. office-wifi)",
            crate::report::strip_controls(&a.hop_name)
        )));
    }
    // Refuse a --save-hop target now, not after minutes of measuring.
    if let Some(path) = &a.save_hop {
        save_hop::check(path, &k)?;
    }
    let client = net::Client {
        proxy,
        tls: Arc::new(tls),
        headers,
    };
    let shared = Shared::new(Observations {
        url: url.clone(),
        proxy: a.proxy.clone(),
        max_idle_s: a.max_idle,
        started_epoch_ms: schedule::now_ms(),
        ..Observations::default()
    });
    let clock = Clock(Instant::now());
    let rt = runtime()?;
    let progress = std::io::stderr().is_terminal();
    let result = rt.block_on(async {
        let ticker = progress.then(|| tokio::spawn(progress_line(shared.clone(), clock)));
        let r = tokio::select! {
            r = measure_all(client, target, a.ws.clone(), a.max_idle, shared.clone(), clock) => r,
            _ = tokio::signal::ctrl_c() => {
                shared.lock().interrupted = true;
                Ok(())
            }
        };
        if let Some(t) = ticker {
            t.abort();
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
        r
    });
    // Leaving the runtime drops the measuring tasks still running (after Ctrl-C).
    drop(rt);
    result.map_err(Failure::Usage)?;
    let mut obs = shared.snapshot();
    obs.elapsed_ms = clock.ms();
    if let Some(m) = &obs.main {
        if !(200..300).contains(&m.status) {
            return Err(Failure::Usage(format!(
                "{url} answered {}{}; is `rtadvisor probe serve` (or an SSE endpoint) behind this URL?",
                m.status,
                m.header("server").map_or(String::new(), |s| format!(
                    " (Server: {})",
                    crate::report::strip_controls(s)
                ))
            )));
        }
    }
    let mut r = analyze::analyze(&obs, &k);
    r.hop.name = a.hop_name.clone();
    match a.format {
        Format::Table => emit(&report::table(&r))?,
        Format::Json => emit_plain(&report::json(&r))?,
        Format::Markdown => emit_plain(&report::markdown(&r, a.heading.heading_level))?,
    }
    if obs.interrupted {
        if a.save_hop.is_some() {
            let _ = writeln!(
                anstream::stderr(),
                "probe: interrupted, so --save-hop wrote nothing (a partial measurement is not a fact)"
            );
        }
        return Err(Failure::Interrupted);
    }
    if let Some(path) = &a.save_hop {
        save_hop::save(path, &r.hop, a.replace_path, &k)?;
        let _ = writeln!(
            anstream::stderr(),
            "probe: wrote {} into the path of {}",
            hop_yaml(&r.hop),
            path.display()
        );
    }
    if analyze::breaks(&r) {
        return Err(Failure::CheckFailed);
    }
    Ok(())
}

/// Runs every measurement; returns an error only when the endpoint cannot be reached.
async fn measure_all(
    client: net::Client,
    target: net::Target,
    ws_flag: Option<String>,
    max_idle: f64,
    shared: Shared,
    clock: Clock,
) -> Result<(), String> {
    let schedule = Schedule::for_max_idle(max_idle);
    let generic_deadline = Instant::now() + Duration::from_secs_f64(2.0 * max_idle + 10.0);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let main = tokio::spawn(measure::stream(measure::StreamJob {
        client: client.clone(),
        target: target.clone(),
        asked: schedule.clone(),
        which: Which::Main,
        shared: shared.clone(),
        clock,
        deadline: generic_deadline,
        stop_after_silence_s: Some(max_idle),
        on_mode: Some(tx),
    }));
    let probe_mode = rx.await.unwrap_or(false);
    let mut others = Vec::new();
    let mut busy = None;
    if probe_mode {
        let mut busy_target = target.clone();
        let pq = target
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let sep = if pq.contains('?') { '&' } else { '?' };
        if let Ok(t) = target.with_path(&format!("{pq}{sep}rtadvisor-probe=busy")) {
            busy_target = t;
        }
        let busy_for = schedule.total_s() + 5.0;
        busy = Some(tokio::spawn(measure::stream(measure::StreamJob {
            client: client.clone(),
            target: busy_target,
            asked: Schedule::busy(1000, busy_for),
            which: Which::Busy,
            shared: shared.clone(),
            clock,
            deadline: Instant::now() + Duration::from_secs_f64(busy_for + 30.0),
            stop_after_silence_s: None,
            on_mode: None,
        })));
        if let Ok(t) = sibling(&target, "poll") {
            others.push(tokio::spawn(measure::poll(
                client.clone(),
                t,
                shared.clone(),
                clock,
            )));
        }
        let ws_target = match &ws_flag {
            Some(u) => Some(u.clone()),
            None => sibling(&target, "ws").ok().map(|t| t.uri.to_string()),
        };
        if let Some(u) = ws_target {
            others.push(tokio::spawn(ws::measure(
                client.clone(),
                ws::ws_url(&u),
                ws_flag.is_none(),
                schedule.silences_s.clone(),
                shared.clone(),
                clock,
            )));
        }
    } else if let Some(u) = &ws_flag {
        others.push(tokio::spawn(ws::measure(
            client.clone(),
            ws::ws_url(u),
            false,
            Vec::new(),
            shared.clone(),
            clock,
        )));
    }
    let main_result = main
        .await
        .map_err(|e| format!("the SSE measurement stopped: {e}"))?;
    if let Some(b) = busy {
        b.abort();
        let at = clock.ms();
        if let Some(o) = shared.lock().busy.as_mut() {
            if o.end.is_none() {
                o.end = Some(StreamEnd {
                    at_ms: at,
                    how: EndKind::Stopped,
                });
            }
        }
        shared.lock().done_waiting("busy");
    }
    for t in others {
        let _ = t.await;
    }
    main_result
}

/// Rewrites one stderr line with what the probe waits for, and for how long.
async fn progress_line(shared: Shared, clock: Clock) {
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = clock.ms();
        let g = shared.lock();
        let parts: Vec<String> = g
            .waiting
            .iter()
            .filter(|w| w.task != "busy" || g.waiting.len() == 1)
            .map(|w| {
                let waited = (now - w.since_ms) / 1000.0;
                match w.for_s {
                    Some(f) => format!("{} ({waited:.0}/{f:.0} s)", w.what),
                    None => format!("{} ({waited:.0} s)", w.what),
                }
            })
            .collect();
        drop(g);
        let mut line = format!(
            "probe {:.0} s · waiting for {}",
            now / 1000.0,
            parts.join(" · ")
        );
        if parts.is_empty() {
            line = format!("probe {:.0} s", now / 1000.0);
        }
        let line: String = crate::report::strip_controls(&line)
            .chars()
            .take(150)
            .collect();
        let _ = write!(std::io::stderr(), "\r\x1b[2K{line}");
        let _ = std::io::stderr().flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("130s"), Ok(130.0));
        assert_eq!(parse_duration("2m"), Ok(120.0));
        assert_eq!(parse_duration("500ms"), Ok(0.5));
        assert_eq!(parse_duration("6"), Ok(6.0));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5 days").is_err());
        assert!(parse_duration("2h").is_err());
    }

    #[test]
    fn siblings_of_the_probe_url() {
        let t = |u: &str| net::Target::parse(u).map_err(|e| e.to_string());
        let ws = |u: &str| {
            t(u).and_then(|t| sibling(&t, "ws"))
                .map(|s| s.uri.to_string())
        };
        assert_eq!(ws("http://h:8/").ok().as_deref(), Some("http://h:8/ws"));
        assert_eq!(
            ws("http://h:8/probe/sse").ok().as_deref(),
            Some("http://h:8/probe/ws")
        );
        assert_eq!(
            ws("https://h/probe").ok().as_deref(),
            Some("https://h:443/probe/ws")
        );
    }
}
