//! Rule conditions: a small, typed language over [`VARS`](super::vars::VARS),
//! evaluated with three-valued logic (an unknown field gives an unknown answer).
//!
//! ```yaml
//! when:
//!   all:
//!     - direction: bidirectional                 # equality
//!     - client_messages_per_minute: {gt: 30}     # comparison
//!     - auth: [bearer-token, query-token]        # one of
//!     - clients: {contains: browser}             # list membership
//!     - update_interval_s: {gt: {var: path.min_idle_s, times: 0.45}}
//!     - round_trip_ms: {known: false}            # not answered
//!     - not: {presence: true}
//! ```

use super::vars::{Scope, VarId, VarType, VARS};
use crate::diag::{suggestion, Diagnostic};
use crate::yaml::{Node, Pos, Value};
use std::borrow::Cow;

/// Three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
    pub fn negate(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// A value a variable holds for one profile: words and texts are borrowed from the
/// profile or the rules where they can be (`'a`), written only when made up.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    /// The field was not answered.
    Unknown,
    /// Answered, and there is nothing (e.g. no idle timeout on the path).
    Absent,
    Num(f64),
    Bool(bool),
    Word(Cow<'a, str>),
    List(Vec<Cow<'a, str>>),
    Text(Cow<'a, str>),
}

impl Val<'_> {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown)
    }

    /// [`Self::display`], written at the end of `out`.
    pub fn write_display(&self, out: &mut String) {
        match self {
            Val::Word(s) | Val::Text(s) => out.push_str(s),
            Val::Num(n) => write_num(out, *n),
            other => out.push_str(&other.display()),
        }
    }

    /// The value as rule texts print it.
    pub fn display(&self) -> String {
        match self {
            Val::Unknown => "unknown".into(),
            Val::Absent => "none".into(),
            Val::Num(n) => fmt_num(*n),
            Val::Bool(b) => b.to_string(),
            Val::Word(s) | Val::Text(s) => s.to_string(),
            Val::List(items) => format!("[{}]", items.join(", ")),
        }
    }
}

/// [`fmt_num`], written at the end of `out` (no string of its own).
pub fn write_num(out: &mut String, n: f64) {
    use std::fmt::Write;
    if n.fract() == 0.0 && n.abs() < 1e15 {
        let _ = write!(out, "{}", n as i64);
    } else {
        let start = out.len();
        let _ = write!(out, "{n:.3}");
        // What `trim_end_matches('0')` and then `trim_end_matches('.')` leave.
        while out.len() > start && out.ends_with('0') {
            out.pop();
        }
        while out.len() > start && out.ends_with('.') {
            out.pop();
        }
    }
}

/// A number without noise: `60`, `0.5`, `1.25`.
pub fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A literal in a condition.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Lit {
    Num(f64),
    Bool(bool),
    Word(String),
}

impl Lit {
    pub fn display(&self) -> String {
        match self {
            Lit::Num(n) => fmt_num(*n),
            Lit::Bool(b) => b.to_string(),
            Lit::Word(w) => w.clone(),
        }
    }
}

/// The right-hand side of a comparison: a number, or another variable scaled.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Operand {
    Num(f64),
    Var { var: VarId, times: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Cmp {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Cmp {
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Gte => ">=",
            Cmp::Lt => "<",
            Cmp::Lte => "<=",
        }
    }
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Gt => a > b,
            Cmp::Gte => a >= b,
            Cmp::Lt => a < b,
            Cmp::Lte => a <= b,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Op {
    Eq(Lit),
    Ne(Lit),
    In(Vec<Lit>),
    Cmp(Cmp, Operand),
    Contains(Lit),
    Known(bool),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Cond {
    Always,
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Leaf { var: VarId, op: Op },
}

/// Where a condition looks values up.
pub trait Lookup {
    fn get(&self, var: VarId) -> &Val<'_>;
}

impl Cond {
    /// Generic over where values come from, so that each kind of lookup is compiled
    /// into the evaluation (no call through a vtable per variable read).
    pub fn eval<L: Lookup + ?Sized>(&self, env: &L) -> Tri {
        match self {
            Cond::Always => Tri::True,
            Cond::All(items) => {
                let mut out = Tri::True;
                for c in items {
                    match c.eval(env) {
                        Tri::False => return Tri::False,
                        Tri::Unknown => out = Tri::Unknown,
                        Tri::True => {}
                    }
                }
                out
            }
            Cond::Any(items) => {
                let mut out = Tri::False;
                for c in items {
                    match c.eval(env) {
                        Tri::True => return Tri::True,
                        Tri::Unknown => out = Tri::Unknown,
                        Tri::False => {}
                    }
                }
                out
            }
            Cond::Not(c) => c.eval(env).negate(),
            Cond::Leaf { var, op } => eval_leaf(env.get(*var), op, env),
        }
    }

    /// Every variable the condition reads, in order of first use.
    pub fn vars(&self, out: &mut Vec<VarId>) {
        match self {
            Cond::Always => {}
            Cond::All(items) | Cond::Any(items) => items.iter().for_each(|c| c.vars(out)),
            Cond::Not(c) => c.vars(out),
            Cond::Leaf { var, op } => {
                if !out.contains(var) {
                    out.push(*var);
                }
                if let Op::Cmp(_, Operand::Var { var, .. }) = op {
                    if !out.contains(var) {
                        out.push(*var);
                    }
                }
            }
        }
    }

    /// Every leaf, for finding thresholds.
    pub fn leaves<'a>(&'a self, out: &mut Vec<(VarId, &'a Op)>) {
        match self {
            Cond::Always => {}
            Cond::All(items) | Cond::Any(items) => items.iter().for_each(|c| c.leaves(out)),
            Cond::Not(c) => c.leaves(out),
            Cond::Leaf { var, op } => out.push((*var, op)),
        }
    }

    /// The condition written out, for `explain` and `rules show`.
    pub fn describe(&self) -> String {
        match self {
            Cond::Always => "always".into(),
            Cond::All(items) => join(items, " and "),
            Cond::Any(items) => join(items, " or "),
            Cond::Not(c) => format!("not ({})", c.describe()),
            Cond::Leaf { var, op } => {
                let name = VARS[*var].name;
                match op {
                    Op::Eq(l) => format!("{name} = {}", l.display()),
                    Op::Ne(l) => format!("{name} != {}", l.display()),
                    Op::In(ls) => format!(
                        "{name} in [{}]",
                        ls.iter().map(Lit::display).collect::<Vec<_>>().join(", ")
                    ),
                    Op::Cmp(c, Operand::Num(n)) => format!("{name} {} {}", c.symbol(), fmt_num(*n)),
                    Op::Cmp(c, Operand::Var { var, times }) => {
                        let scale = if *times == 1.0 {
                            String::new()
                        } else {
                            format!(" x {}", fmt_num(*times))
                        };
                        format!("{name} {} {}{scale}", c.symbol(), VARS[*var].name)
                    }
                    Op::Contains(l) => format!("{name} contains {}", l.display()),
                    Op::Known(true) => format!("{name} is known"),
                    Op::Known(false) => format!("{name} is unknown"),
                }
            }
        }
    }
}

fn join(items: &[Cond], sep: &str) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|c| match c {
            Cond::All(_) | Cond::Any(_) => format!("({})", c.describe()),
            _ => c.describe(),
        })
        .collect();
    parts.join(sep)
}

#[inline]
fn lit_eq(v: &Val, l: &Lit) -> bool {
    match (v, l) {
        (Val::Num(a), Lit::Num(b)) => a == b,
        (Val::Bool(a), Lit::Bool(b)) => a == b,
        (Val::Word(a), Lit::Word(b)) => a == b,
        _ => false,
    }
}

fn eval_leaf<L: Lookup + ?Sized>(v: &Val, op: &Op, env: &L) -> Tri {
    if let Op::Known(want) = op {
        return Tri::from_bool(v.is_unknown() != *want);
    }
    if v.is_unknown() {
        return Tri::Unknown;
    }
    match op {
        Op::Eq(l) => Tri::from_bool(lit_eq(v, l)),
        Op::Ne(l) => Tri::from_bool(!lit_eq(v, l)),
        Op::In(ls) => Tri::from_bool(ls.iter().any(|l| lit_eq(v, l))),
        Op::Contains(l) => match (v, l) {
            (Val::List(items), Lit::Word(w)) => Tri::from_bool(items.iter().any(|i| i == w)),
            _ => Tri::False,
        },
        Op::Cmp(c, rhs) => {
            let Val::Num(a) = v else {
                return Tri::False;
            };
            let b = match rhs {
                Operand::Num(n) => *n,
                Operand::Var { var, times } => match env.get(*var) {
                    Val::Num(n) => n * times,
                    Val::Unknown => return Tri::Unknown,
                    _ => return Tri::False,
                },
            };
            Tri::from_bool(c.holds(*a, b))
        }
        Op::Known(_) => Tri::True,
    }
}

/// Parses a condition, pushing every problem into `out`. `scope` limits hop variables
/// to `foreach: hop` rules; `ids` are the runtime and hop ids words may name.
pub fn parse(node: &Node, scope: Scope, ids: &[&str], out: &mut Vec<Diagnostic>) -> Option<Cond> {
    let mut p = Parser { scope, ids, out };
    p.cond(node)
}

struct Parser<'a> {
    scope: Scope,
    ids: &'a [&'a str],
    out: &'a mut Vec<Diagnostic>,
}

const COMBINATORS: &[&str] = &["all", "any", "not"];
const OPS: &[&str] = &[
    "eq", "ne", "in", "gt", "gte", "lt", "lte", "contains", "known",
];

impl Parser<'_> {
    fn err(&mut self, d: Diagnostic) -> Option<Cond> {
        self.out.push(d);
        None
    }

    fn cond(&mut self, node: &Node) -> Option<Cond> {
        match &node.value {
            Value::Map(entries) if !entries.is_empty() => {
                let mut parts = Vec::new();
                let mut ok = true;
                for (key, value) in entries {
                    let part = match key.name.as_str() {
                        "all" | "any" => self.list(&key.name, value),
                        "not" => self.cond(value).map(|c| Cond::Not(Box::new(c))),
                        name => self.leaf(name, key.pos, value),
                    };
                    match part {
                        Some(c) => parts.push(c),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Some(if parts.len() == 1 {
                    parts.remove(0)
                } else {
                    Cond::All(parts)
                })
            }
            _ => self.err(
                Diagnostic::at(
                    format!("a condition must be a mapping, found {}", node.value.kind()),
                    node.pos,
                )
                .label("expected `variable: value`, `all: […]`, `any: […]` or `not: …`"),
            ),
        }
    }

    fn list(&mut self, name: &str, node: &Node) -> Option<Cond> {
        let Value::Seq(items) = &node.value else {
            return self.err(
                Diagnostic::at(format!("`{name}` takes a list of conditions"), node.pos)
                    .label(format!("found {}", node.value.kind())),
            );
        };
        let parsed: Vec<Option<Cond>> = items.iter().map(|i| self.cond(i)).collect();
        let conds: Option<Vec<Cond>> = parsed.into_iter().collect();
        let conds = conds?;
        Some(if name == "all" {
            Cond::All(conds)
        } else {
            Cond::Any(conds)
        })
    }

    fn leaf(&mut self, name: &str, pos: Pos, node: &Node) -> Option<Cond> {
        let Some(var) = VARS.iter().position(|v| v.name == name) else {
            let names = VARS
                .iter()
                .filter(|v| self.scope == Scope::Hop || v.scope == Scope::Profile)
                .map(|v| v.name)
                .chain(COMBINATORS.iter().copied());
            return self.err(
                Diagnostic::at(format!("unknown variable `{name}` in a condition"), pos)
                    .label("not a profile field or derived fact")
                    .help(suggestion(name, names)),
            );
        };
        let def = VARS[var];
        if def.scope == Scope::Hop && self.scope != Scope::Hop {
            return self.err(
                Diagnostic::at(
                    format!("`{name}` is only available in `foreach: hop` rules"),
                    pos,
                )
                .label("hop variable outside a per-hop rule")
                .help("add `foreach: hop` to the rule, or use a `path.*` variable"),
            );
        }
        let is_list = matches!(def.ty, VarType::IdList | VarType::WordList(_));
        if is_list && !matches!(node.value, Value::Map(_)) {
            return self.err(
                Diagnostic::at(format!("`{name}` is a list: test it with `contains`"), pos)
                    .label("equality on a list")
                    .help(format!("e.g. `{name}: {{contains: …}}`")),
            );
        }
        let mut ops = Vec::new();
        match &node.value {
            Value::Seq(items) => {
                let lits: Option<Vec<Lit>> =
                    items.iter().map(|i| self.lit(def.ty, name, i)).collect();
                ops.push(Op::In(lits?));
            }
            Value::Map(entries) => {
                let mut ok = true;
                for (key, value) in entries {
                    match self.op(def.ty, name, &key.name, key.pos, value) {
                        Some(op) => ops.push(op),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                if ops.is_empty() {
                    return self.err(Diagnostic::at(format!("empty test for `{name}`"), node.pos));
                }
            }
            _ => ops.push(Op::Eq(self.lit(def.ty, name, node)?)),
        }
        if ops
            .iter()
            .any(|op| matches!(op, Op::Eq(_) | Op::Ne(_) | Op::In(_)))
            && matches!(def.ty, VarType::IdList | VarType::WordList(_))
        {
            return self.err(
                Diagnostic::at(format!("`{name}` is a list: test it with `contains`"), pos)
                    .label("equality on a list")
                    .help(format!("e.g. `{name}: {{contains: …}}`")),
            );
        }
        let mut leaves: Vec<Cond> = ops.into_iter().map(|op| Cond::Leaf { var, op }).collect();
        Some(if leaves.len() == 1 {
            leaves.remove(0)
        } else {
            Cond::All(leaves)
        })
    }

    fn op(&mut self, ty: VarType, var: &str, op: &str, pos: Pos, node: &Node) -> Option<Op> {
        let cmp = match op {
            "gt" => Some(Cmp::Gt),
            "gte" => Some(Cmp::Gte),
            "lt" => Some(Cmp::Lt),
            "lte" => Some(Cmp::Lte),
            _ => None,
        };
        if let Some(c) = cmp {
            if ty != VarType::Num {
                self.out.push(
                    Diagnostic::at(
                        format!("`{op}` compares numbers, but `{var}` is not a number"),
                        pos,
                    )
                    .label("not a numeric variable"),
                );
                return None;
            }
            return self.operand(node).map(|o| Op::Cmp(c, o));
        }
        match op {
            "eq" => self.lit(ty, var, node).map(Op::Eq),
            "ne" => self.lit(ty, var, node).map(Op::Ne),
            "in" => match &node.value {
                Value::Seq(items) => {
                    let lits: Option<Vec<Lit>> =
                        items.iter().map(|i| self.lit(ty, var, i)).collect();
                    lits.map(Op::In)
                }
                _ => {
                    self.out.push(Diagnostic::at("`in` takes a list", node.pos));
                    None
                }
            },
            "contains" => {
                let elem = match ty {
                    VarType::IdList => VarType::Id,
                    VarType::WordList(w) => VarType::Word(w),
                    _ => {
                        self.out.push(
                            Diagnostic::at(
                                format!("`contains` needs a list, but `{var}` is not one"),
                                pos,
                            )
                            .label("not a list variable"),
                        );
                        return None;
                    }
                };
                self.lit(elem, var, node).map(Op::Contains)
            }
            "known" => match node.value {
                Value::Bool(b) => Some(Op::Known(b)),
                _ => {
                    self.out
                        .push(Diagnostic::at("`known` takes true or false", node.pos));
                    None
                }
            },
            _ => {
                self.out.push(
                    Diagnostic::at(format!("unknown operator `{op}`"), pos)
                        .label("not an operator")
                        .help(suggestion(op, OPS.iter().copied())),
                );
                None
            }
        }
    }

    fn operand(&mut self, node: &Node) -> Option<Operand> {
        match &node.value {
            Value::Int(i) => Some(Operand::Num(*i as f64)),
            Value::Float(f) if f.is_finite() => Some(Operand::Num(*f)),
            Value::Map(entries) => {
                let mut var = None;
                let mut times = 1.0;
                for (k, val) in entries {
                    match (k.name.as_str(), &val.value) {
                        ("var", Value::Str(s)) => match VARS.iter().position(|v| v.name == s) {
                            Some(i) if VARS[i].ty == VarType::Num => var = Some(i),
                            _ => self.out.push(
                                Diagnostic::at(format!("`{s}` is not a numeric variable"), val.pos)
                                    .help(suggestion(
                                        s,
                                        VARS.iter()
                                            .filter(|v| v.ty == VarType::Num)
                                            .map(|v| v.name),
                                    )),
                            ),
                        },
                        ("times", Value::Int(i)) => times = *i as f64,
                        ("times", Value::Float(f)) if f.is_finite() => times = *f,
                        (other, _) => self.out.push(
                            Diagnostic::at(
                                format!("unexpected `{other}` in a variable operand"),
                                k.pos,
                            )
                            .help("write {var: NAME, times: FACTOR}"),
                        ),
                    }
                }
                var.map(|var| Operand::Var { var, times })
            }
            _ => {
                self.out.push(
                    Diagnostic::at("expected a number or {var: NAME, times: FACTOR}", node.pos)
                        .label(format!("found {}", node.value.kind())),
                );
                None
            }
        }
    }

    fn lit(&mut self, ty: VarType, var: &str, node: &Node) -> Option<Lit> {
        let bad = |expected: &str| {
            Diagnostic::at(
                format!(
                    "`{var}` is compared with {}, but it holds {expected}",
                    node.value.kind()
                ),
                node.pos,
            )
            .label(format!("expected {expected}"))
        };
        match (ty, &node.value) {
            (VarType::Num, Value::Int(i)) => Some(Lit::Num(*i as f64)),
            (VarType::Num, Value::Float(f)) if f.is_finite() => Some(Lit::Num(*f)),
            (VarType::Bool, Value::Bool(b)) => Some(Lit::Bool(*b)),
            (VarType::Word(words), Value::Str(s)) => {
                if words.contains(&s.as_str()) {
                    Some(Lit::Word(s.clone()))
                } else {
                    self.out.push(
                        Diagnostic::at(format!("`{var}` is never `{s}`"), node.pos)
                            .label("not one of its values")
                            .help(suggestion(s, words.iter().copied())),
                    );
                    None
                }
            }
            (VarType::Id, Value::Str(s)) => {
                if self.ids.contains(&s.as_str()) {
                    Some(Lit::Word(s.clone()))
                } else {
                    self.out.push(
                        Diagnostic::at(format!("unknown id `{s}` for `{var}`"), node.pos)
                            .label("not a runtime or hop id")
                            .help(suggestion(s, self.ids.iter().copied())),
                    );
                    None
                }
            }
            (VarType::Text, _) => {
                self.out.push(
                    Diagnostic::at(
                        format!("`{var}` is free text: only `known` can test it"),
                        node.pos,
                    )
                    .help(format!("e.g. `{var}: {{known: true}}`")),
                );
                None
            }
            (VarType::Num, _) => {
                self.out.push(bad("a number"));
                None
            }
            (VarType::Bool, _) => {
                self.out.push(bad("true or false"));
                None
            }
            _ => {
                self.out.push(bad("a word"));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::vars::var_id;

    proptest::proptest! {
        /// Writing a number in place gives what [`fmt_num`] gives, after any text.
        #[test]
        fn write_num_is_fmt_num(n in proptest::num::f64::ANY, before in "[a-z0.]{0,4}") {
            let mut out = before.clone();
            write_num(&mut out, n);
            proptest::prop_assert_eq!(out, format!("{before}{}", fmt_num(n)));
            let mut shown = before.clone();
            Val::Num(n).write_display(&mut shown);
            proptest::prop_assert_eq!(shown, format!("{before}{}", Val::Num(n).display()));
        }
    }

    #[test]
    fn write_num_edges() {
        for n in [
            0.0,
            -0.0,
            0.5,
            1e15,
            1e16,
            -1e16,
            0.0004,
            0.0005,
            100.0,
            f64::NAN,
            f64::INFINITY,
        ] {
            for before in ["", "0", "1.", "x0"] {
                let mut out = before.to_string();
                write_num(&mut out, n);
                assert_eq!(
                    out,
                    format!("{before}{}", fmt_num(n)),
                    "{n} after {before:?}"
                );
            }
        }
    }

    struct Env(Vec<(VarId, Val<'static>)>);
    impl Lookup for Env {
        fn get(&self, var: VarId) -> &Val<'_> {
            self.0
                .iter()
                .find(|(v, _)| *v == var)
                .map_or(&Val::Unknown, |(_, x)| x)
        }
    }

    fn cond(text: &str) -> Result<Cond, Vec<Diagnostic>> {
        let node = crate::yaml::parse(text).unwrap();
        let mut out = Vec::new();
        let c = parse(&node, Scope::Profile, &["nginx", "container"], &mut out);
        match c {
            Some(c) if out.is_empty() => Ok(c),
            _ => Err(out),
        }
    }

    #[test]
    fn three_valued_logic() {
        let c = cond("all: [{direction: bidirectional}, {client_messages_per_minute: {gt: 30}}]")
            .unwrap();
        let d = var_id("direction").unwrap();
        let m = var_id("client_messages_per_minute").unwrap();
        let env = Env(vec![(d, Val::Word("bidirectional".into()))]);
        assert_eq!(c.eval(&env), Tri::Unknown);
        let env = Env(vec![(d, Val::Word("server-to-client".into()))]);
        assert_eq!(c.eval(&env), Tri::False);
        let env = Env(vec![
            (d, Val::Word("bidirectional".into())),
            (m, Val::Num(31.0)),
        ]);
        assert_eq!(c.eval(&env), Tri::True);
        let k = cond("round_trip_ms: {known: false}").unwrap();
        assert_eq!(k.eval(&Env(vec![])), Tri::True);
    }

    #[test]
    fn variable_operands_and_absent_values() {
        let c = cond("update_interval_s: {gt: {var: path.min_idle_s, times: 0.5}}").unwrap();
        let u = var_id("update_interval_s").unwrap();
        let i = var_id("path.min_idle_s").unwrap();
        assert_eq!(
            c.eval(&Env(vec![(u, Val::Num(40.0)), (i, Val::Num(60.0))])),
            Tri::True
        );
        assert_eq!(
            c.eval(&Env(vec![(u, Val::Num(20.0)), (i, Val::Num(60.0))])),
            Tri::False
        );
        assert_eq!(
            c.eval(&Env(vec![(u, Val::Num(20.0)), (i, Val::Absent)])),
            Tri::False
        );
        assert_eq!(c.describe(), "update_interval_s > path.min_idle_s x 0.5");
    }

    #[test]
    fn reports_every_mistake() {
        let errs = cond("all: [{directoin: up}, {presence: {gte: 3}}, {payload: binery}, {path: nginx}, {runtime: contaner}, {max_delay_s: {between: 3}}]").unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.clone()).collect();
        assert_eq!(errs.len(), 6, "{msgs:?}");
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `direction`?"));
        assert!(msgs[1].contains("compares numbers"));
        assert_eq!(errs[2].help.as_deref(), Some("did you mean `binary`?"));
        assert!(msgs[3].contains("contains"));
        assert!(msgs[4].contains("contaner"));
        assert!(msgs[5].contains("between"));
    }
}
