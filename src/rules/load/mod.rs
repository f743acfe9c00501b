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
    id: Kstr,
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
        let name = &self.sources[file].name;
        Origin {
            // A default file's name is the one in DEFAULT_FILES: borrowed, not copied.
            file: match DEFAULT_FILES.iter().find(|(f, _)| f == name) {
                Some((f, _)) => std::borrow::Cow::Borrowed(*f),
                None => std::borrow::Cow::Owned(name.clone()),
            },
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
                            id: id.as_str().into(),
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
            runtimes: self.runtimes.iter().map(|r| r.id.to_string()).collect(),
            hops: self.hops.iter().map(|h| h.id.to_string()).collect(),
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
    let paths = yaml_files(dir).map_err(|e| fail(format!("cannot read rules folder: {e}")))?;
    if paths.is_empty() {
        return Err(fail("no *.yaml or *.yml rule files in this folder".into()));
    }
    let mut out = Vec::new();
    for p in paths {
        match crate::input::read_text(&p) {
            // The interview's question file (`rules/questions.yaml`) may sit beside
            // the rules; it is not a rules file (`rules check` checks it as questions).
            Ok(text) if is_question_file(&text) => {}
            Ok(text) => out.push(Source {
                name: p.display().to_string(),
                text,
            }),
            Err(e) => return Err(fail(format!("{}: {e}", p.display()))),
        }
    }
    if out.is_empty() {
        return Err(fail(
            "no rule files in this folder (only the interview's question file)".into(),
        ));
    }
    Ok(out)
}

/// The `*.yaml`/`*.yml` regular files of a folder, sorted by name.
pub fn yaml_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    paths.sort();
    Ok(paths)
}

/// Whether a YAML text is the interview's question file (its top level has
/// `questions`, which no rules file has), not a rules file.
pub fn is_question_file(text: &str) -> bool {
    // The quick parse leaves merge keys and repeated keys to the spanned one.
    let root = yaml::parse_unplaced(text).or_else(|| yaml::parse(text).ok());
    matches!(
        root.map(|n| n.value),
        Some(Value::Map(entries)) if entries.iter().any(|(k, _)| k.name == "questions")
    )
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

mod catalogue;
mod platforms;
mod policy;
mod rule;

use rule::check_placeholders;

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
                !s.url.contains(concat!("shared", "/"))
                    && !s.title.contains(concat!("shared", "/")),
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

    #[test]
    fn a_transports_path_properties_are_checked_with_positions() {
        let k = defaults();
        let sse = k.transport("sse").unwrap();
        assert!(sse.path.contains(&PathConcern::Streaming));
        assert!(k.transport("polling").unwrap().path.is_empty());
        let mut sources = default_sources();
        sources.push(Source {
            name: "t.yaml".into(),
            text: "transports:\n  - id: sse\n    name: SSE\n    summary: s\n    path: [idle-timeout, bufering, idle-timeout]\n".into(),
        });
        let text = Knowledge::from_sources(sources).unwrap_err().to_string();
        for needle in [
            "unknown path property `bufering`",
            "t.yaml:5:26",
            "`idle-timeout` is named twice in `path`",
        ] {
            assert!(text.contains(needle), "missing {needle} in:\n{text}");
        }
    }
}
