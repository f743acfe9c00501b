//! Running commands: arguments in, exit code out. The only place that prints.

use crate::cli::{Cli, Command, RulesArg};
use crate::diag::{Diagnostic, Report, Source};
use crate::engine::{Decision, Engine, Verdict};
use crate::input;
use crate::profile::{parse_profile, Profile};
use crate::report;
use crate::rules::{Knowledge, LoadError};
use clap::Parser;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Why a command stopped early.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage: exit 2 with a message.
    Usage(String),
    /// Bad input: exit 2 with every diagnostic.
    Input(Vec<Report>),
    /// Bad input in some of the inputs, after the good ones (this many) were
    /// reported: exit 2 with every diagnostic.
    InputAfter(Vec<Report>, usize),
    /// A `--check` found something: exit 1 (the details were already printed).
    CheckFailed,
    /// The user interrupted (Ctrl-C / Esc): exit 130.
    Interrupted,
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Self {
        Failure::Input(e.reports)
    }
}

pub type Outcome = Result<(), Failure>;

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    crate::fsx::ignore_file_size_signal();
    crate::fsx::guard_standard_fds();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if e.use_stderr() {
                let _ = e.print();
                return ExitCode::from(2);
            }
            // --help and --version: a failed write (`>/dev/full`, a closed
            // stdout) is an error, not a success with the text lost.
            let text = e.render().ansi().to_string();
            return ExitCode::from(exit_code(emit(&text)));
        }
    };
    ExitCode::from(exit_code(run(cli)))
}

/// Maps an outcome to the exit codes SPEC.md fixes, printing failures on stderr.
pub fn exit_code(outcome: Outcome) -> u8 {
    match outcome {
        Ok(()) => 0,
        Err(Failure::CheckFailed) => 1,
        Err(Failure::Interrupted) => 130,
        Err(Failure::Usage(msg)) => {
            let msg = crate::term::clean_lines(&msg);
            let _ = writeln!(anstream::stderr(), "error: {msg}");
            2
        }
        Err(Failure::Input(reports)) => {
            report_problems(&reports, "nothing was written");
            2
        }
        Err(Failure::InputAfter(reports, good)) => {
            report_problems(
                &reports,
                &format!(
                    "the other {good} profile{} {} reported above",
                    if good == 1 { "" } else { "s" },
                    if good == 1 { "is" } else { "are" }
                ),
            );
            2
        }
    }
}

/// Prints every report and a closing count line ending in `outcome`.
fn report_problems(reports: &[Report], outcome: &str) {
    let mut err = anstream::stderr();
    let mut count = 0;
    for r in reports {
        count += r.diagnostics.len();
        let _ = write!(err, "{}", r.render(true));
    }
    let files = reports.len();
    let _ = writeln!(
        err,
        "error: {count} problem{} in {files} file{}; {outcome}",
        if count == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" },
    );
}

/// Writes styled text to stdout (styles stripped when it is not a terminal or
/// NO_COLOR is set); a closed pipe (`| head`) ends output quietly.
pub fn emit(text: &str) -> Outcome {
    let choice = anstream::AutoStream::choice(&std::io::stdout());
    finish_write(anstream::AutoStream::new(raw_stdout()?, choice), text)
}

/// Writes unstyled text (JSON, markdown) to stdout as is.
pub fn emit_plain(text: &str) -> Outcome {
    finish_write(raw_stdout()?, text)
}

/// Standard output as a file of its own, so that writing to a closed stdout
/// (`>&-`) is an error: Rust's `Stdout` reports success there and loses the output.
fn raw_stdout() -> Result<std::fs::File, Failure> {
    use std::os::fd::AsFd;
    if crate::fsx::stdout_was_closed() {
        return Err(Failure::Usage(
            "cannot write output: standard output is closed".into(),
        ));
    }
    let out = std::io::stdout();
    let fd = out.as_fd().try_clone_to_owned().map_err(|e| {
        Failure::Usage(format!(
            "cannot write output: standard output is closed ({e})"
        ))
    })?;
    Ok(std::fs::File::from(fd))
}

fn finish_write(mut out: impl Write, text: &str) -> Outcome {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Usage(format!("cannot write output: {e}"))),
    }
}

pub fn run(cli: Cli) -> Outcome {
    match cli.color {
        crate::cli::ColorWhen::Auto => {}
        crate::cli::ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        crate::cli::ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    match cli.command {
        Command::Advise(a) => {
            let k = knowledge(&a.rules)?;
            advise(&k, &a)
        }
        Command::Ask(a) => crate::ask::run(a),
        Command::Doc(a) => crate::doc::run(a),
        Command::Explain(a) => crate::commands::explain(a),
        Command::Matrix(a) => crate::commands::matrix(a),
        Command::Platforms(a) => crate::commands::platforms(a),
        Command::Rules(r) => crate::commands::rules(r),
        Command::Init(a) => crate::commands::init(a),
        Command::Probe(a) => crate::commands::probe::probe(a),
        Command::Schema => crate::commands::schema(),
        Command::Completions { shell } => crate::commands::completions(shell),
        Command::Man { out } => crate::commands::man(out.as_deref()),
    }
}

/// The rules in force: the embedded defaults, with `--rules DIR` laid over them.
pub fn knowledge(arg: &RulesArg) -> Result<Knowledge, Failure> {
    Ok(match &arg.rules {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(Failure::Usage(format!(
                    "--rules {}: not a folder of rule files",
                    dir.display()
                )));
            }
            Knowledge::with_overlay(dir)?
        }
        None => Knowledge::embedded()?,
    })
}

/// A profile read from one input.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub source: String,
    pub profile: Profile,
    /// The line that sets `current_transport` (1-based), for audit formats
    /// that point at it (SARIF).
    pub current_line: Option<usize>,
}

/// The line of a profile's text that sets `current_transport`, if one does at the
/// top level (block style, as `init` and `ask --save` write profiles).
fn current_line(text: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.strip_prefix("current_transport")
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// A report for a problem with a whole file (no position inside it).
pub fn file_problem(name: &str, d: Diagnostic) -> Report {
    Report {
        source: Source {
            name: name.to_string(),
            text: String::new(),
        },
        diagnostics: vec![d],
    }
}

/// Expands folders into their `*.yaml`/`*.yml` files (sorted); keeps files and `-`.
/// Folders that cannot be listed or hold no profile are reported, the rest kept.
pub fn expand_inputs(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<Report>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            out.push(input.clone());
            continue;
        }
        if input.is_dir() {
            match std::fs::read_dir(input) {
                Ok(entries) => {
                    let mut files: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| {
                            p.is_file()
                                && matches!(
                                    p.extension().and_then(|e| e.to_str()),
                                    Some("yaml" | "yml")
                                )
                        })
                        .collect();
                    files.sort();
                    if files.is_empty() {
                        problems.push(file_problem(
                            &input.display().to_string(),
                            Diagnostic::new("no *.yaml or *.yml profiles in this folder", None)
                                .help("pass profile files, or a folder that holds some"),
                        ));
                    }
                    out.extend(files);
                }
                Err(e) => problems.push(file_problem(
                    &input.display().to_string(),
                    Diagnostic::new(format!("cannot read folder: {e}"), None),
                )),
            }
        } else {
            out.push(input.clone());
        }
    }
    (out, problems)
}

/// Reads one input as text.
pub fn read_input(path: &Path) -> Result<(String, String), Report> {
    let name = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let text = if path.as_os_str() == "-" {
        input::read_limited(std::io::stdin().lock())
    } else {
        input::read_text(path)
    };
    match text {
        Ok(t) => Ok((name, t)),
        Err(e) => {
            // The text is only for showing the offending line: read it only when
            // it is small enough (a refused 30 MB file is never read).
            let small = std::fs::metadata(path)
                .is_ok_and(|m| m.is_file() && m.len() <= crate::yaml::MAX_INPUT_BYTES);
            let lossy = if small && e.pos.is_some() {
                std::fs::read(path)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default()
            } else {
                String::new()
            };
            Err(Report {
                source: Source { name, text: lossy },
                diagnostics: vec![Diagnostic::new(e.message, e.pos)
                    .label("here")
                    .help_opt(e.help)],
            })
        }
    }
}

/// Loads one profile from a file (or `-`); a folder is refused, not expanded.
pub fn load_one(path: &Path, k: &Knowledge) -> Result<Loaded, Failure> {
    let (name, text) = read_input(path).map_err(|r| Failure::Input(vec![r]))?;
    match parse_profile(&text, &k.hop_ids()) {
        Ok(profile) => Ok(Loaded {
            current_line: current_line(&text),
            source: name,
            profile,
        }),
        Err(diagnostics) => Err(Failure::Input(vec![Report {
            source: Source { name, text },
            diagnostics,
        }])),
    }
}

/// Loads and validates every profile: the good ones, and a report for each input
/// that could not be read or is not a valid profile (all of them, in input order).
pub fn load_profiles(
    inputs: &[PathBuf],
    k: &Knowledge,
) -> Result<(Vec<Loaded>, Vec<Report>), Failure> {
    let (paths, mut reports) = expand_inputs(inputs);
    check_streams_read_once(&paths)?;
    let ids = k.hop_ids();
    let mut loaded = Vec::with_capacity(paths.len());
    for r in parallel_map(&paths, |path| load_path(path, &ids)) {
        match r {
            Ok(l) => loaded.push(l),
            Err(r) => reports.push(r),
        }
    }
    Ok((loaded, reports))
}

/// Reads and validates one profile (or `-`).
fn load_path(path: &Path, ids: &crate::profile::HopIds) -> Result<Loaded, Report> {
    let (name, text) = read_input(path)?;
    match parse_profile(&text, ids) {
        Ok(profile) => Ok(Loaded {
            current_line: current_line(&text),
            source: name,
            profile,
        }),
        Err(diagnostics) => Err(Report {
            source: Source { name, text },
            diagnostics,
        }),
    }
}

/// Standard input, a pipe or a device named twice (`- -`, `/dev/stdin -`) would be
/// empty the second time: refuse it instead of reporting an empty profile.
fn check_streams_read_once(paths: &[PathBuf]) -> Outcome {
    use std::os::unix::fs::MetadataExt;
    let mut seen: Vec<(u64, u64)> = Vec::new();
    for p in paths {
        let target = if p.as_os_str() == "-" {
            Path::new("/dev/stdin")
        } else {
            p.as_path()
        };
        let Ok(m) = std::fs::metadata(target) else {
            continue;
        };
        if m.is_file() {
            continue;
        }
        let key = (m.dev(), m.ino());
        if seen.contains(&key) {
            return Err(Failure::Usage(format!(
                "{}: standard input (or the same pipe or device) is named twice; it can be read only once",
                crate::term::clean(&p.display().to_string())
            )));
        }
        seen.push(key);
    }
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(Failure::Usage("stdin (-) can be read only once".into()));
    }
    Ok(())
}

/// Maps `f` over `items` in order, on every core for big batches.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if items.len() < 64 || threads < 2 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// Decides every profile, using every core for big batches.
pub fn decide_all(engine: &Engine, loaded: &[Loaded]) -> Vec<Decision> {
    parallel_map(loaded, |l| engine.decide(&l.profile, &l.source))
}

/// `advise`: decide every profile and print the reports; with `--check` (or an
/// audit format), audit each profile's current transport.
pub fn advise(k: &Knowledge, a: &crate::cli::AdviseArgs) -> Outcome {
    use crate::cli::{AdviseFormat, FailOn};
    if matches!(a.format, Some(AdviseFormat::Json)) && !a.check {
        return advise_json_streamed(k, &a.inputs);
    }
    let (loaded, bad) = load_profiles(&a.inputs, k)?;
    if loaded.is_empty() {
        return Err(Failure::Input(bad));
    }
    let engine = Engine::new(k);
    let decisions = decide_all(&engine, &loaded);
    let audit_format = matches!(a.format, Some(AdviseFormat::Sarif | AdviseFormat::Junit));
    let check = a.check || audit_format;
    let fail_on: Vec<Verdict> = a
        .fail_on
        .iter()
        .map(|f| match f {
            FailOn::OverEngineered => Verdict::OverEngineered,
            FailOn::UnderEngineered => Verdict::UnderEngineered,
            FailOn::Mismatch => Verdict::Mismatch,
        })
        .collect();
    let audited = report::audit::collect(&decisions, &fail_on);
    // The full reports: unless --check alone asked for the findings only.
    let reports = match a.format {
        None if check && !a.verbose => None,
        None => Some(AdviseFormat::Table),
        f => f,
    };
    match reports {
        None => {}
        Some(AdviseFormat::Table) => emit(&report::fit_width(
            &report::table::render(&decisions),
            report::term_width(),
        ))?,
        Some(AdviseFormat::Json) => emit_plain(&report::json::render(&decisions))?,
        Some(AdviseFormat::Markdown) => {
            let items: Vec<(&Decision, &Profile)> = decisions
                .iter()
                .zip(loaded.iter().map(|l| &l.profile))
                .collect();
            emit_plain(&report::markdown::render_all(
                &items,
                k,
                a.heading.heading_level,
            ))?
        }
        Some(AdviseFormat::Sarif) => {
            let line_of = |d: &Decision| {
                loaded
                    .iter()
                    .find(|l| l.source == d.source)
                    .and_then(|l| l.current_line)
            };
            emit_plain(&report::audit::sarif(&audited, &line_of))?
        }
        Some(AdviseFormat::Junit) => emit_plain(&report::audit::junit(&decisions, &audited))?,
    }
    if check {
        let text = report::audit::lines(&audited);
        if a.format.is_none() {
            // The findings are the output (after the reports with --verbose).
            emit(&text)?;
        } else {
            // The output is a report: the findings go beside it, on stderr.
            let _ = write!(anstream::stderr(), "{text}");
        }
    }
    if !bad.is_empty() {
        // The good profiles were reported above; bad input still fails the run.
        return Err(Failure::InputAfter(bad, decisions.len()));
    }
    no_viable_transport(&decisions)?;
    if check && audited.failing() > 0 {
        return Err(Failure::CheckFailed);
    }
    Ok(())
}

/// What a worker made of one input: its JSON element (and the decision, when no
/// transport is viable), or why it is not a valid profile.
type Streamed = Result<(String, Option<Decision>), Report>;

/// `advise --format json`: reads, decides and renders profiles on every core and
/// prints them in input order as they are done, holding only a few in memory (the
/// output is byte for byte what deciding them all first would print).
fn advise_json_streamed(k: &Knowledge, inputs: &[PathBuf]) -> Outcome {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    /// Inputs a worker takes at a time.
    const BATCH: usize = 16;
    let (paths, mut bad) = expand_inputs(inputs);
    check_streams_read_once(&paths)?;
    let engine = Engine::new(k);
    let ids = k.hop_ids();
    let work = |path: &PathBuf| -> Streamed {
        let l = load_path(path, &ids)?;
        let d = engine.decide(&l.profile, &l.source);
        let text = report::json::element(&d);
        Ok((text, d.recommendation.transport.is_none().then_some(d)))
    };
    // One batch needs no threads (nor the cgroup files that say how many cores).
    let threads = if paths.len() <= BATCH {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8)
            .min(paths.len().div_ceil(BATCH))
    };
    // A closed stdout matters only once there is something to print.
    let (stdout, closed): (Box<dyn Write>, _) = match raw_stdout() {
        Ok(f) => (
            Box::new(std::io::BufWriter::with_capacity(1 << 16, f)),
            None,
        ),
        Err(e) => (Box::new(std::io::sink()), Some(e)),
    };
    let mut sink = Sink {
        out: report::json::Stream::new(stdout),
        good: 0,
        none_viable: Vec::new(),
        bad: Vec::new(),
        write_error: None,
    };
    if threads < 2 {
        for p in &paths {
            if !sink.take(work(p)) {
                break;
            }
        }
    } else {
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<Streamed>)>(threads * 2);
            for _ in 0..threads {
                let tx = tx.clone();
                let (next, stop, paths, work) = (&next, &stop, &paths, &work);
                s.spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let start = next.fetch_add(BATCH, Ordering::Relaxed);
                        if start >= paths.len() {
                            break;
                        }
                        let end = (start + BATCH).min(paths.len());
                        let done = paths[start..end].iter().map(work).collect();
                        if tx.send((start, done)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            // Batches arrive in any order: print each once all before it are printed.
            let mut waiting: BTreeMap<usize, Vec<Streamed>> = BTreeMap::new();
            let mut printed = 0usize;
            for (start, done) in rx.iter() {
                waiting.insert(start, done);
                while let Some(done) = waiting.remove(&printed) {
                    printed += done.len();
                    for r in done {
                        sink.take(r);
                    }
                }
                if sink.write_error.is_some() {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
        });
    }
    let Sink {
        out,
        good,
        none_viable,
        bad: more_bad,
        write_error,
    } = sink;
    bad.extend(more_bad);
    if let (Some(e), true) = (closed, good > 0) {
        return Err(e);
    }
    let finished = match write_error {
        Some(e) => Err(e),
        None if good == 0 => Ok(()),
        None => out.finish().map(|_| ()),
    };
    match finished {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(Failure::Usage(format!("cannot write output: {e}"))),
    }
    if good == 0 {
        return Err(Failure::Input(bad));
    }
    if !bad.is_empty() {
        // The good profiles were reported above; bad input still fails the run.
        return Err(Failure::InputAfter(bad, good));
    }
    no_viable_transport(&none_viable)
}

/// Where [`advise_json_streamed`] puts what the workers made, in input order.
struct Sink<W: Write> {
    out: report::json::Stream<W>,
    good: usize,
    none_viable: Vec<Decision>,
    bad: Vec<Report>,
    write_error: Option<std::io::Error>,
}

impl<W: Write> Sink<W> {
    /// Prints (or records) one result; `false` once output can no longer be written.
    fn take(&mut self, r: Streamed) -> bool {
        match r {
            Ok((text, d)) => {
                self.good += 1;
                self.none_viable.extend(d);
                if self.write_error.is_none() {
                    if let Err(e) = self.out.push(text) {
                        self.write_error = Some(e);
                    }
                }
            }
            Err(report) => self.bad.push(report),
        }
        self.write_error.is_none()
    }
}

/// Exit 2 when the rules in force veto every transport for some profile: the
/// report (JSON `transport: null`) was printed; stderr says which rules vetoed what.
pub fn no_viable_transport(decisions: &[Decision]) -> Outcome {
    let lines: Vec<String> = decisions
        .iter()
        .filter(|d| d.recommendation.transport.is_none())
        .map(|d| {
            let vetoes: Vec<String> = d
                .ranking
                .iter()
                .map(|r| format!("{} by {}", r.transport, r.vetoed_by.join(", ")))
                .collect();
            format!(
                "{}: no viable transport: every one is vetoed ({})",
                d.source,
                vetoes.join("; ")
            )
        })
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    Err(Failure::Usage(format!(
        "{}\nhint: the rules in force leave nothing to recommend; check the vetoes of your --rules overlay, or what the profile says about the path and runtime",
        lines.join("\nerror: ")
    )))
}
