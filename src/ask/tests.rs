//! Interview tests with a scripted prompter.

use super::interview::{interview, set_field, Finished, Stop, LOOKAHEAD};
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
    interrupt_at: Option<&'static str>,
    confirm: Answer<bool>,
    /// Inline hops of the profile's path, answered through the `path.inline` prompts.
    inline: Vec<Json>,
    current_hop: Option<Json>,
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
            interrupt_at: None,
            confirm: Answer::Value(false),
            inline,
            current_hop: None,
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
        let v = self.answers.get(p.field).cloned().filter(|v| !v.is_null());
        if p.field == "path" {
            // The multi-select offers the known ids; inline hops come after it.
            return v.map(|hops| {
                Json::Array(
                    hops.as_array()
                        .unwrap()
                        .iter()
                        .filter(|h| h.is_string())
                        .cloned()
                        .collect(),
                )
            });
        }
        v
    }
    fn answer<T>(&mut self, p: &Prompt, f: impl FnOnce(Json) -> T) -> Answer<T> {
        if self.interrupt_at == Some(p.field) {
            self.asked.push(p.field.to_string());
            return Answer::Interrupted;
        }
        match self.get(p) {
            Some(v) => Answer::Value(f(v)),
            None => Answer::DontKnow,
        }
    }
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
        self.answer(p, |v| {
            let id = v.as_str().unwrap().to_string();
            assert!(options.iter().any(|o| o.id == id), "{id} not offered");
            id
        })
    }
    fn ask_number(&mut self, p: &Prompt, unit: &str, rule: NumberRule) -> Answer<f64> {
        assert!(!unit.is_empty());
        self.answer(p, |v| rule.parse(&v.to_string()).unwrap())
    }
    fn ask_yes_no(&mut self, p: &Prompt) -> Answer<bool> {
        self.answer(p, |v| v.as_bool().unwrap())
    }
    fn ask_multi(&mut self, p: &Prompt, options: &[Opt]) -> Answer<Vec<String>> {
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
}

fn k() -> Knowledge {
    Knowledge::embedded().unwrap()
}

fn run(k: &Knowledge, p: &Profile, depth: usize) -> (Finished, Vec<String>) {
    let e = Engine::new(k);
    let qs = embedded().unwrap();
    let mut s = Scripted::from(p);
    match interview(&e, &qs, &mut s, depth) {
        Ok(f) => (f, s.asked),
        Err(e) => panic!("{e:?}"),
    }
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
        include_str!("../../fixtures/ai-chat-tokens.yaml"),
    ),
    (
        "comment-thread",
        include_str!("../../fixtures/comment-thread.yaml"),
    ),
    (
        "daily-stats-tile",
        include_str!("../../fixtures/daily-stats-tile.yaml"),
    ),
    (
        "invoice-pdf-export",
        include_str!("../../fixtures/invoice-pdf-export.yaml"),
    ),
    (
        "pair-programming-editor",
        include_str!("../../fixtures/pair-programming-editor.yaml"),
    ),
    (
        "poker-table",
        include_str!("../../fixtures/poker-table.yaml"),
    ),
    (
        "ride-tracking-map",
        include_str!("../../fixtures/ride-tracking-map.yaml"),
    ),
    (
        "stock-dashboard",
        include_str!("../../fixtures/stock-dashboard.yaml"),
    ),
];

#[test]
fn acceptance_profiles_reach_advise_answer() {
    let k = k();
    let ids = k.hop_ids();
    let mut table = Vec::new();
    for (name, text) in ACCEPTANCE {
        let p = parse_profile(text, &ids).unwrap();
        let (f, asked) = run(&k, &p, LOOKAHEAD);
        let got = transport(&k, &f.profile);
        assert_eq!(got, transport(&k, &p), "{name}: asked {asked:?}");
        assert_eq!(asked, f.asked, "{name}");
        table.push(format!(
            "{name}: {} questions asked ({}), {} skipped -> {got}",
            f.asked.len(),
            f.asked.join(", "),
            f.skipped()
        ));
    }
    println!("{}", table.join("\n"));
}

#[test]
fn every_fixture_reaches_advise_answer() {
    let k = k();
    let ids = k.hop_ids();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(p) = parse_profile(&text, &ids) else {
            continue;
        };
        let (f, _) = run(&k, &p, LOOKAHEAD);
        if f.asked.iter().any(|a| a == "path") {
            // Known hops come out outermost first, inline hops after them.
            let ids = |p: &Profile| -> Vec<crate::profile::Hop> {
                let mut v = p.path.clone().unwrap_or_default();
                v.sort_by_key(|h| serde_json::to_string(h).unwrap());
                v
            };
            assert_eq!(ids(&f.profile), ids(&p), "{}", path.display());
        }
        assert_eq!(
            transport(&k, &f.profile),
            transport(&k, &p),
            "{}: asked {:?}",
            path.display(),
            f.asked
        );
        n += 1;
    }
    assert!(n >= 8);
}

#[test]
fn name_and_direction_come_first_and_irrelevant_questions_are_skipped() {
    let k = k();
    let mut p = Profile::new("Daily stats", Direction::ServerToClient);
    p.max_delay_s = Some(300.0);
    p.update_interval_s = Some(3600.0);
    p.runtime = Some("container".into());
    let (f, asked) = run(&k, &p, LOOKAHEAD);
    assert_eq!(&asked[..2], ["name", "direction"]);
    // One-way feed: the round-trip budget does not apply.
    assert!(f
        .not_applicable
        .iter()
        .any(|(field, why)| field == "round_trip_ms" && why == "direction is server-to-client"));
    assert!(!asked.contains(&"round_trip_ms".to_string()));
    // Once a 300 s staleness budget is known, polling is settled: the interview stops
    // long before the end, and what it skipped could not have changed it.
    assert_eq!(transport(&k, &f.profile), "polling");
    assert!(f.cannot_change.len() >= 8, "{f:?}");
    assert!(asked.len() < 10, "{asked:?}");
    for field in &f.cannot_change {
        assert!(!asked.contains(field));
    }
    // Questions marked `always` are still asked (current_transport: the fit audit).
    assert_eq!(asked.last().map(String::as_str), Some("current_transport"));
}

#[test]
fn stops_early_once_nothing_can_change_the_answer() {
    // A long job the user does not wait for: queue, whatever else is true.
    let k = k();
    let mut p = Profile::new("Export", Direction::ServerToClient);
    p.job_duration_s = Some(900.0);
    p.user_waits = Some(false);
    let (f, asked) = run(&k, &p, LOOKAHEAD);
    assert_eq!(transport(&k, &f.profile), "queue");
    let i = asked.iter().position(|a| a == "user_waits").unwrap();
    // After user_waits, only what can still change the add-ons (Web Push for a
    // closed tab) and the always-asked audit question.
    assert_eq!(
        &asked[i + 1..],
        ["hidden_tab_delivery", "current_transport"]
    );
    // Each skipped question really could not change the answer.
    let e = Engine::new(&k);
    for field in &f.cannot_change {
        for v in crate::engine::flips::answer_variants(&e, &f.profile, field) {
            assert_eq!(transport(&k, &v), "queue", "{field}: {v:?}");
        }
    }
}

#[test]
fn dont_know_leaves_fields_unknown() {
    let k = k();
    // Only name and direction known: every other question gets "don't know".
    let p = Profile::new("Mystery", Direction::Bidirectional);
    let (f, asked) = run(&k, &p, LOOKAHEAD);
    assert!(asked.len() > 2);
    assert_eq!(f.dont_know.len(), asked.len() - 2);
    assert_eq!(f.profile, p);
}

#[test]
fn single_step_lookahead_misses_rules_that_need_two_answers() {
    // long-job-user-leaves needs job_duration_s > 60 *and* user_waits: false. With a
    // one-answer lookahead, user_waits never looks decisive while it is the only
    // unknown left that matters jointly, so invoice-pdf-export would end at sse.
    let k = k();
    let p = parse_profile(ACCEPTANCE[3].1, &k.hop_ids()).unwrap();
    assert_eq!(transport(&k, &p), "queue");
    // Since the queue rule no longer needs a job over 60 s (a user who leaves gets a
    // queue at any duration), one answer decides it; the lookahead must still agree.
    let (one, _) = run(&k, &p, 1);
    let _ = &one;
    let (two, _) = run(&k, &p, LOOKAHEAD);
    assert_eq!(transport(&k, &two.profile), "queue");
}

#[test]
fn interrupt_stops_everything() {
    let k = k();
    let e = Engine::new(&k);
    let qs = embedded().unwrap();
    let p = Profile::new("x", Direction::Bidirectional);
    let mut s = Scripted::from(&p);
    s.interrupt_at = Some("direction");
    assert!(matches!(
        interview(&e, &qs, &mut s, LOOKAHEAD),
        Err(Stop::Interrupted)
    ));
    assert_eq!(s.asked, ["name", "direction"]);
}

#[test]
fn save_round_trip_gives_the_same_transport() {
    let k = k();
    let ids = k.hop_ids();
    for (name, text) in ACCEPTANCE {
        let p = parse_profile(text, &ids).unwrap();
        let (f, _) = run(&k, &p, LOOKAHEAD);
        let saved = profile_yaml(&f.profile, "test");
        let back = parse_profile(&saved, &ids).unwrap_or_else(|e| panic!("{name}: {e:?}\n{saved}"));
        assert_eq!(back, f.profile, "{name}");
        assert_eq!(transport(&k, &back), transport(&k, &f.profile), "{name}");
    }
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

    // Exists: the user declines, nothing changes.
    std::fs::write(&path, "keep me").unwrap();
    let mut s = Scripted::from(&p);
    s.confirm = Answer::Value(false);
    super::ask_with(&k, &args(false), &mut s).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    // Ctrl-C at the confirmation: exit 130, nothing written.
    let mut s = Scripted::from(&p);
    s.confirm = Answer::Interrupted;
    assert!(matches!(
        super::ask_with(&k, &args(false), &mut s),
        Err(crate::app::Failure::Interrupted)
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
    let text = include_str!("../../fixtures/custom-f5-hop.yaml");
    let p = parse_profile(text, &k.hop_ids()).unwrap();
    let (f, asked) = run(&k, &p, LOOKAHEAD);
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
