//! Finding rtadvisor sections in a markdown doc and splicing new ones in.
//!
//! Pure functions of the doc's text, no I/O. The doc is parsed with a CommonMark
//! parser (pulldown-cmark, with the GitHub extensions and YAML front matter), so
//! a marker counts only where markdown itself sees an HTML comment block that
//! starts on the marker's line: marker text inside fenced or indented code blocks,
//! inside a multi-line HTML comment or another HTML block, or quoted in prose is
//! text. A doc may hold several sections; each begin marker may record what its
//! section was made with (`profile="../w.yaml" heading-level="3" status="accepted"`).
//!
//! Every function that edits the text keeps every byte outside the section it
//! edits, and checks its own result: the new section must be found where it was
//! put, or the edit is refused.

use crate::report::markdown::{Detail, Status};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A bare begin marker (SPEC.md, fixed).
pub const BEGIN: &str = "<!-- rtadvisor:begin -->";
/// Closes a section (SPEC.md, fixed).
pub const END: &str = "<!-- rtadvisor:end -->";
const BEGIN_OPEN: &str = "<!-- rtadvisor:begin";
const COMMENT_CLOSE: &str = "-->";
const BOM: &str = "\u{feff}";

/// The settings a begin marker can record, in the order they are written.
pub const KEYS: [&str; 6] = [
    "profile",
    "heading-level",
    "status",
    "detail",
    "diagram",
    "rules",
];

/// A marker layout or marker setting the command refuses, pointing at the offending text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerError {
    pub message: String,
    pub help: String,
    /// Byte offset of the offending text.
    pub offset: usize,
    pub len: usize,
}

impl MarkerError {
    fn new(message: impl Into<String>, help: impl Into<String>, offset: usize, len: usize) -> Self {
        MarkerError {
            message: message.into(),
            help: help.into(),
            offset,
            len,
        }
    }
}

/// What a section was made with, as recorded in its begin marker. `None`: not recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The workload profile, relative to the doc's folder (or absolute).
    pub profile: Option<String>,
    pub heading_level: Option<u8>,
    pub status: Option<Status>,
    pub detail: Option<Detail>,
    /// Whether the section draws the path diagram (recorded only when it does not).
    pub diagram: Option<bool>,
    /// A folder of rule files laid over the built-in rules, relative to the doc's folder.
    pub rules: Option<String>,
}

/// One section found in a doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the begin marker.
    pub begin: usize,
    /// Byte offset just past the begin marker's `-->`.
    pub begin_end: usize,
    /// Byte offset of the end marker.
    pub end: usize,
    /// 1-based line of the begin marker.
    pub line: usize,
    pub settings: Settings,
    /// Where the `profile` value sits in the doc (offset, length), for messages.
    pub profile_at: Option<(usize, usize)>,
}

/// A marker candidate: a line holding only a marker.
#[derive(Debug)]
struct Candidate {
    offset: usize,
    len: usize,
    /// Begin markers: the text between `rtadvisor:begin` and `-->`, and its offset.
    attrs: Option<(usize, String)>,
}

fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// The length of a leading UTF-8 byte order mark (kept byte for byte, skipped when parsing).
fn bom_len(text: &str) -> usize {
    if text.starts_with(BOM) {
        BOM.len()
    } else {
        0
    }
}

/// Block structure the scanner needs: where HTML blocks start (with their nesting
/// depth in lists and quotes) and where top-level headings are.
struct Blocks {
    /// (offset, inside a list item, block quote or footnote)
    html_starts: Vec<(usize, bool)>,
    /// (line start offset, level, plain text)
    headings: Vec<(usize, u8, String)>,
    /// Ranges that run to the end of the text unclosed: code blocks and HTML blocks.
    open_at_end: Option<&'static str>,
}

fn blocks(text: &str) -> Blocks {
    let skip = bom_len(text);
    let body = &text[skip..];
    let mut out = Blocks {
        html_starts: Vec::new(),
        headings: Vec::new(),
        open_at_end: None,
    };
    let mut depth = 0usize;
    let mut heading: Option<(usize, u8, String)> = None;
    for (event, range) in Parser::new_ext(body, parser_options()).into_offset_iter() {
        let start = range.start + skip;
        match event {
            Event::Start(
                Tag::BlockQuote(_) | Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_),
            ) => depth += 1,
            Event::End(
                TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item | TagEnd::FootnoteDefinition,
            ) => depth = depth.saturating_sub(1),
            Event::Start(Tag::HtmlBlock) => {
                out.html_starts.push((start, depth > 0));
                if range.end >= body.len() && !body[range.clone()].contains(COMMENT_CLOSE) {
                    out.open_at_end = Some("an HTML block");
                }
            }
            Event::Start(Tag::CodeBlock(_)) if range.end >= body.len() => {
                let block = &body[range.clone()];
                if is_unclosed_fence(block) {
                    out.open_at_end = Some("a fenced code block that is never closed");
                }
            }
            Event::Start(Tag::Heading { level, .. }) if depth == 0 => {
                let line_start = text[..start].rfind('\n').map_or(skip, |i| i + 1);
                heading = Some((line_start, level as u8, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.2.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    out.headings.push(h);
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a fenced code block running to the end of the text lacks its closing fence.
fn is_unclosed_fence(block: &str) -> bool {
    let first = block.lines().next().unwrap_or("").trim_start();
    let ch = match first.chars().next() {
        Some(c @ ('`' | '~')) => c,
        _ => return false,
    };
    let open = first.chars().take_while(|c| *c == ch).count();
    let mut lines = block.lines().skip(1).peekable();
    let mut closed = false;
    while let Some(l) = lines.next() {
        let t = l.trim();
        if t.len() >= open && t.chars().all(|c| c == ch) && lines.peek().is_none() {
            closed = true;
        }
    }
    !closed
}

/// Lines that hold only a marker (up to 3 spaces of indentation; tabs or 4 spaces
/// make an indented code block, which the parser check rules out anyway). A begin
/// marker may go on over the next lines, up to the line that ends with `-->`.
fn candidates(text: &str) -> Vec<Candidate> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        lines.push((start, line));
        start += line.len();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        let skip = if i == 0 { bom_len(line) } else { 0 };
        let content = &line[skip..];
        let lead = content.len() - content.trim_start().len();
        let trimmed = content.trim();
        let at = start + skip + lead;
        if trimmed == END {
            out.push(Candidate {
                offset: at,
                len: END.len(),
                attrs: None,
            });
        } else if let Some(rest) = trimmed.strip_prefix(BEGIN_OPEN) {
            let starts_clean =
                rest.is_empty() || rest.starts_with([' ', '\t']) || rest.starts_with(COMMENT_CLOSE);
            let attrs_at = at + BEGIN_OPEN.len();
            if !starts_clean {
                // `<!-- rtadvisor:beginning` and the like: not a marker.
            } else if let Some(inner) = rest.strip_suffix(COMMENT_CLOSE) {
                if !inner.contains(COMMENT_CLOSE) {
                    out.push(Candidate {
                        offset: at,
                        len: trimmed.len(),
                        attrs: Some((attrs_at, inner.to_string())),
                    });
                }
            } else if !rest.contains(COMMENT_CLOSE) {
                // Settings over several lines: up to the first line holding `-->`.
                for (j, (jstart, jline)) in lines.iter().enumerate().skip(i + 1) {
                    let t = jline.trim_end();
                    if !t.contains(COMMENT_CLOSE) {
                        continue;
                    }
                    if t.ends_with(COMMENT_CLOSE) && t.matches(COMMENT_CLOSE).count() == 1 {
                        let close_end = jstart + t.len();
                        out.push(Candidate {
                            offset: at,
                            len: close_end - at,
                            attrs: Some((
                                attrs_at,
                                text[attrs_at..close_end - COMMENT_CLOSE.len()].to_string(),
                            )),
                        });
                        i = j;
                    }
                    break;
                }
            }
        }
        i += 1;
    }
    out
}

/// Every section of the doc, in order; every problem at once otherwise.
pub fn scan(text: &str) -> Result<Vec<Span>, Vec<MarkerError>> {
    let b = blocks(text);
    let mut errors = Vec::new();
    let mut markers = Vec::new();
    for c in candidates(text) {
        match b.html_starts.iter().find(|(o, _)| *o == c.offset) {
            Some((_, true)) => errors.push(MarkerError::new(
                "a marker inside a list item, block quote or footnote",
                "put the marker at the start of a line outside lists and quotes, with blank lines around it",
                c.offset,
                c.len,
            )),
            Some((_, false)) => markers.push(c),
            // Inside a code block, an HTML comment or another HTML block: text.
            None => {}
        }
    }

    let mut spans = Vec::new();
    // The begin marker of the section being read: where it is, what it records.
    type Open = (Candidate, Settings, Option<(usize, usize)>);
    let mut open: Option<Open> = None;
    let mut stray_ends: Vec<Candidate> = Vec::new();
    for c in markers {
        match &c.attrs {
            Some((at, inner)) => {
                let (settings, profile_at, mut errs) = parse_settings(*at, inner);
                errors.append(&mut errs);
                if let Some((prev, _, _)) = &open {
                    errors.push(MarkerError::new(
                        format!(
                            "a begin marker inside the section opened at line {}",
                            line_of(text, prev.offset)
                        ),
                        format!("that section has no end marker: add `{END}` on its own line before this marker"),
                        c.offset,
                        c.len,
                    ));
                }
                open = Some((c, settings, profile_at));
            }
            None => match open.take() {
                Some((bc, settings, profile_at)) => spans.push(Span {
                    begin: bc.offset,
                    begin_end: bc.offset + bc.len,
                    end: c.offset,
                    line: line_of(text, bc.offset),
                    settings,
                    profile_at,
                }),
                None => stray_ends.push(c),
            },
        }
    }
    let unclosed = open.map(|(c, _, _)| c);
    for e in &stray_ends {
        let reversed =
            unclosed.as_ref().is_some_and(|b| b.offset > e.offset) && stray_ends.len() == 1;
        if reversed {
            errors.push(MarkerError::new(
                "end marker comes before the begin marker",
                "swap the two markers so the section sits between begin and end",
                e.offset,
                e.len,
            ));
        } else {
            errors.push(MarkerError::new(
                "end marker without a begin marker",
                format!("add `{BEGIN}` on its own line before the section, or remove this marker"),
                e.offset,
                e.len,
            ));
        }
    }
    if let Some(b) = unclosed {
        let reversed_reported = stray_ends.len() == 1 && stray_ends[0].offset < b.offset;
        if !reversed_reported {
            errors.push(MarkerError::new(
                "begin marker without an end marker",
                format!(
                    "add `{END}` on its own line after the section, or remove this marker \
                     (an end marker inside a code block does not count)"
                ),
                b.offset,
                b.len,
            ));
        }
    }

    // Which section is which: at most one without a profile, no profile twice.
    let mut bare_seen: Option<usize> = None;
    let mut profiles: Vec<(String, usize)> = Vec::new();
    for s in &spans {
        match &s.settings.profile {
            None => {
                if let Some(first) = bare_seen {
                    errors.push(MarkerError::new(
                        format!(
                            "a second begin marker that names no profile (the first is at line {first})"
                        ),
                        "rtadvisor cannot tell these sections apart: name the profile in each, \
                         e.g. <!-- rtadvisor:begin profile=\"../w.yaml\" -->, or remove one",
                        s.begin,
                        s.begin_end - s.begin,
                    ));
                } else {
                    bare_seen = Some(s.line);
                }
            }
            Some(p) => {
                let key = normalize(p);
                if let Some((_, first)) = profiles.iter().find(|(k, _)| *k == key) {
                    let (o, l) = s.profile_at.unwrap_or((s.begin, s.begin_end - s.begin));
                    errors.push(MarkerError::new(
                        format!("a second section for profile {p} (the first is at line {first})"),
                        "keep one section per profile: remove one of the two sections",
                        o,
                        l,
                    ));
                } else {
                    profiles.push((key, s.line));
                }
            }
        }
    }

    if errors.is_empty() {
        Ok(spans)
    } else {
        errors.sort_by_key(|e| e.offset);
        Err(errors)
    }
}

/// A profile path as written, without `./` steps, for telling two sections apart.
fn normalize(p: &str) -> String {
    p.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Parses `key="value"` (or `key=value`) pairs; `at` is the byte offset of `inner`.
fn parse_settings(at: usize, inner: &str) -> (Settings, Option<(usize, usize)>, Vec<MarkerError>) {
    let mut s = Settings::default();
    let mut errors = Vec::new();
    let mut profile_at = None;
    let mut seen: Vec<String> = Vec::new();
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let key = &inner[start..i];
        if i >= bytes.len() || bytes[i] != b'=' {
            errors.push(MarkerError::new(
                format!("`{key}` in the begin marker is not a setting"),
                format!("write settings as key=\"value\"; keys: {}", KEYS.join(", ")),
                at + start,
                key.len(),
            ));
            continue;
        }
        i += 1;
        let (value, vstart, vlen) = if i < bytes.len() && bytes[i] == b'"' {
            let vs = i + 1;
            match inner[vs..].find('"') {
                Some(n) => {
                    i = vs + n + 1;
                    (&inner[vs..vs + n], vs, n)
                }
                None => {
                    errors.push(MarkerError::new(
                        format!("the value of `{key}` has no closing quote"),
                        "close the value with \"",
                        at + start,
                        inner.len() - start,
                    ));
                    break;
                }
            }
        } else {
            let vs = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            (&inner[vs..i], vs, i - vs)
        };
        let pos = (at + vstart, vlen.max(1));
        if seen.iter().any(|k| k == key) {
            errors.push(MarkerError::new(
                format!("`{key}` is set twice in the begin marker"),
                "keep one of them",
                at + start,
                key.len(),
            ));
            continue;
        }
        seen.push(key.to_string());
        let bad = |what: &str, help: String| MarkerError::new(what.to_string(), help, pos.0, pos.1);
        if value.chars().any(char::is_control) {
            errors.push(bad(
                &format!("the value of `{key}` holds control characters"),
                "write the value as plain text".into(),
            ));
            continue;
        }
        match key {
            "profile" | "rules" if value.trim().is_empty() => errors.push(bad(
                &format!("`{key}` is empty"),
                "give a path relative to this doc's folder".into(),
            )),
            "profile" => {
                s.profile = Some(value.to_string());
                profile_at = Some(pos);
            }
            "rules" => s.rules = Some(value.to_string()),
            "heading-level" => match value.parse::<u8>() {
                Ok(n @ 1..=6) => s.heading_level = Some(n),
                _ => errors.push(bad(
                    &format!("heading-level `{value}` is not a level from 1 to 6"),
                    "use heading-level=\"2\" (the default) or another level from 1 to 6".into(),
                )),
            },
            "status" => match Status::parse(value) {
                Some(st) => s.status = Some(st),
                None => errors.push(bad(
                    &format!("status `{value}` is not a decision status"),
                    crate::diag::suggestion(value, Status::ALL.iter().map(|s| s.as_str())),
                )),
            },
            "detail" => match Detail::parse(value) {
                Some(d) => s.detail = Some(d),
                None => errors.push(bad(
                    &format!("detail `{value}` is not a level of detail"),
                    crate::diag::suggestion(value, ["concise", "full"]),
                )),
            },
            "diagram" => match value {
                "yes" => s.diagram = Some(true),
                "no" => s.diagram = Some(false),
                _ => errors.push(bad(
                    &format!("diagram `{value}` is neither yes nor no"),
                    crate::diag::suggestion(value, ["yes", "no"]),
                )),
            },
            _ => errors.push(MarkerError::new(
                format!("`{key}` is not a setting of the begin marker"),
                crate::diag::suggestion(key, KEYS),
                at + start,
                key.len(),
            )),
        }
    }
    (s, profile_at, errors)
}

/// The begin marker recording `s`; a bare marker when nothing is recorded. Past
/// 80 columns the settings go on over more lines (markdownlint's line length).
/// Values must not hold `"`, `--` or control characters ([`check_value`]).
pub fn begin_marker(s: &Settings) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |k: &str, v: &str| {
        parts.push(format!("{k}=\"{v}\""));
    };
    if let Some(p) = &s.profile {
        push("profile", p);
    }
    if let Some(l) = s.heading_level {
        push("heading-level", &l.to_string());
    }
    if let Some(st) = s.status {
        push("status", st.as_str());
    }
    if let Some(d) = s.detail {
        push("detail", d.as_str());
    }
    if let Some(d) = s.diagram {
        push("diagram", if d { "yes" } else { "no" });
    }
    if let Some(r) = &s.rules {
        push("rules", r);
    }
    const WIDTH: usize = 80;
    let mut lines = vec![BEGIN_OPEN.to_string()];
    let n = parts.len();
    for (i, part) in parts.into_iter().enumerate() {
        let last = i + 1 == n;
        let piece = if last {
            format!("{part} {COMMENT_CLOSE}")
        } else {
            part
        };
        let cur = lines.last_mut().map_or(0, |l| l.chars().count());
        if cur + 1 + piece.chars().count() <= WIDTH {
            if let Some(l) = lines.last_mut() {
                l.push(' ');
                l.push_str(&piece);
            }
        } else {
            lines.push(format!("  {piece}"));
        }
    }
    if n == 0 {
        return BEGIN.to_string();
    }
    lines.join("\n")
}

/// Why a path cannot be recorded in a begin marker, if it cannot.
pub fn check_value(v: &str) -> Option<&'static str> {
    if v.contains('"') {
        Some("it holds a double quote")
    } else if v.contains("--") {
        Some("it holds `--`, which would end the HTML comment early")
    } else if v.chars().any(char::is_control) {
        Some("it holds control characters")
    } else {
        None
    }
}

/// The doc's line ending: that of its first line break, LF when it has none. A doc
/// with no line feed that ends in a carriage return counts as CRLF, because what
/// `insert` appends turns that `\r` into its first CRLF (found by fuzzing: without
/// this, a second run re-wrote the section with other line endings).
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        None if text.ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// What goes between the end of the begin marker and the end marker.
fn inner(text: &str, section: &str) -> String {
    let nl = line_ending(text);
    let body = section.trim_end_matches('\n').replace('\n', nl);
    format!("{nl}{nl}{body}{nl}{nl}")
}

/// The doc with section `span` replaced: its begin marker becomes `begin` and the
/// text up to the end marker's line becomes `section` (LF text; it takes the doc's
/// line ending). Nothing else changes.
pub fn replace(text: &str, span: &Span, begin: &str, section: &str) -> Result<String, MarkerError> {
    let begin = &begin.replace('\n', line_ending(text));
    let end_line = text[..span.end].rfind('\n').map_or(0, |i| i + 1);
    let out = format!(
        "{}{begin}{}{}",
        &text[..span.begin],
        inner(text, section),
        &text[end_line.max(span.begin_end)..]
    );
    verify(&out, span.begin, begin.len())?;
    Ok(out)
}

/// The doc with a new section inserted at byte `at`: the start of a line, or the
/// end of the text (appended after a blank line, keeping a missing final newline).
pub fn insert(text: &str, at: usize, begin: &str, section: &str) -> Result<String, MarkerError> {
    let nl = line_ending(text);
    let begin = &begin.replace('\n', nl);
    let block = format!("{begin}{}{END}", inner(text, section));
    let at = at.min(text.len());
    let (out, begin_at) = if at < text.len() {
        let before = &text[..at];
        let sep = if before.is_empty() || before.ends_with("\n\n") || before.ends_with("\n\r\n") {
            ""
        } else {
            nl
        };
        let begin_at = at + sep.len();
        (
            format!("{before}{sep}{block}{nl}{nl}{}", &text[at..]),
            begin_at,
        )
    } else if text.is_empty() || text == BOM {
        (format!("{text}{block}{nl}"), text.len())
    } else {
        let trailing = &text[text.trim_end_matches(['\n', '\r']).len()..];
        let (sep, after) = match trailing.matches('\n').count() {
            0 => (format!("{nl}{nl}"), ""),
            1 => (nl.to_string(), nl),
            _ => (String::new(), nl),
        };
        (format!("{text}{sep}{block}{after}"), text.len() + sep.len())
    };
    match verify(&out, begin_at, begin.len()) {
        Ok(()) => Ok(out),
        Err(e) => match blocks(text).open_at_end.filter(|_| at >= text.len()) {
            Some(what) => Err(MarkerError::new(
                format!("the doc ends inside {what}: a section appended there would be part of it"),
                "close it, or put a bare begin and end marker where the section should go",
                text.len(),
                0,
            )),
            None => Err(e),
        },
    }
}

/// A section edit must leave a section beginning exactly where it was written.
fn verify(out: &str, begin_at: usize, len: usize) -> Result<(), MarkerError> {
    match scan(out) {
        Ok(spans) if spans.iter().any(|s| s.begin == begin_at) => Ok(()),
        _ => Err(MarkerError::new(
            "rtadvisor could not place its section here so that markdown still sees it",
            "put a bare begin and end marker, each on its own line with blank lines around it, where the section should go",
            begin_at,
            len,
        )),
    }
}

/// Where a new section goes with `--after HEADING`: the start of the next top-level
/// heading of the same or a higher level (the end of that heading's section), or
/// the end of the doc. Also returns the heading's line. `heading` is compared with
/// the heading's text, ignoring case, surrounding space and leading `#`s.
pub fn after_heading(text: &str, heading: &str) -> Result<(usize, usize), String> {
    let want = heading.trim().trim_start_matches('#').trim().to_lowercase();
    // Headings inside rtadvisor sections are generated: neither a place to put a
    // section after nor the end of a person's part of the doc.
    let sections = scan(text).unwrap_or_default();
    let hs: Vec<(usize, u8, String)> = blocks(text)
        .headings
        .into_iter()
        .filter(|(o, _, _)| !sections.iter().any(|s| s.begin <= *o && *o < s.end))
        .collect();
    let found: Vec<usize> = hs
        .iter()
        .enumerate()
        .filter(|(_, (_, _, t))| t.trim().to_lowercase() == want)
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [i] => {
            let (start, level, _) = &hs[*i];
            let at = hs[i + 1..]
                .iter()
                .find(|(_, l, _)| l <= level)
                .map_or(text.len(), |(o, _, _)| *o);
            Ok((at, line_of(text, *start)))
        }
        [] => {
            let names: Vec<&str> = hs.iter().map(|(_, _, t)| t.as_str()).collect();
            let hint = match crate::diag::did_you_mean(&want, names.iter().copied()) {
                Some(n) => format!("did you mean \"{n}\"?"),
                None if names.is_empty() => "the doc has no headings".to_string(),
                None => format!(
                    "its headings: {}",
                    names
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            Err(format!(
                "no heading \"{}\" in the doc; {hint}",
                heading.trim()
            ))
        }
        many => {
            let lines: Vec<String> = many
                .iter()
                .map(|i| line_of(text, hs[*i].0).to_string())
                .collect();
            Err(format!(
                "\"{}\" names {} headings (lines {}); rename one, or put a bare begin and end marker where the section should go",
                heading.trim(),
                many.len(),
                lines.join(", ")
            ))
        }
    }
}

/// The one section of a doc: `None` when there is none, its begin and end offsets
/// when there is exactly one, an error otherwise (also for a bad layout).
pub fn find_markers(text: &str) -> Result<Option<(usize, usize)>, MarkerError> {
    let spans = scan(text).map_err(|mut e| e.remove(0))?;
    match spans.as_slice() {
        [] => Ok(None),
        [s] => Ok(Some((s.begin, s.end))),
        [_, s, ..] => Err(MarkerError::new(
            "a second section",
            "this function handles docs with one section",
            s.begin,
            s.begin_end - s.begin,
        )),
    }
}

/// The doc with `section` in its one section (begin marker kept as it is), or
/// appended with a bare pair of markers when it has none.
pub fn splice(text: &str, section: &str) -> Result<String, MarkerError> {
    match find_markers(text)? {
        Some(_) => {
            let spans = scan(text).map_err(|mut e| e.remove(0))?;
            let s = &spans[0];
            let begin = text[s.begin..s.begin_end].to_string();
            replace(text, s, &begin, section)
        }
        None => insert(text, text.len(), BEGIN, section),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: &str = "## Title\n\nBody.\n";

    fn spans(text: &str) -> Vec<Span> {
        scan(text).unwrap()
    }

    #[test]
    fn no_markers_appends_after_a_blank_line() {
        assert_eq!(
            splice("# Doc\n", SEC).unwrap(),
            format!("# Doc\n\n{BEGIN}\n\n## Title\n\nBody.\n\n{END}\n")
        );
        assert_eq!(
            splice("# Doc\n\n", SEC).unwrap(),
            format!("# Doc\n\n{BEGIN}\n\n## Title\n\nBody.\n\n{END}\n")
        );
    }

    #[test]
    fn empty_doc_gets_just_the_section() {
        assert_eq!(
            splice("", SEC).unwrap(),
            format!("{BEGIN}\n\n## Title\n\nBody.\n\n{END}\n")
        );
    }

    #[test]
    fn no_trailing_newline_stays_that_way() {
        let out = splice("# Doc", SEC).unwrap();
        assert_eq!(
            out,
            format!("# Doc\n\n{BEGIN}\n\n## Title\n\nBody.\n\n{END}")
        );
        assert_eq!(splice(&out, SEC).unwrap(), out);
    }

    #[test]
    fn replaces_only_between_markers() {
        let doc = format!("before é\n{BEGIN}\nold\n{END}\nafter ✓");
        let out = splice(&doc, SEC).unwrap();
        assert_eq!(
            out,
            format!("before é\n{BEGIN}\n\n## Title\n\nBody.\n\n{END}\nafter ✓")
        );
        assert_eq!(splice(&out, SEC).unwrap(), out);
    }

    #[test]
    fn crlf_docs_get_crlf_sections() {
        let doc = format!("# Doc\r\n{BEGIN}\r\n{END}\r\n");
        let out = splice(&doc, SEC).unwrap();
        assert_eq!(
            out,
            format!("# Doc\r\n{BEGIN}\r\n\r\n## Title\r\n\r\nBody.\r\n\r\n{END}\r\n")
        );
        assert!(!out.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn marker_quoted_in_prose_is_not_a_marker() {
        let doc = format!("Put `{BEGIN}` in your doc.\n");
        assert_eq!(find_markers(&doc), Ok(None));
    }

    #[test]
    fn markers_in_code_blocks_and_comments_are_text() {
        let fenced = [
            format!("```\n{BEGIN}\n{END}\n```\n"),
            format!("```markdown title=\"x\"\n{BEGIN}\n...\n{END}\n```\n"),
            format!("````md\n```\n{BEGIN}\n```\n{END}\n````\n"),
            format!("~~~\n{BEGIN}\n{END}\n~~~\n"),
            format!("~~~~~ text\n{BEGIN}\n{END}\n~~~~~\n"),
            format!("  ```\n  {BEGIN}\n  {END}\n  ```\n"),
            format!("Intro.\n\n    {BEGIN}\n    {END}\n"),
            format!("\t{BEGIN}\n\t{END}\n"),
            // A comment ends at the first `-->`: the marker's own closes it, so a
            // marker on a comment's later line is part of that comment.
            format!("<!--\n{BEGIN}\n-->\n\n<!-- an example:\n{END}\n"),
            format!("<!-- a comment\nthat spans lines\n{END}\n-->\n"),
            format!("---\ntitle: x\nnote: |\n  {BEGIN}\n---\n"),
        ];
        for doc in &fenced {
            assert_eq!(find_markers(doc), Ok(None), "{doc}");
        }
        // An example pair and a real pair: only the real one counts.
        let doc = format!("```markdown\n{BEGIN}\n...\n{END}\n```\n\n{BEGIN}\nold\n{END}\n");
        let s = spans(&doc);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].begin, doc.rfind(BEGIN).unwrap());
        let out = splice(&doc, SEC).unwrap();
        assert!(out.starts_with(&format!(
            "```markdown\n{BEGIN}\n...\n{END}\n```\n\n{BEGIN}\n\n## Title"
        )));
        // The unclosed comment swallows the real-looking marker on its second line.
        let doc = format!("<!--\n{BEGIN}\n-->\n\n{BEGIN}\n{END}\n");
        assert_eq!(spans(&doc).len(), 1);
    }

    #[test]
    fn appending_into_an_unclosed_block_is_refused() {
        for doc in ["```\ncode", "<!-- note\nstill open\n", "<pre>\nx\n"] {
            let e = splice(doc, SEC).unwrap_err();
            assert!(e.message.contains("ends inside"), "{doc}: {e:?}");
        }
        // A blank line ends these blocks: the section goes after them.
        for doc in [
            "<div>\nx\n",
            "<details>",
            "    code\n",
            "> quote",
            "- item\n  more",
        ] {
            let out = splice(doc, SEC).unwrap();
            assert!(out.starts_with(doc));
            assert_eq!(splice(&out, SEC).unwrap(), out);
        }
    }

    #[test]
    fn settings_are_read_and_written() {
        let doc = format!(
            "<!-- rtadvisor:begin profile=\"../w.yaml\" heading-level=3 status=\"accepted\" detail=\"full\" diagram=\"no\" rules=\"r\" -->\n{END}\n"
        );
        let s = &spans(&doc)[0];
        let want = Settings {
            profile: Some("../w.yaml".into()),
            heading_level: Some(3),
            status: Some(Status::Accepted),
            detail: Some(Detail::Full),
            diagram: Some(false),
            rules: Some("r".into()),
        };
        assert_eq!(s.settings, want);
        let (o, l) = s.profile_at.unwrap();
        assert_eq!(&doc[o..o + l], "../w.yaml");
        let written = begin_marker(&want);
        assert_eq!(
            written,
            "<!-- rtadvisor:begin profile=\"../w.yaml\" heading-level=\"3\" status=\"accepted\"\n  detail=\"full\" diagram=\"no\" rules=\"r\" -->"
        );
        let spec = Settings {
            detail: None,
            diagram: None,
            rules: None,
            ..want.clone()
        };
        assert_eq!(
            begin_marker(&spec),
            "<!-- rtadvisor:begin profile=\"../w.yaml\" heading-level=\"3\" status=\"accepted\" -->",
            "the SPEC's example fits on one line"
        );
        assert_eq!(spans(&format!("{written}\n{END}\n"))[0].settings, want);
        assert_eq!(begin_marker(&Settings::default()), BEGIN);
    }

    #[test]
    fn long_settings_go_on_over_lines() {
        let s = Settings {
            profile: Some("../../services/notifications/feed/workload-profile.yaml".into()),
            heading_level: Some(3),
            status: Some(Status::Superseded),
            detail: Some(Detail::Full),
            diagram: Some(false),
            rules: Some("../../rules".into()),
        };
        let m = begin_marker(&s);
        assert!(m.lines().count() > 1, "{m}");
        assert!(m.lines().all(|l| l.chars().count() <= 80), "{m}");
        for nl in ["\n", "\r\n"] {
            let doc = format!("# D{nl}{nl}{}{nl}old{nl}{END}{nl}", m.replace('\n', nl));
            let spans = spans(&doc);
            assert_eq!(spans.len(), 1);
            assert_eq!(spans[0].settings, s);
            let out = replace(&doc, &spans[0], &m, SEC).unwrap();
            assert_eq!(
                replace(&out, &scan(&out).unwrap()[0], &m, SEC).unwrap(),
                out
            );
            if nl == "\r\n" {
                assert!(!out.replace("\r\n", "").contains('\n'));
            }
        }
        // A comment that never closes is not a marker.
        assert_eq!(
            find_markers("<!-- rtadvisor:begin profile=\"a\"\nstill open\n"),
            Ok(None)
        );
    }

    #[test]
    fn bad_settings_are_all_reported() {
        let doc = format!(
            "<!-- rtadvisor:begin profil=\"a\" heading-level=9 status=acepted stray -->\n{END}\n"
        );
        let errs = scan(&doc).unwrap_err();
        let msgs: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(errs.len(), 4, "{msgs:?}");
        assert!(errs[0].help.contains("did you mean `profile`"));
        assert!(errs[1].message.contains("heading-level `9`"));
        assert!(errs[2].help.contains("did you mean `accepted`"));
        assert!(errs[3].message.contains("`stray`"));
        assert_eq!(&doc[errs[1].offset..errs[1].offset + errs[1].len], "9");
    }

    #[test]
    fn several_sections() {
        let doc = format!(
            "# D\n\n<!-- rtadvisor:begin profile=\"a.yaml\" -->\nA\n{END}\n\n<!-- rtadvisor:begin profile=\"b.yaml\" -->\nB\n{END}\n"
        );
        let s = spans(&doc);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[1].line), (3, 7));
        let begin = doc[s[1].begin..s[1].begin_end].to_string();
        let out = replace(&doc, &s[1], &begin, SEC).unwrap();
        assert!(
            out.starts_with(&doc[..s[1].begin]),
            "the first section is untouched"
        );
        assert_eq!(spans(&out).len(), 2);

        let same = format!(
            "<!-- rtadvisor:begin profile=\"a.yaml\" -->\n{END}\n\n<!-- rtadvisor:begin profile=\"./a.yaml\" -->\n{END}\n"
        );
        assert!(scan(&same).unwrap_err()[0]
            .message
            .contains("second section for profile"));
        let two_bare = format!("{BEGIN}\n{END}\n\n{BEGIN}\n{END}\n");
        let e = &scan(&two_bare).unwrap_err()[0];
        assert!(e.message.contains("a second begin marker"));
        assert_eq!(e.offset, BEGIN.len() + END.len() + 3);
    }

    #[test]
    fn refuses_bad_layouts() {
        let only_begin = format!("a\n\n{BEGIN}\n");
        let e = find_markers(&only_begin).unwrap_err();
        assert_eq!(e.offset, 3);
        assert!(e.message.contains("without an end"));

        let only_end = format!("a\n\n  {END}\n");
        let e = find_markers(&only_end).unwrap_err();
        assert_eq!(e.offset, 5);

        let reversed = format!("{END}\n{BEGIN}\n");
        let e = find_markers(&reversed).unwrap_err();
        assert!(e.message.contains("before"));
        assert_eq!(e.offset, 0);

        let nested = format!("{BEGIN}\n{BEGIN}\n{END}\n");
        let errs = scan(&nested).unwrap_err();
        assert!(errs[0]
            .message
            .contains("inside the section opened at line 1"));

        let in_list = format!("- item\n\n  {BEGIN}\n  {END}\n");
        assert!(scan(&in_list).unwrap_err()[0].message.contains("list item"));
    }

    #[test]
    fn a_bom_before_the_first_marker_is_kept() {
        let doc = format!("\u{feff}{BEGIN}\nold\n{END}\n");
        let s = spans(&doc);
        assert_eq!(s[0].begin, 3);
        let out = splice(&doc, SEC).unwrap();
        assert_eq!(
            out,
            format!("\u{feff}{BEGIN}\n\n## Title\n\nBody.\n\n{END}\n")
        );
        assert_eq!(
            splice("\u{feff}", SEC).unwrap(),
            format!("\u{feff}{BEGIN}\n\n## Title\n\nBody.\n\n{END}\n")
        );
    }

    #[test]
    fn after_heading_inserts_before_the_next_sibling() {
        let doc = "# D\n\n## Context\n\nText.\n\n### Detail\n\nMore.\n\n## Open questions\n\nQ.\n";
        let (at, line) = after_heading(doc, "context").unwrap();
        assert_eq!(line, 3);
        assert_eq!(&doc[at..at + 4], "## O");
        let out = insert(doc, at, BEGIN, SEC).unwrap();
        assert!(out.contains(&format!(
            "More.\n\n{BEGIN}\n\n## Title\n\nBody.\n\n{END}\n\n## Open questions\n"
        )));
        let (at, _) = after_heading(doc, "## Open questions").unwrap();
        assert_eq!(at, doc.len());
        assert!(after_heading(doc, "Contxt")
            .unwrap_err()
            .contains("did you mean \"Context\""));
        let code = "```\n# Context\n```\n\n# Context\n";
        assert_eq!(after_heading(code, "Context").unwrap().1, 5);
        let twice = "# A\n\n# A\n";
        assert!(after_heading(twice, "A")
            .unwrap_err()
            .contains("lines 1, 3"));
        // Generated headings do not count.
        let with = format!("# A\n\n{BEGIN}\n\n## Title\n\nBody.\n\n{END}\n\n# B\n");
        assert!(after_heading(&with, "Title").is_err());
        let (at, _) = after_heading(&with, "A").unwrap();
        assert_eq!(&with[at..], "# B\n");
        // No blank line before the next heading: one is added.
        let tight = "# A\ntext\n# B\n";
        let (at, _) = after_heading(tight, "A").unwrap();
        assert_eq!(
            insert(tight, at, BEGIN, SEC).unwrap(),
            format!("# A\ntext\n\n{BEGIN}\n\n## Title\n\nBody.\n\n{END}\n\n# B\n")
        );
    }

    proptest::proptest! {
        /// Docs built from markdown pieces that matter to the scanner: splicing
        /// never panics, keeps every byte outside the section, and is idempotent.
        #[test]
        fn splicing_keeps_the_doc_and_is_idempotent(
            pieces in proptest::collection::vec(0usize..20, 0..12),
            crlf in proptest::bool::ANY,
            bom in proptest::bool::ANY,
        ) {
            const PIECES: [&str; 20] = [
                "# Title\n", "text\n", "\n", "```\n", "~~~~ md\n", "    indented\n",
                "<!--\n", "-->\n", "<!-- note -->\n", BEGIN, END, "\n<!-- rtadvisor:begin profile=\"a.yaml\" -->\n",
                "- item\n", "> quote\n", "<div>\n", "</div>\n", "---\n", "| a |\n| - |\n",
                "<!-- rtadvisor:begin heading-level=\"9\" -->", "  ",
            ];
            let mut doc: String = pieces.iter().map(|i| PIECES[*i]).collect();
            if crlf {
                doc = doc.replace('\n', "\r\n");
            }
            if bom {
                doc.insert(0, '\u{feff}');
            }
            let markers = find_markers(&doc);
            match splice(&doc, SEC) {
                Err(e) => proptest::prop_assert!(
                    markers.is_err() || e.message.contains("ends inside"),
                    "{e:?}"
                ),
                Ok(once) => {
                    proptest::prop_assert_eq!(&splice(&once, SEC).unwrap(), &once);
                    match markers.unwrap() {
                        Some((b, e)) => {
                            proptest::prop_assert!(once.starts_with(&doc[..b]));
                            proptest::prop_assert!(once.ends_with(&doc[e..]));
                        }
                        None => proptest::prop_assert!(once.starts_with(&doc)),
                    }
                }
            }
        }
    }

    #[test]
    fn line_endings() {
        assert_eq!(line_ending("a\r\nb\n"), "\r\n");
        assert_eq!(line_ending("a\nb\r\n"), "\n");
        assert_eq!(line_ending("a"), "\n");
    }

    #[test]
    fn values_that_cannot_be_recorded() {
        assert!(check_value("a\"b").is_some());
        assert!(check_value("a--b").is_some());
        assert!(check_value("../w.yaml").is_none());
        let doc = format!("<!-- rtadvisor:begin profile=\"a\u{1b}[31m.yaml\" -->\n{END}\n");
        assert!(scan(&doc).unwrap_err()[0]
            .message
            .contains("control characters"));
    }
}
