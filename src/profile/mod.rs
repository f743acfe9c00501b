//! The workload profile v1: the fixed field names and values of SPEC.md.

mod load;

pub use load::{parse_profile, HopIds, MAX_COUNT, MAX_PATH_HOPS};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which way data flows once a client is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    ServerToClient,
    ClientToServer,
    Bidirectional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Payload {
    Text,
    Binary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    Cookie,
    BearerToken,
    QueryToken,
    /// Mutual TLS: the client presents a certificate.
    Mtls,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    Browser,
    Mobile,
    /// A native desktop app (Electron, Tauri, native toolkits).
    Desktop,
    Server,
    Iot,
}

/// Whether the channels a client listens to change during a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Subscriptions {
    Fixed,
    Changing,
}

/// Whether every viewer gets the same data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    Broadcast,
    PerUser,
    Mixed,
}

/// What the feature uses today (turns on the fit audit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CurrentTransport {
    Sse,
    Websocket,
    Polling,
    LongPolling,
    Queue,
}

/// The audit verdict a waiver accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AcceptedVerdict {
    OverEngineered,
    UnderEngineered,
    Mismatch,
}

pub const ACCEPTED_VERDICTS: &[&str] = &["over-engineered", "under-engineered", "mismatch"];

/// A waiver for `advise --check`: the team accepts this verdict, for this reason,
/// until this day. Not part of the workload: it never changes the recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Accept {
    /// The audit verdict being accepted.
    pub verdict: AcceptedVerdict,
    /// Why the team accepts it (required).
    #[schemars(length(min = 1))]
    pub reason: String,
    /// `YYYY-MM-DD`: the waiver stops applying after this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub until: Option<String>,
}

/// One intermediary between client and app: a known id, or gear the rules do not know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Hop {
    /// An id from the platform knowledge (`nginx`, `aws-alb`, …).
    Known(String),
    /// Gear described inline.
    Inline(InlineHop),
}

/// An intermediary described in the profile itself.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlineHop {
    /// What to call it in the report.
    pub name: String,
    /// Seconds of silence after which it closes a connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub idle_timeout_s: Option<f64>,
    /// Seconds after which it ends any request or connection, busy or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub lifetime_s: Option<f64>,
    /// Does it buffer responses by default?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffers: Option<bool>,
    /// Does it pass the WebSocket Upgrade handshake?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket: Option<bool>,
    /// Can Server-Sent Events pass it at all?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse: Option<bool>,
    /// Does it speak HTTP/2 to the browser?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http2: Option<bool>,
}

/// A workload profile (v1). Optional fields left out are *unknown*, not defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "rtadvisor workload profile v1")]
pub struct Profile {
    /// Free text naming the feature.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Which way data flows once connected.
    pub direction: Direction,
    /// How often one client sends data once connected (per minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub client_messages_per_minute: Option<f64>,
    /// Text or binary frames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Payload>,
    /// Tightest client→server→client budget in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub round_trip_ms: Option<f64>,
    /// Typical gap between new pieces of server data, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub update_interval_s: Option<f64>,
    /// Longest a user may wait to see new data, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub max_delay_s: Option<f64>,
    /// Where the server code runs (an id from the platform knowledge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// Intermediaries from client to app, outermost first (at most 32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 32))]
    pub path: Option<Vec<Hop>>,
    /// Does HTTP/2 reach the browser end to end?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http2: Option<bool>,
    /// How clients authenticate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// Kinds of clients that connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<Client>>,
    /// Users behind corporate proxies that may strip Upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_down_networks: Option<bool>,
    /// Must users see who else is online?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence: Option<bool>,
    /// Must events reach a tab in the background?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden_tab_delivery: Option<bool>,
    /// Must missed events be replayed after a reconnect?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<bool>,
    /// Peak open connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrent_clients: Option<u64>,
    /// Concurrent real-time streams one page opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub streams_per_client: Option<u64>,
    /// How long the server work behind an update takes, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub job_duration_s: Option<f64>,
    /// Does the user keep the page open until that work ends?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_waits: Option<bool>,
    /// Typical size of one message, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub message_bytes: Option<f64>,
    /// Server clients can take inbound HTTP calls (webhooks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receives_webhooks: Option<bool>,
    /// A client message needs an answer on the channel (bids, commands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<bool>,
    /// Do the channels a client listens to change during a session?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<Subscriptions>,
    /// Does every viewer get the same data (broadcast), their own (per-user), or both?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    /// What the feature uses today: turns on the fit audit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_transport: Option<CurrentTransport>,
    /// A waiver for the fit audit (`advise --check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<Accept>,
}

impl Profile {
    /// A profile with only the required fields; everything else unknown.
    pub fn new(name: impl Into<String>, direction: Direction) -> Self {
        Profile {
            name: name.into(),
            direction,
            client_messages_per_minute: None,
            payload: None,
            round_trip_ms: None,
            update_interval_s: None,
            max_delay_s: None,
            runtime: None,
            path: None,
            http2: None,
            auth: None,
            clients: None,
            locked_down_networks: None,
            presence: None,
            hidden_tab_delivery: None,
            resume: None,
            concurrent_clients: None,
            streams_per_client: None,
            job_duration_s: None,
            user_waits: None,
            message_bytes: None,
            receives_webhooks: None,
            replies: None,
            subscriptions: None,
            audience: None,
            current_transport: None,
            accept: None,
        }
    }
}

/// The kind of value a profile field holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldKind {
    Text,
    Choice(&'static [&'static str]),
    /// A finite number; `exclusive` means the minimum itself is not allowed.
    Number {
        min: f64,
        exclusive: bool,
    },
    /// A whole number >= min.
    Count {
        min: u64,
    },
    YesNo,
    Runtime,
    Path,
    Clients,
}

/// One field of profile v1.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// One line for `init`, the README and the interview.
    pub doc: &'static str,
}

pub const DIRECTIONS: &[&str] = &["server-to-client", "client-to-server", "bidirectional"];
pub const PAYLOADS: &[&str] = &["text", "binary"];
pub const AUTHS: &[&str] = &["cookie", "bearer-token", "query-token", "mtls", "none"];
pub const CLIENTS: &[&str] = &["browser", "mobile", "desktop", "server", "iot"];
pub const SUBSCRIPTIONS: &[&str] = &["fixed", "changing"];
pub const AUDIENCES: &[&str] = &["broadcast", "per-user", "mixed"];
pub const CURRENT: &[&str] = &["sse", "websocket", "polling", "long-polling", "queue"];

const POSITIVE: FieldKind = FieldKind::Number {
    min: 0.0,
    exclusive: true,
};

/// Every field of profile v1, in SPEC.md order.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "name",
        kind: FieldKind::Text,
        required: true,
        doc: "free text naming the feature",
    },
    FieldSpec {
        name: "direction",
        kind: FieldKind::Choice(DIRECTIONS),
        required: true,
        doc: "which way data flows once connected",
    },
    FieldSpec {
        name: "client_messages_per_minute",
        kind: FieldKind::Number {
            min: 0.0,
            exclusive: false,
        },
        required: false,
        doc: "how often one client sends data once connected (>= 0)",
    },
    FieldSpec {
        name: "payload",
        kind: FieldKind::Choice(PAYLOADS),
        required: false,
        doc: "text or binary frames",
    },
    FieldSpec {
        name: "round_trip_ms",
        kind: POSITIVE,
        required: false,
        doc: "tightest client->server->client budget in ms (> 0); omit if none",
    },
    FieldSpec {
        name: "update_interval_s",
        kind: POSITIVE,
        required: false,
        doc: "typical gap between new pieces of server data, in seconds (> 0)",
    },
    FieldSpec {
        name: "max_delay_s",
        kind: POSITIVE,
        required: false,
        doc: "longest a user may wait to see new data, in seconds (> 0)",
    },
    FieldSpec {
        name: "runtime",
        kind: FieldKind::Runtime,
        required: false,
        doc: "where the server code runs",
    },
    FieldSpec {
        name: "path",
        kind: FieldKind::Path,
        required: false,
        doc: "intermediaries from client to app, outermost first",
    },
    FieldSpec {
        name: "http2",
        kind: FieldKind::YesNo,
        required: false,
        doc: "does HTTP/2 reach the browser end to end",
    },
    FieldSpec {
        name: "auth",
        kind: FieldKind::Choice(AUTHS),
        required: false,
        doc: "how clients authenticate",
    },
    FieldSpec {
        name: "clients",
        kind: FieldKind::Clients,
        required: false,
        doc: "kinds of clients that connect",
    },
    FieldSpec {
        name: "locked_down_networks",
        kind: FieldKind::YesNo,
        required: false,
        doc: "users behind corporate proxies that may strip Upgrade",
    },
    FieldSpec {
        name: "presence",
        kind: FieldKind::YesNo,
        required: false,
        doc: "must users see who else is online",
    },
    FieldSpec {
        name: "hidden_tab_delivery",
        kind: FieldKind::YesNo,
        required: false,
        doc: "must events reach a client not in the foreground (hidden or closed tab, backgrounded app)",
    },
    FieldSpec {
        name: "resume",
        kind: FieldKind::YesNo,
        required: false,
        doc: "must missed events be replayed after a reconnect",
    },
    FieldSpec {
        name: "concurrent_clients",
        kind: FieldKind::Count { min: 0 },
        required: false,
        doc: "peak open connections",
    },
    FieldSpec {
        name: "streams_per_client",
        kind: FieldKind::Count { min: 1 },
        required: false,
        doc: "concurrent real-time streams one page opens",
    },
    FieldSpec {
        name: "job_duration_s",
        kind: POSITIVE,
        required: false,
        doc: "how long the server work behind an update takes, in seconds (> 0)",
    },
    FieldSpec {
        name: "user_waits",
        kind: FieldKind::YesNo,
        required: false,
        doc: "does the user keep the page open until that work ends",
    },
    FieldSpec {
        name: "message_bytes",
        kind: POSITIVE,
        required: false,
        doc: "typical size of one message, in bytes (> 0)",
    },
    FieldSpec {
        name: "receives_webhooks",
        kind: FieldKind::YesNo,
        required: false,
        doc: "server clients can take inbound HTTP calls (webhooks)",
    },
    FieldSpec {
        name: "replies",
        kind: FieldKind::YesNo,
        required: false,
        doc: "a client message needs an answer on the channel (bids, commands)",
    },
    FieldSpec {
        name: "subscriptions",
        kind: FieldKind::Choice(SUBSCRIPTIONS),
        required: false,
        doc: "fixed | changing: do the channels a client listens to change in a session",
    },
    FieldSpec {
        name: "audience",
        kind: FieldKind::Choice(AUDIENCES),
        required: false,
        doc: "broadcast | per-user | mixed: does every viewer get the same data",
    },
    FieldSpec {
        name: "current_transport",
        kind: FieldKind::Choice(CURRENT),
        required: false,
        doc: "what the feature uses today: turns on the fit audit",
    },
];

/// Fields an inline hop may carry.
pub const HOP_FIELDS: &[(&str, FieldKind)] = &[
    ("name", FieldKind::Text),
    ("idle_timeout_s", POSITIVE),
    ("lifetime_s", POSITIVE),
    ("buffers", FieldKind::YesNo),
    ("websocket", FieldKind::YesNo),
    ("sse", FieldKind::YesNo),
    ("http2", FieldKind::YesNo),
];

/// A valid calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
        && s.bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock.
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

pub fn field(name: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|f| f.name == name)
}
