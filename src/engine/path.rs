//! The path a connection takes, client to app, as the chosen transport meets it:
//! each hop (outermost first), the hops the runtime puts in front of the app, and
//! the runtime, with the properties the transport depends on (the catalogue's
//! `path:` for it) and what is wrong with them. The path diagrams draw this; they
//! decide nothing themselves.

use super::capacity::LimitStatus;
use super::facts::{known_hop_timeouts, runtime_caps, slug};
use super::Decision;
use crate::profile::{Hop, Profile};
use crate::rules::{Knowledge, PathConcern};

/// The path as the recommended transport meets it.
#[derive(Debug, Clone, PartialEq)]
pub struct PathView {
    /// The transport the path is seen for (`None` when none is viable).
    pub transport: Option<String>,
    /// Its display name ("Server-Sent Events").
    pub transport_name: String,
    /// Client kinds (`browser`, `mobile`, …); empty when the profile does not say.
    pub clients: Vec<String>,
    /// Whether the profile names its path (`path:`); hops may be missing otherwise.
    pub path_known: bool,
    /// Hops outermost first, then the runtime's own hops, then the runtime.
    pub nodes: Vec<Node>,
    /// The heartbeat the recommendation asks for.
    pub heartbeat_s: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A hop from the profile's path.
    Hop,
    /// A hop the runtime always puts in front of the app (API Gateway for Lambda).
    Implied,
    /// Where the server code runs.
    Runtime,
}

/// One property as the diagram shows it: `None` when the transport does not
/// depend on it, `Some(None)` when it matters but nobody knows it.
pub type Shown<T> = Option<Option<T>>;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The knowledge id, or a slug of an inline hop's name.
    pub id: String,
    /// The name to show (user text for inline hops: escape it).
    pub name: String,
    pub kind: NodeKind,
    pub idle_s: Shown<f64>,
    pub lifetime_s: Shown<f64>,
    /// Buffers responses (streaming concern).
    pub buffers: Shown<bool>,
    /// Carries an event stream at all (streaming concern; runtimes: can stream).
    pub streams: Shown<bool>,
    /// Passes the WebSocket Upgrade (runtimes: support is documented).
    pub upgrade: Shown<bool>,
    pub http2: Shown<bool>,
    /// How the runtime serves WebSockets (`native`, `managed`, `capped`, …).
    pub websocket_support: Option<String>,
    /// Its capacity limits that this workload's load needs action on.
    pub limits: Vec<NodeLimit>,
    pub marks: Vec<Mark>,
}

/// A capacity limit of a node that needs action (from the decision's capacity).
#[derive(Debug, Clone, PartialEq)]
pub struct NodeLimit {
    pub what: String,
    pub limit: f64,
    pub load: Option<f64>,
    pub status: LimitStatus,
}

/// What is wrong with (or decisive about) a node, for the chosen transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Holds a streamed response back (the stream needs buffering turned off).
    Buffers,
    /// Cannot carry an event stream at all.
    NoStreams,
    /// Does not pass the Upgrade (or the runtime documents no WebSockets).
    BlocksUpgrade,
    /// Its idle timeout is the smallest on the path: it sets the heartbeat.
    SetsHeartbeat,
    /// The load is over one of its limits even at the highest setting.
    OverLimit,
}

impl Mark {
    /// A problem to fix, rather than a fact to design for.
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            Mark::Buffers | Mark::NoStreams | Mark::BlocksUpgrade | Mark::OverLimit
        )
    }
}

/// The path of `p` as `d`'s recommended transport meets it.
pub fn view(k: &Knowledge, p: &Profile, d: &Decision) -> PathView {
    let transport = d.recommendation.transport.map(str::to_string);
    let info = transport.as_deref().and_then(|t| k.transport(t));
    let concerns: Vec<PathConcern> = info.map(|t| t.path.clone()).unwrap_or_default();
    let show = |c: PathConcern| concerns.contains(&c);
    let ws = show(PathConcern::Upgrade);
    let mut nodes = Vec::new();
    for hop in p.path.iter().flatten() {
        if let Some(n) = hop_node(k, hop, NodeKind::Hop, ws, &show) {
            nodes.push(n);
        }
    }
    let runtime = p.runtime.as_deref().and_then(|id| k.runtime(id));
    if let Some(rt) = runtime {
        for id in &rt.implies {
            if !nodes.iter().any(|n| &n.id == id) {
                if let Some(n) =
                    hop_node(k, &Hop::Known(id.to_string()), NodeKind::Implied, ws, &show)
                {
                    nodes.push(n);
                }
            }
        }
        let (idle, life) = runtime_caps(rt, ws);
        let support = rt.websocket.as_ref().map(|(s, _)| s.to_string());
        nodes.push(Node {
            id: rt.id.to_string(),
            name: rt.name.to_string(),
            kind: NodeKind::Runtime,
            idle_s: show(PathConcern::IdleTimeout).then_some(idle),
            lifetime_s: show(PathConcern::Lifetime).then_some(life),
            buffers: None,
            streams: show(PathConcern::Streaming).then_some(rt.streaming.as_ref().map(|c| c.value)),
            upgrade: show(PathConcern::Upgrade)
                .then_some(support.as_deref().map(|s| s != "undocumented")),
            http2: None,
            websocket_support: support.filter(|_| ws),
            limits: Vec::new(),
            marks: Vec::new(),
        });
    }
    for n in &mut nodes {
        n.limits = d
            .capacity
            .limits
            .iter()
            .filter(|l| {
                l.on == n.name && !matches!(l.status, LimitStatus::Ok | LimitStatus::Unknown)
            })
            .map(|l| NodeLimit {
                what: l.what.to_string(),
                limit: l.limit,
                load: l.load,
                status: l.status,
            })
            .collect();
    }
    let heartbeat_s = d.recommendation.heartbeat_s;
    mark(&mut nodes, heartbeat_s);
    PathView {
        transport_name: info.map_or_else(
            || transport.clone().unwrap_or_default(),
            |t| t.name.to_string(),
        ),
        transport,
        clients: p
            .clients
            .iter()
            .flatten()
            .map(super::facts::enum_word)
            .collect(),
        path_known: p.path.is_some(),
        nodes,
        heartbeat_s,
    }
}

fn hop_node(
    k: &Knowledge,
    hop: &Hop,
    kind: NodeKind,
    ws: bool,
    show: &dyn Fn(PathConcern) -> bool,
) -> Option<Node> {
    let (id, name, idle, life, buffers, streams, upgrade, http2) = match hop {
        Hop::Known(id) => {
            let h = k.hop(id)?;
            let (idle, life) = known_hop_timeouts(h, ws);
            let cap = |c: &Option<crate::rules::Capability>| c.as_ref().map(|c| c.value);
            (
                h.id.to_string(),
                h.name.to_string(),
                idle,
                life,
                cap(&h.buffering),
                cap(&h.sse),
                cap(&h.websocket),
                cap(&h.http2),
            )
        }
        Hop::Inline(h) => (
            slug(&h.name),
            h.name.clone(),
            h.idle_timeout_s,
            h.lifetime_s,
            h.buffers,
            h.sse,
            h.websocket,
            h.http2,
        ),
    };
    // A hop that says nothing of SSE but does not buffer carries a stream; one that
    // buffers carries it only once buffering is off: both are known answers.
    let streams = streams.or(buffers.map(|_| true));
    Some(Node {
        id,
        name,
        kind,
        idle_s: show(PathConcern::IdleTimeout).then_some(idle),
        lifetime_s: show(PathConcern::Lifetime).then_some(life),
        buffers: show(PathConcern::Streaming).then_some(buffers),
        streams: show(PathConcern::Streaming).then_some(streams),
        upgrade: show(PathConcern::Upgrade).then_some(upgrade),
        http2: show(PathConcern::Http2).then_some(http2),
        websocket_support: None,
        limits: Vec::new(),
        marks: Vec::new(),
    })
}

/// Marks what is wrong, and the idle timeout that sets the heartbeat.
fn mark(nodes: &mut [Node], heartbeat_s: Option<f64>) {
    let smallest_idle = nodes
        .iter()
        .filter_map(|n| n.idle_s.flatten())
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.min(s))));
    for n in nodes.iter_mut() {
        let mut marks = Vec::new();
        if n.streams == Some(Some(false)) {
            marks.push(Mark::NoStreams);
        } else if n.buffers == Some(Some(true)) {
            marks.push(Mark::Buffers);
        }
        if n.upgrade == Some(Some(false)) {
            marks.push(Mark::BlocksUpgrade);
        }
        if heartbeat_s.is_some() && smallest_idle.is_some() && n.idle_s.flatten() == smallest_idle {
            marks.push(Mark::SetsHeartbeat);
        }
        if n.limits.iter().any(|l| l.status == LimitStatus::Exceeded) {
            marks.push(Mark::OverLimit);
        }
        n.marks = marks;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    fn decide<'k>(k: &'k Knowledge, yaml: &str) -> (Profile, Decision<'k>) {
        let p = crate::profile::parse_profile(yaml, &k.hop_ids()).unwrap();
        let d = Engine::new(k).decide(&p, "t");
        (p, d)
    }

    const CHAT: &str = "name: c\ndirection: server-to-client\nupdate_interval_s: 0.5\nmax_delay_s: 1\nruntime: container\npath: [corporate-proxy, nginx]\n";

    #[test]
    fn an_sse_stream_sees_buffering_and_the_heartbeat_a_websocket_sees_the_upgrade() {
        let k = Knowledge::embedded().unwrap();
        let (p, mut d) = decide(&k, CHAT);
        d.recommendation.transport = Some("sse");
        d.recommendation.heartbeat_s = Some(25.0);
        let v = view(&k, &p, &d);
        let ids: Vec<&str> = v.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["corporate-proxy", "nginx", "container"]);
        let nginx = &v.nodes[1];
        assert_eq!(nginx.idle_s, Some(Some(60.0)));
        assert!(nginx.marks.contains(&Mark::Buffers), "{nginx:?}");
        assert!(nginx.marks.contains(&Mark::SetsHeartbeat));
        assert_eq!(nginx.upgrade, None, "SSE does not care about the Upgrade");
        assert_eq!(v.nodes[2].kind, NodeKind::Runtime);

        d.recommendation.transport = Some("websocket");
        let v = view(&k, &p, &d);
        let proxy = &v.nodes[0];
        assert_eq!(proxy.upgrade, Some(Some(false)));
        assert!(proxy.marks.contains(&Mark::BlocksUpgrade));
        assert_eq!(
            proxy.buffers, None,
            "a socket does not care about buffering"
        );
        assert!(!v.nodes[1].marks.contains(&Mark::Buffers));

        // A hop that cannot carry an event stream at all says so, not "buffers".
        let afd = CHAT.replace("[corporate-proxy, nginx]", "[azure-front-door]");
        let (p2, mut d2) = decide(&k, &afd);
        d2.recommendation.transport = Some("sse");
        let front = &view(&k, &p2, &d2).nodes[0];
        assert_eq!(front.marks, vec![Mark::NoStreams], "{front:?}");

        // Polling depends on none of it: the hops are drawn, nothing is marked.
        d.recommendation.transport = Some("polling");
        let v = view(&k, &p, &d);
        assert!(v
            .nodes
            .iter()
            .all(|n| n.marks.is_empty() && n.idle_s.is_none()));
    }

    #[test]
    fn the_runtime_adds_its_hops_and_an_unknown_path_says_so() {
        let k = Knowledge::embedded().unwrap();
        let yaml = "name: l\ndirection: server-to-client\nupdate_interval_s: 5\nmax_delay_s: 5\nruntime: heroku\n";
        let (p, d) = decide(&k, yaml);
        let v = view(&k, &p, &d);
        assert!(!v.path_known);
        let kinds: Vec<NodeKind> = v.nodes.iter().map(|n| n.kind).collect();
        assert_eq!(kinds.last(), Some(&NodeKind::Runtime));
        assert!(kinds.contains(&NodeKind::Implied), "{:?}", v.nodes);
    }
}
