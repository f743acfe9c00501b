//! `rtadvisor platforms [ID]`: the runtimes and hops the rules know, with every
//! fact (timeouts, buffering, Upgrade, HTTP/2, capacity limits) and its source.

use crate::cli::{ListFormat, PlatformsArgs};
use crate::diag::suggestion;
use crate::load::knowledge;
use crate::output::{emit, emit_plain, Failure, Outcome};
use crate::report::strip_controls;
use crate::rules::{Capability, HopInfo, Knowledge, Limit, Note, Runtime, Timeout};
use serde_json::{json, Value};
use std::fmt::Write;

pub fn platforms(a: PlatformsArgs) -> Outcome {
    let k = knowledge(&a.rules)?;
    match (&a.id, a.format) {
        (None, ListFormat::Table) => emit(&overview(&k)),
        (None, ListFormat::Json) => emit_plain(&pretty(&json!({
            "runtimes": k.runtimes.iter().map(|r| runtime_json(&k, r)).collect::<Vec<_>>(),
            "hops": k.hops.iter().map(|h| hop_json(&k, h)).collect::<Vec<_>>(),
        }))),
        (Some(id), format) => {
            let value = if let Some(r) = k.runtime(id) {
                runtime_json(&k, r)
            } else if let Some(h) = k.hop(id) {
                hop_json(&k, h)
            } else {
                let ids = k
                    .runtimes
                    .iter()
                    .map(|r| r.id.as_str())
                    .chain(k.hops.iter().map(|h| h.id.as_str()));
                return Err(Failure::Usage(format!(
                    "unknown runtime or hop `{}`; {}",
                    strip_controls(id),
                    suggestion(id, ids)
                )));
            };
            match format {
                ListFormat::Json => emit_plain(&pretty(&value)),
                ListFormat::Table => emit(&detail(&value)),
            }
        }
    }
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn source(k: &Knowledge, id: &str) -> Value {
    match k.source(id) {
        Some(s) => json!({"id": s.id, "title": s.title, "url": s.url, "checked": s.checked}),
        None => json!({ "id": id }),
    }
}

fn timeout(k: &Knowledge, t: &Option<Timeout>) -> Value {
    t.as_ref().map_or(Value::Null, |t| {
        json!({
            "seconds": t.seconds,
            "max_seconds": t.max_seconds,
            "setting": t.setting,
            "fix": t.fix,
            "note": t.note,
            "source": source(k, &t.source),
        })
    })
}

fn capability(k: &Knowledge, c: &Option<Capability>) -> Value {
    c.as_ref().map_or(
        Value::Null,
        |c| json!({"value": c.value, "how": c.how, "note": c.note, "source": source(k, &c.source)}),
    )
}

fn note(k: &Knowledge, n: &Note) -> Value {
    json!({"text": n.text, "source": source(k, &n.source)})
}

fn limits(k: &Knowledge, ls: &[Limit]) -> Value {
    ls.iter()
        .map(|l| {
            json!({
                "id": l.id,
                "what": l.what,
                "unit": l.unit,
                "per": l.per,
                "transports": l.transports,
                "max": l.max,
                "default": l.default,
                "source": source(k, &l.source),
            })
        })
        .collect()
}

fn runtime_json(k: &Knowledge, r: &Runtime) -> Value {
    json!({
        "id": r.id,
        "type": "runtime",
        "name": r.name,
        "kind": r.kind,
        "websocket": r.websocket.as_ref().map(|(v, n)| json!({"value": v, "note": note(k, n)})),
        "streaming": capability(k, &r.streaming),
        "idle_timeout": timeout(k, &r.idle_timeout),
        "lifetime": timeout(k, &r.lifetime),
        "websocket_idle_timeout": timeout(k, &r.websocket_idle_timeout),
        "websocket_lifetime": timeout(k, &r.websocket_lifetime),
        "limits": limits(k, &r.limits),
        "implies": r.implies,
        "managed_service": r.managed_service.as_ref().map(|n| note(k, n)),
        "notes": r.notes.iter().map(|n| note(k, n)).collect::<Vec<_>>(),
    })
}

fn hop_json(k: &Knowledge, h: &HopInfo) -> Value {
    json!({
        "id": h.id,
        "type": "hop",
        "name": h.name,
        "idle_timeout": timeout(k, &h.idle_timeout),
        "lifetime": timeout(k, &h.lifetime),
        "websocket_idle_timeout": timeout(k, &h.websocket_idle_timeout),
        "websocket_lifetime": timeout(k, &h.websocket_lifetime),
        "buffers": capability(k, &h.buffering),
        "websocket": capability(k, &h.websocket),
        "sse": capability(k, &h.sse),
        "http2": capability(k, &h.http2),
        "limits": limits(k, &h.limits),
        "notes": h.notes.iter().map(|n| note(k, n)).collect::<Vec<_>>(),
    })
}

fn secs(t: &Option<Timeout>) -> String {
    t.as_ref().map_or_else(
        || "–".into(),
        |t| format!("{} s", crate::engine::capacity::fmt_num(t.seconds)),
    )
}

/// A JSON number as people write it: 60, 0.5, 3,000.
fn num(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| v.to_string(), crate::engine::capacity::fmt_num)
}

fn yes_no(c: &Option<Capability>) -> &'static str {
    match c {
        Some(c) if c.value => "yes",
        Some(_) => "no",
        None => "?",
    }
}

fn overview(k: &Knowledge) -> String {
    let table = |header: Vec<&str>| {
        let mut t = crate::report::terminal_table();
        t.set_header(header);
        t
    };
    let mut rt = table(vec![
        "runtime", "kind", "idle", "lifetime", "limits", "name",
    ]);
    for r in &k.runtimes {
        rt.add_row(vec![
            r.id.to_string(),
            r.kind.to_string(),
            secs(&r.idle_timeout),
            secs(&r.lifetime),
            r.limits.len().to_string(),
            strip_controls(&r.name),
        ]);
    }
    let mut hops = table(vec![
        "hop",
        "idle",
        "lifetime",
        "buffers",
        "websocket",
        "sse",
        "http2",
        "name",
    ]);
    for h in &k.hops {
        hops.add_row(vec![
            h.id.to_string(),
            secs(&h.idle_timeout),
            secs(&h.lifetime),
            yes_no(&h.buffering).into(),
            yes_no(&h.websocket).into(),
            yes_no(&h.sse).into(),
            yes_no(&h.http2).into(),
            strip_controls(&h.name),
        ]);
    }
    format!(
        "Runtimes\n{rt}\n\nHops (idle and lifetime as the rules know them; `?` = not documented)\n{hops}\n\n`rtadvisor platforms ID` shows every fact of one with its source; `--format json` for all.\n"
    )
}

/// One runtime or hop in words: each fact, then the sources it cites.
fn detail(v: &Value) -> String {
    let mut out = String::new();
    let text = |v: &Value| strip_controls(v.as_str().unwrap_or_default());
    let _ = writeln!(
        out,
        "{}  ({}: {})\n",
        text(&v["id"]),
        text(&v["type"]),
        text(&v["name"])
    );
    let mut cited: Vec<Value> = Vec::new();
    let mut cite = |s: &Value| -> String {
        let id = s["id"].as_str().unwrap_or_default().to_string();
        if !cited.iter().any(|c| c["id"] == s["id"]) {
            cited.push(s.clone());
        }
        format!("[{id}]")
    };
    let facts = [
        ("idle_timeout", "idle timeout"),
        ("lifetime", "lifetime cap"),
        ("websocket_idle_timeout", "WebSocket idle timeout"),
        ("websocket_lifetime", "WebSocket lifetime cap"),
    ];
    for (key, label) in facts {
        let t = &v[key];
        if t.is_null() {
            continue;
        }
        let mut line = format!("{label}: {} s", num(&t["seconds"]));
        if t["max_seconds"].is_number() {
            let _ = write!(line, " (up to {} s)", num(&t["max_seconds"]));
        }
        if let Some(s) = t["setting"].as_str() {
            let _ = write!(line, "; setting: {}", strip_controls(s));
        }
        let _ = writeln!(out, "  {line} {}", cite(&t["source"]));
        if let Some(f) = t["fix"].as_str() {
            let _ = writeln!(out, "      fix: {}", strip_controls(f));
        }
    }
    for (key, label) in [
        ("streaming", "streams responses"),
        ("buffers", "buffers responses"),
        ("websocket", "passes WebSockets"),
        ("sse", "passes SSE"),
        ("http2", "HTTP/2 to the client"),
    ] {
        let c = &v[key];
        if c.is_null() {
            continue;
        }
        if let Some(b) = c["value"].as_bool() {
            let src = if c["source"].is_null() {
                c["note"]["source"].clone()
            } else {
                c["source"].clone()
            };
            let _ = writeln!(
                out,
                "  {label}: {} {}",
                if b { "yes" } else { "no" },
                cite(&src)
            );
        } else if let Some(s) = c["value"].as_str() {
            let _ = writeln!(
                out,
                "  {label}: {} {}",
                strip_controls(s),
                cite(&c["note"]["source"])
            );
        }
        if let Some(h) = c["how"].as_str() {
            let _ = writeln!(out, "      how: {}", strip_controls(h));
        }
    }
    for l in v["limits"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "  limit: {} — {} per {} {}",
            text(&l["what"]),
            num(&l["max"]),
            text(&l["per"]),
            cite(&l["source"])
        );
    }
    for n in v["notes"].as_array().into_iter().flatten() {
        let _ = writeln!(out, "  note: {} {}", text(&n["text"]), cite(&n["source"]));
    }
    let _ = writeln!(out, "\nsources:");
    for s in &cited {
        let _ = writeln!(
            out,
            "  [{}] {} <{}> (checked {})",
            text(&s["id"]),
            text(&s["title"]),
            text(&s["url"]),
            text(&s["checked"])
        );
    }
    out
}
