//! The path as a picture: a Mermaid flowchart for markdown (GitHub, GitLab and most
//! doc sites draw ```` ```mermaid ```` blocks), and the node labels the HTML report's
//! SVG shares with it. What to show and mark comes from [`crate::engine::path`].
//!
//! User text (inline hop names) goes into Mermaid only as quoted labels in which
//! every character that Mermaid, HTML or Markdown could read as syntax is written
//! as a Mermaid entity code (`#35;` for `#`), so no name can end a label, open a
//! tag, start a comment or close the code fence.

use crate::engine::capacity::{fmt_num as count, LimitStatus};
use crate::engine::path::{Mark, Node, NodeKind, PathView};
use crate::rules::cond::fmt_num;

/// Seconds for a label: "60 s", "14,400 s (4 h)", "900 s (15 min)".
pub fn seconds(s: f64) -> String {
    let base = format!("{} s", if s >= 1000.0 { count(s) } else { fmt_num(s) });
    if s >= 7200.0 && (s / 3600.0).fract() == 0.0 {
        format!("{base} ({} h)", fmt_num(s / 3600.0))
    } else if s >= 120.0 && (s / 60.0).fract() == 0.0 {
        format!("{base} ({} min)", fmt_num(s / 60.0))
    } else {
        base
    }
}

/// The longest node name shown (longer ones end in "…").
const MAX_NAME: usize = 60;

/// One line of a node's label: the text, and whether it flags a problem.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelLine {
    pub text: String,
    pub problem: bool,
}

/// The first node: who connects.
pub fn clients_label(v: &PathView) -> String {
    let mut kinds = v.clients.clone();
    kinds.dedup();
    if kinds.is_empty() {
        "Clients".to_string()
    } else {
        format!("Clients: {}", kinds.join(", "))
    }
}

/// A node's name, cut to a readable length.
pub fn node_name(n: &Node) -> String {
    let clean = super::one_line(&n.name);
    if clean.chars().count() > MAX_NAME {
        let cut: String = clean.chars().take(MAX_NAME - 1).collect();
        format!("{}…", cut.trim_end())
    } else if clean.is_empty() {
        "(unnamed hop)".to_string()
    } else {
        clean
    }
}

/// What a node's label says under its name, for the transport the view is for.
pub fn label_lines(n: &Node, v: &PathView) -> Vec<LabelLine> {
    let mut out = Vec::new();
    let fact = |text: String| LabelLine {
        text,
        problem: false,
    };
    let problem = |text: String| LabelLine {
        text: format!("⚠ {text}"),
        problem: true,
    };
    if n.kind == NodeKind::Runtime {
        out.push(fact("runtime".to_string()));
    } else if n.kind == NodeKind::Implied {
        out.push(fact("added by the runtime".to_string()));
    }
    match n.idle_s {
        Some(Some(s)) => {
            let mut t = format!("idle limit {}", seconds(s));
            if n.marks.contains(&Mark::SetsHeartbeat) {
                if let Some(hb) = v.heartbeat_s {
                    t.push_str(&format!(": heartbeat every {}", seconds(hb)));
                }
            }
            out.push(fact(t));
        }
        Some(None) if n.kind != NodeKind::Runtime => {
            out.push(fact("idle limit not known".to_string()))
        }
        _ => {}
    }
    if let Some(Some(s)) = n.lifetime_s {
        out.push(fact(format!("cuts every connection at {}", seconds(s))));
    }
    for l in &n.limits {
        // "concurrent requests per instance (each open SSE stream …)": the gist.
        let what = l.what.split(" (").next().unwrap_or(&l.what);
        let load = l
            .load
            .map(|x| format!("{} against ", count(x)))
            .unwrap_or_default();
        let text = format!("{what}: {load}{}", count(l.limit));
        out.push(match l.status {
            LimitStatus::Exceeded => problem(format!("over its limit, {text}")),
            LimitStatus::Raise => fact(format!("raise the limit, {text}")),
            LimitStatus::ScaleOut => fact(format!("scale out, {text}")),
            LimitStatus::NeedsJitter => fact(format!("jitter reconnects, {text}")),
            LimitStatus::Ok | LimitStatus::Unknown => continue,
        });
    }
    if n.marks.contains(&Mark::NoStreams) {
        out.push(problem("cannot carry an event stream".to_string()));
    } else if n.marks.contains(&Mark::Buffers) {
        out.push(problem("buffers responses".to_string()));
    } else if n.kind != NodeKind::Runtime {
        match n.buffers {
            Some(Some(false)) => out.push(fact("streams as written".to_string())),
            Some(None) => out.push(fact("buffering not known".to_string())),
            _ => {}
        }
    }
    if n.marks.contains(&Mark::BlocksUpgrade) {
        out.push(problem(if n.kind == NodeKind::Runtime {
            "no documented WebSockets".to_string()
        } else {
            "blocks the WebSocket Upgrade".to_string()
        }));
    } else if let Some(s) = &n.websocket_support {
        out.push(fact(format!("WebSockets: {s}")));
    } else {
        match n.upgrade {
            Some(Some(true)) => out.push(fact("passes the Upgrade".to_string())),
            Some(None) => out.push(fact("Upgrade not known".to_string())),
            _ => {}
        }
    }
    match n.http2 {
        Some(Some(true)) => out.push(fact("HTTP/2".to_string())),
        Some(Some(false)) => out.push(fact("HTTP/1.1 only".to_string())),
        _ => {}
    }
    out
}

/// What the arrow into the app carries.
pub fn edge_label(v: &PathView) -> String {
    if v.transport.is_none() {
        "no viable transport".to_string()
    } else {
        v.transport_name.clone()
    }
}

/// Whether there is a path worth drawing: hops, or at least a runtime.
pub fn worth_drawing(v: &PathView) -> bool {
    !v.nodes.is_empty()
}

/// Text for inside a quoted Mermaid label: letters, digits and plain punctuation
/// stay; everything else becomes an entity code.
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() && !c.is_control()
            || matches!(
                c,
                ' ' | '.' | ',' | ':' | '/' | '+' | '-' | '(' | ')' | '…' | '⚠'
            )
        {
            out.push(c);
        } else {
            out.push_str(&format!("#{};", c as u32));
        }
    }
    out
}

/// Source lines are kept within this many columns (markdownlint's MD013 reads code
/// blocks too).
const WIDTH: usize = 80;

/// A quoted, multi-line Mermaid label: one source line per label line (Mermaid
/// draws a line break for each), long lines split between characters, never inside
/// an entity code.
fn mermaid_label(lines: &[String], indent: &str) -> String {
    // Room for the node's opening (`  n31[["`) on the first line and its closing
    // (`"]]`) on the last.
    let room = WIDTH - indent.len() - 10;
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        let mut cur = String::new();
        let mut width = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let coded = mermaid_text(word);
            let w = coded.chars().count();
            if width > 0 && width + 1 + w > room {
                out.push(std::mem::take(&mut cur));
                width = 0;
            }
            if width > 0 {
                cur.push(' ');
                width += 1;
            }
            if w <= room {
                cur.push_str(&coded);
                width += w;
                continue;
            }
            // A word longer than a line: split between characters, never inside
            // an entity code (`#34;` is one atom).
            for c in word.chars() {
                let atom = mermaid_text(&c.to_string());
                let aw = atom.chars().count();
                if width + aw > room {
                    out.push(std::mem::take(&mut cur));
                    width = 0;
                }
                cur.push_str(&atom);
                width += aw;
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out.join(&format!("\n{indent}"))
}

/// The Mermaid flowchart for the path, as the body of a ```` ```mermaid ```` block
/// (no fences), or `None` when there is nothing to draw. Every source line fits
/// in 80 columns.
pub fn mermaid(v: &PathView) -> Option<String> {
    if !worth_drawing(v) {
        return None;
    }
    // Continuation lines start at the margin: Mermaid keeps leading spaces.
    const INDENT: &str = "";
    let label = |lines: &[String]| mermaid_label(lines, INDENT);
    let mut lines = vec!["flowchart LR".to_string()];
    let mut ids = vec!["c".to_string()];
    lines.push(format!("  c([\"{}\"])", label(&[clients_label(v)])));
    if !v.path_known {
        ids.push("u".to_string());
        lines.push(format!(
            "  u[\"{}\"]",
            label(&["path not given".to_string(), "hops unknown".to_string()])
        ));
    }
    let mut problems = Vec::new();
    let mut heartbeat = Vec::new();
    for (i, n) in v.nodes.iter().enumerate() {
        let id = format!("n{i}");
        let mut text = vec![node_name(n)];
        text.extend(label_lines(n, v).into_iter().map(|l| l.text));
        let body = label(&text);
        lines.push(match n.kind {
            NodeKind::Runtime => format!("  {id}[[\"{body}\"]]"),
            _ => format!("  {id}[\"{body}\"]"),
        });
        if n.marks.iter().any(|m| m.is_problem()) {
            problems.push(id.clone());
        } else if n.marks.contains(&Mark::SetsHeartbeat) {
            heartbeat.push(id.clone());
        }
        ids.push(id);
    }
    let edge = mermaid_text(&edge_label(v));
    let mut chain = format!("  {} -->|\"{edge}\"| {}", ids[0], ids[1]);
    for id in &ids[2..] {
        let next = format!(" --> {id}");
        if chain.len() + next.len() > WIDTH {
            let last = chain.rsplit(' ').next().unwrap_or_default().to_string();
            lines.push(std::mem::replace(&mut chain, format!("  {last}")));
        }
        chain.push_str(&next);
    }
    lines.push(chain);
    if !problems.is_empty() {
        lines.push("  classDef problem stroke:#c62828,stroke-width:3px".to_string());
        lines.extend(class_lines(&problems, "problem"));
    }
    if !heartbeat.is_empty() {
        lines.push("  classDef heartbeat stroke:#8d6e00,stroke-dasharray:5 3".to_string());
        lines.extend(class_lines(&heartbeat, "heartbeat"));
    }
    Some(lines.join("\n"))
}

/// `class a,b,c name` lines within the width.
fn class_lines(ids: &[String], class: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for id in ids {
        if 10 + cur.iter().map(|s| s.len() + 1).sum::<usize>() + id.len() + class.len() > WIDTH {
            out.push(format!("  class {} {class}", cur.join(",")));
            cur.clear();
        }
        cur.push(id);
    }
    if !cur.is_empty() {
        out.push(format!("  class {} {class}", cur.join(",")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_becomes_entity_codes() {
        let s = mermaid_text("a\"]; click x call evil() %% <b>`end`</b> #1 ```");
        for bad in ['"', ']', ';', '<', '>', '`', '%', '[', '\n'] {
            // `;` only closes an entity code we wrote.
            if bad == ';' {
                continue;
            }
            assert!(!s.contains(bad), "{bad:?} in {s}");
        }
        assert!(s.starts_with("a#34;#93;#59; click x call evil() #37;#37; #60;b#62;"));
        assert_eq!(mermaid_text("nginx (edge) 1.2"), "nginx (edge) 1.2");
    }
}
