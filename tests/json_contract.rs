//! docs/json.md is the JSON contract as it really is: every field `advise --format
//! json` prints on any fixture (and on a waived audit) is listed there, and every
//! field it marks "always" is in every object whose parent is there.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;

/// (path, always) for each row of the field table.
fn documented() -> Vec<(String, bool)> {
    let text = std::fs::read_to_string("docs/json.md").unwrap();
    text.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let path = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((path.to_string(), cells.get(3)? == &"always"))
        })
        .collect()
}

fn paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                paths(x, &p, out);
            }
        }
        Value::Array(items) => {
            for x in items {
                paths(x, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// Every object found at `path` (arrays flattened), e.g. `ranking[]`.
fn objects_at<'a>(root: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut here = vec![root];
    if path.is_empty() {
        return here;
    }
    for part in path.split('.') {
        let (key, arrays) = match part.find("[]") {
            Some(i) => (&part[..i], part[i..].matches("[]").count()),
            None => (part, 0),
        };
        let mut next: Vec<&Value> = here.iter().filter_map(|v| v.get(key)).collect();
        for _ in 0..arrays {
            next = next
                .into_iter()
                .flat_map(|v| v.as_array().into_iter().flatten())
                .collect();
        }
        here = next;
    }
    here
}

fn outputs() -> Vec<Value> {
    let mut files: Vec<String> = std::fs::read_dir("fixtures")
        .unwrap()
        .flatten()
        .map(|e| e.path().display().to_string())
        .filter(|p| p.ends_with(".yaml"))
        .collect();
    files.sort();
    let dir = tempfile::tempdir().unwrap();
    // A waived audit and an expired one, for the audit fields.
    let bell = std::fs::read_to_string("fixtures/notifications-bell.yaml").unwrap();
    for (name, until) in [
        ("waived.yaml", "2099-12-31"),
        ("expired.yaml", "2020-01-01"),
    ] {
        let p = dir.path().join(name);
        std::fs::write(
            &p,
            format!(
                "{bell}accept:\n  verdict: over-engineered\n  reason: known\n  until: {until}\n"
            ),
        )
        .unwrap();
        files.push(p.display().to_string());
    }
    let out = Command::cargo_bin("rtadvisor")
        .unwrap()
        .args(["advise", "--format", "json"])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    all.as_array().unwrap().clone()
}

#[test]
fn every_field_printed_is_documented_and_always_means_always() {
    let doc = documented();
    assert!(doc.len() > 60, "the table was not read: {}", doc.len());
    let known: BTreeSet<&str> = doc.iter().map(|(p, _)| p.as_str()).collect();
    let outs = outputs();
    let mut seen = BTreeSet::new();
    for o in &outs {
        paths(o, "", &mut seen);
    }
    let undocumented: Vec<&String> = seen
        .iter()
        .filter(|p| !known.contains(p.as_str()))
        .collect();
    assert!(
        undocumented.is_empty(),
        "printed but not in docs/json.md: {undocumented:?}"
    );
    for (path, _) in doc.iter().filter(|(_, always)| *always) {
        let (parent, key) = match path.rsplit_once('.') {
            Some((p, k)) => (p, k),
            None => ("", path.as_str()),
        };
        for o in &outs {
            for obj in objects_at(o, parent) {
                assert!(
                    obj.get(key).is_some(),
                    "`{path}` is marked always but missing in {}",
                    o["source"]
                );
            }
        }
    }
    // Documented fields nobody ever prints are stale, except the ones only a
    // veto-everything rule set or a waiver makes.
    let rare = ["audit.waived.until"];
    let never: Vec<&str> = known
        .iter()
        .copied()
        .filter(|p| !seen.contains(*p) && !rare.contains(p))
        .collect();
    assert!(
        never.is_empty() || never.iter().all(|p| p.contains("waiv")),
        "{never:?}"
    );
}

#[test]
fn a_limit_is_checked_once_however_many_places_name_it() {
    // Lambda and API Gateway both carry the gateway's new-connection quota.
    for o in outputs() {
        let ids: Vec<&str> = o["capacity"]["limits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "{}: {ids:?}", o["source"]);
    }
}
