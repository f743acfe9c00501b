//! Command-line definitions (clap). Help, completions and the man page all come from here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "rtadvisor",
    version,
    about = "Which real-time transport should this feature use (SSE, WebSockets, polling, or a queue), and why",
    long_about = "rtadvisor scores a workload profile (traffic direction, latency, runtime, proxies on the path, \
update cadence, auth) against rules and dated platform facts, and recommends Server-Sent Events, WebSockets, \
polling, or a queue with a notification: with the add-ons to build, the gotchas on your path, and what would \
change the answer.\n\nExit codes: 0 success; 1 a --check found a misfit or an out-of-date doc; 2 bad usage or input.",
    propagate_version = true
)]
pub struct Cli {
    /// When to use colour: auto (a terminal, unless NO_COLOR is set; CLICOLOR_FORCE
    /// forces it), always, or never
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour on a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it)
    Auto,
    /// Always colour, even into a pipe or file
    Always,
    /// Never colour
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Recommend a transport for workload profiles (files, folders, or - for stdin)
    Advise(AdviseArgs),
    /// Answer a few questions in the terminal and get a recommendation
    Ask(AskArgs),
    /// Write or refresh the decision sections of design docs, between markers
    Doc(DocArgs),
    /// Show every rule evaluated, its contribution, and what would flip the answer
    Explain(ExplainArgs),
    /// Print the SSE vs WebSocket (vs polling vs queue) comparison matrix
    Matrix(MatrixArgs),
    /// List the runtimes and hops the rules know, or every fact of one with its source
    Platforms(PlatformsArgs),
    /// Browse and validate rule sets
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write a commented starter profile
    Init(InitArgs),
    /// Measure the real network path (buffering, idle timeouts, lifetime caps, WebSockets, protocol)
    Probe(ProbeArgs),
    /// Print the JSON Schema of the workload profile v1
    Schema,
    /// Print shell completions
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write a page per command with --out
    Man {
        /// Write rtadvisor.1 and a page per subcommand (rtadvisor-advise.1, …) into DIR
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Readable report for a terminal
    #[default]
    Table,
    /// A design-doc section (GitHub-flavoured Markdown)
    Markdown,
    /// Stable machine output (JSON v1)
    Json,
}

/// `advise --format`: the report formats, and the audit formats for CI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdviseFormat {
    /// Readable report for a terminal
    Table,
    /// A design-doc section (GitHub-flavoured Markdown)
    Markdown,
    /// Stable machine output (JSON v1)
    Json,
    /// One self-contained HTML page: the report with the path, scores and what would
    /// change the answer drawn as pictures
    Html,
    /// The --check findings as SARIF 2.1.0 (code-scanning UIs); implies --check
    Sarif,
    /// The --check findings as JUnit XML (CI test reports); implies --check
    Junit,
}

/// A `--check` verdict that can fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// The current transport is more than the workload needs
    OverEngineered,
    /// The current transport is less than the workload needs
    UnderEngineered,
    /// A queue against a live transport, or the reverse
    Mismatch,
}

#[derive(Debug, Args, Clone, Default)]
pub struct RulesArg {
    /// A folder of rule files laid over the built-in rules
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Args, Clone, Copy)]
pub struct HeadingArg {
    /// Markdown heading level of the section title (1-6)
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=6))]
    pub heading_level: u8,
}

#[derive(Debug, Args)]
pub struct AdviseArgs {
    /// Profile files, folders of *.yaml/*.yml profiles, or - for stdin
    #[arg(required = true, value_name = "FILE|DIR|-")]
    pub inputs: Vec<PathBuf>,
    /// Output format (default: table; with --check, only the findings unless a
    /// format or --verbose is given)
    #[arg(long, short, value_enum)]
    pub format: Option<AdviseFormat>,
    /// Audit each profile's current_transport: print one line per misfit and a
    /// summary; exit 1 when a finding fails (see --fail-on and `accept:` waivers)
    #[arg(long)]
    pub check: bool,
    /// Which verdicts fail a --check (comma-separated)
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "VERDICTS",
        default_value = "over-engineered,under-engineered,mismatch"
    )]
    pub fail_on: Vec<FailOn>,
    /// With --check: print the full reports too, not only the findings
    #[arg(long, short)]
    pub verbose: bool,
    /// Markdown and HTML: leave out the picture of the network path
    #[arg(long)]
    pub no_diagram: bool,
    #[command(flatten)]
    pub heading: HeadingArg,
    #[command(flatten)]
    pub rules: RulesArg,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// Save the answers as a profile
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Overwrite the --save file if it exists
    #[arg(long)]
    pub force: bool,
    /// Output format of the final report
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub rules: RulesArg,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  rtadvisor doc w.yaml --into docs/design.md      write or refresh the section for w.yaml
  rtadvisor doc w.yaml --into docs/design.md --after \"Decision\"
  rtadvisor doc docs/design.md                    refresh every section of the doc
  rtadvisor doc --check docs/                     CI: exit 1 if any doc under docs/ is out of date

What a section was made with (profile, heading level, status, detail, diagram, rules) is recorded in its
begin marker, paths relative to the doc, so a doc alone can be refreshed or checked.")]
pub struct DocArgs {
    /// With --into: the workload profile. Without: design docs, or folders searched
    /// for *.md docs, whose sections are refreshed (or checked) from the profiles
    /// their markers name
    #[arg(required = true, value_name = "PROFILE|DOC|DIR")]
    pub paths: Vec<PathBuf>,
    /// The design doc to write the profile's section into (created if missing)
    #[arg(long, value_name = "DOC")]
    pub into: Option<PathBuf>,
    /// Write nothing; exit 1 if a section is out of date (or the --into doc is missing)
    #[arg(long)]
    pub check: bool,
    /// Put a new section at the end of this heading's part of the doc (before the
    /// next heading of the same or a higher level) instead of at the end of the doc
    #[arg(long, value_name = "HEADING", requires = "into")]
    pub after: Option<String>,
    /// Markdown heading level of the section title (1-6) [default: 2, or what the
    /// doc records]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=6))]
    pub heading_level: Option<u8>,
    /// Status of the decision [default: proposed, or what the doc records]
    #[arg(long, value_enum)]
    pub status: Option<crate::report::markdown::Status>,
    /// How much the section says [default: concise, or what the doc records]
    #[arg(long, value_enum)]
    pub detail: Option<crate::report::markdown::Detail>,
    /// Leave out the Mermaid diagram of the network path [default: drawn, or what
    /// the doc records]
    #[arg(long, overrides_with = "diagram")]
    pub no_diagram: bool,
    /// Draw the path diagram again in a section recorded without it
    #[arg(long, overrides_with = "no_diagram")]
    pub diagram: bool,
    #[command(flatten)]
    pub rules: RulesArg,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The workload profile (or - for stdin)
    pub file: PathBuf,
    #[command(flatten)]
    pub rules: RulesArg,
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Output format
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub rules: RulesArg,
}

/// Output of the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ListFormat {
    /// A table for a terminal
    #[default]
    Table,
    /// JSON
    Json,
}

#[derive(Debug, Args)]
pub struct PlatformsArgs {
    /// A runtime or hop id (e.g. nginx, cloud-run): every fact with its source
    pub id: Option<String>,
    /// Output format
    #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    #[command(flatten)]
    pub rules: RulesArg,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules: id, dimension, message, origin
    List {
        /// Output format
        #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// List the variables rule conditions and texts can use
    Vars {
        /// Output format
        #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Show one rule: message, why, condition, effects, sources
    Show {
        /// The rule id
        id: String,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Validate a folder of rule files (laid over the built-in rules)
    Check {
        /// The folder
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the starter profile (stdout when omitted)
    pub file: Option<PathBuf>,
    /// Overwrite FILE if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Exit codes: 0 the path streams (an idle timeout a heartbeat fixes is not a failure); \
1 a finding breaks a transport (SSE buffered or compressed, WebSocket Upgrade blocked, a lifetime cap); \
2 bad usage, or the URL could not be reached; 130 interrupted (what was measured so far is printed).\n\n\
Details: docs/probe.md"
)]
pub struct ProbeArgs {
    #[command(subcommand)]
    pub command: Option<ProbeCommand>,
    /// URL of a `probe serve` endpoint behind your real path (or any SSE endpoint)
    #[arg(required = true, value_name = "URL")]
    pub url: Option<String>,
    /// The longest silence to try when searching for the idle timeout (e.g. 130s, 2m)
    #[arg(long, value_name = "DURATION", default_value = "130s", value_parser = parse_duration)]
    pub max_idle: f64,
    /// Output format
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the measured path as an inline hop into this profile's `path`
    #[arg(long, value_name = "FILE")]
    pub save_hop: Option<PathBuf>,
    /// With --save-hop: make the measured hop the whole path instead of adding it
    /// (the named hops' default facts no longer apply)
    #[arg(long, requires = "save_hop")]
    pub replace_path: bool,
    /// The name of the saved hop: one per network you measure from (a second run
    /// with the same name replaces it)
    #[arg(long, value_name = "NAME", default_value = "measured-path")]
    pub hop_name: String,
    /// A forward proxy to go through, like a client behind a corporate proxy (http://HOST:PORT)
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// A WebSocket URL to check (default: the probe endpoint's …/ws; other endpoints: none)
    #[arg(long, value_name = "URL")]
    pub ws: Option<String>,
    /// A request header to send (cookies, tokens); repeatable
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Also trust the CA certificates in this PEM file
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    #[command(flatten)]
    pub heading: HeadingArg,
    #[command(flatten)]
    pub rules: RulesArg,
}

#[derive(Debug, Subcommand)]
pub enum ProbeCommand {
    /// Serve the reference endpoint to deploy behind your real path: an SSE stream on a known
    /// schedule (any path), a WebSocket echo (…/ws) and a polling endpoint (…/poll)
    Serve(ProbeServeArgs),
}

#[derive(Debug, Args)]
pub struct ProbeServeArgs {
    /// Address to listen on (port 0 picks a free one; the address is printed on stdout)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// A response header to add to the SSE stream, as your app would send it (e.g.
    /// "X-Accel-Buffering: no"); repeatable
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
}

/// A duration flag's value parser: `130s`, `2m`, `500ms`, `1.5s`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 130s, 2m, 500ms)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{s}`: the unit must be ms, s, m or h")),
    };
    if !(secs.is_finite() && secs > 0.0) {
        return Err(format!("`{s}`: a duration must be more than 0"));
    }
    if secs > 3600.0 {
        return Err(format!("`{s}`: at most 1h"));
    }
    Ok(secs)
}
