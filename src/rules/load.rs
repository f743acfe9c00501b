//! Loading rule files: parse each with spans, merge by id (later files replace
//! earlier ones, `disabled: true` removes), then check every cross-reference.

use super::cond::{self, Cond};
use super::obj::Obj;
use super::vars::{Scope, VARS};
use super::*;
use crate::diag::{did_you_mean, suggestion, Diagnostic, Report, Source};
use crate::yaml::{self, Node, Value};
use std::collections::HashMap;
use std::path::Path;

/// Everything the engine knows, after merging and validation.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Knowledge {
    pub sources: Vec<SourceInfo>,
    pub runtimes: Vec<Runtime>,
    pub hops: Vec<HopInfo>,
    pub transports: Vec<TransportInfo>,
    pub add_ons: Vec<AddOnInfo>,
    pub comparison: Vec<ComparisonRow>,
    pub policy: Policy,
    pub rules: Vec<Rule>,
}

/// Problems in one or more rule files.
#[derive(Debug)]
pub struct LoadError {
    pub reports: Vec<Report>,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for r in &self.reports {
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

const SECTIONS: &[&str] = &[
    "sources",
    "runtimes",
    "hops",
    "transports",
    "add_ons",
    "comparison",
    "policy",
    "rules",
];

/// One entry of a section, with the file it came from.
struct Entry {
    id: String,
    file: usize,
    node: Node,
    disabled: bool,
}

struct Files {
    sources: Vec<Source>,
    problems: Vec<Vec<Diagnostic>>,
}

impl Files {
    fn push(&mut self, file: usize, d: Diagnostic) {
        self.problems[file].push(d);
    }
    fn origin(&self, file: usize, pos: Pos) -> Origin {
        Origin {
            file: self.sources[file].name.clone(),
            pos,
        }
    }
}

impl Knowledge {
    /// The embedded defaults.
    /// Decoded from the precompiled form (see [`super::embedded`]); parsed from the
    /// YAML only when that form was made from other YAML than this binary's.
    pub fn embedded() -> Result<Knowledge, LoadError> {
        match super::embedded::decode() {
            Some(k) => Ok(k),
            None => Self::parse_defaults(),
        }
    }

    /// The embedded defaults, parsed and validated from their YAML.
    pub fn parse_defaults() -> Result<Knowledge, LoadError> {
        Self::from_sources(default_sources())
    }

    /// The embedded defaults with a folder of rule files laid over them.
    pub fn with_overlay(dir: &Path) -> Result<Knowledge, LoadError> {
        let mut sources = default_sources();
        sources.extend(read_dir(dir)?);
        Self::from_sources(sources)
    }

    /// Loads and validates rule files in order (later entries replace earlier ones by id).
    pub fn from_sources(sources: Vec<Source>) -> Result<Knowledge, LoadError> {
        let n = sources.len();
        let mut files = Files {
            sources,
            problems: vec![Vec::new(); n],
        };
        let mut sections: HashMap<&'static str, Vec<Entry>> = HashMap::new();
        let mut policy: Vec<(usize, Node)> = Vec::new();
        for i in 0..n {
            let text = files.sources[i].text.clone();
            let root = match yaml::parse(&text) {
                Ok(root) => root,
                Err(e) => {
                    files.push(
                        i,
                        Diagnostic::new(format!("not valid YAML: {}", e.message), e.pos)
                            .help(e.help.clone())
                            .label("here"),
                    );
                    continue;
                }
            };
            let Value::Map(entries) = &root.value else {
                if root.value != Value::Null {
                    files.push(
                        i,
                        Diagnostic::at("a rules file must be a mapping of sections", root.pos)
                            .help(format!("sections: {}", SECTIONS.join(", "))),
                    );
                }
                continue;
            };
            for (key, node) in entries {
                let Some(section) = SECTIONS.iter().find(|s| **s == key.name) else {
                    files.push(
                        i,
                        Diagnostic::at(format!("unknown section `{}`", key.name), key.pos)
                            .label("not a rules file section")
                            .help(suggestion(&key.name, SECTIONS.iter().copied())),
                    );
                    continue;
                };
                if *section == "policy" {
                    policy.push((i, node.clone()));
                    continue;
                }
                let Value::Seq(items) = &node.value else {
                    files.push(
                        i,
                        Diagnostic::at(format!("`{section}` must be a list"), node.pos),
                    );
                    continue;
                };
                let list = sections.entry(section).or_default();
                let key_field = if *section == "comparison" {
                    "dimension"
                } else {
                    "id"
                };
                let mut seen_here: Vec<String> = Vec::new();
                for item in items {
                    let Value::Map(fields) = &item.value else {
                        files.push(
                            i,
                            Diagnostic::at(
                                format!("each entry of `{section}` must be a mapping"),
                                item.pos,
                            ),
                        );
                        continue;
                    };
                    let id = fields
                        .iter()
                        .find(|(k, _)| k.name == key_field)
                        .map(|(_, v)| v);
                    let Some(Node {
                        value: Value::Str(id),
                        ..
                    }) = id
                    else {
                        files.push(
                            i,
                            Diagnostic::at(
                                format!("entry of `{section}` has no `{key_field}`"),
                                item.pos,
                            )
                            .label(format!("add `{key_field}: …`")),
                        );
                        continue;
                    };
                    if key_field == "id" && !is_kebab(id) {
                        files.push(
                            i,
                            Diagnostic::at(
                                format!(
                                    "{key_field} `{}` in `{section}` must be kebab-case (a-z, 0-9, -)",
                                    crate::term::clean(id)
                                ),
                                item.pos,
                            )
                            .label("not a kebab-case id")
                            .help("ids are printed on terminals and used in JSON: e.g. `my-proxy-buffering`"),
                        );
                        continue;
                    }
                    if seen_here.contains(id) {
                        files.push(
                            i,
                            Diagnostic::at(format!("duplicate {key_field} `{id}` in `{section}`"), item.pos)
                                .label("defined again here")
                                .help("ids must be unique within a file; to replace a default, use its id in your own file"),
                        );
                        continue;
                    }
                    seen_here.push(id.clone());
                    let flag = fields.iter().find(|(k, _)| k.name == "disabled");
                    if let Some((_, v)) = flag {
                        if !matches!(v.value, Value::Bool(_)) {
                            files.push(
                                i,
                                Diagnostic::at(
                                    format!(
                                        "`disabled` must be true or false, found {}",
                                        v.value.kind()
                                    ),
                                    v.pos,
                                )
                                .label("expected true or false")
                                .help(format!("write `disabled: true` to remove `{id}`")),
                            );
                            continue;
                        }
                    }
                    let disabled = flag.is_some_and(|(_, v)| v.value == Value::Bool(true));
                    if disabled && !list.iter().any(|e| &e.id == id) {
                        let known = list.iter().map(|e| e.id.as_str());
                        let help = match did_you_mean(id, known) {
                            Some(c) => format!("did you mean `{c}`?"),
                            None => format!(
                                "only {section} defined by the built-in rules or an earlier file can be disabled"
                            ),
                        };
                        files.push(
                            i,
                            Diagnostic::at(
                                format!(
                                    "cannot disable `{id}`: no earlier {section} entry has that id"
                                ),
                                item.pos,
                            )
                            .label("unknown id")
                            .help(help),
                        );
                        continue;
                    }
                    list.retain(|e| &e.id != id);
                    if !disabled {
                        list.push(Entry {
                            id: id.clone(),
                            file: i,
                            node: item.clone(),
                            disabled,
                        });
                    }
                }
            }
        }
        let take =
            |s: &mut HashMap<&'static str, Vec<Entry>>, k: &str| s.remove(k).unwrap_or_default();
        let mut b = Builder { files: &mut files };
        let sources = b.sources(take(&mut sections, "sources"));
        let transports = b.transports(take(&mut sections, "transports"));
        let add_ons = b.add_ons(take(&mut sections, "add_ons"));
        let policy = b.policy(policy);
        let source_ids: Vec<&str> = sources.iter().map(|s| s.id.as_str()).collect();
        let hops = b.hops(take(&mut sections, "hops"), &source_ids);
        let runtimes = b.runtimes(take(&mut sections, "runtimes"), &source_ids, &hops);
        let comparison = b.comparison(take(&mut sections, "comparison"), &source_ids, &transports);
        let ctx = RuleCtx {
            sources: &source_ids,
            transports: &transports,
            add_ons: &add_ons,
            ids: runtimes
                .iter()
                .map(|r| r.id.as_str())
                .chain(hops.iter().map(|h| h.id.as_str()))
                .collect(),
        };
        let rules = b.rules(take(&mut sections, "rules"), &ctx);
        let Some(policy) = policy else {
            return Err(files.into_error());
        };
        if files.problems.iter().any(|p| !p.is_empty()) {
            return Err(files.into_error());
        }
        Ok(Knowledge {
            sources,
            runtimes,
            hops,
            transports,
            add_ons,
            comparison,
            policy,
            rules,
        })
    }

    pub fn source(&self, id: &str) -> Option<&SourceInfo> {
        self.sources.iter().find(|s| s.id == id)
    }
    pub fn runtime(&self, id: &str) -> Option<&Runtime> {
        self.runtimes.iter().find(|r| r.id == id)
    }
    pub fn hop(&self, id: &str) -> Option<&HopInfo> {
        self.hops.iter().find(|h| h.id == id)
    }
    pub fn transport(&self, id: &str) -> Option<&TransportInfo> {
        self.transports.iter().find(|t| t.id == id)
    }
    pub fn add_on(&self, id: &str) -> Option<&AddOnInfo> {
        self.add_ons.iter().find(|a| a.id == id)
    }
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The ids profiles may use for `runtime` and `path`.
    pub fn hop_ids(&self) -> crate::profile::HopIds {
        crate::profile::HopIds {
            runtimes: self.runtimes.iter().map(|r| r.id.clone()).collect(),
            hops: self.hops.iter().map(|h| h.id.clone()).collect(),
        }
    }
}

impl Files {
    fn into_error(self) -> LoadError {
        let overlay = self.sources.len() > DEFAULT_FILES.len();
        LoadError {
            reports: self
                .sources
                .into_iter()
                .zip(self.problems)
                .enumerate()
                .filter(|(_, (_, p))| !p.is_empty())
                .map(|(i, (mut source, mut diagnostics))| {
                    // In file order, however the checks that found them were ordered.
                    diagnostics.sort_by_key(|d| d.pos.map_or((0, 0), |p| (p.line, p.column)));
                    if overlay && i < DEFAULT_FILES.len() {
                        // A built-in file the user does not have: say so, and
                        // that the overlay is what broke it.
                        source.name = format!("(built-in) {}", source.name);
                        for d in &mut diagnostics {
                            let why = "This built-in rule file is fine on its own: a file in --rules changed something it relies on; `rtadvisor rules show ID` prints the built-in entry.";
                            d.help = Some(match d.help.take() {
                                Some(h) => format!("{h} {why}"),
                                None => why.to_string(),
                            });
                        }
                    }
                    Report {
                        source,
                        diagnostics,
                    }
                })
                .collect(),
        }
    }
}

/// Ids are kebab-case: lower-case ASCII letters, digits and dashes, starting
/// with a letter or digit.
fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn default_sources() -> Vec<Source> {
    DEFAULT_FILES
        .iter()
        .map(|(name, text)| Source {
            name: (*name).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// The `*.yaml`/`*.yml` files of a folder, sorted by name.
fn read_dir(dir: &Path) -> Result<Vec<Source>, LoadError> {
    let fail = |msg: String| LoadError {
        reports: vec![Report {
            source: Source {
                name: dir.display().to_string(),
                text: String::new(),
            },
            diagnostics: vec![Diagnostic::new(msg, None)],
        }],
    };
    let entries =
        std::fs::read_dir(dir).map_err(|e| fail(format!("cannot read rules folder: {e}")))?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(fail("no *.yaml or *.yml rule files in this folder".into()));
    }
    let mut out = Vec::new();
    for p in paths {
        match crate::input::read_text(&p) {
            Ok(text) => out.push(Source {
                name: p.display().to_string(),
                text,
            }),
            Err(e) => return Err(fail(format!("{}: {e}", p.display()))),
        }
    }
    Ok(out)
}

/// Validates a folder of rule files on top of the defaults (for `rules check`).
pub fn check_dir(dir: &Path) -> Result<Knowledge, LoadError> {
    Knowledge::with_overlay(dir)
}

struct RuleCtx<'a> {
    sources: &'a [&'a str],
    transports: &'a [TransportInfo],
    add_ons: &'a [AddOnInfo],
    ids: Vec<&'a str>,
}

struct Builder<'a> {
    files: &'a mut Files,
}

impl Builder<'_> {
    fn check_source(&mut self, file: usize, obj: &Obj, key: &str, known: &[&str]) -> String {
        let mut out = Vec::new();
        let id = obj.text(key, true, &mut out).unwrap_or_default();
        if !id.is_empty() && !known.contains(&id.as_str()) {
            let pos = obj.get(key).map_or(obj.pos, |n| n.pos);
            out.push(
                Diagnostic::at(format!("unknown source `{id}`"), pos)
                    .label("not in any `sources:` list")
                    .help(suggestion(&id, known.iter().copied())),
            );
        }
        self.files.problems[file].extend(out);
        id
    }

    fn sources(&mut self, entries: Vec<Entry>) -> Vec<SourceInfo> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "a source", &mut p) else {
                continue;
            };
            o.finish(
                &["id", "title", "url", "checked", "confidence", "disabled"],
                &mut p,
            );
            let title = o.text("title", true, &mut p);
            let url = o.text("url", true, &mut p);
            let checked = o.text("checked", true, &mut p);
            if let Some(c) = &checked {
                let ok = c.len() >= 7
                    && c.chars().enumerate().all(|(i, ch)| {
                        if i == 4 || i == 7 {
                            ch == '-'
                        } else {
                            ch.is_ascii_digit()
                        }
                    })
                    && (c.len() == 7 || c.len() == 10);
                if !ok {
                    p.push(
                        Diagnostic::at(
                            format!(
                                "`checked` must be a date (YYYY-MM or YYYY-MM-DD), found `{c}`"
                            ),
                            o.get("checked").map_or(o.pos, |n| n.pos),
                        )
                        .label("the date the source was read"),
                    );
                }
            }
            let confidence = o
                .text("confidence", false, &mut p)
                .unwrap_or_else(|| "primary".into());
            if !["primary", "secondary"].contains(&confidence.as_str()) {
                p.push(Diagnostic::at(
                    "`confidence` must be primary or secondary",
                    o.pos,
                ));
            }
            let origin = self.files.origin(e.file, o.pos);
            if let (Some(title), Some(url), Some(checked)) = (title, url, checked) {
                out.push(SourceInfo {
                    id: e.id,
                    title,
                    url,
                    checked,
                    confidence,
                    origin,
                });
            }
            self.files.problems[e.file].extend(p);
        }
        out
    }

    fn transports(&mut self, entries: Vec<Entry>) -> Vec<TransportInfo> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "a transport", &mut p) else {
                continue;
            };
            o.finish(
                &[
                    "id",
                    "name",
                    "ladder",
                    "recommend",
                    "tie_rank",
                    "summary",
                    "disabled",
                ],
                &mut p,
            );
            let name = o.text("name", true, &mut p);
            let ladder = o.num("ladder", false, &mut p).map(|n| n.max(0.0) as u32);
            let recommend = o.flag("recommend", false, &mut p).unwrap_or(true);
            let tie_rank = o.num("tie_rank", false, &mut p).unwrap_or(100.0).max(0.0) as u32;
            let summary = o.text("summary", true, &mut p);
            let origin = self.files.origin(e.file, o.pos);
            if let (Some(name), Some(summary)) = (name, summary) {
                out.push(TransportInfo {
                    id: e.id,
                    name,
                    ladder,
                    recommend,
                    tie_rank,
                    summary,
                    origin,
                });
            }
            self.files.problems[e.file].extend(p);
        }
        out
    }

    fn add_ons(&mut self, entries: Vec<Entry>) -> Vec<AddOnInfo> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "an add-on", &mut p) else {
                continue;
            };
            o.finish(&["id", "name", "build", "disabled"], &mut p);
            let name = o.text("name", true, &mut p);
            let build = o.text("build", true, &mut p);
            if let Some(b) = &build {
                check_placeholders(
                    b,
                    Scope::Profile,
                    o.get("build").map_or(o.pos, |n| n.pos),
                    &mut p,
                );
            }
            let origin = self.files.origin(e.file, o.pos);
            if let (Some(name), Some(build)) = (name, build) {
                out.push(AddOnInfo {
                    id: e.id,
                    name,
                    build,
                    origin,
                });
            }
            self.files.problems[e.file].extend(p);
        }
        out
    }

    fn policy(&mut self, nodes: Vec<(usize, Node)>) -> Option<Policy> {
        let mut policy: Option<Policy> = None;
        // Where each policy number was last set: (file, position of its key).
        let mut set_at: HashMap<&'static str, (usize, Pos)> = HashMap::new();
        for (file, node) in nodes {
            let mut p = Vec::new();
            if let Some(o) = Obj::new(&node, "the policy", &mut p) {
                o.finish(&["confidence", "heartbeat", "capacity"], &mut p);
                let mut next = policy.clone().unwrap_or(Policy {
                    high_margin: 4,
                    medium_margin: 2,
                    heartbeat_fraction: 0.45,
                    heartbeat_step_s: 5.0,
                    heartbeat_min_s: 1.0,
                    heartbeat_max_s: 30.0,
                    heartbeat_default_s: 15.0,
                    reconnect_window_s: 5.0,
                    jitter_window_s: 60.0,
                });
                if let Some(c) = o
                    .get("confidence")
                    .and_then(|n| Obj::new(n, "confidence", &mut p))
                {
                    c.finish(&["high_margin", "medium_margin"], &mut p);
                    for (key, slot) in [
                        ("high_margin", &mut next.high_margin),
                        ("medium_margin", &mut next.medium_margin),
                    ] {
                        if let Some(v) = c.num(key, false, &mut p) {
                            let at = c.key_pos(key).unwrap_or(c.pos);
                            if v < 0.0 || v.fract() != 0.0 || v > 1000.0 {
                                p.push(
                                    Diagnostic::at(
                                        format!("`{key}` must be a whole number of points from 0 to 1000, found {v}"),
                                        at,
                                    )
                                    .label("out of range")
                                    .help("a margin is how many points the winner leads the runner-up by"),
                                );
                            } else {
                                *slot = v as i32;
                                set_at.insert(key, (file, at));
                            }
                        }
                    }
                }
                if let Some(h) = o
                    .get("heartbeat")
                    .and_then(|n| Obj::new(n, "heartbeat", &mut p))
                {
                    h.finish(
                        &["fraction", "step_s", "min_s", "max_s", "default_s"],
                        &mut p,
                    );
                    for (key, slot) in [
                        ("fraction", &mut next.heartbeat_fraction),
                        ("step_s", &mut next.heartbeat_step_s),
                        ("min_s", &mut next.heartbeat_min_s),
                        ("max_s", &mut next.heartbeat_max_s),
                        ("default_s", &mut next.heartbeat_default_s),
                    ] {
                        if let Some(v) = h.num(key, false, &mut p) {
                            let at = h.key_pos(key).unwrap_or(h.pos);
                            let bad = if key == "fraction" {
                                (v <= 0.0 || v >= 1.0).then_some(
                                    "a fraction of the idle timeout, above 0 and below 1",
                                )
                            } else {
                                (v <= 0.0 || v > 86_400.0)
                                    .then_some("seconds, above 0 and at most 86400")
                            };
                            match bad {
                                Some(range) => p.push(
                                    Diagnostic::at(
                                        format!("`{key}` must be {range}, found {v}"),
                                        at,
                                    )
                                    .label("out of range"),
                                ),
                                None => {
                                    *slot = v;
                                    set_at.insert(key, (file, at));
                                }
                            }
                        }
                    }
                }
                if let Some(c) = o
                    .get("capacity")
                    .and_then(|n| Obj::new(n, "capacity", &mut p))
                {
                    c.finish(&["reconnect_window_s", "jitter_window_s"], &mut p);
                    for (key, slot) in [
                        ("reconnect_window_s", &mut next.reconnect_window_s),
                        ("jitter_window_s", &mut next.jitter_window_s),
                    ] {
                        if let Some(v) = c.num(key, false, &mut p) {
                            let at = c.key_pos(key).unwrap_or(c.pos);
                            if v > 0.0 && v <= 86_400.0 {
                                *slot = v;
                                set_at.insert(key, (file, at));
                            } else {
                                p.push(
                                    Diagnostic::at(
                                        format!("`{key}` must be seconds, above 0 and at most 86400, found {v}"),
                                        at,
                                    )
                                    .label("out of range"),
                                );
                            }
                        }
                    }
                }
                policy = Some(next);
            }
            self.files.problems[file].extend(p);
        }
        if policy.is_none() && !self.files.problems.is_empty() {
            self.files.problems[0].push(Diagnostic::new(
                "no `policy:` section in any rules file",
                None,
            ));
        }
        if let Some(pol) = &policy {
            self.check_policy(pol, &set_at);
        }
        policy
    }

    /// Checks the merged policy's numbers against each other (an overlay may set
    /// one bound and inherit the other), pointing at the key set last.
    fn check_policy(&mut self, p: &Policy, set_at: &HashMap<&'static str, (usize, Pos)>) {
        let pairs = [
            (
                "min_s",
                p.heartbeat_min_s,
                "max_s",
                p.heartbeat_max_s,
                "the heartbeat's lower bound must not be above its upper bound",
            ),
            (
                "medium_margin",
                f64::from(p.medium_margin),
                "high_margin",
                f64::from(p.high_margin),
                "the margin for medium confidence must not be above the one for high",
            ),
        ];
        for (lo_key, lo, hi_key, hi, why) in pairs {
            if lo <= hi {
                continue;
            }
            // Blame whichever of the two was set last (an overlay over the defaults).
            let (blamed, other, other_value) = match (set_at.get(lo_key), set_at.get(hi_key)) {
                (Some(a), Some(b)) if b.0 > a.0 => (hi_key, lo_key, lo),
                (None, Some(_)) => (hi_key, lo_key, lo),
                _ => (lo_key, hi_key, hi),
            };
            let Some(&(file, at)) = set_at.get(blamed) else {
                continue;
            };
            let from = match set_at.get(other) {
                Some(&(f, _)) if f == file => String::new(),
                Some(&(f, _)) if f < DEFAULT_FILES.len() => " in the built-in rules".into(),
                Some(&(f, _)) => format!(" in {}", self.files.sources[f].name),
                None => " by default".into(),
            };
            self.files.push(
                file,
                Diagnostic::at(format!("`{lo_key}` ({lo}) is above `{hi_key}` ({hi})"), at)
                    .label("out of order")
                    .help(format!("{why}; `{other}` is {other_value}{from}")),
            );
        }
        let ordered = p.heartbeat_min_s <= p.heartbeat_max_s;
        if ordered
            && (p.heartbeat_default_s < p.heartbeat_min_s
                || p.heartbeat_default_s > p.heartbeat_max_s)
        {
            // The key of the three that was set last (in the latest file).
            let last = ["default_s", "min_s", "max_s"]
                .iter()
                .filter_map(|k| set_at.get(k))
                .max_by_key(|(file, at)| (*file, at.line));
            if let Some(&(file, at)) = last {
                self.files.push(
                    file,
                    Diagnostic::at(
                        format!(
                            "the default heartbeat ({} s) is outside `min_s`..`max_s` ({}..{} s)",
                            p.heartbeat_default_s, p.heartbeat_min_s, p.heartbeat_max_s
                        ),
                        at,
                    )
                    .label("out of range")
                    .help("keep `min_s` <= `default_s` <= `max_s`"),
                );
            }
        }
    }

    fn timeout(&mut self, file: usize, o: &Obj, key: &str, sources: &[&str]) -> Option<Timeout> {
        let node = o.get(key)?;
        let mut p = Vec::new();
        let t = Obj::new(node, "a timeout", &mut p)?;
        t.finish(
            &["seconds", "max_seconds", "setting", "fix", "note", "source"],
            &mut p,
        );
        let seconds = t.num("seconds", true, &mut p);
        if matches!(seconds, Some(s) if s <= 0.0) {
            p.push(Diagnostic::at("`seconds` must be > 0", t.pos));
        }
        let out = Timeout {
            seconds: seconds.unwrap_or(0.0),
            max_seconds: t.num("max_seconds", false, &mut p),
            setting: t.text("setting", false, &mut p),
            fix: t.text("fix", false, &mut p),
            note: t.text("note", false, &mut p),
            source: String::new(),
        };
        self.files.problems[file].extend(p);
        let source = self.check_source(file, &t, "source", sources);
        Some(Timeout { source, ..out })
    }

    fn capability(
        &mut self,
        file: usize,
        o: &Obj,
        key: &str,
        flag: &str,
        how: &str,
        sources: &[&str],
    ) -> Option<Capability> {
        let node = o.get(key)?;
        let mut p = Vec::new();
        let c = Obj::new(node, "a capability", &mut p)?;
        c.finish(&[flag, how, "note", "source"], &mut p);
        let value = c.flag(flag, true, &mut p).unwrap_or(false);
        let how_text = c.text(how, false, &mut p);
        let note = c.text("note", false, &mut p);
        self.files.problems[file].extend(p);
        let source = self.check_source(file, &c, "source", sources);
        Some(Capability {
            value,
            how: how_text,
            note,
            source,
        })
    }

    fn note(&mut self, file: usize, node: &Node, sources: &[&str]) -> Option<Note> {
        let mut p = Vec::new();
        let n = Obj::new(node, "a note", &mut p)?;
        n.finish(&["text", "source"], &mut p);
        let text = n.text("text", true, &mut p);
        self.files.problems[file].extend(p);
        let source = self.check_source(file, &n, "source", sources);
        Some(Note {
            text: text?,
            source,
        })
    }

    fn limits(&mut self, file: usize, o: &Obj, sources: &[&str]) -> Vec<Limit> {
        let items = match o.get("limits").map(|n| &n.value) {
            Some(Value::Seq(items)) => items,
            Some(_) => {
                self.files.push(
                    file,
                    Diagnostic::at("`limits` must be a list of limits", o.pos)
                        .help("each: {id, what, unit, per, max, fix, source}"),
                );
                return Vec::new();
            }
            None => return Vec::new(),
        };
        let mut out: Vec<Limit> = Vec::new();
        for item in items {
            let mut p = Vec::new();
            let Some(l) = Obj::new(item, "a limit", &mut p) else {
                self.files.problems[file].extend(p);
                continue;
            };
            l.finish(
                &[
                    "id",
                    "what",
                    "unit",
                    "per",
                    "transports",
                    "max",
                    "default",
                    "max_instances",
                    "fix",
                    "source",
                ],
                &mut p,
            );
            let id = l.text("id", true, &mut p).unwrap_or_default();
            if out.iter().any(|x| x.id == id) {
                p.push(Diagnostic::at(format!("duplicate limit id `{id}`"), l.pos));
            }
            let what = l.text("what", true, &mut p).unwrap_or_default();
            let word = |key: &str, allowed: &[&str], p: &mut Vec<Diagnostic>| {
                let w = l.text(key, true, p).unwrap_or_default();
                if !w.is_empty() && !allowed.contains(&w.as_str()) {
                    p.push(
                        Diagnostic::at(
                            format!("`{key}` must be one of {}", allowed.join(", ")),
                            l.get(key).map_or(l.pos, |n| n.pos),
                        )
                        .help(suggestion(&w, allowed.iter().copied())),
                    );
                }
                w
            };
            let unit = word("unit", LIMIT_UNITS, &mut p);
            let per = word("per", LIMIT_SCOPES, &mut p);
            let transports: Vec<String> = l
                .words("transports", &mut p)
                .into_iter()
                .map(|(w, _)| w)
                .collect();
            let positive = |key: &str, v: Option<f64>, p: &mut Vec<Diagnostic>| {
                if let Some(x) = v {
                    if !(x > 0.0 && x.is_finite()) {
                        p.push(Diagnostic::at(format!("`{key}` must be > 0"), l.pos));
                        return None;
                    }
                }
                v
            };
            let max = l.num("max", true, &mut p);
            let max = positive("max", max, &mut p).unwrap_or(1.0);
            let default = l.num("default", false, &mut p);
            let default = positive("default", default, &mut p);
            let max_instances = l.num("max_instances", false, &mut p);
            let max_instances = positive("max_instances", max_instances, &mut p);
            let fix = l.text("fix", true, &mut p).unwrap_or_default();
            self.files.problems[file].extend(p);
            let source = self.check_source(file, &l, "source", sources);
            out.push(Limit {
                id,
                what,
                unit,
                per,
                transports,
                max,
                default,
                max_instances,
                fix,
                source,
            });
        }
        out
    }

    fn notes(&mut self, file: usize, o: &Obj, sources: &[&str]) -> Vec<Note> {
        match o.get("notes").map(|n| &n.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|i| self.note(file, i, sources))
                .collect(),
            Some(_) => {
                self.files.push(
                    file,
                    Diagnostic::at("`notes` must be a list of {text, source}", o.pos),
                );
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    fn hops(&mut self, entries: Vec<Entry>, sources: &[&str]) -> Vec<HopInfo> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "a hop", &mut p) else {
                self.files.problems[e.file].extend(p);
                continue;
            };
            o.finish(
                &[
                    "id",
                    "name",
                    "idle_timeout",
                    "lifetime",
                    "websocket_idle_timeout",
                    "websocket_lifetime",
                    "limits",
                    "buffering",
                    "websocket",
                    "sse",
                    "http2",
                    "notes",
                    "disabled",
                ],
                &mut p,
            );
            let name = o.text("name", true, &mut p);
            self.files.problems[e.file].extend(p);
            let hop = HopInfo {
                idle_timeout: self.timeout(e.file, &o, "idle_timeout", sources),
                lifetime: self.timeout(e.file, &o, "lifetime", sources),
                websocket_idle_timeout: self.timeout(e.file, &o, "websocket_idle_timeout", sources),
                websocket_lifetime: self.timeout(e.file, &o, "websocket_lifetime", sources),
                limits: self.limits(e.file, &o, sources),
                buffering: self.capability(e.file, &o, "buffering", "default", "fix", sources),
                websocket: self.capability(e.file, &o, "websocket", "supported", "setup", sources),
                sse: self.capability(e.file, &o, "sse", "supported", "setup", sources),
                http2: self.capability(e.file, &o, "http2", "supported", "setup", sources),
                notes: self.notes(e.file, &o, sources),
                origin: self.files.origin(e.file, o.pos),
                name: name.unwrap_or_else(|| e.id.clone()),
                id: e.id,
            };
            out.push(hop);
        }
        out
    }

    fn runtimes(
        &mut self,
        entries: Vec<Entry>,
        sources: &[&str],
        hops: &[HopInfo],
    ) -> Vec<Runtime> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "a runtime", &mut p) else {
                self.files.problems[e.file].extend(p);
                continue;
            };
            o.finish(
                &[
                    "id",
                    "name",
                    "kind",
                    "websocket",
                    "streaming",
                    "lifetime",
                    "idle_timeout",
                    "websocket_lifetime",
                    "websocket_idle_timeout",
                    "limits",
                    "implies",
                    "managed_service",
                    "notes",
                    "disabled",
                ],
                &mut p,
            );
            let name = o.text("name", true, &mut p);
            let kind = o.text("kind", true, &mut p).unwrap_or_default();
            if !kind.is_empty() && !vars::KINDS.contains(&kind.as_str()) {
                p.push(
                    Diagnostic::at(
                        format!("unknown runtime kind `{kind}`"),
                        o.get("kind").map_or(o.pos, |n| n.pos),
                    )
                    .help(suggestion(&kind, vars::KINDS.iter().copied())),
                );
            }
            let mut implies = Vec::new();
            for (h, pos) in o.words("implies", &mut p) {
                if hops.iter().any(|x| x.id == h) {
                    implies.push(h);
                } else {
                    p.push(
                        Diagnostic::at(format!("unknown hop `{h}` in `implies`"), pos)
                            .help(suggestion(&h, hops.iter().map(|x| x.id.as_str()))),
                    );
                }
            }
            self.files.problems[e.file].extend(p);
            let websocket = o.get("websocket").and_then(|n| {
                let mut p = Vec::new();
                let w = Obj::new(n, "websocket support", &mut p)?;
                w.finish(&["support", "note", "source"], &mut p);
                let support = w.text("support", true, &mut p).unwrap_or_default();
                if !vars::WS_SUPPORT.contains(&support.as_str()) {
                    p.push(
                        Diagnostic::at(
                            format!("`support` must be one of {}", vars::WS_SUPPORT.join(", ")),
                            w.get("support").map_or(w.pos, |n| n.pos),
                        )
                        .help(suggestion(&support, vars::WS_SUPPORT.iter().copied())),
                    );
                }
                let note = w.text("note", false, &mut p).unwrap_or_default();
                self.files.problems[e.file].extend(p);
                let source = self.check_source(e.file, &w, "source", sources);
                Some((support, Note { text: note, source }))
            });
            let managed_service = o
                .get("managed_service")
                .and_then(|n| self.note(e.file, n, sources));
            let rt = Runtime {
                kind,
                websocket,
                streaming: self.capability(e.file, &o, "streaming", "supported", "setup", sources),
                lifetime: self.timeout(e.file, &o, "lifetime", sources),
                idle_timeout: self.timeout(e.file, &o, "idle_timeout", sources),
                websocket_lifetime: self.timeout(e.file, &o, "websocket_lifetime", sources),
                websocket_idle_timeout: self.timeout(e.file, &o, "websocket_idle_timeout", sources),
                limits: self.limits(e.file, &o, sources),
                implies,
                managed_service,
                notes: self.notes(e.file, &o, sources),
                origin: self.files.origin(e.file, o.pos),
                name: name.unwrap_or_else(|| e.id.clone()),
                id: e.id,
            };
            out.push(rt);
        }
        out
    }

    fn comparison(
        &mut self,
        entries: Vec<Entry>,
        sources: &[&str],
        transports: &[TransportInfo],
    ) -> Vec<ComparisonRow> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "a comparison row", &mut p) else {
                continue;
            };
            let mut cells = Vec::new();
            let mut allowed: Vec<&str> = vec!["dimension", "sources", "disabled"];
            allowed.extend(transports.iter().map(|t| t.id.as_str()));
            o.finish(&allowed, &mut p);
            for t in transports {
                if let Some(text) = o.text(&t.id, false, &mut p) {
                    cells.push((t.id.clone(), text));
                }
            }
            let srcs: Vec<String> = o
                .words("sources", &mut p)
                .into_iter()
                .filter_map(|(s, pos)| {
                    if sources.contains(&s.as_str()) {
                        Some(s)
                    } else {
                        p.push(
                            Diagnostic::at(format!("unknown source `{s}`"), pos)
                                .help(suggestion(&s, sources.iter().copied())),
                        );
                        None
                    }
                })
                .collect();
            out.push(ComparisonRow {
                dimension: e.id,
                cells,
                sources: srcs,
            });
            self.files.problems[e.file].extend(p);
        }
        out
    }

    fn rules(&mut self, entries: Vec<Entry>, ctx: &RuleCtx) -> Vec<Rule> {
        let mut out = Vec::new();
        for e in entries {
            debug_assert!(!e.disabled);
            let mut p = Vec::new();
            if let Some(rule) = parse_rule(&e, ctx, self.files.origin(e.file, e.node.pos), &mut p) {
                out.push(rule);
            }
            self.files.problems[e.file].extend(p);
        }
        out
    }
}

const RULE_FIELDS: &[&str] = &[
    "id",
    "dimension",
    "message",
    "why",
    "when",
    "foreach",
    "score",
    "veto",
    "for",
    "add_ons",
    "gotcha",
    "hybrid",
    "sources",
    "disabled",
];

fn parse_rule(e: &Entry, ctx: &RuleCtx, origin: Origin, p: &mut Vec<Diagnostic>) -> Option<Rule> {
    let o = Obj::new(&e.node, "a rule", p)?;
    let before = p.len();
    o.finish(RULE_FIELDS, p);
    let dimension = o.text("dimension", true, p).unwrap_or_default();
    if !dimension.is_empty() && !DIMENSIONS.contains(&dimension.as_str()) {
        p.push(
            Diagnostic::at(
                format!("unknown dimension `{dimension}`"),
                o.get("dimension").map_or(o.pos, |n| n.pos),
            )
            .help(suggestion(&dimension, DIMENSIONS.iter().copied())),
        );
    }
    let message = o.text("message", true, p).unwrap_or_default();
    let why = o.text("why", true, p).unwrap_or_default();
    let per_hop = match o.text("foreach", false, p).as_deref() {
        None => false,
        Some("hop") => true,
        Some(other) => {
            p.push(
                Diagnostic::at(
                    format!("`foreach` can only be `hop`, found `{other}`"),
                    o.get("foreach").map_or(o.pos, |n| n.pos),
                )
                .label("expected `hop`"),
            );
            false
        }
    };
    let scope = if per_hop { Scope::Hop } else { Scope::Profile };
    let when = match o.get("when") {
        None => Some(Cond::Always),
        Some(n) => cond::parse(n, scope, &ctx.ids, p),
    };
    let transport_ids: Vec<&str> = ctx.transports.iter().map(|t| t.id.as_str()).collect();
    let recommendable: Vec<&str> = ctx
        .transports
        .iter()
        .filter(|t| t.recommend)
        .map(|t| t.id.as_str())
        .collect();
    let check_transport = |t: &str, pos: Pos, p: &mut Vec<Diagnostic>| {
        if recommendable.contains(&t) {
            true
        } else {
            let why = if transport_ids.contains(&t) {
                "cannot be recommended"
            } else {
                "not a transport"
            };
            p.push(
                Diagnostic::at(format!("unknown transport `{t}`"), pos)
                    .label(why)
                    .help(suggestion(t, recommendable.iter().copied())),
            );
            false
        }
    };
    let mut score = Vec::new();
    if let Some(n) = o.get("score") {
        if let Some(s) = Obj::new(n, "a score", p) {
            for (k, v) in s.entries() {
                if !check_transport(&k.name, k.pos, p) {
                    continue;
                }
                match v.value {
                    Value::Int(i) if (-100..=100).contains(&i) => {
                        score.push((k.name.clone(), i as i32))
                    }
                    _ => p.push(
                        Diagnostic::at(
                            format!(
                                "score for `{}` must be a whole number from -100 to 100",
                                k.name
                            ),
                            v.pos,
                        )
                        .label(format!("found {}", v.value.kind())),
                    ),
                }
            }
        }
    }
    let words = |key: &str, p: &mut Vec<Diagnostic>| -> Vec<String> {
        o.words(key, p)
            .into_iter()
            .filter(|(w, pos)| check_transport(w, *pos, p))
            .map(|(w, _)| w)
            .collect()
    };
    let veto = words("veto", p);
    let only_for = words("for", p);
    let mut add_ons = Vec::new();
    for (a, pos) in o.words("add_ons", p) {
        if ctx.add_ons.iter().any(|x| x.id == a) {
            add_ons.push(a);
        } else {
            p.push(
                Diagnostic::at(format!("unknown add-on `{a}`"), pos)
                    .label("not in any `add_ons:` list")
                    .help(suggestion(&a, ctx.add_ons.iter().map(|x| x.id.as_str()))),
            );
        }
    }
    let gotcha = o.get("gotcha").and_then(|n| {
        let g = Obj::new(n, "a gotcha", p)?;
        g.finish(&["id", "text", "fix", "blocking"], p);
        let text = g.text("text", true, p)?;
        let fix = g.text("fix", true, p)?;
        let blocking = g.flag("blocking", false, p).unwrap_or(false);
        let id = g.text("id", false, p).unwrap_or_else(|| e.id.clone());
        // Placeholders such as `{hop.id}` become kebab-case ids when rendered.
        let literal: String = {
            let mut depth = 0;
            id.chars()
                .filter(|c| match c {
                    '{' => {
                        depth += 1;
                        false
                    }
                    '}' => {
                        depth -= 1;
                        false
                    }
                    _ => depth == 0,
                })
                .collect()
        };
        if !literal
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            p.push(
                Diagnostic::at(
                    format!(
                        "gotcha id `{}` must be kebab-case (a-z, 0-9, -)",
                        crate::term::clean(&id)
                    ),
                    g.get("id").map_or(g.pos, |n| n.pos),
                )
                .label("not a kebab-case id"),
            );
        }
        for (key, t) in [("id", &id), ("text", &text), ("fix", &fix)] {
            check_placeholders(t, scope, g.get(key).map_or(g.pos, |n| n.pos), p);
        }
        Some(GotchaTemplate {
            id,
            text,
            fix,
            blocking,
        })
    });
    check_placeholders(
        &message,
        scope,
        o.get("message").map_or(o.pos, |n| n.pos),
        p,
    );
    let hybrid = o.text("hybrid", false, p);
    if let Some(h) = &hybrid {
        check_placeholders(h, scope, o.get("hybrid").map_or(o.pos, |n| n.pos), p);
    }
    let mut sources = Vec::new();
    for (s, pos) in o.words("sources", p) {
        if ctx.sources.contains(&s.as_str()) {
            sources.push(s);
        } else {
            p.push(
                Diagnostic::at(format!("unknown source `{s}`"), pos)
                    .label("not in any `sources:` list")
                    .help(suggestion(&s, ctx.sources.iter().copied())),
            );
        }
    }
    if o.get("sources").is_none() {
        p.push(
            Diagnostic::at(format!("rule `{}` cites no source", e.id), o.pos)
                .label("add `sources: [id, …]`")
                .help("every rule says where its knowledge comes from"),
        );
    }
    let effects = !score.is_empty() || !veto.is_empty();
    let asks_for_effects = ["score", "veto", "add_ons", "gotcha", "hybrid"]
        .iter()
        .any(|k| o.get(k).is_some());
    if !asks_for_effects {
        p.push(
            Diagnostic::at(format!("rule `{}` does nothing", e.id), o.pos)
                .help("give it a `score`, a `veto`, `add_ons` or a `gotcha`"),
        );
    }
    if per_hop && effects {
        p.push(
            Diagnostic::at("a `foreach: hop` rule cannot score or veto", o.pos).help(
                "score with the `path.*` variables instead; per-hop rules give add-ons and gotchas",
            ),
        );
    }
    if effects && !only_for.is_empty() {
        p.push(Diagnostic::at(
            "`for` limits add-ons and gotchas; a scoring rule applies to every transport",
            o.key_pos("for").unwrap_or(o.pos),
        ));
    }
    if p.len() > before {
        return None;
    }
    let when = when?;
    let mut reads = Vec::new();
    when.vars(&mut reads);
    Some(Rule {
        id: e.id.clone(),
        dimension,
        message,
        why,
        when,
        per_hop,
        score,
        veto,
        only_for,
        add_ons,
        gotcha,
        hybrid,
        sources,
        origin,
        reads,
    })
}

/// Checks that every `{name}` in a text names a variable available in `scope`.
fn check_placeholders(text: &str, scope: Scope, pos: Pos, p: &mut Vec<Diagnostic>) {
    for name in placeholders(text) {
        match VARS.iter().find(|v| v.name == name) {
            Some(v) if v.scope == Scope::Hop && scope != Scope::Hop => p.push(Diagnostic::at(
                format!("`{{{name}}}` is only available in `foreach: hop` rules"),
                pos,
            )),
            Some(_) => {}
            None => p.push(
                Diagnostic::at(format!("unknown placeholder `{{{name}}}`"), pos)
                    .label("not a variable")
                    .help(suggestion(name, VARS.iter().map(|v| v.name))),
            ),
        }
    }
}

/// The `{name}` placeholders of a text (names of letters, digits, `_` and `.`).
pub(crate) fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(after.len());
        if len > 0 && after[len..].starts_with('}') {
            out.push(&after[..len]);
        }
        rest = after;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Knowledge {
        Knowledge::embedded().unwrap_or_else(|e| panic!("embedded rules are invalid:\n{e}"))
    }

    #[test]
    fn embedded_rules_are_valid_and_complete() {
        let k = defaults();
        // Ids are unique across the default files too (an overlay may replace, a default may not).
        let mut ids = Vec::new();
        for (_, text) in DEFAULT_FILES {
            let root = yaml::parse(text).unwrap();
            let Value::Map(sections) = root.value else {
                panic!()
            };
            for (key, node) in sections {
                if let Value::Seq(items) = node.value {
                    for item in items {
                        if let Value::Map(fields) = item.value {
                            for (k, v) in fields {
                                let key_field = if key.name == "comparison" {
                                    "dimension"
                                } else {
                                    "id"
                                };
                                if k.name == key_field {
                                    if let Value::Str(id) = v.value {
                                        ids.push(format!("{}/{id}", key.name));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            ids.len(),
            "duplicate ids across default files"
        );
        for r in &k.rules {
            assert!(
                r.why.split_whitespace().count() >= 12,
                "rule {} needs a real `why`",
                r.id
            );
            assert!(!r.sources.is_empty(), "rule {} cites no source", r.id);
            assert!(!r.message.is_empty());
        }
        for rt in [
            "container",
            "vercel-functions",
            "vercel-edge",
            "cloudflare-workers",
            "netlify-functions",
            "netlify-edge",
            "aws-lambda",
            "cloud-run",
            "azure-functions",
            "deno-deploy",
            "heroku",
        ] {
            let r = k
                .runtime(rt)
                .unwrap_or_else(|| panic!("runtime {rt} missing"));
            assert!(!r.sources().is_empty(), "runtime {rt} cites no source");
        }
        for hop in [
            "nginx",
            "aws-alb",
            "aws-nlb",
            "aws-api-gateway",
            "cloudfront",
            "cloudflare",
            "gcp-lb",
            "azure-front-door",
            "azure-app-gateway",
            "heroku-router",
            "haproxy",
            "envoy",
            "traefik",
            "corporate-proxy",
            "http1-load-balancer",
        ] {
            let h = k.hop(hop).unwrap_or_else(|| panic!("hop {hop} missing"));
            assert!(!h.sources().is_empty(), "hop {hop} cites no source");
        }
        // Every source is a public https:// URL with the date it was read; none points
        // at a file users do not have.
        for s in &k.sources {
            assert!(s.checked.starts_with("20"), "{}", s.id);
            assert!(s.url.starts_with("https://"), "{}: {}", s.id, s.url);
            assert!(
                !s.url.contains("shared/") && !s.title.contains("shared/"),
                "{}",
                s.id
            );
        }
        // No user-visible text cites a file users do not have.
        for (_, text) in DEFAULT_FILES {
            assert!(!text.contains("DOMAIN.md") && !text.contains("FACTS.md"));
        }
        // The fixed add-on ids of SPEC.md exist.
        for a in [
            "heartbeat",
            "resume",
            "post-channel",
            "web-push",
            "managed-service",
            "fetch-client",
            "first-message-auth",
            "disable-buffering",
            "notify",
            "backplane",
            "reconnect-backoff",
        ] {
            assert!(k.add_on(a).is_some(), "add-on {a}");
        }
    }

    #[test]
    fn facts_from_the_facts_file_are_encoded() {
        let k = defaults();
        let idle = |id: &str| {
            k.hop(id)
                .and_then(|h| h.idle_timeout.as_ref())
                .map(|t| t.seconds)
        };
        assert_eq!(idle("nginx"), Some(60.0));
        assert_eq!(idle("aws-alb"), Some(60.0));
        assert_eq!(idle("heroku-router"), Some(55.0));
        assert_eq!(
            idle("cloudflare"),
            Some(120.0),
            "FACTS.md: newest docs say 120 s"
        );
        assert_eq!(
            k.hop("gcp-lb")
                .and_then(|h| h.lifetime.as_ref())
                .map(|t| t.seconds),
            Some(30.0)
        );
        assert_eq!(
            k.hop("envoy")
                .and_then(|h| h.lifetime.as_ref())
                .map(|t| t.seconds),
            Some(15.0)
        );
        assert_eq!(
            k.hop("azure-front-door")
                .and_then(|h| h.sse.as_ref())
                .map(|c| c.value),
            Some(false)
        );
        assert_eq!(
            k.hop("nginx")
                .and_then(|h| h.buffering.as_ref())
                .map(|c| c.value),
            Some(true)
        );
        assert_eq!(
            k.runtime("cloud-run")
                .and_then(|r| r.lifetime.as_ref())
                .map(|t| t.seconds),
            Some(300.0)
        );
        assert_eq!(
            k.runtime("vercel-edge")
                .and_then(|r| r.websocket.as_ref())
                .map(|w| w.0.as_str()),
            Some("undocumented"),
            "no Vercel page says Edge cannot hold WebSockets; none documents it either"
        );
        // Corrections of 2026-11-25.
        let hop = |id: &str| k.hop(id).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(
            hop("aws-api-gateway")
                .idle_timeout
                .as_ref()
                .map(|t| t.seconds),
            Some(30.0),
            "edge-optimized REST streaming idles out at 30 s"
        );
        assert_eq!(
            hop("aws-api-gateway")
                .websocket_lifetime
                .as_ref()
                .map(|t| t.seconds),
            Some(7200.0),
            "API Gateway WebSocket connections last 2 h, not 15 min"
        );
        assert_eq!(
            k.runtime("cloudflare-workers")
                .and_then(|r| r.websocket.as_ref())
                .map(|w| w.0.as_str()),
            Some("native"),
            "a Worker can accept a WebSocket itself"
        );
        assert!(k
            .runtime("cloudflare-workers")
            .unwrap()
            .notes
            .iter()
            .any(|n| n.text.contains("32 MiB")));
        let limit =
            |on: &[crate::rules::Limit], id: &str| on.iter().find(|l| l.id == id).map(|l| l.max);
        assert_eq!(
            limit(
                &hop("azure-front-door").limits,
                "afd-websockets-per-profile"
            ),
            Some(3000.0)
        );
        assert_eq!(
            limit(&hop("azure-app-gateway").limits, "appgw-wss-per-instance"),
            Some(13500.0)
        );
        assert_eq!(
            limit(&hop("aws-api-gateway").limits, "apigw-ws-new-connections"),
            Some(500.0)
        );
        assert_eq!(
            limit(
                &k.runtime("cloud-run").unwrap().limits,
                "cloud-run-concurrency"
            ),
            Some(1000.0)
        );
        assert_eq!(
            limit(
                &k.runtime("vercel-functions").unwrap().limits,
                "vercel-file-descriptors"
            ),
            Some(1024.0)
        );
        assert_eq!(
            limit(
                &k.runtime("netlify-server").unwrap().limits,
                "netlify-server-requests"
            ),
            Some(128.0)
        );
    }

    #[test]
    fn an_overlay_replaces_adds_and_disables_by_id() {
        let mut sources = default_sources();
        sources.push(Source {
            name: "team/rules.yaml".into(),
            text: "rules:\n  - id: presence\n    disabled: true\n  - id: our-rule\n    dimension: scale\n    message: m\n    why: a why that is long enough to count as a real explanation here\n    score: {sse: 1}\n    sources: [whatwg-sse]\n".into(),
        });
        let k = Knowledge::from_sources(sources).unwrap();
        assert!(k.rule("presence").is_none());
        assert_eq!(
            k.rule("our-rule").map(|r| r.origin.describe()),
            Some("team/rules.yaml:4".into())
        );
    }

    #[test]
    fn a_broken_rules_file_reports_every_problem_with_positions() {
        let mut sources = default_sources();
        sources.push(Source {
            name: "bad.yaml".into(),
            text: "rules:\n  - id: x\n    dimension: latncy\n    message: m\n    why: w\n    when: {presense: true}\n    score: {sse: 1, carrier-pigeon: 2}\n    add_ons: [hearbeat]\n    sources: [nope]\n    colour: red\n".into(),
        });
        let err = Knowledge::from_sources(sources).unwrap_err();
        let text = err.to_string();
        for needle in [
            "latncy",
            "did you mean `latency`?",
            "presense",
            "did you mean `presence`?",
            "carrier-pigeon",
            "hearbeat",
            "did you mean `heartbeat`?",
            "unknown source `nope`",
            "colour",
            "bad.yaml:3:16",
        ] {
            assert!(text.contains(needle), "missing {needle} in:\n{text}");
        }
    }
}
