//! Filling the rule variables for one profile: its fields, plus what the platform
//! knowledge says about its runtime and the hops on its path.

use super::capacity::{self, Capacity};
use crate::profile::{Hop, Profile};
use crate::rules::cond::{Lookup, Val};
use crate::rules::vars::{self, Scope, VarId, VARS};
use crate::rules::{Knowledge, Limit, Policy};

/// Variable values for one profile, and one set per hop on the path.
#[derive(Debug, Clone)]
pub struct Facts {
    pub vals: Vec<Val>,
    pub hops: Vec<HopFacts>,
    /// Source ids of the platform facts in play (runtime and hops).
    pub sources: Vec<String>,
    /// Connections, rates and the limits they were checked against.
    pub capacity: Capacity,
}

#[derive(Debug, Clone)]
pub struct HopFacts {
    pub vals: Vec<(VarId, Val)>,
}

/// Lookup for one hop: hop variables from the hop, the rest from the profile.
pub struct HopEnv<'a> {
    pub facts: &'a Facts,
    pub hop: &'a HopFacts,
}

impl Lookup for Facts {
    fn get(&self, var: VarId) -> &Val {
        self.vals.get(var).unwrap_or(&Val::Unknown)
    }
}

impl Lookup for HopEnv<'_> {
    fn get(&self, var: VarId) -> &Val {
        if VARS[var].scope == Scope::Hop {
            self.hop
                .vals
                .iter()
                .find(|(v, _)| *v == var)
                .map_or(&Val::Unknown, |(_, x)| x)
        } else {
            self.facts.get(var)
        }
    }
}

fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Val) -> Val {
    v.map_or(Val::Unknown, f)
}

fn num(v: Option<f64>) -> Val {
    opt(v, Val::Num)
}

fn flag(v: Option<bool>) -> Val {
    opt(v, Val::Bool)
}

fn word<T: serde::Serialize>(v: Option<T>) -> Val {
    opt(v, |x| Val::Word(enum_word(&x)))
}

/// The kebab-case word serde writes for an enum value.
pub fn enum_word<T: serde::Serialize>(x: &T) -> String {
    match serde_json::to_value(x) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn text(v: Option<&String>) -> Val {
    v.map_or(Val::Absent, |s| Val::Text(s.clone()))
}

/// What one hop contributes, known or described inline.
struct HopView<'k> {
    id: String,
    name: String,
    inline: bool,
    idle: Option<f64>,
    idle_setting: Option<String>,
    idle_fix: Option<String>,
    lifetime: Option<f64>,
    lifetime_setting: Option<String>,
    lifetime_fix: Option<String>,
    limits: &'k [Limit],
    buffers: Option<bool>,
    buffering_fix: Option<String>,
    websocket: Option<bool>,
    websocket_setup: Option<String>,
    sse: Option<bool>,
    http2: Option<bool>,
}

/// `ws`: the view a WebSocket gets (hops may time sockets differently from streams).
fn hop_view<'k>(
    k: &'k Knowledge,
    hop: &Hop,
    ws: bool,
    sources: &mut Vec<String>,
) -> Option<HopView<'k>> {
    match hop {
        Hop::Known(id) => {
            let h = k.hop(id)?;
            sources.extend(h.sources().into_iter().map(String::from));
            let pick = |own: &'k Option<crate::rules::Timeout>,
                        ws_own: &'k Option<crate::rules::Timeout>| {
                if ws {
                    ws_own.as_ref().or(own.as_ref())
                } else {
                    own.as_ref()
                }
            };
            let idle = pick(&h.idle_timeout, &h.websocket_idle_timeout);
            let life = pick(&h.lifetime, &h.websocket_lifetime);
            Some(HopView {
                id: h.id.clone(),
                name: h.name.clone(),
                inline: false,
                idle: idle.map(|t| t.seconds),
                idle_setting: idle.and_then(|t| t.setting.clone()),
                idle_fix: idle.and_then(|t| t.fix.clone()),
                lifetime: life.map(|t| t.seconds),
                lifetime_setting: life.and_then(|t| t.setting.clone()),
                lifetime_fix: life.and_then(|t| t.fix.clone()),
                limits: &h.limits,
                buffers: h.buffering.as_ref().map(|c| c.value),
                buffering_fix: h.buffering.as_ref().and_then(|c| c.how.clone()),
                websocket: h.websocket.as_ref().map(|c| c.value),
                websocket_setup: h.websocket.as_ref().and_then(|c| c.how.clone()),
                sse: h.sse.as_ref().map(|c| c.value),
                http2: h.http2.as_ref().map(|c| c.value),
            })
        }
        Hop::Inline(h) => Some(HopView {
            id: slug(&h.name),
            name: h.name.clone(),
            inline: true,
            idle: h.idle_timeout_s,
            idle_setting: h.idle_timeout_s.map(|_| "its idle timeout".to_string()),
            idle_fix: h
                .idle_timeout_s
                .map(|_| format!("raise {}'s idle timeout", h.name)),
            lifetime: h.lifetime_s,
            lifetime_setting: h.lifetime_s.map(|_| "its request timeout".to_string()),
            lifetime_fix: h.lifetime_s.map(|_| {
                format!(
                    "raise {}'s request timeout for streaming routes, and make clients reconnect",
                    h.name
                )
            }),
            limits: &[],
            buffers: h.buffers,
            buffering_fix: h.buffers.filter(|b| *b).map(|_| {
                format!(
                    "turn response buffering off on {} for the stream's route",
                    h.name
                )
            }),
            websocket: h.websocket,
            websocket_setup: h
                .websocket
                .filter(|w| *w)
                .map(|_| format!("let {} pass the Upgrade and Connection headers", h.name)),
            sse: h.sse,
            http2: h.http2,
        }),
    }
}

/// A hop's name, idle timeout and lifetime as a stream (or a WebSocket, `ws`) meets
/// them: what [`hop_view`] says of them, without the rest.
fn hop_timeouts<'a>(
    k: &'a Knowledge,
    hop: &'a Hop,
    ws: bool,
) -> Option<(&'a str, Option<f64>, Option<f64>)> {
    match hop {
        Hop::Known(id) => {
            let h = k.hop(id)?;
            let (idle, life) = known_hop_timeouts(h, ws);
            Some((&h.name, idle, life))
        }
        Hop::Inline(h) => Some((&h.name, h.idle_timeout_s, h.lifetime_s)),
    }
}

pub(crate) fn known_hop_timeouts(
    h: &crate::rules::HopInfo,
    ws: bool,
) -> (Option<f64>, Option<f64>) {
    let pick = |own: &Option<crate::rules::Timeout>, ws_own: &Option<crate::rules::Timeout>| {
        let t = if ws {
            ws_own.as_ref().or(own.as_ref())
        } else {
            own.as_ref()
        };
        t.map(|t| t.seconds)
    };
    (
        pick(&h.idle_timeout, &h.websocket_idle_timeout),
        pick(&h.lifetime, &h.websocket_lifetime),
    )
}

/// A safe id from a free-text hop name.
pub(crate) fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        "inline-hop".into()
    } else {
        s
    }
}

/// Kleene OR over hops of "this hop has property X", unknown hops counting as unknown.
fn any_hop(views: &[HopView<'_>], path_known: bool, f: impl Fn(&HopView) -> Option<bool>) -> Val {
    let mut unknown = !path_known;
    for v in views {
        match f(v) {
            Some(true) => return Val::Bool(true),
            Some(false) => {}
            None => unknown = true,
        }
    }
    if unknown {
        Val::Unknown
    } else {
        Val::Bool(false)
    }
}

/// Kleene AND over hops.
fn all_hops(views: &[HopView<'_>], path_known: bool, f: impl Fn(&HopView) -> Option<bool>) -> Val {
    match any_hop(views, path_known, |v| f(v).map(|b| !b)) {
        Val::Bool(b) => Val::Bool(!b),
        other => other,
    }
}

/// A heartbeat interval safely under the smallest idle timeout: a fraction of it,
/// rounded down to a readable step, within the policy's bounds, and always strictly
/// under the timeout itself (even for absurdly short ones).
pub fn heartbeat_s(policy: &Policy, min_idle: Option<f64>) -> f64 {
    let Some(idle) = min_idle else {
        return policy.heartbeat_default_s;
    };
    let raw = idle * policy.heartbeat_fraction;
    let stepped = if raw >= policy.heartbeat_step_s * 2.0 {
        (raw / policy.heartbeat_step_s).floor() * policy.heartbeat_step_s
    } else if raw >= 1.0 {
        raw.floor()
    } else {
        (raw * 10.0).floor() / 10.0
    };
    let bounded = stepped.clamp(policy.heartbeat_min_s, policy.heartbeat_max_s);
    if bounded < idle {
        bounded
    } else {
        raw
    }
}

/// The hops: the profile's path, then any the runtime always puts in front of the app.
fn hop_views<'k>(
    k: &'k Knowledge,
    p: &Profile,
    runtime: Option<&'k crate::rules::Runtime>,
    ws: bool,
    sources: &mut Vec<String>,
) -> Vec<HopView<'k>> {
    let mut views: Vec<HopView> = p
        .path
        .iter()
        .flatten()
        .filter_map(|h| hop_view(k, h, ws, sources))
        .collect();
    if let Some(rt) = runtime {
        for id in &rt.implies {
            if !views.iter().any(|v| &v.id == id) {
                if let Some(v) = hop_view(k, &Hop::Known(id.clone()), ws, sources) {
                    views.push(v);
                }
            }
        }
    }
    views
}

/// Every limit of the runtime and the hops, with the name of what sets it. A
/// quota the runtime and a hop both name (API Gateway's new-connection rate, seen
/// from Lambda and from the gateway) is one limit: checked and reported once.
fn owned_limits<'a>(
    runtime: Option<&'a crate::rules::Runtime>,
    views: &'a [HopView<'a>],
) -> Vec<(&'a str, &'a Limit)> {
    let mut owned: Vec<(&str, &Limit)> = Vec::new();
    let runtime_limits = runtime
        .into_iter()
        .flat_map(|rt| rt.limits.iter().map(move |l| (rt.name.as_str(), l)));
    let hop_limits = views
        .iter()
        .flat_map(|v| v.limits.iter().map(move |l| (v.name.as_str(), l)));
    for (on, l) in runtime_limits.chain(hop_limits) {
        if !owned.iter().any(|(_, seen)| seen.id == l.id) {
            owned.push((on, l));
        }
    }
    owned
}

/// The load fields: what a workload asks of its platform, and nothing else derives from.
pub(crate) const LOAD_FIELDS: &[&str] = &[
    "concurrent_clients",
    "streams_per_client",
    "update_interval_s",
    "max_delay_s",
];

/// The variables that depend on the load fields only (with the runtime and path),
/// written into `vals` as [`facts`] would: the load fields' own and the capacity
/// figures. For another value of a load field, this is all that changes.
pub(crate) fn load_vals(k: &Knowledge, p: &Profile, vals: &mut [Val]) {
    vals[var!("update_interval_s")] = num(p.update_interval_s);
    vals[var!("max_delay_s")] = num(p.max_delay_s);
    vals[var!("concurrent_clients")] = num(p.concurrent_clients.map(|n| n as f64));
    vals[var!("streams_per_client")] = num(p.streams_per_client.map(|n| n as f64));
    let runtime = p.runtime.as_deref().and_then(|id| k.runtime(id));
    let views = hop_views(k, p, runtime, false, &mut Vec::new());
    let cap = capacity::figures(&k.policy, p, &owned_limits(runtime, &views));
    capacity::set_vars(&cap, p, vals);
}

/// Computes every variable for a profile, as a stream (SSE, polling) meets the path.
pub fn facts(k: &Knowledge, p: &Profile) -> Facts {
    facts_as(k, p, false)
}

/// The same, with the timeouts a WebSocket meets when `ws` (advice for a WebSocket).
pub fn facts_as(k: &Knowledge, p: &Profile, ws: bool) -> Facts {
    facts_with(k, p, ws, true)
}

/// The variables only, for the flip analysis: the capacity's arithmetic lines (report
/// text that no variable holds) are left out.
pub(crate) fn facts_for_flips(k: &Knowledge, p: &Profile) -> Facts {
    facts_with(k, p, false, false)
}

fn facts_with(k: &Knowledge, p: &Profile, ws: bool, texts: bool) -> Facts {
    let mut vals = vec![Val::Unknown; VARS.len()];
    let mut sources = Vec::new();
    let set = |vals: &mut Vec<Val>, var: VarId, v: Val| vals[var] = v;
    set(&mut vals, var!("name"), Val::Text(p.name.clone()));
    set(
        &mut vals,
        var!("direction"),
        Val::Word(enum_word(&p.direction)),
    );
    set(
        &mut vals,
        var!("client_messages_per_minute"),
        num(p.client_messages_per_minute),
    );
    set(&mut vals, var!("payload"), word(p.payload));
    set(&mut vals, var!("round_trip_ms"), num(p.round_trip_ms));
    set(
        &mut vals,
        var!("update_interval_s"),
        num(p.update_interval_s),
    );
    set(&mut vals, var!("max_delay_s"), num(p.max_delay_s));
    set(
        &mut vals,
        var!("runtime"),
        opt(p.runtime.clone(), Val::Word),
    );
    set(
        &mut vals,
        var!("path"),
        opt(p.path.as_ref(), |hops| {
            Val::List(
                hops.iter()
                    .filter_map(|h| match h {
                        Hop::Known(id) => Some(id.clone()),
                        Hop::Inline(_) => None,
                    })
                    .collect(),
            )
        }),
    );
    set(&mut vals, var!("http2"), flag(p.http2));
    set(&mut vals, var!("auth"), word(p.auth));
    set(
        &mut vals,
        var!("clients"),
        opt(p.clients.as_ref(), |c| {
            Val::List(c.iter().map(enum_word).collect())
        }),
    );
    set(
        &mut vals,
        var!("locked_down_networks"),
        flag(p.locked_down_networks),
    );
    set(&mut vals, var!("presence"), flag(p.presence));
    set(
        &mut vals,
        var!("hidden_tab_delivery"),
        flag(p.hidden_tab_delivery),
    );
    set(&mut vals, var!("resume"), flag(p.resume));
    set(
        &mut vals,
        var!("concurrent_clients"),
        num(p.concurrent_clients.map(|n| n as f64)),
    );
    set(
        &mut vals,
        var!("streams_per_client"),
        num(p.streams_per_client.map(|n| n as f64)),
    );
    set(&mut vals, var!("job_duration_s"), num(p.job_duration_s));
    set(&mut vals, var!("user_waits"), flag(p.user_waits));
    set(&mut vals, var!("message_bytes"), num(p.message_bytes));
    set(
        &mut vals,
        var!("receives_webhooks"),
        flag(p.receives_webhooks),
    );
    set(&mut vals, var!("replies"), flag(p.replies));
    set(&mut vals, var!("subscriptions"), word(p.subscriptions));
    set(&mut vals, var!("audience"), word(p.audience));
    set(
        &mut vals,
        var!("current_transport"),
        word(p.current_transport),
    );

    let runtime = p.runtime.as_deref().and_then(|id| k.runtime(id));
    if let Some(rt) = runtime {
        sources.extend(rt.sources().into_iter().map(String::from));
        set(&mut vals, var!("runtime.name"), Val::Text(rt.name.clone()));
        set(&mut vals, var!("runtime.kind"), Val::Word(rt.kind.clone()));
        set(
            &mut vals,
            var!("runtime.websocket"),
            opt(rt.websocket.as_ref(), |(s, _)| Val::Word(s.clone())),
        );
        set(
            &mut vals,
            var!("runtime.websocket_note"),
            opt(rt.websocket.as_ref(), |(_, n)| Val::Text(n.text.clone())),
        );
        set(
            &mut vals,
            var!("runtime.streaming"),
            flag(rt.streaming.as_ref().map(|c| c.value)),
        );
        let managed_ws = matches!(rt.websocket.as_ref(), Some((s, _)) if s == "managed");
        let lt = if ws {
            rt.websocket_lifetime.as_ref().or(if managed_ws {
                None
            } else {
                rt.lifetime.as_ref()
            })
        } else {
            rt.lifetime.as_ref()
        };
        set(
            &mut vals,
            var!("runtime.lifetime_s"),
            lt.map_or(Val::Absent, |t| Val::Num(t.seconds)),
        );
        set(
            &mut vals,
            var!("runtime.lifetime_max_s"),
            lt.map_or(Val::Absent, |t| {
                Val::Num(t.max_seconds.unwrap_or(t.seconds))
            }),
        );
        set(
            &mut vals,
            var!("runtime.lifetime_setting"),
            text(lt.and_then(|t| t.setting.as_ref())),
        );
        set(
            &mut vals,
            var!("runtime.managed_service"),
            text(rt.managed_service.as_ref().map(|n| &n.text)),
        );
    }

    let path_known = p.path.is_some();
    let views = hop_views(k, p, runtime, ws, &mut sources);
    set(
        &mut vals,
        var!("path.buffers"),
        any_hop(&views, path_known, |v| v.buffers),
    );
    set(
        &mut vals,
        var!("path.websocket"),
        all_hops(&views, path_known, |v| v.websocket),
    );
    set(
        &mut vals,
        var!("path.sse"),
        all_hops(&views, path_known, |v| v.sse.or(Some(true))),
    );
    set(
        &mut vals,
        var!("path.http2"),
        all_hops(&views, path_known, |v| v.http2),
    );

    // Smallest idle timeout (gaps) and lifetime cap (total) across hops and runtime.
    let mut idle: Option<(f64, String)> = None;
    let mut life: Option<(f64, String)> = None;
    let consider = |slot: &mut Option<(f64, String)>, secs: Option<f64>, who: &str| {
        if let Some(s) = secs {
            if slot.as_ref().is_none_or(|(m, _)| s < *m) {
                *slot = Some((s, who.to_string()));
            }
        }
    };
    for v in &views {
        consider(&mut idle, v.idle, &v.name);
        consider(&mut life, v.lifetime, &v.name);
    }
    if let Some(rt) = runtime {
        let (rt_idle, rt_life) = runtime_caps(rt, ws);
        consider(&mut idle, rt_idle, &rt.name);
        consider(&mut life, rt_life, &rt.name);
    }
    // What a stream meets (whatever the view), for the heartbeat.
    let mut stream_idle: Option<(f64, String)> = None;
    for h in p.path.iter().flatten() {
        if let Some((name, idle, _)) = hop_timeouts(k, h, false) {
            consider(&mut stream_idle, idle, name);
        }
    }
    // What a WebSocket meets, for the scoring rules (whatever the view).
    let mut ws_idle: Option<(f64, String)> = None;
    let mut ws_life: Option<(f64, String)> = None;
    for h in p.path.iter().flatten() {
        if let Some((name, idle, life)) = hop_timeouts(k, h, true) {
            consider(&mut ws_idle, idle, name);
            consider(&mut ws_life, life, name);
        }
    }
    if let Some(rt) = runtime {
        for id in &rt.implies {
            if let Some(h) = k.hop(id) {
                let (idle, life) = known_hop_timeouts(h, true);
                consider(&mut ws_idle, idle, &h.name);
                consider(&mut ws_life, life, &h.name);
            }
        }
        let (rt_idle, rt_life) = runtime_caps(rt, true);
        consider(&mut ws_idle, rt_idle, &rt.name);
        consider(&mut ws_life, rt_life, &rt.name);
    }
    // Without a path, hops we cannot see may still have timeouts: unknown, not none.
    let none_or_unknown = if path_known {
        Val::Absent
    } else {
        Val::Unknown
    };
    let (idle_s, idle_hop) = match &idle {
        Some((s, who)) => (Val::Num(*s), Val::Text(who.clone())),
        None => (none_or_unknown.clone(), none_or_unknown.clone()),
    };
    let (life_s, life_hop) = match &life {
        Some((s, who)) => (Val::Num(*s), Val::Text(who.clone())),
        None => (none_or_unknown.clone(), none_or_unknown.clone()),
    };
    set(&mut vals, var!("path.min_idle_s"), idle_s);
    set(&mut vals, var!("path.min_idle_hop"), idle_hop);
    set(&mut vals, var!("path.min_lifetime_s"), life_s);
    set(&mut vals, var!("path.min_lifetime_hop"), life_hop);
    let absent_or = |x: &Option<(f64, String)>, num: bool| match x {
        Some((s, who)) => {
            if num {
                Val::Num(*s)
            } else {
                Val::Text(who.clone())
            }
        }
        None => none_or_unknown.clone(),
    };
    set(
        &mut vals,
        var!("path.ws_min_idle_s"),
        absent_or(&ws_idle, true),
    );
    set(
        &mut vals,
        var!("path.ws_min_lifetime_s"),
        absent_or(&ws_life, true),
    );
    set(
        &mut vals,
        var!("path.ws_min_lifetime_hop"),
        absent_or(&ws_life, false),
    );

    // Capacity: every limit of the runtime and the hops, against this workload's load.
    let limits = owned_limits(runtime, &views);
    let cap = if texts {
        capacity::compute(&k.policy, p, &limits)
    } else {
        capacity::figures(&k.policy, p, &limits)
    };
    capacity::set_vars(&cap, p, &mut vals);
    // The heartbeat stays strictly under every idle timeout on the path, whichever way
    // (stream or socket) a hop times the connection: one interval fits both.
    let mut any_idle = idle.as_ref().map(|(s, _)| *s);
    for (s, _) in [&ws_idle, &stream_idle].into_iter().flatten() {
        if any_idle.is_none_or(|m| *s < m) {
            any_idle = Some(*s);
        }
    }
    set(
        &mut vals,
        var!("heartbeat_s"),
        Val::Num(heartbeat_s(&k.policy, any_idle)),
    );

    let hops = views
        .into_iter()
        .map(|v| {
            let t = |s: Option<String>| s.map_or(Val::Absent, Val::Text);
            let n = |x: Option<f64>| x.map_or(Val::Absent, Val::Num);
            HopFacts {
                vals: vec![
                    (var!("hop.id"), Val::Text(v.id)),
                    (var!("hop.name"), Val::Text(v.name)),
                    (var!("hop.inline"), Val::Bool(v.inline)),
                    (var!("hop.idle_timeout_s"), n(v.idle)),
                    (var!("hop.idle_setting"), t(v.idle_setting)),
                    (var!("hop.idle_fix"), t(v.idle_fix)),
                    (var!("hop.lifetime_s"), n(v.lifetime)),
                    (var!("hop.lifetime_setting"), t(v.lifetime_setting)),
                    (var!("hop.lifetime_fix"), t(v.lifetime_fix)),
                    (var!("hop.buffers"), flag(v.buffers)),
                    (var!("hop.buffering_fix"), t(v.buffering_fix)),
                    (var!("hop.websocket"), flag(v.websocket)),
                    // No setup text: nothing to configure (unknown, so the setup gotcha stays quiet).
                    (
                        var!("hop.websocket_setup"),
                        v.websocket_setup.map_or(Val::Unknown, Val::Text),
                    ),
                    (var!("hop.sse"), flag(v.sse)),
                    (var!("hop.http2"), flag(v.http2)),
                ],
            }
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    sources.retain(|s| seen.insert(s.clone()));
    Facts {
        vals,
        hops,
        sources,
        capacity: cap,
    }
}

/// The runtime's idle and lifetime caps for a stream, or for a WebSocket (`ws`). Sockets
/// held by a managed service (API Gateway WebSocket, Web PubSub) are not bound by the
/// function's request caps, only by the service's own.
pub(crate) fn runtime_caps(rt: &crate::rules::Runtime, ws: bool) -> (Option<f64>, Option<f64>) {
    let secs = |t: &Option<crate::rules::Timeout>| t.as_ref().map(|t| t.seconds);
    if !ws {
        return (secs(&rt.idle_timeout), secs(&rt.lifetime));
    }
    let managed = matches!(rt.websocket.as_ref(), Some((s, _)) if s == "managed");
    let idle = secs(&rt.websocket_idle_timeout).or(if managed {
        None
    } else {
        secs(&rt.idle_timeout)
    });
    let life = secs(&rt.websocket_lifetime).or(if managed { None } else { secs(&rt.lifetime) });
    (idle, life)
}

/// Fills `{placeholders}` in a rule text.
pub fn render(text: &str, env: &dyn Lookup) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(after.len());
        match (after[len..].starts_with('}'), vars::var_id(&after[..len])) {
            (true, Some(var)) if len > 0 => {
                out.push_str(&env.get(var).display());
                rest = &after[len + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
