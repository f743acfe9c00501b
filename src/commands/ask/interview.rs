//! The adaptive interview. After `name` and `direction`, it asks the question whose
//! answer tells most about the final transport ([`Lookahead::outlook`]) until the
//! transport is settled; then it offers, once, to refine the add-ons, heartbeat,
//! gotchas and capacity with the questions that can still change them; `always`
//! questions come last. Every answer can be taken back ([`Answer::Back`]): the
//! interview replays the answers before it and asks that question again.

use super::lookahead::Lookahead;
use super::prompt::{Answer, NumberRule, Prompt, Prompter};
use super::questions::{options, AnswerType, Choice, Opt, Question, Questions};
use crate::engine::Engine;
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

/// The field name of the refine offer in the answer history (not a profile field).
pub const REFINE: &str = "refine";

/// One answer as given.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    Value(Json),
    DontKnow,
    /// The question's "there is none" answer (e.g. "there is no job").
    Nothing,
}

/// A finished interview.
#[derive(Debug, Clone)]
pub struct Finished {
    pub profile: Profile,
    /// Fields asked, in order (the refine offer is not a field and not listed).
    pub asked: Vec<String>,
    /// Asked but answered "don't know".
    pub dont_know: Vec<String>,
    /// Answered with the question's "there is none" answer: (field, its label).
    pub nothing: Vec<(String, String)>,
    /// Answered by the option picked for another question, never asked itself:
    /// (field, the question whose option answered it).
    pub implied: Vec<(String, String)>,
    /// How many questions (name included) had been asked when the transport was
    /// settled, and the transport then.
    pub settled: Option<(usize, String)>,
    /// The answer to the refine offer (None: not offered, nothing to refine).
    pub refine: Option<bool>,
    /// Never asked: no answer could change the transport, add-ons, heartbeat,
    /// gotchas or capacity.
    pub cannot_change: Vec<String>,
    /// Never asked because the refine offer was declined, although an answer could
    /// change the add-ons, heartbeat, gotchas or capacity.
    pub left_open: Vec<String>,
    /// Never asked: ruled out by an earlier answer (field, why).
    pub not_applicable: Vec<(String, String)>,
}

impl Finished {
    pub fn skipped(&self) -> usize {
        self.cannot_change.len() + self.left_open.len() + self.not_applicable.len()
    }
}

/// One prompt's answer: its field, and the other fields the option picked answers
/// at once (a question's `choices`).
#[derive(Debug, Clone)]
struct Entry {
    field: String,
    given: Given,
    implied: Vec<(String, Given)>,
    /// The option picked, for a question with its own `choices`.
    choice: Option<String>,
}

impl Entry {
    fn plain(field: String, given: Given) -> Self {
        Entry {
            field,
            given,
            implied: Vec::new(),
            choice: None,
        }
    }

    /// The fields this answer fills, its own first.
    fn fields(&self) -> impl Iterator<Item = (&String, &Given)> {
        std::iter::once((&self.field, &self.given)).chain(self.implied.iter().map(|(f, g)| (f, g)))
    }
}

/// Everything answered so far, replayed into a profile.
#[derive(Debug, Clone, Default)]
struct State {
    history: Vec<Entry>,
}

impl State {
    fn given(&self, field: &str) -> Option<&Given> {
        self.history
            .iter()
            .flat_map(Entry::fields)
            .find(|(f, _)| *f == field)
            .map(|(_, g)| g)
    }

    /// The profile the answers give (None until name and direction are known).
    fn profile(&self) -> Option<Profile> {
        let name = match self.given("name") {
            Some(Given::Value(Json::String(s))) => s.clone(),
            _ => return None,
        };
        let direction: Direction = match self.given("direction") {
            Some(Given::Value(v)) => serde_json::from_value(v.clone()).ok()?,
            _ => return None,
        };
        let mut p = Profile::new(name, direction);
        for (f, g) in self.history.iter().flat_map(Entry::fields) {
            if let (Given::Value(v), false) = (g, matches!(f.as_str(), "name" | "direction")) {
                if let Some(next) = set_field(&p, f, v.clone()) {
                    p = next;
                }
            }
        }
        Some(p)
    }

    /// Answered "there is none".
    fn nothing(&self, field: &str) -> bool {
        matches!(self.given(field), Some(Given::Nothing))
    }

    /// The number of real questions asked (the refine offer does not count).
    fn questions(&self) -> usize {
        self.history.iter().filter(|e| e.field != REFINE).count()
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

/// The answer of one prompt, or going back, or stopping.
enum Step<T> {
    Got(T),
    DontKnow,
    Back,
}

fn step<T>(a: Answer<T>) -> Result<Step<T>, Stop> {
    match a {
        Answer::Value(v) => Ok(Step::Got(v)),
        Answer::DontKnow => Ok(Step::DontKnow),
        Answer::Back => Ok(Step::Back),
        Answer::Interrupted => Err(Stop::Interrupted),
        Answer::Failed(m) => Err(Stop::Failed(m)),
    }
}

/// A previous answer as the prompt's starting point (text, or an option id).
fn initial_text(g: Option<&Given>) -> Option<String> {
    match g? {
        Given::Value(Json::String(s)) => Some(s.clone()),
        Given::Value(Json::Array(items)) => Some(
            items
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect::<Vec<_>>()
                .join(","),
        ),
        // 2, not 2.0.
        Given::Value(Json::Number(n)) => Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        Given::Value(v) => Some(v.to_string()),
        Given::Nothing => Some("0".into()),
        Given::DontKnow => None,
    }
}

/// The path option for "none of the listed hops".
pub const NO_HOP: &str = "-";

#[cfg(test)]
#[test]
fn answers_taken_back_are_offered_as_typed() {
    let v = |j: Json| initial_text(Some(&Given::Value(j)));
    assert_eq!(v(json!(2.0)).as_deref(), Some("2"));
    assert_eq!(v(json!(0.05)).as_deref(), Some("0.05"));
    assert_eq!(v(json!(true)).as_deref(), Some("true"));
    assert_eq!(
        v(json!(["nginx", "aws-alb"])).as_deref(),
        Some("nginx,aws-alb")
    );
    assert_eq!(initial_text(Some(&Given::Nothing)).as_deref(), Some("0"));
    assert_eq!(initial_text(Some(&Given::DontKnow)), None);
}

/// The prompt of a question: Enter alone is "don't know" unless it is required.
fn prompt_of<'a>(q: &'a Question, required: bool, initial: Option<&'a str>) -> Prompt<'a> {
    Prompt {
        field: &q.field,
        text: &q.prompt,
        help: &q.help,
        required,
        empty: if required { None } else { Some("don't know") },
        nothing: q.none.as_deref(),
        initial,
    }
}

/// Asks one question; `None` is "go back". `before` is the answer taken back, if
/// the question is asked again.
fn ask(
    qs: &Questions,
    k: &crate::rules::Knowledge,
    q: &Question,
    pr: &mut dyn Prompter,
    required: bool,
    before: Option<&Entry>,
) -> Result<Option<Entry>, Stop> {
    if q.kind == AnswerType::Checklist {
        return ask_checklist(qs, q, pr, before);
    }
    if q.choices.is_empty() {
        let given = ask_plain(k, q, pr, required, before.map(|e| &e.given))?;
        return Ok(given.map(|g| Entry::plain(q.field.clone(), g)));
    }
    let opts = own_options(q);
    let p = prompt_of(q, required, before.and_then(|e| e.choice.as_deref()));
    Ok(match step(pr.ask_choice(&p, &opts))? {
        Step::Got(id) => match q.choices.iter().find(|c| c.id == id) {
            Some(c) => Some(picked(qs, q, c)),
            None => return Err(Stop::Failed(format!("`{}`: no option `{id}`", q.field))),
        },
        Step::DontKnow => Some(Entry::plain(q.field.clone(), Given::DontKnow)),
        Step::Back => None,
    })
}

/// A question's own options (`choices`), as the prompt lists them.
fn own_options(q: &Question) -> Vec<Opt> {
    q.choices
        .iter()
        .map(|c| Opt {
            id: c.id.clone(),
            label: c.label.clone(),
        })
        .collect()
}

/// Asks a checklist: each line ticked answers what it sets; every field a line
/// sets and no ticked line does is left unknown (for these only the line's own
/// answer changes the advice, a test checks it), so none of them is asked again.
fn ask_checklist(
    qs: &Questions,
    q: &Question,
    pr: &mut dyn Prompter,
    before: Option<&Entry>,
) -> Result<Option<Entry>, Stop> {
    let opts = own_options(q);
    let mut p = prompt_of(q, false, before.and_then(|e| e.choice.as_deref()));
    p.empty = Some("none of these, or don't know");
    let ticked: Vec<String> = match step(pr.ask_multi(&p, &opts))? {
        Step::Got(ids) => ids,
        Step::DontKnow => Vec::new(),
        Step::Back => return Ok(None),
    };
    let mut implied: Vec<(String, Given)> = Vec::new();
    for c in &q.choices {
        let on = ticked.contains(&c.id);
        for (f, v) in &c.sets {
            if qs.find(f).is_none() {
                continue;
            }
            let g = if on {
                Given::Value(v.clone())
            } else {
                Given::DontKnow
            };
            match implied.iter_mut().find(|(x, _)| x == f) {
                Some(slot) if on => slot.1 = g,
                Some(_) => {}
                None => implied.push((f.clone(), g)),
            }
        }
    }
    Ok(Some(Entry {
        field: q.field.clone(),
        given: Given::Value(json!(ticked)),
        choice: Some(ticked.join(",")),
        implied,
    }))
}

/// The answers one picked option gives: the question's own field first.
fn picked(qs: &Questions, q: &Question, c: &Choice) -> Entry {
    let given = |f: &str| match c.value_of(f) {
        Some(Some(v)) => Given::Value(v.clone()),
        Some(None) => Given::Nothing,
        None => Given::DontKnow,
    };
    let implied = c
        .sets
        .keys()
        .filter(|f| **f != q.field && qs.find(f).is_some())
        .map(|f| (f.clone(), given(f)))
        .collect();
    Entry {
        field: q.field.clone(),
        given: given(&q.field),
        implied,
        choice: Some(c.id.clone()),
    }
}

/// Asks a question with the field's own answers; `None` is "go back".
fn ask_plain(
    k: &crate::rules::Knowledge,
    q: &Question,
    pr: &mut dyn Prompter,
    required: bool,
    before: Option<&Given>,
) -> Result<Option<Given>, Stop> {
    let Some(spec) = q.spec() else {
        return Ok(Some(Given::DontKnow));
    };
    let initial = initial_text(before);
    let p = prompt_of(q, required, initial.as_deref());
    let given = |s: Step<Json>| match s {
        Step::Got(v) => Some(Given::Value(v)),
        Step::DontKnow => Some(Given::DontKnow),
        Step::Back => None,
    };
    Ok(match q.kind {
        AnswerType::Text => given(match step(pr.ask_text(&p))? {
            Step::Got(s) => Step::Got(json!(s)),
            Step::DontKnow => Step::DontKnow,
            Step::Back => Step::Back,
        }),
        AnswerType::Choice => given(match step(pr.ask_choice(&p, &options(k, spec.kind)))? {
            Step::Got(s) => Step::Got(json!(s)),
            Step::DontKnow => Step::DontKnow,
            Step::Back => Step::Back,
        }),
        AnswerType::Number => {
            let rule = number_rule(spec.kind);
            let unit = q.unit.as_deref().unwrap_or("");
            match step(pr.ask_number(&p, unit, rule))? {
                // A question with a "there is none" answer takes 0 for it.
                Step::Got(n) if n == 0.0 && q.none.is_some() => Some(Given::Nothing),
                Step::Got(n) => Some(Given::Value(num_json(n, rule.integer))),
                Step::DontKnow => Some(Given::DontKnow),
                Step::Back => None,
            }
        }
        AnswerType::YesNo => given(match step(pr.ask_yes_no(&p))? {
            Step::Got(b) => Step::Got(json!(b)),
            Step::DontKnow => Step::DontKnow,
            Step::Back => Step::Back,
        }),
        // Asked by `ask_checklist`; a checklist fills no field of its own.
        AnswerType::Checklist => Some(Given::DontKnow),
        AnswerType::Multi => {
            let mut opts = options(k, spec.kind);
            if matches!(spec.kind, FieldKind::Path) {
                // Ticking nothing is "don't know"; no listed hop is an answer of its own.
                opts.insert(
                    0,
                    Opt {
                        id: NO_HOP.into(),
                        label: "none of these (clients connect directly, or only through gear not listed)"
                            .into(),
                    },
                );
            }
            let picked = match step(pr.ask_multi(&p, &opts))? {
                Step::Got(ids) if ids.is_empty() => Step::DontKnow,
                Step::Got(ids) => Step::Got(json!(ids
                    .into_iter()
                    .filter(|i| i != NO_HOP)
                    .collect::<Vec<_>>())),
                Step::DontKnow => Step::DontKnow,
                Step::Back => Step::Back,
            };
            match (picked, spec.kind) {
                (Step::Got(Json::Array(mut hops)), FieldKind::Path) => match inline_hops(pr)? {
                    // Back from the follow-ups asks the path again.
                    None => return ask_plain(k, q, pr, required, before),
                    Some(more) => {
                        hops.extend(more);
                        Some(Given::Value(Json::Array(hops)))
                    }
                },
                (s, _) => given(s),
            }
        }
    })
}

/// Gear the hop list does not have, described inline: asked after the path, one
/// hop at a time, until the name is left empty. `None`: the user went back.
fn inline_hops(pr: &mut dyn Prompter) -> Result<Option<Vec<Json>>, Stop> {
    let mut hops = Vec::new();
    let positive = number_rule(FieldKind::Number {
        min: 0.0,
        exclusive: true,
    });
    while hops.len() < 8 {
        let (field, text, help) = if hops.is_empty() {
            (
                "path.inline",
                "Anything else on the path? Its name",
                "Gear the list does not have (an F5, an API gateway of your own).",
            )
        } else {
            (
                "path.inline.more",
                "Anything more on the path? Its name",
                "Any more gear the list does not have.",
            )
        };
        let ask_name = Prompt {
            field,
            text,
            help,
            required: false,
            empty: Some("nothing else"),
            nothing: None,
            initial: None,
        };
        let name = match step(pr.ask_text(&ask_name))? {
            Step::Back => return Ok(None),
            Step::DontKnow => break,
            Step::Got(n) if n.trim().is_empty() => break,
            Step::Got(n) => n.trim().to_string(),
        };
        let mut hop = serde_json::Map::new();
        hop.insert("name".into(), json!(name));
        let idle_text =
            format!("After how many seconds of silence does {name} close a connection?");
        let idle = Prompt {
            field: "path.inline.idle_timeout_s",
            text: &idle_text,
            help: "Its idle timeout: heartbeats must come more often.",
            required: false,
            empty: Some("don't know"),
            nothing: None,
            initial: None,
        };
        match step(pr.ask_number(&idle, "s", positive))? {
            Step::Back => return Ok(None),
            Step::Got(n) => {
                hop.insert("idle_timeout_s".into(), num_json(n, false));
            }
            Step::DontKnow => {}
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
                empty: Some("don't know"),
                nothing: None,
                initial: None,
            };
            match step(pr.ask_yes_no(&q))? {
                Step::Back => return Ok(None),
                Step::Got(b) => {
                    hop.insert((*key).into(), json!(b));
                }
                Step::DontKnow => {}
            }
        }
        hops.push(Json::Object(hop));
    }
    Ok(Some(hops))
}

/// What the interview does next.
enum Next<'q> {
    Ask(&'q Question, bool),
    /// The transport settled, and how many questions could refine the rest.
    Offer(String, usize),
    Done,
}

/// Runs the interview.
pub fn interview(engine: &Engine, qs: &Questions, pr: &mut dyn Prompter) -> Result<Finished, Stop> {
    let k = engine.k;
    let look = Lookahead::for_questions(engine, qs);
    let mut state = State::default();
    let mut settled: Option<(usize, String)> = None;
    // An answer taken back, offered again as the starting point of its question.
    let mut redo: Option<Entry> = None;
    loop {
        let next = plan(&look, qs, &state, &mut settled);
        let answer = match next {
            Next::Done => break,
            Next::Offer(transport, n) => {
                let text = format!(
                    "The transport is settled: {transport}. Refine the add-ons, heartbeat, gotchas \
                     and capacity with up to {n} more question{}?",
                    if n == 1 { "" } else { "s" }
                );
                let a = match pr.offer(&text) {
                    Answer::Value(b) => Some(Given::Value(json!(b))),
                    Answer::DontKnow => Some(Given::Value(json!(false))),
                    Answer::Back => None,
                    Answer::Interrupted => return Err(Stop::Interrupted),
                    Answer::Failed(m) => return Err(Stop::Failed(m)),
                };
                a.map(|g| Entry::plain(REFINE.to_string(), g))
            }
            Next::Ask(q, required) => {
                let before = redo.take().filter(|e| e.field == q.field);
                ask(qs, k, q, pr, required, before.as_ref())?
            }
        };
        redo = None;
        match answer {
            Some(e) => {
                if required_missing(&e.field, &e.given) {
                    // Required questions offer no "don't know".
                    return Err(Stop::Failed(format!("`{}` is required", e.field)));
                }
                state.history.push(e);
            }
            None => {
                // Go back: drop the last answer and ask that question again.
                if let Some(last) = state.history.pop() {
                    if settled
                        .as_ref()
                        .is_some_and(|(n, _)| *n > state.questions())
                    {
                        settled = None;
                    }
                    redo = Some(last);
                }
            }
        }
    }
    finish(&look, qs, state, settled)
}

fn required_missing(field: &str, g: &Given) -> bool {
    matches!(field, "name" | "direction") && !matches!(g, Given::Value(_))
}

/// Whether a question is still open: not asked, its conditions hold.
fn open<'q>(qs: &'q Questions, state: &State, p: &Profile) -> Vec<&'q Question> {
    qs.questions
        .iter()
        .filter(|q| state.given(&q.field).is_none())
        .filter(|q| q.applies(p, &|f| state.nothing(f)))
        .collect()
}

fn plan<'q>(
    look: &Lookahead,
    qs: &'q Questions,
    state: &State,
    settled: &mut Option<(usize, String)>,
) -> Next<'q> {
    for f in ["name", "direction"] {
        if state.given(f).is_none() {
            return match qs.find(f) {
                Some(q) => Next::Ask(q, true),
                None => Next::Done,
            };
        }
    }
    let Some(p) = state.profile() else {
        return Next::Done;
    };
    let open = open(qs, state, &p);
    // A checklist that applies is asked instead of any question of its fields: one
    // list answers what would otherwise be asked one question at a time.
    let lists: Vec<&Question> = open
        .iter()
        .copied()
        .filter(|q| q.kind == AnswerType::Checklist)
        .collect();
    let list_of = |q: &'q Question| -> &'q Question {
        lists
            .iter()
            .copied()
            .find(|l| l.choices.iter().any(|c| c.sets.contains_key(&q.field)))
            .unwrap_or(q)
    };
    let adaptive: Vec<&Question> = open
        .iter()
        .copied()
        .filter(|q| !q.always && q.kind != AnswerType::Checklist)
        .collect();
    let fields: Vec<&str> = adaptive.iter().map(|q| q.field.as_str()).collect();
    let out = look.outlook(&p, &fields);
    // A question whose conditions read an unanswered field waits for that field.
    let ready: Vec<bool> = adaptive
        .iter()
        .map(|q| q.ask_if.iter().all(|c| state.given(&c.field).is_some()))
        .collect();
    if out.stays < look.settings.settle {
        if let Some(i) = out.best_of(&ready) {
            return Next::Ask(list_of(adaptive[i]), false);
        }
    }
    // Most completions keep the transport, but one question alone (or with a
    // question its answer opens) may still change it too often to call it settled (a
    // rare combination the random completions miss): ask the likeliest such question
    // first.
    let risky = (0..adaptive.len())
        .filter(|&i| ready[i] && out.flip_chance[i] >= look.settings.flip)
        .max_by(|&a, &b| {
            out.flip_chance[a]
                .total_cmp(&out.flip_chance[b])
                .then(b.cmp(&a))
        });
    if let Some(i) = risky {
        return Next::Ask(list_of(adaptive[i]), false);
    }
    if settled.is_none() {
        *settled = Some((state.questions(), out.transport.clone()));
    }
    // Refine: the open questions that can change the add-ons, heartbeat, gotchas or
    // capacity (or, after all, the transport).
    let now = look.now(&p);
    match state.given(REFINE) {
        None => {
            let n = adaptive
                .iter()
                .zip(&out.can_flip)
                .filter(|(q, flips)| **flips || look.refines(&p, &now, &q.field))
                .count();
            if n > 0 {
                return Next::Offer(out.transport.clone(), n);
            }
        }
        Some(Given::Value(Json::Bool(true))) => {
            // Questions that could still change the transport first, then in file
            // order; the first that can still change something is asked.
            let mut order: Vec<(bool, usize)> = out
                .can_flip
                .iter()
                .enumerate()
                .map(|(i, flips)| (!flips, i))
                .collect();
            order.sort_unstable();
            let best = order
                .iter()
                .map(|&(_, i)| adaptive[i])
                .find(|q| look.refines(&p, &now, &q.field));
            if let Some(q) = best {
                return Next::Ask(list_of(q), false);
            }
        }
        _ => {}
    }
    match open.iter().find(|q| q.always) {
        Some(q) => Next::Ask(q, false),
        None => Next::Done,
    }
}

fn finish(
    look: &Lookahead,
    qs: &Questions,
    state: State,
    settled: Option<(usize, String)>,
) -> Result<Finished, Stop> {
    let p = state
        .profile()
        .ok_or_else(|| Stop::Failed("`name` and `direction` are required".into()))?;
    let refine = match state.given(REFINE) {
        Some(Given::Value(Json::Bool(b))) => Some(*b),
        _ => None,
    };
    let mut done = Finished {
        profile: p.clone(),
        asked: Vec::new(),
        dont_know: Vec::new(),
        nothing: Vec::new(),
        implied: Vec::new(),
        settled,
        refine,
        cannot_change: Vec::new(),
        left_open: Vec::new(),
        not_applicable: Vec::new(),
    };
    for e in &state.history {
        if e.field == REFINE {
            continue;
        }
        done.asked.push(e.field.clone());
        for (f, _) in &e.implied {
            done.implied.push((f.clone(), e.field.clone()));
        }
    }
    for (f, g) in state.history.iter().flat_map(Entry::fields) {
        if f == REFINE {
            continue;
        }
        match g {
            Given::DontKnow => done.dont_know.push(f.clone()),
            Given::Nothing => {
                let label = qs
                    .find(f)
                    .and_then(|q| q.none.clone())
                    .unwrap_or_else(|| "none".into());
                done.nothing.push((f.clone(), label));
            }
            Given::Value(_) => {}
        }
    }
    let now = look.now(&p);
    for q in &qs.questions {
        // A checklist that does not apply leaves its fields to their own questions.
        if state.given(&q.field).is_some() || q.kind == AnswerType::Checklist {
            continue;
        }
        if let Some(why) = q.ruled_out_by(&p, &|f| state.nothing(f), &|f| {
            qs.find(f).and_then(|q| q.none.clone())
        }) {
            done.not_applicable.push((q.field.clone(), why));
        } else if look.refines(&p, &now, &q.field) {
            done.left_open.push(q.field.clone());
        } else {
            done.cannot_change.push(q.field.clone());
        }
    }
    Ok(done)
}
