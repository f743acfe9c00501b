//! `rtadvisor doc`: write or refresh the rtadvisor sections of design docs.
//!
//! Two ways to run it:
//!
//! - `doc PROFILE --into DOC` writes the section for one profile: it refreshes the
//!   section whose begin marker names that profile, fills a bare marker pair, or
//!   adds a new section (at the end, or `--after HEADING`).
//! - `doc DOC|DIR ...` refreshes every section of the docs (folders are searched for
//!   `*.md` docs) from the profiles their begin markers name.
//!
//! What a section was made with is recorded in its begin marker (paths relative to
//! the doc), so `--check` does not depend on the working directory or on flags
//! repeated by hand. Finding markers and splicing sections are pure functions in
//! [`markers`]; this module reads docs, decides, and writes each changed doc
//! atomically. Nothing outside a section ever changes, and a current doc is not
//! written. With `--check` nothing is written at all.

pub use markers::{find_markers, line_ending, splice, MarkerError, BEGIN, END};

use crate::cli::{DocArgs, RulesArg};
use crate::diag::{Diagnostic, Report, Source};
use crate::engine::Engine;
use crate::fsx;
use crate::load::{file_problem, knowledge, load_one};
use crate::markers::{self, Settings, Span};
use crate::output::{Failure, Outcome};
use crate::report::markdown::{self, Detail, Status, Style};
use crate::rules::Knowledge;
use crate::yaml::Pos;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// 1-based line and column (in characters) of a byte offset.
fn pos_of(text: &str, offset: usize, len: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line_start = before
        .rfind('\n')
        .map_or(before.strip_prefix('\u{feff}').map_or(0, |_| 3), |i| i + 1);
    Pos {
        line: before.matches('\n').count() + 1,
        column: before[line_start.min(before.len())..].chars().count() + 1,
        offset: Some(offset),
        len,
    }
}

/// Every marker problem of one doc, as one report pointing into it.
fn marker_report(name: &str, text: &str, errors: Vec<MarkerError>) -> Report {
    Report {
        source: Source {
            name: name.to_string(),
            text: text.to_string(),
        },
        diagnostics: errors
            .into_iter()
            .map(|e| {
                Diagnostic::at(e.message, pos_of(text, e.offset, e.len))
                    .label("here")
                    .help(e.help)
            })
            .collect(),
    }
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

/// Reads the doc (at most [`fsx::MAX_DOC_BYTES`], a regular file only). With
/// `follow` (`--check`, which writes nothing) a symbolic link is read through.
fn read_doc(path: &Path, name: &str, follow: bool) -> Result<Option<Existing>, Failure> {
    let fail = |e: fsx::FsError| Failure::Usage(format!("{name}: {e}"));
    let meta = if follow {
        match std::fs::metadata(path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(fail(fsx::FsError::Io(e))),
        }
    } else {
        fsx::inspect(path).map_err(fail)?
    };
    let Some(meta) = meta else {
        return Ok(None);
    };
    let bytes = fsx::read_regular(path, fsx::MAX_DOC_BYTES, follow).map_err(fail)?;
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

/// Whether two paths name the same file (same device and inode on Unix, so hard
/// links and other spellings of the path count).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

/// The folder a doc's relative paths start from.
fn doc_dir(doc: &Path) -> PathBuf {
    match doc.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `to` relative to the folder `from`, with `/` separators, as recorded in a marker.
fn relative(from: &Path, to: &Path, what: &str) -> Result<String, Failure> {
    let cant = |e: std::io::Error, p: &Path| {
        Failure::Usage(format!(
            "{}: cannot resolve the {what} path: {e}",
            p.display()
        ))
    };
    let from = std::fs::canonicalize(from).map_err(|e| cant(e, from))?;
    // The file's folder is resolved, not the file: a symlinked profile is
    // recorded by its own name.
    let to = match (to.parent(), to.file_name()) {
        (Some(parent), Some(file)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            std::fs::canonicalize(parent)
                .map_err(|e| cant(e, to))?
                .join(file)
        }
        _ => std::fs::canonicalize(to).map_err(|e| cant(e, to))?,
    };
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = Vec::new();
    if common == 0 {
        // Another drive or root: record the absolute path.
        return path_text(&to, what);
    }
    for _ in common..f.len() {
        parts.push("..".into());
    }
    for c in &t[common..] {
        match c.as_os_str().to_str() {
            Some(s) => parts.push(s.to_string()),
            None => {
                return Err(Failure::Usage(format!(
                    "{}: the {what} path is not UTF-8, so the doc cannot record it",
                    to.display()
                )))
            }
        }
    }
    let rel = if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    };
    checked_value(rel, what)
}

fn path_text(p: &Path, what: &str) -> Result<String, Failure> {
    match p.to_str() {
        Some(s) => checked_value(s.replace('\\', "/"), what),
        None => Err(Failure::Usage(format!(
            "{}: the {what} path is not UTF-8, so the doc cannot record it",
            p.display()
        ))),
    }
}

fn checked_value(v: String, what: &str) -> Result<String, Failure> {
    match markers::check_value(&v) {
        None => Ok(v),
        Some(why) => Err(Failure::Usage(format!(
            "the {what} path {v:?} cannot be recorded in the doc's begin marker: {why}; rename or move it"
        ))),
    }
}

/// What happened to one section.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    UpToDate,
    Refreshed,
    Filled,
    Appended,
    Created,
    After { heading: String, line: usize },
}

#[derive(Debug)]
struct Note {
    /// The profile, as the marker records it.
    profile: String,
    change: Change,
    /// Line of the begin marker in the new text.
    line: usize,
}

/// The planned edit of one doc: nothing is written until every doc is planned.
struct Plan {
    path: PathBuf,
    name: String,
    existing: Option<Existing>,
    new: String,
    notes: Vec<Note>,
}

/// Knowledge per rule folder, loaded once per run.
#[derive(Default)]
struct Rules {
    loaded: Vec<(Option<PathBuf>, Knowledge)>,
}

impl Rules {
    fn get(&mut self, dir: Option<PathBuf>) -> Result<&Knowledge, Failure> {
        let i = match self.loaded.iter().position(|(d, _)| *d == dir) {
            Some(i) => i,
            None => {
                let k = knowledge(&RulesArg { rules: dir.clone() })?;
                self.loaded.push((dir, k));
                self.loaded.len() - 1
            }
        };
        Ok(&self.loaded[i].1)
    }
}

/// The settings a section is made with: the flags, then what the doc records, then
/// the defaults. `old` is the section's current text (a status written there by an
/// older rtadvisor is kept when the marker records none).
fn effective(a: &DocArgs, recorded: &Settings, old: &str) -> (Style, bool) {
    let status = a
        .status
        .or(recorded.status)
        .or_else(|| status_in_text(old))
        .unwrap_or_default();
    let detail = a.detail.or(recorded.detail).unwrap_or_default();
    let level = a.heading_level.or(recorded.heading_level).unwrap_or(2);
    let diagram = if a.no_diagram {
        false
    } else if a.diagram {
        true
    } else {
        recorded.diagram.unwrap_or(true)
    };
    (
        Style {
            level,
            status,
            detail,
            diagram,
        },
        detail == Detail::Full,
    )
}

/// "Status: accepted" in a section's text.
fn status_in_text(old: &str) -> Option<Status> {
    let i = old.find("Status: ")?;
    let word: String = old[i + 8..]
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    Status::parse(&word)
}

/// Renders one section: its begin marker and its text.
fn render_section(
    a: &DocArgs,
    rules: &mut Rules,
    dir: &Path,
    profile_path: &Path,
    rel_profile: &str,
    recorded: &Settings,
    old: &str,
) -> Result<(String, String), Failure> {
    let (rules_dir, rules_rel) = match (&a.rules.rules, &recorded.rules) {
        (Some(cli), _) => (Some(cli.clone()), Some(relative(dir, cli, "rules folder")?)),
        (None, Some(rec)) => (Some(dir.join(rec)), Some(rec.clone())),
        (None, None) => (None, None),
    };
    let k = rules.get(rules_dir)?;
    let one = load_one(profile_path, k)?;
    // The section names the profile as the doc records it, so it reads the same
    // from any working directory.
    let decision = Engine::new(k).decide(&one.profile, rel_profile);
    // No section for a decision with no viable transport: there is nothing to record.
    crate::commands::no_viable_transport(std::slice::from_ref(&decision))?;
    let (style, full) = effective(a, recorded, old);
    let section = markdown::render_with(&decision, &one.profile, k, &style);
    let begin = markers::begin_marker(&Settings {
        profile: Some(rel_profile.to_string()),
        heading_level: Some(style.level),
        status: Some(style.status),
        detail: full.then_some(Detail::Full),
        diagram: (!style.diagram).then_some(false),
        rules: rules_rel,
    });
    Ok((begin, section))
}

/// The text of a section between its markers, for a status written by hand.
fn section_text<'t>(text: &'t str, s: &Span) -> &'t str {
    &text[s.begin_end..s.end]
}

fn marker_failure(name: &str, text: &str, errors: Vec<MarkerError>) -> Failure {
    Failure::Input(vec![marker_report(name, text, errors)])
}

/// Line of the section for `profile` in a freshly written text.
fn line_of_profile(text: &str, profile: &str) -> usize {
    markers::scan(text)
        .ok()
        .and_then(|spans| {
            spans
                .into_iter()
                .find(|s| s.settings.profile.as_deref() == Some(profile))
        })
        .map_or(1, |s| s.line)
}

/// `doc PROFILE --into DOC`.
fn plan_into(a: &DocArgs, into: &Path) -> Result<Plan, Failure> {
    let profile =
        match a.paths.as_slice() {
            [p] => p.clone(),
            _ => return Err(Failure::Usage(
                "--into takes one profile; run `rtadvisor doc PROFILE --into DOC` once per profile"
                    .into(),
            )),
        };
    if profile.as_os_str() == "-" {
        return Err(Failure::Usage(
            "doc needs a profile file, not stdin: the doc records the profile's path so that it can be refreshed".into(),
        ));
    }
    // Shown on the terminal: cleaned of escapes and invisible characters.
    let name = crate::term::clean(&into.display().to_string()).into_owned();
    let target = if a.check {
        into.to_path_buf()
    } else {
        target_path(into, &name)?
    };
    let existing = read_doc(&target, &name, a.check)?;
    if existing.is_some() && same_file(&profile, into) {
        return Err(Failure::Usage(format!(
            "{name}: is the profile {} itself; --into takes the markdown doc the section goes into (nothing was written)",
            profile.display()
        )));
    }
    if profile.is_dir() {
        return Err(Failure::Usage(format!(
            "{}: is a folder; with --into, doc takes one profile file",
            profile.display()
        )));
    }
    let dir = doc_dir(into);
    let old = existing
        .as_ref()
        .map_or("", |e| e.text.as_str())
        .to_string();
    let spans = markers::scan(&old).map_err(|e| marker_failure(&name, &old, e))?;
    // Load the profile first so that a bad one is reported as such.
    let mut rules = Rules::default();
    if !profile.exists() {
        // Reported as load_one reports any missing profile: with its path.
        load_one(&profile, rules.get(a.rules.rules.clone())?)?;
    }
    let rel = relative(&dir, &profile, "profile")?;
    let mine = spans.iter().find(|s| {
        s.settings
            .profile
            .as_deref()
            .is_some_and(|p| same_file(&dir.join(p), &profile))
    });
    let bare = spans.iter().find(|s| s.settings.profile.is_none());
    // A section that names this profile keeps the path as it wrote it.
    let rel = mine.and_then(|s| s.settings.profile.clone()).unwrap_or(rel);
    let mut notes = Vec::new();
    let new = match mine.or(bare) {
        Some(span) => {
            if let Some(h) = &a.after {
                let _ = writeln!(
                    anstream::stderr(),
                    "{name}:{}: the section is already here; --after \"{}\" only places a new section",
                    span.line,
                    h.trim()
                );
            }
            let (begin, section) = render_section(
                a,
                &mut rules,
                &dir,
                &profile,
                &rel,
                &span.settings,
                section_text(&old, span),
            )?;
            let out = markers::replace(&old, span, &begin, &section)
                .map_err(|e| marker_failure(&name, &old, vec![e]))?;
            let change = if out == old {
                Change::UpToDate
            } else if span.settings.profile.is_none() {
                Change::Filled
            } else {
                Change::Refreshed
            };
            notes.push(Note {
                profile: rel.clone(),
                change,
                line: line_of_profile(&out, &rel),
            });
            out
        }
        None => {
            let (at, change) = match &a.after {
                Some(h) => {
                    let (at, line) = markers::after_heading(&old, h)
                        .map_err(|m| Failure::Usage(format!("{name}: --after: {m}")))?;
                    (
                        at,
                        Change::After {
                            heading: h.trim().trim_start_matches('#').trim().to_string(),
                            line,
                        },
                    )
                }
                None if existing.is_none() => (0, Change::Created),
                None => (old.len(), Change::Appended),
            };
            let (begin, section) = render_section(
                a,
                &mut rules,
                &dir,
                &profile,
                &rel,
                &Settings::default(),
                "",
            )?;
            let out = markers::insert(&old, at, &begin, &section)
                .map_err(|e| marker_failure(&name, &old, vec![e]))?;
            notes.push(Note {
                profile: rel.clone(),
                change,
                line: line_of_profile(&out, &rel),
            });
            out
        }
    };
    Ok(Plan {
        path: target,
        name,
        existing,
        new,
        notes,
    })
}

/// Markdown docs in a folder and its subfolders (sorted; hidden entries,
/// symbolic links, `node_modules` and `target` skipped).
fn docs_in(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<Report>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(file_problem(
                &dir.display().to_string(),
                Diagnostic::new(format!("cannot read folder: {e}"), None),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || name == "node_modules" || name == "target" {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            docs_in(&p, out, problems);
        } else if meta.is_file()
            && matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("md" | "markdown")
            )
        {
            out.push(p);
        }
    }
}

/// `doc DOC|DIR ...`: every section of every doc, from the profiles they name.
fn plan_docs(a: &DocArgs) -> Result<Vec<Plan>, Failure> {
    if let Some(p) = a
        .paths
        .iter()
        .find(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
    {
        return Err(Failure::Usage(format!(
            "{}: looks like a profile; say which doc its section goes into with --into DOC \
             (without --into, doc takes design docs or folders of them)",
            p.display()
        )));
    }
    let mut problems: Vec<Report> = Vec::new();
    let mut docs: Vec<(PathBuf, bool)> = Vec::new();
    for p in &a.paths {
        if p.is_dir() {
            let mut found = Vec::new();
            docs_in(p, &mut found, &mut problems);
            docs.extend(found.into_iter().map(|f| (f, false)));
        } else {
            docs.push((p.clone(), true));
        }
    }
    let mut rules = Rules::default();
    let mut plans = Vec::new();
    for (path, named) in &docs {
        match plan_doc(a, &mut rules, path, *named) {
            Ok(Some(plan)) => plans.push(plan),
            Ok(None) => {}
            Err(Failure::Input(mut r)) => problems.append(&mut r),
            Err(Failure::Usage(m)) => problems.push(file_problem(
                &path.display().to_string(),
                Diagnostic::new(m, None),
            )),
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        return Err(Failure::Input(problems));
    }
    if plans.is_empty() {
        let what: Vec<String> = a.paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Failure::Usage(format!(
            "no rtadvisor section in {} ({} markdown docs looked at); add one with `rtadvisor doc PROFILE --into DOC`",
            what.join(", "),
            docs.len()
        )));
    }
    Ok(plans)
}

/// Every section of one doc; `None` for a doc found in a folder that has none.
fn plan_doc(
    a: &DocArgs,
    rules: &mut Rules,
    path: &Path,
    named: bool,
) -> Result<Option<Plan>, Failure> {
    let name = crate::term::clean(&path.display().to_string()).into_owned();
    let target = if a.check {
        path.to_path_buf()
    } else {
        target_path(path, &name)?
    };
    let Some(existing) = read_doc(&target, &name, a.check)? else {
        return Err(Failure::Usage(format!(
            "{name}: no such file; to create a doc, run `rtadvisor doc PROFILE --into {name}`"
        )));
    };
    let old = existing.text.clone();
    let spans = markers::scan(&old).map_err(|e| marker_failure(&name, &old, e))?;
    if spans.is_empty() {
        if !named {
            return Ok(None);
        }
        return Err(Failure::Usage(format!(
            "{name}: has no rtadvisor section; add one with `rtadvisor doc PROFILE --into {name}`"
        )));
    }
    let dir = doc_dir(path);
    let mut errors: Vec<MarkerError> = Vec::new();
    let mut reports: Vec<Report> = Vec::new();
    let mut rendered: Vec<Option<(String, String)>> = Vec::new();
    let mut seen: Vec<(PathBuf, usize)> = Vec::new();
    for s in &spans {
        let Some(rel) = &s.settings.profile else {
            errors.push(MarkerError {
                message: "this section names no profile".into(),
                help: format!(
                    "run `rtadvisor doc PROFILE --into {name}` once: it records the profile in the begin marker"
                ),
                offset: s.begin,
                len: s.begin_end - s.begin,
            });
            rendered.push(None);
            continue;
        };
        let profile = dir.join(rel);
        let at = s.profile_at.unwrap_or((s.begin, s.begin_end - s.begin));
        if !profile.is_file() {
            errors.push(MarkerError {
                message: format!("the profile {rel} is not a file ({} from here)", profile.display()),
                help: "profile paths are relative to the doc's folder; fix the path or restore the profile"
                    .into(),
                offset: at.0,
                len: at.1,
            });
            rendered.push(None);
            continue;
        }
        if let Some(first) = seen.iter().find(|(p, _)| same_file(p, &profile)) {
            errors.push(MarkerError {
                message: format!(
                    "a second section for the profile {rel} (the first, at line {}, names the same file)",
                    first.1
                ),
                help: "keep one section per profile: remove one of the two sections".into(),
                offset: at.0,
                len: at.1,
            });
            rendered.push(None);
            continue;
        }
        seen.push((profile.clone(), s.line));
        if same_file(&profile, path) {
            errors.push(MarkerError {
                message: format!("the profile {rel} is this doc itself"),
                help: "name the workload profile (YAML) the section is made from".into(),
                offset: at.0,
                len: at.1,
            });
            rendered.push(None);
            continue;
        }
        match render_section(
            a,
            rules,
            &dir,
            &profile,
            rel,
            &s.settings,
            section_text(&old, s),
        ) {
            Ok(r) => rendered.push(Some(r)),
            Err(Failure::Input(mut r)) => {
                reports.append(&mut r);
                rendered.push(None);
            }
            Err(Failure::Usage(m)) => {
                errors.push(MarkerError {
                    message: m,
                    help: "fix the setting in the begin marker, or the file it names".into(),
                    offset: at.0,
                    len: at.1,
                });
                rendered.push(None);
            }
            Err(other) => return Err(other),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.offset);
        reports.insert(0, marker_report(&name, &old, errors));
    }
    if !reports.is_empty() {
        return Err(Failure::Input(reports));
    }
    // Splice from the last section back, so earlier offsets stay valid.
    let mut new = old.clone();
    let mut changed = vec![false; spans.len()];
    for (i, s) in spans.iter().enumerate().rev() {
        if let Some((begin, section)) = &rendered[i] {
            let out = markers::replace(&new, s, begin, section)
                .map_err(|e| marker_failure(&name, &old, vec![e]))?;
            changed[i] = out != new;
            new = out;
        }
    }
    let lines: Vec<usize> = markers::scan(&new)
        .map(|sp| sp.iter().map(|s| s.line).collect())
        .unwrap_or_default();
    let notes = spans
        .iter()
        .enumerate()
        .map(|(i, s)| Note {
            profile: s.settings.profile.clone().unwrap_or_default(),
            change: if changed[i] {
                Change::Refreshed
            } else {
                Change::UpToDate
            },
            line: lines.get(i).copied().unwrap_or(s.line),
        })
        .collect();
    Ok(Some(Plan {
        path: target,
        name,
        existing: Some(existing),
        new,
        notes,
    }))
}

/// The command to run to bring docs up to date: this one without `--check`.
fn fix_command(a: &DocArgs) -> String {
    let mut parts = vec!["rtadvisor doc".to_string()];
    parts.extend(a.paths.iter().map(|p| p.display().to_string()));
    if let Some(i) = &a.into {
        parts.push(format!("--into {}", i.display()));
    }
    if let Some(l) = a.heading_level {
        parts.push(format!("--heading-level {l}"));
    }
    if let Some(s) = a.status {
        parts.push(format!("--status {}", s.as_str()));
    }
    if let Some(d) = a.detail {
        parts.push(format!("--detail {}", d.as_str()));
    }
    if a.no_diagram {
        parts.push("--no-diagram".to_string());
    } else if a.diagram {
        parts.push("--diagram".to_string());
    }
    if let Some(r) = &a.rules.rules {
        parts.push(format!("--rules {}", r.display()));
    }
    parts.join(" ")
}

pub fn run(a: DocArgs) -> Outcome {
    let plans = match &a.into {
        Some(into) => vec![plan_into(&a, into)?],
        None => plan_docs(&a)?,
    };
    let mut err = anstream::stderr();
    if a.check {
        let mut stale = 0;
        let mut sections = 0;
        for p in &plans {
            if p.existing.is_none() {
                stale += 1;
                let _ = writeln!(err, "{}: does not exist", p.name);
                continue;
            }
            for n in &p.notes {
                sections += 1;
                if n.change != Change::UpToDate {
                    stale += 1;
                    let _ = writeln!(
                        err,
                        "{}:{}: the section for {} is out of date",
                        p.name,
                        n.line,
                        crate::term::clean(&n.profile)
                    );
                }
            }
        }
        if stale > 0 {
            let _ = writeln!(
                err,
                "check: {stale} out of date; run `{}` to refresh",
                fix_command(&a)
            );
            return Err(Failure::CheckFailed);
        }
        if a.into.is_none() {
            let _ = writeln!(
                err,
                "check: {sections} section{} in {} doc{} up to date",
                if sections == 1 { "" } else { "s" },
                plans.len(),
                if plans.len() == 1 { "" } else { "s" }
            );
        }
        return Ok(());
    }
    // Refuse before writing anything.
    for p in &plans {
        if let Some(e) = &p.existing {
            if e.text != p.new && e.meta.permissions().readonly() {
                return Err(Failure::Usage(format!(
                    "{}: the file is read-only; nothing was written (make it writable, e.g. chmod u+w, and run again)",
                    p.name
                )));
            }
        }
    }
    for p in plans {
        let old = p.existing.as_ref().map(|e| e.text.as_str());
        if old != Some(p.new.as_str()) {
            let meta = p.existing.as_ref().map(|e| &e.meta);
            write_doc(&p.path, &p.new, meta).map_err(|e| match e {
                fsx::FsError::Io(e) => Failure::Usage(format!(
                    "{}: cannot write: {e}; the file was left as it was",
                    p.name
                )),
                e => Failure::Usage(format!("{}: {e}", p.name)),
            })?;
        }
        for n in &p.notes {
            let what = match &n.change {
                Change::UpToDate => "is up to date".to_string(),
                Change::Refreshed => "was refreshed in place".to_string(),
                Change::Filled => "was written between the existing markers".to_string(),
                Change::Appended => "was added at the end of the doc".to_string(),
                Change::Created => "was written into a new doc".to_string(),
                Change::After { heading, line } => {
                    format!("was added after the part under \"{heading}\" (line {line})")
                }
            };
            let _ = writeln!(
                err,
                "{}:{}: the rtadvisor section for {} {what}",
                p.name,
                n.line,
                crate::term::clean(&n.profile)
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let p = pos_of("é\nab{x", 5, 1);
        assert_eq!((p.line, p.column), (2, 3));
        // A byte order mark is not a column.
        let p = pos_of("\u{feff}<!-- x -->", 3, 1);
        assert_eq!((p.line, p.column), (1, 1));
    }

    #[test]
    fn paths_are_recorded_relative_to_the_doc() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs/adr");
        std::fs::create_dir_all(&docs).unwrap();
        let w = dir.path().join("w.yaml");
        std::fs::write(&w, "name: x\n").unwrap();
        assert_eq!(
            relative(&docs, &w, "profile").ok().as_deref(),
            Some("../../w.yaml")
        );
        assert_eq!(
            relative(dir.path(), &w, "profile").ok().as_deref(),
            Some("w.yaml")
        );
        let odd = dir.path().join("a\"b.yaml");
        std::fs::write(&odd, "").unwrap();
        assert!(relative(dir.path(), &odd, "profile").is_err());
    }

    #[test]
    fn same_file_sees_through_spellings_and_hard_links() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.yaml");
        std::fs::write(&a, "x").unwrap();
        std::fs::hard_link(&a, dir.path().join("b.md")).unwrap();
        assert!(same_file(&a, &dir.path().join("./a.yaml")));
        assert!(same_file(&a, &dir.path().join("b.md")));
        assert!(!same_file(&a, &dir.path().join("missing")));
    }

    #[test]
    fn an_older_status_line_is_read() {
        assert_eq!(
            status_in_text("\n\nStatus: accepted. Generated"),
            Some(Status::Accepted)
        );
        assert_eq!(status_in_text("Status: maybe."), None);
    }
}
