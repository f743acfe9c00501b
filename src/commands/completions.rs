//! `rtadvisor completions SHELL`.

use crate::cli::Cli;
use crate::output::{emit, Outcome};
use clap::CommandFactory;

/// Shell completions, generated from the clap definitions.
pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "rtadvisor", &mut buf);
    emit(&String::from_utf8_lossy(&buf))
}
