//! The variables rule conditions and texts may use: the profile's fields and
//! facts derived from the platform knowledge. Rules name them; the engine fills them.

use crate::profile::{AUDIENCES, AUTHS, CLIENTS, CURRENT, DIRECTIONS, PAYLOADS, SUBSCRIPTIONS};

/// What a variable holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VarType {
    Num,
    Bool,
    /// One of a closed set of words.
    Word(&'static [&'static str]),
    /// A runtime or hop id from the platform knowledge.
    Id,
    /// A list of ids (the `path`).
    IdList,
    /// A list of words from a closed set (`clients`).
    WordList(&'static [&'static str]),
    /// Free text: usable in `{placeholders}` and with `known`, not compared.
    Text,
}

/// Whether a variable exists for the whole profile or once per hop (`foreach: hop`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Profile,
    Hop,
}

#[derive(Debug, Clone, Copy)]
pub struct VarDef {
    pub name: &'static str,
    pub ty: VarType,
    pub scope: Scope,
    /// Profile fields whose value this variable depends on (for flips and unknowns).
    pub fields: &'static [&'static str],
    pub doc: &'static str,
}

/// Index into [`VARS`].
pub type VarId = usize;

pub const KINDS: &[&str] = &["container", "serverless", "edge"];
pub const WS_SUPPORT: &[&str] = &["native", "capped", "managed", "undocumented", "none"];

const fn v(
    name: &'static str,
    ty: VarType,
    fields: &'static [&'static str],
    doc: &'static str,
) -> VarDef {
    VarDef {
        name,
        ty,
        scope: Scope::Profile,
        fields,
        doc,
    }
}

const fn h(name: &'static str, ty: VarType, doc: &'static str) -> VarDef {
    VarDef {
        name,
        ty,
        scope: Scope::Hop,
        fields: &["path", "runtime"],
        doc,
    }
}

use VarType::*;

const RT: &[&str] = &["runtime"];
const PATH: &[&str] = &["path", "runtime"];
const CAP: &[&str] = &[
    "concurrent_clients",
    "streams_per_client",
    "update_interval_s",
    "max_delay_s",
    "path",
    "runtime",
];

/// Every variable, in a fixed order (their index is their [`VarId`]).
pub const VARS: &[VarDef] = &[
    v("name", Text, &["name"], "the profile's name"),
    v(
        "direction",
        Word(DIRECTIONS),
        &["direction"],
        "which way data flows",
    ),
    v(
        "client_messages_per_minute",
        Num,
        &["client_messages_per_minute"],
        "messages one client sends per minute",
    ),
    v("payload", Word(PAYLOADS), &["payload"], "text or binary"),
    v(
        "round_trip_ms",
        Num,
        &["round_trip_ms"],
        "tightest round-trip budget (ms)",
    ),
    v(
        "update_interval_s",
        Num,
        &["update_interval_s"],
        "gap between server updates (s)",
    ),
    v(
        "max_delay_s",
        Num,
        &["max_delay_s"],
        "longest a user may wait for new data (s)",
    ),
    v("runtime", Id, RT, "where the server code runs"),
    v(
        "path",
        IdList,
        &["path"],
        "ids of the known hops on the path",
    ),
    v("http2", Bool, &["http2"], "HTTP/2 end to end"),
    v("auth", Word(AUTHS), &["auth"], "how clients authenticate"),
    v(
        "clients",
        WordList(CLIENTS),
        &["clients"],
        "kinds of clients",
    ),
    v(
        "locked_down_networks",
        Bool,
        &["locked_down_networks"],
        "users behind corporate proxies",
    ),
    v(
        "presence",
        Bool,
        &["presence"],
        "users see who else is online",
    ),
    v(
        "hidden_tab_delivery",
        Bool,
        &["hidden_tab_delivery"],
        "events must reach background tabs",
    ),
    v(
        "resume",
        Bool,
        &["resume"],
        "missed events must be replayed",
    ),
    v(
        "concurrent_clients",
        Num,
        &["concurrent_clients"],
        "peak open connections",
    ),
    v(
        "streams_per_client",
        Num,
        &["streams_per_client"],
        "streams one page opens",
    ),
    v(
        "job_duration_s",
        Num,
        &["job_duration_s"],
        "how long the server work takes (s)",
    ),
    v(
        "user_waits",
        Bool,
        &["user_waits"],
        "the user keeps the page open until the work ends",
    ),
    v(
        "message_bytes",
        Num,
        &["message_bytes"],
        "typical size of one message (bytes)",
    ),
    v(
        "receives_webhooks",
        Bool,
        &["receives_webhooks"],
        "server clients can take inbound HTTP calls",
    ),
    v(
        "replies",
        Bool,
        &["replies"],
        "a client message needs an answer on the channel",
    ),
    v(
        "subscriptions",
        Word(SUBSCRIPTIONS),
        &["subscriptions"],
        "fixed or changing channels per session",
    ),
    v(
        "audience",
        Word(AUDIENCES),
        &["audience"],
        "broadcast, per-user or mixed data",
    ),
    v(
        "current_transport",
        Word(CURRENT),
        &["current_transport"],
        "what the feature uses today",
    ),
    v("runtime.name", Text, RT, "the runtime's display name"),
    v(
        "runtime.kind",
        Word(KINDS),
        RT,
        "container, serverless or edge",
    ),
    v(
        "runtime.websocket",
        Word(WS_SUPPORT),
        RT,
        "WebSocket support: native, capped, managed or none",
    ),
    v(
        "runtime.websocket_note",
        Text,
        RT,
        "what the platform says about WebSockets",
    ),
    v(
        "runtime.streaming",
        Bool,
        RT,
        "can stream a long HTTP response",
    ),
    v(
        "runtime.lifetime_s",
        Num,
        RT,
        "cap on a request's total lifetime (s)",
    ),
    v(
        "runtime.lifetime_max_s",
        Num,
        RT,
        "the highest that cap can be raised to (s)",
    ),
    v(
        "runtime.lifetime_setting",
        Text,
        RT,
        "the setting that controls that cap",
    ),
    v(
        "runtime.managed_service",
        Text,
        RT,
        "what to use for WebSockets on this runtime",
    ),
    v(
        "path.buffers",
        Bool,
        PATH,
        "some hop buffers responses by default",
    ),
    v(
        "path.websocket",
        Bool,
        PATH,
        "every hop passes the WebSocket Upgrade",
    ),
    v(
        "path.sse",
        Bool,
        PATH,
        "every hop lets Server-Sent Events through",
    ),
    v("path.http2", Bool, PATH, "every hop speaks HTTP/2"),
    v(
        "path.min_idle_s",
        Num,
        PATH,
        "smallest gap-based idle timeout on the path (s)",
    ),
    v("path.min_idle_hop", Text, PATH, "the hop with that timeout"),
    v(
        "path.min_lifetime_s",
        Num,
        PATH,
        "smallest total-lifetime cap on the path or runtime (s)",
    ),
    v(
        "path.min_lifetime_hop",
        Text,
        PATH,
        "the hop or runtime with that cap",
    ),
    v(
        "heartbeat_s",
        Num,
        PATH,
        "heartbeat interval strictly under the smallest idle timeout (s)",
    ),
    v(
        "path.ws_min_idle_s",
        Num,
        PATH,
        "smallest idle timeout a WebSocket meets on the path (s)",
    ),
    v(
        "path.ws_min_lifetime_s",
        Num,
        PATH,
        "smallest total-lifetime cap a WebSocket meets (s)",
    ),
    v(
        "path.ws_min_lifetime_hop",
        Text,
        PATH,
        "the hop or runtime with that WebSocket cap",
    ),
    v(
        "capacity.connections",
        Num,
        CAP,
        "open streams at peak: concurrent_clients x streams_per_client",
    ),
    v(
        "capacity.instances",
        Num,
        CAP,
        "instances the per-instance caps on the path call for",
    ),
    v(
        "capacity.poll_rps",
        Num,
        CAP,
        "requests per second if every client polls at max_delay_s",
    ),
    v(
        "capacity.fanout_per_s",
        Num,
        CAP,
        "messages per second the server sends to all clients",
    ),
    v(
        "capacity.reconnect_per_s",
        Num,
        CAP,
        "new connections per second when every client reconnects after a deploy",
    ),
    v(
        "capacity.websocket_over",
        Bool,
        CAP,
        "a fixed platform cap on WebSocket connections is exceeded",
    ),
    v(
        "capacity.websocket_over_text",
        Text,
        CAP,
        "which WebSocket cap, and by how much",
    ),
    v(
        "capacity.websocket_over_fix",
        Text,
        CAP,
        "how to get under that cap",
    ),
    v(
        "capacity.sse_over",
        Bool,
        CAP,
        "a fixed platform cap on streams (SSE) is exceeded",
    ),
    v(
        "capacity.sse_over_text",
        Text,
        CAP,
        "which stream cap, and by how much",
    ),
    v(
        "capacity.sse_over_fix",
        Text,
        CAP,
        "how to get under that cap",
    ),
    v(
        "capacity.reconnect_over",
        Bool,
        CAP,
        "a new-connections-per-second limit is below the reconnect burst after a deploy",
    ),
    v(
        "capacity.reconnect_text",
        Text,
        CAP,
        "which new-connection limit, and the burst against it",
    ),
    h("hop.id", Text, "the hop's id (inline hops: their name)"),
    h("hop.name", Text, "the hop's display name"),
    h(
        "hop.inline",
        Bool,
        "the hop is described inline in the profile",
    ),
    h(
        "hop.idle_timeout_s",
        Num,
        "the hop's gap-based idle timeout (s)",
    ),
    h("hop.idle_setting", Text, "the setting that controls it"),
    h("hop.idle_fix", Text, "what to do about it"),
    h("hop.lifetime_s", Num, "the hop's total-lifetime cap (s)"),
    h("hop.lifetime_setting", Text, "the setting that controls it"),
    h("hop.lifetime_fix", Text, "what to do about it"),
    h("hop.buffers", Bool, "the hop buffers responses by default"),
    h("hop.buffering_fix", Text, "how to turn buffering off"),
    h(
        "hop.websocket",
        Bool,
        "the hop passes the WebSocket Upgrade",
    ),
    h(
        "hop.websocket_setup",
        Text,
        "the configuration WebSockets need",
    ),
    h("hop.sse", Bool, "Server-Sent Events pass the hop"),
    h("hop.http2", Bool, "the hop speaks HTTP/2"),
];

pub fn var_id(name: &str) -> Option<VarId> {
    VARS.iter().position(|v| v.name == name)
}

/// The id of a variable, worked out at compile time: `const { must("name") }` fails
/// the build for a name that is not in [`VARS`].
pub(crate) const fn must(name: &str) -> VarId {
    let mut i = 0;
    while i < VARS.len() {
        if same_str(VARS[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("not a variable in VARS")
}

pub(crate) const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The id of a variable that must exist, for a name known only at run time (the
/// engine's own names go through [`must`], at compile time).
#[allow(dead_code)]
pub(crate) fn id(name: &str) -> VarId {
    var_id(name).unwrap_or_else(|| unreachable!("variable {name} is not in VARS"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_profile_fields_are_covered() {
        for (i, a) in VARS.iter().enumerate() {
            assert!(VARS[i + 1..].iter().all(|b| b.name != a.name), "{}", a.name);
        }
        for f in crate::profile::FIELDS {
            assert!(var_id(f.name).is_some(), "field {} has no variable", f.name);
        }
    }
}
