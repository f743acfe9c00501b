//! Write safety and resource bounds (issue 10): what an adversarial pass broke,
//! each case as a user would run it. Cases that root would mask run the binary as
//! `nobody` through setpriv; cases that need root (mknod, chown) say when skipped.

use assert_cmd::Command;
use predicates::prelude::*;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

const NOBODY: u32 = 65534;

fn rt() -> Command {
    let mut c = Command::cargo_bin("rtadvisor").unwrap();
    c.env("NO_COLOR", "1").timeout(Duration::from_secs(20));
    c
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("rtadvisor")
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The binary run as `nobody` (needs root and setpriv), or None to skip.
fn as_nobody() -> Option<Command> {
    if !is_root() || !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("skipped: needs root and setpriv to run as another user");
        return None;
    }
    let mut c = Command::new("/usr/bin/setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin())
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(20));
    Some(c)
}

/// A temp folder every user may enter and write (like a shared /tmp folder).
fn open_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    d
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn mknod(path: &Path, kind: &str) -> bool {
    let mut c = std::process::Command::new("mknod");
    c.arg(path).arg(kind);
    if kind == "c" {
        c.args(["1", "3"]);
    }
    c.status().is_ok_and(|s| s.success())
}

// 1. Only regular files are replaced, and docs are read with a size cap.

#[test]
fn doc_refuses_a_character_device_and_leaves_it_alone() {
    if !is_root() {
        eprintln!("skipped: mknod of a character device needs root");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dev = d.path().join("null-copy");
    assert!(mknod(&dev, "c"));
    rt().args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&dev)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a character device, not a regular file",
        ));
    assert!(std::fs::symlink_metadata(&dev)
        .unwrap()
        .file_type()
        .is_char_device());
    assert_eq!(names(d.path()), ["null-copy"]);
}

#[test]
fn doc_refuses_a_fifo_without_hanging_also_with_check() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("doc.md");
    assert!(mknod(&fifo, "p"), "mkfifo");
    for check in [false, true] {
        let mut c = rt();
        c.args(["doc", "fixtures/poker-table.yaml", "--into"])
            .arg(&fifo);
        if check {
            c.arg("--check");
        }
        c.assert().code(2).stderr(predicate::str::contains("FIFO"));
    }
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
}

#[test]
fn doc_check_against_dev_zero_is_refused_not_read() {
    rt().args([
        "doc",
        "fixtures/poker-table.yaml",
        "--into",
        "/dev/zero",
        "--check",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("not a regular file"));
}

#[test]
fn doc_refuses_a_doc_over_the_size_cap() {
    let d = tempfile::tempdir().unwrap();
    let doc = d.path().join("huge.md");
    std::fs::write(&doc, vec![b'a'; 5 * 1024 * 1024]).unwrap();
    rt().args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&doc)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("4096 KiB limit"));
    assert_eq!(std::fs::metadata(&doc).unwrap().len(), 5 * 1024 * 1024);
}

// 2. Ownership and the right to write.

#[test]
fn root_rewriting_another_users_doc_keeps_its_owner_and_mode() {
    if !is_root() {
        eprintln!("skipped: chown needs root");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let doc = d.path().join("design.md");
    std::fs::write(&doc, "# Design\n").unwrap();
    std::os::unix::fs::chown(&doc, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o640)).unwrap();
    rt().args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&doc)
        .assert()
        .success();
    let m = std::fs::metadata(&doc).unwrap();
    assert!(std::fs::read_to_string(&doc)
        .unwrap()
        .contains("rtadvisor:begin"));
    assert_eq!((m.uid(), m.gid()), (NOBODY, NOBODY));
    assert_eq!(m.mode() & 0o7777, 0o640);
}

#[test]
fn a_user_who_may_not_write_the_doc_cannot_replace_it() {
    let Some(mut nobody) = as_nobody() else {
        return;
    };
    let d = open_dir();
    let doc = d.path().join("design.md");
    std::fs::write(&doc, "# Root's doc\n").unwrap();
    std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o644)).unwrap();
    let profile = d.path().join("w.yaml");
    std::fs::copy("fixtures/poker-table.yaml", &profile).unwrap();
    std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o644)).unwrap();
    nobody
        .arg("doc")
        .arg(&profile)
        .arg("--into")
        .arg(&doc)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("you may not write this file"));
    assert_eq!(std::fs::read_to_string(&doc).unwrap(), "# Root's doc\n");
    assert_eq!(std::fs::metadata(&doc).unwrap().uid(), 0);
    assert_eq!(names(d.path()), ["design.md", "w.yaml"]);
}

// 3. Temp files: final mode from the start, removed on errors, stale ones cleaned.

#[test]
fn a_write_over_the_file_size_limit_leaves_the_doc_and_no_temp() {
    let d = tempfile::tempdir().unwrap();
    let doc = d.path().join("design.md");
    std::fs::write(&doc, "# Design\n").unwrap();
    // 1 KiB limit: the section is larger, so writing the temp file fails.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg("ulimit -f 1; exec \"$0\" doc fixtures/poker-table.yaml --into \"$1\"")
        .arg(bin())
        .arg(&doc)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("the file was left as it was"));
    assert_eq!(std::fs::read_to_string(&doc).unwrap(), "# Design\n");
    assert_eq!(names(d.path()), ["design.md"]);
}

#[test]
fn stale_temp_files_of_dead_runs_are_removed() {
    let d = tempfile::tempdir().unwrap();
    let stale = d.path().join(".rtadvisor-2147483600-0.tmp");
    std::fs::write(&stale, "half a doc").unwrap();
    let doc = d.path().join("design.md");
    rt().args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&doc)
        .assert()
        .success();
    assert_eq!(names(d.path()), ["design.md"]);
}

#[test]
fn a_run_killed_mid_write_leaves_no_readable_copy_and_the_next_run_cleans_up() {
    let strace = Path::new("/usr/bin/strace");
    if !strace.exists() {
        eprintln!("skipped: strace is not installed (.ci/run installs it)");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let doc = d.path().join("private.md");
    std::fs::write(&doc, "# Secret\n").unwrap();
    std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o600)).unwrap();
    // SIGKILL at the first fsync: the temp file is complete and not yet renamed.
    let out = std::process::Command::new(strace)
        .args(["-f", "-o", "/dev/null", "-e", "inject=fsync:signal=SIGKILL"])
        .arg(bin())
        .args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&doc)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    assert_eq!(std::fs::read_to_string(&doc).unwrap(), "# Secret\n");
    let left: Vec<String> = names(d.path())
        .into_iter()
        .filter(|n| n != "private.md")
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    let temp = std::fs::metadata(d.path().join(&left[0])).unwrap();
    assert_eq!(
        temp.mode() & 0o777,
        0o600,
        "the temp copy of a 0600 doc is 0600"
    );
    // The next run removes what the killed one left.
    rt().args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&doc)
        .assert()
        .success();
    assert_eq!(names(d.path()), ["private.md"]);
}

#[test]
fn a_private_doc_stays_private_through_a_rewrite() {
    let d = tempfile::tempdir().unwrap();
    let doc = d.path().join("private.md");
    std::fs::write(&doc, "# Secret\n").unwrap();
    std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o600)).unwrap();
    rt().args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&doc)
        .assert()
        .success();
    assert_eq!(std::fs::metadata(&doc).unwrap().mode() & 0o777, 0o600);
}

#[test]
fn a_long_but_valid_doc_name_works() {
    let d = tempfile::tempdir().unwrap();
    // 250 bytes: valid (NAME_MAX is 255); the old temp name added 30 more.
    let doc = d.path().join(format!("{}.md", "d".repeat(247)));
    rt().args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&doc)
        .assert()
        .success();
    assert!(doc.is_file());
    assert_eq!(names(d.path()).len(), 1);
}

// 4. init and ask --save.

#[test]
fn init_over_the_file_size_limit_writes_nothing_and_a_rerun_works() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("w.yaml");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg("ulimit -f 1; exec \"$0\" init \"$1\"")
        .arg(bin())
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was written"));
    assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));
    rt().arg("init").arg(&p).assert().success();
    rt().arg("advise").arg(&p).assert().success();
}

#[test]
fn init_refuses_special_files_and_symlinks_even_with_force() {
    let d = tempfile::tempdir().unwrap();
    let link = d.path().join("w.yaml");
    std::os::unix::fs::symlink(d.path().join("elsewhere.yaml"), &link).unwrap();
    rt().arg("init")
        .arg(&link)
        .arg("--force")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"));
    assert!(!d.path().join("elsewhere.yaml").exists());
    let fifo = d.path().join("f.yaml");
    assert!(mknod(&fifo, "p"));
    rt().arg("init")
        .arg(&fifo)
        .arg("--force")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("FIFO"));
}

#[test]
fn ask_save_refuses_a_symlink_to_a_missing_target_before_any_question() {
    let d = tempfile::tempdir().unwrap();
    let link = d.path().join("w.yaml");
    let target = d.path().join("missing.yaml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    rt().arg("ask")
        .arg("--save")
        .arg(&link)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"));
    assert!(!target.exists());
}

// 6. Policy numbers are validated at load time.

fn overlay(text: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("policy.yaml"), text).unwrap();
    d
}

#[test]
fn a_heartbeat_minimum_above_the_maximum_is_an_error_not_a_panic() {
    let o = overlay("policy:\n  heartbeat:\n    min_s: 100\n");
    let rules = o.path().display().to_string();
    for args in [
        vec!["rules", "check", rules.as_str()],
        vec![
            "advise",
            "--rules",
            rules.as_str(),
            "fixtures/ai-chat-tokens.yaml",
        ],
    ] {
        rt().args(&args).assert().code(2).stderr(
            predicate::str::contains("`min_s` (100) is above `max_s` (30)")
                .and(predicate::str::contains("policy.yaml:3:5"))
                .and(predicate::str::contains("30 in the built-in rules"))
                .and(predicate::str::contains("panicked").not()),
        );
    }
}

#[test]
fn every_policy_number_is_range_checked_with_its_position() {
    let o = overlay(
        "policy:\n  confidence:\n    high_margin: 1\n    medium_margin: -2\n  heartbeat:\n    fraction: 1.5\n    step_s: 0\n    max_s: .inf\n    default_s: .nan\n",
    );
    rt().args(["rules", "check"])
        .arg(o.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("`medium_margin` must be a whole number")
                .and(predicate::str::contains("policy.yaml:4:5"))
                .and(predicate::str::contains("`fraction` must be a fraction"))
                .and(predicate::str::contains("policy.yaml:6:5"))
                .and(predicate::str::contains("`step_s` must be seconds"))
                .and(predicate::str::contains(
                    "`max_s` must be a finite number, found an infinity",
                ))
                .and(predicate::str::contains(
                    "`default_s` must be a finite number, found .nan",
                )),
        );
    let o = overlay("policy:\n  confidence:\n    high_margin: 1\n");
    rt().args(["rules", "check"])
        .arg(o.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`medium_margin` (2) is above `high_margin` (1)",
        ));
}

// 7. Path length and repeated diagnostics.

fn profile_with_path(hops: &str, n: usize) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    let list = vec![hops; n].join(", ");
    std::fs::write(
        f.path(),
        format!("name: long path\ndirection: server-to-client\npath: [{list}]\n"),
    )
    .unwrap();
    f
}

#[test]
fn a_path_of_ten_thousand_hops_is_refused_in_one_line() {
    for hop in ["nginx", "nginks"] {
        let f = profile_with_path(hop, 10_000);
        let out = rt().arg("advise").arg(f.path()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("`path` has 10000 hops; at most 32 are allowed"),
            "{err}"
        );
        assert!(err.lines().count() < 15, "{err}");
    }
    let f = profile_with_path("nginx", 32);
    rt().arg("advise").arg(f.path()).assert().success();
}

#[test]
fn repeated_diagnostics_are_capped_with_a_count() {
    let f = tempfile::NamedTempFile::new().unwrap();
    let mut text = String::from("name: x\ndirection: server-to-client\n");
    for i in 0..30 {
        text.push_str(&format!("unknown_{i}: 1\n"));
    }
    std::fs::write(f.path(), text).unwrap();
    let out = rt().arg("advise").arg(f.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(err.matches("error: unknown field").count(), 20, "{err}");
    assert!(err.contains("… and 10 more problems in this file"), "{err}");
    assert!(err.contains("error: 30 problems in 1 file"), "{err}");
}

// 9. Exit codes on failed writes.

#[test]
fn help_to_a_full_device_fails() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(bin())
        .arg("--help")
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("No space left"));
}

#[test]
fn a_closed_stdout_is_an_error_not_a_silent_success() {
    for args in [
        "advise fixtures/ai-chat-tokens.yaml",
        "advise fixtures/ai-chat-tokens.yaml --format json",
        "--version",
    ] {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("exec \"$0\" {args} >&-"))
            .arg(bin())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("standard output is closed"));
    }
    // Redirected to /dev/null on purpose is fine.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg("exec \"$0\" advise fixtures/ai-chat-tokens.yaml >/dev/null")
        .arg(bin())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

// 10. Terminal escapes, bidi controls and invisible characters.

#[test]
fn file_names_reach_stderr_without_escapes() {
    let d = tempfile::tempdir().unwrap();
    let evil = d.path().join("w\u{1b}]0;owned\u{7}\u{202E}lmy.yaml");
    std::fs::write(&evil, "name: x\ndirektion: up\n").unwrap();
    let out = rt().arg("advise").arg(&evil).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("w]0;ownedlmy.yaml:2:1"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{202E}') && !err.contains('\u{7}'));

    let doc = d.path().join("d\u{1b}[2Joc\u{200B}.md");
    let out = rt()
        .args(["doc", "fixtures/poker-table.yaml", "--into"])
        .arg(&doc)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("d[2Joc.md:1: the rtadvisor section"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{200B}'));

    let missing = d.path().join("gone\u{1b}[31m.yaml");
    let out = rt().arg("advise").arg(&missing).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("gone[31m.yaml") && !err.contains('\u{1b}'),
        "{err}"
    );
}

#[test]
fn rule_text_reaches_the_terminal_without_escapes_and_ids_are_kebab_case() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("a.yaml"),
        "add_ons:\n  - id: resume\n    name: \"Re\\e[2Jsume\\u202E\"\n    build: \"Replay from Last-Event-ID\\e]0;x\\a.\"\n",
    )
    .unwrap();
    let out = rt()
        .args(["advise", "--rules"])
        .arg(d.path())
        .arg("fixtures/ai-chat-tokens.yaml")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("[ ] Re[2Jsume:"), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202E}') && !text.contains('\u{7}'));

    std::fs::write(
        d.path().join("a.yaml"),
        "rules:\n  - id: \"Bad\\e[31mId\"\n    dimension: direction\n    message: m\n    why: w\n    when: \"direction == 'bidirectional'\"\n    score: {websocket: 1}\n    sources: [rfc6455]\n",
    )
    .unwrap();
    let out = rt()
        .args(["rules", "check"])
        .arg(d.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("must be kebab-case"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");
}

#[test]
fn a_name_of_only_invisible_characters_is_empty() {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        f.path(),
        "name: \"\u{200B}\u{061C}\"\ndirection: server-to-client\n",
    )
    .unwrap();
    rt().arg("advise").arg(f.path()).assert().code(2).stderr(
        predicate::str::contains("`name` must not be empty")
            .and(predicate::str::contains("only invisible characters")),
    );
}

// 11. Messages in the user's terms.

#[test]
fn parser_internals_never_reach_the_user() {
    let d = tempfile::tempdir().unwrap();
    let cases: [(&str, String); 4] = [
        (
            "dup",
            "name: a\nname: b\ndirection: server-to-client\n".into(),
        ),
        ("docs", "name: a\n---\nname: b\n".into()),
        (
            "deep",
            format!("name: x\npath: {}{}\n", "[".repeat(40), "]".repeat(40)),
        ),
        (
            "nodes",
            format!("name: x\nextra: [{}]\n", vec!["1"; 20_001].join(",")),
        ),
    ];
    for (name, text) in cases {
        let p = d.path().join(format!("{name}.yaml"));
        std::fs::write(&p, text).unwrap();
        let out = rt().arg("advise").arg(&p).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        for leak in [
            "DuplicateKeyPolicy",
            "budget",
            "Documents {",
            "Depth {",
            "Nodes {",
        ] {
            assert!(!err.contains(leak), "{name}: {leak} in {err}");
        }
    }
}

#[test]
fn numbers_out_of_range_are_refused_alike_however_written() {
    for n in ["1e15", "9223372036854775807", "1000000000001"] {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            f.path(),
            format!("name: x\ndirection: server-to-client\nconcurrent_clients: {n}\n"),
        )
        .unwrap();
        rt().arg("advise")
            .arg(f.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "`concurrent_clients` is out of range",
            ));
    }
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        f.path(),
        "name: x\ndirection: server-to-client\nconcurrent_clients: 1e6\n",
    )
    .unwrap();
    rt().arg("advise").arg(f.path()).assert().success();
}

#[test]
fn stdin_named_twice_is_refused_not_reported_empty() {
    for args in [["-", "-"], ["/dev/stdin", "-"]] {
        rt().arg("advise")
            .args(args)
            .write_stdin("name: x\ndirection: server-to-client\n")
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("can be read only once")
                    .and(predicate::str::contains("empty").not()),
            );
    }
}

#[test]
fn overlay_errors_in_built_in_files_say_they_are_built_in() {
    let o = overlay("sources:\n  - id: whatwg-sse\n    disabled: true\n");
    rt().args(["rules", "check"])
        .arg(o.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("(built-in) rules/").and(predicate::str::contains(
                "a file in --rules changed something it relies on",
            )),
        );
}

// 12. One bad profile in a folder.

#[test]
fn one_bad_profile_in_a_folder_still_reports_the_good_ones() {
    let d = tempfile::tempdir().unwrap();
    for f in ["ai-chat-tokens.yaml", "poker-table.yaml"] {
        std::fs::copy(Path::new("fixtures").join(f), d.path().join(f)).unwrap();
    }
    std::fs::write(d.path().join("bad.yaml"), "name: x\ndirektion: up\n").unwrap();
    let out = rt()
        .args(["advise", "--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Chat assistant token stream", "Online poker table"]);
    assert!(
        err.contains("bad.yaml:2:1") && err.contains("the other 2 profiles are reported above")
    );

    // --check still lists the misfits among the good ones, and exits 2.
    let out = rt()
        .args(["advise", "--check"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!out.stdout.is_empty());
}

// 8. A rule set that vetoes every transport recommends none.

#[test]
fn a_rule_set_that_vetoes_everything_recommends_nothing() {
    let o = tempfile::tempdir().unwrap();
    std::fs::write(
        o.path().join("veto.yaml"),
        "rules:\n  - id: veto-everything\n    dimension: direction\n    message: nothing goes\n    why: a rule set that vetoes every transport\n    when: {name: {known: true}}\n    veto: [sse, websocket, polling, long-polling, queue]\n    sources: [rfc6455]\n",
    )
    .unwrap();
    let out = rt()
        .args(["advise", "--format", "json", "--rules"])
        .arg(o.path())
        .arg("fixtures/ai-chat-tokens.yaml")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["recommendation"]["transport"].is_null(), "{json}");
    assert_eq!(json["recommendation"]["add_ons"], serde_json::json!([]));
    assert!(json["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["vetoed"] == true));
    assert!(
        err.contains("no viable transport") && err.contains("sse by veto-everything"),
        "{err}"
    );

    let out = rt()
        .args(["advise", "--rules"])
        .arg(o.path())
        .arg("fixtures/ai-chat-tokens.yaml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("→ no viable transport"), "{text}");
    assert!(!text.contains("confidence"), "{text}");

    let d = tempfile::tempdir().unwrap();
    let doc = d.path().join("design.md");
    rt().args(["doc", "fixtures/ai-chat-tokens.yaml", "--into"])
        .arg(&doc)
        .arg("--rules")
        .arg(o.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no viable transport"));
    assert!(!doc.exists());
}
