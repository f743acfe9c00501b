//! Your own rules: `--rules DIR` overlays that change real decisions, `rules check`
//! diagnostics for every kind of mistake, and `rules list` / `rules show`.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn rt() -> Command {
    let mut c = Command::cargo_bin("rtadvisor").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn overlay(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `advise --format json` on one fixture, with an optional overlay.
fn decide(fixture: &str, rules: Option<&Path>) -> serde_json::Value {
    let mut c = rt();
    c.args(["advise", "--format", "json"])
        .arg(Path::new("fixtures").join(fixture));
    if let Some(dir) = rules {
        c.arg("--rules").arg(dir);
    }
    let out = c.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn transport(v: &serde_json::Value) -> &str {
    v["recommendation"]["transport"].as_str().unwrap()
}

fn add_ons(v: &serde_json::Value) -> Vec<String> {
    v["recommendation"]["add_ons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

fn rationale_rules(v: &serde_json::Value) -> Vec<String> {
    v["rationale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect()
}

// ---- overlays change decisions ----------------------------------------------------

#[test]
fn replacing_a_default_rule_changes_the_decision() {
    let fixture = "ai-chat-tokens.yaml";
    let before = decide(fixture, None);
    assert_eq!(transport(&before), "sse");
    // Same id as the default: the overlay's version replaces it.
    let dir = overlay(&[(
        "ours.yaml",
        r#"rules:
  - id: one-way-traffic
    dimension: direction
    message: "We standardised on WebSockets, even for one-way traffic."
    why: "Our platform team runs a socket gateway and supports nothing else."
    when: {direction: server-to-client}
    score: {websocket: 20}
    sources: [whatwg-sse]
"#,
    )]);
    let after = decide(fixture, Some(dir.path()));
    assert_eq!(transport(&after), "websocket");
    let list = rt()
        .args(["rules", "list", "--rules"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("one-way-traffic"))
        .unwrap();
    assert!(line.contains("ours.yaml:2"), "{line}");
}

#[test]
fn adding_a_rule_changes_the_add_ons() {
    let fixture = "team-chat-presence.yaml";
    let before = decide(fixture, None);
    assert_eq!(transport(&before), "websocket");
    assert!(!add_ons(&before).contains(&"managed-service".to_string()));
    let after = decide(fixture, Some(Path::new("docs/examples/managed-pubsub")));
    assert_eq!(transport(&after), "websocket");
    assert!(add_ons(&after).contains(&"managed-service".to_string()));
    let fired = rationale_rules(&after);
    assert!(
        fired.iter().any(|r| r == "our-presence-on-managed-pubsub"),
        "{fired:?}"
    );
}

#[test]
fn disabling_a_rule_changes_the_decision() {
    let fixture = "azure-front-door-notifications.yaml";
    let before = decide(fixture, None);
    assert_eq!(transport(&before), "websocket");
    let dir = overlay(&[(
        "off.yaml",
        "# We configured Front Door to stream text/event-stream.\nrules:\n  - id: path-blocks-sse\n    disabled: true\n",
    )]);
    let after = decide(fixture, Some(dir.path()));
    assert_eq!(transport(&after), "sse");
    assert!(!rationale_rules(&after).contains(&"path-blocks-sse".to_string()));
}

#[test]
fn the_f5_example_adds_a_hop_profiles_can_name() {
    let dir = overlay(&[(
        "w.yaml",
        "name: Shipment feed\ndirection: bidirectional\nclient_messages_per_minute: 30\nupdate_interval_s: 1\nruntime: container\npath: [our-f5, nginx]\nclients: [browser]\n",
    )]);
    let profile = dir.path().join("w.yaml");
    // Without the overlay the id is unknown.
    let out = rt().arg("advise").arg(&profile).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("our-f5"));
    let out = rt()
        .args([
            "advise",
            "--format",
            "json",
            "--rules",
            "docs/examples/f5-strips-upgrade",
        ])
        .arg(&profile)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(transport(&v), "websocket", "the F5 strips Upgrade");
    let ranking = v["ranking"].as_array().unwrap();
    let ws = ranking
        .iter()
        .find(|r| r["transport"] == "websocket")
        .unwrap();
    assert_eq!(ws["vetoed"], true);
    let gotchas = v["gotchas"].to_string();
    assert!(gotchas.contains("our-f5-upgrade"), "{gotchas}");
}

/// `rules check DIR`, which must pass: its report.
fn check_ok(dir: &str) -> String {
    let out = rt().args(["rules", "check", dir]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("ok: "), "{stdout}");
    stdout
}

#[test]
fn the_examples_pass_rules_check() {
    for dir in [
        "docs/examples/f5-strips-upgrade",
        "docs/examples/managed-pubsub",
    ] {
        let stdout = check_ok(dir);
        assert!(stdout.contains(" rules ("), "{stdout}");
    }
}

// ---- rules check: every kind of mistake, with positions, all at once ---------------

/// Runs `rules check` on one file; expects exit 2 and every needle on stderr.
fn check_fails(text: &str, needles: &[&str]) -> String {
    let dir = overlay(&[("mine.yaml", text)]);
    let out = rt()
        .args(["rules", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "missing {n:?} in:\n{stderr}");
    }
    stderr
}

const OK_RULE: &str = "    dimension: direction\n    message: \"m\"\n    why: \"w\"\n";

#[test]
fn unknown_field_in_a_rule() {
    check_fails(
        &format!("rules:\n  - id: a\n{OK_RULE}    colour: red\n    score: {{sse: 1}}\n    sources: [whatwg-sse]\n"),
        &["unknown field `colour` in a rule", "mine.yaml:6:5"],
    );
}

#[test]
fn unknown_section() {
    check_fails(
        "rulez: []\n",
        &[
            "unknown section `rulez`",
            "mine.yaml:1:1",
            "did you mean `rules`?",
        ],
    );
}

#[test]
fn unknown_profile_variable_in_a_condition() {
    check_fails(
        &format!("rules:\n  - id: a\n{OK_RULE}    when: {{presense: true}}\n    score: {{sse: 1}}\n    sources: [whatwg-sse]\n"),
        &["unknown variable `presense`", "mine.yaml:6:12", "did you mean `presence`?"],
    );
}

#[test]
fn unknown_transport_in_score_veto_and_for() {
    check_fails(
        &format!("rules:\n  - id: a\n{OK_RULE}    score: {{websockets: 1}}\n    sources: [whatwg-sse]\n  - id: b\n{OK_RULE}    veto: [pollin]\n    sources: [whatwg-sse]\n  - id: c\n{OK_RULE}    for: [see]\n    add_ons: [heartbeat]\n    sources: [whatwg-sse]\n"),
        &[
            "unknown transport `websockets`",
            "mine.yaml:6:13",
            "unknown transport `pollin`",
            "mine.yaml:12:12",
            "unknown transport `see`",
            "mine.yaml:18:11",
        ],
    );
}

#[test]
fn unknown_add_on() {
    check_fails(
        &format!(
            "rules:\n  - id: a\n{OK_RULE}    add_ons: [hearbeat]\n    sources: [whatwg-sse]\n"
        ),
        &[
            "unknown add-on `hearbeat`",
            "mine.yaml:6:15",
            "did you mean `heartbeat`?",
        ],
    );
}

#[test]
fn bad_operators_and_values() {
    check_fails(
        &format!("rules:\n  - id: a\n{OK_RULE}    when:\n      all:\n        - max_delay_s: {{between: 3}}\n        - presence: {{gt: 1}}\n        - payload: binery\n    score: {{sse: 1}}\n    sources: [whatwg-sse]\n"),
        &[
            "unknown operator `between`",
            "mine.yaml:8:25",
            "`gt` compares numbers",
            "mine.yaml:9:22",
            "did you mean `binary`?",
            "mine.yaml:10:20",
        ],
    );
}

#[test]
fn missing_why_and_sources_and_empty_why() {
    check_fails(
        "rules:\n  - id: a\n    dimension: direction\n    message: m\n    score: {sse: 1}\n  - id: b\n    dimension: direction\n    message: m\n    why: \"  \"\n    score: {sse: 1}\n    sources: [nowhere]\n",
        &[
            "a rule is missing `why`",
            "mine.yaml:2:5",
            "rule `a` cites no source",
            "`why` must not be empty",
            "mine.yaml:9:10",
            "unknown source `nowhere`",
            "mine.yaml:11:15",
        ],
    );
}

#[test]
fn duplicate_ids_within_a_file() {
    let rule = format!("  - id: a\n{OK_RULE}    score: {{sse: 1}}\n    sources: [whatwg-sse]\n");
    check_fails(
        &format!("rules:\n{rule}{rule}"),
        &["duplicate id `a` in `rules`", "mine.yaml:8:5"],
    );
}

#[test]
fn disabling_an_unknown_id() {
    check_fails(
        "rules:\n  - id: one-way-trafic\n    disabled: true\n  - id: presence\n    disabled: yes\n",
        &[
            "cannot disable `one-way-trafic`",
            "mine.yaml:2:5",
            "did you mean `one-way-traffic`?",
            "`disabled` must be true or false",
            "mine.yaml:5:15",
        ],
    );
}

#[test]
fn bad_yaml() {
    check_fails(
        "rules:\n  - id: a\n    why: [unclosed\n",
        &["not valid YAML", "mine.yaml:3:"],
    );
}

#[test]
fn every_problem_in_every_file_is_reported_at_once() {
    let dir = overlay(&[
        ("a.yaml", &format!("rules:\n  - id: a\n{OK_RULE}    colour: red\n    when: {{directoin: bidirectional}}\n    add_ons: [hearbeat]\n    sources: [whatwg-sse]\n")),
        ("b.yaml", "rules: [unclosed\n"),
        ("c.yaml", "hops:\n  - id: our-lb\n    name: Our LB\n    websocket: {supported: nope, source: whatwg-sse}\n"),
    ]);
    let out = rt()
        .args(["rules", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    for n in [
        "a.yaml:6:5",
        "a.yaml:7:12",
        "a.yaml:8:15",
        "b.yaml:1:",
        "c.yaml:4:28",
        "5 problems in 3 files",
    ] {
        assert!(stderr.contains(n), "missing {n:?} in:\n{stderr}");
    }
}

#[test]
fn advise_with_broken_rules_exits_2_and_writes_nothing() {
    let dir = overlay(&[("x.yaml", "rules:\n  - id: a\n    dimension: nope\n")]);
    let out = rt()
        .args(["advise", "fixtures/ai-chat-tokens.yaml", "--rules"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("x.yaml:3:16"));
}

#[test]
fn check_needs_a_folder_of_rule_files() {
    let out = rt()
        .args(["rules", "check", "no/such/dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let empty = tempfile::tempdir().unwrap();
    let out = rt()
        .args(["rules", "check"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no *.yaml"));
}

// ---- rules list / show --------------------------------------------------------------

#[test]
fn list_shows_every_default_rule_with_its_origin() {
    let out = rt().args(["rules", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for id in ["one-way-traffic", "path-blocks-websockets", "presence"] {
        assert!(text.contains(id), "{id}");
    }
    assert!(text.contains("default"));
    assert!(!text.contains("rules/decision.yaml"));
}

#[test]
fn show_prints_why_condition_effects_and_dated_sources() {
    let out = rt()
        .args(["rules", "show", "rare-client-messages"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "rare-client-messages",
        "why:",
        "when:     client_messages_per_minute <= 2 and direction != client-to-server",
        "score:    sse +2",
        "whatwg-sse",
        "checked 20",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let out = rt()
        .args(["rules", "show", "path-blocks-websockets"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("veto:     websocket"));
}

#[test]
fn show_an_overlay_rule_and_an_unknown_id() {
    let out = rt()
        .args([
            "rules",
            "show",
            "our-standard-managed-pubsub",
            "--rules",
            "docs/examples/managed-pubsub",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(text.contains("standard.yaml:"), "{text}");
    assert!(text.contains("for:      websocket"));
    assert!(text.contains("add-ons:  managed-service"));
    let out = rt().args(["rules", "show", "presense"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown rule `presense`"), "{stderr}");
    assert!(stderr.contains("did you mean `presence`?"), "{stderr}");
}

#[test]
fn matrix_in_every_format() {
    for (format, needle) in [
        ("table", "WebSocket"),
        ("markdown", "|---|"),
        ("json", "\"dimension\""),
    ] {
        let out = rt().args(["matrix", "--format", format]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(needle),
            "{format}"
        );
    }
}

#[test]
fn completions_and_man_page() {
    let out = rt().args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("advise"));
    for shell in ["zsh", "fish", "powershell"] {
        let out = rt().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(!out.stdout.is_empty());
    }
    let out = rt().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(".TH"));
}

#[test]
fn knowledge_is_browsable_as_tables_and_json() {
    let out = rt()
        .args(["rules", "list", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &rules[0];
    for key in [
        "id",
        "dimension",
        "message",
        "why",
        "score",
        "sources",
        "origin",
    ] {
        assert!(!first[key].is_null(), "{key} in {first}");
    }
    let out = rt()
        .args(["rules", "vars", "--format", "json"])
        .output()
        .unwrap();
    let vars: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(vars
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["name"] == "path.min_idle_s"));
    rt().args(["rules", "vars"])
        .assert()
        .success()
        .stdout(predicate::str::contains("client_messages_per_minute"));

    // Every runtime and hop with its facts; one of them with every source.
    rt().arg("platforms").assert().success().stdout(
        predicate::str::contains("cloud-run").and(predicate::str::contains("azure-front-door")),
    );
    rt().args(["platforms", "nginx"]).assert().success().stdout(
        predicate::str::contains("idle timeout: 60 s")
            .and(predicate::str::contains("buffers responses: yes"))
            .and(predicate::str::contains("https://nginx.org/")),
    );
    let out = rt()
        .args(["platforms", "--format", "json"])
        .output()
        .unwrap();
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let afd = all["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "azure-front-door")
        .unwrap();
    assert_eq!(afd["limits"][0]["max"], 3000.0);
    assert!(afd["limits"][0]["source"]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    rt().args(["platforms", "ngnix"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `nginx`?"));
}

#[test]
fn man_writes_the_pages_the_top_page_names() {
    let d = tempfile::tempdir().unwrap();
    rt().args(["man", "--out"]).arg(d.path()).assert().success();
    let top = std::fs::read_to_string(d.path().join("rtadvisor.1")).unwrap();
    let mut named = 0;
    for sub in [
        "advise",
        "ask",
        "doc",
        "explain",
        "rules",
        "platforms",
        "init",
    ] {
        assert!(top.contains(&format!("rtadvisor\\-{sub}(1)")), "{sub}");
        assert!(
            d.path().join(format!("rtadvisor-{sub}.1")).is_file(),
            "{sub}"
        );
        named += 1;
    }
    assert_eq!(named, 7);
    let advise = std::fs::read_to_string(d.path().join("rtadvisor-advise.1")).unwrap();
    assert!(advise.contains("fail\\-on") && advise.contains("check"));
    assert!(d.path().join("rtadvisor-rules-list.1").is_file());
}

// ---- the interview's question file beside the rules --------------------------------

#[test]
fn the_default_rules_folder_passes_rules_check_with_its_question_file() {
    // rules/questions.yaml is not a rules file: it used to fail as two unknown
    // sections (`settings`, `questions`). It is checked as the interview's questions.
    let stdout = check_ok("rules");
    let questions = std::fs::read_to_string("rules/questions.yaml")
        .unwrap()
        .matches("\n  - field: ")
        .count();
    assert!(questions > 20);
    assert!(
        stdout.contains(&format!(
            "questions.yaml: the interview's question file, {questions} questions"
        )),
        "{stdout}"
    );
    // An overlay copied from the defaults works as `--rules` too.
    decide("stock-dashboard.yaml", Some(Path::new("rules")));
}

#[test]
fn a_broken_question_file_is_reported_at_its_lines() {
    let text = std::fs::read_to_string("rules/questions.yaml")
        .unwrap()
        .replacen("  settle: 0.97", "  settle: 3", 1)
        .replacen("    dont_know: 0.8\n", "    dont_know: 1.8\n", 1);
    let decision = std::fs::read_to_string("rules/decision.yaml").unwrap();
    let dir = overlay(&[("questions.yaml", &text), ("decision.yaml", &decision)]);
    let out = rt()
        .args(["rules", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    for (msg, at) in [
        (
            "settings.settle must be above 0 and at most 1",
            line_of("  settle: 3"),
        ),
        (
            "`locked_down_networks`: dont_know must be",
            line_of("- field: locked_down_networks"),
        ),
    ] {
        assert!(stderr.contains(msg), "{stderr}");
        assert!(
            stderr.contains(&format!("questions.yaml:{at}:3")),
            "{at}: {stderr}"
        );
    }
    assert!(stderr.contains("2 problems in 1 file"), "{stderr}");
    // A folder holding only a question file has no rules to check.
    let only = overlay(&[("questions.yaml", "questions: []\n")]);
    let out = rt()
        .args(["rules", "check"])
        .arg(only.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only the interview's question file"));
}
