//! The design-doc section (GitHub-flavoured Markdown), shaped like an ADR/MADR
//! record: decision, drivers, considered options, rationale, what to build,
//! gotchas, what would change the decision, and dated sources.
//!
//! Every piece of user text (the workload name, inline hop names, the source
//! path) is escaped so it cannot break a table, open HTML or create formatting.
//! Rule texts keep their `code spans` but are escaped the same way otherwise.
//! Blocks are joined by exactly one blank line and the section ends with one
//! newline, so the output passes markdownlint's default rules (MD013 aside).

use super::strip_controls;
use crate::engine::{Decision, Ranked};
use crate::profile::{Hop, Profile, FIELDS};
use crate::rules::cond::fmt_num;
use crate::rules::Knowledge;

/// Renders one decision as a markdown section whose title is at `level` (1-6).
pub fn render(d: &Decision, p: &Profile, k: &Knowledge, level: u8) -> String {
    Section::new(d, p, k, level, None).render()
}

/// Renders several decisions as one document: a title at `level`, then one
/// section per profile one level below. Subsection headings carry the
/// workload name so that no two headings in the document are the same.
pub fn render_all(items: &[(&Decision, &Profile)], k: &Knowledge, level: u8) -> String {
    if let [(d, p)] = items {
        return render(d, p, k, level);
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
        let section = Section::new(d, p, k, level.saturating_add(1).min(6), Some(label)).render();
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

/// Collapses whitespace, drops control characters and trims.
fn clean(s: &str) -> String {
    strip_controls(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

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
    d: &'a Decision,
    p: &'a Profile,
    k: &'a Knowledge,
    level: u8,
    /// In a multi-profile document: the workload name added to subsection headings.
    suffix: Option<String>,
    esc: Escaper,
}

impl<'a> Section<'a> {
    fn new(
        d: &'a Decision,
        p: &'a Profile,
        k: &'a Knowledge,
        level: u8,
        suffix: Option<String>,
    ) -> Self {
        Section {
            d,
            p,
            k,
            level: level.clamp(1, 6),
            suffix,
            esc: Escaper::new(p),
        }
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
                "Status: proposed. Generated by rtadvisor from {}; edit the profile and re-run rather than editing this section.",
                escape(&d.source)
            ),
        ];
        blocks.extend(self.decision());
        blocks.extend(self.drivers());
        blocks.extend(self.options());
        blocks.extend(self.rationale());
        blocks.extend(self.build());
        blocks.extend(self.gotchas());
        blocks.extend(self.changes());
        blocks.extend(self.sources());
        finish(blocks)
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
                .map(|b| format!("{} ({})", self.esc.text(&b.name, false), code(&b.add_on)))
                .collect();
            extra.push(format!("Add-ons: {}.", names.join(", ")));
        }
        if let Some(hb) = r.heartbeat_s {
            extra.push(format!("Heartbeat: every {} s.", fmt_num(hb)));
        }
        if let Some(line) = crate::report::table::capacity_lines(self.d).first() {
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
                self.transport(&rank.transport),
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
        } else if self.d.recommendation.runner_up.as_deref() == Some(rank.transport.as_str()) {
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
            if reason.vetoes.contains(&rank.transport) {
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
                    code(&r.rule)
                } else {
                    format!("{}: {}", code(&r.rule), effects.join(", "))
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
                    self.esc.text(&b.name, false),
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
                    code(&f.field),
                    self.esc.value(&f.to),
                    self.transport(&f.transport)
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
                let title = escape(&s.title);
                let url = clean(&s.url);
                let link = if is_web_url(&url) {
                    format!("[{title}]({})", url.replace('(', "%28").replace(')', "%29"))
                } else if url.is_empty() {
                    title
                } else {
                    format!("{title} ({})", code(&url))
                };
                format!("{link}, checked {}", escape(&s.checked))
            })
            .collect();
        vec![self.heading("Sources"), bullets(&items)]
    }
}

fn is_web_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '`' | '"' | '\\' | '|'))
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
    fn not_given_lists_missing_optional_fields() {
        let p = Profile::new("x", Direction::ServerToClient);
        let missing = not_given(&p);
        assert!(missing.contains(&"round_trip_ms"));
        assert!(!missing.contains(&"name"));
        assert!(!missing.contains(&"current_transport"));
    }
}
