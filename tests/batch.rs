//! `advise DIR --format json` on big folders: the output is streamed as profiles are
//! decided (on every core), and must be what deciding each profile alone says, in
//! input order, as one valid array; bad profiles anywhere in it are reported after.

use assert_cmd::Command;

fn rt() -> Command {
    let mut c = Command::cargo_bin("rtadvisor").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn fixtures() -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir("fixtures")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
}

/// A folder of `n` profiles (the fixtures over and over), `bad` of them broken.
fn folder(n: usize, bad: &[usize]) -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let all = fixtures();
    let mut good = Vec::new();
    for i in 0..n {
        let p = dir.path().join(format!("p{i:04}.yaml"));
        if bad.contains(&i) {
            std::fs::write(&p, "name: broken\ndirection: sideways\n").unwrap();
        } else {
            std::fs::copy(&all[i % all.len()], &p).unwrap();
            good.push(p);
        }
    }
    (dir, good)
}

fn alone(path: &std::path::Path) -> serde_json::Value {
    let out = rt()
        .arg("advise")
        .arg(path)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_big_folder_gives_every_decision_in_input_order_as_one_array() {
    let (dir, good) = folder(150, &[]);
    let out = rt()
        .arg("advise")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 150);
    for (d, p) in arr.iter().zip(&good) {
        assert_eq!(d["source"], p.display().to_string());
    }
    // Spot checks: each is what the profile gets on its own.
    for i in [0, 17, 71, 149] {
        assert_eq!(arr[i], alone(&good[i]), "{}", good[i].display());
    }
}

#[test]
fn bad_profiles_in_a_big_folder_are_reported_after_the_good_ones() {
    let (dir, good) = folder(120, &[3, 64, 119]);
    let out = rt()
        .arg("advise")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sources: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["source"].as_str().unwrap())
        .collect();
    let want: Vec<String> = good.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(sources, want);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for i in [3, 64, 119] {
        assert!(stderr.contains(&format!("p{i:04}.yaml:2:")), "{stderr}");
    }
    assert!(
        stderr.contains("3 problems in 3 files; the other 117 profiles are reported above"),
        "{stderr}"
    );
}

#[test]
fn one_good_profile_among_bad_ones_is_an_object_not_an_array() {
    let (dir, good) = folder(3, &[0, 2]);
    let out = rt()
        .arg("advise")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, alone(&good[0]));
}

#[test]
fn a_closed_pipe_ends_a_big_batch_quietly() {
    let (dir, _) = folder(300, &[]);
    let bin = assert_cmd::cargo::cargo_bin("rtadvisor");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' advise '{}' --format json | head -c 100 >/dev/null",
            bin.display(),
            dir.path().display()
        ))
        .output()
        .unwrap();
    // rtadvisor's own exit status (pipefail): 0, not an error or a signal.
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}
