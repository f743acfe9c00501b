//! Turning a parsed YAML tree into a [`Profile`], collecting every problem.

use super::*;
use crate::diag::{did_you_mean, suggestion, Diagnostic};
use crate::yaml::{self, Key, Node, Pos, Value};

/// The most hops a `path` may list. Real paths have a handful (a CDN, a load
/// balancer, a reverse proxy, an ingress); the cap keeps a mistaken or hostile
/// profile from costing time and memory.
pub const MAX_PATH_HOPS: usize = 32;

/// The largest count a profile may give (a trillion connections is more than any
/// real workload; past it, numbers lose precision as they are computed with).
pub const MAX_COUNT: u64 = 1_000_000_000_000;

/// Platforms people name for `runtime` that rtadvisor models as a runtime id:
/// orchestrators and hosts that run a long-lived process.
const RUNTIME_ALIASES: &[(&str, &str)] = &[
    ("kubernetes", "container"),
    ("k8s", "container"),
    ("eks", "container"),
    ("gke", "container"),
    ("aks", "container"),
    ("ecs", "container"),
    ("fargate", "container"),
    ("docker", "container"),
    ("vm", "container"),
    ("ec2", "container"),
    ("nomad", "container"),
    ("fly", "container"),
    ("fly.io", "container"),
    ("flyio", "container"),
    ("render", "container"),
    ("railway", "container"),
    ("bare-metal", "container"),
    ("lambda", "aws-lambda"),
    ("vercel", "vercel-functions"),
    ("cloudflare", "cloudflare-workers"),
    ("workers", "cloudflare-workers"),
    ("netlify", "netlify-functions"),
    ("deno", "deno-deploy"),
    ("gcp-cloud-run", "cloud-run"),
    ("azure-function", "azure-functions"),
];

fn runtime_alias<'a>(word: &str, ids: &'a HopIds) -> Option<&'a str> {
    let w = word.trim().to_ascii_lowercase();
    RUNTIME_ALIASES
        .iter()
        .find(|(alias, _)| *alias == w)
        .and_then(|(_, id)| ids.runtimes.iter().find(|r| r == id))
        .map(String::as_str)
}

/// The `runtime` and `path` ids the platform knowledge defines.
#[derive(Debug, Clone, Default)]
pub struct HopIds {
    pub runtimes: Vec<String>,
    pub hops: Vec<String>,
}

/// Parses and validates profile text. On failure, returns every problem found.
pub fn parse_profile(text: &str, ids: &HopIds) -> Result<Profile, Vec<Diagnostic>> {
    if text.trim().is_empty() || is_only_comments(text) {
        return Err(vec![Diagnostic::new("the profile is empty", None).help(
            "a profile needs at least `name` and `direction`; `rtadvisor init` writes a starter",
        )]);
    }
    // Most profiles are valid, and a valid one needs no positions: parse it without
    // them first. Anything wrong is found again on the spanned tree, which places it.
    if let Some(p) = yaml::parse_unplaced(text).and_then(|root| validate(&root, ids).ok()) {
        return Ok(p);
    }
    let root = yaml::parse(text).map_err(|e| {
        vec![
            Diagnostic::new(format!("not valid YAML: {}", e.message), e.pos)
                .label("here")
                .help(e.help.clone()),
        ]
    })?;
    validate(&root, ids)
}

/// Validates a parsed profile into a [`Profile`], or every problem found.
fn validate(root: &Node, ids: &HopIds) -> Result<Profile, Vec<Diagnostic>> {
    let Value::Map(entries) = &root.value else {
        return Err(vec![Diagnostic::at(
            format!(
                "a profile must be a mapping of fields, found {}",
                root.value.kind()
            ),
            root.pos,
        )
        .label("expected `field: value` lines")
        .help("start with `name: …` and `direction: …`")]);
    };
    let mut v = Validator::default();
    let profile = v.profile(entries, root.pos, ids);
    match profile {
        Some(p) if v.problems.is_empty() => Ok(p),
        _ => Err(v.problems),
    }
}

fn is_only_comments(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#') || l == "---" || l == "...")
}

#[derive(Default)]
struct Validator {
    problems: Vec<Diagnostic>,
}

impl Validator {
    fn push(&mut self, d: Diagnostic) {
        self.problems.push(d);
    }

    fn profile(&mut self, entries: &[(Key, Node)], root: Pos, ids: &HopIds) -> Option<Profile> {
        let mut name = None;
        let mut direction = None;
        let mut p = Profile::new(String::new(), Direction::ServerToClient);
        for (key, node) in entries {
            if key.name == "accept" {
                p.accept = self.accept(node);
                continue;
            }
            let Some(spec) = field(&key.name) else {
                let names = FIELDS.iter().map(|f| f.name).chain(["accept"]);
                self.push(
                    Diagnostic::at(format!("unknown field `{}`", key.name), key.pos)
                        .label("not a profile v1 field")
                        .help(suggestion(&key.name, names)),
                );
                continue;
            };
            match spec.name {
                "name" => name = self.text(spec.name, node),
                "direction" => {
                    direction = self.choice(spec, node).map(|s| match s {
                        "server-to-client" => Direction::ServerToClient,
                        "client-to-server" => Direction::ClientToServer,
                        _ => Direction::Bidirectional,
                    })
                }
                "client_messages_per_minute" => {
                    p.client_messages_per_minute = self.number(spec, node)
                }
                "payload" => {
                    p.payload = self.choice(spec, node).map(|s| match s {
                        "binary" => Payload::Binary,
                        _ => Payload::Text,
                    })
                }
                "round_trip_ms" => p.round_trip_ms = self.number(spec, node),
                "update_interval_s" => p.update_interval_s = self.number(spec, node),
                "max_delay_s" => p.max_delay_s = self.number(spec, node),
                "runtime" => p.runtime = self.runtime(node, ids),
                "path" => p.path = self.path(node, ids),
                "http2" => p.http2 = self.yes_no(spec.name, node),
                "auth" => {
                    p.auth = self.choice(spec, node).map(|s| match s {
                        "cookie" => Auth::Cookie,
                        "bearer-token" => Auth::BearerToken,
                        "query-token" => Auth::QueryToken,
                        "mtls" => Auth::Mtls,
                        _ => Auth::None,
                    })
                }
                "clients" => p.clients = self.clients(node),
                "locked_down_networks" => p.locked_down_networks = self.yes_no(spec.name, node),
                "presence" => p.presence = self.yes_no(spec.name, node),
                "hidden_tab_delivery" => p.hidden_tab_delivery = self.yes_no(spec.name, node),
                "resume" => p.resume = self.yes_no(spec.name, node),
                "concurrent_clients" => p.concurrent_clients = self.count(spec, node),
                "streams_per_client" => p.streams_per_client = self.count(spec, node),
                "job_duration_s" => p.job_duration_s = self.number(spec, node),
                "user_waits" => p.user_waits = self.yes_no(spec.name, node),
                "message_bytes" => p.message_bytes = self.number(spec, node),
                "receives_webhooks" => p.receives_webhooks = self.yes_no(spec.name, node),
                "replies" => p.replies = self.yes_no(spec.name, node),
                "subscriptions" => {
                    p.subscriptions = self.choice(spec, node).map(|s| match s {
                        "changing" => Subscriptions::Changing,
                        _ => Subscriptions::Fixed,
                    })
                }
                "audience" => {
                    p.audience = self.choice(spec, node).map(|s| match s {
                        "broadcast" => Audience::Broadcast,
                        "per-user" => Audience::PerUser,
                        _ => Audience::Mixed,
                    })
                }
                _ => {
                    p.current_transport = self.choice(spec, node).map(|s| match s {
                        "sse" => CurrentTransport::Sse,
                        "websocket" => CurrentTransport::Websocket,
                        "polling" => CurrentTransport::Polling,
                        "long-polling" => CurrentTransport::LongPolling,
                        _ => CurrentTransport::Queue,
                    })
                }
            }
        }
        let present = |n: &str| entries.iter().any(|(k, _)| k.name == n);
        // A mistyped key already says "did you mean `direction`?": no second
        // problem for the same line.
        let misspelt = |n: &str| {
            entries.iter().any(|(k, _)| {
                field(&k.name).is_none()
                    && did_you_mean(&k.name, FIELDS.iter().map(|f| f.name)) == Some(n)
            })
        };
        for required in FIELDS.iter().filter(|f| f.required) {
            if !present(required.name) && !misspelt(required.name) {
                self.push(
                    Diagnostic::at(format!("missing required field `{}`", required.name), root)
                        .label("in this profile")
                        .help(format!("add `{}: …` ({})", required.name, required.doc)),
                );
            }
        }
        p.name = name?;
        p.direction = direction?;
        Some(p)
    }

    /// `accept: {verdict, reason, until}`: a waiver for `advise --check`.
    fn accept(&mut self, node: &Node) -> Option<Accept> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type("accept", node, "a mapping {verdict, reason, until}");
            return None;
        };
        let before = self.problems.len();
        let (mut verdict, mut reason, mut until) = (None, None, None);
        for (key, value) in entries {
            match key.name.as_str() {
                "verdict" => {
                    let spec = FieldSpec {
                        name: "accept.verdict",
                        kind: FieldKind::Choice(ACCEPTED_VERDICTS),
                        required: true,
                        doc: "",
                    };
                    verdict = self.choice(&spec, value).map(|v| match v {
                        "over-engineered" => AcceptedVerdict::OverEngineered,
                        "under-engineered" => AcceptedVerdict::UnderEngineered,
                        _ => AcceptedVerdict::Mismatch,
                    });
                }
                "reason" => reason = self.text("accept.reason", value),
                "until" => until = self.date("accept.until", value),
                other => self.push(
                    Diagnostic::at(format!("unknown field `{other}` in `accept`"), key.pos)
                        .label("not a waiver field")
                        .help(suggestion(other, ["verdict", "reason", "until"])),
                ),
            }
        }
        for (field, missing, help) in [
            (
                "verdict",
                verdict.is_none() && !entries.iter().any(|(k, _)| k.name == "verdict"),
                "add `verdict: over-engineered | under-engineered | mismatch`: the finding it accepts",
            ),
            (
                "reason",
                reason.is_none() && !entries.iter().any(|(k, _)| k.name == "reason"),
                "add `reason: \"…\"`: a waiver says why the team accepts the finding",
            ),
        ] {
            if missing {
                self.push(
                    Diagnostic::at(format!("`accept` has no `{field}`"), node.pos)
                        .label("in this waiver")
                        .help(help),
                );
            }
        }
        if self.problems.len() != before {
            return None;
        }
        Some(Accept {
            verdict: verdict?,
            reason: reason?,
            until,
        })
    }

    /// A calendar date written `YYYY-MM-DD`.
    fn date(&mut self, field: &str, node: &Node) -> Option<String> {
        let text = match &node.value {
            Value::Str(s) => s.trim().to_string(),
            _ => {
                self.wrong_type(field, node, "a date, YYYY-MM-DD");
                return None;
            }
        };
        if crate::profile::is_date(&text) {
            Some(text)
        } else {
            self.push(
                Diagnostic::at(format!("`{field}` is not a date: `{text}`"), node.pos)
                    .label("expected YYYY-MM-DD")
                    .help("write the last day the waiver applies, e.g. 2027-06-30"),
            );
            None
        }
    }

    fn wrong_type(&mut self, field: &str, node: &Node, expected: &str) {
        let d = Diagnostic::at(
            format!("`{field}` must be {expected}, found {}", node.value.kind()),
            node.pos,
        )
        .label(format!("expected {expected}"));
        // `"5"` or `'true'`: the value is right, the quotes make it text.
        let d = match &node.value {
            Value::Str(t)
                if (expected.contains("number") && t.trim().parse::<f64>().is_ok())
                    || (expected.contains("true or false")
                        && matches!(t.trim(), "true" | "false")) =>
            {
                d.help(format!(
                    "remove the quotes: `{field}: {}` (quoted, YAML reads it as text)",
                    t.trim()
                ))
            }
            _ => d,
        };
        self.push(d);
    }

    fn text(&mut self, field: &str, node: &Node) -> Option<String> {
        match &node.value {
            Value::Str(s) if !crate::term::is_blank(s) => Some(s.clone()),
            Value::Str(s) => {
                let label = if s.trim().is_empty() {
                    "empty text"
                } else {
                    "only invisible characters"
                };
                self.push(
                    Diagnostic::at(format!("`{field}` must not be empty"), node.pos).label(label),
                );
                None
            }
            // A name such as `2048` or `true` is still a fine name.
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) if f.is_finite() => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                self.wrong_type(field, node, "text");
                None
            }
        }
    }

    fn choice(&mut self, spec: &FieldSpec, node: &Node) -> Option<&'static str> {
        let FieldKind::Choice(allowed) = spec.kind else {
            return None;
        };
        let Value::Str(s) = &node.value else {
            self.wrong_type(spec.name, node, &format!("one of {}", allowed.join(" | ")));
            return None;
        };
        if let Some(found) = allowed.iter().find(|a| **a == s.as_str()) {
            return Some(found);
        }
        self.push(
            Diagnostic::at(format!("`{}` cannot be `{s}`", spec.name), node.pos)
                .label("not an allowed value")
                .help(suggestion(s, allowed.iter().copied())),
        );
        None
    }

    fn number(&mut self, spec: &FieldSpec, node: &Node) -> Option<f64> {
        let FieldKind::Number { min, exclusive } = spec.kind else {
            return None;
        };
        let range = if exclusive {
            format!("a number > {min}")
        } else {
            format!("a number >= {min}")
        };
        let n = match node.value {
            Value::Int(i) => i as f64,
            Value::Float(f) => f,
            _ => {
                self.wrong_type(spec.name, node, &range);
                return None;
            }
        };
        let ok = n.is_finite() && if exclusive { n > min } else { n >= min };
        if !ok {
            self.push(
                Diagnostic::at(
                    format!("`{}` is out of range: {}", spec.name, show(n)),
                    node.pos,
                )
                .label(format!("must be {range}"))
                .help(format!("`{}`: {}", spec.name, spec.doc)),
            );
            return None;
        }
        Some(n)
    }

    fn count(&mut self, spec: &FieldSpec, node: &Node) -> Option<u64> {
        let FieldKind::Count { min } = spec.kind else {
            return None;
        };
        let range = format!("a whole number from {min} to 1,000,000,000,000");
        match node.value {
            Value::Int(i) if i >= 0 && i as u64 >= min && i as u64 <= MAX_COUNT => Some(i as u64),
            // `1e6` is a whole number written in floating point: the same bounds.
            Value::Float(f)
                if f.is_finite()
                    && f.fract() == 0.0
                    && f >= min as f64
                    && f <= MAX_COUNT as f64 =>
            {
                Some(f as u64)
            }
            Value::Int(_) | Value::Float(_) => {
                let shown = match node.value {
                    Value::Int(i) => i.to_string(),
                    Value::Float(f) => show(f),
                    _ => String::new(),
                };
                self.push(
                    Diagnostic::at(
                        format!("`{}` is out of range: {shown}", spec.name),
                        node.pos,
                    )
                    .label(format!("must be {range}")),
                );
                None
            }
            _ => {
                self.wrong_type(spec.name, node, &range);
                None
            }
        }
    }

    fn yes_no(&mut self, field: &str, node: &Node) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                let d = Diagnostic::at(
                    format!(
                        "`{field}` must be true or false, found {}",
                        node.value.kind()
                    ),
                    node.pos,
                )
                .label("expected true or false");
                let d = match &node.value {
                    Value::Str(s)
                        if matches!(s.as_str(), "yes" | "no" | "on" | "off" | "y" | "n") =>
                    {
                        d.help("YAML 1.2 reads yes/no/on/off as text: write true or false")
                    }
                    _ => d,
                };
                self.push(d);
                None
            }
        }
    }

    fn runtime(&mut self, node: &Node, ids: &HopIds) -> Option<String> {
        let Value::Str(s) = &node.value else {
            self.wrong_type("runtime", node, "a runtime id");
            return None;
        };
        if ids.runtimes.iter().any(|r| r == s) {
            return Some(s.clone());
        }
        self.push(
            Diagnostic::at(format!("unknown runtime `{s}`"), node.pos)
                .label("not a known runtime id")
                .help(match runtime_alias(s, ids) {
                    Some(id) => format!(
                        "`{s}` runs your code as `{id}`: write `runtime: {id}` (and list its load balancer or ingress in `path`)"
                    ),
                    None => suggestion(s, ids.runtimes.iter().map(String::as_str)),
                }),
        );
        None
    }

    fn path(&mut self, node: &Node, ids: &HopIds) -> Option<Vec<Hop>> {
        let Value::Seq(items) = &node.value else {
            self.wrong_type("path", node, "a list of hops, e.g. [cloudflare, nginx]");
            return None;
        };
        if items.len() > MAX_PATH_HOPS {
            // Checked before the hops themselves: 10,000 hops are a mistake, not
            // 10,000 problems.
            self.push(
                Diagnostic::at(
                    format!(
                        "`path` has {} hops; at most {MAX_PATH_HOPS} are allowed",
                        items.len()
                    ),
                    node.pos,
                )
                .label("too many hops")
                .help("a real path has a handful of hops (CDN, load balancer, reverse proxy): list each intermediary once, outermost first"),
            );
            return None;
        }
        let before = self.problems.len();
        let mut hops = Vec::with_capacity(items.len());
        for item in items {
            match &item.value {
                Value::Str(s) if ids.hops.iter().any(|h| h == s) => hops.push(Hop::Known(s.clone())),
                Value::Str(s) => self.push(
                    Diagnostic::at(format!("unknown hop `{s}` in `path`"), item.pos)
                        .label("not a known hop id")
                        .help(match did_you_mean(s, ids.hops.iter().map(String::as_str)) {
                            Some(close) => format!("did you mean `{close}`?"),
                            None => format!(
                                "{}; for gear rtadvisor does not know, describe it inline with what you know of it: {{name: {s}, idle_timeout_s: …, buffers: …, websocket: …, http2: …}} (leave out what you do not know)",
                                suggestion(s, ids.hops.iter().map(String::as_str))
                            ),
                        }),
                ),
                Value::Map(entries) => {
                    if let Some(h) = self.inline_hop(entries, item.pos) {
                        hops.push(Hop::Inline(h));
                    }
                }
                _ => self.wrong_type("path", item, "a hop id or an inline hop {name: …}"),
            }
        }
        (self.problems.len() == before).then_some(hops)
    }

    fn inline_hop(&mut self, entries: &[(Key, Node)], pos: Pos) -> Option<InlineHop> {
        let mut hop = InlineHop::default();
        let mut named = false;
        let before = self.problems.len();
        for (key, node) in entries {
            let Some((_, kind)) = HOP_FIELDS.iter().find(|(n, _)| *n == key.name) else {
                self.push(
                    Diagnostic::at(
                        format!("unknown field `{}` in an inline hop", key.name),
                        key.pos,
                    )
                    .label("not an inline hop field")
                    .help(suggestion(&key.name, HOP_FIELDS.iter().map(|(n, _)| *n))),
                );
                continue;
            };
            let spec = FieldSpec {
                name: HOP_FIELDS
                    .iter()
                    .find(|(n, _)| *n == key.name)
                    .map_or("", |(n, _)| n),
                kind: *kind,
                required: false,
                doc: "",
            };
            match key.name.as_str() {
                "name" => {
                    named = true;
                    hop.name = self.text("name", node).unwrap_or_default();
                }
                "idle_timeout_s" => hop.idle_timeout_s = self.number(&spec, node),
                "lifetime_s" => hop.lifetime_s = self.number(&spec, node),
                "buffers" => hop.buffers = self.yes_no(spec.name, node),
                "websocket" => hop.websocket = self.yes_no(spec.name, node),
                "sse" => hop.sse = self.yes_no(spec.name, node),
                _ => hop.http2 = self.yes_no(spec.name, node),
            }
        }
        if !named {
            self.push(
                Diagnostic::at("an inline hop needs a `name`", pos)
                    .label("this hop")
                    .help(
                        "e.g. {name: our-f5, idle_timeout_s: 300, buffers: true, websocket: false}",
                    ),
            );
        }
        (self.problems.len() == before).then_some(hop)
    }

    fn clients(&mut self, node: &Node) -> Option<Vec<Client>> {
        let items: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Str(_) => vec![node],
            _ => {
                self.wrong_type("clients", node, "a list such as [browser, mobile]");
                return None;
            }
        };
        let before = self.problems.len();
        let mut out = Vec::new();
        for item in items {
            let spec = FieldSpec {
                name: "clients",
                kind: FieldKind::Choice(CLIENTS),
                required: false,
                doc: "",
            };
            if let Some(c) = self.choice(&spec, item) {
                let c = match c {
                    "browser" => Client::Browser,
                    "mobile" => Client::Mobile,
                    "desktop" => Client::Desktop,
                    "server" => Client::Server,
                    _ => Client::Iot,
                };
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        (self.problems.len() == before).then_some(out)
    }
}

fn show(n: f64) -> String {
    if n.is_nan() {
        "NaN (not a number)".into()
    } else if n.is_infinite() {
        "infinity".into()
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> HopIds {
        HopIds {
            runtimes: vec!["container".into(), "cloud-run".into()],
            hops: vec!["nginx".into(), "aws-alb".into()],
        }
    }

    #[test]
    fn reads_a_full_profile() {
        let p = parse_profile(
            "name: x\ndirection: bidirectional\nclient_messages_per_minute: 3\nruntime: container\npath: [nginx, {name: f5, buffers: true}]\nclients: [browser]\nconcurrent_clients: 10\n",
            &ids(),
        )
        .unwrap();
        assert_eq!(p.direction, Direction::Bidirectional);
        assert_eq!(p.client_messages_per_minute, Some(3.0));
        assert_eq!(p.path.as_ref().map(Vec::len), Some(2));
        assert_eq!(p.concurrent_clients, Some(10));
    }

    #[test]
    fn reports_every_problem_at_once() {
        let errs = parse_profile(
            "name: x\ndirektion: up\nround_trip_ms: -5\nmax_delay_s: .nan\nruntime: containr\npath: [nginks]\npresence: yes\n",
            &ids(),
        )
        .unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
        assert!(msgs.contains(&"unknown field `direktion`"), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("round_trip_ms")), "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.contains("max_delay_s") && m.contains("NaN")),
            "{msgs:?}"
        );
        assert!(msgs.contains(&"unknown runtime `containr`"), "{msgs:?}");
        assert!(msgs.contains(&"unknown hop `nginks` in `path`"), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("presence")), "{msgs:?}");
        // `direktion` already says "did you mean `direction`?": no second
        // problem saying `direction` is missing.
        assert!(
            !msgs.contains(&"missing required field `direction`"),
            "{msgs:?}"
        );
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `direction`?"));
    }

    #[test]
    fn empty_and_non_mapping_inputs() {
        assert!(parse_profile("", &ids()).unwrap_err()[0]
            .message
            .contains("empty"));
        assert!(parse_profile("# only a comment\n", &ids()).unwrap_err()[0]
            .message
            .contains("empty"));
        assert!(parse_profile("- a\n- b\n", &ids()).unwrap_err()[0]
            .message
            .contains("mapping"));
    }
}
