//! Renderers: pure functions from a [`Decision`](crate::engine::Decision) to text.

pub mod audit;
pub mod diagram;
pub mod explain;
pub mod html;
pub mod json;
pub mod markdown;
pub mod table;

/// Removes control characters (ESC, BEL, …), bidi controls and invisible
/// characters from user text for terminal output (see [`crate::term`]).
pub fn strip_controls(s: &str) -> String {
    crate::term::clean(s).into_owned()
}

/// User text on one line: control and invisible characters removed (as
/// [`strip_controls`]), runs of whitespace collapsed to one space, trimmed.
pub fn one_line(s: &str) -> String {
    strip_controls(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a reason did to the scores, in words: `sse+3`, `veto queue`.
pub fn effect_words(r: &crate::engine::Reason) -> Vec<String> {
    r.effects
        .iter()
        .map(|e| format!("{}{:+}", e.transport, e.points))
        .chain(r.vetoes.iter().map(|v| format!("veto {v}")))
        .collect()
}

/// The rule that best says why the option ranked `i` lost (`None` for the chosen
/// one): its veto, or the rule that set
/// it furthest behind the chosen option.
pub fn verdict_reason<'d, 'k>(
    d: &'d crate::engine::Decision<'k>,
    i: usize,
    rank: &crate::engine::Ranked<'_>,
) -> Option<&'d crate::engine::Reason<'k>> {
    if i == 0 && !rank.vetoed {
        return None;
    }
    if rank.vetoed {
        return d
            .rationale
            .iter()
            .find(|r| r.vetoes.iter().any(|v| v == rank.transport));
    }
    let win = d.recommendation.label();
    let gap = |reason: &crate::engine::Reason| -> i32 {
        reason
            .effects
            .iter()
            .map(|e| {
                if e.transport == win {
                    e.points
                } else if e.transport == rank.transport {
                    -e.points
                } else {
                    0
                }
            })
            .sum()
    };
    let own = |reason: &crate::engine::Reason| -> i32 {
        reason
            .effects
            .iter()
            .filter(|e| e.transport == rank.transport)
            .map(|e| e.points)
            .sum()
    };
    // Its own worst rule first (what counts against it), else the rule that
    // put the chosen option furthest ahead of it; the first such rule on ties.
    let worst = d
        .rationale
        .iter()
        .map(|reason| (own(reason), reason))
        .filter(|(p, _)| *p < 0)
        .min_by(|a, b| a.0.cmp(&b.0).then(std::cmp::Ordering::Less));
    worst.map(|(_, reason)| reason).or_else(|| {
        d.rationale
            .iter()
            .map(|reason| (gap(reason), reason))
            .filter(|(g, _)| *g > 0)
            .max_by(|a, b| a.0.cmp(&b.0).then(std::cmp::Ordering::Greater))
            .map(|(_, reason)| reason)
    })
}

/// The terminal's width in columns when stdout is a terminal that reports one
/// (`COLUMNS` wins); `None` for pipes, files and terminals that report 0.
pub fn term_width() -> Option<usize> {
    use std::io::IsTerminal;
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return Some(n);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size()
        .ok()
        .map(|(w, _)| usize::from(w))
        .filter(|w| *w > 0)
}

/// The short Capacity part: the load figures, then every limit that needs action.
pub fn capacity_lines(d: &crate::engine::Decision) -> Vec<String> {
    use crate::engine::capacity::{fmt_num, LimitStatus};
    let c = &d.capacity;
    let mut out = Vec::new();
    let mut figures = Vec::new();
    if let Some(n) = c.connections {
        figures.push(format!("{} open connections", fmt_num(n)));
    }
    if let Some(n) = c.instances_needed {
        figures.push(format!("{} instance(s) needed", fmt_num(n)));
    }
    if let Some(n) = c.fan_out_per_s {
        figures.push(format!("fan-out {} msg/s", fmt_num(n)));
    }
    if let Some(n) = c.polling_requests_per_s {
        figures.push(format!("polling {} req/s", fmt_num(n)));
    }
    if let Some(n) = c.reconnect_per_s {
        figures.push(format!("{} reconnects/s after a deploy", fmt_num(n)));
    }
    if !figures.is_empty() {
        out.push(figures.join(" · "));
    }
    let ok = c
        .limits
        .iter()
        .filter(|l| l.status == LimitStatus::Ok)
        .count();
    for l in c
        .limits
        .iter()
        .filter(|l| !matches!(l.status, LimitStatus::Ok | LimitStatus::Unknown))
    {
        out.push(format!(
            "{}: {} {} — {} ({}): {}",
            l.status.as_str(),
            l.on,
            l.what,
            fmt_num(l.limit),
            l.load.map(fmt_num).unwrap_or_default(),
            l.fix
        ));
    }
    let unknown = c
        .limits
        .iter()
        .filter(|l| l.status == LimitStatus::Unknown)
        .count();
    if ok > 0 {
        out.push(format!("{ok} other limit(s) on this path checked: within"));
    }
    if unknown > 0 {
        out.push(format!(
            "{unknown} limit(s) on this path not checked: concurrent_clients is unknown"
        ));
    }
    out
}

/// A table for a terminal report: as wide as the terminal, or 120 columns when
/// output is not a terminal or the terminal reports fewer than 60 (a pty that
/// says 0 would otherwise squeeze every column to one character).
pub fn terminal_table() -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    let width = term_width().filter(|w| *w >= 60).unwrap_or(120);
    t.set_width(u16::try_from(width).unwrap_or(u16::MAX));
    t
}

/// Visible width of a line: ANSI style sequences count for nothing.
fn visible_len(line: &str) -> usize {
    let mut n = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ … final byte in @..~
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

/// Where a continuation line starts: under the text after a list marker
/// (`• `, `[ ] `, `! `, `fix: `), else two columns in from the line's indent.
fn hanging_indent(line: &str) -> usize {
    let lead = line.len() - line.trim_start().len();
    let rest = &line[lead..];
    for marker in ["• ", "[ ] ", "! ", "fix: ", "- "] {
        if rest.starts_with(marker) {
            return lead + marker.chars().count();
        }
    }
    lead + 2
}

/// Wraps the prose lines of a terminal report to `width` columns at spaces,
/// continuing under the text of a list item. Table lines (box drawing) and
/// lines that fit are kept as they are; a word longer than the width is not cut.
pub fn fit_width(text: &str, width: Option<usize>) -> String {
    let Some(width) = width.filter(|w| *w >= 20) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let boxed = body
            .trim_start()
            .starts_with(|c: char| ('\u{2500}'..='\u{257f}').contains(&c));
        if boxed || visible_len(body) <= width {
            out.push_str(line);
            continue;
        }
        let indent = hanging_indent(body).min(width / 2);
        let mut col = 0;
        let mut first = true;
        let lead = &body[..body.len() - body.trim_start().len()];
        out.push_str(lead);
        col += lead.chars().count();
        for word in body.trim_start().split(' ') {
            let w = visible_len(word);
            if !first && col + 1 + w > width {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                col = indent;
            } else if !first {
                out.push(' ');
                col += 1;
            }
            out.push_str(word);
            col += w;
            first = false;
        }
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn prose_wraps_at_spaces_under_its_list_marker() {
        let text = "  • one two three four five six\n│ table row that is long │\nshort\n";
        let out = super::fit_width(text, Some(20));
        assert_eq!(
            out,
            "  • one two three\n    four five six\n│ table row that is long │\nshort\n"
        );
        assert!(out
            .lines()
            .all(|l| l.starts_with('│') || l.chars().count() <= 20));
        // Styles take no room, and no width means no wrapping.
        let styled = "\u{1b}[1mabc\u{1b}[0m def";
        assert_eq!(super::visible_len(styled), 7);
        assert_eq!(super::fit_width(text, None), text);
        assert_eq!(super::fit_width(text, Some(0)), text);
    }

    #[test]
    fn strips_escape_sequences() {
        assert_eq!(
            super::strip_controls("a\u{1b}[31mred\u{7}\u{202E}x"),
            "a[31mredx"
        );
    }
}
