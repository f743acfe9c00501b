//! How much each unanswered question can still change the recommendation.
//!
//! The transport: every question's plausible answers are the values the scoring rules
//! tell apart (their thresholds, choices, ids; [`variants`]) plus "don't know".
//! Completions of the remaining answers are drawn at random (a fixed seed, so the same
//! answers always give the same interview) and each is decided by the engine. From
//! these outcomes come the chance that the transport recommended now is the final one,
//! and, per question, how much its answer tells about the final transport (the
//! expected information gain). The interview asks the most informative question first
//! and stops asking about the transport once it is settled.
//!
//! The refinements: whether some answer to a question changes the add-ons, the
//! heartbeat, the gotchas or the capacity figures of the recommendation.
//!
//! The rules are compiled once ([`Engine`]); a lookahead only builds profiles and
//! scores them, it never parses a rule.

use super::questions::Condition;
use crate::engine::flips::answer_variants;
use crate::engine::{facts, Engine};
use crate::profile::{FieldKind, Profile};
use serde_json::{Map, Value as Json};

/// How the interview weighs answers and when it calls the transport settled
/// (`settings` in `rules/questions.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Random completions of the remaining answers drawn per lookahead.
    pub samples: usize,
    /// How likely "don't know" is, next to each plausible answer of a question.
    pub dont_know: f64,
    /// The transport is settled once at least this share of completions keep it...
    pub settle: f64,
    /// ...and no single open question changes it with at least this chance (its
    /// chance of being answered times the share of its answers that change it).
    #[serde(default = "default_flip")]
    pub flip: f64,
}

fn default_flip() -> f64 {
    0.1
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            samples: 600,
            dont_know: 0.3,
            settle: 0.9,
            flip: default_flip(),
        }
    }
}

/// The transport outlook for one state of the interview.
#[derive(Debug, Clone, PartialEq)]
pub struct Outlook {
    /// The transport recommended now.
    pub transport: String,
    /// Share of the random completions that end with the same transport.
    pub stays: f64,
    /// Per remaining question: its expected information gain about the final
    /// transport (bits), in the order the questions were given.
    pub gain: Vec<f64>,
    /// Per remaining question: whether some single answer to it changes the transport.
    pub can_flip: Vec<bool>,
    /// Per remaining question: the chance that its answer alone changes the
    /// transport (answered at all, times the weighted share of its answers that
    /// change it).
    pub flip_chance: Vec<f64>,
}

impl Outlook {
    /// The index of the most informative question: highest gain, then one whose
    /// answer alone can change the transport, then the earliest. None when no
    /// question tells anything about the transport any more.
    pub fn best(&self) -> Option<usize> {
        self.best_of(&vec![true; self.gain.len()])
    }

    /// [`Outlook::best`] among the questions marked ready (a question that depends on
    /// an unanswered one waits for it: "does the user wait for the job?" comes after
    /// the job's length).
    pub fn best_of(&self, ready: &[bool]) -> Option<usize> {
        (0..self.gain.len())
            .filter(|&i| ready.get(i).copied().unwrap_or(false))
            .filter(|&i| self.gain[i] >= MIN_GAIN || self.can_flip[i])
            .max_by(|&a, &b| {
                let ga = (self.gain[a] * 1e6).round();
                let gb = (self.gain[b] * 1e6).round();
                ga.total_cmp(&gb)
                    .then(self.can_flip[a].cmp(&self.can_flip[b]))
                    .then(b.cmp(&a))
            })
    }
}

/// One answer to one open question, on its own: its chance under the lookahead's
/// weights, and the transport it gives.
struct Single {
    chance: f64,
    winner: usize,
}

/// The value `p` gives `field` (null when it has none).
fn field_value(p: &Profile, field: &str) -> Json {
    serde_json::to_value(p)
        .ok()
        .and_then(|j| j.get(field).cloned())
        .unwrap_or(Json::Null)
}

/// Below this expected gain (bits), a question whose answer alone cannot change the
/// transport is not worth asking about it.
const MIN_GAIN: f64 = 1e-3;

/// A small deterministic generator (xorshift64*): reproducible interviews, no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub struct Lookahead<'e, 'k> {
    pub engine: &'e Engine<'k>,
    pub settings: Settings,
    /// Per field, how likely "don't know" is when a question sets its own weight
    /// (`dont_know` of a question); other fields use `settings.dont_know`.
    pub dont_know: std::collections::BTreeMap<String, f64>,
    /// Per field, answers likelier than the others (`likely` of a question): their
    /// relative weight; every other plausible answer weighs 1.
    pub likely: std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>,
    /// Per field, the questions whose `ask_if` reads it (the questions it opens), with
    /// the conditions on it: an answer and an answer it opens are weighed together.
    pub opens: std::collections::BTreeMap<String, Vec<(String, Vec<Condition>)>>,
}

/// An answer as the word `likely` names it: a choice, or a one-item list.
fn answer_word(v: &Json) -> Option<&str> {
    match v {
        Json::String(s) => Some(s),
        Json::Array(items) if items.len() == 1 => items[0].as_str(),
        _ => None,
    }
}

/// Answers to try for a field the engine offers no candidates for (a field newer
/// than its flip analysis): every choice, yes and no, or numbers a decade apart.
pub fn fallback_answers(e: &Engine, kind: FieldKind) -> Vec<Json> {
    match kind {
        FieldKind::YesNo => vec![Json::Bool(true), Json::Bool(false)],
        FieldKind::Choice(words) => words.iter().map(|w| Json::String((*w).into())).collect(),
        FieldKind::Runtime => {
            e.k.runtimes
                .iter()
                .map(|r| Json::String(r.id.to_string()))
                .collect()
        }
        FieldKind::Clients => crate::profile::CLIENTS
            .iter()
            .map(|c| Json::Array(vec![Json::String((*c).into())]))
            .collect(),
        FieldKind::Path => std::iter::once(Json::Array(Vec::new()))
            .chain(
                e.k.hops
                    .iter()
                    .map(|h| Json::Array(vec![Json::String(h.id.to_string())])),
            )
            .collect(),
        FieldKind::Number { min, exclusive } => [0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]
            .into_iter()
            .filter(|n| if exclusive { *n > min } else { *n >= min })
            .map(|n| serde_json::json!(n))
            .collect(),
        FieldKind::Count { min } => [0u64, 1, 10, 100, 1000, 10_000, 100_000]
            .into_iter()
            .filter(|n| *n >= min)
            .map(|n| serde_json::json!(n))
            .collect(),
        FieldKind::Text => Vec::new(),
    }
}

/// Every profile an answer to `field` could give: the engine's candidates (the
/// thresholds its rules contain), or [`fallback_answers`] when it has none.
pub fn variants(e: &Engine, p: &Profile, field: &str) -> Vec<Profile> {
    let vs = answer_variants(e, p, field);
    if !vs.is_empty() {
        return vs;
    }
    let Some(spec) = crate::profile::field(field) else {
        return Vec::new();
    };
    let Ok(Json::Object(base)) = serde_json::to_value(p) else {
        return Vec::new();
    };
    fallback_answers(e, spec.kind)
        .into_iter()
        .filter_map(|v| {
            let mut m = base.clone();
            m.insert(field.to_string(), v);
            serde_json::from_value(Json::Object(m)).ok()
        })
        .collect()
}

/// The plausible answers of one field at one state, as JSON values for that field.
fn answers(e: &Engine, p: &Profile, field: &str) -> Vec<Json> {
    let mut out: Vec<Json> = Vec::new();
    for v in variants(e, p, field) {
        let x = field_value(&v, field);
        if !x.is_null() && !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

fn entropy(counts: &[u32]) -> f64 {
    let n: u32 = counts.iter().sum();
    if n == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let q = f64::from(c) / f64::from(n);
            -q * q.log2()
        })
        .sum()
}

impl<'e, 'k> Lookahead<'e, 'k> {
    pub fn new(engine: &'e Engine<'k>, settings: Settings) -> Self {
        Lookahead {
            engine,
            settings,
            dont_know: std::collections::BTreeMap::new(),
            likely: std::collections::BTreeMap::new(),
            opens: std::collections::BTreeMap::new(),
        }
    }

    /// A lookahead with the questions' own "don't know" weights.
    pub fn for_questions(
        engine: &'e Engine<'k>,
        qs: &crate::commands::ask::questions::Questions,
    ) -> Self {
        let mut look = Lookahead::new(engine, qs.settings);
        look.dont_know = qs
            .questions
            .iter()
            .filter_map(|q| q.dont_know.map(|w| (q.field.clone(), w)))
            .collect();
        look.likely = qs
            .questions
            .iter()
            .filter(|q| !q.likely.is_empty())
            .map(|q| (q.field.clone(), q.likely.clone()))
            .collect();
        for q in &qs.questions {
            for c in &q.ask_if {
                let on: Vec<Condition> = q
                    .ask_if
                    .iter()
                    .filter(|o| o.field == c.field)
                    .cloned()
                    .collect();
                let list = look.opens.entry(c.field.clone()).or_default();
                if !list.iter().any(|(f, _)| *f == q.field) {
                    list.push((q.field.clone(), on));
                }
            }
        }
        look
    }

    /// How likely "don't know" is for `field`.
    pub fn dont_know_of(&self, field: &str) -> f64 {
        self.dont_know
            .get(field)
            .copied()
            .unwrap_or(self.settings.dont_know)
            .clamp(0.0, 1.0)
    }

    /// How much one answer (the value `v` gives `field`) weighs next to the others:
    /// its `likely` weight, or 1.
    fn weight_of(&self, field: &str, v: &Profile) -> f64 {
        if !self.likely.contains_key(field) {
            return 1.0;
        }
        self.weight(field, &field_value(v, field))
    }

    /// How much the answer `value` to `field` weighs next to the others: its
    /// `likely` weight, or 1.
    fn weight(&self, field: &str, value: &Json) -> f64 {
        answer_word(value)
            .and_then(|w| self.likely.get(field).and_then(|l| l.get(w)))
            .copied()
            .unwrap_or(1.0)
            .max(0.0)
    }

    /// The index of the transport recommended for `p`.
    fn winner(&self, p: &Profile) -> usize {
        let e = self.engine;
        e.winner(&e.score(&facts::facts(e.k, p)))
    }

    /// The transport recommended for `p`, as the report names it (also when every
    /// transport is vetoed).
    pub fn transport(&self, p: &Profile) -> String {
        let e = self.engine;
        let s = e.score(&facts::facts(e.k, p));
        let w = e.winner(&s);
        if s.vetoed(w) {
            crate::engine::NO_VIABLE.to_string()
        } else {
            e.transport(w).to_string()
        }
    }

    /// The outlook for the transport, given the answers in `p` and the fields still
    /// open (`remaining`).
    pub fn outlook(&self, p: &Profile, remaining: &[&str]) -> Outlook {
        let e = self.engine;
        let now = self.winner(p);
        let options: Vec<Vec<Json>> = remaining.iter().map(|f| answers(e, p, f)).collect();
        let (can_flip, flip_chance) = self.flips(p, remaining, now);
        // The engine ranks the recommendable transports (its winner is an index into them).
        let n_transports = e.k.transports.iter().filter(|t| t.recommend).count().max(1);
        // counts[q][choice][transport]; choice 0 is "don't know".
        let mut counts: Vec<Vec<Vec<u32>>> = options
            .iter()
            .map(|o| vec![vec![0; n_transports]; o.len() + 1])
            .collect();
        let mut total = vec![0u32; n_transports];
        let base = match serde_json::to_value(p) {
            Ok(Json::Object(m)) => m,
            _ => Map::new(),
        };
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let paths: Vec<bool> = remaining
            .iter()
            .map(|f| {
                crate::profile::field(f).is_some_and(|s| matches!(s.kind, FieldKind::Path))
                    && p.path.is_none()
            })
            .collect();
        let mut picks = vec![0usize; remaining.len()];
        let dk: Vec<f64> = remaining.iter().map(|f| self.dont_know_of(f)).collect();
        // Cumulative weights of each question's answers.
        let cum: Vec<Vec<f64>> = remaining
            .iter()
            .zip(&options)
            .map(|(f, o)| {
                let mut acc = 0.0;
                o.iter()
                    .map(|v| {
                        acc += self.weight(f, v);
                        acc
                    })
                    .collect()
            })
            .collect();
        let samples = if options.iter().all(Vec::is_empty) {
            0
        } else {
            self.settings.samples
        };
        for _ in 0..samples {
            let mut m = base.clone();
            for (i, o) in options.iter().enumerate() {
                picks[i] = if o.is_empty() || rng.unit() < dk[i] {
                    0
                } else {
                    let c = &cum[i];
                    let x = rng.unit() * c.last().copied().unwrap_or(0.0);
                    1 + c.iter().position(|&a| x < a).unwrap_or(o.len() - 1)
                };
                if picks[i] > 0 {
                    let mut v = o[picks[i] - 1].clone();
                    // Real paths often have more than one hop: half the time, another
                    // hop of the knowledge behind the one drawn (grouped by the first).
                    if let (true, Json::Array(hops)) = (paths[i], &mut v) {
                        if !hops.is_empty() && !e.k.hops.is_empty() && rng.unit() < 0.5 {
                            let h = &e.k.hops[(rng.next() % e.k.hops.len() as u64) as usize];
                            let id = Json::String(h.id.to_string());
                            if !hops.contains(&id) {
                                hops.push(id);
                            }
                        }
                    }
                    m.insert(remaining[i].to_string(), v);
                }
            }
            let Ok(sample) = serde_json::from_value::<Profile>(Json::Object(m)) else {
                continue;
            };
            let w = self.winner(&sample).min(n_transports - 1);
            total[w] += 1;
            for (i, c) in picks.iter().enumerate() {
                counts[i][*c][w] += 1;
            }
        }
        let n: u32 = total.iter().sum();
        let stays = if n == 0 {
            1.0
        } else {
            f64::from(total[now]) / f64::from(n)
        };
        let h = entropy(&total);
        let gain: Vec<f64> = counts
            .iter()
            .map(|by_choice| {
                let after: f64 = by_choice
                    .iter()
                    .map(|c| {
                        let k: u32 = c.iter().sum();
                        if n == 0 {
                            0.0
                        } else {
                            f64::from(k) / f64::from(n) * entropy(c)
                        }
                    })
                    .sum();
                (h - after).max(0.0)
            })
            .collect();
        Outlook {
            transport: self.transport(p),
            stays,
            gain,
            can_flip,
            flip_chance,
        }
    }

    /// Whether some answer to `field` alone (or with a question it opens) changes
    /// the transport recommended for `p`.
    pub fn can_change(&self, p: &Profile, field: &str) -> bool {
        self.flips(p, &[field], self.winner(p)).0[0]
    }

    /// Per question of `remaining`: whether some answer to it changes the transport
    /// recommended now (`now`), and the chance that its answer does (answered at all,
    /// times the weighted share of its answers that change it, plus the chance that
    /// an answer opens a question whose answer then changes it).
    fn flips(&self, p: &Profile, remaining: &[&str], now: usize) -> (Vec<bool>, Vec<f64>) {
        // Each question's plausible answers alone: the chance (answered at all,
        // times its `likely` weight's share) and the transport it gives.
        let singles: Vec<Vec<Single>> = remaining
            .iter()
            .map(|f| {
                self.answers_alone(p, f)
                    .into_iter()
                    .map(|(v, chance)| Single {
                        winner: self.winner(&v),
                        chance,
                    })
                    .collect()
            })
            .collect();
        // An answer that opens another question (server clients open "can they take
        // webhooks?") is weighed with the answers it opens: their chance together.
        let opened: Vec<f64> = remaining
            .iter()
            .zip(&singles)
            .map(|(f, s)| self.opened_flip_chance(p, f, s, remaining, now))
            .collect();
        let can_flip: Vec<bool> = singles
            .iter()
            .zip(&opened)
            .map(|(s, o)| *o > 0.0 || s.iter().any(|x| x.winner != now))
            .collect();
        let flip_chance: Vec<f64> = singles
            .iter()
            .zip(&opened)
            .map(|(s, o)| {
                o + s
                    .iter()
                    .filter(|x| x.winner != now)
                    .map(|x| x.chance)
                    .sum::<f64>()
            })
            .collect();
        (can_flip, flip_chance)
    }

    /// Each plausible answer to `field` on its own (the profile it gives), with its
    /// chance: answered at all, times its `likely` weight's share.
    fn answers_alone(&self, p: &Profile, field: &str) -> Vec<(Profile, f64)> {
        let vs: Vec<(Profile, f64)> = variants(self.engine, p, field)
            .into_iter()
            .map(|v| {
                let w = self.weight_of(field, &v);
                (v, w)
            })
            .collect();
        let all: f64 = vs.iter().map(|(_, w)| w).sum();
        let answered = 1.0 - self.dont_know_of(field);
        vs.into_iter()
            .map(|(v, w)| {
                let chance = if all > 0.0 { answered * w / all } else { 0.0 };
                (v, chance)
            })
            .collect()
    }

    /// The chance that an answer to `field` which keeps the transport opens a
    /// question (one of `remaining` whose `ask_if` it satisfies) whose answer then
    /// changes it. `singles` are `field`'s answers alone, as [`variants`] gives them.
    fn opened_flip_chance(
        &self,
        p: &Profile,
        field: &str,
        singles: &[Single],
        remaining: &[&str],
        now: usize,
    ) -> f64 {
        let Some(opens) = self.opens.get(field) else {
            return 0.0;
        };
        let opens: Vec<&(String, Vec<Condition>)> = opens
            .iter()
            .filter(|(q, _)| remaining.contains(&q.as_str()))
            .collect();
        if opens.is_empty() {
            return 0.0;
        }
        let e = self.engine;
        let mut chance = 0.0;
        for (v, single) in variants(e, p, field).iter().zip(singles) {
            if single.winner != now {
                continue;
            }
            // The likeliest of the questions this answer opens to change it.
            let mut worst: f64 = 0.0;
            for (q, on) in &opens {
                if !on.iter().all(|c| c.holds(v, &|_| false)) {
                    continue;
                }
                let flips: f64 = self
                    .answers_alone(v, q)
                    .iter()
                    .filter(|(x, _)| self.winner(x) != now)
                    .map(|(_, c)| c)
                    .sum();
                worst = worst.max(flips);
            }
            chance += single.chance * worst;
        }
        chance
    }

    /// What a refinement can change: the add-ons, the heartbeat, the gotchas, the
    /// capacity figures (when the engine gives them) and the transport itself.
    fn refinement(&self, p: &Profile) -> Json {
        let d = self.engine.decide(p, "");
        let capacity = serde_json::to_value(&d)
            .ok()
            .and_then(|v| v.get("capacity").cloned())
            .unwrap_or(Json::Null);
        let gotchas: Vec<&str> = d.gotchas.iter().map(|g| g.id.as_str()).collect();
        serde_json::json!({
            "transport": d.recommendation.transport,
            "add_ons": d.recommendation.add_ons,
            "heartbeat_s": d.recommendation.heartbeat_s,
            "gotchas": gotchas,
            "capacity": capacity,
        })
    }

    /// What the report recommends now beyond the transport: compare with
    /// [`Lookahead::refines`].
    pub fn now(&self, p: &Profile) -> Json {
        self.refinement(p)
    }

    /// Whether some answer to `field` changes what the report recommends beyond
    /// the transport (add-ons, heartbeat, gotchas, capacity); `now` is
    /// [`Lookahead::now`] of `p`.
    pub fn refines(&self, p: &Profile, now: &Json, field: &str) -> bool {
        variants(self.engine, p, field)
            .iter()
            .any(|v| self.refinement(v) != *now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_certainty_is_zero_and_of_a_coin_one_bit() {
        assert_eq!(entropy(&[5, 0, 0]), 0.0);
        assert!((entropy(&[3, 3]) - 1.0).abs() < 1e-12);
        assert_eq!(entropy(&[]), 0.0);
    }

    #[test]
    fn the_best_question_is_the_most_informative_and_none_when_nothing_is_left() {
        let o = |gain: Vec<f64>, can_flip: Vec<bool>| Outlook {
            transport: "sse".into(),
            stays: 0.5,
            flip_chance: vec![0.0; gain.len()],
            gain,
            can_flip,
        };
        assert_eq!(o(vec![0.1, 0.5, 0.2], vec![true; 3]).best(), Some(1));
        // Equal gain: the one whose answer alone can change the transport, then the
        // earliest.
        assert_eq!(
            o(vec![0.5, 0.5, 0.5], vec![false, true, true]).best(),
            Some(1)
        );
        assert_eq!(o(vec![0.0, 0.0], vec![false, false]).best(), None);
        assert_eq!(o(vec![0.0, 0.0], vec![false, true]).best(), Some(1));
        assert_eq!(o(vec![], vec![]).best(), None);
    }

    #[test]
    fn fields_the_engine_has_no_candidates_for_still_get_answers_to_try() {
        let k = crate::rules::Knowledge::embedded().unwrap();
        let e = Engine::new(&k);
        let pos = FieldKind::Number {
            min: 0.0,
            exclusive: true,
        };
        assert_eq!(fallback_answers(&e, pos).len(), 6);
        let count = FieldKind::Count { min: 1 };
        assert!(!fallback_answers(&e, count).contains(&serde_json::json!(0)));
        assert_eq!(fallback_answers(&e, FieldKind::YesNo).len(), 2);
        assert_eq!(
            fallback_answers(&e, FieldKind::Path).len(),
            k.hops.len() + 1
        );
        assert!(fallback_answers(&e, FieldKind::Text).is_empty());
        // Known fields use the engine's thresholds; the text field has none.
        let p = Profile::new("x", crate::profile::Direction::ServerToClient);
        assert!(!variants(&e, &p, "max_delay_s").is_empty());
        assert!(variants(&e, &p, "name").is_empty());
    }

    #[test]
    fn the_generator_is_reproducible_and_spread() {
        let mut a = Rng(7);
        let mut b = Rng(7);
        let xs: Vec<f64> = (0..1000).map(|_| a.unit()).collect();
        let ys: Vec<f64> = (0..1000).map(|_| b.unit()).collect();
        assert_eq!(xs, ys);
        let low = xs.iter().filter(|x| **x < 0.5).count();
        assert!((400..600).contains(&low), "{low}");
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
    }
}
