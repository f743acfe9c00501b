//! The terminal report. Styles are ANSI; the caller's stream strips them when
//! stdout is not a terminal or NO_COLOR is set.

use super::strip_controls;
use crate::engine::{Decision, Verdict};
use anstyle::{AnsiColor, Style};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, Table};
use std::fmt::Write;

pub(crate) const BOLD: Style = Style::new().bold();
pub(crate) const DIM: Style = Style::new().dimmed();
const GREEN: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)))
    .bold();
const YELLOW: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const RED: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)))
    .bold();

fn heading(out: &mut String, text: &str) {
    let _ = writeln!(out, "\n{BOLD}{text}{BOLD:#}");
}

/// The first line of a report: the workload's name and where it came from.
pub(crate) fn write_title(out: &mut String, d: &Decision) {
    let _ = writeln!(
        out,
        "{BOLD}{}{BOLD:#}  {DIM}{}{DIM:#}",
        strip_controls(&d.name),
        strip_controls(&d.source)
    );
}

/// Renders one decision.
pub fn render_one(d: &Decision) -> String {
    let mut out = String::new();
    let r = &d.recommendation;
    write_title(&mut out, d);
    let ahead = match (&r.runner_up, r.margin) {
        (Some(t), Some(m)) => format!(" · {m} point{} ahead of {t}", if m == 1 { "" } else { "s" }),
        _ => " · every other option is vetoed".to_string(),
    };
    if r.transport.is_none() {
        let _ = writeln!(
            out,
            "{RED}→ {}{RED:#}: the rules in force veto every transport (see the ranking)",
            r.label()
        );
    } else {
        let _ = writeln!(
            out,
            "{GREEN}→ {}{GREEN:#} · confidence {}{ahead}",
            r.label(),
            r.confidence.as_str()
        );
    }
    if let Some(hb) = r.heartbeat_s {
        let _ = writeln!(
            out,
            "  heartbeat every {} s",
            crate::rules::cond::fmt_num(hb)
        );
    }

    if let Some(h) = &r.hybrid {
        let _ = writeln!(out, "  hybrid: {}", strip_controls(h));
    }

    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(vec!["transport", "score", "note"]);
    for (i, rank) in d.ranking.iter().enumerate() {
        let note = if rank.vetoed {
            format!("vetoed by {}", rank.vetoed_by.join(", "))
        } else if i == 0 {
            "recommended".to_string()
        } else {
            String::new()
        };
        table.add_row(vec![
            Cell::new(rank.transport),
            Cell::new(rank.score),
            Cell::new(note),
        ]);
    }
    heading(&mut out, "Ranking");
    let _ = writeln!(out, "{table}");

    heading(&mut out, "Why");
    for reason in &d.rationale {
        let effects = super::effect_words(reason);
        let _ = writeln!(
            out,
            "  • {} {DIM}[{} · {}]{DIM:#}",
            strip_controls(&reason.text),
            reason.rule,
            effects.join(" ")
        );
    }
    if !d.build.is_empty() {
        heading(&mut out, "Build");
        for step in &d.build {
            let _ = writeln!(
                out,
                "  [ ] {}: {}",
                strip_controls(step.name),
                strip_controls(&step.text)
            );
        }
    }
    let cap = super::capacity_lines(d);
    if !cap.is_empty() {
        heading(&mut out, "Capacity");
        for line in cap {
            let _ = writeln!(out, "  {}", strip_controls(&line));
        }
    }
    if !d.gotchas.is_empty() {
        heading(&mut out, "Gotchas");
        for g in &d.gotchas {
            let blocking = if g.blocking { "BLOCKING " } else { "" };
            let _ = writeln!(
                out,
                "  {YELLOW}!{YELLOW:#} {blocking}{}: {}",
                strip_controls(&g.id),
                strip_controls(&g.text)
            );
            let _ = writeln!(out, "      fix: {}", strip_controls(&g.fix));
        }
    }
    if !d.flips.is_empty() || !d.unknowns.is_empty() {
        heading(&mut out, "What would change the answer");
        write_changes(&mut out, d);
    }
    if let Some(a) = &d.audit {
        let style = if a.verdict == Verdict::Fits {
            GREEN
        } else {
            RED
        };
        heading(&mut out, "Audit");
        let _ = writeln!(out, "  {style}{}{style:#}: {}", a.verdict.as_str(), a.text);
    }
    out
}

/// The flips and decisive unknowns, one bullet each.
pub fn write_changes(out: &mut String, d: &Decision) {
    for f in &d.flips {
        let from = f.from.as_ref().map_or("unknown".to_string(), show_json);
        let _ = writeln!(
            out,
            "  • {} {} → {}: {}",
            f.field,
            from,
            show_json(&f.to),
            f.transport
        );
    }
    if !d.unknowns.is_empty() {
        let _ = writeln!(
            out,
            "  • not answered, and could change it (most decisive first): {}",
            d.unknowns.join(", ")
        );
    }
}

/// JSON values as a person would write them: strings without quotes.
pub fn show_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => strip_controls(s),
        serde_json::Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(show_json).collect::<Vec<_>>().join(", ")
            )
        }
        serde_json::Value::Object(map) => match map.get("name") {
            Some(n) => show_json(n),
            None => strip_controls(&v.to_string()),
        },
        other => other.to_string(),
    }
}

/// Renders all decisions; several end with a summary of transports and audit verdicts.
pub fn render(decisions: &[Decision]) -> String {
    let mut out = String::new();
    for (i, d) in decisions.iter().enumerate() {
        if i > 0 {
            out.push_str("\n────────────────────────────────────────\n\n");
        }
        out.push_str(&render_one(d));
    }
    if decisions.len() > 1 {
        heading(
            &mut out,
            &format!("Summary of {} profiles", decisions.len()),
        );
        let mut counts: Vec<(String, usize)> = Vec::new();
        for d in decisions {
            let t = d.recommendation.label();
            match counts.iter_mut().find(|(x, _)| x == t) {
                Some(c) => c.1 += 1,
                None => counts.push((t.to_string(), 1)),
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let line: Vec<String> = counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
        let _ = writeln!(out, "  recommended: {}", line.join(", "));
        let verdicts = [
            Verdict::Fits,
            Verdict::OverEngineered,
            Verdict::UnderEngineered,
            Verdict::Mismatch,
        ];
        let audited: Vec<String> = verdicts
            .iter()
            .map(|v| {
                (
                    v,
                    decisions
                        .iter()
                        .filter(|d| d.audit.as_ref().map(|a| a.verdict) == Some(*v))
                        .count(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .map(|(v, n)| format!("{} {n}", v.as_str()))
            .collect();
        if !audited.is_empty() {
            let _ = writeln!(out, "  audit: {}", audited.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_point_lead_is_one_point() {
        // It said "1 points ahead of long-polling" (the markdown and HTML reports
        // already said "1 point").
        let k = crate::rules::Knowledge::embedded().unwrap();
        let text = include_str!("../../fixtures/apigw-stream-heartbeat.yaml");
        let p = crate::profile::parse_profile(text, &k.hop_ids()).unwrap();
        let d = crate::engine::Engine::new(&k).decide(&p, "t");
        assert_eq!(d.recommendation.margin, Some(1));
        let out = render_one(&d);
        assert!(out.contains(" · 1 point ahead of long-polling"), "{out}");
    }
}
