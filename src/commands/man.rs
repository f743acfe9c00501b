//! `rtadvisor man [--out DIR]`.

use crate::cli::Cli;
use crate::output::{emit, Failure, Outcome};
use clap::CommandFactory;
use std::io::Write;

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
