//! The design-doc section (GitHub-flavoured Markdown), shaped like an ADR/MADR
//! record. Two levels of detail:
//!
//! - **concise** (the default): one heading, the decision with its confidence and
//!   status, the 3-6 rules that decided it, a compact options table (transport,
//!   score, one-line verdict), one build checklist in which every add-on and gotcha
//!   fix appears once, a capacity line when the decision has one, what would change
//!   it, and the dated sources. Prose is wrapped at 80 columns (markdownlint MD013;
//!   only the table is longer), so a section stays short enough to be read.
//! - **full**: today's long form with a subsection per part: drivers (the whole
//!   profile in words), options with every pro and con, rationale, what to build,
//!   gotchas, what would change the decision, sources.
//!
//! Every piece of user text (the workload name, inline hop names, the source
//! path) is escaped so it cannot break a table, open HTML or create formatting.
//! Rule texts keep their `code spans` but are escaped the same way otherwise.
//! Blocks are joined by exactly one blank line and the section ends with one
//! newline, so the output passes markdownlint's default rules.

use crate::engine::{Decision, Ranked, Reason};
use crate::profile::{Hop, Profile, FIELDS};
use crate::rules::cond::fmt_num;
use crate::rules::{Knowledge, Kstr};

/// Where a decision stands (MADR statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Status {
    #[default]
    Proposed,
    Accepted,
    Rejected,
    Deprecated,
    Superseded,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Proposed,
        Status::Accepted,
        Status::Rejected,
        Status::Deprecated,
        Status::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Deprecated => "deprecated",
            Status::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// How much the section says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Detail {
    /// A section a reviewer reads in a minute (at most 40 lines)
    #[default]
    Concise,
    /// Every driver, pro, con, rule and gotcha, each under its own heading
    Full,
}

impl Detail {
    pub fn as_str(self) -> &'static str {
        match self {
            Detail::Concise => "concise",
            Detail::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Detail> {
        [Detail::Concise, Detail::Full]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// How one section is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Heading level of the section title (1-6).
    pub level: u8,
    pub status: Status,
    pub detail: Detail,
    /// Draw the path as a Mermaid diagram (`--no-diagram` turns it off).
    pub diagram: bool,
}

impl Style {
    /// A concise, proposed section with its title at `level`, with its diagram.
    pub fn new(level: u8) -> Self {
        Style {
            level,
            status: Status::default(),
            detail: Detail::default(),
            diagram: true,
        }
    }
}

/// The column markdownlint's MD013 stops at.
pub const WIDTH: usize = 80;

/// Renders one decision as a concise markdown section whose title is at `level` (1-6).
pub fn render(d: &Decision, p: &Profile, k: &Knowledge, level: u8) -> String {
    render_with(d, p, k, &Style::new(level))
}

/// Renders one decision as a markdown section written as `style` says.
pub fn render_with(d: &Decision, p: &Profile, k: &Knowledge, style: &Style) -> String {
    let s = Section::new(d, p, k, style, None);
    match style.detail {
        Detail::Concise => s.concise(),
        Detail::Full => s.render(),
    }
}

/// Renders several decisions as one document: a title at `level`, then one
/// section per profile one level below. Subsection headings carry the
/// workload name so that no two headings in the document are the same.
pub fn render_all(items: &[(&Decision, &Profile)], k: &Knowledge, style: &Style) -> String {
    let level = style.level;
    if let [(d, p)] = items {
        return render_with(
            d,
            p,
            k,
            &Style {
                detail: Detail::Concise,
                ..*style
            },
        );
    }
    let level = level.clamp(1, 6);
    let mut blocks = vec![format!(
        "{} Real-time transport decisions ({} profiles)",
        hashes(level),
        items.len()
    )];
    let mut seen: Vec<String> = Vec::new();
    for (d, p) in items {
        let mut label = clean(&d.name);
        let same = seen.iter().filter(|n| **n == label).count();
        seen.push(label.clone());
        if same > 0 {
            label = format!("{label} ({})", same + 1);
        }
        let style = Style {
            level: level.saturating_add(1).min(6),
            detail: Detail::Concise,
            ..*style
        };
        let section = Section::new(d, p, k, &style, Some(label)).concise();
        blocks.push(section.trim_end().to_string());
    }
    finish(blocks)
}

fn hashes(level: u8) -> String {
    "#".repeat(level.clamp(1, 6) as usize)
}

fn finish(blocks: Vec<String>) -> String {
    let mut out = blocks
        .into_iter()
        .filter(|b| !b.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    out.push('\n');
    out
}

use super::one_line as clean;

/// Escapes user text for inline Markdown: the result renders as the literal text.
pub fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in clean(s).chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '$' | '!' => {
            out.push('\\');
            out.push(c);
        }
        _ => out.push(c),
    }
}

/// First private-use code point, standing in for an inline hop name while a rule text is escaped.
const PLACEHOLDER: u32 = 0xE000;

/// Escapes rule texts (which may contain inline hop names) for inline Markdown.
struct Escaper {
    /// Inline hop names as they appear in texts, longest first.
    names: Vec<String>,
}

impl Escaper {
    fn new(p: &Profile) -> Self {
        let mut names: Vec<String> = p
            .path
            .iter()
            .flatten()
            .filter_map(|h| match h {
                Hop::Inline(h) if !h.name.is_empty() => Some(h.name.clone()),
                _ => None,
            })
            .collect();
        names.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        names.dedup();
        names.truncate(0x1000);
        Escaper { names }
    }

    /// A rule text: `code spans` kept, everything else escaped; `table` also
    /// escapes `|` inside code spans (GFM splits cells on them otherwise).
    fn text(&self, s: &str, table: bool) -> String {
        let mut marked = s.to_string();
        for (i, name) in self.names.iter().enumerate() {
            if let Some(ph) = char::from_u32(PLACEHOLDER + i as u32) {
                marked = marked.replace(name.as_str(), &ph.to_string());
            }
        }
        let chars: Vec<char> = clean(&marked).chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '`' {
                let run = run_len(&chars, i);
                if let Some(close) = find_run(&chars, i + run, run) {
                    let inner: String = chars[i + run..close].iter().collect();
                    let ticks = "`".repeat(run);
                    out.push_str(&ticks);
                    for c in inner.chars() {
                        match self.name_of(c) {
                            Some(name) => {
                                for nc in clean(name).chars() {
                                    self.push_code(
                                        &mut out,
                                        if nc == '`' { '\'' } else { nc },
                                        table,
                                    );
                                }
                            }
                            None => self.push_code(&mut out, c, table),
                        }
                    }
                    out.push_str(&ticks);
                    i = close + run;
                    continue;
                }
                for _ in 0..run {
                    out.push_str("\\`");
                }
                i += run;
                continue;
            }
            match self.name_of(chars[i]) {
                Some(name) => out.push_str(&escape(name)),
                None => push_escaped(&mut out, chars[i]),
            }
            i += 1;
        }
        out
    }

    fn push_code(&self, out: &mut String, c: char, table: bool) {
        if table && c == '|' {
            out.push_str("\\|");
        } else {
            out.push(c);
        }
    }

    fn name_of(&self, c: char) -> Option<&str> {
        let n = (c as u32).checked_sub(PLACEHOLDER)? as usize;
        self.names.get(n).map(String::as_str)
    }

    /// A value from the profile or a flip (may hold inline hop names): fully escaped.
    fn value(&self, v: &serde_json::Value) -> String {
        escape(&super::table::show_json(v))
    }
}

fn run_len(chars: &[char], start: usize) -> usize {
    chars[start..].iter().take_while(|c| **c == '`').count()
}

/// The start of the next backtick run of exactly `len` at or after `from`.
fn find_run(chars: &[char], from: usize, len: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == '`' {
            let run = run_len(chars, i);
            if run == len {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

/// A field or id the engine wrote (never user text) as a code span.
fn code(s: &str) -> String {
    let s = clean(s).replace('`', "'");
    format!("`{s}`")
}

struct Section<'a> {
    d: &'a Decision<'a>,
    p: &'a Profile,
    k: &'a Knowledge,
    level: u8,
    status: Status,
    /// In a multi-profile document: the workload name added to subsection headings.
    suffix: Option<String>,
    esc: Escaper,
    /// The path diagram's Mermaid source, when asked for and there is a path.
    diagram: Option<String>,
}

impl<'a> Section<'a> {
    fn new(
        d: &'a Decision<'a>,
        p: &'a Profile,
        k: &'a Knowledge,
        style: &Style,
        suffix: Option<String>,
    ) -> Self {
        Section {
            d,
            p,
            k,
            level: style.level.clamp(1, 6),
            status: style.status,
            suffix,
            esc: Escaper::new(p),
            diagram: style
                .diagram
                .then(|| super::diagram::mermaid(&crate::engine::path::view(k, p, d)))
                .flatten(),
        }
    }

    /// The caption and the fenced Mermaid block of the path diagram.
    fn diagram_blocks(&self) -> Vec<String> {
        let Some(src) = &self.diagram else {
            return Vec::new();
        };
        vec![format!(
            "```mermaid\n---\ntitle: {DIAGRAM_CAPTION}\n---\n{src}\n```"
        )]
    }

    fn heading(&self, text: &str) -> String {
        let h = hashes(self.level.saturating_add(1).min(6));
        match &self.suffix {
            Some(name) => format!("{h} {text}: {}", escape(name)),
            None => format!("{h} {text}"),
        }
    }

    /// "Server-Sent Events (`sse`)", from the knowledge when it names the transport.
    fn transport(&self, id: &str) -> String {
        match self.k.transport(id) {
            Some(t) if !t.name.trim().is_empty() && t.name != id => {
                format!("{} ({})", escape(&t.name), code(id))
            }
            _ => code(id),
        }
    }

    fn render(&self) -> String {
        let d = self.d;
        let mut blocks = vec![
            format!(
                "{} Real-time transport: {}",
                hashes(self.level),
                escape(self.suffix.as_deref().unwrap_or(&d.name))
            ),
            format!(
                "Status: {}. Generated by rtadvisor from {}; edit the profile and re-run rather than editing this section.",
                self.status.as_str(),
                escape(&d.source)
            ),
        ];
        blocks.extend(self.decision());
        blocks.extend(self.drivers());
        if self.diagram.is_some() {
            blocks.push(self.heading("Path"));
            blocks.extend(self.diagram_blocks());
        }
        blocks.extend(self.options());
        blocks.extend(self.rationale());
        blocks.extend(self.build());
        blocks.extend(self.gotchas());
        blocks.extend(self.changes());
        blocks.extend(self.sources());
        finish(blocks.iter().map(|b| wrap_block(b)).collect())
    }

    fn decision(&self) -> Vec<String> {
        let r = &self.d.recommendation;
        let ahead = match (&r.runner_up, r.margin) {
            (Some(t), Some(m)) => format!(
                "{m} point{} ahead of the runner-up, {}",
                if m == 1 { "" } else { "s" },
                self.transport(t)
            ),
            _ => "every other option is vetoed".to_string(),
        };
        let mut out = vec![
            self.heading("Decision"),
            format!(
                "Chosen option: **{}**, with **{}** confidence ({ahead}).",
                self.transport(r.label()),
                r.confidence.as_str()
            ),
        ];
        let mut extra = Vec::new();
        if !self.d.build.is_empty() {
            let names: Vec<String> = self
                .d
                .build
                .iter()
                .map(|b| format!("{} ({})", self.esc.text(b.name, false), code(b.add_on)))
                .collect();
            extra.push(format!("Add-ons: {}.", names.join(", ")));
        }
        if let Some(hb) = r.heartbeat_s {
            extra.push(format!("Heartbeat: every {} s.", fmt_num(hb)));
        }
        if let Some(line) = super::capacity_lines(self.d).first() {
            extra.push(format!("Capacity: {}.", self.esc.text(line, false)));
        }
        if !extra.is_empty() {
            out.push(extra.join(" "));
        }
        if let Some(a) = &self.d.audit {
            out.push(format!(
                "Current transport: {}, which is **{}** for this workload. {}",
                code(&a.current),
                a.verdict.as_str(),
                self.esc.text(&a.text, false)
            ));
        }
        out
    }

    fn drivers(&self) -> Vec<String> {
        let p = self.p;
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let mut items: Vec<String> = Vec::new();
        items.push(
            match enum_word(&p.direction).as_str() {
                "server-to-client" => "Data flows one way, from server to client.",
                "client-to-server" => "Data flows one way, from client to server.",
                _ => "Data flows both ways.",
            }
            .to_string(),
        );
        if let Some(n) = p.client_messages_per_minute {
            items.push(format!(
                "Each client sends {} message{} per minute once connected.",
                fmt_num(n),
                if n == 1.0 { "" } else { "s" }
            ));
        }
        if let Some(v) = &p.payload {
            items.push(format!("Payload: {}.", enum_word(v)));
        }
        if let Some(n) = p.round_trip_ms {
            items.push(format!(
                "Tightest client-server-client round trip: {} ms.",
                fmt_num(n)
            ));
        }
        if let Some(n) = p.update_interval_s {
            items.push(format!(
                "The server has new data about every {} s.",
                fmt_num(n)
            ));
        }
        if let Some(n) = p.max_delay_s {
            items.push(format!(
                "Users may wait at most {} s to see new data.",
                fmt_num(n)
            ));
        }
        if let Some(rt) = &p.runtime {
            let name = match self.k.runtime(rt) {
                Some(r) if !r.name.trim().is_empty() => {
                    format!("{} ({})", escape(&r.name), code(rt))
                }
                _ => code(rt),
            };
            items.push(format!("The server code runs on {name}."));
        }
        if let Some(path) = &p.path {
            if path.is_empty() {
                items.push("Nothing sits between client and app.".to_string());
            } else {
                let hops: Vec<String> = path.iter().map(|h| self.hop(h)).collect();
                items.push(format!(
                    "Network path, outermost first: {}.",
                    hops.join(" → ")
                ));
            }
        }
        if let Some(b) = p.http2 {
            items.push(format!(
                "HTTP/2 reaches the browser end to end: {}.",
                yes_no(b)
            ));
        }
        if let Some(a) = &p.auth {
            let how = match enum_word(a).as_str() {
                "cookie" => "a cookie",
                "bearer-token" => "a bearer token in a header",
                "query-token" => "a token in the query string",
                _ => "nothing (no auth)",
            };
            items.push(format!("Clients authenticate with {how}."));
        }
        if let Some(c) = &p.clients {
            let kinds: Vec<String> = c.iter().map(enum_word).collect();
            items.push(format!("Clients: {}.", kinds.join(", ")));
        }
        if let Some(b) = p.locked_down_networks {
            items.push(format!(
                "Some users sit behind locked-down corporate networks: {}.",
                yes_no(b)
            ));
        }
        if let Some(b) = p.presence {
            items.push(format!("Users must see who else is online: {}.", yes_no(b)));
        }
        if let Some(b) = p.hidden_tab_delivery {
            items.push(format!(
                "Events must reach a tab in the background: {}.",
                yes_no(b)
            ));
        }
        if let Some(b) = p.resume {
            items.push(format!(
                "Missed events must be replayed after a reconnect: {}.",
                yes_no(b)
            ));
        }
        if let Some(n) = p.concurrent_clients {
            items.push(format!("Peak open connections: {n}."));
        }
        if let Some(n) = p.streams_per_client {
            items.push(format!("Real-time streams one page opens: {n}."));
        }
        if let Some(n) = p.job_duration_s {
            items.push(format!(
                "The server work behind an update takes about {} s.",
                fmt_num(n)
            ));
        }
        if let Some(b) = p.user_waits {
            items.push(format!(
                "The user keeps the page open until that work ends: {}.",
                yes_no(b)
            ));
        }
        if let Some(c) = &p.current_transport {
            items.push(format!("Used today: {}.", code(&enum_word(c))));
        }
        let missing = not_given(p);
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|f| code(f)).collect();
            items.push(format!(
                "Not given (treated as unknown, not guessed): {}.",
                names.join(", ")
            ));
        }
        if !self.d.unknowns.is_empty() {
            let names: Vec<String> = self.d.unknowns.iter().map(|f| code(f)).collect();
            items.push(format!(
                "Unknowns that could change the decision: {}.",
                names.join(", ")
            ));
        }
        vec![self.heading("Decision drivers"), bullets(&items)]
    }

    fn hop(&self, h: &Hop) -> String {
        match h {
            Hop::Known(id) => match self.k.hop(id) {
                Some(info) if !info.name.trim().is_empty() && info.name != *id => {
                    format!("{} ({})", escape(&info.name), code(id))
                }
                _ => code(id),
            },
            Hop::Inline(h) => {
                let mut facts = Vec::new();
                if let Some(t) = h.idle_timeout_s {
                    facts.push(format!("idle timeout {} s", fmt_num(t)));
                }
                if let Some(t) = h.lifetime_s {
                    facts.push(format!("ends connections after {} s", fmt_num(t)));
                }
                let flags = [
                    (h.buffers, "buffers responses", "does not buffer"),
                    (h.websocket, "passes WebSockets", "no WebSockets"),
                    (h.sse, "passes SSE", "no SSE"),
                    (h.http2, "HTTP/2", "no HTTP/2"),
                ];
                for (v, yes, no) in flags {
                    if let Some(b) = v {
                        facts.push((if b { yes } else { no }).to_string());
                    }
                }
                if facts.is_empty() {
                    format!("{} (described in the profile)", escape(&h.name))
                } else {
                    format!(
                        "{} (described in the profile: {})",
                        escape(&h.name),
                        facts.join(", ")
                    )
                }
            }
        }
    }

    fn options(&self) -> Vec<String> {
        let d = self.d;
        let mut rows = vec![
            "| Transport | Score | Verdict | Pros for this workload | Cons for this workload |"
                .to_string(),
            "| --- | --- | --- | --- | --- |".to_string(),
        ];
        for (i, rank) in d.ranking.iter().enumerate() {
            let (pros, cons) = self.pros_cons(rank);
            let or_none = |v: Vec<String>| {
                if v.is_empty() {
                    "none".to_string()
                } else {
                    v.join("; ")
                }
            };
            rows.push(format!(
                "| {} | {} | {} | {} | {} |",
                self.transport(rank.transport),
                rank.score,
                self.verdict(i, rank),
                or_none(pros),
                or_none(cons)
            ));
        }
        vec![self.heading("Considered options"), rows.join("\n")]
    }

    fn verdict(&self, i: usize, rank: &Ranked) -> String {
        if rank.vetoed {
            let by: Vec<String> = rank.vetoed_by.iter().map(|r| code(r)).collect();
            if by.is_empty() {
                "vetoed".to_string()
            } else {
                format!("vetoed by {}", by.join(", "))
            }
        } else if i == 0 {
            "**recommended**".to_string()
        } else if self.d.recommendation.runner_up == Some(rank.transport) {
            "runner-up".to_string()
        } else {
            "considered".to_string()
        }
    }

    /// Pros and cons of one transport: the fired rules that gave it points or vetoed it.
    fn pros_cons(&self, rank: &Ranked) -> (Vec<String>, Vec<String>) {
        let mut pros = Vec::new();
        let mut cons = Vec::new();
        for reason in &self.d.rationale {
            let text = self.esc.text(&reason.text, true);
            for e in reason
                .effects
                .iter()
                .filter(|e| e.transport == rank.transport)
            {
                match e.points.cmp(&0) {
                    std::cmp::Ordering::Greater => pros.push(format!("{text} (+{})", e.points)),
                    std::cmp::Ordering::Less => cons.push(format!("{text} ({})", e.points)),
                    std::cmp::Ordering::Equal => {}
                }
            }
            if reason.vetoes.iter().any(|v| v == rank.transport) {
                cons.push(format!("**veto**: {text}"));
            }
        }
        (pros, cons)
    }

    fn rationale(&self) -> Vec<String> {
        if self.d.rationale.is_empty() {
            return Vec::new();
        }
        let items: Vec<String> = self
            .d
            .rationale
            .iter()
            .map(|r| {
                let mut effects: Vec<String> = r
                    .effects
                    .iter()
                    .map(|e| format!("{} {:+}", e.transport, e.points))
                    .collect();
                effects.extend(r.vetoes.iter().map(|v| format!("vetoes {v}")));
                let tail = if effects.is_empty() {
                    code(r.rule)
                } else {
                    format!("{}: {}", code(r.rule), effects.join(", "))
                };
                format!("{} ({tail})", self.esc.text(&r.text, false))
            })
            .collect();
        vec![self.heading("Rationale"), bullets(&items)]
    }

    fn build(&self) -> Vec<String> {
        let mut items: Vec<String> = self
            .d
            .build
            .iter()
            .map(|b| {
                format!(
                    "[ ] **{}**: {}",
                    self.esc.text(b.name, false),
                    self.esc.text(&b.text, false)
                )
            })
            .collect();
        for g in &self.d.gotchas {
            if !g.fix.trim().is_empty() {
                items.push(format!(
                    "[ ] Fix {}: {}",
                    code(&g.id),
                    self.esc.text(&g.fix, false)
                ));
            }
        }
        if items.is_empty() {
            items.push(format!(
                "[ ] Build the {} endpoint; nothing else is needed on this path.",
                self.transport(self.d.recommendation.label())
            ));
        }
        vec![self.heading("What to build"), bullets(&items)]
    }

    fn gotchas(&self) -> Vec<String> {
        if self.d.gotchas.is_empty() {
            return Vec::new();
        }
        let items: Vec<String> = self
            .d
            .gotchas
            .iter()
            .map(|g| {
                let mut line = format!("{}: {}", code(&g.id), self.esc.text(&g.text, false));
                if !g.fix.trim().is_empty() {
                    line.push_str(&format!(" Fix: {}", self.esc.text(&g.fix, false)));
                }
                line
            })
            .collect();
        vec![self.heading("Gotchas"), bullets(&items)]
    }

    fn changes(&self) -> Vec<String> {
        let mut items: Vec<String> = self
            .d
            .flips
            .iter()
            .map(|f| {
                let from = f
                    .from
                    .as_ref()
                    .map_or("unknown".to_string(), |v| self.esc.value(v));
                format!(
                    "{} from {from} to {} would make it {}.",
                    code(f.field),
                    self.esc.value(&f.to),
                    self.transport(f.transport)
                )
            })
            .collect();
        if !self.d.unknowns.is_empty() {
            let names: Vec<String> = self.d.unknowns.iter().map(|f| code(f)).collect();
            items.push(format!(
                "Not answered, and could change it: {}.",
                names.join(", ")
            ));
        }
        let body = if items.is_empty() {
            "No single change to the profile would change the decision.".to_string()
        } else {
            bullets(&items)
        };
        vec![self.heading("What would change the decision"), body]
    }

    fn sources(&self) -> Vec<String> {
        if self.d.sources.is_empty() {
            return Vec::new();
        }
        let items: Vec<String> = self
            .d
            .sources
            .iter()
            .map(|s| {
                let title = escape(s.title);
                let url = clean(s.url);
                let link = if is_web_url(&url) {
                    format!("[{title}]({})", url.replace('(', "%28").replace(')', "%29"))
                } else if url.is_empty() {
                    title
                } else {
                    format!("{title} ({})", code(&url))
                };
                format!("{link}, checked {}", escape(s.checked))
            })
            .collect();
        vec![self.heading("Sources"), bullets(&items)]
    }
}

/// The path diagram's title (Mermaid draws it above the picture).
const DIAGRAM_CAPTION: &str = "The path, client to app (⚠ marks what needs a fix)";

/// At most this many lines in a concise section (markdown source lines), not
/// counting the path diagram, which a reader sees as a picture.
pub const MAX_LINES: usize = 40;
/// At most this many words in a concise section.
pub const MAX_WORDS: usize = 450;

/// Words as the section budget counts them: runs of text between spaces that hold
/// a letter or digit (a link counts as its words plus one for the URL), outside
/// table delimiter rows.
pub fn count_words(md: &str) -> usize {
    reading_lines(md)
        .into_iter()
        .filter(|l| !l.starts_with("| ---"))
        .flat_map(str::split_whitespace)
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// The lines a reader reads: all but the path diagram, a ```` ```mermaid ````
/// block that a reader sees as a picture (its fences and the blank line after it
/// included).
pub fn reading_lines(md: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_diagram = false;
    let mut after = false;
    for line in md.lines() {
        if in_diagram {
            if line == "```" {
                in_diagram = false;
                after = true;
            }
            continue;
        }
        if line == "```mermaid" {
            in_diagram = true;
            continue;
        }
        if std::mem::take(&mut after) && line.is_empty() {
            continue;
        }
        out.push(line);
    }
    out
}

/// How much a concise section leaves to `--detail full` to stay within budget.
#[derive(Debug, Clone, Copy, Default)]
struct Trim {
    /// Drivers shown at most.
    drivers: usize,
    /// Gotcha fixes (from the last) named only.
    folded: usize,
    /// Add-ons (from the last) shown by name only.
    short: usize,
    /// Changes that would flip the decision, shown at most.
    flips: usize,
    /// Gotcha fixes shown by their gist (first clause) only.
    gist_fixes: bool,
    /// Capacity: only the limits that need action, not the figures.
    capacity_short: bool,
    /// Sources listed at most (the rest: `--detail full`).
    sources: usize,
    /// Gotcha fixes an add-on carries named only (spelled out by `--detail full`).
    attached_named: bool,
}

/// The concise section: the parts a reviewer reads, each thing said once.
impl Section<'_> {
    /// The richest concise section within [`MAX_LINES`] and [`MAX_WORDS`]: first at
    /// most 3 drivers, then the gist of each gotcha fix and at most 2 flips, then
    /// add-ons by name only, then gotchas named only (all spelled out by
    /// `--detail full`).
    fn concise(&self) -> String {
        let gotchas = self.checklist_parts().1.len();
        let add_ons = self.d.build.len();
        let all = usize::MAX;
        let full = Trim {
            drivers: 6,
            folded: 0,
            short: 0,
            flips: all,
            gist_fixes: false,
            capacity_short: false,
            sources: all,
            attached_named: false,
        };
        let mut steps = vec![
            full,
            Trim { drivers: 3, ..full },
            Trim {
                drivers: 3,
                gist_fixes: true,
                ..full
            },
        ];
        let tight = Trim {
            drivers: 3,
            gist_fixes: true,
            flips: 2,
            ..full
        };
        for short in 0..=add_ons {
            steps.push(Trim { short, ..tight });
        }
        for folded in 1..=gotchas {
            steps.push(Trim {
                short: add_ons,
                folded,
                ..tight
            });
        }
        let tightest = Trim {
            short: add_ons,
            folded: gotchas,
            ..tight
        };
        steps.push(Trim {
            capacity_short: true,
            ..tightest
        });
        for sources in (1..=3).rev() {
            steps.push(Trim {
                capacity_short: true,
                sources,
                ..tightest
            });
        }
        steps.push(Trim {
            capacity_short: true,
            sources: 1,
            attached_named: true,
            ..tightest
        });
        steps.push(Trim {
            capacity_short: true,
            sources: 1,
            attached_named: true,
            drivers: 2,
            flips: 1,
            ..tightest
        });
        let mut out = String::new();
        for t in steps {
            out = self.concise_with(&t);
            if reading_lines(&out).len() <= MAX_LINES && count_words(&out) <= MAX_WORDS {
                break;
            }
        }
        out
    }

    fn concise_with(&self, trim: &Trim) -> String {
        let d = self.d;
        let r = &d.recommendation;
        let mut blocks = vec![format!(
            "{} Real-time transport: {}",
            hashes(self.level),
            escape(self.suffix.as_deref().unwrap_or(&d.name))
        )];

        let ahead = match (&r.runner_up, r.margin) {
            (Some(t), Some(m)) => format!(
                "{m} point{} ahead of {}",
                if m == 1 { "" } else { "s" },
                self.transport_name(t)
            ),
            _ => "every other option is vetoed".to_string(),
        };
        let mut decision = format!(
            "**Decision:** {}, with **{}** confidence ({ahead}). Status: {}.",
            self.transport(r.label()),
            r.confidence.as_str(),
            self.status.as_str()
        );
        if let Some(a) = &d.audit {
            decision.push_str(&format!(
                " Used today: {}, which is **{}** here: {}",
                code(&a.current),
                a.verdict.as_str(),
                sentence(&self.esc.text(&a.text, false))
            ));
        }
        let mut deciders = self.deciders();
        deciders.truncate(trim.drivers);
        if !deciders.is_empty() {
            decision.push_str(" What decided it:");
        }
        blocks.push(wrap(&decision, "", ""));
        let drivers: Vec<String> = deciders
            .iter()
            .map(|reason| self.esc.text(&reason.text, false))
            .collect();
        if !drivers.is_empty() {
            blocks.push(list(&drivers, "- "));
        }
        if let Some(line) = self.capacity_line(trim.capacity_short) {
            blocks.push(wrap(&line, "", ""));
        }

        let mut rows = vec![
            "| Option | Score | Verdict |".to_string(),
            "| --- | --- | --- |".to_string(),
        ];
        for (i, rank) in d.ranking.iter().enumerate() {
            rows.push(format!(
                "| {} | {} | {} |",
                self.transport(rank.transport),
                rank.score,
                self.one_line_verdict(i, rank)
            ));
        }
        blocks.push(rows.join("\n"));

        blocks.extend(self.diagram_blocks());

        blocks.push("To build:".to_string());
        blocks.push(list(&self.checklist(trim), "- [ ] "));

        blocks.push(wrap(&self.would_change(trim.flips), "", ""));

        let generated = format!(
            "Generated by rtadvisor from {}; edit the profile, not this section.",
            escape(&d.source)
        );
        let cited = self.cited_sources(trim);
        if cited.is_empty() {
            blocks.push(wrap(&generated, "", ""));
        } else {
            let mut links: Vec<String> = cited
                .iter()
                .take(trim.sources)
                .map(|s| format!("{} {}", escape(s.checked), self.source_link(s)))
                .collect();
            let more = cited.len().saturating_sub(trim.sources);
            if more > 0 {
                links.push(format!("{more} more with `--detail full`"));
            }
            blocks.push(wrap(
                &format!(
                    "**Sources** (date checked): {}. {generated}",
                    links.join("; ")
                ),
                "",
                "",
            ));
        }
        finish(blocks)
    }

    /// The sources of the rules this section shows (drivers, verdicts, add-ons,
    /// the gotcha fixes it spells out), in the decision's order; all of them when
    /// none can be told apart. `--detail full` lists every source.
    fn cited_sources(&self, trim: &Trim) -> Vec<&crate::engine::SourceCite<'_>> {
        let d = self.d;
        let mut rules: Vec<&str> = self
            .deciders()
            .iter()
            .take(trim.drivers)
            .map(|r| r.rule)
            .collect();
        let (add_ons, rest) = self.checklist_parts();
        let shown = rest.len().saturating_sub(trim.folded);
        let spelled = add_ons
            .iter()
            .flat_map(|(_, f)| f.iter())
            .chain(&rest[..shown]);
        rules.extend(spelled.map(|gi| d.gotchas[*gi].rule));
        for (i, rank) in d.ranking.iter().enumerate() {
            if let Some(reason) = self.verdict_reason(i, rank) {
                rules.push(reason.rule);
            }
        }
        for e in d.evaluations.iter().filter(|e| e.outcome == "true") {
            let gives_add_on = self.k.rule(e.rule).is_some_and(|rule| {
                rule.add_ons
                    .iter()
                    .any(|a| d.build.iter().any(|b| b.add_on == *a))
            });
            if gives_add_on {
                rules.push(e.rule);
            }
        }
        let ids: Vec<&str> = rules
            .iter()
            .filter_map(|r| self.k.rule(r))
            .flat_map(|rule| rule.sources.iter().map(Kstr::as_str))
            .collect();
        let cited: Vec<&crate::engine::SourceCite> =
            d.sources.iter().filter(|s| ids.contains(&s.id)).collect();
        if cited.is_empty() {
            d.sources.iter().collect()
        } else {
            cited
        }
    }

    /// One line on capacity (connections, instances, limits that need action),
    /// when the decision has something to say about it.
    /// Concise: the figures, and each limit that needs action by name (its fix is
    /// in the checklist or the long form).
    /// With `short`, only the limits that need action (the figures otherwise).
    fn capacity_line(&self, short: bool) -> Option<String> {
        use crate::engine::capacity::{fmt_num, LimitStatus};
        let lines = super::capacity_lines(self.d);
        let act: Vec<&crate::engine::capacity::LimitCheck> = self
            .d
            .capacity
            .limits
            .iter()
            .filter(|l| !matches!(l.status, LimitStatus::Ok | LimitStatus::Unknown))
            .collect();
        let mut parts: Vec<String> = lines
            .first()
            .filter(|l| !l.contains(':') && (!short || act.is_empty()))
            .map(|l| self.esc.text(l, false))
            .into_iter()
            .collect();
        for l in act {
            parts.push(format!(
                "{} {} of {} ({})",
                l.status.as_str(),
                self.esc.text(&l.what, false),
                fmt_num(l.limit),
                l.load.map_or_else(
                    || "load unknown".to_string(),
                    |n| format!("needs {}", fmt_num(n))
                )
            ));
        }
        (!parts.is_empty()).then(|| format!("Capacity: {}.", parts.join("; ")))
    }

    /// The 3-6 fired rules that decided between the chosen option and the runner-up
    /// (or the others, when they are vetoed), most decisive first.
    fn deciders(&self) -> Vec<&Reason<'_>> {
        let r = &self.d.recommendation;
        let pts = |reason: &Reason, t: &str| -> i32 {
            reason
                .effects
                .iter()
                .filter(|e| e.transport == t)
                .map(|e| e.points)
                .sum()
        };
        let weight = |reason: &Reason| -> i32 {
            let win = pts(reason, r.label());
            match &r.runner_up {
                Some(ru) => {
                    let veto = if reason.vetoes.iter().any(|v| v == ru) {
                        100
                    } else {
                        0
                    };
                    win - pts(reason, ru) + veto
                }
                None => win + 100 * reason.vetoes.len() as i32,
            }
        };
        let mut ranked: Vec<(i32, usize, &Reason)> = self
            .d
            .rationale
            .iter()
            .enumerate()
            .map(|(i, reason)| (weight(reason), i, reason))
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out: Vec<&Reason> = ranked
            .iter()
            .filter(|(w, _, _)| *w > 0)
            .take(6)
            .map(|(_, _, reason)| *reason)
            .collect();
        if out.len() < 3 {
            // Too few rules set the two apart: add the ones that ruled the others out.
            let mut rest: Vec<(i32, usize, &Reason)> = self
                .d
                .rationale
                .iter()
                .enumerate()
                .filter(|(_, reason)| !out.iter().any(|o| std::ptr::eq(*o, *reason)))
                .map(|(i, reason)| {
                    let hurt: i32 = reason
                        .effects
                        .iter()
                        .filter(|e| e.transport != r.label())
                        .map(|e| (-e.points).max(0))
                        .sum();
                    (hurt + 100 * reason.vetoes.len() as i32, i, reason)
                })
                .filter(|(w, _, _)| *w > 0)
                .collect();
            rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let need = 3 - out.len();
            out.extend(rest.into_iter().take(need).map(|(_, _, reason)| reason));
        }
        out
    }

    fn verdict_reason(&self, i: usize, rank: &Ranked) -> Option<&Reason<'_>> {
        super::verdict_reason(self.d, i, rank)
    }

    /// Why an option ended where it did, in one sentence from the rules.
    fn one_line_verdict(&self, i: usize, rank: &Ranked) -> String {
        if i == 0 && !rank.vetoed {
            return "**chosen**".to_string();
        }
        let lead = if rank.vetoed {
            "vetoed"
        } else if self.d.recommendation.runner_up == Some(rank.transport) {
            "runner-up"
        } else {
            "lost"
        };
        match self.verdict_reason(i, rank) {
            Some(reason) => format!("{lead}: {}", self.esc.text(&reason.text, true)),
            None => lead.to_string(),
        }
    }

    /// Add-ons with the gotcha fixes their rule also gave (each add-on's index in
    /// `build`, with its fixes), then the gotchas no add-on covers.
    fn checklist_parts(&self) -> (Vec<(usize, Vec<usize>)>, Vec<usize>) {
        let d = self.d;
        let mut merged = vec![false; d.gotchas.len()];
        let mut add_ons = Vec::new();
        for (bi, b) in d.build.iter().enumerate() {
            let mut fixes = Vec::new();
            for (gi, g) in d.gotchas.iter().enumerate() {
                let same_rule = self
                    .k
                    .rule(g.rule)
                    .is_some_and(|rule| rule.add_ons.iter().any(|a| a == b.add_on));
                if same_rule && !merged[gi] && !g.fix.trim().is_empty() {
                    merged[gi] = true;
                    fixes.push(gi);
                }
            }
            add_ons.push((bi, fixes));
        }
        let rest = (0..d.gotchas.len()).filter(|gi| !merged[*gi]).collect();
        (add_ons, rest)
    }

    fn fix(&self, g: &crate::engine::Gotcha, trim: &Trim) -> String {
        let fix = self.esc.text(&g.fix, false);
        if trim.gist_fixes {
            gist(&fix)
        } else {
            sentence(&fix)
        }
    }

    /// One checklist: every add-on and every gotcha fix once.
    fn checklist(&self, trim: &Trim) -> Vec<String> {
        let d = self.d;
        let (add_ons, rest) = self.checklist_parts();
        let mut items = Vec::new();
        let short_from = add_ons.len().saturating_sub(trim.short);
        for (n, (bi, fixes)) in add_ons.iter().enumerate() {
            let b = &d.build[*bi];
            let text = self.esc.text(&b.text, false);
            // A fix the add-on's own text already holds (the managed service) is
            // said once, with the add-on's whole text.
            let covered = |gi: &usize| {
                let fix = d.gotchas[*gi].fix.trim();
                !fix.is_empty() && b.text.contains(fix)
            };
            let whole = fixes.iter().any(covered);
            let mut item = if n >= short_from {
                let every = match (b.add_on, d.recommendation.heartbeat_s) {
                    ("heartbeat", Some(s)) => format!(" every {} s", fmt_num(s)),
                    _ => String::new(),
                };
                format!(
                    "**{}** ({}){every}.",
                    self.esc.text(b.name, false),
                    code(b.add_on)
                )
            } else if whole {
                format!("**{}**: {}", self.esc.text(b.name, false), sentence(&text))
            } else {
                format!("**{}**: {}", self.esc.text(b.name, false), gist(&text))
            };
            for gi in fixes {
                let g = &d.gotchas[*gi];
                let fix = self.fix(g, trim);
                if covered(gi) {
                    item.push_str(&format!(" This covers {}.", code(&g.id)));
                } else if trim.attached_named {
                    item.push_str(&format!(" Fixes {}.", code(&g.id)));
                } else {
                    item.push_str(&format!(" For {}: {fix}", code(&g.id)));
                }
            }
            items.push(item);
        }
        let fold_from = rest.len().saturating_sub(trim.folded);
        for gi in &rest[..fold_from] {
            let g = &d.gotchas[*gi];
            items.push(if g.fix.trim().is_empty() {
                format!("Mind {}: {}", code(&g.id), self.esc.text(&g.text, false))
            } else {
                format!("Fix {}: {}", code(&g.id), self.fix(g, trim))
            });
        }
        if fold_from < rest.len() {
            let names: Vec<String> = rest[fold_from..]
                .iter()
                .map(|gi| code(&d.gotchas[*gi].id))
                .collect();
            items.push(format!(
                "Also fix {} (each fix is spelled out with `--detail full`).",
                names.join(", ")
            ));
        }
        if items.is_empty() {
            items.push(format!(
                "Build the {} endpoint; nothing else is needed on this path.",
                self.transport(d.recommendation.label())
            ));
        }
        items
    }

    fn would_change(&self, at_most: usize) -> String {
        let d = self.d;
        let mut flips: Vec<String> = d
            .flips
            .iter()
            .take(at_most)
            .map(|f| {
                let now = f
                    .from
                    .as_ref()
                    .map_or("unknown".to_string(), |v| self.esc.value(v));
                format!(
                    "{} {} (now {now}) gives {}",
                    code(f.field),
                    self.esc.value(&f.to),
                    self.transport_name(f.transport)
                )
            })
            .collect();
        if d.flips.len() > flips.len() {
            flips.push(format!(
                "{} more with `--detail full`",
                d.flips.len() - flips.len()
            ));
        }
        let mut out = if flips.is_empty() {
            "**Would change it:** no single change to the profile.".to_string()
        } else {
            format!("**Would change it:** {}.", flips.join("; "))
        };
        if !d.unknowns.is_empty() {
            let names: Vec<String> = d.unknowns.iter().map(|f| code(f)).collect();
            out.push_str(&format!(
                " Not answered, and could change it: {}.",
                names.join(", ")
            ));
        }
        out
    }

    /// "WebSockets": the transport's name alone (its id when it has none).
    fn transport_name(&self, id: &str) -> String {
        match self.k.transport(id) {
            Some(t) if !t.name.trim().is_empty() => escape(&t.name),
            _ => code(id),
        }
    }

    /// A source as a link; its title without parenthetical asides (the full title
    /// is in `--detail full`).
    fn source_link(&self, s: &crate::engine::SourceCite) -> String {
        let title = without_asides(&escape(s.title), false);
        let url = clean(s.url);
        if is_web_url(&url) {
            format!("[{title}]({})", url.replace('(', "%28").replace(')', "%29"))
        } else if url.is_empty() {
            title
        } else {
            format!("{title} ({})", code(&url))
        }
    }
}

/// The gist of an (escaped) instruction: its first sentence or `; ` clause, without
/// parenthetical asides (code spans are kept whole). "Give every event an id
/// (`id:` lines ...) and replay ...; ..." gives "Give every event an id and replay ...".
fn gist(text: &str) -> String {
    sentence(&without_asides(text, true))
}

/// `text` without its parenthetical asides; with `first`, only up to the end of
/// its first sentence or `; ` clause. Unbalanced text is returned as it is.
fn without_asides(text: &str, first: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut open: Option<usize> = None;
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && open.is_none() {
            if depth == 0 {
                out.extend(&chars[i..(i + 2).min(chars.len())]);
            }
            i += 2;
            continue;
        }
        if c == '`' {
            let run = run_len(&chars, i);
            match open {
                Some(n) if n == run => open = None,
                None if find_run(&chars, i + run, run).is_some() => open = Some(run),
                _ => {}
            }
            if depth == 0 {
                out.extend(std::iter::repeat_n('`', run));
            }
            i += run;
            continue;
        }
        if open.is_none() {
            match c {
                // An aside opens after a space (not `res.flush()`); inside one,
                // every parenthesis nests.
                '(' if depth > 0 || i == 0 || chars[i - 1] == ' ' => {
                    if depth == 0 && out.ends_with(' ') {
                        out.pop();
                    }
                    depth += 1;
                    i += 1;
                    continue;
                }
                ')' if depth > 0 => {
                    depth -= 1;
                    i += 1;
                    continue;
                }
                ';' | '.' if first && depth == 0 && chars.get(i + 1) == Some(&' ') => {
                    return out;
                }
                _ => {}
            }
        }
        if depth == 0 {
            out.push(c);
        }
        i += 1;
    }
    if depth > 0 || open.is_some() || out.trim().is_empty() {
        return text.to_string();
    }
    out.trim_end().to_string()
}

/// Ends a text with a full stop unless it already ends a sentence.
fn sentence(s: &str) -> String {
    let t = s.trim_end();
    if t.ends_with(['.', '!', '?', ')', ';', ':']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// A bullet list whose items wrap at [`WIDTH`], continuation lines indented two spaces.
fn list(items: &[String], marker: &str) -> String {
    items
        .iter()
        .map(|i| wrap(i, marker, "  "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits inline markdown at spaces outside code spans.
fn tokens(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut open: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && open.is_none() && i + 1 < chars.len() {
            cur.push(c);
            cur.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '`' {
            let run = run_len(&chars, i);
            match open {
                Some(n) if n == run => open = None,
                None if find_run(&chars, i + run, run).is_some() => open = Some(run),
                _ => {}
            }
            cur.extend(std::iter::repeat_n('`', run));
            i += run;
            continue;
        }
        if c == '[' && open.is_none() {
            if let Some(end) = link_end(&chars, i) {
                cur.extend(&chars[i..end]);
                i = end;
                continue;
            }
        }
        if c == ' ' && open.is_none() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(c);
        }
        i += 1;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The end (exclusive) of an inline link `[text](url)` starting at `start`.
fn link_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '[' | '`' => return None,
            ']' => break,
            _ => i += 1,
        }
    }
    if chars.get(i + 1) != Some(&'(') {
        return None;
    }
    let close = chars[i + 2..].iter().position(|c| *c == ')')?;
    let end = i + 2 + close + 1;
    let url = &chars[i + 2..end - 1];
    (!url.iter().any(|c| c.is_whitespace())).then_some(end)
}

/// A word that would start a block (list item, quote, heading, fence, thematic
/// break or setext underline) at the start of a wrapped line, escaped so that it
/// stays text. `**bold**` or `-2` start nothing and are left alone.
fn starts_block(word: &str) -> Option<String> {
    let first = word.chars().next()?;
    let all = |c: char| word.chars().all(|x| x == c);
    let escape_first = || Some(format!("\\{word}"));
    if matches!(word, "-" | "+" | "*")
        || first == '>'
        || first == '|'
        || (all('#') && word.len() <= 6)
        || word.starts_with("```")
        || word.starts_with("~~~")
        || all('=')
        || all('-')
        || all('_')
        || all('*')
    {
        return escape_first();
    }
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && matches!(&word[digits..], "." | ")") {
        return Some(format!("{}\\{}", &word[..digits], &word[digits..]));
    }
    None
}

/// Wraps inline markdown at [`WIDTH`] columns. A word longer than a line, or a
/// link (kept whole where its text allows), may run past it, but no space ever
/// falls beyond the limit, which is what markdownlint's MD013 checks outside
/// strict mode.
fn wrap(text: &str, first: &str, rest: &str) -> String {
    let indent = rest.chars().count();
    let mut lines: Vec<String> = Vec::new();
    let mut line = first.to_string();
    let mut len = first.chars().count();
    let mut empty = true;
    let mut queue: std::collections::VecDeque<String> = tokens(text).into();
    while let Some(word) = queue.pop_front() {
        let w = word.chars().count();
        // Where the word's own last space falls (links keep their text whole).
        let inner_space = word
            .chars()
            .collect::<Vec<_>>()
            .iter()
            .rposition(|c| *c == ' ');
        // markdownlint counts a line up to its last space plus one character.
        let spaces_fit = |at: usize| inner_space.is_none_or(|s| at + s + 1 < WIDTH);
        if empty {
            if !spaces_fit(len) {
                split_into(&mut queue, &word);
                continue;
            }
            line.push_str(&word);
            len += w;
            empty = false;
        } else if len + 1 + w <= WIDTH
            || (len + 1 < WIDTH
                && spaces_fit(len + 1)
                && (indent + w > WIDTH || word.contains("](")))
        {
            line.push(' ');
            line.push_str(&word);
            len += 1 + w;
        } else {
            lines.push(std::mem::take(&mut line));
            if !spaces_fit(indent) {
                line = rest.to_string();
                len = indent;
                empty = true;
                split_into(&mut queue, &word);
                continue;
            }
            let word = starts_block(&word).unwrap_or(word);
            line = format!("{rest}{word}");
            len = line.chars().count();
        }
    }
    lines.push(line);
    lines.join("\n")
}

/// Puts a link's words back at the front of the queue, to be wrapped one by one.
fn split_into(queue: &mut std::collections::VecDeque<String>, word: &str) {
    for part in word.split(' ').rev().filter(|p| !p.is_empty()) {
        queue.push_front(part.to_string());
    }
}

fn is_web_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '`' | '"' | '\\' | '|'))
}

/// A block of the long form wrapped at [`WIDTH`]: paragraphs and list items;
/// headings and tables as they are.
fn wrap_block(block: &str) -> String {
    if block.starts_with('#') || block.starts_with('|') || block.starts_with("```") {
        block.to_string()
    } else if block.lines().all(|l| l.starts_with("- ")) {
        block
            .lines()
            .map(|l| wrap(&l[2..], "- ", "  "))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        wrap(block, "", "")
    }
}

fn bullets(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("- {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn enum_word<T: serde::Serialize>(x: &T) -> String {
    crate::engine::facts::enum_word(x)
}

/// Optional profile fields left out (the fit audit's `current_transport` aside).
fn not_given(p: &Profile) -> Vec<&'static str> {
    let given = match serde_json::to_value(p) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Vec::new(),
    };
    FIELDS
        .iter()
        .filter(|f| !f.required && f.name != "current_transport" && !given.contains_key(f.name))
        .map(|f| f.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Direction, InlineHop};

    fn esc_with(name: &str) -> Escaper {
        let mut p = Profile::new("x", Direction::ServerToClient);
        p.path = Some(vec![Hop::Inline(InlineHop {
            name: name.to_string(),
            ..InlineHop::default()
        })]);
        Escaper::new(&p)
    }

    #[test]
    fn escapes_user_text() {
        assert_eq!(
            escape("a|b <script>alert(1)</script> \u{1b}[31m *x* _y_ `z`"),
            "a\\|b &lt;script&gt;alert(1)&lt;/script&gt; \\[31m \\*x\\* \\_y\\_ \\`z\\`"
        );
        assert_eq!(escape("  two   words \n"), "two words");
    }

    #[test]
    fn rule_text_keeps_code_spans() {
        let e = esc_with("f5");
        assert_eq!(
            e.text("send `: ping` <b> a_b", false),
            "send `: ping` &lt;b&gt; a\\_b"
        );
        assert_eq!(e.text("odd ` tick", false), "odd \\` tick");
        assert_eq!(e.text("`a|b`", true), "`a\\|b`");
        assert_eq!(e.text("`a|b`", false), "`a|b`");
    }

    #[test]
    fn inline_hop_names_are_escaped_inside_rule_texts() {
        let e = esc_with("x|y <b>`*_[z]");
        assert_eq!(
            e.text("x|y <b>`*_[z] buffers; see `x|y <b>`*_[z]`", true),
            "x\\|y &lt;b&gt;\\`\\*\\_\\[z\\] buffers; see `x\\|y <b>'*_[z]`"
        );
    }

    #[test]
    fn gist_keeps_the_first_clause_without_asides() {
        assert_eq!(
            gist("Give every event an id (`id:` lines, a seq) and replay it; then more."),
            "Give every event an id and replay it."
        );
        assert_eq!(
            gist("Flush after every event (e.g. res.flush() with compression)."),
            "Flush after every event."
        );
        assert_eq!(gist("Call `a(b; c)` now; later"), "Call `a(b; c)` now.");
        assert_eq!(
            without_asides("need res.flush()", false),
            "need res.flush()"
        );
        assert_eq!(without_asides("odd (open", false), "odd (open");
    }

    #[test]
    fn wrap_keeps_every_space_within_80_columns() {
        let text = "word ".repeat(40);
        for line in wrap(text.trim(), "- ", "  ").lines() {
            assert!(line.chars().count() <= WIDTH, "{line}");
        }
        // A link stays whole when its text fits, and may run past the limit.
        let link = format!("[a title](https://example.com/{})", "x".repeat(90));
        let out = wrap(&format!("see {link}; next words here"), "", "");
        assert!(
            out.lines().next().unwrap().ends_with(&format!("{link};")),
            "{out}"
        );
        assert_eq!(out.lines().nth(1), Some("next words here"));
        // Code spans are not split; a word that would start a block is escaped.
        let out = wrap(&format!("{} `a b c` - x", "y ".repeat(38)), "", "");
        assert!(out.contains("`a b c`"), "{out}");
        assert!(out.lines().all(|l| !l.starts_with("- ")), "{out}");
    }

    #[test]
    fn only_words_that_start_blocks_are_escaped() {
        for (w, want) in [
            ("-", Some("\\-")),
            ("1.", Some("1\\.")),
            ("12)", Some("12\\)")),
            (">x", Some("\\>x")),
            ("##", Some("\\##")),
            ("```rust", Some("\\```rust")),
            ("---", Some("\\---")),
        ] {
            assert_eq!(starts_block(w).as_deref(), want, "{w}");
        }
        for w in ["**bold**", "-2", "1.5", "#x", "word", "`-`"] {
            assert_eq!(starts_block(w), None, "{w}");
        }
    }

    #[test]
    fn not_given_lists_missing_optional_fields() {
        let p = Profile::new("x", Direction::ServerToClient);
        let missing = not_given(&p);
        assert!(missing.contains(&"round_trip_ms"));
        assert!(!missing.contains(&"name"));
        assert!(!missing.contains(&"current_transport"));
    }
}
