//! `rtadvisor explain`: every rule evaluated, what it saw, what it contributed,
//! how the scores add up, and what would flip the answer.

use super::strip_controls;
use super::table::BOLD;
use crate::engine::Decision;
use std::fmt::Write;

pub fn render(d: &Decision) -> String {
    let mut out = String::new();
    let r = &d.recommendation;
    super::table::write_title(&mut out, d);
    let _ = writeln!(
        out,
        "→ {} · confidence {}",
        r.label(),
        r.confidence.as_str()
    );

    let _ = writeln!(out, "\n{BOLD}Scoring rules{BOLD:#} (a rule adds its points when its condition is true; unknown never fires)");
    for e in d
        .evaluations
        .iter()
        .filter(|e| !e.effects.is_empty() || !e.vetoes.is_empty())
    {
        let mark = match e.outcome {
            "true" => "✔",
            "false" => "✘",
            _ => "?",
        };
        let mut effects: Vec<String> = e
            .effects
            .iter()
            .map(|x| format!("{} {:+}", x.transport, x.points))
            .collect();
        effects.extend(e.vetoes.iter().map(|v| format!("veto {v}")));
        let applied = if e.outcome == "true" {
            effects.join(", ")
        } else {
            format!("({})", effects.join(", "))
        };
        let _ = writeln!(out, "  {mark} {:<34} {:<9} {applied}", e.rule, e.outcome);
        let _ = writeln!(out, "      when {}", e.condition);
        if !e.seen.is_empty() {
            let seen: Vec<String> = e
                .seen
                .iter()
                .map(|(k, v)| format!("{k} = {}", strip_controls(v)))
                .collect();
            let _ = writeln!(out, "      saw  {}", seen.join(", "));
        }
    }

    let _ = writeln!(out, "\n{BOLD}Totals{BOLD:#}");
    for rank in &d.ranking {
        let parts: Vec<String> = d
            .evaluations
            .iter()
            .filter(|e| e.outcome == "true")
            .flat_map(|e| {
                e.effects
                    .iter()
                    .filter(|x| x.transport == rank.transport)
                    .map(move |x| format!("{:+} {}", x.points, e.rule))
            })
            .collect();
        let sum = if parts.is_empty() {
            "0".to_string()
        } else {
            parts.join(" ")
        };
        let veto = if rank.vetoed {
            format!("  vetoed by {}", rank.vetoed_by.join(", "))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {:<10} {:>4} = {sum}{veto}",
            rank.transport, rank.score
        );
    }
    match (&r.runner_up, r.margin) {
        (Some(t), Some(m)) => {
            let _ = writeln!(out, "  {} leads {t} by {m}; confidence {} (see docs/model.md: the margin sets it, then one step lower for each of: unknowns that could change the answer, a change under 25 % that flips it; at most medium with a blocking gotcha or a strong rule against the winner)", r.label(), r.confidence.as_str());
        }
        _ => {
            let _ = writeln!(out, "  every other transport is vetoed");
        }
    }

    let _ = writeln!(
        out,
        "\n{BOLD}Advice rules{BOLD:#} (add-ons and gotchas for {})",
        r.label()
    );
    for e in d
        .evaluations
        .iter()
        .filter(|e| e.effects.is_empty() && e.vetoes.is_empty())
    {
        let given = e.outcome == "true" && e.note.is_none();
        let mark = if given {
            "✔"
        } else if e.outcome == "unknown" {
            "?"
        } else {
            "✘"
        };
        let hop = e
            .hop
            .as_ref()
            .map_or(String::new(), |h| format!(" @ {}", strip_controls(h)));
        let note = match (&e.note, e.outcome) {
            (Some(n), "true") => format!("  ({n})"),
            _ => String::new(),
        };
        let _ = writeln!(out, "  {mark} {}{hop}: {}{note}", e.rule, e.outcome);
        if e.outcome != "false" || given {
            let _ = writeln!(out, "      when {}", e.condition);
        }
    }

    let _ = writeln!(out, "\n{BOLD}Capacity{BOLD:#}");
    if d.capacity.arithmetic.is_empty() {
        let _ = writeln!(
            out,
            "  no figures: concurrent_clients is unknown, so no limit could be checked"
        );
    }
    for line in &d.capacity.arithmetic {
        let _ = writeln!(out, "  {}", strip_controls(line));
    }

    let _ = writeln!(out, "\n{BOLD}What would change the answer{BOLD:#}");
    if d.flips.is_empty() && d.unknowns.is_empty() {
        let _ = writeln!(out, "  no single change to one field flips it");
    }
    super::table::write_changes(&mut out, d);
    if !d.near_flips.is_empty() {
        let _ = writeln!(
            out,
            "  not listed as flips (changes under 25 %, too small to plan on; they lower the confidence because the answer sits at a boundary):"
        );
        for f in &d.near_flips {
            let from = f
                .from
                .as_ref()
                .map_or("unknown".to_string(), super::table::show_json);
            let _ = writeln!(
                out,
                "    {}: {from} -> {} gives {}",
                f.field,
                super::table::show_json(&f.to),
                f.transport
            );
        }
    }
    out
}
