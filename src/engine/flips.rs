//! What would change the answer: single-field changes that flip the recommended
//! transport (flips), and unanswered fields whose answer could (unknowns).
//! Candidate values come from the thresholds the scoring rules actually contain.

use super::capacity::Load;
use super::facts::Facts;
use super::{facts, Engine, Flip, Rescore, Scores};
use crate::profile::{Client, FieldKind, Hop, Profile, FIELDS};
use crate::rules::cond::{Lit, Op, Operand};
use crate::rules::cond::{Lookup, Val};
use crate::rules::vars;
use crate::rules::Rule;
use serde_json::{json, Value as Json};
use std::borrow::Cow;

/// A value a field could take.
#[derive(Debug, Clone)]
enum Cand<'a> {
    Num(f64),
    Bool(bool),
    /// A choice's word or a runtime id, borrowed where it can be.
    Word(Cow<'a, str>),
    Clients(Vec<Client>),
    Path(Vec<Hop>),
}

impl Cand<'_> {
    fn json(&self) -> Json {
        match self {
            Cand::Num(n) => num_json(*n),
            Cand::Bool(b) => json!(b),
            Cand::Word(w) => json!(w),
            Cand::Clients(c) => json!(c),
            Cand::Path(p) => json!(p),
        }
    }
}

fn num_json(n: f64) -> Json {
    let r = (n * 1e6).round() / 1e6;
    if r.fract() == 0.0 && r.abs() < 1e15 {
        json!(r as i64)
    } else {
        json!(r)
    }
}

/// Thresholds in the scoring rules for each variable (sorted, each once): every
/// number a condition compares a variable with.
fn thresholds(rules: &[&Rule]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = vec![Vec::new(); vars::VARS.len()];
    let mut leaves = Vec::new();
    for r in rules {
        leaves.clear();
        r.when.leaves(&mut leaves);
        for &(v, op) in &leaves {
            let t = match op {
                Op::Cmp(_, Operand::Num(t)) => Some(*t),
                Op::Eq(Lit::Num(t)) | Op::Ne(Lit::Num(t)) => Some(*t),
                _ => None,
            };
            if let Some(t) = t {
                if !out[v].contains(&t) {
                    out[v].push(t);
                }
            }
        }
    }
    for ts in &mut out {
        ts.sort_by(f64::total_cmp);
    }
    out
}

/// For each variable, every number the scoring rules compare it with (in any
/// order), or `None` when a rule compares it with another variable: two numbers on
/// the same side of (or equal to) each of them are alike to every scoring rule
/// (see [`alike_for_rules`]).
pub(crate) fn cuts(rules: &[&Rule]) -> Vec<Option<Vec<f64>>> {
    let mut out: Vec<Option<Vec<f64>>> = vec![Some(Vec::new()); vars::VARS.len()];
    let mut leaves = Vec::new();
    for r in rules {
        leaves.clear();
        r.when.leaves(&mut leaves);
        for &(v, op) in &leaves {
            let mut add = |t: f64| {
                if let Some(cs) = &mut out[v] {
                    cs.push(t);
                }
            };
            match op {
                Op::Cmp(_, Operand::Num(t)) | Op::Eq(Lit::Num(t)) | Op::Ne(Lit::Num(t)) => add(*t),
                Op::In(lits) => lits.iter().for_each(|l| {
                    if let Lit::Num(t) = l {
                        add(*t)
                    }
                }),
                Op::Cmp(_, Operand::Var { var, .. }) => {
                    out[v] = None;
                    out[*var] = None;
                }
                // Whether a number is known, equal to a word or a yes/no, or holds
                // a word: the same for any number.
                Op::Known(_) | Op::Eq(_) | Op::Ne(_) | Op::Contains(_) => {}
            }
        }
    }
    out
}

/// Whether every scoring rule's leaves on variable `v` say the same of `a` as of
/// `b` (so no rule reading `v` needs evaluating again): two numbers on the same
/// side of every number it is compared with; otherwise [`same_for_rules`].
pub(crate) fn alike_for_rules(cuts: &[Option<Vec<f64>>], v: usize, a: &Val, b: &Val) -> bool {
    match (a, b, cuts.get(v)) {
        (Val::Num(a), Val::Num(b), Some(Some(cs))) => {
            cs.iter().all(|t| a.partial_cmp(t) == b.partial_cmp(t))
        }
        _ => same_for_rules(a, b),
    }
}

/// Where number `val` of variable `v` sits among the numbers the scoring rules
/// compare `v` with, as one word (two bits a cut: below, at, above, or unordered):
/// two numbers with the same cell are [`alike_for_rules`]. `None` for anything
/// else, or a variable with more cuts than the word holds.
pub(crate) fn cell(cuts: &[Option<Vec<f64>>], v: usize, val: &Val) -> Option<u64> {
    let (Val::Num(x), Some(Some(cs))) = (val, cuts.get(v)) else {
        return None;
    };
    if cs.len() > 32 {
        return None;
    }
    Some(cs.iter().fold(0u64, |cell, t| {
        let side = match x.partial_cmp(t) {
            Some(std::cmp::Ordering::Less) => 0,
            Some(std::cmp::Ordering::Equal) => 1,
            Some(std::cmp::Ordering::Greater) => 2,
            None => 3,
        };
        cell << 2 | side
    }))
}

/// A value just past a threshold, on a readable step.
fn step(t: f64) -> f64 {
    if t == 0.0 {
        1.0
    } else {
        10f64.powf(t.abs().log10().floor() - 1.0)
    }
}

fn numeric_candidates(thresholds: &[f64], kind: FieldKind) -> Vec<f64> {
    let mut out = Vec::new();
    for &t in thresholds {
        let s = step(t);
        for c in [t - s, t, t + s] {
            let c = match kind {
                FieldKind::Count { .. } if c < t => c.floor(),
                FieldKind::Count { .. } => c.ceil(),
                _ => (c * 1e6).round() / 1e6,
            };
            let ok = match kind {
                FieldKind::Number { min, exclusive } => {
                    c.is_finite() && if exclusive { c > min } else { c >= min }
                }
                FieldKind::Count { min } => c >= min as f64,
                _ => false,
            };
            if ok && !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// What the flip analysis needs of one profile field, worked out once per rule set.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldPlan {
    /// The variable the field sets directly, when nothing else derives from it.
    direct: Option<usize>,
    /// Numeric candidates: values around the thresholds the scoring rules compare it with.
    numbers: Vec<f64>,
    /// A load field: another value changes only [`facts::load_vals`].
    load: bool,
    /// `runtime` or `path`: another value changes only what
    /// [`facts::platform_vals_for_flips`] writes.
    platform: bool,
    /// The scoring rules another value of the field can make fire or not (indices).
    pub rules: Vec<usize>,
    /// What [`Self::rules`] can do to each transport's score whatever fires (the sum
    /// of their negative points, and of their positive ones) and whether one of them
    /// vetoes it: the profile-independent part of the bounds (see
    /// [`Engine::cannot_flip_field`]), indexed like the engine's transports.
    pub most_lost: Vec<i32>,
    pub most_won: Vec<i32>,
    pub may_veto: Vec<bool>,
}

/// For each entry of [`FIELDS`], the variable named like it (its own), if any:
/// worked out at compile time.
const OWN_VAR: [Option<usize>; FIELDS.len()] = {
    let mut out = [None; FIELDS.len()];
    let mut f = 0;
    while f < FIELDS.len() {
        let mut v = 0;
        while v < vars::VARS.len() {
            if vars::same_str(vars::VARS[v].name, FIELDS[f].name) {
                out[f] = Some(v);
                break;
            }
            v += 1;
        }
        f += 1;
    }
    out
};

/// For each entry of [`FIELDS`], whether each variable (of [`vars::VARS`]) depends on
/// it (names it in its `fields`): worked out at compile time, so that making an
/// engine compares no names.
const DEPENDS: [[bool; vars::VARS.len()]; FIELDS.len()] = {
    let mut out = [[false; vars::VARS.len()]; FIELDS.len()];
    let mut f = 0;
    while f < FIELDS.len() {
        let mut v = 0;
        while v < vars::VARS.len() {
            let fields = vars::VARS[v].fields;
            let mut i = 0;
            while i < fields.len() {
                if vars::same_str(fields[i], FIELDS[f].name) {
                    out[f][v] = true;
                }
                i += 1;
            }
            v += 1;
        }
        f += 1;
    }
    out
};

/// The scoring rules that read a variable another value of field `field` (an index
/// into [`FIELDS`]) can change: its own, every one derived from it, and what the load
/// or platform path rewrites.
pub(crate) fn affected_rules(
    field: usize,
    plan: &FieldPlan,
    readers: &[Vec<usize>],
    load_vars: &[usize],
    platform_vars: &[usize],
) -> Vec<usize> {
    let mut vars: Vec<usize> = (0..vars::VARS.len())
        .filter(|&v| OWN_VAR[field] == Some(v) || DEPENDS[field][v])
        .collect();
    if plan.load {
        vars.extend(load_vars);
    }
    if plan.platform {
        vars.extend(platform_vars);
    }
    let mut rules: Vec<usize> = vars
        .iter()
        .flat_map(|&v| readers[v].iter().copied())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    rules
}

/// The variables [`facts::load_vals`] writes: the load fields' own, and every variable
/// derived from the load.
pub(crate) fn load_vars() -> Vec<usize> {
    vars::VARS
        .iter()
        .enumerate()
        .filter(|(_, v)| {
            facts::LOAD_FIELDS.contains(&v.name) || v.fields.contains(&"concurrent_clients")
        })
        .map(|(i, _)| i)
        .collect()
}

/// The variables [`facts::platform_vals_for_flips`] writes: every profile variable
/// that depends on the runtime or the path.
pub(crate) fn platform_vars() -> Vec<usize> {
    vars::VARS
        .iter()
        .enumerate()
        .filter(|(_, v)| {
            v.scope == vars::Scope::Profile
                && (v.fields.contains(&"runtime") || v.fields.contains(&"path"))
        })
        .map(|(i, _)| i)
        .collect()
}

/// One [`FieldPlan`] per entry of [`FIELDS`].
pub(crate) fn plan(rules: &[&Rule]) -> Vec<FieldPlan> {
    let thresholds = thresholds(rules);
    FIELDS
        .iter()
        .enumerate()
        .map(|(field, spec)| {
            let mut numbers: Vec<f64> = match spec.kind {
                FieldKind::Number { .. } | FieldKind::Count { .. } => OWN_VAR[field]
                    .map(|v| numeric_candidates(&thresholds[v], spec.kind))
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            // The capacity checks read the load through derived variables: try the
            // magnitudes a fleet grows through, so caps on the path count too.
            if spec.name == "concurrent_clients" {
                numbers.extend([100.0, 1_000.0, 10_000.0, 100_000.0]);
            }
            FieldPlan {
                direct: direct_var(field),
                numbers,
                load: facts::LOAD_FIELDS.contains(&spec.name),
                platform: matches!(spec.name, "runtime" | "path"),
                ..FieldPlan::default()
            }
        })
        .collect()
}

fn candidates<'k>(
    e: &Engine<'k>,
    p: &Profile,
    field: usize,
    kind: FieldKind,
    known: bool,
) -> Vec<Cand<'k>> {
    let mut out = Vec::new();
    candidates_into(e, p, field, kind, known, &mut out);
    out
}

/// [`candidates`], written into `out` (emptied first): the flip analysis reuses one
/// buffer for every field.
fn candidates_into<'k>(
    e: &Engine<'k>,
    p: &Profile,
    field: usize,
    kind: FieldKind,
    known: bool,
    out: &mut Vec<Cand<'k>>,
) {
    out.clear();
    match kind {
        FieldKind::Number { .. } | FieldKind::Count { .. } => {
            out.extend(e.flip_plan[field].numbers.iter().map(|n| Cand::Num(*n)))
        }
        FieldKind::YesNo => out.extend([Cand::Bool(true), Cand::Bool(false)]),
        FieldKind::Choice(words) => out.extend(words.iter().map(|w| Cand::Word(Cow::Borrowed(w)))),
        FieldKind::Runtime => out.extend(
            e.k.runtimes
                .iter()
                .map(|r| Cand::Word(Cow::Borrowed(&r.id))),
        ),
        FieldKind::Clients => {
            let all = [
                Client::Browser,
                Client::Mobile,
                Client::Desktop,
                Client::Server,
                Client::Iot,
            ];
            match &p.clients {
                Some(current) => out.extend(
                    all.iter()
                        .map(|c| {
                            let mut next = current.clone();
                            if let Some(i) = next.iter().position(|x| x == c) {
                                next.remove(i);
                            } else {
                                next.push(*c);
                            }
                            Cand::Clients(next)
                        })
                        .filter(|c| !matches!(c, Cand::Clients(v) if v.is_empty())),
                ),
                None => out.extend(all.iter().map(|c| Cand::Clients(vec![*c]))),
            }
        }
        FieldKind::Path if known => {
            let hops = p.path.clone().unwrap_or_default();
            // Removing either of two equal hops has the same effect: try each
            // distinct hop once.
            out.extend(
                (0..hops.len())
                    .filter(|&i| !hops[..i].contains(&hops[i]))
                    .map(|i| {
                        let mut next = hops.clone();
                        next.remove(i);
                        Cand::Path(next)
                    }),
            )
        }
        FieldKind::Path | FieldKind::Text => {}
    }
}

/// The choice a word names, read as serde reads it from a profile (no JSON made).
fn word<T: serde::de::DeserializeOwned>(w: &str) -> Option<T> {
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(w)).ok()
}

fn apply(p: &Profile, name: &str, c: &Cand) -> Option<Profile> {
    let mut q = p.clone();
    set(&mut q, name, c)?;
    Some(q)
}

/// Gives field `name` of `q` the value `c` (nothing else changes); `None` when `c` is
/// not a value of that field.
fn set(q: &mut Profile, name: &str, c: &Cand) -> Option<()> {
    match (name, c) {
        ("client_messages_per_minute", Cand::Num(n)) => q.client_messages_per_minute = Some(*n),
        ("round_trip_ms", Cand::Num(n)) => q.round_trip_ms = Some(*n),
        ("update_interval_s", Cand::Num(n)) => q.update_interval_s = Some(*n),
        ("max_delay_s", Cand::Num(n)) => q.max_delay_s = Some(*n),
        ("job_duration_s", Cand::Num(n)) => q.job_duration_s = Some(*n),
        ("concurrent_clients", Cand::Num(n)) => q.concurrent_clients = Some(*n as u64),
        ("streams_per_client", Cand::Num(n)) => q.streams_per_client = Some(*n as u64),
        ("http2", Cand::Bool(b)) => q.http2 = Some(*b),
        ("locked_down_networks", Cand::Bool(b)) => q.locked_down_networks = Some(*b),
        ("presence", Cand::Bool(b)) => q.presence = Some(*b),
        ("hidden_tab_delivery", Cand::Bool(b)) => q.hidden_tab_delivery = Some(*b),
        ("resume", Cand::Bool(b)) => q.resume = Some(*b),
        ("user_waits", Cand::Bool(b)) => q.user_waits = Some(*b),
        ("message_bytes", Cand::Num(n)) => q.message_bytes = Some(*n),
        ("receives_webhooks", Cand::Bool(b)) => q.receives_webhooks = Some(*b),
        ("replies", Cand::Bool(b)) => q.replies = Some(*b),
        ("subscriptions", Cand::Word(w)) => q.subscriptions = Some(word(w)?),
        ("audience", Cand::Word(w)) => q.audience = Some(word(w)?),
        ("direction", Cand::Word(w)) => q.direction = word(w)?,
        ("payload", Cand::Word(w)) => q.payload = Some(word(w)?),
        ("auth", Cand::Word(w)) => q.auth = Some(word(w)?),
        ("runtime", Cand::Word(w)) => q.runtime = Some(w.to_string()),
        ("clients", Cand::Clients(c)) => q.clients = Some(c.clone()),
        ("path", Cand::Path(h)) => q.path = Some(h.clone()),
        _ => return None,
    }
    Some(())
}

/// The facts with some variables replaced.
#[cfg(test)]
pub(crate) struct Changed<'a> {
    pub base: &'a Facts<'a>,
    pub changes: &'a [(usize, Val<'a>)],
}

#[cfg(test)]
impl Lookup for Changed<'_> {
    fn get(&self, var: usize) -> &Val<'_> {
        match self.changes.iter().find(|(v, _)| *v == var) {
            Some((_, val)) => val,
            None => self.base.get(var),
        }
    }
}

/// The facts with one variable replaced.
struct Overlay<'a> {
    base: &'a Facts<'a>,
    var: usize,
    val: Val<'a>,
}

impl Lookup for Overlay<'_> {
    fn get(&self, var: usize) -> &Val<'_> {
        if var == self.var {
            &self.val
        } else {
            self.base.get(var)
        }
    }
}

/// The variable a field sets directly, when nothing else derives from it.
/// The variable field `field` sets directly, when no other variable derives from it.
fn direct_var(field: usize) -> Option<usize> {
    let var = OWN_VAR[field]?;
    let derived = (0..vars::VARS.len()).any(|v| v != var && DEPENDS[field][v]);
    (!derived).then_some(var)
}

fn cand_val<'a>(c: &'a Cand) -> Option<Val<'a>> {
    Some(match c {
        Cand::Num(n) => Val::Num(*n),
        Cand::Bool(b) => Val::Bool(*b),
        Cand::Word(w) => Val::Word(Cow::Borrowed(w)),
        Cand::Clients(cs) => Val::List(cs.iter().map(facts::word_of).collect()),
        Cand::Path(_) => return None,
    })
}

/// A field's current value, as a candidate (`None`: unanswered, or free text).
fn current<'p>(p: &'p Profile, name: &str) -> Option<Cand<'p>> {
    let w = |x: &dyn ErasedWord| Cand::Word(x.word());
    Some(match name {
        "client_messages_per_minute" => Cand::Num(p.client_messages_per_minute?),
        "round_trip_ms" => Cand::Num(p.round_trip_ms?),
        "update_interval_s" => Cand::Num(p.update_interval_s?),
        "max_delay_s" => Cand::Num(p.max_delay_s?),
        "job_duration_s" => Cand::Num(p.job_duration_s?),
        "concurrent_clients" => Cand::Num(p.concurrent_clients? as f64),
        "streams_per_client" => Cand::Num(p.streams_per_client? as f64),
        "message_bytes" => Cand::Num(p.message_bytes?),
        "http2" => Cand::Bool(p.http2?),
        "locked_down_networks" => Cand::Bool(p.locked_down_networks?),
        "presence" => Cand::Bool(p.presence?),
        "hidden_tab_delivery" => Cand::Bool(p.hidden_tab_delivery?),
        "resume" => Cand::Bool(p.resume?),
        "user_waits" => Cand::Bool(p.user_waits?),
        "receives_webhooks" => Cand::Bool(p.receives_webhooks?),
        "replies" => Cand::Bool(p.replies?),
        "subscriptions" => w(&p.subscriptions?),
        "audience" => w(&p.audience?),
        "direction" => w(&p.direction),
        "payload" => w(&p.payload?),
        "auth" => w(&p.auth?),
        "runtime" => Cand::Word(Cow::Borrowed(p.runtime.as_deref()?)),
        "clients" => Cand::Clients(p.clients.clone()?),
        "path" => Cand::Path(p.path.clone()?),
        _ => return None,
    })
}

/// An enum field's kebab-case word.
trait ErasedWord {
    fn word(&self) -> Cow<'static, str>;
}

impl<T: serde::Serialize> ErasedWord for T {
    fn word(&self) -> Cow<'static, str> {
        facts::variant_word(self).map_or_else(|| Cow::Owned(facts::enum_word(self)), Cow::Borrowed)
    }
}

/// Whether a candidate is the current value (numbers as the JSON output rounds them).
fn same(from: &Cand, to: &Cand) -> bool {
    match (from, to) {
        (Cand::Num(a), Cand::Num(b)) => round6(*a) == round6(*b),
        (Cand::Bool(a), Cand::Bool(b)) => a == b,
        (Cand::Word(a), Cand::Word(b)) => a == b,
        (Cand::Clients(a), Cand::Clients(b)) => a == b,
        (Cand::Path(a), Cand::Path(b)) => a == b,
        _ => false,
    }
}

fn round6(n: f64) -> f64 {
    (n * 1e6).round() / 1e6
}

/// How far a candidate is from the current value (smaller is a smaller change).
fn distance(from: &Cand, to: &Cand) -> f64 {
    match (from, to) {
        (Cand::Num(a), Cand::Num(b)) => {
            let a = round6(*a);
            if a > 0.0 && *b > 0.0 {
                (b / a).ln().abs()
            } else {
                (b - a).abs()
            }
        }
        _ => 0.0,
    }
}

/// A numeric change smaller than this factor (either way) is too small to report as a
/// flip: it means the answer sits at a boundary, which lowers the confidence instead.
pub const MIN_FLIP_FACTOR: f64 = 1.25;

/// Whether changing an answered field to `c` is a plausible change of the same workload.
/// The direction defines the feature; a runtime move is plausible only to a long-running
/// process (the usual escape from serverless caps), not to an arbitrary platform.
fn plausible(e: &Engine, name: &str, c: &Cand) -> bool {
    match (name, c) {
        ("direction", _) => false,
        ("runtime", Cand::Word(id)) => e.k.runtime(id).is_some_and(|r| r.kind == "container"),
        _ => true,
    }
}

/// What a profile with other load fields changes in `base`.
#[cfg(test)]
fn load_changes<'a>(
    e: &Engine,
    base: &Facts<'_>,
    q: &Profile,
    scratch: &mut [Val<'a>],
) -> Vec<(usize, Val<'a>)> {
    // Only the load variables are written (and read back): only they need resetting.
    for &v in &e.load_vars {
        scratch[v] = Val::Unknown;
    }
    facts::load_vals(e.k, q, scratch);
    let mut changes = Vec::new();
    for &v in &e.load_vars {
        if scratch[v] != *base.get(v) {
            changes.push((v, std::mem::replace(&mut scratch[v], Val::Unknown)));
        }
    }
    changes
}

/// The load with one load field set to a candidate (`None`: not a load field).
fn with_load(mut load: Load, name: &str, c: &Cand) -> Option<Load> {
    match (name, c) {
        ("concurrent_clients", Cand::Num(n)) => load.concurrent_clients = Some(*n as u64),
        ("streams_per_client", Cand::Num(n)) => load.streams_per_client = Some(*n as u64),
        ("update_interval_s", Cand::Num(n)) => load.update_interval_s = Some(*n),
        ("max_delay_s", Cand::Num(n)) => load.max_delay_s = Some(*n),
        _ => return None,
    }
    Some(load)
}

/// A profile's variables, looked up in a slice.
struct Vals<'a>(&'a [Val<'a>]);

impl Lookup for Vals<'_> {
    fn get(&self, var: usize) -> &Val<'_> {
        self.0.get(var).unwrap_or(&Val::Unknown)
    }
}

/// What the flip analysis of one profile reuses from one candidate to the next.
struct Trial<'e, 'k> {
    e: &'e Engine<'k>,
    p: &'e Profile,
    base: &'e Facts<'e>,
    scores: &'e Scores,
    rescore: Rescore,
    bounds: super::Bounds,
    /// The variables a candidate changed (reused from one to the next), and those
    /// of them whose readers need evaluating again.
    changed: Vec<usize>,
    reread: Vec<usize>,
    /// The base variables, with a candidate's load written over them while it is
    /// tried (texts may be left as placeholders: see [`same_for_rules`]).
    vals: Vec<Val<'e>>,
    /// The runtime and path the load is checked against (the same for every load),
    /// and their limits: worked out for the first load tried.
    basis: &'e Basis<'e>,
    limits: &'e Limits<'e>,
    /// Where a platform candidate's variables are written (empty between two: its
    /// values borrow from a profile that lives only while it is tried).
    spare: Vec<Val<'static>>,
}

/// An empty vector for values of another lifetime, in the same allocation (a
/// vector collected in place from one of the same layout keeps its buffer).
fn recycle<'b>(mut v: Vec<Val<'_>>) -> Vec<Val<'b>> {
    v.clear();
    v.into_iter().map(|_| Val::Unknown).collect()
}

/// The base variables with what [`facts::platform_vals_for_flips`] wrote for a
/// candidate (`written`: the variables it writes, every one each time).
struct Overlaid<'a, 'b> {
    base: &'a [Val<'a>],
    over: &'b [Val<'b>],
    written: &'a [bool],
}

impl Lookup for Overlaid<'_, '_> {
    #[inline]
    fn get(&self, var: usize) -> &Val<'_> {
        let from = if self.written.get(var) == Some(&true) {
            self.over
        } else {
            self.base
        };
        from.get(var).unwrap_or(&Val::Unknown)
    }
}

/// What [`Trial::load_winner`] works out once per profile: the runtime and path a
/// load meets, and (beside it, as they borrow from it) their limits.
type Basis<'e> = std::cell::OnceCell<facts::LoadBasis<'e>>;
type Limits<'e> = std::cell::OnceCell<Vec<(&'e str, &'e crate::rules::Limit)>>;

/// Whether two values are alike to every rule condition: texts are never compared
/// (only known or not), so any text is alike to any other.
pub(super) fn same_for_rules(a: &Val, b: &Val) -> bool {
    matches!((a, b), (Val::Text(_), Val::Text(_))) || a == b
}

impl<'e> Trial<'e, '_> {
    fn new(
        e: &'e Engine,
        p: &'e Profile,
        base: &'e Facts<'e>,
        scores: &'e Scores,
        basis: &'e Basis<'e>,
        limits: &'e Limits<'e>,
    ) -> Trial<'e, 'e> {
        Trial {
            e,
            p,
            base,
            scores,
            rescore: Rescore::default(),
            bounds: super::Bounds::default(),
            changed: Vec::new(),
            reread: Vec::new(),
            // Texts are alike to the rules whatever they say: no need to copy them.
            vals: base
                .vals
                .iter()
                .map(|v| match v {
                    Val::Text(_) => Val::Text(Cow::Borrowed("")),
                    other => other.clone(),
                })
                .collect(),
            basis,
            limits,
            spare: Vec::new(),
        }
    }

    /// The winner with the profile's load changed to `load`.
    fn load_winner(&mut self, load: &Load) -> usize {
        let (e, p) = (self.e, self.p);
        let basis = self.basis.get_or_init(|| facts::LoadBasis::new(e.k, p));
        let limits = self.limits.get_or_init(|| basis.limits());
        facts::load_vals_with(&e.k.policy, load, limits, &mut self.vals, false);
        self.rescore_and_restore(&e.load_vars)
    }

    /// The winner for `q`, the profile with another runtime or path.
    ///
    /// The candidate's variables borrow from `q`, which lives only while it is tried:
    /// they are written over a copy of the base ones (texts in it are empty and words
    /// borrowed, so copying it copies few strings).
    fn platform_winner(&mut self, q: &Profile) -> usize {
        let mut over = recycle(std::mem::take(&mut self.spare));
        // Made in place (`resize` would clone one value into every slot).
        over.extend((0..vars::VARS.len()).map(|_| Val::Unknown));
        facts::platform_vals_for_flips(self.e.k, q, &mut over);
        let base = &self.base.vals;
        self.changed.clear();
        self.changed.extend(
            self.e
                .platform_vars
                .iter()
                .copied()
                .filter(|&v| !alike_for_rules(&self.e.cuts, v, &over[v], &base[v])),
        );
        let env = Overlaid {
            base: &self.vals,
            over: &over,
            written: &self.e.platform_mask,
        };
        let w = self.e.rescored_winner(
            &mut self.rescore,
            self.scores,
            &env,
            self.changed.iter().copied(),
        );
        self.spare = recycle(over);
        w
    }

    /// The winner once the rules reading a variable of `written` that changed are
    /// evaluated again over the candidate's variables; then the base ones are back.
    fn rescore_and_restore(&mut self, written: &[usize]) -> usize {
        let (vals, base) = (&mut self.vals, &self.base.vals);
        self.changed.clear();
        self.reread.clear();
        for &v in written {
            if !same_for_rules(&vals[v], &base[v]) {
                self.changed.push(v);
                // A number still on the same side of every threshold changes no
                // rule's outcome: the rules reading it are not evaluated again.
                if !alike_for_rules(&self.e.cuts, v, &vals[v], &base[v]) {
                    self.reread.push(v);
                }
            }
        }
        // Nothing to evaluate again: the base winner (what re-scoring nothing gives).
        let w = if self.reread.is_empty() {
            self.e.winner(self.scores)
        } else {
            self.e.rescored_winner(
                &mut self.rescore,
                self.scores,
                &Vals(vals),
                self.reread.iter().copied(),
            )
        };
        for &v in &self.changed {
            vals[v].clone_from(&base[v]);
        }
        w
    }
}

#[derive(Default)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) struct Analysis<'k> {
    /// Plausible changes of answered fields that flip the transport.
    pub flips: Vec<Flip<'k>>,
    /// Changes under [`MIN_FLIP_FACTOR`] that already flip it: the answer is close.
    pub near: Vec<Flip<'k>>,
    /// Unanswered fields whose answer could change it, most decisive first.
    pub unknowns: Vec<&'static str>,
}

/// Flips for answered fields, and the unanswered fields that could change the answer
/// (most decisive first).
pub(super) fn analyse<'k>(
    e: &Engine<'k>,
    p: &Profile,
    base: &Facts,
    scores: &Scores,
    win: usize,
) -> Analysis<'k> {
    analyse_in::<true>(e, p, base, scores, win)
}

/// [`analyse`] deciding every candidate of a field its own variable sets directly
/// (the per-candidate path before cells): what the cells are checked against.
#[cfg(test)]
fn analyse_each<'k>(
    e: &Engine<'k>,
    p: &Profile,
    base: &Facts,
    scores: &Scores,
    win: usize,
) -> Analysis<'k> {
    analyse_in::<false>(e, p, base, scores, win)
}

/// [`analyse`]; with `CELLS`, a number a field sets directly is decided once per
/// cell (see [`cell`]): a candidate in the base value's cell keeps the winner, one
/// in the cell of a candidate already tried gets its winner.
fn analyse_in<'k, const CELLS: bool>(
    e: &Engine<'k>,
    p: &Profile,
    base: &Facts,
    scores: &Scores,
    win: usize,
) -> Analysis<'k> {
    let mut near: Vec<Flip<'k>> = Vec::new();
    let mut flips: Vec<(Flip<'k>, f64)> = Vec::new();
    let mut unknowns: Vec<(&'static str, f64, usize)> = Vec::new();
    let (cache, limits) = (Basis::default(), Limits::default());
    let mut trial = Trial::new(e, p, base, scores, &cache, &limits);
    let load = Load::of(p);
    let mut cands: Vec<Cand<'k>> = Vec::with_capacity(32);
    // The cells of a field's candidates already decided, with their winners (the
    // first few: a field has about a dozen candidates; past that, no memo).
    let mut decided = [(0u64, 0usize); 16];
    for (order, spec) in FIELDS.iter().enumerate() {
        if matches!(spec.name, "name" | "current_transport") {
            continue;
        }
        // No value of this field can change the answer: nothing to try (an unanswered
        // one would flip nothing, an answered one report no flip).
        if e.cannot_flip_field(&mut trial.bounds, scores, win, &e.flip_plan[order]) {
            continue;
        }
        let from = current(p, spec.name);
        let known = from.is_some();
        candidates_into(e, p, order, spec.kind, known, &mut cands);
        let direct = e.flip_plan[order].direct;
        let mut n_decided = 0;
        let base_cell = direct.and_then(|v| cell(&e.cuts, v, base.get(v)));
        let is_load = e.flip_plan[order].load;
        // Only these fields have implausible values (see `plausible`).
        let may_be_implausible = known && matches!(spec.name, "direction" | "runtime");
        let mut variant: Option<Profile> = None;
        let mut tried = 0usize;
        let mut flipped = 0usize;
        for c in &cands {
            if from.as_ref().is_some_and(|f| same(f, c)) {
                continue;
            }
            // An implausible change of an answered field is never reported, and only
            // unanswered fields count what they tried: no need to decide it.
            if may_be_implausible && !plausible(e, spec.name, c) {
                continue;
            }
            let w = match (direct, cand_val(c)) {
                (Some(var), Some(val)) => {
                    let at = if CELLS {
                        cell(&e.cuts, var, &val)
                    } else {
                        None
                    };
                    let known_cell = at.and_then(|at| {
                        if Some(at) == base_cell {
                            Some(win)
                        } else {
                            decided[..n_decided]
                                .iter()
                                .find(|(c, _)| *c == at)
                                .map(|(_, w)| *w)
                        }
                    });
                    match known_cell {
                        Some(w) => w,
                        None => {
                            let w = e.rescored_winner_one(
                                &mut trial.rescore,
                                scores,
                                &Overlay { base, var, val },
                                var,
                            );
                            if let Some(slot) = at.filter(|_| n_decided < decided.len()) {
                                decided[n_decided] = (slot, w);
                                n_decided += 1;
                            }
                            w
                        }
                    }
                }
                _ => match is_load.then(|| with_load(load, spec.name, c)).flatten() {
                    Some(l) => trial.load_winner(&l),
                    None => {
                        // One copy of the profile per field: each candidate sets the
                        // same field over the last one's value.
                        let q = variant.get_or_insert_with(|| p.clone());
                        if set(q, spec.name, c).is_none() {
                            continue;
                        }
                        if e.flip_plan[order].platform {
                            trial.platform_winner(q)
                        } else {
                            let now = facts::facts_for_flips(e.k, q);
                            e.winner_with_facts_in(&mut trial.rescore, scores, base, &now)
                        }
                    }
                },
            };
            tried += 1;
            if w == win {
                continue;
            }
            flipped += 1;
            if let Some(from) = &from {
                let d = distance(from, c);
                let near_flip = matches!(c, Cand::Num(_)) && d < MIN_FLIP_FACTOR.ln();
                if near_flip && near.iter().any(|f| f.field == spec.name) {
                    continue;
                }
                let transport = e.transport(w);
                let slot = flips
                    .iter()
                    .position(|(f, _)| f.field == spec.name && f.transport == transport);
                if !near_flip && slot.is_some_and(|i| d >= flips[i].1) {
                    continue;
                }
                let flip = Flip {
                    field: spec.name,
                    from: Some(from.json()),
                    to: c.json(),
                    transport,
                };
                match (near_flip, slot) {
                    (true, _) => near.push(flip),
                    (false, Some(i)) => flips[i] = (flip, d),
                    (false, None) => flips.push((flip, d)),
                }
            }
        }
        if !known && flipped > 0 {
            unknowns.push((spec.name, flipped as f64 / tried.max(1) as f64, order));
        }
    }
    unknowns.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    Analysis {
        flips: flips.into_iter().map(|(f, _)| f).collect(),
        near,
        unknowns: unknowns.into_iter().map(|(n, _, _)| n).collect(),
    }
}

/// Every profile an answer to `name` could give, from the same candidates the flip
/// analysis tries (rule thresholds, choices, ids). For an unanswered `path`, each known
/// hop on its own and an empty path. Used by `rtadvisor ask` to skip questions whose
/// answer cannot change the recommendation.
pub(crate) fn answer_variants(e: &Engine, p: &Profile, name: &str) -> Vec<Profile> {
    let Some(field) = FIELDS.iter().position(|f| f.name == name) else {
        return Vec::new();
    };
    let spec = &FIELDS[field];
    let known = current(p, name).is_some();
    let mut cands = candidates(e, p, field, spec.kind, known);
    if matches!(spec.kind, FieldKind::Path) && !known {
        cands.push(Cand::Path(Vec::new()));
        cands.extend(
            e.k.hops
                .iter()
                .map(|h| Cand::Path(vec![Hop::Known(h.id.to_string())])),
        );
    }
    cands.iter().filter_map(|c| apply(p, name, c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Knowledge;

    /// Reading a choice's word without JSON gives what serde_json gives, and refuses
    /// what it refuses.
    #[test]
    fn words_read_as_serde_json_reads_them() {
        use crate::profile::*;
        fn check<T: serde::de::DeserializeOwned + serde::Serialize>(words: &[&str]) {
            for w in words.iter().copied().chain(["nonsense", "", "Text"]) {
                let json: Option<T> = serde_json::from_value(json!(w)).ok();
                let quick: Option<T> = word(w);
                assert_eq!(
                    quick.as_ref().map(facts::enum_word),
                    json.as_ref().map(facts::enum_word),
                    "{w}"
                );
                assert_eq!(quick.is_some(), words.contains(&w), "{w}");
            }
        }
        check::<Direction>(DIRECTIONS);
        check::<Payload>(PAYLOADS);
        check::<Auth>(AUTHS);
        check::<Subscriptions>(SUBSCRIPTIONS);
        check::<Audience>(AUDIENCES);
    }

    /// The tables worked out at compile time say what comparing the names says.
    #[test]
    fn compile_time_field_tables_match_the_names() {
        for (f, spec) in FIELDS.iter().enumerate() {
            assert_eq!(OWN_VAR[f], vars::var_id(spec.name), "{}", spec.name);
            for (v, var) in vars::VARS.iter().enumerate() {
                assert_eq!(
                    DEPENDS[f][v],
                    var.fields.contains(&spec.name),
                    "{} / {}",
                    spec.name,
                    var.name
                );
            }
        }
        // Something depends on something: the tables are not all empty.
        assert!(DEPENDS.iter().flatten().filter(|d| **d).count() > 20);
        assert!(OWN_VAR.iter().filter(|v| v.is_some()).count() > 15);
    }

    fn fixtures(k: &Knowledge) -> Vec<Profile> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).unwrap();
                crate::profile::parse_profile(&text, &k.hop_ids()).unwrap()
            })
            .collect()
    }

    /// Re-evaluating only the rules whose variables changed gives the winner scoring
    /// everything again gives, for every candidate of every field of every fixture.
    #[test]
    fn partial_rescoring_matches_full_rescoring() {
        let k = Knowledge::embedded().unwrap();
        let e = Engine::new(&k);
        let mut compared = 0;
        let mut skipped = 0;
        for p in fixtures(&k) {
            let base = facts::facts(&k, &p);
            let scores = e.score(&base);
            let win = e.winner(&scores);
            for (i, spec) in FIELDS.iter().enumerate() {
                let known = current(&p, spec.name).is_some();
                let bounded = e.cannot_flip(&scores, win, &e.flip_plan[i].rules);
                // The per-field sums give what summing the rules again gives.
                let by_field = e.cannot_flip_field(
                    &mut crate::engine::Bounds::default(),
                    &scores,
                    win,
                    &e.flip_plan[i],
                );
                assert_eq!(by_field, bounded, "{}: {}", p.name, spec.name);
                for other in 0..e.transports.len() {
                    let mut b = crate::engine::Bounds::default();
                    assert_eq!(
                        e.cannot_flip_field(&mut b, &scores, other, &e.flip_plan[i]),
                        e.cannot_flip(&scores, other, &e.flip_plan[i].rules),
                        "{}: {} for {other}",
                        p.name,
                        spec.name
                    );
                }
                skipped += usize::from(bounded);
                for c in candidates(&e, &p, i, spec.kind, known) {
                    let Some(q) = apply(&p, spec.name, &c) else {
                        continue;
                    };
                    let now = facts::facts(&k, &q);
                    let full = e.winner(&e.score(&now));
                    // A field the bounds rule out never changes the winner.
                    if bounded {
                        assert_eq!(full, win, "{}: {}", p.name, spec.name);
                    }
                    assert_eq!(e.winner_with_facts(&scores, &base, &now), full);
                    let quick = facts::facts_for_flips(&k, &q).vals;
                    for (v, (a, b)) in quick.iter().zip(&now.vals).enumerate() {
                        assert!(same_for_rules(a, b), "{}: {a:?} {b:?}", vars::VARS[v].name);
                        // Texts are emptied, never made up or dropped.
                        if let (Val::Text(a), Val::Text(b)) = (a, b) {
                            assert!(a.is_empty() || a == b);
                        }
                    }
                    if e.flip_plan[i].platform {
                        // It writes every platform variable, and nothing else (a
                        // candidate's are read over the base ones: see `Overlaid`).
                        let unset = Val::Num(-1.5e300);
                        let mut written = vec![unset.clone(); vars::VARS.len()];
                        facts::platform_vals_for_flips(&k, &q, &mut written);
                        for (v, val) in written.iter().enumerate() {
                            assert_eq!(
                                *val != unset,
                                e.platform_vars.contains(&v),
                                "{}",
                                vars::VARS[v].name
                            );
                        }
                        let (cache, limits) = (Basis::default(), Limits::default());
                        let mut trial = Trial::new(&e, &p, &base, &scores, &cache, &limits);
                        assert_eq!(trial.platform_winner(&q), full, "{}", spec.name);
                        for (v, val) in now.vals.iter().enumerate() {
                            if !same_for_rules(val, &base.vals[v]) {
                                assert!(e.platform_vars.contains(&v), "{}", vars::VARS[v].name);
                            }
                        }
                        for (a, b) in trial.vals.iter().zip(&base.vals) {
                            assert!(same_for_rules(a, b), "{a:?} {b:?}");
                        }
                    }
                    if e.flip_plan[i].load {
                        let mut scratch = vec![Val::Unknown; vars::VARS.len()];
                        let changes = load_changes(&e, &base, &q, &mut scratch);
                        assert_eq!(e.winner_with_changes(&scores, &base, &changes), full);
                        let (cache, limits) = (Basis::default(), Limits::default());
                        let mut trial = Trial::new(&e, &p, &base, &scores, &cache, &limits);
                        let load = with_load(Load::of(&p), spec.name, &c).unwrap();
                        assert_eq!(load, Load::of(&q));
                        assert_eq!(trial.load_winner(&load), full, "{}", spec.name);
                        // The base variables are back once the candidate is tried.
                        assert!(trial.vals.len() == base.vals.len());
                        for (a, b) in trial.vals.iter().zip(&base.vals) {
                            assert!(same_for_rules(a, b), "{a:?} {b:?}");
                        }
                        // Every variable the load changes is among those it recomputes.
                        for (v, val) in now.vals.iter().enumerate() {
                            if *val != base.vals[v] {
                                assert!(e.load_vars.contains(&v), "{}", vars::VARS[v].name);
                            }
                        }
                    }
                    if let (Some(var), Some(val)) = (e.flip_plan[i].direct, cand_val(&c)) {
                        let over = Overlay {
                            base: &base,
                            var,
                            val,
                        };
                        assert_eq!(e.winner_with(&scores, &over, var), full, "{}", spec.name);
                        let one =
                            e.rescored_winner_one(&mut Rescore::default(), &scores, &over, var);
                        assert_eq!(one, full, "{}", spec.name);
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000, "{compared}");
        // The bounds rule out some fields (else they would be no use), not all.
        assert!(skipped > 50 && skipped < 56 * FIELDS.len(), "{skipped}");
    }

    /// Two numbers that [`alike_for_rules`] calls alike give every scoring rule
    /// reading the variable the same outcome, on every fixture: for each variable,
    /// values on each side of, at and between its thresholds, tried in pairs.
    #[test]
    fn numbers_alike_for_rules_give_every_rule_the_same_outcome() {
        let k = Knowledge::embedded().unwrap();
        let e = Engine::new(&k);
        let (mut alike, mut checked) = (0, 0);
        for p in fixtures(&k) {
            let base = facts::facts(&k, &p);
            for (v, cuts) in e.cuts.iter().enumerate() {
                let Some(cuts) = cuts else { continue };
                let mut tries: Vec<f64> = vec![-1e9, 0.0, 1e12];
                for t in cuts {
                    tries.extend([t - 1.0, t - 1e-3, *t, t + 1e-3, t + 1.0, t * 2.0, t / 2.0]);
                }
                for &a in &tries {
                    for &b in &tries {
                        let (a, b) = (Val::Num(a), Val::Num(b));
                        if !alike_for_rules(&e.cuts, v, &a, &b) {
                            continue;
                        }
                        alike += 1;
                        let over = |val: &Val<'static>| Overlay {
                            base: &base,
                            var: v,
                            val: val.clone(),
                        };
                        for &r in &e.readers[v] {
                            let when = &e.scoring[r].rule.when;
                            assert_eq!(
                                when.eval(&over(&a)),
                                when.eval(&over(&b)),
                                "{v} {a:?} {b:?}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(alike > 1000 && checked > 1000, "{alike} {checked}");
        assert!(e.cuts.iter().flatten().any(|c| !c.is_empty()));
    }

    /// Deciding a field's numbers once per cell gives the flips, near flips and
    /// unknowns deciding every candidate gives, on every fixture; and cells are what
    /// [`alike_for_rules`] says of numbers.
    #[test]
    fn cells_give_what_each_candidate_gives() {
        let k = Knowledge::embedded().unwrap();
        let e = Engine::new(&k);
        let mut flips = 0;
        for p in fixtures(&k) {
            let base = facts::facts(&k, &p);
            let scores = e.score(&base);
            let win = e.winner(&scores);
            let quick = analyse(&e, &p, &base, &scores, win);
            assert_eq!(
                quick,
                analyse_each(&e, &p, &base, &scores, win),
                "{}",
                p.name
            );
            flips += quick.flips.len() + quick.near.len() + quick.unknowns.len();
        }
        // Something to compare: not every analysis is empty.
        assert!(flips > 50, "{flips}");
        let mut cells = 0;
        for (v, cuts) in e.cuts.iter().enumerate() {
            let Some(cs) = cuts else {
                assert_eq!(cell(&e.cuts, v, &Val::Num(1.0)), None);
                continue;
            };
            let mut tries: Vec<f64> = vec![-1e9, 0.0, 1e12, f64::NAN];
            for t in cs {
                tries.extend([t - 1.0, *t, t + 1e-3, t * 2.0]);
            }
            for &a in &tries {
                for &b in &tries {
                    let (a, b) = (Val::Num(a), Val::Num(b));
                    let same_cell = cell(&e.cuts, v, &a) == cell(&e.cuts, v, &b);
                    assert_eq!(
                        same_cell,
                        alike_for_rules(&e.cuts, v, &a, &b),
                        "{v} {a:?} {b:?}"
                    );
                    cells += 1;
                }
            }
        }
        assert!(cells > 1000, "{cells}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// The same for fixtures with a number set anywhere (not only at the
        /// candidates' steps).
        #[test]
        fn cells_give_what_each_candidate_gives_for_any_number(
            which in 0usize..1000,
            field in 0usize..FIELDS.len(),
            n in proptest::prop_oneof![0.0f64..2.0, 0.0f64..100.0, 0.0f64..100_000.0],
        ) {
            let k = Knowledge::embedded().unwrap();
            let e = Engine::new(&k);
            let all = fixtures(&k);
            let spec = &FIELDS[field];
            let n = match spec.kind {
                FieldKind::Count { .. } => n.round(),
                _ => n,
            };
            let mut p = all[which % all.len()].clone();
            let _ = set(&mut p, spec.name, &Cand::Num(n));
            let base = facts::facts(&k, &p);
            let scores = e.score(&base);
            let win = e.winner(&scores);
            proptest::prop_assert_eq!(
                analyse(&e, &p, &base, &scores, win),
                analyse_each(&e, &p, &base, &scores, win)
            );
        }
    }

    /// The typed current value is what the profile's JSON says (flips report it).
    #[test]
    fn current_values_are_the_profiles_json() {
        let k = Knowledge::embedded().unwrap();
        for p in fixtures(&k) {
            let json = serde_json::to_value(&p).unwrap();
            for spec in FIELDS.iter().filter(|f| !matches!(f.kind, FieldKind::Text)) {
                if spec.name == "current_transport" {
                    continue;
                }
                let want = json
                    .get(spec.name)
                    .map(|v| v.as_f64().map_or_else(|| v.clone(), num_json));
                assert_eq!(
                    current(&p, spec.name).map(|c| c.json()),
                    want,
                    "{}",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn steps_are_readable() {
        assert_eq!(step(30.0), 1.0);
        assert_eq!(step(200.0), 10.0);
        assert!((step(1.0) - 0.1).abs() < 1e-12);
        assert_eq!(num_json(0.1 + 0.2), json!(0.3));
        assert_eq!(num_json(31.0), json!(31));
    }
}
