//! Interview tests with a scripted prompter.

use super::interview::{interview, set_field, Finished, Stop};
use super::prompt::{Answer, NumberRule, Prompt, Prompter};
use super::questions::{embedded, Opt};
use super::save::profile_yaml;
use crate::engine::Engine;
use crate::profile::{parse_profile, Direction, Profile};
use crate::rules::Knowledge;
use serde_json::Value as Json;

/// Answers from a profile's values; fields it leaves out are "don't know".
struct Scripted {
    answers: Json,
    asked: Vec<String>,
    /// Each prompt's field and the answer it started from (an answer taken back).
    initials: Vec<(String, Option<String>)>,
    interrupt_at: Option<&'static str>,
    confirm: Answer<bool>,
    /// The answer to the refine offer.
    refine: Answer<bool>,
    /// Fields at which to go back once (instead of answering), in order.
    back_at: Vec<String>,
    /// Multi-select questions answered by ticking nothing and pressing Enter.
    tick_nothing: bool,
    /// Inline hops of the profile's path, answered through the `path.inline` prompts.
    inline: Vec<Json>,
    current_hop: Option<Json>,
    /// The question file whose own options the person picks from.
    qs: super::questions::Questions,
}

impl Scripted {
    fn from(p: &Profile) -> Self {
        let answers = serde_json::to_value(p).unwrap();
        let inline = answers["path"]
            .as_array()
            .map(|hops| hops.iter().filter(|h| h.is_object()).cloned().collect())
            .unwrap_or_default();
        Scripted {
            answers,
            asked: Vec::new(),
            initials: Vec::new(),
            interrupt_at: None,
            confirm: Answer::Value(false),
            refine: Answer::Value(true),
            back_at: Vec::new(),
            tick_nothing: false,
            inline,
            current_hop: None,
            qs: embedded().unwrap(),
        }
    }
    fn get(&mut self, p: &Prompt) -> Option<Json> {
        if p.field == "path.inline" || p.field == "path.inline.more" {
            // Follow-ups of `path`, not questions of their own.
            self.current_hop = (!self.inline.is_empty()).then(|| self.inline.remove(0));
            return self.current_hop.as_ref().map(|h| h["name"].clone());
        }
        if let Some(key) = p.field.strip_prefix("path.inline.") {
            return self.current_hop.as_ref().and_then(|h| h.get(key)).cloned();
        }
        self.asked.push(p.field.to_string());
        if let Some(list) = self
            .qs
            .find(p.field)
            .filter(|q| q.kind == super::questions::AnswerType::Checklist)
        {
            // The lines whose answers the profile gives.
            let ticked: Vec<Json> = list
                .choices
                .iter()
                .filter(|c| {
                    c.sets
                        .iter()
                        .all(|(f, v)| self.answers.get(f).is_some_and(|have| have == v))
                })
                .map(|c| Json::String(c.id.clone()))
                .collect();
            return Some(Json::Array(ticked));
        }
        let v = self.answers.get(p.field).cloned().filter(|v| !v.is_null());
        if p.field == "path" {
            // The multi-select offers the known ids; inline hops come after it. No
            // known hop is the "none of these" option.
            return v.map(|hops| {
                let known: Vec<Json> = hops
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|h| h.is_string())
                    .cloned()
                    .collect();
                if known.is_empty() {
                    Json::Array(vec![Json::String(super::interview::NO_HOP.into())])
                } else {
                    Json::Array(known)
                }
            });
        }
        v
    }
    fn answer<T>(&mut self, p: &Prompt, f: impl FnOnce(Json) -> T) -> Answer<T> {
        self.initials
            .push((p.field.to_string(), p.initial.map(String::from)));
        if self.interrupt_at == Some(p.field) {
            self.asked.push(p.field.to_string());
            return Answer::Interrupted;
        }
        if self.back_at.first().is_some_and(|f| f == p.field) {
            self.back_at.remove(0);
            self.asked.push(format!("{}<", p.field));
            return Answer::Back;
        }
        match self.get(p) {
            Some(v) => Answer::Value(f(v)),
            None => Answer::DontKnow,
        }
    }
}

/// For a question with its own options: the one a person with this profile picks,
/// the option whose `sets` all hold in the profile (`none`: the field is left out),
/// the one that answers most among them.
fn own_choice(qs: &super::questions::Questions, answers: &Json, field: &str) -> Option<String> {
    fitting_choice(qs, answers, field)
        .map(|c| c.unwrap_or_else(|| panic!("no option of `{field}` fits {answers}")))
}

/// [`own_choice`], or `Some(None)` when no option fits the profile.
fn fitting_choice(
    qs: &super::questions::Questions,
    answers: &Json,
    field: &str,
) -> Option<Option<String>> {
    let q = qs.find(field).filter(|q| !q.choices.is_empty())?;
    let same = |a: &Json, b: &Json| match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    };
    let fits = |c: &super::questions::Choice| {
        c.sets.keys().all(|f| {
            let have = answers.get(f).filter(|v| !v.is_null());
            match (c.value_of(f).flatten(), have) {
                (None, None) => true,
                (Some(want), Some(have)) => same(want, have),
                _ => false,
            }
        })
    };
    let best = q
        .choices
        .iter()
        .filter(|c| fits(c))
        .max_by_key(|c| c.sets.len());
    Some(best.map(|c| c.id.clone()))
}

fn words(v: Json) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

impl Prompter for Scripted {
    fn ask_text(&mut self, p: &Prompt) -> Answer<String> {
        self.answer(p, |v| v.as_str().unwrap().to_string())
    }
    fn ask_choice(&mut self, p: &Prompt, options: &[Opt]) -> Answer<String> {
        let own = own_choice(&self.qs, &self.answers, p.field);
        self.answer(p, |v| {
            let id = own.unwrap_or_else(|| v.as_str().unwrap().to_string());
            assert!(options.iter().any(|o| o.id == id), "{id} not offered");
            id
        })
    }
    fn ask_number(&mut self, p: &Prompt, unit: &str, rule: NumberRule) -> Answer<f64> {
        assert!(!unit.is_empty());
        let nothing = p.nothing.is_some();
        self.answer(p, |v| {
            if nothing && v == serde_json::json!(0) {
                return 0.0;
            }
            rule.parse(&v.to_string()).unwrap()
        })
    }
    fn ask_yes_no(&mut self, p: &Prompt) -> Answer<bool> {
        self.answer(p, |v| v.as_bool().unwrap())
    }
    fn ask_multi(&mut self, p: &Prompt, options: &[Opt]) -> Answer<Vec<String>> {
        if self.tick_nothing {
            self.asked.push(p.field.to_string());
            return Answer::Value(Vec::new());
        }
        self.answer(p, |v| {
            let ids = words(v);
            for id in &ids {
                assert!(options.iter().any(|o| &o.id == id), "{id} not offered");
            }
            ids
        })
    }
    fn confirm(&mut self, _message: &str) -> Answer<bool> {
        self.confirm.clone()
    }
    fn offer(&mut self, _message: &str) -> Answer<bool> {
        self.asked.push("refine?".into());
        self.refine.clone()
    }
}

fn k() -> Knowledge {
    Knowledge::embedded().unwrap()
}

fn run_with(k: &Knowledge, s: &mut Scripted) -> Finished {
    let e = Engine::new(k);
    let qs = embedded().unwrap();
    match interview(&e, &qs, s) {
        Ok(f) => f,
        Err(e) => panic!("{e:?}"),
    }
}

fn run(k: &Knowledge, p: &Profile) -> (Finished, Vec<String>) {
    let mut s = Scripted::from(p);
    let f = run_with(k, &mut s);
    (f, s.asked)
}

fn transport(k: &Knowledge, p: &Profile) -> String {
    Engine::new(k)
        .decide(p, "t")
        .recommendation
        .label()
        .to_string()
}

const ACCEPTANCE: &[(&str, &str)] = &[
    (
        "ai-chat-tokens",
        include_str!("../../../fixtures/ai-chat-tokens.yaml"),
    ),
    (
        "comment-thread",
        include_str!("../../../fixtures/comment-thread.yaml"),
    ),
    (
        "daily-stats-tile",
        include_str!("../../../fixtures/daily-stats-tile.yaml"),
    ),
    (
        "invoice-pdf-export",
        include_str!("../../../fixtures/invoice-pdf-export.yaml"),
    ),
    (
        "pair-programming-editor",
        include_str!("../../../fixtures/pair-programming-editor.yaml"),
    ),
    (
        "poker-table",
        include_str!("../../../fixtures/poker-table.yaml"),
    ),
    (
        "ride-tracking-map",
        include_str!("../../../fixtures/ride-tracking-map.yaml"),
    ),
    (
        "stock-dashboard",
        include_str!("../../../fixtures/stock-dashboard.yaml"),
    ),
];

/// Every fixture (the acceptance examples are among them), by file name.
fn fixtures(k: &Knowledge) -> Vec<(String, Profile)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let p = parse_profile(&text, &k.hop_ids())
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        out.push((name, p));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn median(xs: &[usize]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        // A harness run on one fixture may hold no acceptance example.
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    }
}

/// The questions of `p` whose answer alone (or with a question it opens), with every
/// other answer as `p` gives it, changes the transport: a stop rule that waits until
/// no unanswered question can change it must ask all of them, in any order. The
/// fields the direction's option answers, and questions that do not apply, are left
/// out; a checklist counts once, when one of its fields is decisive.
fn decisive_fields<'q>(
    look: &super::lookahead::Lookahead,
    qs: &'q super::questions::Questions,
    p: &Profile,
) -> Vec<&'q str> {
    let mut out = decisive_one_by_one(look, qs, p);
    for list in qs
        .questions
        .iter()
        .filter(|q| q.kind == super::questions::AnswerType::Checklist)
        .filter(|q| q.applies(p, &|_| false))
    {
        let in_list = |f: &str| list.choices.iter().any(|c| c.sets.contains_key(f));
        let before = out.len();
        out.retain(|f| !in_list(f));
        if out.len() < before {
            out.push(list.field.as_str());
        }
    }
    out
}

/// [`decisive_fields`] with one question per field.
fn decisive_one_by_one<'q>(
    look: &super::lookahead::Lookahead,
    qs: &'q super::questions::Questions,
    p: &Profile,
) -> Vec<&'q str> {
    let answers = serde_json::to_value(p).unwrap();
    let pick = own_choice(qs, &answers, "direction");
    let option = qs
        .find("direction")
        .and_then(|d| d.choices.iter().find(|c| Some(&c.id) == pick.as_ref()));
    let implied = |f: &str| option.is_some_and(|c| c.sets.contains_key(f));
    let nothing = |f: &str| option.is_some_and(|c| c.value_of(f) == Some(None));
    qs.questions
        .iter()
        .filter(|q| !q.always && !["name", "direction"].contains(&q.field.as_str()))
        .filter(|q| q.kind != super::questions::AnswerType::Checklist)
        .filter(|q| !implied(&q.field) && q.applies(p, &nothing))
        .filter(|q| {
            set_field(p, &q.field, Json::Null)
                .is_some_and(|without| look.can_change(&without, &q.field))
        })
        .map(|q| q.field.as_str())
        .collect()
}

/// The README's line on the fewest questions such a stop rule could ask.
fn fewest_line(fewest: &[usize]) -> String {
    let over = fewest.iter().filter(|n| **n > 8).count();
    let many = match over {
        0 => "on no fixture do more than 6 questions change it alone".to_string(),
        1 => "on 1 fixture, more than 6 questions change it alone".to_string(),
        n => format!("on {n} fixtures, more than 6 questions each change it alone"),
    };
    format!(
        "a stop rule that waits until no single unanswered question can change the \
         transport could do no better than a median of {} questions (worst {}), the \
         name and direction included: {many}",
        median(fewest),
        fewest.iter().max().unwrap(),
    )
}

/// The README's line on the fixtures settled in more than 8 questions, worst first.
fn beyond_line(names: &[String], settled: &[usize]) -> String {
    let mut over: Vec<(usize, &str)> = names
        .iter()
        .zip(settled)
        .filter(|(_, n)| **n > 8)
        .map(|(name, n)| (*n, name.as_str()))
        .collect();
    over.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let listed: Vec<String> = over
        .iter()
        .map(|(n, name)| format!("{name} ({n})"))
        .collect();
    let list = match listed.len() {
        0 => return format!("all {} fixtures are settled within 8", names.len()),
        1 => listed[0].clone(),
        n => format!("{} and {}", listed[..n - 1].join(", "), listed[n - 1]),
    };
    format!(
        "{} of the {} fixtures are settled within 8; {list} {} not",
        names.len() - over.len(),
        names.len(),
        if over.len() == 1 { "is" } else { "are" }
    )
}

/// The README's figures line, as the replay gives it.
fn figures_line(settled: &[usize], acceptance: &[usize]) -> String {
    format!(
        "over all {} fixtures, the transport is settled after a median of {} questions \
         (worst {}), the feature name included; over the 8 acceptance examples, a median \
         of {} (worst {})",
        settled.len(),
        median(settled),
        settled.iter().max().copied().unwrap_or(0),
        median(acceptance),
        acceptance.iter().max().copied().unwrap_or(0),
    )
}

/// Replays every fixture through the interview, answering as the profile says (its
/// missing fields as "don't know", yes to the refine offer), and prints the figures.
/// The transport must be settled on `advise`'s answer after at most 6 questions
/// (median) and 8 (worst), and stay there after refining.
#[test]
fn every_fixture_is_settled_on_advise_answer_in_a_handful_of_questions() {
    let k = k();
    let acceptance: Vec<&str> = ACCEPTANCE.iter().map(|(n, _)| *n).collect();
    let mut rows = Vec::new();
    let mut settled = Vec::new();
    let mut settled_acceptance = Vec::new();
    let mut wrong = Vec::new();
    let mut fewest = Vec::new();
    let mut names = Vec::new();
    let e = Engine::new(&k);
    let qs = embedded().unwrap();
    let look = super::lookahead::Lookahead::for_questions(&e, &qs);
    for (name, p) in fixtures(&k) {
        let want = transport(&k, &p);
        let decisive = decisive_fields(&look, &qs, &p);
        fewest.push(2 + decisive.len());
        let (f, asked) = run(&k, &p);
        let (n, at_settle) = f.settled.clone().expect("settled");
        let end = transport(&k, &f.profile);
        if at_settle != want || end != want {
            wrong.push(format!(
                "{name}: advise says {want}, settled on {at_settle}, ended on {end}"
            ));
        }
        settled.push(n);
        names.push(name.clone());
        if acceptance.contains(&name.as_str()) {
            settled_acceptance.push(n);
            // Refining reaches advise's add-ons and heartbeat too.
            let want = Engine::new(&k).decide(&p, "t").recommendation;
            let got = Engine::new(&k).decide(&f.profile, "t").recommendation;
            assert_eq!(got.add_ons, want.add_ons, "{name}: {asked:?}");
            assert_eq!(got.heartbeat_s, want.heartbeat_s, "{name}: {asked:?}");
        }
        // The answers saved read back unchanged, with the same transport.
        let saved = profile_yaml(&f.profile, "test");
        let back = parse_profile(&saved, &k.hop_ids())
            .unwrap_or_else(|e| panic!("{name}: {e:?}\n{saved}"));
        assert_eq!(back, f.profile, "{name}");
        assert_eq!(transport(&k, &back), end, "{name}");
        rows.push(format!(
            "{name:32} settled after {n} (fewest {}) -> {at_settle:9} asked {:2} in all: {}",
            2 + decisive.len(),
            f.asked.len(),
            asked.join(", ")
        ));
        // Known hops come out outermost first, inline hops after them.
        if f.asked.iter().any(|a| a == "path") {
            let sorted = |p: &Profile| -> Vec<String> {
                let mut v: Vec<String> = p
                    .path
                    .iter()
                    .flatten()
                    .map(|h| serde_json::to_string(h).unwrap())
                    .collect();
                v.sort();
                v
            };
            assert_eq!(sorted(&f.profile), sorted(&p), "{name}");
        }
    }
    let line = figures_line(&settled, &settled_acceptance);
    let floor = fewest_line(&fewest);
    let beyond = beyond_line(&names, &settled);
    println!("{}\n{line}\n{floor}", rows.join("\n"));
    // Issue 13's target is: settled on advise's answer everywhere, median <= 6 and
    // worst <= 8. Every fixture settles on advise's answer, the median is 6, and
    // the acceptance examples meet both; the worst cases over all fixtures (close
    // calls, margin 1, where many answers each move the scores by one) are not
    // there yet. The bound on those is today's figure, so nothing gets worse
    // unseen; tighten it as the target is reached.
    assert!(
        wrong.is_empty(),
        "{}\n{}",
        wrong.join("\n"),
        rows.join("\n")
    );
    assert_eq!(settled_acceptance.len(), 8);
    assert!(settled.len() >= 30);
    assert!(median(&settled) <= 6.0, "{line}");
    assert!(median(&settled_acceptance) <= 6.0, "{line}");
    assert!(*settled_acceptance.iter().max().unwrap() <= 8, "{line}");
    assert!(*settled.iter().max().unwrap() <= 14, "{line}");
    let readme = include_str!("../../../README.md")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        readme.contains(&line),
        "README.md must state the figures this test measures:\n{line}"
    );
    assert!(
        readme.contains(&floor),
        "README.md must state the figures this test measures:\n{floor}"
    );
    assert!(
        readme.contains(&beyond),
        "README.md must state the figures this test measures:\n{beyond}"
    );
}

#[test]
fn name_and_direction_come_first_and_irrelevant_questions_are_skipped() {
    let k = k();
    let mut p = Profile::new("Daily stats", Direction::ServerToClient);
    p.max_delay_s = Some(300.0);
    p.update_interval_s = Some(3600.0);
    p.runtime = Some("container".into());
    let mut s = Scripted::from(&p);
    s.refine = Answer::Value(false);
    let f = run_with(&k, &mut s);
    let asked = s.asked;
    assert_eq!(&asked[..2], ["name", "direction"]);
    // One-way feed: the round-trip budget does not apply.
    assert!(f
        .not_applicable
        .iter()
        .any(|(field, why)| field == "round_trip_ms" && why == "direction is server-to-client"));
    assert!(!asked.contains(&"round_trip_ms".to_string()));
    // A 300 s staleness budget settles polling: the interview stops long before the
    // end, and what it skipped could not have changed it.
    assert_eq!(transport(&k, &f.profile), "polling");
    assert!(asked.len() < 8, "{asked:?}");
    assert!(f.skipped() >= 10, "{f:?}");
    for field in f.cannot_change.iter().chain(&f.left_open) {
        assert!(!asked.contains(field));
    }
    // Questions marked `always` are still asked (current_transport: the fit audit).
    assert_eq!(asked.last().map(String::as_str), Some("current_transport"));
}

#[test]
fn the_most_decisive_question_comes_first() {
    // Right after the direction, the staleness budget decides between a live channel
    // and polling for a one-way feed; the payload or presence tell much less.
    let k = k();
    let p = Profile::new("Feed", Direction::ServerToClient);
    let e = Engine::new(&k);
    let qs = embedded().unwrap();
    let look = super::lookahead::Lookahead::for_questions(&e, &qs);
    let fields: Vec<&str> = qs
        .questions
        .iter()
        .filter(|q| {
            !q.always && !["name", "direction", "round_trip_ms"].contains(&q.field.as_str())
        })
        .map(|q| q.field.as_str())
        .collect();
    let out = look.outlook(&p, &fields);
    let gain = |f: &str| out.gain[fields.iter().position(|x| *x == f).unwrap()];
    assert!(gain("max_delay_s") > gain("presence"), "{out:?}");
    assert!(gain("max_delay_s") > gain("resume"), "{out:?}");
    assert!(gain("resume") < 0.05, "{out:?}");
    assert!(out.stays < 0.9, "{out:?}");
    // The interview asks by that order, not by the file's: the file lists
    // client_messages_per_minute first.
    let (_, asked) = run(&k, &p);
    let best = fields[out.best().unwrap()];
    assert_eq!(asked[2], best);
}

#[test]
fn the_transport_settles_before_every_question_is_asked() {
    // A long job the user does not wait for: queue, whatever else is true.
    let k = k();
    let mut p = Profile::new("Export", Direction::ServerToClient);
    p.job_duration_s = Some(900.0);
    p.user_waits = Some(false);
    let mut s = Scripted::from(&p);
    s.refine = Answer::Value(false);
    let f = run_with(&k, &mut s);
    assert_eq!(transport(&k, &f.profile), "queue");
    let (n, t) = f.settled.clone().unwrap();
    assert_eq!(t, "queue");
    assert!(n <= 6, "{:?}", s.asked);
    // Declining the refine offer: the transport stays, what was left is listed.
    assert_eq!(f.refine, Some(false));
    assert!(s.asked.contains(&"refine?".to_string()));
    assert!(
        f.left_open.contains(&"hidden_tab_delivery".to_string()),
        "{f:?}"
    );
    let i = s.asked.iter().position(|a| a == "refine?").unwrap();
    assert_eq!(&s.asked[i + 1..], ["current_transport"]);
    // Each question skipped as unable to change anything really could not.
    let e = Engine::new(&k);
    let now = e.decide(&f.profile, "t");
    for field in &f.cannot_change {
        for v in super::lookahead::variants(&e, &f.profile, field) {
            let d = e.decide(&v, "t");
            let (a, b) = (&d.recommendation, &now.recommendation);
            assert_eq!(a.transport, b.transport, "{field}: {v:?}");
            assert_eq!(a.add_ons, b.add_ons, "{field}: {v:?}");
            assert_eq!(a.heartbeat_s, b.heartbeat_s, "{field}: {v:?}");
            assert_eq!(d.gotchas, now.gotchas, "{field}: {v:?}");
        }
    }
}

#[test]
fn refining_asks_what_changes_gotchas_such_as_http2() {
    // http2: false adds the six-connections-per-origin gotcha to an SSE stream behind
    // nginx: it cannot change the transport, but refining asks it.
    let k = k();
    let text = include_str!("../../../fixtures/ai-chat-tokens.yaml");
    let mut p = parse_profile(text, &k.hop_ids()).unwrap();
    p.http2 = Some(false);
    let (f, asked) = run(&k, &p);
    assert!(asked.contains(&"http2".to_string()), "{asked:?}");
    let (n, _) = f.settled.clone().unwrap();
    assert!(
        asked.iter().position(|a| a == "http2").unwrap() > n,
        "{asked:?}"
    );
    let got = Engine::new(&k).decide(&f.profile, "t");
    assert_eq!(got.recommendation.label(), "sse");
    assert!(
        got.gotchas.iter().any(|g| g.id == "http1-connection-limit"),
        "{:?}",
        got.gotchas
    );
    // Declining the offer leaves it unknown, and says so.
    let mut s = Scripted::from(&p);
    s.refine = Answer::Value(false);
    let f = run_with(&k, &mut s);
    assert!(!s.asked.contains(&"http2".to_string()));
    assert!(f.left_open.contains(&"http2".to_string()), "{f:?}");
    assert!(!f.cannot_change.contains(&"http2".to_string()));
}

#[test]
fn going_back_asks_the_previous_question_again() {
    let k = k();
    let text = include_str!("../../../fixtures/ai-chat-tokens.yaml");
    let p = parse_profile(text, &k.hop_ids()).unwrap();
    let (plain, plain_asked) = run(&k, &p);
    // Go back once at the fourth question: the third is asked again, then the rest
    // as before.
    let third = plain_asked[2].clone();
    let fourth = plain_asked[3].clone();
    let mut s = Scripted::from(&p);
    s.back_at = vec![fourth.clone()];
    let f = run_with(&k, &mut s);
    assert_eq!(s.asked[3], format!("{fourth}<"));
    assert_eq!(s.asked[4], third);
    let mut expected = plain_asked.clone();
    expected.insert(3, format!("{fourth}<"));
    expected.insert(4, third.clone());
    assert_eq!(s.asked, expected);
    assert_eq!(f.profile, plain.profile);
    assert_eq!(f.asked, plain.asked);
    // Going back from the refine offer returns to the last question.
    let mut s = Scripted::from(&p);
    s.refine = Answer::Back;
    s.interrupt_at = None;
    // Back at the offer, then (offer again) answer no.
    struct Once(Scripted, bool);
    impl Prompter for Once {
        fn ask_text(&mut self, p: &Prompt) -> Answer<String> {
            self.0.ask_text(p)
        }
        fn ask_choice(&mut self, p: &Prompt, o: &[Opt]) -> Answer<String> {
            self.0.ask_choice(p, o)
        }
        fn ask_number(&mut self, p: &Prompt, u: &str, r: NumberRule) -> Answer<f64> {
            self.0.ask_number(p, u, r)
        }
        fn ask_yes_no(&mut self, p: &Prompt) -> Answer<bool> {
            self.0.ask_yes_no(p)
        }
        fn ask_multi(&mut self, p: &Prompt, o: &[Opt]) -> Answer<Vec<String>> {
            self.0.ask_multi(p, o)
        }
        fn confirm(&mut self, m: &str) -> Answer<bool> {
            self.0.confirm(m)
        }
        fn offer(&mut self, m: &str) -> Answer<bool> {
            let first = self.1;
            self.1 = false;
            self.0.offer(m);
            if first {
                Answer::Back
            } else {
                Answer::Value(false)
            }
        }
    }
    let mut once = Once(s, true);
    let e = Engine::new(&k);
    let f = interview(&e, &embedded().unwrap(), &mut once).unwrap();
    let asked = once.0.asked;
    let i = asked.iter().position(|a| a == "refine?").unwrap();
    // The question before the offer is asked again, then the offer.
    assert_eq!(asked[i + 1], asked[i - 1], "{asked:?}");
    assert_eq!(asked[i + 2], "refine?", "{asked:?}");
    assert_eq!(f.refine, Some(false));
}

#[test]
fn no_job_is_not_dont_know() {
    // "0 = there is no job" is an answer: the waiting question does not apply and
    // the job is not listed as unknown.
    let k = k();
    let p = Profile::new("Feed", Direction::ServerToClient);
    let mut s = Scripted::from(&p);
    s.answers["job_duration_s"] = serde_json::json!(0);
    let f = run_with(&k, &mut s);
    if s.asked.iter().any(|a| a == "job_duration_s") {
        assert_eq!(
            f.nothing,
            [("job_duration_s".to_string(), "there is no job".to_string())]
        );
        assert!(!f.dont_know.contains(&"job_duration_s".to_string()));
        assert!(
            !s.asked.contains(&"user_waits".to_string()),
            "{:?}",
            s.asked
        );
        assert!(f
            .not_applicable
            .iter()
            .any(|(field, why)| field == "user_waits" && why == "there is no job"));
        assert_eq!(f.profile.job_duration_s, None);
    } else {
        panic!("job_duration_s was not asked: {:?}", s.asked);
    }
}

#[test]
fn ticking_nothing_is_dont_know_and_none_of_these_is_an_empty_path() {
    let k = k();
    let mut p = Profile::new("Feed", Direction::ServerToClient);
    p.max_delay_s = Some(1.0);
    p.client_messages_per_minute = Some(0.0);
    // Enter with nothing ticked: unknown, not "no hops".
    let mut s = Scripted::from(&p);
    s.tick_nothing = true;
    let f = run_with(&k, &mut s);
    assert!(s.asked.contains(&"path".to_string()), "{:?}", s.asked);
    assert!(f.dont_know.contains(&"path".to_string()));
    assert_eq!(f.profile.path, None);
    // "none of these" and nothing else on the path: clients connect directly.
    p.path = Some(Vec::new());
    let (f, asked) = run(&k, &p);
    assert!(asked.contains(&"path".to_string()), "{asked:?}");
    assert_eq!(f.profile.path, Some(Vec::new()));
}

#[test]
fn dont_know_leaves_fields_unknown() {
    let k = k();
    // Only name and direction known: every other question gets "don't know".
    let p = Profile::new("Mystery", Direction::Bidirectional);
    let (f, asked) = run(&k, &p);
    assert!(asked.len() > 2);
    // The list of needs ticked nothing: its fields are unknown too (and the list
    // itself, a question of no field, is not among them).
    let listed = f.implied.iter().filter(|(_, by)| by == "needs").count();
    let lines = embedded().unwrap().find("needs").unwrap().choices.len();
    assert!(lines >= 5);
    assert_eq!(listed, lines, "{f:?}");
    assert_eq!(f.dont_know.len(), f.asked.len() - 3 + listed, "{f:?}");
    assert_eq!(f.profile, p);
}

#[test]
fn interrupt_stops_everything() {
    let k = k();
    let e = Engine::new(&k);
    let qs = embedded().unwrap();
    let p = Profile::new("x", Direction::Bidirectional);
    let mut s = Scripted::from(&p);
    s.interrupt_at = Some("direction");
    assert!(matches!(interview(&e, &qs, &mut s), Err(Stop::Interrupted)));
    assert_eq!(s.asked, ["name", "direction"]);
}

#[test]
fn ask_with_saves_and_refuses_to_overwrite() {
    use crate::cli::{AskArgs, Format, RulesArg};
    let k = k();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.yaml");
    let mut p = Profile::new("Tokens", Direction::ServerToClient);
    p.update_interval_s = Some(0.05);
    let args = |force| AskArgs {
        save: Some(path.clone()),
        force,
        format: Format::Json,
        rules: RulesArg::default(),
    };
    let mut s = Scripted::from(&p);
    super::ask_with(&k, &args(false), &mut s).unwrap();
    let first = std::fs::read_to_string(&path).unwrap();
    let back = parse_profile(&first, &k.hop_ids()).unwrap();
    assert_eq!(transport(&k, &back), transport(&k, &p));

    let mut s = Scripted::from(&p);
    let (d, _) = super::interview_and_save(&k, &args(true), &mut s).unwrap();
    assert_eq!(d.source, path.display().to_string());

    // Exists: the user declines, nothing changes, and the report does not claim to
    // come from the file it did not write.
    std::fs::write(&path, "keep me").unwrap();
    let mut s = Scripted::from(&p);
    s.confirm = Answer::Value(false);
    let (d, _) = super::interview_and_save(&k, &args(false), &mut s).unwrap();
    assert_eq!(d.source, super::ASKED);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    // Ctrl-C at the confirmation: exit 130, nothing written.
    let mut s = Scripted::from(&p);
    s.confirm = Answer::Interrupted;
    assert!(matches!(
        super::ask_with(&k, &args(false), &mut s),
        Err(crate::output::Failure::Interrupted)
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    // Confirmed, or --force: overwritten.
    let mut s = Scripted::from(&p);
    s.confirm = Answer::Value(true);
    super::ask_with(&k, &args(false), &mut s).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
    std::fs::write(&path, "keep me").unwrap();
    let mut s = Scripted::from(&p);
    super::ask_with(&k, &args(true), &mut s).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
}

#[test]
fn set_field_uses_profile_serde() {
    let p = Profile::new("x", Direction::Bidirectional);
    let q = set_field(&p, "concurrent_clients", serde_json::json!(5)).unwrap();
    assert_eq!(q.concurrent_clients, Some(5));
    assert!(set_field(&p, "concurrent_clients", serde_json::json!(-1)).is_none());
}

#[test]
fn inline_hops_are_asked_after_the_known_ones_and_saved() {
    let k = k();
    let text = include_str!("../../../fixtures/custom-f5-hop.yaml");
    let p = parse_profile(text, &k.hop_ids()).unwrap();
    let (f, asked) = run(&k, &p);
    assert!(asked.iter().any(|a| a == "path"), "{asked:?}");
    let hops = f.profile.path.clone().unwrap();
    let inline: Vec<_> = hops
        .iter()
        .filter_map(|h| match h {
            crate::profile::Hop::Inline(i) => Some(i.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(inline.len(), 1);
    assert_eq!(inline[0].name, "our-f5");
    assert_eq!(inline[0].buffers, Some(true));
    assert_eq!(inline[0].websocket, Some(false));
    assert_eq!(transport(&k, &f.profile), transport(&k, &p));
    // The saved profile reads back with the inline hop.
    let yaml = super::save::profile_yaml(&f.profile, "# test\n");
    let back = parse_profile(&yaml, &k.hop_ids()).unwrap();
    assert_eq!(back.path, f.profile.path);
}

#[test]
fn a_question_that_depends_on_another_waits_for_it() {
    // "Does the user wait for the job?" means nothing before the job's length is
    // known: it was asked first of all after the direction, for every feature.
    let k = k();
    for (name, p) in fixtures(&k) {
        let (_, asked) = run(&k, &p);
        if let Some(w) = asked.iter().position(|a| a == "user_waits") {
            let j = asked.iter().position(|a| a == "job_duration_s");
            assert!(j.is_some_and(|j| j < w), "{name}: {asked:?}");
        }
    }
}

#[test]
fn a_question_most_people_cannot_answer_weighs_less_in_the_lookahead() {
    let k = k();
    let e = Engine::new(&k);
    let qs = embedded().unwrap();
    let p = Profile::new("Feed", Direction::ServerToClient);
    let fields = ["max_delay_s", "locked_down_networks"];
    let mut look = super::lookahead::Lookahead::for_questions(&e, &qs);
    assert_eq!(
        look.dont_know_of("locked_down_networks"),
        qs.find("locked_down_networks").unwrap().dont_know.unwrap()
    );
    look.dont_know.insert("max_delay_s".into(), 0.0);
    let sure = look.outlook(&p, &fields).gain[0];
    look.dont_know.insert("max_delay_s".into(), 0.95);
    let unsure = look.outlook(&p, &fields).gain[0];
    assert!(sure > 2.0 * unsure, "{sure} vs {unsure}");
}

#[test]
fn one_pick_answers_several_fields_and_they_are_not_asked_again() {
    // A feed whose clients only listen, with no job: the direction's first option.
    let k = k();
    let mut p = Profile::new("Scores", Direction::ServerToClient);
    p.client_messages_per_minute = Some(0.0);
    p.max_delay_s = Some(2.0);
    p.update_interval_s = Some(1.0);
    let (f, asked) = run(&k, &p);
    for field in ["client_messages_per_minute", "job_duration_s", "user_waits"] {
        assert!(!asked.contains(&field.to_string()), "{field}: {asked:?}");
    }
    let by_direction: Vec<(String, String)> = f
        .implied
        .iter()
        .filter(|(_, by)| by == "direction")
        .cloned()
        .collect();
    assert_eq!(
        by_direction,
        [
            (
                "client_messages_per_minute".to_string(),
                "direction".to_string()
            ),
            ("job_duration_s".to_string(), "direction".to_string()),
        ]
    );
    assert_eq!(f.profile.client_messages_per_minute, Some(0.0));
    assert_eq!(f.profile.job_duration_s, None);
    assert!(f
        .nothing
        .contains(&("job_duration_s".to_string(), "there is no job".to_string())));
    // "Does the user wait for the job?" does not apply: there is none.
    assert!(f
        .not_applicable
        .iter()
        .any(|(field, _)| field == "user_waits"));
    let d = Engine::new(&k).decide(&f.profile, "t");
    let summary = super::summary(&f, &d);
    assert!(
        summary.contains("2 answered by your answer to direction"),
        "{summary}"
    );
    // A feed whose clients send now and then leaves their rate to ask.
    p.client_messages_per_minute = Some(3.0);
    let (f, asked) = run(&k, &p);
    assert_eq!(f.profile.client_messages_per_minute, Some(3.0));
    assert!(asked.contains(&"client_messages_per_minute".to_string()));
    // A job leaves its length and whether the user waits to ask.
    let mut job = Profile::new("Export", Direction::ServerToClient);
    job.job_duration_s = Some(900.0);
    job.user_waits = Some(false);
    let (f, asked) = run(&k, &job);
    assert!(
        !f.implied.iter().any(|(_, by)| by == "direction"),
        "{:?}",
        f.implied
    );
    assert!(asked.contains(&"job_duration_s".to_string()), "{asked:?}");
    assert_eq!(f.profile.job_duration_s, Some(900.0));
}

#[test]
fn going_back_to_a_choice_offers_the_option_picked() {
    let k = k();
    let mut p = Profile::new("Scores", Direction::ServerToClient);
    p.client_messages_per_minute = Some(0.0);
    p.max_delay_s = Some(2.0);
    let (_, asked) = run(&k, &p);
    // Back from the first question after the direction: the direction is asked
    // again, starting on the option picked, and its answers are taken back too.
    let third = asked[2].clone();
    let mut s = Scripted::from(&p);
    s.back_at = vec![third.clone()];
    let f = run_with(&k, &mut s);
    let directions: Vec<&Option<String>> = s
        .initials
        .iter()
        .filter(|(field, _)| field == "direction")
        .map(|(_, i)| i)
        .collect();
    assert_eq!(
        directions,
        [&None, &Some("feed".to_string())],
        "{:?}",
        s.asked
    );
    assert_eq!(f.profile.client_messages_per_minute, Some(0.0));
    assert_eq!(
        f.implied
            .iter()
            .filter(|(field, _)| field == "client_messages_per_minute")
            .count(),
        1
    );
}

#[test]
fn a_feature_for_back_ends_says_who_connects_and_settles_on_a_queue() {
    // Events for partner back ends that take webhooks: polling until the clients
    // turn out to be servers that accept calls, then a queue that calls them.
    // Settling before knowing who connects said polling, and refining changed it.
    // The direction's option for back ends answers who connects; whether they
    // take webhooks is asked before the transport is called settled.
    let k = k();
    let text = include_str!("../../../fixtures/partner-webhooks.yaml");
    let p = parse_profile(text, &k.hop_ids()).unwrap();
    let (f, asked) = run(&k, &p);
    let (n, at) = f.settled.clone().unwrap();
    assert_eq!(at, transport(&k, &p), "{asked:?}");
    assert_eq!(at, "queue");
    assert!(!asked.contains(&"clients".to_string()), "{asked:?}");
    assert!(
        f.implied.iter().any(|(field, _)| field == "clients"),
        "{f:?}"
    );
    let webhooks = asked.iter().position(|a| a == "receives_webhooks").unwrap();
    assert!(webhooks < n, "{asked:?}");
}

#[test]
fn a_job_for_back_ends_picks_the_back_ends_option_and_settles_on_a_queue() {
    // A partner starts an export and its back end takes a webhook when it is done.
    // The option for back ends used to say there is no job as well, so a person
    // with a job had to pick "about a job the user starts", which does not say who
    // connects: the interview settled on polling before asking, and only refining
    // found the queue. The option now leaves the job to its own question.
    let k = k();
    let text = include_str!("../../../fixtures/partner-webhooks.yaml");
    let p = set_field(
        &parse_profile(text, &k.hop_ids()).unwrap(),
        "job_duration_s",
        serde_json::json!(600),
    )
    .unwrap();
    let qs = embedded().unwrap();
    let answers = serde_json::to_value(&p).unwrap();
    assert_eq!(
        own_choice(&qs, &answers, "direction").as_deref(),
        Some("backends")
    );
    let (f, asked) = run(&k, &p);
    let (n, at) = f.settled.clone().unwrap();
    assert_eq!(at, transport(&k, &p), "{asked:?}");
    assert_eq!(at, "queue");
    let job = asked.iter().position(|a| a == "job_duration_s");
    assert!(job.is_some_and(|i| i < n), "{asked:?}");
}

#[test]
fn a_broadcast_feed_ticks_it_in_the_list_and_is_not_asked_about_its_audience() {
    // Whether every viewer gets the same data, and whether clients change channels
    // while connected, are lines of the list (only a broadcast, only changing
    // channels change the recommendation): one answer instead of two questions.
    let k = k();
    let qs = embedded().unwrap();
    for list in ["needs", "needs-one-way"] {
        let q = qs.find(list).unwrap();
        for field in ["audience", "subscriptions"] {
            assert!(
                q.choices.iter().any(|c| c.sets.contains_key(field)),
                "{list}: {field}"
            );
        }
    }
    let text = include_str!("../../../fixtures/stock-dashboard.yaml");
    let mut p = parse_profile(text, &k.hop_ids()).unwrap();
    p.audience = Some(crate::profile::Audience::Broadcast);
    p.locked_down_networks = Some(true);
    let (f, asked) = run(&k, &p);
    assert!(asked.contains(&"needs-one-way".to_string()), "{asked:?}");
    for field in ["audience", "subscriptions", "locked_down_networks"] {
        assert!(!asked.contains(&field.to_string()), "{field}: {asked:?}");
    }
    assert_eq!(f.profile.audience, p.audience);
    assert_eq!(f.profile.subscriptions, None);
    assert!(f.dont_know.contains(&"subscriptions".to_string()), "{f:?}");
}

#[test]
fn an_answer_is_weighed_with_the_questions_it_opens() {
    // Server clients alone do not change a feed's transport, and "can they take
    // webhooks?" is asked only of server clients; together they make it a queue.
    // The chance of the pair counts for `clients`, the question that opens it.
    let k = k();
    let e = Engine::new(&k);
    let qs = embedded().unwrap();
    let look = super::lookahead::Lookahead::for_questions(&e, &qs);
    let text = include_str!("../../../fixtures/partner-webhooks.yaml");
    let mut p = parse_profile(text, &k.hop_ids()).unwrap();
    p.clients = None;
    p.receives_webhooks = None;
    assert_ne!(transport(&k, &p), "queue");
    let out = look.outlook(&p, &["clients", "receives_webhooks"]);
    assert!(out.can_flip[0], "{out:?}");
    assert!(out.flip_chance[0] > 0.0, "{out:?}");
    // Not opened (the clients are unknown), the webhooks question alone changes
    // nothing: the pair is counted once, for the question that opens it.
    assert!(!out.can_flip[1], "{out:?}");
    // Without the question it opens, `clients` alone does not change it.
    let alone = look.outlook(&p, &["clients"]);
    assert!(!alone.can_flip[0], "{alone:?}");
    assert_eq!(alone.flip_chance[0], 0.0);
    println!("clients opening webhooks: {:.4}", out.flip_chance[0]);
}

#[test]
fn for_every_checklist_line_only_a_yes_changes_the_advice() {
    // A line left unticked leaves its field unknown: that must recommend exactly
    // as every other answer to the field would (presence: false, payload:
    // text...), on every fixture, or the checklist would lose answers that matter.
    // Only how sure the report is differs: an unknown field is listed as one, with
    // what it could change, and can lower the confidence.
    let k = k();
    let e = Engine::new(&k);
    let qs = embedded().unwrap();
    let lists: Vec<_> = qs
        .questions
        .iter()
        .filter(|q| q.kind == super::questions::AnswerType::Checklist)
        .collect();
    assert!(!lists.is_empty());
    let advice = |p: &Profile| {
        let mut v = serde_json::to_value(e.decide(p, "t")).unwrap();
        // What is unknown, and what an unknown could change, name the field.
        for key in ["flips", "unknowns"] {
            v.as_object_mut().unwrap().remove(key);
        }
        v["recommendation"]
            .as_object_mut()
            .unwrap()
            .remove("confidence");
        v
    };
    let mut checked = 0;
    for q in lists {
        for c in &q.choices {
            for (field, yes) in &c.sets {
                let spec = crate::profile::field(field).unwrap();
                let others: Vec<Json> = super::lookahead::fallback_answers(&e, spec.kind)
                    .into_iter()
                    .filter(|v| v != yes)
                    .collect();
                assert!(!others.is_empty(), "{field}");
                for (name, p) in fixtures(&k) {
                    let unknown = set_field(&p, field, Json::Null).unwrap();
                    let want = advice(&unknown);
                    for other in &others {
                        let given = set_field(&p, field, other.clone()).unwrap();
                        assert_eq!(
                            advice(&given),
                            want,
                            "{name}: `{field}: {other}` advises otherwise than leaving it out"
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked >= 5 * 50, "{checked}");
}

#[test]
fn a_two_way_feature_answers_what_it_needs_in_one_list() {
    let k = k();
    let text = include_str!("../../../fixtures/auction-bids.yaml");
    let p = parse_profile(text, &k.hop_ids()).unwrap();
    let (f, asked) = run(&k, &p);
    // Its lines answer the fields, none asked again.
    assert!(asked.contains(&"needs".to_string()), "{asked:?}");
    for field in ["presence", "replies", "locked_down_networks", "payload"] {
        assert!(!asked.contains(&field.to_string()), "{field}: {asked:?}");
        assert!(
            f.implied.iter().any(|(x, by)| x == field && by == "needs"),
            "{field}: {f:?}"
        );
    }
    // Ticked: replies; the rest are left unknown.
    assert_eq!(f.profile.replies, Some(true));
    assert_eq!(f.profile.presence, None);
    assert!(f.dont_know.contains(&"presence".to_string()));
    let (n, at) = f.settled.clone().unwrap();
    assert_eq!(at, transport(&k, &p));
    assert!(n <= 8, "{n}: {asked:?}");
    // A one-way feed gets the list without replies (they need a two-way channel).
    let feed = parse_profile(
        include_str!("../../../fixtures/binary-firehose.yaml"),
        &k.hop_ids(),
    )
    .unwrap();
    let (f, asked) = run(&k, &feed);
    assert!(!asked.contains(&"needs".to_string()), "{asked:?}");
    assert!(asked.contains(&"needs-one-way".to_string()), "{asked:?}");
    assert!(!asked.contains(&"payload".to_string()), "{asked:?}");
    assert_eq!(f.profile.payload, feed.payload);
    assert!(!f.not_applicable.iter().any(|(x, _)| x == "needs"));
}

#[test]
fn going_back_to_the_checklist_offers_the_lines_ticked() {
    let k = k();
    let text = include_str!("../../../fixtures/auction-bids.yaml");
    let p = parse_profile(text, &k.hop_ids()).unwrap();
    let mut s = Scripted::from(&p);
    let f = run_with(&k, &mut s);
    let at = s.asked.iter().position(|a| a == "needs").unwrap();
    let mut again = Scripted::from(&p);
    again.back_at = vec![s.asked[at + 1].clone()];
    let g = run_with(&k, &mut again);
    // The list is asked again with "replies" ticked, and the answers are the same.
    let redo: Vec<_> = again
        .initials
        .iter()
        .filter(|(field, _)| field == "needs")
        .collect();
    assert_eq!(redo.len(), 2, "{:?}", again.initials);
    assert_eq!(redo[1].1.as_deref(), Some("replies"));
    assert_eq!(g.profile, f.profile);
}

#[test]
fn unlikely_answers_weigh_less_in_the_chance_that_one_question_changes_the_transport() {
    // A fast feed with its payload unknown: binary frames change the transport,
    // but most messages are JSON (`likely: {text: 4}`), so "payload" changes it
    // with a fifth of the chance it is answered, not a half.
    let k = k();
    let e = Engine::new(&k);
    let qs = embedded().unwrap();
    let look = super::lookahead::Lookahead::for_questions(&e, &qs);
    let text = include_str!("../../../fixtures/binary-firehose.yaml");
    let mut p = parse_profile(text, &k.hop_ids()).unwrap();
    p.payload = None;
    let out = look.outlook(&p, &["payload"]);
    assert!(out.can_flip[0], "{out:?}");
    let answered = 1.0 - look.dont_know_of("payload");
    assert!(
        (out.flip_chance[0] - answered / 5.0).abs() < 1e-9,
        "{out:?}"
    );
}

/// Experiment harness (not a check): replays every fixture with the questions file
/// `RTADVISOR_ASK_QUESTIONS` and prints one summary line.
#[test]
#[ignore]
fn replay_with_other_questions() {
    let k = k();
    let path = std::env::var("RTADVISOR_ASK_QUESTIONS").unwrap();
    let qs = super::questions::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let e = Engine::new(&k);
    let acceptance: Vec<&str> = ACCEPTANCE.iter().map(|(n, _)| *n).collect();
    let (mut settled, mut acc, mut wrong) = (Vec::new(), Vec::new(), Vec::new());
    let verbose = std::env::var("RTADVISOR_ASK_VERBOSE").is_ok();
    for (name, p) in fixtures(&k) {
        if std::env::var("RTADVISOR_ASK_ONLY").is_ok_and(|o| o != name) {
            continue;
        }
        let want = transport(&k, &p);
        let mut s = Scripted::from(&p);
        s.qs = qs.clone();
        let f = interview(&e, &qs, &mut s).unwrap();
        let (n, at) = f.settled.clone().unwrap();
        if at != want {
            wrong.push(format!("{name}({at}->{want})"));
        }
        if verbose {
            println!("{name:32} {n:2} {at:9} {}", s.asked.join(", "));
        }
        settled.push(n);
        if acceptance.contains(&name.as_str()) {
            acc.push(n);
        }
    }
    let mut hist = std::collections::BTreeMap::new();
    for n in &settled {
        *hist.entry(*n).or_insert(0) += 1;
    }
    println!(
        "{} | hist {:?} | early {}: {}",
        figures_line(&settled, &acc),
        hist,
        wrong.len(),
        wrong.join(" ")
    );
}

/// Experiment harness: the outlook after the fields in `RTADVISOR_ASK_AFTER` (comma
/// list) of fixture `RTADVISOR_ASK_FIXTURE` are answered.
#[test]
#[ignore]
fn outlook_trace() {
    let k = k();
    let name = std::env::var("RTADVISOR_ASK_FIXTURE").unwrap();
    let after = std::env::var("RTADVISOR_ASK_AFTER").unwrap_or_default();
    let qs = match std::env::var("RTADVISOR_ASK_QUESTIONS") {
        Ok(p) => super::questions::parse(&std::fs::read_to_string(p).unwrap()).unwrap(),
        Err(_) => embedded().unwrap(),
    };
    let e = Engine::new(&k);
    let look = super::lookahead::Lookahead::for_questions(&e, &qs);
    let (_, full) = fixtures(&k).into_iter().find(|(n, _)| *n == name).unwrap();
    let answers = serde_json::to_value(&full).unwrap();
    let mut p = Profile::new(full.name.clone(), full.direction);
    let given: Vec<&str> = after.split(',').filter(|s| !s.is_empty()).collect();
    for f in &given {
        if let Some(v) = answers.get(*f).filter(|v| !v.is_null()) {
            p = set_field(&p, f, v.clone()).unwrap();
        }
    }
    let fields: Vec<&str> = qs
        .questions
        .iter()
        .filter(|q| !q.always && !["name", "direction"].contains(&q.field.as_str()))
        .map(|q| q.field.as_str())
        .filter(|f| !given.contains(f))
        .collect();
    let out = look.outlook(&p, &fields);
    println!("now {} stays {:.3}", out.transport, out.stays);
    let mut rows: Vec<(f64, &str, f64, bool)> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| (out.gain[i], *f, out.flip_chance[i], out.can_flip[i]))
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (g, f, c, cf) in rows {
        println!("{f:28} gain {g:.4} flip {c:.3} {cf}");
    }
}

/// Experiment harness: every fixture's neighbours (one answer changed to another
/// plausible value, or left out) replayed through the interview with the questions
/// of `RTADVISOR_ASK_QUESTIONS`: how many questions settle them, and how many settle
/// early (on a transport other than `advise`'s). Workloads the fixtures do not hold,
/// to choose settings that are not fitted to the fixtures.
#[test]
#[ignore]
fn replay_neighbours() {
    let k = k();
    let qs = match std::env::var("RTADVISOR_ASK_QUESTIONS") {
        Ok(p) => super::questions::parse(&std::fs::read_to_string(p).unwrap()).unwrap(),
        Err(_) => embedded().unwrap(),
    };
    let e = Engine::new(&k);
    let fields: Vec<&str> = qs
        .questions
        .iter()
        .filter(|q| !q.always && q.kind != super::questions::AnswerType::Checklist)
        .filter(|q| !["name"].contains(&q.field.as_str()))
        .map(|q| q.field.as_str())
        .collect();
    let mut profiles: Vec<(String, Profile)> = Vec::new();
    for (name, p) in fixtures(&k) {
        let own = serde_json::to_value(&p).unwrap();
        for f in &fields {
            // Only answers a person could give: the question applies to the rest.
            if qs.find(f).is_some_and(|q| !q.applies(&p, &|_| false)) {
                continue;
            }
            let mut seen = vec![own.clone()];
            let mut vs = super::lookahead::variants(&e, &p, f);
            if let Json::Object(mut m) = own.clone() {
                if m.remove(*f).is_some() {
                    if let Ok(q) = serde_json::from_value::<Profile>(Json::Object(m)) {
                        vs.push(q);
                    }
                }
            }
            for v in vs {
                let j = serde_json::to_value(&v).unwrap();
                if seen.contains(&j) {
                    continue;
                }
                seen.push(j);
                profiles.push((format!("{name}/{f}"), v));
            }
        }
    }
    let every: usize = std::env::var("RTADVISOR_ASK_EVERY")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let only = std::env::var("RTADVISOR_ASK_ONLY").unwrap_or_default();
    // A neighbour no option of the direction question fits (a job on a two-way
    // feature) is not a profile a person could answer: skipped.
    let answerable = |p: &Profile| {
        let answers = serde_json::to_value(p).unwrap();
        fitting_choice(&qs, &answers, "direction") != Some(None)
    };
    let all = profiles.len();
    let picked: Vec<&(String, Profile)> = profiles
        .iter()
        .step_by(every.max(1))
        .filter(|(name, _)| name.starts_with(&only))
        .filter(|(_, p)| answerable(p))
        .collect();
    let skipped = all.div_ceil(every.max(1)) - picked.len();
    // (settled after, the transport then, advise's, the questions asked, whether
    // the interview ends on advise's transport once refined)
    type Run = (usize, String, String, Vec<String>, bool);
    let replay = |(_, p): &&(String, Profile)| -> Run {
        let want = transport(&k, p);
        let mut s = Scripted::from(p);
        s.qs = qs.clone();
        let f = interview(&e, &qs, &mut s).unwrap();
        let asked = s.asked;
        let end = transport(&k, &f.profile) == want;
        let (n, at) = f.settled.expect("every interview settles");
        (n, at, want, asked, end)
    };
    let half = picked.len().div_ceil(2);
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let workers: Vec<_> = picked
            .chunks(half.max(1))
            .map(|part| scope.spawn(|| part.iter().map(replay).collect::<Vec<Run>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let (mut settled, mut wrong, mut ends_wrong) = (Vec::new(), Vec::new(), 0);
    let mut longest: Vec<(usize, String)> = Vec::new();
    for ((name, _), run) in picked.iter().zip(runs) {
        let (n, at, want, asked, end) = run;
        settled.push(n);
        ends_wrong += usize::from(!end);
        longest.push((
            n,
            format!("{name} {}", asked[..n.min(asked.len())].join(",")),
        ));
        if at != want {
            wrong.push(format!("{name} ({at}, advise: {want}) {}", asked.join(",")));
        }
    }
    let mut sorted = settled.clone();
    sorted.sort_unstable();
    let within8 = settled.iter().filter(|n| **n <= 8).count();
    println!(
        "over {} neighbours of the fixtures ({skipped} skipped: no direction option \
         fits them), the transport is settled after a median of {} questions (90% within \
         {}, worst {}; {} within 8, {:.1}%); {} ({:.2}%) settle on another transport than \
         advise's, and {} still end on another once refined",
        settled.len(),
        median(&settled),
        sorted[sorted.len() * 9 / 10],
        sorted.last().unwrap(),
        within8,
        100.0 * within8 as f64 / settled.len() as f64,
        wrong.len(),
        100.0 * wrong.len() as f64 / settled.len() as f64,
        ends_wrong,
    );
    if std::env::var("RTADVISOR_ASK_VERBOSE").is_ok() {
        longest.sort_by_key(|b| std::cmp::Reverse(b.0));
        for (n, l) in longest.iter().take(40) {
            println!("  long {n}: {l}");
        }
        for w in &wrong {
            println!("  early: {w}");
        }
    }
}
