//! Scores a profile against the rules and builds a [`Decision`]. Never prints.

/// A variable's id, looked up at compile time (a misspelt name fails the build).
macro_rules! var {
    ($name:literal) => {
        const { $crate::rules::vars::must($name) }
    };
}

pub mod capacity;
mod decision;
pub mod facts;
pub(crate) mod flips;
pub mod path;

pub use decision::*;

use crate::profile::Profile;
use crate::rules::cond::{Lookup, Tri};
use crate::rules::{Knowledge, Kstr, Rule};
use facts::{Facts, HopEnv, Template};

/// The rules engine over one set of knowledge.
pub struct Engine<'k> {
    pub k: &'k Knowledge,
    /// Recommendable transports, simplest first (the tie-break order).
    transports: Vec<&'k str>,
    /// Scoring rules with their points per transport (indexed like `transports`).
    scoring: Vec<ScoringRule<'k>>,
    /// The other rules, in order.
    advice: Vec<AdviceRule<'k>>,
    /// For each transport, the advice rules that apply when it wins (places in
    /// [`Self::advice`], in order); and every one (what `explain` goes through).
    advice_for: Vec<Vec<usize>>,
    all_advice: Vec<usize>,
    /// Each add-on's build text (indexed like the knowledge's add-ons).
    build_texts: Vec<Lazy>,
    /// For each variable, the scoring rules that read it.
    readers: Vec<Vec<usize>>,
    /// Today (UTC, `YYYY-MM-DD`): a waiver's `until` is compared with it.
    today: String,
    /// Per profile field: how flips try other values (worked out once per rule set).
    flip_plan: Vec<flips::FieldPlan>,
    /// The variables [`facts::load_vals`] writes.
    load_vars: Vec<usize>,
    /// The variables [`facts::platform_vals_for_flips`] writes.
    platform_vars: Vec<usize>,
    /// For each variable, whether it is one of [`Self::platform_vars`].
    platform_mask: Vec<bool>,
    /// For each variable, the numbers the scoring rules compare it with
    /// ([`flips::cuts`]).
    cuts: Vec<Option<Vec<f64>>>,
    /// Each source's place in the knowledge's sources, by id: a decision names a
    /// source by its place.
    source_index: std::collections::HashMap<&'k str, u32>,
    /// Sources cited by any runtime or hop (sorted): a rule cites one only for a
    /// profile whose runtime or path cites it too.
    platform_sources: Vec<&'k str>,
}

struct ScoringRule<'k> {
    rule: &'k Rule,
    /// The rule's sources (places in the knowledge's sources), each with whether a
    /// runtime or hop cites it too: looked up the first time the rule fires.
    sources: std::sync::OnceLock<Vec<(u32, bool)>>,
    points: Vec<i32>,
    vetoes: Vec<bool>,
    message: Lazy,
}

/// An advice rule (one that scores nothing), with its texts' templates.
struct AdviceRule<'k> {
    rule: &'k Rule,
    /// As [`ScoringRule::sources`].
    sources: std::sync::OnceLock<Vec<(u32, bool)>>,
    hybrid: Lazy,
    /// The gotcha's id, text and fix.
    gotcha: [Lazy; 3],
    /// Whether it gives advice when each transport wins (indexed like the engine's
    /// transports): its `only_for` is empty or names it.
    applies: Vec<bool>,
}

/// A text's template, made the first time the text is filled (one run fills a few
/// texts; a batch, every text many times).
#[derive(Default)]
struct Lazy(std::sync::OnceLock<Template>);

impl Lazy {
    fn get(&self, text: &str) -> &Template {
        self.0.get_or_init(|| Template::new(text))
    }

    /// The text filled for `env`: borrowed from `text` when it has no placeholder.
    fn fill<'t>(&self, text: &'t str, env: &dyn Lookup) -> Text<'t> {
        self.get(text).fill(text, env)
    }
}

/// Scores for one set of facts.
#[derive(Debug, Clone)]
pub(crate) struct Scores {
    pub total: Vec<i32>,
    /// How many fired rules veto each transport.
    pub vetoes: Vec<u32>,
    pub fired: Vec<Tri>,
}

impl Scores {
    pub fn vetoed(&self, i: usize) -> bool {
        self.vetoes[i] > 0
    }
}

/// Buffers that re-scoring a changed profile reuses from one candidate to the next.
#[derive(Default)]
pub(crate) struct Rescore {
    total: Vec<i32>,
    vetoes: Vec<u32>,
    /// Rules already evaluated again for this candidate.
    seen: Vec<bool>,
}

impl Rescore {
    /// Starts again from the base scores.
    fn start_from(&mut self, base: &Scores) {
        self.total.clear();
        self.total.extend_from_slice(&base.total);
        self.vetoes.clear();
        self.vetoes.extend_from_slice(&base.vetoes);
    }
}

/// Buffers [`Engine::cannot_flip_in`] reuses from one field to the next.
#[derive(Default)]
pub(crate) struct Bounds {
    lo: Vec<i32>,
    vetoes_left: Vec<u32>,
}

fn apply_points(total: &mut [i32], vetoes: &mut [u32], r: &ScoringRule, sign: i32) {
    for (i, (t, p)) in total.iter_mut().zip(&r.points).enumerate() {
        *t += sign * p;
        if r.vetoes[i] {
            vetoes[i] = vetoes[i].saturating_add_signed(sign);
        }
    }
}

/// The best transport: unvetoed before vetoed, then the highest score, then the
/// simplest (the lowest index); what sorting by that key would put first.
fn winner_of(total: &[i32], vetoes: &[u32]) -> usize {
    // The first with the smallest (vetoed, -score): a later one wins only by being
    // strictly better, as `min_by_key` keeps the first of equals.
    let mut best = 0;
    for i in 1..total.len().min(vetoes.len()) {
        let (v, b) = (vetoes[i] > 0, vetoes[best] > 0);
        if (!v && b) || (v == b && total[i] > total[best]) {
            best = i;
        }
    }
    best
}

impl<'k> Engine<'k> {
    pub fn new(k: &'k Knowledge) -> Self {
        let mut ts: Vec<_> = k.transports.iter().filter(|t| t.recommend).collect();
        ts.sort_by_key(|t| t.tie_rank);
        let transports: Vec<&str> = ts.iter().map(|t| t.id.as_str()).collect();
        // Sources cited by any runtime or hop: a rule cites one only for a profile
        // whose runtime or path cites it too.
        let mut platform: Vec<&str> = k
            .runtimes
            .iter()
            .flat_map(|r| r.all_sources())
            .chain(k.hops.iter().flat_map(|h| h.all_sources()))
            .collect();
        // Sorted once, searched a few hundred times: cheaper than hashing each id.
        platform.sort_unstable();
        platform.dedup();
        let scoring = k
            .rules
            .iter()
            .filter(|r| r.scores())
            .map(|rule| ScoringRule {
                rule,
                sources: Default::default(),
                points: transports
                    .iter()
                    .map(|t| {
                        rule.score
                            .iter()
                            .filter(|(x, _)| x == t)
                            .map(|(_, p)| p)
                            .sum()
                    })
                    .collect(),
                vetoes: transports
                    .iter()
                    .map(|t| rule.veto.iter().any(|v| v == t))
                    .collect(),
                message: Lazy::default(),
            })
            .collect::<Vec<ScoringRule>>();
        let mut readers = vec![Vec::new(); crate::rules::vars::VARS.len()];
        for (i, r) in scoring.iter().enumerate() {
            for v in &r.rule.reads {
                readers[*v].push(i);
            }
        }
        // Each rule once per variable (a rule naming a variable twice is read once).
        for rs in &mut readers {
            rs.dedup();
        }
        let scoring_rules: Vec<&Rule> = scoring.iter().map(|r| r.rule).collect();
        let (load_vars, platform_vars) = (flips::load_vars(), flips::platform_vars());
        let mut flip_plan = flips::plan(&scoring_rules);
        let cuts = flips::cuts(&scoring_rules);
        for (field, plan) in flip_plan.iter_mut().enumerate() {
            plan.rules = flips::affected_rules(field, plan, &readers, &load_vars, &platform_vars);
            let n = transports.len();
            (plan.most_lost, plan.most_won, plan.may_veto) =
                (vec![0; n], vec![0; n], vec![false; n]);
            for &i in &plan.rules {
                let r = &scoring[i];
                for t in 0..n {
                    plan.most_lost[t] += r.points[t].min(0);
                    plan.most_won[t] += r.points[t].max(0);
                    plan.may_veto[t] |= r.vetoes[t];
                }
            }
        }
        let advice: Vec<AdviceRule> = k
            .rules
            .iter()
            .filter(|r| !r.scores())
            .map(|rule| AdviceRule {
                rule,
                sources: Default::default(),
                hybrid: Lazy::default(),
                gotcha: Default::default(),
                applies: transports
                    .iter()
                    .map(|t| rule.only_for.is_empty() || rule.only_for.iter().any(|o| o == t))
                    .collect(),
            })
            .collect();
        let advice_for = (0..transports.len())
            .map(|t| {
                (0..advice.len())
                    .filter(|&a| advice[a].applies[t])
                    .collect()
            })
            .collect();
        Engine {
            k,
            transports,
            scoring,
            all_advice: (0..advice.len()).collect(),
            advice_for,
            advice,
            build_texts: k.add_ons.iter().map(|_| Lazy::default()).collect(),
            readers,
            today: crate::profile::today_utc(),
            flip_plan,
            load_vars,
            cuts,
            platform_mask: (0..crate::rules::vars::VARS.len())
                .map(|v| platform_vars.contains(&v))
                .collect(),
            platform_vars,
            source_index: {
                let mut index = std::collections::HashMap::with_capacity(k.sources.len());
                for (i, s) in k.sources.iter().enumerate() {
                    if let Ok(i) = u32::try_from(i) {
                        index.insert(s.id.as_str(), i);
                    }
                }
                index
            },
            platform_sources: platform,
        }
    }

    /// The same engine with another date for waivers (tests, replays).
    pub fn with_today(mut self, today: &str) -> Self {
        self.today = today.to_string();
        self
    }

    pub(crate) fn score(&self, f: &Facts) -> Scores {
        let n = self.transports.len();
        let mut s = Scores {
            total: vec![0; n],
            vetoes: vec![0; n],
            fired: Vec::with_capacity(self.scoring.len()),
        };
        for r in &self.scoring {
            let t = r.rule.when.eval(f);
            if t == Tri::True {
                self.apply(&mut s, r, 1);
            }
            s.fired.push(t);
        }
        s
    }

    fn apply(&self, s: &mut Scores, r: &ScoringRule, sign: i32) {
        apply_points(&mut s.total, &mut s.vetoes, r, sign);
    }

    /// The winner if one variable had another value: re-evaluates only the rules
    /// that read it.
    #[cfg(test)]
    pub(crate) fn winner_with(&self, base: &Scores, env: &dyn Lookup, var: usize) -> usize {
        self.rescored_winner(&mut Rescore::default(), base, env, [var])
    }

    /// The winner for other facts (`now`, from a changed profile): re-evaluates only
    /// the rules that read a variable whose value differs from `base_facts`.
    #[cfg(test)]
    pub(crate) fn winner_with_facts(
        &self,
        base: &Scores,
        base_facts: &Facts,
        now: &Facts,
    ) -> usize {
        self.winner_with_facts_in(&mut Rescore::default(), base, base_facts, now)
    }

    /// [`Self::winner_with_facts`] with reused buffers.
    pub(crate) fn winner_with_facts_in(
        &self,
        sc: &mut Rescore,
        base: &Scores,
        base_facts: &Facts,
        now: &Facts,
    ) -> usize {
        // The rules reading a changed variable see every other variable as it was
        // (unchanged in `now`): evaluating them over `now` is evaluating the change.
        let changed = (0..self.readers.len()).filter(|&v| {
            !self.readers[v].is_empty() && !flips::same_for_rules(base_facts.get(v), now.get(v))
        });
        self.rescored_winner(sc, base, now, changed)
    }

    /// The winner with some variables changed: re-evaluates only the rules reading them.
    #[cfg(test)]
    pub(crate) fn winner_with_changes(
        &self,
        base: &Scores,
        base_facts: &Facts,
        changes: &[(usize, crate::rules::cond::Val)],
    ) -> usize {
        let env = flips::Changed {
            base: base_facts,
            changes,
        };
        self.rescored_winner(
            &mut Rescore::default(),
            base,
            &env,
            changes.iter().map(|(v, _)| *v),
        )
    }

    /// The winner once the rules reading `vars` are evaluated again over `env` (each
    /// rule once): the base scores with those rules' old points taken back and their
    /// new ones added.
    pub(crate) fn rescored_winner<L: Lookup + ?Sized>(
        &self,
        sc: &mut Rescore,
        base: &Scores,
        env: &L,
        vars: impl IntoIterator<Item = usize>,
    ) -> usize {
        sc.start_from(base);
        sc.seen.clear();
        sc.seen.resize(self.scoring.len(), false);
        for var in vars {
            for &i in &self.readers[var] {
                if !std::mem::replace(&mut sc.seen[i], true) {
                    self.rescore_rule(sc, base, env, i);
                }
            }
        }
        winner_of(&sc.total, &sc.vetoes)
    }

    /// [`Self::rescored_winner`] for one variable: its readers are each listed
    /// once, so none needs marking as seen.
    pub(crate) fn rescored_winner_one<L: Lookup + ?Sized>(
        &self,
        sc: &mut Rescore,
        base: &Scores,
        env: &L,
        var: usize,
    ) -> usize {
        sc.start_from(base);
        for &i in &self.readers[var] {
            self.rescore_rule(sc, base, env, i);
        }
        winner_of(&sc.total, &sc.vetoes)
    }

    /// Scoring rule `i` evaluated again over `env`: its base points taken back and
    /// its new ones added, when its outcome changed.
    fn rescore_rule<L: Lookup + ?Sized>(&self, sc: &mut Rescore, base: &Scores, env: &L, i: usize) {
        let r = &self.scoring[i];
        let was = base.fired[i] == Tri::True;
        let now = r.rule.when.eval(env) == Tri::True;
        if was != now {
            apply_points(&mut sc.total, &mut sc.vetoes, r, if now { 1 } else { -1 });
        }
    }

    /// Whether no change that re-evaluates only `rules` (scoring rule indices) can
    /// take the first place from `win`: each transport's score can move only by the
    /// points of those rules, and a transport those rules cannot unveto stays vetoed.
    #[cfg(test)]
    pub(crate) fn cannot_flip(&self, s: &Scores, win: usize, rules: &[usize]) -> bool {
        self.cannot_flip_in(&mut Bounds::default(), s, win, rules)
    }

    /// [`Self::cannot_flip`] with reused buffers (the reference
    /// [`Self::cannot_flip_field`] is checked against).
    #[cfg(test)]
    pub(crate) fn cannot_flip_in(
        &self,
        b: &mut Bounds,
        s: &Scores,
        win: usize,
        rules: &[usize],
    ) -> bool {
        if s.vetoed(win) {
            return false;
        }
        let n = self.transports.len();
        b.lo.clear();
        b.lo.extend_from_slice(&s.total);
        let mut hi = s.total.clone();
        b.vetoes_left.clear();
        b.vetoes_left.extend_from_slice(&s.vetoes);
        let mut may_veto = vec![false; n];
        let Bounds { lo, vetoes_left } = b;
        for &i in rules {
            let r = &self.scoring[i];
            let fired = s.fired[i] == Tri::True;
            for t in 0..n {
                let p = r.points[t];
                if fired {
                    lo[t] -= p;
                    hi[t] -= p;
                    if r.vetoes[t] {
                        vetoes_left[t] -= 1;
                    }
                }
                lo[t] += p.min(0);
                hi[t] += p.max(0);
                may_veto[t] |= r.vetoes[t];
            }
        }
        if may_veto[win] {
            return false;
        }
        // Another transport stays behind: vetoed whatever happens, or its best score
        // under the winner's worst (or equal to it, losing the tie to a simpler one).
        (0..n).all(|t| {
            t == win || vetoes_left[t] > 0 || hi[t] < lo[win] || (hi[t] == lo[win] && win < t)
        })
    }

    /// [`Self::cannot_flip_in`] for a field's rules, with their sums worked out once
    /// per rule set ([`flips::FieldPlan`]): only the rules that fired are visited.
    pub(crate) fn cannot_flip_field(
        &self,
        b: &mut Bounds,
        s: &Scores,
        win: usize,
        plan: &flips::FieldPlan,
    ) -> bool {
        if s.vetoed(win) || plan.may_veto[win] {
            return false;
        }
        let n = self.transports.len();
        // What the fired rules among them give now (taken back: they may not fire).
        b.lo.clear();
        b.lo.extend_from_slice(&s.total);
        b.vetoes_left.clear();
        b.vetoes_left.extend_from_slice(&s.vetoes);
        for &i in &plan.rules {
            if s.fired[i] != Tri::True {
                continue;
            }
            let r = &self.scoring[i];
            for t in 0..n {
                b.lo[t] -= r.points[t];
                if r.vetoes[t] {
                    b.vetoes_left[t] -= 1;
                }
            }
        }
        let (now, vetoes_left) = (&b.lo, &b.vetoes_left);
        let worst_win = now[win] + plan.most_lost[win];
        (0..n).all(|t| {
            let best = now[t] + plan.most_won[t];
            t == win || vetoes_left[t] > 0 || best < worst_win || (best == worst_win && win < t)
        })
    }

    /// A rule's sources as [`ScoringRule::sources`] holds them, looked up once. A
    /// source no entry describes is never cited (nothing to print for it).
    fn rule_sources<'a>(
        &self,
        rule: &Rule,
        slot: &'a std::sync::OnceLock<Vec<(u32, bool)>>,
    ) -> &'a [(u32, bool)] {
        slot.get_or_init(|| {
            rule.sources
                .iter()
                .filter_map(|s| {
                    let at = self.source_index.get(s.as_str()).copied()?;
                    let platform = self.platform_sources.binary_search(&s.as_str()).is_ok();
                    Some((at, platform))
                })
                .collect()
        })
    }

    /// Transports best first: unvetoed by score, then vetoed; ties to the simpler one.
    pub(crate) fn order(&self, s: &Scores) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.transports.len()).collect();
        idx.sort_by_key(|&i| (s.vetoed(i), -s.total[i], i));
        idx
    }

    /// The first of [`Self::order`], found without sorting.
    pub(crate) fn winner(&self, s: &Scores) -> usize {
        winner_of(&s.total, &s.vetoes)
    }

    pub(crate) fn transport(&self, i: usize) -> &'k str {
        self.transports[i]
    }

    /// Decides one profile. `source` names where it came from (a path, or `-`).
    pub fn decide(&self, p: &Profile, source: &str) -> Decision<'k> {
        self.decide_with(p, source, false, true)
    }

    /// Decides one profile and records every rule's evaluation (for `explain`).
    pub fn explain(&self, p: &Profile, source: &str) -> Decision<'k> {
        self.decide_with(p, source, true, true)
    }

    /// The decision without the flip analysis (no flips, near flips or unknowns, and
    /// a confidence they did not lower): what the benchmarks call the core decision.
    pub fn decide_without_flips(&self, p: &Profile, source: &str) -> Decision<'k> {
        self.decide_with(p, source, false, false)
    }

    fn decide_with(
        &self,
        p: &Profile,
        source: &str,
        record: bool,
        with_flips: bool,
    ) -> Decision<'k> {
        let f = facts::facts(self.k, p);
        let s = self.score(&f);
        let order = self.order(&s);
        let win = order[0];
        let winner = self.transports[win];
        let runner = order.get(1).copied().filter(|&i| !s.vetoed(i));
        let margin = runner.map(|r| s.total[win] - s.total[r]);
        let policy = &self.k.policy;
        let mut confidence = match margin {
            None => Confidence::High,
            Some(m) if m >= policy.high_margin => Confidence::High,
            Some(m) if m >= policy.medium_margin => Confidence::Medium,
            Some(_) => Confidence::Low,
        };
        if s.vetoed(win) {
            confidence = Confidence::Low;
        }

        let mut evaluations = Vec::new();
        // Sized once: one reason per fired rule.
        let fired = s.fired.iter().filter(|t| **t == Tri::True).count();
        let mut rationale = Vec::with_capacity(fired);
        let mut vetoed_by: Vec<Vec<&'k str>> = vec![Vec::new(); self.transports.len()];
        for (r, fired) in self.scoring.iter().zip(&s.fired) {
            let rule: &'k Rule = r.rule;
            if *fired != Tri::True && !record {
                continue;
            }
            let effects: Vec<Effect> = r
                .points
                .iter()
                .enumerate()
                .filter(|(_, p)| **p != 0)
                .map(|(i, p)| Effect {
                    transport: self.transports[i],
                    points: *p,
                })
                .collect();
            let vetoes: &'k [Kstr] = &rule.veto;
            if record {
                let effects = effects.clone();
                evaluations.push(evaluation(rule, None, &f, *fired, effects, vetoes, None));
            }
            if *fired == Tri::True {
                for (i, v) in r.vetoes.iter().enumerate() {
                    if *v {
                        vetoed_by[i].push(&rule.id);
                    }
                }
                rationale.push(Reason {
                    rule: &rule.id,
                    dimension: &rule.dimension,
                    text: r.message.fill(&rule.message, &f),
                    effects,
                    vetoes,
                });
            }
        }

        // Advice: add-ons and gotchas for the winner, with the timeouts the winner meets
        // (a WebSocket may be timed differently from a stream on the same hop).
        let ws_facts = (winner == "websocket").then(|| facts::websocket_facts(self.k, p, &f));
        let af: &Facts = ws_facts.as_ref().unwrap_or(&f);
        let mut hybrid: Option<Text<'k>> = None;
        let mut add_on_ids: Vec<&str> = Vec::with_capacity(8);
        let mut gotchas: Vec<Gotcha<'k>> = Vec::with_capacity(8);
        // Platform sources only for the runtime and hops of this profile; the
        // rules' general sources always.
        let in_play: Vec<u32> = f
            .sources
            .iter()
            .filter_map(|id| self.source_index.get(id).copied())
            .collect();
        // A few sources per fired rule (grown once or twice at most).
        let mut used_sources: Vec<u32> = Vec::with_capacity(4 * fired + in_play.len());
        for (_, r) in s
            .fired
            .iter()
            .zip(&self.scoring)
            .filter(|(t, _)| **t == Tri::True)
        {
            cite(
                self.rule_sources(r.rule, &r.sources),
                &in_play,
                &mut used_sources,
            );
        }
        // Advice for another transport gives nothing: only `explain` shows it.
        let advising = if record {
            &self.all_advice
        } else {
            &self.advice_for[win]
        };
        for advice in advising.iter().map(|&a| &self.advice[a]) {
            let rule: &'k Rule = advice.rule;
            let applies = advice.applies[win];
            let note = (!applies).then(|| format!("advice for {} only", rule.only_for.join(", ")));
            let mut give =
                |env: &dyn Lookup, hop: Option<String>, evaluations: &mut Vec<Evaluation<'k>>| {
                    let t = rule.when.eval(env);
                    if record {
                        let e = evaluation(rule, hop, env, t, Vec::new(), &[], note.clone());
                        evaluations.push(e);
                    }
                    if t != Tri::True || !applies {
                        return;
                    }
                    cite(
                        self.rule_sources(rule, &advice.sources),
                        &in_play,
                        &mut used_sources,
                    );
                    if hybrid.is_none() {
                        hybrid = rule.hybrid.as_ref().map(|h| advice.hybrid.fill(h, env));
                    }
                    for a in &rule.add_ons {
                        if !add_on_ids.contains(&a.as_str()) {
                            add_on_ids.push(a);
                        }
                    }
                    if let Some(g) = &rule.gotcha {
                        let [id, text, fix] = &advice.gotcha;
                        let id = id.get(&g.id).render(env);
                        if !gotchas.iter().any(|x| x.id == id) {
                            gotchas.push(Gotcha {
                                id,
                                text: text.fill(&g.text, env),
                                fix: fix.fill(&g.fix, env),
                                rule: &rule.id,
                                blocking: g.blocking,
                            });
                        }
                    }
                };
            if rule.per_hop {
                for hop in &af.hops {
                    let env = HopEnv { facts: af, hop };
                    let name = record.then(|| env.get(var!("hop.name")).display());
                    give(&env, name, &mut evaluations);
                }
            } else {
                give(af, None, &mut evaluations);
            }
        }
        // Add-ons in catalogue order, so output is stable whatever the rule order.
        let k: &'k Knowledge = self.k;
        let add_ons: Vec<&'k str> = k
            .add_ons
            .iter()
            .filter(|a| add_on_ids.contains(&a.id.as_str()))
            .map(|a| a.id.as_str())
            .collect();
        let build = k
            .add_ons
            .iter()
            .zip(&self.build_texts)
            .filter(|(a, _)| add_ons.contains(&a.id.as_str()))
            .map(|(a, text)| BuildStep {
                add_on: &a.id,
                name: &a.name,
                text: text.fill(&a.build, af),
            })
            .collect();
        let heartbeat_s =
            add_ons
                .contains(&"heartbeat")
                .then(|| match af.get(var!("heartbeat_s")) {
                    crate::rules::Val::Num(n) => *n,
                    _ => policy.heartbeat_default_s,
                });

        let flips::Analysis {
            flips,
            near,
            unknowns,
        } = if with_flips {
            flips::analyse(self, p, &f, &s, win)
        } else {
            flips::Analysis::default()
        };
        if !unknowns.is_empty() {
            confidence = confidence.lower();
        }
        if !near.is_empty() {
            confidence = confidence.lower();
        }
        // A strong fired argument against the winner, or a design that only works after
        // a blocking fix, is never a "high" answer.
        let contested = self
            .scoring
            .iter()
            .zip(&s.fired)
            .any(|(r, t)| *t == Tri::True && r.points[win] <= -2);
        if (contested || gotchas.iter().any(|g| g.blocking)) && confidence == Confidence::High {
            confidence = Confidence::Medium;
        }

        used_sources.extend_from_slice(&in_play);
        // Each once, in id order.
        used_sources.sort_unstable();
        used_sources.dedup();
        let k: &'k Knowledge = self.k;
        let mut sources: Vec<SourceCite<'k>> = used_sources
            .iter()
            .filter_map(|&i| k.sources.get(i as usize))
            .map(|src| SourceCite {
                id: &src.id,
                title: &src.title,
                url: &src.url,
                checked: &src.checked,
            })
            .collect();
        sources.sort_unstable_by(|a, b| a.id.cmp(b.id));

        let ranking = order
            .iter()
            .map(|&i| Ranked {
                transport: self.transports[i],
                score: s.total[i],
                vetoed: s.vetoed(i),
                vetoed_by: std::mem::take(&mut vetoed_by[i]),
            })
            .collect();
        // Every transport vetoed: there is no recommendation to build, audit or
        // advise on; the ranking says which rules vetoed each (and flips what
        // change would make one viable).
        let viable = !s.vetoed(win);
        let audit = p.current_transport.filter(|_| viable).map(|c| {
            let mut a = self.audit(&facts::enum_word(&c), winner, &rationale);
            self.waive(&mut a, p.accept.as_ref());
            a
        });
        let (add_ons, build, gotchas) = if viable {
            (add_ons, build, gotchas)
        } else {
            (Vec::new(), Vec::new(), Vec::new())
        };
        Decision {
            format_version: JSON_FORMAT_VERSION,
            name: p.name.clone(),
            source: source.to_string(),
            recommendation: Recommendation {
                transport: viable.then_some(winner),
                confidence,
                add_ons,
                heartbeat_s: heartbeat_s.filter(|_| viable),
                hybrid: hybrid.filter(|_| viable),
                margin: margin.filter(|_| viable),
                runner_up: runner.filter(|_| viable).map(|r| self.transports[r]),
            },
            ranking,
            rationale,
            gotchas,
            flips,
            near_flips: near,
            unknowns,
            audit,
            build,
            // The facts are done with: their capacity moves into the report (a
            // WebSocket's facts share it, see `facts::websocket_facts`).
            capacity: f.capacity,
            sources,
            evaluations,
        }
    }

    /// Applies the profile's waiver to an audit: it covers the verdict it names
    /// until its `until` day; otherwise the audit says why it does not apply.
    fn waive(&self, a: &mut Audit, accept: Option<&crate::profile::Accept>) {
        let Some(w) = accept else { return };
        let accepted = facts::enum_word(&w.verdict);
        if a.verdict == Verdict::Fits {
            a.waiver_note = Some(format!(
                "{} fits now: the `accept: {accepted}` waiver can be removed",
                a.current
            ));
        } else if accepted != a.verdict.as_str() {
            a.waiver_note = Some(format!(
                "the waiver accepts {accepted}, but the verdict is {}",
                a.verdict.as_str()
            ));
        } else if let Some(until) = w.until.as_deref().filter(|u| *u < self.today.as_str()) {
            a.waiver_note = Some(format!(
                "the waiver expired on {until}: renew it with a new `until` or change the transport"
            ));
        } else {
            a.waived = Some(Waiver {
                verdict: a.verdict,
                reason: w.reason.clone(),
                until: w.until.clone(),
            });
        }
    }

    fn audit(&self, current: &str, recommended: &str, rationale: &[Reason<'_>]) -> Audit {
        let ladder = |t: &str| self.k.transport(t).and_then(|x| x.ladder);
        let verdict = if current == recommended {
            Verdict::Fits
        } else {
            match (ladder(current), ladder(recommended)) {
                (Some(c), Some(r)) if c > r => Verdict::OverEngineered,
                (Some(c), Some(r)) if c < r => Verdict::UnderEngineered,
                (Some(_), Some(_)) => Verdict::Fits,
                _ => Verdict::Mismatch,
            }
        };
        let text = match verdict {
            Verdict::Fits => format!("{current} fits this workload"),
            Verdict::OverEngineered => {
                format!("{current} is more than this workload needs: {recommended} would do")
            }
            Verdict::UnderEngineered => {
                format!("{current} is less than this workload needs: use {recommended}")
            }
            Verdict::Mismatch => {
                format!("{current} does not match this workload's shape: use {recommended}")
            }
        };
        let reason = (verdict != Verdict::Fits)
            .then(|| decisive_reason(rationale, current, recommended))
            .flatten();
        Audit {
            current: current.to_string(),
            verdict,
            text,
            reason,
            waived: None,
            waiver_note: None,
        }
    }
}

/// Adds a rule's sources to `used`: the general ones, and those a runtime or hop
/// cites only when that runtime or hop is in play (its sources are `in_play`).
fn cite(sources: &[(u32, bool)], in_play: &[u32], used: &mut Vec<u32>) {
    used.extend(
        sources
            .iter()
            .filter(|(s, platform)| !platform || in_play.contains(s))
            .map(|(s, _)| *s),
    )
}

/// The fired rule that most separates `recommended` from `current`: one that
/// vetoes `current` first, else the most points for `recommended` over `current`.
fn decisive_reason(rationale: &[Reason<'_>], current: &str, recommended: &str) -> Option<String> {
    let points = |r: &Reason, t: &str| {
        r.effects
            .iter()
            .filter(|e| e.transport == t)
            .map(|e| e.points)
            .sum::<i32>()
    };
    rationale
        .iter()
        .map(|r| {
            let gap = if r.vetoes.iter().any(|v| v == current) {
                i32::MAX
            } else {
                points(r, recommended) - points(r, current)
            };
            (gap, r)
        })
        .filter(|(gap, _)| *gap > 0)
        // The first of equals, in rule order.
        .rev()
        .max_by_key(|(gap, _)| *gap)
        .map(|(_, r)| r.text.to_string())
}

fn evaluation<'k>(
    rule: &'k Rule,
    hop: Option<String>,
    env: &dyn Lookup,
    t: Tri,
    effects: Vec<Effect<'k>>,
    vetoes: &'k [Kstr],
    note: Option<String>,
) -> Evaluation<'k> {
    Evaluation {
        rule: &rule.id,
        dimension: &rule.dimension,
        hop,
        condition: rule.when.describe(),
        outcome: match t {
            Tri::True => "true",
            Tri::False => "false",
            Tri::Unknown => "unknown",
        },
        seen: rule
            .reads
            .iter()
            .map(|v| {
                (
                    crate::rules::vars::VARS[*v].name.to_string(),
                    env.get(*v).display(),
                )
            })
            .collect(),
        effects,
        vetoes,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The winner found in one pass is what sorting by the key puts first.
    #[test]
    fn winner_of_is_the_first_by_the_key() {
        let mut runner = proptest::test_runner::TestRunner::default();
        let scores = proptest::collection::vec((-20i32..20, 0u32..2), 1..7);
        runner
            .run(&scores, |xs| {
                let total: Vec<i32> = xs.iter().map(|x| x.0).collect();
                let vetoes: Vec<u32> = xs.iter().map(|x| x.1).collect();
                let key = |i: usize| (vetoes[i] > 0, -total[i], i);
                let want = (0..total.len()).min_by_key(|&i| key(i)).unwrap_or(0);
                proptest::prop_assert_eq!(winner_of(&total, &vetoes), want);
                Ok(())
            })
            .unwrap();
    }

    /// The advice listed for each winner is every advice rule whose `only_for` is
    /// empty or names it, in rule order: what asking each rule at every decision
    /// gave. And a decision with the list gives what `explain`'s full pass gives.
    #[test]
    fn advice_listed_per_winner_is_what_each_rule_says() {
        let k = Knowledge::embedded().unwrap();
        let e = Engine::new(&k);
        let mut listed = 0;
        for (t, name) in e.transports.iter().enumerate() {
            let want: Vec<usize> = e
                .advice
                .iter()
                .enumerate()
                .filter(|(_, a)| {
                    a.rule.only_for.is_empty() || a.rule.only_for.iter().any(|o| o == name)
                })
                .map(|(i, _)| i)
                .collect();
            assert_eq!(e.advice_for[t], want, "{name}");
            listed += want.len();
        }
        // Some advice is for one transport only: the lists are not all the same.
        assert!(listed < e.advice.len() * e.transports.len(), "{listed}");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let p = crate::profile::parse_profile(&text, &k.hop_ids()).unwrap();
            let (quick, full) = (e.decide(&p, "x"), e.explain(&p, "x"));
            let json = |d: &Decision| {
                let mut v = serde_json::to_value(d).unwrap();
                v.as_object_mut().unwrap().remove("evaluations");
                v
            };
            assert_eq!(json(&quick), json(&full), "{}", path.display());
        }
    }
}
