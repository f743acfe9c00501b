//! Filling the rule variables for one profile: its fields, plus what the platform
//! knowledge says about its runtime and the hops on its path.

use super::capacity::{self, Capacity};
use crate::profile::{Hop, Profile};
use crate::rules::cond::{Lookup, Val};
use crate::rules::vars::{self, Scope, VarId, VARS};
use crate::rules::{Knowledge, Kstr, Limit, Policy};
use std::borrow::Cow;

/// Variable values for one profile, and one set per hop on the path.
///
/// Words and texts are borrowed from the profile and the rules (`'a`): filling the
/// variables copies no string that is already written somewhere.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub vals: Vec<Val<'a>>,
    pub hops: Vec<HopFacts<'a>>,
    /// Source ids of the platform facts in play (runtime and hops).
    pub sources: Vec<&'a str>,
    /// Connections, rates and the limits they were checked against.
    pub capacity: Capacity,
}

#[derive(Debug, Clone)]
pub struct HopFacts<'a> {
    pub vals: Vec<(VarId, Val<'a>)>,
}

/// Lookup for one hop: hop variables from the hop, the rest from the profile.
pub struct HopEnv<'a, 'v> {
    pub facts: &'a Facts<'v>,
    pub hop: &'a HopFacts<'v>,
}

impl Lookup for Facts<'_> {
    fn get(&self, var: VarId) -> &Val<'_> {
        self.vals.get(var).unwrap_or(&Val::Unknown)
    }
}

impl Lookup for HopEnv<'_, '_> {
    fn get(&self, var: VarId) -> &Val<'_> {
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

fn opt<'a, T>(v: Option<T>, f: impl FnOnce(T) -> Val<'a>) -> Val<'a> {
    v.map_or(Val::Unknown, f)
}

fn num(v: Option<f64>) -> Val<'static> {
    opt(v, Val::Num)
}

fn flag(v: Option<bool>) -> Val<'static> {
    opt(v, Val::Bool)
}

fn word<T: serde::Serialize>(v: Option<T>) -> Val<'static> {
    opt(v, |x| Val::Word(word_of(&x)))
}

/// [`enum_word`], borrowed (serde's own `&'static str`) for a unit variant.
pub(crate) fn word_of<T: serde::Serialize>(x: &T) -> Cow<'static, str> {
    variant_word(x).map_or_else(|| Cow::Owned(enum_word(x)), Cow::Borrowed)
}

/// The kebab-case word serde writes for an enum value.
pub fn enum_word<T: serde::Serialize>(x: &T) -> String {
    if let Some(w) = variant_word(x) {
        return w.to_string();
    }
    match serde_json::to_value(x) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The word serde writes for a unit variant (what [`enum_word`] gives), read off the
/// serializer call without building a value; `None` for anything else.
pub(crate) fn variant_word<T: serde::Serialize + ?Sized>(x: &T) -> Option<&'static str> {
    x.serialize(VariantName).ok()
}

/// A serializer that accepts a unit variant only, and gives its name.
struct VariantName;

#[derive(Debug)]
struct NotUnitVariant;

impl std::fmt::Display for NotUnitVariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a unit variant")
    }
}

impl std::error::Error for NotUnitVariant {}

impl serde::ser::Error for NotUnitVariant {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotUnitVariant
    }
}

/// `fn name(self, _: T) -> Result<&'static str, NotUnitVariant>` refusing the value.
macro_rules! refuse {
    ($($name:ident($($ty:ty),*)),* $(,)?) => {$(
        fn $name(self, $(_: $ty),*) -> Result<&'static str, NotUnitVariant> {
            Err(NotUnitVariant)
        }
    )*};
}

impl serde::Serializer for VariantName {
    type Ok = &'static str;
    type Error = NotUnitVariant;
    type SerializeSeq = serde::ser::Impossible<&'static str, NotUnitVariant>;
    type SerializeTuple = serde::ser::Impossible<&'static str, NotUnitVariant>;
    type SerializeTupleStruct = serde::ser::Impossible<&'static str, NotUnitVariant>;
    type SerializeTupleVariant = serde::ser::Impossible<&'static str, NotUnitVariant>;
    type SerializeMap = serde::ser::Impossible<&'static str, NotUnitVariant>;
    type SerializeStruct = serde::ser::Impossible<&'static str, NotUnitVariant>;
    type SerializeStructVariant = serde::ser::Impossible<&'static str, NotUnitVariant>;

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<&'static str, NotUnitVariant> {
        Ok(variant)
    }

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );

    fn serialize_some<T: serde::Serialize + ?Sized>(
        self,
        _: &T,
    ) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotUnitVariant> {
        Err(NotUnitVariant)
    }
}

/// What one hop contributes, known or described inline (a known hop's texts are
/// borrowed from the knowledge; only an inline hop's are written).
struct HopView<'k> {
    id: Cow<'k, str>,
    name: &'k str,
    inline: bool,
    idle: Option<f64>,
    idle_setting: Option<Cow<'k, str>>,
    idle_fix: Option<Cow<'k, str>>,
    lifetime: Option<f64>,
    lifetime_setting: Option<Cow<'k, str>>,
    lifetime_fix: Option<Cow<'k, str>>,
    limits: &'k [Limit],
    buffers: Option<bool>,
    buffering_fix: Option<Cow<'k, str>>,
    websocket: Option<bool>,
    websocket_setup: Option<Cow<'k, str>>,
    sse: Option<bool>,
    http2: Option<bool>,
}

/// `ws`: the view a WebSocket gets (hops may time sockets differently from streams).
fn hop_view<'k>(
    k: &'k Knowledge,
    hop: &'k Hop,
    ws: bool,
    sources: &mut Vec<&'k str>,
) -> Option<HopView<'k>> {
    match hop {
        Hop::Known(id) => known_hop_view(k, id, ws, sources),
        Hop::Inline(h) => Some(HopView {
            id: Cow::Owned(slug(&h.name)),
            name: &h.name,
            inline: true,
            idle: h.idle_timeout_s,
            idle_setting: h.idle_timeout_s.map(|_| Cow::Borrowed("its idle timeout")),
            idle_fix: h
                .idle_timeout_s
                .map(|_| Cow::Owned(format!("raise {}'s idle timeout", h.name))),
            lifetime: h.lifetime_s,
            lifetime_setting: h.lifetime_s.map(|_| Cow::Borrowed("its request timeout")),
            lifetime_fix: h.lifetime_s.map(|_| {
                Cow::Owned(format!(
                    "raise {}'s request timeout for streaming routes, and make clients reconnect",
                    h.name
                ))
            }),
            limits: &[],
            buffers: h.buffers,
            buffering_fix: h.buffers.filter(|b| *b).map(|_| {
                Cow::Owned(format!(
                    "turn response buffering off on {} for the stream's route",
                    h.name
                ))
            }),
            websocket: h.websocket,
            websocket_setup: h.websocket.filter(|w| *w).map(|_| {
                Cow::Owned(format!(
                    "let {} pass the Upgrade and Connection headers",
                    h.name
                ))
            }),
            sse: h.sse,
            http2: h.http2,
        }),
    }
}

fn known_hop_view<'k>(
    k: &'k Knowledge,
    id: &str,
    ws: bool,
    sources: &mut Vec<&'k str>,
) -> Option<HopView<'k>> {
    let h = k.hop(id)?;
    sources.extend(h.sources());
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
    let text = |t: &'k Option<Kstr>| t.as_deref().map(Cow::Borrowed);
    Some(HopView {
        id: Cow::Borrowed(&h.id),
        name: &h.name,
        inline: false,
        idle: idle.map(|t| t.seconds),
        idle_setting: idle.and_then(|t| text(&t.setting)),
        idle_fix: idle.and_then(|t| text(&t.fix)),
        lifetime: life.map(|t| t.seconds),
        lifetime_setting: life.and_then(|t| text(&t.setting)),
        lifetime_fix: life.and_then(|t| text(&t.fix)),
        limits: &h.limits,
        buffers: h.buffering.as_ref().map(|c| c.value),
        buffering_fix: h.buffering.as_ref().and_then(|c| text(&c.how)),
        websocket: h.websocket.as_ref().map(|c| c.value),
        websocket_setup: h.websocket.as_ref().and_then(|c| text(&c.how)),
        sse: h.sse.as_ref().map(|c| c.value),
        http2: h.http2.as_ref().map(|c| c.value),
    })
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
fn any_hop(
    views: &[HopView<'_>],
    path_known: bool,
    f: impl Fn(&HopView) -> Option<bool>,
) -> Val<'static> {
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
fn all_hops(
    views: &[HopView<'_>],
    path_known: bool,
    f: impl Fn(&HopView) -> Option<bool>,
) -> Val<'static> {
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
    p: &'k Profile,
    runtime: Option<&'k crate::rules::Runtime>,
    ws: bool,
    sources: &mut Vec<&'k str>,
) -> Vec<HopView<'k>> {
    let mut views: Vec<HopView> = p
        .path
        .iter()
        .flatten()
        .filter_map(|h| hop_view(k, h, ws, sources))
        .collect();
    if let Some(rt) = runtime {
        for id in &rt.implies {
            if !views.iter().any(|v| v.id == id.as_str()) {
                if let Some(v) = known_hop_view(k, id, ws, sources) {
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
        .flat_map(|v| v.limits.iter().map(move |l| (v.name, l)));
    for (on, l) in runtime_limits.chain(hop_limits) {
        if !owned.iter().any(|(_, seen)| seen.id == l.id) {
            owned.push((on, l));
        }
    }
    owned
}

/// The variables only a known runtime sets (unknown without one).
const RUNTIME_VARS: &[VarId] = &[
    var!("runtime.name"),
    var!("runtime.kind"),
    var!("runtime.websocket"),
    var!("runtime.websocket_note"),
    var!("runtime.streaming"),
    var!("runtime.lifetime_s"),
    var!("runtime.lifetime_max_s"),
    var!("runtime.lifetime_setting"),
    var!("runtime.managed_service"),
];

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
#[cfg(test)]
pub(crate) fn load_vals(k: &Knowledge, p: &Profile, vals: &mut [Val]) {
    let basis = LoadBasis::new(k, p);
    load_vals_with(
        &k.policy,
        &capacity::Load::of(p),
        &basis.limits(),
        vals,
        true,
    );
}

/// [`load_vals`] for a load checked against the limits of a [`LoadBasis`]. Without
/// `texts`, text variables hold an empty text (what conditions read of a text is only
/// whether it is known: see [`capacity::set_load_vars`]).
pub(crate) fn load_vals_with(
    policy: &Policy,
    load: &capacity::Load,
    limits: &[(&str, &Limit)],
    vals: &mut [Val],
    texts: bool,
) {
    vals[var!("update_interval_s")] = num(load.update_interval_s);
    vals[var!("max_delay_s")] = num(load.max_delay_s);
    vals[var!("concurrent_clients")] = num(load.concurrent_clients.map(|n| n as f64));
    vals[var!("streams_per_client")] = num(load.streams_per_client.map(|n| n as f64));
    capacity::set_load_vars(policy, load, limits, vals, texts);
}

/// What a profile's runtime and path put in front of its load: worked out once, for
/// every other value of a load field the flip analysis tries.
pub(crate) struct LoadBasis<'k> {
    runtime: Option<&'k crate::rules::Runtime>,
    views: Vec<HopView<'k>>,
}

impl<'k> LoadBasis<'k> {
    pub(crate) fn new(k: &'k Knowledge, p: &'k Profile) -> Self {
        let runtime = p.runtime.as_deref().and_then(|id| k.runtime(id));
        LoadBasis {
            runtime,
            views: hop_views(k, p, runtime, false, &mut Vec::new()),
        }
    }

    /// Every limit with the name of what sets it, as [`facts`] checks them.
    pub(crate) fn limits(&self) -> Vec<(&str, &Limit)> {
        owned_limits(self.runtime, &self.views)
    }
}

/// Computes every variable for a profile, as a stream (SSE, polling) meets the path.
pub fn facts<'a>(k: &'a Knowledge, p: &'a Profile) -> Facts<'a> {
    facts_as(k, p, false)
}

/// The same, with the timeouts a WebSocket meets when `ws` (advice for a WebSocket).
pub fn facts_as<'a>(k: &'a Knowledge, p: &'a Profile, ws: bool) -> Facts<'a> {
    facts_with(k, p, ws, true, None)
}

/// [`facts_as`] for a WebSocket, given the profile's [`facts`]: the capacity is the
/// same whichever way the hops time a connection (the limits and the load do not
/// depend on it), so its figures are taken from `stream`, not worked out again (the
/// result's own `capacity` is left empty: `stream` has it).
pub(crate) fn websocket_facts<'a>(
    k: &'a Knowledge,
    p: &'a Profile,
    stream: &Facts<'_>,
) -> Facts<'a> {
    facts_with(k, p, true, true, Some(&stream.capacity))
}

/// The variables [`platform_vals`] writes, for a profile with another runtime or path
/// (texts left empty, as in [`facts_for_flips`]).
pub(crate) fn platform_vals_for_flips<'a>(k: &'a Knowledge, p: &'a Profile, vals: &mut [Val<'a>]) {
    platform_vals(k, p, false, false, None, vals, &mut Vec::new());
}

/// The variables only, for the flip analysis: the capacity's arithmetic lines (report
/// text that no variable holds) are left out.
pub(crate) fn facts_for_flips<'a>(k: &'a Knowledge, p: &'a Profile) -> Facts<'a> {
    facts_with(k, p, false, false, None)
}

/// `known_cap`: the profile's capacity, when already worked out (see
/// [`websocket_facts`]).
fn facts_with<'a>(
    k: &'a Knowledge,
    p: &'a Profile,
    ws: bool,
    texts: bool,
    known_cap: Option<&Capacity>,
) -> Facts<'a> {
    let mut vals: Vec<Val<'a>> = (0..VARS.len()).map(|_| Val::Unknown).collect();
    field_vals(p, &mut vals);
    let mut sources: Vec<&str> = Vec::new();
    let (views, cap) = platform_vals(k, p, ws, texts, known_cap, &mut vals, &mut sources);
    // The scoring rules read no hop variable and cite no source: the flip analysis
    // (`texts` off) needs neither.
    let hops = if texts {
        views.into_iter().map(hop_facts).collect()
    } else {
        Vec::new()
    };
    let mut unique: Vec<&str> = Vec::new();
    if texts {
        for s in sources {
            if !unique.contains(&s) {
                unique.push(s);
            }
        }
    }
    Facts {
        vals,
        hops,
        sources: unique,
        capacity: cap,
    }
}

/// The variables that are the profile's own fields, but for `runtime` and `path`
/// (see [`platform_vals`]).
fn field_vals<'a>(p: &'a Profile, vals: &mut [Val<'a>]) {
    let set = |vals: &mut [Val<'a>], var: VarId, v: Val<'a>| vals[var] = v;
    set(vals, var!("name"), Val::Text(Cow::Borrowed(&p.name)));
    set(vals, var!("direction"), Val::Word(word_of(&p.direction)));
    set(
        vals,
        var!("client_messages_per_minute"),
        num(p.client_messages_per_minute),
    );
    set(vals, var!("payload"), word(p.payload));
    set(vals, var!("round_trip_ms"), num(p.round_trip_ms));
    set(vals, var!("update_interval_s"), num(p.update_interval_s));
    set(vals, var!("max_delay_s"), num(p.max_delay_s));
    set(vals, var!("http2"), flag(p.http2));
    set(vals, var!("auth"), word(p.auth));
    set(
        vals,
        var!("clients"),
        opt(p.clients.as_ref(), |c| {
            Val::List(c.iter().map(word_of).collect())
        }),
    );
    set(
        vals,
        var!("locked_down_networks"),
        flag(p.locked_down_networks),
    );
    set(vals, var!("presence"), flag(p.presence));
    set(
        vals,
        var!("hidden_tab_delivery"),
        flag(p.hidden_tab_delivery),
    );
    set(vals, var!("resume"), flag(p.resume));
    set(
        vals,
        var!("concurrent_clients"),
        num(p.concurrent_clients.map(|n| n as f64)),
    );
    set(
        vals,
        var!("streams_per_client"),
        num(p.streams_per_client.map(|n| n as f64)),
    );
    set(vals, var!("job_duration_s"), num(p.job_duration_s));
    set(vals, var!("user_waits"), flag(p.user_waits));
    set(vals, var!("message_bytes"), num(p.message_bytes));
    set(vals, var!("receives_webhooks"), flag(p.receives_webhooks));
    set(vals, var!("replies"), flag(p.replies));
    set(vals, var!("subscriptions"), word(p.subscriptions));
    set(vals, var!("audience"), word(p.audience));
    set(vals, var!("current_transport"), word(p.current_transport));
}

/// The variables that depend on the runtime and the path (with the load, for the
/// capacity): `runtime`, `path`, `runtime.*`, `path.*`, `capacity.*`, `heartbeat_s`,
/// each written whatever it was. Also gives the hops and the capacity.
fn platform_vals<'k>(
    k: &'k Knowledge,
    p: &'k Profile,
    ws: bool,
    texts: bool,
    known_cap: Option<&Capacity>,
    vals: &mut [Val<'k>],
    sources: &mut Vec<&'k str>,
) -> (Vec<HopView<'k>>, Capacity) {
    let set = |vals: &mut [Val<'k>], var: VarId, v: Val<'k>| vals[var] = v;
    // Without `texts` (the flip analysis), a text is only known or not: an empty one
    // stands for it (see `flips::same_for_rules`).
    let say = |t: &'k str| Val::Text(Cow::Borrowed(if texts { t } else { "" }));
    let text = |t: Option<&'k Kstr>| t.map_or(Val::Absent, |t| say(t));
    let borrowed = |s: &'k str| Val::Word(Cow::Borrowed(s));
    set(vals, var!("runtime"), opt(p.runtime.as_deref(), borrowed));
    set(
        vals,
        var!("path"),
        opt(p.path.as_ref(), |hops| {
            Val::List(
                hops.iter()
                    .filter_map(|h| match h {
                        Hop::Known(id) => Some(Cow::Borrowed(id.as_str())),
                        Hop::Inline(_) => None,
                    })
                    .collect(),
            )
        }),
    );
    for var in RUNTIME_VARS {
        vals[*var] = Val::Unknown;
    }
    let runtime = p.runtime.as_deref().and_then(|id| k.runtime(id));
    if let Some(rt) = runtime {
        sources.extend(rt.sources());
        set(vals, var!("runtime.name"), say(&rt.name));
        set(vals, var!("runtime.kind"), borrowed(&rt.kind));
        set(
            vals,
            var!("runtime.websocket"),
            opt(rt.websocket.as_ref(), |(s, _)| borrowed(s)),
        );
        set(
            vals,
            var!("runtime.websocket_note"),
            opt(rt.websocket.as_ref(), |(_, n)| say(&n.text)),
        );
        set(
            vals,
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
            vals,
            var!("runtime.lifetime_s"),
            lt.map_or(Val::Absent, |t| Val::Num(t.seconds)),
        );
        set(
            vals,
            var!("runtime.lifetime_max_s"),
            lt.map_or(Val::Absent, |t| {
                Val::Num(t.max_seconds.unwrap_or(t.seconds))
            }),
        );
        set(
            vals,
            var!("runtime.lifetime_setting"),
            text(lt.and_then(|t| t.setting.as_ref())),
        );
        set(
            vals,
            var!("runtime.managed_service"),
            text(rt.managed_service.as_ref().map(|n| &n.text)),
        );
    }

    let path_known = p.path.is_some();
    let views = hop_views(k, p, runtime, ws, sources);
    set(
        vals,
        var!("path.buffers"),
        any_hop(&views, path_known, |v| v.buffers),
    );
    set(
        vals,
        var!("path.websocket"),
        all_hops(&views, path_known, |v| v.websocket),
    );
    set(
        vals,
        var!("path.sse"),
        all_hops(&views, path_known, |v| v.sse.or(Some(true))),
    );
    set(
        vals,
        var!("path.http2"),
        all_hops(&views, path_known, |v| v.http2),
    );

    // Smallest idle timeout (gaps) and lifetime cap (total) across hops and runtime.
    let mut idle: Option<(f64, &'k str)> = None;
    let mut life: Option<(f64, &'k str)> = None;
    fn consider<'a>(slot: &mut Option<(f64, &'a str)>, secs: Option<f64>, who: &'a str) {
        if let Some(s) = secs {
            if slot.as_ref().is_none_or(|(m, _)| s < *m) {
                *slot = Some((s, who));
            }
        }
    }
    for v in &views {
        consider(&mut idle, v.idle, v.name);
        consider(&mut life, v.lifetime, v.name);
    }
    if let Some(rt) = runtime {
        let (rt_idle, rt_life) = runtime_caps(rt, ws);
        consider(&mut idle, rt_idle, &rt.name);
        consider(&mut life, rt_life, &rt.name);
    }
    // What a stream meets (whatever the view), for the heartbeat.
    let mut stream_idle: Option<(f64, &str)> = None;
    for h in p.path.iter().flatten() {
        if let Some((name, idle, _)) = hop_timeouts(k, h, false) {
            consider(&mut stream_idle, idle, name);
        }
    }
    // What a WebSocket meets, for the scoring rules (whatever the view).
    let mut ws_idle: Option<(f64, &str)> = None;
    let mut ws_life: Option<(f64, &str)> = None;
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
        Some((s, who)) => (Val::Num(*s), say(who)),
        None => (none_or_unknown.clone(), none_or_unknown.clone()),
    };
    let (life_s, life_hop) = match &life {
        Some((s, who)) => (Val::Num(*s), say(who)),
        None => (none_or_unknown.clone(), none_or_unknown.clone()),
    };
    set(vals, var!("path.min_idle_s"), idle_s);
    set(vals, var!("path.min_idle_hop"), idle_hop);
    set(vals, var!("path.min_lifetime_s"), life_s);
    set(vals, var!("path.min_lifetime_hop"), life_hop);
    let absent_or = |x: &Option<(f64, &'k str)>, num: bool| match x {
        Some((s, who)) => {
            if num {
                Val::Num(*s)
            } else {
                say(who)
            }
        }
        None => none_or_unknown.clone(),
    };
    set(vals, var!("path.ws_min_idle_s"), absent_or(&ws_idle, true));
    set(
        vals,
        var!("path.ws_min_lifetime_s"),
        absent_or(&ws_life, true),
    );
    set(
        vals,
        var!("path.ws_min_lifetime_hop"),
        absent_or(&ws_life, false),
    );

    // Capacity: every limit of the runtime and the hops, against this workload's load.
    let limits = owned_limits(runtime, &views);
    let cap = if let Some(known) = known_cap.filter(|_| texts) {
        capacity::set_vars(known, p, vals);
        Capacity::default()
    } else if texts {
        let cap = capacity::compute(&k.policy, p, &limits);
        capacity::set_vars(&cap, p, vals);
        cap
    } else {
        let load = capacity::Load::of(p);
        capacity::set_load_vars(&k.policy, &load, &limits, vals, false);
        Capacity::default()
    };
    // The heartbeat stays strictly under every idle timeout on the path, whichever way
    // (stream or socket) a hop times the connection: one interval fits both.
    let mut any_idle = idle.as_ref().map(|(s, _)| *s);
    for (s, _) in [&ws_idle, &stream_idle].into_iter().flatten() {
        if any_idle.is_none_or(|m| *s < m) {
            any_idle = Some(*s);
        }
    }
    set(
        vals,
        var!("heartbeat_s"),
        Val::Num(heartbeat_s(&k.policy, any_idle)),
    );
    (views, cap)
}

fn hop_facts<'k>(v: HopView<'k>) -> HopFacts<'k> {
    let t = |s: Option<Cow<'k, str>>| s.map_or(Val::Absent, Val::Text);
    let n = |x: Option<f64>| x.map_or(Val::Absent, Val::Num);
    HopFacts {
        vals: vec![
            (var!("hop.id"), Val::Text(v.id)),
            (var!("hop.name"), Val::Text(Cow::Borrowed(v.name))),
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

/// A rule text with its `{placeholders}` found once (per rule set): filling it is
/// then what scanning the text for names on every fill did, without looking the
/// names up again.
#[derive(Debug, Clone, Default)]
pub(crate) struct Template {
    parts: Vec<Part>,
    /// Bytes of literal text (the least the result holds).
    literal: usize,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Var(VarId),
}

impl Template {
    pub(crate) fn new(text: &str) -> Template {
        let mut t = Template::default();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            lit.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(after.len());
            match (after[len..].starts_with('}'), vars::var_id(&after[..len])) {
                (true, Some(var)) if len > 0 => {
                    t.push_text(std::mem::take(&mut lit));
                    t.parts.push(Part::Var(var));
                    rest = &after[len + 1..];
                }
                _ => {
                    lit.push('{');
                    rest = after;
                }
            }
        }
        lit.push_str(rest);
        t.push_text(lit);
        t
    }

    fn push_text(&mut self, text: String) {
        if !text.is_empty() {
            self.literal += text.len();
            self.parts.push(Part::Text(text));
        }
    }

    /// [`Self::render`] of `text`, the text this template was made from: borrowed
    /// when it has nothing to fill in.
    pub(crate) fn fill<'t>(&self, text: &'t str, env: &dyn Lookup) -> Cow<'t, str> {
        match self.parts.as_slice() {
            [] => Cow::Borrowed(""),
            [Part::Text(_)] => Cow::Borrowed(text),
            _ => Cow::Owned(self.render(env)),
        }
    }

    pub(crate) fn render(&self, env: &dyn Lookup) -> String {
        let mut out = String::with_capacity(self.literal + 16 * self.parts.len());
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => env.get(*v).write_display(&mut out),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::*;

    /// The reference the templates are checked against: fills `{placeholders}` in a
    /// rule text by scanning it, as every decision did before templates.
    fn render(text: &str, env: &dyn Lookup) -> String {
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

    /// Every word of every profile enum, read back through serde: the serializer
    /// shortcut names it as serde_json does.
    fn check<T: serde::Serialize + serde::de::DeserializeOwned>(words: &[&str]) {
        for w in words {
            let x: T = serde_json::from_value(serde_json::json!(w)).unwrap();
            assert_eq!(variant_word(&x), Some(*w));
            assert_eq!(
                enum_word(&x),
                serde_json::to_value(&x).unwrap().as_str().unwrap()
            );
        }
    }

    /// A template fills every rule, add-on and gotcha text as `render` does, on
    /// every fixture (and on texts with stray braces).
    #[test]
    fn templates_render_as_render_does() {
        let k = Knowledge::embedded().unwrap();
        let mut texts: Vec<&str> = vec![
            "",
            "{",
            "}",
            "{}",
            "a {nope} b",
            "{name",
            "x {name}{name} {runtime.name}.",
            "{{name}}",
        ];
        for r in &k.rules {
            texts.push(&r.message);
            texts.extend(r.hybrid.as_deref());
            if let Some(g) = &r.gotcha {
                texts.extend([g.id.as_str(), &g.text, &g.fix]);
            }
        }
        texts.extend(k.add_ons.iter().map(|a| a.build.as_str()));
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
        let mut checked = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let p = parse_profile(&text, &k.hop_ids()).unwrap();
            let f = facts(&k, &p);
            for t in &texts {
                assert_eq!(Template::new(t).render(&f), render(t, &f), "{t}");
                for hop in &f.hops {
                    let env = HopEnv { facts: &f, hop };
                    assert_eq!(Template::new(t).render(&env), render(t, &env), "{t}");
                }
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// A WebSocket's facts made from a stream's (the capacity not worked out again)
    /// are what working them out whole gives, on every fixture and on every runtime
    /// with every known hop as its path.
    #[test]
    fn websocket_facts_reuse_the_streams_capacity() {
        let k = Knowledge::embedded().unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
        let mut profiles: Vec<Profile> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .map(|p| parse_profile(&std::fs::read_to_string(p).unwrap(), &k.hop_ids()).unwrap())
            .collect();
        for rt in &k.runtimes {
            for h in &k.hops {
                let yaml = format!(
                    "name: x\ndirection: bidirectional\nconcurrent_clients: 50000\n\
                     update_interval_s: 2\nruntime: {}\npath: [{}]\n",
                    rt.id, h.id
                );
                profiles.push(parse_profile(&yaml, &k.hop_ids()).unwrap());
            }
        }
        assert!(profiles.len() > 100);
        for p in &profiles {
            let stream = facts(&k, p);
            let whole = facts_as(&k, p, true);
            let reused = websocket_facts(&k, p, &stream);
            assert_eq!(whole.capacity, stream.capacity, "{}", p.name);
            assert_eq!(reused.vals, whole.vals, "{}", p.name);
            assert_eq!(reused.sources, whole.sources);
            assert_eq!(reused.hops.len(), whole.hops.len());
            for (a, b) in reused.hops.iter().zip(&whole.hops) {
                assert_eq!(a.vals, b.vals);
            }
        }
    }

    #[test]
    fn variant_words_are_serdes_words() {
        check::<Direction>(DIRECTIONS);
        check::<Payload>(PAYLOADS);
        check::<Auth>(AUTHS);
        check::<Client>(CLIENTS);
        check::<Subscriptions>(SUBSCRIPTIONS);
        check::<Audience>(AUDIENCES);
        check::<CurrentTransport>(CURRENT);
        assert_eq!(variant_word(&"text"), None);
        assert_eq!(variant_word(&Some(Direction::Bidirectional)), None);
    }
}
