//! The process: parse the arguments, dispatch to the command, map its outcome
//! to an exit code. Each command lives in `commands/`.

use crate::cli::{Cli, Command};
use crate::load::knowledge;
use crate::output::{emit, exit_code, Outcome};
use clap::Parser;
use std::process::ExitCode;

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

pub fn run(cli: Cli) -> Outcome {
    match cli.color {
        crate::cli::ColorWhen::Auto => {}
        crate::cli::ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        crate::cli::ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    match cli.command {
        Command::Advise(a) => {
            // The process ends right after: the system takes the rules' memory back
            // at once, instead of thousands of frees one by one (see README,
            // Performance).
            let k = std::mem::ManuallyDrop::new(knowledge(&a.rules)?);
            crate::commands::advise(&k, &a)
        }
        Command::Ask(a) => crate::commands::ask::run(a),
        Command::Doc(a) => crate::commands::doc::run(a),
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
