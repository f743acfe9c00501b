//! Limits and safety from the outside: oversize inputs refused before they are read
//! whole, folders and unreadable files named, bounded memory, symlinks, temp files,
//! and no HTML or terminal escapes smuggled through profile or rule text.

use assert_cmd::Command;
use predicates::prelude::*;
use std::io::Write;
use std::path::Path;

fn rt() -> Command {
    let mut c = Command::cargo_bin("rtadvisor").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn big_yaml(bytes: usize) -> Vec<u8> {
    let mut v = b"name: big\ndirection: server-to-client\n# ".to_vec();
    v.resize(bytes, b'x');
    v.push(b'\n');
    v
}

#[test]
fn a_profile_over_1_mib_is_refused_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.yaml");
    std::fs::write(&p, big_yaml(1024 * 1024 + 10)).unwrap();
    rt().arg("advise")
        .arg(&p)
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("larger than the 1024 KiB limit")
                .and(predicate::str::contains("big.yaml")),
        );
    // Just under the limit is fine.
    std::fs::write(&p, big_yaml(1024 * 1000)).unwrap();
    rt().arg("advise").arg(&p).assert().success();
}

#[test]
fn stdin_over_the_limit_is_refused_without_reading_it_all() {
    rt().args(["advise", "-"])
        .write_stdin(big_yaml(30 * 1024 * 1024))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("limit").and(predicate::str::contains("<stdin>")));
}

#[test]
fn a_30_mb_input_does_not_take_30_mb_of_memory() {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("skipped: /usr/bin/time is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.yaml");
    std::fs::write(&p, big_yaml(30 * 1024 * 1024)).unwrap();
    let out = std::process::Command::new(time)
        .args(["-f", "maxrss=%M"])
        .arg(assert_cmd::cargo::cargo_bin("rtadvisor"))
        .arg("advise")
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no maxrss in {stderr}"));
    assert!(kb < 20 * 1024, "peak RSS {kb} KB for a refused 30 MB input");
}

#[test]
fn a_rules_file_over_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = std::fs::File::create(dir.path().join("huge.yaml")).unwrap();
    f.write_all(&big_yaml(2 * 1024 * 1024)).unwrap();
    rt().args(["rules", "check"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("limit").and(predicate::str::contains("huge.yaml")));
}

#[test]
fn folders_given_as_files_and_missing_paths_are_named() {
    rt().args(["explain", "fixtures"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a folder").and(predicate::str::contains("fixtures")));
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("d.md");
    rt().args(["doc", "fixtures", "--into"])
        .arg(&doc)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a folder"));
    assert!(!doc.exists());
    rt().args(["explain", "nope.yaml"]).assert().code(2).stderr(
        predicate::str::contains("nope.yaml").and(predicate::str::contains("no such file")),
    );
    rt().args([
        "advise",
        "--rules",
        "no-such-dir",
        "fixtures/poker-table.yaml",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("no-such-dir"));
    let empty = tempfile::tempdir().unwrap();
    rt().args(["rules", "check"])
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no *.yaml"));
}

#[test]
fn unreadable_files_give_exit_2_with_the_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let p = dir.path().join("secret.yaml");
    std::fs::copy("fixtures/poker-table.yaml", &p).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("rtadvisor");
    let mut cmd = if std::fs::read(&p).is_ok() {
        // Root reads mode-000 files: run the binary as `nobody` instead, when we can.
        let setpriv = Path::new("/usr/bin/setpriv");
        if !setpriv.exists() {
            eprintln!("skipped: running as root and setpriv is not installed");
            return;
        }
        let mut c = Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    cmd.arg("advise").arg(&p).assert().code(2).stderr(
        predicate::str::contains("secret.yaml").and(predicate::str::contains("permission denied")),
    );
}

#[test]
fn doc_refuses_a_symlinked_doc_and_leaves_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.md");
    std::fs::write(&real, "# Design\n").unwrap();
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    rt().args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&link)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link").and(predicate::str::contains("real.md")));
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "# Design\n");
    // A refused write (reversed markers) and a good one leave only the doc behind.
    let doc = dir.path().join("doc.md");
    std::fs::write(&doc, "<!-- rtadvisor:end -->\n<!-- rtadvisor:begin -->\n").unwrap();
    rt().args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&doc)
        .assert()
        .code(2);
    std::fs::write(&doc, "# Design\n").unwrap();
    rt().args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&doc)
        .assert()
        .success();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
}

const HOSTILE_RULES: &str = r#"
hops:
  - id: evil-proxy
    name: "evil<script>alert(1)</script>\u001b[31m|pipe"
    buffering: {default: true, fix: "run `rm -rf` <img src=x onerror=alert(1)> \u001b]8;;http://x\u0007", source: whatwg-sse}
rules:
  - id: evil-rule
    dimension: proxies
    message: "hostile <b>bold</b> \u001b[2J message"
    why: "a why that is long enough to count as an explanation of what this rule is about here"
    when: {path: {contains: evil-proxy}}
    score: {sse: 1}
    sources: [whatwg-sse]
"#;

#[test]
fn rule_and_profile_text_cannot_inject_html_or_terminal_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("evil.yaml"), HOSTILE_RULES).unwrap();
    let profile = dir.path().join("p.yaml");
    std::fs::write(
        &profile,
        "name: \"x <script>alert(2)</script> \\e[31m | y\"\ndirection: server-to-client\npath: [evil-proxy, {name: \"f5\\e]0;pwned\\a<iframe>\", buffers: true}]\n",
    )
    .unwrap();
    for format in ["table", "markdown", "json"] {
        let out = rt()
            .args(["advise", "--format", format, "--rules"])
            .arg(&rules)
            .arg(&profile)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{format}: control characters in output"
        );
        if format == "markdown" {
            for tag in ["<script", "<img", "<iframe", "<b>"] {
                assert!(!text.contains(tag), "markdown lets {tag} through:\n{text}");
            }
            for line in text.lines().filter(|l| l.starts_with('|')) {
                let cells = line.matches(" | ").count();
                assert!(cells <= 5, "a `|` broke a table row: {line}");
            }
        }
    }
    let out = rt()
        .args(["explain", "--rules"])
        .arg(&rules)
        .arg(&profile)
        .output()
        .unwrap();
    assert!(!out.stdout.contains(&0x1b));
    let out = rt()
        .args(["rules", "show", "evil-rule", "--rules"])
        .arg(&rules)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        !out.stdout.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
