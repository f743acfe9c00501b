//! The adaptive interview: ask the next question whose answer could still change the
//! recommended transport; stop when none can.

use super::prompt::{Answer, NumberRule, Prompt, Prompter};
use super::questions::{options, AnswerType, Question};
use crate::engine::flips::answer_variants;
use crate::engine::{facts, Engine};
use crate::profile::{Direction, FieldKind, Profile};
use serde_json::{json, Value as Json};

/// Why the interview stopped before the end.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// Ctrl-C or Esc.
    Interrupted,
    /// The terminal failed, or an answer could not be used.
    Failed(String),
}

/// A finished interview.
#[derive(Debug, Clone)]
pub struct Finished {
    pub profile: Profile,
    /// Fields asked, in order.
    pub asked: Vec<String>,
    /// Asked but answered "don't know".
    pub dont_know: Vec<String>,
    /// Never asked: no answer could change the recommendation.
    pub cannot_change: Vec<String>,
    /// Never asked: ruled out by an earlier answer (field, why).
    pub not_applicable: Vec<(String, String)>,
}

impl Finished {
    pub fn skipped(&self) -> usize {
        self.cannot_change.len() + self.not_applicable.len()
    }
}

/// How far ahead to look when deciding whether a question matters: its own answer
/// alone, or together with one answer to another remaining question (rules such as
/// `job_duration_s > 60 and user_waits: false` need two answers before they fire).
pub const LOOKAHEAD: usize = 2;

struct Ctx<'e, 'k> {
    engine: &'e Engine<'k>,
}

impl Ctx<'_, '_> {
    fn winner(&self, p: &Profile) -> usize {
        let e = self.engine;
        e.winner(&e.score(&facts::facts(e.k, p)))
    }

    /// The recommendation as JSON output gives it: the transport and its add-ons.
    fn advice(&self, p: &Profile) -> (Option<String>, Vec<String>) {
        let r = self.engine.decide(p, "").recommendation;
        (r.transport, r.add_ons)
    }

    /// Could some answer to `q` change the winner, given `p` and one answer to any
    /// other question in `others` (when `depth` is 2)? Or, on its own, change the
    /// add-ons recommended with it?
    fn matters(&self, p: &Profile, q: &str, others: &[&str], depth: usize) -> bool {
        let w = self.winner(p);
        let variants = answer_variants(self.engine, p, q);
        if variants.iter().any(|v| self.winner(v) != w) {
            return true;
        }
        let now = self.advice(p);
        if variants.iter().any(|v| self.advice(v) != now) {
            return true;
        }
        if depth < 2 {
            return false;
        }
        others.iter().filter(|o| **o != q).any(|o| {
            answer_variants(self.engine, p, o).iter().any(|v2| {
                let w2 = self.winner(v2);
                answer_variants(self.engine, v2, q)
                    .iter()
                    .any(|v| self.winner(v) != w2)
            })
        })
    }
}

/// Sets one field from a JSON value, through the profile's own serde.
pub fn set_field(p: &Profile, field: &str, value: Json) -> Option<Profile> {
    let mut v = serde_json::to_value(p).ok()?;
    v.as_object_mut()?.insert(field.to_string(), value);
    serde_json::from_value(v).ok()
}

fn number_rule(kind: FieldKind) -> NumberRule {
    match kind {
        FieldKind::Number { min, exclusive } => NumberRule {
            min,
            exclusive,
            integer: false,
        },
        FieldKind::Count { min } => NumberRule {
            min: min as f64,
            exclusive: false,
            integer: true,
        },
        _ => NumberRule {
            min: 0.0,
            exclusive: false,
            integer: false,
        },
    }
}

fn num_json(n: f64, integer: bool) -> Json {
    if integer {
        json!(n as u64)
    } else {
        json!(n)
    }
}

/// Asks one question; `Ok(None)` is "don't know".
fn ask(
    k: &crate::rules::Knowledge,
    q: &Question,
    pr: &mut dyn Prompter,
    required: bool,
) -> Result<Option<Json>, Stop> {
    let Some(spec) = q.spec() else {
        return Ok(None);
    };
    let p = Prompt {
        field: &q.field,
        text: &q.prompt,
        help: &q.help,
        required,
    };
    fn out<T>(a: Answer<T>, f: impl FnOnce(T) -> Option<Json>) -> Result<Option<Json>, Stop> {
        match a {
            Answer::Value(v) => Ok(f(v)),
            Answer::DontKnow => Ok(None),
            Answer::Interrupted => Err(Stop::Interrupted),
            Answer::Failed(m) => Err(Stop::Failed(m)),
        }
    }
    match q.kind {
        AnswerType::Text => out(pr.ask_text(&p), |s| Some(json!(s))),
        AnswerType::Choice => out(pr.ask_choice(&p, &options(k, spec.kind)), |s| {
            Some(json!(s))
        }),
        AnswerType::Number => {
            let rule = number_rule(spec.kind);
            let unit = q.unit.as_deref().unwrap_or("");
            out(pr.ask_number(&p, unit, rule), |n| {
                Some(num_json(n, rule.integer))
            })
        }
        AnswerType::YesNo => out(pr.ask_yes_no(&p), |b| Some(json!(b))),
        AnswerType::Multi => {
            let picked = out(pr.ask_multi(&p, &options(k, spec.kind)), |ids| {
                // No client kinds is not an answer; no hops is (clients reach the app directly).
                (!(ids.is_empty() && matches!(spec.kind, FieldKind::Clients))).then(|| json!(ids))
            })?;
            match (picked, spec.kind) {
                (Some(Json::Array(mut hops)), FieldKind::Path) => {
                    hops.extend(inline_hops(pr)?);
                    Ok(Some(Json::Array(hops)))
                }
                (other, _) => Ok(other),
            }
        }
    }
}

/// Gear the hop list does not have, described inline: asked after the path, one
/// hop at a time, until the name is left empty.
fn inline_hops(pr: &mut dyn Prompter) -> Result<Vec<Json>, Stop> {
    let mut hops = Vec::new();
    let positive = number_rule(FieldKind::Number {
        min: 0.0,
        exclusive: true,
    });
    fn value<T>(a: Answer<T>) -> Result<Option<T>, Stop> {
        match a {
            Answer::Value(v) => Ok(Some(v)),
            Answer::DontKnow => Ok(None),
            Answer::Interrupted => Err(Stop::Interrupted),
            Answer::Failed(m) => Err(Stop::Failed(m)),
        }
    }
    while hops.len() < 8 {
        let (field, text, help) = if hops.is_empty() {
            (
                "path.inline",
                "Anything else on the path? Its name",
                "Gear the list does not have (an F5, an API gateway of your own); empty if none.",
            )
        } else {
            (
                "path.inline.more",
                "Anything more on the path? Its name",
                "Any more gear the list does not have; empty if none.",
            )
        };
        let ask_name = Prompt {
            field,
            text,
            help,
            required: false,
        };
        let Some(name) = value(pr.ask_text(&ask_name))?.filter(|n| !n.trim().is_empty()) else {
            break;
        };
        let name = name.trim().to_string();
        let mut hop = serde_json::Map::new();
        hop.insert("name".into(), json!(name));
        let idle_text =
            format!("After how many seconds of silence does {name} close a connection?");
        let idle = Prompt {
            field: "path.inline.idle_timeout_s",
            text: &idle_text,
            help: "Its idle timeout: heartbeats must come more often.",
            required: false,
        };
        if let Some(n) = value(pr.ask_number(&idle, "s", positive))? {
            hop.insert("idle_timeout_s".into(), num_json(n, false));
        }
        let flags = [
            (
                "buffers",
                format!("Does {name} buffer responses by default?"),
                "A buffering hop holds an event stream back until it ends.",
            ),
            (
                "websocket",
                format!("Does {name} pass WebSocket upgrades?"),
                "The Upgrade: websocket handshake must get through it.",
            ),
            (
                "http2",
                format!("Does {name} speak HTTP/2 to browsers?"),
                "Over HTTP/1.1, browsers allow six connections per origin.",
            ),
        ];
        for (key, text, help) in &flags {
            let field = format!("path.inline.{key}");
            let q = Prompt {
                field: &field,
                text,
                help,
                required: false,
            };
            if let Some(b) = value(pr.ask_yes_no(&q))? {
                hop.insert((*key).into(), json!(b));
            }
        }
        hops.push(Json::Object(hop));
    }
    Ok(hops)
}

/// Runs the interview. `name` and `direction` come first (required), then the
/// questions that could still change the answer, in file order; `always` questions
/// last. `depth` is the lookahead (see [`LOOKAHEAD`]).
pub fn interview(
    engine: &Engine,
    qs: &[Question],
    pr: &mut dyn Prompter,
    depth: usize,
) -> Result<Finished, Stop> {
    let k = engine.k;
    let find = |f: &str| qs.iter().find(|q| q.field == f);
    let required =
        |f: &str, v: Option<Json>| v.ok_or_else(|| Stop::Failed(format!("`{f}` is required")));
    let name = match find("name") {
        Some(q) => required("name", ask(k, q, pr, true)?)?,
        None => return Err(Stop::Failed("no question for `name`".into())),
    };
    let direction = match find("direction") {
        Some(q) => required("direction", ask(k, q, pr, true)?)?,
        None => return Err(Stop::Failed("no question for `direction`".into())),
    };
    let name = name.as_str().unwrap_or_default().to_string();
    let direction: Direction =
        serde_json::from_value(direction).map_err(|e| Stop::Failed(format!("direction: {e}")))?;
    let mut p = Profile::new(name, direction);
    let mut done = Finished {
        profile: p.clone(),
        asked: vec!["name".into(), "direction".into()],
        dont_know: Vec::new(),
        cannot_change: Vec::new(),
        not_applicable: Vec::new(),
    };
    let ctx = Ctx { engine };
    let mut pending: Vec<&Question> = qs
        .iter()
        .filter(|q| q.field != "name" && q.field != "direction")
        .collect();
    loop {
        let live: Vec<&str> = pending
            .iter()
            .filter(|q| !q.always && q.applies(&p))
            .map(|q| q.field.as_str())
            .collect();
        let next = pending
            .iter()
            .position(|q| !q.always && q.applies(&p) && ctx.matters(&p, &q.field, &live, depth));
        let Some(i) = next else { break };
        let q = pending.remove(i);
        answer(k, q, pr, &mut p, &mut done)?;
    }
    // Questions that never change the transport but change the report.
    while let Some(i) = pending.iter().position(|q| q.always && q.applies(&p)) {
        let q = pending.remove(i);
        answer(k, q, pr, &mut p, &mut done)?;
    }
    for q in pending {
        match q.ruled_out_by(&p) {
            Some(why) => done.not_applicable.push((q.field.clone(), why)),
            None => done.cannot_change.push(q.field.clone()),
        }
    }
    done.profile = p;
    Ok(done)
}

fn answer(
    k: &crate::rules::Knowledge,
    q: &Question,
    pr: &mut dyn Prompter,
    p: &mut Profile,
    done: &mut Finished,
) -> Result<(), Stop> {
    done.asked.push(q.field.clone());
    match ask(k, q, pr, false)? {
        Some(v) => {
            *p = set_field(p, &q.field, v.clone())
                .ok_or_else(|| Stop::Failed(format!("`{}` cannot be {v}", q.field)))?;
        }
        None => done.dont_know.push(q.field.clone()),
    }
    Ok(())
}
