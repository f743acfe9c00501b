//! The decision knowledge: rules, platform facts, transports, add-ons and sources,
//! loaded from YAML (the defaults are embedded from `rules/` at build time).

pub mod cond;
mod embedded;
mod kstr;
pub use kstr::Kstr;
mod load;
pub(crate) mod obj;
pub mod vars;

pub use cond::{Cond, Tri, Val};
pub use load::{check_dir, is_question_file, yaml_files, Knowledge, LoadError};

use crate::yaml::Pos;

/// The embedded default rule files, in load order.
pub const DEFAULT_FILES: &[(&str, &str)] = &[
    (
        "rules/sources.yaml",
        include_str!("../../rules/sources.yaml"),
    ),
    (
        "rules/platforms.yaml",
        include_str!("../../rules/platforms.yaml"),
    ),
    ("rules/matrix.yaml", include_str!("../../rules/matrix.yaml")),
    (
        "rules/decision.yaml",
        include_str!("../../rules/decision.yaml"),
    ),
    ("rules/advice.yaml", include_str!("../../rules/advice.yaml")),
];

/// The dimensions rules are grouped by.
pub const DIMENSIONS: &[&str] = &[
    "direction",
    "latency",
    "cadence",
    "runtime",
    "proxies",
    "auth",
    "presence",
    "delivery",
    "resume",
    "scale",
];

/// Where a definition came from: the embedded defaults or a user's file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    /// The file's name; a default file's is borrowed from [`DEFAULT_FILES`] (every
    /// definition has an origin: decoding the defaults copies no file name).
    #[serde(with = "file_name")]
    pub file: std::borrow::Cow<'static, str>,
    #[serde(with = "PosDef")]
    pub pos: Pos,
}

/// [`Origin::file`] as stored in the precompiled default rules: a default file by
/// its place in [`DEFAULT_FILES`], any other by name.
mod file_name {
    use super::DEFAULT_FILES;
    use serde::{de::Error, Deserialize, Serialize};
    use std::borrow::Cow;

    #[derive(Serialize, Deserialize)]
    enum Stored<'a> {
        Default(u8),
        Other(Cow<'a, str>),
    }

    pub fn serialize<S: serde::Serializer>(file: &str, s: S) -> Result<S::Ok, S::Error> {
        match DEFAULT_FILES.iter().position(|(name, _)| *name == file) {
            Some(i) if i <= u8::MAX as usize => Stored::Default(i as u8),
            _ => Stored::Other(Cow::Borrowed(file)),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Cow<'static, str>, D::Error> {
        Ok(match Stored::deserialize(d)? {
            Stored::Default(i) => match DEFAULT_FILES.get(usize::from(i)) {
                Some((name, _)) => Cow::Borrowed(*name),
                None => return Err(D::Error::custom("not a default rule file")),
            },
            Stored::Other(name) => Cow::Owned(name.into_owned()),
        })
    }
}

/// [`Pos`] as stored in the precompiled default rules.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(remote = "Pos")]
struct PosDef {
    line: usize,
    column: usize,
    offset: Option<usize>,
    len: usize,
}

impl Origin {
    pub fn is_default(&self) -> bool {
        self.file.starts_with("rules/") && DEFAULT_FILES.iter().any(|(f, _)| *f == self.file)
    }
    pub fn describe(&self) -> String {
        if self.is_default() {
            "default".into()
        } else {
            format!("{}:{}", self.file, self.pos.line)
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SourceInfo {
    pub id: Kstr,
    pub title: Kstr,
    pub url: Kstr,
    pub checked: Kstr,
    pub confidence: Kstr,
    pub origin: Origin,
}

/// A timeout fact: gap-based (`idle_timeout`) or total (`lifetime`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Timeout {
    pub seconds: f64,
    pub max_seconds: Option<f64>,
    pub setting: Option<Kstr>,
    pub fix: Option<Kstr>,
    pub note: Option<Kstr>,
    pub source: Kstr,
}

/// A yes/no capability fact.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Capability {
    pub value: bool,
    /// Configuration it needs (`setup`) or how to change it (`fix`).
    pub how: Option<Kstr>,
    pub note: Option<Kstr>,
    pub source: Kstr,
}

/// A capacity limit of a runtime or hop: a cap the workload's load is checked against.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Limit {
    pub id: Kstr,
    /// What is counted, e.g. "concurrent WebSocket connections per Front Door profile".
    pub what: Kstr,
    /// `connections`, `connections_per_s` (new connections) or `requests_per_s`.
    pub unit: Kstr,
    /// `instance` (scale out to stay under it) or `deployment` (the whole service).
    pub per: Kstr,
    /// Transports whose load counts against it (empty: all).
    pub transports: Vec<Kstr>,
    /// The highest value the cap can be set to (or its fixed value).
    pub max: f64,
    /// The value at default settings, when lower than `max`.
    pub default: Option<f64>,
    /// For per-instance caps: the most instances the platform allows.
    pub max_instances: Option<f64>,
    /// What to do when the load exceeds it.
    pub fix: Kstr,
    pub source: Kstr,
}

pub const LIMIT_UNITS: &[&str] = &["connections", "connections_per_s", "requests_per_s"];
pub const LIMIT_SCOPES: &[&str] = &["instance", "deployment"];

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Note {
    pub text: Kstr,
    pub source: Kstr,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Runtime {
    pub id: Kstr,
    pub name: Kstr,
    pub kind: Kstr,
    pub websocket: Option<(Kstr, Note)>,
    pub streaming: Option<Capability>,
    pub lifetime: Option<Timeout>,
    pub idle_timeout: Option<Timeout>,
    /// Caps that apply to WebSockets instead of `lifetime`/`idle_timeout`.
    pub websocket_lifetime: Option<Timeout>,
    pub websocket_idle_timeout: Option<Timeout>,
    pub limits: Vec<Limit>,
    pub implies: Vec<Kstr>,
    pub managed_service: Option<Note>,
    pub notes: Vec<Note>,
    pub origin: Origin,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct HopInfo {
    pub id: Kstr,
    pub name: Kstr,
    pub idle_timeout: Option<Timeout>,
    pub lifetime: Option<Timeout>,
    /// Caps that apply to WebSockets instead of `lifetime`/`idle_timeout`.
    pub websocket_idle_timeout: Option<Timeout>,
    pub websocket_lifetime: Option<Timeout>,
    pub limits: Vec<Limit>,
    pub buffering: Option<Capability>,
    pub websocket: Option<Capability>,
    pub sse: Option<Capability>,
    pub http2: Option<Capability>,
    pub notes: Vec<Note>,
    pub origin: Origin,
}

impl Runtime {
    /// Every source id its facts cite.
    pub fn sources(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        out.extend(self.websocket.iter().map(|(_, n)| n.source.as_str()));
        out.extend(self.streaming.iter().map(|c| c.source.as_str()));
        out.extend(self.lifetime.iter().map(|t| t.source.as_str()));
        out.extend(self.idle_timeout.iter().map(|t| t.source.as_str()));
        out.extend(self.websocket_lifetime.iter().map(|t| t.source.as_str()));
        out.extend(
            self.websocket_idle_timeout
                .iter()
                .map(|t| t.source.as_str()),
        );
        out.extend(self.limits.iter().map(|l| l.source.as_str()));
        out.extend(self.managed_service.iter().map(|n| n.source.as_str()));
        out
    }

    /// Every source id it cites, notes included.
    pub fn all_sources(&self) -> Vec<&str> {
        let mut out = self.sources();
        out.extend(self.notes.iter().map(|n| n.source.as_str()));
        out
    }
}

impl HopInfo {
    pub fn sources(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        out.extend(self.idle_timeout.iter().map(|t| t.source.as_str()));
        out.extend(self.lifetime.iter().map(|t| t.source.as_str()));
        out.extend(self.websocket_lifetime.iter().map(|t| t.source.as_str()));
        out.extend(
            self.websocket_idle_timeout
                .iter()
                .map(|t| t.source.as_str()),
        );
        out.extend(self.limits.iter().map(|l| l.source.as_str()));
        for c in [&self.buffering, &self.websocket, &self.sse, &self.http2]
            .into_iter()
            .flatten()
        {
            out.push(&c.source);
        }
        out
    }

    /// Every source id it cites, notes included.
    pub fn all_sources(&self) -> Vec<&str> {
        let mut out = self.sources();
        out.extend(self.notes.iter().map(|n| n.source.as_str()));
        out
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TransportInfo {
    pub id: Kstr,
    pub name: Kstr,
    /// Position on the polling < long-polling < sse < websocket ladder (none for queue).
    pub ladder: Option<u32>,
    /// Whether the engine may recommend it.
    pub recommend: bool,
    /// Lower wins a tie: the simpler transport.
    pub tie_rank: u32,
    pub summary: Kstr,
    /// What of each hop on the path matters to this transport (what the path
    /// diagrams show and mark): `path:` in the catalogue.
    pub path: Vec<PathConcern>,
    pub origin: Origin,
}

/// A property of a hop that a transport depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PathConcern {
    /// The gap without bytes after which the hop closes the connection.
    IdleTimeout,
    /// The longest a connection may last, however busy.
    Lifetime,
    /// Whether the hop streams a response as it is written (or buffers it, or
    /// cannot carry an event stream at all).
    Streaming,
    /// Whether the hop passes the HTTP/1.1 Upgrade to a WebSocket (the hop's
    /// WebSocket timeouts then apply).
    Upgrade,
    /// Whether the hop speaks HTTP/2 to the browser (many streams on one connection).
    Http2,
}

impl PathConcern {
    pub const ALL: [PathConcern; 5] = [
        PathConcern::IdleTimeout,
        PathConcern::Lifetime,
        PathConcern::Streaming,
        PathConcern::Upgrade,
        PathConcern::Http2,
    ];

    /// The word the catalogue uses.
    pub fn as_str(self) -> &'static str {
        match self {
            PathConcern::IdleTimeout => "idle-timeout",
            PathConcern::Lifetime => "lifetime",
            PathConcern::Streaming => "streaming",
            PathConcern::Upgrade => "upgrade",
            PathConcern::Http2 => "http2",
        }
    }

    pub fn parse(s: &str) -> Option<PathConcern> {
        PathConcern::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AddOnInfo {
    pub id: Kstr,
    pub name: Kstr,
    /// What to build, with `{placeholders}`.
    pub build: Kstr,
    pub origin: Origin,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ComparisonRow {
    pub dimension: Kstr,
    /// Transport id → text.
    pub cells: Vec<(Kstr, Kstr)>,
    pub sources: Vec<Kstr>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    /// Margin over the runner-up for high confidence.
    pub high_margin: i32,
    /// Margin for medium confidence.
    pub medium_margin: i32,
    /// Heartbeat: this fraction of the smallest idle timeout…
    pub heartbeat_fraction: f64,
    /// …rounded down to a multiple of this…
    pub heartbeat_step_s: f64,
    /// …and kept within these bounds.
    pub heartbeat_min_s: f64,
    pub heartbeat_max_s: f64,
    /// Used when no idle timeout is known.
    pub heartbeat_default_s: f64,
    /// Capacity: seconds in which a fleet reconnects after a deploy without jitter…
    pub reconnect_window_s: f64,
    /// …and with reconnects spread by jitter.
    pub jitter_window_s: f64,
}

impl Policy {
    /// The values a `policy:` section starts from before its keys are read (the
    /// built-in rules set every one of them explicitly).
    pub const FALLBACK: Policy = Policy {
        high_margin: 4,
        medium_margin: 2,
        heartbeat_fraction: 0.45,
        heartbeat_step_s: 5.0,
        heartbeat_min_s: 1.0,
        heartbeat_max_s: 30.0,
        heartbeat_default_s: 15.0,
        reconnect_window_s: 5.0,
        jitter_window_s: 60.0,
    };
}

/// What a rule produces in a text: a gotcha with a fix.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct GotchaTemplate {
    pub id: Kstr,
    pub text: Kstr,
    pub fix: Kstr,
    /// The design does not work until the fix is applied.
    pub blocking: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    pub id: Kstr,
    pub dimension: Kstr,
    pub message: Kstr,
    pub why: Kstr,
    pub when: Cond,
    /// Evaluate once per hop on the path.
    pub per_hop: bool,
    /// Transport id → points.
    pub score: Vec<(Kstr, i32)>,
    pub veto: Vec<Kstr>,
    /// Add-ons and gotchas apply only when the recommendation is one of these (empty: any).
    pub only_for: Vec<Kstr>,
    pub add_ons: Vec<Kstr>,
    pub gotcha: Option<GotchaTemplate>,
    /// For advice rules: the recommendation is a hybrid, stated in this text.
    pub hybrid: Option<Kstr>,
    pub sources: Vec<Kstr>,
    pub origin: Origin,
    /// Variables the condition reads.
    pub reads: Vec<vars::VarId>,
}

impl Rule {
    /// Whether the rule changes scores (as opposed to giving advice only).
    pub fn scores(&self) -> bool {
        !self.score.is_empty() || !self.veto.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    /// A default file's origin is stored by its place and comes back borrowed; any
    /// other file's name is stored and comes back as it was.
    #[test]
    fn origins_survive_the_precompiled_form() {
        let pos = Pos {
            line: 3,
            column: 5,
            offset: Some(40),
            len: 2,
        };
        for name in [
            DEFAULT_FILES[0].0,
            DEFAULT_FILES[4].0,
            "my-rules/extra.yaml",
            "",
        ] {
            let o = Origin {
                file: Cow::Owned(name.to_string()),
                pos,
            };
            let bytes = postcard::to_allocvec(&o).unwrap();
            let back: Origin = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(back, o);
            let default = DEFAULT_FILES.iter().any(|(f, _)| *f == name);
            assert_eq!(matches!(back.file, Cow::Borrowed(_)), default, "{name}");
            assert_eq!(back.is_default(), default, "{name}");
        }
    }
}
