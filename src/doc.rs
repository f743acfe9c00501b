//! `rtadvisor doc FILE --into DOC`: marker-based injection into design docs.
//!
//! The section lives between two marker lines. Finding the markers and splicing
//! the section in are pure functions ([`find_markers`], [`splice`]); the command
//! itself only reads the doc, decides, and writes the result atomically.
//! Nothing outside the markers ever changes, and an up-to-date doc is not written.

use crate::app::{knowledge, load_one, Failure, Outcome};
use crate::cli::DocArgs;
use crate::diag::{Diagnostic, Report, Source};
use crate::engine::Engine;
use crate::fsx;
use crate::report::markdown;
use crate::yaml::Pos;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Opens the generated section (SPEC.md, fixed).
pub const BEGIN: &str = "<!-- rtadvisor:begin -->";
/// Closes the generated section (SPEC.md, fixed).
pub const END: &str = "<!-- rtadvisor:end -->";

/// A marker layout the command refuses to touch, pointing at the offending marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerError {
    pub message: String,
    pub help: String,
    /// Byte offset of the offending marker.
    pub offset: usize,
    pub len: usize,
}

/// Byte offsets of `marker` where it stands alone on its line (surrounding
/// whitespace allowed). A marker quoted inside prose is not a marker.
fn marker_offsets(text: &str, marker: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed == marker {
            let lead = line.len() - line.trim_start().len();
            out.push(start + lead);
        }
        start += line.len();
    }
    out
}

/// Where the begin and end markers are: `None` when neither exists, the byte
/// offsets of both when there is exactly one pair in order, an error otherwise.
pub fn find_markers(text: &str) -> Result<Option<(usize, usize)>, MarkerError> {
    let begins = marker_offsets(text, BEGIN);
    let ends = marker_offsets(text, END);
    let err = |message: &str, help: &str, offset: usize, marker: &str| MarkerError {
        message: message.to_string(),
        help: help.to_string(),
        offset,
        len: marker.len(),
    };
    let one_pair =
        "keep exactly one begin and one end marker; rtadvisor writes one section per doc";
    match (begins.as_slice(), ends.as_slice()) {
        ([], []) => Ok(None),
        ([_, second, ..], _) => Err(err(
            "a second begin marker: the doc holds more than one rtadvisor section",
            one_pair,
            *second,
            BEGIN,
        )),
        (_, [_, second, ..]) => Err(err(
            "a second end marker: the doc holds more than one rtadvisor section",
            one_pair,
            *second,
            END,
        )),
        ([b], []) => Err(err(
            "begin marker without an end marker",
            &format!("add `{END}` on its own line after the section, or remove this marker"),
            *b,
            BEGIN,
        )),
        ([], [e]) => Err(err(
            "end marker without a begin marker",
            &format!("add `{BEGIN}` on its own line before the section, or remove this marker"),
            *e,
            END,
        )),
        ([b], [e]) if e < b => Err(err(
            "end marker comes before the begin marker",
            "swap the two markers so the section sits between begin and end",
            *e,
            END,
        )),
        ([b], [e]) => Ok(Some((*b, *e))),
    }
}

/// The doc's line ending: that of its first line break, LF when it has none. A doc
/// with no line feed that ends in a carriage return counts as CRLF, because what
/// `splice` appends turns that `\r` into its first CRLF (found by fuzzing: without
/// this, a second run re-wrote the section with other line endings).
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        None if text.ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// The doc with `section` (LF text ending in a newline) between the markers,
/// appended with both markers when there are none. Bytes outside the markers
/// are kept exactly; the section takes the doc's line ending.
pub fn splice(text: &str, section: &str) -> Result<String, MarkerError> {
    let nl = line_ending(text);
    let body = section.trim_end_matches('\n').replace('\n', nl);
    // What goes between the end of the begin marker and the end marker's line.
    let inner = format!("{nl}{nl}{body}{nl}{nl}");
    match find_markers(text)? {
        Some((b, e)) => {
            let inner_start = b + BEGIN.len();
            let end_line = text[..e].rfind('\n').map_or(0, |i| i + 1);
            Ok(format!(
                "{}{inner}{}",
                &text[..inner_start],
                &text[end_line.max(inner_start)..]
            ))
        }
        None => {
            let block = format!("{BEGIN}{inner}{END}");
            if text.is_empty() {
                return Ok(format!("{block}{nl}"));
            }
            let trailing = &text[text.trim_end_matches(['\n', '\r']).len()..];
            let (sep, after) = match trailing.matches('\n').count() {
                0 => (format!("{nl}{nl}"), ""),
                1 => (nl.to_string(), nl),
                _ => (String::new(), nl),
            };
            Ok(format!("{text}{sep}{block}{after}"))
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn pos_of(text: &str, offset: usize, len: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        offset: Some(offset),
        len,
    }
}

fn marker_report(name: &str, text: &str, e: MarkerError) -> Failure {
    Failure::Input(vec![Report {
        source: Source {
            name: name.to_string(),
            text: text.to_string(),
        },
        diagnostics: vec![Diagnostic::at(e.message, pos_of(text, e.offset, e.len))
            .label("this marker")
            .help(e.help)],
    }])
}

/// The doc as it is now: `None` when it does not exist yet.
struct Existing {
    text: String,
    meta: std::fs::Metadata,
}

/// The file to write: DOC itself, which must be a regular file or not exist yet.
/// A symbolic link is refused rather than followed, so `doc` never writes outside
/// the path the user named; a FIFO, a device or a socket is refused too.
fn target_path(doc: &Path, name: &str) -> Result<PathBuf, Failure> {
    fsx::inspect(doc).map_err(|e| Failure::Usage(format!("{name}: {e}")))?;
    Ok(doc.to_path_buf())
}

fn read_doc(path: &Path, name: &str) -> Result<Option<Existing>, Failure> {
    let fail = |e: fsx::FsError| Failure::Usage(format!("{name}: {e}"));
    let Some(meta) = fsx::inspect(path).map_err(fail)? else {
        return Ok(None);
    };
    let bytes = fsx::read_regular(path, fsx::MAX_DOC_BYTES, false).map_err(fail)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::Usage(format!(
            "{name}: not UTF-8 text (invalid byte at offset {}); rtadvisor only edits UTF-8 docs",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(Some(Existing { text, meta }))
}

/// Writes `text` to `path` atomically, keeping an existing doc's mode and owner.
fn write_doc(path: &Path, text: &str, old: Option<&std::fs::Metadata>) -> Result<(), fsx::FsError> {
    fsx::write_atomic(path, text.as_bytes(), old)
}

pub fn run(a: DocArgs) -> Outcome {
    let k = knowledge(&a.rules)?;
    let one = load_one(&a.file, &k)?;
    let decision = Engine::new(&k).decide(&one.profile, &one.source);
    // No section for a decision with no viable transport: there is nothing to record.
    crate::app::no_viable_transport(std::slice::from_ref(&decision))?;
    let section = markdown::render(&decision, &one.profile, &k, a.heading.heading_level);

    // Shown on the terminal: cleaned of escapes and invisible characters.
    let name = crate::term::clean(&a.into.display().to_string()).into_owned();
    let target = target_path(&a.into, &name)?;
    let existing = read_doc(&target, &name)?;
    let old = existing.as_ref().map_or("", |e| e.text.as_str());
    let new = splice(old, &section).map_err(|e| marker_report(&name, old, e))?;

    let mut err = anstream::stderr();
    if existing.is_some() && new == old {
        if !a.check {
            let _ = writeln!(err, "{name}: the rtadvisor section is up to date");
        }
        return Ok(());
    }
    if a.check {
        let why = if existing.is_none() {
            "does not exist"
        } else {
            "has an out-of-date rtadvisor section"
        };
        let _ = writeln!(
            err,
            "{name}: {why}; run `rtadvisor doc {} --into {name}` to refresh it",
            crate::term::clean(&a.file.display().to_string())
        );
        return Err(Failure::CheckFailed);
    }
    if let Some(e) = &existing {
        if e.meta.permissions().readonly() {
            return Err(Failure::Usage(format!(
                "{name}: the file is read-only; nothing was written (make it writable, e.g. chmod u+w, and run again)"
            )));
        }
    }
    write_doc(&target, &new, existing.as_ref().map(|e| &e.meta)).map_err(|e| match e {
        fsx::FsError::Io(e) => Failure::Usage(format!(
            "{name}: cannot write: {e}; the file was left as it was"
        )),
        e => Failure::Usage(format!("{name}: {e}")),
    })?;
    let _ = writeln!(err, "{name}: wrote the rtadvisor section");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: &str = "## Title\n\nBody.\n";

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
    fn refuses_bad_layouts() {
        let only_begin = format!("a\n{BEGIN}\n");
        let e = find_markers(&only_begin).unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("without an end"));

        let only_end = format!("a\n  {END}\n");
        let e = find_markers(&only_end).unwrap_err();
        assert_eq!(e.offset, 4);

        let reversed = format!("{END}\n{BEGIN}\n");
        let e = find_markers(&reversed).unwrap_err();
        assert!(e.message.contains("before"));
        assert_eq!(e.offset, 0);

        let two = format!("{BEGIN}\n{END}\n{BEGIN}\n{END}\n");
        let e = find_markers(&two).unwrap_err();
        assert_eq!(e.offset, BEGIN.len() + END.len() + 2);
        assert!(splice(&two, SEC).is_err());
    }

    #[test]
    fn positions_count_characters() {
        let p = pos_of("é\nab{x", 5, 1);
        assert_eq!((p.line, p.column), (2, 3));
    }

    #[test]
    fn line_endings() {
        assert_eq!(line_ending("a\r\nb\n"), "\r\n");
        assert_eq!(line_ending("a\nb\r\n"), "\n");
        assert_eq!(line_ending("a"), "\n");
    }
}
