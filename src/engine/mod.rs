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
use crate::rules::cond::{Lookup, Tri, Val};
use crate::rules::{Knowledge, Rule};
use facts::{render, Facts, HopEnv};

/// The rules engine over one set of knowledge.
pub struct Engine<'k> {
    pub k: &'k Knowledge,
    /// Recommendable transports, simplest first (the tie-break order).
    transports: Vec<&'k str>,
    /// Scoring rules with their points per transport (indexed like `transports`).
    scoring: Vec<ScoringRule<'k>>,
    /// For each variable, the scoring rules that read it.
    readers: Vec<Vec<usize>>,
    /// Sources cited by any runtime or hop.
    platform_sources: std::collections::HashSet<String>,
    /// Today (UTC, `YYYY-MM-DD`): a waiver's `until` is compared with it.
    today: String,
    /// Per profile field: how flips try other values (worked out once per rule set).
    flip_plan: Vec<flips::FieldPlan>,
    /// The variables [`facts::load_vals`] writes.
    load_vars: Vec<usize>,
    /// Sources by id.
    source_index: std::collections::HashMap<&'k str, &'k crate::rules::SourceInfo>,
}

struct ScoringRule<'k> {
    rule: &'k Rule,
    points: Vec<i32>,
    vetoes: Vec<bool>,
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

impl<'k> Engine<'k> {
    pub fn new(k: &'k Knowledge) -> Self {
        let mut ts: Vec<_> = k.transports.iter().filter(|t| t.recommend).collect();
        ts.sort_by_key(|t| t.tie_rank);
        let transports: Vec<&str> = ts.iter().map(|t| t.id.as_str()).collect();
        let scoring = k
            .rules
            .iter()
            .filter(|r| r.scores())
            .map(|rule| ScoringRule {
                rule,
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
            })
            .collect::<Vec<ScoringRule>>();
        let mut readers = vec![Vec::new(); crate::rules::vars::VARS.len()];
        for (i, r) in scoring.iter().enumerate() {
            for v in &r.rule.reads {
                readers[*v].push(i);
            }
        }
        let platform_sources = k
            .runtimes
            .iter()
            .flat_map(|r| r.all_sources())
            .chain(k.hops.iter().flat_map(|h| h.all_sources()))
            .map(String::from)
            .collect();
        let scoring_rules: Vec<&Rule> = scoring.iter().map(|r| r.rule).collect();
        let flip_plan = flips::plan(&scoring_rules);
        Engine {
            k,
            transports,
            scoring,
            readers,
            platform_sources,
            today: crate::profile::today_utc(),
            flip_plan,
            load_vars: flips::load_vars(),
            source_index: k.sources.iter().map(|s| (s.id.as_str(), s)).collect(),
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
        for i in 0..self.transports.len() {
            s.total[i] += sign * r.points[i];
            if r.vetoes[i] {
                s.vetoes[i] = s.vetoes[i].saturating_add_signed(sign);
            }
        }
    }

    /// The winner if one variable had another value: re-evaluates only the rules
    /// that read it.
    pub(crate) fn winner_with(&self, base: &Scores, env: &dyn Lookup, var: usize) -> usize {
        let mut s = Scores {
            total: base.total.clone(),
            vetoes: base.vetoes.clone(),
            fired: Vec::new(),
        };
        for &i in &self.readers[var] {
            let r = &self.scoring[i];
            let now = r.rule.when.eval(env);
            if base.fired[i] == Tri::True {
                self.apply(&mut s, r, -1);
            }
            if now == Tri::True {
                self.apply(&mut s, r, 1);
            }
        }
        self.winner(&s)
    }

    /// The winner for other facts (`now`, from a changed profile): re-evaluates only
    /// the rules that read a variable whose value differs from `base_facts`.
    pub(crate) fn winner_with_facts(
        &self,
        base: &Scores,
        base_facts: &Facts,
        now: &Facts,
    ) -> usize {
        let changes: Vec<(usize, Val)> = (0..self.readers.len())
            .filter(|&v| !self.readers[v].is_empty() && base_facts.get(v) != now.get(v))
            .map(|v| (v, now.get(v).clone()))
            .collect();
        self.winner_with_changes(base, base_facts, &changes)
    }

    /// The winner with some variables changed: re-evaluates only the rules reading them.
    pub(crate) fn winner_with_changes(
        &self,
        base: &Scores,
        base_facts: &Facts,
        changes: &[(usize, Val)],
    ) -> usize {
        let env = flips::Changed {
            base: base_facts,
            changes,
        };
        let mut s = Scores {
            total: base.total.clone(),
            vetoes: base.vetoes.clone(),
            fired: Vec::new(),
        };
        let mut seen = vec![false; self.scoring.len()];
        for (var, _) in changes {
            for &i in &self.readers[*var] {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                let r = &self.scoring[i];
                let t = r.rule.when.eval(&env);
                if base.fired[i] == Tri::True {
                    self.apply(&mut s, r, -1);
                }
                if t == Tri::True {
                    self.apply(&mut s, r, 1);
                }
            }
        }
        self.winner(&s)
    }

    /// Transports best first: unvetoed by score, then vetoed; ties to the simpler one.
    pub(crate) fn order(&self, s: &Scores) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.transports.len()).collect();
        idx.sort_by_key(|&i| (s.vetoed(i), -s.total[i], i));
        idx
    }

    pub(crate) fn winner(&self, s: &Scores) -> usize {
        self.order(s).first().copied().unwrap_or(0)
    }

    pub(crate) fn transport(&self, i: usize) -> &'k str {
        self.transports[i]
    }

    /// Decides one profile. `source` names where it came from (a path, or `-`).
    pub fn decide(&self, p: &Profile, source: &str) -> Decision {
        self.decide_with(p, source, false, true)
    }

    /// Decides one profile and records every rule's evaluation (for `explain`).
    pub fn explain(&self, p: &Profile, source: &str) -> Decision {
        self.decide_with(p, source, true, true)
    }

    /// The decision without the flip analysis (no flips, near flips or unknowns, and
    /// a confidence they did not lower): what the benchmarks call the core decision.
    pub fn decide_without_flips(&self, p: &Profile, source: &str) -> Decision {
        self.decide_with(p, source, false, false)
    }

    /// The transport the rules rank first for a profile (no report built).
    pub fn winner_for(&self, p: &Profile) -> &'k str {
        self.transports[self.winner(&self.score(&facts::facts(self.k, p)))]
    }

    /// Every profile an answer to `field` could give (what `ask` looks ahead through).
    pub fn answer_variants(&self, p: &Profile, field: &str) -> Vec<Profile> {
        flips::answer_variants(self, p, field)
    }

    fn decide_with(&self, p: &Profile, source: &str, record: bool, with_flips: bool) -> Decision {
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
        let mut rationale = Vec::new();
        let mut vetoed_by: Vec<Vec<String>> = vec![Vec::new(); self.transports.len()];
        for (r, fired) in self.scoring.iter().zip(&s.fired) {
            if *fired != Tri::True && !record {
                continue;
            }
            let effects: Vec<Effect> = r
                .points
                .iter()
                .enumerate()
                .filter(|(_, p)| **p != 0)
                .map(|(i, p)| Effect {
                    transport: self.transports[i].to_string(),
                    points: *p,
                })
                .collect();
            let vetoes: Vec<String> = r.rule.veto.clone();
            if *fired == Tri::True {
                for (i, v) in r.vetoes.iter().enumerate() {
                    if *v {
                        vetoed_by[i].push(r.rule.id.clone());
                    }
                }
                rationale.push(Reason {
                    rule: r.rule.id.clone(),
                    dimension: r.rule.dimension.clone(),
                    text: render(&r.rule.message, &f),
                    effects: effects.clone(),
                    vetoes: vetoes.clone(),
                });
            }
            if record {
                evaluations.push(evaluation(r.rule, None, &f, *fired, effects, vetoes, None));
            }
        }

        // Advice: add-ons and gotchas for the winner, with the timeouts the winner meets
        // (a WebSocket may be timed differently from a stream on the same hop).
        let ws_facts;
        let af: &Facts = if winner == "websocket" {
            ws_facts = facts::facts_as(self.k, p, true);
            &ws_facts
        } else {
            &f
        };
        let mut hybrid: Option<String> = None;
        let mut add_on_ids: Vec<String> = Vec::new();
        let mut gotchas: Vec<Gotcha> = Vec::new();
        let mut used_sources: Vec<String> = Vec::new();
        for r in &s
            .fired
            .iter()
            .zip(&self.scoring)
            .filter(|(t, _)| **t == Tri::True)
            .map(|(_, r)| r.rule)
            .collect::<Vec<_>>()
        {
            used_sources.extend(r.sources.iter().cloned());
        }
        for rule in self.k.rules.iter().filter(|r| !r.scores()) {
            let applies = rule.only_for.is_empty() || rule.only_for.iter().any(|t| t == winner);
            let note = (!applies).then(|| format!("advice for {} only", rule.only_for.join(", ")));
            let mut give =
                |env: &dyn Lookup, hop: Option<String>, evaluations: &mut Vec<Evaluation>| {
                    let t = rule.when.eval(env);
                    if record {
                        let e = evaluation(rule, hop, env, t, Vec::new(), Vec::new(), note.clone());
                        evaluations.push(e);
                    }
                    if t != Tri::True || !applies {
                        return;
                    }
                    used_sources.extend(rule.sources.iter().cloned());
                    if hybrid.is_none() {
                        hybrid = rule.hybrid.as_ref().map(|h| render(h, env));
                    }
                    for a in &rule.add_ons {
                        if !add_on_ids.contains(a) {
                            add_on_ids.push(a.clone());
                        }
                    }
                    if let Some(g) = &rule.gotcha {
                        let id = render(&g.id, env);
                        if !gotchas.iter().any(|x| x.id == id) {
                            gotchas.push(Gotcha {
                                id,
                                text: render(&g.text, env),
                                fix: render(&g.fix, env),
                                rule: rule.id.clone(),
                                blocking: g.blocking,
                            });
                        }
                    }
                };
            if rule.per_hop {
                for hop in &af.hops {
                    let env = HopEnv { facts: af, hop };
                    let name = env.get(var!("hop.name")).display();
                    give(&env, Some(name), &mut evaluations);
                }
            } else {
                give(af, None, &mut evaluations);
            }
        }
        // Add-ons in catalogue order, so output is stable whatever the rule order.
        let add_ons: Vec<String> = self
            .k
            .add_ons
            .iter()
            .filter(|a| add_on_ids.contains(&a.id))
            .map(|a| a.id.clone())
            .collect();
        let build = self
            .k
            .add_ons
            .iter()
            .filter(|a| add_ons.contains(&a.id))
            .map(|a| BuildStep {
                add_on: a.id.clone(),
                name: a.name.clone(),
                text: render(&a.build, af),
            })
            .collect();
        let heartbeat_s =
            add_ons
                .iter()
                .any(|a| a == "heartbeat")
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

        // Platform sources only for the runtime and hops of this profile; the
        // rules' general sources always.
        used_sources.retain(|s| !self.platform_sources.contains(s) || f.sources.contains(s));
        used_sources.extend(f.sources.iter().cloned());
        // Each once, in id order (the ids are unique).
        used_sources.sort_unstable();
        used_sources.dedup();
        let mut sources: Vec<SourceCite> = Vec::with_capacity(used_sources.len());
        for id in used_sources {
            if let Some(src) = self.source_index.get(id.as_str()) {
                sources.push(SourceCite {
                    id: src.id.clone(),
                    title: src.title.clone(),
                    url: src.url.clone(),
                    checked: src.checked.clone(),
                });
            }
        }
        sources.sort_by(|a, b| a.id.cmp(&b.id));

        let ranking = order
            .iter()
            .map(|&i| Ranked {
                transport: self.transports[i].to_string(),
                score: s.total[i],
                vetoed: s.vetoed(i),
                vetoed_by: vetoed_by[i].clone(),
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
                transport: viable.then(|| winner.to_string()),
                confidence,
                add_ons,
                heartbeat_s: heartbeat_s.filter(|_| viable),
                hybrid: hybrid.filter(|_| viable),
                margin: margin.filter(|_| viable),
                runner_up: runner
                    .filter(|_| viable)
                    .map(|r| self.transports[r].to_string()),
            },
            ranking,
            rationale,
            gotchas,
            flips,
            near_flips: near,
            unknowns,
            audit,
            build,
            capacity: af.capacity.clone(),
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

    fn audit(&self, current: &str, recommended: &str, rationale: &[Reason]) -> Audit {
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

/// The fired rule that most separates `recommended` from `current`: one that
/// vetoes `current` first, else the most points for `recommended` over `current`.
fn decisive_reason(rationale: &[Reason], current: &str, recommended: &str) -> Option<String> {
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
        .map(|(_, r)| r.text.clone())
}

fn evaluation(
    rule: &Rule,
    hop: Option<String>,
    env: &dyn Lookup,
    t: Tri,
    effects: Vec<Effect>,
    vetoes: Vec<String>,
    note: Option<String>,
) -> Evaluation {
    Evaluation {
        rule: rule.id.clone(),
        dimension: rule.dimension.clone(),
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
