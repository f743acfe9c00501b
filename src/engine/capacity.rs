//! The capacity model: open connections, rates and instances for one workload, checked
//! against every limit the runtime and the hops on its path declare in `rules/`.
//! Pure arithmetic; the rules read the results through `capacity.*` variables.

use crate::profile::Profile;
use crate::rules::cond::Val;
use crate::rules::{Kstr, Limit, Policy};
use serde::Serialize;
use std::borrow::Cow;

/// Connections, rates and limits for one workload. Every figure is absent when the
/// profile does not give what it needs (`concurrent_clients` for most).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Capacity {
    /// Open streams at peak: `concurrent_clients` × `streams_per_client` (1 if unknown).
    pub connections: Option<f64>,
    /// Open WebSockets at peak: one per client (a socket carries every stream of a page).
    pub sockets: Option<f64>,
    /// Instances the tightest per-instance cap calls for (at its highest setting).
    pub instances_needed: Option<f64>,
    /// Messages per second the server sends to all clients (`connections` / `update_interval_s`).
    pub fan_out_per_s: Option<f64>,
    /// Bytes per second of that fan-out, when `message_bytes` is known.
    pub fan_out_bytes_per_s: Option<f64>,
    /// The polling interval that meets `max_delay_s`.
    pub poll_interval_s: Option<f64>,
    /// Requests per second if every client polls at that interval.
    pub polling_requests_per_s: Option<f64>,
    /// New connections per second when every client reconnects after a deploy, within
    /// the policy's reconnect window (no jitter).
    pub reconnect_per_s: Option<f64>,
    /// The same spread over the policy's jitter window.
    pub jittered_reconnect_per_s: Option<f64>,
    pub reconnect_window_s: f64,
    pub jitter_window_s: f64,
    /// Every limit checked.
    pub limits: Vec<LimitCheck>,
    /// The arithmetic, one line per figure (for `explain`).
    pub arithmetic: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitCheck {
    pub id: Kstr,
    /// The runtime or hop that has it.
    pub on: String,
    pub what: Kstr,
    pub unit: Kstr,
    pub per: Kstr,
    /// Transports it applies to (empty: every long-lived connection).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transports: Vec<Kstr>,
    pub limit: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_instances: Option<f64>,
    /// This workload's load against it (absent when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<f64>,
    /// For per-instance caps: instances needed at the highest setting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instances_needed: Option<f64>,
    pub status: LimitStatus,
    pub fix: Kstr,
    pub source: Kstr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitStatus {
    /// Under the cap at default settings.
    Ok,
    /// Over the default, under the highest setting: raise it.
    Raise,
    /// Needs more than one instance: scale out (and share state between instances).
    ScaleOut,
    /// The reconnect burst after a deploy is over it, the jittered rate is not.
    NeedsJitter,
    /// Over the cap even at its highest setting (or with jitter): shard, or move the
    /// connections to a managed service.
    Exceeded,
    /// The load is unknown.
    Unknown,
}

impl LimitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitStatus::Ok => "ok",
            LimitStatus::Raise => "raise",
            LimitStatus::ScaleOut => "scale-out",
            LimitStatus::NeedsJitter => "needs-jitter",
            LimitStatus::Exceeded => "exceeded",
            LimitStatus::Unknown => "unknown",
        }
    }
}

/// A number for people: thousands separated, at most one decimal.
pub fn fmt_num(n: f64) -> String {
    Grouped(n).to_string()
}

/// [`fmt_num`] as a `Display`: writes the number where it goes, without a string of
/// its own (the capacity arithmetic writes a few per line).
#[derive(Debug, Clone, Copy)]
pub struct Grouped(pub f64);

impl std::fmt::Display for Grouped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        let n = self.0;
        let neg = n < 0.0;
        let n = n.abs();
        let whole = n.trunc() as u64;
        let frac = n - whole as f64;
        // The decimal digits of `whole`, most significant first (u64: at most 20).
        let mut buf = [0u8; 20];
        let mut start = buf.len();
        let mut w = whole;
        loop {
            start -= 1;
            buf[start] = b'0' + (w % 10) as u8;
            w /= 10;
            if w == 0 {
                break;
            }
        }
        let digits = &buf[start..];
        if neg {
            f.write_char('-')?;
        }
        for (i, d) in digits.iter().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                f.write_char(',')?;
            }
            f.write_char(char::from(*d))?;
        }
        if whole < 100 && frac >= 0.05 {
            let tenth = ((frac * 10.0).round() as u64).min(9);
            f.write_char('.')?;
            f.write_char(char::from(b'0' + tenth as u8))?;
        }
        Ok(())
    }
}

fn applies_to_sse(l: &Limit) -> bool {
    l.transports.is_empty()
        || l.transports
            .iter()
            .any(|t| t == "sse" || t == "long-polling")
}

/// What the capacity model reads of a profile: its load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Load {
    pub concurrent_clients: Option<u64>,
    pub streams_per_client: Option<u64>,
    pub update_interval_s: Option<f64>,
    pub max_delay_s: Option<f64>,
    pub message_bytes: Option<f64>,
}

impl Load {
    pub(crate) fn of(p: &Profile) -> Load {
        Load {
            concurrent_clients: p.concurrent_clients,
            streams_per_client: p.streams_per_client,
            update_interval_s: p.update_interval_s,
            max_delay_s: p.max_delay_s,
            message_bytes: p.message_bytes,
        }
    }
}

/// Computes the capacity figures and checks every `(owner, limit)`.
pub fn compute<S: AsRef<str>, L: std::borrow::Borrow<Limit>>(
    policy: &Policy,
    p: &Profile,
    limits: &[(S, L)],
) -> Capacity {
    compute_with(policy, &Load::of(p), limits)
}

/// Adds a line of arithmetic, formatted only when the report wants `texts`.
fn note(lines: &mut Vec<String>, texts: bool, line: impl FnOnce() -> String) {
    if texts {
        lines.push(line());
    }
}

/// The figures that do not depend on any limit (`limits` and `instances_needed` are
/// left for the checks), with their arithmetic when `texts`.
fn base_figures(policy: &Policy, p: &Load, texts: bool) -> Capacity {
    let mut c = Capacity {
        reconnect_window_s: policy.reconnect_window_s,
        jitter_window_s: policy.jitter_window_s,
        ..Capacity::default()
    };
    let clients = p.concurrent_clients.map(|n| n as f64);
    let streams = p.streams_per_client.unwrap_or(1) as f64;
    c.connections = clients.map(|n| n * streams);
    c.sockets = clients;
    if let Some(n) = clients {
        note(&mut c.arithmetic, texts, || {
            format!(
            "open connections: {} clients x {} stream(s) each = {} (one WebSocket per client: {})",
            Grouped(n),
            Grouped(streams),
            Grouped(n * streams),
            Grouped(n)
        )
        });
    }
    if let (Some(conns), Some(gap)) = (c.connections, p.update_interval_s) {
        let rate = conns / gap;
        c.fan_out_per_s = Some(rate);
        note(&mut c.arithmetic, texts, || {
            format!(
                "fan-out: {} connections / one update every {} s = {} messages/s",
                Grouped(conns),
                Grouped(gap),
                Grouped(rate)
            )
        });
        if let Some(b) = p.message_bytes {
            c.fan_out_bytes_per_s = Some(rate * b);
            note(&mut c.arithmetic, texts, || {
                format!(
                    "fan-out bandwidth: {} messages/s x {} bytes = {} bytes/s",
                    Grouped(rate),
                    Grouped(b),
                    Grouped(rate * b)
                )
            });
        }
    }
    if let Some(d) = p.max_delay_s {
        c.poll_interval_s = Some(d);
        if let Some(n) = c.connections {
            let rps = n / d;
            c.polling_requests_per_s = Some(rps);
            note(&mut c.arithmetic, texts, || {
                format!(
                    "polling: {} pollers, one request every {} s (max_delay_s) = {} requests/s",
                    Grouped(n),
                    Grouped(d),
                    Grouped(rps)
                )
            });
        }
    }
    if let Some(n) = c.connections {
        let burst = n / policy.reconnect_window_s;
        let spread = n / policy.jitter_window_s;
        c.reconnect_per_s = Some(burst);
        c.jittered_reconnect_per_s = Some(spread);
        note(&mut c.arithmetic, texts, || {
            format!(
            "after a deploy: {} connections reconnect within {} s = {} new connections/s; spread with jitter over {} s = {}/s",
            Grouped(n),
            Grouped(policy.reconnect_window_s),
            Grouped(burst),
            Grouped(policy.jitter_window_s),
            Grouped(spread)
        )
        });
    }
    c
}

/// One limit checked against the load.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    load: Option<f64>,
    instances_needed: Option<f64>,
    status: LimitStatus,
    /// For a connection-rate cap: the rate spread over the jitter window.
    spread: Option<f64>,
}

fn check_limit(policy: &Policy, c: &Capacity, l: &Limit) -> Outcome {
    let mut o = Outcome {
        load: None,
        instances_needed: None,
        status: LimitStatus::Unknown,
        spread: None,
    };
    let conns = if applies_to_sse(l) {
        c.connections
    } else {
        c.sockets
    };
    if l.unit == "connections_per_s" {
        if let Some(n) = conns {
            let burst = n / policy.reconnect_window_s;
            let spread = n / policy.jitter_window_s;
            o.load = Some(burst);
            o.spread = Some(spread);
            o.status = if spread > l.max {
                LimitStatus::Exceeded
            } else if burst > l.max {
                LimitStatus::NeedsJitter
            } else {
                LimitStatus::Ok
            };
        }
        return o;
    }
    let load = if l.unit == "requests_per_s" {
        c.polling_requests_per_s
    } else {
        conns
    };
    let Some(n) = load else { return o };
    o.load = Some(n);
    if l.per == "instance" {
        let need = (n / l.max).ceil().max(1.0);
        o.instances_needed = Some(need);
        o.status = match (l.max_instances, l.default) {
            (Some(m), _) if need > m => LimitStatus::Exceeded,
            _ if need > 1.0 => LimitStatus::ScaleOut,
            (_, Some(d)) if n > d => LimitStatus::Raise,
            _ => LimitStatus::Ok,
        };
    } else {
        o.status = if n > l.max {
            LimitStatus::Exceeded
        } else if l.default.is_some_and(|d| n > d) {
            LimitStatus::Raise
        } else {
            LimitStatus::Ok
        };
    }
    o
}

/// The arithmetic line for one checked limit (none when its load is unknown).
fn limit_line(on: &str, l: &Limit, o: &Outcome) -> Option<String> {
    let n = o.load?;
    Some(if let Some(spread) = o.spread {
        format!(
            "{on}: {} — {} new connections/s after a deploy ({} with jitter) against {}/s: {}",
            l.what,
            Grouped(n),
            Grouped(spread),
            Grouped(l.max),
            o.status.as_str()
        )
    } else if let Some(need) = o.instances_needed {
        let at_most = l
            .max_instances
            .map(|m| format!(", at most {} instances", Grouped(m)))
            .unwrap_or_default();
        format!(
            "{on}: {} — {} / {} per instance = {} instance(s){at_most}: {}",
            l.what,
            Grouped(n),
            Grouped(l.max),
            Grouped(need),
            o.status.as_str()
        )
    } else {
        format!(
            "{on}: {} — {} against a cap of {}: {}",
            l.what,
            Grouped(n),
            Grouped(l.max),
            o.status.as_str()
        )
    })
}

/// The tightest per-instance cap's instance count.
fn most_instances(outcomes: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let mut instances: Option<f64> = None;
    for need in outcomes.flatten() {
        if instances.is_none_or(|i| need > i) {
            instances = Some(need);
        }
    }
    instances
}

fn compute_with<S: AsRef<str>, L: std::borrow::Borrow<Limit>>(
    policy: &Policy,
    p: &Load,
    limits: &[(S, L)],
) -> Capacity {
    let mut c = base_figures(policy, p, true);
    let mut checks = Vec::with_capacity(limits.len());
    for (on, l) in limits {
        let (on, l): (&str, &Limit) = (on.as_ref(), l.borrow());
        let o = check_limit(policy, &c, l);
        if let Some(line) = limit_line(on, l, &o) {
            c.arithmetic.push(line);
        }
        checks.push(LimitCheck {
            id: l.id.clone(),
            on: on.to_string(),
            what: l.what.clone(),
            unit: l.unit.clone(),
            per: l.per.clone(),
            transports: l.transports.clone(),
            limit: l.max,
            default: l.default,
            max_instances: l.max_instances,
            load: o.load,
            instances_needed: o.instances_needed,
            status: o.status,
            fix: l.fix.clone(),
            source: l.source.clone(),
        });
    }
    c.instances_needed = most_instances(checks.iter().map(|x| x.instances_needed));
    c.limits = checks;
    c
}

/// What the `capacity.*` variables read of one checked limit.
struct Check<'a> {
    on: &'a str,
    what: &'a str,
    unit: &'a str,
    transports: &'a [Kstr],
    limit: f64,
    max_instances: Option<f64>,
    load: Option<f64>,
    instances_needed: Option<f64>,
    status: LimitStatus,
    fix: &'a str,
}

impl<'a> Check<'a> {
    fn of(l: &'a LimitCheck) -> Self {
        Check {
            on: &l.on,
            what: &l.what,
            unit: &l.unit,
            transports: &l.transports,
            limit: l.limit,
            max_instances: l.max_instances,
            load: l.load,
            instances_needed: l.instances_needed,
            status: l.status,
            fix: &l.fix,
        }
    }
}

fn is_for(l: &Check, transport: &str) -> bool {
    if l.transports.is_empty() {
        transport != "polling" && transport != "queue"
    } else {
        l.transports.iter().any(|t| t == transport)
    }
}

/// A sentence for the first exceeded connection cap that applies to `transport`
/// (an empty text without `texts`).
fn over(
    limits: &[Check],
    transport: &str,
    texts: bool,
) -> (Val<'static>, Val<'static>, Val<'static>) {
    let mut relevant = limits
        .iter()
        .filter(|l| l.unit == "connections" && is_for(l, transport))
        .peekable();
    if relevant.peek().is_none() {
        return (Val::Bool(false), Val::Absent, Val::Absent);
    }
    let mut unknown = false;
    for l in relevant {
        if l.status == LimitStatus::Exceeded && !texts {
            return (
                Val::Bool(true),
                Val::Text(Cow::Borrowed("")),
                Val::Text(Cow::Borrowed("")),
            );
        }
        if l.status == LimitStatus::Exceeded {
            let load = l.load.map(fmt_num).unwrap_or_default();
            let text = match l.instances_needed {
                Some(need) => format!(
                    "{}: {} is {} per instance, so {load} connections need {} instances, more than the {} allowed",
                    l.on,
                    l.what,
                    Grouped(l.limit),
                    Grouped(need),
                    l.max_instances.map(fmt_num).unwrap_or_default()
                ),
                None => format!(
                    "{}: {} is {}; this workload opens {load}",
                    l.on,
                    l.what,
                    Grouped(l.limit)
                ),
            };
            return (
                Val::Bool(true),
                Val::Text(Cow::Owned(text)),
                Val::Text(Cow::Owned(l.fix.to_string())),
            );
        }
        unknown |= l.status == LimitStatus::Unknown;
    }
    if unknown {
        return (Val::Unknown, Val::Absent, Val::Absent);
    }
    (Val::Bool(false), Val::Absent, Val::Absent)
}

/// Fills the `capacity.*` variables.
pub fn set_vars(c: &Capacity, p: &Profile, vals: &mut [Val]) {
    let checks: Vec<Check> = c.limits.iter().map(Check::of).collect();
    set_vars_with(c, &checks, p.concurrent_clients.is_some(), vals, true);
}

/// The load variables alone, as [`super::facts::facts`] writes them, for a load
/// checked against `limits` (the flip analysis tries many loads on one path): no
/// arithmetic lines, and no limit copied. Without `texts`, a text variable that
/// [`set_vars`] would write holds an empty text instead: rule conditions only ask
/// whether a text is known, never what it says.
pub(crate) fn set_load_vars(
    policy: &Policy,
    p: &Load,
    limits: &[(&str, &Limit)],
    vals: &mut [Val],
    texts: bool,
) {
    let mut c = base_figures(policy, p, false);
    let checks: Vec<Check> = limits
        .iter()
        .map(|&(on, l)| {
            let o = check_limit(policy, &c, l);
            Check {
                on,
                what: &l.what,
                unit: &l.unit,
                transports: &l.transports,
                limit: l.max,
                max_instances: l.max_instances,
                load: o.load,
                instances_needed: o.instances_needed,
                status: o.status,
                fix: &l.fix,
            }
        })
        .collect();
    c.instances_needed = most_instances(checks.iter().map(|x| x.instances_needed));
    set_vars_with(&c, &checks, p.concurrent_clients.is_some(), vals, texts);
}

fn set_vars_with(
    c: &Capacity,
    limits: &[Check],
    clients_known: bool,
    vals: &mut [Val],
    texts: bool,
) {
    let mut set = |var: usize, v: Val<'static>| vals[var] = v;
    let num = |x: Option<f64>| x.map_or(Val::Unknown, Val::Num);
    set(var!("capacity.connections"), num(c.connections));
    set(
        var!("capacity.instances"),
        match c.instances_needed {
            Some(n) => Val::Num(n),
            None if clients_known => Val::Num(1.0),
            None => Val::Unknown,
        },
    );
    set(var!("capacity.poll_rps"), num(c.polling_requests_per_s));
    set(var!("capacity.fanout_per_s"), num(c.fan_out_per_s));
    set(var!("capacity.reconnect_per_s"), num(c.reconnect_per_s));
    let (ws, ws_text, ws_fix) = over(limits, "websocket", texts);
    set(var!("capacity.websocket_over"), ws);
    set(var!("capacity.websocket_over_text"), ws_text);
    set(var!("capacity.websocket_over_fix"), ws_fix);
    let (sse, sse_text, sse_fix) = over(limits, "sse", texts);
    set(var!("capacity.sse_over"), sse);
    set(var!("capacity.sse_over_text"), sse_text);
    set(var!("capacity.sse_over_fix"), sse_fix);
    let mut rate = limits.iter().filter(|l| l.unit == "connections_per_s");
    let (flag, text) = match rate
        .clone()
        .find(|l| matches!(l.status, LimitStatus::NeedsJitter | LimitStatus::Exceeded))
    {
        Some(_) if !texts => (Val::Bool(true), Val::Text(Cow::Borrowed(""))),
        Some(l) => (
            Val::Bool(true),
            Val::Text(Cow::Owned(format!(
                "{}: {} is {}/s; after a deploy {} connections come back within {} s, about {}/s",
                l.on,
                l.what,
                Grouped(l.limit),
                c.connections.map(fmt_num).unwrap_or_default(),
                Grouped(c.reconnect_window_s),
                l.load.map(fmt_num).unwrap_or_default()
            ))),
        ),
        None if rate.any(|l| l.status == LimitStatus::Unknown) => (Val::Unknown, Val::Absent),
        None => (Val::Bool(false), Val::Absent),
    };
    set(var!("capacity.reconnect_over"), flag);
    set(var!("capacity.reconnect_text"), text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Direction, Profile};
    use crate::rules::vars;

    fn policy() -> Policy {
        Policy::FALLBACK
    }

    fn limit(unit: &str, per: &str, max: f64) -> Limit {
        Limit {
            id: "x".into(),
            what: "things".into(),
            unit: unit.into(),
            per: per.into(),
            transports: vec!["websocket".into()],
            max,
            default: None,
            max_instances: None,
            fix: "fix it".into(),
            source: "s".into(),
        }
    }

    /// How numbers were written before [`Grouped`] (digits in a string, then
    /// separators into another): the reference it must match.
    fn fmt_num_by_strings(n: f64) -> String {
        let neg = n < 0.0;
        let n = n.abs();
        let whole = n.trunc() as u64;
        let frac = n - whole as f64;
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if whole < 100 && frac >= 0.05 {
            let tenth = ((frac * 10.0).round() as u64).min(9);
            out.push('.');
            out.push_str(&tenth.to_string());
        }
        if neg {
            format!("-{out}")
        } else {
            out
        }
    }

    proptest::proptest! {
        #[test]
        fn grouped_writes_what_the_strings_wrote(n in proptest::num::f64::ANY) {
            proptest::prop_assert_eq!(fmt_num(n), fmt_num_by_strings(n));
            proptest::prop_assert_eq!(format!("x{}y", Grouped(n)), format!("x{}y", fmt_num_by_strings(n)));
        }
    }

    #[test]
    fn grouped_edges_match() {
        for n in [
            0.0,
            -0.0,
            0.04,
            0.05,
            0.95,
            0.96,
            99.95,
            99.96,
            100.0,
            999.0,
            1000.0,
            999_999.5,
            -1234.5,
            -0.5,
            1e15,
            1e19,
            1.8e19,
            1e300,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
            u64::MAX as f64,
        ] {
            assert_eq!(fmt_num(n), fmt_num_by_strings(n), "{n}");
        }
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(20000.0), "20,000");
        assert_eq!(fmt_num(1234567.0), "1,234,567");
        assert_eq!(fmt_num(2.5), "2.5");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(999.4), "999");
    }

    #[test]
    fn a_deployment_cap_is_exceeded_and_per_instance_caps_count_instances() {
        let mut p = Profile::new("x", Direction::ServerToClient);
        p.concurrent_clients = Some(20_000);
        p.update_interval_s = Some(2.0);
        p.max_delay_s = Some(4.0);
        let c = compute(
            &policy(),
            &p,
            &[
                (
                    "AFD".to_string(),
                    limit("connections", "deployment", 3000.0),
                ),
                ("GW".to_string(), limit("connections", "instance", 13_500.0)),
                (
                    "API".into(),
                    limit("connections_per_s", "deployment", 500.0),
                ),
            ],
        );
        assert_eq!(c.connections, Some(20_000.0));
        assert_eq!(c.fan_out_per_s, Some(10_000.0));
        assert_eq!(c.polling_requests_per_s, Some(5_000.0));
        assert_eq!(c.reconnect_per_s, Some(4_000.0));
        assert_eq!(c.limits[0].status, LimitStatus::Exceeded);
        assert_eq!(c.limits[1].instances_needed, Some(2.0));
        assert_eq!(c.limits[1].status, LimitStatus::ScaleOut);
        // 20,000 / 60 s = 333/s with jitter: under 500/s, but the 4,000/s burst is not.
        assert_eq!(c.limits[2].status, LimitStatus::NeedsJitter);
        assert_eq!(c.instances_needed, Some(2.0));
        let mut vals = vec![Val::Unknown; vars::VARS.len()];
        set_vars(&c, &p, &mut vals);
        assert_eq!(vals[var!("capacity.websocket_over")], Val::Bool(true));
        assert_eq!(vals[var!("capacity.sse_over")], Val::Bool(false));
        assert_eq!(vals[var!("capacity.reconnect_over")], Val::Bool(true));
    }

    #[test]
    fn unknown_load_is_unknown_not_fine() {
        let p = Profile::new("x", Direction::ServerToClient);
        let c = compute(
            &policy(),
            &p,
            &[(
                "AFD".to_string(),
                limit("connections", "deployment", 3000.0),
            )],
        );
        assert_eq!(c.limits[0].status, LimitStatus::Unknown);
        let mut vals = vec![Val::Absent; vars::VARS.len()];
        set_vars(&c, &p, &mut vals);
        assert_eq!(vals[var!("capacity.websocket_over")], Val::Unknown);
    }

    #[test]
    fn a_capped_instance_count_is_a_hard_limit() {
        let mut p = Profile::new("x", Direction::ServerToClient);
        p.concurrent_clients = Some(1000);
        let mut l = limit("connections", "instance", 128.0);
        l.transports = vec!["sse".into()];
        l.max_instances = Some(3.0);
        let c = compute(&policy(), &p, &[("Netlify".to_string(), l)]);
        assert_eq!(c.limits[0].instances_needed, Some(8.0));
        assert_eq!(c.limits[0].status, LimitStatus::Exceeded);
    }
}
