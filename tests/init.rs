//! `rtadvisor init`: a commented starter profile that `advise` accepts as written.

use assert_cmd::Command;

fn rt() -> Command {
    let mut c = Command::cargo_bin("rtadvisor").unwrap();
    c.env("NO_COLOR", "1");
    c
}

#[test]
fn stdout_starter_is_accepted_by_advise_and_documents_every_field() {
    let out = rt().arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for f in rtadvisor::profile::FIELDS {
        assert!(text.contains(f.doc), "no doc for {}", f.name);
        let line = if f.required {
            format!("\n{}: ", f.name)
        } else {
            format!("\n# {}: ", f.name)
        };
        assert!(
            text.contains(&line),
            "{} is not written as {line:?}",
            f.name
        );
    }
    let out = rt()
        .args(["advise", "-", "--format", "json"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Optional fields stay unknown, and the report says which ones matter.
    assert!(!v["unknowns"].as_array().unwrap().is_empty(), "{v}");
}

#[test]
fn writes_a_file_and_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("workload.yaml");
    let out = rt().arg("init").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let out = rt().arg("advise").arg(&path).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    std::fs::write(&path, "mine\n").unwrap();
    let out = rt().arg("init").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n");

    let out = rt().arg("init").arg(&path).arg("--force").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("direction: "));
}

#[test]
fn a_missing_folder_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = rt()
        .arg("init")
        .arg(dir.path().join("no/such/dir/w.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
