//! How commands end and print: the outcome type every command returns, its
//! mapping to the exit codes SPEC.md fixes, and writing to stdout so that a
//! closed pipe ends quietly and any other failed write is an error. Below every
//! command: nothing here imports a command.

use crate::diag::Report;
use crate::rules::LoadError;
use std::io::Write;

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
pub fn raw_stdout() -> Result<std::fs::File, Failure> {
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
