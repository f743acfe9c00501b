//! The smaller commands: explain, matrix, rules, init, schema, completions, man, probe.

mod init;
mod matrix;
mod platforms;
pub mod probe;
mod rules;
mod schema;

pub use init::{init, starter_profile};
pub use matrix::matrix;
pub use platforms::platforms;
pub use rules::rules;
pub use schema::{profile_schema, schema};

use crate::app::{emit, Failure, Outcome};
use crate::cli::{Cli, ExplainArgs};
use clap::CommandFactory;
use std::io::Write;

pub fn explain(a: ExplainArgs) -> Outcome {
    let k = crate::app::knowledge(&a.rules)?;
    let l = crate::app::load_one(&a.file, &k)?;
    let engine = crate::engine::Engine::new(&k);
    emit(&crate::report::fit_width(
        &crate::report::explain::render(&engine.explain(&l.profile, &l.source)),
        crate::report::term_width(),
    ))
}

/// Shell completions, generated from the clap definitions.
pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "rtadvisor", &mut buf);
    emit(&String::from_utf8_lossy(&buf))
}

/// The man page (roff), generated from the clap definitions: the top page on
/// stdout, or with `--out DIR` the top page and one per subcommand (the pages the
/// top page's SUBCOMMANDS section names, e.g. `rtadvisor-advise(1)`), each
/// written atomically.
pub fn man(out: Option<&std::path::Path>) -> Outcome {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = out else {
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut buf)
            .map_err(|e| Failure::Usage(format!("cannot render the man page: {e}")))?;
        return emit(&String::from_utf8_lossy(&buf));
    };
    let shown = crate::term::clean(&dir.display().to_string()).into_owned();
    if !dir.is_dir() {
        return Err(Failure::Usage(format!(
            "--out {shown}: not a folder; create it first (e.g. mkdir -p {shown})"
        )));
    }
    let mut pages = Vec::new();
    collect_pages(&cmd, &mut pages);
    for man in &pages {
        let mut buf = Vec::new();
        man.render(&mut buf)
            .map_err(|e| Failure::Usage(format!("cannot render the man page: {e}")))?;
        let path = dir.join(man.get_filename());
        crate::fsx::inspect(&path)
            .and_then(|old| crate::fsx::write_atomic(&path, &buf, old.as_ref()))
            .map_err(|e| {
                Failure::Usage(format!(
                    "{}: {e}",
                    crate::term::clean(&path.display().to_string())
                ))
            })?;
    }
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "wrote {} man pages into {shown}; read one with: man {shown}/rtadvisor.1",
        pages.len()
    );
    Ok(())
}

fn collect_pages(cmd: &clap::Command, out: &mut Vec<clap_mangen::Man>) {
    out.push(clap_mangen::Man::new(cmd.clone()));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect_pages(sub, out);
    }
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
