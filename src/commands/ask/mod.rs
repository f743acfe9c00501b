//! `rtadvisor ask`: the interview (issue #4). Questions are data
//! (`rules/questions.yaml`); the logic talks to a [`Prompter`], so it is testable
//! without a terminal. Prompts go to stderr; stdout carries only the final report.

pub mod interview;
pub mod lookahead;
pub mod prompt;
pub mod questions;
pub mod save;

pub use interview::{Finished, Stop};
pub use prompt::{Answer, Prompter, TermPrompter};

use crate::cli::{AskArgs, Format};
use crate::engine::{Decision, Engine};
use crate::load::knowledge;
use crate::output::{emit, Failure, Outcome};
use crate::profile::Profile;
use crate::report;
use crate::rules::Knowledge;
use std::io::{IsTerminal, Write};
use std::path::Path;

pub fn run(a: AskArgs) -> Outcome {
    // Arguments first: a --save that could never be written is refused before
    // anything else, with or without a terminal.
    if let Some(path) = &a.save {
        check_save_target(path)?;
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "`rtadvisor ask` needs a terminal to ask its questions (stdin is not a terminal)\n\
             hint: in scripts and CI, describe the workload in a file and run \
             `rtadvisor advise FILE`; `rtadvisor init` writes a commented starter profile"
                .into(),
        ));
    }
    let k = knowledge(&a.rules)?;
    let mut prompter = TermPrompter::new();
    ask_with(&k, &a, &mut prompter)
}

/// Fails early (before any question) when `--save` cannot be written: a folder,
/// a symbolic link (even to a missing target), anything but a regular file, or a
/// missing folder.
fn check_save_target(path: &Path) -> Outcome {
    crate::fsx::inspect(path).map(|_| ()).map_err(|e| {
        Failure::Usage(format!(
            "--save {}: {e}",
            crate::term::clean(&path.display().to_string())
        ))
    })
}

/// The whole command behind a prompter: interview, save, report.
pub fn ask_with(k: &Knowledge, a: &AskArgs, pr: &mut dyn Prompter) -> Outcome {
    let (decision, profile) = interview_and_save(k, a, pr)?;
    let text = render(k, &decision, &profile, a.format);
    match a.format {
        Format::Table => emit(&text),
        _ => crate::output::emit_plain(&text),
    }
}

/// The interview and `--save`: the decision to report (its source is the saved
/// file only when the answers were written to it) and the answers.
pub fn interview_and_save<'k>(
    k: &'k Knowledge,
    a: &AskArgs,
    pr: &mut dyn Prompter,
) -> Result<(Decision<'k>, Profile), Failure> {
    let qs = questions::embedded().map_err(Failure::Usage)?;
    let engine = Engine::new(k);
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "Answer what you know; Enter alone is \"don't know\".\n\
         Shift-Tab goes back a question; Ctrl-C or Esc quits without saving.\n"
    );
    let done = match interview::interview(&engine, &qs, pr) {
        Ok(f) => f,
        Err(Stop::Interrupted) => return Err(Failure::Interrupted),
        Err(Stop::Failed(m)) => return Err(Failure::Usage(m)),
    };
    let mut decision = engine.decide(&done.profile, ASKED);
    let _ = writeln!(err, "\n{}", summary(&done, &decision));

    if let Some(path) = &a.save {
        let write = if path.exists() && !a.force {
            match pr.confirm(&format!("{} exists. Overwrite it?", path.display())) {
                Answer::Value(yes) => yes,
                Answer::DontKnow | Answer::Back => false,
                Answer::Interrupted => return Err(Failure::Interrupted),
                Answer::Failed(m) => return Err(Failure::Usage(m)),
            }
        } else {
            true
        };
        if write {
            let text = save::profile_yaml(&done.profile, &header(&decision, &done));
            crate::fsx::inspect(path)
                .and_then(|old| crate::fsx::write_atomic(path, text.as_bytes(), old.as_ref()))
                .map_err(|e| {
                    Failure::Usage(format!(
                        "--save {}: cannot write: {e}",
                        crate::term::clean(&path.display().to_string())
                    ))
                })?;
            // The report comes from the saved file only once it is written.
            decision.source = path.display().to_string();
            let _ = writeln!(
                err,
                "Saved the answers to {}; `rtadvisor advise {}` gives this report again.\n",
                path.display(),
                path.display()
            );
        } else {
            let _ = writeln!(
                err,
                "Kept {}; the answers were not saved (--force overwrites).\n",
                path.display()
            );
        }
    }
    Ok((decision, done.profile))
}

/// The source a report of unsaved answers names.
pub const ASKED: &str = "rtadvisor ask";

/// The saved file's header comment.
fn header(d: &Decision, f: &Finished) -> String {
    let transport = d.recommendation.label();
    let mut h = format!(
        "rtadvisor workload profile v1, written by `rtadvisor ask`.\n\
         Recommendation when saved: {transport} (confidence {}).\n\
         Check it with `rtadvisor advise FILE`; edit freely, it is plain YAML.",
        d.recommendation.confidence.as_str()
    );
    for (field, label) in &f.nothing {
        h.push_str(&format!("\n{field} is left out: {label}."));
    }
    h
}

/// The report in the chosen format, with the same renderers as `advise`.
pub fn render(k: &Knowledge, d: &Decision, p: &Profile, format: Format) -> String {
    let one = std::slice::from_ref(d);
    match format {
        Format::Table => report::table::render(one),
        Format::Json => report::json::render(one),
        Format::Markdown => report::markdown::render(d, p, k, 2),
    }
}

/// One paragraph for stderr: how many questions were asked, when the transport was
/// settled, and what was skipped or left unknown, and why.
pub fn summary(f: &Finished, d: &Decision) -> String {
    let asked = f.asked.len();
    let total = asked + f.implied.len() + f.skipped();
    let mut s = format!("Asked {asked} of {total} questions; ");
    // Fields answered by another question's option or list, per question.
    let mut by: Vec<(&str, Vec<&str>)> = Vec::new();
    for (field, q) in &f.implied {
        match by.iter_mut().find(|(x, _)| x == q) {
            Some((_, fields)) => fields.push(field),
            None => by.push((q, vec![field])),
        }
    }
    for (q, fields) in by {
        s.push_str(&format!(
            "{} answered by your answer to {q} ({}); ",
            fields.len(),
            fields.join(", ")
        ));
    }
    s.push_str(&format!("skipped {}.", f.skipped()));
    if let Some((n, t)) = &f.settled {
        s.push_str(&format!(
            "\n  The transport was settled after {n} question{}: {t}.",
            if *n == 1 { "" } else { "s" }
        ));
        if t != d.recommendation.label() {
            s.push_str(&format!(
                " Later answers changed it to {}.",
                d.recommendation.label()
            ));
        }
    }
    if !f.cannot_change.is_empty() {
        s.push_str(&format!(
            "\n  {} could not change the recommendation ({}) given your answers: {}.",
            f.cannot_change.len(),
            d.recommendation.label(),
            f.cannot_change.join(", ")
        ));
    }
    if !f.left_open.is_empty() {
        s.push_str(&format!(
            "\n  Left unknown (not refined; they could change the add-ons, heartbeat, gotchas or capacity): {}.",
            f.left_open.join(", ")
        ));
    }
    for (field, why) in &f.not_applicable {
        s.push_str(&format!("\n  {field} does not apply: {why}."));
    }
    for (field, label) in &f.nothing {
        s.push_str(&format!("\n  {field}: {label}."));
    }
    if !f.dont_know.is_empty() {
        s.push_str(&format!(
            "\n  Left unknown (don't know): {}.",
            f.dont_know.join(", ")
        ));
    }
    s
}

#[cfg(test)]
mod tests;
