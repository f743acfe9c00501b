//! `--format html`: one self-contained page (no scripts, fonts, images or styles
//! from anywhere else; a Content-Security-Policy says so to the browser) with the
//! report, and three pictures drawn as inline SVG:
//!
//! - the **path**, client to app, each hop labelled with what the chosen transport
//!   depends on and problems marked (from [`crate::engine::path`]);
//! - the **scores**, one bar per transport around zero, vetoes marked;
//! - the **sensitivity**: each change that would flip the answer, how far the field
//!   must move (a factor, on a log scale) and to which transport.
//!
//! Every picture has an SVG `<title>` and `<desc>` and is followed by the same
//! facts as a table or list, so a screen reader and a printout lose nothing. Light
//! and dark colours follow `prefers-color-scheme`; print styles drop the
//! backgrounds and print link targets. All user text is HTML-escaped.

use super::diagram::{clients_label, edge_label, label_lines, node_name};
use crate::engine::path::{self, Mark, NodeKind, PathView};
use crate::engine::{Decision, Flip};
use crate::profile::Profile;
use crate::rules::cond::fmt_num;
use crate::rules::Knowledge;
use std::fmt::Write;

/// One page for every decision (a table of contents when there are several).
pub fn render_all(items: &[(&Decision, &Profile)], k: &Knowledge, diagram: bool) -> String {
    let title = match items {
        [(d, _)] => format!("Real-time transport: {}", clean(&d.name)),
        _ => format!("Real-time transport decisions ({} profiles)", items.len()),
    };
    let mut body = String::new();
    if items.len() > 1 {
        let _ = writeln!(body, "<h1>{}</h1>", esc(&title));
        body.push_str("<nav aria-label=\"Profiles\"><ol>\n");
        for (i, (d, _)) in items.iter().enumerate() {
            let _ = writeln!(
                body,
                "<li><a href=\"#p{i}\">{}</a> — {}</li>",
                esc(&clean(&d.name)),
                esc(d.recommendation.label())
            );
        }
        body.push_str("</ol></nav>\n");
    }
    let level = if items.len() > 1 { 2 } else { 1 };
    for (i, (d, p)) in items.iter().enumerate() {
        body.push_str(&article(d, p, k, i, level, diagram));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
<meta name=\"color-scheme\" content=\"light dark\">\n\
<meta name=\"generator\" content=\"rtadvisor {}\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&title)
    )
}

const CSS: &str = r#":root {
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --accent: #0b6bcb; --bar: #8c959f; --problem: #c62828; --warn: #8d6e00;
  --ok: #1a7f37; --veto: #afb8c1;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #3d444d; --panel: #161b22;
    --accent: #4493f8; --bar: #6e7781; --problem: #ff6b6b; --warn: #e3b341;
    --ok: #3fb950; --veto: #484f58;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .4rem; }
article + article { margin-top: 3rem; border-top: 3px double var(--line); padding-top: 1rem; }
.source { color: var(--muted); margin: 0 0 1rem; }
.decision { background: var(--panel); border: 1px solid var(--line); border-left: 6px solid var(--accent); border-radius: 6px; padding: .75rem 1rem; }
.decision .choice { font-size: 1.35rem; font-weight: 650; }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 1rem; padding: 0 .55rem; font-size: .85rem; margin-left: .4rem; vertical-align: .15rem; }
.problem { color: var(--problem); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .9em; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 0 .2em; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--panel); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: .75rem 0 1rem; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .25rem; }
svg { display: block; width: 100%; height: auto; font-family: inherit; }
svg text { fill: var(--fg); font-size: 13px; }
svg .muted { fill: var(--muted); }
svg .node { fill: var(--panel); stroke: var(--line); stroke-width: 1.5; }
svg .node.problem { stroke: var(--problem); stroke-width: 3; }
svg .node.heartbeat { stroke: var(--warn); stroke-width: 2.5; stroke-dasharray: 6 3; }
svg .node.clients { fill: var(--bg); }
svg text.problem { fill: var(--problem); font-weight: 600; }
svg .arrow { stroke: var(--muted); stroke-width: 1.5; fill: none; }
svg .head { fill: var(--muted); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .bar { fill: var(--bar); }
svg .bar.chosen { fill: var(--accent); }
svg .bar.vetoed { fill: var(--veto); }
svg .veto-mark { stroke: var(--problem); stroke-width: 2.5; }
svg .flip { fill: var(--accent); }
svg .flip.any { fill: var(--warn); }
ul.checklist { list-style: none; padding-left: 0; }
ul.checklist li { padding-left: 1.6rem; text-indent: -1.6rem; margin: .3rem 0; }
ul.checklist li::before { content: "☐ "; font-size: 1.1em; }
.fix { color: var(--muted); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
a { color: var(--accent); }
@media print {
  html { background: #fff; color: #000; }
  :root { --bg: #fff; --fg: #000; --muted: #444; --panel: #fff; --line: #999; }
  main { max-width: none; padding: 0; }
  .decision { border-left-width: 4px; }
  h2, h3 { break-after: avoid; }
  figure, table, .decision { break-inside: avoid; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .8em; color: #444; word-break: break-all; }
  nav { display: none; }
}
"#;

/// HTML-escapes text (element content and attribute values alike).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in crate::term::clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

use super::one_line as clean;

/// A rule text: escaped, with its `code spans` as `<code>`.
fn prose(s: &str) -> String {
    let text = clean(s);
    let mut out = String::new();
    let mut parts = text.split('`');
    let mut code = false;
    let n = text.matches('`').count();
    let balanced = n.is_multiple_of(2);
    if let Some(first) = parts.next() {
        out.push_str(&esc(first));
    }
    for part in parts {
        if balanced {
            code = !code;
            if code {
                let _ = write!(out, "<code>{}</code>", esc(part));
            } else {
                out.push_str(&esc(part));
            }
        } else {
            out.push('`');
            out.push_str(&esc(part));
        }
    }
    out
}

/// Ids as `<code>` items, comma-separated.
fn code_list<S: AsRef<str>>(ids: &[S]) -> String {
    ids.iter()
        .map(|id| format!("<code>{}</code>", esc(id.as_ref())))
        .collect::<Vec<_>>()
        .join(", ")
}

fn transport_name(k: &Knowledge, id: &str) -> String {
    match k.transport(id) {
        Some(t) if !t.name.trim().is_empty() && t.name != id => {
            format!("{} (<code>{}</code>)", esc(&t.name), esc(id))
        }
        _ => format!("<code>{}</code>", esc(id)),
    }
}

fn plain_transport_name(k: &Knowledge, id: &str) -> String {
    k.transport(id)
        .map(|t| t.name.to_string())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| id.to_string())
}

fn article(
    d: &Decision,
    p: &Profile,
    k: &Knowledge,
    i: usize,
    level: usize,
    diagram: bool,
) -> String {
    let h = |n: usize| format!("h{}", (level + n).min(6));
    let mut o = String::new();
    let _ = writeln!(o, "<article id=\"p{i}\" aria-labelledby=\"p{i}-title\">");
    let _ = writeln!(
        o,
        "<{0} id=\"p{i}-title\">Real-time transport: {1}</{0}>",
        h(0),
        esc(&clean(&d.name))
    );
    let _ = writeln!(
        o,
        "<p class=\"source\">Generated by rtadvisor from <code>{}</code>.</p>",
        esc(&d.source)
    );
    o.push_str(&decision_box(d, k));
    if let Some(a) = &d.audit {
        let _ = writeln!(
            o,
            "<p>Used today: <code>{}</code>, which is <strong>{}</strong> for this workload. {}</p>",
            esc(&a.current),
            esc(a.verdict.as_str()),
            prose(&a.text)
        );
    }
    if diagram {
        let v = path::view(k, p, d);
        if super::diagram::worth_drawing(&v) {
            let _ = writeln!(o, "<{0}>The path, client to app</{0}>", h(1));
            o.push_str(&path_figure(&v, i));
        }
    }
    let _ = writeln!(o, "<{0}>Why</{0}>", h(1));
    o.push_str("<ul>\n");
    for r in &d.rationale {
        let effects = super::effect_words(r);
        let _ = writeln!(
            o,
            "<li>{} <span class=\"fix\">({}{})</span></li>",
            prose(&r.text),
            esc(r.rule),
            if effects.is_empty() {
                String::new()
            } else {
                format!(": {}", esc(&effects.join(", ")))
            }
        );
    }
    o.push_str("</ul>\n");
    let _ = writeln!(o, "<{0}>Options</{0}>", h(1));
    o.push_str(&score_figure(d, k, i));
    o.push_str(&options_table(d, k));
    if !d.build.is_empty() || !d.gotchas.is_empty() {
        let _ = writeln!(o, "<{0}>To build</{0}>", h(1));
        o.push_str("<ul class=\"checklist\">\n");
        for b in &d.build {
            let _ = writeln!(
                o,
                "<li><strong>{}</strong> (<code>{}</code>): {}</li>",
                prose(b.name),
                esc(b.add_on),
                prose(&b.text)
            );
        }
        for g in &d.gotchas {
            let _ = writeln!(
                o,
                "<li>{}<strong>{}</strong>: {} <span class=\"fix\">Fix: {}</span></li>",
                if g.blocking {
                    "<span class=\"problem\">⚠ blocking</span> "
                } else {
                    ""
                },
                esc(&g.id),
                prose(&g.text),
                prose(&g.fix)
            );
        }
        o.push_str("</ul>\n");
    }
    o.push_str(&capacity(d, &h(1)));
    let _ = writeln!(o, "<{0}>What would change the answer</{0}>", h(1));
    if d.flips.is_empty() {
        o.push_str("<p>No single change to the profile.</p>\n");
    } else {
        o.push_str(&sensitivity_figure(d, k, i));
        o.push_str(&flips_table(d, k));
    }
    if !d.unknowns.is_empty() {
        let _ = writeln!(
            o,
            "<p>Not in the profile (assumed unknown): {}.</p>",
            code_list(&d.unknowns)
        );
    }
    if !d.sources.is_empty() {
        let _ = writeln!(o, "<{0}>Sources</{0}>", h(1));
        o.push_str("<ul>\n");
        for s in &d.sources {
            let href = if s.url.starts_with("https://") || s.url.starts_with("http://") {
                esc(s.url)
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "<li><a href=\"{href}\">{}</a>, checked {}</li>",
                esc(s.title),
                esc(s.checked)
            );
        }
        o.push_str("</ul>\n");
    }
    o.push_str("</article>\n");
    o
}

fn decision_box(d: &Decision, k: &Knowledge) -> String {
    let r = &d.recommendation;
    let mut o = String::from("<section class=\"decision\" aria-label=\"Decision\">\n");
    match &r.transport {
        Some(t) => {
            let _ = writeln!(
                o,
                "<p class=\"choice\">{}<span class=\"badge\">{} confidence</span></p>",
                transport_name(k, t),
                esc(r.confidence.as_str())
            );
        }
        None => {
            let _ = writeln!(
                o,
                "<p class=\"choice problem\">No viable transport: the rules in force veto every one.</p>"
            );
        }
    }
    let ahead = match (&r.runner_up, r.margin) {
        (Some(t), Some(m)) => format!(
            "{m} point{} ahead of {}.",
            if m == 1 { "" } else { "s" },
            transport_name(k, t)
        ),
        _ => "Every other option is vetoed.".to_string(),
    };
    let mut facts = vec![ahead];
    if let Some(hb) = r.heartbeat_s {
        facts.push(format!("Heartbeat every {} s.", fmt_num(hb)));
    }
    if !r.add_ons.is_empty() {
        facts.push(format!("Add-ons: {}.", code_list(&r.add_ons)));
    }
    let _ = writeln!(o, "<p>{}</p>", facts.join(" "));
    if let Some(hy) = &r.hybrid {
        let _ = writeln!(o, "<p>{}</p>", prose(hy));
    }
    o.push_str("</section>\n");
    o
}

/// Words of `text` in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let word: String = if word.chars().count() > width {
            let cut: String = word.chars().take(width.saturating_sub(1)).collect();
            format!("{cut}…")
        } else {
            word.to_string()
        };
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// One box of the path picture.
struct BoxSpec {
    title: Vec<String>,
    lines: Vec<(String, bool)>,
    class: &'static str,
    runtime: bool,
    /// What a screen reader hears for it.
    spoken: String,
}

const BOX_W: f64 = 190.0;
const GAP: f64 = 44.0;
const PER_ROW: usize = 4;
const LINE_H: f64 = 16.0;
/// Characters per line in a box (titles are bold, so narrower).
const CHARS: usize = 25;
const TITLE_CHARS: usize = 21;

fn path_figure(v: &PathView, i: usize) -> String {
    let mut boxes = vec![BoxSpec {
        title: wrap(&clients_label(v), TITLE_CHARS),
        lines: Vec::new(),
        class: "node clients",
        runtime: false,
        spoken: clients_label(v),
    }];
    if !v.path_known {
        boxes.push(BoxSpec {
            title: vec!["Path not given".into()],
            lines: vec![("hops unknown".into(), false)],
            class: "node",
            runtime: false,
            spoken: "Path not given: hops unknown".into(),
        });
    }
    for n in &v.nodes {
        let labels = label_lines(n, v);
        let mut lines = Vec::new();
        for l in &labels {
            for w in wrap(&l.text, CHARS) {
                lines.push((w, l.problem));
            }
        }
        let problem = n.marks.iter().any(|m| m.is_problem());
        let class = if problem {
            "node problem"
        } else if n.marks.contains(&Mark::SetsHeartbeat) {
            "node heartbeat"
        } else {
            "node"
        };
        let spoken = std::iter::once(node_name(n))
            .chain(labels.iter().map(|l| l.text.clone()))
            .collect::<Vec<_>>()
            .join(", ");
        boxes.push(BoxSpec {
            title: wrap(&node_name(n), TITLE_CHARS),
            lines,
            class,
            runtime: n.kind == NodeKind::Runtime,
            spoken,
        });
    }
    let rows: Vec<&[BoxSpec]> = boxes.chunks(PER_ROW).collect();
    let heights: Vec<f64> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|b| 20.0 + LINE_H * (b.title.len() + b.lines.len()) as f64)
                .fold(40.0, f64::max)
        })
        .collect();
    let row_gap = 46.0;
    let width = PER_ROW as f64 * BOX_W + (PER_ROW as f64 - 1.0) * GAP + 20.0;
    let height = heights.iter().sum::<f64>() + row_gap * (rows.len() as f64 - 1.0) + 20.0;
    let title = format!("The path of a {} connection, client to app", edge_label(v));
    let desc = boxes
        .iter()
        .map(|b| b.spoken.clone())
        .collect::<Vec<_>>()
        .join("; then ");
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<figure><svg class=\"path\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"p{i}-path-t p{i}-path-d\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"p{i}-path-t\">{}</title>\n<desc id=\"p{i}-path-d\">{}</desc>",
        esc(&title),
        esc(&desc)
    );
    let mut y = 10.0;
    let mut prev_end: Option<(f64, f64)> = None;
    let mut n = 0;
    for (r, row) in rows.iter().enumerate() {
        let h = heights[r];
        for (c, b) in row.iter().enumerate() {
            let x = 10.0 + c as f64 * (BOX_W + GAP);
            let _ = writeln!(
                s,
                "<g class=\"hop\" data-kind=\"{}\"><title>{}</title>",
                if n == 0 {
                    "clients"
                } else if b.runtime {
                    "runtime"
                } else {
                    "hop"
                },
                esc(&b.spoken)
            );
            let rx = if n == 0 { h / 2.0 } else { 6.0 };
            let _ = writeln!(
                s,
                "<rect class=\"{}\" x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{h}\" rx=\"{}\"/>",
                b.class,
                rx.min(20.0)
            );
            if b.runtime {
                let _ = writeln!(
                    s,
                    "<line class=\"grid\" x1=\"{0}\" y1=\"{y}\" x2=\"{0}\" y2=\"{1}\"/><line class=\"grid\" x1=\"{2}\" y1=\"{y}\" x2=\"{2}\" y2=\"{1}\"/>",
                    x + 7.0,
                    y + h,
                    x + BOX_W - 7.0
                );
            }
            let content = LINE_H * (b.title.len() + b.lines.len()) as f64;
            let mut ty = y + (h - content) / 2.0 + 12.0;
            for t in &b.title {
                let _ = writeln!(
                    s,
                    "<text x=\"{}\" y=\"{ty}\" text-anchor=\"middle\" font-weight=\"600\">{}</text>",
                    x + BOX_W / 2.0,
                    esc(t)
                );
                ty += LINE_H;
            }
            for (t, problem) in &b.lines {
                let _ = writeln!(
                    s,
                    "<text x=\"{}\" y=\"{ty}\" text-anchor=\"middle\"{}>{}</text>",
                    x + BOX_W / 2.0,
                    if *problem {
                        " class=\"problem\""
                    } else {
                        " class=\"muted\""
                    },
                    esc(t)
                );
                ty += LINE_H;
            }
            s.push_str("</g>\n");
            // The arrow into this box.
            if let Some((px, py)) = prev_end {
                if c == 0 {
                    // From the end of the row above, down and back to this row's start.
                    let mid = y - row_gap / 2.0;
                    let _ = writeln!(
                        s,
                        "<path class=\"arrow\" d=\"M{px} {py} V{mid} H{0} V{1}\"/>",
                        x + BOX_W / 2.0,
                        y - 8.0
                    );
                    let _ = writeln!(s, "{}", arrow_head(x + BOX_W / 2.0, y, true));
                } else {
                    let _ = writeln!(
                        s,
                        "<path class=\"arrow\" d=\"M{px} {0} H{1}\"/>",
                        y + h / 2.0,
                        x - 8.0
                    );
                    let _ = writeln!(s, "{}", arrow_head(x, y + h / 2.0, false));
                }
            }
            prev_end = Some(if c + 1 == row.len() && r + 1 < rows.len() {
                (x + BOX_W / 2.0, y + h)
            } else {
                (x + BOX_W, y)
            });
            n += 1;
        }
        y += h + row_gap;
    }
    s.push_str("</svg>\n");
    let problems = v
        .nodes
        .iter()
        .filter(|n| n.marks.iter().any(|m| m.is_problem()))
        .count();
    let _ = writeln!(
        s,
        "<figcaption>{}: outermost hop first. {}{}</figcaption></figure>",
        esc(&edge_label(v)),
        if problems > 0 {
            format!(
                "A red border and ⚠ mark what needs a fix ({problems} hop{}). ",
                if problems == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        },
        if v.nodes
            .iter()
            .any(|n| n.marks.contains(&Mark::SetsHeartbeat))
        {
            "A dashed border marks the idle limit that sets the heartbeat."
        } else {
            ""
        }
    );
    s
}

fn arrow_head(x: f64, y: f64, down: bool) -> String {
    if down {
        format!(
            "<path class=\"head\" d=\"M{} {} L{} {} L{} {} Z\"/>",
            x - 5.0,
            y - 9.0,
            x + 5.0,
            y - 9.0,
            x,
            y - 1.0
        )
    } else {
        format!(
            "<path class=\"head\" d=\"M{} {} L{} {} L{} {} Z\"/>",
            x - 9.0,
            y - 5.0,
            x - 9.0,
            y + 5.0,
            x - 1.0,
            y
        )
    }
}

fn score_figure(d: &Decision, k: &Knowledge, i: usize) -> String {
    let label_w = 170.0;
    let bar_w = 560.0;
    let row_h = 30.0;
    let width = label_w + bar_w + 150.0;
    let height = row_h * d.ranking.len() as f64 + 30.0;
    // The scale spans every score and zero; zero sits where it falls.
    let lo = d.ranking.iter().map(|r| r.score).min().unwrap_or(0).min(0) as f64;
    let hi = d.ranking.iter().map(|r| r.score).max().unwrap_or(0).max(0) as f64;
    let span = (hi - lo).max(1.0);
    let scale = bar_w / span;
    let zero = label_w + -lo * scale;
    let chosen = d.recommendation.transport;
    let desc = d
        .ranking
        .iter()
        .map(|r| {
            format!(
                "{} {}{}",
                plain_transport_name(k, r.transport),
                r.score,
                if r.vetoed {
                    " (vetoed)"
                } else if Some(r.transport) == chosen {
                    " (chosen)"
                } else {
                    ""
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<figure><svg class=\"scores\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"p{i}-sc-t p{i}-sc-d\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"p{i}-sc-t\">Score of each transport</title>\n<desc id=\"p{i}-sc-d\">{}</desc>",
        esc(&desc)
    );
    let _ = writeln!(
        s,
        "<line class=\"axis\" x1=\"{zero}\" y1=\"4\" x2=\"{zero}\" y2=\"{}\"/>",
        height - 22.0
    );
    let _ = writeln!(
        s,
        "<text class=\"muted\" x=\"{zero}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">0</text>",
        height - 8.0
    );
    for (n, r) in d.ranking.iter().enumerate() {
        let y = 8.0 + n as f64 * row_h;
        let len = (r.score as f64).abs() * scale;
        let x = if r.score < 0 { zero - len } else { zero };
        let class = if r.vetoed {
            "bar vetoed"
        } else if Some(r.transport) == chosen {
            "bar chosen"
        } else {
            "bar"
        };
        let note = if r.vetoed {
            format!("vetoed by {}", r.vetoed_by.join(", "))
        } else if Some(r.transport) == chosen {
            "chosen".to_string()
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "<g class=\"score\" data-transport=\"{}\"><title>{}: {} point{}{}</title>",
            esc(r.transport),
            esc(&plain_transport_name(k, r.transport)),
            r.score,
            if r.score.abs() == 1 { "" } else { "s" },
            if note.is_empty() {
                String::new()
            } else {
                format!(", {}", esc(&note))
            }
        );
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            y + 15.0,
            esc(&plain_transport_name(k, r.transport))
        );
        let _ = writeln!(
            s,
            "<rect class=\"{class}\" x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"20\" rx=\"2\"/>",
            len.max(2.0)
        );
        if r.vetoed {
            // A cross over the bar's place: vetoed whatever its points.
            let cx = zero + 12.0;
            let _ = writeln!(
                s,
                "<path class=\"veto-mark\" d=\"M{} {} L{} {} M{} {} L{} {}\"/>",
                cx - 7.0,
                y + 3.0,
                cx + 7.0,
                y + 17.0,
                cx + 7.0,
                y + 3.0,
                cx - 7.0,
                y + 17.0
            );
        }
        let end = if r.score < 0 { zero } else { zero + len };
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\"{}>{} {}</text></g>",
            end.max(zero + if r.vetoed { 26.0 } else { 0.0 }) + 6.0,
            y + 15.0,
            if r.vetoed { " class=\"problem\"" } else { "" },
            r.score,
            esc(if r.vetoed {
                "vetoed"
            } else if Some(r.transport) == chosen {
                "chosen"
            } else {
                ""
            })
        );
    }
    s.push_str("</svg>\n<figcaption>Points from the rules that matched; a crossed-out grey bar is vetoed (cannot work here), whatever its points.</figcaption></figure>\n");
    s
}

fn options_table(d: &Decision, k: &Knowledge) -> String {
    let mut s = String::from(
        "<table>\n<thead><tr><th scope=\"col\">Option</th><th scope=\"col\">Score</th><th scope=\"col\">Verdict</th></tr></thead>\n<tbody>\n",
    );
    let chosen = d.recommendation.transport;
    for (i, r) in d.ranking.iter().enumerate() {
        let lead = if r.vetoed {
            "<span class=\"problem\">vetoed</span>"
        } else if Some(r.transport) == chosen {
            "<strong>chosen</strong>"
        } else if Some(r.transport) == d.recommendation.runner_up {
            "runner-up"
        } else {
            "lost"
        };
        let verdict = match super::verdict_reason(d, i, r) {
            Some(reason) => format!("{lead}: {}", prose(&reason.text)),
            None if r.vetoed => format!("{lead} by {}", esc(&r.vetoed_by.join(", "))),
            None => lead.to_string(),
        };
        let _ = writeln!(
            s,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td>{verdict}</td></tr>",
            transport_name(k, r.transport),
            r.score
        );
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

fn capacity(d: &Decision, h: &str) -> String {
    let lines = super::capacity_lines(d);
    if lines.is_empty() {
        return String::new();
    }
    let mut s = format!("<{h}>Capacity</{h}>\n<ul>\n");
    for l in lines {
        let _ = writeln!(s, "<li>{}</li>", prose(&l));
    }
    s.push_str("</ul>\n");
    s
}

/// How far a flip moves its field: the factor between the two numbers.
fn factor(f: &Flip) -> Option<f64> {
    let from = f.from.as_ref()?.as_f64()?;
    let to = f.to.as_f64()?;
    (from > 0.0 && to > 0.0).then(|| to / from)
}

fn show(v: &serde_json::Value) -> String {
    super::table::show_json(v)
}

fn factor_text(x: f64) -> String {
    if x >= 1.0 {
        format!("×{}", fmt_num((x * 100.0).round() / 100.0))
    } else {
        format!("÷{}", fmt_num(((1.0 / x) * 100.0).round() / 100.0))
    }
}

fn sensitivity_figure(d: &Decision, k: &Knowledge, i: usize) -> String {
    let label_w = 260.0;
    let bar_w = 380.0;
    let row_h = 30.0;
    let width = label_w + bar_w + 320.0;
    let height = row_h * d.flips.len() as f64 + 34.0;
    // Bars on a log scale, as many decades as the largest factor needs (1 to 4).
    let decades = d
        .flips
        .iter()
        .filter_map(factor)
        .map(|x| x.ln().abs() / 10f64.ln())
        .fold(1.0f64, f64::max)
        .ceil()
        .min(4.0);
    let mut s = String::new();
    let desc = d
        .flips
        .iter()
        .map(|f| flip_sentence(f, k))
        .collect::<Vec<_>>()
        .join("; ");
    let _ = writeln!(
        s,
        "<figure><svg class=\"sensitivity\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"p{i}-fl-t p{i}-fl-d\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"p{i}-fl-t\">How far each field must move to change the answer</title>\n<desc id=\"p{i}-fl-d\">{}</desc>",
        esc(&desc)
    );
    for dec in 0..=decades as usize {
        let x = label_w + bar_w * dec as f64 / decades;
        let _ = writeln!(
            s,
            "<line class=\"grid\" x1=\"{x}\" y1=\"4\" x2=\"{x}\" y2=\"{}\"/><text class=\"muted\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">×{}</text>",
            height - 24.0,
            height - 10.0,
            10u32.pow(dec as u32)
        );
    }
    for (n, f) in d.flips.iter().enumerate() {
        let y = 8.0 + n as f64 * row_h;
        let _ = writeln!(
            s,
            "<g class=\"flip-row\" data-field=\"{}\"><title>{}</title>",
            esc(f.field),
            esc(&flip_sentence(f, k))
        );
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            y + 15.0,
            esc(f.field)
        );
        let change = match &f.from {
            Some(from) => format!("{} → {}", show(from), show(&f.to)),
            None => format!("unknown → {}", show(&f.to)),
        };
        let (len, class, what) = match factor(f) {
            Some(x) => (
                (x.ln().abs() / 10f64.ln() / decades).clamp(0.01, 1.0) * bar_w,
                "flip",
                format!("{} ({change})", factor_text(x)),
            ),
            None => (12.0, "flip any", change),
        };
        let _ = writeln!(
            s,
            "<rect class=\"{class}\" x=\"{label_w}\" y=\"{y}\" width=\"{len}\" height=\"20\" rx=\"2\"/>"
        );
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\">{}: {}</text></g>",
            label_w + len + 6.0,
            y + 15.0,
            esc(&what),
            esc(&plain_transport_name(k, f.transport))
        );
    }
    s.push_str("</svg>\n<figcaption>Bar length: the factor a number must change by (log scale); short amber marks are changes of a choice, of a zero, or of an unknown field.</figcaption></figure>\n");
    s
}

fn flip_sentence(f: &Flip, k: &Knowledge) -> String {
    let to = plain_transport_name(k, f.transport);
    match &f.from {
        Some(from) => format!(
            "{} from {} to {}{} gives {to}",
            f.field,
            show(from),
            show(&f.to),
            factor(f)
                .map(|x| format!(" ({})", factor_text(x)))
                .unwrap_or_default()
        ),
        None => format!("{} = {} (now unknown) gives {to}", f.field, show(&f.to)),
    }
}

fn flips_table(d: &Decision, k: &Knowledge) -> String {
    let mut s = String::from(
        "<table>\n<thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Now</th><th scope=\"col\">Changed to</th><th scope=\"col\">How far</th><th scope=\"col\">Answer then</th></tr></thead>\n<tbody>\n",
    );
    for f in &d.flips {
        let _ = writeln!(
            s,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(f.field),
            f.from
                .as_ref()
                .map_or_else(|| "unknown".to_string(), |v| esc(&show(v))),
            esc(&show(&f.to)),
            factor(f).map_or_else(|| "—".to_string(), factor_text),
            transport_name(k, f.transport)
        );
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
        assert_eq!(prose("set `a<b` now"), "set <code>a&lt;b</code> now");
        assert_eq!(prose("odd ` tick"), "odd ` tick");
    }

    #[test]
    fn text_wraps_to_the_box() {
        assert_eq!(
            wrap("one two three four", 9),
            vec!["one two", "three", "four"]
        );
        assert_eq!(wrap("abcdefghijkl", 5), vec!["abcd…"]);
    }

    #[test]
    fn factors_read_both_ways() {
        assert_eq!(factor_text(2.5), "×2.5");
        assert_eq!(factor_text(0.25), "÷4");
    }
}
