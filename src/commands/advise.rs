//! `rtadvisor advise`: decide every profile and print the reports; with
//! `--check` (or an audit format) audit each profile's current transport.

use crate::diag::Report;
use crate::engine::{Decision, Engine, Verdict};
use crate::load::{
    self, check_streams_read_once, decide_all, expand_inputs, load_path, load_profiles,
};
use crate::output::{emit, emit_plain, raw_stdout, Failure, Outcome};
use crate::profile::Profile;
use crate::report;
use crate::rules::Knowledge;
use std::io::Write;
use std::path::PathBuf;

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
            let style = report::markdown::Style {
                diagram: !a.no_diagram,
                ..report::markdown::Style::new(a.heading.heading_level)
            };
            emit_plain(&report::markdown::render_all(&items, k, &style))?
        }
        Some(AdviseFormat::Html) => {
            let items: Vec<(&Decision, &Profile)> = decisions
                .iter()
                .zip(loaded.iter().map(|l| &l.profile))
                .collect();
            emit_plain(&report::html::render_all(&items, k, !a.no_diagram))?
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
type Streamed<'k> = Result<(String, Option<Decision<'k>>), Report>;

/// `advise --format json`: reads, decides and renders profiles on every core and
/// prints them in input order as they are done, holding only a few in memory (the
/// output is byte for byte what deciding them all first would print).
fn advise_json_streamed(k: &Knowledge, inputs: &[PathBuf]) -> Outcome {
    use load::BATCH;
    check_streams_read_once(inputs)?;
    let (paths, mut bad) = expand_inputs(inputs);
    // Not dropped: the process ends when the output is written (see `app::run`).
    let engine = std::mem::ManuallyDrop::new(Engine::new(k));
    let ids = k.hop_ids();
    let work = |path: &PathBuf| -> Streamed<'_> {
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
    // How far a worker may run ahead of what is printed, in batches.
    load::in_order(&paths, threads, threads * 16, work, |r| sink.take(r));
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
struct Sink<'k, W: Write> {
    out: report::json::Stream<W>,
    good: usize,
    none_viable: Vec<Decision<'k>>,
    bad: Vec<Report>,
    write_error: Option<std::io::Error>,
}

impl<'k, W: Write> Sink<'k, W> {
    /// Prints (or records) one result; `false` once output can no longer be written.
    fn take(&mut self, r: Streamed<'k>) -> bool {
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
