//! "What would change the answer": every flip reported, applied to the profile,
//! really changes the recommendation; every unknown reported really could.

use rtadvisor::engine::Engine;
use rtadvisor::profile::{parse_profile, Profile};
use rtadvisor::rules::Knowledge;
use serde_json::{json, Value};

fn fixtures(k: &Knowledge) -> Vec<(String, Profile)> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("fixtures")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        out.push((
            p.display().to_string(),
            parse_profile(&text, &k.hop_ids()).unwrap(),
        ));
    }
    out
}

fn with(p: &Profile, field: &str, value: Value) -> Profile {
    let mut v = serde_json::to_value(p).unwrap();
    v[field] = value;
    serde_json::from_value(v).unwrap()
}

#[test]
fn every_flip_really_flips_the_answer() {
    let k = Knowledge::embedded().unwrap();
    let e = Engine::new(&k);
    let mut checked = 0;
    for (name, p) in fixtures(&k) {
        let d = e.decide(&p, &name);
        for f in &d.flips {
            assert_ne!(f.transport, d.recommendation.label(), "{name}: {f:?}");
            let q = with(&p, f.field, f.to.clone());
            let again = e.decide(&q, &name);
            assert_eq!(
                again.recommendation.label(),
                f.transport,
                "{name}: applying {f:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} flips across the fixtures");
}

#[test]
fn flips_use_the_rules_thresholds_and_the_smallest_change() {
    let k = Knowledge::embedded().unwrap();
    let e = Engine::new(&k);
    let text = std::fs::read_to_string("fixtures/comment-thread.yaml").unwrap();
    let p = parse_profile(&text, &k.hop_ids()).unwrap();
    let d = e.decide(&p, "comment-thread");
    // chatty-client fires above 30 messages a minute: the flip sits just past it.
    let f = d
        .flips
        .iter()
        .find(|f| f.field == "client_messages_per_minute")
        .expect("a send-rate flip");
    assert_eq!(f.transport, "websocket");
    let to = f.to.as_f64().unwrap();
    assert!(to > 6.0 && to <= 31.0, "{to}");
    // Below the threshold it does not flip; at the reported value it does.
    let below = with(&p, "client_messages_per_minute", json!(5));
    assert_eq!(e.decide(&below, "x").recommendation.label(), "sse");
}

#[test]
fn unknowns_are_fields_whose_answer_could_change_it() {
    let k = Knowledge::embedded().unwrap();
    let e = Engine::new(&k);
    for (name, p) in fixtures(&k) {
        let d = e.decide(&p, &name);
        let json = serde_json::to_value(&p).unwrap();
        for u in &d.unknowns {
            assert!(json.get(u).is_none(), "{name}: {u} is answered");
            let candidates: Vec<Value> = match *u {
                "presence"
                | "locked_down_networks"
                | "resume"
                | "user_waits"
                | "hidden_tab_delivery"
                | "receives_webhooks"
                | "replies"
                | "http2" => vec![json!(true), json!(false)],
                "payload" => vec![json!("binary"), json!("text")],
                "subscriptions" => vec![json!("fixed"), json!("changing")],
                "audience" => vec![json!("broadcast"), json!("per-user"), json!("mixed")],
                "auth" => vec![
                    json!("cookie"),
                    json!("bearer-token"),
                    json!("query-token"),
                    json!("mtls"),
                    json!("none"),
                ],
                "clients" => vec![
                    json!(["browser"]),
                    json!(["desktop"]),
                    json!(["iot"]),
                    json!(["server"]),
                    json!(["mobile"]),
                ],
                "runtime" => k.runtimes.iter().map(|r| json!(r.id)).collect(),
                _ => [
                    0.5, 0.9, 1.0, 2.0, 3.0, 5.0, 6.0, 7.0, 29.0, 31.0, 59.0, 61.0, 99.0, 101.0,
                    121.0, 199.0, 601.0, 999.0, 1001.0, 3000.0, 9999.0, 10001.0,
                ]
                .iter()
                .map(|n| json!(n))
                // Whole numbers for count fields (streams_per_client, concurrent_clients).
                .chain([2u64, 3, 10, 1000, 10000, 100000].map(|n| json!(n)))
                .collect(),
            };
            let flips = candidates
                .into_iter()
                .filter_map(|c| {
                    serde_json::from_value::<Profile>({
                        let mut v = json.clone();
                        v[u] = c;
                        v
                    })
                    .ok()
                })
                .any(|q| e.decide(&q, &name).recommendation.label() != d.recommendation.label());
            assert!(flips, "{name}: unknown {u} cannot change the answer");
        }
        if !d.unknowns.is_empty() {
            assert_ne!(
                d.recommendation.confidence.as_str(),
                "high",
                "{name}: decisive unknowns must lower confidence"
            );
        }
    }
}

#[test]
fn a_fully_specified_profile_has_no_unknowns() {
    let k = Knowledge::embedded().unwrap();
    let e = Engine::new(&k);
    let text = std::fs::read_to_string("fixtures/pair-programming-editor.yaml").unwrap();
    let p = parse_profile(&text, &k.hop_ids()).unwrap();
    let d = e.decide(&p, "x");
    assert!(d.unknowns.is_empty(), "{:?}", d.unknowns);
}

#[test]
fn explain_snapshot() {
    let out = assert_cmd::Command::cargo_bin("rtadvisor")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["explain", "fixtures/comment-thread.yaml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // Contributions add up to the totals shown.
    assert!(
        text.contains(
            "sse           5 = +1 two-way-traffic +2 rare-client-messages +1 relaxed-round-trip +1 cookie-session-in-browsers"
        ),
        "{text}"
    );
    insta::assert_snapshot!("explain-comment-thread", text);
}
