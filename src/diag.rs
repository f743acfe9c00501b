//! Diagnostics: problems found in a user's file, each tied to a position,
//! rendered all at once with a caret under the offending text.

use crate::term::{clean, clean_lines, mask_same_len};
use crate::yaml::Pos;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::fmt;

/// The most diagnostics shown for one file; the rest are counted ("… and N more").
pub const MAX_SHOWN: usize = 20;

/// One problem in one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub message: String,
    pub pos: Option<Pos>,
    /// Short text printed under the caret.
    pub label: String,
    /// What to do about it ("did you mean …", the allowed range).
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, pos: Option<Pos>) -> Self {
        Diagnostic {
            message: message.into(),
            pos,
            label: String::new(),
            help: None,
        }
    }

    pub fn at(message: impl Into<String>, pos: Pos) -> Self {
        Self::new(message, Some(pos))
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }
}

/// A named text that diagnostics point into.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// Every problem found in one input, with the text they point into.
#[derive(Debug, Clone)]
pub struct Report {
    pub source: Source,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Renders all diagnostics; `color` adds ANSI styling.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut out = String::new();
        for d in self.diagnostics.iter().take(MAX_SHOWN) {
            out.push_str(&render_one(&renderer, &self.source, d));
            out.push('\n');
        }
        let more = self.diagnostics.len().saturating_sub(MAX_SHOWN);
        if more > 0 {
            let rest = Diagnostic::new(
                format!(
                    "… and {more} more problem{} in this file (not shown)",
                    if more == 1 { "" } else { "s" }
                ),
                None,
            )
            .help("fix the ones above and run again; the rest are often the same mistake");
            out.push_str(&render_one(&renderer, &self.source, &rest));
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// Renders one diagnostic. Everything that comes from a user or a rule file (the
/// file name, the source line, messages quoting user text) is cleaned of terminal
/// escapes and invisible characters first; the source line is masked byte for
/// byte so the caret stays under the right text.
fn render_one(renderer: &Renderer, src: &Source, d: &Diagnostic) -> String {
    let message = clean_lines(&d.message);
    let label = clean(&d.label);
    let name = clean(&src.name);
    let title = Level::ERROR.primary_title(message.as_ref());
    let mut group = Group::with_title(title);
    let snippet = d
        .pos
        .and_then(|p| span_of(&src.text, p))
        .map(|(line_start, line_text, span)| (line_start, mask_same_len(line_text), span));
    match &snippet {
        Some((line_start, line_text, span)) => {
            group = group.element(
                Snippet::source(line_text.as_ref())
                    .line_start(*line_start)
                    .path(name.as_ref())
                    .annotation(
                        AnnotationKind::Primary
                            .span(span.clone())
                            .label(label.as_ref()),
                    ),
            );
        }
        None => {
            let place = match d.pos {
                Some(p) if p.line > 0 => format!("{name}:{}:{}", p.line, p.column),
                _ => name.to_string(),
            };
            group = group.element(Level::NOTE.message(format!("in {place}")));
        }
    }
    let help = d.help.as_deref().map(clean_lines);
    if let Some(help) = &help {
        group = group.element(Level::HELP.message(help.as_ref()));
    }
    renderer.render(&[group])
}

/// The line holding `pos` and the byte span inside it to underline.
fn span_of(text: &str, pos: Pos) -> Option<(usize, &str, std::ops::Range<usize>)> {
    if pos.line == 0 {
        return None;
    }
    let line_text = text.split_inclusive('\n').nth(pos.line - 1)?;
    let line_text = line_text.trim_end_matches(['\n', '\r']);
    let line_offset = text
        .split_inclusive('\n')
        .take(pos.line - 1)
        .map(str::len)
        .sum::<usize>();
    let start = match pos.offset {
        Some(o) if o >= line_offset && o <= line_offset + line_text.len() => o - line_offset,
        _ => char_col_to_byte(line_text, pos.column),
    };
    let mut end = (start + pos.len.max(1)).min(line_text.len());
    if end <= start {
        end = start;
    }
    while !line_text.is_char_boundary(end) && end < line_text.len() {
        end += 1;
    }
    if !line_text.is_char_boundary(start) {
        return None;
    }
    Some((pos.line, line_text, start..end))
}

fn char_col_to_byte(line: &str, column: usize) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let word_l = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word_l, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" or the list of allowed values when nothing is close.
pub fn suggestion<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str> + Clone,
{
    match did_you_mean(word, candidates.clone()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => {
            let all: Vec<&str> = candidates.into_iter().collect();
            format!("expected one of: {}", all.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let c = ["direction", "payload", "presence"];
        assert_eq!(did_you_mean("directoin", c), Some("direction"));
        assert_eq!(did_you_mean("zzz", c), None);
        assert!(suggestion("zzz", c).contains("expected one of: direction"));
    }

    #[test]
    fn renders_path_line_column_and_caret() {
        let report = Report {
            source: Source {
                name: "w.yaml".into(),
                text: "name: x\ndirektion: up\n".into(),
            },
            diagnostics: vec![Diagnostic::at(
                "unknown field `direktion`",
                Pos {
                    line: 2,
                    column: 1,
                    offset: Some(8),
                    len: 9,
                },
            )
            .label("not a profile field")
            .help("did you mean `direction`?")],
        };
        let out = report.render(false);
        assert!(out.contains("w.yaml:2:1"), "{out}");
        assert!(out.contains("^^^^^^^^^"), "{out}");
        assert!(out.contains("did you mean `direction`?"), "{out}");
    }
}
