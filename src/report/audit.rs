//! The `--check` audit as CI reads it: one line per finding and a summary, SARIF
//! 2.1.0 for code-scanning UIs, JUnit XML for test-report UIs. Pure functions of
//! the decisions (and, for SARIF, the line each profile names its current
//! transport on).

use super::strip_controls;
use crate::engine::{Audit, Decision, Verdict};
use std::fmt::Write;

/// A profile whose `current_transport` does not fit the recommendation.
pub struct Finding<'a> {
    pub decision: &'a Decision<'a>,
    pub audit: &'a Audit,
    /// Fails the run: its verdict is one of `--fail-on` and no waiver covers it.
    pub failing: bool,
}

/// What a `--check` found over a batch of decisions.
pub struct Audited<'a> {
    pub findings: Vec<Finding<'a>>,
    /// Profiles with a `current_transport` (the others cannot be audited).
    pub audited: usize,
    pub total: usize,
}

impl Audited<'_> {
    pub fn failing(&self) -> usize {
        self.findings.iter().filter(|f| f.failing).count()
    }
    fn waived(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.audit.waived.is_some())
            .count()
    }
}

/// The audit of every decision: findings for verdicts other than `fits`, failing
/// when their verdict is in `fail_on` and no waiver applies.
pub fn collect<'a>(decisions: &'a [Decision], fail_on: &[Verdict]) -> Audited<'a> {
    let mut findings = Vec::new();
    let mut audited = 0;
    for d in decisions {
        let Some(a) = &d.audit else { continue };
        audited += 1;
        if a.verdict == Verdict::Fits {
            continue;
        }
        findings.push(Finding {
            decision: d,
            audit: a,
            failing: fail_on.contains(&a.verdict) && a.waived.is_none(),
        });
    }
    Audited {
        findings,
        audited,
        total: decisions.len(),
    }
}

/// One line for a finding: `file: verdict — current X, recommended Y: reason`.
pub fn finding_line(f: &Finding) -> String {
    let d = f.decision;
    let a = f.audit;
    let mut line = format!(
        "{}: {}{} — current {}, recommended {}",
        strip_controls(&d.source),
        if a.waived.is_some() { "waived " } else { "" },
        a.verdict.as_str(),
        a.current,
        d.recommendation.label()
    );
    if let Some(r) = &a.reason {
        let _ = write!(line, ": {}", strip_controls(&crate::term::clean(r)));
    }
    if let Some(w) = &a.waived {
        let _ = write!(line, " (accepted: \"{}\"", strip_controls(&w.reason));
        if let Some(u) = &w.until {
            let _ = write!(line, ", until {u}");
        }
        line.push(')');
    } else if !f.failing {
        line.push_str(" (reported, not failing: not in --fail-on)");
    }
    if let Some(note) = &a.waiver_note {
        let _ = write!(line, " [{}]", strip_controls(note));
    }
    line
}

/// The findings, one line each, then the summary line.
pub fn lines(a: &Audited) -> String {
    let mut out = String::new();
    for f in &a.findings {
        let _ = writeln!(out, "{}", finding_line(f));
    }
    let _ = writeln!(out, "{}", summary(a));
    out
}

/// "check: 2 of 30 audited profiles do not fit …".
pub fn summary(a: &Audited) -> String {
    let unfit = a.findings.len();
    let mut s = format!(
        "check: {unfit} of {} audited profile{} {} not fit {} current transport",
        a.audited,
        if a.audited == 1 { "" } else { "s" },
        if unfit == 1 { "does" } else { "do" },
        if a.audited == 1 { "its" } else { "their" },
    );
    let mut notes = Vec::new();
    if a.failing() != unfit {
        notes.push(format!("{} failing", a.failing()));
    }
    if a.waived() > 0 {
        notes.push(format!("{} waived", a.waived()));
    }
    if !notes.is_empty() {
        let _ = write!(s, " ({})", notes.join(", "));
    }
    let skipped = a.total - a.audited;
    if skipped > 0 {
        let _ = write!(
            s,
            "; {skipped} profile{} without current_transport {} not audited",
            if skipped == 1 { "" } else { "s" },
            if skipped == 1 { "was" } else { "were" },
        );
    }
    s
}

const VERDICTS: [(Verdict, &str); 3] = [
    (
        Verdict::OverEngineered,
        "The current transport is more than this workload needs: it costs more to build and run than the recommendation.",
    ),
    (
        Verdict::UnderEngineered,
        "The current transport is less than this workload needs: it will not meet the workload's latency, direction or delivery needs.",
    ),
    (
        Verdict::Mismatch,
        "The current transport does not match the workload's shape (a queue for a live stream, or a live connection for a long job).",
    ),
];

fn rule_id(v: Verdict) -> String {
    format!("rtadvisor/{}", v.as_str())
}

/// SARIF 2.1.0: one result per finding, on the profile line that names the
/// current transport (`lines[i]` for `decisions[i]`, 1-based); waived findings
/// carry an in-source suppression with the waiver's reason.
pub fn sarif(a: &Audited, line_of: &dyn Fn(&Decision) -> Option<usize>) -> String {
    use serde_sarif::sarif::{
        ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
        ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Suppression, Tool,
        ToolComponent,
    };
    let rules: Vec<ReportingDescriptor> = VERDICTS
        .iter()
        .map(|(v, text)| {
            ReportingDescriptor::builder()
                .id(rule_id(*v))
                .name(v.as_str())
                .short_description(
                    MultiformatMessageString::builder()
                        .text(format!("current_transport is {}", v.as_str()))
                        .build(),
                )
                .full_description(MultiformatMessageString::builder().text(*text).build())
                .help(
                    MultiformatMessageString::builder()
                        .text("Run `rtadvisor explain FILE` for every rule behind the recommendation; accept a deliberate choice with `accept: {verdict, reason, until}` in the profile.")
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<SarifResult> = a
        .findings
        .iter()
        .map(|f| {
            let d = f.decision;
            let region = line_of(d).map(|l| Region::builder().start_line(l as i64).build());
            let physical = match region {
                Some(r) => PhysicalLocation::builder()
                    .artifact_location(ArtifactLocation::builder().uri(uri(&d.source)).build())
                    .region(r)
                    .build(),
                None => PhysicalLocation::builder()
                    .artifact_location(ArtifactLocation::builder().uri(uri(&d.source)).build())
                    .build(),
            };
            let level = if f.failing {
                ResultLevel::Error
            } else {
                ResultLevel::Warning
            };
            let text = format!(
                "{}: current {} is {}; recommended {}{}",
                strip_controls(&d.name),
                f.audit.current,
                f.audit.verdict.as_str(),
                d.recommendation.label(),
                f.audit
                    .reason
                    .as_deref()
                    .map(|r| format!(". {}", strip_controls(r)))
                    .unwrap_or_default()
            );
            let base = SarifResult::builder()
                .rule_id(rule_id(f.audit.verdict))
                .level(level)
                .message(Message::builder().text(text).build())
                .locations(vec![Location::builder()
                    .physical_location(physical)
                    .build()]);
            match &f.audit.waived {
                Some(w) => base
                    .suppressions(vec![Suppression::builder()
                        .kind(serde_json::json!("inSource"))
                        .justification(w.reason.clone())
                        .build()])
                    .build(),
                None => base.build(),
            }
        })
        .collect();
    let run = Run::builder()
        .tool(
            Tool::builder()
                .driver(
                    ToolComponent::builder()
                        .name("rtadvisor")
                        .version(env!("CARGO_PKG_VERSION"))
                        .rules(rules)
                        .build(),
                )
                .build(),
        )
        .results(results)
        .build();
    let log = Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// A relative path as a URI reference (`-` for stdin becomes `stdin`).
fn uri(source: &str) -> String {
    let s = if source == "<stdin>" || source == "-" {
        "stdin"
    } else {
        source.strip_prefix("./").unwrap_or(source)
    };
    s.chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            '%' => "%25".to_string(),
            c if c.is_control() => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// JUnit XML: one test case per audited profile (its file as the class name);
/// a failing finding is a failure, a waived or non-failing one passes with the
/// finding in its output.
pub fn junit(decisions: &[Decision], a: &Audited) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut suite = TestSuite::new("rtadvisor advise --check");
    for d in decisions.iter().filter(|d| d.audit.is_some()) {
        let finding = a.findings.iter().find(|f| std::ptr::eq(f.decision, d));
        let status = match finding {
            Some(f) if f.failing => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(finding_line(f))
                    .set_type(f.audit.verdict.as_str());
                s
            }
            _ => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(strip_controls(&d.name), status);
        case.set_classname(strip_controls(&d.source));
        if let Some(f) = finding.filter(|f| !f.failing) {
            case.set_system_out(finding_line(f));
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("rtadvisor");
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}
