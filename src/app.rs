//! Running commands: arguments in, exit code out. The only place that prints.

use crate::cli::{Cli, Command, Format, RulesArg};
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
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
            let _ = writeln!(anstream::stderr(), "error: {msg}");
            2
        }
        Err(Failure::Input(reports)) => {
            let mut err = anstream::stderr();
            let mut count = 0;
            for r in &reports {
                count += r.diagnostics.len();
                let _ = write!(err, "{}", r.render(true));
            }
            let files = reports.len();
            let _ = writeln!(
                err,
                "error: {count} problem{} in {files} file{}; nothing was written",
                if count == 1 { "" } else { "s" },
                if files == 1 { "" } else { "s" },
            );
            2
        }
    }
}

/// Writes styled text to stdout (styles stripped when it is not a terminal or
/// NO_COLOR is set); a closed pipe (`| head`) ends output quietly.
pub fn emit(text: &str) -> Outcome {
    finish_write(anstream::stdout(), text)
}

/// Writes unstyled text (JSON, markdown) to stdout as is.
pub fn emit_plain(text: &str) -> Outcome {
    finish_write(std::io::stdout().lock(), text)
}

fn finish_write(mut out: impl Write, text: &str) -> Outcome {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Usage(format!("cannot write output: {e}"))),
    }
}

pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Advise(a) => {
            let k = knowledge(&a.rules)?;
            advise(&k, &a.inputs, a.format, a.check, a.heading.heading_level)
        }
        Command::Ask(a) => crate::ask::run(a),
        Command::Doc(a) => crate::doc::run(a),
        Command::Explain(a) => crate::commands::explain(a),
        Command::Matrix(a) => crate::commands::matrix(a),
        Command::Rules(r) => crate::commands::rules(r),
        Command::Init(a) => crate::commands::init(a),
        Command::Probe(a) => crate::commands::probe::probe(a),
        Command::Schema => crate::commands::schema(),
        Command::Completions { shell } => crate::commands::completions(shell),
        Command::Man => crate::commands::man(),
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
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<Report>> {
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
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
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
            source: name,
            profile,
        }),
        Err(diagnostics) => Err(Failure::Input(vec![Report {
            source: Source { name, text },
            diagnostics,
        }])),
    }
}

/// Loads and validates every profile; on any problem, returns all of them.
pub fn load_profiles(inputs: &[PathBuf], k: &Knowledge) -> Result<Vec<Loaded>, Failure> {
    let paths = expand_inputs(inputs).map_err(Failure::Input)?;
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(Failure::Usage("stdin (-) can be read only once".into()));
    }
    let ids = k.hop_ids();
    let load_one = |path: &PathBuf| -> Result<Loaded, Report> {
        let (name, text) = read_input(path)?;
        match parse_profile(&text, &ids) {
            Ok(profile) => Ok(Loaded {
                source: name,
                profile,
            }),
            Err(diagnostics) => Err(Report {
                source: Source { name, text },
                diagnostics,
            }),
        }
    };
    let mut loaded = Vec::with_capacity(paths.len());
    let mut reports = Vec::new();
    for r in parallel_map(&paths, load_one) {
        match r {
            Ok(l) => loaded.push(l),
            Err(r) => reports.push(r),
        }
    }
    if reports.is_empty() {
        Ok(loaded)
    } else {
        Err(Failure::Input(reports))
    }
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

pub fn advise(
    k: &Knowledge,
    inputs: &[PathBuf],
    format: Format,
    check: bool,
    heading_level: u8,
) -> Outcome {
    let loaded = load_profiles(inputs, k)?;
    let engine = Engine::new(k);
    let decisions = decide_all(&engine, &loaded);
    match format {
        Format::Table => emit(&report::table::render(&decisions))?,
        Format::Json => emit_plain(&report::json::render(&decisions))?,
        Format::Markdown => {
            let items: Vec<(&Decision, &Profile)> = decisions
                .iter()
                .zip(loaded.iter().map(|l| &l.profile))
                .collect();
            emit_plain(&report::markdown::render_all(&items, k, heading_level))?
        }
    }
    if check {
        let misfits: Vec<&Decision> = decisions
            .iter()
            .filter(|d| d.audit.as_ref().is_some_and(|a| a.verdict != Verdict::Fits))
            .collect();
        let mut err = anstream::stderr();
        for d in &misfits {
            if let Some(a) = &d.audit {
                let _ = writeln!(
                    err,
                    "{}: {}: current {} is {}; recommended {}",
                    report::strip_controls(&d.source),
                    report::strip_controls(&d.name),
                    a.current,
                    a.verdict.as_str(),
                    d.recommendation.transport
                );
            }
        }
        if !misfits.is_empty() {
            let _ = writeln!(
                err,
                "check: {} of {} profiles do not fit their current transport",
                misfits.len(),
                decisions.len()
            );
            return Err(Failure::CheckFailed);
        }
    }
    Ok(())
}
