//! The smaller commands: explain, matrix, rules, init, schema, completions, man, probe.

mod init;
mod matrix;
pub mod probe;
mod rules;
mod schema;

pub use init::{init, starter_profile};
pub use matrix::matrix;
pub use rules::rules;
pub use schema::{profile_schema, schema};

use crate::app::{emit, Failure, Outcome};
use crate::cli::{Cli, ExplainArgs};
use clap::CommandFactory;

pub fn explain(a: ExplainArgs) -> Outcome {
    let k = crate::app::knowledge(&a.rules)?;
    let l = crate::app::load_one(&a.file, &k)?;
    let engine = crate::engine::Engine::new(&k);
    emit(&crate::report::explain::render(
        &engine.explain(&l.profile, &l.source),
    ))
}

/// Shell completions, generated from the clap definitions.
pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "rtadvisor", &mut buf);
    emit(&String::from_utf8_lossy(&buf))
}

/// The man page (roff), generated from the clap definitions.
pub fn man() -> Outcome {
    let cmd = Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|e| Failure::Usage(format!("cannot render the man page: {e}")))?;
    emit(&String::from_utf8_lossy(&buf))
}

/// Escapes text for a GitHub-flavoured Markdown table cell: no pipes, no HTML, one line.
pub(crate) fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::report::strip_controls(text).chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Collapses runs of whitespace (folded YAML text) into single spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_break_tables_or_inject_html() {
        assert_eq!(md_cell("a|b <i>&"), "a\\|b &lt;i&gt;&amp;");
        assert_eq!(md_cell("two\nlines"), "two lines");
    }
}
