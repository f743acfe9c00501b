//! Every fixture's expected answer, from its `# expect…` header lines, and
//! every default rule firing in at least one fixture.

use rtadvisor::engine::{Decision, Engine};
use rtadvisor::profile::parse_profile;
use rtadvisor::rules::Knowledge;
use std::collections::BTreeSet;
use std::path::PathBuf;

struct Expect {
    transport: String,
    add_ons: Vec<String>,
    no_add_ons: Vec<String>,
    gotchas: Vec<String>,
}

fn header(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix(&format!("# {key}:")))
        .flat_map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn fixtures() -> Vec<(PathBuf, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir("fixtures")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

fn decide_all() -> Vec<(PathBuf, String, Decision<'static>)> {
    // The decisions borrow the rules' texts: rules that live as long as the test.
    let k: &'static Knowledge = Box::leak(Box::new(Knowledge::embedded().unwrap()));
    let e = Engine::new(k);
    let ids = k.hop_ids();
    fixtures()
        .into_iter()
        .map(|(p, text)| {
            let profile =
                parse_profile(&text, &ids).unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
            let d = e.explain(&profile, &p.display().to_string());
            (p, text, d)
        })
        .collect()
}

#[test]
fn there_are_enough_fixtures_and_the_acceptance_examples_are_mirrored() {
    let all = fixtures();
    assert!(all.len() >= 15, "only {} fixtures", all.len());
    let shared = PathBuf::from("../shared/acceptance");
    if shared.is_dir() {
        for entry in std::fs::read_dir(shared).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "yaml") {
                let ours = PathBuf::from("fixtures").join(p.file_name().unwrap());
                let body = |t: &str| {
                    t.lines()
                        .filter(|l| !l.starts_with('#'))
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                let theirs = std::fs::read_to_string(&p).unwrap();
                let mine = std::fs::read_to_string(&ours)
                    .unwrap_or_else(|_| panic!("{} is not mirrored", ours.display()));
                assert_eq!(
                    body(&mine).trim(),
                    body(&theirs).trim(),
                    "{} differs from the acceptance example",
                    ours.display()
                );
            }
        }
    }
}

#[test]
fn every_fixture_gets_its_expected_answer() {
    let mut failures = Vec::new();
    for (path, text, d) in decide_all() {
        let e = Expect {
            transport: header(&text, "expect")
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("{} has no `# expect:`", path.display())),
            add_ons: header(&text, "expect-add-ons"),
            no_add_ons: header(&text, "expect-no-add-ons"),
            gotchas: header(&text, "expect-gotchas"),
        };
        let r = &d.recommendation;
        if r.label() != e.transport {
            failures.push(format!(
                "{}: transport {} (expected {})",
                path.display(),
                r.label(),
                e.transport
            ));
        }
        for a in &e.add_ons {
            if !r.add_ons.contains(&a.as_str()) {
                failures.push(format!(
                    "{}: missing add-on {a} (has {:?})",
                    path.display(),
                    r.add_ons
                ));
            }
        }
        for a in &e.no_add_ons {
            if r.add_ons.contains(&a.as_str()) {
                failures.push(format!("{}: unexpected add-on {a}", path.display()));
            }
        }
        for g in &e.gotchas {
            if !d.gotchas.iter().any(|x| x.id.contains(g.as_str())) {
                let ids: Vec<_> = d.gotchas.iter().map(|x| x.id.as_str()).collect();
                failures.push(format!(
                    "{}: no gotcha mentioning {g} (has {ids:?})",
                    path.display()
                ));
            }
        }
        if r.add_ons.contains(&"heartbeat") {
            let hb = r
                .heartbeat_s
                .unwrap_or_else(|| panic!("{}: heartbeat without heartbeat_s", path.display()));
            assert!(hb >= 1.0, "{}", path.display());
        }
        assert!(!d.rationale.is_empty(), "{}: no rationale", path.display());
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_default_rule_fires_in_some_fixture() {
    let k = Knowledge::embedded().unwrap();
    let mut fired = BTreeSet::new();
    for (_, _, d) in decide_all() {
        for e in &d.evaluations {
            if e.outcome == "true" && e.note.is_none() {
                fired.insert(e.rule.to_string());
            }
        }
    }
    let never: Vec<&str> = k
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !fired.contains(*id))
        .collect();
    assert!(never.is_empty(), "rules that fire in no fixture: {never:?}");
}

#[test]
fn acceptance_examples_give_the_product_owners_answers() {
    // shared/acceptance/expected.md, asserted explicitly here as well.
    let want = [
        (
            "ai-chat-tokens",
            "sse",
            &["resume", "disable-buffering"][..],
        ),
        ("stock-dashboard", "sse", &[][..]),
        (
            "pair-programming-editor",
            "websocket",
            &["reconnect-backoff"][..],
        ),
        ("ride-tracking-map", "sse", &[][..]),
        ("invoice-pdf-export", "queue", &["notify"][..]),
        ("daily-stats-tile", "polling", &[][..]),
        ("poker-table", "websocket", &["managed-service"][..]),
        ("comment-thread", "sse", &["post-channel"][..]),
    ];
    let all = decide_all();
    for (name, transport, add_ons) in want {
        let (_, _, d) = all
            .iter()
            .find(|(p, _, _)| p.file_stem().unwrap() == name)
            .unwrap();
        assert_eq!(d.recommendation.label(), transport, "{name}");
        for a in add_ons {
            assert!(
                d.recommendation.add_ons.iter().any(|x| x == a),
                "{name}: {a}"
            );
        }
        match name {
            "stock-dashboard" => {
                assert!(!d.recommendation.add_ons.contains(&"heartbeat"))
            }
            "ride-tracking-map" => assert!(d
                .gotchas
                .iter()
                .any(|g| g.id.contains("cloud-run") && g.text.contains("reconnect"))),
            "daily-stats-tile" => assert!(d.rationale.iter().any(|r| r.rule
                == "staleness-budget-allows-polling"
                && r.text.contains("staleness"))),
            "poker-table" => assert!(d.gotchas.iter().any(|g| g.fix.contains("Durable Objects"))),
            _ => {}
        }
    }
}
