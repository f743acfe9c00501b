//! `rtadvisor advise` from the outside: exit codes, messages for every kind of
//! bad input, stdin, folders, pipes, and snapshots of the table and JSON output.

use assert_cmd::Command;
use predicates::prelude::*;
use std::io::Write;

fn rt() -> Command {
    let mut c = Command::cargo_bin("rtadvisor").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn write(dir: &tempfile::TempDir, name: &str, text: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::File::create(&p).unwrap().write_all(text).unwrap();
    p
}

/// Runs `advise` on `text`, expecting exit 2, nothing on stdout, and `needles` on stderr.
fn bad(text: &[u8], needles: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "w.yaml", text);
    let out = rt().arg("advise").arg(&p).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "missing {n:?} in:\n{stderr}");
    }
    stderr
}

#[test]
fn unknown_fields_and_values_get_did_you_mean_with_line_and_caret() {
    let err = bad(
        b"name: x\ndirektion: server-to-client\ndirection: server-to-clint\nruntime: vercel-edg\npath: [ngnix]\nauth: cookies\n",
        &[
            "unknown field `direktion`",
            "w.yaml:2:1",
            "did you mean `direction`?",
            "did you mean `server-to-client`?",
            "w.yaml:3:12",
            "did you mean `vercel-edge`?",
            "did you mean `nginx`?",
            "did you mean `cookie`?",
            "^^^^",
            "5 problems in 1 file",
        ],
    );
    assert!(
        err.find("direktion").unwrap() < err.find("ngnix").unwrap(),
        "in file order"
    );
}

#[test]
fn wrong_types_and_ranges_name_the_field_and_the_range() {
    bad(
        b"name: x\ndirection: bidirectional\nround_trip_ms: -5\nmax_delay_s: 0\nupdate_interval_s: .nan\njob_duration_s: .inf\nclient_messages_per_minute: lots\npresence: yes\nconcurrent_clients: 2.5\nstreams_per_client: 0\npath: nginx\n",
        &[
            "`round_trip_ms` is out of range: -5",
            "must be a number > 0",
            "`max_delay_s` is out of range: 0",
            "`update_interval_s` is out of range: NaN",
            "`job_duration_s` is out of range: infinity",
            "`client_messages_per_minute` must be a number >= 0, found text",
            "`presence` must be true or false",
            "write true or false",
            "`concurrent_clients` is out of range: 2.5",
            "`streams_per_client` is out of range: 0",
            "`path` must be a list of hops",
            "9 problems",
        ],
    );
}

#[test]
fn missing_required_fields() {
    bad(
        b"payload: text\n",
        &[
            "missing required field `name`",
            "missing required field `direction`",
        ],
    );
}

#[test]
fn inline_hops_are_checked_too() {
    bad(
        b"name: x\ndirection: server-to-client\npath: [{name: f5, idle_timout_s: 30}, {buffers: maybe}]\n",
        &["unknown field `idle_timout_s` in an inline hop", "did you mean `idle_timeout_s`?", "an inline hop needs a `name`", "`buffers` must be true or false"],
    );
}

#[test]
fn duplicate_keys_broken_yaml_and_non_mappings() {
    bad(
        b"name: x\ndirection: bidirectional\nname: y\n",
        &["`name` is set twice", "w.yaml:3"],
    );
    bad(
        b"name: x\ndirection: [bidirectional\n",
        &["not valid YAML", "w.yaml:"],
    );
    bad(b"- name: x\n", &["a profile must be a mapping"]);
}

#[test]
fn empty_binary_and_non_utf8_input() {
    bad(b"", &["the profile is empty", "rtadvisor init"]);
    bad(b"# just a comment\n\n", &["the profile is empty"]);
    bad(b"name: x\n\x00\x01\x02", &["binary", "NUL"]);
    bad(
        b"name: caf\xe9\ndirection: bidirectional\n",
        &["not UTF-8", "0xe9", "w.yaml:1:10"],
    );
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused_quickly() {
    let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 0..40 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("b{}", i - 1)
        };
        bomb.push_str(&format!("b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    bad(bomb.as_bytes(), &["not valid YAML"]);
    let deep = format!("name: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    bad(deep.as_bytes(), &["not valid YAML"]);
}

#[test]
fn problems_in_several_files_are_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(&dir, "a.yaml", b"name: a\ndirection: sideways\n");
    let b = write(&dir, "b.yaml", b"name: b\n");
    rt().arg("advise")
        .arg(&a)
        .arg(&b)
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("a.yaml:2:12")
                .and(predicate::str::contains("b.yaml"))
                .and(predicate::str::contains("2 problems in 2 files")),
        );
}

#[test]
fn missing_files_folders_and_bad_usage_exit_2() {
    rt().args(["advise", "no/such/file.yaml"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no/such/file.yaml")
                .and(predicate::str::contains("no such file")),
        );
    let dir = tempfile::tempdir().unwrap();
    rt().arg("advise")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no *.yaml or *.yml profiles"));
    rt().args(["advise", "fixtures/ai-chat-tokens.yaml", "--format", "xml"])
        .assert()
        .code(2);
    rt().arg("advise").assert().code(2);
    rt().args(["frobnicate"]).assert().code(2);
}

#[test]
fn a_folder_is_read_sorted_and_gives_a_json_array() {
    let out = rt()
        .args(["advise", "fixtures", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert!(arr.len() >= 15);
    let sources: Vec<&str> = arr.iter().map(|d| d["source"].as_str().unwrap()).collect();
    let mut sorted = sources.clone();
    sorted.sort();
    assert_eq!(sources, sorted);
}

#[test]
fn one_profile_gives_one_json_object_with_the_fixed_fields() {
    let out = rt()
        .args([
            "advise",
            "fixtures/live-ops-dashboard.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "name",
        "source",
        "recommendation",
        "ranking",
        "rationale",
        "gotchas",
        "flips",
        "unknowns",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let r = &v["recommendation"];
    assert_eq!(r["transport"], "sse");
    assert!(["high", "medium", "low"].contains(&r["confidence"].as_str().unwrap()));
    assert_eq!(
        r["heartbeat_s"], 25.0,
        "under nginx's 60 s and Cloudflare's 120 s"
    );
    assert!(v["ranking"][0]["vetoed"].is_boolean());
    assert!(v["rationale"][0]["rule"].is_string() && v["rationale"][0]["dimension"].is_string());
    assert!(v.get("audit").is_none(), "no current_transport, no audit");
}

#[test]
fn stdin_is_read_with_a_dash() {
    rt().args(["advise", "-", "--format", "json"])
        .write_stdin(std::fs::read("fixtures/daily-stats-tile.yaml").unwrap())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("\"transport\": \"polling\"")
                .and(predicate::str::contains("\"source\": \"<stdin>\"")),
        );
    rt().args(["advise", "-"])
        .write_stdin("name: x\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("<stdin>"));
}

#[test]
fn check_exits_1_on_misfits_and_0_when_everything_fits() {
    let dir = tempfile::tempdir().unwrap();
    let over = write(&dir, "over.yaml", b"name: Notifications\ndirection: server-to-client\nmax_delay_s: 5\ncurrent_transport: websocket\n");
    rt().args(["advise", "--check"])
        .arg(&over)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("over-engineered")
                .and(predicate::str::contains("recommended sse")),
        );
    let fits = write(&dir, "fits.yaml", b"name: Notifications\ndirection: server-to-client\nmax_delay_s: 5\ncurrent_transport: sse\n");
    rt().args(["advise", "--check"])
        .arg(&fits)
        .assert()
        .success();
    let out = rt()
        .args(["advise", "--format", "json"])
        .arg(&over)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["audit"]["current"], "websocket");
    assert_eq!(v["audit"]["verdict"], "over-engineered");
    let under = write(&dir, "under.yaml", b"name: Chat\ndirection: bidirectional\nclient_messages_per_minute: 40\npresence: true\nround_trip_ms: 150\ncurrent_transport: sse\n");
    let queue = write(&dir, "queue.yaml", b"name: Export\ndirection: server-to-client\njob_duration_s: 900\nuser_waits: false\ncurrent_transport: sse\n");
    let out = rt()
        .args(["advise", "--format", "json"])
        .arg(&under)
        .arg(&queue)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["audit"]["verdict"], "under-engineered");
    assert_eq!(v[1]["audit"]["verdict"], "mismatch");
    // Without --check, misfits do not change the exit code.
    rt().arg("advise").arg(&over).assert().success();
}

#[test]
fn many_profiles_end_with_a_summary() {
    rt().args(["advise", "fixtures"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Summary of").and(predicate::str::contains("audit: ")));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let bin = assert_cmd::cargo::cargo_bin("rtadvisor");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' advise fixtures | head -n 1; exit ${{PIPESTATUS:-0}}",
            bin.display()
        ))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("Broken pipe")
            && !stderr.contains("panicked")
            && !stderr.contains("error"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn no_color_when_not_a_terminal() {
    let out = Command::cargo_bin("rtadvisor")
        .unwrap()
        .args(["advise", "fixtures/poker-table.yaml"])
        .output()
        .unwrap();
    assert!(!out.stdout.contains(&0x1b), "ANSI escapes in piped output");
}

fn snapshot_name(fixture: &str) -> String {
    fixture.trim_end_matches(".yaml").to_string()
}

#[test]
fn table_snapshots() {
    for f in [
        "ai-chat-tokens.yaml",
        "poker-table.yaml",
        "ride-tracking-map.yaml",
        "custom-f5-hop.yaml",
    ] {
        let out = rt()
            .arg("advise")
            .arg(format!("fixtures/{f}"))
            .output()
            .unwrap();
        assert!(out.status.success());
        insta::assert_snapshot!(
            format!("table-{}", snapshot_name(f)),
            String::from_utf8(out.stdout).unwrap()
        );
    }
}

#[test]
fn json_snapshots() {
    for f in [
        "ai-chat-tokens.yaml",
        "invoice-pdf-export.yaml",
        "stock-dashboard.yaml",
        "daily-stats-tile.yaml",
    ] {
        let out = rt()
            .args(["advise", "--format", "json"])
            .arg(format!("fixtures/{f}"))
            .output()
            .unwrap();
        assert!(out.status.success());
        insta::assert_snapshot!(
            format!("json-{}", snapshot_name(f)),
            String::from_utf8(out.stdout).unwrap()
        );
    }
}
